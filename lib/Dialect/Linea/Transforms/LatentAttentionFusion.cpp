//===- LatentAttentionFusion.cpp - Palu projections into latent_attention -===//
//
// After linea-lowrank-kv the keys and values are still rebuilt in full
// ([B, Hkv, T, D]) before the attention reads them. Palu's decoder caches
// the latents x·vᵀ instead and rebuilds inside the attention (REWRITES.md
// §1.2): linea.latent_attention. This file proves that an attention's k and
// v are exactly such rebuilt projections — the head split of the
// projection, and for k optionally RoPE in the rotate_half form torch
// exports — and rebuilds the attention over the latents. It only reads the
// IR until everything is proven, so a refusal leaves the module unchanged.
//
//===----------------------------------------------------------------------===//

#include "LatentAttentionFusion.h"

#include "Raise/Match.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace linea {
namespace {

/// The attribute linea-lowrank-kv puts on the op producing a projection.
constexpr StringLiteral kKVLatentAttr = "linea.kv_latent";

/// `value` with linalg.copy ops (which only move their input) removed.
Value skipCopies(Value value) {
  while (auto copy = value.getDefiningOp<linalg::CopyOp>())
    value = copy.getInputs()[0];
  return value;
}

/// A projection as linea-lowrank-kv writes it: per group g,
/// `x · v_gᵀ · u_gᵀ`.
struct LatentProjection {
  /// The unit-dim expand_shape from the projection [T, N] to [B, T, N]
  /// (torch's one-token export flattens B·T), or null.
  tensor::ExpandShapeOp unitExpand;
  Value x;
  SmallVector<LowRankLinearOp> groups;
  int64_t rank = 0;
};

/// The projection [B, T, Hkv·D] whose head split is `heads` [B, Hkv, T, D]:
/// linalg.transpose [0, 2, 1, 3] of tensor.expand_shape [[0], [1], [2, 3]].
FailureOr<Value> headSplitSource(Value heads, std::string &why) {
  auto transpose = skipCopies(heads).getDefiningOp<linalg::TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{0, 2, 1, 3}) {
    why = "is not the [B, T, Hkv, D] → [B, Hkv, T, D] transpose of a "
          "projection";
    return failure();
  }
  auto expand =
      skipCopies(transpose.getInput()).getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getSrcType().getRank() != 3 ||
      expand.getReassociationIndices() !=
          SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}}) {
    why = "is not the head split (expand_shape [B, T, Hkv·D] → [B, T, Hkv, "
          "D]) of a projection";
    return failure();
  }
  return expand.getSrc();
}

/// The Palu projection producing `value`, or failure with `why`.
FailureOr<LatentProjection> latentProjection(Value value, std::string &why) {
  LatentProjection projection;
  if (auto expand = value.getDefiningOp<tensor::ExpandShapeOp>();
      expand && raise::isUnitDimReshape(expand) &&
      expand.getResultType().hasStaticShape()) {
    projection.unitExpand = expand;
    value = expand.getSrc();
  }
  Operation *producer = value.getDefiningOp();
  if (!producer || !producer->hasAttr(kKVLatentAttr)) {
    why = "is not a projection linea-lowrank-kv rewrote (no " +
          kKVLatentAttr.str() + ")";
    return failure();
  }
  SmallVector<Value> parts;
  if (auto concat = dyn_cast<tensor::ConcatOp>(producer)) {
    if (int64_t(concat.getDim()) != concat.getResultType().getRank() - 1) {
      why = "concatenates its groups along a dim other than the last";
      return failure();
    }
    parts.append(concat.getInputs().begin(), concat.getInputs().end());
  } else {
    parts.push_back(value);
  }
  for (Value part : parts) {
    auto group = part.getDefiningOp<LowRankLinearOp>();
    if (!group) {
      why = "has a group that is not a linea.lowrank_linear";
      return failure();
    }
    if (group.getBias()) {
      why = "has a bias, which linea.latent_attention cannot add back";
      return failure();
    }
    int64_t rank = cast<RankedTensorType>(group.getU().getType()).getDimSize(1);
    if (projection.groups.empty()) {
      projection.x = group.getX();
      projection.rank = rank;
    } else if (group.getX() != projection.x) {
      why = "has groups reading different inputs";
      return failure();
    } else if (rank != projection.rank) {
      why = "has groups of unequal rank (" + std::to_string(projection.rank) +
            " and " + std::to_string(rank) +
            "; linea.latent_attention takes one rank per projection)";
      return failure();
    } else if (int64_t rows = cast<RankedTensorType>(group.getU().getType())
                                  .getDimSize(0),
               first = cast<RankedTensorType>(
                           projection.groups.front().getU().getType())
                           .getDimSize(0);
               rows != first) {
      why = "has groups of unequal width (" + std::to_string(first) + " and " +
            std::to_string(rows) + " output features)";
      return failure();
    }
    projection.groups.push_back(group);
  }
  int64_t rank = cast<RankedTensorType>(projection.x.getType()).getRank();
  if (rank != (projection.unitExpand ? 2 : 3)) {
    why = "reads an input of rank " + std::to_string(rank) +
          ", not [B, T, K]";
    return failure();
  }
  return projection;
}

