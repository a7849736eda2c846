//===- ChunkwiseKernels.cpp - chunkwise linear attention on tensor cores --===//
//
// The chunkwise-parallel form (REWRITES.md §7) of causal linear_attention,
// gated_linear_attention and delta_rule (the WY form, deltaChunk below;
// docs/cuda.md): block (b·H + h, tile of 64 or 32 columns of
// v) of 4 warps walks T in chunks of C = 64 tokens, keeping its Dk×tile
// part of the state S in f32 registers (warp w owns Dk/4 rows of it). Per chunk:
//
//   stage   q, k (φ applied for linear attention), v, and for GLA the
//           log-gate b = cumsum of g from the chunk start, into shared
//           memory as bf16/f16 rows padded to D + 8 elements (so the 8
//           rows one ldmatrix reads fall in distinct banks);
//   intra   warp w owns the 16 query rows of sub-chunk I = w: for every
//           earlier key sub-chunk J < w and the diagonal one, scores
//           Q Kᵀ (mma.sync m16n8k16, f32 accumulators), the causal mask
//           on the diagonal, then O += P V with the scores repacked as the
//           A fragment (no shared-memory round trip);
//   inter   O += Q̃ S with S read back as bf16/f16 (ldmatrix.trans);
//   update  S ← diag(decay) S + K̃ᵀ V (K̃ᵀ fragments by ldmatrix.trans).
//
// Gating is numerically safe like the CPU kernel's (LinearAttentionKernels
// .cpp): every factor is an exponent of a difference of cumulative
// log-gates referred to a sub-chunk boundary, never e^{−b}. With r(i) the
// row before i's sub-chunk, e(J) the last row of sub-chunk J:
//
//   Q̂_i = q_i e^{b_i − b_r(i)}            (≤ 1)
//   off-diagonal (J < I): Q̂_i e^{b_r(I) − b_e(J)} · k_j e^{b_e(J) − b_j}
//                         (both ≤ 1; the first factor scales the A
//                         fragments in registers, per key column)
//   diagonal (J = I):     Q̂_i · k_j e^{b_r(I) − b_j}, the one positive
//                         exponent: the log-decay inside one 16-token
//                         sub-chunk (exact while it is below ~80 for bf16,
//                         ~10 for f16, whose range ends at 65504)
//   inter:                Q̂_i e^{b_r(i)} · S      (≤ 1)
//   update:               S e^{b_63} + (k_j e^{b_63 − b_j})ᵀ v_j   (≤ 1)
//
// Linear attention is the same walk with no gates and φ applied; its
// denominators are the row sums of the masked f32 scores plus φ(q_i)·z,
// z = Σ φ(k_j) of earlier chunks in f32 shared memory. Ragged T: rows past
// T are staged as zeros (φ(k) too) and not stored.
//
//===----------------------------------------------------------------------===//

#include "KernelBuild.h"
#include "MmaBuild.h"
#include "ScanKernels.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kChunk = 64;      // tokens per chunk
constexpr int64_t kSub = 16;        // tokens per sub-chunk (one warp's rows)
constexpr int64_t kThreads = 128;   // 4 warps

class ChunkwiseBuilder : MmaBuilder {
public:
  /// `phase`: 0 one launch; delta rule in two launches: 1 computes T, W
  /// and U of every chunk in parallel into ws_wu, 2 walks the chunks.
  ChunkwiseBuilder(ImplicitLocOpBuilder &b, const RecurrenceSpec &spec,
                   int phase = 0)
      : MmaBuilder(b, spec.elemType), spec(spec), phase(phase),
        prefetch(spec.prefetch && (phase == 2 ||
                                   spec.kind != RecurrenceKind::DeltaRule)),
        gla(spec.kind == RecurrenceKind::GatedLinearAttention),
        delta(spec.kind == RecurrenceKind::DeltaRule), dk(spec.dk),
        vt(spec.valueTile), nT(spec.valueTile / 8), rsK((spec.dk + 8) * 2),
        rsV((spec.valueTile + 8) * 2) {
    offQ = 0;
    offKD = offQ + kChunk * rsK;
    offKE = gla ? offKD + kChunk * rsK : offKD;
    offKL = gla ? offKE + kChunk * rsK : offKD;
    offV = offKL + kChunk * rsK;
    offS = offV + kChunk * rsV;
    offB = offS + dk * rsV;              // GLA: b [C][Dk] f32; LA: z [Dk]
    offFac = offB + kChunk * dk * 4;     // GLA: P [4][Dk], L [4][Dk], D [Dk]
    sharedBytes = gla ? offFac + 9 * dk * 4 : offB + dk * 4;
    if (delta) {
      offU = offS + dk * rsV;            // U' [C][vt + 8] 16-bit
      offA = offU + kChunk * rsV;        // −A transposed [C][C + 8] f32
      offT = offA + kChunk * rsA * 4;    // T [C][C + 8] 16-bit
      offBeta = offT + kChunk * rsT;     // β [C] f32
      sharedBytes = offBeta + kChunk * 4;
      if (phase == 2) { // U staged at offV (then U'), W rows after S
        offW = offS + dk * rsV;
        sharedBytes = offW + kChunk * rsK;
      }
    }
    if (prefetch) {
      // Two buffers of what a chunk stages from global memory (Q, K, V or
      // U, W, GLA's b), then the single KE, KL, S, z or factors.
      int64_t o = 0;
      auto take = [&](int64_t bytes) {
        int64_t at = o;
        o += bytes;
        return at;
      };
      bufQ = take(kChunk * rsK);
      bufKD = take(kChunk * rsK);
      bufV = take(kChunk * rsV);
      bufW = phase == 2 ? take(kChunk * rsK) : 0;
      bufB = gla ? take(kChunk * dk * 4) : 0;
      bufBytes = o;
      o = 2 * bufBytes;
      if (gla) {
        offKE = take(kChunk * rsK);
        offKL = take(kChunk * rsK);
      }
      offS = take(dk * rsV);
      if (gla)
        offFac = take(9 * dk * 4);
      else if (!delta)
        offB = take(dk * 4); // z
      sharedBytes = o;
      useBuffer(0);
    }
  }

