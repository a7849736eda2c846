//===- HeadTrace.h - proving repeated attention heads -----------*- C++ -*-===//
//
// Grouped-query attention materializes its key/value heads before the score
// matmul: torch's `repeat_interleave(g, dim=1)` exports as per-head slices,
// each broadcast g times and concatenated; `x[:, :, None].expand(...)
// .reshape(...)` as one broadcast and a reshape. linea.attention takes the
// un-repeated [B, Hkv, T, D] tensors instead, so linea-raise must prove which
// head of which tensor every materialized head copies.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_DIALECT_LINEA_TRANSFORMS_RAISE_HEADTRACE_H
#define LINEA_LIB_DIALECT_LINEA_TRANSFORMS_RAISE_HEADTRACE_H

#include "mlir/IR/Value.h"

#include <cstdint>
#include <optional>

namespace linea::raise {

/// Rank-4 tensor heads [off, off + H/group) of `base` ([B, Hb, T, D]), each
/// repeated `group` times in a row, give the traced [B, H, T, D] tensor.
struct RepeatedHeads {
  mlir::Value base;
  int64_t offset = 0;
  int64_t group = 1;
};

/// Proves that the static [B, H, T, D] tensor `value` is `base` with its
/// heads repeated: value[:, j] == base[:, offset + j / group] for every head
/// j. Looks through linalg.copy, tensor.empty + insert_slice chains
/// (concatenation along the heads), rank-preserving extract_slice,
/// broadcasting linalg.generic copies, and expand/collapse_shape that only
/// split or merge head dims (dim 0 and the last two dims stay). Returns
/// `value` itself with group 1 when nothing deeper can be proved; nullopt
/// only for a non-static or non-rank-4 `value`.
std::optional<RepeatedHeads> traceRepeatedHeads(mlir::Value value);

} // namespace linea::raise

#endif // LINEA_LIB_DIALECT_LINEA_TRANSFORMS_RAISE_HEADTRACE_H
