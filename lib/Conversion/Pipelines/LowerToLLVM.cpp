//===- LowerToLLVM.cpp - the linea-lower-to-llvm pipeline -----------------===//
//
// The standard CPU path of the reference semantics: linea → linalg on
// tensors → bufferized loops → LLVM dialect, ready for the ExecutionEngine.
// Also accepts modules already at the linalg stage (the linea steps are then
// no-ops). With more than one thread (CpuThreads.h) scf.parallel loops become
// OpenMP regions (convert-scf-to-openmp), which call LLVM's libomp.
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/CpuTarget.h"
#include "linea/Conversion/CpuThreads.h"
#include "linea/Conversion/Passes.h"

#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
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

CpuContractionKernelsOptions hostKernelOptions() {
  return kernelOptionsFor(llvm::sys::getHostCPUFeatures());
}

/// Register tiles by the target's vector registers: 32 with AVX-512 (4×4
/// accumulators + 8 operands; packed GEMM 6×4 + 5), 16 with AVX2 (3×4 + 4;
/// packed GEMM 6×2 + 3).
CpuContractionKernelsOptions
kernelOptionsFor(const llvm::StringMap<bool> &features) {
  CpuContractionKernelsOptions options;
  if (features.lookup("avx512f")) {
    options.vectorWidth = 16;
    options.tileM = 4;
    options.tileN = 4;
  } else if (features.lookup("avx2") || features.lookup("avx")) {
    options.vectorWidth = 8;
    options.tileM = 3;
    options.tileN = 4;
    options.gemmVectors = 2;
  } else {
    options.vectorWidth = 4;
    options.tileM = 2;
    options.tileN = 4;
    options.gemmVectors = 2;
  }
  return options;
}

namespace {
/// Fails the pipeline with `message`: how a bad thread count is reported,
/// since building a pipeline cannot fail.
struct FailPass : PassWrapper<FailPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FailPass)
  explicit FailPass(std::string message) : message(std::move(message)) {}
  StringRef getArgument() const override { return "linea-bad-thread-count"; }
  void runOnOperation() override {
    getOperation().emitError(message);
    signalPassFailure();
  }
  std::string message;
};
} // namespace

/// The quantized kernels take the same vector width; 4×4 tiles (the
/// decoded W vectors are shared by the 4 rows of x). W8A8 multiplies the
/// integer codes with AVX512-VNNI vpdpwssd where the host has it; else it
/// keeps the f32 FMAs (int-dot's shuffles shared across the tile are not
/// selected as vpmaddwd and run slower; docs/benchmarks.md). From M = 64 the
/// weight-only and fake-quant kernels are a GEMM on decoded f32 panels: at
/// M = 128 it measured 1.3–1.7× the in-register decode, at M = 16 and 32
/// slower (docs/benchmarks.md).
static CpuQuantKernelsOptions
quantKernelOptionsFor(const llvm::StringMap<bool> &features) {
  CpuQuantKernelsOptions options;
  options.vectorWidth = kernelOptionsFor(features).vectorWidth;
  options.panelMinRows = 64;
  // x86 lane permutes for the 4-bit codebooks (mxfp4, nvfp4, nf4).
  if (features.lookup("avx512f"))
    options.permuteWidth = 16;
  else if (features.lookup("avx2"))
    options.permuteWidth = 8;
  if (options.vectorWidth == 16 &&
      features.lookup("avx512vnni")) {
    options.intDot = true;
    options.vnni = true;
  }
  return options;
}

void buildLowerToLLVMPipeline(OpPassManager &pm) {
  buildLowerToLLVMPipeline(pm, LowerToLLVMOptions());
}

