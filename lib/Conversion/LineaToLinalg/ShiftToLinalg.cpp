//===- ShiftToLinalg.cpp - reference lowering of linea.shift_linear -------===//
//
// Lowers the shift-add layer term by term, with exponents and signs as
// runtime tensors (the dense W is never formed, so that this lowering and
// `linear(x, materializeDenseWeight())` are independent):
//
//   acc[..., n] = Σ_t Σ_k x[..., k] · (signs[t, n, k] · 2^exponents[t, n, k])
//   y[..., n]   = scale[n] · acc[..., n] + bias[n]
//
// 2^e is built from its bits, ((e + 127) << 23) read as f32, which is exact
// for every exponent the op allows ([−126, 127], the normal f32 range) and
// does not depend on how a libm rounds exp2. All arithmetic is f32.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

namespace linea {
namespace {

/// The f32 value sign · 2^exponent of one term, from i8 `exponent` and i8
/// `sign` (−1, 0 or +1).
Value decodeTerm(OpBuilder &b, Location loc, Value exponent, Value sign) {
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  Value e = arith::ExtSIOp::create(b, loc, i32, exponent);
  Value biased = arith::AddIOp::create(
      b, loc, e, arith::ConstantIntOp::create(b, loc, i32, 127));
  Value bits = arith::ShLIOp::create(
      b, loc, biased, arith::ConstantIntOp::create(b, loc, i32, 23));
  Value power = arith::BitcastOp::create(b, loc, f32, bits);
  Value s = arith::SIToFPOp::create(b, loc, f32, sign);
  return arith::MulFOp::create(b, loc, s, power);
}

/// acc[lead..., n] = Σ_{t,k} x[lead..., k] · decodeTerm(e[t, n, k], s[t, n, k])
/// in f32, for x of any float type.
Value contractTerms(OpBuilder &b, Location loc, Value x, Value exponents,
                    Value signs) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t lead = xType.getRank() - 1;
  SmallVector<int64_t> accShape(xType.getShape());
  accShape.back() = cast<RankedTensorType>(exponents.getType()).getDimSize(1);
  Value init = filledTensor(b, loc, accShape, 0.0, x);

  // Loops: lead..., n (parallel), t, k (reduced).
  MLIRContext *ctx = b.getContext();
  unsigned loops = lead + 3;
  AffineExpr n = getAffineDimExpr(lead, ctx);
  AffineExpr t = getAffineDimExpr(lead + 1, ctx);
  AffineExpr k = getAffineDimExpr(lead + 2, ctx);
  SmallVector<AffineExpr> xExprs, accExprs;
  for (int64_t d = 0; d < lead; ++d) {
    xExprs.push_back(getAffineDimExpr(d, ctx));
    accExprs.push_back(getAffineDimExpr(d, ctx));
  }
  xExprs.push_back(k);
  accExprs.push_back(n);
  AffineMap termMap = AffineMap::get(loops, 0, {t, n, k}, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, xExprs, ctx), termMap,
                                 termMap,
                                 AffineMap::get(loops, 0, accExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::reduction);
  for (int64_t d = 0; d <= lead; ++d)
    iterators[d] = utils::IteratorType::parallel;

  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{x, exponents, signs}, init,
             maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value xv = castScalar(nb, nloc, args[0], nb.getF32Type());
               Value term = decodeTerm(nb, nloc, args[1], args[2]);
               Value prod = arith::MulFOp::create(nb, nloc, xv, term);
               linalg::YieldOp::create(
                   nb, nloc,
                   arith::AddFOp::create(nb, nloc, prod, args[3]).getResult());
             })
      .getResult(0);
}

/// y[lead..., n] = acc[lead..., n] · scale[n] in f32 (scale of any float
/// type).
Value scaleRows(OpBuilder &b, Location loc, Value acc, Value scale) {
  auto accType = cast<RankedTensorType>(acc.getType());
  int64_t rank = accType.getRank();
  MLIRContext *ctx = b.getContext();
  Value init = emptyTensor(b, loc, accType.getShape(), b.getF32Type(), acc);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, ctx)}, ctx),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{acc, scale}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value s = castScalar(nb, nloc, args[1], nb.getF32Type());
               linalg::YieldOp::create(
                   nb, nloc,
                   arith::MulFOp::create(nb, nloc, args[0], s).getResult());
             })
      .getResult(0);
}

/// y = scale · (x · Σ_t ±2^eᵀ) + bias, term by term.
struct ShiftLinearToLinalg : OpRewritePattern<ShiftLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShiftLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = contractTerms(rewriter, loc, op.getX(), op.getExponents(),
                              op.getSigns());
    if (Value scale = op.getScale())
      acc = scaleRows(rewriter, loc, acc, scale);
    rewriter.replaceOp(
        op, finishLinear(rewriter, loc, acc, op.getBias(), op.getType()));
    return success();
  }
};

} // namespace

void populateShiftToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ShiftLinearToLinalg>(patterns.getContext());
}

} // namespace linea
