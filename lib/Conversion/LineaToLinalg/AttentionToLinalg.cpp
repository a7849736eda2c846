//===- AttentionToLinalg.cpp - reference lowering of attention ops --------===//
//
// linea.attention becomes the textbook sequence over [B, H, S, T] score
// tensors: the q·kᵀ contraction (the grouped-query head mapping h div g is
// part of k's indexing map, so no repeated copy of k or v exists), scale and
// broadcast mask, row max and row sum over the visible keys, probabilities,
// and the P·V contraction. Causal visibility j ≤ i + (T − S) is evaluated
// from the loop indices in every step that reads the scores.
//
// linea.linear_attention uses the parallel form
// o = [(φ(Q)φ(K)ᵀ) ⊙ M] V / ([(φ(Q)φ(K)ᵀ) ⊙ M] 1 + ε) with M the causal
// mask j ≤ i (all ones otherwise), which by associativity is
// (φ(q_i)·S_i) / (φ(q_i)·z_i + ε) of the op's description.
//
// With `quant` (SageAttention) the same sequence runs on quantized
// operands built first: smoothed int8 keys and int8 queries with their
// block scales (a block's scale is read through a `floordiv` indexing map),
// log2-unit scores, an integer row max and fp8-rounded probabilities and
// values. The int8 products are summed in f32, which is exact (every
// partial sum is an integer below 127²·D < 2^24 for D ≤ 1040).
//
// linea.latent_attention rebuilds K (with RoPE) and V in f32 from the
// latents and becomes a linea.attention over them.
//
// All arithmetic is f32; each output element is rounded once.
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

#include <limits>

using namespace mlir;

namespace linea {
namespace {

/// Builds the yielded value of a generic from its block arguments.
using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A dim of a result tensor: the size of dim `dim` of `source`.
struct DimOf {
  Value source;
  int64_t dim;
};

/// An uninitialised f32 tensor whose dim i has the size of dims[i] (static
/// where that operand's dim is static).
Value emptyF32(OpBuilder &b, Location loc, ArrayRef<DimOf> dims) {
  SmallVector<OpFoldResult> sizes;
  for (const DimOf &d : dims)
    sizes.push_back(tensor::getMixedSize(b, loc, d.source, d.dim));
  return tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
}

/// emptyF32 filled with `value`: the initial accumulator of a reduction.
Value filledF32(OpBuilder &b, Location loc, ArrayRef<DimOf> dims,
                double value) {
  return linalg::FillOp::create(b, loc, f32Constant(b, loc, value),
                                emptyF32(b, loc, dims))
      .getResult(0);
}

/// A linalg.generic over `loops` loops, the last `reductions` of which
/// reduce, writing into `init`. Every input is widened to f32 before `body`
/// sees it (the accumulator, last, is f32 already).
Value f32Generic(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                 ArrayRef<AffineMap> maps, unsigned loops, unsigned reductions,
                 BodyFn body) {
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  for (unsigned i = loops - reductions; i < loops; ++i)
    iterators[i] = utils::IteratorType::reduction;
  Type f32 = b.getF32Type();
  return linalg::GenericOp::create(
             b, loc, init.getType(), inputs, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               SmallVector<Value> wide;
               for (Value arg : args)
                 wide.push_back(castScalar(nb, nloc, arg, f32));
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, wide));
             })
      .getResult(0);
}

/// An affine map of `loops` dims with the given dim positions as results.
AffineMap dimsMap(MLIRContext *ctx, unsigned loops,
                  ArrayRef<unsigned> positions) {
  SmallVector<AffineExpr> exprs;
  for (unsigned p : positions)
    exprs.push_back(getAffineDimExpr(p, ctx));
  return AffineMap::get(loops, 0, exprs, ctx);
}

/// The map of a [B, Hkv, T, X] key or value operand under loops
/// (b, h, …): dim 1 is the kv head h div `group`, and `keyLoop` /
/// `featureLoop` pick the loops indexing the key and the feature.
AffineMap kvMap(MLIRContext *ctx, unsigned loops, int64_t group,
                unsigned keyLoop, unsigned featureLoop) {
  AffineExpr kvHead = getAffineDimExpr(1, ctx).floorDiv(group);
  return AffineMap::get(loops, 0,
                        {getAffineDimExpr(0, ctx), kvHead,
                         getAffineDimExpr(keyLoop, ctx),
                         getAffineDimExpr(featureLoop, ctx)},
                        ctx);
}

