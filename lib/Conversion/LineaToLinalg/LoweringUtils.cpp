//===- LoweringUtils.cpp - building blocks of the reference lowering ------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

namespace linea {

Value f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

/// A constant of `type` (a scalar or a vector of one) holding `value`.
static Value splatConstant(OpBuilder &b, Location loc, Type type,
                           TypedAttr value) {
  if (auto vectorType = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorType, Attribute(value)));
  return arith::ConstantOp::create(b, loc, value);
}

/// In the binade of |v| (at least that of the smallest normal, 2^−6, below
/// which the subnormal step 2^−9 holds) E4M3 values are multiples of
/// q = 2^(E − 3); |v| / q and the product back are exact, and roundEven
/// picks the even multiple, i.e. the even code, on ties (a carry into the
/// next binade lands on an even code too).
Value roundToE4M3(OpBuilder &b, Location loc, Value v) {
  Type fType = v.getType(), iType = b.getI32Type();
  if (auto vectorType = dyn_cast<VectorType>(fType))
    iType = vectorType.clone(iType);
  auto i32 = [&](int64_t c) {
    return splatConstant(b, loc, iType, b.getI32IntegerAttr(c));
  };
  Value magnitude = math::AbsFOp::create(b, loc, v);
  Value bitsOf = arith::BitcastOp::create(b, loc, iType, magnitude);
  Value biased = arith::ShRUIOp::create(b, loc, bitsOf, i32(23));
  Value exponent = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, biased, i32(127)), i32(-6));
  // q = 2^(E − 3) as f32 bits: exponent field E − 3 + 127.
  Value quantum = arith::BitcastOp::create(
      b, loc, fType,
      arith::ShLIOp::create(b, loc,
                            arith::AddIOp::create(b, loc, exponent, i32(124)),
                            i32(23)));
  Value steps = math::RoundEvenOp::create(
      b, loc, arith::DivFOp::create(b, loc, magnitude, quantum));
  Value rounded = arith::MulFOp::create(b, loc, steps, quantum);
  Value saturated = arith::MinimumFOp::create(
      b, loc, rounded, splatConstant(b, loc, fType, b.getF32FloatAttr(448.0)));
  return math::CopySignOp::create(b, loc, saturated, v);
}

Value castScalar(OpBuilder &b, Location loc, Value value, Type type) {
  Type from = value.getType();
  if (from == type)
    return value;
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(type);
  if (fromFloat && toFloat) {
    if (cast<FloatType>(from).getWidth() < cast<FloatType>(type).getWidth())
      return arith::ExtFOp::create(b, loc, type, value);
    return arith::TruncFOp::create(b, loc, type, value);
  }
  if (!fromFloat && toFloat)
    return arith::SIToFPOp::create(b, loc, type, value);
  if (fromFloat && !toFloat)
    return arith::FPToSIOp::create(b, loc, type, value);
  if (from.getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
    return arith::ExtSIOp::create(b, loc, type, value);
  return arith::TruncIOp::create(b, loc, type, value);
}

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType, Value dimSource) {
  SmallVector<Value> dynamic;
  for (auto [i, size] : llvm::enumerate(shape))
    if (ShapedType::isDynamic(size))
      dynamic.push_back(tensor::DimOp::create(b, loc, dimSource, i));
  return tensor::EmptyOp::create(b, loc, shape, elementType, dynamic);
}

Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   double value, Value dimSource) {
  Value empty = emptyTensor(b, loc, shape, b.getF32Type(), dimSource);
  return linalg::FillOp::create(b, loc, f32Constant(b, loc, value), empty)
      .getResult(0);
}

Value castElements(OpBuilder &b, Location loc, Value value, Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  Value init = emptyTensor(b, loc, type.getShape(), elementType, value);
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), value, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc, castScalar(nb, nloc, args[0], elementType));
             })
      .getResult(0);
}

Value contractLastDim(OpBuilder &b, Location loc, Value x, Value w) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  int64_t rank = xType.getRank(); // loops: leading dims..., n, k
  if (rank > 2) {
    // Leading dims become the rows of one 2-D contraction, the form the
    // CPU kernels (tiles, threads, packing) take, then are restored.
    SmallVector<ReassociationIndices> rows(2);
    for (int64_t i = 0; i + 1 < rank; ++i)
      rows[0].push_back(i);
    rows[1].push_back(rank - 1);
    Value x2 = tensor::CollapseShapeOp::create(b, loc, x, rows);
    Value y2 = contractLastDim(b, loc, x2, w);
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
    sizes.back() = tensor::getMixedSize(b, loc, w, 0);
    SmallVector<int64_t> shape(xType.getShape());
    shape.back() = wType.getDimSize(0);
    auto yType = RankedTensorType::get(shape, b.getF32Type());
    return tensor::ExpandShapeOp::create(b, loc, yType, y2, rows, sizes);
  }
  SmallVector<int64_t> outShape(xType.getShape());
  outShape.back() = wType.getDimSize(0);
  Value init = filledTensor(b, loc, outShape, 0.0, x);

  MLIRContext *ctx = b.getContext();
  unsigned loops = rank + 1;
  SmallVector<AffineExpr> xExprs, yExprs;
  for (int64_t i = 0; i + 1 < rank; ++i) {
    xExprs.push_back(getAffineDimExpr(i, ctx));
    yExprs.push_back(getAffineDimExpr(i, ctx));
  }
  AffineExpr n = getAffineDimExpr(rank - 1, ctx);
  AffineExpr k = getAffineDimExpr(rank, ctx);
  xExprs.push_back(k);
  yExprs.push_back(n);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, xExprs, ctx),
                                 AffineMap::get(loops, 0, {n, k}, ctx),
                                 AffineMap::get(loops, 0, yExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{x, w}, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value prod = arith::MulFOp::create(nb, nloc, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, nloc, arith::AddFOp::create(nb, nloc, prod, args[2])
                                 .getResult());
             })
      .getResult(0);
}

/// Adds `bias` to f32 `y` and rounds to `resultType`'s element type.
static Value addBiasAndRound(OpBuilder &b, Location loc, Value y, Value bias,
                             Type resultType) {
  auto yType = cast<RankedTensorType>(y.getType());
  Type resultElement = cast<RankedTensorType>(resultType).getElementType();
  if (!bias)
    return castElements(b, loc, y, resultElement);
  int64_t rank = yType.getRank();
  MLIRContext *ctx = b.getContext();
  Value init = emptyTensor(b, loc, yType.getShape(), resultElement, y);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, ctx)}, ctx),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{y, bias}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value bf = castScalar(nb, nloc, args[1], nb.getF32Type());
               Value sum = arith::AddFOp::create(nb, nloc, args[0], bf);
               linalg::YieldOp::create(
                   nb, nloc, castScalar(nb, nloc, sum, resultElement));
             })
      .getResult(0);
}

/// Casts `value` to `type` when they differ only in which dims are static
/// (the verifiers allow a result to spell a leading dim differently from x).
static Value castToResultType(OpBuilder &b, Location loc, Value value,
                              Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

Value finishLinear(OpBuilder &b, Location loc, Value y, Value bias,
                   Type resultType) {
  return castToResultType(b, loc, addBiasAndRound(b, loc, y, bias, resultType),
                          resultType);
}

} // namespace linea
