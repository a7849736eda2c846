//===- StructuredToLinalg.cpp - reference lowering of structured layers ---===//
//
// Lowers the low-rank, block-diagonal, Monarch, BTT, Kronecker and BLAST
// linear layers by their own factorised computation: the weights stay
// runtime tensors and the dense W is never formed, so that this lowering and
// `linear(x, materializeDenseWeight())` are independent and can be checked
// against each other. Each form views x's last dim as a small grid
// (tensor.expand_shape), contracts it with the factors in f32, and flattens
// the output grid back (tensor.collapse_shape); x's leading (token) dims,
// dynamic ones included, are carried through every step as parallel loops.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace linea {
namespace {

/// Splits dim `dim` of ranked tensor `value` into `sizes` (row-major: the
/// old index is Σ idx_i · Π_{j>i} sizes_j). Every other dim, dynamic ones
/// included, is kept.
Value expandDim(OpBuilder &b, Location loc, Value value, int64_t dim,
                ArrayRef<int64_t> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<ReassociationIndices> reassociation;
  SmallVector<OpFoldResult> outputShape;
  SmallVector<int64_t> shape;
  int64_t next = 0;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d) {
    ReassociationIndices group;
    if (d == dim) {
      for (int64_t size : sizes) {
        group.push_back(next++);
        outputShape.push_back(b.getIndexAttr(size));
        shape.push_back(size);
      }
    } else {
      group.push_back(next++);
      outputShape.push_back(tensor::getMixedSize(b, loc, value, d));
      shape.push_back(type.getDimSize(d));
    }
    reassociation.push_back(group);
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, value, reassociation,
                                       outputShape);
}

/// Merges the last `count` dims of `value` into one (row-major), the inverse
/// of expandDim on the last dim.
Value collapseLastDims(OpBuilder &b, Location loc, Value value, int64_t count) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d < rank - count; ++d)
    reassociation.push_back({d});
  ReassociationIndices last;
  for (int64_t d = rank - count; d < rank; ++d)
    last.push_back(d);
  reassociation.push_back(last);
  return tensor::CollapseShapeOp::create(b, loc, value, reassociation);
}

/// `value` with its last two dims swapped (a linalg.transpose).
Value transposeLastTwo(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 2], perm[rank - 1]);
  SmallVector<int64_t> shape = applyPermutation(type.getShape(), perm);
  // The leading (possibly dynamic) dims keep their positions.
  Value init = emptyTensor(b, loc, shape, type.getElementType(), value);
  return linalg::TransposeOp::create(b, loc, value, init, perm).getResult()[0];
}

/// One f32 multiply-accumulate contraction, written einsum-style with one
/// letter per loop:
///   out[lead..., outIdx] = Σ act[lead..., actIdx] · weight[weightIdx]
/// `lead` are act's dims before its last actIdx.size() ones (the token dims,
/// possibly dynamic; they become leading parallel loops). Letters of outIdx
/// are parallel loops, every other letter is summed over. A letter's size is
/// the static size of the dim it indexes in act or weight.
Value contract(OpBuilder &b, Location loc, Value act, StringRef actIdx,
               Value weight, StringRef weightIdx, StringRef outIdx) {
  auto actType = cast<RankedTensorType>(act.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t lead = actType.getRank() - static_cast<int64_t>(actIdx.size());
  assert(lead >= 0 &&
         weightType.getRank() == static_cast<int64_t>(weightIdx.size()));

  // Loop order: lead dims, output letters, then the reduced letters.
  llvm::SetVector<char> letters;
  letters.insert(outIdx.begin(), outIdx.end());
  letters.insert(actIdx.begin(), actIdx.end());
  letters.insert(weightIdx.begin(), weightIdx.end());
  llvm::DenseMap<char, int64_t> sizeOf;
  for (auto [i, c] : llvm::enumerate(actIdx))
    sizeOf[c] = actType.getDimSize(lead + i);
  for (auto [i, c] : llvm::enumerate(weightIdx)) {
    assert((!sizeOf.count(c) || sizeOf[c] == weightType.getDimSize(i)) &&
           "letter indexes dims of different sizes");
    sizeOf[c] = weightType.getDimSize(i);
  }

  MLIRContext *ctx = b.getContext();
  unsigned loops = lead + letters.size();
  llvm::DenseMap<char, unsigned> loopOf;
  for (auto [i, c] : llvm::enumerate(letters))
    loopOf[c] = lead + i;
  auto dimOfLetter = [&](char c) { return getAffineDimExpr(loopOf[c], ctx); };
  SmallVector<AffineExpr> actExprs, weightExprs, outExprs;
  SmallVector<int64_t> outShape(actType.getShape().take_front(lead));
  for (int64_t d = 0; d < lead; ++d) {
    actExprs.push_back(getAffineDimExpr(d, ctx));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  for (char c : actIdx)
    actExprs.push_back(dimOfLetter(c));
  for (char c : weightIdx)
    weightExprs.push_back(dimOfLetter(c));
  for (char c : outIdx) {
    outExprs.push_back(dimOfLetter(c));
    outShape.push_back(sizeOf[c]);
  }
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::reduction);
  for (unsigned d = 0; d < lead + outIdx.size(); ++d)
    iterators[d] = utils::IteratorType::parallel;

  Value init = filledTensor(b, loc, outShape, 0.0, act);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, actExprs, ctx),
                                 AffineMap::get(loops, 0, weightExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{act, weight}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value prod = arith::MulFOp::create(nb, nloc, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, nloc,
                   arith::AddFOp::create(nb, nloc, prod, args[2]).getResult());
             })
      .getResult(0);
}

