//===- LineaAttrs.h - linea enums and attributes ----------------*- C++ -*-===//

#ifndef LINEA_DIALECT_LINEA_IR_LINEAATTRS_H
#define LINEA_DIALECT_LINEA_IR_LINEAATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "linea/Numerics/QuantFormats.h"

#include "linea/Dialect/Linea/IR/LineaEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "linea/Dialect/Linea/IR/LineaAttrs.h.inc"

#endif // LINEA_DIALECT_LINEA_IR_LINEAATTRS_H
