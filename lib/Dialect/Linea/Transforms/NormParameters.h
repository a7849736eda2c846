//===- NormParameters.h - editing the parameters of norms -------*- C++ -*-===//
//
// linea-fold-norms moves a norm's weight and bias into the linear layers it
// feeds; linea-smooth moves SmoothQuant's 1/s into them the other way. Both
// look at the same things: which linear layers read the norm, what its
// constant parameters are, and a norm rebuilt with new parameters.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_NORMPARAMETERS_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_NORMPARAMETERS_H

#include "linea/Dialect/Linea/IR/LineaOps.h"

#include <string>
#include <vector>

namespace linea {

/// The weight and bias operands of a `linea.rms_norm` (no bias) or
/// `linea.layer_norm`; either may be null.
struct NormParameters {
  mlir::Value weight, bias;
};

/// The parameters of `norm`, which must be a rms_norm or layer_norm.
NormParameters getNormParameters(mlir::Operation *norm);

/// The consumers of a norm as linea.linear layers (each once) reading it as
/// x with a constant weight, or failure with `why` naming the first other
/// kind of use.
mlir::FailureOr<llvm::SmallVector<LinearOp>>
normLinearConsumers(mlir::Operation *norm, std::string &why);

/// The elements of an optional constant float parameter (empty when `v` is
/// null), or failure with `why` naming `name`.
mlir::FailureOr<std::vector<float>>
readOptionalFloats(mlir::Value v, llvm::StringRef name, std::string &why);

/// Replaces `norm` by the same kind of norm over the same x and epsilon with
/// `weight` and `bias` (either null; bias only for layer_norm); returns the
/// new norm. The old parameters are erased if nothing else reads them.
mlir::Operation *replaceNormParameters(mlir::Operation *norm,
                                       mlir::Value weight, mlir::Value bias);

/// Erases the op that defined `old` (a constant) once nothing reads it and
/// it has no side effects.
void eraseIfDead(mlir::Value old);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_NORMPARAMETERS_H