/// Shared shape of every structured pattern: casts x and the weights to f32,
/// lets `compute` build the f32 y[..., N], then adds the bias and rounds to
/// the result type (casting away a static/dynamic difference in the leading
/// dims, which the verifier allows).
template <typename OpTy> struct StructuredLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  /// Computes f32 y[..., N] from f32 x[..., K] and the f32 weights, in the
  /// order of getWeightOperands().
  virtual Value compute(OpBuilder &b, Location loc, Value x,
                        ArrayRef<Value> weights) const = 0;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    Value x = castElements(rewriter, loc, op.getX(), f32);
    SmallVector<Value> weights;
    for (Value w : op.getWeightOperands())
      weights.push_back(castElements(rewriter, loc, w, f32));
    Value y = compute(rewriter, loc, x, weights);
    rewriter.replaceOp(
        op, finishLinear(rewriter, loc, y, op.getBias(), op.getType()));
    return success();
  }
};

/// y = (x·vᵀ)·uᵀ: two products through the rank-r bottleneck.
struct LowRankToLinalg : StructuredLowering<LowRankLinearOp> {
  using StructuredLowering::StructuredLowering;
  Value compute(OpBuilder &b, Location loc, Value x,
                ArrayRef<Value> w) const override {
    Value u = w[0], v = w[1];
    return contractLastDim(b, loc, contractLastDim(b, loc, x, v), u);
  }
};

/// X = x as [g, bk]; Y[..., i, a] = Σ_c X[..., i, c]·blocks[i, a, c],
/// flattened to y[..., i·bn + a].
struct BlockDiagToLinalg : StructuredLowering<BlockDiagLinearOp> {
  using StructuredLowering::StructuredLowering;
  Value compute(OpBuilder &b, Location loc, Value x,
                ArrayRef<Value> w) const override {
    auto shape = cast<RankedTensorType>(w[0].getType()).getShape();
    int64_t g = shape[0], bk = shape[2];
    int64_t last = cast<RankedTensorType>(x.getType()).getRank() - 1;
    // Letters: I = i, A = a, C = c.
    Value grid = expandDim(b, loc, x, last, {g, bk});
    Value y = contract(b, loc, grid, "IC", w[0], "IAC", "IA");
    return collapseLastDims(b, loc, y, 2);
  }
};

/// Stage 1: Z[..., κ, j] = Σ_i X[..., κ, i]·w1[κ, j, i] with X = x as [k, p].
/// Stride permutation: the flat intermediate t = κ·q + j, re-viewed as
/// [ρ, λ] = [r, l] (t = ρ·l + λ), so block λ reads column λ of that view;
/// that view is transposed to Z'[..., λ, ρ] (k·q values per token) so that
/// stage 2 reads both operands along ρ with unit stride.
/// Stage 2: Y[..., σ, λ] = Σ_ρ Z'[..., λ, ρ]·w2[λ, σ, ρ], flattened to
/// y[..., σ·l + λ].
struct MonarchToLinalg : StructuredLowering<MonarchLinearOp> {
  using StructuredLowering::StructuredLowering;
  Value compute(OpBuilder &b, Location loc, Value x,
                ArrayRef<Value> w) const override {
    auto w1Shape = cast<RankedTensorType>(w[0].getType()).getShape();
    auto w2Shape = cast<RankedTensorType>(w[1].getType()).getShape();
    int64_t k = w1Shape[0], p = w1Shape[2], l = w2Shape[0], r = w2Shape[2];
    int64_t last = cast<RankedTensorType>(x.getType()).getRank() - 1;
    // Letters: K = κ, I = i, J = j, L = λ, S = σ, R = ρ.
    Value grid = expandDim(b, loc, x, last, {k, p});
    Value z = contract(b, loc, grid, "KI", w[0], "KJI", "KJ");
    Value permuted = transposeLastTwo(
        b, loc,
        expandDim(b, loc, collapseLastDims(b, loc, z, 2), last, {r, l}));
    Value y = contract(b, loc, permuted, "LR", w[1], "LSR", "SL");
    return collapseLastDims(b, loc, y, 2);
  }
};

