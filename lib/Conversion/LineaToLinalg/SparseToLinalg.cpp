//===- SparseToLinalg.cpp - reference lowering of the sparse layers -------===//
//
// Lowers linea.bsr_linear and linea.nm_linear by walking their compressed
// storage, with the weights and index arrays as runtime tensors: the dense W
// is never formed, so that this lowering and
// `linear(x, materializeDenseWeight())` are independent and can be checked
// against each other.
//
// - BSR: an scf.for over block rows and, inside, over that row's stored
//   blocks [row_offsets[rb], row_offsets[rb+1]); each block adds
//   x[..., cb·bk : cb·bk + bk] · values[e]ᵀ to y[..., rb·bn : rb·bn + bn].
//   Empty block rows run no iterations and keep their zeros.
// - N:M: one linalg.generic over (tokens..., r, j) whose body gathers the
//   input column (j div n)·m + indices[r, j] of x with tensor.extract.
//
// x's leading (token) dims, dynamic ones included, are carried through as
// they are. All arithmetic is f32.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

namespace linea {
namespace {

/// Element `position` of the rank-1 integer tensor `indices` as an `index`.
Value readIndex(OpBuilder &b, Location loc, Value indices, Value position) {
  Value element = tensor::ExtractOp::create(b, loc, indices, position);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
}

/// acc[lead..., a] += Σ_c x[lead..., c] · block[a, c] in f32: one stored
/// block's contribution to its block row's slice of y.
Value accumulateBlock(OpBuilder &b, Location loc, Value x, Value block,
                      Value acc) {
  int64_t lead = cast<RankedTensorType>(x.getType()).getRank() - 1;
  MLIRContext *ctx = b.getContext();
  unsigned loops = lead + 2; // lead..., a, c
  SmallVector<AffineExpr> xExprs, accExprs;
  for (int64_t d = 0; d < lead; ++d) {
    xExprs.push_back(getAffineDimExpr(d, ctx));
    accExprs.push_back(getAffineDimExpr(d, ctx));
  }
  AffineExpr a = getAffineDimExpr(lead, ctx),
             c = getAffineDimExpr(lead + 1, ctx);
  xExprs.push_back(c);
  accExprs.push_back(a);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, xExprs, ctx),
                                 AffineMap::get(loops, 0, {a, c}, ctx),
                                 AffineMap::get(loops, 0, accExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, acc.getType(), ValueRange{x, block}, acc, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value prod = arith::MulFOp::create(nb, nloc, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, nloc,
                   arith::AddFOp::create(nb, nloc, prod, args[2]).getResult());
             })
      .getResult(0);
}

/// The slice [lead..., start : start + width) of `value`'s last dim, taking
/// all of every leading dim: offsets, sizes and strides for extract_slice /
/// insert_slice.
struct LastDimSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;

  LastDimSlice(OpBuilder &b, Location loc, Value value, Value start,
               int64_t width) {
    int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
    for (int64_t d = 0; d + 1 < rank; ++d) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(tensor::getMixedSize(b, loc, value, d));
      strides.push_back(b.getIndexAttr(1));
    }
    offsets.push_back(start);
    sizes.push_back(b.getIndexAttr(width));
    strides.push_back(b.getIndexAttr(1));
  }
};

