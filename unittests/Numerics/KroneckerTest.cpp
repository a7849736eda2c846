//===- KroneckerTest.cpp - nearest sums of Kronecker products -------------===//

#include "linea/Numerics/Kronecker.h"

#include "TestMatrices.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace linea::numerics;
using linea::numerics::testing::gaussian;

namespace {

/// Σ_t a_t ⊗ b_t from random factors, written out element by element
/// (independently of kroneckerSumDense).
Matrix randomKroneckerSum(const KroneckerShape &s, int64_t terms,
                          unsigned seed) {
  Matrix a = gaussian(terms, s.n1 * s.k1, seed);
  Matrix b = gaussian(terms, s.n2 * s.k2, seed + 1);
  Matrix w(s.n1 * s.n2, s.k1 * s.k2);
  for (int64_t row = 0; row < w.rows; ++row)
    for (int64_t col = 0; col < w.cols; ++col) {
      int64_t i1 = row / s.n2, i2 = row % s.n2;
      int64_t j1 = col / s.k2, j2 = col % s.k2;
      double sum = 0;
      for (int64_t t = 0; t < terms; ++t)
        sum += double(a.at(t, i1 * s.k1 + j1)) * b.at(t, i2 * s.k2 + j2);
      w.at(row, col) = float(sum);
    }
  return w;
}

} // namespace

TEST(Kronecker, NearestDivisor) {
  EXPECT_EQ(nearestDivisor(64, 8.0), 8);
  EXPECT_EQ(nearestDivisor(12, std::sqrt(12.0)),
            3); // 3 and 4: 3.46 is nearer 3
  EXPECT_EQ(nearestDivisor(13, std::sqrt(13.0)), 1); // a prime: only 1 and 13
  EXPECT_EQ(nearestDivisor(6, 2.5), 2);              // tie 2/3 → smaller
  KroneckerShape s = defaultKroneckerShape(4096, 768);
  EXPECT_EQ(s.n1, 64);
  EXPECT_EQ(s.k1, 24); // 768 = 24·32, √768 ≈ 27.7
  EXPECT_EQ(s.n2, 64);
  EXPECT_EQ(s.k2, 32);
}

TEST(Kronecker, RearrangementMapsKroneckerToRankOne) {
  KroneckerShape s{2, 3, 4, 5};
  Matrix w = randomKroneckerSum(s, 1, 7);
  Matrix r = kroneckerRearrange(w, s.n1, s.k1);
  ASSERT_EQ(r.rows, 6);
  ASSERT_EQ(r.cols, 20);
  EXPECT_NEAR(squaredFrobeniusNorm(r), squaredFrobeniusNorm(w), 1e-3);
  std::vector<double> sigma = singularValues(r);
  EXPECT_LT(sigma[1], 1e-5 * sigma[0]);
  // Element check of the documented index formula.
  EXPECT_EQ(r.at(1 * 3 + 2, 3 * 5 + 4), w.at(1 * 4 + 3, 2 * 5 + 4));
}

TEST(Kronecker, RecoversExactSum) {
  KroneckerShape s{4, 6, 8, 5};
  const int64_t terms = 3;
  Matrix w = randomKroneckerSum(s, terms, 11);
  KroneckerSum sum = nearestKroneckerSum(w, s, terms);
  ASSERT_EQ(sum.a.size(), size_t(terms * 4 * 6));
  ASSERT_EQ(sum.b.size(), size_t(terms * 8 * 5));
  EXPECT_LT(relativeFrobeniusError(kroneckerSumDense(sum), w), 1e-5);
  EXPECT_EQ(kroneckerParams(s, terms), terms * (24 + 40));
}

TEST(Kronecker, ErrorIsTailOfRearrangedSpectrum) {
  Matrix w = gaussian(24, 30, 3);
  KroneckerShape s = defaultKroneckerShape(24, 30);
  EXPECT_EQ(s.n1, 4); // divisors of 24 nearest 4.9: 4 (and 6 is 1.1 away)
  EXPECT_EQ(s.k1, 5);
  std::vector<double> sigma = singularValues(kroneckerRearrange(w, s.n1, s.k1));
  double norm = std::sqrt(squaredFrobeniusNorm(w));
  double previous = 2.0;
  for (int64_t terms : {1, 2, 5, 10}) {
    Matrix approx = kroneckerSumDense(nearestKroneckerSum(w, s, terms));
    double error = relativeFrobeniusError(approx, w);
    EXPECT_NEAR(error, tailNorm(sigma, terms) / norm, 1e-5) << terms;
    EXPECT_LT(error, previous);
    previous = error;
  }
}

TEST(Kronecker, LargeMatrixUsesSketchAccurately) {
  // 1024×1024 with 64×32 factors: R(W) is 2048×512, the sketch path.
  KroneckerShape s{64, 32, 16, 32};
  Matrix w = randomKroneckerSum(s, 2, 5);
  ASSERT_TRUE(preferRandomizedSvd(2048, 512, 2));
  KroneckerSum sum = nearestKroneckerSum(w, s, 2);
  EXPECT_LT(relativeFrobeniusError(kroneckerSumDense(sum), w), 1e-5);
}
