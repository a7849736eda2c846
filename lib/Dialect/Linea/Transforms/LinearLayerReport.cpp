//===- LinearLayerReport.cpp - the linea-report analysis pass -------------===//
//
// One row per linear layer: what form it is in, what it stores and what it
// costs per token, so that users can see what a rewrite bought them.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/LayerSelection.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

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
                  StringRef comp) {
    os << llvm::left_justify(name, nameWidth) << "  "
       << llvm::left_justify(form, formWidth) << "  "
       << llvm::right_justify(n, 7) << "  " << llvm::right_justify(k, 7)
       << "  " << llvm::right_justify(params, 12) << "  "
       << llvm::right_justify(bytes, 12) << "  "
       << llvm::right_justify(flops, 12) << "  "
       << llvm::right_justify(comp, 8) << "\n";
  };
  auto fmtRatio = [](double r) {
    std::string s;
    llvm::raw_string_ostream(s) << llvm::format("%.2fx", r);
    return s;
  };
  line("layer", "form", "N", "K", "params", "bytes", "flops/tok", "compr");
  auto emit = [&](const LayerRow &r, StringRef n, StringRef k) {
    line(r.name, r.form, n, k, std::to_string(r.params),
         std::to_string(r.bytes), std::to_string(r.flops),
         fmtRatio(ratio(r.denseBytes, r.bytes)));
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
  };
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
    if (printTable)
      ::printTable(rows, total, llvm::outs());
    if (!jsonPath.empty() && failed(writeJson(rows, total)))
      return signalPassFailure();
    markAllAnalysesPreserved();
  }

  LogicalResult writeJson(ArrayRef<LayerRow> rows, const LayerRow &total) {
    llvm::json::Array layers;
    for (const LayerRow &r : rows)
      layers.push_back(toJson(r));
    llvm::json::Value doc =
        llvm::json::Object{{"layers", std::move(layers)},
                           {"total", toJson(total)}};
    if (jsonPath == "-") {
      llvm::outs() << llvm::formatv("{0:2}", doc) << "\n";
      return success();
    }
    std::error_code ec;
    llvm::raw_fd_ostream file(jsonPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return getOperation().emitError()
             << "linea-report: cannot write '" << jsonPath
             << "': " << ec.message();
    file << llvm::formatv("{0:2}", doc) << "\n";
    return success();
  }
};

} // namespace
