//===- Elementwise.cpp - arithmetic, activations, comparisons, Cast, Where ===//
//
// Every elementwise op is one linalg.generic whose indexing maps implement
// numpy broadcasting (EmitUtils.cpp). f16/bf16 arithmetic is computed in f32
// and rounded once per op, which is what the ONNX reference (numpy) does.
// With constant inputs the op is folded on the host instead: this is what
// removes torch's shape arithmetic (Equal/Where/Mul on small int tensors).
//
//===----------------------------------------------------------------------===//

#include "Elementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;

namespace linea::onnx_import {

LogicalResult emitNary(NodeContext &ctx, ArrayRef<unsigned> inputs,
                       ElemKind outKind, BodyFn body, HostElementFn host) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (unsigned i : inputs)
    shapes.push_back(ctx.shape(i));
  auto out = broadcastShapes(shapes);
  if (!out) {
    std::string list;
    for (ArrayRef<int64_t> s : shapes)
      list += (list.empty() ? "" : ", ") + NodeContext::str(s);
    return ctx.error("input shapes " + list + " do not broadcast");
  }
  if (host) {
    SmallVector<const ConstData *> consts;
    bool splats = true;
    for (unsigned i : inputs) {
      const ConstData *c = ctx.constant(i);
      if (!c)
        break;
      consts.push_back(c);
      splats &= c->isSplat();
    }
    int64_t n = numElementsOf(*out).value_or(INT64_MAX);
    if (consts.size() == inputs.size() &&
        (splats || n <= NodeContext::kFoldLimit)) {
      ConstData result = ConstData::zeros(outKind, *out, splats);
      bool ok = true;
      if (splats) {
        SmallVector<int64_t> zeros(consts.size(), 0);
        ok = host(result, 0, consts, zeros);
      } else {
        forEachBroadcast(shapes, *out,
                         [&](int64_t o, ArrayRef<int64_t> idx) {
                           ok = ok && host(result, o, consts, idx);
                         });
      }
      if (ok) {
        ctx.setOutput(0, std::move(result));
        return success();
      }
    }
  }
  SmallVector<Value> values;
  for (unsigned i : inputs)
    values.push_back(ctx.value(i));
  Value r = mapElementwise(ctx.b, ctx.loc, values, *out,
                           mlirElemType(outKind, ctx.context()), body);
  ctx.setOutput(0, r, outKind);
  return success();
}

