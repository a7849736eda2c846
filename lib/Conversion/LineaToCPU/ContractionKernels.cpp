//===- ContractionKernels.cpp - vector kernels for row-dot contractions ---===//
//
// linea-to-linalg writes every linear layer as y[m, n] += x[m, k]·w[n, k]:
// both operands are read along K with unit stride, so the natural CPU kernel
// is a register tile of dot products. convert-linalg-to-loops would instead
// emit one scalar accumulation chain per output, bound by the latency of
// the f32 add (about 10× slower than memory for M = 1, 100× below the FMA
// units for M = 128). This pass emits, on buffers:
//
//   for each block of rows of w (≈ blockBytes, stays in L2)
//     for m in steps of tileM, n in the block in steps of tileN
//       acc[i][j] : vector<VL x f32> = 0
//       for k in steps of VL:                  (tileM + tileN loads,
//         acc[i][j] = fma(x[m+i, k:k+VL],       tileM·tileN FMAs)
//                         w[n+j, k:k+VL], acc[i][j])
//       y[m+i, n+j] += reduce_add(acc[i][j])
//
// with 1-row tiles for the rows of x and w left over. The fill of y before
// the contraction and the elementwise ops after it (bias, activation,
// residual; ContractionEpilogue.h) fold into the `y[m+i, n+j] +=` step:
// the sum starts from the fill's value and goes through their bodies before
// its one store, instead of a pass over the output each. The grouped form
// y[m, g, n] += x[m, g, k]·w[g, n, k] (block-diagonal layers, Monarch's
// first stage) runs the same nest per group on the views x[:, g, :], w[g]
// and y[:, g, :], serially.
//
// With num-threads > 1 the outer loop is an scf.parallel: blocks write
// disjoint columns of y, so they need no synchronisation, and blocks shrink
// to give every thread at least one. It runs only when M·N·K reaches
// min-parallel-work (a 64×64 layer costs less than waking a thread); with a
// dynamic M an scf.if picks the parallel or the serial nest at run time.
//
//===----------------------------------------------------------------------===//

#include "ContractionEpilogue.h"
#include "linea/Conversion/Passes.h"
#include "linea/Conversion/TileTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

namespace linea {
#define GEN_PASS_DEF_CPUCONTRACTIONKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// A rank-`rank` f32 memref whose rows have unit stride.
bool isF32RowMajor(Value v, int64_t rank = 2) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getRank() == rank && type.getElementType().isF32() &&
         type.isLastDimUnitStride();
}

/// True when `op`'s region is exactly `yield(add(mul(in0, in1), out))`, in
/// either operand order.
bool isMulAddBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value in0 = body.getArgument(0), in1 = body.getArgument(1),
        out = body.getArgument(2);
  auto mul = add.getLhs().getDefiningOp<arith::MulFOp>();
  Value acc = add.getRhs();
  if (!mul) {
    mul = add.getRhs().getDefiningOp<arith::MulFOp>();
    acc = add.getLhs();
  }
  if (!mul || acc != out)
    return false;
  return (mul.getLhs() == in0 && mul.getRhs() == in1) ||
         (mul.getLhs() == in1 && mul.getRhs() == in0);
}

/// Matches y[m, n] += x[m, k]·w[n, k] on f32 buffers with a static K that
/// is a multiple of `vectorWidth`.
bool isRowDotContraction(linalg::GenericOp op, int64_t vectorWidth) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3)
    return false;
  auto iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel ||
      iterators[1] != utils::IteratorType::parallel ||
      iterators[2] != utils::IteratorType::reduction)
    return false;
  MLIRContext *ctx = op.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> want = {AffineMap::get(3, 0, {m, k}, ctx),
                                 AffineMap::get(3, 0, {n, k}, ctx),
                                 AffineMap::get(3, 0, {m, n}, ctx)};
  if (op.getIndexingMapsArray() != want)
    return false;
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1],
        y = op.getDpsInits()[0];
  if (!isF32RowMajor(x) || !isF32RowMajor(w) || !isF32RowMajor(y))
    return false;
  int64_t kSize = cast<MemRefType>(x.getType()).getDimSize(1);
  return !ShapedType::isDynamic(kSize) && kSize % vectorWidth == 0 &&
         isMulAddBody(op);
}