/// The mask's map under loops (b, h, i, j): a constant 0 on each dim of
/// static size 1 (broadcast), the loop itself otherwise (the verifier
/// allows only 1 or the full size).
AffineMap maskMap(MLIRContext *ctx, Value mask) {
  auto type = cast<RankedTensorType>(mask.getType());
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < 4; ++d)
    exprs.push_back(type.getDimSize(d) == 1 ? getAffineConstantExpr(0, ctx)
                                            : getAffineDimExpr(d, ctx));
  return AffineMap::get(4, 0, exprs, ctx);
}

/// Whether key j is visible to query i inside a generic whose loops `iLoop`
/// and `jLoop` run over queries and keys: j ≤ i + offset. Returns null when
/// `offset` is null (every key is visible).
Value visibleAt(OpBuilder &b, Location loc, Value offset, unsigned iLoop,
                unsigned jLoop) {
  if (!offset)
    return {};
  Value i = linalg::IndexOp::create(b, loc, iLoop);
  Value j = linalg::IndexOp::create(b, loc, jLoop);
  Value last = arith::AddIOp::create(b, loc, i, offset);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, j, last);
}

/// `value` where `visible` holds (or always, when it is null), else
/// `hidden`.
Value selectVisible(OpBuilder &b, Location loc, Value visible, Value value,
                    Value hidden) {
  if (!visible)
    return value;
  return arith::SelectOp::create(b, loc, visible, value, hidden);
}

/// Rounds f32 `value` to `resultType`'s element type and, where only
/// compatible, casts it to `resultType` itself.
Value finishResult(OpBuilder &b, Location loc, Value value, Type resultType) {
  auto type = cast<RankedTensorType>(resultType);
  value = castElements(b, loc, value, type.getElementType());
  if (value.getType() != type)
    value = tensor::CastOp::create(b, loc, type, value);
  return value;
}

/// Σ_j a[b, h, i, j] · v[b, h div group, j, e] over keys j: the shared
/// final contraction of both ops (loops b, h, i, e, j). `a` is f32
/// [B, H, S, T]; `weight` may rewrite each a element (masking) before use.
Value contractWithValues(OpBuilder &b, Location loc, Value a, Value v,
                         int64_t group, BodyFn weight) {
  MLIRContext *ctx = b.getContext();
  Value init = filledF32(b, loc, {{a, 0}, {a, 1}, {a, 2}, {v, 3}}, 0.0);
  SmallVector<AffineMap> maps = {dimsMap(ctx, 5, {0, 1, 2, 4}),
                                 kvMap(ctx, 5, group, 4, 3),
                                 dimsMap(ctx, 5, {0, 1, 2, 3})};
  return f32Generic(b, loc, {a, v}, init, maps, 5, 1,
                    [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                      Value p = weight(nb, l, args[0]);
                      Value prod = arith::MulFOp::create(nb, l, p, args[1]);
                      return arith::AddFOp::create(nb, l, prod, args[2]);
                    });
}

/// Σ_d q[b, h, i, d] · k[b, h div group, j, d] (loops b, h, i, j, d): the
/// [B, H, S, T] dot products of every query with every key.
Value dotProducts(OpBuilder &b, Location loc, Value q, Value k, int64_t group) {
  MLIRContext *ctx = b.getContext();
  Value init = filledF32(b, loc, {{q, 0}, {q, 1}, {q, 2}, {k, 2}}, 0.0);
  SmallVector<AffineMap> maps = {dimsMap(ctx, 5, {0, 1, 2, 4}),
                                 kvMap(ctx, 5, group, 3, 4),
                                 dimsMap(ctx, 5, {0, 1, 2, 3})};
  return f32Generic(b, loc, {q, k}, init, maps, 5, 1,
                    [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                      Value prod =
                          arith::MulFOp::create(nb, l, args[0], args[1]);
                      return arith::AddFOp::create(nb, l, prod, args[2]);
                    });
}