  int64_t shared() const { return sharedBytes; }
  void build(ValueRange args);

private:
  // Shared-memory f32 access at byte offset `off` (i32).
  Value loadF32(Value off, int64_t n = 1) {
    Type t = n == 1 ? f32 : Type(VectorType::get({n}, f32));
    return LLVM::LoadOp::create(b, t, sharedPtr(off), n == 1   ? 4
                                                      : n == 2 ? 8
                                                               : 16);
  }
  void storeShared(Value v, Value off, unsigned align) {
    LLVM::StoreOp::create(b, v, sharedPtr(off), align);
  }
  /// Byte offset of b[row][col] (f32, unpadded rows of Dk).
  Value bAt(Value row, Value col) {
    return add(mul(add(mul(row, dk), col), 4), offB);
  }
  Value expf(Value x) { return fastExp(b, x); }
  /// exp of each element of a vector<8xf32>.
  Value expVec(Value v) {
    SmallVector<Value> e;
    for (int64_t i = 0; i < 8; ++i)
      e.push_back(expf(vector::ExtractOp::create(b, v, i)));
    return vector::FromElementsOp::create(b, VectorType::get({8}, f32), e);
  }
  Value truncVec(Value v) {
    return arith::TruncFOp::create(b, VectorType::get({8}, elem), v);
  }
  /// Multiplies the A fragment `frag` (k-step kk) by per-column factors:
  /// factor(c) gives the f32 pair for columns c, c + 1.
  SmallVector<Value, 4>
  scaleFragment(ArrayRef<Value> frag, int64_t kk,
                llvm::function_ref<std::pair<Value, Value>(Value)> factor) {
    SmallVector<Value, 4> out(frag.begin(), frag.end());
    for (int64_t half = 0; half < 2; ++half) {
      Value c = add(mul(tig, 2), kk * 16 + half * 8);
      auto [f0, f1] = factor(c);
      for (int64_t r = 0; r < 2; ++r) {
        auto [lo, hi] = unpack(frag[2 * half + r]);
        out[2 * half + r] = pack(arith::MulFOp::create(b, lo, f0),
                                 arith::MulFOp::create(b, hi, f1));
      }
    }
    return out;
  }
  /// Factor pair from a vector<2xf32> load at byte offset `off`.
  std::pair<Value, Value> pairAt(Value off) {
    Value v = loadF32(off, 2);
    return {vector::ExtractOp::create(b, v, 0),
            vector::ExtractOp::create(b, v, 1)};
  }
  /// Scores of query rows 16w… (A fragment of k-step kk: qa(kk), loaded
  /// when used to keep registers free) against the 16 keys of rows key0…
  /// of the K buffer `kOff`, then O += P V for those keys (P rounded to 16 bits);
  /// `diagonal` masks keys after the row; row sums of P accumulate into
  /// `sums` (linear attention).
  using FragmentFn = llvm::function_ref<SmallVector<Value, 4>(int64_t)>;
  void blockProduct(FragmentFn qa, int64_t kOff,
                    Value key0, bool diagonal, MutableArrayRef<Value> o,
                    MutableArrayRef<Value> sums, int64_t vOff);
  /// Scores (f32 C fragments of two n-tiles) of the A fragments qa(kk)
  /// against the 16 keys of rows key0… of the K buffer `kOff`.
  SmallVector<Value> scores(FragmentFn qa, int64_t kOff, Value key0);
  /// c += a · (rows of the 16-bit buffer at `off`, row stride `rs`, 16 rows
  /// from `row0`, columns col0 … col0 + 8·c.size()/4) with the B fragments
  /// read by ldmatrix.trans (row-major [k][n] storage).
  void mmaRowsTrans(ArrayRef<Value> a, int64_t off, int64_t rs, Value row0,
                    int64_t col0, MutableArrayRef<Value> c);
  void stage(Value t0, ValueRange args);
  void writeState(ArrayRef<Value> s);
  /// The delta rule's work on one staged chunk (WY form): returns the new
  /// state and stores o.
  SmallVector<Value> deltaChunk(Value t0, SmallVector<Value> s, Value o);
  /// −Aᵀ of the staged chunk, then T (solveT), each followed by a barrier.
  void computeT();
  /// Rows 16w… of U = T V into `u` and of W = T K, 16 columns at a time,
  /// to wSlab(kk, C fragments of columns 16kk…).
  void productsT(MutableArrayRef<Value> u,
                 llvm::function_ref<void(int64_t, ArrayRef<Value>)> wSlab);
  /// First launch of the two-launch delta rule: W and U of the chunk at t0
  /// to ws (rows of Dk + Dv 16-bit values).
  void prepChunk(Value t0, Value ws);
  /// A fragments (k-step kk) of rows 16w… of the [C][Dk] buffer at `off`.
  auto rowsOf(int64_t off) {
    return [this, off](int64_t kk) {
      return ldmatrix4(add(laneQ, off + kk * 32), /*trans=*/false);
    };
  }
  /// T = (I + A)⁻¹ diag(β) by forward substitution in f32, two lanes per
  /// column, into the 16-bit buffer at offT.
  void solveT();
  /// Stores the f32 C fragments `acc` (rows 16w…, vt columns) times
  /// `factor` to o for tokens t0 + row < T.
  void storeOutput(Value t0, ArrayRef<Value> acc, ArrayRef<Value> factor,
                   Value o);

  static constexpr int64_t rsT = (kChunk + 8) * 2; // bytes
  // −Aᵀ rows: the even rows i of A, 4 floats of padding, the odd ones.
  static constexpr int64_t kHalfA = kChunk / 2 + 4;
  static constexpr int64_t rsA = 2 * kHalfA; // f32 elements
  /// Points offQ, offKD (offKE, offKL for linear attention), offV, offW
  /// and GLA's offB at buffer `x` of the prefetching kernel.
  void useBuffer(int64_t x) {
    int64_t base = x * bufBytes;
    offQ = base + bufQ;
    offKD = base + bufKD;
    offV = base + bufV;
    if (phase == 2)
      offW = base + bufW;
    if (gla)
      offB = base + bufB;
    else
      offKE = offKL = offKD;
  }
  /// A chunk's rows of q, k (and g, W): thread item m is row i / (Dk / 8),
  /// 8-column group i mod (Dk / 8), i = tid + 128 m.
  struct Item {
    Value row, grp, valid;
  };
  SmallVector<Item> stageItems(Value t0);
  /// Byte offset of the item's 8 columns in the [C][Dk + 8] buffer `off`.
  Value rowOffset(const Item &it, int64_t off) {
    return add(add(mul(it.row, rsK), mul(it.grp, 16)), off);
  }
  void storeRow(Value x, int64_t off, const Item &it) {
    storeShared(truncVec(x), rowOffset(it, off), 16);
  }
  /// The item's 8 values of the buffer `off`, as f32.
  Value loadRow(int64_t off, const Item &it) {
    return toF32(b, LLVM::LoadOp::create(b, VectorType::get({8}, elem),
                                         sharedPtr(rowOffset(it, off)), 16));
  }
  /// 16-byte cp.async from global byte address `src` (i64) to shared byte
  /// offset `dst`, zero-filled without a read where `valid` is false.
  void copy16(Value dst, Value src, Value valid);
  /// Prefetch: cp.async (one commit group) of the chunk at t0 into the
  /// buffer useBuffer selected: raw q, k, v or U, W, g (f32 into b; 16-bit
  /// into b's upper half).
  void issueStage(Value t0, ValueRange args);
  /// Prefetch: what stage() computes after its loads, on the landed chunk:
  /// φ (linear attention), GLA's gate passes. Ends without a barrier.
  void finishStage(Value t0);
  /// φ of 8 f32 values.
  Value phiVec(Value v);
  /// GLA: b = cumsum of the gates, per-column factors, rescaled q, k into
  /// Q, KD, KE, KL (after a barrier; `raw16`: 16-bit gates in b's upper
  /// half, converted).
  void gatePasses(ArrayRef<Item> items, bool raw16);

