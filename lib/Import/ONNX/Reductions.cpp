//===- Reductions.cpp - Reduce*, Softmax, LogSoftmax, LayerNormalization --===//
//
// A reduction is one linalg.generic with reduction iterators over a
// linalg.fill-ed accumulator (EmitUtils' reduce()); normalizations combine
// reductions kept as size-1 dims with broadcasting elementwise generics.
// f16/bf16 inputs accumulate in f32.
//
//===----------------------------------------------------------------------===//

#include "Elementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace linea::onnx_import {
namespace {

enum class Red { Sum, Mean, Max, Min, Prod, SumSquare, L1, L2, LogSum, LogSumExp };

/// The normalized, sorted reduction axes, or nullopt for "identity" (empty
/// axes with noop_with_empty_axes).
FailureOr<std::optional<SmallVector<int64_t>>>
reductionAxes(NodeContext &ctx, bool axesAsInput) {
  int64_t rank = ctx.rank(0);
  SmallVector<int64_t> axes;
  if (axesAsInput) {
    if (ctx.hasInput(1)) {
      auto a = ctx.requireInts(1, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (axes.empty() && ctx.attrInt("noop_with_empty_axes", 0))
      return std::optional<SmallVector<int64_t>>();
  } else if (auto a = ctx.attrInts("axes")) {
    axes = *a;
  }
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  SmallVector<int64_t> normalized;
  for (int64_t a : axes) {
    auto axis = ctx.normalizeAxis(a, std::max<int64_t>(rank, 1), "axis");
    if (failed(axis))
      return failure();
    if (rank == 0)
      continue;
    if (!llvm::is_contained(normalized, *axis))
      normalized.push_back(*axis);
  }
  llvm::sort(normalized);
  return std::optional<SmallVector<int64_t>>(normalized);
}

double hostInit(Red op) {
  switch (op) {
  case Red::Max: return -std::numeric_limits<double>::infinity();
  case Red::Min: return std::numeric_limits<double>::infinity();
  case Red::Prod: return 1.0;
  default: return 0.0;
  }
}

LogicalResult emitReduce(NodeContext &ctx, Red op, bool axesAsInput) {
  ElemKind kind = ctx.kind(0);
  bool floating = isFloat(kind);
  if (kind == ElemKind::Bool ||
      (!floating && op != Red::Sum && op != Red::Max && op != Red::Min &&
       op != Red::Prod && op != Red::SumSquare && op != Red::L1))
    return ctx.unsupported(std::string("this reduction of ") + elemName(kind));
  auto axesOr = reductionAxes(ctx, axesAsInput);
  if (failed(axesOr))
    return failure();
  if (!*axesOr) {
    ctx.setOutput(0, ctx.input(0));
    return success();
  }
  ArrayRef<int64_t> axes = **axesOr;
  bool keepDims = ctx.attrInt("keepdims", 1);
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t count = 1;
  SmallVector<int64_t> outShape, keptShape;
  for (int64_t d = 0; d < int64_t(in.size()); ++d) {
    bool reduced = llvm::is_contained(axes, d);
    if (reduced)
      count *= in[d];
    keptShape.push_back(reduced ? 1 : in[d]);
    if (!reduced || keepDims)
      outShape.push_back(reduced ? 1 : in[d]);
  }
  bool u = isUnsigned(kind);

  // Fold on the host.
  const ConstData *c = ctx.constant(0);
  if (c && ctx.canFold({0}, c->numElements())) {
    ConstData out = ConstData::zeros(kind, outShape);
    int64_t n = out.numElements();
    SmallVector<double> acc(n, hostInit(op));
    SmallVector<int64_t> iacc(n, op == Red::Prod ? 1 : 0);
    SmallVector<bool> seen(n, false);
    SmallVector<int64_t> keptStrides = stridesOf(keptShape);
    forEachIndex(in, [&](int64_t e, ArrayRef<int64_t> idx) {
      int64_t o = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        o += (keptShape[d] == 1 ? 0 : idx[d]) * keptStrides[d];
      if (!floating) {
        int64_t x = c->getInt(e);
        int64_t &a = iacc[o];
        switch (op) {
        case Red::Sum: a += x; break;
        case Red::Prod: a *= x; break;
        case Red::SumSquare: a += x * x; break;
        case Red::L1: a += x < 0 ? -x : x; break;
        case Red::Max: a = !seen[o] ? x : u ? int64_t(std::max<uint64_t>(a, x)) : std::max(a, x); break;
        case Red::Min: a = !seen[o] ? x : u ? int64_t(std::min<uint64_t>(a, x)) : std::min(a, x); break;
        default: break;
        }
        seen[o] = true;
        return;
      }
      double x = c->getDouble(e);
      double &a = acc[o];
      switch (op) {
      case Red::Sum: case Red::Mean: case Red::LogSum: a += x; break;
      case Red::Max: a = std::isnan(x) || std::isnan(a) ? NAN : std::max(a, x); break;
      case Red::Min: a = std::isnan(x) || std::isnan(a) ? NAN : std::min(a, x); break;
      case Red::Prod: a *= x; break;
      case Red::SumSquare: case Red::L2: a += x * x; break;
      case Red::L1: a += std::fabs(x); break;
      case Red::LogSumExp: a += std::exp(x); break;
      }
    });
    for (int64_t o = 0; o < n; ++o) {
      if (!floating) {
        out.setInt(o, iacc[o]);
        continue;
      }
      double a = acc[o];
      if (op == Red::Mean)
        a /= double(count);
      else if (op == Red::L2)
        a = std::sqrt(a);
      else if (op == Red::LogSum || op == Red::LogSumExp)
        a = std::log(a);
      out.setDouble(o, a);
    }
    ctx.setOutput(0, std::move(out));
    return success();
  }

  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  Type elem = mlirElemType(kind, ctx.context());
  Type accType = computeType(kind, ctx.context());
  double init = hostInit(op);
  Value initValue;
  if (floating)
    initValue = scalarConstant(b, loc, accType, init);
  else if (op == Red::Max || op == Red::Min) {
    unsigned bits = accType.getIntOrFloatBitWidth();
    APInt v = op == Red::Max ? (u ? APInt::getMinValue(bits)
                                  : APInt::getSignedMinValue(bits))
                             : (u ? APInt::getMaxValue(bits)
                                  : APInt::getSignedMaxValue(bits));
    initValue = arith::ConstantOp::create(b, loc, IntegerAttr::get(accType, v));
  } else
    initValue = scalarConstant(b, loc, accType, init);
  Value r = reduce(
      b, loc, ctx.value(0), axes, keepDims, accType, initValue,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value x = args[0], a = args[1];
        if (floating) {
          switch (op) {
          case Red::Max: return arith::MaximumFOp::create(nb, l, a, x);
          case Red::Min: return arith::MinimumFOp::create(nb, l, a, x);
          case Red::Prod: return arith::MulFOp::create(nb, l, a, x);
          case Red::SumSquare:
          case Red::L2:
            return arith::AddFOp::create(nb, l, a,
                                         arith::MulFOp::create(nb, l, x, x));
          case Red::L1:
            return arith::AddFOp::create(nb, l, a, math::AbsFOp::create(nb, l, x));
          case Red::LogSumExp:
            return arith::AddFOp::create(nb, l, a, math::ExpOp::create(nb, l, x));
          default: return arith::AddFOp::create(nb, l, a, x);
          }
        }
        switch (op) {
        case Red::Max:
          return u ? Value(arith::MaxUIOp::create(nb, l, a, x))
                   : Value(arith::MaxSIOp::create(nb, l, a, x));
        case Red::Min:
          return u ? Value(arith::MinUIOp::create(nb, l, a, x))
                   : Value(arith::MinSIOp::create(nb, l, a, x));
        case Red::Prod: return arith::MulIOp::create(nb, l, a, x);
        case Red::SumSquare:
          return arith::AddIOp::create(nb, l, a, arith::MulIOp::create(nb, l, x, x));
        case Red::L1:
          return arith::AddIOp::create(
              nb, l, a, u ? x : Value(math::AbsIOp::create(nb, l, x)));
        default: return arith::AddIOp::create(nb, l, a, x);
        }
      });
  bool post = op == Red::Mean || op == Red::L2 || op == Red::LogSum ||
              op == Red::LogSumExp;
  if (post || accType != elem) {
    r = mapElementwise(b, loc, r, outShape, elem,
                       [&](OpBuilder &nb, Location l, ValueRange args) {
                         Value a = args[0];
                         if (op == Red::Mean)
                           a = arith::DivFOp::create(
                               nb, l, a,
                               scalarConstant(nb, l, accType, double(count)));
                         else if (op == Red::L2)
                           a = math::SqrtOp::create(nb, l, a);
                         else if (op == Red::LogSum || op == Red::LogSumExp)
                           a = math::LogOp::create(nb, l, a);
                         return fromCompute(nb, l, a, elem);
                       });
  }
  ctx.setOutput(0, r, kind);
  return success();
}

/// ReduceSum takes axes as an input since 13, the others since 18.
template <Red op, int inputSince> LogicalResult reduceHandler(NodeContext &ctx) {
  return emitReduce(ctx, op, ctx.since() >= inputSince);
}

/// softmax / log-softmax of `x` (compute type) along `axis`.
Value emitSoftmax(OpBuilder &b, Location loc, Value x, int64_t axis,
                  bool logSoftmax) {
  auto type = cast<RankedTensorType>(x.getType());
  Type ct = type.getElementType();
  ArrayRef<int64_t> shape = type.getShape();
  Value ninf = scalarConstant(b, loc, ct, -INFINITY);
  Value max = reduce(b, loc, x, {axis}, true, ct, ninf,
                     [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                       return arith::MaximumFOp::create(nb, l, args[1], args[0]);
                     });
  Value shifted = mapElementwise(
      b, loc, ValueRange{x, max}, shape, ct,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::SubFOp::create(nb, l, args[0], args[1]);
      });
  Value e = mapElementwise(b, loc, shifted, shape, ct,
                           [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                             return math::ExpOp::create(nb, l, args[0]);
                           });
  Value zero = scalarConstant(b, loc, ct, 0.0);
  Value sum = reduce(b, loc, e, {axis}, true, ct, zero,
                     [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                       return arith::AddFOp::create(nb, l, args[1], args[0]);
                     });
  if (logSoftmax)
    return mapElementwise(
        b, loc, ValueRange{shifted, sum}, shape, ct,
        [](OpBuilder &nb, Location l, ValueRange args) -> Value {
          return arith::SubFOp::create(nb, l, args[0],
                                       math::LogOp::create(nb, l, args[1]));
        });
  return mapElementwise(b, loc, ValueRange{e, sum}, shape, ct,
                        [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                          return arith::DivFOp::create(nb, l, args[0], args[1]);
                        });
}

template <bool logSoftmax> LogicalResult softmaxHandler(NodeContext &ctx) {
  ElemKind kind = ctx.kind(0);
  if (!isFloat(kind))
    return ctx.error("input must be a float, not " + elemName(kind));
  int64_t rank = ctx.rank(0);
  bool coerce2d = ctx.since() < 13;
  auto axisOr = ctx.normalizeAxis(ctx.attrInt("axis", coerce2d ? 1 : -1),
                                  std::max<int64_t>(rank, 1), "axis");
  if (failed(axisOr))
    return failure();
  if (rank == 0)
    return ctx.error("input must have rank >= 1");
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  ArrayRef<int64_t> shape = ctx.shape(0);
  Value x = convertTensor(b, loc, ctx.value(0), kind,
                          kind == ElemKind::F64 ? ElemKind::F64 : ElemKind::F32);
  int64_t axis = *axisOr;
  if (coerce2d) {
    // Opsets < 13: the input is viewed as [prod(dims < axis), prod(rest)].
    int64_t rows = 1, cols = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? rows : cols) *= shape[d];
    x = reshapeTo(b, loc, x, {rows, cols});
    axis = 1;
  }
  Value y = emitSoftmax(b, loc, x, axis, logSoftmax);
  y = reshapeTo(b, loc, y, shape);
  y = convertTensor(b, loc, y,
                    kind == ElemKind::F64 ? ElemKind::F64 : ElemKind::F32, kind);
  ctx.setOutput(0, y, kind);
  return success();
}

