//===- LayerReport.h - per-layer rows of linea-report ----------*- C++ -*-===//
//
// The rows linea-report prints (form, shape, size, cost and weight error of
// every linear layer), shared with linea-compile --report so both tools
// describe a layer the same way.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_LAYERREPORT_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_LAYERREPORT_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace linea {

struct LayerRow {
  std::string name;
  /// The op mnemonic without the dialect: "linear", "quant_linear", ...
  std::string form;
  int64_t outFeatures = 0;
  int64_t inFeatures = 0;
  int64_t params = 0;
  int64_t bytes = 0;
  int64_t flops = 0;
  /// Bytes of the dense N×K weight in the activation type.
  int64_t denseBytes = 0;
  /// ‖W − Ŵ‖_F/‖W‖_F recorded by the rewrite that made the layer.
  std::optional<double> weightError;
};

/// One row per op implementing LinearLayerOpInterface under `root`, in
/// program order, named as the rewrite passes' only=/except= expect.
llvm::SmallVector<LayerRow> collectLayerRows(mlir::Operation *root);

/// The sums of params, bytes, flops and dense bytes, named "total".
LayerRow sumLayerRows(llvm::ArrayRef<LayerRow> rows);

/// denseBytes ÷ bytes (0 when nothing is stored).
double compression(const LayerRow &row);

/// linea-report's table: a header, the rows, then `total`.
void printLayerTable(llvm::ArrayRef<LayerRow> rows, const LayerRow &total,
                     llvm::raw_ostream &os);

/// A row as linea-report writes it to JSON; an absent weight error is null.
llvm::json::Object layerRowJson(const LayerRow &row);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_LAYERREPORT_H
