//===- Quantize.cpp - the linea-quantize pass -----------------------------===//
//
// Dense layers → linea.quant_linear by round to nearest
// (numerics::quantizeWeight). This file reads the options and, for static
// fp8 activation scales, the calibration statistics.
//
//===----------------------------------------------------------------------===//

#include "QuantRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"

namespace linea {
#define GEN_PASS_DEF_QUANTIZE
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

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
    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef name, const numerics::Matrix &w,
                std::string &) -> std::optional<StructuredProposal> {
              std::optional<float> actScale;
              if (staticAct) {
                const LayerStats *layer = calibration.layer(name, w.cols);
                if (!layer)
                  return std::nullopt;
                actScale = staticFp8ActScale(*layer);
              }
              return quantProposal(*qformat,
                                   numerics::quantizeWeight(spec, w),
                                   actScale);
            })) ||
        calibration.anyMissing())
      return signalPassFailure();
  }
};

} // namespace
