//===- LineaInterfaces.h - LinearLayerOpInterface ---------------*- C++ -*-===//

#ifndef LINEA_DIALECT_LINEA_IR_LINEAINTERFACES_H
#define LINEA_DIALECT_LINEA_IR_LINEAINTERFACES_H

#include "linea/Numerics/Matrix.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Support/LLVM.h"
#include <string>

namespace linea {
class LinearLayerOpInterface;
namespace detail {
/// Sum of the element counts of the op's weight operands.
int64_t countWeightParameters(mlir::Operation *op);
/// Sum of the stored bytes of the op's weight operands.
int64_t countWeightBytes(mlir::Operation *op);
} // namespace detail
} // namespace linea

#include "linea/Dialect/Linea/IR/LineaInterfaces.h.inc"

#endif // LINEA_DIALECT_LINEA_IR_LINEAINTERFACES_H