/// T − S as an index value (the causal diagonal's offset).
Value causalOffset(OpBuilder &b, Location loc, Value q, Value k) {
  Value s = tensor::DimOp::create(b, loc, q, 2);
  Value t = tensor::DimOp::create(b, loc, k, 2);
  return arith::SubIOp::create(b, loc, t, s);
}

/// An f32 tensor of the given sizes.
Value emptyF32Sized(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) {
  return tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
}

/// Size `dim` of `source` divided by `block`, rounded up.
OpFoldResult blockCount(OpBuilder &b, Location loc, Value source, int64_t dim,
                        int64_t block) {
  int64_t size = cast<RankedTensorType>(source.getType()).getDimSize(dim);
  if (!ShapedType::isDynamic(size))
    return b.getIndexAttr((size + block - 1) / block);
  Value n = tensor::DimOp::create(b, loc, source, dim);
  return arith::CeilDivSIOp::create(
             b, loc, n, arith::ConstantIndexOp::create(b, loc, block))
      .getResult();
}

/// Size `dim` of `source` as an f32 (the divisor of a token mean).
Value sizeAsF32(OpBuilder &b, Location loc, Value source, int64_t dim) {
  Value n = tensor::DimOp::create(b, loc, source, dim);
  Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), i);
}

/// x [B, X, N, F] → per (b, x, f): Σ_n x / N (the token mean).
Value tokenMean(OpBuilder &b, Location loc, Value x) {
  MLIRContext *ctx = b.getContext();
  Value sums = filledF32(b, loc, {{x, 0}, {x, 1}, {x, 3}}, 0.0);
  sums = f32Generic(b, loc, x, sums,
                    {dimsMap(ctx, 4, {0, 1, 3, 2}), dimsMap(ctx, 4, {0, 1, 2})},
                    4, 1, [](OpBuilder &nb, Location l, ValueRange args) {
                      return arith::AddFOp::create(nb, l, args[0], args[1]);
                    });
  Value n = sizeAsF32(b, loc, x, 2);
  return f32Generic(b, loc, sums, emptyF32(b, loc, {{sums, 0}, {sums, 1}, {sums, 2}}),
                    {dimsMap(ctx, 3, {0, 1, 2}), dimsMap(ctx, 3, {0, 1, 2})},
                    3, 0, [&](OpBuilder &nb, Location l, ValueRange args) {
                      return arith::DivFOp::create(nb, l, args[0], n);
                    });
}

/// f(x[b, c, n, f], m[b, c, f]) elementwise over x [B, C, N, F].
Value withChannelValue(OpBuilder &b, Location loc, Value x, Value m,
                       BodyFn body) {
  MLIRContext *ctx = b.getContext();
  Value init = emptyF32(b, loc, {{x, 0}, {x, 1}, {x, 2}, {x, 3}});
  return f32Generic(b, loc, ValueRange{x, m}, init,
                    {dimsMap(ctx, 4, {0, 1, 2, 3}), dimsMap(ctx, 4, {0, 1, 3}),
                     dimsMap(ctx, 4, {0, 1, 2, 3})},
                    4, 0, body);
}

