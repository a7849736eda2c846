//===- FlashAttentionKernel.cpp - attention kernels as gpu.func -----------===//
//
// linea.attention on tensor cores, never materialising the S×T scores.
//
// Prefill (FlashAttention-2 forward): block (x, h, b) of 4 warps owns query
// rows q0 = x·Br … q0 + Br − 1 of head h; warp w owns rowsPerWarp of them
// (one or two m16 tiles). K/V tiles of Bc keys are copied to shared memory
// with cp.async, double buffered: tile n + 1 is in flight while tile n is
// used. Per tile each warp computes S = Q·Kᵀ and O += P·V with mma.sync
// m16n8k16 (bf16/f16 in, f32 accumulators), fragments read by ldmatrix
// (.trans for V) from rows padded to D + 8 elements, so the 8 row addresses
// of one 8×8 matrix fall in distinct banks. The online softmax runs on the
// accumulators in registers: scores are scaled by scale·log2(e) inside one
// fma and exponentiated with ex2.approx; the S accumulators of two adjacent
// n-tiles are, repacked to 16 bits, the A fragment of P·V (no shared-memory
// round trip). Causal: tiles above the diagonal are not visited, and only
// tiles that cross it (or the ragged end of T) pay for the mask, in a second
// loop. Ragged S and T: cp.async zero-fills rows past the end, masked
// columns are −inf, rows past S are not stored.
//
// Decode (S = 1, flash-decoding): block (split, hk, b) reads a slice of the
// KV cache of kv head hk once for all g query heads of its group, which are
// the 16 rows (zero padded) of the Q tile; warp w takes keys w·Bc/4 … of
// each tile, so the 4 warps are 4 independent partial softmaxes. Each warp
// writes its unnormalised o row, max (log2 units) and sum; the combine
// kernel merges the 4·splits partials of each (b, h) (no atomics).
//
//===----------------------------------------------------------------------===//

#include "FlashAttentionKernel.h"
#include "MmaBuild.h"

#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr double kLog2e = 1.4426950408889634;
/// Stored for a partial max with no key (exp2 of it minus any max is 0).
constexpr double kNoKeyMax = -1e30;

class FlashBuilder : MmaBuilder {
public:
  FlashBuilder(ImplicitLocOpBuilder &b, const AttentionSpec &spec)
      : MmaBuilder(b, spec.elem), spec(spec), rs(spec.smemRowBytes()),
        rsV(spec.smemRowBytesV()),
        mTiles(spec.decode() ? 1 : spec.rowsPerWarp / 16),
        keysPerWarp(spec.decode() ? spec.blockKeys / 4 : spec.blockKeys),
        // Q fragments in registers: D / 16 × 4 registers per m-tile, too
        // many next to the O accumulators above D = 128.
        qInRegs(spec.d <= 128 &&
                (spec.decode() || spec.rowsPerWarp == 16)) {}

  void build(ValueRange args);

private:
  /// cp.async of `rows` rows of `dim` elements, row r from global byte
  /// address src0 + r·dim·2 to shared byte offset dst + r·rowBytes; rows ≥
  /// `valid` (when given) are zero-filled.
  void copyRows(Value dst, Value src0, int64_t rows, Value valid, int64_t dim,
                int64_t rowBytes);
  /// The additive mask of the thread's scores of one tile, f32 in log2
  /// units: [mt·2 + r][j·2 + e] as the S accumulators.
  SmallVector<SmallVector<Value>> loadMask(Value tileKey0);

  /// One K/V tile at shared offsets kBuf/vBuf for keys tileKey0 …: updates
  /// state = [O (mt × D/8 × 4), m (mt × 2), l (mt × 2)].
  void computeTile(Value kBuf, Value vBuf, Value tileKey0, bool masked,
                   SmallVector<Value> &state);
  /// Tiles [lo, hi) of the pipeline, `masked` or not; returns the state.
  SmallVector<Value> tileLoop(Value lo, Value hi, ArrayRef<Value> state,
                              bool masked);
  void issueTile(Value n);

  const AttentionSpec &spec;
  int64_t rs, rsV, mTiles, keysPerWarp;
  bool qInRegs;

  Value tid, lane, warp, gid, tig;
  Value kBase, vBase;   // global byte address of this (b, kv head)'s rows
  Value keyStart, nEnd; // first key of the block's range, tiles in it
  Value keyOffInTile;   // warp's first key within a tile
  int64_t qOff = 0, kOff = 0, vOff = 0, kTileBytes = 0, vTileBytes = 0;
  Value laneQ, laneK, laneV; // per-lane ldmatrix offsets
  SmallVector<SmallVector<SmallVector<Value, 4>>> qFrag; // [mt][kk]
  SmallVector<Value> rowLimit; // [mt·2 + r]: last visible key of the row
  Value mask;                  // mask operand (null: none)
  // [mt·2 + r]: the mask's (b, h, i) indices of the row (0 on broadcast
  // dims, clamped to the last row for rows past S).
  SmallVector<std::array<Value, 3>> maskRow;
};

void FlashBuilder::copyRows(Value dst, Value src0, int64_t rows, Value valid,
                            int64_t dim, int64_t rowBytes) {
  const int64_t cpr = dim / 8, chunks = rows * cpr;
  const bool even = kAttentionThreads % cpr == 0;
  Value tRow = divu(tid, cpr), tCol = remu(tid, cpr);
  for (int64_t p = 0; p * kAttentionThreads < chunks; ++p) {
    // Chunk c = tid + p·threads is 16 bytes at (row c / cpr, col c % cpr).
    Value c = add(tid, p * kAttentionThreads);
    Value row = even ? add(tRow, p * (kAttentionThreads / cpr)) : divu(c, cpr);
    Value col = even ? tCol : remu(c, cpr);
    OpBuilder::InsertionGuard guard(b);
    if ((p + 1) * kAttentionThreads > chunks) {
      auto inRange = scf::IfOp::create(
          b, cmp(arith::CmpIPredicate::slt, c, ci(chunks)), false);
      b.setInsertionPointToStart(&inRange.getThenRegion().front());
    }
    Value src = arith::AddIOp::create(
        b, src0, toI64(add(mul(row, dim * 2), mul(col, 16))));
    Value size;
    if (valid) {
      Value ok = cmp(arith::CmpIPredicate::slt, row, valid);
      src = select(ok, src, src0);
      size = select(ok, ci(16), ci(0));
    }
    Value srcPtr = LLVM::IntToPtrOp::create(b, ptrGlobal, src);
    NVVM::CpAsyncOp::create(
        b, sharedPtr(add(dst, add(mul(row, rowBytes), mul(col, 16)))), srcPtr,
        16, NVVM::LoadCacheModifierKind::CG, size);
  }
}