  const RecurrenceSpec &spec;
  int phase;
  bool prefetch;
  int64_t bufQ = 0, bufKD = 0, bufV = 0, bufW = 0, bufB = 0, bufBytes = 0;
  bool gla, delta;
  int64_t dk, vt, nT, rsK, rsV; // vt columns of v per block, nT = vt / 8
  int64_t offQ, offKD, offKE, offKL, offV, offS, offB, offFac, sharedBytes;
  int64_t offU = 0, offA = 0, offT = 0, offBeta = 0, offW = 0; // delta rule
  Value wsArg; // ws_wu (two-launch delta rule)
  Value tid, warp, lane, gid, tig, laneQ, laneK, laneV, laneT;
  Value bi, hi, colBase; // index
  Value bh32, col32;     // i32: b·H + h, first column of v
};

SmallVector<Value> ChunkwiseBuilder::scores(FragmentFn qa, int64_t kOff,
                                            Value key0) {
  SmallVector<Value> s(8, cf(0.0));
  Value kRow = add(laneK, add(mul(key0, rsK), kOff));
  for (int64_t kk = 0; kk < dk / 16; ++kk) {
    SmallVector<Value, 4> a = qa(kk);
    auto kf = ldmatrix4(add(kRow, kk * 32), /*trans=*/false);
    mma(a, kf[0], kf[1], MutableArrayRef<Value>(s).slice(0, 4));
    mma(a, kf[2], kf[3], MutableArrayRef<Value>(s).slice(4, 4));
  }
  return s;
}

void ChunkwiseBuilder::mmaRowsTrans(ArrayRef<Value> a, int64_t off, int64_t rs,
                                    Value row0, int64_t col0,
                                    MutableArrayRef<Value> c) {
  // Lane address of an ldmatrix.x4.trans over 16 rows × 16 columns.
  Value l8 = remu(lane, 8), hiHalf = divu(lane, 16),
        midBit = remu(divu(lane, 8), 2);
  Value base = add(add(mul(add(add(l8, mul(midBit, 8)), row0), rs),
                       mul(hiHalf, 16)),
                   off + col0 * 2);
  for (int64_t dd = 0; dd < int64_t(c.size()) / 8; ++dd) {
    auto f = ldmatrix4(add(base, dd * 32), /*trans=*/true);
    mma(a, f[0], f[1], c.slice(2 * dd * 4, 4));
    mma(a, f[2], f[3], c.slice((2 * dd + 1) * 4, 4));
  }
}

void ChunkwiseBuilder::blockProduct(FragmentFn qa, int64_t kOff, Value key0, bool diagonal,
                                    MutableArrayRef<Value> o,
                                    MutableArrayRef<Value> sums, int64_t vOff) {
  Value zero = cf(0.0);
  SmallVector<Value> s = scores(qa, kOff, key0);
  if (diagonal) {
    // Key n·8 + 2·tig + e of the block is visible from row gid (+ 8) iff
    // it is not after it.
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t r = 0; r < 2; ++r)
        for (int64_t e = 0; e < 2; ++e) {
          Value key = add(mul(tig, 2), n * 8 + e);
          Value row = add(gid, r * 8);
          Value &x = s[n * 4 + 2 * r + e];
          x = select(cmp(arith::CmpIPredicate::sle, key, row), x, zero);
        }
  }
  if (!sums.empty())
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t r = 0; r < 2; ++r)
        for (int64_t e = 0; e < 2; ++e)
          sums[r] = arith::AddFOp::create(b, sums[r], s[n * 4 + 2 * r + e]);
  SmallVector<Value, 4> a = {pack(s[0], s[1]), pack(s[2], s[3]),
                             pack(s[4], s[5]), pack(s[6], s[7])};
  mmaRowsTrans(a, vOff, rsV, key0, 0, o);
}

SmallVector<ChunkwiseBuilder::Item> ChunkwiseBuilder::stageItems(Value t0) {
  const int64_t groups = dk / 8;
  SmallVector<Item> items;
  for (int64_t m = 0; m < kChunk * groups / kThreads; ++m) {
    Item it;
    Value i = add(tid, m * kThreads);
    it.row = divu(i, groups);
    it.grp = remu(i, groups);
    it.valid = cmp(arith::CmpIPredicate::slt, add(t0, it.row), ci(spec.time));
    items.push_back(it);
  }
  return items;
}

Value ChunkwiseBuilder::phiVec(Value v) {
  SmallVector<Value> e;
  for (int64_t i = 0; i < 8; ++i)
    e.push_back(
        featureMap(b, spec.featureMap, vector::ExtractOp::create(b, v, i)));
  return vector::FromElementsOp::create(b, VectorType::get({8}, f32), e);
}

void ChunkwiseBuilder::stage(Value t0, ValueRange args) {
  Value q = args[0], k = args[1], v = args[2], g = gla ? args[3] : Value();
  const int64_t T = spec.time;
  Type vec8 = VectorType::get({8}, f32);
  Value zero8 = cF32Like(b, vec8, 0.0);
  auto rowOf = [&](Value row, Value &valid) {
    Value t = add(t0, row);
    valid = cmp(arith::CmpIPredicate::slt, t, ci(T));
    return toIndex(minsi(t, ci(T - 1)));
  };
  // v: 64 rows × 8 groups of 8 columns.
  for (int64_t m = 0; m < kChunk * (nT) / kThreads; ++m) {
    Value i = add(tid, m * kThreads);
    Value row = divu(i, nT), grp = remu(i, nT);
    Value valid;
    Value t = rowOf(row, valid);
    Value col = arith::AddIOp::create(
        b, arith::DivUIOp::create(b, colBase, cIdx(b, 8)), toIndex(grp));
    Value x;
    if (phase == 2) // U from the first launch (zero past T)
      x = memref::LoadOp::create(
          b, wsArg,
          ValueRange{bi, hi, toIndex(add(t0, row)),
                     arith::AddIOp::create(b, col, cIdx(b, dk / 8))});
    else
      x = select(valid, memref::LoadOp::create(b, v, ValueRange{bi, hi, t, col}),
                 arith::TruncFOp::create(b, VectorType::get({8}, elem), zero8));
    storeShared(x, add(add(mul(row, rsV), mul(grp, 16)), offV), 16);
  }
  if (delta && phase != 2) // β: one row per thread.
    ifThen(b, cmp(arith::CmpIPredicate::slt, tid, ci(kChunk)), [&] {
      Value valid;
      Value t = rowOf(tid, valid);
      Value x = toF32(b, memref::LoadOp::create(b, args[3],
                                                ValueRange{bi, hi, t}));
      storeShared(select(valid, x, cf(0.0)), add(mul(tid, 4), offBeta), 4);
    });
  // q, k (and g): 64 rows × Dk/8 groups. GLA stores q and k unscaled
  // (exact: they are 16-bit already) and rescales them in place once b is
  // known.
  SmallVector<Item> items = stageItems(t0);
  for (const Item &it : items) {
    Value t = toIndex(minsi(add(t0, it.row), ci(T - 1)));
    SmallVector<Value> idx = {bi, hi, t, toIndex(it.grp)};
    Value qv = toF32(b, memref::LoadOp::create(b, q, idx));
    Value kv = toF32(b, memref::LoadOp::create(b, k, idx));
    if (gla) {
      Value gv = toF32(b, memref::LoadOp::create(b, g, idx));
      storeShared(select(it.valid, gv, zero8),
                  bAt(it.row, mul(it.grp, 8)), 16);
    } else if (!delta) {
      qv = phiVec(qv);
      kv = phiVec(kv);
    }
    storeRow(qv, offQ, it);
    storeRow(select(it.valid, kv, zero8), offKD, it);
    if (phase == 2)
      storeShared(memref::LoadOp::create(
                      b, wsArg,
                      ValueRange{bi, hi, toIndex(add(t0, it.row)),
                                 toIndex(it.grp)}),
                  rowOffset(it, offW), 16);
  }
  if (!gla)
    return;
  gpu::BarrierOp::create(b);
  gatePasses(items, /*raw16=*/false);
}

