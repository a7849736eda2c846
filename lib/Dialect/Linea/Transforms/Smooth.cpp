//===- Smooth.cpp - the linea-smooth pass (SmoothQuant) -------------------===//
//
// Activation outliers live in a few channels and make per-token int8
// activations coarse. x Wᵀ = (x·diag(s)⁻¹)(W·diag(s))ᵀ for any s > 0, so
// scaling channel j of x down by s_j and column j of every W reading x up by
// s_j moves part of the range from the activation into the weights
// (REWRITES.md §3.2). The function is unchanged; the division by s lands in
// the producing norm when it can, else in one linea.scale_channels.
//
//===----------------------------------------------------------------------===//

#include "CalibrationLookup.h"
#include "InputGroups.h"
#include "NormParameters.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Equivalence.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/Support/Format.h"

#include <cmath>

namespace linea {
#define GEN_PASS_DEF_SMOOTH
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// Name of the attribute recording the α a layer was smoothed with.
constexpr StringLiteral kSmoothedAttr = "linea.smoothed";

/// A constant vector holding `values` rounded to `elementType`.
Value floatVector(OpBuilder &b, Location loc, ArrayRef<float> values,
                  Type elementType) {
  return arith::ConstantOp::create(
      b, loc,
      floatConstantAttr({static_cast<int64_t>(values.size())}, values,
                        elementType));
}

/// Divides the parameters of the norm producing the group's x by `s`, when
/// that norm has constant (or absent) parameters and feeds only the group.
/// Returns false, changing nothing, otherwise.
bool foldIntoNorm(const InputGroup &group, ArrayRef<float> s) {
  Operation *norm = group.x.getDefiningOp();
  if (!isa_and_nonnull<RmsNormOp, LayerNormOp>(norm))
    return false;
  std::string why;
  FailureOr<SmallVector<LinearOp>> consumers = normLinearConsumers(norm, why);
  if (failed(consumers))
    return false;
  for (LinearOp consumer : *consumers)
    if (llvm::none_of(group.layers,
                      [&](const SelectedLayer &l) { return l.op == consumer; }))
      return false;
  auto [weight, bias] = getNormParameters(norm);
  FailureOr<std::vector<float>> g = readOptionalFloats(weight, "weight", why);
  FailureOr<std::vector<float>> beta = readOptionalFloats(bias, "bias", why);
  if (failed(g) || failed(beta))
    return false;

  // norm(x)·g + β divided by s is norm(x)·(g/s) + β/s; an absent weight is 1.
  if (g->empty())
    g->assign(s.size(), 1.0f);
  for (size_t j = 0; j < s.size(); ++j) {
    (*g)[j] /= s[j];
    if (!beta->empty())
      (*beta)[j] /= s[j];
  }
  OpBuilder builder(norm);
  Type f32 = builder.getF32Type();
  auto typeOf = [&](Value v) {
    return v ? cast<ShapedType>(v.getType()).getElementType() : f32;
  };
  Value newWeight = floatVector(builder, norm->getLoc(), *g, typeOf(weight));
  Value newBias =
      beta->empty() ? Value()
                    : floatVector(builder, norm->getLoc(), *beta, typeOf(bias));
  replaceNormParameters(norm, newWeight, newBias);
  return true;
}

struct SmoothPass : linea::impl::SmoothBase<SmoothPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fail = [&](Location loc) {
      signalPassFailure();
      InFlightDiagnostic diag = emitError(loc);
      diag << getArgument() << ": ";
      return diag;
    };
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      std::string text;
      llvm::raw_string_ostream(text) << llvm::format("%g", alpha.getValue());
      fail(module.getLoc()) << "alpha=" << text << " is not in [0, 1]";
      return;
    }
    if (stats.empty()) {
      fail(module.getLoc())
          << "needs calibration statistics: give stats=FILE (written by "
             "linea-run --collect-stats)";
      return;
    }
    FailureOr<CalibrationStats> calibration =
        loadCalibrationStats(module, getArgument(), stats);
    if (failed(calibration))
      return signalPassFailure();
    FailureOr<LayerFilter> filter =
        LayerFilter::create(module, getArgument(), only, except, minSize);
    if (failed(filter))
      return signalPassFailure();

    // Every lookup is checked before the first weight changes.
    SmallVector<InputGroup> groups =
        groupLayersByInput(module, getArgument(), *filter);
    SmallVector<std::vector<float>> maxima;
    for (InputGroup &group : groups) {
      FailureOr<std::vector<float>> actMax = activationMax(group, *calibration);
      if (failed(actMax))
        return signalPassFailure();
      maxima.push_back(std::move(*actMax));
    }
    for (auto [group, actMax] : llvm::zip(groups, maxima))
      smooth(group, actMax);
  }

  /// The elementwise max of the group's max |x_j| from the statistics, or
  /// failure after an error naming the layer and the numbers.
  FailureOr<std::vector<float>> activationMax(InputGroup &group,
                                              const CalibrationStats &calib) {
    std::vector<float> result;
    for (SelectedLayer &layer : group.layers) {
      int64_t k = layer.op.getInFeatures();
      auto error = [&]() {
        InFlightDiagnostic diag = layer.op.emitError();
        diag << getArgument() << ": layer '" << layer.name << "': ";
        return diag;
      };
      std::string why;
      const LayerStats *entry = findLayerStats(calib, stats, layer.name, k,
                                               /*needXtx=*/false, why);
      if (!entry) {
        error() << why
                << (calib.lookup(layer.name)
                        ? ""
                        : "; linea-run --collect-stats records the layers "
                          "with a name attribute");
        return failure();
      }
      result.resize(k, 0.0f);
      for (int64_t j = 0; j < k; ++j) {
        float v = entry->absMax[j];
        if (!std::isfinite(v) || v < 0.0f) {
          error() << "max |x| of channel " << j << " is " << v
                  << " in the statistics";
          return failure();
        }
        result[j] = std::max(result[j], v);
      }
    }
    return result;
  }

  /// Smooths one group given the max |x_j| of its input.
  void smooth(InputGroup &group, const std::vector<float> &actMax) {
    // One s for the group (the x is shared): balance against the largest
    // weight of each channel over all the layers.
    std::vector<float> weightMax(actMax.size(), 0.0f);
    for (const numerics::Matrix &w : group.weights) {
      std::vector<float> m = numerics::columnAbsMax(w);
      for (size_t j = 0; j < m.size(); ++j)
        weightMax[j] = std::max(weightMax[j], m[j]);
    }
    std::vector<float> s = numerics::smoothingScales(actMax, weightMax, alpha);

    for (auto [layer, w] : llvm::zip(group.layers, group.weights)) {
      numerics::scaleColumns(w, s);
      replaceConstantWeight(layer.op, w);
      layer.op->setAttr(kSmoothedAttr,
                        FloatAttr::get(Float32Type::get(&getContext()),
                                       static_cast<float>(alpha)));
    }
    if (foldIntoNorm(group, s))
      return;
    std::vector<float> inverse(s.size());
    for (size_t j = 0; j < s.size(); ++j)
      inverse[j] = 1.0f / s[j];
    rerouteInput(group, [&](OpBuilder &b, Location loc, Value x) {
      Value scale = floatVector(b, loc, inverse, b.getF32Type());
      return ScaleChannelsOp::create(b, loc, x.getType(), x, scale).getResult();
    });
  }
};

} // namespace
