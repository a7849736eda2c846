//===- AttentionKernels.cpp - fused online-softmax kernels for attention --===//
//
// The reference lowering (AttentionToLinalg.cpp) materialises the
// [B, H, S, T] scores four times over (scores, max, sum, probabilities):
// O(S·T) memory and traffic per head, and scalar loops. This pass replaces
// each supported linea.attention, still at tensor level, by a call to a
// generated kernel on buffers that streams the keys (flash attention):
//
//   scf.parallel over (b, kv head hk, block of queries, key split)
//     rows r = the Bq queries of each of the g heads sharing hk
//     Qᵀ[d, r] = q (f32, once per tile)          rows lie along the lanes
//     m = −inf, l = 0, Oᵀ[e, r] = 0
//     for each block of Bk visible keys (causal: none above the diagonal)
//       Sᵀ[j, r] = scale · Σ_d k[j, d] · Qᵀ[d, r] + mask   (broadcast k,
//                                         register tile of keys × rows)
//       diagonal block: Sᵀ[j, r] = −inf where j > i_r + T − S
//       m' = max(m, max_j Sᵀ), α = exp(m − m'), Pᵀ = exp(Sᵀ − m')
//       l = α·l + Σ_j Pᵀ;  Oᵀ[e, r] = α·Oᵀ[e, r] + Σ_j v[j, e] · Pᵀ[j, r]
//     o[b, h_r, i_r, e] = round(Oᵀ[e, r] / l[r])      (0 for rows that see
//                                                        no key)
//
// With the rows along the lanes every step is a vector op over rows: the
// running max, sum and rescale need no horizontal reduction, and both
// products are broadcast-FMA register tiles. f16/bf16 K and V blocks are
// widened to f32 once per block and shared by all rows of the tile, so a
// grouped-query kv head is read once for its g query heads. Tiles exist in
// three shapes, chosen at run time from S: about `tile-rows` rows for
// prefill, one vector of rows for a few queries, and for decode (S = 1) the
// g rows alone: there the products run along D and Dv instead (q_r · k_j as
// vector FMAs and one lane reduction, O[r, :] += p·v_j with O as rows),
// since rows on the lanes would leave 16 − g of them idle while the KV
// cache streams by.
//
// When the tiles are too few for the threads (decode, B·Hkv small), the
// visible keys of each tile are split into ranges; each range writes its
// partial (m, l, Oᵀ) and a second loop merges them with weights
// exp(m_c − max m) (flash-decoding). The tile body is a function of its
// own so that its scratch buffers are stack allocations freed per call.
//
// The scores are the reference's f32 operations (dot, · scale, + mask);
// only the order of the sums differs, and exp, which is math.exp expanded
// to MLIR's polynomial (a libm call per element would cost more than the
// products).
//
// SageAttention (`quant`, linea.attention's description): a prologue
// quantizes the operands once per call — q·scale·log2(e) to int8 per block
// of queries, the token-mean-smoothed k to int8 per block of keys, v to
// fp8-rounded values per channel (stored decoded, in f32) — and the tiles
// run the same loop in log2 units: Qᵀ held as integers, each score an
// integer sum of int8 products (f32 FMAs, exact while D·127² < 2^24; i32
// multiply-adds above) times s_Q·s_K, an integer
// running max (so every rescaling is by a power of two and p̃ is rounded as
// the reference rounds it), exp2, and P rounded to fp8 before P·V. Decode
// uses the few-queries tiling. The prologue walks every operand in memory
// order (token means and V's per-channel maxima accumulate row by row) and
// takes maxima as integer maxima of |x|'s bits, so its loops vectorise.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitterBase.h"
#include "../LineaToLinalg/LoweringUtils.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/bit.h"

#include <limits>

namespace linea {
#define GEN_PASS_DEF_CPUATTENTIONKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// The static facts of one supported attention that shape its kernel.
struct AttentionShape {
  int64_t heads = 0, kvHeads = 0, group = 1, d = 0, dv = 0;
  Type element;     // q, k, v and o
  Type maskElement; // null without a mask
  bool maskBroadcast[4] = {false, false, false, false};
  bool causal = false;
  float scale = 1;
  int64_t lanes = 16;
  /// SageAttention's parameters; null for exact attention.
  AttnQuantAttr quant;
  /// P and V rounded to fp8 (quant with values ≠ exact).
  bool fp8Values = false;
  /// V's channel means taken out before rounding (fp8_e4m3_smoothed).
  bool smoothValues = false;
  /// The element type of the v buffer the tiles read (f32 for fp8 values,
  /// which the prologue stores decoded).
  Type valueElement;
};

/// One tiling of the query rows: `queries` consecutive queries of each of
/// the g heads of a kv head, row r = (head r / queries, query r % queries),
/// padded to `rows` (whole vectors).
struct RowTiling {
  int64_t queries = 1, rows = 16;
  /// One query (decode): the products run along D and Dv instead of the
  /// rows, for the g real rows only (see TileEmitter).
  bool decode = false;
};

/// Fills `shape` for `op` and returns "" when the kernel applies, else why
/// not.
std::string analyze(AttentionOp op, AttentionShape &shape) {
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  auto kType = cast<RankedTensorType>(op.getK().getType());
  auto vType = cast<RankedTensorType>(op.getV().getType());
  if (qType.isDynamicDim(1) || kType.isDynamicDim(1) || qType.isDynamicDim(3) ||
      vType.isDynamicDim(3))
    return "head counts H, Hkv and head dims D, Dv must be static";
  auto isFloat = [](Type t) { return t.isF32() || t.isF16() || t.isBF16(); };
  if (!isFloat(qType.getElementType()))
    return "element type is not f32, f16 or bf16";
  shape.heads = qType.getDimSize(1);
  shape.kvHeads = kType.getDimSize(1);
  if (shape.kvHeads < 1 || shape.heads % shape.kvHeads != 0)
    return "H is not a multiple of Hkv";
  shape.group = shape.heads / shape.kvHeads;
  shape.d = qType.getDimSize(3);
  shape.dv = vType.getDimSize(3);
  if (shape.d < 1 || shape.dv < 1)
    return "empty head dims";
  shape.element = qType.getElementType();
  if (Value mask = op.getMask()) {
    auto mType = cast<RankedTensorType>(mask.getType());
    if (!isFloat(mType.getElementType()))
      return "mask element type is not f32, f16 or bf16";
    shape.maskElement = mType.getElementType();
    for (int64_t i = 0; i < 4; ++i)
      shape.maskBroadcast[i] = mType.getDimSize(i) == 1;
  }
  shape.causal = op.getCausal();
  shape.scale = op.getEffectiveScale();
  shape.valueElement = shape.element;
  if ((shape.quant = op.getQuantAttr())) {
    shape.fp8Values = shape.quant.getValues() != AttnValues::exact;
    shape.smoothValues =
        shape.quant.getValues() == AttnValues::fp8_e4m3_smoothed;
    if (shape.fp8Values)
      shape.valueElement = Float32Type::get(op.getContext());
  }
  return "";
}

/// Stack bytes of one tile's scratch (Qᵀ, Sᵀ, Oᵀ, m, l and the widened K
/// and V blocks) with `rows` rows.
int64_t scratchBytes(const AttentionShape &s, int64_t rows, int64_t keyBlock) {
  int64_t floats = (s.d + keyBlock + s.dv + 2) * rows;
  if (!s.element.isF32())
    floats += keyBlock * (s.d + s.dv);
  return floats * int64_t(sizeof(float));
}

/// The two row tilings of a shape: prefill (about `tileRows` rows) and
/// decode (one vector of rows, or g rounded up to vectors).
std::pair<RowTiling, RowTiling> rowTilings(const AttentionShape &s,
                                           int64_t tileRows) {
  auto roundUp = [&](int64_t n) {
    return (n + s.lanes - 1) / s.lanes * s.lanes;
  };
  RowTiling big, small;
  big.queries = std::max<int64_t>(1, tileRows / s.group);
  big.rows = roundUp(s.group * big.queries);
  small.queries = std::max<int64_t>(1, s.lanes / s.group);
  small.rows = roundUp(s.group * small.queries);
  return {big, small};
}

/// Small builders shared by the emitters.
class EmitterBase : public cpu_kernels::KernelEmitterBase {
public:
  EmitterBase(OpBuilder &b, Location loc, bool log2Units = false)
      : KernelEmitterBase(b, loc), f32(b.getF32Type()), log2Units(log2Units) {}

protected:
  using KernelEmitterBase::add;
  using KernelEmitterBase::loop;
  Value negInf() { return f32Const(-std::numeric_limits<double>::infinity()); }
  Value add(Value a, Value c) { return arith::AddIOp::create(b, loc, a, c); }
  Value mul(Value a, Value c) { return arith::MulIOp::create(b, loc, a, c); }
  Value mul(Value a, int64_t c) { return c == 1 ? a : mul(a, index(c)); }
  Value sub(Value a, Value c) { return arith::SubIOp::create(b, loc, a, c); }
  Value minI(Value a, Value c) { return arith::MinSIOp::create(b, loc, a, c); }
  Value maxI(Value a, Value c) { return arith::MaxSIOp::create(b, loc, a, c); }
  Value ceilDiv(Value a, int64_t c) {
    return arith::CeilDivSIOp::create(b, loc, a, index(c));
  }
  Value cmp(arith::CmpIPredicate p, Value a, Value c) {
    return arith::CmpIOp::create(b, loc, p, a, c);
  }
  Value splat(VectorType type, Value v) {
    return vector::BroadcastOp::create(b, loc, type, v);
  }
  Value toF32(Value v) {
    Type t = getElementTypeOrSelf(v.getType());
    if (t.isF32())
      return v;
    Type target = f32;
    if (auto vt = dyn_cast<VectorType>(v.getType()))
      target = VectorType::get(vt.getShape(), f32);
    return arith::ExtFOp::create(b, loc, target, v);
  }
  /// m, or 0 where m is −inf (so that exp(x − m) of hidden keys is 0, not
  /// NaN, in a row that has seen no key yet).
  Value safeMax(Value m) {
    Value none = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m,
                                       shapedLike(m, negInf()));
    return arith::SelectOp::create(b, loc, none, shapedLike(m, f32Const(0.0)),
                                   m);
  }

  /// Scalar `c`, broadcast when `x` is a vector.
  Value shapedLike(Value x, Value c) {
    if (auto vt = dyn_cast<VectorType>(x.getType()))
      return splat(vt, c);
    return c;
  }

  /// exp(x) (a scalar or vector), exactly 0 below −104 as libm's (MLIR's
  /// polynomial clamps its argument at −87.8, which would give hidden keys,
  /// −inf, a weight of 7e-39).
  Value exp(Value x) {
    Value e = math::ExpOp::create(b, loc, x);
    Value under = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                        shapedLike(x, f32Const(-104.0)));
    return arith::SelectOp::create(b, loc, under, shapedLike(x, f32Const(0.0)),
                                   e);
  }

  /// The softmax exponential: exp(x), or in log2 units (SageAttention)
  /// exp2(x) = exp(x·ln 2), through the same polynomial.
  Value softmaxExp(Value x) {
    if (!log2Units)
      return exp(x);
    return exp(
        arith::MulFOp::create(b, loc, x, shapedLike(x, f32Const(M_LN2))));
  }

  Type f32;
  bool log2Units;
};

/// Emits the tile function: one (b, hk, query block, key split) of the
/// kernel. Arguments: q, k, v, [mask], o, [qs, ks, [v̄]], pm, pl, pacc, b,
/// hk, qb, split, splits (pm, pl, pacc: the partial max, sum and Oᵀ of
/// every split, written instead of o when splits > 1). Quantized, q and k
/// are the int8 buffers, v the value buffer, qs and ks the per-query and
/// per-key scales and v̄ the channel means (SageOperands).
class TileEmitter : EmitterBase {
public:
  TileEmitter(OpBuilder &b, Location loc, const AttentionShape &s,
              RowTiling tiling, int64_t keyBlock)
      : EmitterBase(b, loc, bool(s.quant)), s(s), t(tiling),
        keyBlock(keyBlock),
        nv(tiling.rows / s.lanes),
        vecType(VectorType::get({s.lanes}, b.getF32Type())),
        indexVecType(VectorType::get({s.lanes}, b.getIndexType())) {
    // Register tiles of keys × row vectors (scores) and features × row
    // vectors (P·V): about 16 accumulators with AVX-512's 32 registers.
    int64_t budget = s.lanes >= 16 ? 16 : 8;
    tileKeys = std::max<int64_t>(1, llvm::bit_floor(uint64_t(budget / nv)));
    tileFeatures = tileKeys;
    if (t.decode) {
      // g rows × keys (scores) and g rows × feature vectors (P·V).
      tileKeys = std::max<int64_t>(
          1, llvm::bit_floor(uint64_t(std::max<int64_t>(1, budget / s.group))));
      tileFeatures = tileKeys;
      dChunk = chunkWidth(s.d);
      dvChunk = chunkWidth(s.dv);
    }
  }