void ChunkwiseBuilder::gatePasses(ArrayRef<Item> items, bool raw16) {
  // Column pass: b = inclusive cumsum of g down each column, then the
  // per-column factors P[I] = e^{b_{16I−1}}, L[J] = e^{b_63 − b_{16J+15}},
  // D = e^{b_63}. Every thread reads a column (threads past Dk repeat
  // one); 16-bit gates lie in b's upper half, which the f32 rows
  // overwrite: all reads come before a barrier.
  Value column = remu(tid, dk);
  SmallVector<Value> col;
  for (int64_t r = 0; r < kChunk; ++r) {
    if (!raw16) {
      col.push_back(loadF32(bAt(ci(r), column)));
      continue;
    }
    Value off = add(mul(add(mul(ci(r), dk), column), 2), offB + kChunk * dk * 2);
    col.push_back(toF32(
        b, LLVM::LoadOp::create(b, spec.gateType, sharedPtr(off), 2)));
  }
  if (raw16)
    gpu::BarrierOp::create(b);
  ifThen(b, cmp(arith::CmpIPredicate::slt, tid, ci(dk)), [&] {
    Value run = col[0];
    if (raw16)
      storeShared(run, bAt(ci(0), tid), 4);
    for (int64_t r = 1; r < kChunk; ++r) {
      run = arith::AddFOp::create(b, run, col[r]);
      storeShared(run, bAt(ci(r), tid), 4);
      col[r] = run;
    }
    Value last = col[kChunk - 1];
    for (int64_t s = 0; s < 4; ++s) {
      Value p = s ? expf(col[s * kSub - 1]) : cf(1.0);
      storeShared(p, add(mul(tid, 4), offFac + s * dk * 4), 4);
      Value l = expf(arith::SubFOp::create(b, last, col[s * kSub + kSub - 1]));
      storeShared(l, add(mul(tid, 4), offFac + (4 + s) * dk * 4), 4);
    }
    storeShared(expf(last), add(mul(tid, 4), offFac + 8 * dk * 4), 4);
  });
  gpu::BarrierOp::create(b);
  // Scaled operands of each item's row j (sub-chunk J = j / 16).
  Value zero8 = cF32Like(b, VectorType::get({8}, f32), 0.0);
  for (const Item &it : items) {
    Value qv = loadRow(offQ, it), kv = loadRow(offKD, it);
    Value c0 = mul(it.grp, 8);
    Value J = divu(it.row, kSub);
    Value bj = loadF32(bAt(it.row, c0), 8);
    Value hasRef = cmp(arith::CmpIPredicate::sgt, J, ci(0));
    Value r0 = sub(mul(J, kSub), ci(1));
    Value bRef = select(hasRef, loadF32(bAt(select(hasRef, r0, ci(0)), c0), 8),
                        zero8);
    Value bEnd = loadF32(bAt(add(mul(J, kSub), kSub - 1), c0), 8);
    Value x = arith::SubFOp::create(b, bj, bRef); // ≤ 0
    Value qh = arith::MulFOp::create(b, qv, expVec(x));
    Value kd = arith::MulFOp::create(
        b, kv, expVec(arith::NegFOp::create(b, x)));
    Value ke = arith::MulFOp::create(
        b, kv, expVec(arith::SubFOp::create(b, bEnd, bj)));
    Value lj = loadF32(add(add(mul(J, dk * 4), mul(c0, 4)), offFac + 4 * dk * 4),
                       8);
    Value kl = arith::MulFOp::create(b, ke, lj);
    storeRow(qh, offQ, it);
    storeRow(kd, offKD, it);
    storeRow(ke, offKE, it);
    storeRow(kl, offKL, it);
  }
}

void ChunkwiseBuilder::copy16(Value dst, Value src, Value valid) {
  Value srcPtr = LLVM::IntToPtrOp::create(b, ptrGlobal, src);
  NVVM::CpAsyncOp::create(b, sharedPtr(dst), srcPtr, 16,
                          NVVM::LoadCacheModifierKind::CG,
                          select(valid, ci(16), ci(0)));
}

void ChunkwiseBuilder::issueStage(Value t0, ValueRange args) {
  const int64_t T = spec.time, tPad = chunkwiseWorkspace(spec)[2];
  // Global byte address of row t (clamped into the tensor) of this head:
  // rows of `rowBytes`, plus `colBytes`.
  auto rowAddr = [&](Value memref, Value t, int64_t rows, int64_t rowBytes,
                     Value colBytes) {
    Value r = toI64(add(mul(bh32, rows), minsi(t, ci(rows - 1))));
    Value off = arith::MulIOp::create(
        b, r, arith::ConstantOp::create(b, b.getI64IntegerAttr(rowBytes)));
    return arith::AddIOp::create(
        b, baseAddress(memref), arith::AddIOp::create(b, off, toI64(colBytes)));
  };
  const int64_t wsRow = (dk + spec.dv) * 2;
  for (int64_t m = 0; m < kChunk * nT / kThreads; ++m) {
    Value i = add(tid, m * kThreads);
    Value row = divu(i, nT), grp = remu(i, nT);
    Value t = add(t0, row);
    Value col = mul(add(col32, mul(grp, 8)), 2);
    Value dst = add(add(mul(row, rsV), mul(grp, 16)), offV);
    if (phase == 2)
      copy16(dst, rowAddr(wsArg, t, tPad, wsRow, add(col, dk * 2)),
             cmp(arith::CmpIPredicate::slt, t, ci(tPad)));
    else
      copy16(dst, rowAddr(args[2], t, T, spec.dv * 2, col),
             cmp(arith::CmpIPredicate::slt, t, ci(T)));
  }
  const int64_t gBytes =
      gla ? int64_t(spec.gateType.getIntOrFloatBitWidth() / 8) : 0;
  for (const Item &it : stageItems(t0)) {
    Value t = add(t0, it.row), c16 = mul(it.grp, 16);
    copy16(rowOffset(it, offQ), rowAddr(args[0], t, T, dk * 2, c16), it.valid);
    copy16(rowOffset(it, offKD), rowAddr(args[1], t, T, dk * 2, c16),
           it.valid);
    if (phase == 2)
      copy16(rowOffset(it, offW),
             rowAddr(wsArg, t, tPad, wsRow, c16),
             cmp(arith::CmpIPredicate::slt, t, ci(tPad)));
    if (gla && gBytes == 4) // f32 gates straight into b
      for (int64_t h = 0; h < 2; ++h)
        copy16(add(bAt(it.row, mul(it.grp, 8)), h * 16),
               rowAddr(args[3], t, T, dk * 4, add(mul(it.grp, 32), h * 16)),
               it.valid);
    else if (gla) // 16-bit gates into b's upper half
      copy16(add(mul(add(mul(it.row, dk), mul(it.grp, 8)), 2),
                 offB + kChunk * dk * 2),
             rowAddr(args[3], t, T, dk * 2, c16), it.valid);
  }
  NVVM::CpAsyncCommitGroupOp::create(b);
}

