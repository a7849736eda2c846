//===- RaiseAttention.cpp - softmax(Q·Kᵀ·scale + mask)·V → linea.attention ===//
//
// The pattern is rooted at the P·V contraction, a linalg.batch_matmul over
// collapsed [B·H] batches (or over a [N] batch that was never split), and
// walks up:
//
//   P·V   batch_matmul(collapse(P), V)             [N, S, Dv] (expand → 4-D)
//   P     softmax over the last dim: exp(X − max X) / Σ exp(X − max X)
//   X     (scores · c) [+ mask]   — c: any chain of ·c or ÷c by constants
//   scores  expand(batch_matmul(Q·c, Kᵀ·c))        [N, S, T] → [B, H, S, T]
//
// and replaces the chain by one linea.attention over [B, H, S, D] queries and
// [B, Hkv, T, D] keys/values. Rules (docs/onnx-import.md, "Raising
// attention"):
// - every constant factor on the scores, on Q or on Kᵀ becomes `scale`; the
//   product must be positive and finite;
// - a mask is an additive operand broadcast (numpy style) over the scores,
//   or the condition of a masked fill with −inf (torch's masked_fill /
//   ONNX Where), read as the additive mask (c ? −inf : 0);
//   a constant mask that is exactly 0 on and below the bottom-right aligned
//   diagonal and exactly −inf above it becomes `causal` when S ≤ T (with
//   S > T some rows see no key: NaN in the original, zeros with `causal`);
//   finite "large negative" masks stay mask operands, because
//   exp(x + m − max) vanishes only when the scores are bounded, which
//   nothing here proves; an all-zero constant mask is dropped;
// - keys/values whose heads are provably repeated copies are passed
//   un-repeated (HeadTrace.h); otherwise Hkv = H;
// - f16/bf16 chains are read through their extf/truncf generics, and any
//   chain through same-type copies (an f32 → f32 Cast); the op computes in
//   f32 and rounds once.
//
//===----------------------------------------------------------------------===//

#include "HeadTrace.h"
#include "Match.h"
#include "RaisePatterns.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace linea;
using namespace linea::raise;

namespace {

/// The reassociation [[0, 1], [2], [3]] that merges batch and heads.
SmallVector<ReassociationIndices> batchHeadGroups() {
  return {{0, 1}, {2}, {3}};
}

/// True when `value` is produced by a linalg.fill with the constant 0: a
/// contraction into it computes the plain product.
bool isZeroFilled(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  std::optional<double> v = getSplatValue(fill.getInputs()[0]);
  return v && *v == 0.0;
}

/// `op` when it is a plain batched product into a zero-filled, static
/// accumulator (no transposed or broadcast indexing maps).
linalg::BatchMatmulOp asPlainBatchMatmul(linalg::BatchMatmulOp op) {
  if (!op || op.hasUserDefinedMaps() || !isZeroFilled(op.getOutputs()[0]))
    return nullptr;
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return nullptr;
  return op;
}

/// Peels elementwise multiplications and divisions by a constant off
/// `value` (x·c, c·x, x÷c), multiplying the factors into `scale`.
Value peelScale(Value value, double &scale) {
  while (std::optional<Elementwise> e = matchElementwise(value)) {
    std::optional<unsigned> varying = e->singleVaryingOperand();
    if (e->operands.size() != 2 || !varying ||
        !isFullOperand(e->operands[*varying]) ||
        e->operands[*varying].tensor.getType() != value.getType())
      break;
    double c = *e->operands[1 - *varying].constant;
    if (isa<arith::MulFOp>(e->scalarOp))
      scale *= c;
    else if (isa<arith::DivFOp>(e->scalarOp) && *varying == 0)
      scale /= c;
    else
      break;
    value = e->operands[*varying].tensor;
  }
  return value;
}

/// The input of a linalg.generic that copies it unchanged: all loops
/// parallel, identity maps, a body that yields the input's block argument.
/// The importer writes a Cast to the same type this way (torch's
/// `scores.float()` and `.type_as(q)` on an f32 graph).
Value copiedTensor(Value value) {
  auto op = value.getDefiningOp<linalg::GenericOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return nullptr;
  Block *body = op.getBody();
  if (!llvm::hasSingleElement(*body) ||
      body->getTerminator()->getOperand(0) != body->getArgument(0))
    return nullptr;
  Value input = op.getDpsInputOperand(0)->get();
  return input.getType() == value.getType() ? input : nullptr;
}

/// `value` with elementwise float casts (linalg.generic of one arith.extf or
/// arith.truncf) and same-type copies looked through: f16/bf16 chains round
/// the f32 scores and probabilities to the element type between steps, and
/// linea.attention, which rounds once, drops those intermediate roundings.
Value skipFloatCasts(Value value) {
  while (true) {
    if (Value copied = copiedTensor(value)) {
      value = copied;
      continue;
    }
    std::optional<Elementwise> e = matchElementwise(value);
    if (!e || !isa<arith::ExtFOp, arith::TruncFOp>(e->scalarOp) ||
        e->operands.size() != 1 || !isFullOperand(e->operands[0]))
      break;
    value = e->operands[0].tensor;
  }
  return value;
}

/// The collapse_shape source of `value` when it merges the two leading dims
/// of a static rank-4 tensor whose [B, H] are `split` (any when empty).
Value uncollapseBatchHeads(Value value, ArrayRef<int64_t> split = {}) {
  auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || collapse.getSrcType().getRank() != 4 ||
      collapse.getReassociationIndices() != batchHeadGroups())
    return nullptr;
  ArrayRef<int64_t> shape = collapse.getSrcType().getShape();
  if (!split.empty() && (shape[0] != split[0] || shape[1] != split[1]))
    return nullptr;
  return collapse.getSrc();
}

