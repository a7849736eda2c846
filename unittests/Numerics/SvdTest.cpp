//===- SvdTest.cpp - exact and randomized SVD, rank selection -------------===//

#include "TestMatrices.h"

#include <gtest/gtest.h>
#include <cmath>

using namespace linea::numerics;
using namespace linea::numerics::testing;

namespace {

/// max |QᵀQ − I| over the columns of q.
double orthonormalityDefect(const Matrix &q) {
  double worst = 0.0;
  for (int64_t i = 0; i < q.cols; ++i)
    for (int64_t j = 0; j < q.cols; ++j) {
      double dot = 0.0;
      for (int64_t r = 0; r < q.rows; ++r)
        dot += double(q.at(r, i)) * q.at(r, j);
      worst = std::max(worst, std::abs(dot - (i == j ? 1.0 : 0.0)));
    }
  return worst;
}

/// ‖a − b‖_F.
double frobeniusDistance(const Matrix &a, const Matrix &b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    double d = double(a.data[i]) - b.data[i];
    sum += d * d;
  }
  return std::sqrt(sum);
}

} // namespace

TEST(Svd, ExactReconstructsAndIsOrthonormal) {
  for (auto [m, n] : {std::pair<int64_t, int64_t>{30, 20}, {20, 30}}) {
    Matrix a = gaussian(m, n, 1);
    Svd svd = exactSvd(a);
    ASSERT_EQ(svd.rank(), 20);
    EXPECT_LT(relativeFrobeniusError(reconstruct(svd), a), 1e-6);
    EXPECT_LT(orthonormalityDefect(svd.u), 1e-5);
    EXPECT_LT(orthonormalityDefect(svd.v), 1e-5);
    for (size_t i = 1; i < svd.sigma.size(); ++i)
      EXPECT_GE(svd.sigma[i - 1], svd.sigma[i]);
    std::vector<double> values = singularValues(a);
    ASSERT_EQ(values.size(), svd.sigma.size());
    for (size_t i = 0; i < values.size(); ++i)
      EXPECT_NEAR(values[i], svd.sigma[i], 1e-9 * values[0]);
  }
}

TEST(Svd, KnownSpectrumIsRecovered) {
  std::vector<double> sigma = {10, 5, 2, 1, 0.5};
  Matrix a = withSpectrum(40, 25, sigma, 7);
  std::vector<double> values = singularValues(a);
  for (size_t i = 0; i < sigma.size(); ++i)
    EXPECT_NEAR(values[i], sigma[i], 1e-5);
  EXPECT_LT(values[sigma.size()], 1e-5); // rank 5
}

// Eckart–Young: the best rank-r error is the norm of the discarded values.
TEST(Svd, TruncationErrorIsTailNorm) {
  Matrix a = gaussian(50, 35, 2);
  Svd full = exactSvd(a);
  for (int64_t r : {1, 5, 17, 34}) {
    Svd svd = truncatedSvd(a, r);
    ASSERT_EQ(svd.rank(), r);
    double error = frobeniusDistance(reconstruct(svd), a);
    EXPECT_NEAR(error, tailNorm(full.sigma, r), 1e-5 * full.sigma[0]) << r;
  }
  EXPECT_DOUBLE_EQ(tailNorm({3, 4}, 0), 5.0);
  EXPECT_DOUBLE_EQ(tailNorm({3, 4}, 2), 0.0);
}

TEST(Svd, GramTruncatedMatchesExact) {
  for (auto [m, n] : {std::pair<int64_t, int64_t>{64, 48}, {24, 64}}) {
    Matrix a = gaussian(m, n, 3);
    Svd exact = exactSvd(a);
    for (int64_t r : {1, 4, 24}) {
      Svd gram = gramTruncatedSvd(a, r);
      ASSERT_EQ(gram.rank(), r);
      EXPECT_EQ(gram.u.rows, m);
      EXPECT_EQ(gram.v.rows, n);
      for (int64_t i = 0; i < r; ++i)
        EXPECT_NEAR(gram.sigma[i], exact.sigma[i], 1e-9 * exact.sigma[0]);
      EXPECT_LT(orthonormalityDefect(gram.u), 1e-5);
      EXPECT_LT(orthonormalityDefect(gram.v), 1e-5);
      EXPECT_NEAR(frobeniusDistance(reconstruct(gram), a),
                  tailNorm(exact.sigma, r), 1e-5 * exact.sigma[0]);
    }
  }
}