void ChunkwiseBuilder::finishStage(Value t0) {
  SmallVector<Item> items = stageItems(t0);
  if (gla) {
    gatePasses(items, spec.gateType.getIntOrFloatBitWidth() == 16);
    return;
  }
  if (delta)
    return;
  // φ in place; rows past T of φ(k) are zero (φ(0) need not be).
  Value zero8 = cF32Like(b, VectorType::get({8}, f32), 0.0);
  for (const Item &it : items) {
    Value qv = loadRow(offQ, it), kv = loadRow(offKD, it);
    storeRow(phiVec(qv), offQ, it);
    storeRow(select(it.valid, phiVec(kv), zero8), offKD, it);
  }
}

void ChunkwiseBuilder::writeState(ArrayRef<Value> s) {
  const int64_t mts = dk / 64;
  for (int64_t mt = 0; mt < mts; ++mt) {
    Value a0 = mul(add(mul(warp, mts), mt), 16);
    for (int64_t n = 0; n < nT; ++n)
      for (int64_t r = 0; r < 2; ++r) {
        Value row = add(a0, add(gid, r * 8));
        Value col = add(mul(tig, 2), n * 8);
        const Value *x = &s[(mt * nT + n) * 4 + 2 * r];
        storeShared(pack(x[0], x[1]),
                    add(add(mul(row, rsV), mul(col, 2)), offS), 4);
      }
  }
}

void ChunkwiseBuilder::storeOutput(Value t0, ArrayRef<Value> acc,
                                   ArrayRef<Value> factor, Value o) {
  const int64_t T = spec.time;
  for (int64_t r = 0; r < 2; ++r) {
    Value t = add(t0, add(mul(warp, kSub), add(gid, r * 8)));
    ifThen(b, cmp(arith::CmpIPredicate::slt, t, ci(T)), [&] {
      for (int64_t n = 0; n < nT; ++n) {
        Value x0 = arith::MulFOp::create(b, acc[n * 4 + 2 * r], factor[r]);
        Value x1 = arith::MulFOp::create(b, acc[n * 4 + 2 * r + 1], factor[r]);
        Value pair = vector::FromElementsOp::create(
            b, VectorType::get({2}, f32), ValueRange{x0, x1});
        Value col = arith::AddIOp::create(
            b, arith::DivUIOp::create(b, colBase, cIdx(b, 2)),
            toIndex(add(tig, n * 4)));
        memref::StoreOp::create(
            b, arith::TruncFOp::create(b, VectorType::get({2}, elem), pair), o,
            ValueRange{bi, hi, toIndex(t), col});
      }
    });
  }
}

void ChunkwiseBuilder::solveT() {
  // Row j of T: T[j][c] = β_j δ_jc − Σ_{i<j} A[j][i] T[i][c]. Right-looking:
  // once row j is known its terms are added to every later row's
  // accumulator, so each step's FMAs are independent of each other. Two
  // adjacent lanes share column c = tid / 2, lane parity h owning rows
  // i = 2m + h (acc[m]; −A stores them at h·36 + m); row j comes from its
  // owner by a shuffle. A's zero diagonal lets both lanes run the same
  // updates.
  Value c = divu(tid, 2), h = remu(tid, 2);
  Value hOff = add(mul(h, kHalfA * 4), offA);
  Value pairBase = sub(lane, h);
  SmallVector<Value> acc(kChunk / 2, cf(0.0));
  for (int64_t j = 0; j < kChunk; ++j) {
    Value own = acc[j / 2];
    Value tj = gpu::ShuffleOp::create(b, own, add(pairBase, j & 1), ci(32),
                                      gpu::ShuffleMode::IDX)
                   .getShuffleResult();
    Value beta = loadF32(ci(offBeta + j * 4));
    tj = arith::AddFOp::create(
        b, tj,
        select(cmp(arith::CmpIPredicate::eq, c, ci(j)), beta, cf(0.0)));
    LLVM::StoreOp::create(b, fromF32(b, tj, elem),
                          sharedPtr(add(mul(c, 2), offT + j * rsT)), 2);
    const int64_t m0 = (j + 1) / 2; // rows 2m + h ≤ j are done
    for (int64_t g = m0 / 4; g < kChunk / 8; ++g) {
      Value a4 = loadF32(add(hOff, (j * rsA + 4 * g) * 4), 4);
      for (int64_t e = 0; e < 4; ++e)
        if (4 * g + e >= m0)
          acc[4 * g + e] = fma(b, vector::ExtractOp::create(b, a4, e), tj,
                               acc[4 * g + e]);
    }
  }
}

void ChunkwiseBuilder::computeT() {
  // −A, transposed: At[j][i] = −β_i k_i·k_j for j < i (else 0); warp w
  // owns rows i of sub-chunk w.
  Value zero = cf(0.0), row0 = mul(warp, kSub);
  Value betaRow[2];
  for (int64_t r = 0; r < 2; ++r)
    betaRow[r] = loadF32(add(mul(add(row0, add(gid, r * 8)), 4), offBeta));
  for (int64_t J = 0; J < kChunk / kSub; ++J) {
    SmallVector<Value> sc = scores(rowsOf(offKD), offKD, ci(J * kSub));
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t r = 0; r < 2; ++r)
        for (int64_t e = 0; e < 2; ++e) {
          Value key = add(mul(tig, 2), J * kSub + n * 8 + e);
          Value row = add(row0, add(gid, r * 8));
          Value x = arith::MulFOp::create(
              b, arith::NegFOp::create(b, sc[n * 4 + 2 * r + e]), betaRow[r]);
          x = select(cmp(arith::CmpIPredicate::slt, key, row), x, zero);
          Value pos = add(mul(remu(row, 2), kHalfA), divu(row, 2));
          storeShared(x, add(mul(add(mul(key, rsA), pos), 4), offA), 4);
        }
  }
  gpu::BarrierOp::create(b);
  solveT();
  gpu::BarrierOp::create(b);
}

void ChunkwiseBuilder::productsT(MutableArrayRef<Value> u,
                                 llvm::function_ref<void(int64_t, ArrayRef<Value>)>
                                     wSlab) {
  Value zero = cf(0.0);
  SmallVector<SmallVector<Value, 4>> ta;
  for (int64_t ks = 0; ks < kChunk / 16; ++ks)
    ta.push_back(ldmatrix4(add(laneT, offT + ks * 32), /*trans=*/false));
  for (int64_t ks = 0; ks < kChunk / 16; ++ks)
    mmaRowsTrans(ta[ks], offV, rsV, ci(ks * 16), 0, u);
  for (int64_t kk = 0; kk < dk / 16; ++kk) {
    SmallVector<Value> w(8, zero);
    for (int64_t ks = 0; ks < kChunk / 16; ++ks)
      mmaRowsTrans(ta[ks], offKD, rsK, ci(ks * 16), kk * 16, w);
    wSlab(kk, w);
  }
}

