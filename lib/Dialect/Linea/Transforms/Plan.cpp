//===- Plan.cpp - the linea-plan pass -------------------------------------===//
//
// Chooses one rewrite per layer to minimise stored bytes under a budget on
// the mean relative output error. Candidates are measured by running their
// own pass on a copy of the module and reading Ŵ back, and the choice is
// applied by running that pass with only=<layer>, so a planned layer is
// exactly what the individual pass would make of it. The output error is
// exact on the calibration inputs, from XᵀX (PlanSearch.h for the math and
// the search). A combined candidate (low-rank + int4) is a pipeline of two
// passes; its layer ends as two (latent x·vᵀ, then ·uᵀ), measured together.
// objective=latency prices forms with a measured cost model (CostModel.h).
//
//===----------------------------------------------------------------------===//

#include "CalibrationLookup.h"
#include "CostModel.h"
#include "PlanSearch.h"
#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Svd.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>
#include <cstring>

namespace linea {
#define GEN_PASS_DEF_PLAN
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// A candidate form: the pass that makes it and that pass's options
/// (`stats=` is appended when `needsStats`), and for a combination the pass
/// run after it on the same layers (`then`, `thenOptions`).
struct CandidateSpec {
  llvm::StringLiteral name, pass, options;
  bool needsStats = false;
  bool byDefault = true;
  llvm::StringLiteral then = "", thenOptions = "";
};

// The names users list in candidates=. Defaults span 8 → 0.5 bytes per
// weight for quantization and a few structure/sparsity trade-offs.
const CandidateSpec kCandidates[] = {
    {"int8", "linea-quantize", "format=int8"},
    {"int4-g128", "linea-quantize", "format=int4 group-size=128"},
    {"gptq-int4-g128", "linea-gptq", "format=int4 group-size=128", true},
    {"nvfp4", "linea-quantize", "format=nvfp4"},
    {"lowrank-0.5", "linea-lowrank", "param-ratio=0.5"},
    {"lowrank-0.25", "linea-lowrank", "param-ratio=0.25"},
    {"lowrank-0.125", "linea-lowrank", "param-ratio=0.125"},
    {"shift-add-1", "linea-shift-add", "terms=1"},
    {"shift-add-2", "linea-shift-add", "terms=2"},
    {"sparse-2:4", "linea-sparsify", "pattern=2:4", true},
    {"blockdiag-2", "linea-blockdiag", "blocks=2"},
    {"blockdiag-4", "linea-blockdiag", "blocks=4"},
    {"monarch-4", "linea-monarch", "blocks=4"},
    // Low-rank, then both factors quantized (linea-quantize splits the
    // layer into x·vᵀ and ·uᵀ).
    {"lowrank-0.5+int4-g128", "linea-lowrank", "param-ratio=0.5", false, true,
     "linea-quantize", "format=int4 group-size=128"},
    {"lowrank-0.25+int4-g128", "linea-lowrank", "param-ratio=0.25", false,
     true, "linea-quantize", "format=int4 group-size=128"},
    // Opt-in.
    {"int4", "linea-quantize", "format=int4", false, false},
    {"int4-g32", "linea-quantize", "format=int4 group-size=32", false, false},
    {"gptq-int8", "linea-gptq", "format=int8", true, false},
    {"gptq-int4", "linea-gptq", "format=int4", true, false},
    {"gptq-nvfp4", "linea-gptq", "format=nvfp4", true, false},
    {"nf4", "linea-quantize", "format=nf4", false, false},
    {"mxfp4", "linea-quantize", "format=mxfp4", false, false},
    {"fp8", "linea-quantize", "format=fp8_e4m3", false, false},
    {"lowrank-0.0625", "linea-lowrank", "param-ratio=0.0625", false, false},
    {"blockdiag-8", "linea-blockdiag", "blocks=8", false, false},
    {"monarch-2", "linea-monarch", "blocks=2", false, false},
    {"monarch-8", "linea-monarch", "blocks=8", false, false},
    {"sparse-block-4x4-0.5", "linea-sparsify", "pattern=block:4x4 sparsity=0.5",
     false, false},
    {"lowrank-0.125+int4-g128", "linea-lowrank", "param-ratio=0.125", false,
     false, "linea-quantize", "format=int4 group-size=128"},
    {"lowrank-0.5+int8", "linea-lowrank", "param-ratio=0.5", false, false,
     "linea-quantize", "format=int8"},
};

/// The cost-model entry that prices `op` (CostModel.h): a quantized
/// layer's element ("int8", "int4", "nvfp4", ...), "dense" for
/// linea.linear, else the mnemonic without "_linear" ("lowrank",
/// "blockdiag", "monarch", ...).
std::string costKey(Operation *op) {
  if (auto quant = dyn_cast<QuantLinearOp>(op))
    return stringifyQElement(quant.getFormat().getElement()).str();
  if (isa<LinearOp>(op))
    return "dense";
  StringRef name = op->getName().stripDialect();
  name.consume_back("_linear");
  return name.str();
}

/// The ops a planned layer ends as: the layer, preceded by its latent
/// layer `<name>/latent` when the form is a quantized low-rank split.
SmallVector<LinearLayerOpInterface, 2> formStages(LinearLayerOpInterface form,
                                                  StringRef name) {
  SmallVector<LinearLayerOpInterface, 2> stages;
  auto latent = form.getInput().getDefiningOp<LinearLayerOpInterface>();
  auto latentName =
      latent ? latent->getAttrOfType<StringAttr>("name") : StringAttr();
  if (latentName && latentName.getValue() == (name + "/latent").str())
    stages.push_back(latent);
  stages.push_back(form);
  return stages;
}

/// The weight the stages apply together: Ŵ = Ŵ_last · … · Ŵ_first.
FailureOr<numerics::Matrix>
effectiveWeight(ArrayRef<LinearLayerOpInterface> stages, std::string &why) {
  FailureOr<numerics::Matrix> total;
  for (LinearLayerOpInterface stage : stages) {
    FailureOr<numerics::Matrix> w = stage.materializeDenseWeight(&why);
    if (failed(w))
      return failure();
    total = succeeded(total) ? numerics::matmul(*w, *total) : std::move(*w);
  }
  return total;
}

int64_t storedBytes(ArrayRef<LinearLayerOpInterface> stages) {
  int64_t bytes = 0;
  for (LinearLayerOpInterface stage : stages)
    bytes += stage.getWeightBytes();
  return bytes;
}

/// One layer the plan decides on.
struct PlannedLayer {
  SelectedLayer selected;
  numerics::Matrix w;
  const LayerStats *stats = nullptr;
  int64_t denseBytes = 0;
  /// Options of this layer, dense first (PlanSearch.h).
  SmallVector<PlanOption> options;
  /// candidate name → why it does not apply to this layer.
  SmallVector<std::pair<std::string, std::string>> notApplied;
};

/// Every linear layer of `module` by the name passes select it by.
llvm::StringMap<Operation *> layersByName(ModuleOp module) {
  llvm::StringMap<Operation *> result;
  module.walk([&](FunctionOpInterface func) {
    unsigned index = 0;
    func.walk([&](LinearLayerOpInterface layer) {
      result[layerName(layer, index++)] = layer.getOperation();
    });
  });
  return result;
}

/// `name` as an only= glob that matches just that name.
std::string exactGlob(StringRef name) {
  std::string glob;
  for (char c : name) {
    if (StringRef("*?[]").contains(c))
      glob += '\\';
    glob += c;
  }
  return glob;
}

struct PlanPass : linea::impl::PlanBase<PlanPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  InFlightDiagnostic fail() {
    signalPassFailure();
    return emitError(getOperation().getLoc()) << getArgument() << ": ";
  }
  std::string pipelineText(const CandidateSpec &spec,
                           ArrayRef<std::string> layerNames) const;
  LogicalResult evaluate(const CandidateSpec &spec,
                         MutableArrayRef<PlannedLayer> layers);
  LogicalResult writeReport(ArrayRef<PlannedLayer> layers,
                            const PlanResult &plan, int64_t denseBytes);
  /// What the plan minimises for a form (its ops, `stages`): its bytes,
  /// or its estimated microseconds under the cost model, summed over the
  /// stages.
  PlanOption option(StringRef name, ArrayRef<LinearLayerOpInterface> stages,
                    double error) const {
    int64_t bytes = storedBytes(stages);
    double cost = double(bytes);
    if (objective == "latency") {
      cost = 0;
      for (LinearLayerOpInterface stage : stages)
        cost += 1e6 * costModel->seconds(
                          costKey(stage), double(stage.getWeightBytes()),
                          double(tokens) * double(stage.getFlopsPerToken()));
    }
    return {name.str(), bytes, error, cost};
  }

