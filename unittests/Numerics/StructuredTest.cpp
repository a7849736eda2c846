//===- StructuredTest.cpp - low-rank, block-diagonal, Monarch, BTT --------===//
//
// Each family is checked against a dense builder written here from the op's
// index formula in StructuredOps.td (not from the projection code): a
// matrix built in the class is recovered, and a random matrix is projected
// with the error the theory predicts.
//
//===----------------------------------------------------------------------===//

#include "TestMatrices.h"

#include "linea/Numerics/Structured.h"

#include <gtest/gtest.h>
#include <cmath>

using namespace linea::numerics;
using namespace linea::numerics::testing;

namespace {

Tensor3 gaussian3(int64_t d0, int64_t d1, int64_t d2, unsigned seed) {
  Matrix flat = gaussian(d0, d1 * d2, seed);
  Tensor3 t(d0, d1, d2);
  t.data = flat.data;
  return t;
}

/// linea.blockdiag_linear: W[i·bn + a, i·bk + c] = blocks[i, a, c].
Matrix blockDiagDense(const Tensor3 &blocks) {
  int64_t g = blocks.dim0, bn = blocks.dim1, bk = blocks.dim2;
  Matrix w(g * bn, g * bk);
  for (int64_t i = 0; i < g; ++i)
    for (int64_t a = 0; a < bn; ++a)
      for (int64_t c = 0; c < bk; ++c)
        w.at(i * bn + a, i * bk + c) = blocks.at(i, a, c);
  return w;
}

/// linea.monarch_linear with w1[k, q, p], w2[l, s, r]: intermediate
/// t = κ·q + j goes to block t mod l at position t div l; output σ·l + λ.
Matrix monarchDense(const Tensor3 &w1, const Tensor3 &w2) {
  int64_t k = w1.dim0, q = w1.dim1, p = w1.dim2;
  int64_t l = w2.dim0, s = w2.dim1;
  Matrix w(l * s, k * p);
  for (int64_t kappa = 0; kappa < k; ++kappa)
    for (int64_t j = 0; j < q; ++j) {
      int64_t t = kappa * q + j, lambda = t % l, rho = t / l;
      for (int64_t sigma = 0; sigma < s; ++sigma)
        for (int64_t i = 0; i < p; ++i)
          w.at(sigma * l + lambda, kappa * p + i) +=
              w2.at(lambda, sigma, rho) * w1.at(kappa, j, i);
    }
  return w;
}

/// linea.btt_linear: W[n0·N1 + n1, m1·M0 + m0] =
/// Σ_ρ w2[n0, m1·r + ρ, n1] · w1[m1, m0, n0·r + ρ].
Matrix bttDense(const Tensor3 &w1, const Tensor3 &w2) {
  int64_t m1Size = w1.dim0, m0Size = w1.dim1, n0Size = w2.dim0,
          n1Size = w2.dim2, r = w1.dim2 / n0Size;
  Matrix w(n0Size * n1Size, m1Size * m0Size);
  for (int64_t n0 = 0; n0 < n0Size; ++n0)
    for (int64_t n1 = 0; n1 < n1Size; ++n1)
      for (int64_t m1 = 0; m1 < m1Size; ++m1)
        for (int64_t m0 = 0; m0 < m0Size; ++m0)
          for (int64_t rho = 0; rho < r; ++rho)
            w.at(n0 * n1Size + n1, m1 * m0Size + m0) +=
                w2.at(n0, m1 * r + rho, n1) * w1.at(m1, m0, n0 * r + rho);
  return w;
}

/// Copies rows `rowsOf(i)` and columns [c0, c0 + cols) of w.
template <typename RowFn>
Matrix subBlock(const Matrix &w, int64_t rows, RowFn rowsOf, int64_t c0,
                int64_t cols) {
  Matrix b(rows, cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t c = 0; c < cols; ++c)
      b.at(i, c) = w.at(rowsOf(i), c0 + c);
  return b;
}

double squaredDistance(const Matrix &a, const Matrix &b) {
  double sum = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    double d = double(a.data[i]) - b.data[i];
    sum += d * d;
  }
  return sum;
}

} // namespace

