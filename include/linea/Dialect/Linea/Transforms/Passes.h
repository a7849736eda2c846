//===- Passes.h - linea passes ----------------------------------*- C++ -*-===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_PASSES_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace linea {

#define GEN_PASS_DECL
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_PASSES_H