/// The int8 quantization of x [B, C, N, F] with one scale per `block`
/// consecutive n of each (b, c): the scales s = max |x| / 127 as
/// [B, C, ⌈N/block⌉] and the integer values clamp(roundEven(x / s), ±127)
/// (0 where s = 0) as f32.
std::pair<Value, Value> quantizeInt8Blocks(OpBuilder &b, Location loc, Value x,
                                           int64_t block) {
  MLIRContext *ctx = b.getContext();
  AffineMap blockMap = AffineMap::get(
      4, 0,
      {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx),
       getAffineDimExpr(2, ctx).floorDiv(block)},
      ctx);
  AffineMap all = dimsMap(ctx, 4, {0, 1, 2, 3});
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, x, 0),
                                     tensor::getMixedSize(b, loc, x, 1),
                                     blockCount(b, loc, x, 2, block)};
  Value zeros = linalg::FillOp::create(b, loc, f32Constant(b, loc, 0.0),
                                       emptyF32Sized(b, loc, sizes))
                    .getResult(0);
  Value absMax = f32Generic(
      b, loc, x, zeros, {all, blockMap}, 4, 2,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::MaximumFOp::create(
            nb, l, math::AbsFOp::create(nb, l, args[0]), args[1]);
      });
  Value scales = f32Generic(
      b, loc, absMax, emptyF32Sized(b, loc, sizes),
      {dimsMap(ctx, 3, {0, 1, 2}), dimsMap(ctx, 3, {0, 1, 2})}, 3, 0,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::DivFOp::create(nb, l, args[0],
                                     f32Constant(nb, l, 127.0));
      });
  Value init = emptyF32(b, loc, {{x, 0}, {x, 1}, {x, 2}, {x, 3}});
  Value values = f32Generic(
      b, loc, ValueRange{x, scales}, init, {all, blockMap, all}, 4, 0,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value zero = f32Constant(nb, l, 0.0);
        Value q = math::RoundEvenOp::create(
            nb, l, arith::DivFOp::create(nb, l, args[0], args[1]));
        q = arith::MaximumFOp::create(nb, l, q, f32Constant(nb, l, -127.0));
        q = arith::MinimumFOp::create(nb, l, q, f32Constant(nb, l, 127.0));
        Value empty = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                            args[1], zero);
        return arith::SelectOp::create(nb, l, empty, zero, q);
      });
  return {scales, values};
}

/// v̂ = e4m3((v − v̄) / s_V) · s_V per channel (s_V = max_j |v − v̄| / 448,
/// v̂ = 0 where s_V = 0), v̄ the channel mean when `smooth` (else absent).
/// Returns (v̂, v̄ or null).
std::pair<Value, Value> quantizeValuesFp8(OpBuilder &b, Location loc, Value v,
                                          bool smooth) {
  MLIRContext *ctx = b.getContext();
  Value mean;
  if (smooth) {
    mean = tokenMean(b, loc, v);
    v = withChannelValue(b, loc, v, mean,
                         [](OpBuilder &nb, Location l, ValueRange args) {
                           return arith::SubFOp::create(nb, l, args[0],
                                                        args[1]);
                         });
  }
  Value absMax = filledF32(b, loc, {{v, 0}, {v, 1}, {v, 3}}, 0.0);
  absMax = f32Generic(
      b, loc, v, absMax,
      {dimsMap(ctx, 4, {0, 1, 3, 2}), dimsMap(ctx, 4, {0, 1, 2})}, 4, 1,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::MaximumFOp::create(
            nb, l, math::AbsFOp::create(nb, l, args[0]), args[1]);
      });
  Value rounded = withChannelValue(
      b, loc, v, absMax, [](OpBuilder &nb, Location l, ValueRange args) {
        Value zero = f32Constant(nb, l, 0.0);
        Value scale =
            arith::DivFOp::create(nb, l, args[1], f32Constant(nb, l, 448.0));
        Value q = roundToE4M3(nb, l,
                              arith::DivFOp::create(nb, l, args[0], scale));
        Value x = arith::MulFOp::create(nb, l, q, scale);
        Value empty = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                            scale, zero);
        return arith::SelectOp::create(nb, l, empty, zero, x);
      });
  return {rounded, mean};
}

/// The quantized operands of a SageAttention: q8 and k8 (integer-valued
/// f32) with their block scales, and the value operand of P·V.
struct SageOperands {
  Value q8, qScales, k8, kScales, v, vMean;
};