/// X = x as [M1, M0]; Z[..., m1, c] = Σ_m0 X[..., m1, m0]·w1[m1, m0, c] with
/// c = n0·r + ρ; then, with Z as [M1, N0, r] and w2 as [N0, M1, r, N1],
/// Y[..., n0, n1] = Σ_{m1, ρ} Z[..., m1, n0, ρ]·w2[n0, m1, ρ, n1], flattened
/// to y[..., n0·N1 + n1].
struct BTTToLinalg : StructuredLowering<BTTLinearOp> {
  using StructuredLowering::StructuredLowering;
  Value compute(OpBuilder &b, Location loc, Value x,
                ArrayRef<Value> w) const override {
    auto w1Shape = cast<RankedTensorType>(w[0].getType()).getShape();
    auto w2Shape = cast<RankedTensorType>(w[1].getType()).getShape();
    int64_t m1 = w1Shape[0], m0 = w1Shape[1], n0 = w2Shape[0];
    int64_t r = w1Shape[2] / n0;
    int64_t last = cast<RankedTensorType>(x.getType()).getRank() - 1;
    // Letters: A = m1, B = m0, C = n0·r + ρ, N = n0, R = ρ, O = n1.
    Value grid = expandDim(b, loc, x, last, {m1, m0});
    Value z = contract(b, loc, grid, "AB", w[0], "ABC", "AC");
    Value z3 = expandDim(b, loc, z, last + 1, {n0, r});
    Value w2 = expandDim(b, loc, w[1], 1, {m1, r});
    Value y = contract(b, loc, z3, "ANR", w2, "NARO", "NO");
    return collapseLastDims(b, loc, y, 2);
  }
};

/// X = x as [k1, k2]; Q[..., t, i1, j2] = Σ_j1 a[t, i1, j1]·X[..., j1, j2]
/// (a[t]·X for every term), then Y[..., i1, i2] = Σ_{t, j2} Q[..., t, i1, j2]·
/// b[t, i2, j2], flattened to y[..., i1·n2 + i2]. In this order (a first)
/// every step reads its operands along their unit-stride last dim: the
/// first runs along j2 of X and Q (a broadcast), the second sums along j2
/// of Q and b, which linea-cpu-structured-kernels vectorise; b first would
/// sum the second step along a strided dim.
struct KronToLinalg : StructuredLowering<KronLinearOp> {
  using StructuredLowering::StructuredLowering;
  Value compute(OpBuilder &b, Location loc, Value x,
                ArrayRef<Value> w) const override {
    Value a = w[0], bw = w[1];
    int64_t k1 = cast<RankedTensorType>(a.getType()).getDimSize(2);
    int64_t k2 = cast<RankedTensorType>(bw.getType()).getDimSize(2);
    int64_t last = cast<RankedTensorType>(x.getType()).getRank() - 1;
    // Letters: T = t, J = j1, K = j2, M = i1, N = i2.
    Value grid = expandDim(b, loc, x, last, {k1, k2});
    Value q = contract(b, loc, grid, "JK", a, "TMJ", "TMK");
    Value y = contract(b, loc, q, "TMK", bw, "TNK", "MN");
    return collapseLastDims(b, loc, y, 2);
  }
};

/// X = x as [b, q]; z[..., j, ρ] = Σ_γ X[..., j, γ]·v[j, γ, ρ] (z_j = v_jᵀx_j);
/// w[..., i, ρ] = Σ_j s[i, j, ρ]·z[..., j, ρ]; Y[..., i, α] = Σ_ρ u[i, α, ρ]·
/// w[..., i, ρ] (y_i = u_i w_i), flattened to y[..., i·p + α].
struct BlastToLinalg : StructuredLowering<BlastLinearOp> {
  using StructuredLowering::StructuredLowering;
  Value compute(OpBuilder &b, Location loc, Value x,
                ArrayRef<Value> w) const override {
    Value u = w[0], s = w[1], v = w[2];
    auto vShape = cast<RankedTensorType>(v.getType()).getShape();
    int64_t last = cast<RankedTensorType>(x.getType()).getRank() - 1;
    // Letters: J = j, G = γ, R = ρ, I = i, A = α.
    Value grid = expandDim(b, loc, x, last, {vShape[0], vShape[1]});
    Value z = contract(b, loc, grid, "JG", v, "JGR", "JR");
    Value mixed = contract(b, loc, z, "JR", s, "IJR", "IR");
    Value y = contract(b, loc, mixed, "IR", u, "IAR", "IA");
    return collapseLastDims(b, loc, y, 2);
  }
};

} // namespace

void populateStructuredToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LowRankToLinalg, BlockDiagToLinalg, MonarchToLinalg, BTTToLinalg,
               KronToLinalg, BlastToLinalg>(patterns.getContext());
}

} // namespace linea
