//===- RaiseNorms.cpp - RMSNorm / LayerNorm computations → linea ops ------===//
//
// Recognises, over the last dim only:
//   RMSNorm   x · 1/sqrt(mean(x²) + ε) [· w]           → linea.rms_norm
//   LayerNorm c · 1/sqrt(mean(c²) + ε) [· w] [+ b],
//             c = x − mean(x)                           → linea.layer_norm
// written either as one elementwise generic per ONNX node (torch's
// decomposed export: Pow/Mul, ReduceMean, Add, Sqrt, Reciprocal or Div, Mul)
// or as the importer's lowering of LayerNormalization (multi-op bodies).
// The pattern is rooted at the normalising generic (x times the inverse
// RMS, or x divided by the RMS) and walks the statistics upwards and the
// affine parameters downwards. docs/onnx-import.md ("Raising") has the
// rules.
//
//===----------------------------------------------------------------------===//

#include "Match.h"
#include "RaisePatterns.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace linea;
using namespace linea::raise;

namespace {

//===----------------------------------------------------------------------===//
// Statistics: sqrt(mean(p) + ε) and its inverse
//===----------------------------------------------------------------------===//

/// A per-row statistic sqrt(mean(p) + eps) (or its inverse), p being the
/// tensor whose last-dim mean is taken.
struct RowStat {
  Value p;
  double eps = 0.0;
};

/// Reads scalar `s` of the single-input generic `op` as
/// [1 /] sqrt(in0 + eps) (`inverse` selects the reciprocal) and returns eps.
static std::optional<double> readScalarStat(linalg::GenericOp op, Value s,
                                            bool inverse) {
  s = stripFloatCasts(s);
  Operation *def = s.getDefiningOp();
  if (!def || def->getBlock() != op.getBody())
    return std::nullopt;
  if (auto div = dyn_cast<arith::DivFOp>(def)) {
    if (getSplatValue(stripFloatCasts(div.getLhs())) != 1.0)
      return std::nullopt;
    return readScalarStat(op, div.getRhs(), !inverse);
  }
  Value radicand;
  if (auto sqrt = dyn_cast<math::SqrtOp>(def); sqrt && !inverse)
    radicand = sqrt.getOperand();
  else if (auto rsqrt = dyn_cast<math::RsqrtOp>(def); rsqrt && inverse)
    radicand = rsqrt.getOperand();
  else
    return std::nullopt;
  auto add = stripFloatCasts(radicand).getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != op.getBody())
    return std::nullopt;
  for (auto [a, b] : {std::pair(add.getLhs(), add.getRhs()),
                      std::pair(add.getRhs(), add.getLhs())}) {
    std::optional<double> eps = getSplatValue(stripFloatCasts(b));
    if (getBodyInputIndex(op, a) == 0u && eps)
      return eps;
  }
  return std::nullopt;
}

/// mean(p) + eps, written as an elementwise add of a constant.
static std::optional<RowStat> matchMeanPlusEps(Value v) {
  std::optional<Elementwise> add =
      matchElementwiseOf<arith::AddFOp>(skipUnitReshapes(v));
  if (!add)
    return std::nullopt;
  std::optional<unsigned> varying = add->singleVaryingOperand();
  if (!varying || !add->operands[1 - *varying].constant)
    return std::nullopt;
  std::optional<Value> p = matchLastDimMean(add->operands[*varying].tensor);
  if (!p)
    return std::nullopt;
  return RowStat{*p, *add->operands[1 - *varying].constant};
}

/// Matches `v` as sqrt(mean(p) + eps), or 1/sqrt(...) when `inverse`:
/// chains of single-op generics (Add, Sqrt, Reciprocal/Div(1, ·), Rsqrt) or
/// one generic computing it from mean(p) in its body.
static std::optional<RowStat> matchRowStat(Value v, bool inverse) {
  v = skipUnitReshapes(v);
  if (std::optional<Elementwise> e = matchElementwise(v)) {
    Operation *op = e->scalarOp;
    if (isa<arith::DivFOp>(op) && e->operands[0].constant == 1.0 &&
        e->operands[1].tensor && !e->operands[1].constant)
      return matchRowStat(e->operands[1].tensor, !inverse);
    if ((isa<math::SqrtOp>(op) && !inverse) ||
        (isa<math::RsqrtOp>(op) && inverse))
      return matchMeanPlusEps(e->operands[0].tensor);
    return std::nullopt;
  }
  auto op = v.getDefiningOp<linalg::GenericOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 ||
      !op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  std::optional<double> eps =
      readScalarStat(op, op.getBody()->getTerminator()->getOperand(0), inverse);
  if (!eps)
    return std::nullopt;
  std::optional<Value> p = matchLastDimMean(op.getDpsInputOperand(0)->get());
  if (!p)
    return std::nullopt;
  return RowStat{*p, *eps};
}

