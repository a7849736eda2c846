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
// with 1-row tiles for the rows of x and w left over. That reads each x
// row once per 4 rows of w: fine while M is small and W's bytes dominate,
// but from about M = 32 (gemm-min-rows) the loads of x from L2 bound it.
// There, for the columns that fill whole tiles of VV = gemm-vectors
// vectors, it is a packed GEMM instead:
//
//   for each block of columns n0 (≈ gemm-block-bytes of packed w; threads)
//     for each K block k0 (≈ gemm-k-block, whole vectors)
//       packed[p][k][c] = w[n0 + p·VV·VL + c, k0 + k]   (VL×VL transposes)
//       for each panel p, m in steps of R (gemm-rows), then single rows
//         acc[i][v] = first ? 0 : partial[m+i, p, v]
//         for k: acc[i][v] = fma(broadcast x[m+i, k0+k], packed[p][k][v], ..)
//         last ? y[m+i, n] = epilogue(acc + start) : partial = acc
//
// Each panel (K block × VV vectors; 128 × 64 floats = 32 KiB, in L1) is
// reused by every row of x, each x element by VV vectors of columns; in
// the packed path the epilogue runs on the tile's vectors (one store per
// vector), and every y[m, n] is summed along K in
// order whatever the blocks, tiles or threads. The fill of y before
// the contraction and the elementwise ops after it (bias, activation,
// residual; ContractionEpilogue.h) fold into the `y[m+i, n+j] +=` step:
// the sum starts from the fill's value and goes through their bodies before
// its one store, instead of a pass over the output each. The grouped form
// y[m, g, n] += x[m, g, k]·w[g, n, k] (block-diagonal layers, Monarch's
// first stage) runs the same nest per group on the views x[:, g, :], w[g]
// and y[:, g, :], serially.
//
// A constant w that linea-cpu-prepack-weights (the pass at the end of this
// file) stored as panels [N/C, K, C] at compile time, read through
// (n floordiv C, k, n mod C), takes the GEMM for every M with no packing:
// one panel per block, its K blocks read straight from the panels.
//
// With num-threads > 1 the outer loop is an scf.parallel: blocks write
// disjoint columns of y, so they need no synchronisation, and blocks shrink
// to give every thread at least one. It runs only when M·N·K reaches
// min-parallel-work (a 64×64 layer costs less than waking a thread); with a
// dynamic M an scf.if picks the parallel or the serial nest at run time.
//
//===----------------------------------------------------------------------===//

#include "ContractionEpilogue.h"
#include "KernelEmitterBase.h"
#include "linea/Conversion/Passes.h"
#include "linea/Conversion/TileTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <optional>

namespace linea {
#define GEN_PASS_DEF_CPUCONTRACTIONKERNELS
#define GEN_PASS_DEF_CPUPREPACKWEIGHTS
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
  return !ShapedType::isDynamic(kSize) && kSize > 0 &&
         kSize % vectorWidth == 0 && isMulAddBody(op);
}

/// The affine map (m, n, k) -> (n floordiv cols, k, n mod cols): how a
/// contraction reads w pre-packed into k-major panels of `cols` columns.
AffineMap packedWeightMap(MLIRContext *ctx, int64_t cols) {
  AffineExpr n = getAffineDimExpr(1, ctx), k = getAffineDimExpr(2, ctx);
  return AffineMap::get(3, 0, {n.floorDiv(cols), k, n % cols}, ctx);
}

