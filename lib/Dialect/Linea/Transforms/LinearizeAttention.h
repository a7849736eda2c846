//===- LinearizeAttention.h - softmax → linear attention --------*- C++ -*-===//
//
// Shared by linea-linearize-attention (any feature map) and linea-shift-add
// with attention=true (binarised q and k: add-only attention).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_LINEARIZEATTENTION_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_LINEARIZEATTENTION_H

#include "linea/Dialect/Linea/IR/LineaAttrs.h"

#include "mlir/IR/BuiltinOps.h"

namespace linea {

/// Replaces every `linea.attention` of `module` without a mask (and, when
/// causal, with S = T static) by `linea.linear_attention` with feature map
/// `phi`, repeating grouped kv heads; remarks prefixed by `passName` say
/// why any other attention was left alone.
void linearizeAttention(mlir::ModuleOp module, FeatureMap phi,
                        llvm::StringRef passName);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_LINEARIZEATTENTION_H