namespace {

/// The f32/f64 kind float arithmetic on `kind` is computed in.
ElemKind computeKind(ElemKind kind) {
  return kind == ElemKind::F64 ? ElemKind::F64 : ElemKind::F32;
}

Value cst(OpBuilder &b, Location loc, Value like, double v) {
  return scalarConstant(b, loc, like.getType(), v);
}

//===----------------------------------------------------------------------===//
// Binary and variadic ops
//===----------------------------------------------------------------------===//

enum class Bin {
  Add, Sub, Mul, Div, Pow, Max, Min, Mod, FMod, Sum, Mean,
  Equal, Less, Greater, LessEq, GreaterEq, And, Or, Xor, ShiftLeft, ShiftRight
};

bool isComparison(Bin op) {
  return op == Bin::Equal || op == Bin::Less || op == Bin::Greater ||
         op == Bin::LessEq || op == Bin::GreaterEq;
}

bool isLogical(Bin op) {
  return op == Bin::And || op == Bin::Or || op == Bin::Xor;
}

Value floatBinary(Bin op, OpBuilder &b, Location l, Value x, Value y) {
  switch (op) {
  case Bin::Add: case Bin::Sum: case Bin::Mean:
    return arith::AddFOp::create(b, l, x, y);
  case Bin::Sub: return arith::SubFOp::create(b, l, x, y);
  case Bin::Mul: return arith::MulFOp::create(b, l, x, y);
  case Bin::Div: return arith::DivFOp::create(b, l, x, y);
  case Bin::Pow: return math::PowFOp::create(b, l, x, y);
  case Bin::Max: return arith::MaximumFOp::create(b, l, x, y);
  case Bin::Min: return arith::MinimumFOp::create(b, l, x, y);
  case Bin::FMod: return arith::RemFOp::create(b, l, x, y);
  default: break;
  }
  arith::CmpFPredicate p = arith::CmpFPredicate::OEQ;
  switch (op) {
  case Bin::Less: p = arith::CmpFPredicate::OLT; break;
  case Bin::Greater: p = arith::CmpFPredicate::OGT; break;
  case Bin::LessEq: p = arith::CmpFPredicate::OLE; break;
  case Bin::GreaterEq: p = arith::CmpFPredicate::OGE; break;
  default: break;
  }
  return arith::CmpFOp::create(b, l, p, x, y);
}

Value intBinary(Bin op, OpBuilder &b, Location l, Value x, Value y, bool u) {
  switch (op) {
  case Bin::Add: case Bin::Sum: return arith::AddIOp::create(b, l, x, y);
  case Bin::Sub: return arith::SubIOp::create(b, l, x, y);
  case Bin::Mul: return arith::MulIOp::create(b, l, x, y);
  case Bin::Div:
    return u ? Value(arith::DivUIOp::create(b, l, x, y))
             : Value(arith::DivSIOp::create(b, l, x, y));
  case Bin::Max:
    return u ? Value(arith::MaxUIOp::create(b, l, x, y))
             : Value(arith::MaxSIOp::create(b, l, x, y));
  case Bin::Min:
    return u ? Value(arith::MinUIOp::create(b, l, x, y))
             : Value(arith::MinSIOp::create(b, l, x, y));
  case Bin::FMod:
    return u ? Value(arith::RemUIOp::create(b, l, x, y))
             : Value(arith::RemSIOp::create(b, l, x, y));
  case Bin::Mod: {
    if (u)
      return arith::RemUIOp::create(b, l, x, y);
    // Python's %: the result takes the divisor's sign.
    Value r = arith::RemSIOp::create(b, l, x, y);
    Value zero = cst(b, l, x, 0);
    Value rNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
    Value yNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, y, zero);
    Value rNonZero =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
    Value differ = arith::XOrIOp::create(b, l, rNeg, yNeg);
    Value fix = arith::AndIOp::create(b, l, differ, rNonZero);
    Value adjusted = arith::AddIOp::create(b, l, r, y);
    return arith::SelectOp::create(b, l, fix, adjusted, r);
  }
  case Bin::And: return arith::AndIOp::create(b, l, x, y);
  case Bin::Or: return arith::OrIOp::create(b, l, x, y);
  case Bin::Xor: return arith::XOrIOp::create(b, l, x, y);
  case Bin::ShiftLeft: return arith::ShLIOp::create(b, l, x, y);
  case Bin::ShiftRight: return arith::ShRUIOp::create(b, l, x, y);
  default: break;
  }
  arith::CmpIPredicate p = arith::CmpIPredicate::eq;
  switch (op) {
  case Bin::Less: p = u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt; break;
  case Bin::Greater: p = u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt; break;
  case Bin::LessEq: p = u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle; break;
  case Bin::GreaterEq: p = u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge; break;
  default: break;
  }
  return arith::CmpIOp::create(b, l, p, x, y);
}

std::optional<double> hostFloatBinary(Bin op, double x, double y) {
  switch (op) {
  case Bin::Add: case Bin::Sum: case Bin::Mean: return x + y;
  case Bin::Sub: return x - y;
  case Bin::Mul: return x * y;
  case Bin::Div: return x / y;
  case Bin::Pow: return std::pow(x, y);
  case Bin::Max: return std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y);
  case Bin::Min: return std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y);
  case Bin::FMod: return std::fmod(x, y);
  case Bin::Equal: return x == y;
  case Bin::Less: return x < y;
  case Bin::Greater: return x > y;
  case Bin::LessEq: return x <= y;
  case Bin::GreaterEq: return x >= y;
  default: return std::nullopt;
  }
}

std::optional<int64_t> hostIntBinary(Bin op, int64_t x, int64_t y, bool u) {
  uint64_t ux = x, uy = y;
  switch (op) {
  case Bin::Add: case Bin::Sum: return int64_t(ux + uy);
  case Bin::Sub: return int64_t(ux - uy);
  case Bin::Mul: return int64_t(ux * uy);
  case Bin::Div:
    if (y == 0 || (!u && x == INT64_MIN && y == -1))
      return std::nullopt;
    return u ? int64_t(ux / uy) : x / y;
  case Bin::Max: return u ? int64_t(std::max(ux, uy)) : std::max(x, y);
  case Bin::Min: return u ? int64_t(std::min(ux, uy)) : std::min(x, y);
  case Bin::FMod:
  case Bin::Mod: {
    if (y == 0 || (!u && x == INT64_MIN && y == -1))
      return std::nullopt;
    if (u)
      return int64_t(ux % uy);
    int64_t r = x % y;
    if (op == Bin::Mod && r != 0 && ((r < 0) != (y < 0)))
      r += y;
    return r;
  }
  case Bin::Equal: return x == y;
  case Bin::Less: return u ? ux < uy : x < y;
  case Bin::Greater: return u ? ux > uy : x > y;
  case Bin::LessEq: return u ? ux <= uy : x <= y;
  case Bin::GreaterEq: return u ? ux >= uy : x >= y;
  case Bin::And: return x & y;
  case Bin::Or: return x | y;
  case Bin::Xor: return x ^ y;
  case Bin::ShiftLeft: return y >= 64 ? 0 : int64_t(ux << uy);
  case Bin::ShiftRight: return y >= 64 ? 0 : int64_t(ux >> uy);
  default: return std::nullopt;
  }
}