SmallVector<SmallVector<Value>> FlashBuilder::loadMask(Value tileKey0) {
  const int64_t nN = keysPerWarp / 8, mt = spec.maskShape[3];
  const bool pairs = mt > 1 && mt % 2 == 0, ragged = spec.t % spec.blockKeys;
  Value cL = cf(kLog2e);
  auto toLog2 = [&](Value x) {
    if (!x.getType().isF32())
      x = arith::ExtFOp::create(b, f32, x);
    return arith::MulFOp::create(b, x, cL).getResult();
  };
  Value key0 = add(add(tileKey0, keyOffInTile), mul(tig, 2));
  // The thread's rows differ only in i (prefill) or h (decode): a mask
  // broadcast over that dim (key padding [B, 1, 1, T]) is loaded once.
  const bool shared = spec.maskShape[spec.decode() ? 1 : 2] == 1;
  SmallVector<SmallVector<Value>> out;
  for (auto &[bm, hm, im] : maskRow) {
    if (shared && !out.empty()) {
      out.push_back(out.front());
      continue;
    }
    SmallVector<Value> &row = out.emplace_back();
    if (mt == 1) { // one value for every key
      Value x = toLog2(memref::LoadOp::create(
          b, mask, ValueRange{bm, hm, im, toIndex(ci(0))}));
      row.assign(nN * 2, x);
      continue;
    }
    for (int64_t j = 0; j < nN; ++j) {
      // Keys past T (ragged last tile) read the last column; they are
      // hidden by the tile's −inf select anyway.
      Value key = add(key0, 8 * j);
      if (pairs) {
        Value pi = divu(key, 2);
        if (ragged)
          pi = minsi(pi, ci(mt / 2 - 1));
        Value pr = memref::LoadOp::create(
            b, mask, ValueRange{bm, hm, im, toIndex(pi)});
        for (int64_t e = 0; e < 2; ++e)
          row.push_back(toLog2(vector::ExtractOp::create(b, pr, e)));
        continue;
      }
      for (int64_t e = 0; e < 2; ++e) {
        Value ke = add(key, e);
        if (ragged)
          ke = minsi(ke, ci(mt - 1));
        row.push_back(toLog2(memref::LoadOp::create(
            b, mask, ValueRange{bm, hm, im, toIndex(ke)})));
      }
    }
  }
  return out;
}

void FlashBuilder::computeTile(Value kBuf, Value vBuf, Value tileKey0,
                               bool masked, SmallVector<Value> &state) {
  const int64_t nD = spec.dv / 8, nN = keysPerWarp / 8;
  const double c = spec.scale * kLog2e;
  Value zero = cf(0.0), negInf = cf(-INFINITY);
  // Mask loads first: their latency hides behind Q·Kᵀ.
  SmallVector<SmallVector<Value>> maskVals;
  if (mask)
    maskVals = loadMask(tileKey0);
  auto oAt = [&](int64_t mt, int64_t dn, int64_t e) -> Value & {
    return state[(mt * nD + dn) * 4 + e];
  };
  auto mAt = [&](int64_t mt, int64_t r) -> Value & {
    return state[mTiles * nD * 4 + mt * 2 + r];
  };
  auto lAt = [&](int64_t mt, int64_t r) -> Value & {
    return state[mTiles * nD * 4 + mTiles * 2 + mt * 2 + r];
  };

  // S = Q·Kᵀ over the warp's keys: [mt][n-tile][4].
  SmallVector<SmallVector<Value>> s(mTiles, SmallVector<Value>(nN * 4, zero));
  for (int64_t kk = 0; kk < spec.d / 16; ++kk) {
    SmallVector<SmallVector<Value, 4>> a;
    for (int64_t mt = 0; mt < mTiles; ++mt)
      a.push_back(qInRegs ? qFrag[mt][kk]
                          : ldmatrix4(add(laneQ, mt * 16 * rs + kk * 32),
                                      /*trans=*/false));
    for (int64_t jj = 0; jj < nN / 2; ++jj) {
      auto kf = ldmatrix4(add(add(kBuf, laneK), jj * 16 * rs + kk * 32),
                          /*trans=*/false);
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        mma(a[mt], kf[0], kf[1],
            MutableArrayRef<Value>(s[mt]).slice(2 * jj * 4, 4));
        mma(a[mt], kf[2], kf[3],
            MutableArrayRef<Value>(s[mt]).slice((2 * jj + 1) * 4, 4));
      }
    }
  }

  // Online softmax on the accumulators; the quad of lanes 4g … 4g + 3
  // holds rows g and g + 8. With a mask the scores are first brought to
  // log2 units, s·scale·log2e + mask·log2e (one FMA), and scaled by 1 below.
  Value cScale = cf(c);
  for (int64_t mt = 0; mt < mTiles; ++mt) {
    for (int64_t r = 0; r < 2; ++r) {
      auto sv = [&](int64_t j, int64_t e) -> Value & {
        return s[mt][j * 4 + 2 * r + e];
      };
      if (mask)
        for (int64_t j = 0; j < nN; ++j)
          for (int64_t e = 0; e < 2; ++e)
            sv(j, e) = LLVM::FMAOp::create(b, sv(j, e), cScale,
                                           maskVals[mt * 2 + r][j * 2 + e]);
      if (masked) {
        // Key 8j + e of this lane's columns is visible iff it is ≤ lim.
        Value lim = sub(rowLimit[mt * 2 + r],
                        add(add(tileKey0, keyOffInTile), mul(tig, 2)));
        for (int64_t j = 0; j < nN; ++j)
          for (int64_t e = 0; e < 2; ++e)
            sv(j, e) =
                select(cmp(arith::CmpIPredicate::sle, ci(8 * j + e), lim),
                       sv(j, e), negInf);
      }
      Value mx = sv(0, 0);
      for (int64_t j = 0; j < nN; ++j)
        for (int64_t e = 0; e < 2; ++e)
          if (j || e)
            mx = LLVM::MaxNumOp::create(b, mx, sv(j, e));
      mx = LLVM::MaxNumOp::create(b, mx, warpXor(mx, 1));
      mx = LLVM::MaxNumOp::create(b, mx, warpXor(mx, 2));
      Value mOld = mAt(mt, r);
      Value mNew = LLVM::MaxNumOp::create(
          b, mOld, mask ? mx : arith::MulFOp::create(b, mx, cScale));
      Value noKey =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, mNew, negInf);
      Value mUse = select(noKey, zero, mNew);
      Value alpha = exp2(arith::SubFOp::create(b, mOld, mUse));
      Value negM = arith::NegFOp::create(b, mUse);
      Value sum;
      for (int64_t j = 0; j < nN; ++j)
        for (int64_t e = 0; e < 2; ++e) {
          Value p =
              exp2(mask ? arith::AddFOp::create(b, sv(j, e), negM).getResult()
                        : LLVM::FMAOp::create(b, sv(j, e), cScale, negM));
          sv(j, e) = p;
          sum = sum ? Value(arith::AddFOp::create(b, sum, p)) : p;
        }
      lAt(mt, r) = arith::AddFOp::create(
          b, arith::MulFOp::create(b, lAt(mt, r), alpha), sum);
      mAt(mt, r) = mNew;
      for (int64_t dn = 0; dn < nD; ++dn)
        for (int64_t e = 0; e < 2; ++e)
          oAt(mt, dn, 2 * r + e) =
              arith::MulFOp::create(b, oAt(mt, dn, 2 * r + e), alpha);
    }
  }

  // O += P·V: S n-tiles 2k and 2k + 1 are the A fragment of key step k.
  for (int64_t k = 0; k < nN / 2; ++k) {
    SmallVector<SmallVector<Value, 4>> a;
    for (int64_t mt = 0; mt < mTiles; ++mt) {
      auto sv = [&](int64_t j, int64_t e) { return s[mt][j * 4 + e]; };
      a.push_back({pack(sv(2 * k, 0), sv(2 * k, 1)),
                   pack(sv(2 * k, 2), sv(2 * k, 3)),
                   pack(sv(2 * k + 1, 0), sv(2 * k + 1, 1)),
                   pack(sv(2 * k + 1, 2), sv(2 * k + 1, 3))});
    }
    for (int64_t dd = 0; dd < spec.dv / 16; ++dd) {
      auto vf = ldmatrix4(add(add(vBuf, laneV), k * 16 * rsV + dd * 32),
                          /*trans=*/true);
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        MutableArrayRef<Value> o(state);
        mma(a[mt], vf[0], vf[1], o.slice((mt * nD + 2 * dd) * 4, 4));
        mma(a[mt], vf[2], vf[3], o.slice((mt * nD + 2 * dd + 1) * 4, 4));
      }
    }
  }
}