  void emit(ValueRange args) {
    unsigned a = 0;
    q = args[a++];
    k = args[a++];
    v = args[a++];
    if (s.maskElement)
      mask = args[a++];
    o = args[a++];
    if (s.quant) {
      qs = args[a++];
      ks = args[a++];
      if (s.smoothValues)
        vMean = args[a++];
    }
    pm = args[a++];
    pl = args[a++];
    pacc = args[a++];
    bIdx = args[a++];
    hk = args[a++];
    Value qb = args[a++];
    Value split = args[a++];
    Value splits = args[a++];

    sSize = memref::DimOp::create(b, loc, q, 2);
    tSize = memref::DimOp::create(b, loc, k, 2);
    q0 = mul(qb, t.queries);
    offset = sub(tSize, sSize); // the causal diagonal: j ≤ i + T − S

    allocScratch();
    loadQueries();
    if (mask)
      prepareMask();

    // The keys of this tile: causal, none beyond the last row's diagonal.
    Value kLimit = tSize;
    if (s.causal)
      kLimit = maxI(index(0), minI(tSize, add(add(q0, t.queries), offset)));
    // Whole blocks per split.
    Value blocks = ceilDiv(kLimit, keyBlock);
    Value perSplit = arith::CeilDivSIOp::create(b, loc, blocks, splits);
    Value span = mul(perSplit, keyBlock);
    Value kBegin = minI(mul(split, span), kLimit);
    Value kEnd = minI(add(kBegin, span), kLimit);
    // Keys below fullEnd are visible to every row of the tile.
    Value fullEnd = add(add(q0, offset), 1);

    SmallVector<Value> init;
    for (int64_t c = 0; c < nv; ++c)
      init.push_back(splat(vecType, negInf()));
    for (int64_t c = 0; c < nv; ++c)
      init.push_back(splat(vecType, f32Const(0.0)));
    SmallVector<Value> ml =
        loop(kBegin, kEnd, keyBlock, init,
             [&](Value j0, ValueRange carried) -> SmallVector<Value> {
               Value len = minI(index(keyBlock), sub(kEnd, j0));
               Value diagonal;
               if (s.causal)
                 diagonal =
                     cmp(arith::CmpIPredicate::sgt, add(j0, len), fullEnd);
               return emitBlock(j0, len, diagonal, carried);
             });
    for (int64_t c = 0; c < nv; ++c) {
      Value at = index(c * s.lanes);
      vector::StoreOp::create(b, loc, ml[c], mScratch, ValueRange{at});
      vector::StoreOp::create(b, loc, ml[nv + c], lScratch, ValueRange{at});
    }
    Value single = cmp(arith::CmpIPredicate::eq, splits, index(1));
    ifElse(
        single, {},
        [&] {
          writeOutput();
          return SmallVector<Value>();
        },
        [&] {
          writePartial(qb, split, splits);
          return SmallVector<Value>();
        });
  }

private:
  /// The widest vector (≤ VL lanes, a power of two) that divides `size`.
  int64_t chunkWidth(int64_t size) {
    int64_t w = 1;
    while (w * 2 <= s.lanes && size % (w * 2) == 0)
      w *= 2;
    return w;
  }

  void allocScratch() {
    auto scratch = [&](ArrayRef<int64_t> shape) {
      return memref::AllocaOp::create(b, loc, MemRefType::get(shape, f32));
    };
    if (t.decode) {
      // q and O as rows (g × D, g × Dv); Sᵀ zeroed so that its padding
      // lanes hold no garbage.
      qT = scratch({s.group, s.d});
      sT = scratch({keyBlock, t.rows});
      oT = scratch({s.group, s.dv});
      mScratch = scratch({t.rows});
      lScratch = scratch({t.rows});
      Value zero = splat(vecType, f32Const(0.0));
      loop(index(0), index(keyBlock), 1, [&](Value j) {
        for (int64_t c = 0; c < nv; ++c)
          vector::StoreOp::create(b, loc, zero, sT,
                                  ValueRange{j, index(c * s.lanes)});
      });
      auto chunk = VectorType::get({dvChunk}, f32);
      Value zeroChunk = splat(chunk, f32Const(0.0));
      for (int64_t r = 0; r < s.group; ++r)
        loop(index(0), index(s.dv), dvChunk, [&](Value e) {
          vector::StoreOp::create(b, loc, zeroChunk, oT,
                                  ValueRange{index(r), e});
        });
      return;
    }
    if (s.quant) {
      // Integer queries (int8 values widened once) and their scales.
      qT = intScoresInF32()
               ? scratch({s.d, t.rows})
               : Value(memref::AllocaOp::create(
                     b, loc, MemRefType::get({s.d, t.rows}, b.getI32Type())));
      qScaleT = scratch({t.rows});
    } else {
      qT = scratch({s.d, t.rows});
    }
    sT = scratch({keyBlock, t.rows});
    oT = scratch({s.dv, t.rows});
    mScratch = scratch({t.rows});
    lScratch = scratch({t.rows});
    if (!s.element.isF32() && !s.quant)
      kF = scratch({keyBlock, s.d});
    if (!s.valueElement.isF32())
      vF = scratch({keyBlock, s.dv});
    Value zero = splat(vecType, f32Const(0.0));
    loop(index(0), index(s.dv), 1, [&](Value e) {
      for (int64_t c = 0; c < nv; ++c)
        vector::StoreOp::create(b, loc, zero, oT,
                                ValueRange{e, index(c * s.lanes)});
    });
  }

  /// Row r's head and query (clamped into range for the padding rows and
  /// the queries past S, which are computed but never stored).
  std::pair<Value, Value> rowHeadQuery(Value r) {
    Value hh = minI(arith::DivSIOp::create(b, loc, r, index(t.queries)),
                    index(s.group - 1));
    Value iq = arith::RemSIOp::create(b, loc, r, index(t.queries));
    Value h = add(mul(hk, s.group), hh);
    Value i = minI(add(q0, iq), sub(sSize, index(1)));
    return {h, i};
  }

  /// Qᵀ[d, r] = q[b, h_r, i_r, d] in f32 (decode: q rows[r, d]).
  void loadQueries() {
    if (t.decode) {
      for (int64_t r = 0; r < s.group; ++r) {
        Value h = add(mul(hk, s.group), r);
        loop(index(0), index(s.d), 1, [&](Value d) {
          Value x =
              memref::LoadOp::create(b, loc, q, ValueRange{bIdx, h, q0, d});
          memref::StoreOp::create(b, loc, toF32(x), qT,
                                  ValueRange{index(r), d});
        });
      }
      return;
    }
    loop(index(0), index(t.rows), 1, [&](Value r) {
      Value h, i;
      std::tie(h, i) = rowHeadQuery(r);
      if (s.quant) {
        Value scale = memref::LoadOp::create(b, loc, qs, ValueRange{bIdx, h, i});
        memref::StoreOp::create(b, loc, scale, qScaleT, ValueRange{r});
      }
      loop(index(0), index(s.d), 1, [&](Value d) {
        Value x = memref::LoadOp::create(b, loc, q, ValueRange{bIdx, h, i, d});
        x = !s.quant ? toF32(x)
            : intScoresInF32()
                ? Value(arith::SIToFPOp::create(b, loc, f32, x))
                : Value(arith::ExtSIOp::create(b, loc, b.getI32Type(), x));
        memref::StoreOp::create(b, loc, x, qT, ValueRange{d, r});
      });
    });
  }