/// X = softmax⁻¹(P): matches P = E / Σ_last E with E = exp(Y) and, when Y
/// = X − max_last X, returns X (else Y; softmax(Y) is the same function).
std::optional<Value> matchSoftmax(Value p) {
  std::optional<Elementwise> div = matchElementwiseOf<arith::DivFOp>(p);
  if (!div || div->operands.size() != 2)
    return std::nullopt;
  const ElementwiseOperand &num = div->operands[0], &den = div->operands[1];
  if (!isFullOperand(num) || !isRowOperand(div->op, den))
    return std::nullopt;
  std::optional<LastDimReduction> sum = matchLastDimReduction(den.tensor);
  if (!sum || !isa<arith::AddFOp>(sum->combiner) || sum->init != 0.0 ||
      sum->input != num.tensor)
    return std::nullopt;
  std::optional<Elementwise> exp = matchElementwiseOf<math::ExpOp>(num.tensor);
  if (!exp || exp->operands.size() != 1 || !isFullOperand(exp->operands[0]))
    return std::nullopt;
  Value y = exp->operands[0].tensor;
  std::optional<Elementwise> sub = matchElementwiseOf<arith::SubFOp>(y);
  if (!sub || sub->operands.size() != 2)
    return y;
  const ElementwiseOperand &x = sub->operands[0], &m = sub->operands[1];
  if (!isFullOperand(x) || !isRowOperand(sub->op, m))
    return y;
  std::optional<LastDimReduction> max = matchLastDimReduction(m.tensor);
  if (!max || !isa<arith::MaximumFOp, arith::MaxNumFOp>(max->combiner) ||
      max->init != -std::numeric_limits<double>::infinity() ||
      max->input != x.tensor)
    return y;
  return x.tensor;
}

/// The score computation feeding a softmax.
struct ScoresMatch {
  linalg::BatchMatmulOp matmul;
  double scale = 1.0;
  /// The additive mask operand of the score generic, if any; for a masked
  /// fill, its i1 condition.
  std::optional<ElementwiseOperand> mask;
  linalg::GenericOp maskAdd;
  /// The mask is a masked fill with −inf: keys are hidden where the
  /// condition equals `hiddenWhen`.
  bool maskIsFill = false;
  bool hiddenWhen = true;
};

