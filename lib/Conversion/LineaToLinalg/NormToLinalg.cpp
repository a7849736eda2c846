//===- NormToLinalg.cpp - reference lowering of norms and rotations -------===//
//
// rms_norm, layer_norm, scale_channels and hadamard act on the last dim of
// x[..., D]. Each becomes a few linalg.generic ops over x's own shape:
// reductions along the last dim for the row statistics (Σx², Σx, Σ(x−μ)²),
// then one elementwise op that applies them together with the parameter
// vectors and rounds once to x's element type. All arithmetic is f32; the
// operands are widened inside the generic bodies.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <cmath>

using namespace mlir;

namespace linea {
namespace {

/// Builds the body value of a row-wise generic from its f32 block arguments.
using RowBody = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A linalg.generic over the loops of x[..., D] with the operands
/// `x` (all dims), `rowStats` (the leading dims only: one f32 value per row)
/// and `features` (the last dim only: parameter vectors of any float type).
/// `body` receives them widened to f32, in that order, followed by the
/// accumulator when `reduce` is set.
///
/// With `reduce`, the last loop is a reduction and the result is an f32
/// tensor of x's leading dims starting at 0 (Σ_e body(...)); otherwise the
/// result has x's shape and `resultElement`, each element rounded once.
Value rowGeneric(OpBuilder &b, Location loc, Value x, ValueRange rowStats,
                 ValueRange features, bool reduce, Type resultElement,
                 RowBody body) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap full = b.getMultiDimIdentityMap(rank);
  AffineMap row = full.dropResult(rank - 1);
  AffineMap feature = AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));

  SmallVector<Value> inputs = {x};
  SmallVector<AffineMap> maps = {full};
  for (Value stat : rowStats) {
    inputs.push_back(stat);
    maps.push_back(row);
  }
  for (Value vector : features) {
    inputs.push_back(vector);
    maps.push_back(feature);
  }

  Value init;
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  if (reduce) {
    init = filledTensor(b, loc, xType.getShape().drop_back(), 0.0, x);
    maps.push_back(row);
    iterators.back() = utils::IteratorType::reduction;
  } else {
    init = emptyTensor(b, loc, xType.getShape(), resultElement, x);
    maps.push_back(full);
  }
  Type f32 = b.getF32Type();
  return linalg::GenericOp::create(
             b, loc, init.getType(), inputs, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               SmallVector<Value> wide;
               for (Value arg : args.take_front(inputs.size()))
                 wide.push_back(castScalar(nb, nloc, arg, f32));
               if (reduce)
                 wide.push_back(args.back());
               Value result = body(nb, nloc, wide);
               if (!reduce)
                 result = castScalar(nb, nloc, result, resultElement);
               linalg::YieldOp::create(nb, nloc, result);
             })
      .getResult(0);
}

/// The non-null values of `values`, in order (drops absent optional operands).
SmallVector<Value> presentValues(ArrayRef<Value> values) {
  SmallVector<Value> present;
  for (Value v : values)
    if (v)
      present.push_back(v);
  return present;
}

/// Replaces `op` by `value`, adding a tensor.cast where the result type is
/// only compatible (a dim static on one side and dynamic on the other).
void replaceWithCast(PatternRewriter &rewriter, Operation *op, Value value) {
  Type type = op->getResult(0).getType();
  if (value.getType() != type)
    value = tensor::CastOp::create(rewriter, op->getLoc(), type, value);
  rewriter.replaceOp(op, value);
}

/// sqrt(meanSquare + epsilon), the divisor of both norms.
Value rootWithEpsilon(OpBuilder &b, Location loc, Value meanSquare,
                      float epsilon) {
  Value shifted =
      arith::AddFOp::create(b, loc, meanSquare, f32Constant(b, loc, epsilon));
  return math::SqrtOp::create(b, loc, shifted);
}

/// ms[r] = Σ_e x[r, e]² / D;  y[r, d] = x[r, d] / sqrt(ms[r] + ε) · w[d].
struct RmsNormToLinalg : OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RmsNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    double features = xType.getShape().back();
    float epsilon = op.getEpsilon().convertToFloat();
    bool hasWeight = static_cast<bool>(op.getWeight());

    Value sumSquares =
        rowGeneric(rewriter, loc, x, {}, {}, /*reduce=*/true, Type(),
                   [](OpBuilder &b, Location l, ValueRange a) -> Value {
                     Value square = arith::MulFOp::create(b, l, a[0], a[0]);
                     return arith::AddFOp::create(b, l, square, a[1]);
                   });
    Value y = rowGeneric(
        rewriter, loc, x, sumSquares, presentValues({op.getWeight()}),
        /*reduce=*/false, xType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value meanSquare =
              arith::DivFOp::create(b, l, a[1], f32Constant(b, l, features));
          Value y = arith::DivFOp::create(
              b, l, a[0], rootWithEpsilon(b, l, meanSquare, epsilon));
          return hasWeight ? arith::MulFOp::create(b, l, y, a[2]) : y;
        });
    replaceWithCast(rewriter, op, y);
    return success();
  }
};

