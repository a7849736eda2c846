//===- BsrMmaKernel.cpp - BSR sparse layers on tensor cores ---------------===//
//
// y[M, N] = x[M, K]·Wᵀ (+ bias), W in BSR form (values [nnzb, bn, bk],
// col_indices [nnzb], row_offsets [N/bn + 1]), for M from 16 rows of x. The
// GEMV (GemvKernel.cpp) multiplies on CUDA cores; here:
//
//   - block (nt, mt) owns rows m0 = BM·mt … of x and rows n0 = BN·nt … of W,
//     which lie in block row rb = n0 / bn; it walks that row's stored blocks
//     e = begin … end − 1 (a run-time trip count from row_offsets);
//   - step s copies the BN × bk slice of block e and the BM × bk columns of
//     x under its block column col_indices[e] into a stage of dynamic shared
//     memory (cp.async 16-byte chunks, rows past M zero-filled), `stages`
//     stored blocks in flight (a commit group per step, wait_group
//     stages − 2); the block column of step s + stages − 1 is loaded one
//     step early so its latency hides behind the MMAs;
//   - 16-byte chunk c of a tile row r is stored at c ⊕ f(r), f spreading
//     any 8 consecutive rows over the 8 16-byte bank groups, so the ldmatrix
//     reads are free of bank conflicts for bk ∈ {16, 32, 64, 128};
//   - warp (wm, wn) owns WM × WN of the tile: x the mma A operand (16-row
//     tiles, ldmatrix.x4), W the B operand (two 8-row tiles per
//     ldmatrix.x4 — W rows are K-contiguous, the "col" layout mma wants);
//     f32 accumulators;
//   - the epilogue adds the bias and stores rows < M.
//
// Indices are clamped as in the GEMV: row offsets into [0, nnzb], block
// columns to K/bk − 1, so a bad index array gives wrong numbers, never an
// out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#include "BsrMmaKernel.h"

#include "SparseMmaBuild.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {


class BsrMmaBuilder : MmaBuilder {
public:
  BsrMmaBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec,
                const BsrMmaTile &tile)
      : MmaBuilder(b, spec.wType), spec(spec), tile(tile),
        chunksPerRow(spec.blockCols / 8), rowBytes(spec.blockCols * 2),
        xBytes(tile.bm * spec.blockCols * 2),
        stageBytes(tile.stageBytes(spec)), threads(tile.threads()),
        mTiles(tile.wm / 16), nTiles(tile.wn / 8) {}

  void build(ValueRange args);

private:
  /// The 16-byte slot of chunk c in tile row r: c ⊕ f(r) (i32).
  Value swizzle(Value c, Value r) {
    const int64_t groups = std::min<int64_t>(chunksPerRow, 8);
    const int64_t rowsPerLine = std::max<int64_t>(1, 8 / chunksPerRow);
    return arith::XOrIOp::create(b, c, remu(divu(r, rowsPerLine), groups));
  }
  /// Block column of stored block `e` (i32, clamped into [begin, nnzb − 1]
  /// first), clamped to K/bk − 1.
  Value blockColumn(Value e);
  /// cp.async of step s (stored block begin + s, block column `col`) into
  /// stage `stage`.
  void issueStep(Value s, Value col, Value stage);
  /// acc += the products of the stage at byte `stageOff`.
  void computeStage(Value stageOff, SmallVector<Value> &acc);

  const GemvSpec &spec;
  const BsrMmaTile &tile;
  int64_t chunksPerRow, rowBytes, xBytes, stageBytes, threads, mTiles, nTiles;
  GemvArgs ga;
  Value begin;                      // i32: first stored block of the row
  Value wAddr, xAddr;               // i64 global byte addresses
  SmallVector<Value> wSrc, wDst;    // per W copy pass: i64 / i32 offsets
  SmallVector<Value> xSrc, xDst, xOk; // per x copy pass
  SmallVector<Value> aRow, bRow;    // per m-tile / pair of n-tiles (i32)
  SmallVector<Value> aCol, bCol;    // per k16 step: swizzled byte column
};