/// The zero-filled Q·Kᵀ batch_matmul under `value` (a rank-`domainRank`
/// tensor), looking through constant factors and, for rank 4, the
/// expand_shape that splits [N] into `split` = [B, H].
linalg::BatchMatmulOp matchScaledMatmul(Value value, int64_t domainRank,
                                        ArrayRef<int64_t> split,
                                        double &scale) {
  value = skipFloatCasts(peelScale(skipFloatCasts(value), scale));
  if (domainRank == 4) {
    auto expand = value.getDefiningOp<tensor::ExpandShapeOp>();
    if (!expand || expand.getReassociationIndices() != batchHeadGroups())
      return nullptr;
    value = skipFloatCasts(peelScale(skipFloatCasts(expand.getSrc()), scale));
  }
  return asPlainBatchMatmul(value.getDefiningOp<linalg::BatchMatmulOp>());
}

std::optional<ScoresMatch> matchScores(Value x, int64_t domainRank,
                                       ArrayRef<int64_t> split) {
  ScoresMatch m;
  x = skipFloatCasts(x);
  if ((m.matmul = matchScaledMatmul(x, domainRank, split, m.scale)))
    return m;
  std::optional<Elementwise> add = matchElementwiseOf<arith::AddFOp>(x);
  if (!add || add->operands.size() != 2)
    return std::nullopt;
  for (unsigned i : {0u, 1u}) {
    const ElementwiseOperand &scores = add->operands[i];
    if (!isFullOperand(scores))
      continue;
    double scale = 1.0;
    linalg::BatchMatmulOp mm =
        matchScaledMatmul(scores.tensor, domainRank, split, scale);
    if (!mm)
      continue;
    m.matmul = mm;
    m.scale = scale;
    m.mask = add->operands[1 - i];
    m.maskAdd = add->op;
    return m;
  }
  return std::nullopt;
}

/// torch's `scores.masked_fill(cond, -inf)` (ONNX Where): a generic of
/// `arith.select %c, %fill, %scores` (or with the branches swapped) whose
/// fill is −inf. For finite scores it equals adding (c ? −inf : 0), so it is
/// matched as that mask. A finite fill (`finfo.min`, -1e9) is not: a row
/// that hides every key is uniform with the fill but not with the sum.
std::optional<ScoresMatch> matchMaskedFillScores(Value x, int64_t domainRank,
                                                 ArrayRef<int64_t> split) {
  std::optional<Elementwise> select =
      matchElementwiseOf<arith::SelectOp>(skipFloatCasts(x));
  if (!select || select->operands.size() != 3 || !select->operands[0].tensor)
    return std::nullopt;
  for (bool hiddenWhen : {true, false}) {
    const ElementwiseOperand &fill = select->operands[hiddenWhen ? 1 : 2];
    const ElementwiseOperand &scores = select->operands[hiddenWhen ? 2 : 1];
    if (!fill.constant ||
        *fill.constant != -std::numeric_limits<double>::infinity() ||
        !isFullOperand(scores))
      continue;
    ScoresMatch m;
    m.matmul = matchScaledMatmul(scores.tensor, domainRank, split, m.scale);
    if (!m.matmul)
      continue;
    m.mask = select->operands[0];
    m.maskAdd = select->op;
    m.maskIsFill = true;
    m.hiddenWhen = hiddenWhen;
    return m;
  }
  return std::nullopt;
}

/// How to build one rank-4 operand of linea.attention from existing IR.
struct OperandPlan {
  /// A static [N, X, Y] or [B, H', X, Y] tensor.
  Value value;
  /// Transpose `value` by this permutation first (empty: no transpose).
  SmallVector<int64_t> perm;
  /// Keep heads [headOffset, headOffset + heads) of the rank-4 result (-1:
  /// all of them).
  int64_t headOffset = 0;
  int64_t heads = -1;
};

/// The permutation applying `outer` after `inner` (transpose(transpose(x,
/// inner), outer) == transpose(x, result)).
SmallVector<int64_t> composePerm(ArrayRef<int64_t> inner,
                                 ArrayRef<int64_t> outer) {
  SmallVector<int64_t> result;
  for (int64_t i : outer)
    result.push_back(inner[i]);
  return result;
}

bool isIdentityPerm(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (int64_t(i) != p)
      return false;
  return true;
}

