//===- BTT.cpp - the linea-btt pass ---------------------------------------===//
//
// Rewrites dense layers into linea.btt_linear, the Frobenius-nearest Block
// Tensor-Train matrix of the given rank (REWRITES.md §2.2,
// numerics::bttProjection).
//
//===----------------------------------------------------------------------===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Structured.h"

namespace linea {
#define GEN_PASS_DEF_BTT
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct BTTPass : linea::impl::BTTBase<BTTPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Option errors apply to every layer, so they fail the pass up front.
    if (rank < 1 || cores < 0) {
      module.emitError() << getArgument() << ": options 'rank' (got "
                         << int64_t(rank)
                         << ") must be at least 1 and 'cores' (got "
                         << int64_t(cores) << ") at least 0";
      return signalPassFailure();
    }
    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef, const numerics::Matrix &w, std::string &why) {
              return propose(w, why);
            })))
      return signalPassFailure();
  }

  std::optional<StructuredProposal> propose(const numerics::Matrix &w,
                                            std::string &why) {
    int64_t c =
        cores > 0 ? int64_t(cores) : numerics::defaultBTTCores(w.rows, w.cols);
    std::optional<numerics::BTTFactors> factors =
        numerics::bttProjection(w, c, rank, why);
    if (!factors)
      return std::nullopt;
    StructuredProposal proposal;
    for (numerics::Tensor3 *t : {&factors->w1, &factors->w2})
      proposal.factors.push_back(
          {{t->dim0, t->dim1, t->dim2}, std::move(t->data)});
    proposal.build = [](OpBuilder &builder, Location loc, Type resultType,
                        Value x, ArrayRef<Value> f, Value bias,
                        StringAttr name) -> Operation * {
      return BTTLinearOp::create(builder, loc, resultType, x, f[0], f[1], bias,
                                 name);
    };
    return proposal;
  }
};

} // namespace