/// The base b of p = b² (Pow(b, 2) or Mul(b, b)), identity maps only.
static Value matchSquareBase(Value p) {
  std::optional<Elementwise> e = matchElementwise(p);
  if (!e || e->operands.size() != 2 || !isFullOperand(e->operands[0]))
    return {};
  if (isa<arith::MulFOp>(e->scalarOp) && isFullOperand(e->operands[1]) &&
      e->operands[0].tensor == e->operands[1].tensor)
    return e->operands[0].tensor;
  if (isa<math::PowFOp>(e->scalarOp) && e->operands[1].constant == 2.0)
    return e->operands[0].tensor;
  return {};
}

/// x when `c` = x − mean(x) (mean broadcast over the last dim), else null.
static Value matchCentered(Value c) {
  std::optional<Elementwise> sub = matchElementwiseOf<arith::SubFOp>(c);
  if (!sub || !isFullOperand(sub->operands[0]) ||
      !isRowOperand(sub->op, sub->operands[1]))
    return {};
  Value x = sub->operands[0].tensor;
  std::optional<Value> mean = matchLastDimMean(sub->operands[1].tensor);
  return mean && *mean == x ? x : Value();
}

//===----------------------------------------------------------------------===//
// The normalising generic and the affine parameters after it
//===----------------------------------------------------------------------===//

/// The generic that normalises: n = X ⊙ R (R = 1/rms) or X ⊘ R (R = rms),
/// optionally followed in the same body by ⊙ weight and + bias (the
/// importer's LayerNormalization).
struct Normalize {
  Value x;    // X, full
  Value stat; // R, per row
  bool statIsInverse = true;
  Value weight, bias; // feature operands, may be null
};

static std::optional<Normalize> matchNormalize(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
      op.getNumReductionLoops() != 0 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !op.getBody()->getArgument(op.getNumDpsInputs()).use_empty())
    return std::nullopt;
  enum class Role { full, row, feature };
  auto roleOf = [&](Value scalar) -> std::optional<std::pair<Role, Value>> {
    std::optional<unsigned> index = getBodyInputIndex(op, scalar);
    if (!index)
      return std::nullopt;
    OpOperand *input = op.getDpsInputOperand(*index);
    ElementwiseOperand operand{input->get(), op.getMatchingIndexingMap(input),
                               std::nullopt};
    if (isFullOperand(operand))
      return std::make_pair(Role::full, input->get());
    if (isRowOperand(op, operand))
      return std::make_pair(Role::row, input->get());
    if (isFeatureOperand(op, operand))
      return std::make_pair(Role::feature, input->get());
    return std::nullopt;
  };
  auto defIn = [&](Value s) -> Operation * {
    Operation *def = stripFloatCasts(s).getDefiningOp();
    return def && def->getBlock() == op.getBody() ? def : nullptr;
  };
  /// Splits binary `def` into (other operand, feature input) when one side
  /// is a feature input.
  auto splitFeature =
      [&](Operation *def) -> std::optional<std::pair<Value, Value>> {
    for (unsigned i = 0; i < 2; ++i) {
      auto role = roleOf(def->getOperand(i));
      if (role && role->first == Role::feature)
        return std::make_pair(def->getOperand(1 - i), role->second);
    }
    return std::nullopt;
  };

  Normalize result;
  Operation *def = defIn(op.getBody()->getTerminator()->getOperand(0));
  if (def && isa<arith::AddFOp>(def)) {
    auto split = splitFeature(def);
    if (!split)
      return std::nullopt;
    result.bias = split->second;
    def = defIn(split->first);
  }
  if (def && isa<arith::MulFOp>(def)) {
    if (auto split = splitFeature(def)) {
      result.weight = split->second;
      def = defIn(split->first);
    }
  }
  if (!def || !isa<arith::MulFOp, arith::DivFOp>(def))
    return std::nullopt;
  auto lhs = roleOf(def->getOperand(0)), rhs = roleOf(def->getOperand(1));
  if (!lhs || !rhs)
    return std::nullopt;
  if (isa<arith::MulFOp>(def) && lhs->first == Role::row)
    std::swap(lhs, rhs);
  if (lhs->first != Role::full || rhs->first != Role::row)
    return std::nullopt;
  result.x = lhs->second;
  result.stat = rhs->second;
  result.statIsInverse = isa<arith::MulFOp>(def);
  // Every body op must belong to the expression read above.
  unsigned computing = 0;
  for (Operation &inner : op.getBody()->without_terminator())
    if (!isa<arith::ExtFOp, arith::TruncFOp, arith::ConstantOp>(inner))
      ++computing;
  unsigned expected = 1 + bool(result.weight) + bool(result.bias);
  if (computing != expected)
    return std::nullopt;
  return result;
}

