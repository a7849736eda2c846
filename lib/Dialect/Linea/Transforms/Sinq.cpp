//===- Sinq.cpp - the linea-sinq pass -------------------------------------===//
//
// Dense layers → linea.scale_channels(x, μ) → linea.quant_linear of
// W·diag(1/μ), with SINQ's calibration-free column factors μ
// (numerics::sinqColumnScales).
//
//===----------------------------------------------------------------------===//

#include "QuantRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/CalibratedQuant.h"

namespace linea {
#define GEN_PASS_DEF_SINQ
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct SinqPass : linea::impl::SinqBase<SinqPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (iterations < 1) {
      emitError(module.getLoc())
          << getArgument() << ": iterations=" << int64_t(iterations)
          << " must be positive";
      return signalPassFailure();
    }
    FailureOr<QFormatAttr> qformat = buildQuantFormat(
        module, getArgument(),
        {format, groupSize, granularity, symmetric, scaleType, act});
    if (failed(qformat))
      return signalPassFailure();
    if (qformat->getAct() == ActMode::fp8_per_tensor) {
      emitError(module.getLoc())
          << getArgument()
          << ": act=fp8_per_tensor needs calibration; SINQ is "
             "calibration-free (use linea-quantize with stats=)";
      return signalPassFailure();
    }
    numerics::QuantSpec spec = qformat->toQuantSpec();
    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef, const numerics::Matrix &w,
                std::string &) -> std::optional<StructuredProposal> {
              std::vector<float> mu =
                  numerics::sinqColumnScales(spec, w, iterations);
              StructuredProposal proposal = quantProposal(
                  *qformat,
                  numerics::quantizeWeight(spec,
                                           numerics::divideColumns(w, mu)),
                  std::nullopt);
              proposal.inputScale = std::move(mu);
              return proposal;
            })))
      return signalPassFailure();
  }
};

} // namespace