LogicalResult layerNormHandler(NodeContext &ctx) {
  ElemKind kind = ctx.kind(0);
  if (!isFloat(kind))
    return ctx.error("X must be a float, not " + elemName(kind));
  int64_t rank = ctx.rank(0);
  auto axisOr = ctx.normalizeAxis(ctx.attrInt("axis", -1), rank, "axis");
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr;
  double eps = ctx.attrFloat("epsilon", 1e-5);
  ArrayRef<int64_t> shape = ctx.shape(0);
  SmallVector<int64_t> axes, statShape;
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (d >= axis) {
      axes.push_back(d);
      count *= shape[d];
    }
    statShape.push_back(d >= axis ? 1 : shape[d]);
  }
  for (unsigned i : {1u, 2u}) {
    if (!ctx.hasInput(i))
      continue;
    if (ctx.kind(i) != kind)
      return ctx.error(std::string(i == 1 ? "Scale" : "B") + " is " +
                       elemName(ctx.kind(i)) + " but X is " + elemName(kind));
    auto bc = broadcastShapes({ctx.shape(i), shape});
    if (!bc || ArrayRef<int64_t>(*bc) != shape)
      return ctx.error(std::string(i == 1 ? "Scale" : "B") + " of shape " +
                       NodeContext::str(ctx.shape(i)) +
                       " does not broadcast to X's shape " +
                       NodeContext::str(shape));
  }
  // stash_type selects the type of the statistics; f32 (1) is the default
  // and the only one ONNX defines besides the input's own for f64.
  int64_t stash = ctx.attrInt("stash_type", 1);
  ElemKind statKind = kind == ElemKind::F64 && stash != 1 ? ElemKind::F64
                      : kind == ElemKind::F64           ? ElemKind::F64
                                                        : ElemKind::F32;
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  Type st = mlirElemType(statKind, ctx.context());
  Value x = convertTensor(b, loc, ctx.value(0), kind, statKind);
  Value zero = scalarConstant(b, loc, st, 0.0);
  auto sumOf = [&](Value v) {
    return reduce(b, loc, v, axes, true, st, zero,
                  [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                    return arith::AddFOp::create(nb, l, args[1], args[0]);
                  });
  };
  Value n = scalarConstant(b, loc, st, double(count));
  auto divN = [&](Value v) {
    return mapElementwise(b, loc, v, statShape, st,
                          [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                            return arith::DivFOp::create(nb, l, args[0], n);
                          });
  };
  Value mean = divN(sumOf(x));
  Value centered = mapElementwise(
      b, loc, ValueRange{x, mean}, shape, st,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::SubFOp::create(nb, l, args[0], args[1]);
      });
  Value sq = mapElementwise(b, loc, centered, shape, st,
                            [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                              return arith::MulFOp::create(nb, l, args[0], args[0]);
                            });
  Value var = divN(sumOf(sq));
  Value invStd = mapElementwise(
      b, loc, var, statShape, st,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value v = arith::AddFOp::create(nb, l, args[0],
                                        scalarConstant(nb, l, st, eps));
        return arith::DivFOp::create(nb, l, scalarConstant(nb, l, st, 1.0),
                                     math::SqrtOp::create(nb, l, v));
      });
  SmallVector<Value> ins = {centered, invStd};
  bool hasScale = ctx.hasInput(1), hasBias = ctx.hasInput(2);
  if (hasScale)
    ins.push_back(ctx.value(1));
  if (hasBias)
    ins.push_back(ctx.value(2));
  Type elem = mlirElemType(kind, ctx.context());
  Value y = mapElementwise(
      b, loc, ins, shape, elem,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value v = arith::MulFOp::create(nb, l, args[0], args[1]);
        unsigned k = 2;
        auto widen = [&](Value s) {
          return s.getType() == st ? s
                                   : Value(arith::ExtFOp::create(nb, l, st, s));
        };
        if (hasScale)
          v = arith::MulFOp::create(nb, l, v, widen(args[k++]));
        if (hasBias)
          v = arith::AddFOp::create(nb, l, v, widen(args[k++]));
        return fromCompute(nb, l, v, elem);
      });
  ctx.setOutput(0, y, kind);
  ctx.setOutput(1, mean, statKind);
  ctx.setOutput(2, invStd, statKind);
  return success();
}

} // namespace