/// Builds SageOperands for `op` (its `quant` set).
SageOperands quantizeOperands(OpBuilder &b, Location loc, AttentionOp op) {
  AttnQuantAttr quant = op.getQuantAttr();
  MLIRContext *ctx = b.getContext();
  SageOperands r;
  // q' = scale · log2(e) · q.
  Value q = op.getQ();
  float factor = op.getEffectiveScale() * float(M_LOG2E);
  AffineMap all = dimsMap(ctx, 4, {0, 1, 2, 3});
  Value scaled = f32Generic(
      b, loc, q, emptyF32(b, loc, {{q, 0}, {q, 1}, {q, 2}, {q, 3}}),
      {all, all}, 4, 0, [&](OpBuilder &nb, Location l, ValueRange args) {
        return arith::MulFOp::create(nb, l, args[0],
                                     f32Constant(nb, l, factor));
      });
  std::tie(r.qScales, r.q8) =
      quantizeInt8Blocks(b, loc, scaled, quant.getQBlock());
  // k̃ = k − mean_j k.
  Value k = op.getK();
  Value smoothed = withChannelValue(
      b, loc, k, tokenMean(b, loc, k),
      [](OpBuilder &nb, Location l, ValueRange args) {
        return arith::SubFOp::create(nb, l, args[0], args[1]);
      });
  std::tie(r.kScales, r.k8) =
      quantizeInt8Blocks(b, loc, smoothed, quant.getKBlock());
  r.v = op.getV();
  if (quant.getValues() != AttnValues::exact)
    std::tie(r.v, r.vMean) = quantizeValuesFp8(
        b, loc, r.v, quant.getValues() == AttnValues::fp8_e4m3_smoothed);
  return r;
}