/// Add, Sub, ..., comparisons, logical ops and the variadic Max/Min/Sum/Mean
/// (whose inputs fold left to right).
LogicalResult emitBinary(NodeContext &ctx, Bin op) {
  SmallVector<unsigned> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i))
      inputs.push_back(i);
  if (inputs.empty())
    return ctx.error("needs at least one input");
  if (op == Bin::Mod && ctx.attrInt("fmod", 0))
    op = Bin::FMod;
  ElemKind kind = ctx.kind(inputs[0]);
  for (unsigned i : inputs)
    if (ctx.kind(i) != kind && op != Bin::Pow)
      return ctx.error("inputs have different element types " +
                       elemName(kind) + " and " + elemName(ctx.kind(i)));
  bool floating = isFloat(kind);
  bool u = isUnsigned(kind);
  if (isLogical(op) && kind != ElemKind::Bool)
    return ctx.error("inputs must be bool, not " + elemName(kind));
  if (op == Bin::Mod && floating)
    return ctx.error("Mod of floats needs fmod=1");
  if (kind == ElemKind::Bool && !isLogical(op) && op != Bin::Equal)
    return ctx.unsupported("bool inputs");
  ElemKind outKind = isComparison(op) ? ElemKind::Bool : kind;
  size_t n = inputs.size();
  if (op == Bin::Pow && n != 2)
    return ctx.error("needs 2 inputs");
  ElemKind expKind = ctx.kind(inputs.back());
  if (op == Bin::Pow && expKind == ElemKind::Bool)
    return ctx.unsupported("bool exponent");

  auto body = [&](OpBuilder &b, Location l, ValueRange args) -> Value {
    Type elem = args[0].getType();
    if (op == Bin::Pow) {
      // Integer powers go through f64, which is exact for the values that
      // fit the integer types' ranges in practice.
      ElemKind ck = floating ? computeKind(kind) : ElemKind::F64;
      Value x = floating ? toCompute(b, l, args[0])
                         : convertScalar(b, l, args[0], kind, ck);
      Value y = convertScalar(b, l, args[1], expKind, ck);
      Value r = math::PowFOp::create(b, l, x, y);
      return floating ? fromCompute(b, l, r, elem)
                      : convertScalar(b, l, r, ElemKind::F64, kind);
    }
    if (floating) {
      Value acc = toCompute(b, l, args[0]);
      for (size_t k = 1; k < n; ++k)
        acc = floatBinary(op, b, l, acc, toCompute(b, l, args[k]));
      if (op == Bin::Mean)
        acc = arith::DivFOp::create(b, l, acc, cst(b, l, acc, double(n)));
      return isComparison(op) ? acc : fromCompute(b, l, acc, elem);
    }
    Value acc = args[0];
    for (size_t k = 1; k < n; ++k)
      acc = intBinary(op, b, l, acc, args[k], u);
    if (op == Bin::Mean)
      acc = u ? Value(arith::DivUIOp::create(b, l, acc, cst(b, l, acc, n)))
              : Value(arith::DivSIOp::create(b, l, acc, cst(b, l, acc, n)));
    return acc;
  };
  auto host = [&](ConstData &out, int64_t o, ArrayRef<const ConstData *> ins,
                  ArrayRef<int64_t> idx) -> bool {
    if (floating || op == Bin::Pow) {
      double acc = ins[0]->getDouble(idx[0]);
      for (size_t k = 1; k < n; ++k) {
        auto r = hostFloatBinary(op, acc, ins[k]->getDouble(idx[k]));
        if (!r)
          return false;
        acc = isComparison(op) ? *r : roundToFloat(kind, *r);
      }
      if (op == Bin::Mean)
        acc = roundToFloat(kind, acc / double(n));
      if (!floating && op == Bin::Pow)
        out.setInt(o, int64_t(acc));
      else
        out.setDouble(o, acc);
      return true;
    }
    int64_t acc = ins[0]->getInt(idx[0]);
    for (size_t k = 1; k < n; ++k) {
      auto r = hostIntBinary(op, acc, ins[k]->getInt(idx[k]), u);
      if (!r)
        return false;
      acc = *r;
      // Wrap to the element width before the next input.
      if (!isComparison(op) && kind != ElemKind::Bool) {
        ConstData tmp = ConstData::zeros(kind, {1});
        tmp.setInt(0, acc);
        acc = tmp.getInt(0);
      }
    }
    if (op == Bin::Mean)
      acc = *hostIntBinary(Bin::Div, acc, int64_t(n), u);
    out.setInt(o, acc);
    return true;
  };
  return emitNary(ctx, inputs, outKind, body, host);
}