TEST(Svd, GramTruncatedOfRankDeficientBlock) {
  // Rank 2 asked for 3: the third direction has σ = 0 and must not
  // produce NaNs.
  Matrix a = withSpectrum(16, 12, {3, 1}, 4);
  Svd svd = gramTruncatedSvd(a, 3);
  EXPECT_LT(relativeFrobeniusError(reconstruct(svd), a), 1e-5);
  for (float x : svd.u.data)
    EXPECT_TRUE(std::isfinite(x));
}

// A spectrum decaying like 0.9^i: a rank-30 sketch with two power
// iterations is essentially optimal.
TEST(Svd, RandomizedCloseToExactOnDecayingSpectrum) {
  std::vector<double> sigma;
  for (int i = 0; i < 200; ++i)
    sigma.push_back(std::pow(0.9, i));
  Matrix a = withSpectrum(500, 400, sigma, 5);
  int64_t r = 30;
  ASSERT_TRUE(preferRandomizedSvd(500, 400, r));
  Svd approx = randomizedSvd(a, r, {/*oversample=*/8, /*power=*/2, /*seed=*/1});
  ASSERT_EQ(approx.rank(), r);
  EXPECT_LT(orthonormalityDefect(approx.u), 1e-4);
  EXPECT_LT(orthonormalityDefect(approx.v), 1e-4);
  for (int64_t i = 0; i < r; ++i)
    EXPECT_NEAR(approx.sigma[i], sigma[i], 1e-3 * sigma[i]) << i;
  double optimal = tailNorm(sigma, r);
  double error = frobeniusDistance(reconstruct(approx), a);
  EXPECT_GE(error, optimal * (1 - 1e-4));
  EXPECT_LE(error, optimal * 1.01);
  // Same seed, same result; another seed, a different sketch.
  Svd again = randomizedSvd(a, r, {8, 2, 1});
  EXPECT_EQ(again.u.data, approx.u.data);
  Svd other = randomizedSvd(a, r, {8, 2, 2});
  EXPECT_NE(other.u.data, approx.u.data);
}

// Without power iterations a flat tail leaks into the sketch; with them
// the error approaches the optimum (the reason they are on by default).
TEST(Svd, PowerIterationsImproveSlowSpectrum) {
  std::vector<double> sigma;
  for (int i = 0; i < 300; ++i)
    sigma.push_back(1.0 / (1.0 + i));
  Matrix a = withSpectrum(400, 300, sigma, 6);
  double optimal = tailNorm(sigma, 20);
  double plain = frobeniusDistance(reconstruct(randomizedSvd(a, 20, {8, 0, 3})), a);
  double powered =
      frobeniusDistance(reconstruct(randomizedSvd(a, 20, {8, 2, 3})), a);
  EXPECT_LT(powered, plain);
  EXPECT_LT(powered, 1.02 * optimal);
}

TEST(Svd, ExactlyLowRankIsRecoveredByRandomized) {
  Matrix a = matmul(gaussian(600, 12, 8), gaussian(12, 520, 9));
  Svd svd = truncatedSvd(a, 12);
  EXPECT_LT(relativeFrobeniusError(reconstruct(svd), a), 1e-5);
}

TEST(Svd, EnergyRankSelection) {
  EXPECT_EQ(rankForEnergy({3, 2, 1}, 9.0 / 14.0), 1);
  EXPECT_EQ(rankForEnergy({3, 2, 1}, 0.7), 2);
  EXPECT_EQ(rankForEnergy({3, 2, 1}, 1.0), 3);
  // The listed values cover only part of a larger total.
  EXPECT_EQ(rankForEnergy({3, 2}, 1.0, 14.0), 3);

  std::vector<double> sigma = {8, 4, 2, 1, 0.5, 0.25};
  Matrix a = withSpectrum(40, 30, sigma, 10);
  for (double energy : {0.5, 0.9, 0.99, 0.9999}) {
    Svd svd = truncatedSvdForEnergy(a, energy, 20);
    EXPECT_EQ(svd.rank(), rankForEnergy(sigma, energy)) << energy;
    EXPECT_GE(energyFraction(svd, a), energy - 1e-6);
  }
  // Capped: rank 2 cannot keep 99%.
  EXPECT_EQ(truncatedSvdForEnergy(a, 0.99, 2).rank(), 2);
}

