//===- EpilogueMatch.cpp - which ops after a layer its kernel can take -----===//
//
// An activation reaches here as whatever the importer or the user wrote:
// ONNX Relu as maximumf or cmpf+select, Sigmoid as 1/(1+exp(−x)), Gelu
// with erf or tanh, torch's SiLU as Sigmoid then Mul. Rather than match
// each spelling, a body is evaluated (in double) at fixed points and
// compared with each known activation; a body that uses anything this
// evaluator does not know simply does not fuse.
//
//===----------------------------------------------------------------------===//

#include "Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr double kPoints[] = {-9.0, -4.5, -2.5, -1.3, -0.7, -0.2, 0.0,
                              0.3,  0.9,  1.6,  2.8,  5.0,  8.5};

double activationAt(Activation act, double x) {
  switch (act) {
  case Activation::None:
    return x;
  case Activation::Relu:
    return x > 0 ? x : 0.0;
  case Activation::Sigmoid:
    return 1.0 / (1.0 + std::exp(-x));
  case Activation::Silu:
    return x / (1.0 + std::exp(-x));
  case Activation::Tanh:
    return std::tanh(x);
  case Activation::Gelu:
    return 0.5 * x * (1.0 + std::erf(x * M_SQRT1_2));
  case Activation::GeluTanh:
    return 0.5 * x *
           (1.0 + std::tanh(M_2_SQRTPI * M_SQRT1_2 * (x + 0.044715 * x * x * x)));
  }
  return NAN;
}

/// A scalar an op of the body reads: a block argument's or an earlier
/// op's value, or a float/integer constant from anywhere.
std::optional<double> lookup(const llvm::DenseMap<Value, double> &values,
                             Value v) {
  if (auto it = values.find(v); it != values.end())
    return it->second;
  if (auto c = v.getDefiningOp<arith::ConstantOp>()) {
    if (auto f = dyn_cast<FloatAttr>(c.getValue()))
      return f.getValueAsDouble();
    if (auto i = dyn_cast<IntegerAttr>(c.getValue()))
      return double(i.getValue().getSExtValue());
  }
  return std::nullopt;
}

std::optional<bool> compare(arith::CmpFPredicate p, double a, double b) {
  using P = arith::CmpFPredicate;
  switch (p) {
  case P::OGT:
  case P::UGT:
    return a > b;
  case P::OGE:
  case P::UGE:
    return a >= b;
  case P::OLT:
  case P::ULT:
    return a < b;
  case P::OLE:
  case P::ULE:
    return a <= b;
  case P::OEQ:
  case P::UEQ:
    return a == b;
  case P::ONE:
  case P::UNE:
    return a != b;
  default:
    return std::nullopt;
  }
}

/// The generic's body at scalar inputs `in`, or nullopt where it uses an
/// op (or a value) the evaluator does not know.
std::optional<double> evaluate(linalg::GenericOp g, ArrayRef<double> in) {
  Block &body = g.getRegion().front();
  llvm::DenseMap<Value, double> values;
  for (auto [arg, x] : llvm::zip(body.getArguments(), in))
    values[arg] = x;
  for (Operation &op : body.without_terminator()) {
    SmallVector<double, 3> a;
    for (Value operand : op.getOperands()) {
      std::optional<double> v = lookup(values, operand);
      if (!v)
        return std::nullopt;
      a.push_back(*v);
    }
    auto unary = [&](double (*f)(double)) -> std::optional<double> {
      return f(a[0]);
    };
    std::optional<double> r =
        llvm::TypeSwitch<Operation *, std::optional<double>>(&op)
            .Case([&](arith::ConstantOp c) { return lookup(values, c); })
            .Case([&](arith::AddFOp) { return a[0] + a[1]; })
            .Case([&](arith::SubFOp) { return a[0] - a[1]; })
            .Case([&](arith::MulFOp) { return a[0] * a[1]; })
            .Case([&](arith::DivFOp) { return a[0] / a[1]; })
            .Case([&](arith::NegFOp) { return -a[0]; })
            .Case<arith::MaximumFOp, arith::MaxNumFOp>(
                [&](Operation *) { return std::max(a[0], a[1]); })
            .Case<arith::MinimumFOp, arith::MinNumFOp>(
                [&](Operation *) { return std::min(a[0], a[1]); })
            .Case<arith::ExtFOp, arith::TruncFOp>(
                [&](Operation *) { return a[0]; })
            .Case([&](arith::CmpFOp c) -> std::optional<double> {
              std::optional<bool> t = compare(c.getPredicate(), a[0], a[1]);
              return t ? std::optional<double>(*t ? 1.0 : 0.0) : std::nullopt;
            })
            .Case([&](arith::SelectOp) { return a[0] != 0 ? a[1] : a[2]; })
            .Case([&](math::ExpOp) { return unary(std::exp); })
            .Case([&](math::ErfOp) { return unary(std::erf); })
            .Case([&](math::TanhOp) { return unary(std::tanh); })
            .Case([&](math::LogOp) { return unary(std::log); })
            .Case([&](math::SqrtOp) { return unary(std::sqrt); })
            .Case([&](math::AbsFOp) { return unary(std::fabs); })
            .Case([&](math::PowFOp) { return std::pow(a[0], a[1]); })
            .Case([&](math::FmaOp) { return a[0] * a[1] + a[2]; })
            .Default([](Operation *) { return std::nullopt; });
    if (!r || op.getNumResults() != 1)
      return std::nullopt;
    values[op.getResult(0)] = *r;
  }
  return lookup(values, body.getTerminator()->getOperand(0));
}

