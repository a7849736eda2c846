//===- LinearLayerCommon.cpp - checks shared by linear-layer ops ----------===//

#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

using namespace mlir;

namespace linea {

int64_t dimOf(Value value, int64_t dim) {
  return cast<RankedTensorType>(value.getType()).getDimSize(dim);
}

int64_t numElementsOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

LogicalResult verifyStaticRank(Operation *op, StringRef name, Value value,
                               int64_t rank) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != rank)
    return op->emitOpError() << name << " must have rank " << rank
                             << ", but has rank " << type.getRank();
  if (!type.hasStaticShape())
    return op->emitOpError() << name << " must have a static shape, but has "
                             << type;
  return success();
}

LogicalResult verifyDim(Operation *op, StringRef name, Value value,
                        int64_t dim, int64_t expected, StringRef what) {
  int64_t actual = dimOf(value, dim);
  if (actual != expected)
    return op->emitOpError() << name << " dimension " << dim << " is "
                             << actual << ", but " << what << " is "
                             << expected;
  return success();
}

LogicalResult verifyLinearLayerIO(Operation *op, Value x, Value bias, Value y,
                                  int64_t inFeatures, int64_t outFeatures) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto yType = cast<RankedTensorType>(y.getType());
  if (xType.getRank() < 1)
    return op->emitOpError() << "x must have rank >= 1";
  int64_t k = xType.getShape().back();
  if (ShapedType::isDynamic(k))
    return op->emitOpError() << "x must have a static last dimension (K)";
  if (k != inFeatures)
    return op->emitOpError() << "x has " << k
                             << " input features, but the weight expects "
                             << inFeatures;
  if (yType.getRank() != xType.getRank())
    return op->emitOpError() << "result must have the rank of x ("
                             << xType.getRank() << "), but has rank "
                             << yType.getRank();
  for (int64_t i = 0; i + 1 < xType.getRank(); ++i) {
    int64_t a = xType.getDimSize(i), b = yType.getDimSize(i);
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return op->emitOpError() << "result dimension " << i << " is " << b
                               << ", but x dimension " << i << " is " << a;
  }
  if (yType.getShape().back() != outFeatures)
    return op->emitOpError() << "result has " << yType.getShape().back()
                             << " output features, but the weight has "
                             << outFeatures;
  if (yType.getElementType() != xType.getElementType())
    return op->emitOpError() << "result element type "
                             << yType.getElementType()
                             << " differs from x element type "
                             << xType.getElementType();
  if (bias) {
    auto bType = cast<RankedTensorType>(bias.getType());
    if (bType.getRank() != 1 || bType.getDimSize(0) != outFeatures)
      return op->emitOpError() << "bias must have shape [" << outFeatures
                               << "], but has type " << bType;
    if (bType.getElementType() != yType.getElementType())
      return op->emitOpError() << "bias element type "
                               << bType.getElementType()
                               << " differs from result element type "
                               << yType.getElementType();
  }
  return success();
}

namespace detail {

int64_t countWeightParameters(Operation *op) {
  int64_t total = 0;
  for (Value v : cast<LinearLayerOpInterface>(op).getWeightOperands())
    total += numElementsOf(v);
  return total;
}

int64_t countWeightBytes(Operation *op) {
  int64_t total = 0;
  for (Value v : cast<LinearLayerOpInterface>(op).getWeightOperands()) {
    auto type = cast<RankedTensorType>(v.getType());
    int64_t bits = type.getNumElements() *
                   type.getElementType().getIntOrFloatBitWidth();
    total += (bits + 7) / 8;
  }
  return total;
}

} // namespace detail
} // namespace linea
