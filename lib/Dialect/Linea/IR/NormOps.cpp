//===- NormOps.cpp - verifiers of norm, scaling and Hadamard ops ----------===//
//
// rms_norm, layer_norm, scale_channels and hadamard all map x[..., D] to a
// result of x's shape and element type, with optional parameter vectors of
// shape [D]. The helpers below check that part once.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;

namespace linea {
namespace {

/// Verifies x[..., D] with a static, positive D (a norm over no features
/// divides by zero) and a result of x's shape (dims
/// compatible where either is dynamic) and element type. Returns D, or
/// failure after emitting the diagnostic.
FailureOr<int64_t> verifyFeatureIO(Operation *op, Value x, Value y) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto yType = cast<RankedTensorType>(y.getType());
  if (xType.getRank() < 1)
    return op->emitOpError() << "x must have rank >= 1, but has rank 0";
  int64_t features = xType.getShape().back();
  if (ShapedType::isDynamic(features))
    return op->emitOpError()
           << "x must have a static last dimension, but has " << xType;
  if (features == 0)
    return op->emitOpError() << "x must have a positive last dimension, but "
                                "has "
                             << xType;
  if (yType.getRank() != xType.getRank())
    return op->emitOpError()
           << "result must have the rank of x (" << xType.getRank()
           << "), but has rank " << yType.getRank();
  for (int64_t i = 0; i < xType.getRank(); ++i) {
    int64_t a = xType.getDimSize(i), b = yType.getDimSize(i);
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return op->emitOpError() << "result dimension " << i << " is " << b
                               << ", but x dimension " << i << " is " << a;
  }
  if (yType.getElementType() != xType.getElementType())
    return op->emitOpError()
           << "result element type " << yType.getElementType()
           << " differs from x element type " << xType.getElementType();
  return features;
}

/// Verifies that the parameter vector `value` (operand `name`; absent
/// optional operands pass) has shape [features].
LogicalResult verifyFeatureVector(Operation *op, StringRef name, Value value,
                                  int64_t features) {
  if (!value)
    return success();
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != 1)
    return op->emitOpError()
           << name << " must have rank 1, but has rank " << type.getRank();
  if (type.getDimSize(0) != features)
    return op->emitOpError()
           << name << " must have shape [" << features
           << "] (the last dimension of x), but has type " << type;
  return success();
}

/// ε keeps the denominator of a norm away from zero; zero, negative or
/// non-finite values are mistakes, never a model's choice.
LogicalResult verifyEpsilon(Operation *op, APFloat epsilon) {
  double value = epsilon.convertToDouble();
  if (std::isfinite(value) && value > 0)
    return success();
  return op->emitOpError() << "epsilon must be finite and positive, but is "
                           << value;
}

} // namespace

LogicalResult RmsNormOp::verify() {
  FailureOr<int64_t> features = verifyFeatureIO(*this, getX(), getY());
  if (failed(features) ||
      failed(verifyFeatureVector(*this, "weight", getWeight(), *features)))
    return failure();
  return verifyEpsilon(*this, getEpsilon());
}

LogicalResult LayerNormOp::verify() {
  FailureOr<int64_t> features = verifyFeatureIO(*this, getX(), getY());
  if (failed(features) ||
      failed(verifyFeatureVector(*this, "weight", getWeight(), *features)) ||
      failed(verifyFeatureVector(*this, "bias", getBias(), *features)))
    return failure();
  return verifyEpsilon(*this, getEpsilon());
}

LogicalResult ScaleChannelsOp::verify() {
  FailureOr<int64_t> features = verifyFeatureIO(*this, getX(), getY());
  if (failed(features))
    return failure();
  return verifyFeatureVector(*this, "scale", getScale(), *features);
}

LogicalResult HadamardOp::verify() {
  FailureOr<int64_t> features = verifyFeatureIO(*this, getX(), getY());
  if (failed(features))
    return failure();
  int64_t block = getBlockSize();
  if (block <= 0 || !llvm::isPowerOf2_64(block))
    return emitOpError() << "block_size must be a positive power of two, but "
                            "is "
                         << block;
  if (*features % block != 0)
    return emitOpError() << "block_size " << block
                         << " does not divide the last dimension of x ("
                         << *features << ")";
  return success();
}

} // namespace linea