TEST(Svd, EnergyRankSelectionOnRandomizedPath) {
  std::vector<double> sigma;
  for (int i = 0; i < 200; ++i)
    sigma.push_back(std::pow(0.97, i));
  Matrix a = withSpectrum(600, 500, sigma, 11);
  double total = 0;
  for (double s : sigma)
    total += s * s;
  int64_t expected = rankForEnergy(sigma, 0.95, total);
  ASSERT_GT(expected, 32); // needs at least one doubling of the sketch
  Svd svd = truncatedSvdForEnergy(a, 0.95, 200);
  // Sketched values are slightly low, so the rank may be one larger.
  EXPECT_GE(svd.rank(), expected);
  EXPECT_LE(svd.rank(), expected + 1);
  EXPECT_GE(energyFraction(svd, a), 0.95 - 1e-6);
}

TEST(Svd, ParameterRatioRank) {
  EXPECT_EQ(rankForParamRatio(64, 64, 0.5), 16);
  EXPECT_EQ(rankForParamRatio(4096, 4096, 0.25), 512);
  EXPECT_EQ(rankForParamRatio(100, 50, 0.3), 10); // 0.3·5000/150 = 10
  EXPECT_EQ(rankForParamRatio(4, 4, 0.1), 0);
  EXPECT_EQ(maxCompressingRank(64, 64), 31); // 32·128 = 64·64 is no saving
  EXPECT_EQ(maxCompressingRank(10, 3), 2);   // 2·13 < 30 ≤ 3·13
  EXPECT_EQ(maxCompressingRank(1, 1), 0);
}

TEST(Svd, BalancedFactorsMultiplyBack) {
  Matrix a = gaussian(20, 15, 12);
  Svd svd = truncatedSvd(a, 6);
  Matrix left, right;
  balancedFactors(svd, left, right);
  EXPECT_EQ(left.rows, 20);
  EXPECT_EQ(left.cols, 6);
  EXPECT_EQ(right.rows, 6);
  EXPECT_EQ(right.cols, 15);
  EXPECT_LT(relativeFrobeniusError(matmul(left, right), reconstruct(svd)),
            1e-6);
  // Balanced: both factors carry the same column/row norms √σ_j·1.
  for (int64_t j = 0; j < 6; ++j) {
    double l = 0, r = 0;
    for (int64_t i = 0; i < 20; ++i)
      l += double(left.at(i, j)) * left.at(i, j);
    for (int64_t k = 0; k < 15; ++k)
      r += double(right.at(j, k)) * right.at(j, k);
    EXPECT_NEAR(l, svd.sigma[j], 1e-5 * svd.sigma[0]);
    EXPECT_NEAR(r, svd.sigma[j], 1e-5 * svd.sigma[0]);
  }
}

// Each u column's largest-magnitude entry is positive, whichever algorithm
// produced it, so the same matrix always yields the same factors.
TEST(Svd, SignsAreCanonical) {
  Matrix a = withSpectrum(300, 280, {9, 7, 5, 3, 2, 1}, 13);
  Svd exact = truncatedSvd(a, 4);
  Svd gram = gramTruncatedSvd(a, 4);
  ASSERT_TRUE(preferRandomizedSvd(300, 280, 4));
  Svd sketched = randomizedSvd(a, 4);
  for (const Svd *svd : {&exact, &gram, &sketched})
    for (int64_t j = 0; j < 4; ++j) {
      float largest = 0;
      for (int64_t i = 0; i < svd->u.rows; ++i)
        if (std::abs(svd->u.at(i, j)) > std::abs(largest))
          largest = svd->u.at(i, j);
      EXPECT_GT(largest, 0.0f);
    }
  for (size_t i = 0; i < exact.u.data.size(); ++i) {
    EXPECT_NEAR(gram.u.data[i], exact.u.data[i], 1e-4);
    EXPECT_NEAR(sketched.u.data[i], exact.u.data[i], 1e-4);
  }
}
