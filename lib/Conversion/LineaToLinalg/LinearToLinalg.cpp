//===- LinearToLinalg.cpp - reference lowering of linea.linear ------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

using namespace mlir;

namespace linea {
namespace {

/// y = x·wᵀ + bias as one contraction in f32.
struct LinearToLinalg : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = castElements(rewriter, loc, op.getX(), rewriter.getF32Type());
    Value w = castElements(rewriter, loc, op.getW(), rewriter.getF32Type());
    Value y = contractLastDim(rewriter, loc, x, w);
    rewriter.replaceOp(op, finishLinear(rewriter, loc, y, op.getBias(),
                                        op.getType()));
    return success();
  }
};

} // namespace

void populateLinearToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearToLinalg>(patterns.getContext());
}

} // namespace linea