  /// A constant index vector of f(lane + c·VL) for row vector c.
  Value laneConstant(int64_t c, llvm::function_ref<int64_t(int64_t)> f) {
    SmallVector<APInt> values;
    for (int64_t l = 0; l < s.lanes; ++l)
      values.push_back(APInt(64, f(c * s.lanes + l)));
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(indexVecType, values));
  }

  /// The query index of every row of vector c, and the causal limits
  /// i + T − S.
  Value rowLimits(int64_t c) {
    Value iq = laneConstant(c, [&](int64_t r) {
      return std::min(r, t.queries * s.group - 1) % t.queries;
    });
    return arith::AddIOp::create(b, loc, iq,
                                 splat(indexVecType, add(q0, offset)));
  }

  /// Mask offsets of each row vector: the flat element of mask[b', h', i',
  /// 0], where a broadcast dim's index is 0.
  void prepareMask() {
    maskFlat = memref::CollapseShapeOp::create(
        b, loc, mask, ArrayRef<ReassociationIndices>{{0, 1, 2, 3}});
    Value dims[4];
    for (int64_t i = 0; i < 4; ++i)
      dims[i] = memref::DimOp::create(b, loc, mask, i);
    Value strideS = dims[3];
    Value strideH = mul(dims[2], strideS);
    Value strideB = mul(dims[1], strideH);
    Value base = s.maskBroadcast[0] ? index(0) : mul(bIdx, strideB);
    if (t.decode) {
      // One query: a scalar base per head.
      for (int64_t r = 0; r < s.group; ++r) {
        Value x = base;
        if (!s.maskBroadcast[1])
          x = add(x, mul(add(mul(hk, s.group), r), strideH));
        if (!s.maskBroadcast[2])
          x = add(x, mul(q0, strideS));
        maskRowBases.push_back(x);
      }
      return;
    }
    // Rows of the tile differ in their head (g > 1) and query.
    maskUniform = s.maskBroadcast[2] && (s.maskBroadcast[1] || s.group == 1);
    if (maskUniform) {
      Value h = s.maskBroadcast[1] ? index(0) : hk; // g = 1: h = hk
      maskRowBase = add(base, mul(h, strideH));
      return;
    }
    for (int64_t c = 0; c < nv; ++c) {
      Value off = splat(indexVecType, base);
      if (!s.maskBroadcast[1]) {
        Value hh = laneConstant(
            c, [&](int64_t r) { return std::min(r / t.queries, s.group - 1); });
        Value h = arith::AddIOp::create(b, loc, hh,
                                        splat(indexVecType, mul(hk, s.group)));
        off = arith::AddIOp::create(
            b, loc, off,
            arith::MulIOp::create(b, loc, h, splat(indexVecType, strideH)));
      }
      if (!s.maskBroadcast[2]) {
        Value iq = laneConstant(c, [&](int64_t r) {
          return std::min(r, t.queries * s.group - 1) % t.queries;
        });
        Value i = arith::AddIOp::create(b, loc, iq, splat(indexVecType, q0));
        i = arith::MinSIOp::create(b, loc, i,
                                   splat(indexVecType, sub(sSize, index(1))));
        off = arith::AddIOp::create(
            b, loc, off,
            arith::MulIOp::create(b, loc, i, splat(indexVecType, strideS)));
      }
      maskRowOffsets.push_back(off);
    }
  }

  /// The mask of key j for row vector c, in f32.
  Value maskVector(Value j, int64_t c) {
    Value col = s.maskBroadcast[3] ? index(0) : j;
    if (maskUniform) {
      Value x = memref::LoadOp::create(b, loc, maskFlat,
                                       ValueRange{add(maskRowBase, col)});
      return splat(vecType, toF32(x));
    }
    Type element = s.maskElement;
    auto type = VectorType::get({s.lanes}, element);
    auto allType = VectorType::get({s.lanes}, b.getI1Type());
    Value all = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(allType, true));
    Value pass = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getZeroAttr(element)));
    Value x = vector::GatherOp::create(b, loc, type, maskFlat, ValueRange{col},
                                       maskRowOffsets[c], all, pass);
    return toF32(x);
  }

  /// k[b, hk, j, d] (or its f32 copy at block row jj) as f32.
  Value keyAt(Value jj, Value j, Value d) {
    if (kF)
      return memref::LoadOp::create(b, loc, kF, ValueRange{jj, d});
    return memref::LoadOp::create(b, loc, k, ValueRange{bIdx, hk, j, d});
  }
  Value valueAt(Value jj, Value j, Value e) {
    if (vF)
      return memref::LoadOp::create(b, loc, vF, ValueRange{jj, e});
    return memref::LoadOp::create(b, loc, v, ValueRange{bIdx, hk, j, e});
  }

  /// Widens rows [j0, j0 + len) of `src` (features `width`) into `dst`.
  void widenBlock(Value src, Value dst, int64_t width, Value j0, Value len) {
    int64_t step = 1;
    while (step * 2 <= s.lanes && width % (step * 2) == 0)
      step *= 2;
    auto srcType = VectorType::get({step}, getElementTypeOrSelf(src.getType()));
    auto dstType = VectorType::get({step}, f32);
    loop(index(0), len, 1, [&](Value jj) {
      Value j = add(j0, jj);
      loop(index(0), index(width), step, [&](Value e) {
        Value x = vector::LoadOp::create(b, loc, srcType, src,
                                         ValueRange{bIdx, hk, j, e});
        x = arith::ExtFOp::create(b, loc, dstType, x);
        vector::StoreOp::create(b, loc, x, dst, ValueRange{jj, e});
      });
    });
  }

  /// Sᵀ[jj + u, :] for the `keys` keys from block row jj (key j).
  void emitScoreTile(Value jj, Value j, int64_t keys) {
    Value zero = splat(vecType, f32Const(0.0));
    SmallVector<Value> init(keys * nv, zero);
    SmallVector<Value> rows, cols;
    for (int64_t u = 0; u < keys; ++u) {
      rows.push_back(add(jj, u));
      cols.push_back(add(j, u));
    }
    SmallVector<Value> acc =
        loop(index(0), index(s.d), 1, init,
             [&](Value d, ValueRange carried) -> SmallVector<Value> {
               SmallVector<Value> qv, next(carried);
               for (int64_t c = 0; c < nv; ++c)
                 qv.push_back(vector::LoadOp::create(
                     b, loc, vecType, qT, ValueRange{d, index(c * s.lanes)}));
               for (int64_t u = 0; u < keys; ++u) {
                 Value kb = splat(vecType, keyAt(rows[u], cols[u], d));
                 for (int64_t c = 0; c < nv; ++c)
                   next[u * nv + c] = vector::FMAOp::create(
                       b, loc, qv[c], kb, carried[u * nv + c]);
               }
               return next;
             });
    Value scale = splat(vecType, f32Const(s.scale));
    for (int64_t u = 0; u < keys; ++u)
      for (int64_t c = 0; c < nv; ++c) {
        Value x = arith::MulFOp::create(b, loc, acc[u * nv + c], scale);
        if (mask)
          x = arith::AddFOp::create(b, loc, x, maskVector(cols[u], c));
        vector::StoreOp::create(b, loc, x, sT,
                                ValueRange{rows[u], index(c * s.lanes)});
      }
  }

  /// Whether the int8 dot products are computed exactly by f32 FMAs: every
  /// partial sum is an integer of magnitude ≤ D·127² < 2^24. An FMA is one
  /// instruction where an i32 vector multiply (vpmulld) is two slow ones.
  bool intScoresInF32() const { return s.d * 127 * 127 < (int64_t(1) << 24); }

  /// Quantized Sᵀ[jj + u, :] in log2 units: the integer dot products of
  /// the int8 queries and keys (exact in f32, see intScoresInF32, else i32
  /// multiply-adds), times s_Q (per row) and s_K (per key), plus
  /// log2(e)·mask.
  void emitQuantScoreTile(Value jj, Value j, int64_t keys) {
    const bool inF32 = intScoresInF32();
    auto intVec = inF32 ? vecType : VectorType::get({s.lanes}, b.getI32Type());
    Value zero =
        inF32 ? splat(vecType, f32Const(0.0))
              : Value(arith::ConstantOp::create(
                    b, loc,
                    DenseElementsAttr::get(intVec, b.getI32IntegerAttr(0))));
    SmallVector<Value> init(keys * nv, zero);
    SmallVector<Value> rows, cols;
    for (int64_t u = 0; u < keys; ++u) {
      rows.push_back(add(jj, u));
      cols.push_back(add(j, u));
    }
    SmallVector<Value> acc = loop(
        index(0), index(s.d), 1, init,
        [&](Value d, ValueRange carried) -> SmallVector<Value> {
          SmallVector<Value> qv, next(carried);
          for (int64_t c = 0; c < nv; ++c)
            qv.push_back(vector::LoadOp::create(
                b, loc, intVec, qT, ValueRange{d, index(c * s.lanes)}));
          for (int64_t u = 0; u < keys; ++u) {
            Value kx = memref::LoadOp::create(b, loc, k,
                                              ValueRange{bIdx, hk, cols[u], d});
            if (inF32) {
              Value kb = splat(vecType, arith::SIToFPOp::create(b, loc, f32, kx));
              for (int64_t c = 0; c < nv; ++c)
                next[u * nv + c] = vector::FMAOp::create(
                    b, loc, qv[c], kb, carried[u * nv + c]);
              continue;
            }
            Value kb = splat(
                intVec, arith::ExtSIOp::create(b, loc, b.getI32Type(), kx));
            for (int64_t c = 0; c < nv; ++c)
              next[u * nv + c] = arith::AddIOp::create(
                  b, loc, carried[u * nv + c],
                  arith::MulIOp::create(b, loc, qv[c], kb));
          }
          return next;
        });
    SmallVector<Value> rowScales;
    for (int64_t c = 0; c < nv; ++c)
      rowScales.push_back(vector::LoadOp::create(
          b, loc, vecType, qScaleT, ValueRange{index(c * s.lanes)}));
    Value log2e = splat(vecType, f32Const(M_LOG2E));
    for (int64_t u = 0; u < keys; ++u) {
      Value keyScale = splat(
          vecType,
          memref::LoadOp::create(b, loc, ks, ValueRange{bIdx, hk, cols[u]}));
      for (int64_t c = 0; c < nv; ++c) {
        Value x = inF32 ? acc[u * nv + c]
                        : Value(arith::SIToFPOp::create(b, loc, vecType,
                                                        acc[u * nv + c]));
        x = arith::MulFOp::create(b, loc, x, rowScales[c]);
        x = arith::MulFOp::create(b, loc, x, keyScale);
        if (mask)
          x = arith::AddFOp::create(
              b, loc, x,
              arith::MulFOp::create(b, loc, maskVector(cols[u], c), log2e));
        vector::StoreOp::create(b, loc, x, sT,
                                ValueRange{rows[u], index(c * s.lanes)});
      }
    }
  }

  /// One block of `len` keys from j0: scores, online-softmax update of
  /// (m, l) = `ml`, Oᵀ rescaled and accumulated. Returns the new (m, l).
  SmallVector<Value> emitBlock(Value j0, Value len, Value diagonal,
                               ValueRange ml) {
    if (kF)
      widenBlock(k, kF, s.d, j0, len);
    if (vF)
      widenBlock(v, vF, s.dv, j0, len);
    Value whole =
        sub(len, arith::RemSIOp::create(b, loc, len, index(tileKeys)));
    auto scoreTile = [&](Value jj, int64_t keys) {
      if (t.decode)
        emitDecodeScoreTile(jj, add(j0, jj), keys);
      else if (s.quant)
        emitQuantScoreTile(jj, add(j0, jj), keys);
      else
        emitScoreTile(jj, add(j0, jj), keys);
    };
    loop(index(0), whole, tileKeys, [&](Value jj) { scoreTile(jj, tileKeys); });
    loop(whole, len, 1, [&](Value jj) { scoreTile(jj, 1); });

    // Block max; on the diagonal the hidden scores become −inf first.
    SmallVector<Type> vecTypes(nv, vecType);
    auto blockMax = [&](bool hide) -> SmallVector<Value> {
      SmallVector<Value> limits;
      if (hide)
        for (int64_t c = 0; c < nv; ++c)
          limits.push_back(rowLimits(c));
      SmallVector<Value> init(nv, splat(vecType, negInf()));
      return loop(
          index(0), len, 1, init,
          [&](Value jj, ValueRange carried) -> SmallVector<Value> {
            SmallVector<Value> next;
            Value jv;
            if (hide)
              jv = splat(indexVecType, add(j0, jj));
            for (int64_t c = 0; c < nv; ++c) {
              Value x = vector::LoadOp::create(
                  b, loc, vecType, sT, ValueRange{jj, index(c * s.lanes)});
              if (hide) {
                Value seen = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::sle, jv, limits[c]);
                x = arith::SelectOp::create(b, loc, seen, x,
                                            splat(vecType, negInf()));
                vector::StoreOp::create(b, loc, x, sT,
                                        ValueRange{jj, index(c * s.lanes)});
              }
              next.push_back(arith::MaximumFOp::create(b, loc, carried[c], x));
            }
            return next;
          });
    };
    SmallVector<Value> bm =
        diagonal ? ifElse(
                       diagonal, vecTypes, [&] { return blockMax(true); },
                       [&] { return blockMax(false); })
                 : blockMax(false);

    SmallVector<Value> mNew, mSafe, alpha;
    for (int64_t c = 0; c < nv; ++c) {
      mNew.push_back(arith::MaximumFOp::create(b, loc, ml[c], bm[c]));
      // Quantized: an integer running max (see the file comment).
      if (s.quant)
        mNew.back() = math::CeilOp::create(b, loc, mNew.back());
      mSafe.push_back(safeMax(mNew[c]));
      alpha.push_back(
          softmaxExp(arith::SubFOp::create(b, loc, ml[c], mSafe[c])));
    }
    // Pᵀ = exp(Sᵀ − m'), in place, and its row sums.
    SmallVector<Value> zeros(nv, splat(vecType, f32Const(0.0)));
    SmallVector<Value> sums =
        loop(index(0), len, 1, zeros,
             [&](Value jj, ValueRange carried) -> SmallVector<Value> {
               SmallVector<Value> next;
               for (int64_t c = 0; c < nv; ++c) {
                 Value x = vector::LoadOp::create(
                     b, loc, vecType, sT, ValueRange{jj, index(c * s.lanes)});
                 Value p =
                     softmaxExp(arith::SubFOp::create(b, loc, x, mSafe[c]));
                 if (s.fp8Values)
                   p = roundProbability(p);
                 vector::StoreOp::create(b, loc, p, sT,
                                         ValueRange{jj, index(c * s.lanes)});
                 next.push_back(arith::AddFOp::create(b, loc, carried[c], p));
               }
               return next;
             });

    // Oᵀ = α·Oᵀ + Vᵀ·Pᵀ, tiles of features × row vectors.
    auto featureTile = [&](Value e0, int64_t features) {
      SmallVector<Value> acc;
      SmallVector<Value> es;
      for (int64_t f = 0; f < features; ++f)
        es.push_back(add(e0, f));
      for (int64_t f = 0; f < features; ++f)
        for (int64_t c = 0; c < nv; ++c) {
          Value x = vector::LoadOp::create(
              b, loc, vecType, oT, ValueRange{es[f], index(c * s.lanes)});
          acc.push_back(arith::MulFOp::create(b, loc, x, alpha[c]));
        }
      acc = loop(
          index(0), len, 1, acc,
          [&](Value jj, ValueRange carried) -> SmallVector<Value> {
            SmallVector<Value> pv, next(carried);
            for (int64_t c = 0; c < nv; ++c)
              pv.push_back(vector::LoadOp::create(
                  b, loc, vecType, sT, ValueRange{jj, index(c * s.lanes)}));
            Value j = add(j0, jj);
            for (int64_t f = 0; f < features; ++f) {
              Value vb = splat(vecType, valueAt(jj, j, es[f]));
              for (int64_t c = 0; c < nv; ++c)
                next[f * nv + c] = vector::FMAOp::create(b, loc, pv[c], vb,
                                                         carried[f * nv + c]);
            }
            return next;
          });
      for (int64_t f = 0; f < features; ++f)
        for (int64_t c = 0; c < nv; ++c)
          vector::StoreOp::create(b, loc, acc[f * nv + c], oT,
                                  ValueRange{es[f], index(c * s.lanes)});
    };
    if (t.decode) {
      emitDecodeValues(j0, len, alpha);
    } else {
      int64_t wholeFeatures = s.dv - s.dv % tileFeatures;
      if (wholeFeatures)
        loop(index(0), index(wholeFeatures), tileFeatures,
             [&](Value e0) { featureTile(e0, tileFeatures); });
      if (s.dv % tileFeatures)
        featureTile(index(wholeFeatures), s.dv % tileFeatures);
    }

    SmallVector<Value> next(mNew);
    for (int64_t c = 0; c < nv; ++c) {
      Value l = arith::MulFOp::create(b, loc, ml[nv + c], alpha[c]);
      next.push_back(arith::AddFOp::create(b, loc, l, sums[c]));
    }
    return next;
  }

  /// p̃ = e4m3(256·p) / 256 (both factors powers of two: exact).
  Value roundProbability(Value p) {
    Value up = arith::MulFOp::create(b, loc, p, splat(vecType, f32Const(256)));
    return arith::MulFOp::create(b, loc, roundToE4M3(b, loc, up),
                                 splat(vecType, f32Const(1.0 / 256)));
  }

  /// Decode scores: Sᵀ[jj + u, r] = scale · q_r · k_{j+u} + mask for the g
  /// rows, `keys` keys; products along D in vectors of dChunk, one lane
  /// reduction per score.
  void emitDecodeScoreTile(Value jj, Value j, int64_t keys) {
    int64_t g = s.group;
    auto chunk = VectorType::get({dChunk}, f32);
    auto kChunk = VectorType::get({dChunk}, s.element);
    SmallVector<Value> cols;
    for (int64_t u = 0; u < keys; ++u)
      cols.push_back(add(j, u));
    SmallVector<Value> init(g * keys, splat(chunk, f32Const(0.0)));
    SmallVector<Value> acc =
        loop(index(0), index(s.d), dChunk, init,
             [&](Value d, ValueRange carried) -> SmallVector<Value> {
               SmallVector<Value> qv, kv, next(carried);
               for (int64_t r = 0; r < g; ++r)
                 qv.push_back(vector::LoadOp::create(b, loc, chunk, qT,
                                                     ValueRange{index(r), d}));
               for (int64_t u = 0; u < keys; ++u)
                 kv.push_back(toF32(vector::LoadOp::create(
                     b, loc, kChunk, k, ValueRange{bIdx, hk, cols[u], d})));
               for (int64_t r = 0; r < g; ++r)
                 for (int64_t u = 0; u < keys; ++u)
                   next[r * keys + u] = vector::FMAOp::create(
                       b, loc, qv[r], kv[u], carried[r * keys + u]);
               return next;
             });
    for (int64_t r = 0; r < g; ++r)
      for (int64_t u = 0; u < keys; ++u) {
        Value x = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, acc[r * keys + u],
            f32Const(0.0), arith::FastMathFlags::reassoc);
        x = arith::MulFOp::create(b, loc, x, f32Const(s.scale));
        if (mask) {
          Value col = s.maskBroadcast[3] ? index(0) : cols[u];
          Value m = memref::LoadOp::create(
              b, loc, maskFlat, ValueRange{add(maskRowBases[r], col)});
          x = arith::AddFOp::create(b, loc, x, toF32(m));
        }
        memref::StoreOp::create(b, loc, x, sT,
                                ValueRange{add(jj, u), index(r)});
      }
  }

  /// Decode P·V: O[r, :] = α_r·O[r, :] + Σ_j P[j, r]·v[j, :] for the g
  /// rows, along Dv in vectors of dvChunk (tileFeatures of them per pass
  /// over the block).
  void emitDecodeValues(Value j0, Value len, ArrayRef<Value> alpha) {
    int64_t g = s.group;
    auto chunk = VectorType::get({dvChunk}, f32);
    auto vChunk = VectorType::get({dvChunk}, s.element);
    SmallVector<Value> alphas;
    for (int64_t r = 0; r < g; ++r) {
      Value a = vector::ExtractOp::create(b, loc, alpha[r / s.lanes],
                                          ArrayRef<int64_t>{r % s.lanes});
      alphas.push_back(splat(chunk, a));
    }
    auto pass = [&](Value e0, int64_t chunks) {
      SmallVector<Value> es, acc;
      for (int64_t c = 0; c < chunks; ++c)
        es.push_back(add(e0, c * dvChunk));
      for (int64_t r = 0; r < g; ++r)
        for (int64_t c = 0; c < chunks; ++c) {
          Value x = vector::LoadOp::create(b, loc, chunk, oT,
                                           ValueRange{index(r), es[c]});
          acc.push_back(arith::MulFOp::create(b, loc, x, alphas[r]));
        }
      acc = loop(index(0), len, 1, acc,
                 [&](Value jj, ValueRange carried) -> SmallVector<Value> {
                   Value j = add(j0, jj);
                   SmallVector<Value> vv, next(carried);
                   for (int64_t c = 0; c < chunks; ++c)
                     vv.push_back(toF32(vector::LoadOp::create(
                         b, loc, vChunk, v, ValueRange{bIdx, hk, j, es[c]})));
                   for (int64_t r = 0; r < g; ++r) {
                     Value p = splat(chunk,
                                     memref::LoadOp::create(
                                         b, loc, sT, ValueRange{jj, index(r)}));
                     for (int64_t c = 0; c < chunks; ++c)
                       next[r * chunks + c] = vector::FMAOp::create(
                           b, loc, p, vv[c], carried[r * chunks + c]);
                   }
                   return next;
                 });
      for (int64_t r = 0; r < g; ++r)
        for (int64_t c = 0; c < chunks; ++c)
          vector::StoreOp::create(b, loc, acc[r * chunks + c], oT,
                                  ValueRange{index(r), es[c]});
    };
    int64_t chunks = s.dv / dvChunk;
    int64_t whole = chunks - chunks % tileFeatures;
    if (whole)
      loop(index(0), index(whole * dvChunk), tileFeatures * dvChunk,
           [&](Value e0) { pass(e0, tileFeatures); });
    if (chunks % tileFeatures)
      pass(index(whole * dvChunk), chunks % tileFeatures);
  }

  /// O[r, e] (decode) or Oᵀ[e, r].
  Value outAt(Value r, Value e) {
    if (t.decode)
      return memref::LoadOp::create(b, loc, oT, ValueRange{r, e});
    return memref::LoadOp::create(b, loc, oT, ValueRange{e, r});
  }

  /// o[b, h_r, i_r, :] = round(Oᵀ[:, r] / l[r]) for the tile's real rows;
  /// rows that see no key (causal, i < S − T) are 0.
  void writeOutput() {
    loop(index(0), index(s.group * t.queries), 1, [&](Value r) {
      Value iq = arith::RemSIOp::create(b, loc, r, index(t.queries));
      Value i = add(q0, iq);
      ifThen(cmp(arith::CmpIPredicate::slt, i, sSize), [&] {
        Value h = add(mul(hk, s.group),
                      arith::DivSIOp::create(b, loc, r, index(t.queries)));
        Value l = memref::LoadOp::create(b, loc, lScratch, ValueRange{r});
        // No visible key (causal i < S − T, or T = 0): zeros, as the
        // reference's empty sums.
        Value hidden =
            s.causal ? cmp(arith::CmpIPredicate::slt, add(i, offset), index(0))
                     : cmp(arith::CmpIPredicate::eq, tSize, index(0));
        loop(index(0), index(s.dv), 1, [&](Value e) {
          Value x = outAt(r, e);
          x = arith::DivFOp::create(b, loc, x, l);
          if (vMean)
            x = arith::AddFOp::create(
                b, loc, x,
                memref::LoadOp::create(b, loc, vMean, ValueRange{bIdx, hk, e}));
          x = arith::SelectOp::create(b, loc, hidden, f32Const(0.0), x);
          if (!s.element.isF32())
            x = arith::TruncFOp::create(b, loc, s.element, x);
          memref::StoreOp::create(b, loc, x, o, ValueRange{bIdx, h, i, e});
        });
      });
    });
  }

  /// This split's (m, l, Oᵀ) of every row at row
  /// ((((b·Hkv + hk)·nQB + qb)·splits + split)·rows + r of pm, pl, pacc.
  void writePartial(Value qb, Value split, Value splits) {
    Value nqb = ceilDiv(sSize, t.queries);
    Value task = add(mul(add(mul(bIdx, s.kvHeads), hk), nqb), qb);
    Value base = mul(add(mul(task, splits), split), t.rows);
    loop(index(0), index(t.decode ? s.group : t.rows), 1, [&](Value r) {
      Value row = add(base, r);
      memref::StoreOp::create(
          b, loc, memref::LoadOp::create(b, loc, mScratch, ValueRange{r}), pm,
          ValueRange{row});
      memref::StoreOp::create(
          b, loc, memref::LoadOp::create(b, loc, lScratch, ValueRange{r}), pl,
          ValueRange{row});
      loop(index(0), index(s.dv), 1, [&](Value e) {
        memref::StoreOp::create(b, loc, outAt(r, e), pacc, ValueRange{row, e});
      });
    });
  }

  const AttentionShape &s;
  RowTiling t;
  int64_t keyBlock, nv, tileKeys = 1, tileFeatures = 1, dChunk = 1, dvChunk = 1;
  VectorType vecType, indexVecType;
  Value q, k, v, mask, o, pm, pl, pacc, bIdx, hk, qs, ks, vMean;
  Value sSize, tSize, q0, offset;
  Value qT, sT, oT, kF, vF, mScratch, lScratch, qScaleT;
  Value maskFlat, maskRowBase;
  bool maskUniform = false;
  SmallVector<Value> maskRowOffsets, maskRowBases;
};