/// The textbook sequence: scores, row max, row sum of exponentials,
/// probabilities, P·V. Hidden keys are skipped by every reduction and get
/// probability 0, so a row without a visible key yields zeros.
struct AttentionToLinalg : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value q = op.getQ(), k = op.getK(), v = op.getV(), mask = op.getMask();
    int64_t group = op.getGroupSize();
    float scale = op.getEffectiveScale();
    Value offset = op.getCausal() ? causalOffset(rewriter, loc, q, k) : Value();

    AffineMap all = dimsMap(ctx, 4, {0, 1, 2, 3});
    AffineMap rows = dimsMap(ctx, 4, {0, 1, 2});

    AttnQuantAttr quant = op.getQuantAttr();
    SageOperands sage;
    if (quant) {
      sage = quantizeOperands(rewriter, loc, op);
      q = sage.q8;
      k = sage.k8;
      v = sage.v;
    }

    // s = scale · q·kᵀ + mask; quantized: s2 = (q8·k8ᵀ)·s_Q·s_K + log2(e)·mask.
    Value dots = dotProducts(rewriter, loc, q, k, group);
    SmallVector<Value> inputs = {dots};
    SmallVector<AffineMap> maps = {all};
    if (quant) {
      AffineExpr bDim = getAffineDimExpr(0, ctx), hDim = getAffineDimExpr(1, ctx);
      inputs.append({sage.qScales, sage.kScales});
      maps.push_back(AffineMap::get(
          4, 0,
          {bDim, hDim, getAffineDimExpr(2, ctx).floorDiv(quant.getQBlock())},
          ctx));
      maps.push_back(AffineMap::get(
          4, 0,
          {bDim, hDim.floorDiv(group),
           getAffineDimExpr(3, ctx).floorDiv(quant.getKBlock())},
          ctx));
    }
    if (mask) {
      inputs.push_back(mask);
      maps.push_back(maskMap(ctx, mask));
    }
    maps.push_back(all);
    Value scoresInit =
        emptyF32(rewriter, loc, {{dots, 0}, {dots, 1}, {dots, 2}, {dots, 3}});
    Value scores = f32Generic(
        rewriter, loc, inputs, scoresInit, maps, 4, 0,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          if (quant) {
            Value s = arith::MulFOp::create(b, l, args[0], args[1]);
            s = arith::MulFOp::create(b, l, s, args[2]);
            if (!mask)
              return s;
            Value m = arith::MulFOp::create(b, l, args[3],
                                            f32Constant(b, l, M_LOG2E));
            return arith::AddFOp::create(b, l, s, m);
          }
          Value s =
              arith::MulFOp::create(b, l, args[0], f32Constant(b, l, scale));
          return mask ? arith::AddFOp::create(b, l, s, args[1]) : s;
        });

    // m_i = max over visible j of s[i, j] (−inf when none is visible).
    auto rowInit = [&](double value) {
      return filledF32(rewriter, loc, {{scores, 0}, {scores, 1}, {scores, 2}},
                       value);
    };
    Value rowMax = f32Generic(
        rewriter, loc, scores,
        rowInit(-std::numeric_limits<double>::infinity()), {all, rows}, 4, 1,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value max = arith::MaximumFOp::create(b, l, args[0], args[1]);
          return selectVisible(b, l, visibleAt(b, l, offset, 2, 3), max,
                               args[1]);
        });
    // Quantized: the integer m_i = ceil(max), so that a streaming kernel's
    // rescaling factors are powers of two and it rounds the same p̃.
    if (quant)
      rowMax = f32Generic(
          rewriter, loc, rowMax,
          emptyF32(rewriter, loc, {{rowMax, 0}, {rowMax, 1}, {rowMax, 2}}),
          {dimsMap(ctx, 3, {0, 1, 2}), dimsMap(ctx, 3, {0, 1, 2})}, 3, 0,
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return math::CeilOp::create(b, l, args[0]);
          });
    // The unnormalised weight of score s under row max m: exp(s − m), or
    // quantized e4m3(256 · exp2(s − m)) / 256 (exp2 alone with exact values).
    bool fp8Weights = quant && quant.getValues() != AttnValues::exact;
    auto weight = [&](OpBuilder &b, Location l, Value s, Value m) -> Value {
      Value x = arith::SubFOp::create(b, l, s, m);
      if (!quant)
        return math::ExpOp::create(b, l, x);
      Value e = math::Exp2Op::create(b, l, x);
      if (!fp8Weights)
        return e;
      e = arith::MulFOp::create(b, l, e, f32Constant(b, l, 256.0));
      return arith::MulFOp::create(b, l, roundToE4M3(b, l, e),
                                   f32Constant(b, l, 1.0 / 256.0));
    };

    // Σ over visible j of exp(s[i, j] − m_i); hidden keys add nothing (with
    // m_i = −inf their exp would be NaN).
    Value rowSum =
        f32Generic(rewriter, loc, ValueRange{scores, rowMax}, rowInit(0.0),
                   {all, rows, rows}, 4, 1,
                   [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                     Value e = weight(b, l, args[0], args[1]);
                     Value sum = arith::AddFOp::create(b, l, e, args[2]);
                     return selectVisible(b, l, visibleAt(b, l, offset, 2, 3),
                                          sum, args[2]);
                   });

    // p[i, j] = exp(s[i, j] − m_i) / Σ_j' exp(s[i, j'] − m_i), 0 if hidden
    // (selected after the division: a row without visible keys has sum 0).
    Value probs = f32Generic(
        rewriter, loc, ValueRange{scores, rowMax, rowSum}, scoresInit,
        {all, rows, rows, all}, 4, 0,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value e = weight(b, l, args[0], args[1]);
          return selectVisible(b, l, visibleAt(b, l, offset, 2, 3),
                               arith::DivFOp::create(b, l, e, args[2]),
                               f32Constant(b, l, 0.0));
        });

    Value o = contractWithValues(
        rewriter, loc, probs, v, group,
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    // Smoothed values: o += v̄ (the probabilities sum to 1).
    if (sage.vMean)
      o = f32Generic(
          rewriter, loc, ValueRange{o, sage.vMean},
          emptyF32(rewriter, loc, {{o, 0}, {o, 1}, {o, 2}, {o, 3}}),
          {all,
           AffineMap::get(4, 0,
                          {getAffineDimExpr(0, ctx),
                           getAffineDimExpr(1, ctx).floorDiv(group),
                           getAffineDimExpr(3, ctx)},
                          ctx),
           all},
          4, 0, [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::AddFOp::create(b, l, args[0], args[1]);
          });
    rewriter.replaceOp(op, finishResult(rewriter, loc, o, op.getType()));
    return success();
  }
};

