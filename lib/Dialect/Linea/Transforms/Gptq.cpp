//===- Gptq.cpp - the linea-gptq pass -------------------------------------===//
//
// Dense layers → linea.quant_linear with GPTQ's Hessian-aware rounding
// (numerics::gptqQuantize), the Hessian XᵀX read from calibration
// statistics by layer name.
//
//===----------------------------------------------------------------------===//

#include "QuantRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/CalibratedQuant.h"

namespace linea {
#define GEN_PASS_DEF_GPTQ
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct GptqPass : linea::impl::GptqBase<GptqPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fail = [&]() {
      signalPassFailure();
      return emitError(module.getLoc()) << getArgument() << ": ";
    };
    if (blockSize < 1) {
      fail() << "block-size=" << int64_t(blockSize) << " must be positive";
      return;
    }
    if (!(damp >= 0.0 && damp < 1.0)) {
      fail() << "damp=" << double(damp) << " must be in [0, 1)";
      return;
    }
    if (stats.empty()) {
      fail() << "needs stats=FILE with XᵀX of every layer's input "
                "(linea-run --collect-stats)";
      return;
    }
    FailureOr<QFormatAttr> qformat = buildQuantFormat(
        module, getArgument(),
        {format, groupSize, granularity, symmetric, scaleType, act});
    if (failed(qformat))
      return signalPassFailure();
    OptionalCalibration calibration;
    if (failed(calibration.load(module, getArgument(), stats)))
      return signalPassFailure();
    numerics::QuantSpec spec = qformat->toQuantSpec();
    bool staticAct = qformat->getAct() == ActMode::fp8_per_tensor;
    numerics::GptqOptions options{blockSize, damp};

    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef name, const numerics::Matrix &w,
                std::string &why) -> std::optional<StructuredProposal> {
              const LayerStats *layer =
                  calibration.layer(name, w.cols, /*needXtx=*/true);
              if (!layer)
                return std::nullopt;
              std::optional<numerics::QuantizedWeight> q =
                  numerics::gptqQuantize(spec, w, layer->xtx, options, why);
              if (!q)
                return std::nullopt;
              std::optional<float> actScale;
              if (staticAct)
                actScale = staticFp8ActScale(*layer);
              return quantProposal(*qformat, *q, actScale);
            })) ||
        calibration.anyMissing())
      return signalPassFailure();
  }
};

} // namespace
