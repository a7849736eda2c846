//===- Quantize.h - float weights to packed quantized formats ---*- C++ -*-===//
//
// The producer side of QuantFormats.h: round-to-nearest quantization of a
// float W[N, K] into the packed codes, scales and zero points that
// `linea.quant_linear` stores (docs/formats.md §7). The block-level pieces
// (choosing a block's scale, encoding one value) are public so that
// calibrated quantizers (GPTQ, SINQ) pick scales and codes the same way.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_QUANTIZE_H
#define LINEA_NUMERICS_QUANTIZE_H

#include "linea/Numerics/QuantFormats.h"

namespace linea::numerics {

/// A packed quantized weight, laid out as `linea.quant_linear` stores it.
struct QuantizedWeight {
  QuantSpec spec;
  int64_t n = 0, k = 0;
  /// n rows of packedRowBytes(k, bits) bytes.
  std::vector<uint8_t> packed;
  /// scaleRows(n) × scaleColumns(k) scales, row-major, as f32 values that
  /// the scale encoding represents exactly.
  std::vector<float> scales;
  /// Unsigned zero-point codes, same shape as scales; empty if symmetric.
  std::vector<uint8_t> zeroPoints;
  /// nvfp4's per-tensor f32 scale (1 for the other elements).
  float tensorScale = 1.0f;

  /// Index into scales / zeroPoints of weight (r, c).
  int64_t scaleIndex(int64_t r, int64_t c) const;
  /// Ŵ, through the reference dequantize().
  Matrix dequantize() const;
};

/// A block's quantization parameters: its scale (as stored, exactly
/// representable) and its zero point (asymmetric elements only).
struct BlockQuant {
  float scale = 1.0f;
  uint8_t zeroPoint = 0;
};

/// Rounds a nonnegative scale to the nearest value of `encoding` (ties to
/// even; e8m0 rounds down to a power of two) and returns it as f32.
float roundScale(ScaleEncoding encoding, float scale);

/// nvfp4's tensor scale for a weight whose largest magnitude is `amax`:
/// amax / (448 · 6), so that block scales use e4m3's whole range.
float nvfp4TensorScale(float amax);

/// The round-to-nearest parameters of a block whose values lie in [lo, hi]
/// (lo ≤ 0 ≤ hi after widening to include 0):
///   symmetric integers s = amax / qmax; asymmetric s = (hi − lo) / (2^b − 1),
///   z = clamp(round(−lo / s)); fp8 s = amax / 448 (e4m3) or / 57344 (e5m2);
///   nf4 s = amax; mxfp4 s = 2^(floor(log2 amax) − 2); nvfp4
///   s = e4m3(amax / 6 / tensorScale).
/// A zero block gets s = 1 (asymmetric: 1 / (2^b − 1); nvfp4: 0, whose codes
/// then all decode to 0).
BlockQuant chooseBlockQuant(const QuantSpec &spec, float lo, float hi,
                            float tensorScale = 1.0f);

/// The code of `value` in a block with parameters `block`: round to nearest
/// even, saturating to the element's range.
uint8_t encodeWeight(const QuantSpec &spec, float value, BlockQuant block,
                     float tensorScale = 1.0f);

/// The value `code` dequantizes to, exactly as dequantize() computes it.
float decodeWeight(const QuantSpec &spec, uint8_t code, BlockQuant block,
                   float tensorScale = 1.0f);

/// An empty (all-zero) QuantizedWeight of shape [n, k] for `spec`, with the
/// scale and zero-point arrays sized.
QuantizedWeight makeQuantizedWeight(const QuantSpec &spec, int64_t n,
                                    int64_t k);

/// Round-to-nearest quantization of `w` with one chooseBlockQuant per
/// scale block (the whole matrix, a row, or a group of a row; a partial last
/// group is quantized on its own, which is the format's padding rule).
QuantizedWeight quantizeWeight(const QuantSpec &spec, const Matrix &w);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_QUANTIZE_H
