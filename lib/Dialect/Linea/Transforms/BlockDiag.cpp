//===- BlockDiag.cpp - the linea-blockdiag pass ---------------------------===//
//
// Rewrites dense layers into linea.blockdiag_linear by keeping their
// diagonal blocks (REWRITES.md §2.4, numerics::blockDiagProjection).
//
//===----------------------------------------------------------------------===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Structured.h"

namespace linea {
#define GEN_PASS_DEF_BLOCKDIAG
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct BlockDiagPass : linea::impl::BlockDiagBase<BlockDiagPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // A bad count applies to every layer, so it fails the pass up front;
    // one that merely does not divide a layer skips that layer.
    if (blocks < 1) {
      module.emitError() << getArgument()
                         << ": option 'blocks' must be at least 1, got "
                         << int64_t(blocks);
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
    std::optional<numerics::Tensor3> diagonal =
        numerics::blockDiagProjection(w, blocks, why);
    if (!diagonal)
      return std::nullopt;
    StructuredProposal proposal;
    proposal.factors.push_back(
        {{diagonal->dim0, diagonal->dim1, diagonal->dim2},
         std::move(diagonal->data)});
    proposal.build = [](OpBuilder &builder, Location loc, Type resultType,
                        Value x, ArrayRef<Value> f, Value bias,
                        StringAttr name) -> Operation * {
      return BlockDiagLinearOp::create(builder, loc, resultType, x, f[0], bias,
                                       name);
    };
    return proposal;
  }
};

} // namespace