/// `value` as a [T, D] table read by an elementwise generic through `map`
/// (results (…, d2, d3), leading results 0 on unit dims), or null.
Value ropeTable(const raise::ElementwiseOperand &operand) {
  // A splat table (position 0 alone: cos = 1, sin = 0) is still a table.
  if (!operand.tensor)
    return {};
  auto type = cast<RankedTensorType>(operand.tensor.getType());
  AffineMap map = operand.map;
  int64_t rank = type.getRank();
  if (rank < 2 || map.getNumDims() != 4 || map.getNumResults() != rank)
    return {};
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr expr = map.getResult(i);
    if (i >= rank - 2) {
      // A one-token table may be broadcast (constant 0) along T.
      bool broadcastT = i == rank - 2 && type.getDimSize(i) == 1 &&
                        isa<AffineConstantExpr>(expr);
      if (!broadcastT &&
          expr != getAffineDimExpr(2 + i - (rank - 2), map.getContext()))
        return {};
    } else if (type.getDimSize(i) != 1 || !isa<AffineConstantExpr>(expr)) {
      return {};
    }
  }
  return operand.tensor;
}

/// A product `full · table` of a 4-D tensor and a RoPE table, either order.
struct TableProduct {
  Value full, table;
};
std::optional<TableProduct> matchTableProduct(Value value) {
  std::optional<raise::Elementwise> mul =
      raise::matchElementwiseOf<arith::MulFOp>(value);
  if (!mul || mul->operands.size() != 2)
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    const raise::ElementwiseOperand &full = mul->operands[i];
    Value table = ropeTable(mul->operands[1 - i]);
    if (table && full.tensor && !full.constant && raise::isFullOperand(full))
      return TableProduct{full.tensor, table};
  }
  return std::nullopt;
}

/// `value` = x[…, offset : offset + D/2] of a 4-D `x`, with D = 2·`half`.
bool isHalfSlice(Value value, Value x, int64_t offset, int64_t half) {
  auto slice = skipCopies(value).getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || skipCopies(slice.getSource()) != x ||
      !slice.hasUnitStride() || slice.getSourceType().getRank() != 4)
    return false;
  ArrayRef<int64_t> offsets = slice.getStaticOffsets();
  ArrayRef<int64_t> sizes = slice.getStaticSizes();
  for (int64_t i = 0; i < 3; ++i)
    if (offsets[i] != 0 || sizes[i] != slice.getSourceType().getDimSize(i) ||
        ShapedType::isDynamic(sizes[i]))
      return false;
  return offsets[3] == offset && sizes[3] == half;
}

/// `value` = −x[…, D/2:] (a negation, or a product by the constant −1).
bool isNegatedHighHalf(Value value, Value x, int64_t half) {
  value = skipCopies(value);
  if (auto neg = raise::matchElementwiseOf<arith::NegFOp>(value))
    return isHalfSlice(neg->operands[0].tensor, x, half, half);
  if (auto mul = raise::matchElementwiseOf<arith::MulFOp>(value)) {
    std::optional<unsigned> varying = mul->singleVaryingOperand();
    if (!varying || mul->operands[1 - *varying].constant != -1.0)
      return false;
    return isHalfSlice(mul->operands[*varying].tensor, x, half, half);
  }
  return false;
}

/// True when `value` is rotate_half(x) = concat(−x[…, D/2:], x[…, :D/2])
/// along the last dim: a tensor.concat, or two tensor.insert_slice into a
/// [B, Hkv, T, D] destination covering both halves.
bool isRotateHalf(Value value, Value x) {
  int64_t d = cast<RankedTensorType>(x.getType()).getDimSize(3);
  if (ShapedType::isDynamic(d) || d % 2 != 0)
    return false;
  int64_t half = d / 2;
  value = skipCopies(value);
  if (auto concat = value.getDefiningOp<tensor::ConcatOp>())
    return concat.getDim() == 3 && concat.getInputs().size() == 2 &&
           isNegatedHighHalf(concat.getInputs()[0], x, half) &&
           isHalfSlice(concat.getInputs()[1], x, 0, half);
  // insert(lo into insert(−hi into dest at 0) at D/2), either nesting order.
  auto outer = value.getDefiningOp<tensor::InsertSliceOp>();
  if (!outer)
    return false;
  auto inner = outer.getDest().getDefiningOp<tensor::InsertSliceOp>();
  if (!inner)
    return false;
  auto covers = [&](tensor::InsertSliceOp insert, int64_t offset) {
    if (!insert.hasUnitStride() || insert.getDestType().getRank() != 4 ||
        insert.getDestType() != x.getType())
      return false;
    ArrayRef<int64_t> offsets = insert.getStaticOffsets();
    ArrayRef<int64_t> sizes = insert.getStaticSizes();
    for (int64_t i = 0; i < 3; ++i)
      if (offsets[i] != 0 || sizes[i] != insert.getDestType().getDimSize(i))
        return false;
    return offsets[3] == offset && sizes[3] == half;
  };
  for (auto [low, high] : {std::pair{inner, outer}, std::pair{outer, inner}})
    if (covers(low, 0) && covers(high, half) &&
        isNegatedHighHalf(low.getSource(), x, half) &&
        isHalfSlice(high.getSource(), x, 0, half))
      return true;
  return false;
}

