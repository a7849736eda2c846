//===- QuantOps.cpp - QuantizeLinear and DequantizeLinear -----------------===//
//
// Both ops become one linalg.generic whose scale and zero-point indexing map
// expresses the granularity: per-tensor `(d...) -> ()`, per-axis
// `(d...) -> (d_axis)`, and opset 21's blocked `(d...) -> (..., d_axis
// floordiv block_size, ...)`. They are never folded, even on constant
// weights: DequantizeLinear→MatMul is the pattern that linea-raise turns
// into linea.quant_linear.
//
//===----------------------------------------------------------------------===//

#include "Elementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace linea::onnx_import {
namespace {

/// The indexing map of the scale / zero point (input `scaleIdx`) relative
/// to the data (input `dataIdx`), or failure with a message.
FailureOr<AffineMap> quantParamMap(NodeContext &ctx, unsigned dataIdx,
                                   unsigned scaleIdx) {
  ArrayRef<int64_t> x = ctx.shape(dataIdx), s = ctx.shape(scaleIdx);
  int64_t rank = x.size();
  MLIRContext *mctx = ctx.context();
  int64_t block = ctx.since() >= 21 ? ctx.attrInt("block_size", 0) : 0;
  int64_t numScales = numElementsOf(s).value_or(0);
  if (ctx.hasInput(2) && ctx.shape(2) != s) {
    (void)ctx.error("zero point shape " + NodeContext::str(ctx.shape(2)) +
                    " differs from the scale's " + NodeContext::str(s));
    return failure();
  }
  if (block == 0 && numScales == 1 && s.size() <= 1) {
    SmallVector<AffineExpr> exprs(s.size(), getAffineConstantExpr(0, mctx));
    return AffineMap::get(rank, 0, exprs, mctx);
  }
  if (rank == 0) {
    (void)ctx.error("per-axis scale on a scalar");
    return failure();
  }
  auto axisOr = ctx.normalizeAxis(ctx.attrInt("axis", 1), rank, "axis");
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr;
  if (block == 0) {
    if (s.size() != 1 || s[0] != x[axis]) {
      (void)ctx.error("per-axis scale has shape " + NodeContext::str(s) +
                      " but axis " + std::to_string(axis) + " of " +
                      NodeContext::str(x) + " has " + std::to_string(x[axis]) +
                      " entries");
      return failure();
    }
    return AffineMap::get(rank, 0, {getAffineDimExpr(axis, mctx)}, mctx);
  }
  if (block < 0) {
    (void)ctx.error("block_size is negative");
    return failure();
  }
  // Blocked: scale[..., i / block_size, ...] along `axis`.
  bool ok = int64_t(s.size()) == rank;
  for (int64_t d = 0; ok && d < rank; ++d)
    ok = d == axis ? s[d] == (x[d] + block - 1) / block : s[d] == x[d];
  if (!ok) {
    (void)ctx.error("blocked scale has shape " + NodeContext::str(s) +
                    " but data " + NodeContext::str(x) + " with block_size " +
                    std::to_string(block) + " on axis " + std::to_string(axis) +
                    " needs ceil(" + std::to_string(x[axis]) + "/" +
                    std::to_string(block) + ") there");
    return failure();
  }
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(d == axis ? getAffineDimExpr(d, mctx).floorDiv(block)
                              : getAffineDimExpr(d, mctx));
  return AffineMap::get(rank, 0, exprs, mctx);
}

/// One linalg.generic over the data's shape with the scale (and zero point)
/// read through `paramMap`.
Value quantGeneric(NodeContext &ctx, AffineMap paramMap, Type outElem,
                   BodyFn body) {
  MLIRContext *mctx = ctx.context();
  ArrayRef<int64_t> shape = ctx.shape(0);
  int64_t rank = shape.size();
  SmallVector<Value> ins = {ctx.value(0), ctx.value(1)};
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, mctx),
                                 paramMap};
  if (ctx.hasInput(2)) {
    ins.push_back(ctx.value(2));
    maps.push_back(paramMap);
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, mctx));
  Value init = emptyTensor(ctx.b, ctx.loc, shape, outElem);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      ctx.b, ctx.loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps,
      iters, [&](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(b, l, body(b, l, args.drop_back()));
      });
  return op.getResult(0);
}

