//===- ConstantWeights.h - reading constant weight operands -----*- C++ -*-===//
//
// Weights reach passes as constants: `arith.constant dense<...>` or
// `dense_resource<...>` blobs from the ONNX importer. These helpers read
// either into plain vectors so that the weight arithmetic needs no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_IR_CONSTANTWEIGHTS_H
#define LINEA_DIALECT_LINEA_IR_CONSTANTWEIGHTS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include <string>
#include <vector>

namespace linea {

/// The elements attribute of `value` when it is produced by a constant-like
/// op (arith.constant, ...), else null.
mlir::ElementsAttr getConstantElements(mlir::Value value);

/// The elements of a constant float tensor, converted to f32, row-major.
/// Handles dense and dense_resource attributes of every float type. Fails,
/// writing a message naming `operandName` into `reason`, when `value` is
/// not a constant float tensor.
mlir::FailureOr<std::vector<float>>
readConstantFloats(mlir::Value value, llvm::StringRef operandName,
                   std::string *reason);

/// The elements of a constant integer tensor, sign-extended to int64.
mlir::FailureOr<std::vector<int64_t>>
readConstantInts(mlir::Value value, llvm::StringRef operandName,
                 std::string *reason);

/// Raw stored bytes of a constant i8 tensor (packed quantized weights).
mlir::FailureOr<std::vector<uint8_t>>
readConstantBytes(mlir::Value value, llvm::StringRef operandName,
                  std::string *reason);

/// Raw bit patterns of a constant tensor of any element type of at most
/// 64 bits (f8E8M0FNU and f8E4M3FN scales, for instance), zero-extended.
mlir::FailureOr<std::vector<uint64_t>>
readConstantBits(mlir::Value value, llvm::StringRef operandName,
                 std::string *reason);

/// A dense attribute of `shape` holding `values` (row-major f32) in the
/// float type `elementType`, each value rounded to nearest-even: how passes
/// store computed weights.
mlir::DenseElementsAttr floatConstantAttr(llvm::ArrayRef<int64_t> shape,
                                          llvm::ArrayRef<float> values,
                                          mlir::Type elementType);

/// The constants `values` (same element type, same trailing dims, any
/// element type of whole bytes) concatenated along dim 0, or failure with
/// `reason` naming the first operand that is not such a constant.
mlir::FailureOr<mlir::DenseElementsAttr>
concatConstantRows(llvm::ArrayRef<mlir::Value> values, std::string *reason);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_IR_CONSTANTWEIGHTS_H
