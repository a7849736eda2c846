//===- Passes.h - linea conversion passes and pipelines ---------*- C++ -*-===//

#ifndef LINEA_CONVERSION_PASSES_H
#define LINEA_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace linea {

#define GEN_PASS_DECL
#include "linea/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "linea/Conversion/Passes.h.inc"

/// Options of the `linea-lower-to-llvm` pipeline.
struct LowerToLLVMOptions
    : public mlir::PassPipelineOptions<LowerToLLVMOptions> {
  Option<bool> cpuKernels{
      *this, "cpu-kernels",
      llvm::cl::desc("Lower linear-layer contractions to register-tiled "
                     "vector kernels for the host CPU "
                     "(linea-cpu-contraction-kernels); false keeps the "
                     "reference scalar loops"),
      llvm::cl::init(true)};
};

/// linea (or linalg-on-tensors) → LLVM dialect for the CPU JIT:
/// linea-jit-entry-points, linea-to-linalg, bufferization, CPU contraction
/// kernels, loops, LLVM.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm);
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// Registers the `linea-lower-to-llvm` pipeline (the passes themselves are
/// registered by the generated registerLineaConversionPasses()).
void registerLineaConversionPipelines();

} // namespace linea

#endif // LINEA_CONVERSION_PASSES_H