/// K or V [B, Hkv, T, X] in f32 from a latent [B, T, G·r] and its
/// up-projection [G, (Hkv/G)·X, r]:
/// Σ_r latent[b, j, (h div gh)·r + ρ] · up[h div gh, (h mod gh)·X + x, ρ].
Value reconstruct(OpBuilder &b, Location loc, Value latent, Value up,
                  int64_t kvHeads) {
  MLIRContext *ctx = b.getContext();
  auto upType = cast<RankedTensorType>(up.getType());
  int64_t groups = upType.getDimSize(0), rank = upType.getDimSize(2);
  int64_t perGroup = kvHeads / groups;
  int64_t width = upType.getDimSize(1) / perGroup;
  AffineExpr bD = getAffineDimExpr(0, ctx), h = getAffineDimExpr(1, ctx),
             j = getAffineDimExpr(2, ctx), x = getAffineDimExpr(3, ctx),
             r = getAffineDimExpr(4, ctx);
  AffineExpr group = h.floorDiv(perGroup);
  SmallVector<AffineMap> maps = {
      AffineMap::get(5, 0, {bD, j, group * rank + r}, ctx),
      AffineMap::get(5, 0, {group, (h % perGroup) * width + x, r}, ctx),
      dimsMap(ctx, 5, {0, 1, 2, 3})};
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, loc, latent, 0), b.getIndexAttr(kvHeads),
      tensor::getMixedSize(b, loc, latent, 1), b.getIndexAttr(width)};
  Value init = linalg::FillOp::create(b, loc, f32Constant(b, loc, 0.0),
                                      emptyF32Sized(b, loc, sizes))
                   .getResult(0);
  return f32Generic(b, loc, ValueRange{latent, up}, init, maps, 5, 1,
                    [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                      Value prod =
                          arith::MulFOp::create(nb, l, args[0], args[1]);
                      return arith::AddFOp::create(nb, l, prod, args[2]);
                    });
}

/// RoPE on k [B, Hkv, T, D]: k·cos[j] + rot(k)·sin[j] with
/// rot(k)[d] = ∓k[(d + D/2) mod D] (− for d < D/2).
Value applyRope(OpBuilder &b, Location loc, Value k, Value cos, Value sin) {
  MLIRContext *ctx = b.getContext();
  int64_t d = cast<RankedTensorType>(k.getType()).getDimSize(3);
  AffineExpr bD = getAffineDimExpr(0, ctx), h = getAffineDimExpr(1, ctx),
             j = getAffineDimExpr(2, ctx), x = getAffineDimExpr(3, ctx);
  AffineMap all = dimsMap(ctx, 4, {0, 1, 2, 3});
  AffineMap partner = AffineMap::get(4, 0, {bD, h, j, (x + d / 2) % d}, ctx);
  AffineMap table = dimsMap(ctx, 4, {2, 3});
  Value init = emptyF32(b, loc, {{k, 0}, {k, 1}, {k, 2}, {k, 3}});
  return f32Generic(
      b, loc, ValueRange{k, k, cos, sin}, init,
      {all, partner, table, table, all}, 4, 0,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value index = linalg::IndexOp::create(nb, l, 3);
        Value low = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::slt, index,
            arith::ConstantIndexOp::create(nb, l, d / 2));
        Value rot = arith::SelectOp::create(
            nb, l, low, arith::NegFOp::create(nb, l, args[1]), args[1]);
        Value a = arith::MulFOp::create(nb, l, args[0], args[2]);
        Value c = arith::MulFOp::create(nb, l, rot, args[3]);
        return arith::AddFOp::create(nb, l, a, c);
      });
}

/// The reconstruction, then a linea.attention in f32 (lowered by the
/// pattern above) rounded into the result.
struct LatentAttentionToLinalg : OpRewritePattern<LatentAttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LatentAttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t kvHeads = op.getKvHeads();
    Value k = reconstruct(rewriter, loc, op.getKLatent(), op.getKUp(), kvHeads);
    if (Value cos = op.getCos())
      k = applyRope(rewriter, loc, k, cos, op.getSin());
    Value v = reconstruct(rewriter, loc, op.getVLatent(), op.getVUp(), kvHeads);
    Value q = castElements(rewriter, loc, op.getQ(), rewriter.getF32Type());
    auto resultType = cast<RankedTensorType>(op.getType());
    auto attention = AttentionOp::create(
        rewriter, loc, resultType.clone(rewriter.getF32Type()), q, k, v,
        /*mask=*/Value(), rewriter.getF32FloatAttr(op.getEffectiveScale()),
        op.getCausalAttr(), /*quant=*/AttnQuantAttr());
    rewriter.replaceOp(
        op, finishResult(rewriter, loc, attention.getResult(), resultType));
    return success();
  }
};