template <Bin op> LogicalResult binaryHandler(NodeContext &ctx) {
  return emitBinary(ctx, op);
}

LogicalResult bitShiftHandler(NodeContext &ctx) {
  std::string dir = ctx.attrString("direction", "");
  if (dir != "LEFT" && dir != "RIGHT")
    return ctx.error("direction must be LEFT or RIGHT, not '" + dir + "'");
  if (!isUnsigned(ctx.kind(0)) || ctx.kind(0) == ElemKind::Bool)
    return ctx.error("BitShift needs unsigned integers");
  return emitBinary(ctx, dir == "LEFT" ? Bin::ShiftLeft : Bin::ShiftRight);
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

struct UnaryAttrs {
  double alpha, beta, gamma;
  bool tanhApprox;
};

/// One unary op: IR on the float compute type (and optionally on integers),
/// and the matching host computation.
struct UnarySpec {
  const char *opType;
  int since[4]; // 0-terminated
  double alpha, beta, gamma; // attribute defaults
  Value (*ir)(OpBuilder &, Location, Value, const UnaryAttrs &);
  double (*host)(double, const UnaryAttrs &);
  Value (*irInt)(OpBuilder &, Location, Value, bool isUnsigned);
  int64_t (*hostInt)(int64_t);
};

using B = OpBuilder;
using L = Location;
using A = const UnaryAttrs &;

Value sigmoid(B &b, L l, Value x) {
  Value one = cst(b, l, x, 1.0);
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}

Value selectLess0(B &b, L l, Value x, Value ifNeg, Value ifNot) {
  Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                    cst(b, l, x, 0.0));
  return arith::SelectOp::create(b, l, neg, ifNeg, ifNot);
}

Value clamp01(B &b, L l, Value x) {
  Value lo = arith::MaximumFOp::create(b, l, x, cst(b, l, x, 0.0));
  return arith::MinimumFOp::create(b, l, lo, cst(b, l, x, 1.0));
}

Value gelu(B &b, L l, Value x, A a) {
  Value half = cst(b, l, x, 0.5), one = cst(b, l, x, 1.0);
  Value inner;
  if (a.tanhApprox) {
    // 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))
    Value x3 = arith::MulFOp::create(
        b, l, x, arith::MulFOp::create(b, l, x, x));
    Value poly = arith::AddFOp::create(
        b, l, x, arith::MulFOp::create(b, l, cst(b, l, x, 0.044715), x3));
    inner = math::TanhOp::create(
        b, l,
        arith::MulFOp::create(b, l, cst(b, l, x, std::sqrt(2.0 / M_PI)),
                              poly));
  } else {
    inner = math::ErfOp::create(
        b, l, arith::MulFOp::create(b, l, x, cst(b, l, x, M_SQRT1_2)));
  }
  return arith::MulFOp::create(
      b, l, arith::MulFOp::create(b, l, half, x),
      arith::AddFOp::create(b, l, one, inner));
}

double hostGelu(double x, A a) {
  if (a.tanhApprox)
    return 0.5 * x *
           (1 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1 + std::erf(x * M_SQRT1_2));
}

