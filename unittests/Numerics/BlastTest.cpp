//===- BlastTest.cpp - BLAST factorization --------------------------------===//

#include "linea/Numerics/Blast.h"

#include "TestMatrices.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace linea::numerics;
using linea::numerics::testing::gaussian;

namespace {

/// A random exact BLAST matrix, written out element by element from the
/// index formula of linea.blast_linear (independently of blastDense).
Matrix randomBlast(int64_t b, int64_t p, int64_t q, int64_t r, unsigned seed) {
  Matrix u = gaussian(b * p, r, seed);     // u[i, α, ρ]
  Matrix s = gaussian(b * b, r, seed + 1); // s[i, j, ρ]
  Matrix v = gaussian(b * q, r, seed + 2); // v[j, γ, ρ]
  Matrix w(b * p, b * q);
  for (int64_t i = 0; i < b; ++i)
    for (int64_t a = 0; a < p; ++a)
      for (int64_t j = 0; j < b; ++j)
        for (int64_t g = 0; g < q; ++g) {
          double sum = 0;
          for (int64_t rho = 0; rho < r; ++rho)
            sum += double(u.at(i * p + a, rho)) * s.at(i * b + j, rho) *
                   v.at(j * q + g, rho);
          w.at(i * p + a, j * q + g) = float(sum);
        }
  return w;
}

} // namespace

TEST(Blast, ParameterCounts) {
  EXPECT_EQ(blastParams(64, 32, 4, 3), 3 * (64 + 32 + 16));
  // 4096² with b = 4: 16777216 / 8208 = 2044 → 1022, about half the dense.
  EXPECT_EQ(defaultBlastRank(4096, 4096, 4), 1022);
  EXPECT_LT(blastParams(4096, 4096, 4, 1022), 4096 * 4096 / 2);
  EXPECT_EQ(defaultBlastRank(4, 4, 4), 1);
}

TEST(Blast, DenseMatchesIndexFormula) {
  BlastFactors f;
  f.blocks = 2;
  f.rank = 1;
  f.blockRows = 1;
  f.blockCols = 2;
  f.u = {2, 3};             // U_0 = [2], U_1 = [3]
  f.s = {1, 10, 100, 1000}; // s[i, j]
  f.v = {1, 2, 5, 7};       // V_0 = [1 2]ᵀ, V_1 = [5 7]ᵀ
  Matrix w = blastDense(f);
  ASSERT_EQ(w.rows, 2);
  ASSERT_EQ(w.cols, 4);
  std::vector<float> want = {2, 4, 100, 140, 300, 600, 15000, 21000};
  EXPECT_EQ(w.data, want);
}

TEST(Blast, RecoversExactBlastMatrix) {
  Matrix w = randomBlast(/*b=*/4, /*p=*/24, /*q=*/20, /*r=*/6, 21);
  BlastOptions options;
  options.blocks = 4;
  options.rank = 6;
  options.iterations = 300;
  options.tolerance = 1e-7;
  BlastFactors f = fitBlast(w, options);
  double error = relativeFrobeniusError(blastDense(f), w);
  EXPECT_LT(error, 1e-3) << "after " << f.errors.size() - 1 << " sweeps";
  EXPECT_NEAR(f.errors.back(), error, 2e-3);
}

TEST(Blast, ErrorDecreasesWithSweeps) {
  Matrix w = gaussian(64, 48, 4);
  BlastOptions options;
  options.blocks = 4;
  options.rank = 8;
  options.iterations = 30;
  BlastFactors f = fitBlast(w, options);
  ASSERT_EQ(f.errors.size(), 31u);
  for (size_t k = 1; k < f.errors.size(); ++k)
    EXPECT_LE(f.errors[k], f.errors[k - 1] + 1e-4) << "sweep " << k;
  EXPECT_LT(f.errors.back(), f.errors.front() - 0.01);
  // More sweeps from the same start give a lower error.
  options.iterations = 5;
  double early = relativeFrobeniusError(blastDense(fitBlast(w, options)), w);
  EXPECT_LT(relativeFrobeniusError(blastDense(f), w), early);
}

TEST(Blast, BeatsLowRankWithSameParameters) {
  // Random W: no structure to exploit, still at least as good as low rank.
  // A spectrum-shaped W with block structure: clearly better.
  for (bool structured : {false, true}) {
    Matrix w = gaussian(96, 96, 8);
    if (structured) {
      Matrix blast = randomBlast(4, 24, 24, 12, 9);
      for (size_t k = 0; k < w.data.size(); ++k)
        w.data[k] = blast.data[k] + 0.05f * w.data[k];
    }
    BlastOptions options;
    options.blocks = 4;
    options.rank = 12;
    options.iterations = 40;
    double blastError =
        relativeFrobeniusError(blastDense(fitBlast(w, options)), w);
    // Largest low rank with no more parameters: r'·192 ≤ 12·(192 + 16).
    int64_t lowRank = blastParams(96, 96, 4, 12) / 192;
    double lowRankError = tailNorm(singularValues(w), lowRank) /
                          std::sqrt(squaredFrobeniusNorm(w));
    EXPECT_LE(blastError, lowRankError + 1e-4) << "structured " << structured;
    if (structured) // ALS is slow here (as CP-ALS in a swamp) but clearly ahead
      EXPECT_LT(blastError, 0.75 * lowRankError);
  }
}

TEST(Blast, HandlesZeroAndRankAboveBlockSize) {
  BlastOptions options;
  options.blocks = 2;
  options.rank = 6; // > p = 4: rank-deficient Gram matrices
  options.iterations = 40;
  Matrix zero(8, 8);
  BlastFactors f = fitBlast(zero, options);
  for (float x : blastDense(f).data)
    EXPECT_EQ(x, 0.0f);
  Matrix w = gaussian(8, 8, 2);
  f = fitBlast(w, options);
  for (float x : f.u)
    ASSERT_TRUE(std::isfinite(x));
  EXPECT_LT(relativeFrobeniusError(blastDense(f), w), 1e-2);
}
