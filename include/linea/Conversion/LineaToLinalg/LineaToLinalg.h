//===- LineaToLinalg.h - reference lowering of linea ops --------*- C++ -*-===//
//
// One populate function per op group, so that each group's lowering lives in
// its own file; the pass (LineaToLinalgPass.cpp) collects them all.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_CONVERSION_LINEATOLINALG_LINEATOLINALG_H
#define LINEA_CONVERSION_LINEATOLINALG_LINEATOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace linea {

void populateLinearToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateStructuredToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateSparseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateShiftToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateQuantToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateNormToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateAttentionToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateScanToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// All of the above.
void populateLineaToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace linea

#endif // LINEA_CONVERSION_LINEATOLINALG_LINEATOLINALG_H