/// y = x · Wᵀ + bias with W in BSR form, block by stored block.
struct BsrLinearToLinalg : OpRewritePattern<BsrLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BsrLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    int64_t bn = op.getBlockRows(), bk = op.getBlockCols();
    int64_t numBlockRows =
        cast<RankedTensorType>(op.getRowOffsets().getType()).getDimSize(0) - 1;
    Value x = castElements(rewriter, loc, op.getX(), f32);
    Value values = castElements(rewriter, loc, op.getValues(), f32);
    Value cols = op.getColIndices(), rows = op.getRowOffsets();

    SmallVector<int64_t> yShape(cast<RankedTensorType>(x.getType()).getShape());
    yShape.back() = numBlockRows * bn;
    Value zeros = filledTensor(rewriter, loc, yShape, 0.0, x);

    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value cBn = arith::ConstantIndexOp::create(rewriter, loc, bn);
    Value cBk = arith::ConstantIndexOp::create(rewriter, loc, bk);
    Value cRows = arith::ConstantIndexOp::create(rewriter, loc, numBlockRows);
    auto blockType = RankedTensorType::get({bn, bk}, f32);

    // One stored block e of block row rb: y[.., rb·bn + a] +=
    //   Σ_c x[.., cb·bk + c] · values[e, a, c] with cb = col_indices[e].
    auto addBlock = [&](OpBuilder &b, Location l, Value rb, Value e,
                        Value y) -> Value {
      Value cb = readIndex(b, l, cols, e);
      LastDimSlice xSlice(b, l, x,
                          arith::MulIOp::create(b, l, cb, cBk).getResult(), bk);
      Value xs = tensor::ExtractSliceOp::create(b, l, x, xSlice.offsets,
                                                xSlice.sizes, xSlice.strides);
      SmallVector<OpFoldResult> blockOffsets = {e, b.getIndexAttr(0),
                                                b.getIndexAttr(0)};
      SmallVector<OpFoldResult> blockSizes = {
          b.getIndexAttr(1), b.getIndexAttr(bn), b.getIndexAttr(bk)};
      SmallVector<OpFoldResult> unitStrides(3, b.getIndexAttr(1));
      Value block = tensor::ExtractSliceOp::create(
          b, l, blockType, values, blockOffsets, blockSizes, unitStrides);
      LastDimSlice ySlice(b, l, y,
                          arith::MulIOp::create(b, l, rb, cBn).getResult(), bn);
      Value ys = tensor::ExtractSliceOp::create(b, l, y, ySlice.offsets,
                                                ySlice.sizes, ySlice.strides);
      ys = accumulateBlock(b, l, xs, block, ys);
      return tensor::InsertSliceOp::create(b, l, ys, y, ySlice.offsets,
                                           ySlice.sizes, ySlice.strides);
    };

    auto rowLoop = scf::ForOp::create(
        rewriter, loc, c0, cRows, c1, ValueRange{zeros},
        [&](OpBuilder &b, Location l, Value rb, ValueRange rowIter) {
          Value begin = readIndex(b, l, rows, rb);
          Value next = arith::AddIOp::create(b, l, rb, c1);
          Value end = readIndex(b, l, rows, next);
          auto blockLoop = scf::ForOp::create(
              b, l, begin, end, c1, rowIter,
              [&](OpBuilder &bb, Location bl, Value e, ValueRange blockIter) {
                scf::YieldOp::create(bb, bl,
                                     addBlock(bb, bl, rb, e, blockIter[0]));
              });
          scf::YieldOp::create(b, l, blockLoop.getResult(0));
        });

    Value y = finishLinear(rewriter, loc, rowLoop.getResult(0), op.getBias(),
                           op.getType());
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// y = x · Wᵀ + bias with W in n:m form: every kept weight gathers its own
/// input column.
struct NMLinearToLinalg : OpRewritePattern<NMLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NMLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    Value x = op.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    int64_t lead = xType.getRank() - 1;
    int64_t n = op.getN(), m = op.getM();

    SmallVector<int64_t> yShape(xType.getShape());
    yShape.back() = valuesType.getDimSize(0);
    Value init = filledTensor(rewriter, loc, yShape, 0.0, x);

    // Loops: lead..., r (output row), j (kept element, reduced).
    MLIRContext *ctx = rewriter.getContext();
    unsigned loops = lead + 2;
    AffineExpr r = getAffineDimExpr(lead, ctx),
               j = getAffineDimExpr(lead + 1, ctx);
    SmallVector<AffineExpr> yExprs;
    for (int64_t d = 0; d < lead; ++d)
      yExprs.push_back(getAffineDimExpr(d, ctx));
    yExprs.push_back(r);
    AffineMap weightMap = AffineMap::get(loops, 0, {r, j}, ctx);
    SmallVector<AffineMap> maps = {weightMap, weightMap,
                                   AffineMap::get(loops, 0, yExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(loops,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;

    Value acc =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(),
            ValueRange{op.getValues(), op.getIndices()}, init, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              // Column (j div n)·m + indices[r, j] of the same token of x.
              SmallVector<Value> position;
              for (int64_t d = 0; d < lead; ++d)
                position.push_back(linalg::IndexOp::create(b, l, d));
              Value jIndex = linalg::IndexOp::create(b, l, lead + 1);
              Value group = arith::DivUIOp::create(
                  b, l, jIndex, arith::ConstantIndexOp::create(b, l, n));
              Value groupStart = arith::MulIOp::create(
                  b, l, group, arith::ConstantIndexOp::create(b, l, m));
              Value offset =
                  arith::IndexCastOp::create(b, l, b.getIndexType(), args[1]);
              position.push_back(
                  arith::AddIOp::create(b, l, groupStart, offset));
              Value xv = castScalar(
                  b, l, tensor::ExtractOp::create(b, l, x, position), f32);
              Value wv = castScalar(b, l, args[0], f32);
              Value prod = arith::MulFOp::create(b, l, xv, wv);
              linalg::YieldOp::create(
                  b, l, arith::AddFOp::create(b, l, prod, args[2]).getResult());
            })
            .getResult(0);

    Value y = finishLinear(rewriter, loc, acc, op.getBias(), op.getType());
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateSparseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BsrLinearToLinalg, NMLinearToLinalg>(patterns.getContext());
}

} // namespace linea