/// Emits the merge function of the key splits of one (b, hk, query block):
/// o = round(Σ_c w_c·O_c / Σ_c w_c·l_c [+ v̄]), w_c = exp(m_c − max_c m_c)
/// (exp2 when quantized). Arguments: q, k, o, pm, pl, pacc, b, hk, qb,
/// splits, [v̄].
class MergeEmitter : EmitterBase {
public:
  MergeEmitter(OpBuilder &b, Location loc, const AttentionShape &s,
               RowTiling tiling)
      : EmitterBase(b, loc, bool(s.quant)), s(s), t(tiling) {}

  void emit(ValueRange args) {
    Value q = args[0], k = args[1], o = args[2], pm = args[3], pl = args[4],
          pacc = args[5], bIdx = args[6], hk = args[7], qb = args[8],
          splits = args[9];
    Value vMean = s.smoothValues ? args[10] : Value();
    Value sSize = memref::DimOp::create(b, loc, q, 2);
    Value tSize = memref::DimOp::create(b, loc, k, 2);
    Value offset = sub(tSize, sSize);
    Value q0 = mul(qb, t.queries);
    Value nqb = ceilDiv(sSize, t.queries);
    Value task = add(mul(add(mul(bIdx, s.kvHeads), hk), nqb), qb);
    Value weights = memref::AllocaOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic}, f32),
        ValueRange{splits});
    loop(index(0), index(s.group * t.queries), 1, [&](Value r) {
      Value i = add(q0, arith::RemSIOp::create(b, loc, r, index(t.queries)));
      ifThen(cmp(arith::CmpIPredicate::slt, i, sSize), [&] {
        Value h = add(mul(hk, s.group),
                      arith::DivSIOp::create(b, loc, r, index(t.queries)));
        auto rowOf = [&](Value c) {
          return add(mul(add(mul(task, splits), c), t.rows), r);
        };
        Value m =
            loop(index(0), splits, 1, {negInf()},
                 [&](Value c, ValueRange carried) -> SmallVector<Value> {
                   Value x =
                       memref::LoadOp::create(b, loc, pm, ValueRange{rowOf(c)});
                   return {arith::MaximumFOp::create(b, loc, carried[0], x)};
                 })[0];
        Value mSafe = safeMax(m);
        Value l = loop(
            index(0), splits, 1, {f32Const(0.0)},
            [&](Value c, ValueRange carried) -> SmallVector<Value> {
              Value row = rowOf(c);
              Value x = memref::LoadOp::create(b, loc, pm, ValueRange{row});
              Value w = softmaxExp(arith::SubFOp::create(b, loc, x, mSafe));
              memref::StoreOp::create(b, loc, w, weights, ValueRange{c});
              Value lc = memref::LoadOp::create(b, loc, pl, ValueRange{row});
              return {arith::AddFOp::create(
                  b, loc, carried[0], arith::MulFOp::create(b, loc, w, lc))};
            })[0];
        // No visible key (causal i < S − T, or T = 0): zeros, as the
        // reference's empty sums.
        Value hidden =
            s.causal ? cmp(arith::CmpIPredicate::slt, add(i, offset), index(0))
                     : cmp(arith::CmpIPredicate::eq, tSize, index(0));
        loop(index(0), index(s.dv), 1, [&](Value e) {
          Value acc = loop(
              index(0), splits, 1, {f32Const(0.0)},
              [&](Value c, ValueRange carried) -> SmallVector<Value> {
                Value w =
                    memref::LoadOp::create(b, loc, weights, ValueRange{c});
                Value x = memref::LoadOp::create(b, loc, pacc,
                                                 ValueRange{rowOf(c), e});
                return {arith::AddFOp::create(
                    b, loc, carried[0], arith::MulFOp::create(b, loc, w, x))};
              })[0];
          Value x = arith::DivFOp::create(b, loc, acc, l);
          if (vMean)
            x = arith::AddFOp::create(
                b, loc, x,
                memref::LoadOp::create(b, loc, vMean, ValueRange{bIdx, hk, e}));
          x = arith::SelectOp::create(b, loc, hidden, f32Const(0.0), x);
          if (!s.element.isF32())
            x = arith::TruncFOp::create(b, loc, s.element, x);
          memref::StoreOp::create(b, loc, x, o, ValueRange{bIdx, h, i, e});
        });
      });
    });
  }

private:
  const AttentionShape &s;
  RowTiling t;
};

/// Emits the kernel function: picks the row tiling, the number of key
/// splits, and runs the tiles (and merges) in parallel loops. Arguments:
/// q, k, v, [mask], o.
/// The pass options that shape a kernel.
struct KernelOptions {
  int64_t tileRows, keyBlock, numThreads, minParallelWork, minSplitKeys;
};

