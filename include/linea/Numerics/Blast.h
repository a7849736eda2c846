//===- Blast.h - BLAST matrix factorization ---------------------*- C++ -*-===//
//
// The weight math of `linea-blast` (REWRITES.md §2.3; Lee et al., "BLAST:
// Block-Level Adaptive Structured Matrices", NeurIPS 2024). W[N, K] is cut
// into b×b blocks of p×q (p = N/b, q = K/b) and each block is
// W_ij ≈ U_i · diag(s_ij) · V_jᵀ with U_i p×r shared along block row i and
// V_j q×r shared along block column j. No MLIR types.
//
// Fitting: block-coordinate descent (alternating least squares) on
// ‖W − Ŵ‖_F². Each of U_i, V_j and s_ij is the solution of a linear least
// squares problem when the others are fixed; that closed-form step is the
// paper's preconditioned gradient step with step size 1 (its
// preconditioner is exactly the inverse Gram matrix of the normal
// equations), so every sweep can only lower the error. Starting point: the
// rank-r truncated SVD of W with s = 1 (a rank-r matrix is a BLAST matrix);
// with the exact SVD (small W) the fit therefore never ends worse than the
// best rank-r approximation, with the randomized one (large W) no worse
// than its sketch.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_BLAST_H
#define LINEA_NUMERICS_BLAST_H

#include "linea/Numerics/Matrix.h"
#include "linea/Numerics/Svd.h"

#include <cstdint>
#include <vector>

namespace linea::numerics {

/// Settings of fitBlast().
struct BlastOptions {
  /// Blocks per dimension b (b | N and b | K).
  int64_t blocks = 4;
  /// Shared rank r (1 ≤ r ≤ min(N, K)).
  int64_t rank = 1;
  /// Alternating sweeps; each updates U, s, V and s again.
  int64_t iterations = 20;
  /// Stop early once a sweep lowers the relative error by less than this
  /// (absolute) amount; 0 runs every sweep.
  double tolerance = 0.0;
  /// Tikhonov term of every normal-equation solve, relative to the mean of
  /// its diagonal: keeps rank-deficient blocks (r > p or q, zero blocks)
  /// solvable at a negligible bias.
  double ridge = 1e-6;
  /// Threads sharing the per-block work; 0 uses every hardware thread.
  int64_t threads = 0;
  /// The randomized SVD behind the starting point (one power iteration is
  /// enough: the sweeps refine it).
  RandomizedSvdOptions svd{/*oversample=*/8, /*powerIterations=*/1,
                           /*seed=*/0};
};

/// A BLAST matrix in the operand layout of `linea.blast_linear`.
struct BlastFactors {
  int64_t blocks = 0, rank = 0;
  int64_t blockRows = 0; ///< p = N / b
  int64_t blockCols = 0; ///< q = K / b
  std::vector<float> u;  ///< b × p × r: u[i, α, ρ] = U_i[α, ρ]
  std::vector<float> s;  ///< b × b × r: s[i, j, ρ]
  std::vector<float> v;  ///< b × q × r: v[j, γ, ρ] = V_j[γ, ρ]
  /// ‖W − Ŵ‖_F / ‖W‖_F at the start (index 0) and after each sweep, tracked
  /// from Gram matrices (so resolved to about 1e-3 only; recompute with
  /// blastDense() for a precise figure).
  std::vector<double> errors;
};

/// Parameters of a BLAST matrix: r·(N + K + b²).
int64_t blastParams(int64_t rows, int64_t cols, int64_t blocks, int64_t rank);

/// Half the rank at which BLAST would store as many parameters as the dense
/// matrix, ⌊N·K / (N + K + b²)⌋ / 2 (at least 1): about a 2× compression.
int64_t defaultBlastRank(int64_t rows, int64_t cols, int64_t blocks);

/// Fits a BLAST matrix to `w` (see the file comment). Requires
/// w.rows % blocks == 0, w.cols % blocks == 0 and 1 ≤ rank ≤ min(N, K).
BlastFactors fitBlast(const Matrix &w, const BlastOptions &options);

/// The dense N×K matrix the factors stand for.
Matrix blastDense(const BlastFactors &factors);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_BLAST_H
