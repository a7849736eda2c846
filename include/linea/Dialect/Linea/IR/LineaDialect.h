//===- LineaDialect.h - linea dialect declaration ---------------*- C++ -*-===//

#ifndef LINEA_DIALECT_LINEA_IR_LINEADIALECT_H
#define LINEA_DIALECT_LINEA_IR_LINEADIALECT_H

#include "mlir/IR/Dialect.h"

#include "linea/Dialect/Linea/IR/LineaDialect.h.inc"

#endif // LINEA_DIALECT_LINEA_IR_LINEADIALECT_H