/// Matches y[m, n] += x[m, k]·w[n floordiv C, k, n mod C] (w pre-packed by
/// linea-cpu-prepack-weights into panels [N/C, K, C]) on f32 buffers with a
/// static K and C multiples of `vectorWidth`; returns C.
std::optional<int64_t> prepackedColumns(linalg::GenericOp op,
                                        int64_t vectorWidth) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3)
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel ||
      iterators[1] != utils::IteratorType::parallel ||
      iterators[2] != utils::IteratorType::reduction)
    return std::nullopt;
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1],
        y = op.getDpsInits()[0];
  auto wType = dyn_cast<MemRefType>(w.getType());
  if (!isF32RowMajor(x) || !isF32RowMajor(y) || !wType ||
      wType.getRank() != 3 || !wType.getElementType().isF32() ||
      !wType.hasStaticShape() || !wType.getLayout().isIdentity())
    return std::nullopt;
  int64_t cols = wType.getDimSize(2);
  int64_t kSize = cast<MemRefType>(x.getType()).getDimSize(1);
  int64_t nSize = cast<MemRefType>(y.getType()).getDimSize(1);
  if (cols % vectorWidth != 0 || kSize != wType.getDimSize(1) ||
      nSize != wType.getDimSize(0) * cols || kSize % vectorWidth != 0)
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> want = {AffineMap::get(3, 0, {m, k}, ctx),
                                 packedWeightMap(ctx, cols),
                                 AffineMap::get(3, 0, {m, n}, ctx)};
  if (op.getIndexingMapsArray() != want || !isMulAddBody(op))
    return std::nullopt;
  return cols;
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
  return wType.hasStaticShape() && kSize > 0 && kSize % vectorWidth == 0 &&
         isMulAddBody(op);
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

/// Sizes of the packed GEMM path (see the file header).
struct GemmTiling {
  /// Rows of x (M) from which the path runs; 0: never.
  int64_t minRows = 0;
  /// Register tile: `rows` rows of x × `vectors` vectors of columns of y.
  int64_t rows = 6, vectors = 4;
  /// Target K per block and bytes of packed w per block.
  int64_t kBlock = 128, blockBytes = 1 << 20;
  /// Threads the blocks of columns are shared among.
  int64_t threads = 1;
};

/// Emits the loop nest replacing one matched contraction.
class KernelEmitter : public cpu_kernels::KernelEmitterBase {
public:
  /// With `epilogue`, y starts from and ends through it (fused fill and
  /// elementwise consumers) instead of a load and a store of y.
  /// With `prepackedCols`, w is already in panels [N/C, K, C] (C =
  /// `prepackedCols`; linea-cpu-prepack-weights) and every M takes the
  /// GEMM without packing.
  KernelEmitter(OpBuilder &b, Location loc, Value x, Value w, Value y,
                int64_t vectorWidth,
                const cpu_kernels::ContractionEpilogue *epilogue = nullptr,
                int64_t prepackedCols = 0)
      : KernelEmitterBase(b, loc), x(x), w(w), y(y), epilogue(epilogue),
        vectorWidth(vectorWidth),
        vectorType(VectorType::get({vectorWidth}, b.getF32Type())),
        kSize(cast<MemRefType>(x.getType()).getDimSize(1)),
        nSize(cast<MemRefType>(y.getType()).getDimSize(1)),
        prepackedCols(prepackedCols) {}

  /// y[m+i, n+j] += Σ_k x[m+i, k]·w[n+j, k] for i < rows, j < cols.
  void emitTile(Value m, Value n, int64_t rows, int64_t cols) {
    SmallVector<Value> xRows, wRows;
    for (int64_t i = 0; i < rows; ++i)
      xRows.push_back(add(m, i));
    for (int64_t j = 0; j < cols; ++j)
      wRows.push_back(add(n, j));
    SmallVector<Value> init(rows * cols, zeroVector());
    SmallVector<Value> acc =
        loop(index(0), index(kSize), vectorWidth, init,
             [&](Value k, ValueRange acc) {
               SmallVector<Value> xs, ws, next;
               for (Value r : xRows)
                 xs.push_back(vector::LoadOp::create(b, loc, vectorType, x,
                                                     ValueRange{r, k}));
               for (Value r : wRows)
                 ws.push_back(vector::LoadOp::create(b, loc, vectorType, w,
                                                     ValueRange{r, k}));
               for (int64_t i = 0; i < rows; ++i)
                 for (int64_t j = 0; j < cols; ++j)
                   next.push_back(vector::FMAOp::create(b, loc, xs[i], ws[j],
                                                        acc[i * cols + j]));
               return next;
             });
    // The lanes are summed in any order (reassoc): a tree of shuffles
    // instead of a chain of scalar adds.
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        SmallVector<Value, 2> at = {xRows[i], wRows[j]};
        Value old = epilogue ? epilogue->initial(b, loc, at)
                             : memref::LoadOp::create(b, loc, y, at);
        Value sum = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, acc[i * cols + j], old,
            arith::FastMathFlags::reassoc);
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

