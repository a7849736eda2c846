//===- RaiseAttention.cpp - linea-raise patterns -----------------------------===//

#include "RaisePatterns.h"

using namespace mlir;

void linea::populateRaiseAttentionPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
