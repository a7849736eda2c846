//===- MatMulGemm.cpp - MatMul, Gemm and MatMulInteger --------------------===//
//
// Contractions map to named linalg ops so that later passes (linea-raise)
// recognize them: a 2-D × 2-D product is linalg.matmul; the common linear
// layer x[..., K] @ W[K, N] collapses x's leading dims into rows and is one
// linalg.matmul too; batched products with equal batch dims are
// linalg.batch_matmul. Each carries the ONNX node name as `name`.
// f16/bf16 products accumulate in f32 and round once at the end.
//
//===----------------------------------------------------------------------===//

#include "Elementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;

namespace linea::onnx_import {
namespace {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

SmallVector<int64_t> concat(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  SmallVector<int64_t> out(a);
  out.append(b.begin(), b.end());
  return out;
}

/// Broadcasts `v` to `shape` (a copy through linalg.generic).
Value broadcastTo(OpBuilder &b, Location loc, Value v,
                  ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  return mapElementwise(b, loc, v, shape, type.getElementType(),
                        [](OpBuilder &, Location, ValueRange args) {
                          return args[0];
                        });
}

/// numpy.matmul of `a` and `b` (element type `elem`), accumulated in
/// `acc` and returned in `acc`. Fails with a message naming the shapes.
FailureOr<Value> emitMatMul(NodeContext &ctx, Value a, Value b, Type acc) {
  OpBuilder &bld = ctx.b;
  Location loc = ctx.loc;
  SmallVector<int64_t> sa(cast<RankedTensorType>(a.getType()).getShape());
  SmallVector<int64_t> sb(cast<RankedTensorType>(b.getType()).getShape());
  std::string shapes = "A: " + NodeContext::str(sa) +
                       ", B: " + NodeContext::str(sb);
  if (sa.empty() || sb.empty()) {
    (void)ctx.error("MatMul of a scalar (" + shapes + ")");
    return failure();
  }
  bool aVec = sa.size() == 1, bVec = sb.size() == 1;
  if (aVec) {
    sa.insert(sa.begin(), 1);
    a = reshapeTo(bld, loc, a, sa);
  }
  if (bVec) {
    sb.push_back(1);
    b = reshapeTo(bld, loc, b, sb);
  }
  int64_t m = sa[sa.size() - 2], k = sa.back();
  int64_t kb = sb[sb.size() - 2], n = sb.back();
  if (k != kb) {
    (void)ctx.error("A has K=" + std::to_string(k) + " but B has K=" +
                    std::to_string(kb) + " (" + shapes + ")");
    return failure();
  }
  ArrayRef<int64_t> batchA = ArrayRef<int64_t>(sa).drop_back(2);
  ArrayRef<int64_t> batchB = ArrayRef<int64_t>(sb).drop_back(2);
  auto batch = broadcastShapes({batchA, batchB});
  if (!batch) {
    (void)ctx.error("batch dimensions do not broadcast (" + shapes + ")");
    return failure();
  }
  Value zero = scalarConstant(bld, loc, acc, 0);
  Value result;
  if (batchB.empty()) {
    // Rows of all batches at once: one matmul against the shared B.
    int64_t rows = product(batchA) * m;
    Value a2 = reshapeTo(bld, loc, a, {rows, k});
    Value init = filledTensor(bld, loc, {rows, n}, zero);
    auto mm = linalg::MatmulOp::create(bld, loc, TypeRange{init.getType()},
                                       ValueRange{a2, b}, ValueRange{init});
    ctx.tag(mm);
    result = reshapeTo(bld, loc, mm.getResult(0), concat(batchA, {m, n}));
  } else {
    int64_t p = product(*batch);
    Value a3 = reshapeTo(bld, loc,
                         broadcastTo(bld, loc, a, concat(*batch, {m, k})),
                         {p, m, k});
    Value b3 = reshapeTo(bld, loc,
                         broadcastTo(bld, loc, b, concat(*batch, {k, n})),
                         {p, k, n});
    Value init = filledTensor(bld, loc, {p, m, n}, zero);
    auto mm = linalg::BatchMatmulOp::create(bld, loc, TypeRange{init.getType()},
                                            ValueRange{a3, b3},
                                            ValueRange{init});
    ctx.tag(mm);
    result = reshapeTo(bld, loc, mm.getResult(0), concat(*batch, {m, n}));
  }
  SmallVector<int64_t> final(*batch);
  if (!aVec)
    final.push_back(m);
  if (!bVec)
    final.push_back(n);
  return reshapeTo(bld, loc, result, final);
}

/// The accumulator type of a product of `kind` elements.
Type accumulatorType(ElemKind kind, MLIRContext *context) {
  return computeType(kind, context);
}

LogicalResult matMulHandler(NodeContext &ctx) {
  ElemKind kind = ctx.kind(0);
  if (ctx.kind(1) != kind)
    return ctx.error("A is " + elemName(kind) + " but B is " +
                     elemName(ctx.kind(1)));
  if (kind == ElemKind::Bool)
    return ctx.unsupported("bool MatMul");
  Type acc = accumulatorType(kind, ctx.context());
  auto r = emitMatMul(ctx, ctx.value(0), ctx.value(1), acc);
  if (failed(r))
    return failure();
  Value out = *r;
  Type elem = mlirElemType(kind, ctx.context());
  if (acc != elem)
    out = convertTensor(ctx.b, ctx.loc, out, ElemKind::F32, kind);
  ctx.setOutput(0, out, kind);
  return success();
}

LogicalResult gemmHandler(NodeContext &ctx) {
  ElemKind kind = ctx.kind(0);
  if (!isFloat(kind) && kind != ElemKind::I32 && kind != ElemKind::I64 &&
      kind != ElemKind::U32 && kind != ElemKind::U64)
    return ctx.unsupported("Gemm of " + elemName(kind));
  if (ctx.kind(1) != kind || (ctx.hasInput(2) && ctx.kind(2) != kind))
    return ctx.error("A, B and C must have one element type");
  if (ctx.rank(0) != 2 || ctx.rank(1) != 2)
    return ctx.error("A and B must be 2-D, but A is " +
                     NodeContext::str(ctx.shape(0)) + " and B is " +
                     NodeContext::str(ctx.shape(1)));
  double alpha = ctx.attrFloat("alpha", 1.0);
  double beta = ctx.attrFloat("beta", 1.0);
  bool transA = ctx.attrInt("transA", 0), transB = ctx.attrInt("transB", 0);
  Value a = ctx.value(0), b = ctx.value(1);
  if (transA)
    a = transposeTo(ctx.b, ctx.loc, a, {1, 0});
  if (transB)
    b = transposeTo(ctx.b, ctx.loc, b, {1, 0});
  Type acc = accumulatorType(kind, ctx.context());
  auto r = emitMatMul(ctx, a, b, acc);
  if (failed(r))
    return failure();
  Value y = *r;
  auto yShape = cast<RankedTensorType>(y.getType()).getShape();
  bool hasC = ctx.hasInput(2) && beta != 0.0;
  if (hasC) {
    auto bc = broadcastShapes({ctx.shape(2), yShape});
    if (!bc || ArrayRef<int64_t>(*bc) != yShape)
      return ctx.error("C of shape " + NodeContext::str(ctx.shape(2)) +
                       " does not broadcast to the product's shape " +
                       NodeContext::str(yShape));
  }
  Type elem = mlirElemType(kind, ctx.context());
  bool floating = isFloat(kind);
  if (alpha != 1.0 || hasC || acc != elem) {
    SmallVector<Value> ins = {y};
    if (hasC)
      ins.push_back(ctx.value(2));
    y = mapElementwise(
        ctx.b, ctx.loc, ins, yShape, elem,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = args[0];
          if (alpha != 1.0)
            v = floating ? Value(arith::MulFOp::create(
                               b, l, v, scalarConstant(b, l, acc, alpha)))
                         : Value(arith::MulIOp::create(
                               b, l, v, scalarConstant(b, l, acc, alpha)));
          if (hasC) {
            Value c = floating ? toCompute(b, l, args[1]) : args[1];
            if (beta != 1.0)
              c = floating ? Value(arith::MulFOp::create(
                                 b, l, c, scalarConstant(b, l, acc, beta)))
                           : Value(arith::MulIOp::create(
                                 b, l, c, scalarConstant(b, l, acc, beta)));
            v = floating ? Value(arith::AddFOp::create(b, l, v, c))
                         : Value(arith::AddIOp::create(b, l, v, c));
          }
          return floating ? fromCompute(b, l, v, elem) : v;
        });
  }
  ctx.setOutput(0, y, kind);
  return success();
}

/// (x - zero point) widened to i32, with a 1-D per-row zero point of A
/// reshaped to [M, 1] so that it broadcasts along rows.
FailureOr<Value> subtractZeroPoint(NodeContext &ctx, unsigned x, unsigned zp,
                                   bool perRow) {
  ElemKind kind = ctx.kind(x);
  if (kind != ElemKind::I8 && kind != ElemKind::U8) {
    (void)ctx.unsupported("MatMulInteger of " + elemName(kind));
    return failure();
  }
  Type i32 = ctx.b.getI32Type();
  SmallVector<Value> ins = {ctx.value(x)};
  SmallVector<int64_t> shape(ctx.shape(x));
  if (ctx.hasInput(zp)) {
    if (ctx.kind(zp) != kind) {
      (void)ctx.error("zero point type differs from its matrix's");
      return failure();
    }
    Value z = ctx.value(zp);
    if (ctx.rank(zp) == 1 && ctx.shape(zp)[0] != 1) {
      if (perRow && shape.size() >= 2)
        z = reshapeTo(ctx.b, ctx.loc, z, {ctx.shape(zp)[0], 1});
      auto zShape = cast<RankedTensorType>(z.getType()).getShape();
      auto bc = broadcastShapes({zShape, shape});
      if (!bc || ArrayRef<int64_t>(*bc) != ArrayRef<int64_t>(shape)) {
        (void)ctx.error("zero point of shape " +
                        NodeContext::str(ctx.shape(zp)) +
                        " does not match its matrix " + NodeContext::str(shape));
        return failure();
      }
    } else if (ctx.rank(zp) > 1) {
      (void)ctx.unsupported("zero point of rank > 1");
      return failure();
    }
    ins.push_back(z);
  }
  return mapElementwise(ctx.b, ctx.loc, ins, shape, i32,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          Value v = convertScalar(b, l, args[0], kind,
                                                  ElemKind::I32);
                          if (args.size() == 1)
                            return v;
                          Value z = convertScalar(b, l, args[1], kind,
                                                  ElemKind::I32);
                          return Value(arith::SubIOp::create(b, l, v, z));
                        });
}

LogicalResult matMulIntegerHandler(NodeContext &ctx) {
  auto a = subtractZeroPoint(ctx, 0, 2, /*perRow=*/true);
  if (failed(a))
    return failure();
  auto b = subtractZeroPoint(ctx, 1, 3, /*perRow=*/false);
  if (failed(b))
    return failure();
  auto r = emitMatMul(ctx, *a, *b, ctx.b.getI32Type());
  if (failed(r))
    return failure();
  ctx.setOutput(0, *r, ElemKind::I32);
  return success();
}

} // namespace

void registerMatMulHandlers(HandlerTable &table) {
  table.add("MatMul", {1, 9, 13}, matMulHandler, 2);
  table.add("Gemm", {11, 13}, gemmHandler, 2);
  table.add("MatMulInteger", {10}, matMulIntegerHandler, 2);
}

} // namespace linea::onnx_import
