//===- Raise.cpp - the linea-raise pass -----------------------------------===//

#include "RaisePatterns.h"

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace linea {
#define GEN_PASS_DEF_RAISE
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct RaisePass : linea::impl::RaiseBase<RaisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseLinearPatterns(patterns);
    populateRaiseNormPatterns(patterns);
    populateRaiseAttentionPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