void ChunkwiseBuilder::prepChunk(Value t0, Value ws) {
  computeT();
  // Row t0 + 16w + gid (+ 8) of ws: W in columns 0 … Dk, U after them.
  auto storePairs = [&](ArrayRef<Value> c, int64_t col0) {
    for (int64_t n = 0; n < int64_t(c.size()) / 4; ++n)
      for (int64_t r = 0; r < 2; ++r) {
        Value row = add(t0, add(mul(warp, kSub), add(gid, r * 8)));
        Value col = add(tig, (col0 + n * 8) / 2);
        memref::StoreOp::create(
            b,
            arith::TruncFOp::create(
                b, VectorType::get({2}, elem),
                vector::FromElementsOp::create(
                    b, VectorType::get({2}, f32),
                    ValueRange{c[n * 4 + 2 * r], c[n * 4 + 2 * r + 1]})),
            ws, ValueRange{bi, hi, toIndex(row), toIndex(col)});
      }
  };
  SmallVector<Value> u(nT * 4, cf(0.0));
  productsT(u, [&](int64_t kk, ArrayRef<Value> w) { storePairs(w, kk * 16); });
  storePairs(u, dk);
}

SmallVector<Value> ChunkwiseBuilder::deltaChunk(Value t0, SmallVector<Value> s,
                                                Value o) {
  const int64_t mts = dk / 64, nO = nT * 4;
  Value zero = cf(0.0);
  auto qf = rowsOf(offQ);
  Value row0 = mul(warp, kSub);
  // U' lives where U was staged (second launch) or in its own buffer.
  const int64_t uOff = phase == 2 ? offV : offU;

  // Rows 16w… of U = T V and W S (W = T K one 16-column slab at a time,
  // repacked in registers as A fragments), or, in the second launch, U
  // and W from the first; the inter-chunk part Q S; U' = U − W S.
  SmallVector<Value> u(nO, zero), ws(nO, zero), acc(nO, zero);
  auto wTimesS = [&](int64_t kk, ArrayRef<Value> w) {
    SmallVector<Value, 4> wa = {pack(w[0], w[1]), pack(w[2], w[3]),
                                pack(w[4], w[5]), pack(w[6], w[7])};
    mmaRowsTrans(wa, offS, rsV, ci(kk * 16), 0, ws);
  };
  auto uAt = [&](int64_t n, int64_t r) {
    Value row = add(row0, add(gid, r * 8));
    Value col = add(mul(tig, 2), n * 8);
    return add(add(mul(row, rsV), mul(col, 2)), uOff);
  };
  if (phase == 2) {
    for (int64_t kk = 0; kk < dk / 16; ++kk)
      mmaRowsTrans(rowsOf(offW)(kk), offS, rsV, ci(kk * 16), 0, ws);
    for (int64_t n = 0; n < nT; ++n)
      for (int64_t r = 0; r < 2; ++r) {
        Value x = LLVM::LoadOp::create(b, VectorType::get({2}, elem),
                                       sharedPtr(uAt(n, r)), 4);
        x = toF32(b, x);
        for (int64_t e = 0; e < 2; ++e)
          u[n * 4 + 2 * r + e] = vector::ExtractOp::create(b, x, e);
      }
  } else {
    computeT();
    productsT(u, wTimesS);
  }
  for (int64_t kk = 0; kk < dk / 16; ++kk)
    mmaRowsTrans(qf(kk), offS, rsV, ci(kk * 16), 0, acc);
  for (int64_t n = 0; n < nT; ++n)
    for (int64_t r = 0; r < 2; ++r) {
      int64_t i = n * 4 + 2 * r;
      storeShared(pack(arith::SubFOp::create(b, u[i], ws[i]),
                       arith::SubFOp::create(b, u[i + 1], ws[i + 1])),
                  uAt(n, r), 4);
    }
  gpu::BarrierOp::create(b);

  // O = scale (Q S + tril(Q Kᵀ) U').
  acc = forLoop(b, cIdx(b, 0), toIndex(warp), cIdx(b, 1), acc,
                [&](Value jIdx, ValueRange in) -> SmallVector<Value> {
                  SmallVector<Value> a(in.begin(), in.end());
                  blockProduct(qf, offKD, mul(toI32(jIdx), kSub), false, a,
                               {}, uOff);
                  return a;
                });
  blockProduct(qf, offKD, row0, true, acc, {}, uOff);
  Value scale = cf(spec.scale);
  storeOutput(t0, acc, {scale, scale}, o);

  // S ← S + Kᵀ U'; warp w owns rows 16·(w·mts + mt) ….
  for (int64_t mt = 0; mt < mts; ++mt) {
    Value a0 = mul(add(mul(warp, mts), mt), 16);
    for (int64_t ks = 0; ks < kChunk / 16; ++ks) {
      auto ka = ldmatrix4(add(add(laneK, mul(a0, 2)), offKD + ks * 16 * rsK),
                          /*trans=*/true);
      mmaRowsTrans(ka, uOff, rsV, ci(ks * 16), 0,
                   MutableArrayRef<Value>(s).slice(mt * nO, nO));
    }
  }
  return s;
}

