//===- LayerReport.cpp - per-layer rows of linea-report -------------------===//

#include "linea/Dialect/Linea/Transforms/LayerReport.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/LayerSelection.h"

#include "StructuredRewrite.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace linea {

static LayerRow makeRow(LinearLayerOpInterface layer, unsigned indexInFunc) {
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

SmallVector<LayerRow> collectLayerRows(Operation *root) {
  SmallVector<LayerRow> rows;
  root->walk([&](FunctionOpInterface func) {
    unsigned index = 0;
    func.walk([&](LinearLayerOpInterface layer) {
      rows.push_back(makeRow(layer, index++));
    });
  });
  return rows;
}

LayerRow sumLayerRows(ArrayRef<LayerRow> rows) {
  LayerRow total;
  total.name = "total";
  for (const LayerRow &r : rows) {
    total.params += r.params;
    total.bytes += r.bytes;
    total.flops += r.flops;
    total.denseBytes += r.denseBytes;
  }
  return total;
}

double compression(const LayerRow &row) {
  return row.bytes == 0 ? 0.0 : double(row.denseBytes) / double(row.bytes);
}

void printLayerTable(ArrayRef<LayerRow> rows, const LayerRow &total,
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
         fmtRatio(compression(r)), fmtError(r.weightError));
  };
  for (const LayerRow &r : rows)
    emit(r, std::to_string(r.outFeatures), std::to_string(r.inFeatures));
  emit(total, "", "");
}

llvm::json::Object layerRowJson(const LayerRow &r) {
  return llvm::json::Object{
      {"name", r.name},
      {"form", r.form},
      {"out_features", r.outFeatures},
      {"in_features", r.inFeatures},
      {"params", r.params},
      {"bytes", r.bytes},
      {"flops_per_token", r.flops},
      {"dense_bytes", r.denseBytes},
      {"compression", compression(r)},
      {"weight_error", r.weightError ? llvm::json::Value(*r.weightError)
                                     : llvm::json::Value(nullptr)},
  };
}

} // namespace linea
