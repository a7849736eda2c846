//===- LowRank.cpp - the linea-lowrank pass -------------------------------===//
//
// Rewrites dense layers into linea.lowrank_linear by truncated SVD
// (REWRITES.md §1.1). Rank selection and the SVD are
// numerics::lowRankProjection; this file checks the options and builds the
// op.
//
//===----------------------------------------------------------------------===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Structured.h"

namespace linea {
#define GEN_PASS_DEF_LOWRANK
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct LowRankPass : linea::impl::LowRankBase<LowRankPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    numerics::LowRankOptions options = lowRankOptions();
    // Option errors apply to every layer, so they fail the pass up front.
    std::string invalid = numerics::validateLowRankOptions(options);
    if (!invalid.empty()) {
      module.emitError() << getArgument() << ": " << invalid;
      return signalPassFailure();
    }
    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef, const numerics::Matrix &w, std::string &why) {
              return propose(w, options, why);
            })))
      return signalPassFailure();
  }

  numerics::LowRankOptions lowRankOptions() const {
    numerics::LowRankOptions options;
    options.rank = rank;
    options.energy = energy;
    options.paramRatio = paramRatio;
    options.multipleOf = multipleOf;
    options.svd.oversample = oversample;
    options.svd.powerIterations = powerIterations;
    options.svd.seed = static_cast<uint64_t>(int64_t(seed));
    return options;
  }

  static std::optional<StructuredProposal>
  propose(const numerics::Matrix &w, const numerics::LowRankOptions &options,
          std::string &why) {
    std::optional<numerics::LowRankFactors> factors =
        numerics::lowRankProjection(w, options, why);
    if (!factors)
      return std::nullopt;
    StructuredProposal proposal;
    int64_t r = factors->u.cols;
    proposal.factors.push_back({{w.rows, r}, std::move(factors->u.data)});
    proposal.factors.push_back({{r, w.cols}, std::move(factors->v.data)});
    proposal.build = [](OpBuilder &builder, Location loc, Type resultType,
                        Value x, ArrayRef<Value> f, Value bias,
                        StringAttr name) -> Operation * {
      return LowRankLinearOp::create(builder, loc, resultType, x, f[0], f[1],
                                     bias, name);
    };
    return proposal;
  }
};

} // namespace