void ChunkwiseBuilder::build(ValueRange args) {
  const int64_t H = spec.heads, T = spec.time;
  const int64_t mts = dk / 64, numChunks = (T + kChunk - 1) / kChunk;
  const bool withState = gla || delta;
  unsigned ai = withState ? 4 : 3;
  Value init = withState && spec.hasInit ? args[ai++] : Value();
  if (phase)
    wsArg = args[ai++];
  Value finalState = withState ? args[ai++] : Value();
  Value o = args[ai++];

  bindSmem();
  tid = id(false, gpu::Dimension::x);
  lane = arith::AndIOp::create(b, tid, ci(31));
  warp = arith::ShRUIOp::create(b, tid, ci(5));
  gid = arith::ShRUIOp::create(b, lane, ci(2));
  tig = arith::AndIOp::create(b, lane, ci(3));
  Value bh = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  bi = arith::DivUIOp::create(b, bh, cIdx(b, H));
  hi = arith::RemUIOp::create(b, bh, cIdx(b, H));
  colBase = arith::MulIOp::create(
      b, gpu::BlockIdOp::create(b, gpu::Dimension::y), cIdx(b, vt));
  bh32 = toI32(bh);
  col32 = toI32(colBase);
  Value l8 = remu(lane, 8), l16 = remu(lane, 16);
  Value hiHalf = divu(lane, 16), midBit = remu(divu(lane, 8), 2);
  laneQ = add(mul(add(mul(warp, kSub), l16), rsK), mul(hiHalf, 16));
  laneK = add(mul(add(l8, mul(hiHalf, 8)), rsK), mul(midBit, 16));
  laneV = add(mul(add(l8, mul(midBit, 8)), rsV), mul(hiHalf, 16));
  laneT = add(mul(add(mul(warp, kSub), l16), rsT), mul(hiHalf, 16));
  if (phase == 1) { // block (b·h, chunk), all Dv columns of v
    colBase = cIdx(b, 0);
    Value t0 = mul(id(true, gpu::Dimension::y), kChunk);
    stage(t0, args);
    gpu::BarrierOp::create(b);
    prepChunk(t0, wsArg);
    return;
  }

  // Element (mt, n, e) of this thread's S tile: row a, column c.
  auto stateRow = [&](int64_t mt, int64_t e) {
    return add(mul(add(mul(warp, mts), mt), 16), add(gid, e >= 2 ? 8 : 0));
  };
  auto stateCol = [&](int64_t n, int64_t e) {
    return arith::AddIOp::create(
        b, colBase, toIndex(add(mul(tig, 2), n * 8 + (e & 1))));
  };
  SmallVector<Value> state;
  for (int64_t mt = 0; mt < mts; ++mt)
    for (int64_t n = 0; n < nT; ++n)
      for (int64_t e = 0; e < 4; ++e)
        state.push_back(init ? Value(memref::LoadOp::create(
                                   b, init,
                                   ValueRange{bi, hi, toIndex(stateRow(mt, e)),
                                              stateCol(n, e)}))
                             : cf(0.0));
  writeState(state);
  if (!gla && !delta)
    ifThen(b, cmp(arith::CmpIPredicate::slt, tid, ci(dk)),
           [&] { storeShared(cf(0.0), add(mul(tid, 4), offB), 4); });
  gpu::BarrierOp::create(b);
  if (prefetch) { // chunk 0 into buffer 0
    useBuffer(0);
    issueStage(ci(0), args);
  }

  // One chunk at t0 (prefetch: in buffer `buf`, issuing the chunk after it
  // into the other one when `next`).
  auto body = [&](Value t0, SmallVector<Value> s, int64_t buf,
                  bool next) -> SmallVector<Value> {
        if (!prefetch) {
          stage(t0, args);
          gpu::BarrierOp::create(b);
        } else {
          // The chunk has landed, and every warp is past the previous
          // chunk, whose buffer the next copies overwrite.
          NVVM::CpAsyncWaitGroupOp::create(b, 0);
          gpu::BarrierOp::create(b);
          if (next) {
            useBuffer(1 - buf);
            issueStage(add(t0, kChunk), args);
          }
          useBuffer(buf);
          if (!delta) {
            finishStage(t0);
            gpu::BarrierOp::create(b);
          }
        }
        if (delta) {
          s = deltaChunk(t0, std::move(s), o);
          writeState(s);
          gpu::BarrierOp::create(b);
          return s;
        }

        auto qf = [&](int64_t kk) {
          return ldmatrix4(add(laneQ, offQ + kk * 32), /*trans=*/false);
        };
        SmallVector<Value> acc(nT * 4, cf(0.0));
        if (!gla)
          acc.append({cf(0.0), cf(0.0)}); // row sums of P
        const size_t nO = nT * 4;
        auto sums = [&](SmallVector<Value> &a) {
          return gla ? MutableArrayRef<Value>()
                     : MutableArrayRef<Value>(a).slice(nO, 2);
        };
        // Earlier sub-chunks J < w.
        acc = forLoop(
            b, cIdx(b, 0), toIndex(warp), cIdx(b, 1), acc,
            [&](Value jIdx, ValueRange accIn) -> SmallVector<Value> {
              SmallVector<Value> a(accIn.begin(), accIn.end());
              Value J = toI32(jIdx);
              // GLA: e^{b_{16w−1} − b_{16J+15}} per key column (≤ 1).
              Value rRef = sub(mul(warp, kSub), ci(1));
              Value rEnd = add(mul(J, kSub), kSub - 1);
              auto qa = [&](int64_t kk) {
                if (!gla)
                  return qf(kk);
                return scaleFragment(qf(kk), kk, [&](Value c) {
                  auto [r0, r1] = pairAt(bAt(rRef, c));
                  auto [e0, e1] = pairAt(bAt(rEnd, c));
                  return std::make_pair(expf(arith::SubFOp::create(b, r0, e0)),
                                        expf(arith::SubFOp::create(b, r1, e1)));
                });
              };
              blockProduct(qa, offKE, mul(J, kSub), false,
                           MutableArrayRef<Value>(a).take_front(nO),
                           sums(a), offV);
              return a;
            });
        blockProduct(qf, offKD, mul(warp, kSub), true,
                     MutableArrayRef<Value>(acc).take_front(nO), sums(acc),
                     offV);

        // Inter-chunk: Q̂ e^{b_r} · S; linear attention: φ(q)·z partial
        // sums of the thread's columns.
        SmallVector<Value, 2> den;
        if (!gla)
          den = {acc[nO], acc[nO + 1]};
        for (int64_t kk = 0; kk < dk / 16; ++kk) {
          SmallVector<Value, 4> a = qf(kk);
          if (!gla) {
            for (int64_t r = 0; r < 2; ++r)
              for (int64_t half = 0; half < 2; ++half) {
                auto [q0, q1] = unpack(a[2 * half + r]);
                Value c = add(mul(tig, 2), kk * 16 + half * 8);
                auto [z0, z1] = pairAt(add(mul(c, 4), offB));
                den[r] = fma(b, q0, z0, den[r]);
                den[r] = fma(b, q1, z1, den[r]);
              }
          } else {
            a = scaleFragment(a, kk, [&](Value c) {
              return pairAt(add(mul(add(mul(warp, dk), c), 4), offFac));
            });
          }
          mmaRowsTrans(a, offS, rsV, ci(kk * 16), 0,
                       MutableArrayRef<Value>(acc).take_front(nO));
        }

        // Row factors: scale, or 1 / (row sum + φ(q)·z + ε).
        SmallVector<Value, 2> factor;
        for (int64_t r = 0; r < 2; ++r) {
          if (gla) {
            factor.push_back(cf(spec.scale));
            continue;
          }
          Value d = den[r];
          d = arith::AddFOp::create(b, d, warpXor(d, 1));
          d = arith::AddFOp::create(b, d, warpXor(d, 2));
          d = arith::AddFOp::create(b, d, cf(spec.epsilon));
          factor.push_back(arith::DivFOp::create(b, cf(1.0), d));
        }
        storeOutput(t0, acc, factor, o);
        gpu::BarrierOp::create(b);

        // S ← diag(e^{b_63}) S + K̃ᵀ V; warp w owns rows 16·(w·mts + mt) ….
        for (int64_t mt = 0; mt < mts; ++mt) {
          Value a0 = mul(add(mul(warp, mts), mt), 16);
          if (gla)
            for (int64_t r = 0; r < 2; ++r) {
              Value d = loadF32(
                  add(mul(add(a0, add(gid, r * 8)), 4), offFac + 8 * dk * 4));
              for (int64_t n = 0; n < nT; ++n)
                for (int64_t e = 0; e < 2; ++e) {
                  Value &x = s[(mt * nT + n) * 4 + 2 * r + e];
                  x = arith::MulFOp::create(b, x, d);
                }
            }
          for (int64_t ks = 0; ks < kChunk / 16; ++ks) {
            auto ka = ldmatrix4(
                add(add(laneK, mul(a0, 2)), offKL + ks * 16 * rsK),
                /*trans=*/true);
            mmaRowsTrans(ka, offV, rsV, ci(ks * 16), 0,
                         MutableArrayRef<Value>(s).slice(mt * nO, nO));
          }
        }
        writeState(s);
        if (!gla)
          // z += Σ φ(k_j) of the chunk (the 16-bit values the mma used).
          ifThen(b, cmp(arith::CmpIPredicate::slt, tid, ci(dk)), [&] {
            Value zOff = add(mul(tid, 4), offB);
            Value z = loadF32(zOff);
            for (int64_t r = 0; r < kChunk; ++r) {
              Value kv = LLVM::LoadOp::create(
                  b, elem, sharedPtr(add(mul(tid, 2), offKD + r * rsK)), 2);
              z = arith::AddFOp::create(b, z, arith::ExtFOp::create(b, f32, kv));
            }
            storeShared(z, zOff, 4);
          });
        gpu::BarrierOp::create(b);
        return s;
  };
  if (!prefetch) {
    state = forLoop(b, cIdx(b, 0), cIdx(b, numChunks), cIdx(b, 1), state,
                    [&](Value chunk, ValueRange in) -> SmallVector<Value> {
                      return body(mul(toI32(chunk), kChunk),
                                  SmallVector<Value>(in.begin(), in.end()), 0,
                                  false);
                    });
  } else {
    // Pairs of chunks, one per buffer (the offsets are constants), then
    // an odd last one.
    state = forLoop(
        b, cIdx(b, 0), cIdx(b, numChunks / 2), cIdx(b, 1), state,
        [&](Value pair, ValueRange in) -> SmallVector<Value> {
          Value t0 = mul(toI32(pair), 2 * kChunk);
          SmallVector<Value> s =
              body(t0, SmallVector<Value>(in.begin(), in.end()), 0, true);
          // After the last pair of an even count: zero-filled rows past
          // T, not read.
          return body(add(t0, kChunk), std::move(s), 1, true);
        });
    if (numChunks % 2)
      state = body(ci((numChunks - 1) * kChunk), std::move(state), 0, false);
    NVVM::CpAsyncWaitGroupOp::create(b, 0);
  }

  if (finalState)
    for (int64_t mt = 0; mt < mts; ++mt)
      for (int64_t n = 0; n < nT; ++n)
        for (int64_t e = 0; e < 4; ++e)
          memref::StoreOp::create(
              b, state[(mt * nT + n) * 4 + e], finalState,
              ValueRange{bi, hi, toIndex(stateRow(mt, e)), stateCol(n, e)});
}

} // namespace

