//===- Passes.h - linea conversion passes and pipelines ---------*- C++ -*-===//

#ifndef LINEA_CONVERSION_PASSES_H
#define LINEA_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace linea {

#define GEN_PASS_DECL
#include "linea/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linea/Conversion/Passes.h.inc"

/// linea (or linalg-on-tensors) → LLVM dialect for the CPU JIT:
/// linea-jit-entry-points, linea-to-linalg, bufferization, loops, LLVM.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm);

/// Registers the `linea-lower-to-llvm` pipeline (the passes themselves are
/// registered by the generated registerLineaConversionPasses()).
void registerLineaConversionPipelines();

} // namespace linea

#endif // LINEA_CONVERSION_PASSES_H
