//===- RaisePatterns.h - pattern groups of linea-raise ----------*- C++ -*-===//
//
// linea-raise is one greedy rewrite over three independent pattern groups,
// each in its own file.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_TRANSFORMS_RAISE_RAISEPATTERNS_H
#define LINEA_TRANSFORMS_RAISE_RAISEPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace linea {

/// Contractions with constant weights (+ bias) → linea.linear; dequantized
/// constant weights → linea.quant_linear (RaiseLinear.cpp).
void populateRaiseLinearPatterns(mlir::RewritePatternSet &patterns);

/// RMSNorm / LayerNorm computations → linea.rms_norm / linea.layer_norm
/// (RaiseNorms.cpp).
void populateRaiseNormPatterns(mlir::RewritePatternSet &patterns);

/// softmax(Q·Kᵀ·scale + mask)·V → linea.attention (RaiseAttention.cpp).
void populateRaiseAttentionPatterns(mlir::RewritePatternSet &patterns);

} // namespace linea

#endif // LINEA_TRANSFORMS_RAISE_RAISEPATTERNS_H
