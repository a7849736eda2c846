//===- EquivalenceTest.cpp - smoothing scales and Hadamard rotations ------===//

#include "linea/Numerics/Equivalence.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace linea::numerics;

/// Sylvester's H[i, j] = (−1)^popcount(i & j), written out independently of
/// the butterfly in rotateColumnsHadamard.
static double sylvester(int64_t i, int64_t j) {
  return __builtin_popcountll(static_cast<uint64_t>(i & j)) % 2 ? -1.0 : 1.0;
}

TEST(Equivalence, RotationIsTheBlockedHadamardProduct) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  const int64_t n = 3, k = 24, b = 8;
  Matrix w(n, k);
  for (float &v : w.data)
    v = normal(rng);
  Matrix rotated = w;
  rotateColumnsHadamard(rotated, b);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c) {
      int64_t block = c / b * b;
      double expected = 0;
      for (int64_t j = 0; j < b; ++j)
        expected += w.at(r, block + j) * sylvester(j, c - block);
      EXPECT_NEAR(rotated.at(r, c), expected / std::sqrt(double(b)), 1e-5);
    }
  // Normalized H is its own inverse.
  rotateColumnsHadamard(rotated, b);
  for (size_t i = 0; i < w.data.size(); ++i)
    EXPECT_NEAR(rotated.data[i], w.data[i], 1e-5);
}

TEST(Equivalence, SmoothingScales) {
  // α = 0.5: √(4/1) = 2, √(1/4) = 0.5; zero activation or weight → 1;
  // a tiny ratio clamps to 1e-5.
  std::vector<float> s = smoothingScales({4.0f, 1.0f, 0.0f, 3.0f, 1e-12f},
                                         {1.0f, 4.0f, 2.0f, 0.0f, 1e3f}, 0.5);
  EXPECT_FLOAT_EQ(s[0], 2.0f);
  EXPECT_FLOAT_EQ(s[1], 0.5f);
  EXPECT_FLOAT_EQ(s[2], 1.0f);
  EXPECT_FLOAT_EQ(s[3], 1.0f);
  EXPECT_FLOAT_EQ(s[4], 1e-5f);
  // α = 1: s is the activation range alone.
  EXPECT_FLOAT_EQ(smoothingScales({8.0f}, {0.5f}, 1.0)[0], 8.0f);
}

TEST(Equivalence, ColumnScalesAndMaxima) {
  Matrix w(2, 2);
  w.data = {1.0f, -3.0f, -2.0f, 0.5f};
  EXPECT_EQ(columnAbsMax(w), (std::vector<float>{2.0f, 3.0f}));
  scaleColumns(w, {2.0f, 0.5f});
  EXPECT_EQ(w.data, (std::vector<float>{2.0f, -1.5f, -4.0f, 0.25f}));
}

TEST(Equivalence, DefaultBlock) {
  EXPECT_EQ(largestPowerOfTwoBlock(4096, 128), 128);
  EXPECT_EQ(largestPowerOfTwoBlock(96, 128), 32);
  EXPECT_EQ(largestPowerOfTwoBlock(688, 128), 16);
  EXPECT_EQ(largestPowerOfTwoBlock(7, 128), 1);
}