/// A kernel function's emitter: creates private helper functions (tiles,
/// merges) and runs loop nests in parallel when threads are on.
class ParallelEmitter : protected EmitterBase {
public:
  ParallelEmitter(OpBuilder &b, Location loc, const KernelOptions &options,
                  ModuleOp module, SymbolTable &symbols)
      : EmitterBase(b, loc), options(options), module(module),
        symbols(symbols) {}

  /// Every function created (for the exp polynomial).
  SmallVector<func::FuncOp> created;

protected:
  /// Key splits of `tasks` tiles over tSize keys: enough tasks for two per
  /// thread, ranges of at least min-split-keys keys.
  Value keySplits(Value tasks, Value tSize) {
    if (options.numThreads <= 1)
      return index(1);
    Value want = arith::CeilDivSIOp::create(
        b, loc, index(2 * options.numThreads), maxI(tasks, index(1)));
    Value most = maxI(index(1), ceilDiv(tSize, options.minSplitKeys));
    return maxI(index(1), minI(want, most));
  }

  /// The partial max, sum and accumulator buffers (`width` per row) of
  /// `rows` rows per task and split; empty when the keys are not split.
  std::tuple<Value, Value, Value> partials(Value tasks, Value splits,
                                           int64_t rows, int64_t width) {
    Value count = arith::SelectOp::create(
        b, loc, cmp(arith::CmpIPredicate::sgt, splits, index(1)),
        mul(mul(tasks, splits), rows), index(0));
    auto flat = MemRefType::get({ShapedType::kDynamic}, f32);
    Value pm = memref::AllocOp::create(b, loc, flat, ValueRange{count});
    Value pl = memref::AllocOp::create(b, loc, flat, ValueRange{count});
    Value pacc = memref::AllocOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic, width}, f32),
        ValueRange{count});
    return {pm, pl, pacc};
  }

  /// A new private function named `name` of `argTypes`, body by `body`.
  func::FuncOp
  function(StringRef name, TypeRange argTypes,
           llvm::function_ref<void(OpBuilder &, ValueRange)> body) {
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    auto fn =
        func::FuncOp::create(mb, loc, name, mb.getFunctionType(argTypes, {}));
    fn.setPrivate();
    symbols.insert(fn); // renames on collision
    Block *entry = fn.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockEnd(entry);
    body(fb, entry->getArguments());
    func::ReturnOp::create(fb, loc);
    created.push_back(fn);
    return fn;
  }

  /// body(ivs) for every point of [0, ubs): an scf.parallel when threads
  /// are on and `work` is worth them (checked at run time), else scf.for.
  void forEach(ArrayRef<Value> ubs, Value work,
               llvm::function_ref<void(ValueRange)> body) {
    auto serial = [&] {
      std::function<void(size_t, SmallVector<Value>)> nest =
          [&](size_t dim, SmallVector<Value> ivs) {
            if (dim == ubs.size())
              return body(ivs);
            loop(index(0), ubs[dim], 1, [&](Value iv) {
              SmallVector<Value> next(ivs);
              next.push_back(iv);
              nest(dim + 1, next);
            });
          };
      nest(0, {});
    };
    if (options.numThreads <= 1)
      return serial();
    auto parallel = [&] {
      SmallVector<Value> lbs(ubs.size(), index(0)), steps(ubs.size(), index(1));
      scf::ParallelOp::create(b, loc, lbs, ubs, steps,
                              [&](OpBuilder &nb, Location, ValueRange ivs) {
                                OpBuilder::InsertionGuard guard(b);
                                b.setInsertionPointToEnd(
                                    nb.getInsertionBlock());
                                body(ivs);
                              });
    };
    Value worth =
        cmp(arith::CmpIPredicate::sge, work, index(options.minParallelWork));
    ifElse(
        worth, {},
        [&] {
          parallel();
          return SmallVector<Value>();
        },
        [&] {
          serial();
          return SmallVector<Value>();
        });
  }

  const KernelOptions &options;
  ModuleOp module;
  SymbolTable &symbols;
};

class KernelEmitter : ParallelEmitter {
public:
  using Options = KernelOptions;
  using ParallelEmitter::created;

  KernelEmitter(OpBuilder &b, Location loc, const AttentionShape &s,
                const Options &options, ModuleOp module, SymbolTable &symbols)
      : ParallelEmitter(b, loc, options, module, symbols), s(s) {}

  void emit(ValueRange args) {
    SmallVector<Value> operands(args);
    Value q = args[0], k = args[1];
    Value bSize = memref::DimOp::create(b, loc, q, 0);
    Value sSize = memref::DimOp::create(b, loc, q, 2);
    Value tSize = memref::DimOp::create(b, loc, k, 2);
    oIndex = args.size() - 1;
    RowTiling big, small;
    std::tie(big, small) = rowTilings(s, options.tileRows);
    RowTiling decode{1, (s.group + s.lanes - 1) / s.lanes * s.lanes, true};
    // Quantized decode runs on the few-queries tiling (rows on the lanes).
    if (s.quant)
      decode = small;
    // Work of the whole op, for the threads' guard.
    Value work = mul(mul(mul(bSize, sSize), tSize), s.heads * (s.d + s.dv));
    if (s.quant)
      operands = quantizeOperands(args, bSize, sSize, tSize);
    auto tiling = [&](RowTiling t) {
      return [&, t] {
        emitTiling(operands, t, bSize, sSize, tSize, work);
        return SmallVector<Value>();
      };
    };
    auto sType = cast<MemRefType>(q.getType());
    if (!sType.isDynamicDim(2)) {
      // S known: one tiling.
      int64_t sStatic = sType.getDimSize(2);
      tiling(sStatic == 1 ? decode : sStatic < big.queries ? small : big)();
      return;
    }
    // One query (decode), a few, or many (prefill), at run time.
    Value single = cmp(arith::CmpIPredicate::eq, sSize, index(1));
    ifElse(single, {}, tiling(decode), [&] {
      if (big.queries == small.queries)
        return tiling(big)();
      Value prefill = cmp(arith::CmpIPredicate::sge, sSize, index(big.queries));
      ifElse(prefill, {}, tiling(big), tiling(small));
      return SmallVector<Value>();
    });
  }

private:
  /// A new heap buffer of `shape` (dynamic dims sized by `sizes`, in
  /// order).
  Value alloc(ArrayRef<int64_t> shape, Type element, ValueRange sizes) {
    return memref::AllocOp::create(b, loc, MemRefType::get(shape, element),
                                   sizes);
  }

  /// int8 of rows [i0, i1) of src[bi, h] (each element times `factor`,
  /// less mean[bi, h, d] when `mean` is given) with one scale s = max |x| / 127:
  /// clamp(roundEven(x / s), ±127) into dst[bi, h, i, :] and s into
  /// scales[bi, h, i] for every row (the reference's arithmetic).
  void quantizeInt8Rows(Value src, Value dst, Value scales, Value bi, Value h,
                        Value i0, Value i1, int64_t width, float factor,
                        Value mean) {
    auto element = [&](Value i, Value d) {
      Value x = toF32(
          memref::LoadOp::create(b, loc, src, ValueRange{bi, h, i, d}));
      if (factor != 1.0f)
        x = arith::MulFOp::create(b, loc, x, f32Const(factor));
      if (mean)
        x = arith::SubFOp::create(
            b, loc, x,
            memref::LoadOp::create(b, loc, mean, ValueRange{bi, h, d}));
      return x;
    };
    Value absMax = fromAbsBits(
        loop(i0, i1, 1, {absBits(f32Const(0.0))},
             [&](Value i, ValueRange outer) -> SmallVector<Value> {
               return loop(index(0), index(width), 1, outer,
                           [&](Value d, ValueRange c) -> SmallVector<Value> {
                             return {arith::MaxUIOp::create(
                                 b, loc, absBits(element(i, d)), c[0])};
                           });
             })[0]);
    Value scale = arith::DivFOp::create(b, loc, absMax, f32Const(127.0));
    // s = 0: every x is 0, and so is x / 1.
    Value none = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                       scale, f32Const(0.0));
    Value divisor = arith::SelectOp::create(b, loc, none, f32Const(1.0), scale);
    loop(i0, i1, 1, [&](Value i) {
      memref::StoreOp::create(b, loc, scale, scales, ValueRange{bi, h, i});
      loop(index(0), index(width), 1, [&](Value d) {
        Value r = math::RoundEvenOp::create(
            b, loc, arith::DivFOp::create(b, loc, element(i, d), divisor));
        r = arith::MaximumFOp::create(b, loc, r, f32Const(-127.0));
        r = arith::MinimumFOp::create(b, loc, r, f32Const(127.0));
        Value code = arith::FPToSIOp::create(b, loc, b.getI8Type(), r);
        memref::StoreOp::create(b, loc, code, dst, ValueRange{bi, h, i, d});
      });
    });
  }

  /// |x|'s bits as an i32: for non-negative floats (NaN above +inf) the
  /// integer order is the float order, so row maxima are integer max
  /// reductions, which vectorise (a NaN-propagating maximumf chain does
  /// not).
  Value absBits(Value x) {
    Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
    return arith::AndIOp::create(
        b, loc, bits,
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0x7fffffff)));
  }
  Value fromAbsBits(Value bits) {
    return arith::BitcastOp::create(b, loc, f32, bits);
  }

  /// Σ_{j<T} x[bi, h, j, e] / T for every e into mean[bi, h, e] (a token
  /// mean, summed in key order as the reference sums it). Rows are walked in
  /// memory order, adding each into the running sums: a walk down a column
  /// touches a cache line per key.
  void tokenMean(Value x, Value mean, Value bi, Value h, Value tSize,
                 int64_t width) {
    loop(index(0), index(width), 1, [&](Value e) {
      memref::StoreOp::create(b, loc, f32Const(0.0), mean,
                              ValueRange{bi, h, e});
    });
    loop(index(0), tSize, 1, [&](Value j) {
      loop(index(0), index(width), 1, [&](Value e) {
        Value v = toF32(
            memref::LoadOp::create(b, loc, x, ValueRange{bi, h, j, e}));
        Value sum = memref::LoadOp::create(b, loc, mean, ValueRange{bi, h, e});
        memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, sum, v),
                                mean, ValueRange{bi, h, e});
      });
    });
    Value count = arith::SIToFPOp::create(
        b, loc, f32, arith::IndexCastOp::create(b, loc, b.getI64Type(), tSize));
    loop(index(0), index(width), 1, [&](Value e) {
      Value sum = memref::LoadOp::create(b, loc, mean, ValueRange{bi, h, e});
      memref::StoreOp::create(b, loc, arith::DivFOp::create(b, loc, sum, count),
                              mean, ValueRange{bi, h, e});
    });
  }

  /// SageAttention's prologue (see the file comment): the tiles' operands
  /// q8, k8, v, [mask], o, qs, ks, [v̄], with per-query and per-key scales.
  SmallVector<Value> quantizeOperands(ValueRange args, Value bSize,
                                      Value sSize, Value tSize) {
    Value q = args[0], k = args[1], v = args[2];
    int64_t dyn = ShapedType::kDynamic;
    Type i8 = b.getI8Type();
    Value q8 = alloc({dyn, s.heads, dyn, s.d}, i8, {bSize, sSize});
    Value qs = alloc({dyn, s.heads, dyn}, f32, {bSize, sSize});
    Value k8 = alloc({dyn, s.kvHeads, dyn, s.d}, i8, {bSize, tSize});
    Value ks = alloc({dyn, s.kvHeads, dyn}, f32, {bSize, tSize});
    Value work = mul(mul(bSize, add(sSize, tSize)), s.heads * (s.d + s.dv));

    int64_t qBlock = s.quant.getQBlock(), kBlock = s.quant.getKBlock();
    float factor = s.scale * float(M_LOG2E);
    forEach({bSize, index(s.heads), ceilDiv(sSize, qBlock)}, work,
            [&](ValueRange ivs) {
              Value i0 = mul(ivs[2], qBlock);
              Value i1 = minI(add(i0, qBlock), sSize);
              quantizeInt8Rows(q, q8, qs, ivs[0], ivs[1], i0, i1, s.d, factor,
                               Value());
            });
    // Heap, not stack: no alloca inside the parallel loops.
    Value kMean = alloc({dyn, s.kvHeads, s.d}, f32, {bSize});
    forEach({bSize, index(s.kvHeads)}, work, [&](ValueRange ivs) {
      Value mean = kMean;
      tokenMean(k, mean, ivs[0], ivs[1], tSize, s.d);
      loop(index(0), tSize, kBlock, [&](Value j0) {
        quantizeInt8Rows(k, k8, ks, ivs[0], ivs[1], j0,
                         minI(add(j0, kBlock), tSize), s.d, 1.0f, mean);
      });
    });

    SmallVector<Value> operands = {q8, k8, v};
    Value vMean;
    if (s.fp8Values) {
      Value vq = alloc({dyn, s.kvHeads, dyn, s.dv}, f32, {bSize, tSize});
      if (s.smoothValues)
        vMean = alloc({dyn, s.kvHeads, s.dv}, f32, {bSize});
      // Per-channel maxima, then scales, kept per (b, h) channel; all three
      // passes walk v in memory order (see tokenMean).
      Value vMax = alloc({dyn, s.kvHeads, s.dv}, b.getI32Type(), {bSize});
      Value vScale = alloc({dyn, s.kvHeads, s.dv}, f32, {bSize});
      forEach({bSize, index(s.kvHeads)}, work, [&](ValueRange ivs) {
        Value bi = ivs[0], h = ivs[1];
        if (vMean)
          tokenMean(v, vMean, bi, h, tSize, s.dv);
        auto centred = [&](Value j, Value e) {
          Value x = toF32(
              memref::LoadOp::create(b, loc, v, ValueRange{bi, h, j, e}));
          if (!vMean)
            return x;
          Value m = memref::LoadOp::create(b, loc, vMean, ValueRange{bi, h, e});
          return Value(arith::SubFOp::create(b, loc, x, m));
        };
        loop(index(0), index(s.dv), 1, [&](Value e) {
          memref::StoreOp::create(b, loc, absBits(f32Const(0.0)), vMax,
                                  ValueRange{bi, h, e});
        });
        loop(index(0), tSize, 1, [&](Value j) {
          loop(index(0), index(s.dv), 1, [&](Value e) {
            Value m = memref::LoadOp::create(b, loc, vMax, ValueRange{bi, h, e});
            memref::StoreOp::create(
                b, loc, arith::MaxUIOp::create(b, loc, absBits(centred(j, e)), m),
                vMax, ValueRange{bi, h, e});
          });
        });
        loop(index(0), index(s.dv), 1, [&](Value e) {
          Value absMax = fromAbsBits(
              memref::LoadOp::create(b, loc, vMax, ValueRange{bi, h, e}));
          memref::StoreOp::create(
              b, loc, arith::DivFOp::create(b, loc, absMax, f32Const(448.0)),
              vScale, ValueRange{bi, h, e});
        });
        loop(index(0), tSize, 1, [&](Value j) {
          loop(index(0), index(s.dv), 1, [&](Value e) {
            Value scale =
                memref::LoadOp::create(b, loc, vScale, ValueRange{bi, h, e});
            Value none = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OEQ, scale, f32Const(0.0));
            Value x = roundToE4M3(
                b, loc, arith::DivFOp::create(b, loc, centred(j, e), scale));
            x = arith::MulFOp::create(b, loc, x, scale);
            x = arith::SelectOp::create(b, loc, none, f32Const(0.0), x);
            memref::StoreOp::create(b, loc, x, vq, ValueRange{bi, h, j, e});
          });
        });
      });
      operands[2] = vq;
    }
    for (size_t i = 3; i < args.size(); ++i)
      operands.push_back(args[i]); // [mask], o
    operands.append({qs, ks});
    if (vMean)
      operands.push_back(vMean);
    return operands;
  }

  /// The tile and merge functions of `tiling` and the loops calling them.
  void emitTiling(ArrayRef<Value> operands, RowTiling tiling, Value bSize,
                  Value sSize, Value tSize, Value work) {
    Value nqb = ceilDiv(sSize, tiling.queries);
    Value tasks = mul(mul(bSize, s.kvHeads), nqb);
    Value splits = keySplits(tasks, tSize);
    auto [pm, pl, pacc] = partials(tasks, splits, tiling.rows, s.dv);

    func::FuncOp tile = tileFunction(operands, pm, pacc, tiling);
    SmallVector<Value> tileArgs(operands);
    tileArgs.append({pm, pl, pacc});
    forEach({bSize, index(s.kvHeads), nqb, splits}, work, [&](ValueRange ivs) {
      SmallVector<Value> callArgs(tileArgs);
      callArgs.append(ivs.begin(), ivs.end());
      callArgs.push_back(splits);
      func::CallOp::create(b, loc, tile, callArgs);
    });
    ifThen(cmp(arith::CmpIPredicate::sgt, splits, index(1)), [&] {
      func::FuncOp merge = mergeFunction(operands, pm, pacc, tiling);
      forEach({bSize, index(s.kvHeads), nqb}, work, [&](ValueRange ivs) {
        SmallVector<Value> callArgs = {
            operands[0], operands[1], operands[oIndex], pm, pl, pacc};
        callArgs.append(ivs.begin(), ivs.end());
        callArgs.push_back(splits);
        if (s.smoothValues)
          callArgs.push_back(operands.back());
        func::CallOp::create(b, loc, merge, callArgs);
      });
    });
  }

  func::FuncOp tileFunction(ArrayRef<Value> operands, Value pm, Value pacc,
                            RowTiling tiling) {
    SmallVector<Type> types;
    for (Value v : operands)
      types.push_back(v.getType());
    types.append({pm.getType(), pm.getType(), pacc.getType()});
    types.append(5, b.getIndexType());
    return function(
        "__linea_attention_tile", types, [&](OpBuilder &fb, ValueRange args) {
          TileEmitter(fb, loc, s, tiling, options.keyBlock).emit(args);
        });
  }

  func::FuncOp mergeFunction(ArrayRef<Value> operands, Value pm, Value pacc,
                             RowTiling tiling) {
    SmallVector<Type> types = {operands[0].getType(),
                               operands[1].getType(),
                               operands[oIndex].getType(),
                               pm.getType(),
                               pm.getType(),
                               pacc.getType()};
    types.append(4, b.getIndexType());
    if (s.smoothValues)
      types.push_back(operands.back().getType());
    return function("__linea_attention_merge", types,
                    [&](OpBuilder &fb, ValueRange args) {
                      MergeEmitter(fb, loc, s, tiling).emit(args);
                    });
  }