//===----------------------------------------------------------------------===//
// Low-rank
//===----------------------------------------------------------------------===//

TEST(LowRank, RecoversRankRMatrix) {
  for (auto [n, k, r] : {std::tuple<int64_t, int64_t, int64_t>{48, 40, 5},
                         {640, 560, 24}}) { // the second takes the sketch
    Matrix w = matmul(gaussian(n, r, 1), gaussian(r, k, 2));
    LowRankOptions options;
    options.rank = r;
    std::string why;
    std::optional<LowRankFactors> f = lowRankProjection(w, options, why);
    ASSERT_TRUE(f) << why;
    EXPECT_EQ(f->u.rows, n);
    EXPECT_EQ(f->u.cols, r);
    EXPECT_EQ(f->v.rows, r);
    EXPECT_EQ(f->v.cols, k);
    EXPECT_LT(relativeFrobeniusError(matmul(f->u, f->v), w), 1e-5);
  }
}

TEST(LowRank, ErrorIsTailOfSpectrum) {
  Matrix w = gaussian(60, 50, 3);
  std::vector<double> sigma = singularValues(w);
  LowRankOptions options;
  options.rank = 10;
  std::string why;
  std::optional<LowRankFactors> f = lowRankProjection(w, options, why);
  ASSERT_TRUE(f) << why;
  EXPECT_NEAR(std::sqrt(squaredDistance(matmul(f->u, f->v), w)),
              tailNorm(sigma, 10), 1e-5 * sigma[0]);
}

TEST(LowRank, EnergyAndParamRatioChooseTheRank) {
  std::vector<double> sigma = {16, 8, 4, 2, 1, 0.5, 0.25, 0.125};
  Matrix w = withSpectrum(64, 48, sigma, 4);
  std::string why;
  LowRankOptions energy;
  energy.energy = 0.99;
  std::optional<LowRankFactors> f = lowRankProjection(w, energy, why);
  ASSERT_TRUE(f) << why;
  EXPECT_EQ(f->u.cols, rankForEnergy(sigma, 0.99));
  EXPECT_EQ(f->u.cols, 4); // 16²+8²+4² = 336 < 0.99·341.33 ≤ 340

  energy.multipleOf = 3; // rounded up: rank 6 keeps at least as much
  f = lowRankProjection(w, energy, why);
  ASSERT_TRUE(f) << why;
  EXPECT_EQ(f->u.cols, 6);

  LowRankOptions ratio;
  ratio.paramRatio = 0.25; // ⌊0.25·64·48/112⌋ = 6
  f = lowRankProjection(w, ratio, why);
  ASSERT_TRUE(f) << why;
  EXPECT_EQ(f->u.cols, 6);
  ratio.multipleOf = 4;
  EXPECT_EQ(lowRankTarget(64, 48, ratio), 4);
}

TEST(LowRank, RejectsRanksThatDoNotCompress) {
  Matrix w = gaussian(8, 8, 5);
  LowRankOptions options;
  options.rank = 4; // 4·16 = 64 = 8·8
  std::string why;
  EXPECT_FALSE(lowRankProjection(w, options, why));
  EXPECT_NE(why.find("4·(8+8) = 64"), std::string::npos) << why;

  LowRankOptions ratio;
  ratio.paramRatio = 0.1;
  EXPECT_FALSE(lowRankProjection(w, ratio, why));
  EXPECT_NE(why.find("rank 0"), std::string::npos) << why;

  // Full-rank spectrum: 99.99% needs more than the compressing rank 3.
  LowRankOptions energy;
  energy.energy = 0.9999;
  EXPECT_FALSE(lowRankProjection(w, energy, why));
  EXPECT_NE(why.find("above 3"), std::string::npos) << why;
}