void FlashBuilder::issueTile(Value n) {
  Value odd = arith::AndIOp::create(b, n, ci(1));
  Value key0 = add(keyStart, mul(n, spec.blockKeys));
  Value valid = spec.t % spec.blockKeys ? sub(ci(spec.t), key0) : Value();
  copyRows(add(mul(odd, kTileBytes), kOff),
           arith::AddIOp::create(b, kBase, toI64(mul(key0, spec.d * 2))),
           spec.blockKeys, valid, spec.d, rs);
  copyRows(add(mul(odd, vTileBytes), vOff),
           arith::AddIOp::create(b, vBase, toI64(mul(key0, spec.dv * 2))),
           spec.blockKeys, valid, spec.dv, rsV);
}

SmallVector<Value> FlashBuilder::tileLoop(Value lo, Value hi,
                                          ArrayRef<Value> state, bool masked) {
  auto loop = scf::ForOp::create(
      b, lo, hi, ci(1), state,
      [&](OpBuilder &ob, Location, Value n, ValueRange in) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        SmallVector<Value> st(in.begin(), in.end());
        // Tile n + 1 into the other buffer, which every warp finished
        // reading in the previous iteration (barrier below).
        Value next = add(n, 1);
        auto ifNext = scf::IfOp::create(
            b, cmp(arith::CmpIPredicate::slt, next, nEnd), false);
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(&ifNext.getThenRegion().front());
          issueTile(next);
        }
        NVVM::CpAsyncCommitGroupOp::create(b);
        Value odd = arith::AndIOp::create(b, n, ci(1));
        computeTile(add(mul(odd, kTileBytes), kOff),
                    add(mul(odd, vTileBytes), vOff),
                    add(keyStart, mul(n, spec.blockKeys)), masked, st);
        NVVM::CpAsyncWaitGroupOp::create(b, 0);
        gpu::BarrierOp::create(b);
        scf::YieldOp::create(b, st);
      });
  return SmallVector<Value>(loop.getResults());
}