const UnarySpec kUnary[] = {
    {"Sqrt", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::SqrtOp::create(b, l, x); },
     [](double x, A) { return std::sqrt(x); }, nullptr, nullptr},
    {"Reciprocal", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value {
       return arith::DivFOp::create(b, l, cst(b, l, x, 1.0), x);
     },
     [](double x, A) { return 1.0 / x; }, nullptr, nullptr},
    {"Neg", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return arith::NegFOp::create(b, l, x); },
     [](double x, A) { return -x; },
     [](B &b, L l, Value x, bool) -> Value {
       return arith::SubIOp::create(b, l, cst(b, l, x, 0), x);
     },
     [](int64_t x) { return int64_t(0 - uint64_t(x)); }},
    {"Abs", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::AbsFOp::create(b, l, x); },
     [](double x, A) { return std::fabs(x); },
     [](B &b, L l, Value x, bool u) -> Value {
       return u ? x : Value(math::AbsIOp::create(b, l, x));
     },
     [](int64_t x) { return x < 0 ? int64_t(0 - uint64_t(x)) : x; }},
    {"Exp", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::ExpOp::create(b, l, x); },
     [](double x, A) { return std::exp(x); }, nullptr, nullptr},
    {"Log", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::LogOp::create(b, l, x); },
     [](double x, A) { return std::log(x); }, nullptr, nullptr},
    {"Erf", {9, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::ErfOp::create(b, l, x); },
     [](double x, A) { return std::erf(x); }, nullptr, nullptr},
    {"Tanh", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::TanhOp::create(b, l, x); },
     [](double x, A) { return std::tanh(x); }, nullptr, nullptr},
    {"Sigmoid", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) { return sigmoid(b, l, x); },
     [](double x, A) { return 1.0 / (1.0 + std::exp(-x)); }, nullptr, nullptr},
    {"Relu", {6, 13, 14}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value {
       return arith::MaximumFOp::create(b, l, x, cst(b, l, x, 0.0));
     },
     [](double x, A) { return std::isnan(x) ? x : std::max(x, 0.0); },
     [](B &b, L l, Value x, bool u) -> Value {
       return u ? x : Value(arith::MaxSIOp::create(b, l, x, cst(b, l, x, 0)));
     },
     [](int64_t x) { return std::max<int64_t>(x, 0); }},
    {"Cos", {7}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::CosOp::create(b, l, x); },
     [](double x, A) { return std::cos(x); }, nullptr, nullptr},
    {"Sin", {7}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::SinOp::create(b, l, x); },
     [](double x, A) { return std::sin(x); }, nullptr, nullptr},
    {"Floor", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::FloorOp::create(b, l, x); },
     [](double x, A) { return std::floor(x); }, nullptr, nullptr},
    {"Ceil", {6, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value { return math::CeilOp::create(b, l, x); },
     [](double x, A) { return std::ceil(x); }, nullptr, nullptr},
    {"Round", {11}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value {
       return math::RoundEvenOp::create(b, l, x);
     },
     [](double x, A) { return std::nearbyint(x); }, nullptr, nullptr},
    {"Gelu", {20}, 0, 0, 0, gelu, hostGelu, nullptr, nullptr},
    {"LeakyRelu", {6, 16}, 0.01, 0, 0,
     [](B &b, L l, Value x, A a) {
       return selectLess0(
           b, l, x, arith::MulFOp::create(b, l, cst(b, l, x, a.alpha), x), x);
     },
     [](double x, A a) { return x < 0 ? a.alpha * x : x; }, nullptr, nullptr},
    {"Elu", {6}, 1.0, 0, 0,
     [](B &b, L l, Value x, A a) {
       Value em1 = arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x),
                                         cst(b, l, x, 1.0));
       return selectLess0(
           b, l, x, arith::MulFOp::create(b, l, cst(b, l, x, a.alpha), em1),
           x);
     },
     [](double x, A a) { return x < 0 ? a.alpha * (std::exp(x) - 1) : x; },
     nullptr, nullptr},
    {"Selu", {6}, 1.67326319217681884765625, 0, 1.05070102214813232421875,
     [](B &b, L l, Value x, A a) -> Value {
       Value neg = arith::MulFOp::create(
           b, l, cst(b, l, x, a.alpha),
           arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x),
                                 cst(b, l, x, 1.0)));
       Value le0 = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, x,
                                         cst(b, l, x, 0.0));
       return arith::MulFOp::create(b, l, cst(b, l, x, a.gamma),
                                    arith::SelectOp::create(b, l, le0, neg, x));
     },
     [](double x, A a) {
       return a.gamma * (x <= 0 ? a.alpha * (std::exp(x) - 1) : x);
     },
     nullptr, nullptr},
    {"HardSigmoid", {6}, 0.2, 0.5, 0,
     [](B &b, L l, Value x, A a) {
       Value y = arith::AddFOp::create(
           b, l, arith::MulFOp::create(b, l, cst(b, l, x, a.alpha), x),
           cst(b, l, x, a.beta));
       return clamp01(b, l, y);
     },
     [](double x, A a) {
       return std::max(0.0, std::min(1.0, a.alpha * x + a.beta));
     },
     nullptr, nullptr},
    {"HardSwish", {14}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value {
       Value y = arith::AddFOp::create(
           b, l, arith::MulFOp::create(b, l, cst(b, l, x, 1.0 / 6), x),
           cst(b, l, x, 0.5));
       return arith::MulFOp::create(b, l, x, clamp01(b, l, y));
     },
     [](double x, A) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); },
     nullptr, nullptr},
    {"Softplus", {1}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value {
       return math::LogOp::create(
           b, l, arith::AddFOp::create(b, l, math::ExpOp::create(b, l, x),
                                       cst(b, l, x, 1.0)));
     },
     [](double x, A) { return std::log(std::exp(x) + 1); }, nullptr, nullptr},
    {"Softsign", {1}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value {
       return arith::DivFOp::create(
           b, l, x,
           arith::AddFOp::create(b, l, cst(b, l, x, 1.0),
                                 math::AbsFOp::create(b, l, x)));
     },
     [](double x, A) { return x / (1 + std::fabs(x)); }, nullptr, nullptr},
    {"ThresholdedRelu", {10}, 1.0, 0, 0,
     [](B &b, L l, Value x, A a) -> Value {
       Value gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                        cst(b, l, x, a.alpha));
       return arith::SelectOp::create(b, l, gt, x, cst(b, l, x, 0.0));
     },
     [](double x, A a) { return x > a.alpha ? x : 0.0; }, nullptr, nullptr},
    {"Sign", {9, 13}, 0, 0, 0,
     [](B &b, L l, Value x, A) -> Value {
       Value zero = cst(b, l, x, 0.0);
       Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
       Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
       Value r = arith::SelectOp::create(b, l, pos, cst(b, l, x, 1.0), zero);
       return arith::SelectOp::create(b, l, neg, cst(b, l, x, -1.0), r);
     },
     [](double x, A) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; },
     [](B &b, L l, Value x, bool u) -> Value {
       Value zero = cst(b, l, x, 0);
       Value pos = arith::CmpIOp::create(
           b, l, u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, x,
           zero);
       Value neg =
           arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, x, zero);
       Value r = arith::SelectOp::create(b, l, pos, cst(b, l, x, 1), zero);
       return u ? r : Value(arith::SelectOp::create(b, l, neg, cst(b, l, x, -1), r));
     },
     [](int64_t x) -> int64_t { return x > 0 ? 1 : x < 0 ? -1 : 0; }},
};