TEST(LowRank, ValidatesOptions) {
  LowRankOptions none;
  EXPECT_NE(validateLowRankOptions(none).find("got none"), std::string::npos);
  LowRankOptions both;
  both.rank = 4;
  both.energy = 0.9;
  EXPECT_NE(validateLowRankOptions(both).find("several"), std::string::npos);
  LowRankOptions energy;
  energy.energy = 1.5;
  EXPECT_NE(validateLowRankOptions(energy).find("1.5"), std::string::npos);
  LowRankOptions ratio;
  ratio.paramRatio = 1.0;
  EXPECT_NE(validateLowRankOptions(ratio).find("(0, 1)"), std::string::npos);
  LowRankOptions good;
  good.rank = 3;
  EXPECT_EQ(validateLowRankOptions(good), "");
}

//===----------------------------------------------------------------------===//
// Block-diagonal
//===----------------------------------------------------------------------===//

TEST(BlockDiag, RecoversBlockDiagonalAndDropsTheRest) {
  Tensor3 blocks = gaussian3(4, 6, 5, 6);
  Matrix w = blockDiagDense(blocks);
  std::string why;
  std::optional<Tensor3> projected = blockDiagProjection(w, 4, why);
  ASSERT_TRUE(projected) << why;
  EXPECT_EQ(projected->data, blocks.data);

  // Off-diagonal mass is exactly the projection error.
  Matrix noisy = gaussian(24, 20, 7);
  projected = blockDiagProjection(noisy, 4, why);
  ASSERT_TRUE(projected);
  Matrix kept = blockDiagDense(*projected);
  double offDiagonal = 0;
  for (int64_t i = 0; i < 24; ++i)
    for (int64_t j = 0; j < 20; ++j)
      if (i / 6 != j / 5)
        offDiagonal += double(noisy.at(i, j)) * noisy.at(i, j);
  EXPECT_NEAR(squaredDistance(kept, noisy), offDiagonal, 1e-6 * offDiagonal);
}

TEST(BlockDiag, RejectsNonDividingBlocks) {
  std::string why;
  EXPECT_FALSE(blockDiagProjection(gaussian(24, 20, 8), 3, why));
  EXPECT_NE(why.find("blocks = 3 does not divide K = 20"), std::string::npos)
      << why;
}

//===----------------------------------------------------------------------===//
// Monarch
//===----------------------------------------------------------------------===//

TEST(Monarch, RecoversMonarchMatrix) {
  // {N, K, blocks, rank}: square classic (rank K/b² = 1), rectangular,
  // block rank 2.
  for (auto [n, k, b, r] :
       {std::tuple<int64_t, int64_t, int64_t, int64_t>{16, 16, 4, 1},
        {24, 40, 4, 1},
        {32, 48, 4, 2},
        {64, 64, 8, 1}}) {
    Tensor3 w1 = gaussian3(b, r * b, k / b, 9), w2 = gaussian3(b, n / b, r * b, 10);
    Matrix w = monarchDense(w1, w2);
    std::string why;
    std::optional<MonarchFactors> f = monarchProjection(w, b, r, why);
    ASSERT_TRUE(f) << why;
    EXPECT_EQ(f->w1.dim0, b);
    EXPECT_EQ(f->w1.dim1, r * b);
    EXPECT_EQ(f->w1.dim2, k / b);
    EXPECT_EQ(f->w2.dim0, b);
    EXPECT_EQ(f->w2.dim1, n / b);
    EXPECT_EQ(f->w2.dim2, r * b);
    EXPECT_LT(relativeFrobeniusError(monarchDense(f->w1, f->w2), w), 1e-5)
        << n << "x" << k << " b=" << b << " r=" << r;
  }
}

// The class limits each strided sub-block to rank ρ and nothing else, so
// the projection error is the sum of the sub-blocks' spectral tails.
TEST(Monarch, ProjectionErrorIsSumOfSubBlockTails) {
  int64_t n = 32, k = 24, b = 4, r = 2;
  Matrix w = gaussian(n, k, 11);
  std::string why;
  std::optional<MonarchFactors> f = monarchProjection(w, b, r, why);
  ASSERT_TRUE(f) << why;
  double expected = 0;
  for (int64_t lambda = 0; lambda < b; ++lambda)
    for (int64_t kappa = 0; kappa < b; ++kappa) {
      Matrix sub = subBlock(
          w, n / b, [&](int64_t sigma) { return sigma * b + lambda; },
          kappa * (k / b), k / b);
      double tail = tailNorm(singularValues(sub), r);
      expected += tail * tail;
    }
  EXPECT_NEAR(squaredDistance(monarchDense(f->w1, f->w2), w), expected,
              1e-5 * expected);
}