private:
  const AttentionShape &s;
  /// Position of o among the kernel's (and the tiles') operands.
  size_t oIndex = 0;
};

//===----------------------------------------------------------------------===//
// linea.latent_attention decode (Palu)
//===----------------------------------------------------------------------===//

/// The static facts of one supported latent attention (S = 1).
struct LatentShape {
  int64_t heads = 0, kvHeads = 0, d = 0, dv = 0;
  int64_t kGroups = 1, kRank = 0, vGroups = 1, vRank = 0;
  Type element, ropeElement; // ropeElement null without rope
  float scale = 1;
  int64_t lanes = 16;
  /// Query heads per K group: the rows of one task, which share its
  /// latent slice and its rebuilt keys.
  int64_t rows() const { return heads / kGroups; }
  int64_t keyWidth() const { return kvHeads / kGroups * d; }
};

/// Fills `shape` for `op` and returns "" when the decode kernel applies.
std::string analyzeLatent(LatentAttentionOp op, LatentShape &shape) {
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  if (qType.getDimSize(2) != 1)
    return "only decode (S = 1, static) has a kernel";
  auto kUp = cast<RankedTensorType>(op.getKUp().getType());
  auto vUp = cast<RankedTensorType>(op.getVUp().getType());
  shape.heads = qType.getDimSize(1);
  shape.kvHeads = op.getKvHeads();
  shape.d = qType.getDimSize(3);
  shape.kGroups = kUp.getDimSize(0);
  shape.kRank = kUp.getDimSize(2);
  shape.vGroups = vUp.getDimSize(0);
  shape.vRank = vUp.getDimSize(2);
  shape.dv = vUp.getDimSize(1) / (shape.kvHeads / shape.vGroups);
  shape.element = qType.getElementType();
  if (Value cos = op.getCos())
    shape.ropeElement = cast<RankedTensorType>(cos.getType()).getElementType();
  shape.scale = op.getEffectiveScale();
  return "";
}

/// Emits the tile and merge functions of the latent decode kernel. A tile
/// is one (b, K group g, key split): the R = H/Gk query heads whose kv
/// heads share the latent slice g. Per block of keys it rebuilds the keys
/// of the group's kv heads from the latent (k = Σ_ρ h[ρ]·ukᵀ[ρ, :], a
/// broadcast-FMA over the group's Mk = (Hkv/Gk)·D features with ukᵀ
/// transposed once per call), applies RoPE, scores them against the R
/// queries and updates the online softmax. Values never get rebuilt: P·V
/// accumulates in latent space, O_lat[r, :] += p·hv[j, vg(r)·rv : …], and
/// the up-projection runs once per row at the end,
/// o[r, e] = Σ_ρ O_lat[r, ρ]·uv[vg(r), (hk_r mod gv)·Dv + e, ρ] / l_r (the
/// same sum, reassociated). Arguments: q, hk, ukᵀ, hv, uv, [cos, sin], o,
/// pm, pl, pacc, b, g, split, splits.
class LatentTileEmitter : EmitterBase {
public:
  LatentTileEmitter(OpBuilder &b, Location loc, const LatentShape &s,
                    int64_t keyBlock)
      : EmitterBase(b, loc), s(s), keyBlock(keyBlock) {}

  void emitTile(ValueRange args) {
    unsigned a = 0;
    bindOperands(args, a);
    Value split = args[a++];
    Value splits = args[a++];
    int64_t rows = s.rows(), width = s.keyWidth();
    qS = scratch({rows, s.d});
    kB = scratch({keyBlock, width});
    sc = scratch({keyBlock, rows});
    mS = scratch({rows});
    lS = scratch({rows});
    oL = scratch({rows, s.vRank});
    Value zeroChunk = splat(vType(rChunk()), f32Const(0.0));
    for (int64_t r = 0; r < rows; ++r) {
      memref::StoreOp::create(b, loc, negInf(), mS, ValueRange{index(r)});
      memref::StoreOp::create(b, loc, f32Const(0.0), lS, ValueRange{index(r)});
      loop(index(0), index(s.vRank), rChunk(), [&](Value e) {
        vector::StoreOp::create(b, loc, zeroChunk, oL, ValueRange{index(r), e});
      });
      Value h = add(mul(g, rows), r);
      loop(index(0), index(s.d), 1, [&](Value d) {
        Value x = memref::LoadOp::create(b, loc, q,
                                         ValueRange{bIdx, h, index(0), d});
        memref::StoreOp::create(b, loc, toF32(x), qS, ValueRange{index(r), d});
      });
    }
    Value tSize = memref::DimOp::create(b, loc, hk, 1);
    Value blocks = ceilDiv(tSize, keyBlock);
    Value span = mul(arith::CeilDivSIOp::create(b, loc, blocks, splits),
                     index(keyBlock));
    Value kBegin = minI(mul(split, span), tSize);
    Value kEnd = minI(add(kBegin, span), tSize);
    loop(kBegin, kEnd, keyBlock, [&](Value j0) {
      emitBlock(j0, minI(index(keyBlock), sub(kEnd, j0)));
    });
    ifElse(
        cmp(arith::CmpIPredicate::eq, splits, index(1)), {},
        [&] {
          for (int64_t r = 0; r < rows; ++r)
            writeRow(r, oL, memref::LoadOp::create(b, loc, lS,
                                                   ValueRange{index(r)}));
          return SmallVector<Value>();
        },
        [&] {
          Value base = mul(add(mul(add(mul(bIdx, s.kGroups), g), splits), split),
                     rows);
          for (int64_t r = 0; r < rows; ++r) {
            Value row = add(base, r);
            for (auto [from, to] : {std::pair{mS, pm}, std::pair{lS, pl}})
              memref::StoreOp::create(
                  b, loc,
                  memref::LoadOp::create(b, loc, from, ValueRange{index(r)}),
                  to, ValueRange{row});
            loop(index(0), index(s.vRank), rChunk(), [&](Value e) {
              Value x = vector::LoadOp::create(b, loc, vType(rChunk()), oL,
                                               ValueRange{index(r), e});
              vector::StoreOp::create(b, loc, x, pacc, ValueRange{row, e});
            });
          }
          return SmallVector<Value>();
        });
  }