void FlashBuilder::build(ValueRange args) {
  const bool decode = spec.decode();
  const int64_t d = spec.d, bc = spec.blockKeys, g = spec.group();
  Value q = args[0], k = args[1], v = args[2];
  if (spec.hasMask())
    mask = args[3];
  ValueRange outs = args.drop_front(spec.hasMask() ? 4 : 3);

  tid = id(false, gpu::Dimension::x);
  lane = arith::AndIOp::create(b, tid, ci(31));
  warp = arith::ShRUIOp::create(b, tid, ci(5));
  gid = arith::ShRUIOp::create(b, lane, ci(2));
  tig = arith::AndIOp::create(b, lane, ci(3));
  Value bx = id(true, gpu::Dimension::x), hy = id(true, gpu::Dimension::y),
        bz = id(true, gpu::Dimension::z);
  if (spec.headsFastest)
    std::swap(bx, hy);

  bindSmem();
  qOff = 0;
  kOff = spec.queryRowsInSmem() * rs;
  kTileBytes = bc * rs;
  vTileBytes = bc * rsV;
  vOff = kOff + 2 * kTileBytes;

  // Heads and ranges of this block.
  Value hk, qRow0, qValid;
  Value qHeadBase = baseAddress(q);
  if (decode) {
    hk = hy;
    // Rows 0 … g − 1 of the Q tile are heads hk·g … (S = 1: contiguous).
    Value head0 = add(mul(bz, spec.heads), mul(hk, g));
    qHeadBase = arith::AddIOp::create(b, qHeadBase, toI64(mul(head0, d * 2)));
    qValid = g < 16 ? ci(g) : Value();
    Value sliceStart = mul(bx, spec.sliceKeys);
    keyStart = sliceStart;
    Value len = minsi(sub(ci(spec.t), sliceStart), ci(spec.sliceKeys));
    nEnd = divu(add(len, bc - 1), bc);
    keyOffInTile = mul(warp, keysPerWarp);
  } else {
    const int64_t br = spec.blockRows();
    const int64_t tiles = (spec.s + br - 1) / br;
    // Causal: the longest rows first, so the last wave is short.
    Value x = spec.causal ? sub(ci(tiles - 1), bx) : bx;
    qRow0 = mul(x, br);
    hk = divu(hy, g);
    Value bh = add(mul(bz, spec.heads), hy);
    qHeadBase = arith::AddIOp::create(
        b, qHeadBase,
        arith::MulIOp::create(
            b, toI64(add(mul(bh, spec.s), qRow0)),
            arith::ConstantOp::create(b, b.getI64IntegerAttr(d * 2))));
    qValid = spec.s % br ? sub(ci(spec.s), qRow0) : Value();
    keyStart = ci(0);
    keyOffInTile = ci(0);
  }
  Value kvHead = toI64(add(mul(bz, spec.kvHeads), hk));
  auto headBytes = [&](int64_t dim) {
    return arith::MulIOp::create(
        b, kvHead,
        arith::ConstantOp::create(b, b.getI64IntegerAttr(spec.t * dim * 2)));
  };
  kBase = arith::AddIOp::create(b, baseAddress(k), headBytes(d));
  vBase = arith::AddIOp::create(b, baseAddress(v), headBytes(spec.dv));

  // Tile ranges: [0, nFull) need no mask, [nFull, nEnd) do.
  Value nFull;
  if (decode) {
    Value len = minsi(sub(ci(spec.t), keyStart), ci(spec.sliceKeys));
    nFull = divu(len, bc);
  } else {
    std::tie(nEnd, nFull) = keyTileRange(qRow0, spec.blockRows(), spec.s,
                                         spec.t, bc, spec.causal);
  }

  // Per-lane ldmatrix offsets (rows padded to rs bytes).
  Value l8 = remu(lane, 8), l16 = remu(lane, 16);
  Value hiHalf = divu(lane, 16), midBit = remu(divu(lane, 8), 2);
  Value warpRow = decode ? ci(0) : mul(warp, spec.rowsPerWarp);
  laneQ = add(mul(add(warpRow, l16), rs), mul(hiHalf, 16));
  laneK =
      add(mul(add(keyOffInTile, add(l8, mul(hiHalf, 8))), rs), mul(midBit, 16));
  laneV = add(mul(add(keyOffInTile, add(l8, mul(midBit, 8))), rsV),
              mul(hiHalf, 16));

  // Last visible key of each of the thread's rows.
  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t r = 0; r < 2; ++r) {
      if (decode || !spec.causal) {
        rowLimit.push_back(ci(spec.t - 1));
        continue;
      }
      Value i = add(add(qRow0, warpRow), add(gid, mt * 16 + r * 8));
      rowLimit.push_back(minsi(add(i, spec.t - spec.s), ci(spec.t - 1)));
    }
  // The mask row of each of the thread's rows (index 0 on broadcast dims).
  if (mask)
    for (int64_t mt = 0; mt < mTiles; ++mt)
      for (int64_t r = 0; r < 2; ++r) {
        Value row = add(gid, mt * 16 + r * 8), h = hy, i = ci(0);
        if (decode) // rows past the group repeat its last head
          h = add(mul(hk, g), g < 16 ? minsi(row, ci(g - 1)) : row);
        else
          i = minsi(add(add(qRow0, warpRow), row), ci(spec.s - 1));
        auto dimIdx = [&](int64_t dim, Value x) {
          return toIndex(spec.maskShape[dim] == 1 ? ci(0) : x);
        };
        maskRow.push_back({dimIdx(0, bz), dimIdx(1, h), dimIdx(2, i)});
      }

  // Prologue: Q and tile 0.
  copyRows(ci(qOff), qHeadBase, spec.queryRowsInSmem(), qValid, d, rs);
  auto ifAny =
      scf::IfOp::create(b, cmp(arith::CmpIPredicate::sgt, nEnd, ci(0)), false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifAny.getThenRegion().front());
    issueTile(ci(0));
  }
  NVVM::CpAsyncCommitGroupOp::create(b);
  NVVM::CpAsyncWaitGroupOp::create(b, 0);
  gpu::BarrierOp::create(b);
  if (qInRegs)
    for (int64_t mt = 0; mt < mTiles; ++mt) {
      qFrag.emplace_back();
      for (int64_t kk = 0; kk < d / 16; ++kk)
        qFrag.back().push_back(
            ldmatrix4(add(laneQ, mt * 16 * rs + kk * 32), /*trans=*/false));
    }

  SmallVector<Value> state(mTiles * (spec.dv / 8) * 4, cf(0.0));
  state.append(mTiles * 2, cf(-INFINITY));
  state.append(mTiles * 2, cf(0.0));
  state = tileLoop(ci(0), nFull, state, /*masked=*/false);
  state = tileLoop(nFull, nEnd, state, /*masked=*/true);

  const int64_t nD = spec.dv / 8;
  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t r = 0; r < 2; ++r) {
      Value l = state[mTiles * nD * 4 + mTiles * 2 + mt * 2 + r];
      l = arith::AddFOp::create(b, l, warpXor(l, 1));
      l = arith::AddFOp::create(b, l, warpXor(l, 2));
      Value m = state[mTiles * nD * 4 + mt * 2 + r];
      Value row = add(gid, mt * 16 + r * 8);
      if (decode) {
        // Partial p = split·4 + warp of head hk·g + row.
        Value ok = cmp(arith::CmpIPredicate::slt, row, ci(g));
        auto ifRow = scf::IfOp::create(b, ok, false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&ifRow.getThenRegion().front());
        Value opart = outs[0], ml = outs[1];
        Value h = toIndex(add(mul(hk, g), row));
        Value p = toIndex(add(mul(bx, 4), warp));
        Value bi = toIndex(bz);
        for (int64_t dn = 0; dn < nD; ++dn)
          for (int64_t e = 0; e < 2; ++e) {
            Value col = toIndex(add(mul(tig, 2), dn * 8 + e));
            memref::StoreOp::create(b, state[(mt * nD + dn) * 4 + 2 * r + e],
                                    opart, ValueRange{bi, h, p, col});
          }
        auto ifLead = scf::IfOp::create(
            b, cmp(arith::CmpIPredicate::eq, tig, ci(0)), false);
        b.setInsertionPointToStart(&ifLead.getThenRegion().front());
        Value none = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, m,
                                           cf(-INFINITY));
        Value zeroI = arith::ConstantIndexOp::create(b, 0);
        Value oneI = arith::ConstantIndexOp::create(b, 1);
        memref::StoreOp::create(b, select(none, cf(kNoKeyMax), m), ml,
                                ValueRange{bi, h, p, zeroI});
        memref::StoreOp::create(b, l, ml, ValueRange{bi, h, p, oneI});
        continue;
      }
      Value i = add(add(qRow0, warpRow), row);
      Value inv = select(
          arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, l, cf(0.0)),
          arith::DivFOp::create(b, cf(1.0), l), cf(0.0));
      auto ifRow = scf::IfOp::create(
          b, cmp(arith::CmpIPredicate::slt, i, ci(spec.s)), false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifRow.getThenRegion().front());
      Value o = outs[0];
      Value bi = toIndex(bz), hi = toIndex(hy), ii = toIndex(i);
      for (int64_t dn = 0; dn < nD; ++dn) {
        Value x0 =
            arith::MulFOp::create(b, state[(mt * nD + dn) * 4 + 2 * r], inv);
        Value x1 = arith::MulFOp::create(
            b, state[(mt * nD + dn) * 4 + 2 * r + 1], inv);
        Value pair = vector::FromElementsOp::create(
            b, VectorType::get({2}, f32), ValueRange{x0, x1});
        if (!spec.ioElem.isF32())
          pair = arith::TruncFOp::create(
              b, VectorType::get({2}, spec.ioElem), pair);
        memref::StoreOp::create(
            b, pair, o, ValueRange{bi, hi, ii, toIndex(add(tig, dn * 4))});
      }
    }
}