TEST(Monarch, RejectsBadShapes) {
  std::string why;
  EXPECT_FALSE(monarchProjection(gaussian(20, 24, 12), 3, 1, why));
  EXPECT_NE(why.find("blocks = 3 does not divide N = 20"), std::string::npos)
      << why;
  EXPECT_FALSE(monarchProjection(gaussian(16, 16, 12), 4, 5, why));
  EXPECT_NE(why.find("[1, 4]"), std::string::npos) << why;
  EXPECT_EQ(defaultMonarchRank(4096, 64), 1);
  EXPECT_EQ(defaultMonarchRank(4096, 4), 256);
  EXPECT_EQ(defaultMonarchRank(16, 8), 1);
}

//===----------------------------------------------------------------------===//
// Block Tensor-Train
//===----------------------------------------------------------------------===//

TEST(BTT, RecoversBTTMatrix) {
  // {N, K, cores, rank}
  for (auto [n, k, c, r] :
       {std::tuple<int64_t, int64_t, int64_t, int64_t>{16, 16, 4, 1},
        {24, 40, 4, 2},
        {36, 36, 3, 3}}) {
    Tensor3 w1 = gaussian3(c, k / c, c * r, 13), w2 = gaussian3(c, c * r, n / c, 14);
    Matrix w = bttDense(w1, w2);
    std::string why;
    std::optional<BTTFactors> f = bttProjection(w, c, r, why);
    ASSERT_TRUE(f) << why;
    EXPECT_EQ(f->w1.dim0, c);
    EXPECT_EQ(f->w1.dim1, k / c);
    EXPECT_EQ(f->w1.dim2, c * r);
    EXPECT_EQ(f->w2.dim0, c);
    EXPECT_EQ(f->w2.dim1, c * r);
    EXPECT_EQ(f->w2.dim2, n / c);
    EXPECT_LT(relativeFrobeniusError(bttDense(f->w1, f->w2), w), 1e-5)
        << n << "x" << k << " c=" << c << " r=" << r;
  }
}

TEST(BTT, ProjectionErrorIsSumOfBlockTails) {
  int64_t n = 24, k = 32, c = 4, r = 2;
  Matrix w = gaussian(n, k, 15);
  std::string why;
  std::optional<BTTFactors> f = bttProjection(w, c, r, why);
  ASSERT_TRUE(f) << why;
  double expected = 0;
  for (int64_t n0 = 0; n0 < c; ++n0)
    for (int64_t m1 = 0; m1 < c; ++m1) {
      Matrix sub = subBlock(
          w, n / c, [&](int64_t n1) { return n0 * (n / c) + n1; },
          m1 * (k / c), k / c);
      double tail = tailNorm(singularValues(sub), r);
      expected += tail * tail;
    }
  EXPECT_NEAR(squaredDistance(bttDense(f->w1, f->w2), w), expected,
              1e-5 * expected);
}

TEST(BTT, DefaultCoresAndBadShapes) {
  EXPECT_EQ(defaultBTTCores(4096, 4096), 64);
  EXPECT_EQ(defaultBTTCores(64, 256), 8); // (64·256)^¼ ≈ 11.3: 8 and 16 tie
  EXPECT_EQ(defaultBTTCores(768, 3072), 32); // ≈ 39.2; divisors of 768
  EXPECT_EQ(defaultBTTCores(7, 5), 1);
  std::string why;
  EXPECT_FALSE(bttProjection(gaussian(24, 20, 16), 3, 1, why));
  EXPECT_NE(why.find("cores = 3 does not divide K = 20"), std::string::npos)
      << why;
  EXPECT_FALSE(bttProjection(gaussian(16, 16, 16), 4, 5, why));
  EXPECT_NE(why.find("[1, 4]"), std::string::npos) << why;
}
