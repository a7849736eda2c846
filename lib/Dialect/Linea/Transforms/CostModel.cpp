//===- CostModel.cpp - linea-plan's measured latency model ----------------===//

#include "CostModel.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <tuple>

using namespace linea;

// kCpuCostModel and kCudaCostModel: the JSON files of bench/cost-models,
// embedded at configure time (CMakeLists.txt).
#include "DefaultCostModels.inc"

const FormCost &CostModel::lookup(llvm::StringRef form, bool *listed) const {
  auto it = forms.find(form);
  if (listed)
    *listed = it != forms.end();
  return it != forms.end() ? it->second : forms.find("dense")->second;
}

double CostModel::seconds(llvm::StringRef form, double bytes,
                          double flops) const {
  const FormCost &cost = lookup(form);
  return cost.overheadSeconds + bytes / cost.bytesPerSecond +
         flops / cost.flopsPerSecond;
}

std::optional<CostModel> linea::parseCostModel(llvm::StringRef text,
                                               llvm::StringRef file,
                                               std::string &why) {
  auto fail = [&](const llvm::Twine &message) {
    why = ("cost model '" + file + "': " + message).str();
    return std::nullopt;
  };
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json)
    return fail("not valid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return fail("expected a JSON object at the top");
  CostModel model;
  model.file = file.str();
  if (std::optional<llvm::StringRef> target = root->getString("target"))
    model.target = target->str();
  if (std::optional<llvm::StringRef> source = root->getString("source"))
    model.source = source->str();
  const llvm::json::Object *forms = root->getObject("forms");
  if (!forms)
    return fail("needs \"forms\": {\"dense\": {\"bytes_per_s\": ..., "
                "\"flops_per_s\": ...}, ...}");
  for (const auto &[key, value] : *forms) {
    const llvm::json::Object *entry = value.getAsObject();
    if (!entry)
      return fail("forms." + key.str() + " is not an object");
    FormCost cost;
    for (auto [field, out, required] :
         {std::tuple<llvm::StringRef, double *, bool>{
              "bytes_per_s", &cost.bytesPerSecond, true},
          {"flops_per_s", &cost.flopsPerSecond, true},
          {"overhead_s", &cost.overheadSeconds, false}}) {
      const llvm::json::Value *number = entry->get(field);
      if (!number && !required)
        continue;
      std::optional<double> v = number ? number->getAsNumber() : std::nullopt;
      if (!v || !(required ? *v > 0 : *v >= 0) || !std::isfinite(*v))
        return fail(llvm::formatv("forms.{0}.{1} must be a {2} number{3}",
                                  key.str(), field,
                                  required ? "positive" : "non-negative",
                                  number ? llvm::formatv(" (got {0})", *number)
                                               .str()
                                         : std::string(" (missing)")));
      *out = *v;
    }
    model.forms[key.str()] = cost;
  }
  if (!model.forms.count("dense"))
    return fail("forms has no \"dense\" entry (forms it does not list "
                "cost what dense costs)");
  if (const llvm::json::Value *noKernel = root->get("no_kernel")) {
    const llvm::json::Object *entries = noKernel->getAsObject();
    if (!entries)
      return fail("no_kernel must map forms to the reason they have no "
                  "kernel");
    for (const auto &[key, value] : *entries) {
      std::optional<llvm::StringRef> why = value.getAsString();
      if (!why)
        return fail("no_kernel." + key.str() + " must be a string (why the "
                    "target has no kernel for it)");
      if (model.forms.count(key.str()))
        return fail("form '" + key.str() +
                    "' is both priced in forms and listed in no_kernel");
      model.noKernel[key.str()] = why->str();
    }
  }
  return model;
}

std::optional<CostModel> linea::loadCostModel(llvm::StringRef path,
                                              std::string &why) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    why = ("cannot read cost model '" + path +
           "': " + buffer.getError().message())
              .str();
    return std::nullopt;
  }
  return parseCostModel((*buffer)->getBuffer(), path, why);
}

std::optional<CostModel> linea::builtinCostModel(llvm::StringRef target,
                                                 std::string &why) {
  llvm::StringRef text = target == "cpu"    ? llvm::StringRef(kCpuCostModel)
                         : target == "cuda" ? llvm::StringRef(kCudaCostModel)
                                            : llvm::StringRef();
  if (text.empty()) {
    why = ("target='" + target + "' is not cpu or cuda").str();
    return std::nullopt;
  }
  std::string file = ("bench/cost-models/" + target + ".json (built in)").str();
  return parseCostModel(text, file, why);
}
