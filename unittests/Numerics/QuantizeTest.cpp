//===- QuantizeTest.cpp - round-to-nearest weight quantization ------------===//
//
// For every format: each weight's code is the nearest level of its block's
// grid (checked against every code of the element), the block scales follow
// the stated rules, and the round-trip error stays under a per-format bound
// on Gaussian and heavy-tailed weights. Bit-exactness against the
// independent numpy producer is tested in python/tests/test_quantize_pass.py.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Quantize.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace linea::numerics;

namespace {

QuantSpec makeSpec(QuantElement element, ScaleGranularity granularity,
                   int64_t group = 0, ScaleEncoding scale = ScaleEncoding::f32) {
  QuantSpec spec;
  spec.element = element;
  spec.granularity = granularity;
  spec.groupSize = group;
  spec.symmetric =
      element != QuantElement::uint8 && element != QuantElement::uint4;
  spec.scale = scale;
  return spec;
}

/// Gaussian weights, or Student-t with 2 degrees of freedom (heavy tails).
Matrix randomWeights(int64_t n, int64_t k, bool heavyTailed, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::student_t_distribution<float> t(2.0f);
  Matrix w(n, k);
  for (float &v : w.data)
    v = heavyTailed ? 0.02f * t(rng) : normal(rng);
  return w;
}

struct FormatCase {
  const char *name;
  QuantSpec spec;
  double gaussianBound; ///< max ‖W − Ŵ‖_F / ‖W‖_F on Gaussian weights
};

std::vector<FormatCase> allFormats() {
  using E = QuantElement;
  using G = ScaleGranularity;
  return {
      {"int8_channel", makeSpec(E::int8, G::channel), 0.01},
      {"int8_tensor_bf16", makeSpec(E::int8, G::tensor, 0, ScaleEncoding::bf16),
       0.015},
      {"int6_channel", makeSpec(E::int6, G::channel), 0.04},
      {"int4_g32", makeSpec(E::int4, G::group, 32), 0.13},
      {"uint4_g128_f16", makeSpec(E::uint4, G::group, 128, ScaleEncoding::f16),
       0.12},
      {"uint8_channel", makeSpec(E::uint8, G::channel), 0.008},
      {"fp8_e4m3_channel", makeSpec(E::fp8_e4m3, G::channel), 0.03},
      {"fp8_e5m2_tensor", makeSpec(E::fp8_e5m2, G::tensor), 0.06},
      {"mxfp4", makeSpec(E::mxfp4, G::group, 32, ScaleEncoding::e8m0), 0.2},
      {"nvfp4", makeSpec(E::nvfp4, G::group, 16, ScaleEncoding::e4m3), 0.13},
      {"nf4_g64", makeSpec(E::nf4, G::group, 64), 0.11},
  };
}

/// Checks that every code of `q` is a nearest level of its block's grid.
void expectNearestCodes(const QuantizedWeight &q, const Matrix &w) {
  unsigned bits = elementBits(q.spec.element);
  int64_t rowBytes = packedRowBytes(q.k, bits);
  for (int64_t r = 0; r < q.n; ++r)
    for (int64_t c = 0; c < q.k; ++c) {
      auto i = size_t(q.scaleIndex(r, c));
      BlockQuant block{q.scales[i], q.spec.symmetric ? uint8_t(0)
                                                     : q.zeroPoints[i]};
      uint8_t code = unpackElement(q.packed.data() + r * rowBytes, c, bits);
      float chosen = decodeWeight(q.spec, code, block, q.tensorScale);
      float err = std::fabs(chosen - w.at(r, c));
      for (unsigned other = 0; other < (1u << bits); ++other) {
        float level = decodeWeight(q.spec, uint8_t(other), block, q.tensorScale);
        if (std::isnan(level))
          continue;
        ASSERT_LE(err, std::fabs(level - w.at(r, c)) * (1 + 1e-6) + 1e-30)
            << "w[" << r << ", " << c << "] = " << w.at(r, c) << " got "
            << chosen << " but code " << other << " gives " << level;
      }
    }
}

TEST(Quantize, CodesAreNearestAndErrorIsBounded) {
  for (const FormatCase &f : allFormats())
    for (bool heavy : {false, true}) {
      SCOPED_TRACE(std::string(f.name) + (heavy ? " heavy" : " gaussian"));
      // K = 200 leaves a partial last group for every group size used.
      Matrix w = randomWeights(24, 200, heavy, 7);
      QuantizedWeight q = quantizeWeight(f.spec, w);
      expectNearestCodes(q, w);
      double error = relativeFrobeniusError(q.dequantize(), w);
      // Heavy tails stretch per-tensor and per-channel scales; groups cope.
      EXPECT_LT(error, heavy ? 4 * f.gaussianBound : f.gaussianBound);
    }
}

TEST(Quantize, ScalesFollowTheRules) {
  Matrix w(2, 40);
  for (int64_t c = 0; c < 40; ++c) {
    w.at(0, c) = 0.01f * float(c - 10); // [-0.1, 0.29]
    w.at(1, c) = c < 32 ? 0.0f : -3.0f; // zero first group, then -3
  }
  QuantizedWeight i8 =
      quantizeWeight(makeSpec(QuantElement::int8, ScaleGranularity::channel), w);
  EXPECT_FLOAT_EQ(i8.scales[0], 0.29f / 127.0f);
  EXPECT_FLOAT_EQ(i8.scales[1], 3.0f / 127.0f);

  QuantizedWeight u4 = quantizeWeight(
      makeSpec(QuantElement::uint4, ScaleGranularity::group, 32), w);
  EXPECT_FLOAT_EQ(u4.scales[0], (0.21f + 0.1f) / 15.0f); // first 32: [-0.1, 0.21]
  EXPECT_EQ(u4.zeroPoints[0], uint8_t(std::nearbyint(0.1f / u4.scales[0])));
  EXPECT_FLOAT_EQ(u4.scales[2], 1.0f / 15.0f); // an all-zero group: width 1
  EXPECT_EQ(u4.zeroPoints[2], 0);
  EXPECT_FLOAT_EQ(u4.scales[3], 3.0f / 15.0f); // partial group: [-3, 0]
  EXPECT_EQ(u4.zeroPoints[3], 15);

  QuantizedWeight mx = quantizeWeight(
      makeSpec(QuantElement::mxfp4, ScaleGranularity::group, 32,
               ScaleEncoding::e8m0),
      w);
  EXPECT_EQ(mx.scales[0], std::ldexp(1.0f, -5)); // amax 0.21 → 2^(−3 − 2)
  EXPECT_EQ(mx.scales[3], 0.5f);                // amax 3 → 2^(1 − 2)

  QuantizedWeight nv = quantizeWeight(
      makeSpec(QuantElement::nvfp4, ScaleGranularity::group, 16,
               ScaleEncoding::e4m3),
      w);
  EXPECT_FLOAT_EQ(nv.tensorScale, 3.0f / (448 * 6));
  EXPECT_EQ(nv.scales[nv.scaleIndex(1, 0)], 0.0f); // zero block
  EXPECT_EQ(nv.scales[nv.scaleIndex(1, 32)], 448.0f);
}

TEST(Quantize, ScaleRoundingMatchesAPFloat) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> exponent(-20.0f, 10.0f);
  for (int i = 0; i < 2000; ++i) {
    float s = std::exp2(exponent(rng));
    for (auto [encoding, semantics] :
         {std::pair{ScaleEncoding::f16, &llvm::APFloat::IEEEhalf()},
          std::pair{ScaleEncoding::bf16, &llvm::APFloat::BFloat()}}) {
      llvm::APFloat v(s);
      bool losesInfo = false;
      v.convert(*semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      v.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
                &losesInfo);
      EXPECT_EQ(roundScale(encoding, s), v.convertToFloat()) << s;
    }
    // e8m0 rounds down to a power of two.
    float p = roundScale(ScaleEncoding::e8m0, s);
    EXPECT_LE(p, s);
    EXPECT_GT(2 * p, s);
  }
}

TEST(Quantize, SymmetricIntegersUseTheNegativeEndOnlyAfterScaleRounding) {
  // With f32 scales the codes stay in [−qmax, qmax]: amax maps to ±qmax.
  Matrix w(1, 4);
  w.data = {-1.0f, 1.0f, 0.5f, -0.25f};
  QuantizedWeight q =
      quantizeWeight(makeSpec(QuantElement::int4, ScaleGranularity::channel), w);
  EXPECT_EQ(signExtend(unpackElement(q.packed.data(), 0, 4), 4), -7);
  EXPECT_EQ(signExtend(unpackElement(q.packed.data(), 1, 4), 4), 7);
}

} // namespace
