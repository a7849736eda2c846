//===- CudaArtifacts.cpp - the CUDA pipeline as one call ------------------===//

#include "linea/Conversion/LineaToGPU/CudaArtifacts.h"
#include "linea/Conversion/Passes.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

using namespace mlir;

namespace linea {

void registerCudaCodegen(DialectRegistry &registry) {
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerAllToLLVMIRTranslations(registry);
}

void buildCudaPipeline(OpPassManager &pm, llvm::StringRef outDir,
                       const CudaEmitOptions &options) {
  LineaToGPUOptions gen;
  gen.rowsPerWarp.assign(options.rowsPerWarp.begin(),
                         options.rowsPerWarp.end());
  gen.unroll.assign(options.unroll.begin(), options.unroll.end());
  gen.gridStride.assign(options.gridStride.begin(), options.gridStride.end());
  gen.chip = options.chip;
  gen.hostFallback = options.hostFallback;
  pm.addPass(createLineaToGPU(gen));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
  WriteCudaArtifactsOptions write;
  write.outDir = outDir.str();
  write.ptxas = options.ptxas;
  pm.addPass(createWriteCudaArtifacts(write));
}

LogicalResult emitCudaArtifacts(ModuleOp module, llvm::StringRef outDir,
                                const CudaEmitOptions &options) {
  OwningOpRef<ModuleOp> clone(module.clone());
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  buildCudaPipeline(pm, outDir, options);
  return pm.run(*clone);
}

} // namespace linea