Value BsrMmaBuilder::blockColumn(Value e) {
  Value at = arith::MinUIOp::create(b, e, ci(spec.numBlocks - 1));
  Value v = memref::LoadOp::create(b, ga.cols, toIndex(at));
  Value col = arith::MinUIOp::create(
      b, arith::IndexCastOp::create(b, b.getIndexType(), v),
      cIdx(b, spec.k / spec.blockCols - 1));
  return toI32(col);
}

void BsrMmaBuilder::issueStep(Value s, Value col, Value stage) {
  Value stageOff = mul(stage, stageBytes);
  // W rows n0 − rb·bn + r of block e: e·bn·bk·2 bytes in.
  Value wBase = arith::AddIOp::create(
      b, wAddr,
      arith::MulIOp::create(
          b, toI64(add(begin, s)),
          arith::ConstantIntOp::create(b, i64,
                                       spec.blockRows * spec.blockCols * 2)));
  for (auto [src, dst] : llvm::zip(wSrc, wDst))
    NVVM::CpAsyncOp::create(
        b, sharedPtr(add(stageOff, dst)),
        LLVM::IntToPtrOp::create(b, ptrGlobal,
                                 Value(arith::AddIOp::create(b, wBase, src))),
        16, NVVM::LoadCacheModifierKind::CG, Value());
  // x columns col·bk … of rows m0 + r.
  Value xBase = arith::AddIOp::create(b, xAddr,
                                      toI64(mul(col, spec.blockCols * 2)));
  for (auto [src, dst, ok] : llvm::zip(xSrc, xDst, xOk))
    NVVM::CpAsyncOp::create(
        b, sharedPtr(add(stageOff, dst)),
        LLVM::IntToPtrOp::create(b, ptrGlobal,
                                 Value(arith::AddIOp::create(b, xBase, src))),
        16, NVVM::LoadCacheModifierKind::CG, ok);
}

void BsrMmaBuilder::computeStage(Value stageOff, SmallVector<Value> &acc) {
  for (int64_t kk = 0; kk < spec.blockCols / 16; ++kk) {
    SmallVector<SmallVector<Value, 4>> a;
    for (int64_t mt = 0; mt < mTiles; ++mt)
      a.push_back(ldmatrix4(add(stageOff, add(aRow[mt], aCol[kk])),
                            /*trans=*/false));
    for (int64_t jj = 0; jj < nTiles / 2; ++jj) {
      auto bf = ldmatrix4(add(stageOff, add(bRow[jj], bCol[kk])),
                          /*trans=*/false);
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        mma(a[mt], bf[0], bf[1],
            MutableArrayRef<Value>(acc).slice((mt * nTiles + 2 * jj) * 4, 4));
        mma(a[mt], bf[2], bf[3],
            MutableArrayRef<Value>(acc).slice((mt * nTiles + 2 * jj + 1) * 4,
                                              4));
      }
    }
  }
}