/// Matches the batched form y[m, g, n] += x[m, g, k]·w[g, n, k] (a
/// block-diagonal layer, Monarch's first stage) under the same conditions
/// on K: one row-dot contraction per group g.
bool isGroupedRowDotContraction(linalg::GenericOp op, int64_t vectorWidth) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 4)
    return false;
  auto iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel ||
      iterators[1] != utils::IteratorType::parallel ||
      iterators[2] != utils::IteratorType::parallel ||
      iterators[3] != utils::IteratorType::reduction)
    return false;
  MLIRContext *ctx = op.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), g = getAffineDimExpr(1, ctx),
             n = getAffineDimExpr(2, ctx), k = getAffineDimExpr(3, ctx);
  SmallVector<AffineMap> want = {AffineMap::get(4, 0, {m, g, k}, ctx),
                                 AffineMap::get(4, 0, {g, n, k}, ctx),
                                 AffineMap::get(4, 0, {m, g, n}, ctx)};
  if (op.getIndexingMapsArray() != want)
    return false;
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1],
        y = op.getDpsInits()[0];
  if (!isF32RowMajor(x, 3) || !isF32RowMajor(w, 3) || !isF32RowMajor(y, 3))
    return false;
  auto wType = cast<MemRefType>(w.getType());
  int64_t kSize = wType.getDimSize(2);
  return wType.hasStaticShape() && kSize % vectorWidth == 0 && isMulAddBody(op);
}

/// The rank-2 view v[:, g, :] of a rank-3 buffer (dim 1 dropped).
Value groupSlice(OpBuilder &b, Location loc, Value v, Value g) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), g, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {memref::getMixedSize(b, loc, v, 0),
                                     b.getIndexAttr(1),
                                     b.getIndexAttr(type.getDimSize(2))};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  auto sliceType = memref::SubViewOp::inferRankReducedResultType(
      {type.getDimSize(0), type.getDimSize(2)}, type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, sliceType, v, offsets, sizes,
                                   strides);
}

/// The rank-2 view w[g, :, :] of a rank-3 buffer (dim 0 dropped).
Value groupWeights(OpBuilder &b, Location loc, Value w, Value g) {
  auto type = cast<MemRefType>(w.getType());
  SmallVector<OpFoldResult> offsets = {g, b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                     b.getIndexAttr(type.getDimSize(1)),
                                     b.getIndexAttr(type.getDimSize(2))};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  auto sliceType = memref::SubViewOp::inferRankReducedResultType(
      {type.getDimSize(1), type.getDimSize(2)}, type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, sliceType, w, offsets, sizes,
                                   strides);
}