  std::optional<CostModel> costModel;
};

std::string PlanPass::pipelineText(const CandidateSpec &spec,
                                   ArrayRef<std::string> layerNames) const {
  std::string only = " only=";
  for (auto [i, name] : llvm::enumerate(layerNames))
    only += (i ? "," : "") + exactGlob(name);
  std::string text = (spec.pass + "{" + spec.options).str();
  if (spec.needsStats) {
    text += " stats=";
    text += stats;
  }
  text += only + "}";
  if (!spec.then.empty())
    text += ("," + spec.then + "{" + spec.thenOptions + only + "}").str();
  return text;
}

/// Runs the candidate's pass on a copy of the module and adds, to each
/// layer, the (error, bytes) of the form it made or why it made none.
LogicalResult PlanPass::evaluate(const CandidateSpec &spec,
                                 MutableArrayRef<PlannedLayer> layers) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = module.getContext();
  SmallVector<std::string> names;
  for (const PlannedLayer &layer : layers)
    names.push_back(layer.selected.name);
  std::string text = pipelineText(spec, names);
  PassManager pm(ctx, ModuleOp::getOperationName());
  std::string parseError;
  llvm::raw_string_ostream parseOs(parseError);
  if (failed(parsePassPipeline(text, pm, parseOs))) {
    fail() << "cannot build candidate '" << spec.name << "' (" << text
           << "): " << parseError;
    return failure();
  }
  // The candidate pass's remarks say why it skipped a layer; its errors
  // (e.g. an option a layer's shape does not allow) make the candidate
  // unusable for every layer, which the report says.
  llvm::StringMap<std::string> skipped;
  std::string passError;
  OwningOpRef<ModuleOp> copy = module.clone();
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &d) {
      std::string message = d.str();
      if (d.getSeverity() == DiagnosticSeverity::Error) {
        passError += (passError.empty() ? "" : "; ") + message;
        return success();
      }
      StringRef rest(message);
      size_t at = rest.find("skipped layer '");
      if (at != StringRef::npos) {
        rest = rest.drop_front(at + strlen("skipped layer '"));
        auto [name, why] = rest.split("': ");
        skipped[name] = why.str();
      }
      return success();
    });
    if (failed(pm.run(*copy)) && passError.empty())
      passError = "the pass failed";
  }
  llvm::StringMap<Operation *> rewritten = layersByName(*copy);
  for (PlannedLayer &layer : layers) {
    auto note = [&](const Twine &why) {
      layer.notApplied.push_back({spec.name.str(), why.str()});
    };
    const std::string &name = layer.selected.name;
    if (!passError.empty()) {
      note(passError);
      continue;
    }
    auto form =
        dyn_cast_if_present<LinearLayerOpInterface>(rewritten.lookup(name));
    SmallVector<LinearLayerOpInterface, 2> stages;
    if (form)
      stages = formStages(form, name);
    // A combination counts only when its last pass changed the first one's
    // form (linea-quantize split the low-rank layer).
    bool unchanged = !form || isa<LinearOp>(form.getOperation()) ||
                     (!spec.then.empty() && stages.size() < 2);
    if (unchanged) {
      auto it = skipped.find(name);
      note(it != skipped.end() ? it->second
           : spec.then.empty() ? "the pass left it dense"
                               : spec.then + " left the form unchanged");
      continue;
    }
    std::string why;
    FailureOr<numerics::Matrix> approx = effectiveWeight(stages, why);
    if (failed(approx)) {
      note("cannot read back its weight: " + why);
      continue;
    }
    // A scale_channels the pass put in front belongs to the layer (SINQ).
    if (stages.front().getInput().getDefiningOp<ScaleChannelsOp>() &&
        !layer.selected.op.getX().getDefiningOp<ScaleChannelsOp>()) {
      note("the form scales its input channels, which the plan does not "
           "model");
      continue;
    }
    std::optional<double> error =
        relativeOutputError(layer.w, *approx, layer.stats->xtx, why);
    if (!error) {
      note(why);
      continue;
    }
    // A form the target cannot run is no option for its latency.
    if (objective == "latency") {
      auto missing = llvm::find_if(stages, [&](LinearLayerOpInterface stage) {
        return costModel->noKernel.count(costKey(stage));
      });
      if (missing != stages.end()) {
        std::string key = costKey(*missing);
        note("no " + target + " kernel for form '" + key + "' (" +
             costModel->file + ": " + costModel->noKernel.lookup(key) + ")");
        continue;
      }
    }
    layer.options.push_back(option(spec.name, stages, *error));
  }
  return success();
}

void PlanPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (stats.empty()) {
    fail() << "needs stats=FILE with XᵀX of every planned layer's input "
              "(linea-run --collect-stats)";
    return;
  }
  if (!(budget >= 0.0)) {
    auto diag = fail() << "needs budget=ε ≥ 0, the bound on the mean "
                          "relative output error ‖X(W−Ŵ)ᵀ‖/‖XWᵀ‖ of the "
                          "planned layers";
    if (budget.hasValue())
      diag << " (got " << llvm::formatv("{0}", double(budget)).str() << ")";
    return;
  }
  if (objective != "bytes" && objective != "latency") {
    fail() << "objective='" << objective
           << "' is not supported (expected bytes or latency)";
    return;
  }
  if (target != "cpu" && target != "cuda") {
    fail() << "target='" << target << "' is not cpu or cuda";
    return;
  }
  if (!costModelPath.empty() && objective != "latency") {
    fail() << "cost-model='" << costModelPath
           << "' prices forms for objective=latency; objective='" << objective
           << "' does not use it";
    return;
  }
  std::string why;
  costModel = costModelPath.empty() ? builtinCostModel(target, why)
                                    : loadCostModel(costModelPath, why);
  if (!costModel) {
    fail() << why;
    return;
  }
  if (!costModel->target.empty() && costModel->target != target) {
    fail() << "cost model '" << costModel->file << "' is for target '"
           << costModel->target << "', not target='" << target << "'";
    return;
  }
  if (tokens < 1) {
    fail() << "tokens=" << int64_t(tokens) << " must be positive";
    return;
  }
  // The candidate set: the defaults, or the names given, each once.
  SmallVector<const CandidateSpec *> specs;
  for (const CandidateSpec &spec : kCandidates)
    if (candidates.empty() && spec.byDefault)
      specs.push_back(&spec);
  for (const std::string &name : candidates) {
    if (name == "dense")
      continue; // always a candidate
    const CandidateSpec *found = llvm::find_if(
        kCandidates, [&](const CandidateSpec &s) { return s.name == name; });
    if (found == std::end(kCandidates)) {
      std::string known;
      for (const CandidateSpec &s : kCandidates)
        known += (known.empty() ? "" : ", ") + s.name.str();
      fail() << "unknown candidate '" << name << "' (expected dense or one "
             << "of " << known << ")";
      return;
    }
    if (llvm::is_contained(specs, found)) {
      fail() << "candidate '" << name << "' is listed twice";
      return;
    }
    specs.push_back(found);
  }

  FailureOr<LayerFilter> filter =
      LayerFilter::create(module, getArgument(), only, except, minSize);
  if (failed(filter))
    return signalPassFailure();
  FailureOr<CalibrationStats> calibration =
      loadCalibrationStats(module, getArgument(), stats);
  if (failed(calibration))
    return signalPassFailure();

  SmallVector<PlannedLayer> layers;
  llvm::StringSet<> seen;
  for (SelectedLayer &selected :
       selectLinearLayers(module, getArgument(), *filter)) {
    std::string why;
    FailureOr<numerics::Matrix> w = selected.op.materializeDenseWeight(&why);
    if (failed(w)) {
      selected.op.emitRemark() << getArgument() << ": skipped layer '"
                               << selected.name << "': " << why;
      continue;
    }
    if (StringRef(selected.name).find_first_of(" ,{}\"'\\") !=
        StringRef::npos) {
      selected.op.emitError()
          << getArgument() << ": layer name '" << selected.name
          << "' has a character (space , { } \" ' \\) that pass options "
             "cannot select it by; rename it or leave it out with except=";
      return signalPassFailure();
    }
    if (!seen.insert(selected.name).second) {
      selected.op.emitError()
          << getArgument() << ": two layers are named '" << selected.name
          << "'; the plan chooses per layer name";
      return signalPassFailure();
    }
    const LayerStats *layerStats =
        findLayerStats(*calibration, stats, selected.name, w->cols,
                       /*needXtx=*/true, why);
    if (!layerStats) {
      selected.op.emitError() << getArgument() << ": " << why;
      return signalPassFailure();
    }
    // A combination splits its layer in two, which renumbers the unnamed
    // layers after it: name every planned layer as it was selected.
    if (!selected.op.getNameAttr())
      selected.op.setNameAttr(StringAttr::get(module.getContext(),
                                              selected.name));
    auto dense = cast<LinearLayerOpInterface>(selected.op.getOperation());
    PlannedLayer layer;
    layer.selected = selected;
    layer.w = std::move(*w);
    layer.stats = layerStats;
    layer.denseBytes = dense.getWeightBytes();
    layer.options.push_back(option("dense", {dense}, 0.0));
    layers.push_back(std::move(layer));
  }
  if (layers.empty()) {
    emitRemark(module.getLoc()) << getArgument() << ": no layer to plan";
    return;
  }

  // Every candidate on a chunk of layers at a time (at most 16 chunks),
  // so that long plans can say how far they got; a candidate's pass treats
  // layers one by one, so the chunking does not change what is measured.
  size_t chunk = (layers.size() + 15) / 16;
  auto start = std::chrono::steady_clock::now();
  for (size_t first = 0; first < layers.size(); first += chunk) {
    MutableArrayRef<PlannedLayer> part =
        MutableArrayRef<PlannedLayer>(layers).slice(
            first, std::min(chunk, layers.size() - first));
    for (const CandidateSpec *spec : specs)
      if (failed(evaluate(*spec, part)))
        return;
    if (progress) {
      size_t done = first + part.size();
      llvm::errs() << llvm::formatv(
          "linea-plan: {0} of {1} layers evaluated ({2}; {3} candidates, "
          "{4:f1} s)\n",
          done, layers.size(),
          part.size() == 1
              ? "'" + part.front().selected.name + "'"
              : "'" + part.front().selected.name + "' to '" +
                    part.back().selected.name + "'",
          specs.size(),
          std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                        start)
              .count());
    }
  }

  SmallVector<ArrayRef<PlanOption>> perLayer;
  for (PlannedLayer &layer : layers)
    perLayer.push_back(layer.options);
  bool latency = objective == "latency";
  PlanResult plan =
      choosePlan(perLayer, budget, latency ? "estimated time" : "bytes");

  // Apply: one run of each chosen candidate's pass over its layers.
  for (const CandidateSpec *spec : specs) {
    SmallVector<std::string> chosen;
    for (auto [layer, choice] : llvm::zip(layers, plan.choice))
      if (layer.options[choice].name == spec->name)
        chosen.push_back(layer.selected.name);
    if (chosen.empty())
      continue;
    OpPassManager pm(ModuleOp::getOperationName());
    if (failed(parsePassPipeline(pipelineText(*spec, chosen), pm)))
      return signalPassFailure();
    ScopedDiagnosticHandler quiet(module.getContext(), [](Diagnostic &d) {
      // Remarks about layers outside only= are noise here; errors are not.
      return success(d.getSeverity() == DiagnosticSeverity::Remark);
    });
    if (failed(runPipeline(pm, module)))
      return signalPassFailure();
  }

  // Record the choices, checking that the applied forms are the measured.
  Builder b(module.getContext());
  llvm::StringMap<Operation *> result = layersByName(module);
  int64_t denseBytes = 0;
  for (auto [layer, choice, reason] :
       llvm::zip(layers, plan.choice, plan.reason)) {
    const PlanOption &option = layer.options[choice];
    denseBytes += layer.denseBytes;
    auto op = dyn_cast_if_present<LinearLayerOpInterface>(
        result.lookup(layer.selected.name));
    if (!op || storedBytes(formStages(op, layer.selected.name)) !=
                   option.bytes) {
      fail() << "internal error: layer '" << layer.selected.name
             << "' after applying " << option.name
             << " does not store the measured " << option.bytes << " bytes";
      return;
    }
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("choice", b.getStringAttr(option.name)),
        b.getNamedAttr("error", b.getF64FloatAttr(option.error)),
        b.getNamedAttr("bytes", b.getI64IntegerAttr(option.bytes)),
        b.getNamedAttr("alternatives",
                       b.getI64IntegerAttr(layer.options.size()))};
    if (latency)
      fields.push_back(
          b.getNamedAttr("est_us", b.getF64FloatAttr(option.cost)));
    op->setAttr("linea.plan", b.getDictionaryAttr(fields));
  }
  SmallVector<NamedAttribute> summary = {
      b.getNamedAttr("objective", b.getStringAttr(objective)),
      b.getNamedAttr("budget", b.getF64FloatAttr(budget)),
      b.getNamedAttr("layers", b.getI64IntegerAttr(layers.size())),
      b.getNamedAttr("mean_error", b.getF64FloatAttr(plan.meanError)),
      b.getNamedAttr("bytes", b.getI64IntegerAttr(plan.bytes)),
      b.getNamedAttr("dense_bytes", b.getI64IntegerAttr(denseBytes))};
  if (latency) {
    summary.push_back(b.getNamedAttr("est_us", b.getF64FloatAttr(plan.cost)));
    summary.push_back(b.getNamedAttr("target", b.getStringAttr(target)));
    summary.push_back(
        b.getNamedAttr("tokens", b.getI64IntegerAttr(int64_t(tokens))));
    summary.push_back(
        b.getNamedAttr("cost_model", b.getStringAttr(costModel->file)));
  }
  module->setAttr("linea.plan", b.getDictionaryAttr(summary));
  if (!reportPath.empty() && failed(writeReport(layers, plan, denseBytes)))
    return signalPassFailure();
}