  /// The loop over blocks of columns: on threads when `parallel`.
  void blockLoop(bool parallel, Value lb, Value ub, int64_t step,
                 llvm::function_ref<void(Value)> body) {
    if (parallel)
      emitParallelLoop(lb, ub, step, body);
    else
      loop(lb, ub, step, body);
  }

  /// body(parallel): parallel when `minRows` (the fewest rows of x worth
  /// threads) is set, `split` (there is more than one block) and M reaches
  /// it; decided here for a static M, else by an scf.if.
  void withThreads(std::optional<int64_t> minRows, bool split, Value mSize,
                   llvm::function_ref<void(bool)> body) {
    int64_t mStatic = cast<MemRefType>(x.getType()).getDimSize(0);
    if (!minRows || !split)
      return body(false);
    if (!ShapedType::isDynamic(mStatic))
      return body(mStatic >= *minRows);
    Value worth = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                        mSize, index(*minRows));
    ifElse(
        worth, [&] { body(true); }, [&] { body(false); });
  }

  /// The whole contraction: from `gemm->minRows` rows of x on (when set)
  /// the packed GEMM for the columns of y that fill whole register tiles,
  /// else tileM×tileN dot-product tiles over blocks of `blockRows` rows of
  /// w; the blocks run on threads when `minRows` (the fewest rows of x
  /// worth it) is set and M reaches it.
  void emit(int64_t tileM, int64_t tileN, int64_t blockRows,
            std::optional<int64_t> minRows, const GemmTiling *gemm = nullptr) {
    int64_t mStatic = cast<MemRefType>(x.getType()).getDimSize(0);
    Value mSize = memref::DimOp::create(b, loc, x, 0);
    if (prepackedCols) {
      // No packing left to amortise: the GEMM for every M (the panels are
      // the only copy of w).
      GemmTiling tiling = gemm ? *gemm : GemmTiling();
      tiling.vectors = prepackedCols / vectorWidth;
      return emitGemm(tiling, nSize, minRows, mSize);
    }
    auto dot = [&] {
      emitDot(tileM, tileN, blockRows, minRows, mSize, /*nBegin=*/0);
    };
    int64_t panelCols = gemm ? gemm->vectors * vectorWidth : 0;
    int64_t nGemm = 0;
    if (gemm && gemm->minRows > 0 && llvm::isPowerOf2_64(vectorWidth))
      nGemm = nSize - nSize % panelCols;
    // The partial sums are M × block columns per block: until M is blocked
    // too, very tall x stays on the dot tiles rather than allocate
    // (M · 4 KiB) per block.
    constexpr int64_t kMaxGemmRows = 4096;
    if (nGemm == 0 ||
        (!ShapedType::isDynamic(mStatic) &&
         (mStatic < gemm->minRows || mStatic > kMaxGemmRows)))
      return dot();
    auto packed = [&] {
      emitGemm(*gemm, nGemm, minRows, mSize);
      if (nGemm < nSize)
        emitDot(tileM, tileN, blockRows, std::nullopt, mSize, nGemm);
    };
    if (!ShapedType::isDynamic(mStatic))
      return packed();
    Value atLeast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                          mSize, index(gemm->minRows));
    Value atMost = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                                         mSize, index(kMaxGemmRows));
    Value large = arith::AndIOp::create(b, loc, atLeast, atMost);
    ifElse(large, packed, dot);
  }

  /// Dot-product tiles for the columns [nBegin, N) of y.
  void emitDot(int64_t tileM, int64_t tileN, int64_t blockRows,
               std::optional<int64_t> minRows, Value mSize, int64_t nBegin) {
    Value mFull = arith::SubIOp::create(
        b, loc, mSize, arith::RemUIOp::create(b, loc, mSize, index(tileM)));
    int64_t nFull = nSize - (nSize - nBegin) % tileN;
    withThreads(minRows, nFull - nBegin > blockRows, mSize, [&](bool parallel) {
      emitBlocks(parallel, tileM, tileN, blockRows, nBegin, nFull, mSize,
                 mFull);
    });
    if (nFull < nSize)
      loop(index(nFull), index(nSize), 1, [&](Value n) {
        loop(index(0), mSize, 1, [&](Value m) { emitTile(m, n, 1, 1); });
      });
  }

  /// The register tiles of rows [nBegin, nFull) of w, block by block.
  void emitBlocks(bool parallel, int64_t tileM, int64_t tileN,
                  int64_t blockRows, int64_t nBegin, int64_t nFull, Value mSize,
                  Value mFull) {
    blockLoop(parallel, index(nBegin), index(nFull), blockRows, [&](Value n0) {
      Value nEnd =
          arith::MinUIOp::create(b, loc, add(n0, blockRows), index(nFull));
      loop(index(0), mFull, tileM, [&](Value m) {
        loop(n0, nEnd, tileN, [&](Value n) { emitTile(m, n, tileM, tileN); });
      });
      loop(mFull, mSize, 1, [&](Value m) {
        loop(n0, nEnd, tileN, [&](Value n) { emitTile(m, n, 1, tileN); });
      });
    });
  }

  /// The packed GEMM for the columns [0, nGemm) of y (a multiple of the
  /// tile's columns): blocks of columns (on threads as for emitDot), in
  /// each a loop over blocks of K that packs w's block and runs the
  /// register tiles over it, keeping partial sums in a per-block buffer.
  void emitGemm(const GemmTiling &g, int64_t nGemm,
                std::optional<int64_t> minRows, Value mSize) {
    int64_t cols = g.vectors * vectorWidth;
    // K blocks of (nearly) equal size in whole vectors.
    int64_t target =
        std::max(vectorWidth, g.kBlock / vectorWidth * vectorWidth);
    int64_t kc = llvm::alignTo(
        llvm::divideCeil(kSize, llvm::divideCeil(kSize, target)), vectorWidth);
    int64_t kBlocks = llvm::divideCeil(kSize, kc);
    int64_t kLast = kSize - (kBlocks - 1) * kc;
    int64_t panels = nGemm / cols;
    // Pre-packed w: one panel per block, streamed along K once (its K
    // blocks are contiguous); the partial sums are M × one panel.
    int64_t blockPanels =
        prepackedCols ? 1
                      : std::clamp<int64_t>(
                            g.blockBytes / (kc * cols * int64_t(sizeof(float))),
                            1, panels);
    if (minRows)
      blockPanels =
          std::min(blockPanels,
                   std::max<int64_t>(1, llvm::divideCeil(panels, g.threads)));
    int64_t blockCols = blockPanels * cols;
    // Elementwise ops that cannot run on vectors of columns (an operand
    // read along them in another dim) go element by element, from the
    // partial sums' buffer.
    bool scalarEpilogue = epilogue && !epilogue->isVectorizable();
    Type f32 = b.getF32Type();
    withThreads(minRows, nGemm > blockCols, mSize, [&](bool parallel) {
      blockLoop(parallel, index(0), index(nGemm), blockCols, [&](Value n0) {
        Value nEnd =
            arith::MinUIOp::create(b, loc, add(n0, blockCols), index(nGemm));
        IntegerAttr align = b.getI64IntegerAttr(64);
        Value packed = prepackedCols ? w
                                     : memref::AllocOp::create(
                                           b, loc,
                                           MemRefType::get(
                                               {blockPanels, kc, cols}, f32),
                                           ValueRange{}, align);
        Value partial;
        if (kBlocks > 1 || scalarEpilogue)
          partial = memref::AllocOp::create(
              b, loc, MemRefType::get({ShapedType::kDynamic, blockCols}, f32),
              ValueRange{mSize}, align);
        GemmBlock block{g, n0, nEnd, packed, partial, mSize};
        if (kBlocks == 1) {
          emitGemmBlock(block, index(0), kSize, true, true);
        } else {
          emitGemmBlock(block, index(0), kc, true, false);
          if (kBlocks > 2)
            loop(index(1), index(kBlocks - 1), 1, [&](Value kb) {
              emitGemmBlock(block, arith::MulIOp::create(b, loc, kb, index(kc)),
                            kc, false, false);
            });
          emitGemmBlock(block, index((kBlocks - 1) * kc), kLast, false, true);
        }
        if (!prepackedCols)
          memref::DeallocOp::create(b, loc, packed);
        if (partial)
          memref::DeallocOp::create(b, loc, partial);
      });
    });
  }

