//===- Kronecker.h - nearest sums of Kronecker products ---------*- C++ -*-===//
//
// The weight math of `linea-kron` (REWRITES.md §2.5): the Frobenius-nearest
// sum of s Kronecker products W ≈ Σ_t a_t ⊗ b_t (Van Loan & Pitsianis,
// 1993). Rearranging W so that each n2×k2 block becomes one row turns every
// Kronecker product into a rank-1 matrix, so the best s-term sum is the
// rank-s truncated SVD of the rearranged matrix. No MLIR types.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_KRONECKER_H
#define LINEA_NUMERICS_KRONECKER_H

#include "linea/Numerics/Matrix.h"
#include "linea/Numerics/Svd.h"

#include <cstdint>
#include <vector>

namespace linea::numerics {

/// Factor shapes of W[N, K] = Σ_t a_t ⊗ b_t: a_t is n1×k1, b_t is n2×k2,
/// N = n1·n2, K = k1·k2.
struct KroneckerShape {
  int64_t n1 = 0, k1 = 0, n2 = 0, k2 = 0;
};

/// The divisor of `n` nearest to `target` (the smaller one on a tie).
int64_t nearestDivisor(int64_t n, double target);

/// The default factor shape for W[rows, cols]: n1 and k1 are the divisors
/// of rows and cols nearest √rows and √cols, which makes a and b about the
/// same size and the rearranged matrix about square.
KroneckerShape defaultKroneckerShape(int64_t rows, int64_t cols);

/// The Van Loan–Pitsianis rearrangement R(W) of shape (n1·k1)×(n2·k2):
/// R[i1·k1 + j1, i2·k2 + j2] = W[i1·n2 + i2, j1·k2 + j2]. Row (i1, j1) is the
/// block W_{i1 j1} flattened row-major, so ‖R‖_F = ‖W‖_F and a ⊗ b maps to
/// vec(a)·vec(b)ᵀ. rows % n1 == 0 and cols % k1 == 0 are required.
Matrix kroneckerRearrange(const Matrix &w, int64_t n1, int64_t k1);

/// A sum of `terms` Kronecker products.
struct KroneckerSum {
  KroneckerShape shape;
  int64_t terms = 0;
  std::vector<float> a; ///< terms × n1 × k1, row-major
  std::vector<float> b; ///< terms × n2 × k2, row-major
  /// The singular values of R(W) kept as the terms' weights, decreasing.
  std::vector<double> sigma;
};

/// Parameters stored by a `terms`-term sum: terms·(n1·k1 + n2·k2).
int64_t kroneckerParams(const KroneckerShape &shape, int64_t terms);

/// The Frobenius-nearest sum of `terms` Kronecker products with the given
/// shape (1 ≤ terms ≤ min(n1·k1, n2·k2)): a_t = √σ_t·reshape(u_t),
/// b_t = √σ_t·reshape(v_t) from the rank-`terms` SVD of R(W) (exact or
/// randomized, see truncatedSvd()). ‖W − Ŵ‖_F is the tail norm of R(W)'s
/// singular values.
KroneckerSum nearestKroneckerSum(const Matrix &w, const KroneckerShape &shape,
                                 int64_t terms,
                                 const RandomizedSvdOptions &options = {});

/// The dense N×K matrix Σ_t a_t ⊗ b_t.
Matrix kroneckerSumDense(const KroneckerSum &sum);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_KRONECKER_H
