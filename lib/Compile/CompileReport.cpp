//===- CompileReport.cpp - what linea-compile's rewrites did per layer ----===//

#include "linea/Compile/CompileReport.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using llvm::StringRef;

namespace linea {

namespace {
struct LayerPair {
  std::string name;
  const LayerRow *before = nullptr, *after = nullptr;
};
} // namespace

/// Layers in the order after the rewrites, then those the rewrites removed
/// (e.g. projections that linea-fuse-projections merged).
static std::vector<LayerPair> pairLayers(const CompileReport &report) {
  llvm::StringMap<const LayerRow *> before;
  for (const LayerRow &row : report.before)
    before.try_emplace(row.name, &row);
  std::vector<LayerPair> pairs;
  llvm::StringMap<bool> seen;
  for (const LayerRow &row : report.after) {
    auto it = before.find(row.name);
    pairs.push_back(
        {row.name, it == before.end() ? nullptr : it->second, &row});
    seen[row.name] = true;
  }
  for (const LayerRow &row : report.before)
    if (!seen.count(row.name))
      pairs.push_back({row.name, &row, nullptr});
  return pairs;
}

static std::string formatted(const char *format, double value) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format(format, value);
  return s;
}

void printCompileTable(const CompileReport &report, llvm::raw_ostream &os) {
  std::vector<LayerPair> pairs = pairLayers(report);
  auto formOf = [](const LayerPair &p) {
    return (p.before ? p.before->form : "-") + " -> " +
           (p.after ? p.after->form : "-");
  };
  size_t nameWidth = 5, formWidth = 4;
  for (const LayerPair &p : pairs) {
    nameWidth = std::max(nameWidth, p.name.size());
    formWidth = std::max(formWidth, formOf(p).size());
  }
  auto line = [&](StringRef name, StringRef form, StringRef n, StringRef k,
                  StringRef bytesBefore, StringRef bytesAfter, StringRef ratio,
                  StringRef error) {
    os << llvm::left_justify(name, nameWidth) << "  "
       << llvm::left_justify(form, formWidth) << "  "
       << llvm::right_justify(n, 6) << "  " << llvm::right_justify(k, 6) << "  "
       << llvm::right_justify(bytesBefore, 12) << "  "
       << llvm::right_justify(bytesAfter, 12) << "  "
       << llvm::right_justify(ratio, 7) << "  " << llvm::right_justify(error, 9)
       << "\n";
  };
  auto bytes = [](const LayerRow *row) {
    return row ? std::to_string(row->bytes) : std::string("-");
  };
  auto ratio = [](const LayerRow *before, const LayerRow *after) {
    if (!before || !after || after->bytes == 0)
      return std::string("-");
    return formatted("%.2fx", double(before->bytes) / double(after->bytes));
  };
  line("layer", "form", "N", "K", "bytes before", "bytes after", "shrink",
       "w_err");
  for (const LayerPair &p : pairs) {
    const LayerRow *shape = p.after ? p.after : p.before;
    line(p.name, formOf(p), std::to_string(shape->outFeatures),
         std::to_string(shape->inFeatures), bytes(p.before), bytes(p.after),
         ratio(p.before, p.after),
         p.after && p.after->weightError
             ? formatted("%.3e", *p.after->weightError)
             : "-");
  }
  LayerRow before = sumLayerRows(report.before);
  LayerRow after = sumLayerRows(report.after);
  line("total", "", "", "", bytes(&before), bytes(&after),
       ratio(&before, &after), "");
}

llvm::json::Value compileReportJson(const CompileReport &report) {
  auto row = [](const LayerRow *r) {
    return r ? llvm::json::Value(layerRowJson(*r)) : llvm::json::Value(nullptr);
  };
  llvm::json::Array layers;
  for (const LayerPair &p : pairLayers(report))
    layers.push_back(llvm::json::Object{
        {"name", p.name}, {"before", row(p.before)}, {"after", row(p.after)}});
  llvm::json::Array stages;
  for (const auto &[name, seconds] : report.stages)
    stages.push_back(llvm::json::Object{{"name", name}, {"seconds", seconds}});
  return llvm::json::Object{
      {"model", report.model},
      {"passes", report.passes},
      {"target", report.target},
      {"library", report.library},
      {"stages", std::move(stages)},
      {"layers", std::move(layers)},
      {"total",
       llvm::json::Object{{"before", layerRowJson(sumLayerRows(report.before))},
                          {"after", layerRowJson(sumLayerRows(report.after))}}},
  };
}

} // namespace linea
