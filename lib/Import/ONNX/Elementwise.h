//===- Elementwise.h - broadcasting n-ary ops, in IR or folded --*- C++ -*-===//

#ifndef LINEA_LIB_IMPORT_ONNX_ELEMENTWISE_H
#define LINEA_LIB_IMPORT_ONNX_ELEMENTWISE_H

#include "EmitUtils.h"
#include "ImportContext.h"

namespace linea::onnx_import {

/// Computes one folded element: `out[o]` from inputs `ins` at linear
/// indices `idx`. Returns false when the element cannot be folded (integer
/// division by zero, ...), in which case the op is emitted as IR instead.
using HostElementFn = llvm::function_ref<bool(
    ConstData &out, int64_t o, llvm::ArrayRef<const ConstData *> ins,
    llvm::ArrayRef<int64_t> idx)>;

/// Defines output 0 of `ctx` as the numpy-broadcast elementwise op over
/// node inputs `inputs` with element kind `outKind`: folded with `host` when
/// all inputs are constants (and small, or all splats), else a
/// linalg.generic whose scalar body is `body` (one block argument per input,
/// in its stored element type).
mlir::LogicalResult emitNary(NodeContext &ctx, llvm::ArrayRef<unsigned> inputs,
                             ElemKind outKind, BodyFn body,
                             HostElementFn host);

} // namespace linea::onnx_import

#endif // LINEA_LIB_IMPORT_ONNX_ELEMENTWISE_H