LogicalResult checkChunkwise(const RecurrenceSpec &spec, Operation *op,
                             bool remark) {
  StringRef name = op->getName().stripDialect();
  std::string why;
  llvm::raw_string_ostream os(why);
  if (!spec.elemType.isBF16() && !spec.elemType.isF16())
    os << "chunkwise " << name
       << " needs bf16 or f16 q, k, v (tensor cores), got '" << spec.elemType
       << "'";
  else if ((spec.dk != 64 && spec.dk != 128) ||
           (spec.dv != 64 && spec.dv != 128))
    os << "chunkwise " << name << " needs Dk and Dv in {64, 128}, got Dk = "
       << spec.dk << ", Dv = " << spec.dv;
  if (why.empty())
    return success();
  if (remark)
    op->emitRemark("linea-to-gpu: ") << why << "; it stays recurrent";
  return failure();
}

SmallVector<LaunchStep> buildChunkwiseKernel(OpBuilder &builder, Location loc,
                                             StringRef name,
                                             const RecurrenceSpec &spec) {
  const int64_t B = spec.batch, H = spec.heads, T = spec.time, Dk = spec.dk,
                Dv = spec.dv;
  const bool gla = spec.kind == RecurrenceKind::GatedLinearAttention;
  const bool delta = spec.kind == RecurrenceKind::DeltaRule;
  const bool twoLaunches = delta && spec.deltaTwoLaunches;
  Type f32 = builder.getF32Type();
  Type elem8 = VectorType::get({8}, spec.elemType);
  // ws_wu as the launch reads it (phase 2, 8-element rows) or writes it
  // (phase 1, pairs); rows of Dk + Dv 16-bit values, T padded to chunks.
  const int64_t tPad = chunkwiseWorkspace(spec)[2];
  auto argTypes = [&](int phase) {
    SmallVector<Type> types = {globalMemRef({B, H, T, Dk / 8}, elem8),
                               globalMemRef({B, H, T, Dk / 8}, elem8),
                               globalMemRef({B, H, T, Dv / 8}, elem8)};
    if (delta)
      types.push_back(globalMemRef({B, H, T}, spec.gateType));
    if (gla || delta) {
      if (gla)
        types.push_back(globalMemRef({B, H, T, Dk / 8},
                                     VectorType::get({8}, spec.gateType)));
      if (spec.hasInit)
        types.push_back(globalMemRef({B, H, Dk, Dv}, f32));
      if (phase == 1)
        types.push_back(globalMemRef({B, H, tPad, (Dk + Dv) / 2},
                                     VectorType::get({2}, spec.elemType)));
      else if (phase == 2)
        types.push_back(globalMemRef({B, H, tPad, (Dk + Dv) / 8}, elem8));
      types.push_back(globalMemRef({B, H, Dk, Dv}, f32));
    }
    types.push_back(
        globalMemRef({B, H, T, Dv / 2}, VectorType::get({2}, spec.elemType)));
    return types;
  };
  declareDynamicSmem(builder, loc);
  auto build = [&](StringRef symbol, const RecurrenceSpec &s, int phase) {
    auto func = createKernel(builder, loc, symbol, argTypes(phase), kThreads);
    ImplicitLocOpBuilder b(loc, builder.getContext());
    b.setInsertionPointToStart(&func.getBody().front());
    ChunkwiseBuilder cw(b, s, phase);
    cw.build(func.getArguments());
    gpu::ReturnOp::create(b);
    return cw.shared();
  };
  if (!twoLaunches)
    return {{name.str(), {B * H, Dv / spec.valueTile, 1}, {kThreads, 1, 1},
             build(name, spec, 0)}};
  RecurrenceSpec full = spec;
  full.valueTile = Dv;
  std::string p1 = name.str() + "_p1", p2 = name.str() + "_p2";
  int64_t shared1 = build(p1, full, 1);
  int64_t shared2 = build(p2, spec, 2);
  return {{p1, {B * H, tPad / kChunk, 1}, {kThreads, 1, 1}, shared1},
          {p2, {B * H, Dv / spec.valueTile, 1}, {kThreads, 1, 1}, shared2}};
}

SmallVector<int64_t> chunkwiseWorkspace(const RecurrenceSpec &spec) {
  const int64_t tPad = (spec.time + kChunk - 1) / kChunk * kChunk;
  // f32 units of the manifest: two 16-bit values each.
  return {spec.batch, spec.heads, tPad, (spec.dk + spec.dv) / 2};
}

} // namespace linea::gpu_codegen
