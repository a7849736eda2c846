//===- EmitUtils.h - IR and host-folding helpers of the handlers -*- C++ -*-===//
//
// Building blocks shared by the op families: numpy broadcasting (in IR as
// linalg.generic indexing maps, on the host as index arithmetic), reshapes
// through tensor.expand_shape/collapse_shape, reductions, scalar casts and
// the f32 compute type of f16/bf16 arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_IMPORT_ONNX_EMITUTILS_H
#define LINEA_LIB_IMPORT_ONNX_EMITUTILS_H

#include "ConstData.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

namespace linea::onnx_import {

/// Builds the scalar body of a linalg.generic from its block arguments.
using BodyFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                              mlir::ValueRange)>;

// ---- Shapes ---------------------------------------------------------------

/// Numpy (multidirectional) broadcast of `shapes`, or nullopt when two
/// dimensions differ and neither is 1.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

/// The indexing map from the loops of an output of shape `out` to an input
/// of shape `in` under numpy broadcasting (trailing dims aligned; size-1
/// dims of `in` read index 0).
mlir::AffineMap broadcastMap(llvm::ArrayRef<int64_t> in,
                             llvm::ArrayRef<int64_t> out,
                             mlir::MLIRContext *context);

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

// ---- IR -------------------------------------------------------------------

mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape,
                                  mlir::Type elem);
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<int64_t> shape, mlir::Type elem);
/// tensor.empty filled with `value` by linalg.fill.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<int64_t> shape, mlir::Value value);
/// A scalar arith.constant of `type` (float or integer) with value `v`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double v);
mlir::TypedAttr scalarAttr(mlir::Type type, double v);

/// linalg.generic over an output of shape `outShape` and element `outElem`
/// whose inputs are broadcast numpy-style; `body` gets one scalar per input.
mlir::Value mapElementwise(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::ValueRange inputs,
                           llvm::ArrayRef<int64_t> outShape,
                           mlir::Type outElem, BodyFn body);

/// linalg.generic without inputs whose body computes each element from the
/// loop indices (`body` gets the indices as `index` values).
mlir::Value generateTensor(mlir::OpBuilder &b, mlir::Location loc,
                           llvm::ArrayRef<int64_t> shape, mlir::Type elem,
                           BodyFn body);

/// `value` reshaped to `shape` (same element count) with one
/// tensor.collapse_shape / expand_shape when the dims regroup, else through
/// a 1-D tensor.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value value, llvm::ArrayRef<int64_t> shape);

/// linalg.transpose with result dim i = input dim perm[i].
mlir::Value transposeTo(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> perm);

/// Reduces `value` over `axes` (sorted, unique) with `combine(elem, acc)`
/// starting from `init` (a scalar of `accElem`); elements are converted to
/// `accElem` first. With `keepDims` the reduced dims stay as 1.
mlir::Value reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                   llvm::ArrayRef<int64_t> axes, bool keepDims,
                   mlir::Type accElem, mlir::Value init, BodyFn combine);

/// Converts scalar `v` to `to`. Signedness of integers (and bool, which is
/// unsigned) comes from `fromKind` and `toKind`; float → int truncates
/// toward zero, → bool compares with zero.
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value v, ElemKind fromKind, ElemKind toKind);

/// Tensor-level convertScalar (a linalg.generic), or `value` unchanged.
mlir::Value convertTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, ElemKind fromKind,
                          ElemKind toKind);

/// The type float arithmetic on `kind` is computed in: f32 for f16/bf16
/// (rounded back once per op, as the ONNX reference does), else itself.
mlir::Type computeType(ElemKind kind, mlir::MLIRContext *context);
/// Scalar `v` widened to / narrowed from the compute type of `kind`.
mlir::Value toCompute(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
mlir::Value fromCompute(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                        mlir::Type elem);

// ---- Host folding ---------------------------------------------------------

/// Calls `fn(outIndex, inIndices)` for each element of a broadcast output of
/// shape `out`, where inIndices[k] is the linear index into input k of shape
/// `ins[k]`.
void forEachBroadcast(llvm::ArrayRef<llvm::ArrayRef<int64_t>> ins,
                      llvm::ArrayRef<int64_t> out,
                      llvm::function_ref<void(int64_t, llvm::ArrayRef<int64_t>)>
                          fn);

/// Calls `fn(outIndex, multiIndex)` for each element of shape `shape`.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  llvm::function_ref<void(int64_t, llvm::ArrayRef<int64_t>)>
                      fn);

} // namespace linea::onnx_import

#endif // LINEA_LIB_IMPORT_ONNX_EMITUTILS_H