/// μ[r] = Σ_e x[r, e] / D;  σ²[r] = Σ_e (x[r, e] − μ[r])² / D;
/// y[r, d] = (x[r, d] − μ[r]) / sqrt(σ²[r] + ε) · w[d] + b[d].
struct LayerNormToLinalg : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    double features = xType.getShape().back();
    float epsilon = op.getEpsilon().convertToFloat();
    bool hasWeight = static_cast<bool>(op.getWeight());
    bool hasBias = static_cast<bool>(op.getBias());

    auto mean = [&](OpBuilder &b, Location l, Value sum) -> Value {
      return arith::DivFOp::create(b, l, sum, f32Constant(b, l, features));
    };
    Value sum = rowGeneric(rewriter, loc, x, {}, {}, /*reduce=*/true, Type(),
                           [](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return arith::AddFOp::create(b, l, a[0], a[1]);
                           });
    // Two passes (Σ(x − μ)², not Σx² − μ²): the reference avoids the
    // cancellation of the one-pass formula.
    Value sumSquaredDeviations =
        rowGeneric(rewriter, loc, x, sum, {}, /*reduce=*/true, Type(),
                   [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                     Value dev =
                         arith::SubFOp::create(b, l, a[0], mean(b, l, a[1]));
                     Value square = arith::MulFOp::create(b, l, dev, dev);
                     return arith::AddFOp::create(b, l, square, a[2]);
                   });
    Value y =
        rowGeneric(rewriter, loc, x, {sum, sumSquaredDeviations},
                   presentValues({op.getWeight(), op.getBias()}),
                   /*reduce=*/false, xType.getElementType(),
                   [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                     Value dev =
                         arith::SubFOp::create(b, l, a[0], mean(b, l, a[1]));
                     Value variance = mean(b, l, a[2]);
                     Value y = arith::DivFOp::create(
                         b, l, dev, rootWithEpsilon(b, l, variance, epsilon));
                     unsigned next = 3;
                     if (hasWeight)
                       y = arith::MulFOp::create(b, l, y, a[next++]);
                     if (hasBias)
                       y = arith::AddFOp::create(b, l, y, a[next]);
                     return y;
                   });
    replaceWithCast(rewriter, op, y);
    return success();
  }
};

/// y[..., k] = x[..., k] · scale[k].
struct ScaleChannelsToLinalg : OpRewritePattern<ScaleChannelsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScaleChannelsOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getX();
    Value y = rowGeneric(rewriter, op.getLoc(), x, {}, Value(op.getScale()),
                         /*reduce=*/false,
                         cast<RankedTensorType>(x.getType()).getElementType(),
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::MulFOp::create(b, l, a[0], a[1]);
                         });
    replaceWithCast(rewriter, op, y);
    return success();
  }
};

/// y[..., b·B + i] = c · Σ_j H_B[i, j] · x[..., b·B + j]: x is viewed as
/// [..., K/B, B] and contracted with H_B, whose entries
/// (−1)^popcount(i & j) are computed from the loop indices rather than
/// stored, so any block size costs no constant data.
struct HadamardToLinalg : OpRewritePattern<HadamardOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HadamardOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t rank = xType.getRank();
    int64_t features = xType.getShape().back();
    int64_t block = op.getBlockSize();
    double c = op.getNormalized() ? 1.0 / std::sqrt(double(block)) : 1.0;

    // [..., K] → [..., K/B, B].
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t i = 0; i + 1 < rank; ++i)
      reassociation.push_back({i});
    reassociation.push_back({rank - 1, rank});
    SmallVector<int64_t> blockedShape(xType.getShape().drop_back());
    blockedShape.append({features / block, block});
    Value blocked = tensor::ExpandShapeOp::create(
        rewriter, loc, xType.clone(blockedShape), x, reassociation);

    // Loops: leading dims..., block b, output i, input j (reduction).
    unsigned loops = rank + 2;
    unsigned iLoop = rank, jLoop = rank + 1;
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      inExprs.push_back(getAffineDimExpr(d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    inExprs.push_back(getAffineDimExpr(jLoop, ctx));
    outExprs.push_back(getAffineDimExpr(iLoop, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                   AffineMap::get(loops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(loops,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;
    Value init = filledTensor(rewriter, loc, blockedShape, 0.0, blocked);
    Type f32 = rewriter.getF32Type(), i64 = rewriter.getI64Type();
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), blocked, init, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value xj = castScalar(b, l, args[0], f32);
              // H_B[i, j] is −1 exactly when popcount(i & j) is odd.
              auto index = [&](unsigned dim) -> Value {
                Value v = linalg::IndexOp::create(b, l, dim);
                return arith::IndexCastOp::create(b, l, i64, v);
              };
              Value common =
                  arith::AndIOp::create(b, l, index(iLoop), index(jLoop));
              Value parity = arith::AndIOp::create(
                  b, l, math::CtPopOp::create(b, l, common),
                  arith::ConstantIntOp::create(b, l, i64, 1));
              Value odd = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::ne, parity,
                  arith::ConstantIntOp::create(b, l, i64, 0));
              Value term = arith::SelectOp::create(
                  b, l, odd, arith::NegFOp::create(b, l, xj), xj);
              linalg::YieldOp::create(
                  b, l, arith::AddFOp::create(b, l, term, args[1]).getResult());
            })
            .getResult(0);

    // c · Σ, rounded once, then back to [..., K].
    Value scaled = rowGeneric(
        rewriter, loc, sums, {}, {}, /*reduce=*/false, xType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::MulFOp::create(b, l, a[0], f32Constant(b, l, c));
        });
    Value y =
        tensor::CollapseShapeOp::create(rewriter, loc, scaled, reassociation);
    replaceWithCast(rewriter, op, y);
    return success();
  }
};

} // namespace

void populateNormToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RmsNormToLinalg, LayerNormToLinalg, ScaleChannelsToLinalg,
               HadamardToLinalg>(patterns.getContext());
}

} // namespace linea
