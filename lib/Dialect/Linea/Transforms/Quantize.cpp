//===- Quantize.cpp - the linea-quantize pass -----------------------------===//
//
// Dense layers → linea.quant_linear by round to nearest
// (numerics::quantizeWeight). This file reads the options and, for static
// fp8 activation scales, the calibration statistics. Low-rank layers are
// quantized factor by factor: y = (x·vᵀ)·uᵀ is split into two linea.linear
// layers (the split linea-fuse-projections makes) and both go through the
// same driver, so low-rank + int4 needs no new op.
//
//===----------------------------------------------------------------------===//

#include "QuantRewrite.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

namespace linea {
#define GEN_PASS_DEF_QUANTIZE
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// The selected `linea.lowrank_linear` layers of `module` and their names,
/// taken before any rewrite, since splitting one renumbers the unnamed
/// layers after it.
SmallVector<std::pair<LowRankLinearOp, std::string>>
selectLowRankLayers(ModuleOp module, const LayerFilter &filter) {
  SmallVector<std::pair<LowRankLinearOp, std::string>> result;
  module.walk([&](FunctionOpInterface func) {
    unsigned index = 0;
    func.walk([&](LinearLayerOpInterface layer) {
      std::string name = layerName(layer, index++), why;
      auto lowRank = dyn_cast<LowRankLinearOp>(layer.getOperation());
      if (lowRank && filter.selects(name, layer.getOutFeatures(),
                                    layer.getInFeatures(), why))
        result.push_back({lowRank, std::move(name)});
    });
  });
  return result;
}

/// Replaces the low-rank layer `op` by h = x·vᵀ (a `linea.linear` named
/// `<name>/latent`) and y = h·uᵀ + bias (one named `<name>`), so that each
/// factor can be quantized as a layer of its own. Fails with `why` when the
/// split would change the layer: h is kept in f32 by lowrank_linear but
/// would be stored in the activation type, so only f32 activations split;
/// and the factors must be constants.
FailureOr<std::array<SelectedLayer, 2>> splitLowRank(LowRankLinearOp op,
                                                     StringRef name,
                                                     std::string &why) {
  auto resultType = cast<RankedTensorType>(op.getType());
  if (!resultType.getElementType().isF32()) {
    llvm::raw_string_ostream(why)
        << "low-rank layers are quantized as two layers with a stored "
           "latent h = x·vᵀ, which only f32 activations keep exact; this "
           "layer's are "
        << resultType.getElementType();
    return failure();
  }
  for (auto [what, factor] : {std::pair<StringRef, Value>{"u", op.getU()},
                              std::pair<StringRef, Value>{"v", op.getV()}})
    if (!getConstantElements(factor)) {
      why = ("factor " + what + " is not a constant").str();
      return failure();
    }
  OpBuilder b(op);
  SmallVector<int64_t> shape(resultType.getShape());
  shape.back() = cast<RankedTensorType>(op.getV().getType()).getDimSize(0);
  std::string latentName = (name + "/latent").str();
  auto latent = LinearOp::create(
      b, op.getLoc(), RankedTensorType::get(shape, b.getF32Type()), op.getX(),
      op.getV(), Value(), b.getStringAttr(latentName));
  auto outer = LinearOp::create(b, op.getLoc(), resultType, latent.getY(),
                                op.getU(), op.getBias(), b.getStringAttr(name));
  op.getResult().replaceAllUsesWith(outer.getY());
  op.erase();
  return std::array<SelectedLayer, 2>{SelectedLayer{latent, latentName},
                                      SelectedLayer{outer, name.str()}};
}

struct QuantizePass : linea::impl::QuantizeBase<QuantizePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<QFormatAttr> qformat = buildQuantFormat(
        module, getArgument(),
        {format, groupSize, granularity, symmetric, scaleType, act});
    if (failed(qformat))
      return signalPassFailure();
    numerics::QuantSpec spec = qformat->toQuantSpec();
    bool staticAct = qformat->getAct() == ActMode::fp8_per_tensor;
    if (staticAct && stats.empty()) {
      emitError(module.getLoc())
          << getArgument()
          << ": act=fp8_per_tensor needs a static activation scale from "
             "calibration: give stats=FILE (linea-run --collect-stats)";
      return signalPassFailure();
    }
    OptionalCalibration calibration;
    if (failed(calibration.load(module, getArgument(), stats)))
      return signalPassFailure();
    FailureOr<LayerFilter> filter =
        LayerFilter::create(module, getArgument(), only, except, minSize);
    if (failed(filter))
      return signalPassFailure();
    auto lowRankLayers = selectLowRankLayers(module, *filter);
    auto quantize = [&](StringRef name, const numerics::Matrix &w,
                        std::string &) -> std::optional<StructuredProposal> {
      std::optional<float> actScale;
      if (staticAct) {
        const LayerStats *layer = calibration.layer(name, w.cols);
        if (!layer)
          return std::nullopt;
        actScale = staticFp8ActScale(*layer);
      }
      return quantProposal(*qformat, numerics::quantizeWeight(spec, w),
                           actScale);
    };
    runStructuredRewrite(module, getArgument(), *filter, quantize);
    // The factors of low-rank layers, as two dense layers each. A static
    // activation scale for the latent would need its own statistics.
    SmallVector<SelectedLayer> factors;
    for (auto &[op, name] : lowRankLayers) {
      std::string why;
      FailureOr<std::array<SelectedLayer, 2>> split = failure();
      if (staticAct)
        why = "act=fp8_per_tensor needs calibration of the latent x·vᵀ, "
              "which the statistics do not have";
      else
        split = splitLowRank(op, name, why);
      if (failed(split)) {
        op.emitRemark() << getArgument() << ": skipped layer '" << name
                        << "': " << why;
        continue;
      }
      factors.append(split->begin(), split->end());
    }
    rewriteSelectedLayers(factors, getArgument(), quantize);
    if (calibration.anyMissing())
      return signalPassFailure();
  }
};

} // namespace
