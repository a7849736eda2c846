//===- linea-opt.cpp - mlir-opt with the linea dialect and passes ---------===//

#include "linea/Conversion/LineaToGPU/CudaArtifacts.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  linea::registerLineaPasses();
  linea::registerLineaConversionPasses();
  linea::registerLineaConversionPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  linea::registerCudaCodegen(registry); // gpu-module-to-binary → PTX
  registry.insert<linea::LineaDialect>();

  auto [input, output] = mlir::registerAndParseCLIOptions(
      argc, argv, "linea optimizer driver\n", registry);
  // Rewrite passes emit one remark per skipped layer, naming it; MLIR's
  // default of printing the whole op after every diagnostic buries them on
  // real models. --mlir-print-op-on-diagnostic brings it back.
  if (auto *printOp = static_cast<llvm::cl::opt<bool> *>(
          llvm::cl::getRegisteredOptions().lookup(
              "mlir-print-op-on-diagnostic"));
      printOp && printOp->getNumOccurrences() == 0)
    printOp->setValue(false);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, input, output, registry));
}