/// |got − want| / (1 + |want|), to compare with tolerance(): a body's
/// constants (√½, 0.044715) are rounded to its type, so a bf16 GELU is
/// only GELU to ~2^-9.
double distance(double got, double want) {
  return std::fabs(got - want) / (1.0 + std::fabs(want));
}
double tolerance(Type elem) {
  return elem.isBF16() ? 1e-2 : elem.isF16() ? 2e-3 : 1e-5;
}

/// An all-parallel generic with `inputs` inputs and one result, identity
/// maps, every operand of element type `elem`, the init not read.
bool isElementwise(linalg::GenericOp g, unsigned inputs, Type elem) {
  if (g.getNumDpsInputs() != int64_t(inputs) || g.getNumDpsInits() != 1 ||
      g->getNumResults() != 1 || g.getNumLoops() != g.getNumParallelLoops())
    return false;
  for (AffineMap map : g.getIndexingMapsArray())
    if (!map.isIdentity())
      return false;
  for (Value v : g->getOperands())
    if (getElementTypeOrSelf(v.getType()) != elem)
      return false;
  return g.getRegion().front().getArgument(inputs).use_empty();
}

/// Whether operand `v` of a generic reads, at every point of the iteration
/// space, only its last index: map (d0, …, dr−1) → (0, …, 0, dr−1) (leading
/// results constants 0 or absent) on a tensor of shape [1, …, 1, n].
bool isRowBroadcast(Value v, AffineMap map, int64_t n) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  unsigned loops = map.getNumDims();
  if (!t || !t.hasStaticShape() || t.getRank() == 0 || loops == 0 ||
      map.getNumResults() != t.getRank() || t.getShape().back() != n)
    return false;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    bool last = i + 1 == map.getNumResults();
    if (last) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d || d.getPosition() != loops - 1)
        return false;
      continue;
    }
    auto c = dyn_cast<AffineConstantExpr>(e);
    if (!c || c.getValue() != 0 || t.getShape()[i] != 1)
      return false;
  }
  return true;
}

/// The other operand of a binary all-parallel generic whose input `cur`
/// and init are read with identity maps, the other operand with identity
/// or row-broadcast maps (`row` says which), every operand of `elem`, the
/// init not read. Null when `g` is not such a generic.
Value combineOperand(linalg::GenericOp g, Value cur, Type elem, int64_t n,
                     bool &row) {
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 ||
      g->getNumResults() != 1 || g.getNumLoops() != g.getNumParallelLoops() ||
      !g.getRegion().front().getArgument(2).use_empty())
    return {};
  for (Value v : g->getOperands())
    if (getElementTypeOrSelf(v.getType()) != elem)
      return {};
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  Value a = g.getDpsInputs()[0], b = g.getDpsInputs()[1];
  if (a == b || (a != cur && b != cur))
    return {};
  unsigned self = a == cur ? 0 : 1;
  if (!maps[self].isIdentity() || !maps[2].isIdentity())
    return {};
  Value other = g.getDpsInputs()[1 - self];
  row = !maps[1 - self].isIdentity();
  if (row && !isRowBroadcast(other, maps[1 - self], n))
    return {};
  return other;
}

