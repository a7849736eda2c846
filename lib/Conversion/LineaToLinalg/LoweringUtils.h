//===- LoweringUtils.h - building blocks of the reference lowering -*- C++ -*-===//
//
// Small tensor-level builders shared by every op group's lowering: element
// casts, empty tensors with the dynamic dims of another, the x·Wᵀ contraction
// and the bias/cast epilogue of a linear layer. All arithmetic is f32.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOLINALG_LOWERINGUTILS_H
#define LINEA_LIB_CONVERSION_LINEATOLINALG_LOWERINGUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

namespace linea {

/// Converts every element of ranked tensor `value` to `elementType`
/// (extf/truncf with round-to-nearest-even, sitofp, fptosi); returns `value`
/// itself when the type already matches.
mlir::Value castElements(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, mlir::Type elementType);

/// Converts a scalar to `type` (same rules as castElements).
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, mlir::Type type);

/// `tensor.empty` of `shape` (dynamic entries take the size of the same
/// dim of `dimSource`, which must then have at least that rank).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                        mlir::Value dimSource = {});

/// A tensor of `shape` filled with `value` (an f32 constant).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<int64_t> shape, double value,
                         mlir::Value dimSource = {});

/// y[..., n] = Σ_k x[..., k]·w[n, k] for f32 x[..., K] and f32 w[N, K];
/// returns f32 y[..., N] (leading dims of x, dynamic ones included).
mlir::Value contractLastDim(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value x, mlir::Value w);

/// The epilogue of every linear layer: adds `bias` (any float type, may be
/// null) to f32 `y`, then rounds to `resultType`'s element type, and casts
/// to `resultType` when only static/dynamic dims differ.
mlir::Value finishLinear(mlir::OpBuilder &b, mlir::Location loc, mlir::Value y,
                         mlir::Value bias, mlir::Type resultType);

/// An f32 constant scalar.
mlir::Value f32Constant(mlir::OpBuilder &b, mlir::Location loc, double value);

/// e4m3(v): the nearest fp8 E4M3 value of f32 `v` (a scalar or a vector),
/// ties to the even code, saturating to ±448, NaN kept, as an f32 of v's
/// type (docs/formats.md §6). Shared by the reference lowering and the CPU
/// kernels, which must round alike.
mlir::Value roundToE4M3(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value v);

} // namespace linea

#endif // LINEA_LIB_CONVERSION_LINEATOLINALG_LOWERINGUTILS_H