void BsrMmaBuilder::build(ValueRange args) {
  ga = splitGemvArguments(args, spec);
  bindSmem();
  Value tid = id(false, gpu::Dimension::x);
  Value lane = remu(tid, 32), warp = divu(tid, 32);
  Value gid = divu(lane, 4), tig = remu(lane, 4);
  const int64_t warpsN = tile.bn / tile.wn;
  Value wm0 = mul(divu(warp, warpsN), tile.wm);
  Value wn0 = mul(remu(warp, warpsN), tile.wn);
  Value n0 = mul(id(true, gpu::Dimension::x), tile.bn);
  Value m0 = mul(id(true, gpu::Dimension::y), tile.bm);
  Value rb = divu(n0, spec.blockRows);
  Value rowInBlock = remu(n0, spec.blockRows);
  xAddr = baseAddress(ga.x);
  wAddr = baseAddress(ga.w);

  // The block row's stored blocks, clamped: begin ≤ end ≤ nnzb.
  auto offset = [&](Value i) {
    Value v = memref::LoadOp::create(b, ga.offsets, toIndex(i));
    return toI32(arith::MinUIOp::create(
        b, arith::IndexCastOp::create(b, b.getIndexType(), v),
        cIdx(b, spec.numBlocks)));
  };
  begin = offset(rb);
  Value end = arith::MaxUIOp::create(b, begin, offset(add(rb, 1)));
  Value steps = sub(end, begin);

  // Per-thread copy offsets, hoisted out of the loop. W: BN rows × bk/8
  // chunks; x: BM rows × bk/8 chunks; chunk q = tid + p·threads (the last
  // chunk again where the threads outnumber the rest: the same bytes to the
  // same place).
  auto chunk = [&](int64_t p, int64_t total) {
    return minsi(add(tid, p * threads), ci(total - 1));
  };
  const int64_t wChunks = tile.bn * chunksPerRow,
                xChunks = tile.bm * chunksPerRow;
  for (int64_t p = 0; p < (wChunks + threads - 1) / threads; ++p) {
    Value q = chunk(p, wChunks);
    Value r = divu(q, chunksPerRow), c = remu(q, chunksPerRow);
    wSrc.push_back(toI64(add(mul(add(rowInBlock, r), rowBytes), mul(c, 16))));
    wDst.push_back(
        add(add(mul(r, rowBytes), mul(swizzle(c, r), 16)), xBytes));
  }
  for (int64_t p = 0; p < (xChunks + threads - 1) / threads; ++p) {
    Value q = chunk(p, xChunks);
    Value r = divu(q, chunksPerRow), c = remu(q, chunksPerRow);
    Value row = add(m0, r);
    xOk.push_back(select(cmp(arith::CmpIPredicate::slt, row, ci(spec.m)),
                         ci(16), ci(0)));
    xSrc.push_back(arith::AddIOp::create(
        b,
        arith::MulIOp::create(b, toI64(minsi(row, ci(spec.m - 1))),
                              arith::ConstantIntOp::create(b, i64,
                                                           spec.k * 2)),
        toI64(mul(c, 16))));
    xDst.push_back(add(mul(r, rowBytes), mul(swizzle(c, r), 16)));
  }
  // ldmatrix addresses. A (x): lane l gives row l mod 16, chunk
  // 2·kk + l / 16. B (W): lane l gives row l mod 8 + 8·(l / 16), chunk
  // 2·kk + (l / 8) mod 2. f(row) is the same for row + 16·i.
  Value l16 = remu(lane, 16), hi = divu(lane, 16);
  Value bRowLane = add(remu(lane, 8), mul(hi, 8));
  Value bHalf = remu(divu(lane, 8), 2);
  for (int64_t mt = 0; mt < mTiles; ++mt)
    aRow.push_back(mul(add(wm0, add(l16, 16 * mt)), rowBytes));
  for (int64_t jj = 0; jj < nTiles / 2; ++jj)
    bRow.push_back(
        add(mul(add(wn0, add(bRowLane, 16 * jj)), rowBytes), xBytes));
  Value aSwz = swizzle(ci(0), l16), bSwz = swizzle(ci(0), bRowLane);
  for (int64_t kk = 0; kk < spec.blockCols / 16; ++kk) {
    aCol.push_back(
        mul(arith::XOrIOp::create(b, add(hi, 2 * kk), aSwz), 16));
    bCol.push_back(
        mul(arith::XOrIOp::create(b, add(bHalf, 2 * kk), bSwz), 16));
  }

  const int64_t stages = tile.stages;
  for (int64_t s = 0; s + 1 < stages; ++s) {
    ifThen(b, cmp(arith::CmpIPredicate::slt, ci(s), steps), [&] {
      issueStep(ci(s), blockColumn(add(begin, s)), ci(s));
    });
    NVVM::CpAsyncCommitGroupOp::create(b);
  }
  SmallVector<Value> init(mTiles * nTiles * 4, cf(0.0));
  init.push_back(blockColumn(add(begin, stages - 1)));
  SmallVector<Value> state = forLoop(
      b, cIdx(b, 0), toIndex(steps), cIdx(b, 1), init,
      [&](Value sIndex, ValueRange in) -> SmallVector<Value> {
        SmallVector<Value> acc = llvm::to_vector(in.drop_back());
        Value col = in.back();
        Value s = toI32(sIndex);
        NVVM::CpAsyncWaitGroupOp::create(b, stages - 2);
        gpu::BarrierOp::create(b);
        Value next = add(s, stages - 1);
        ifThen(b, cmp(arith::CmpIPredicate::slt, next, steps),
               [&] { issueStep(next, col, remu(next, stages)); });
        NVVM::CpAsyncCommitGroupOp::create(b);
        // The block column of the step after, loaded a step early.
        Value colAfter = blockColumn(add(begin, add(s, stages)));
        computeStage(mul(remu(s, stages), stageBytes), acc);
        acc.push_back(colAfter);
        return acc;
      });
  NVVM::CpAsyncWaitGroupOp::create(b, 0);

  // Epilogue: bias, rows < M (N is a multiple of BN).
  for (int64_t j = 0; j < nTiles; ++j)
    for (int64_t e = 0; e < 2; ++e) {
      Value n = add(add(n0, wn0), add(mul(tig, 2), 8 * j + e));
      Value nIdx = toIndex(n);
      Value colBias =
          ga.bias ? toF32(b, memref::LoadOp::create(b, ga.bias, nIdx)) : Value();
      for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t h = 0; h < 2; ++h) {
          Value m = add(add(m0, wm0), add(gid, 16 * mt + 8 * h));
          Value v = state[(mt * nTiles + j) * 4 + 2 * h + e];
          if (colBias)
            v = arith::AddFOp::create(b, v, colBias);
          ifThen(b, cmp(arith::CmpIPredicate::slt, m, ci(spec.m)), [&] {
            storeWithEpilogue(b, spec.epilogue, v, ga.residual, ga.y,
                              toIndex(m), nIdx);
          });
        }
    }
}

} // namespace