  /// The merge of one (b, g): weights exp(m_c − max m), then the
  /// projection. Arguments: q, hk, ukᵀ, hv, uv, [cos, sin], o, pm, pl,
  /// pacc, b, g, splits.
  void emitMerge(ValueRange args) {
    unsigned a = 0;
    bindOperands(args, a);
    Value splits = args[a++];
    int64_t rows = s.rows();
    oL = scratch({rows, s.vRank});
    Value task = add(mul(bIdx, s.kGroups), g);
    for (int64_t r = 0; r < rows; ++r) {
      auto rowOf = [&](Value c) {
        return add(mul(add(mul(task, splits), c), rows), r);
      };
      Value m = loop(index(0), splits, 1, {negInf()},
                     [&](Value c, ValueRange carried) -> SmallVector<Value> {
                       Value x = memref::LoadOp::create(b, loc, pm,
                                                        ValueRange{rowOf(c)});
                       return {arith::MaximumFOp::create(b, loc, carried[0], x)};
                     })[0];
      Value mSafe = safeMax(m);
      Value zeroChunk = splat(vType(rChunk()), f32Const(0.0));
      loop(index(0), index(s.vRank), rChunk(), [&](Value e) {
        vector::StoreOp::create(b, loc, zeroChunk, oL, ValueRange{index(r), e});
      });
      Value l = loop(
          index(0), splits, 1, {f32Const(0.0)},
          [&](Value c, ValueRange carried) -> SmallVector<Value> {
            Value row = rowOf(c);
            Value w = exp(arith::SubFOp::create(
                b, loc, memref::LoadOp::create(b, loc, pm, ValueRange{row}),
                mSafe));
            Value wv = splat(vType(rChunk()), w);
            loop(index(0), index(s.vRank), rChunk(), [&](Value e) {
              Value x = vector::LoadOp::create(b, loc, vType(rChunk()), pacc,
                                               ValueRange{row, e});
              Value acc = vector::LoadOp::create(b, loc, vType(rChunk()), oL,
                                                 ValueRange{index(r), e});
              acc = vector::FMAOp::create(b, loc, wv, x, acc);
              vector::StoreOp::create(b, loc, acc, oL, ValueRange{index(r), e});
            });
            Value lc = memref::LoadOp::create(b, loc, pl, ValueRange{row});
            return {arith::AddFOp::create(b, loc, carried[0],
                                          arith::MulFOp::create(b, loc, w, lc))};
          })[0];
      writeRow(r, oL, l);
    }
  }

private:
  /// The operands and partial buffers, then b and g (shared by both
  /// functions' argument lists).
  void bindOperands(ValueRange args, unsigned &a) {
    q = args[a++];
    hk = args[a++];
    ukT = args[a++];
    hv = args[a++];
    uv = args[a++];
    if (s.ropeElement) {
      cos = args[a++];
      sin = args[a++];
    }
    o = args[a++];
    pm = args[a++];
    pl = args[a++];
    pacc = args[a++];
    bIdx = args[a++];
    g = args[a++];
  }

  Value scratch(ArrayRef<int64_t> shape) {
    return memref::AllocaOp::create(b, loc, MemRefType::get(shape, f32));
  }
  /// The widest vector (≤ the lanes, a power of two) dividing `size`.
  int64_t chunk(int64_t size) const {
    int64_t w = 1;
    while (w * 2 <= s.lanes && size % (w * 2) == 0)
      w *= 2;
    return w;
  }
  int64_t rChunk() const { return chunk(s.vRank); }
  VectorType vType(int64_t n, Type element = {}) {
    return VectorType::get({n}, element ? element : f32);
  }
  /// A vector of `n` elements of `memref` at `indices`, widened to f32.
  Value loadF32(Value memref, ValueRange indices, int64_t n) {
    Type element = getElementTypeOrSelf(memref.getType());
    return toF32(
        vector::LoadOp::create(b, loc, vType(n, element), memref, indices));
  }

  /// One block of `len` keys from j0.
  void emitBlock(Value j0, Value len) {
    int64_t rows = s.rows(), width = s.keyWidth();
    int64_t perGroup = s.kvHeads / s.kGroups;
    // Keys: kB[jj, :] = Σ_ρ hk[b, j, g·rk + ρ]·ukᵀ[g, ρ, :], tiles of keys
    // × feature vectors (about 16 accumulators).
    int64_t fw = chunk(width);
    int64_t nf = std::min<int64_t>(4, width / fw);
    while ((width / fw) % nf)
      --nf;
    auto keyTile = [&](Value jj, int64_t keys) {
      loop(index(0), index(width), fw * nf, [&](Value f0) {
        SmallVector<Value> init(keys * nf, splat(vType(fw), f32Const(0.0)));
        SmallVector<Value> acc = loop(
            index(0), index(s.kRank), 1, init,
            [&](Value r, ValueRange carried) -> SmallVector<Value> {
              SmallVector<Value> w, next(carried);
              for (int64_t n = 0; n < nf; ++n)
                w.push_back(vector::LoadOp::create(
                    b, loc, vType(fw), ukT,
                    ValueRange{g, r, add(f0, n * fw)}));
              Value col = add(mul(g, s.kRank), r);
              for (int64_t u = 0; u < keys; ++u) {
                Value h = toF32(memref::LoadOp::create(
                    b, loc, hk, ValueRange{bIdx, add(add(j0, jj), u), col}));
                Value hb = splat(vType(fw), h);
                for (int64_t n = 0; n < nf; ++n)
                  next[u * nf + n] = vector::FMAOp::create(
                      b, loc, w[n], hb, carried[u * nf + n]);
              }
              return next;
            });
        for (int64_t u = 0; u < keys; ++u)
          for (int64_t n = 0; n < nf; ++n)
            vector::StoreOp::create(b, loc, acc[u * nf + n], kB,
                                    ValueRange{add(jj, u), add(f0, n * fw)});
      });
    };
    int64_t tile = std::max<int64_t>(1, 16 / nf);
    Value whole = sub(len, arith::RemSIOp::create(b, loc, len, index(tile)));
    loop(index(0), whole, tile, [&](Value jj) { keyTile(jj, tile); });
    loop(whole, len, 1, [&](Value jj) { keyTile(jj, 1); });

    // RoPE: k[d] = k[d]·cos[d] − k[d + D/2]·sin[d] (d < D/2),
    // k[d]·cos[d] + k[d − D/2]·sin[d] (d ≥ D/2).
    if (s.ropeElement) {
      int64_t half = s.d / 2, hw = chunk(half);
      loop(index(0), len, 1, [&](Value jj) {
        Value j = add(j0, jj);
        loop(index(0), index(half), hw, [&](Value d) {
          Value d2 = add(d, half);
          Value c1 = loadF32(cos, {j, d}, hw), c2 = loadF32(cos, {j, d2}, hw);
          Value s1 = loadF32(sin, {j, d}, hw), s2 = loadF32(sin, {j, d2}, hw);
          for (int64_t a = 0; a < perGroup; ++a) {
            Value at1 = add(d, a * s.d), at2 = add(d2, a * s.d);
            Value x1 =
                vector::LoadOp::create(b, loc, vType(hw), kB, ValueRange{jj, at1});
            Value x2 =
                vector::LoadOp::create(b, loc, vType(hw), kB, ValueRange{jj, at2});
            Value y1 = arith::SubFOp::create(
                b, loc, arith::MulFOp::create(b, loc, x1, c1),
                arith::MulFOp::create(b, loc, x2, s1));
            Value y2 = arith::AddFOp::create(
                b, loc, arith::MulFOp::create(b, loc, x2, c2),
                arith::MulFOp::create(b, loc, x1, s2));
            vector::StoreOp::create(b, loc, y1, kB, ValueRange{jj, at1});
            vector::StoreOp::create(b, loc, y2, kB, ValueRange{jj, at2});
          }
        });
      });
    }

    // Scores sc[jj, r] = scale · q_r · k_{kv(r)}: vectors along D, one
    // lane reduction each.
    int64_t dw = chunk(s.d);
    int64_t qpk = s.heads / s.kvHeads;
    loop(index(0), len, 1, [&](Value jj) {
      for (int64_t r = 0; r < rows; ++r) {
        int64_t base = r / qpk * s.d;
        Value acc = loop(index(0), index(s.d), dw,
                         {splat(vType(dw), f32Const(0.0))},
                         [&](Value d, ValueRange c) -> SmallVector<Value> {
                           Value qv = vector::LoadOp::create(
                               b, loc, vType(dw), qS, ValueRange{index(r), d});
                           Value kv = vector::LoadOp::create(
                               b, loc, vType(dw), kB,
                               ValueRange{jj, add(d, base)});
                           return {vector::FMAOp::create(b, loc, qv, kv, c[0])};
                         })[0];
        Value x = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, acc, f32Const(0.0),
            arith::FastMathFlags::reassoc);
        x = arith::MulFOp::create(b, loc, x, f32Const(s.scale));
        memref::StoreOp::create(b, loc, x, sc, ValueRange{jj, index(r)});
      }
    });

    // Online softmax per row and P·V in latent space.
    int64_t rw = rChunk();
    for (int64_t r = 0; r < rows; ++r) {
      Value ri = index(r);
      Value m = memref::LoadOp::create(b, loc, mS, ValueRange{ri});
      Value bm = loop(index(0), len, 1, {negInf()},
                      [&](Value jj, ValueRange c) -> SmallVector<Value> {
                        Value x = memref::LoadOp::create(b, loc, sc,
                                                         ValueRange{jj, ri});
                        return {arith::MaximumFOp::create(b, loc, c[0], x)};
                      })[0];
      Value mNew = arith::MaximumFOp::create(b, loc, m, bm);
      Value mSafe = safeMax(mNew);
      Value alpha = exp(arith::SubFOp::create(b, loc, m, mSafe));
      Value sum = loop(index(0), len, 1, {f32Const(0.0)},
                       [&](Value jj, ValueRange c) -> SmallVector<Value> {
                         Value x = memref::LoadOp::create(b, loc, sc,
                                                          ValueRange{jj, ri});
                         Value p =
                             exp(arith::SubFOp::create(b, loc, x, mSafe));
                         memref::StoreOp::create(b, loc, p, sc,
                                                 ValueRange{jj, ri});
                         return {arith::AddFOp::create(b, loc, c[0], p)};
                       })[0];
      Value l = memref::LoadOp::create(b, loc, lS, ValueRange{ri});
      memref::StoreOp::create(
          b, loc,
          arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, l, alpha),
                                sum),
          lS, ValueRange{ri});
      memref::StoreOp::create(b, loc, mNew, mS, ValueRange{ri});
      // The row's value latent columns: group vg(r) of its kv head.
      Value kvHead = add(mul(g, perGroup), r / qpk);
      Value vCol = mul(arith::DivSIOp::create(
                           b, loc, kvHead, index(s.kvHeads / s.vGroups)),
                       s.vRank);
      Value av = splat(vType(rw), alpha);
      loop(index(0), index(s.vRank), rw, [&](Value e) {
        Value acc = vector::LoadOp::create(b, loc, vType(rw), oL,
                                           ValueRange{ri, e});
        acc = arith::MulFOp::create(b, loc, acc, av);
        acc = loop(index(0), len, 1, {acc},
                   [&](Value jj, ValueRange c) -> SmallVector<Value> {
                     Value p = splat(vType(rw),
                                     memref::LoadOp::create(
                                         b, loc, sc, ValueRange{jj, ri}));
                     Value x = loadF32(hv, {bIdx, add(j0, jj), add(vCol, e)},
                                       rw);
                     return {vector::FMAOp::create(b, loc, p, x, c[0])};
                   })[0];
        vector::StoreOp::create(b, loc, acc, oL, ValueRange{ri, e});
      });
    }
  }

  /// o[b, h_r, 0, e] = Σ_ρ lat[r, ρ]·uv[vg, (hk mod gv)·Dv + e, ρ] / l,
  /// rounded (0 when no key was seen: l = 0).
  void writeRow(int64_t r, Value lat, Value l) {
    int64_t perGroup = s.kvHeads / s.kGroups, qpk = s.heads / s.kvHeads;
    int64_t vPerGroup = s.kvHeads / s.vGroups, rw = rChunk();
    Value kvHead = add(mul(g, perGroup), r / qpk);
    Value vg = arith::DivSIOp::create(b, loc, kvHead, index(vPerGroup));
    Value rowBase = mul(arith::RemSIOp::create(b, loc, kvHead,
                                               index(vPerGroup)),
                        s.dv);
    Value h = add(mul(g, s.rows()), r);
    Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l,
                                        f32Const(0.0));
    loop(index(0), index(s.dv), 1, [&](Value e) {
      Value acc = loop(index(0), index(s.vRank), rw,
                       {splat(vType(rw), f32Const(0.0))},
                       [&](Value rho, ValueRange c) -> SmallVector<Value> {
                         Value x = vector::LoadOp::create(
                             b, loc, vType(rw), lat, ValueRange{index(r), rho});
                         Value u = loadF32(uv, {vg, add(rowBase, e), rho}, rw);
                         return {vector::FMAOp::create(b, loc, x, u, c[0])};
                       })[0];
      Value x = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                            acc, f32Const(0.0),
                                            arith::FastMathFlags::reassoc);
      x = arith::DivFOp::create(b, loc, x, l);
      x = arith::SelectOp::create(b, loc, empty, f32Const(0.0), x);
      if (!s.element.isF32())
        x = arith::TruncFOp::create(b, loc, s.element, x);
      memref::StoreOp::create(b, loc, x, o, ValueRange{bIdx, h, index(0), e});
    });
  }

  const LatentShape &s;
  int64_t keyBlock;
  Value q, hk, ukT, hv, uv, cos, sin, o, pm, pl, pacc, bIdx, g;
  Value qS, kB, sc, mS, lS, oL;
};

