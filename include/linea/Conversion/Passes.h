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
  Option<bool> quantKernels{
      *this, "quant-kernels",
      llvm::cl::desc("With cpu-kernels: lower supported linea.quant_linear "
                     "layers to vector kernels that decode the packed "
                     "weight in registers (linea-cpu-quant-kernels); false "
                     "keeps the reference lowering for them"),
      llvm::cl::init(true)};
  Option<bool> attentionKernels{
      *this, "attention-kernels",
      llvm::cl::desc("With cpu-kernels: lower linea.attention to fused "
                     "online-softmax kernels (linea-cpu-attention-kernels); "
                     "false keeps the reference lowering for it"),
      llvm::cl::init(true)};
  Option<bool> sparseKernels{
      *this, "sparse-kernels",
      llvm::cl::desc("With cpu-kernels: lower linea.shift_linear, "
                     "linea.bsr_linear and linea.nm_linear to vector kernels "
                     "that never form the dense weight "
                     "(linea-cpu-shift-kernels, linea-cpu-bsr-kernels, "
                     "linea-cpu-nm-kernels); false keeps the reference "
                     "lowering for them"),
      llvm::cl::init(true)};
  Option<bool> lowRankKernels{
      *this, "lowrank-kernels",
      llvm::cl::desc("With cpu-kernels: lower linea.lowrank_linear to one "
                     "kernel for both stages, the rank-r intermediate in a "
                     "stack buffer (linea-cpu-lowrank-kernels); off by "
                     "default: it measured 0.97-0.99x the two contraction "
                     "kernels at M = 1 and 16 (docs/benchmarks.md)"),
      llvm::cl::init(false)};
  Option<bool> normKernels{
      *this, "norm-kernels",
      llvm::cl::desc("With cpu-kernels: lower linea.rms_norm and "
                     "linea.layer_norm to vector kernels, and fuse a "
                     "weightless rms_norm's 1/rms into the consuming "
                     "linea.linear's epilogue (linea-cpu-norm-kernels); "
                     "false keeps the reference lowering for them"),
      llvm::cl::init(true)};
  Option<bool> prepackWeights{
      *this, "prepack-weights",
      llvm::cl::desc("With cpu-kernels: store constant f32 weights of "
                     "linear layers (N a multiple of the GEMM panel) as the "
                     "packed GEMM's panels at compile time "
                     "(linea-cpu-prepack-weights), so that every M runs the "
                     "GEMM without packing at run time"),
      llvm::cl::init(true)};
  Option<std::string> targetCpu{
      *this, "target-cpu",
      llvm::cl::desc("CPU whose features choose the kernels' vector width, "
                     "tiles and instructions: native (the host) or an LLVM "
                     "x86 CPU name such as x86-64-v3 or skylake-avx512 "
                     "(CpuTarget.h)"),
      llvm::cl::init("native")};
  Option<int64_t> numThreads{
      *this, "num-threads",
      llvm::cl::desc("Threads for scf.parallel loops (OpenMP, libomp): 0 "
                     "takes $LINEA_NUM_THREADS, else the physical cores; 1 "
                     "emits no threading at all"),
      llvm::cl::init(0)};
  Option<int64_t> minParallelWork{
      *this, "min-parallel-work",
      llvm::cl::desc("Fewest multiply-adds (M·N·K) of a contraction worth "
                     "starting threads for"),
      llvm::cl::init(int64_t(1) << 20)};
  Option<std::string> tileTable{
      *this, "tile-table",
      llvm::cl::desc("JSON table of per-shape contraction tiles "
                     "(linea-compile --autotune); shapes it lists override "
                     "the host's tiles (linea-cpu-tile-table)"),
      llvm::cl::init("")};
  Option<bool> runtimeThreads{
      *this, "runtime-threads",
      llvm::cl::desc("With more than one thread: each OpenMP region asks "
                     "linea_num_threads() for its team size at run time "
                     "(linea-runtime-thread-count; linea-compile's C wrapper "
                     "defines it)"),
      llvm::cl::init(false)};
};

/// The contraction kernels' options for the host CPU (vector width and
/// register tile by its vector registers), as linea-lower-to-llvm uses them.
CpuContractionKernelsOptions hostKernelOptions();
/// The same for a CPU with `features` (CpuTarget::features).
CpuContractionKernelsOptions
kernelOptionsFor(const llvm::StringMap<bool> &features);

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