std::string bsrMmaUnsupported(const GemvSpec &spec) {
  std::string why;
  llvm::raw_string_ostream os(why);
  const int64_t bk = spec.blockCols;
  if (!spec.bsr)
    os << "not a bsr layer";
  else if (spec.xType != spec.wType)
    os << "x (" << spec.xType << ") must have the values' type ("
       << spec.wType << ")";
  else if (bk != 16 && bk != 32 && bk != 64 && bk != 128)
    os << "block columns bk = " << bk << " (needs 16, 32, 64 or 128)";
  else if (spec.blockRows % 16 != 0)
    os << "block rows bn = " << spec.blockRows << " (needs a multiple of 16)";
  return why;
}

std::string bsrMmaTileError(const GemvSpec &spec, const BsrMmaTile &t) {
  std::string why = sparseWarpTileError(t.bm, t.bn, t.wm, t.wn, 16, 16);
  if (why.empty() && spec.blockRows % t.bn)
    why = "BN = " + std::to_string(t.bn) +
          " does not divide the block rows bn = " +
          std::to_string(spec.blockRows);
  if (why.empty())
    why = sparseLaunchError(t.bm, t.bn, t.stages, t.threads(),
                            t.sharedBytes(spec));
  return why;
}

BsrMmaTile defaultBsrMmaTile(const GemvSpec &spec) {
  const int64_t bn = spec.blockRows;
  BsrMmaTile t;
  if (spec.m <= 32)
    t = {16, std::min<int64_t>(bn, 32), 16, 16, 6};
  else if (spec.m <= 128)
    t = {64, std::min<int64_t>(bn, 64), 32, 32, 4};
  else
    t = {128, std::min<int64_t>(bn, 64), 64, 32, 4};
  while (spec.blockRows % t.bn)
    t.bn /= 2;
  if (t.bn % t.wn)
    t.wn = 16;
  return t;
}

gpu::GPUFuncOp buildBsrMmaKernel(OpBuilder &builder, Location loc,
                                 StringRef name, const GemvSpec &spec,
                                 const BsrMmaTile &tile) {
  return createSmemKernel(
      builder, loc, name, gemvArgumentTypes(builder, spec), tile.threads(),
      [&](ImplicitLocOpBuilder &b, ValueRange args) {
        BsrMmaBuilder(b, spec, tile).build(args);
      });
}

} // namespace linea::gpu_codegen
