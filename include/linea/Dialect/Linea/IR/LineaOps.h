//===- LineaOps.h - linea ops -----------------------------------*- C++ -*-===//

#ifndef LINEA_DIALECT_LINEA_IR_LINEAOPS_H
#define LINEA_DIALECT_LINEA_IR_LINEAOPS_H

#include "linea/Dialect/Linea/IR/LineaAttrs.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"
#include "linea/Dialect/Linea/IR/LineaInterfaces.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "linea/Dialect/Linea/IR/LineaOps.h.inc"

#endif // LINEA_DIALECT_LINEA_IR_LINEAOPS_H