void buildLowerToLLVMPipeline(OpPassManager &pm,
                              const LowerToLLVMOptions &options) {
  unsigned threads = 1;
  if (options.numThreads < 0) {
    pm.addPass(std::make_unique<FailPass>("linea-lower-to-llvm: num-threads (" +
                                          std::to_string(options.numThreads) +
                                          ") must be 0 (automatic) or more"));
  } else if (auto count = cpuThreadCount(options.numThreads)) {
    threads = *count;
  } else {
    pm.addPass(std::make_unique<FailPass>("linea-lower-to-llvm: " +
                                          toString(count.takeError())));
  }

  // The kernels' choices follow the target CPU (the host unless
  // target-cpu names another).
  llvm::StringMap<bool> features;
  if (auto target = resolveCpuTarget(options.targetCpu)) {
    features = target->features;
  } else {
    pm.addPass(std::make_unique<FailPass>(
        "linea-lower-to-llvm: target-cpu: " + toString(target.takeError())));
    features = llvm::sys::getHostCPUFeatures();
  }
  CpuContractionKernelsOptions targetKernels = kernelOptionsFor(features);

  pm.addPass(createJitEntryPoints());
  // Quantized layers the CPU kernels cover never reach linea-to-linalg's
  // dense decode.
  if (options.cpuKernels && options.quantKernels)
    pm.addPass(createCpuQuantKernels(quantKernelOptionsFor(features)));
  // Shift-add, block-sparse and n:m layers read only their stored bytes,
  // never a dense W.
  if (options.cpuKernels && options.sparseKernels) {
    CpuShiftKernelsOptions shift;
    shift.vectorWidth = targetKernels.vectorWidth;
    pm.addPass(createCpuShiftKernels(shift));
    CpuBsrKernelsOptions bsr;
    bsr.vectorWidth = targetKernels.vectorWidth;
    pm.addPass(createCpuBsrKernels(bsr));
    CpuNMKernelsOptions nm;
    nm.vectorWidth = targetKernels.vectorWidth;
    pm.addPass(createCpuNMKernels(nm));
  }
  // Low-rank layers as one kernel: t = x·vᵀ stays in a per-panel stack
  // buffer instead of an M × r tensor between two contractions (opt-in:
  // not faster than the two contraction kernels at M = 1 and 16).
  if (options.cpuKernels && options.lowRankKernels) {
    CpuLowRankKernelsOptions lowRank;
    lowRank.vectorWidth = targetKernels.vectorWidth;
    pm.addPass(createCpuLowRankKernels(lowRank));
  }
  // Norms as row kernels; a linear layer of a weightless rms_norm (after
  // linea-fold-norms) scales its output rows by 1/rms in the contraction's
  // epilogue instead of reading a normalised copy of x (FlashNorm).
  if (options.cpuKernels && options.normKernels) {
    CpuNormKernelsOptions norm;
    norm.vectorWidth = targetKernels.vectorWidth;
    pm.addPass(createCpuNormKernels(norm));
  }
  // Linear attention and its gated / delta-rule scans in chunks of 64
  // tokens instead of linea-to-linalg's loop over time.
  if (options.cpuKernels) {
    CpuLinearAttentionKernelsOptions linearAttention;
    linearAttention.vectorWidth = targetKernels.vectorWidth;
    linearAttention.numThreads = threads;
    pm.addPass(createCpuLinearAttentionKernels(linearAttention));
  }
  // Softmax attention as fused online-softmax kernels: never the S×T
  // scores of the reference lowering.
  if (options.cpuKernels && options.attentionKernels) {
    CpuAttentionKernelsOptions attention;
    attention.vectorWidth = targetKernels.vectorWidth;
    attention.tileRows = 4 * attention.vectorWidth;
    attention.numThreads = threads;
    attention.minParallelWork = options.minParallelWork;
    pm.addPass(createCpuAttentionKernels(attention));
  }
  // Recurrences become vector scans before linea-to-linalg's per-step loop.
  if (options.cpuKernels) {
    CpuScanKernelsOptions scan;
    scan.vectorWidth = targetKernels.vectorWidth;
    scan.numThreads = threads;
    pm.addPass(createCpuScanKernels(scan));
  }
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

  // Constant weights stored as the packed GEMM's panels: no packing per
  // call (docs/benchmarks.md, "Pre-packed weights").
  if (options.cpuKernels && options.prepackWeights &&
      targetKernels.gemmMinRows > 0) {
    CpuPrepackWeightsOptions prepack;
    prepack.vectorWidth = targetKernels.vectorWidth;
    prepack.panelVectors = targetKernels.gemmVectors;
    pm.addPass(createCpuPrepackWeights(prepack));
  }
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  if (options.cpuKernels) {
    CpuContractionKernelsOptions kernels = targetKernels;
    kernels.numThreads = threads;
    kernels.minParallelWork = options.minParallelWork;
    if (!options.tileTable.empty())
      funcPm.addPass(createCpuTileTable({options.tileTable}));
    funcPm.addPass(createCpuContractionKernels(kernels));
    // The batched small products of Monarch / BTT / Kronecker / BLAST that
    // the contraction kernels do not match.
    CpuStructuredKernelsOptions structured;
    structured.vectorWidth = kernels.vectorWidth;
    structured.tileM = kernels.tileM;
    structured.tileN = kernels.tileN;
    funcPm.addPass(createCpuStructuredKernels(structured));
  }
  funcPm.addPass(createConvertLinalgToLoopsPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  expand.includeF8E8M0 = true;
  expand.includeF4E2M1 = true;
  funcPm.addPass(arith::createArithExpandOpsPass(expand));

  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // One thread: scf-to-cf runs scf.parallel as plain loops, and the code
  // needs no runtime.
  if (threads > 1) {
    pm.addPass(createConvertSCFToOpenMPPass({threads}));
    if (options.runtimeThreads)
      pm.addPass(createRuntimeThreadCount());
    // Each parallel body comes wrapped in a memref.alloca_scope, which must
    // stay one block: scf-to-cf below would split it. The canonicalizer
    // inlines the scopes that hold no alloca (all of the kernels').
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  if (threads > 1)
    pm.addPass(createConvertOpenMPToLLVMPass());
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