private:
  /// One block of columns [n0, nEnd) of the GEMM and its buffers: packed
  /// w (panel, k, column) and the partial sums (row, column - n0).
  struct GemmBlock {
    const GemmTiling &tiling;
    Value n0, nEnd, packed, partial, mSize;
  };

  Value zeroVector() {
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(vectorType, 0.0f));
  }

  /// rows[r][c] → result[c][r] for vectorWidth (a power of two) rows: each
  /// round swaps the off-diagonal h×h blocks of every 2h×2h block with
  /// two-input shuffles (log2 rounds, vectorWidth shuffles each).
  SmallVector<Value> transpose(SmallVector<Value> rows) {
    int64_t n = rows.size();
    for (int64_t h = n / 2; h >= 1; h /= 2) {
      SmallVector<int64_t> low(n), high(n);
      for (int64_t c = 0; c < n; ++c) {
        low[c] = (c & h) ? n + c - h : c;
        high[c] = (c & h) ? n + c : c + h;
      }
      for (int64_t i = 0; i < n; ++i) {
        if (i & h)
          continue;
        Value top = rows[i], bottom = rows[i + h];
        rows[i] = vector::ShuffleOp::create(b, loc, top, bottom, low);
        rows[i + h] = vector::ShuffleOp::create(b, loc, top, bottom, high);
      }
    }
    return rows;
  }

  /// Packs w[n0 : nEnd, k0 : k0+kcb] as packed[p, k, c] = w[n0 + p·cols +
  /// c, k0 + k], vectorWidth×vectorWidth squares transposed in registers.
  void emitPack(const GemmBlock &block, Value k0, int64_t kcb) {
    int64_t cols = block.tiling.vectors * vectorWidth;
    loop(block.n0, block.nEnd, cols, [&](Value np) {
      Value p = arith::DivUIOp::create(
          b, loc, arith::SubIOp::create(b, loc, np, block.n0), index(cols));
      for (int64_t v = 0; v < block.tiling.vectors; ++v)
        loop(index(0), index(kcb), vectorWidth, [&](Value kk) {
          Value k = arith::AddIOp::create(b, loc, k0, kk);
          SmallVector<Value> rows;
          for (int64_t r = 0; r < vectorWidth; ++r)
            rows.push_back(vector::LoadOp::create(
                b, loc, vectorType, w,
                ValueRange{add(np, v * vectorWidth + r), k}));
          SmallVector<Value> columns = transpose(rows);
          for (int64_t c = 0; c < vectorWidth; ++c)
            vector::StoreOp::create(
                b, loc, columns[c], block.packed,
                ValueRange{p, add(kk, c), index(v * vectorWidth)});
        });
    });
  }

  /// One K block [k0, k0+kcb): pack it, then every register tile of the
  /// block of columns, panel by panel (a panel is reused by all rows of
  /// x). `first`: the sums start from zero, else from the partial sums;
  /// `last`: they end in y (through the epilogue), else in the partial
  /// sums.
  void emitGemmBlock(const GemmBlock &block, Value k0, int64_t kcb, bool first,
                     bool last) {
    if (!prepackedCols)
      emitPack(block, k0, kcb);
    int64_t rows = block.tiling.rows;
    int64_t cols = block.tiling.vectors * vectorWidth;
    loop(block.n0, block.nEnd, cols, [&](Value np) {
      Value local = arith::SubIOp::create(b, loc, np, block.n0);
      // The panel: of the block's buffer, or of all of pre-packed w.
      Value p = arith::DivUIOp::create(b, loc, prepackedCols ? np : local,
                                       index(cols));
      auto tile = [&](Value m, int64_t tileRows) {
        emitGemmTile(block, m, tileRows, np, local, p, k0, kcb, first, last);
      };
      // Full tiles, then the rows left (fewer than `rows`) in tiles of 4,
      // 2 and 1 rows rather than one at a time (a 1-row tile is bound by
      // its loads and the FMA latency).
      Value begin = index(0);
      for (int64_t tileRows : {rows, int64_t(4), int64_t(2), int64_t(1)}) {
        if (tileRows != rows && tileRows >= rows)
          continue;
        Value left = arith::SubIOp::create(b, loc, block.mSize, begin);
        Value end = arith::SubIOp::create(
            b, loc, block.mSize,
            arith::RemUIOp::create(b, loc, left, index(tileRows)));
        loop(begin, end, tileRows, [&](Value m) { tile(m, tileRows); });
        begin = end;
      }
    });
  }

  /// The register tile rows [m, m+tileRows) × columns [np, np+cols) over
  /// one K block: tileRows × vectors accumulators, each step one broadcast
  /// x[m+i, k] per row and one load of packed w per vector, summed along
  /// K in order (so every output's sum is the same whatever the tiling).
  void emitGemmTile(const GemmBlock &block, Value m, int64_t tileRows, Value np,
                    Value local, Value p, Value k0, int64_t kcb, bool first,
                    bool last) {
    int64_t vectors = block.tiling.vectors;
    SmallVector<Value> xRows;
    for (int64_t i = 0; i < tileRows; ++i)
      xRows.push_back(add(m, i));
    auto partialAt = [&](int64_t i, int64_t v) {
      return SmallVector<Value, 2>{xRows[i], add(local, v * vectorWidth)};
    };
    SmallVector<Value> init;
    for (int64_t i = 0; i < tileRows; ++i)
      for (int64_t v = 0; v < vectors; ++v)
        init.push_back(first ? zeroVector()
                             : vector::LoadOp::create(b, loc, vectorType,
                                                      block.partial,
                                                      partialAt(i, v)));
    int64_t unroll = kcb % 4 == 0 ? 4 : 1;
    SmallVector<Value> acc = loop(
        index(0), index(kcb), unroll, init, [&](Value k, ValueRange carried) {
          SmallVector<Value> next(carried);
          for (int64_t u = 0; u < unroll; ++u) {
            Value kk = add(k, u);
            Value kx = arith::AddIOp::create(b, loc, k0, kk);
            SmallVector<Value> ws;
            for (int64_t v = 0; v < vectors; ++v)
              ws.push_back(vector::LoadOp::create(
                  b, loc, vectorType, block.packed,
                  ValueRange{p, prepackedCols ? kx : kk,
                             index(v * vectorWidth)}));
            for (int64_t i = 0; i < tileRows; ++i) {
              Value xs = vector::BroadcastOp::create(
                  b, loc, vectorType,
                  memref::LoadOp::create(b, loc, x, ValueRange{xRows[i], kx}));
              for (int64_t v = 0; v < vectors; ++v)
                next[i * vectors + v] = vector::FMAOp::create(
                    b, loc, xs, ws[v], next[i * vectors + v]);
            }
          }
          return next;
        });
    bool scalarEpilogue = epilogue && !epilogue->isVectorizable();
    if (!last || scalarEpilogue) {
      for (int64_t i = 0; i < tileRows; ++i)
        for (int64_t v = 0; v < vectors; ++v)
          vector::StoreOp::create(b, loc, acc[i * vectors + v], block.partial,
                                  partialAt(i, v));
    }
    if (!last)
      return;
    if (scalarEpilogue) {
      // Element by element through the fused ops (one copy of their
      // bodies per tile shape).
      int64_t cols = vectors * vectorWidth;
      loop(m, add(m, tileRows), 1, [&](Value row) {
        loop(index(0), index(cols), 1, [&](Value c) {
          Value sum = memref::LoadOp::create(
              b, loc, block.partial,
              ValueRange{row, arith::AddIOp::create(b, loc, local, c)});
          SmallVector<Value, 2> at = {row,
                                      arith::AddIOp::create(b, loc, np, c)};
          sum =
              arith::AddFOp::create(b, loc, sum, epilogue->initial(b, loc, at));
          epilogue->store(b, loc, sum, at);
        });
      });
      return;
    }
    for (int64_t i = 0; i < tileRows; ++i)
      for (int64_t v = 0; v < vectors; ++v) {
        SmallVector<Value, 2> at = {xRows[i], add(np, v * vectorWidth)};
        Value sum = acc[i * vectors + v];
        if (epilogue) {
          epilogue->storeVector(b, loc, sum, at);
          continue;
        }
        Value old = vector::LoadOp::create(b, loc, vectorType, y, at);
        vector::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, sum, old),
                                y, at);
      }
  }

  Value x, w, y;
  const cpu_kernels::ContractionEpilogue *epilogue;
  int64_t vectorWidth;
  VectorType vectorType;
  int64_t kSize, nSize;
  /// Columns per panel of pre-packed w; 0: w is [N, K].
  int64_t prepackedCols;
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
    if (gemmMinRows < 0 || gemmRows < 1 || gemmVectors < 1 || gemmKBlock < 1 ||
        gemmBlockBytes < 1) {
      getOperation().emitError()
          << "linea-cpu-contraction-kernels: gemm-min-rows ("
          << int64_t(gemmMinRows) << ") must be 0 or more, gemm-rows ("
          << int64_t(gemmRows) << "), gemm-vectors (" << int64_t(gemmVectors)
          << "), gemm-k-block (" << int64_t(gemmKBlock)
          << ") and gemm-block-bytes (" << int64_t(gemmBlockBytes)
          << ") positive";
      return signalPassFailure();
    }
    GemmTiling gemm{gemmMinRows, gemmRows,       gemmVectors,
                    gemmKBlock,  gemmBlockBytes, numThreads};
    SmallVector<linalg::GenericOp> matches, grouped;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isRowDotContraction(op, vectorWidth) ||
          prepackedColumns(op, vectorWidth))
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
      scf::ForOp::create(
          b, loc, zero, groups, one, ValueRange{},
          [&](OpBuilder &nb, Location l, Value g, ValueRange) {
            Value xs = groupSlice(nb, l, x, g), ys = groupSlice(nb, l, y, g);
            Value ws = groupWeights(nb, l, w, g);
            KernelEmitter(nb, l, xs, ws, ys, vectorWidth)
                .emit(tileM, tileN, blockRows, std::nullopt, &gemm);
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
      int64_t nSize = cast<MemRefType>(y.getType()).getDimSize(1);
      int64_t prepackedCols = prepackedColumns(op, vectorWidth).value_or(0);
      // Whole register tiles of w rows per block, at least one.
      int64_t rowBytes = kSize * int64_t(sizeof(float));
      int64_t blockRows =
          std::max<int64_t>(1, blockBytes / (rowBytes * tileN)) * tileN;
      // Threads only at the outermost parallel level (a nested region
      // would multiply them), with at least one block per thread.
      std::optional<int64_t> minRows;
      if (numThreads > 1 && !op->getParentOfType<scf::ParallelOp>()) {
        int64_t perThread = llvm::divideCeil(nSize / tileN, numThreads);
        blockRows =
            std::min(blockRows, std::max<int64_t>(1, perThread) * tileN);
        minRows = llvm::divideCeil(minParallelWork,
                                   std::max<int64_t>(1, nSize * kSize));
      }
      KernelEmitter(b, op.getLoc(), x, w, y, vectorWidth,
                    epilogue ? &*epilogue : nullptr, prepackedCols)
          .emit(tileM, tileN, blockRows, minRows, &gemm);
      op.erase();
      if (epilogue)
        epilogue->eraseReplaced();
    }
  }
};