void registerReductionHandlers(HandlerTable &table) {
  table.add("ReduceSum", {1, 11}, reduceHandler<Red::Sum, 13>);
  table.add("ReduceSum", {13}, reduceHandler<Red::Sum, 13>);
  table.add("ReduceMean", {1, 11, 13, 18}, reduceHandler<Red::Mean, 18>);
  table.add("ReduceMax", {1, 11, 12, 13, 18, 20}, reduceHandler<Red::Max, 18>);
  table.add("ReduceMin", {1, 11, 12, 13, 18, 20}, reduceHandler<Red::Min, 18>);
  table.add("ReduceProd", {1, 11, 13, 18}, reduceHandler<Red::Prod, 18>);
  table.add("ReduceSumSquare", {1, 11, 13, 18},
            reduceHandler<Red::SumSquare, 18>);
  table.add("ReduceL1", {1, 11, 13, 18}, reduceHandler<Red::L1, 18>);
  table.add("ReduceL2", {1, 11, 13, 18}, reduceHandler<Red::L2, 18>);
  table.add("ReduceLogSum", {1, 11, 13, 18}, reduceHandler<Red::LogSum, 18>);
  table.add("ReduceLogSumExp", {1, 11, 13, 18},
            reduceHandler<Red::LogSumExp, 18>);
  table.add("Softmax", {1, 11, 13}, softmaxHandler<false>);
  table.add("LogSoftmax", {1, 11, 13}, softmaxHandler<true>);
  table.add("LayerNormalization", {17}, layerNormHandler, 2);
}

} // namespace linea::onnx_import
