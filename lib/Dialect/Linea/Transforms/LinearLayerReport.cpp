//===- LinearLayerReport.cpp - the linea-report analysis pass -------------===//
//
// One row per linear layer: what form it is in, what it stores, what it
// costs per token and how far its weight moved, so that users can see what
// a rewrite bought them and what it cost in accuracy; optionally the
// resulting output error against the original module.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/LayerSelection.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "ReportOutputError.h"
#include "StructuredRewrite.h"

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

struct LayerRow {
  std::string name;
  std::string form;
  int64_t outFeatures = 0;
  int64_t inFeatures = 0;
  int64_t params = 0;
  int64_t bytes = 0;
  int64_t flops = 0;
  int64_t denseBytes = 0;
  /// ‖W − Ŵ‖_F/‖W‖_F recorded by the rewrite that made the layer.
  std::optional<double> weightError;
};

LayerRow makeRow(LinearLayerOpInterface layer, unsigned indexInFunc) {
  LayerRow row;
  Operation *op = layer.getOperation();
  row.name = layerName(op, indexInFunc);
  row.form = op->getName().stripDialect().str();
  row.outFeatures = layer.getOutFeatures();
  row.inFeatures = layer.getInFeatures();
  row.params = layer.getParameterCount();
  row.bytes = layer.getWeightBytes();
  row.flops = layer.getFlopsPerToken();
  Type actType =
      cast<RankedTensorType>(layer.getInput().getType()).getElementType();
  row.denseBytes =
      row.outFeatures * row.inFeatures * (actType.getIntOrFloatBitWidth() / 8);
  if (auto error = op->getAttrOfType<FloatAttr>(kWeightErrorAttr))
    row.weightError = error.getValueAsDouble();
  return row;
}

double ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : double(num) / double(den);
}

void printTable(ArrayRef<LayerRow> rows, const LayerRow &total,
                llvm::raw_ostream &os) {
  size_t nameWidth = 5, formWidth = 4;
  for (const LayerRow &r : rows) {
    nameWidth = std::max(nameWidth, r.name.size());
    formWidth = std::max(formWidth, r.form.size());
  }
  auto line = [&](StringRef name, StringRef form, StringRef n, StringRef k,
                  StringRef params, StringRef bytes, StringRef flops,
                  StringRef comp, StringRef error) {
    os << llvm::left_justify(name, nameWidth) << "  "
       << llvm::left_justify(form, formWidth) << "  "
       << llvm::right_justify(n, 7) << "  " << llvm::right_justify(k, 7) << "  "
       << llvm::right_justify(params, 12) << "  "
       << llvm::right_justify(bytes, 12) << "  "
       << llvm::right_justify(flops, 12) << "  " << llvm::right_justify(comp, 8)
       << "  " << llvm::right_justify(error, 9) << "\n";
  };
  auto fmtRatio = [](double r) {
    std::string s;
    llvm::raw_string_ostream(s) << llvm::format("%.2fx", r);
    return s;
  };
  auto fmtError = [](std::optional<double> e) -> std::string {
    if (!e)
      return "-";
    std::string s;
    llvm::raw_string_ostream(s) << llvm::format("%.3e", *e);
    return s;
  };
  line("layer", "form", "N", "K", "params", "bytes", "flops/tok", "compr",
       "w_err");
  auto emit = [&](const LayerRow &r, StringRef n, StringRef k) {
    line(r.name, r.form, n, k, std::to_string(r.params),
         std::to_string(r.bytes), std::to_string(r.flops),
         fmtRatio(ratio(r.denseBytes, r.bytes)), fmtError(r.weightError));
  };
  for (const LayerRow &r : rows)
    emit(r, std::to_string(r.outFeatures), std::to_string(r.inFeatures));
  emit(total, "", "");
}

llvm::json::Object toJson(const LayerRow &r) {
  return llvm::json::Object{
      {"name", r.name},
      {"form", r.form},
      {"out_features", r.outFeatures},
      {"in_features", r.inFeatures},
      {"params", r.params},
      {"bytes", r.bytes},
      {"flops_per_token", r.flops},
      {"dense_bytes", r.denseBytes},
      {"compression", ratio(r.denseBytes, r.bytes)},
      {"weight_error", r.weightError ? llvm::json::Value(*r.weightError)
                                     : llvm::json::Value(nullptr)},
  };
}

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
    SmallVector<LayerRow> rows;
    LayerRow total;
    total.name = "total";
    total.form = "";
    getOperation().walk([&](FunctionOpInterface func) {
      unsigned index = 0;
      func.walk([&](LinearLayerOpInterface layer) {
        rows.push_back(makeRow(layer, index++));
      });
    });
    for (const LayerRow &r : rows) {
      total.params += r.params;
      total.bytes += r.bytes;
      total.flops += r.flops;
      total.denseBytes += r.denseBytes;
    }
    std::optional<OutputErrorReport> outputError;
    if (!referencePath.empty()) {
      FailureOr<OutputErrorReport> measured = measureOutputError(
          getOperation(), referencePath, inputPaths, seed, entry);
      if (failed(measured))
        return signalPassFailure();
      outputError = std::move(*measured);
    }
    if (printTable) {
      ::printTable(rows, total, llvm::outs());
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
      layers.push_back(toJson(r));
    llvm::json::Object object{{"layers", std::move(layers)},
                              {"total", toJson(total)}};
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