/// When `v`'s only user is an elementwise `OpTy` of v (full) and a feature
/// vector, returns (that user's result, the vector).
template <typename OpTy>
static std::optional<std::pair<Value, Value>> matchFeatureUser(Value v) {
  if (!v.hasOneUse())
    return std::nullopt;
  Operation *user = *v.getUsers().begin();
  if (user->getNumResults() != 1)
    return std::nullopt;
  std::optional<Elementwise> e = matchElementwiseOf<OpTy>(user->getResult(0));
  if (!e || e->operands.size() != 2)
    return std::nullopt;
  for (unsigned i = 0; i < 2; ++i)
    if (e->operands[i].tensor == v && isFullOperand(e->operands[i]) &&
        isFeatureOperand(e->op, e->operands[1 - i]))
      return std::make_pair(user->getResult(0), e->operands[1 - i].tensor);
  return std::nullopt;
}

/// The parameter vector `v` (any shape with D elements, varying only along
/// the last dim) as a tensor<D>: v itself when 1-D, else (as an attribute)
/// a new constant of its values; nullopt when neither applies.
static std::optional<std::pair<Value, ElementsAttr>> featureVector(Value v,
                                                                   int64_t d) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() == 1 && type.getDimSize(0) == d)
    return std::make_pair(v, ElementsAttr());
  if (type.getNumElements() != d)
    return std::nullopt;
  FailureOr<std::vector<float>> values =
      readConstantFloats(v, "weight", nullptr);
  if (failed(values))
    return std::nullopt;
  return std::make_pair(Value(), ElementsAttr(floatConstantAttr(
                                     {d}, *values, type.getElementType())));
}

struct RaiseNorm : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Normalize> norm = matchNormalize(op);
    if (!norm)
      return rewriter.notifyMatchFailure(op, "not x·(1/rms) or x/rms");
    std::optional<RowStat> stat = matchRowStat(norm->stat, norm->statIsInverse);
    if (!stat || !(stat->eps > 0.0))
      return rewriter.notifyMatchFailure(op,
                                         "no 1/sqrt(mean(·)+eps) row factor");
    if (matchSquareBase(stat->p) != norm->x)
      return rewriter.notifyMatchFailure(op,
                                         "mean is not of the normalised x²");
    Value centeredOf = matchCentered(norm->x);
    bool isLayerNorm = bool(centeredOf);
    Value x = isLayerNorm ? centeredOf : norm->x;
    if (!isLayerNorm && norm->bias)
      return rewriter.notifyMatchFailure(op, "rms_norm has no bias");

    // Affine parameters in following single-op generics.
    Value result = op->getResult(0);
    if (!norm->weight && !norm->bias)
      if (auto w = matchFeatureUser<arith::MulFOp>(result))
        std::tie(result, norm->weight) = *w;
    if (isLayerNorm && !norm->bias)
      if (auto b = matchFeatureUser<arith::AddFOp>(result))
        std::tie(result, norm->bias) = *b;

    auto resultType = cast<RankedTensorType>(result.getType());
    auto xType = cast<RankedTensorType>(x.getType());
    // The importer computes f16/bf16 LayerNormalization on an f32 copy of x.
    if (xType.getElementType() != resultType.getElementType())
      if (auto widen = matchElementwiseOf<arith::ExtFOp>(x))
        if (widen->operands[0].tensor &&
            cast<RankedTensorType>(widen->operands[0].tensor.getType())
                    .getElementType() == resultType.getElementType()) {
          x = widen->operands[0].tensor;
          xType = cast<RankedTensorType>(x.getType());
        }
    if (xType != resultType)
      return rewriter.notifyMatchFailure(op, "result type differs from x's");
    int64_t d = xType.getShape().back();
    if (ShapedType::isDynamic(d))
      return rewriter.notifyMatchFailure(op, "dynamic feature dim");

    std::optional<std::pair<Value, ElementsAttr>> weightVec, biasVec;
    if (norm->weight && !(weightVec = featureVector(norm->weight, d)))
      return rewriter.notifyMatchFailure(op, "weight is not a [D] vector");
    if (norm->bias && !(biasVec = featureVector(norm->bias, d)))
      return rewriter.notifyMatchFailure(op, "bias is not a [D] vector");

    Location loc = op.getLoc();
    auto materialize = [&](const auto &vec) -> Value {
      if (!vec)
        return {};
      if (vec->first)
        return vec->first;
      return arith::ConstantOp::create(rewriter, loc,
                                       cast<TypedAttr>(vec->second));
    };
    Value weight = materialize(weightVec), bias = materialize(biasVec);
    FloatAttr eps = rewriter.getF32FloatAttr(float(stat->eps));
    Value y = isLayerNorm
                  ? LayerNormOp::create(rewriter, loc, resultType, x, weight,
                                        bias, eps)
                        .getResult()
                  : RmsNormOp::create(rewriter, loc, resultType, x, weight, eps)
                        .getResult();
    rewriter.replaceAllUsesWith(result, y);
    return success();
  }
};

} // namespace

void linea::populateRaiseNormPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseNorm>(patterns.getContext());
}
