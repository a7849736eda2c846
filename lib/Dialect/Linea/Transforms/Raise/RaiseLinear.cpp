//===- RaiseLinear.cpp - linea-raise patterns -----------------------------===//

#include "RaisePatterns.h"

using namespace mlir;

void linea::populateRaiseLinearPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
