//===- LowerToLLVM.cpp - the linea-lower-to-llvm pipeline -----------------===//
//
// The standard CPU path of the reference semantics: linea → linalg on
// tensors → bufferized loops → LLVM dialect, ready for the ExecutionEngine.
// Also accepts modules already at the linalg stage (the linea steps are then
// no-ops).
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace linea {

/// Register tiles for the host the JIT compiles for: 32 vector registers
/// with AVX-512 (4×4 accumulators + 8 operands), 16 with AVX2 (3×4 + 4).
static CpuContractionKernelsOptions hostKernelOptions() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  CpuContractionKernelsOptions options;
  if (features.lookup("avx512f")) {
    options.vectorWidth = 16;
    options.tileM = 4;
    options.tileN = 4;
  } else if (features.lookup("avx2") || features.lookup("avx")) {
    options.vectorWidth = 8;
    options.tileM = 3;
    options.tileN = 4;
  } else {
    options.vectorWidth = 4;
    options.tileM = 2;
    options.tileN = 4;
  }
  return options;
}

void buildLowerToLLVMPipeline(OpPassManager &pm) {
  buildLowerToLLVMPipeline(pm, LowerToLLVMOptions());
}

void buildLowerToLLVMPipeline(OpPassManager &pm,
                              const LowerToLLVMOptions &options) {
  pm.addPass(createJitEntryPoints());
  pm.addPass(createLineaToLinalg());
  pm.addPass(createCanonicalizerPass());
  // Elementwise arith/math on tensors (from users or importers) → linalg.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // In-place tensor.insert_slice (concatenation from importers) bufferizes
  // to a memref.copy between two equal subviews; CSE makes them one value
  // and the canonicalizer drops the self-copy, which would otherwise lower
  // to a call into MLIR's C runner library.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // A tensor.insert_slice of a matching extract_slice (a step written in
  // place into a slice of a loop-carried tensor) bufferizes to a copy between
  // two identical subviews; CSE makes them one value so the copy folds away.
  // Left in, a strided memref.copy needs `memrefCopy` from the runner
  // library, which the JIT does not load.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());

  // Frees every temporary the function allocates (a quantized layer's
  // decoded weight is one per call). Returned buffers go to the caller;
  // returned views of arguments become clones (so every result is the
  // caller's to free), lowered here to alloc + copy.
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  if (options.cpuKernels)
    funcPm.addPass(createCpuContractionKernels(hostKernelOptions()));
  funcPm.addPass(createConvertLinalgToLoopsPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  expand.includeF8E8M0 = true;
  expand.includeF4E2M1 = true;
  funcPm.addPass(arith::createArithExpandOpsPass(expand));

  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void registerLineaConversionPipelines() {
  PassPipelineRegistration<LowerToLLVMOptions>(
      "linea-lower-to-llvm",
      "Lower linea (or linalg-on-tensors) to the LLVM dialect for the CPU JIT",
      [](OpPassManager &pm, const LowerToLLVMOptions &options) {
        buildLowerToLLVMPipeline(pm, options);
      });
}

} // namespace linea
