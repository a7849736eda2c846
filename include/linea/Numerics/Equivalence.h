//===- Equivalence.h - function-preserving weight transforms ----*- C++ -*-===//
//
// SmoothQuant and rotation-based quantization (REWRITES.md §3.2, §3.5) do
// not approximate W: they move difficulty between x and W with an exact
// change of basis, x Wᵀ = (x D⁻¹)(W D)ᵀ for a diagonal D and
// x Wᵀ = (x H)(W H)ᵀ for an orthonormal H. This is the weight side of both.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_EQUIVALENCE_H
#define LINEA_NUMERICS_EQUIVALENCE_H

#include "linea/Numerics/Matrix.h"

#include <vector>

namespace linea::numerics {

/// max_n |w[n, k]| for every column k.
std::vector<float> columnAbsMax(const Matrix &w);

/// SmoothQuant's per-channel scales s_k = actMax_k^α / weightMax_k^(1−α),
/// clamped to at least 1e-5; s_k = 1 where either maximum is zero (nothing
/// to balance). The vectors must have the same length; both hold finite
/// non-negative values.
std::vector<float> smoothingScales(const std::vector<float> &actMax,
                                   const std::vector<float> &weightMax,
                                   double alpha);

/// w[:, k] *= s[k].
void scaleColumns(Matrix &w, const std::vector<float> &s);

/// w ← w · blockdiag(H_B, …) with H_B the Sylvester Hadamard matrix of
/// order B scaled by 1/√B (the `linea.hadamard` convention, normalized);
/// B is a power of two dividing w.cols. Fast transform per row, f64
/// arithmetic, each result rounded once to f32.
void rotateColumnsHadamard(Matrix &w, int64_t blockSize);

/// The largest power of two ≤ maxBlock that divides k (1 when k is odd).
int64_t largestPowerOfTwoBlock(int64_t k, int64_t maxBlock);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_EQUIVALENCE_H
