//===- QuantFormatsTest.cpp - element decoders, encoders, packing ---------===//
//
// Every decoder is checked over all of its codes, against hand-written
// anchors and against LLVM's APFloat semantics of the same format, an
// independent implementation; the encoders against APFloat's round to
// nearest even on many random values; dequantize on hand-computed cases.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/QuantFormats.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace linea::numerics;

namespace {

/// `code` decoded by APFloat in `semantics` (a `bits`-bit format), as f32.
float apDecode(const llvm::fltSemantics &semantics, unsigned bits,
               uint8_t code) {
  llvm::APFloat v(semantics, llvm::APInt(bits, code));
  bool losesInfo = false;
  v.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return v.convertToFloat();
}

/// The code APFloat rounds `value` to (nearest even) in `semantics`, after
/// saturating |value| to `maxFinite`, which is what the encoders promise.
uint8_t apEncode(const llvm::fltSemantics &semantics, float value,
                 float maxFinite) {
  float clamped = std::copysign(std::fmin(std::fabs(value), maxFinite), value);
  llvm::APFloat v(clamped);
  bool losesInfo = false;
  v.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return uint8_t(v.bitcastToAPInt().getZExtValue());
}

/// Expects two floats to be the same value (NaN matching NaN, −0 ≠ +0).
void expectSameFloat(float actual, float expected, unsigned code) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << "code 0x" << std::hex << code;
    return;
  }
  EXPECT_EQ(actual, expected) << "code 0x" << std::hex << code;
  EXPECT_EQ(std::signbit(actual), std::signbit(expected))
      << "code 0x" << std::hex << code;
}

/// Random floats spread over many binades, both signs.
std::vector<float> randomFloats(unsigned count, int minExp, int maxExp) {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
  std::uniform_int_distribution<int> exponent(minExp, maxExp);
  std::vector<float> values;
  for (unsigned i = 0; i < count; ++i) {
    float v = std::ldexp(mantissa(rng), exponent(rng));
    values.push_back(i % 2 ? -v : v);
  }
  return values;
}

} // namespace

//===----------------------------------------------------------------------===//
// Decoders over all codes
//===----------------------------------------------------------------------===//