LogicalResult emitUnary(NodeContext &ctx, const UnarySpec &spec) {
  ElemKind kind = ctx.kind(0);
  bool floating = isFloat(kind);
  if (!floating && (!spec.irInt || kind == ElemKind::Bool))
    return ctx.unsupported("input of element type " + elemName(kind));
  UnaryAttrs attrs{ctx.attrFloat("alpha", spec.alpha),
                   ctx.attrFloat("beta", spec.beta),
                   ctx.attrFloat("gamma", spec.gamma), false};
  if (StringRef(spec.opType) == "Gelu") {
    std::string approx = ctx.attrString("approximate", "none");
    if (approx != "none" && approx != "tanh")
      return ctx.error("approximate must be 'none' or 'tanh', not '" + approx +
                       "'");
    attrs.tanhApprox = approx == "tanh";
  }
  bool u = isUnsigned(kind);
  auto body = [&](OpBuilder &b, Location l, ValueRange args) -> Value {
    if (!floating)
      return spec.irInt(b, l, args[0], u);
    Value x = toCompute(b, l, args[0]);
    return fromCompute(b, l, spec.ir(b, l, x, attrs), args[0].getType());
  };
  auto host = [&](ConstData &out, int64_t o, ArrayRef<const ConstData *> ins,
                  ArrayRef<int64_t> idx) {
    if (floating)
      out.setDouble(o, spec.host(ins[0]->getDouble(idx[0]), attrs));
    else
      out.setInt(o, spec.hostInt(ins[0]->getInt(idx[0])));
    return true;
  };
  return emitNary(ctx, {0}, kind, body, host);
}

template <size_t I> LogicalResult unaryHandler(NodeContext &ctx) {
  return emitUnary(ctx, kUnary[I]);
}

