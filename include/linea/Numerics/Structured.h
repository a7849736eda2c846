//===- Structured.h - projections onto structured matrix families -*- C++ -*-===//
//
// Factorizations of a dense W[N, K] into the operands of the structured
// linear-layer ops (REWRITES.md §1.1, §2.1, §2.2, §2.4): low-rank,
// block-diagonal, Monarch and Block Tensor-Train. Every factor uses exactly
// the layout of the op that stores it (StructuredOps.td), so a pass copies
// the data into constants unchanged. Each projection is the Frobenius-
// nearest member of its family (up to the truncated SVDs it uses).
//
// The functions return std::nullopt with `why` set, rather than assert,
// when the shape or options do not fit, because those come from users.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_STRUCTURED_H
#define LINEA_NUMERICS_STRUCTURED_H

#include "linea/Numerics/Matrix.h"
#include "linea/Numerics/Svd.h"

#include <optional>
#include <string>

namespace linea::numerics {

/// A dense row-major 3-D tensor of f32: the block-stacked factors.
struct Tensor3 {
  int64_t dim0 = 0, dim1 = 0, dim2 = 0;
  std::vector<float> data;

  Tensor3() = default;
  Tensor3(int64_t d0, int64_t d1, int64_t d2)
      : dim0(d0), dim1(d1), dim2(d2),
        data(static_cast<size_t>(d0 * d1 * d2), 0.0f) {}

  float &at(int64_t i, int64_t j, int64_t k) {
    assert(i >= 0 && i < dim0 && j >= 0 && j < dim1 && k >= 0 && k < dim2);
    return data[static_cast<size_t>((i * dim1 + j) * dim2 + k)];
  }
  float at(int64_t i, int64_t j, int64_t k) const {
    assert(i >= 0 && i < dim0 && j >= 0 && j < dim1 && k >= 0 && k < dim2);
    return data[static_cast<size_t>((i * dim1 + j) * dim2 + k)];
  }
};

/// "" when `count` (≥ 1) divides both N and K; else a message naming the
/// option, its value and the dimension it does not divide, e.g.
/// "blocks = 3 does not divide N = 8".
std::string checkDivides(const char *option, int64_t count, int64_t rows,
                         int64_t cols);

//===----------------------------------------------------------------------===//
// Low-rank (linea.lowrank_linear): W ≈ u·v
//===----------------------------------------------------------------------===//

/// How the rank is chosen; exactly one of rank, energy, paramRatio is set.
struct LowRankOptions {
  int64_t rank = 0;        ///< explicit r
  double energy = 0.0;     ///< smallest r keeping this fraction of ‖W‖_F²
  double paramRatio = 0.0; ///< largest r with r·(N+K) ≤ ratio·N·K
  /// Ranks chosen by energy or paramRatio are rounded to a multiple of this
  /// (SIMD/tensor-core friendly): down for paramRatio (stay in budget), up
  /// for energy (keep the energy) while that still compresses.
  int64_t multipleOf = 1;
  RandomizedSvdOptions svd;
};

/// u = U_r·Σ_r^½ [N, r] and v = Σ_r^½·V_rᵀ [r, K].
struct LowRankFactors {
  Matrix u;
  Matrix v;
  std::vector<double> sigma; ///< the r kept singular values
};

/// Human-readable problem with the options, or "" when they are valid
/// (independent of any matrix).
std::string validateLowRankOptions(const LowRankOptions &options);

/// The rank the options ask for on an N×K matrix when it does not depend on
/// the spectrum (rank or paramRatio), else 0 (energy).
int64_t lowRankTarget(int64_t rows, int64_t cols,
                      const LowRankOptions &options);

/// Truncated SVD of w at the rank the options choose. Fails when the rank
/// would not store fewer parameters than N·K or exceeds min(N, K).
std::optional<LowRankFactors> lowRankProjection(const Matrix &w,
                                                const LowRankOptions &options,
                                                std::string &why);

//===----------------------------------------------------------------------===//
// Block-diagonal (linea.blockdiag_linear): blocks[g, N/g, K/g]
//===----------------------------------------------------------------------===//

/// The g diagonal blocks of w (block i: rows [i·N/g, (i+1)·N/g), columns
/// [i·K/g, (i+1)·K/g)). g must divide N and K.
std::optional<Tensor3> blockDiagProjection(const Matrix &w, int64_t blocks,
                                           std::string &why);

//===----------------------------------------------------------------------===//
// Monarch (linea.monarch_linear): w1[k, q, p], w2[l, s, r]
//===----------------------------------------------------------------------===//

/// With b blocks per factor and block rank ρ: k = l = b, p = K/b, s = N/b,
/// q = r = ρ·b. Sub-block (λ, κ) — rows {σ·b + λ}, columns [κ·p, (κ+1)·p) —
/// then has rank ρ, and W[σb+λ, κp+i] = Σ_c w2[λ, σ, κρ+c] · w1[κ, λ+b·c, i].
/// ρ = K/b² gives the classic square Monarch (q = p). Parameters ρ·b·(N+K).
struct MonarchFactors {
  Tensor3 w1; ///< [b, ρ·b, K/b]
  Tensor3 w2; ///< [b, N/b, ρ·b]
};

/// Block rank used when the user gives none: that of the classic Monarch
/// with q = p = K/b, i.e. max(1, K/b²).
int64_t defaultMonarchRank(int64_t cols, int64_t blocks);

/// Per-sub-block rank-ρ SVD (optimal in Frobenius norm for the class).
/// b must divide N and K, and ρ ≤ min(N/b, K/b).
std::optional<MonarchFactors> monarchProjection(const Matrix &w,
                                                int64_t blocks, int64_t rank,
                                                std::string &why);

//===----------------------------------------------------------------------===//
// Block Tensor-Train (linea.btt_linear): w1[M1, M0, N0·r], w2[N0, M1·r, N1]
//===----------------------------------------------------------------------===//

/// With c cores: M1 = N0 = c, M0 = K/c, N1 = N/c. The N1×M0 block (n0, m1)
/// of W (rows n0·N1 + n1, columns m1·M0 + m0) is
/// Σ_ρ w2[n0, m1·r+ρ, n1] · w1[m1, m0, n0·r+ρ]. Parameters r·c·(N+K).
struct BTTFactors {
  Tensor3 w1; ///< [c, K/c, c·r]
  Tensor3 w2; ///< [c, c·r, N/c]
};

/// The common divisor of N and K nearest (N·K)^¼ (√n for a square n×n),
/// which balances the two cores; the smaller on a tie.
int64_t defaultBTTCores(int64_t rows, int64_t cols);

/// Per-block rank-r SVD (REWRITES.md §2.2). c must divide N and K, and
/// r ≤ min(N/c, K/c).
std::optional<BTTFactors> bttProjection(const Matrix &w, int64_t cores,
                                        int64_t rank, std::string &why);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_STRUCTURED_H
