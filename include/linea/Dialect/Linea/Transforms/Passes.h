//===- Passes.h - linea passes ----------------------------------*- C++ -*-===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_PASSES_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_PASSES_H

#include "linea/Dialect/Linea/IR/LineaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace linea {

#define GEN_PASS_DECL
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_PASSES_H
