//===- LineaDialect.cpp - linea dialect registration and generated code ---===//
//
// Holds the generated definitions of every op, attribute, enum and
// interface; each op group's verifier and interface methods live in its own
// file (LinearOp.cpp, StructuredOps.cpp, QuantLinearOp.cpp, ...).
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace linea;

#include "linea/Dialect/Linea/IR/LineaDialect.cpp.inc"
#include "linea/Dialect/Linea/IR/LineaEnums.cpp.inc"
#include "linea/Dialect/Linea/IR/LineaInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "linea/Dialect/Linea/IR/LineaAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "linea/Dialect/Linea/IR/LineaOps.cpp.inc"

void LineaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "linea/Dialect/Linea/IR/LineaOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "linea/Dialect/Linea/IR/LineaAttrs.cpp.inc"
      >();
}
