//===- ShiftAdd.h - weights as sums of signed powers of two -----*- C++ -*-===//
//
// REWRITES.md §4: W[n, k] ≈ scale[n] · Σ_t sign[t,n,k] · 2^exp[t,n,k], the
// encoding of linea.shift_linear.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_SHIFTADD_H
#define LINEA_NUMERICS_SHIFTADD_H

#include "linea/Numerics/Matrix.h"

namespace linea::numerics {

/// The shift-add code of W[N, K] with T terms.
struct ShiftAddCode {
  int64_t terms = 0, rows = 0, cols = 0;
  std::vector<int8_t> exponents; // [T, N, K]
  std::vector<int8_t> signs;     // [T, N, K], −1, 0 or +1
  std::vector<float> rowScale;   // [N], powers of two
};

/// Encodes `w` greedily: each row is prescaled by the power of two
/// 2^⌈log2 max|w[n,:]|⌉ so that every |w / scale| ≤ 1; then each of `terms`
/// terms takes the signed power of two 2^p, p ∈ [minExponent, 0], nearest
/// (in absolute difference) to the remaining residual, or 0 when the
/// residual is nearer to 0 than to 2^minExponent. minExponent ≤ 0 comes
/// from the code width b of REWRITES.md §4: −(2^(b−1) − 2).
ShiftAddCode encodeShiftAdd(const Matrix &w, int64_t terms,
                            int64_t minExponent);

/// The matrix a code stands for (scale · Σ_t sign · 2^exp), in f32.
Matrix decodeShiftAdd(const ShiftAddCode &code);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_SHIFTADD_H
