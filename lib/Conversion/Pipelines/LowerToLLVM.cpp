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
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace linea {

void buildLowerToLLVMPipeline(OpPassManager &pm) {
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

  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createConvertLinalgToLoopsPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  expand.includeF8E8M0 = true;
  expand.includeF4E2M1 = true;
  funcPm.addPass(arith::createArithExpandOpsPass(expand));

  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
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
  PassPipelineRegistration<>(
      "linea-lower-to-llvm",
      "Lower linea (or linalg-on-tensors) to the LLVM dialect for the CPU JIT",
      buildLowerToLLVMPipeline);
}

} // namespace linea
