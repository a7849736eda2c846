//===- QuantFormats.h - bit-level quantized weight formats ------*- C++ -*-===//
//
// Decoders, encoders and the packed bit stream of the element formats that
// `linea.quant_linear` stores, and the reference dequantization. This is the
// executable form of docs/formats.md: kernels, passes and tests decode
// through these functions so that they agree bit for bit. No MLIR types.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_QUANTFORMATS_H
#define LINEA_NUMERICS_QUANTFORMATS_H

#include "linea/Numerics/Matrix.h"

#include <cstdint>
#include <vector>

namespace linea::numerics {

//===----------------------------------------------------------------------===//
// Format description (mirrors #linea.qformat)
//===----------------------------------------------------------------------===//

/// Element encoding of one packed weight code.
enum class QuantElement {
  int8,     ///< 8-bit two's complement
  uint8,    ///< 8-bit unsigned (asymmetric, with zero points)
  int4,     ///< 4-bit two's complement
  uint4,    ///< 4-bit unsigned (asymmetric, with zero points)
  int6,     ///< 6-bit two's complement
  fp8_e4m3, ///< OCP E4M3FN: bias 7, no infinities, S.1111.111 = NaN
  fp8_e5m2, ///< OCP E5M2: bias 15, IEEE-like infinities and NaNs
  mxfp4,    ///< e2m1 codes, e8m0 scale per 32 along K
  nvfp4,    ///< e2m1 codes, e4m3 scale per 16 along K, f32 tensor scale
  nf4,      ///< index into the 16-level QLoRA NormalFloat4 codebook
};

/// What one scale covers.
enum class ScaleGranularity {
  tensor,  ///< one scale for the whole matrix
  channel, ///< one scale per output row n
  group,   ///< one scale per `groupSize` consecutive k of a row
};

/// Element type the scales are stored in (they reach dequantize() as f32).
enum class ScaleEncoding { f32, f16, bf16, e8m0, e4m3 };

/// How activations are quantized before the product.
enum class ActQuantMode {
  weight_only,
  dynamic_int8_per_token,
  fp8_per_tensor,
  fp8_per_token,
};

/// Everything needed to decode a packed weight matrix.
struct QuantSpec {
  QuantElement element = QuantElement::int8;
  ScaleGranularity granularity = ScaleGranularity::channel;
  int64_t groupSize = 0; ///< only meaningful for ScaleGranularity::group
  bool symmetric = true;
  ScaleEncoding scale = ScaleEncoding::f32;
  ActQuantMode act = ActQuantMode::weight_only;
};

/// Bits one element occupies in the packed stream: 8, 6 or 4.
unsigned elementBits(QuantElement element);

/// True for int8, uint8, int4, uint4 and int6.
bool isIntegerElement(QuantElement element);

/// True for the two's complement integer elements (int8, int4, int6).
bool isSignedIntegerElement(QuantElement element);

/// Bytes of one packed row of `k` elements of `bits` bits: ceil(k·bits/8).
int64_t packedRowBytes(int64_t k, unsigned bits);

/// Input features one scale covers: groupSize for groups, else K.
int64_t scaleSpan(const QuantSpec &spec, int64_t k);
/// Scale columns for K input features: ceil(K / span).
int64_t scaleColumns(const QuantSpec &spec, int64_t k);
/// Scale rows for N output features: 1 for tensor, else N.
int64_t scaleRows(const QuantSpec &spec, int64_t n);

//===----------------------------------------------------------------------===//
// Element decoders (exact) and encoders (round to nearest even, saturating)
//===----------------------------------------------------------------------===//

/// e2m1 (low 4 bits of `nibble`): bit 3 sign, bits 2..1 exponent (bias 1),
/// bit 0 mantissa; magnitudes {0, .5, 1, 1.5, 2, 3, 4, 6}.
float decodeE2M1(uint8_t nibble);
/// OCP fp8 E4M3FN: bias 7, subnormals, max ±448, 0x7F / 0xFF are NaN.
float decodeFp8E4M3(uint8_t code);
/// OCP fp8 E5M2: bias 15, subnormals, max ±57344, exponent 31 is inf/NaN.
float decodeFp8E5M2(uint8_t code);
/// E8M0 scale: 2^(code − 127); 0xFF is NaN.
float decodeE8M0(uint8_t code);

/// The 16 QLoRA NormalFloat4 levels, ascending; code i decodes to
/// kNF4Codebook[i] (index 7 is exactly 0, the ends are ±1).
extern const float kNF4Codebook[16];
/// kNF4Codebook[code & 15].
float decodeNF4(uint8_t code);

/// Nearest e2m1 code, ties to the even code, saturating to ±6. The sign of
/// the input is kept (−0.1 → 0x8, −0); NaN encodes as +0.
uint8_t encodeE2M1(float value);
/// Nearest E4M3FN code, ties to even, saturating to ±448 (±inf too); NaN
/// encodes as 0x7F.
uint8_t encodeFp8E4M3(float value);
/// Nearest E5M2 code, ties to even, saturating to ±57344 (±inf too); NaN
/// encodes as 0x7E.
uint8_t encodeFp8E5M2(float value);
/// E8M0 code of 2^floor(log2 |value|) (the MX scale rule: round down to a
/// power of two), the exponent clamped to [−127, 127]; 0 gives code 0
/// (2^−127); NaN and infinities give 0xFF (NaN).
uint8_t encodeE8M0(float value);
/// Index of the nearest NF4 level to `value` (already divided by its
/// scale); ties go to the level of smaller magnitude. NaN encodes as 7 (0).
uint8_t encodeNF4(float value);

//===----------------------------------------------------------------------===//
// The packed bit stream
//===----------------------------------------------------------------------===//

/// Code of element `k` of a packed row: stream bits [bits·k, bits·k + bits),
/// stream bit i being bit (i mod 8) of byte (i div 8). `bits` in 1..8.
uint8_t unpackElement(const uint8_t *row, int64_t k, unsigned bits);
/// Writes the low `bits` bits of `code` as element `k` of a packed row,
/// leaving the other stream bits unchanged.
void packElement(uint8_t *row, int64_t k, unsigned bits, uint8_t code);
/// A `bits`-bit two's complement code as a signed integer.
int32_t signExtend(uint8_t code, unsigned bits);

/// Value of a code of a floating-point element (fp8, e2m1, nf4) before
/// scaling; for integer elements, the code as an integer (signed elements
/// sign-extended), also before the zero point and scale.
float decodeElement(QuantElement element, uint8_t code);

//===----------------------------------------------------------------------===//
// Dequantization and the activation modes (docs/formats.md §4–§5)
//===----------------------------------------------------------------------===//

/// The dense Ŵ[N, K] of a packed weight, computed in f32 exactly as
/// docs/formats.md states:
///   integers: ŵ = float(code − z) · s        (z = 0 when symmetric)
///   fp8, nf4, mxfp4: ŵ = decode(code) · s
///   nvfp4: ŵ = (decode(code) · s) · tensorScale
/// `packed` holds N rows of packedRowBytes(K, bits) bytes; `scales` (as f32)
/// and `zeroPoints` (unsigned codes; empty when symmetric) hold
/// scaleRows(N) × scaleColumns(K) entries, row-major; `tensorScale` is used
/// by nvfp4 only.
Matrix dequantize(const QuantSpec &spec, int64_t n, int64_t k,
                  const std::vector<uint8_t> &packed,
                  const std::vector<float> &scales,
                  const std::vector<uint8_t> &zeroPoints,
                  float tensorScale = 1.0f);

/// x̂, the activations `x` (one token per row) as the activation mode sees
/// them before the product; `actScale` is the static scale of
/// fp8_per_tensor. weight_only returns x unchanged.
Matrix quantizeActivations(ActQuantMode mode, const Matrix &x,
                           float actScale = 1.0f);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_QUANTFORMATS_H