/// The plan giving k [B, H, T, D] from the Kᵀ operand [N, D, T] of the score
/// matmul, looking through constant factors, the [B·H] collapse and the
/// transpose that made Kᵀ.
OperandPlan planKeys(Value kt, ArrayRef<int64_t> split, double &scale) {
  kt = peelScale(kt, scale);
  int64_t rank = 3;
  if (Value kt4 = uncollapseBatchHeads(kt, split)) {
    kt = peelScale(kt4, scale);
    rank = 4;
  }
  SmallVector<int64_t> swap = rank == 4 ? SmallVector<int64_t>{0, 1, 3, 2}
                                        : SmallVector<int64_t>{0, 2, 1};
  OperandPlan plan;
  if (auto transpose = kt.getDefiningOp<linalg::TransposeOp>()) {
    plan.value = peelScale(transpose.getInput(), scale);
    plan.perm = composePerm(transpose.getPermutation(), swap);
  } else {
    plan.value = kt;
    plan.perm = swap;
  }
  if (isIdentityPerm(plan.perm)) {
    plan.perm.clear();
    if (rank == 3)
      if (Value k4 = uncollapseBatchHeads(plan.value, split))
        plan.value = k4;
  }
  return plan;
}

/// Creates the rank-4 operand described by `plan` with [B, H] = `split` for
/// rank-3 values.
Value materialize(PatternRewriter &rewriter, Location loc,
                  const OperandPlan &plan, ArrayRef<int64_t> split) {
  Value value = plan.value;
  auto type = cast<RankedTensorType>(value.getType());
  if (!plan.perm.empty()) {
    SmallVector<int64_t> shape;
    for (int64_t p : plan.perm)
      shape.push_back(type.getDimSize(p));
    Value init =
        tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
    value = linalg::TransposeOp::create(rewriter, loc, value, init, plan.perm)
                ->getResult(0);
    type = cast<RankedTensorType>(value.getType());
  }
  if (type.getRank() == 3) {
    auto type4 = RankedTensorType::get(
        {split[0], split[1], type.getDimSize(1), type.getDimSize(2)},
        type.getElementType());
    value = tensor::ExpandShapeOp::create(rewriter, loc, type4, value,
                                          batchHeadGroups());
    type = type4;
  }
  if (plan.heads >= 0 &&
      (plan.headOffset != 0 || plan.heads != type.getDimSize(1))) {
    SmallVector<OpFoldResult> offsets = {
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(plan.headOffset),
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {
        rewriter.getIndexAttr(type.getDimSize(0)),
        rewriter.getIndexAttr(plan.heads),
        rewriter.getIndexAttr(type.getDimSize(2)),
        rewriter.getIndexAttr(type.getDimSize(3))};
    SmallVector<OpFoldResult> strides(4, rewriter.getIndexAttr(1));
    value = tensor::ExtractSliceOp::create(rewriter, loc, value, offsets, sizes,
                                           strides);
  }
  return value;
}

/// The element type of the rank-4 operand `plan` produces.
Type elementTypeOf(const OperandPlan &plan) {
  return cast<RankedTensorType>(plan.value.getType()).getElementType();
}

/// The mask as linea.attention takes it: a rank-4 reshape of the mask
/// tensor, broadcastable to [B, H, S, T].
struct MaskPlan {
  /// The additive mask tensor; for a masked fill, its i1 condition.
  Value value;
  SmallVector<int64_t> shape;
  bool causal = false;
  bool drop = false;
  /// A masked fill: the mask is built as (condition == hiddenWhen ? −inf :
  /// 0), from `fillValues` when the condition is constant.
  bool isFill = false;
  bool hiddenWhen = true;
  std::optional<std::vector<float>> fillValues;
};

/// Reads the mask operand of the score generic (iteration space `domain`,
/// [B, H, S, T] or [N, S, T], with [B, H] = `split`) as a rank-4 mask.
FailureOr<MaskPlan> planMask(const ScoresMatch &scores,
                             ArrayRef<int64_t> domain, ArrayRef<int64_t> split,
                             std::string &why) {
  const ElementwiseOperand &mask = *scores.mask;
  if (!mask.tensor) {
    why = "the score bias is a scalar, not a mask tensor";
    return failure();
  }
  auto type = dyn_cast<RankedTensorType>(mask.tensor.getType());
  if (!type || !type.hasStaticShape() || !isBroadcastMap(mask.map)) {
    why = "the mask is not a static tensor broadcast along the scores "
          "(numpy-style indexing map)";
    return failure();
  }
  // Size of the mask along each loop of the score generic (1: broadcast).
  SmallVector<int64_t> perLoop(domain.size(), 1);
  for (auto [k, expr] : llvm::enumerate(mask.map.getResults())) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    int64_t size = type.getDimSize(k);
    // A constant index reads one slice; only a unit dim is a broadcast.
    if (dim ? size != domain[dim.getPosition()] : size != 1) {
      why = "the mask does not broadcast to the scores (its dim " +
            std::to_string(k) + " of size " + std::to_string(size) +
            " is neither 1 nor the score size)";
      return failure();
    }
    if (dim)
      perLoop[dim.getPosition()] = size;
  }
  MaskPlan plan;
  plan.value = mask.tensor;
  plan.isFill = scores.maskIsFill;
  plan.hiddenWhen = scores.hiddenWhen;
  if (domain.size() == 4) {
    plan.shape.assign(perLoop.begin(), perLoop.end());
  } else {
    bool perBatch = perLoop[0] != 1;
    plan.shape = {perBatch ? split[0] : 1, perBatch ? split[1] : 1, perLoop[1],
                  perLoop[2]};
  }
  int64_t s = plan.shape[2], t = plan.shape[3];
  int64_t S = domain[domain.size() - 2], T = domain.back();

  if (!getConstantElements(mask.tensor))
    return plan;
  std::string reason;
  FailureOr<std::vector<float>> values = failure();
  if (plan.isFill) {
    FailureOr<std::vector<int64_t>> condition =
        readConstantInts(mask.tensor, "mask condition", &reason);
    if (failed(condition))
      return plan;
    const float negInf = -std::numeric_limits<float>::infinity();
    values = std::vector<float>();
    for (int64_t c : *condition)
      values->push_back((c != 0) == plan.hiddenWhen ? negInf : 0.0f);
    plan.fillValues = *values;
  } else {
    values = readConstantFloats(mask.tensor, "mask", &reason);
  }
  if (failed(values))
    return plan;
  bool allZero = llvm::all_of(*values, [](float v) { return v == 0.0f; });
  if (allZero) {
    plan.drop = true;
    return plan;
  }
  // Causal: every [S, T] slice is 0 where j ≤ i + (T − S), −inf elsewhere.
  if (s != S || t != T || S > T)
    return plan;
  const float negInf = -std::numeric_limits<float>::infinity();
  for (size_t n = 0; n < values->size(); ++n) {
    int64_t i = (int64_t(n) / t) % s, j = int64_t(n) % t;
    float expected = j <= i + (T - S) ? 0.0f : negInf;
    if ((*values)[n] != expected)
      return plan;
  }
  plan.causal = true;
  return plan;
}