/// Merges the decode partials: o = Σ_p 2^(m_p − M)·o_p / Σ_p 2^(m_p − M)·l_p,
/// in one pass with a running max, U partials per step with their loads
/// issued together (the loop is latency-bound, not bandwidth-bound).
class CombineBuilder : KernelBuilder {
public:
  CombineBuilder(ImplicitLocOpBuilder &b, const AttentionSpec &spec)
      : KernelBuilder(b), spec(spec) {}

  void build(ValueRange args) {
    ValueRange outs = args.drop_front(spec.hasMask() ? 4 : 3);
    Value opart = outs[0], ml = outs[1], o = outs[2];
    Value dIdx = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    Value h = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    Value bi = gpu::BlockIdOp::create(b, gpu::Dimension::y);
    Value zeroI = arith::ConstantIndexOp::create(b, 0);
    Value oneI = arith::ConstantIndexOp::create(b, 1);
    const int64_t parts = spec.partials(), u = parts % 8 ? 4 : 8;
    auto loop = scf::ForOp::create(
        b, zeroI, arith::ConstantIndexOp::create(b, parts),
        arith::ConstantIndexOp::create(b, u),
        ValueRange{cf(-INFINITY), cf(0.0), cf(0.0)},
        [&](OpBuilder &ob, Location, Value p0, ValueRange in) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
          SmallVector<Value> m, l, x;
          for (int64_t i = 0; i < u; ++i) {
            Value p = arith::AddIOp::create(
                b, p0, arith::ConstantIndexOp::create(b, i));
            m.push_back(
                memref::LoadOp::create(b, ml, ValueRange{bi, h, p, zeroI}));
            l.push_back(
                memref::LoadOp::create(b, ml, ValueRange{bi, h, p, oneI}));
            x.push_back(
                memref::LoadOp::create(b, opart, ValueRange{bi, h, p, dIdx}));
          }
          Value mNew = in[0];
          for (Value mi : m)
            mNew = LLVM::MaxNumOp::create(b, mNew, mi);
          Value keep = exp2(arith::SubFOp::create(b, in[0], mNew));
          Value num = arith::MulFOp::create(b, in[1], keep);
          Value den = arith::MulFOp::create(b, in[2], keep);
          for (int64_t i = 0; i < u; ++i) {
            Value w = exp2(arith::SubFOp::create(b, m[i], mNew));
            num = LLVM::FMAOp::create(b, w, x[i], num);
            den = LLVM::FMAOp::create(b, w, l[i], den);
          }
          scf::YieldOp::create(b, ValueRange{mNew, num, den});
        });
    // No visible key in any partial (a fully masked row): 0, as prefill.
    Value den = loop.getResult(2);
    Value out = select(
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, den, cf(0.0)),
        arith::DivFOp::create(b, loop.getResult(1), den), cf(0.0));
    if (!spec.ioElem.isF32())
      out = arith::TruncFOp::create(b, spec.ioElem, out);
    memref::StoreOp::create(b, out, o, ValueRange{bi, h, zeroI, dIdx});
  }

private:
  const AttentionSpec &spec;
};