/// RoPE on the keys: the rotated keys, cos and sin, when `keys` is
/// k·cos + rotate_half(k)·sin (sums and products in either order).
struct Rope {
  Value keys, cos, sin;
};
std::optional<Rope> matchRope(Value value) {
  std::optional<raise::Elementwise> add =
      raise::matchElementwiseOf<arith::AddFOp>(skipCopies(value));
  if (!add || add->operands.size() != 2 || !add->operands[0].tensor ||
      !add->operands[1].tensor || !raise::isFullOperand(add->operands[0]) ||
      !raise::isFullOperand(add->operands[1]))
    return std::nullopt;
  std::optional<TableProduct> a = matchTableProduct(add->operands[0].tensor);
  std::optional<TableProduct> b = matchTableProduct(add->operands[1].tensor);
  if (!a || !b)
    return std::nullopt;
  for (auto [plain, rotated] : {std::pair{*a, *b}, std::pair{*b, *a}}) {
    Value keys = skipCopies(plain.full);
    if (isRotateHalf(rotated.full, keys))
      return Rope{keys, plain.table, rotated.table};
  }
  return std::nullopt;
}

/// Whether `value` looks like RoPE's final sum at all (to tell "RoPE in a
/// form not understood" from "not a projection").
bool looksLikeSum(Value value) {
  return raise::matchElementwiseOf<arith::AddFOp>(skipCopies(value))
      .has_value();
}

/// A [T, D] view of a RoPE table (leading unit dims collapsed).
Value tableAs2D(OpBuilder &b, Location loc, Value table) {
  auto type = cast<RankedTensorType>(table.getType());
  if (type.getRank() == 2)
    return table;
  ReassociationIndices leading;
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    leading.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, table,
      SmallVector<ReassociationIndices>{leading, {type.getRank() - 1}});
}

/// The latent [B, T, G·r] = x · concat_g(v_g)ᵀ and the up-projections
/// [G, Hkv/G·D, r] = stack_g(u_g), built before `attention`.
FailureOr<std::pair<Value, Value>> buildLatent(OpBuilder &b, Location loc,
                                               const LatentProjection &p,
                                               StringRef name,
                                               std::string &why) {
  SmallVector<Value> vs, us;
  for (LowRankLinearOp group : p.groups) {
    vs.push_back(group.getV());
    us.push_back(group.getU());
  }
  FailureOr<DenseElementsAttr> down = concatConstantRows(vs, &why);
  if (failed(down))
    return failure();
  FailureOr<DenseElementsAttr> up = concatConstantRows(us, &why);
  if (failed(up))
    return failure();
  LowRankLinearOp first = p.groups.front();
  auto uType = cast<RankedTensorType>(first.getU().getType());
  int64_t groups = p.groups.size();
  auto upType = RankedTensorType::get(
      {groups, uType.getDimSize(0), uType.getDimSize(1)},
      uType.getElementType());
  Value downConst = arith::ConstantOp::create(b, loc, *down);
  Value upConst = arith::ConstantOp::create(b, loc, up->reshape(upType));
  auto resultType = cast<RankedTensorType>(first.getResult().getType());
  SmallVector<int64_t> shape(resultType.getShape());
  shape.back() = groups * p.rank;
  auto latent = LinearOp::create(b, loc, resultType.clone(shape), p.x,
                                 downConst, /*bias=*/Value(),
                                 name.empty() ? StringAttr()
                                              : b.getStringAttr(name));
  latent->setAttr(kKVLatentAttr, b.getI64IntegerAttr(groups * p.rank));
  Value result = latent.getResult();
  if (tensor::ExpandShapeOp unitExpand = p.unitExpand) {
    SmallVector<int64_t> expanded(unitExpand.getResultType().getShape());
    expanded.back() = groups * p.rank;
    result = tensor::ExpandShapeOp::create(
        b, loc, unitExpand.getResultType().clone(expanded), result,
        unitExpand.getReassociationIndices());
  }
  return std::pair<Value, Value>{result, upConst};
}

