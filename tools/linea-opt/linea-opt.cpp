//===- linea-opt.cpp - mlir-opt with the linea dialect and passes ---------===//

#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  linea::registerLineaPasses();
  linea::registerLineaConversionPasses();
  linea::registerLineaConversionPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<linea::LineaDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "linea optimizer driver\n", registry));
}