LogicalResult PlanPass::writeReport(ArrayRef<PlannedLayer> layers,
                                    const PlanResult &plan,
                                    int64_t denseBytes) {
  llvm::json::Array rows;
  for (auto [layer, choice, reason] :
       llvm::zip(layers, plan.choice, plan.reason)) {
    llvm::json::Array tried;
    for (const PlanOption &option : layer.options)
      tried.push_back(llvm::json::Object{{"candidate", option.name},
                                         {"error", option.error},
                                         {"bytes", option.bytes},
                                         {"cost", option.cost}});
    for (const auto &[name, why] : layer.notApplied)
      tried.push_back(
          llvm::json::Object{{"candidate", name}, {"not_applied", why}});
    rows.push_back(llvm::json::Object{
        {"layer", layer.selected.name},
        {"N", layer.w.rows},
        {"K", layer.w.cols},
        {"dense_bytes", layer.denseBytes},
        {"choice", layer.options[choice].name},
        {"error", layer.options[choice].error},
        {"bytes", layer.options[choice].bytes},
        {"reason", reason},
        {"candidates", std::move(tried)},
    });
  }
  llvm::json::Object root{
      {"objective", std::string(objective)},
      {"budget", double(budget)},
      {"error_measure", "mean over layers of ‖X(W−Ŵ)ᵀ‖_F/‖XWᵀ‖_F on the "
                        "calibration inputs (exact from XᵀX)"},
      {"mean_error", plan.meanError},
      {"cost", plan.cost},
      {"cost_model",
       objective == "latency"
           ? llvm::formatv("est. µs = 1e6·Σ over the form's layers of "
                           "(overhead + bytes / bytes_per_s + {0} tokens · "
                           "flops per token / flops_per_s), per form from "
                           "{1}: {2}",
                           int64_t(tokens), costModel->file, costModel->source)
                 .str()
           : std::string("bytes")},
      {"bytes", plan.bytes},
      {"dense_bytes", denseBytes},
      {"layers", std::move(rows)},
  };
  if (objective == "latency") {
    llvm::json::Object forms;
    for (const auto &entry : costModel->forms)
      forms[entry.getKey()] =
          llvm::json::Object{{"bytes_per_s", entry.getValue().bytesPerSecond},
                             {"flops_per_s", entry.getValue().flopsPerSecond},
                             {"overhead_s", entry.getValue().overheadSeconds}};
    root["cost_model_file"] = costModel->file;
    root["cost_model_forms"] = std::move(forms);
    llvm::json::Object noKernel;
    for (const auto &entry : costModel->noKernel)
      noKernel[entry.getKey()] = entry.getValue();
    if (!noKernel.empty())
      root["cost_model_no_kernel"] = std::move(noKernel);
  }
  std::string error;
  auto file = mlir::openOutputFile(reportPath, &error);
  if (!file) {
    fail() << "cannot write report '" << reportPath << "': " << error;
    return failure();
  }
  file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
             << "\n";
  file->keep();
  return success();
}

} // namespace