gpu::GPUFuncOp makeKernel(OpBuilder &builder, Location loc, StringRef name,
                          ArrayRef<Type> argTypes, int64_t threads) {
  auto func = gpu::GPUFuncOp::create(builder, loc, name,
                                     builder.getFunctionType(argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(
      builder.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
  return func;
}

Type globalMemref(MLIRContext *ctx, ArrayRef<int64_t> shape, Type elem) {
  Attribute global = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Global);
  return MemRefType::get(shape, elem, MemRefLayoutAttrInterface(), global);
}

/// q, k, v and the mask (if any): the arguments both decode kernels and the
/// prefill kernel start with. An even mask row of more than one key is read
/// as pairs (vector<2>).
SmallVector<Type> inputTypes(MLIRContext *ctx, const AttentionSpec &spec) {
  const int64_t bb = spec.batch, hk = spec.kvHeads;
  auto qkv = [&](Type elem) {
    return SmallVector<Type>{
        globalMemref(ctx, {bb, spec.heads, spec.s, spec.d}, elem),
        globalMemref(ctx, {bb, hk, spec.t, spec.d}, elem),
        globalMemref(ctx, {bb, hk, spec.t, spec.dv}, elem)};
  };
  SmallVector<Type> types = qkv(spec.ioElem);
  if (spec.hasMask()) {
    auto [mb, mh, ms, mt] = spec.maskShape;
    types.push_back(
        mt > 1 && mt % 2 == 0
            ? globalMemref(ctx, {mb, mh, ms, mt / 2},
                           VectorType::get({2}, spec.maskElem))
            : globalMemref(ctx, {mb, mh, ms, mt}, spec.maskElem));
  }
  if (spec.staged())
    types.append(qkv(spec.elem));
  return types;
}

/// The arguments as the builders read them: q, k, v, [mask,] outputs; for
/// a staged spec the f16 workspaces stand in for q, k and v.
SmallVector<Value> computeView(ValueRange args, const AttentionSpec &spec) {
  if (!spec.staged())
    return llvm::to_vector(args);
  const unsigned ws = spec.hasMask() ? 4 : 3;
  SmallVector<Value> view(args.begin() + ws, args.begin() + ws + 3);
  if (spec.hasMask())
    view.push_back(args[3]);
  view.append(args.begin() + ws + 3, args.end());
  return view;
}

} // namespace

gpu::GPUFuncOp buildFlashAttentionKernel(OpBuilder &builder, Location loc,
                                         StringRef name,
                                         const AttentionSpec &spec) {
  MLIRContext *ctx = builder.getContext();
  const int64_t bb = spec.batch, h = spec.heads;
  SmallVector<Type> argTypes = inputTypes(ctx, spec);
  Type f32 = builder.getF32Type();
  if (spec.decode()) {
    argTypes.push_back(
        globalMemref(ctx, {bb, h, spec.partials(), spec.dv}, f32));
    argTypes.push_back(globalMemref(ctx, {bb, h, spec.partials(), 2}, f32));
    argTypes.push_back(globalMemref(ctx, {bb, h, 1, spec.dv}, spec.ioElem));
  } else {
    argTypes.push_back(globalMemref(ctx, {bb, h, spec.s, spec.dv / 2},
                                    VectorType::get({2}, spec.ioElem)));
  }
  declareDynamicSmem(builder, loc);
  auto func = makeKernel(builder, loc, name, argTypes, kAttentionThreads);
  ImplicitLocOpBuilder b(loc, ctx);
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  FlashBuilder(b, spec).build(computeView(entry.getArguments(), spec));
  gpu::ReturnOp::create(b);
  return func;
}

gpu::GPUFuncOp buildAttentionCombineKernel(OpBuilder &builder, Location loc,
                                           StringRef name,
                                           const AttentionSpec &spec) {
  MLIRContext *ctx = builder.getContext();
  const int64_t bb = spec.batch, h = spec.heads;
  Type f32 = builder.getF32Type();
  SmallVector<Type> argTypes = inputTypes(ctx, spec);
  argTypes.append({globalMemref(ctx, {bb, h, spec.partials(), spec.dv}, f32),
                   globalMemref(ctx, {bb, h, spec.partials(), 2}, f32),
                   globalMemref(ctx, {bb, h, 1, spec.dv}, spec.ioElem)});
  auto func = makeKernel(builder, loc, name, argTypes, spec.dv);
  ImplicitLocOpBuilder b(loc, ctx);
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  CombineBuilder(b, spec).build(computeView(entry.getArguments(), spec));
  gpu::ReturnOp::create(b);
  return func;
}

FailureOr<AttentionSpec> readAttentionSpec(Operation *op, bool allowQuant) {
  auto attn = cast<AttentionOp>(op);
  auto qType = cast<RankedTensorType>(attn.getQ().getType());
  auto kType = cast<RankedTensorType>(attn.getK().getType());
  auto vType = cast<RankedTensorType>(attn.getV().getType());
  if (attn.getQuant() && !allowQuant)
    return op->emitError("linea-to-gpu: quantized (SageAttention) attention "
                         "is not supported on CUDA yet; run "
                         "linea-quantize-attention{mode=none} to make it exact");
  if (!qType.hasStaticShape() || !kType.hasStaticShape() ||
      !vType.hasStaticShape())
    return op->emitError("linea-to-gpu: attention q, k and v must have "
                         "static shapes, got ")
           << qType << ", " << kType << " and " << vType;
  AttentionSpec spec;
  spec.elem = spec.ioElem = qType.getElementType();
  if (spec.elem.isF32()) // staged to f16: f32 range is lost above 65504
    spec.elem = Float16Type::get(op->getContext());
  else if (!spec.elem.isBF16() && !spec.elem.isF16())
    return op->emitError("linea-to-gpu: attention element type must be bf16, "
                         "f16 or f32, got ")
           << spec.elem;
  spec.batch = qType.getDimSize(0);
  spec.heads = qType.getDimSize(1);
  spec.s = qType.getDimSize(2);
  spec.d = qType.getDimSize(3);
  spec.dv = vType.getDimSize(3);
  spec.kvHeads = kType.getDimSize(1);
  spec.t = kType.getDimSize(2);
  auto supportedDim = [](int64_t x) {
    return x == 32 || x == 64 || x == 96 || x == 128 || x == 256;
  };
  if (!supportedDim(spec.d))
    return op->emitError("linea-to-gpu: attention head dim D = ")
           << spec.d << " is not supported (32, 64, 96, 128 or 256)";
  if (!supportedDim(spec.dv))
    return op->emitError("linea-to-gpu: attention value head dim Dv = ")
           << spec.dv << " is not supported (32, 64, 96, 128 or 256)";
  if (Value mask = attn.getMask()) {
    auto mType = cast<RankedTensorType>(mask.getType());
    if (!mType.hasStaticShape())
      return op->emitError("linea-to-gpu: attention mask must have a static "
                           "shape, got ")
             << mType;
    spec.maskElem = mType.getElementType();
    for (int64_t i = 0; i < 4; ++i)
      spec.maskShape[i] = mType.getDimSize(i);
  }
  if (spec.batch * spec.heads * spec.s == 0 || spec.t == 0)
    return op->emitError("linea-to-gpu: empty attention (B·H·S = ")
           << spec.batch * spec.heads * spec.s << ", T = " << spec.t << ")";
  spec.causal = attn.getCausal();
  spec.scale = attn.getEffectiveScale();
  if (spec.decode()) {
    // One wave: as many blocks as are resident at once on an H100/H200
    // (3 per SM of 132 at ~74 KB of shared memory), in slices of whole
    // tiles. A partial second wave of short blocks cost a third of the
    // bandwidth at B·Hkv = 8 (measured).
    const int64_t tiles = (spec.t + spec.blockKeys - 1) / spec.blockKeys;
    const int64_t perSm =
        std::clamp<int64_t>(227 * 1024 / spec.sharedBytes(), 1, 3);
    const int64_t resident = perSm * 132;
    int64_t want =
        std::clamp<int64_t>(resident / (spec.batch * spec.kvHeads), 1, tiles);
    int64_t tilesPerSlice = (tiles + want - 1) / want;
    spec.sliceKeys = tilesPerSlice * spec.blockKeys;
    spec.splits = (tiles + tilesPerSlice - 1) / tilesPerSlice;
  }
  return spec;
}

namespace {

std::string dtypeOf(Type t) {
  return t.isBF16() ? "bf16" : t.isF16() ? "f16" : "f32";
}

constexpr int64_t kStageThreads = 256, kStageBlocks = 4 * 132;

/// The staging kernel of an f32 attention: q, k, v (f32) rounded to the
/// f16 workspaces qh, kh, vh, 4 elements per thread and step, grid-stride
/// (one launch of kStageBlocks blocks). The other `numArgs` arguments
/// (mask, outputs) are untouched.
void buildAttentionStageKernel(OpBuilder &builder, Location loc,
                               StringRef name, const AttentionSpec &spec,
                               unsigned numArgs) {
  MLIRContext *ctx = builder.getContext();
  const int64_t counts[3] = {spec.batch * spec.heads * spec.s * spec.d,
                             spec.batch * spec.kvHeads * spec.t * spec.d,
                             spec.batch * spec.kvHeads * spec.t * spec.dv};
  const unsigned ws = spec.hasMask() ? 4 : 3;
  SmallVector<Type> types(numArgs,
                          globalMemref(ctx, {1}, builder.getI8Type()));
  for (int i = 0; i < 3; ++i) {
    // D is a multiple of 32, so every count is of whole vector<4>.
    types[i] = globalMemref(ctx, {counts[i] / 4},
                            VectorType::get({4}, spec.ioElem));
    types[ws + i] =
        globalMemref(ctx, {counts[i] / 4}, VectorType::get({4}, spec.elem));
  }
  auto func = makeKernel(builder, loc, name, types, kStageThreads);
  ImplicitLocOpBuilder b(loc, ctx);
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  Value first = arith::AddIOp::create(
      b, gpu::ThreadIdOp::create(b, gpu::Dimension::x),
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            arith::ConstantIndexOp::create(b, kStageThreads)));
  Value stride = arith::MulIOp::create(
      b, gpu::GridDimOp::create(b, gpu::Dimension::x),
      arith::ConstantIndexOp::create(b, kStageThreads));
  for (int i = 0; i < 3; ++i) {
    Value in = entry.getArgument(i), out = entry.getArgument(ws + i);
    auto loop = scf::ForOp::create(
        b, first, arith::ConstantIndexOp::create(b, counts[i] / 4), stride);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value x = memref::LoadOp::create(b, in, loop.getInductionVar());
    memref::StoreOp::create(
        b, arith::TruncFOp::create(b, VectorType::get({4}, spec.elem), x), out,
        loop.getInductionVar());
  }
  gpu::ReturnOp::create(b);
}

DictionaryAttr
describe(Builder &b, StringRef symbol, StringRef layer, StringRef kind,
         const AttentionSpec &spec, std::array<int64_t, 3> grid,
         int64_t threads, int64_t shared,
         ArrayRef<std::pair<StringRef, SmallVector<int64_t>>> args,
         ArrayRef<NamedAttribute> extra = {}) {
  SmallVector<Attribute> argAttrs;
  for (auto &[name, shape] : args) {
    bool isF32 = name == "opart" || name == "ml";
    bool staging = name == "qh" || name == "kh" || name == "vh";
    std::string dtype = isF32            ? "f32"
                        : name == "mask" ? dtypeOf(spec.maskElem)
                        : staging        ? dtypeOf(spec.elem)
                                         : dtypeOf(spec.ioElem);
    argAttrs.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(name)),
         b.getNamedAttr("dtype", b.getStringAttr(dtype)),
         b.getNamedAttr("shape", b.getI64ArrayAttr(shape))}));
  }
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("symbol", b.getStringAttr(symbol)),
      b.getNamedAttr("layer", b.getStringAttr(layer)),
      b.getNamedAttr("op", b.getStringAttr("attention")),
      b.getNamedAttr("kind", b.getStringAttr(kind)),
      b.getNamedAttr("batch", b.getI64IntegerAttr(spec.batch)),
      b.getNamedAttr("heads", b.getI64IntegerAttr(spec.heads)),
      b.getNamedAttr("kv_heads", b.getI64IntegerAttr(spec.kvHeads)),
      b.getNamedAttr("s", b.getI64IntegerAttr(spec.s)),
      b.getNamedAttr("t", b.getI64IntegerAttr(spec.t)),
      b.getNamedAttr("d", b.getI64IntegerAttr(spec.d)),
      b.getNamedAttr("dv", b.getI64IntegerAttr(spec.dv)),
      b.getNamedAttr("masked", b.getBoolAttr(spec.hasMask())),
      b.getNamedAttr("causal", b.getBoolAttr(spec.causal)),
      b.getNamedAttr("scale", b.getF32FloatAttr(spec.scale)),
      b.getNamedAttr("element", b.getStringAttr(dtypeOf(spec.ioElem))),
      b.getNamedAttr("rows_per_warp", b.getI64IntegerAttr(spec.rowsPerWarp)),
      b.getNamedAttr("block_keys", b.getI64IntegerAttr(spec.blockKeys)),
      b.getNamedAttr("splits", b.getI64IntegerAttr(spec.splits)),
      b.getNamedAttr("grid", b.getI64ArrayAttr(grid)),
      b.getNamedAttr("block", b.getI64ArrayAttr({threads, 1, 1})),
      b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(shared)),
      b.getNamedAttr("args", b.getArrayAttr(argAttrs))};
  if (spec.staged()) // the tensor-core operand type
    entries.push_back(
        b.getNamedAttr("compute", b.getStringAttr(dtypeOf(spec.elem))));
  entries.append(extra.begin(), extra.end());
  return b.getDictionaryAttr(entries);
}

} // namespace

