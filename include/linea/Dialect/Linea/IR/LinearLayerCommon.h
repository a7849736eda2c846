//===- LinearLayerCommon.h - checks shared by linear-layer ops --*- C++ -*-===//
//
// Every linear-layer op has x[..., K] → y[..., N] with an optional bias[N];
// these helpers verify that part once, and the weight operands' shapes,
// with messages that name the operand and the numbers.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_IR_LINEARLAYERCOMMON_H
#define LINEA_DIALECT_LINEA_IR_LINEARLAYERCOMMON_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

namespace linea {

/// Verifies x[..., K], y[..., N] (same leading dims and element type as x)
/// and the optional bias[N] (y's element type). x's last dim must be static.
mlir::LogicalResult verifyLinearLayerIO(mlir::Operation *op, mlir::Value x,
                                        mlir::Value bias, mlir::Value y,
                                        int64_t inFeatures,
                                        int64_t outFeatures);

/// Verifies that `value` (operand `name`) is a statically shaped tensor of
/// rank `rank`.
mlir::LogicalResult verifyStaticRank(mlir::Operation *op, llvm::StringRef name,
                                     mlir::Value value, int64_t rank);

/// Verifies that dimension `dim` of operand `name` equals `expected`;
/// `what` says where the expectation comes from ("K", "N / blocks", ...).
mlir::LogicalResult verifyDim(mlir::Operation *op, llvm::StringRef name,
                              mlir::Value value, int64_t dim, int64_t expected,
                              llvm::StringRef what);

/// Static dimension `dim` of a ranked tensor value.
int64_t dimOf(mlir::Value value, int64_t dim);

/// Number of elements of a statically shaped tensor value.
int64_t numElementsOf(mlir::Value value);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_IR_LINEARLAYERCOMMON_H