/// The activation a unary generic computes, None when it is none of them;
/// of several within tolerance (a 16-bit GELU may be both forms), the
/// closest.
Activation classify(linalg::GenericOp g, Type elem) {
  SmallVector<double> values;
  for (double x : kPoints) {
    std::optional<double> got = evaluate(g, {x});
    if (!got)
      return Activation::None;
    values.push_back(*got);
  }
  Activation best = Activation::None;
  double bestDistance = tolerance(elem);
  for (Activation act : {Activation::Relu, Activation::Sigmoid,
                         Activation::Silu, Activation::Tanh, Activation::Gelu,
                         Activation::GeluTanh}) {
    double worst = 0;
    for (auto [x, got] : llvm::zip(kPoints, values))
      worst = std::max(worst, distance(got, activationAt(act, x)));
    if (worst <= bestDistance) {
      best = act;
      bestDistance = worst;
    }
  }
  return best;
}

/// Add or Mul when a binary generic's body is a + b or a · b.
Combine classifyBinary(linalg::GenericOp g, Type elem) {
  for (Combine c : {Combine::Add, Combine::Mul}) {
    bool all = true;
    for (double x : kPoints)
      for (double y : {-1.75, 0.5, 3.25}) {
        std::optional<double> got = evaluate(g, {x, y});
        if (!got || distance(*got, c == Combine::Add ? x + y : x * y) >
                        tolerance(elem))
          all = false;
      }
    if (all)
      return c;
  }
  return Combine::None;
}

} // namespace

EpilogueMatch matchEpilogue(Value y,
                            const llvm::DenseSet<Operation *> &claimed) {
  EpilogueMatch match;
  auto yType = dyn_cast<RankedTensorType>(y.getType());
  if (!yType || !yType.hasStaticShape())
    return match;
  Type elem = yType.getElementType();
  const int64_t n = yType.getShape().back();
  const int64_t total = yType.getNumElements();
  // Through reshapes that keep the row length, while the value has one use.
  auto follow = [&](Value v) {
    while (v.hasOneUse()) {
      Operation *user = *v.getUsers().begin();
      if (!isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user))
        break;
      auto t = cast<RankedTensorType>(user->getResult(0).getType());
      if (!t.hasStaticShape() || t.getShape().back() != n ||
          t.getNumElements() != total)
        break;
      v = user->getResult(0);
    }
    return v;
  };
  auto generic = [&](Operation *op, unsigned inputs) {
    auto g = dyn_cast<linalg::GenericOp>(op);
    return g && !claimed.contains(op) && isElementwise(g, inputs, elem)
               ? g
               : linalg::GenericOp();
  };

  Value cur = follow(y);
  SmallVector<Operation *> users(cur.getUsers());
  if (users.size() == 1) {
    if (auto g = generic(users[0], 1)) {
      if ((match.spec.act = classify(g, elem)) != Activation::None) {
        match.ops.push_back(g);
        cur = follow(g->getResult(0));
      }
    }
  } else if (users.size() == 2) {
    // SiLU as v · sigmoid(v): one user the sigmoid, the other the product.
    for (int s = 0; s < 2 && match.ops.empty(); ++s) {
      auto sig = generic(users[s], 1);
      auto prod = generic(users[1 - s], 2);
      if (!sig || !prod || !sig->getResult(0).hasOneUse() ||
          *sig->getResult(0).getUsers().begin() != prod.getOperation() ||
          classify(sig, elem) != Activation::Sigmoid ||
          classifyBinary(prod, elem) != Combine::Mul)
        continue;
      match.spec.act = Activation::Silu;
      match.ops = {sig, prod};
      cur = follow(prod->getResult(0));
    }
  }

  if (cur.hasOneUse()) {
    auto g = dyn_cast<linalg::GenericOp>(*cur.getUsers().begin());
    bool row = false;
    Value other = g && !claimed.contains(g)
                      ? combineOperand(g, cur, elem, n, row)
                      : Value();
    Combine c = other ? classifyBinary(g, elem) : Combine::None;
    if (c != Combine::None) {
      match.spec.combine = c;
      match.spec.residualType = elem;
      match.spec.rowBroadcast = row;
      match.residual = other;
      match.ops.push_back(g);
    }
  }
  match.output = match.ops.empty() ? y : match.ops.back()->getResult(0);
  return match;
}

} // namespace linea::gpu_codegen