/// Emits the loop nest replacing one matched contraction.
class KernelEmitter {
public:
  /// With `epilogue`, y starts from and ends through it (fused fill and
  /// elementwise consumers) instead of a load and a store of y.
  KernelEmitter(OpBuilder &b, Location loc, Value x, Value w, Value y,
                int64_t vectorWidth,
                const cpu_kernels::ContractionEpilogue *epilogue = nullptr)
      : b(b), loc(loc), x(x), w(w), y(y), epilogue(epilogue),
        vectorWidth(vectorWidth),
        vectorType(VectorType::get({vectorWidth}, b.getF32Type())),
        kSize(cast<MemRefType>(x.getType()).getDimSize(1)) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// y[m+i, n+j] += Σ_k x[m+i, k]·w[n+j, k] for i < rows, j < cols.
  void emitTile(Value m, Value n, int64_t rows, int64_t cols) {
    SmallVector<Value> xRows, wRows;
    for (int64_t i = 0; i < rows; ++i)
      xRows.push_back(i ? arith::AddIOp::create(b, loc, m, index(i)) : m);
    for (int64_t j = 0; j < cols; ++j)
      wRows.push_back(j ? arith::AddIOp::create(b, loc, n, index(j)) : n);
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorType, 0.0f));
    SmallVector<Value> init(rows * cols, zero);
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(kSize), index(vectorWidth), init,
        [&](OpBuilder &nb, Location l, Value k, ValueRange acc) {
          SmallVector<Value> xs, ws, next;
          for (Value r : xRows)
            xs.push_back(
                vector::LoadOp::create(nb, l, vectorType, x, ValueRange{r, k}));
          for (Value r : wRows)
            ws.push_back(
                vector::LoadOp::create(nb, l, vectorType, w, ValueRange{r, k}));
          for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j)
              next.push_back(vector::FMAOp::create(nb, l, xs[i], ws[j],
                                                   acc[i * cols + j]));
          scf::YieldOp::create(nb, l, next);
        });
    // The lanes are summed in any order (reassoc): a tree of shuffles
    // instead of a chain of scalar adds.
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        SmallVector<Value, 2> at = {xRows[i], wRows[j]};
        Value old = epilogue ? epilogue->initial(b, loc, at)
                             : memref::LoadOp::create(b, loc, y, at);
        Value sum = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, loop.getResult(i * cols + j),
            old, arith::FastMathFlags::reassoc);
        if (epilogue)
          epilogue->store(b, loc, sum, at);
        else
          memref::StoreOp::create(b, loc, sum, y, at);
      }
  }

  /// for iv in [lb, ub) step `step`: body(iv), iterations in parallel.
  void emitParallelLoop(Value lb, Value ub, int64_t step,
                        llvm::function_ref<void(Value)> body) {
    scf::ParallelOp::create(b, loc, lb, ub, index(step),
                            [&](OpBuilder &nb, Location, ValueRange ivs) {
                              // The builder adds scf.reduce afterwards.
                              OpBuilder::InsertionGuard guard(b);
                              b.setInsertionPointToEnd(nb.getInsertionBlock());
                              body(ivs.front());
                            });
  }

  /// for iv in [lb, ub) step `step`: body(iv).
  void emitLoop(Value lb, Value ub, int64_t step,
                llvm::function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, lb, ub, index(step), ValueRange{},
                       [&](OpBuilder &nb, Location l, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPoint(
                             scf::YieldOp::create(nb, l, ValueRange{}));
                         body(iv);
                       });
  }

  /// The whole contraction with tileM×tileN register tiles over blocks of
  /// `blockRows` rows of w; the blocks run on threads when `minRows` (the
  /// fewest rows of x worth it) is set and M reaches it.
  void emit(int64_t tileM, int64_t tileN, int64_t blockRows,
            std::optional<int64_t> minRows) {
    int64_t nSize = cast<MemRefType>(w.getType()).getDimSize(0);
    int64_t mStatic = cast<MemRefType>(x.getType()).getDimSize(0);
    Value mSize = memref::DimOp::create(b, loc, x, 0);
    Value mFull = arith::SubIOp::create(
        b, loc, mSize, arith::RemUIOp::create(b, loc, mSize, index(tileM)));
    int64_t nFull = nSize - nSize % tileN;
    auto blocks = [&](bool parallel) {
      emitBlocks(parallel, tileM, tileN, blockRows, nFull, mSize, mFull);
    };
    if (!minRows || nFull <= blockRows) {
      blocks(false);
    } else if (!ShapedType::isDynamic(mStatic)) {
      blocks(mStatic >= *minRows);
    } else {
      Value worth = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                          mSize, index(*minRows));
      scf::IfOp::create(
          b, loc, worth,
          [&](OpBuilder &nb, Location l) {
            blocks(true);
            scf::YieldOp::create(nb, l);
          },
          [&](OpBuilder &nb, Location l) {
            blocks(false);
            scf::YieldOp::create(nb, l);
          });
    }
    if (nFull < nSize)
      emitLoop(index(nFull), index(nSize), 1, [&](Value n) {
        emitLoop(index(0), mSize, 1, [&](Value m) { emitTile(m, n, 1, 1); });
      });
  }

  /// The register tiles of rows [0, nFull) of w, block by block.
  void emitBlocks(bool parallel, int64_t tileM, int64_t tileN,
                  int64_t blockRows, int64_t nFull, Value mSize, Value mFull) {
    auto loop =
        parallel ? &KernelEmitter::emitParallelLoop : &KernelEmitter::emitLoop;
    (this->*loop)(index(0), index(nFull), blockRows, [&](Value n0) {
      Value nEnd = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, n0, index(blockRows)),
          index(nFull));
      emitLoop(index(0), mFull, tileM, [&](Value m) {
        emitLoop(n0, nEnd, tileN,
                 [&](Value n) { emitTile(m, n, tileM, tileN); });
      });
      emitLoop(mFull, mSize, 1, [&](Value m) {
        emitLoop(n0, nEnd, tileN, [&](Value n) { emitTile(m, n, 1, tileN); });
      });
    });
  }

private:
  OpBuilder &b;
  Location loc;
  Value x, w, y;
  const cpu_kernels::ContractionEpilogue *epilogue;
  int64_t vectorWidth;
  VectorType vectorType;
  int64_t kSize;
};

