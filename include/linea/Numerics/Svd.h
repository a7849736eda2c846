//===- Svd.h - exact and randomized singular value decompositions -*- C++ -*-===//
//
// The SVD underlies most structured rewrites (low-rank, Monarch, BTT,
// Kronecker, BLAST initialisation). This header is the one entry point for
// it: an exact SVD for small or full-rank needs, a seeded randomized
// truncated SVD (Halko, Martinsson & Tropp 2011) for r ≪ min(m, n), and the
// rank-selection rules of REWRITES.md §1.1. No MLIR types.
//
// Conventions: A is m×n (row-major numerics::Matrix); a rank-r SVD is
// A ≈ U · diag(sigma) · Vᵀ with U m×r and V n×r having orthonormal columns
// and sigma sorted in decreasing order. Signs are fixed: the largest-
// magnitude entry of each u column is positive (the first on ties). Results
// are deterministic for a given input, rank, options and seed.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_SVD_H
#define LINEA_NUMERICS_SVD_H

#include "linea/Numerics/Matrix.h"

#include <cstdint>
#include <vector>

namespace linea::numerics {

/// A (possibly truncated) SVD A ≈ u · diag(sigma) · vᵀ.
struct Svd {
  Matrix u;                  ///< m×r, orthonormal columns
  std::vector<double> sigma; ///< r singular values, decreasing, ≥ 0
  Matrix v;                  ///< n×r, orthonormal columns

  int64_t rank() const { return static_cast<int64_t>(sigma.size()); }
};

/// Tuning of the randomized range finder.
struct RandomizedSvdOptions {
  /// Extra sketch columns beyond the rank (Halko et al. suggest 5–10).
  int64_t oversample = 8;
  /// Power (subspace) iterations, each followed by a QR
  /// re-orthonormalisation; 1–2 suffice for slowly decaying spectra.
  int64_t powerIterations = 2;
  /// Seed of the Gaussian test matrix.
  uint64_t seed = 0;
  /// Threads sharing the large products (0: all hardware threads). Results
  /// for different counts agree up to f32 rounding.
  int64_t threads = 0;
};

/// Exact thin SVD with all min(m, n) singular triplets, computed in double
/// precision (Eigen's divide-and-conquer BDCSVD). O(m·n·min(m, n)).
Svd exactSvd(const Matrix &a);

/// Singular values only (decreasing), in double precision; cheaper than
/// exactSvd because no vectors are formed.
std::vector<double> singularValues(const Matrix &a);

/// Randomized truncated SVD of rank `rank` (1 ≤ rank ≤ min(m, n)): Gaussian
/// sketch Y = A·Ω with rank+oversample columns, `powerIterations` rounds of
/// Y ← A·(Aᵀ·Q) with QR between them, then the exact SVD of the small
/// QᵀA (from its Gram matrix). Products run in f32 on `threads` threads
/// (the cost), the small decompositions in double.
Svd randomizedSvd(const Matrix &a, int64_t rank,
                  const RandomizedSvdOptions &options = {});

/// The best rank-`rank` approximation's factors (1 ≤ rank ≤ min(m, n)).
/// Uses exactSvd when it is cheap or the sketch would not be much smaller
/// than the matrix, randomizedSvd otherwise; see preferRandomizedSvd().
Svd truncatedSvd(const Matrix &a, int64_t rank,
                 const RandomizedSvdOptions &options = {});

/// Whether truncatedSvd() takes the randomized path for this shape and rank.
bool preferRandomizedSvd(int64_t rows, int64_t cols, int64_t rank,
                         const RandomizedSvdOptions &options = {});

/// The truncated SVD with the smallest rank whose σ₁²+…+σ_r² reaches
/// `energy`·‖A‖_F² (0 < energy ≤ 1), searching ranks up to `maxRank`.
/// Large matrices sketch at doubling ranks instead of a full SVD. Returns
/// the rank-`maxRank` SVD when even that keeps less energy (the caller can
/// tell with energyFraction()).
Svd truncatedSvdForEnergy(const Matrix &a, double energy, int64_t maxRank,
                          const RandomizedSvdOptions &options = {});

/// Rank-`rank` SVD of a small matrix (short side up to a few hundred) from
/// the eigendecomposition of its Gram matrix in double precision: several
/// times faster than exactSvd on the thousands of tiny blocks of a Monarch
/// or BTT projection. Singular directions with σ below ~1e-8·σ₁ are not
/// resolved (far below f32 resolution of A); u's columns for σ = 0 are 0.
Svd gramTruncatedSvd(const Matrix &a, int64_t rank);

//===----------------------------------------------------------------------===//
// Rank selection and reconstruction
//===----------------------------------------------------------------------===//

/// Smallest r such that σ₁²+…+σ_r² ≥ energy·total, where `total` is ‖A‖_F²
/// (pass a negative total to use Σσ² of `sigma` itself). Returns
/// sigma.size() + 1 when the listed values do not reach it.
int64_t rankForEnergy(const std::vector<double> &sigma, double energy,
                      double total = -1.0);

/// Largest r with r·(m + n) ≤ ratio·m·n, i.e. ⌊ratio·m·n / (m + n)⌋
/// (REWRITES.md §1.1); 0 when ratio is too small for rank 1.
int64_t rankForParamRatio(int64_t rows, int64_t cols, double ratio);

/// Largest rank whose factors store fewer parameters than the dense matrix:
/// the largest r with r·(m + n) < m·n.
int64_t maxCompressingRank(int64_t rows, int64_t cols);

/// √(Σ_{i ≥ rank} σ_i²): the Frobenius error of the best rank-`rank`
/// approximation when `sigma` holds all singular values (Eckart–Young).
double tailNorm(const std::vector<double> &sigma, int64_t rank);

/// (σ₁²+…+σ_r²) / ‖A‖_F² for the values in `svd`.
double energyFraction(const Svd &svd, const Matrix &a);

/// Squared Frobenius norm, accumulated in double.
double squaredFrobeniusNorm(const Matrix &a);

/// u · diag(sigma) · vᵀ (m×n).
Matrix reconstruct(const Svd &svd);

/// Splits σ evenly between the factors: left = U·diag(√σ) (m×r) and
/// right = diag(√σ)·Vᵀ (r×n), so that left·right = reconstruct(svd).
void balancedFactors(const Svd &svd, Matrix &left, Matrix &right);

/// Plain product a·b in f32 (Eigen), for tests and reconstructions.
Matrix matmul(const Matrix &a, const Matrix &b);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_SVD_H
