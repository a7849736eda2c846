//===- Monarch.cpp - the linea-monarch pass -------------------------------===//
//
// Rewrites dense layers into linea.monarch_linear, the Frobenius-nearest
// Monarch matrix (REWRITES.md §2.1, numerics::monarchProjection).
//
//===----------------------------------------------------------------------===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Structured.h"

namespace linea {
#define GEN_PASS_DEF_MONARCH
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct MonarchPass : linea::impl::MonarchBase<MonarchPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Option errors apply to every layer, so they fail the pass up front.
    if (blocks < 1 || rank < 0) {
      module.emitError() << getArgument() << ": options 'blocks' (got "
                         << int64_t(blocks)
                         << ") must be at least 1 and 'rank' (got "
                         << int64_t(rank) << ") at least 0";
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
    int64_t blockRank =
        rank > 0 ? int64_t(rank) : numerics::defaultMonarchRank(w.cols, blocks);
    std::optional<numerics::MonarchFactors> factors =
        numerics::monarchProjection(w, blocks, blockRank, why);
    if (!factors)
      return std::nullopt;
    StructuredProposal proposal;
    for (numerics::Tensor3 *t : {&factors->w1, &factors->w2})
      proposal.factors.push_back(
          {{t->dim0, t->dim1, t->dim2}, std::move(t->data)});
    proposal.build = [](OpBuilder &builder, Location loc, Type resultType,
                        Value x, ArrayRef<Value> f, Value bias,
                        StringAttr name) -> Operation * {
      return MonarchLinearOp::create(builder, loc, resultType, x, f[0], f[1],
                                     bias, name);
    };
    return proposal;
  }
};

} // namespace