/// Reshapes static `value` to the rank-4 `shape` (same element count, same
/// row-major order): one expand_shape when `shape` only splits dims of
/// `value` (e.g. [S, T] → [1, 1, S, T]), else through a flat vector.
Value reshapeTo(PatternRewriter &rewriter, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto target = RankedTensorType::get(shape, type.getElementType());
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(rewriter, loc, target, value,
                                         ArrayRef<ReassociationIndices>{});
  if (std::optional<SmallVector<ReassociationIndices>> groups =
          getReassociationIndicesForCollapse(shape, type.getShape()))
    return tensor::ExpandShapeOp::create(rewriter, loc, target, value, *groups);
  if (type.getRank() > 1) {
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    value = tensor::CollapseShapeOp::create(
        rewriter, loc, value, ArrayRef<ReassociationIndices>{all});
  }
  ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, 4));
  return tensor::ExpandShapeOp::create(rewriter, loc, target, value,
                                       ArrayRef<ReassociationIndices>{all});
}

/// The additive f32 mask of a masked fill, shaped like its condition: a
/// constant when the condition is, else a generic selecting −inf or 0.
Value buildFillMask(PatternRewriter &rewriter, Location loc,
                    const MaskPlan &plan) {
  auto condType = cast<RankedTensorType>(plan.value.getType());
  auto type = RankedTensorType::get(condType.getShape(), rewriter.getF32Type());
  if (plan.fillValues)
    return arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(type, ArrayRef(*plan.fillValues)));
  Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                       type.getElementType());
  AffineMap id = rewriter.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, type, plan.value, init, ArrayRef<AffineMap>{id, id},
      iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        Value hidden = arith::ConstantOp::create(
            b, l, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
        Value shown = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
        Value out = plan.hiddenWhen
                        ? arith::SelectOp::create(b, l, args[0], hidden, shown)
                        : arith::SelectOp::create(b, l, args[0], shown, hidden);
        linalg::YieldOp::create(b, l, out);
      });
  return generic.getResult(0);
}