template <size_t... I>
void registerUnary(HandlerTable &table, std::index_sequence<I...>) {
  auto one = [&](size_t i, OpHandler h) {
    SmallVector<int> since;
    for (int v : kUnary[i].since)
      if (v)
        since.push_back(v);
    table.add(kUnary[i].opType, since, h);
  };
  (one(I, unaryHandler<I>), ...);
}

LogicalResult notHandler(NodeContext &ctx) {
  if (ctx.kind(0) != ElemKind::Bool)
    return ctx.error("input must be bool");
  return emitNary(
      ctx, {0}, ElemKind::Bool,
      [](OpBuilder &b, Location l, ValueRange args) -> Value {
        return arith::XOrIOp::create(b, l, args[0], cst(b, l, args[0], 1));
      },
      [](ConstData &out, int64_t o, ArrayRef<const ConstData *> ins,
         ArrayRef<int64_t> idx) {
        out.setInt(o, !ins[0]->getInt(idx[0]));
        return true;
      });
}

LogicalResult isNaNHandler(NodeContext &ctx) {
  if (!isFloat(ctx.kind(0)))
    return ctx.error("input must be a float");
  return emitNary(
      ctx, {0}, ElemKind::Bool,
      [](OpBuilder &b, Location l, ValueRange args) -> Value {
        return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, args[0],
                                     args[0]);
      },
      [](ConstData &out, int64_t o, ArrayRef<const ConstData *> ins,
         ArrayRef<int64_t> idx) {
        out.setInt(o, std::isnan(ins[0]->getDouble(idx[0])));
        return true;
      });
}

//===----------------------------------------------------------------------===//
// Clip, Where, Cast
//===----------------------------------------------------------------------===//

/// Clip (opset 11+): min and max are optional scalar inputs.
LogicalResult clipHandler(NodeContext &ctx) {
  ElemKind kind = ctx.kind(0);
  if (kind == ElemKind::Bool)
    return ctx.unsupported("bool input");
  for (unsigned i : {1u, 2u})
    if (ctx.hasInput(i) && (ctx.kind(i) != kind || ctx.rank(i) != 0))
      return ctx.error("min and max must be scalars of the input's type");
  SmallVector<unsigned> inputs = {0};
  bool hasMin = ctx.hasInput(1), hasMax = ctx.hasInput(2);
  if (hasMin)
    inputs.push_back(1);
  if (hasMax)
    inputs.push_back(2);
  bool floating = isFloat(kind), u = isUnsigned(kind);
  auto body = [&](OpBuilder &b, Location l, ValueRange args) -> Value {
    Value x = args[0];
    unsigned k = 1;
    if (hasMin) {
      Value lo = args[k++];
      x = floating ? Value(arith::MaximumFOp::create(b, l, x, lo))
          : u      ? Value(arith::MaxUIOp::create(b, l, x, lo))
                   : Value(arith::MaxSIOp::create(b, l, x, lo));
    }
    if (hasMax) {
      Value hi = args[k++];
      x = floating ? Value(arith::MinimumFOp::create(b, l, x, hi))
          : u      ? Value(arith::MinUIOp::create(b, l, x, hi))
                   : Value(arith::MinSIOp::create(b, l, x, hi));
    }
    return x;
  };
  auto host = [&](ConstData &out, int64_t o, ArrayRef<const ConstData *> ins,
                  ArrayRef<int64_t> idx) {
    unsigned k = 1;
    if (floating) {
      double x = ins[0]->getDouble(idx[0]);
      if (hasMin)
        x = std::max(x, ins[k]->getDouble(idx[k])), ++k;
      if (hasMax)
        x = std::min(x, ins[k]->getDouble(idx[k]));
      out.setDouble(o, x);
    } else {
      int64_t x = ins[0]->getInt(idx[0]);
      if (hasMin)
        x = std::max(x, ins[k]->getInt(idx[k])), ++k;
      if (hasMax)
        x = std::min(x, ins[k]->getInt(idx[k]));
      out.setInt(o, x);
    }
    return true;
  };
  return emitNary(ctx, inputs, kind, body, host);
}

