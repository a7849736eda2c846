//===- LineaToLinalgPass.cpp - the linea-to-linalg pass -------------------===//

#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace linea {
#define GEN_PASS_DEF_LINEATOLINALG
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {

void populateLineaToLinalgPatterns(RewritePatternSet &patterns) {
  populateLinearToLinalgPatterns(patterns);
  populateStructuredToLinalgPatterns(patterns);
  populateSparseToLinalgPatterns(patterns);
  populateShiftToLinalgPatterns(patterns);
  populateQuantToLinalgPatterns(patterns);
  populateNormToLinalgPatterns(patterns);
  populateAttentionToLinalgPatterns(patterns);
  populateScanToLinalgPatterns(patterns);
}

namespace {

struct LineaToLinalgPass : linea::impl::LineaToLinalgBase<LineaToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<LineaDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateLineaToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace linea
