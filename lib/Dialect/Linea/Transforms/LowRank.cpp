//===- LowRank.cpp - the linea-lowrank pass -------------------------===//
//
// TODO(this session): factorization in lib/Numerics, proposal built here.
//
//===----------------------------------------------------------------------===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"

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
    FailureOr<LayerFilter> filter = LayerFilter::create(
        getOperation(), getArgument(), only, except, minSize);
    if (failed(filter))
      return signalPassFailure();
    runStructuredRewrite(
        getOperation(), getArgument(), *filter,
        [&](StringRef, const numerics::Matrix &, std::string &why)
            -> std::optional<StructuredProposal> {
          why = "not implemented yet";
          return std::nullopt;
        });
  }
};

} // namespace