/// softmax(Q·Kᵀ·scale + mask)·V → linea.attention, rooted at the P·V
/// batch_matmul.
struct RaiseSoftmaxAttention : OpRewritePattern<linalg::BatchMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::BatchMatmulOp pv,
                                PatternRewriter &rewriter) const override {
    if (!asPlainBatchMatmul(pv))
      return rewriter.notifyMatchFailure(pv, "not a plain batch_matmul");
    Value pc = pv.getInputs()[0], vc = pv.getInputs()[1];

    // The softmax domain: [B, H, S, T] when P was collapsed for the matmul.
    Value p = uncollapseBatchHeads(pc);
    int64_t domainRank = p ? 4 : 3;
    if (!p)
      p = pc;
    std::optional<Value> x = matchSoftmax(skipFloatCasts(p));
    if (!x)
      return rewriter.notifyMatchFailure(pv, "LHS is not a last-dim softmax");
    if (!p.hasOneUse())
      return nearMiss(pv, "the attention probabilities have other users");
    ArrayRef<int64_t> domain = cast<RankedTensorType>(p.getType()).getShape();

    // [B, H]: from the 4-D softmax, else from how Q was collapsed, else all
    // of [N] as heads of one batch.
    SmallVector<int64_t> split;
    if (domainRank == 4)
      split = {domain[0], domain[1]};
    auto matchAnyScores = [&](ArrayRef<int64_t> split) {
      std::optional<ScoresMatch> m = matchScores(*x, domainRank, split);
      return m ? m : matchMaskedFillScores(*x, domainRank, split);
    };
    std::optional<ScoresMatch> scores;
    if (domainRank == 4) {
      scores = matchAnyScores(split);
    } else {
      scores = matchAnyScores({});
      if (scores) {
        double ignored = 1.0;
        Value qc = peelScale(scores->matmul.getInputs()[0], ignored);
        if (Value q4 = uncollapseBatchHeads(qc)) {
          ArrayRef<int64_t> qs =
              cast<RankedTensorType>(q4.getType()).getShape();
          split = {qs[0], qs[1]};
        } else {
          split = {1, domain[0]};
        }
      }
    }
    if (!scores)
      return nearMiss(pv, "the softmax input is not Q·Kᵀ (times constants, "
                          "plus a mask or masked-filled with −inf) from a "
                          "batch_matmul");

    // q [B, H, S, D].
    double scale = scores->scale;
    OperandPlan q;
    q.value = peelScale(scores->matmul.getInputs()[0], scale);
    if (Value q4 = uncollapseBatchHeads(q.value, split))
      q.value = peelScale(q4, scale);
    OperandPlan k = planKeys(scores->matmul.getInputs()[1], split, scale);
    OperandPlan v;
    v.value = vc;
    if (Value v4 = uncollapseBatchHeads(vc, split))
      v.value = v4;
    if (!(scale > 0.0) || !std::isfinite(scale) ||
        !std::isfinite(float(scale)) || float(scale) == 0.0f)
      return nearMiss(pv, llvm::formatv("the score scale {0} is not a "
                                        "positive finite f32",
                                        scale));

    Type elementType = elementTypeOf(q);
    if (elementTypeOf(k) != elementType || elementTypeOf(v) != elementType)
      return nearMiss(pv, "q, k and v differ in element type");
    // What the attention replaces: P·V, else its 4-D view, else that view
    // rounded to the element type (f16/bf16 chains accumulate in f32).
    Operation *replaced = pv;
    auto pvType = cast<RankedTensorType>(pv.getResultTypes()[0]);
    Value result = pv->getResult(0);
    if (result.hasOneUse())
      if (auto expand = dyn_cast<tensor::ExpandShapeOp>(*result.user_begin()))
        if (expand.getResultType().getShape() ==
            ArrayRef<int64_t>{split[0], split[1], pvType.getDimSize(1),
                              pvType.getDimSize(2)}) {
          replaced = expand;
          result = expand.getResult();
        }
    if (pvType.getElementType() != elementType && result.hasOneUse()) {
      std::optional<Elementwise> round = matchElementwiseOf<arith::TruncFOp>(
          result.user_begin()->getResult(0));
      if (round && round->operands.size() == 1 &&
          isFullOperand(round->operands[0]))
        replaced = round->op;
    }
    auto replacedType =
        cast<RankedTensorType>(replaced->getResult(0).getType());
    if (replacedType.getElementType() != elementType)
      return nearMiss(pv, "the output is not rounded to the element type of "
                          "q, k and v");

    // Grouped-query heads: pass the un-repeated keys and values.
    if (k.perm.empty() &&
        cast<RankedTensorType>(k.value.getType()).getRank() == 4 &&
        cast<RankedTensorType>(v.value.getType()).getRank() == 4) {
      std::optional<RepeatedHeads> kh = traceRepeatedHeads(k.value);
      std::optional<RepeatedHeads> vh = traceRepeatedHeads(v.value);
      if (kh && vh && kh->group == vh->group) {
        int64_t heads = split[1] / kh->group;
        k = OperandPlan{kh->base, {}, kh->offset, heads};
        v = OperandPlan{vh->base, {}, vh->offset, heads};
      }
    }

    MaskPlan mask;
    mask.drop = true;
    if (scores->mask) {
      std::string why;
      FailureOr<MaskPlan> planned = planMask(*scores, domain, split, why);
      if (failed(planned))
        return nearMiss(pv, why);
      mask = *planned;
    }

    // Build: everything used dominates the P·V matmul.
    Location loc = pv.getLoc();
    rewriter.setInsertionPoint(pv);
    Value q4 = materialize(rewriter, loc, q, split);
    Value k4 = materialize(rewriter, loc, k, split);
    Value v4 = materialize(rewriter, loc, v, split);
    Value mask4;
    if (!mask.drop && !mask.causal)
      mask4 = reshapeTo(rewriter, loc,
                        mask.isFill ? buildFillMask(rewriter, loc, mask)
                                    : mask.value,
                        mask.shape);
    ArrayRef<int64_t> qShape = cast<RankedTensorType>(q4.getType()).getShape();
    int64_t dv = cast<RankedTensorType>(v4.getType()).getDimSize(3);
    auto resultType = RankedTensorType::get(
        {qShape[0], qShape[1], qShape[2], dv}, elementType);
    auto attention = AttentionOp::create(
        rewriter, loc, resultType, q4, k4, v4, mask4,
        rewriter.getF32FloatAttr(float(scale)), mask.causal);

    if (replacedType == resultType) {
      rewriter.replaceOp(replaced, attention.getResult());
    } else {
      rewriter.setInsertionPoint(replaced);
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          replaced, attention.getResult(), batchHeadGroups());
    }
    return success();
  }

private:
  /// Fails the match; the first time for `op`, also remarks why a
  /// softmax·V contraction was not raised.
  LogicalResult nearMiss(linalg::BatchMatmulOp op, const Twine &why) const {
    if (remarked.insert(op.getOperation()).second)
      op.emitRemark() << "softmax·V not raised to linea.attention: " << why;
    return failure();
  }

  /// Greedy rewriting revisits failed ops; remark on each one once.
  mutable llvm::DenseSet<Operation *> remarked;
};

} // namespace

void linea::populateRaiseAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseSoftmaxAttention>(patterns.getContext());
}
