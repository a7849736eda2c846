//===- CudaArtifacts.h - CUDA kernels, PTX, cubin and manifest ---*- C++
//-*-===//
//
// The CUDA target of linea: linea-to-gpu generates the kernels, the NVPTX
// backend writes PTX, ptxas assembles the cubin, and manifest.json tells
// the runtime (runtime/) how to launch each kernel. docs/cuda.md.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_CONVERSION_LINEATOGPU_CUDAARTIFACTS_H
#define LINEA_CONVERSION_LINEATOGPU_CUDAARTIFACTS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>
#include <vector>

namespace linea {

/// Options of the CUDA path.
struct CudaEmitOptions {
  /// Kernel variants: one per (rows per warp, unroll) pair; both empty,
  /// linea-to-gpu picks one variant per layer (tensor cores where they
  /// measured faster, docs/cuda.md).
  std::vector<int64_t> rowsPerWarp;
  std::vector<int64_t> unroll;
  /// 1: grid-stride kernels (the runtime sizes the grid to the GPU).
  std::vector<int64_t> gridStride = {1};
  std::string chip = "sm_90a";
  /// Layers and attention without a kernel are left for the host (listed
  /// in manifest.json's host_ops) instead of failing.
  bool hostFallback = false;
  /// ptxas to run; empty searches for it, "none" writes PTX only.
  std::string ptxas;
};

/// Registers what the CUDA path needs beyond the dialects: the NVVM target
/// attribute's serialization and the LLVM IR translations.
void registerCudaCodegen(mlir::DialectRegistry &registry);

/// Appends linea-to-gpu → convert-gpu-to-nvvm (bare pointers) →
/// reconcile-unrealized-casts → gpu-module-to-binary{format=isa} →
/// linea-write-cuda-artifacts{out-dir} to `pm` (anchored on the module).
void buildCudaPipeline(mlir::OpPassManager &pm, llvm::StringRef outDir,
                       const CudaEmitOptions &options = {});

/// Runs the CUDA pipeline on a clone of `module` (which is left unchanged)
/// and writes `outDir`/linea_kernels.ptx, linea_kernels.cubin (when ptxas
/// is found) and manifest.json. Diagnostics go to the context's handler.
/// The context must have had registerCudaCodegen applied.
mlir::LogicalResult emitCudaArtifacts(mlir::ModuleOp module,
                                      llvm::StringRef outDir,
                                      const CudaEmitOptions &options = {});

/// The ptxas linea-write-cuda-artifacts runs: `hint` if executable, else
/// $CUDA_HOME/bin/ptxas, /usr/local/cuda/bin/ptxas or ptxas on PATH.
std::optional<std::string> findPtxas(llvm::StringRef hint = "");

} // namespace linea

#endif // LINEA_CONVERSION_LINEATOGPU_CUDAARTIFACTS_H
