//===- LinearLayerReport.cpp - the linea-report analysis pass -------------===//
//
// One row per linear layer: what form it is in, what it stores, what it
// costs per token and how far its weight moved, so that users can see what
// a rewrite bought them and what it cost in accuracy; optionally the
// resulting output error against the original module.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/LayerReport.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "ReportOutputError.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace linea {
#define GEN_PASS_DEF_LINEARLAYERREPORT
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

llvm::json::Object toJson(const OutputErrorReport &report) {
  llvm::json::Array outputs;
  for (const OutputErrorRow &row : report.outputs)
    outputs.push_back(llvm::json::Object{
        {"type", row.type},
        {"shape", llvm::json::Array(row.shape)},
        {"max_abs_error", row.maxAbsError},
        {"rel_error", row.relError},
        {"rel_frobenius_error", row.relFrobeniusError},
    });
  llvm::json::Object doc{{"reference", report.referencePath},
                         {"function", report.function},
                         {"outputs", std::move(outputs)}};
  if (report.inputPaths.empty())
    doc["seed"] = static_cast<int64_t>(report.seed);
  else
    doc["inputs"] = llvm::json::Array(report.inputPaths);
  return doc;
}

struct LinearLayerReportPass
    : linea::impl::LinearLayerReportBase<LinearLayerReportPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<LayerRow> rows = collectLayerRows(getOperation());
    LayerRow total = sumLayerRows(rows);
    std::optional<OutputErrorReport> outputError;
    if (!referencePath.empty()) {
      FailureOr<OutputErrorReport> measured = measureOutputError(
          getOperation(), referencePath, inputPaths, seed, entry);
      if (failed(measured))
        return signalPassFailure();
      outputError = std::move(*measured);
    }
    if (printTable) {
      printLayerTable(rows, total, llvm::outs());
      if (outputError)
        printOutputError(*outputError, llvm::outs());
    }
    if (!jsonPath.empty() && failed(writeJson(rows, total, outputError)))
      return signalPassFailure();
    markAllAnalysesPreserved();
  }

  LogicalResult writeJson(ArrayRef<LayerRow> rows, const LayerRow &total,
                          const std::optional<OutputErrorReport> &outputs) {
    llvm::json::Array layers;
    for (const LayerRow &r : rows)
      layers.push_back(layerRowJson(r));
    llvm::json::Object object{{"layers", std::move(layers)},
                              {"total", layerRowJson(total)}};
    if (outputs)
      object["output_error"] = toJson(*outputs);
    llvm::json::Value doc = std::move(object);
    if (jsonPath == "-") {
      llvm::outs() << llvm::formatv("{0:2}", doc) << "\n";
      return success();
    }
    std::error_code ec;
    llvm::raw_fd_ostream file(jsonPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return getOperation().emitError() << "linea-report: cannot write '"
                                        << jsonPath << "': " << ec.message();
    file << llvm::formatv("{0:2}", doc) << "\n";
    return success();
  }
};

} // namespace