/// The f32 constant `value` [N, K] as panels [N/cols, K, cols]
/// (packed[p, k, c] = w[p·cols + c, k]); a dense_resource gives a new
/// dense_resource blob (large weights stay out of the attribute uniquer).
/// Null when its bytes cannot be read.
ElementsAttr packPanels(ElementsAttr value, int64_t cols) {
  auto type = cast<ShapedType>(value.getType());
  int64_t nSize = type.getDimSize(0), kSize = type.getDimSize(1);
  auto packedType =
      RankedTensorType::get({nSize / cols, kSize, cols}, type.getElementType());
  ArrayRef<char> src;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return DenseElementsAttr::get(packedType,
                                    dense.getSplatValue<Attribute>());
    src = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      src = blob->getData();
  }
  if (src.size() != size_t(nSize * kSize) * sizeof(float))
    return {};
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(src.size(), 64);
  MutableArrayRef<char> dst = blob.getMutableData();
  auto *in = reinterpret_cast<const float *>(src.data());
  auto *out = reinterpret_cast<float *>(dst.data());
  for (int64_t p = 0; p < nSize / cols; ++p)
    for (int64_t c = 0; c < cols; ++c) {
      const float *row = in + (p * cols + c) * kSize;
      float *panel = out + p * kSize * cols + c;
      for (int64_t k = 0; k < kSize; ++k)
        panel[k * cols] = row[k];
    }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    std::string name = (resource.getRawHandle().getKey() + "_panels").str();
    return DenseResourceElementsAttr::get(packedType, name, std::move(blob));
  }
  return DenseElementsAttr::getFromRawBuffer(packedType, blob.getData());
}

