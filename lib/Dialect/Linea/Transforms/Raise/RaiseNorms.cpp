//===- RaiseNorms.cpp - linea-raise patterns -----------------------------===//

#include "RaisePatterns.h"

using namespace mlir;

void linea::populateRaiseNormPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