/// Emits the latent decode kernel: ukᵀ once, the tiles over (b, K group,
/// key split) in parallel, and the merge when the keys were split.
/// Arguments: q, hk, uk, hv, uv, [cos, sin], o.
class LatentKernelEmitter : ParallelEmitter {
public:
  using ParallelEmitter::created;
  LatentKernelEmitter(OpBuilder &b, Location loc, const LatentShape &s,
                      const KernelOptions &options, ModuleOp module,
                      SymbolTable &symbols)
      : ParallelEmitter(b, loc, options, module, symbols), s(s) {}

  void emit(ValueRange args) {
    SmallVector<Value> operands(args);
    Value hk = args[1], uk = args[2];
    Value bSize = memref::DimOp::create(b, loc, hk, 0);
    Value tSize = memref::DimOp::create(b, loc, hk, 1);
    int64_t width = s.keyWidth();
    // ukᵀ [Gk, rk, Mk] in f32: rebuilding a key reads rows of it.
    Value ukT = memref::AllocOp::create(
        b, loc, MemRefType::get({s.kGroups, s.kRank, width}, f32));
    loop(index(0), index(s.kGroups), 1, [&](Value gi) {
      loop(index(0), index(width), 1, [&](Value f) {
        loop(index(0), index(s.kRank), 1, [&](Value r) {
          Value x = memref::LoadOp::create(b, loc, uk, ValueRange{gi, f, r});
          memref::StoreOp::create(b, loc, toF32(x), ukT, ValueRange{gi, r, f});
        });
      });
    });
    operands[2] = ukT;

    int64_t rows = s.rows();
    Value tasks = mul(bSize, s.kGroups);
    Value splits = keySplits(tasks, tSize);
    auto [pm, pl, pacc] = partials(tasks, splits, rows, s.vRank);
    SmallVector<Value> common(operands);
    common.append({pm, pl, pacc});
    SmallVector<Type> types;
    for (Value v : common)
      types.push_back(v.getType());
    Value work = mul(mul(bSize, tSize), s.heads * (s.d + s.vRank) +
                                            s.kvHeads * s.d * s.kRank /
                                                s.kGroups);

    SmallVector<Type> tileTypes(types);
    tileTypes.append(4, b.getIndexType());
    func::FuncOp tile = function(
        "__linea_latent_attention_tile", tileTypes,
        [&](OpBuilder &fb, ValueRange fargs) {
          LatentTileEmitter(fb, loc, s, options.keyBlock).emitTile(fargs);
        });
    forEach({bSize, index(s.kGroups), splits}, work, [&](ValueRange ivs) {
      SmallVector<Value> callArgs(common);
      callArgs.append(ivs.begin(), ivs.end());
      callArgs.push_back(splits);
      func::CallOp::create(b, loc, tile, callArgs);
    });
    ifThen(cmp(arith::CmpIPredicate::sgt, splits, index(1)), [&] {
      SmallVector<Type> mergeTypes(types);
      mergeTypes.append(3, b.getIndexType());
      func::FuncOp merge = function(
          "__linea_latent_attention_merge", mergeTypes,
          [&](OpBuilder &fb, ValueRange fargs) {
            LatentTileEmitter(fb, loc, s, options.keyBlock).emitMerge(fargs);
          });
      forEach({bSize, index(s.kGroups)}, work, [&](ValueRange ivs) {
        SmallVector<Value> callArgs(common);
        callArgs.append(ivs.begin(), ivs.end());
        callArgs.push_back(splits);
        func::CallOp::create(b, loc, merge, callArgs);
      });
    });
  }

private:
  const LatentShape &s;
};

/// The memref of `tensor`'s type with dims `dynamic` made dynamic.
MemRefType bufferType(Value tensor, ArrayRef<bool> dynamic) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [i, dyn] : llvm::enumerate(dynamic))
    if (dyn)
      shape[i] = ShapedType::kDynamic;
  return MemRefType::get(shape, type.getElementType());
}

/// Replaces `op` (one result, of rank 4) by a call of `kernel` on buffers
/// of `operands` (cast to `argTypes`) and a new result buffer of type
/// `oArgType` (dims 0 and 2 sized like q's, operands[0], where dynamic).
void replaceByKernelCall(Operation *op, ValueRange operands,
                         ArrayRef<MemRefType> argTypes, MemRefType oArgType,
                         func::FuncOp kernel) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  SmallVector<Value> args;
  for (auto [i, x] : llvm::enumerate(operands)) {
    auto type = cast<RankedTensorType>(x.getType());
    Value buffer = bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()), x,
        /*read_only=*/true);
    if (buffer.getType() != argTypes[i])
      buffer = memref::CastOp::create(b, loc, argTypes[i], buffer);
    args.push_back(buffer);
  }
  auto oType = cast<RankedTensorType>(op->getResult(0).getType());
  SmallVector<Value> sizes;
  for (int64_t dim : {0, 2})
    if (oType.isDynamicDim(dim))
      sizes.push_back(tensor::DimOp::create(b, loc, operands[0], dim));
  auto oBufferType = MemRefType::get(oType.getShape(), oType.getElementType());
  Value oBuffer = memref::AllocOp::create(b, loc, oBufferType, sizes);
  args.push_back(
      oBufferType == oArgType
          ? oBuffer
          : memref::CastOp::create(b, loc, oArgType, oBuffer).getResult());
  func::CallOp::create(b, loc, kernel, args);
  Value result = bufferization::ToTensorOp::create(
      b, loc, oType, oBuffer, /*restrict=*/true, /*writable=*/true);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
}

/// The most stack one tile may take (libomp's worker threads get 4 MiB).
constexpr int64_t kMaxScratchBytes = 1 << 20;

struct CpuAttentionKernelsPass
    : linea::impl::CpuAttentionKernelsBase<CpuAttentionKernelsPass> {
  using Base::Base;

  /// Whether `op` keeps its reference lowering (`why` is not empty), with
  /// a remark under report-skipped.
  bool leftToReference(Operation *op, const std::string &why) {
    if (why.empty())
      return false;
    if (reportSkipped)
      op->emitRemark() << "linea-cpu-attention-kernels: left to the "
                          "reference lowering: "
                       << why;
    return true;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto isPow2 = [](int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
    if (!isPow2(vectorWidth) || tileRows < 1 || tileRows % vectorWidth != 0 ||
        keyBlock < 1 || numThreads < 1 || minParallelWork < 0 ||
        minSplitKeys < 1) {
      module.emitError() << "linea-cpu-attention-kernels: vector-width ("
                         << int64_t(vectorWidth)
                         << ") must be a power of two, tile-rows ("
                         << int64_t(tileRows)
                         << ") a positive multiple of it, key-block ("
                         << int64_t(keyBlock) << "), num-threads ("
                         << int64_t(numThreads) << ") and min-split-keys ("
                         << int64_t(minSplitKeys)
                         << ") positive, min-parallel-work ("
                         << int64_t(minParallelWork) << ") not negative";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    SymbolTable symbols(module);
    KernelEmitter::Options options{tileRows, keyBlock, numThreads,
                                   minParallelWork, minSplitKeys};
    // One kernel per distinct (buffer types, causal, scale, quant).
    SmallVector<
        std::pair<std::tuple<Type, bool, float, Attribute>, func::FuncOp>>
        kernels;
    SmallVector<func::FuncOp> created;
    for (AttentionOp op : ops) {
      AttentionShape shape;
      shape.lanes = vectorWidth;
      std::string why = analyze(op, shape);
      // The tile's scratch lives on the (OpenMP worker's) stack.
      if (why.empty()) {
        int64_t bytes = scratchBytes(
            shape, rowTilings(shape, tileRows).first.rows, keyBlock);
        if (bytes > kMaxScratchBytes)
          why = "head dims D = " + std::to_string(shape.d) +
                ", Dv = " + std::to_string(shape.dv) + " need " +
                std::to_string(bytes) + " bytes of scratch per tile, above " +
                std::to_string(kMaxScratchBytes);
      }
      if (leftToReference(op, why))
        continue;
      OpBuilder b(op);
      Location loc = op.getLoc();
      // B and T dynamic in the kernel's types, S static where it is (it
      // picks the row tiling); a mask keeps its broadcast dims (static 1),
      // its others dynamic.
      auto qType = cast<RankedTensorType>(op.getQ().getType());
      bool dynamicS = qType.isDynamicDim(2);
      SmallVector<Value> operands = {op.getQ(), op.getK(), op.getV()};
      SmallVector<MemRefType> argTypes = {
          bufferType(op.getQ(), {true, false, dynamicS, false}),
          bufferType(op.getK(), {true, false, true, false}),
          bufferType(op.getV(), {true, false, true, false})};
      if (Value mask = op.getMask()) {
        operands.push_back(mask);
        SmallVector<bool> dyn;
        for (bool broadcast : shape.maskBroadcast)
          dyn.push_back(!broadcast);
        argTypes.push_back(bufferType(mask, dyn));
      }
      MemRefType oArgType =
          bufferType(op.getResult(), {true, false, dynamicS, false});
      SmallVector<Type> types(argTypes.begin(), argTypes.end());
      types.push_back(oArgType);
      auto funcType = b.getFunctionType(types, {});

      std::tuple<Type, bool, float, Attribute> key{funcType, shape.causal,
                                                   shape.scale, shape.quant};
      func::FuncOp kernel;
      for (auto &[known, fn] : kernels)
        if (known == key)
          kernel = fn;
      if (!kernel) {
        OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
        kernel =
            func::FuncOp::create(mb, loc, "__linea_attention_kernel", funcType);
        kernel.setPrivate();
        symbols.insert(kernel);
        Block *entry = kernel.addEntryBlock();
        OpBuilder kb = OpBuilder::atBlockEnd(entry);
        KernelEmitter emitter(kb, loc, shape, options, module, symbols);
        emitter.emit(entry->getArguments());
        func::ReturnOp::create(kb, loc);
        created.push_back(kernel);
        created.append(emitter.created);
        kernels.push_back({key, kernel});
      }

      replaceByKernelCall(op, operands, argTypes, oArgType, kernel);
    }

    // Latent (Palu) decode: one kernel per op.
    SmallVector<LatentAttentionOp> latentOps;
    module.walk([&](LatentAttentionOp op) { latentOps.push_back(op); });
    for (LatentAttentionOp op : latentOps) {
      LatentShape shape;
      shape.lanes = vectorWidth;
      std::string why = analyzeLatent(op, shape);
      if (why.empty()) {
        int64_t bytes = int64_t(sizeof(float)) *
                        (keyBlock * (shape.keyWidth() + shape.rows()) +
                         shape.rows() * (shape.d + shape.vRank + 2));
        if (bytes > kMaxScratchBytes)
          why = "the rebuilt key block needs " + std::to_string(bytes) +
                " bytes of scratch per tile, above " +
                std::to_string(kMaxScratchBytes);
      }
      if (leftToReference(op, why))
        continue;
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Value> operands = {op.getQ(), op.getKLatent(), op.getKUp(),
                                     op.getVLatent(), op.getVUp()};
      SmallVector<MemRefType> argTypes = {
          bufferType(op.getQ(), {true, false, false, false}),
          bufferType(op.getKLatent(), {true, true, false}),
          bufferType(op.getKUp(), {false, false, false}),
          bufferType(op.getVLatent(), {true, true, false}),
          bufferType(op.getVUp(), {false, false, false})};
      for (Value table : op.getRope()) {
        operands.push_back(table);
        argTypes.push_back(bufferType(table, {true, false}));
      }
      MemRefType oArgType =
          bufferType(op.getResult(), {true, false, false, false});
      SmallVector<Type> types(argTypes.begin(), argTypes.end());
      types.push_back(oArgType);
      OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
      auto kernel = func::FuncOp::create(mb, loc, "__linea_latent_attention",
                                         b.getFunctionType(types, {}));
      kernel.setPrivate();
      symbols.insert(kernel);
      Block *entry = kernel.addEntryBlock();
      OpBuilder kb = OpBuilder::atBlockEnd(entry);
      LatentKernelEmitter emitter(kb, loc, shape, options, module, symbols);
      emitter.emit(entry->getArguments());
      func::ReturnOp::create(kb, loc);
      created.push_back(kernel);
      created.append(emitter.created);

      replaceByKernelCall(op, operands, argTypes, oArgType, kernel);
    }

    // exp as MLIR's polynomial (vectorised) instead of a libm call per
    // element.
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return name == "math.exp"; });
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (func::FuncOp fn : created)
      if (failed(applyPatternsGreedily(fn, frozen)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace linea