/// φ applied elementwise to `x`, into a new f32 tensor of x's shape.
Value applyFeatureMap(OpBuilder &b, Location loc, Value x, FeatureMap map) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<DimOf> dims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    dims.push_back({x, d});
  Value init = emptyF32(b, loc, dims);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  return f32Generic(
      b, loc, x, init, {identity, identity}, type.getRank(), 0,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value value = args[0];
        Value zero = f32Constant(nb, l, 0.0);
        switch (map) {
        case FeatureMap::elu_plus_one: {
          Value positive = arith::CmpFOp::create(
              nb, l, arith::CmpFPredicate::OGT, value, zero);
          Value plusOne =
              arith::AddFOp::create(nb, l, value, f32Constant(nb, l, 1.0));
          return arith::SelectOp::create(nb, l, positive, plusOne,
                                         math::ExpOp::create(nb, l, value));
        }
        case FeatureMap::relu:
          return arith::MaximumFOp::create(nb, l, value, zero);
        case FeatureMap::identity:
          return value;
        case FeatureMap::binary: {
          Value positive = arith::CmpFOp::create(
              nb, l, arith::CmpFPredicate::OGT, value, zero);
          return arith::SelectOp::create(nb, l, positive,
                                         f32Constant(nb, l, 1.0), zero);
        }
        }
        llvm_unreachable("unknown feature map");
      });
}

/// a = φ(Q)φ(K)ᵀ ⊙ M, o = (a V) / (Σ_j a[i, j] + ε).
struct LinearAttentionToLinalg : OpRewritePattern<LinearAttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearAttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    FeatureMap map = op.getFeatureMap();
    float epsilon = op.getEpsilon().convertToFloat();
    Value q = applyFeatureMap(rewriter, loc, op.getQ(), map);
    Value k = applyFeatureMap(rewriter, loc, op.getK(), map);
    // J(i) = {j ≤ i}: the diagonal through (0, 0), offset 0.
    Value offset = op.getCausal()
                       ? Value(arith::ConstantIndexOp::create(rewriter, loc, 0))
                       : Value();

    Value a = dotProducts(rewriter, loc, q, k, /*group=*/1);
    auto masked = [&](OpBuilder &b, Location l, ValueRange args) -> Value {
      return selectVisible(b, l, visibleAt(b, l, offset, 2, 4), args[0],
                           f32Constant(b, l, 0.0));
    };
    // Numerators φ(q_i)·S_i: loops b, h, i, e, j.
    Value numerators =
        contractWithValues(rewriter, loc, a, op.getV(), /*group=*/1, masked);
    // Denominators φ(q_i)·z_i: loops b, h, i, j.
    Value init = filledF32(rewriter, loc, {{a, 0}, {a, 1}, {a, 2}}, 0.0);
    Value denominators = f32Generic(
        rewriter, loc, a, init,
        {dimsMap(ctx, 4, {0, 1, 2, 3}), dimsMap(ctx, 4, {0, 1, 2})}, 4, 1,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value term = selectVisible(b, l, visibleAt(b, l, offset, 2, 3),
                                     args[0], f32Constant(b, l, 0.0));
          return arith::AddFOp::create(b, l, term, args[1]);
        });

    Value outInit = emptyF32(
        rewriter, loc,
        {{numerators, 0}, {numerators, 1}, {numerators, 2}, {numerators, 3}});
    Value o = f32Generic(
        rewriter, loc, ValueRange{numerators, denominators}, outInit,
        {dimsMap(ctx, 4, {0, 1, 2, 3}), dimsMap(ctx, 4, {0, 1, 2}),
         dimsMap(ctx, 4, {0, 1, 2, 3})},
        4, 0, [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value den =
              arith::AddFOp::create(b, l, args[1], f32Constant(b, l, epsilon));
          return arith::DivFOp::create(b, l, args[0], den);
        });
    rewriter.replaceOp(op, finishResult(rewriter, loc, o, op.getType()));
    return success();
  }
};

} // namespace

void populateAttentionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<AttentionToLinalg, LatentAttentionToLinalg,
               LinearAttentionToLinalg>(patterns.getContext());
}

} // namespace linea