/// The name of the latent layer: the projection's name without "/g<i>".
std::string latentName(const LatentProjection &p) {
  LowRankLinearOp first = p.groups.front();
  StringAttr name = first.getNameAttr();
  if (!name)
    return "";
  StringRef base = name.getValue();
  if (p.groups.size() > 1)
    base = base.rsplit("/g").first;
  return (base + "/latent").str();
}

/// Erases `roots`' producers, and theirs, once they have no users left.
void eraseDeadProducers(ArrayRef<Value> roots) {
  SmallVector<Operation *> worklist;
  for (Value root : roots)
    if (Operation *op = root.getDefiningOp())
      worklist.push_back(op);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!isOpTriviallyDead(op))
      continue;
    SmallVector<Operation *> producers;
    for (Value operand : op->getOperands())
      if (Operation *producer = operand.getDefiningOp())
        producers.push_back(producer);
    op->erase();
    worklist.append(producers);
  }
}

} // namespace

std::string fuseLatentAttention(AttentionOp attention) {
  if (attention.getMask())
    return "the attention has a mask (linea.latent_attention takes only "
           "causal masking)";
  if (attention.getQuant())
    return "the attention is quantized (attn_quant)";
  auto kType = cast<RankedTensorType>(attention.getK().getType());
  auto vType = cast<RankedTensorType>(attention.getV().getType());
  if (kType.isDynamicDim(1) || kType.isDynamicDim(3) ||
      vType.isDynamicDim(3))
    return "the attention's k or v has a dynamic head count or head dim";

  // Keys: optional RoPE, then the head split of the projection.
  std::string why;
  Value keys = attention.getK();
  std::optional<Rope> rope = matchRope(keys);
  if (rope)
    keys = rope->keys;
  FailureOr<Value> kProjection = headSplitSource(keys, why);
  if (failed(kProjection)) {
    if (!rope && looksLikeSum(keys))
      return "the keys reach the attention through a sum that is not RoPE "
             "as k·cos + rotate_half(k)·sin with [T, D] tables";
    return "the k operand " + why;
  }
  FailureOr<LatentProjection> k = latentProjection(*kProjection, why);
  if (failed(k))
    return "the k projection " + why;
  FailureOr<Value> vProjection = headSplitSource(attention.getV(), why);
  if (failed(vProjection))
    return "the v operand " + why;
  FailureOr<LatentProjection> v = latentProjection(*vProjection, why);
  if (failed(v))
    return "the v projection " + why;
  if (rope) {
    int64_t tableTokens =
        cast<RankedTensorType>(rope->cos.getType()).getShape().drop_back().back();
    int64_t keyTokens = kType.getDimSize(2);
    if (ShapedType::isDynamic(tableTokens) || tableTokens != keyTokens)
      return "the RoPE tables have " + std::to_string(tableTokens) +
             " rows, but the keys " + std::to_string(keyTokens) +
             " tokens (linea.latent_attention indexes them by key position)";
  }

  OpBuilder b(attention);
  Location loc = attention.getLoc();
  // Both constants first: a failure must leave the module unchanged.
  for (const LatentProjection *p : {&*k, &*v})
    for (LowRankLinearOp group : p->groups)
      for (Value factor : {group.getU(), group.getV()})
        if (!getConstantElements(factor))
          return "a factor of " +
                 (group.getName() ? group.getName()->str()
                                  : std::string("the projection")) +
                 " is not a constant";
  FailureOr<std::pair<Value, Value>> kLatent =
      buildLatent(b, loc, *k, latentName(*k), why);
  if (failed(kLatent))
    return why;
  FailureOr<std::pair<Value, Value>> vLatent =
      buildLatent(b, loc, *v, latentName(*v), why);
  if (failed(vLatent)) {
    eraseDeadProducers({kLatent->first, kLatent->second});
    return why;
  }
  SmallVector<Value> tables;
  if (rope)
    tables = {tableAs2D(b, loc, rope->cos), tableAs2D(b, loc, rope->sin)};
  auto latent = LatentAttentionOp::create(
      b, loc, attention.getType(), attention.getQ(), kLatent->first,
      kLatent->second, vLatent->first, vLatent->second, tables,
      b.getI64IntegerAttr(kType.getDimSize(1)), attention.getScaleAttr(),
      attention.getCausalAttr());
  SmallVector<Value> old = {attention.getK(), attention.getV()};
  attention.getResult().replaceAllUsesWith(latent.getResult());
  attention.erase();
  eraseDeadProducers(old);
  return "";
}

} // namespace linea