bool isQuantKind(ElemKind k) {
  return k == ElemKind::I8 || k == ElemKind::U8 || k == ElemKind::I16 ||
         k == ElemKind::U16 || k == ElemKind::I32;
}

LogicalResult dequantizeHandler(NodeContext &ctx) {
  ElemKind xKind = ctx.kind(0), sKind = ctx.kind(1);
  if (!isQuantKind(xKind))
    return ctx.unsupported("x of element type " + elemName(xKind));
  if (!isFloat(sKind) || sKind == ElemKind::F64)
    return ctx.error("x_scale must be float, float16 or bfloat16, not " +
                     elemName(sKind));
  if (ctx.hasInput(2) && ctx.kind(2) != xKind)
    return ctx.error("x_zero_point is " + elemName(ctx.kind(2)) +
                     " but x is " + elemName(xKind));
  auto map = quantParamMap(ctx, 0, 1);
  if (failed(map))
    return failure();
  Type outElem = mlirElemType(sKind, ctx.context());
  Value y = quantGeneric(
      ctx, *map, outElem, [&](OpBuilder &b, Location l, ValueRange args) {
        // (float(x) - float(zero_point)) * scale, in f32.
        Value x = convertScalar(b, l, args[0], xKind, ElemKind::F32);
        if (args.size() > 2)
          x = arith::SubFOp::create(
              b, l, x, convertScalar(b, l, args[2], xKind, ElemKind::F32));
        Value s = toCompute(b, l, args[1]);
        return fromCompute(b, l, arith::MulFOp::create(b, l, x, s), outElem);
      });
  ctx.setOutput(0, y, sKind);
  return success();
}

LogicalResult quantizeHandler(NodeContext &ctx) {
  ElemKind xKind = ctx.kind(0), sKind = ctx.kind(1);
  if (!isFloat(xKind) || xKind == ElemKind::F64)
    return ctx.unsupported("x of element type " + elemName(xKind));
  if (sKind != xKind && sKind != ElemKind::F32)
    return ctx.error("y_scale is " + elemName(sKind) + " but x is " +
                     elemName(xKind));
  ElemKind outKind = ElemKind::U8;
  if (ctx.hasInput(2)) {
    outKind = ctx.kind(2);
  } else if (int dt = ctx.since() >= 21 ? ctx.attrInt("output_dtype", 0) : 0) {
    std::optional<ElemKind> k = elemKindFromOnnx(dt);
    if (!k)
      return ctx.unsupported("output_dtype " + onnxTypeName(dt));
    outKind = *k;
  }
  if (!isQuantKind(outKind) || outKind == ElemKind::I32)
    return ctx.unsupported("quantizing to " + elemName(outKind));
  auto map = quantParamMap(ctx, 0, 1);
  if (failed(map))
    return failure();
  unsigned bits = 8 * elemBytes(outKind);
  bool u = isUnsigned(outKind);
  double lo = u ? 0.0 : -std::ldexp(1.0, bits - 1);
  double hi = u ? std::ldexp(1.0, bits) - 1 : std::ldexp(1.0, bits - 1) - 1;
  Type outElem = mlirElemType(outKind, ctx.context());
  Value y = quantGeneric(
      ctx, *map, outElem, [&](OpBuilder &b, Location l, ValueRange args) {
        // saturate(round_half_even(x / scale) + zero_point)
        Value x = toCompute(b, l, args[0]);
        Value s = toCompute(b, l, args[1]);
        Type f = x.getType();
        Value q = math::RoundEvenOp::create(
            b, l, arith::DivFOp::create(b, l, x, s));
        if (args.size() > 2)
          q = arith::AddFOp::create(
              b, l, q, convertScalar(b, l, args[2], outKind, ElemKind::F32));
        q = arith::MaximumFOp::create(b, l, q, scalarConstant(b, l, f, lo));
        q = arith::MinimumFOp::create(b, l, q, scalarConstant(b, l, f, hi));
        return convertScalar(b, l, q, ElemKind::F32, outKind);
      });
  ctx.setOutput(0, y, outKind);
  return success();
}

} // namespace

void registerQuantHandlers(HandlerTable &table) {
  table.add("QuantizeLinear", {10, 13, 19, 21}, quantizeHandler, 2);
  table.add("DequantizeLinear", {10, 13, 19, 21}, dequantizeHandler, 2);
}

} // namespace linea::onnx_import