LogicalResult whereHandler(NodeContext &ctx) {
  if (ctx.kind(0) != ElemKind::Bool)
    return ctx.error("condition must be bool, not " + elemName(ctx.kind(0)));
  ElemKind kind = ctx.kind(1);
  if (ctx.kind(2) != kind)
    return ctx.error("X and Y have different element types " +
                     elemName(kind) + " and " + elemName(ctx.kind(2)));
  return emitNary(
      ctx, {0, 1, 2}, kind,
      [](OpBuilder &b, Location l, ValueRange args) -> Value {
        return arith::SelectOp::create(b, l, args[0], args[1], args[2]);
      },
      [](ConstData &out, int64_t o, ArrayRef<const ConstData *> ins,
         ArrayRef<int64_t> idx) {
        size_t k = ins[0]->getInt(idx[0]) ? 1 : 2;
        // Both reads are exact for their kinds (f16/bf16 widen to double).
        if (isFloat(out.kind()))
          out.setDouble(o, ins[k]->getDouble(idx[k]));
        else
          out.setInt(o, ins[k]->getInt(idx[k]));
        return true;
      });
}

LogicalResult emitCast(NodeContext &ctx, ElemKind to) {
  ElemKind from = ctx.kind(0);
  return emitNary(
      ctx, {0}, to,
      [&](OpBuilder &b, Location l, ValueRange args) {
        return convertScalar(b, l, args[0], from, to);
      },
      [&](ConstData &out, int64_t o, ArrayRef<const ConstData *> ins,
          ArrayRef<int64_t> idx) {
        if (to == ElemKind::Bool)
          out.setInt(o, isFloat(from) ? ins[0]->getDouble(idx[0]) != 0
                                      : ins[0]->getInt(idx[0]) != 0);
        else if (isFloat(to))
          out.setDouble(o, ins[0]->getDouble(idx[0]));
        else // getInt truncates floats toward zero, as the IR does
          out.setInt(o, ins[0]->getInt(idx[0]));
        return true;
      });
}

LogicalResult castHandler(NodeContext &ctx) {
  int to = ctx.attrInt("to", 0);
  std::optional<ElemKind> kind = elemKindFromOnnx(to);
  if (!kind)
    return ctx.unsupported("cast to " + onnxTypeName(to));
  return emitCast(ctx, *kind);
}

LogicalResult castLikeHandler(NodeContext &ctx) {
  return emitCast(ctx, ctx.kind(1));
}

} // namespace

void registerElementwiseHandlers(HandlerTable &table) {
  table.add("Add", {7, 13, 14}, binaryHandler<Bin::Add>, 2);
  table.add("Sub", {7, 13, 14}, binaryHandler<Bin::Sub>, 2);
  table.add("Mul", {7, 13, 14}, binaryHandler<Bin::Mul>, 2);
  table.add("Div", {7, 13, 14}, binaryHandler<Bin::Div>, 2);
  table.add("Pow", {7, 12, 13, 15}, binaryHandler<Bin::Pow>, 2);
  table.add("Max", {8, 12, 13}, binaryHandler<Bin::Max>);
  table.add("Min", {8, 12, 13}, binaryHandler<Bin::Min>);
  table.add("Sum", {8, 13}, binaryHandler<Bin::Sum>);
  table.add("Mean", {8, 13}, binaryHandler<Bin::Mean>);
  table.add("Mod", {10, 13}, binaryHandler<Bin::Mod>, 2);
  table.add("Equal", {7, 11, 13, 19}, binaryHandler<Bin::Equal>, 2);
  table.add("Less", {7, 9, 13}, binaryHandler<Bin::Less>, 2);
  table.add("Greater", {7, 9, 13}, binaryHandler<Bin::Greater>, 2);
  table.add("LessOrEqual", {12, 16}, binaryHandler<Bin::LessEq>, 2);
  table.add("GreaterOrEqual", {12, 16}, binaryHandler<Bin::GreaterEq>, 2);
  table.add("And", {7}, binaryHandler<Bin::And>, 2);
  table.add("Or", {7}, binaryHandler<Bin::Or>, 2);
  table.add("Xor", {7}, binaryHandler<Bin::Xor>, 2);
  table.add("BitShift", {11}, bitShiftHandler, 2);
  table.add("Not", {1}, notHandler);
  table.add("IsNaN", {9, 13, 20}, isNaNHandler);
  registerUnary(table, std::make_index_sequence<std::size(kUnary)>());
  table.add("Clip", {11, 12, 13}, clipHandler);
  table.add("Where", {9, 16}, whereHandler, 3);
  table.add("Cast", {6, 9, 13, 19, 21}, castHandler);
  table.add("CastLike", {15, 19, 21}, castLikeHandler, 2);
}

} // namespace linea::onnx_import
