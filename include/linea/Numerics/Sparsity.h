//===- Sparsity.h - magnitude pruning to BSR and N:M forms ------*- C++ -*-===//
//
// REWRITES.md §5: the encodings of linea.bsr_linear and linea.nm_linear,
// chosen by magnitude (the Frobenius-nearest matrix with that pattern).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_SPARSITY_H
#define LINEA_NUMERICS_SPARSITY_H

#include "linea/Numerics/Matrix.h"

namespace linea::numerics {

/// W[N, K] in block compressed sparse rows with bn×bk blocks.
struct BsrCode {
  int64_t blockRows = 0, blockCols = 0; // bn, bk
  std::vector<float> values;            // [nnzb, bn, bk]
  std::vector<int32_t> colIndices;      // [nnzb], increasing per block row
  std::vector<int32_t> rowOffsets;      // [N/bn + 1]
  int64_t numBlocks() const { return static_cast<int64_t>(colIndices.size()); }
};

/// Keeps the round((1 − sparsity) · #blocks) blocks of largest Frobenius
/// norm (at least one; ties broken by position), dropping the rest. N and K
/// must be multiples of bn and bk; 0 ≤ sparsity < 1. With `columnWeight`
/// (K entries, e.g. ‖X[:, k]‖ from calibration) the norm is that of
/// W·diag(columnWeight) — the Wanda score, which keeps the weights that
/// matter for the output rather than the largest ones.
BsrCode pruneBlocks(const Matrix &w, int64_t bn, int64_t bk, double sparsity,
                    const std::vector<float> &columnWeight = {});

/// W[N, K] with n of every m consecutive columns kept per row.
struct NmCode {
  int64_t n = 0, m = 0;
  std::vector<float> values;   // [N, K·n/m]
  std::vector<int8_t> indices; // [N, K·n/m], increasing within each group
};

/// Keeps, in every group of m consecutive columns of each row, the n
/// entries of largest magnitude (times columnWeight[k] when given; ties to
/// the lower column). K must be a multiple of m and 0 < n < m.
NmCode pruneNM(const Matrix &w, int64_t n, int64_t m,
               const std::vector<float> &columnWeight = {});

/// The dense matrices the codes stand for.
Matrix decodeBsr(const BsrCode &code, int64_t rows, int64_t cols);
Matrix decodeNM(const NmCode &code, int64_t rows, int64_t cols);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_SPARSITY_H