struct CpuContractionKernelsPass
    : linea::impl::CpuContractionKernelsBase<CpuContractionKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (vectorWidth < 1 || tileM < 1 || tileN < 1 || blockBytes < 1 ||
        numThreads < 1 || minParallelWork < 1) {
      getOperation().emitError()
          << "linea-cpu-contraction-kernels: vector-width ("
          << int64_t(vectorWidth) << "), tile-m (" << int64_t(tileM)
          << "), tile-n (" << int64_t(tileN) << "), block-bytes ("
          << int64_t(blockBytes) << "), num-threads (" << int64_t(numThreads)
          << ") and min-parallel-work (" << int64_t(minParallelWork)
          << ") must be positive";
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> matches, grouped;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isRowDotContraction(op, vectorWidth))
        matches.push_back(op);
      else if (isGroupedRowDotContraction(op, vectorWidth))
        grouped.push_back(op);
    });
    // Grouped contractions: the kernel per group, on views (one thread;
    // the groups are small).
    for (linalg::GenericOp op : grouped) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1],
            y = op.getDpsInits()[0];
      auto wType = cast<MemRefType>(w.getType());
      int64_t rowBytes = wType.getDimSize(2) * int64_t(sizeof(float));
      int64_t blockRows =
          std::max<int64_t>(1, blockBytes / (rowBytes * tileN)) * tileN;
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value groups =
          arith::ConstantIndexOp::create(b, loc, wType.getDimSize(0));
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      scf::ForOp::create(b, loc, zero, groups, one, ValueRange{},
                         [&](OpBuilder &nb, Location l, Value g, ValueRange) {
                           Value xs = groupSlice(nb, l, x, g),
                                 ys = groupSlice(nb, l, y, g);
                           Value ws = groupWeights(nb, l, w, g);
                           KernelEmitter(nb, l, xs, ws, ys, vectorWidth)
                               .emit(tileM, tileN, blockRows, std::nullopt);
                           scf::YieldOp::create(nb, l);
                         });
      op.erase();
    }
    for (linalg::GenericOp op : matches) {
      // Tiles measured for this shape (linea-cpu-tile-table) win.
      int64_t tileM = this->tileM, tileN = this->tileN,
              blockBytes = this->blockBytes;
      if (auto t = op->getAttrOfType<DenseI64ArrayAttr>(kCpuTileAttr);
          t && t.size() == 3) {
        if (t[0] <= 0 || t[1] <= 0 || t[2] <= 0) {
          op->emitError() << getArgument() << ": " << kCpuTileAttr
                          << " must be three positive numbers, got [" << t[0]
                          << ", " << t[1] << ", " << t[2] << "]";
          return signalPassFailure();
        }
        tileM = t[0], tileN = t[1], blockBytes = t[2];
      }
      // The fill of y and the elementwise ops after it (bias, activation,
      // residual) go into the kernel's store; the kernel takes the place
      // of the last one.
      std::optional<cpu_kernels::ContractionEpilogue> epilogue;
      if (fuseEpilogues)
        epilogue = cpu_kernels::ContractionEpilogue::analyze(op);
      OpBuilder b(epilogue ? epilogue->insertionPoint() : op.getOperation());
      Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1],
            y = op.getDpsInits()[0];
      int64_t kSize = cast<MemRefType>(x.getType()).getDimSize(1);
      // Whole register tiles of w rows per block, at least one.
      int64_t rowBytes = kSize * int64_t(sizeof(float));
      int64_t blockRows =
          std::max<int64_t>(1, blockBytes / (rowBytes * tileN)) * tileN;
      // Threads only at the outermost parallel level (a nested region
      // would multiply them), with at least one block per thread.
      std::optional<int64_t> minRows;
      if (numThreads > 1 && !op->getParentOfType<scf::ParallelOp>()) {
        int64_t nSize = cast<MemRefType>(w.getType()).getDimSize(0);
        int64_t perThread = llvm::divideCeil(nSize / tileN, numThreads);
        blockRows =
            std::min(blockRows, std::max<int64_t>(1, perThread) * tileN);
        minRows = llvm::divideCeil(minParallelWork,
                                   std::max<int64_t>(1, nSize * kSize));
      }
      KernelEmitter(b, op.getLoc(), x, w, y, vectorWidth,
                    epilogue ? &*epilogue : nullptr)
          .emit(tileM, tileN, blockRows, minRows);
      op.erase();
      if (epilogue)
        epilogue->eraseReplaced();
    }
  }
};

} // namespace
} // namespace linea