TEST(QuantFormats, DecodeE2M1AllCodes) {
  const float grid[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
  for (unsigned code = 0; code < 16; ++code) {
    float expected = code & 8 ? -grid[code & 7] : grid[code & 7];
    expectSameFloat(decodeE2M1(uint8_t(code)), expected, code);
    expectSameFloat(decodeE2M1(uint8_t(code)),
                    apDecode(llvm::APFloat::Float4E2M1FN(), 4, code), code);
  }
}

TEST(QuantFormats, DecodeFp8E4M3AllCodes) {
  for (unsigned code = 0; code < 256; ++code)
    expectSameFloat(decodeFp8E4M3(uint8_t(code)),
                    apDecode(llvm::APFloat::Float8E4M3FN(), 8, code), code);
  EXPECT_EQ(decodeFp8E4M3(0x00), 0.0f);
  EXPECT_EQ(decodeFp8E4M3(0x01), std::ldexp(1.0f, -9)); // min subnormal
  EXPECT_EQ(decodeFp8E4M3(0x07), 7.0f * std::ldexp(1.0f, -9));
  EXPECT_EQ(decodeFp8E4M3(0x08), std::ldexp(1.0f, -6)); // min normal
  EXPECT_EQ(decodeFp8E4M3(0x38), 1.0f);
  EXPECT_EQ(decodeFp8E4M3(0x7E), 448.0f);
  EXPECT_EQ(decodeFp8E4M3(0xFE), -448.0f);
  EXPECT_EQ(decodeFp8E4M3(0x78), 256.0f); // exponent 15 is finite
  EXPECT_TRUE(std::isnan(decodeFp8E4M3(0x7F)));
  EXPECT_TRUE(std::isnan(decodeFp8E4M3(0xFF)));
  EXPECT_TRUE(std::signbit(decodeFp8E4M3(0x80)));
}

TEST(QuantFormats, DecodeFp8E5M2AllCodes) {
  for (unsigned code = 0; code < 256; ++code)
    expectSameFloat(decodeFp8E5M2(uint8_t(code)),
                    apDecode(llvm::APFloat::Float8E5M2(), 8, code), code);
  EXPECT_EQ(decodeFp8E5M2(0x01), std::ldexp(1.0f, -16));
  EXPECT_EQ(decodeFp8E5M2(0x04), std::ldexp(1.0f, -14));
  EXPECT_EQ(decodeFp8E5M2(0x3C), 1.0f);
  EXPECT_EQ(decodeFp8E5M2(0x7B), 57344.0f);
  EXPECT_EQ(decodeFp8E5M2(0x7C), INFINITY);
  EXPECT_EQ(decodeFp8E5M2(0xFC), -INFINITY);
  EXPECT_TRUE(std::isnan(decodeFp8E5M2(0x7D)));
  EXPECT_TRUE(std::isnan(decodeFp8E5M2(0x7F)));
}

TEST(QuantFormats, DecodeE8M0AllCodes) {
  for (unsigned code = 0; code < 256; ++code) {
    float expected = code == 0xFF ? NAN : std::ldexp(1.0f, int(code) - 127);
    expectSameFloat(decodeE8M0(uint8_t(code)), expected, code);
    // APFloat (LLVM 22) widens the E8M0 NaN 0xFF to +inf, so it is the
    // reference for the 255 finite codes only.
    if (code != 0xFF)
      expectSameFloat(decodeE8M0(uint8_t(code)),
                      apDecode(llvm::APFloat::Float8E8M0FNU(), 8, code), code);
  }
  EXPECT_EQ(decodeE8M0(127), 1.0f);
  EXPECT_EQ(decodeE8M0(254), std::ldexp(1.0f, 127));
  EXPECT_EQ(decodeE8M0(0), std::ldexp(1.0f, -127));
}

TEST(QuantFormats, NF4Codebook) {
  EXPECT_EQ(kNF4Codebook[0], -1.0f);
  EXPECT_EQ(kNF4Codebook[7], 0.0f);
  EXPECT_EQ(kNF4Codebook[15], 1.0f);
  EXPECT_EQ(kNF4Codebook[1], -0.6961928009986877f);
  EXPECT_EQ(kNF4Codebook[8], 0.07958029955625534f);
  for (unsigned i = 0; i + 1 < 16; ++i)
    EXPECT_LT(kNF4Codebook[i], kNF4Codebook[i + 1]);
  for (unsigned code = 0; code < 16; ++code)
    EXPECT_EQ(decodeNF4(uint8_t(code)), kNF4Codebook[code]);
}

//===----------------------------------------------------------------------===//
// Encoders
//===----------------------------------------------------------------------===//

TEST(QuantFormats, EncodersRoundTripEveryCode) {
  for (unsigned code = 0; code < 16; ++code)
    EXPECT_EQ(encodeE2M1(decodeE2M1(uint8_t(code))), code);
  for (unsigned code = 0; code < 256; ++code) {
    if ((code & 0x7F) != 0x7F)
      EXPECT_EQ(encodeFp8E4M3(decodeFp8E4M3(uint8_t(code))), code);
    if ((code & 0x7F) < 0x7C)
      EXPECT_EQ(encodeFp8E5M2(decodeFp8E5M2(uint8_t(code))), code);
    if (code != 0xFF)
      EXPECT_EQ(encodeE8M0(decodeE8M0(uint8_t(code))), code);
  }
  for (unsigned code = 0; code < 16; ++code)
    EXPECT_EQ(encodeNF4(kNF4Codebook[code]), code);
}

TEST(QuantFormats, EncodeE2M1RoundsToNearestEvenAndSaturates) {
  EXPECT_EQ(encodeE2M1(0.25f), 0x0); // tie 0 | 0.5 → 0 (even)
  EXPECT_EQ(encodeE2M1(0.26f), 0x1);
  EXPECT_EQ(encodeE2M1(0.75f), 0x2); // tie 0.5 | 1 → 1
  EXPECT_EQ(encodeE2M1(1.25f), 0x2); // tie 1 | 1.5 → 1
  EXPECT_EQ(encodeE2M1(1.75f), 0x4); // tie 1.5 | 2 → 2
  EXPECT_EQ(encodeE2M1(2.5f), 0x4);  // tie 2 | 3 → 2
  EXPECT_EQ(encodeE2M1(3.5f), 0x6);  // tie 3 | 4 → 4
  EXPECT_EQ(encodeE2M1(5.0f), 0x6);  // tie 4 | 6 → 4
  EXPECT_EQ(encodeE2M1(5.01f), 0x7);
  EXPECT_EQ(encodeE2M1(7.0f), 0x7); // saturates
  EXPECT_EQ(encodeE2M1(1e30f), 0x7);
  EXPECT_EQ(encodeE2M1(INFINITY), 0x7);
  EXPECT_EQ(encodeE2M1(-5.0f), 0xE);
  EXPECT_EQ(encodeE2M1(-100.0f), 0xF);
  EXPECT_EQ(encodeE2M1(-0.1f), 0x8); // −0 keeps its sign
  EXPECT_EQ(encodeE2M1(NAN), 0x0);
  for (float v : randomFloats(20000, -4, 4))
    EXPECT_EQ(encodeE2M1(v), apEncode(llvm::APFloat::Float4E2M1FN(), v, 6.0f))
        << v;
}

TEST(QuantFormats, EncodeFp8E4M3RoundsToNearestEvenAndSaturates) {
  EXPECT_EQ(encodeFp8E4M3(1.0f + 1.0f / 16), 0x38);      // tie → 1.0
  EXPECT_EQ(encodeFp8E4M3(1.0f + 3.0f / 16), 0x3A);      // tie → 1.25
  EXPECT_EQ(encodeFp8E4M3(std::ldexp(1.0f, -10)), 0x00); // tie 0 | 2^-9
  EXPECT_EQ(encodeFp8E4M3(std::ldexp(3.0f, -10)), 0x02); // tie → 2·2^-9
  EXPECT_EQ(encodeFp8E4M3(464.0f), 0x7E);                // saturates
  EXPECT_EQ(encodeFp8E4M3(1e9f), 0x7E);
  EXPECT_EQ(encodeFp8E4M3(INFINITY), 0x7E);
  EXPECT_EQ(encodeFp8E4M3(-INFINITY), 0xFE);
  EXPECT_EQ(encodeFp8E4M3(NAN), 0x7F);
  for (float v : randomFloats(50000, -14, 10))
    EXPECT_EQ(encodeFp8E4M3(v),
              apEncode(llvm::APFloat::Float8E4M3FN(), v, 448.0f))
        << v;
}

TEST(QuantFormats, EncodeFp8E5M2RoundsToNearestEvenAndSaturates) {
  EXPECT_EQ(encodeFp8E5M2(1.125f), 0x3C); // tie 1 | 1.25 → 1
  EXPECT_EQ(encodeFp8E5M2(1.375f), 0x3E); // tie 1.25 | 1.5 → 1.5
  EXPECT_EQ(encodeFp8E5M2(61440.0f), 0x7B);
  EXPECT_EQ(encodeFp8E5M2(INFINITY), 0x7B);
  EXPECT_EQ(encodeFp8E5M2(-1e30f), 0xFB);
  EXPECT_EQ(encodeFp8E5M2(NAN), 0x7E);
  for (float v : randomFloats(50000, -20, 17))
    EXPECT_EQ(encodeFp8E5M2(v),
              apEncode(llvm::APFloat::Float8E5M2(), v, 57344.0f))
        << v;
}

TEST(QuantFormats, EncodeE8M0RoundsDownToAPowerOfTwo) {
  EXPECT_EQ(encodeE8M0(1.0f), 127);
  EXPECT_EQ(encodeE8M0(3.0f), 128);  // 2^1
  EXPECT_EQ(encodeE8M0(0.75f), 126); // 2^-1
  EXPECT_EQ(encodeE8M0(-4.0f), 129); // sign ignored
  EXPECT_EQ(encodeE8M0(0.0f), 0);    // clamped to 2^-127
  EXPECT_EQ(encodeE8M0(std::ldexp(1.0f, -140)), 0);
  EXPECT_EQ(encodeE8M0(std::ldexp(1.5f, 127)), 254);
  EXPECT_EQ(encodeE8M0(INFINITY), 0xFF);
  EXPECT_EQ(encodeE8M0(NAN), 0xFF);
}

TEST(QuantFormats, EncodeNF4) {
  // Midpoint of levels 7 (0) and 8: ties go to the smaller magnitude.
  float mid = float((double(kNF4Codebook[7]) + double(kNF4Codebook[8])) / 2);
  EXPECT_EQ(encodeNF4(mid), 7);
  EXPECT_EQ(encodeNF4(std::nextafter(mid, 1.0f)), 8);
  // Levels 1 and 2 (−0.696…, −0.525…) meet at −0.6106….
  EXPECT_EQ(encodeNF4(-0.62f), 1);
  EXPECT_EQ(encodeNF4(-0.61f), 2);
  EXPECT_EQ(encodeNF4(2.0f), 15);
  EXPECT_EQ(encodeNF4(-2.0f), 0);
  EXPECT_EQ(encodeNF4(NAN), 7);
}

//===----------------------------------------------------------------------===//
// Packing
//===----------------------------------------------------------------------===//

TEST(QuantFormats, PackedRowBytes) {
  EXPECT_EQ(packedRowBytes(8, 4), 4);
  EXPECT_EQ(packedRowBytes(5, 4), 3);
  EXPECT_EQ(packedRowBytes(4, 6), 3);
  EXPECT_EQ(packedRowBytes(5, 6), 4);
  EXPECT_EQ(packedRowBytes(3, 8), 3);
}

TEST(QuantFormats, FourBitElementsLowNibbleFirst) {
  std::vector<uint8_t> row(4, 0);
  for (unsigned k = 0; k < 8; ++k)
    packElement(row.data(), k, 4, uint8_t(k + 1));
  EXPECT_EQ(row, (std::vector<uint8_t>{0x21, 0x43, 0x65, 0x87}));
  for (unsigned k = 0; k < 8; ++k)
    EXPECT_EQ(unpackElement(row.data(), k, 4), k + 1);
}

TEST(QuantFormats, SixBitElementsFourInThreeBytes) {
  // a = 0b111111, b = 0b000001, c = 0b010101, d = 0b101010; stream
  // bits LSB first: byte0 = a | b[1:0]<<6, byte1 = b[5:2] | c[3:0]<<4,
  // byte2 = c[5:4] | d<<2.
  std::vector<uint8_t> row(3, 0);
  const uint8_t codes[4] = {0x3F, 0x01, 0x15, 0x2A};
  for (unsigned k = 0; k < 4; ++k)
    packElement(row.data(), k, 6, codes[k]);
  EXPECT_EQ(row, (std::vector<uint8_t>{0x7F, 0x50, 0xA9}));
  for (unsigned k = 0; k < 4; ++k)
    EXPECT_EQ(unpackElement(row.data(), k, 6), codes[k]);
  EXPECT_EQ(signExtend(0x3F, 6), -1);
  EXPECT_EQ(signExtend(0x20, 6), -32);
  EXPECT_EQ(signExtend(0x1F, 6), 31);
}

TEST(QuantFormats, PackingRoundTripsForEveryWidth) {
  std::mt19937 rng(7);
  for (unsigned bits = 1; bits <= 8; ++bits) {
    const int64_t k = 37; // not a multiple of any byte boundary
    std::vector<uint8_t> row(size_t(packedRowBytes(k, bits)), 0);
    std::vector<uint8_t> codes;
    for (int64_t i = 0; i < k; ++i) {
      codes.push_back(uint8_t(rng() & ((1u << bits) - 1)));
      packElement(row.data(), i, bits, uint8_t(codes.back() | ~0u << bits));
    }
    for (int64_t i = 0; i < k; ++i)
      EXPECT_EQ(unpackElement(row.data(), i, bits), codes[size_t(i)]);
    // Unused high bits of the last byte stay zero.
    unsigned used = unsigned(k * bits % 8);
    if (used)
      EXPECT_EQ(row.back() >> used, 0) << "bits " << bits;
    // Overwriting an element leaves its neighbours alone.
    packElement(row.data(), 5, bits, 0);
    EXPECT_EQ(unpackElement(row.data(), 4, bits), codes[4]);
    EXPECT_EQ(unpackElement(row.data(), 6, bits), codes[6]);
  }
}

//===----------------------------------------------------------------------===//
// Dequantization, one hand-computed case per element kind
//===----------------------------------------------------------------------===//

namespace {
QuantSpec spec(QuantElement element, ScaleGranularity granularity,
               int64_t groupSize = 0, bool symmetric = true) {
  QuantSpec s;
  s.element = element;
  s.granularity = granularity;
  s.groupSize = groupSize;
  s.symmetric = symmetric;
  return s;
}

void expectMatrix(const Matrix &m, int64_t rows, int64_t cols,
                  const std::vector<float> &expected) {
  ASSERT_EQ(m.rows, rows);
  ASSERT_EQ(m.cols, cols);
  ASSERT_EQ(m.data.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(m.data[i], expected[i]) << "element " << i;
}
} // namespace

TEST(QuantFormats, DequantizeInt8PerChannel) {
  // Codes [[1, -2, 3, -128], [127, 0, -1, 5]], scales [0.5, 0.25].
  Matrix w = dequantize(spec(QuantElement::int8, ScaleGranularity::channel), 2,
                        4, {0x01, 0xFE, 0x03, 0x80, 0x7F, 0x00, 0xFF, 0x05},
                        {0.5f, 0.25f}, {});
  expectMatrix(w, 2, 4, {0.5f, -1, 1.5f, -64, 31.75f, 0, -0.25f, 1.25f});
}

TEST(QuantFormats, DequantizeUInt4GroupAsymmetricPartialGroup) {
  // K = 5, G = 2: groups {0,1}, {2,3}, {4} (partial); 3 bytes per row, the
  // high nibble of byte 2 unused. Row 0 codes [3, 10, 15, 0, 7], row 1
  // [8, 8, 1, 2, 15]. Scales [[1, .5, 2], [.25, 1, 4]], zero points
  // [[8, 0, 5], [4, 1, 12]].
  Matrix w =
      dequantize(spec(QuantElement::uint4, ScaleGranularity::group, 2, false),
                 2, 5, {0xA3, 0x0F, 0x07, 0x88, 0x21, 0x0F},
                 {1, 0.5f, 2, 0.25f, 1, 4}, {8, 0, 5, 4, 1, 12});
  // ŵ = (q − z) · s.
  expectMatrix(w, 2, 5, {-5, 2, 7.5f, 0, 4, 1, 1, 0, 1, 12});
}

TEST(QuantFormats, DequantizeInt4PerTensor) {
  // Codes [1, -1, 7, -8] (0x1, 0xF, 0x7, 0x8), one scale 0.5.
  Matrix w = dequantize(spec(QuantElement::int4, ScaleGranularity::tensor), 1,
                        4, {0xF1, 0x87}, {0.5f}, {});
  expectMatrix(w, 1, 4, {0.5f, -0.5f, 3.5f, -4});
}

TEST(QuantFormats, DequantizeInt6PerChannel) {
  // The bytes of SixBitElementsFourInThreeBytes: codes [-1, 1, 21, -22].
  Matrix w = dequantize(spec(QuantElement::int6, ScaleGranularity::channel), 1,
                        4, {0x7F, 0x50, 0xA9}, {2.0f}, {});
  expectMatrix(w, 1, 4, {-2, 2, 42, -44});
}

TEST(QuantFormats, DequantizeFp8) {
  // e4m3 per tensor, scale 2: [1, -2, 448, 2^-9] · 2.
  Matrix a = dequantize(spec(QuantElement::fp8_e4m3, ScaleGranularity::tensor),
                        1, 4, {0x38, 0xC0, 0x7E, 0x01}, {2.0f}, {});
  expectMatrix(a, 1, 4, {2, -4, 896, std::ldexp(1.0f, -8)});
  // e5m2 per channel, scales [1, 0.5]: [1, 57344 | 1.5, -inf·.5].
  Matrix b = dequantize(spec(QuantElement::fp8_e5m2, ScaleGranularity::channel),
                        2, 2, {0x3C, 0x7B, 0x3E, 0xFC}, {1.0f, 0.5f}, {});
  expectMatrix(b, 2, 2, {1, 57344, 0.75f, -INFINITY});
}

TEST(QuantFormats, DequantizeMxfp4) {
  // K = 34, group 32: columns 0..31 use scale 2^(128−127) = 2, columns
  // 32, 33 the partial second group with 2^(125−127) = 0.25. Element k has
  // e2m1 code k mod 16.
  const int64_t k = 34;
  std::vector<uint8_t> packed(size_t(packedRowBytes(k, 4)), 0);
  for (int64_t i = 0; i < k; ++i)
    packElement(packed.data(), i, 4, uint8_t(i % 16));
  QuantSpec s = spec(QuantElement::mxfp4, ScaleGranularity::group, 32);
  s.scale = ScaleEncoding::e8m0;
  Matrix w =
      dequantize(s, 1, k, packed, {decodeE8M0(128), decodeE8M0(125)}, {});
  for (int64_t i = 0; i < 32; ++i)
    EXPECT_EQ(w.at(0, i), 2.0f * decodeE2M1(uint8_t(i % 16))) << i;
  EXPECT_EQ(w.at(0, 32), 0.0f);
  EXPECT_EQ(w.at(0, 33), 0.125f); // 0.5 · 0.25
  EXPECT_EQ(w.at(0, 15), -12.0f); // −6 · 2
}

TEST(QuantFormats, DequantizeNvfp4WithTensorScale) {
  // Group 16 scales (e4m3 values 1.5, 0.75), tensor scale 0.5:
  // ŵ = (e2m1 · s) · 0.5.
  std::vector<uint8_t> packed(10, 0);     // K = 20
  packElement(packed.data(), 0, 4, 0x7);  // 6
  packElement(packed.data(), 1, 4, 0xB);  // -1.5
  packElement(packed.data(), 16, 4, 0x3); // 1.5
  packElement(packed.data(), 19, 4, 0xC); // -2
  QuantSpec s = spec(QuantElement::nvfp4, ScaleGranularity::group, 16);
  s.scale = ScaleEncoding::e4m3;
  Matrix w = dequantize(s, 1, 20, packed, {1.5f, 0.75f}, {}, 0.5f);
  EXPECT_EQ(w.at(0, 0), 4.5f);    // 6 · 1.5 · .5
  EXPECT_EQ(w.at(0, 1), -1.125f); // −1.5 · 1.5 · .5
  EXPECT_EQ(w.at(0, 2), 0.0f);
  EXPECT_EQ(w.at(0, 16), 0.5625f); // 1.5 · .75 · .5
  EXPECT_EQ(w.at(0, 19), -0.75f);  // −2 · .75 · .5
}

TEST(QuantFormats, DequantizeNf4) {
  // Codes [0, 7, 15, 1], group 64 (one partial group), scale 2.
  Matrix w = dequantize(spec(QuantElement::nf4, ScaleGranularity::group, 64), 1,
                        4, {0x70, 0x1F}, {2.0f}, {});
  expectMatrix(w, 1, 4, {-2, 0, 2, 2 * kNF4Codebook[1]});
}

//===----------------------------------------------------------------------===//
// Activation modes
//===----------------------------------------------------------------------===//

TEST(QuantFormats, ActivationModes) {
  Matrix x(3, 4);
  x.data = {127, -63.5f, 0.25f, 0, // s = 1: −63.5 ties to −64
            254, 1,      3,     -1, // s = 2: 0.5 → 0, 1.5 → 2, −0.5 → −0
            0,   0,      0,     0}; // zero row: s = 1
  Matrix w8 = quantizeActivations(ActQuantMode::dynamic_int8_per_token, x);
  expectMatrix(w8, 3, 4, {127, -64, 0, 0, 254, 0, 4, -0.0f, 0, 0, 0, 0});

  Matrix y(1, 3);
  y.data = {3, 1000, 0.1f};
  // a = 2: 1.5 exact; 500 saturates to 448; 0.05 → 13·2^-8.
  Matrix t = quantizeActivations(ActQuantMode::fp8_per_tensor, y, 2.0f);
  expectMatrix(t, 1, 3, {3, 896, 0.1015625f});

  Matrix z(1, 3);
  z.data = {448, 1, -0.3f}; // s = 1; −0.3 → −10·2^-5
  Matrix p = quantizeActivations(ActQuantMode::fp8_per_token, z);
  expectMatrix(p, 1, 3, {448, 1, -0.3125f});

  EXPECT_EQ(quantizeActivations(ActQuantMode::weight_only, y).data, y.data);
}