FailureOr<SmallVector<std::pair<int64_t, int64_t>>>
parseAttentionTiles(ArrayRef<std::string> options, Operation *anchor) {
  SmallVector<std::pair<int64_t, int64_t>> tiles;
  for (StringRef item : options) {
    auto [r, k] = item.split('x');
    int64_t rows = 0, keys = 0;
    if (r.getAsInteger(10, rows) || k.getAsInteger(10, keys) ||
        (rows != 16 && rows != 32) || (keys != 32 && keys != 64 && keys != 128))
      return anchor->emitError("linea-to-gpu: attention-tiles entry '")
             << item
             << "' is not ROWSxKEYS with ROWS in {16, 32} and KEYS in {32, "
                "64, 128}";
    tiles.push_back({rows, keys});
  }
  if (tiles.empty())
    tiles = {{32, 32}};
  return tiles;
}

void emitAttentionKernels(OpBuilder &b, Operation *op, StringRef prefix,
                          StringRef layer, const AttentionSpec &base,
                          ArrayRef<std::pair<int64_t, int64_t>> variants,
                          SmallVectorImpl<Attribute> &manifest) {
  const int64_t bb = base.batch, h = base.heads, hk = base.kvHeads;
  SmallVector<int64_t> qShape = {bb, h, base.s, base.d};
  SmallVector<int64_t> kShape = {bb, hk, base.t, base.d};
  SmallVector<int64_t> vShape = {bb, hk, base.t, base.dv};
  SmallVector<int64_t> oShape = {bb, h, base.s, base.dv};
  SmallVector<std::pair<StringRef, SmallVector<int64_t>>> args = {
      {"q", qShape}, {"k", kShape}, {"v", vShape}};
  if (base.hasMask())
    args.push_back({"mask", SmallVector<int64_t>(base.maskShape.begin(),
                                                 base.maskShape.end())});
  if (base.staged())
    args.append({{"qh", qShape}, {"kh", kShape}, {"vh", vShape}});
  auto launch = [&](StringRef name, std::array<int64_t, 3> grid,
                    int64_t threads, int64_t shared) {
    return b.getDictionaryAttr(
        {b.getNamedAttr("symbol", b.getStringAttr(name)),
         b.getNamedAttr("grid", b.getI64ArrayAttr(grid)),
         b.getNamedAttr("block", b.getI64ArrayAttr({threads, 1, 1})),
         b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(shared))});
  };
  // f32: one staging kernel, launched first by every variant's entry.
  SmallVector<Attribute> stage;
  if (base.staged()) {
    std::string name = (prefix + "_stage").str();
    const unsigned numArgs = args.size() + (base.decode() ? 3 : 1);
    buildAttentionStageKernel(b, op->getLoc(), name, base, numArgs);
    stage.push_back(launch(name, {kStageBlocks, 1, 1}, kStageThreads, 0));
  }
  if (base.decode()) {
    // One manifest entry, two launches with the same arguments: the split
    // kernel, then the combine kernel.
    std::string symbol = (prefix + "_fd_b" + Twine(base.blockKeys)).str();
    std::string combine = symbol + "_combine";
    buildFlashAttentionKernel(b, op->getLoc(), symbol, base);
    buildAttentionCombineKernel(b, op->getLoc(), combine, base);
    args.push_back({"opart", {bb, h, base.partials(), base.dv}});
    args.push_back({"ml", {bb, h, base.partials(), 2}});
    args.push_back({"o", oShape});
    SmallVector<Attribute> steps(stage);
    steps.append(
        {launch(symbol, base.grid(), kAttentionThreads, base.sharedBytes()),
         launch(combine, {h, bb, 1}, base.dv, 0)});
    Attribute launches = b.getArrayAttr(steps);
    manifest.push_back(describe(b, symbol, layer, "decode", base, base.grid(),
                                kAttentionThreads, base.sharedBytes(), args,
                                {b.getNamedAttr("launches", launches)}));
    return;
  }
  args.push_back({"o", oShape});
  // Above D = 128 the O accumulators (Dv / 2 registers per m-tile) leave
  // room for one m-tile: R = 16, and Bc ≤ 32 (16 × 64 spills; on an H100 at
  // D = 256 it ran at 0.41–0.51× SDPA against 0.82–0.86× for 16 × 32).
  const bool wide = base.d > 128 || base.dv > 128;
  SmallVector<std::pair<int64_t, int64_t>> chosen;
  for (auto [rows, keys] : variants) {
    std::pair<int64_t, int64_t> v =
        wide ? std::pair<int64_t, int64_t>{16, std::min<int64_t>(keys, 32)}
             : std::pair<int64_t, int64_t>{rows, keys};
    if (!llvm::is_contained(chosen, v))
      chosen.push_back(v);
  }
  // A mask with rows, shared by the heads: each variant also in head-fastest
  // block order (`…_hx`), where the heads of a row block run together and
  // read its mask rows once (measured side by side: docs/cuda.md).
  const bool sharedMaskRows = base.hasMask() && base.maskShape[1] == 1 &&
                              base.maskShape[2] > 1 && base.heads > 1;
  for (auto [rows, keys] : chosen)
    for (bool hx : {false, true}) {
      if (hx && !sharedMaskRows)
        continue;
      AttentionSpec spec = base;
      spec.rowsPerWarp = rows;
      spec.blockKeys = keys;
      spec.headsFastest = hx;
      std::string symbol = (prefix + "_fa_r" + Twine(rows) + "b" +
                            Twine(spec.blockKeys) + (hx ? "_hx" : ""))
                               .str();
      buildFlashAttentionKernel(b, op->getLoc(), symbol, spec);
      SmallVector<NamedAttribute> extra = {
          b.getNamedAttr("heads_fastest", b.getBoolAttr(hx))};
      if (spec.staged()) {
        SmallVector<Attribute> steps(stage);
        steps.push_back(launch(symbol, spec.grid(), kAttentionThreads,
                               spec.sharedBytes()));
        extra.push_back(b.getNamedAttr("launches", b.getArrayAttr(steps)));
      }
      manifest.push_back(describe(b, symbol, layer, "prefill", spec,
                                  spec.grid(), kAttentionThreads,
                                  spec.sharedBytes(), args, extra));
    }
}

} // namespace linea::gpu_codegen