struct CpuPrepackWeightsPass
    : linea::impl::CpuPrepackWeightsBase<CpuPrepackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (vectorWidth < 1 || panelVectors < 1) {
      module.emitError() << "linea-cpu-prepack-weights: vector-width ("
                         << int64_t(vectorWidth) << ") and panel-vectors ("
                         << int64_t(panelVectors) << ") must be positive";
      return signalPassFailure();
    }
    int64_t cols = vectorWidth * panelVectors;
    SymbolTable symbols(module);
    llvm::DenseMap<Operation *, memref::GlobalOp> packedOf;
    SmallVector<memref::GlobalOp> replaced;
    SmallVector<linalg::GenericOp> ops;
    module.walk([&](linalg::GenericOp op) {
      if (isRowDotContraction(op, vectorWidth))
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops) {
      Value w = op.getDpsInputs()[1];
      auto get = w.getDefiningOp<memref::GetGlobalOp>();
      auto wType = cast<MemRefType>(w.getType());
      if (!get || !wType.hasStaticShape() || !wType.getLayout().isIdentity() ||
          wType.getDimSize(0) % cols != 0)
        continue;
      auto global = symbols.lookup<memref::GlobalOp>(get.getName());
      if (!global || !global.getConstant())
        continue;
      auto init = dyn_cast_or_null<ElementsAttr>(global.getInitialValueAttr());
      if (!init)
        continue;
      memref::GlobalOp &packed = packedOf[global];
      if (!packed) {
        ElementsAttr panels = packPanels(init, cols);
        if (!panels)
          continue;
        auto type = cast<ShapedType>(panels.getType());
        OpBuilder mb(global);
        mb.setInsertionPointAfter(global);
        packed = memref::GlobalOp::create(
            mb, global.getLoc(), (global.getSymName() + "_panels").str(),
            mb.getStringAttr("private"),
            MemRefType::get(type.getShape(), type.getElementType()), panels,
            /*constant=*/true, mb.getI64IntegerAttr(64));
        symbols.insert(packed); // renamed if the name is taken
        replaced.push_back(global);
      }
      OpBuilder b(op);
      Value panelsValue = memref::GetGlobalOp::create(
          b, get.getLoc(), packed.getType(), packed.getSymName());
      op->setOperand(1, panelsValue);
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      maps[1] = packedWeightMap(op.getContext(), cols);
      op.setIndexingMapsAttr(b.getAffineMapArrayAttr(maps));
      if (get->use_empty())
        get.erase();
    }
    for (memref::GlobalOp global : replaced)
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        symbols.erase(global);
  }
};

} // namespace
} // namespace linea
