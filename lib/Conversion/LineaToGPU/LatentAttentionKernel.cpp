//===- LatentAttentionKernel.cpp - Palu latent decode on tensor cores -----===//
//
// linea.latent_attention at S = 1. The cache holds, per token, the rk (rv)
// numbers of a K (V) latent group instead of Hkv·D keys (values); the kernel
// reads only those rows (and q, and the RoPE rows) from HBM.
//
// Split kernel, block (split, hk, b) of 4 warps, as the flash-decoding kernel
// (FlashAttentionKernel.cpp): the g query heads of kv head hk are the rows
// (zero padded) of one m16 tile, and the block walks its slice of keys in
// tiles of Bc = 64. Per tile:
//  1. the v_latent rows of the tile are copied (cp.async) into shared
//     memory, overlapping steps 2–4;
//  2. warp w rebuilds K for its 16 keys, K = latent [16, rk] · U_hkᵀ [rk, D]
//     with mma.sync m16n8k16 (latent fragments by ldmatrix from shared
//     memory, U_hk = k_up rows of head hk as 32-bit loads from global memory,
//     which stay in L1/L2: the same D × rk block for every tile), f32
//     accumulators; RoPE on the accumulators (d and d + D/2 are n-tiles j and
//     j + D/16 of the same thread; cos/sin rows read from global memory);
//  3. S = Q·Kᵀ: the K accumulators, rounded to 16 bits, are directly the B
//     fragments (row `key` of the accumulator tile is column `key` of Kᵀ),
//     no shared-memory round trip;
//  4. one online softmax for the block: warp row maxima through shared
//     memory, P (16 × Bc, 16-bit) into shared memory, the next tile's
//     k_latent rows issued;
//  5. O_lat[:, w·rv/4 …] += P · v_latent[:, w·rv/4 …]: each warp owns a
//     quarter of the rv latent columns for all Bc keys (rv/8 f32
//     accumulators per thread), so V is never rebuilt: o = v_up · O_lat / l
//     is exact algebra and is applied once per head by the combine kernel.
// Each block writes one partial (O_lat row, max in log2 units, sum) per
// query head; the combine kernel (grid (H, B), 256 threads) merges the
// splits into O_lat / l in shared memory and multiplies by v_up (one warp
// per output element, lanes over rv).
//
//===----------------------------------------------------------------------===//

#include "LatentAttentionKernel.h"
#include "KernelBuild.h"
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

constexpr double kLatentLog2e = 1.4426950408889634;
/// Stored for a partial max with no key (exp2 of it minus any max is 0).
constexpr double kLatentNoKeyMax = -1e30;
constexpr int64_t kLatentThreads = 128, kCombineThreads = 256;

Type globalRef(MLIRContext *ctx, ArrayRef<int64_t> shape, Type elem) {
  Attribute global = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Global);
  return MemRefType::get(shape, elem, MemRefLayoutAttrInterface(), global);
}

/// (name, shape, element type) of each kernel argument, in order.
struct ArgDesc {
  std::string name;
  SmallVector<int64_t> shape;
  Type elem;
};

SmallVector<ArgDesc> latentArgs(MLIRContext *ctx, const LatentSpec &s) {
  Type f32 = Float32Type::get(ctx);
  const int64_t bb = s.batch, h = s.heads;
  SmallVector<ArgDesc> args = {
      {"q", {bb, h, 1, s.d}, s.elem},
      {"k_latent", {bb, s.t, s.kGroups * s.rk}, s.elem},
      {"k_up", {s.kGroups, s.kvHeads / s.kGroups * s.d, s.rk}, s.elem},
      {"v_latent", {bb, s.t, s.vGroups * s.rv}, s.elem},
      {"v_up", {s.vGroups, s.kvHeads / s.vGroups * s.dv, s.rv}, s.elem}};
  if (s.hasRope()) {
    args.push_back({"cos", {s.t, s.d}, s.ropeElem});
    args.push_back({"sin", {s.t, s.d}, s.ropeElem});
  }
  args.push_back({"opart", {bb, h, s.splits, s.rv}, f32});
  args.push_back({"ml", {bb, h, s.splits, 2}, f32});
  args.push_back({"o", {bb, h, 1, s.dv}, s.elem});
  return args;
}

/// Kernel argument types: the rope tables are read as pairs ([T, D/2] of
/// vector<2>), everything else as described.
SmallVector<Type> latentArgTypes(MLIRContext *ctx, const LatentSpec &s) {
  SmallVector<Type> types;
  for (const ArgDesc &a : latentArgs(ctx, s)) {
    if (a.name == "cos" || a.name == "sin")
      types.push_back(
          globalRef(ctx, {s.t, s.d / 2}, VectorType::get({2}, a.elem)));
    else
      types.push_back(globalRef(ctx, a.shape, a.elem));
  }
  return types;
}

class LatentBuilder : MmaBuilder {
public:
  LatentBuilder(ImplicitLocOpBuilder &b, const LatentSpec &spec)
      : MmaBuilder(b, spec.elem), spec(spec) {}

  void build(ValueRange args);

private:
  /// cp.async of `rows` rows of `dim` 16-bit elements: row r from global
  /// byte address src0 + r·srcStride to shared byte offset dst +
  /// r·rowBytes; rows ≥ `valid` (when given) are zero-filled.
  void copyRows(Value dst, Value src0, int64_t rows, int64_t srcStride,
                Value valid, int64_t dim, int64_t rowBytes);
  Value addr(Value base, Value off32) {
    return arith::AddIOp::create(b, base, toI64(off32));
  }
  Value addr64(Value base, Value i32x, int64_t factor) {
    return arith::AddIOp::create(
        b, base,
        arith::MulIOp::create(
            b, toI64(i32x),
            arith::ConstantOp::create(b, b.getI64IntegerAttr(factor))));
  }
  /// A 32-bit mma operand (two 16-bit elements) from global memory.
  Value loadPair(Value address) {
    Value p = LLVM::IntToPtrOp::create(b, ptrGlobal, address);
    Value v = LLVM::LoadOp::create(b, i32, p, /*alignment=*/4,
                                   /*isVolatile=*/false,
                                   /*isNonTemporal=*/false,
                                   /*isInvariant=*/true);
    if (isF16)
      v = LLVM::BitcastOp::create(b, VectorType::get({2}, elem), v);
    return v;
  }
  void storeShared(Value v, Value off) {
    LLVM::StoreOp::create(b, v, sharedPtr(off));
  }
  Value loadSharedF32(Value off) {
    return LLVM::LoadOp::create(b, f32, sharedPtr(off));
  }
  void issueLatent(Value n, bool values);

  const LatentSpec &spec;
  Value tid, lane, warp, gid, tig;
  Value sliceStart;
  Value kBase, vBase; // global byte address of row 0 of the latent group
};

void LatentBuilder::copyRows(Value dst, Value src0, int64_t rows,
                             int64_t srcStride, Value valid, int64_t dim,
                             int64_t rowBytes) {
  const int64_t cpr = dim / 8, chunks = rows * cpr;
  for (int64_t p = 0; p * kLatentThreads < chunks; ++p) {
    Value c = add(tid, p * kLatentThreads);
    Value row = divu(c, cpr), col = remu(c, cpr);
    OpBuilder::InsertionGuard guard(b);
    if ((p + 1) * kLatentThreads > chunks) {
      auto inRange = scf::IfOp::create(
          b, cmp(arith::CmpIPredicate::slt, c, ci(chunks)), false);
      b.setInsertionPointToStart(&inRange.getThenRegion().front());
    }
    Value src = addr(src0, add(mul(row, srcStride), mul(col, 16)));
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

void LatentBuilder::issueLatent(Value n, bool values) {
  const int64_t bc = spec.blockKeys;
  const int64_t r = values ? spec.rv : spec.rk;
  const int64_t stride = (values ? spec.vGroups : spec.kGroups) * r * 2;
  Value key0 = add(sliceStart, mul(n, bc));
  Value valid = spec.t % bc ? sub(ci(spec.t), key0) : Value();
  copyRows(ci(values ? spec.offV() : spec.offK()),
           addr64(values ? vBase : kBase, key0, stride), bc, stride, valid, r,
           values ? spec.rowV() : spec.rowK());
}

void LatentBuilder::build(ValueRange args) {
  const int64_t d = spec.d, bc = spec.blockKeys, g = spec.group();
  const int64_t rk = spec.rk, rv = spec.rv, tt = spec.t;
  const int64_t gk = spec.kvHeads / spec.kGroups;
  const int64_t nD = d / 8, nO = rv / 32; // K n-tiles, O n-tiles per warp
  const bool ragged = tt % bc != 0;
  Value q = args[0], kLat = args[1], kUp = args[2], vLat = args[3];
  Value cosT, sinT;
  int64_t next = 5;
  if (spec.hasRope()) {
    cosT = args[5];
    sinT = args[6];
    next = 7;
  }
  Value opart = args[next], ml = args[next + 1];

  tid = id(false, gpu::Dimension::x);
  lane = arith::AndIOp::create(b, tid, ci(31));
  warp = arith::ShRUIOp::create(b, tid, ci(5));
  gid = arith::ShRUIOp::create(b, lane, ci(2));
  tig = arith::AndIOp::create(b, lane, ci(3));
  Value split = id(true, gpu::Dimension::x), hk = id(true, gpu::Dimension::y),
        bz = id(true, gpu::Dimension::z);
  bindSmem();

  // Global addresses.
  Value head0 = add(mul(bz, spec.heads), mul(hk, g));
  Value qBase = addr64(baseAddress(q), head0, d * 2);
  Value giK = divu(hk, gk), giV = divu(hk, spec.kvHeads / spec.vGroups);
  kBase = addr(addr64(baseAddress(kLat), bz, tt * spec.kGroups * rk * 2),
               mul(giK, rk * 2));
  vBase = addr(addr64(baseAddress(vLat), bz, tt * spec.vGroups * rv * 2),
               mul(giV, rv * 2));
  // U_hk = k_up[giK, (hk mod gk)·D …, :], [D][rk]; this lane's B operand
  // of n-tile j, k-step kk is U_hk[8j + gid][16kk + 2tig …] (+ 8 for b1).
  Value uRow0 = add(mul(giK, gk * d), mul(remu(hk, gk), d));
  Value uLane =
      addr(baseAddress(kUp), add(mul(add(uRow0, gid), rk * 2), mul(tig, 4)));

  sliceStart = mul(split, spec.sliceKeys);
  Value len = minsi(sub(ci(tt), sliceStart), ci(spec.sliceKeys));
  Value nEnd = divu(add(len, bc - 1), bc);

  // Per-lane ldmatrix offsets.
  Value l8 = remu(lane, 8), l16 = remu(lane, 16);
  Value hiHalf = divu(lane, 16), midBit = remu(divu(lane, 8), 2);
  Value laneQ = add(mul(l16, spec.rowQ()), mul(hiHalf, 16));
  Value laneA =
      add(ci(spec.offK()),
          add(mul(add(mul(warp, 16), l16), spec.rowK()), mul(hiHalf, 16)));
  Value laneP =
      add(ci(spec.offP()), add(mul(l16, spec.rowP()), mul(hiHalf, 16)));
  Value laneV =
      add(ci(spec.offV()),
          add(add(mul(add(l8, mul(midBit, 8)), spec.rowV()), mul(hiHalf, 16)),
              mul(warp, rv / 4 * 2)));

  // Prologue: Q rows (heads hk·g …, zero padded to 16) and tile 0's K
  // latent rows.
  copyRows(ci(0), qBase, 16, d * 2, g < 16 ? ci(g) : Value(), d, spec.rowQ());
  // U_hk once (the same for every tile), B fragments by ldmatrix below.
  const bool uSmem = spec.uInSmem();
  if (uSmem)
    copyRows(ci(spec.offU()), addr(baseAddress(kUp), mul(uRow0, rk * 2)), d,
             rk * 2, Value(), rk, spec.rowU());
  Value laneU =
      add(ci(spec.offU()),
          add(mul(add(l8, mul(hiHalf, 8)), spec.rowU()), mul(midBit, 16)));
  issueLatent(ci(0), /*values=*/false);
  NVVM::CpAsyncCommitGroupOp::create(b);
  NVVM::CpAsyncWaitGroupOp::create(b, 0);
  gpu::BarrierOp::create(b);
  SmallVector<SmallVector<Value, 4>> qFrag;
  for (int64_t kk = 0; kk < d / 16; ++kk)
    qFrag.push_back(ldmatrix4(add(laneQ, kk * 32), /*trans=*/false));

  // No RoPE: q̃[:, w·rk/4 …] = Q · U_hk[:, w·rk/4 …] (U_hk rows are d, the
  // k dim: ldmatrix.trans), rounded to 16 bits into shared memory.
  const bool absorb = spec.absorb();
  Value laneQt =
      add(ci(spec.offQt()), add(mul(l16, spec.rowU()), mul(hiHalf, 16)));
  Value laneKl =
      add(ci(spec.offK()),
          add(mul(add(mul(warp, 16), add(l8, mul(hiHalf, 8))), spec.rowK()),
              mul(midBit, 16)));
  if (absorb) {
    const int64_t nT = rk / 32; // n-tiles of the warp's quarter
    Value laneUt =
        add(ci(spec.offU()),
            add(add(mul(add(l8, mul(midBit, 8)), spec.rowU()), mul(hiHalf, 16)),
                mul(warp, rk / 4 * 2)));
    Value zero0 = cf(0.0);
    SmallVector<Value> qt(nT * 4, zero0);
    for (int64_t kk = 0; kk < d / 16; ++kk)
      for (int64_t dd = 0; dd < nT / 2; ++dd) {
        auto uf = ldmatrix4(add(laneUt, kk * 16 * spec.rowU() + dd * 32),
                            /*trans=*/true);
        MutableArrayRef<Value> o(qt);
        mma(qFrag[kk], uf[0], uf[1], o.slice(2 * dd * 4, 4));
        mma(qFrag[kk], uf[2], uf[3], o.slice((2 * dd + 1) * 4, 4));
      }
    for (int64_t n = 0; n < nT; ++n)
      for (int64_t r = 0; r < 2; ++r)
        storeShared(
            pack(qt[n * 4 + 2 * r], qt[n * 4 + 2 * r + 1]),
            add(ci(spec.offQt()),
                add(mul(add(gid, 8 * r), spec.rowU()),
                    mul(add(add(mul(warp, rk / 4), mul(tig, 2)), 8 * n), 2))));
    gpu::BarrierOp::create(b);
  }

  const double c = spec.scale * kLatentLog2e;
  Value zero = cf(0.0), negInf = cf(-INFINITY), cScale = cf(c);
  SmallVector<Value> init(nO * 4, zero);
  init.append({negInf, negInf, zero, zero}); // m[2], l[2]
  auto loop = scf::ForOp::create(
      b, ci(0), nEnd, ci(1), init,
      [&](OpBuilder &ob, Location, Value n, ValueRange in) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        SmallVector<Value> st(in.begin(), in.end());
        Value tileKey0 = add(sliceStart, mul(n, bc));
        // 1. This tile's v_latent rows, used in step 5.
        issueLatent(n, /*values=*/true);
        NVVM::CpAsyncCommitGroupOp::create(b);

        // 3'. No RoPE: S = q̃ · latentᵀ over the warp's 16 keys.
        SmallVector<SmallVector<Value>> s(2, SmallVector<Value>(4, zero));
        if (absorb)
          for (int64_t kk = 0; kk < rk / 16; ++kk) {
            auto a = ldmatrix4(add(laneQt, kk * 32), /*trans=*/false);
            auto kf = ldmatrix4(add(laneKl, kk * 32), /*trans=*/false);
            mma(a, kf[0], kf[1], s[0]);
            mma(a, kf[2], kf[3], s[1]);
          }
        // 2. K for the warp's 16 keys: [16 keys][D] accumulators.
        const int64_t kSteps = rk / 16, unroll = kSteps % 2 ? 1 : 2;
        SmallVector<Value> accInit(nD * 4, zero), acc;
        if (!absorb) {
          auto kLoop = scf::ForOp::create(
              b, ci(0), ci(kSteps), ci(unroll), accInit,
              [&](OpBuilder &ob2, Location, Value kk0, ValueRange accIn) {
                OpBuilder::InsertionGuard g2(b);
                b.setInsertionPoint(ob2.getInsertionBlock(),
                                    ob2.getInsertionPoint());
                SmallVector<Value> acc(accIn.begin(), accIn.end());
                for (int64_t u = 0; u < unroll; ++u) {
                  Value kk = add(kk0, u);
                  auto a = ldmatrix4(add(laneA, mul(kk, 32)), /*trans=*/false);
                  if (uSmem) {
                    // n-tiles 2jj, 2jj + 1: rows 16jj … of U_hk.
                    for (int64_t jj = 0; jj < nD / 2; ++jj) {
                      auto uf =
                          ldmatrix4(add(laneU, add(mul(kk, 32),
                                                   ci(jj * 16 * spec.rowU()))),
                                    /*trans=*/false);
                      MutableArrayRef<Value> ac(acc);
                      mma(a, uf[0], uf[1], ac.slice(2 * jj * 4, 4));
                      mma(a, uf[2], uf[3], ac.slice((2 * jj + 1) * 4, 4));
                    }
                    continue;
                  }
                  Value uk = addr(uLane, mul(kk, 32));
                  SmallVector<Value> bs;
                  for (int64_t j = 0; j < nD; ++j) {
                    Value at = arith::AddIOp::create(
                        b, uk,
                        arith::ConstantOp::create(
                            b, b.getI64IntegerAttr(8 * j * rk * 2)));
                    bs.push_back(loadPair(at));
                    bs.push_back(loadPair(arith::AddIOp::create(
                        b, at,
                        arith::ConstantOp::create(b,
                                                  b.getI64IntegerAttr(16)))));
                  }
                  for (int64_t j = 0; j < nD; ++j)
                    mma(a, bs[2 * j], bs[2 * j + 1],
                        MutableArrayRef<Value>(acc).slice(j * 4, 4));
                }
                scf::YieldOp::create(b, acc);
              });
          acc.assign(kLoop.getResults().begin(), kLoop.getResults().end());
        }

        if (spec.hasRope()) {
          // Rows gid and gid + 8 are keys tileKey0 + 16w + gid (+ 8); keys
          // past T read the last row (their scores are hidden below).
          for (int64_t r = 0; r < 2; ++r) {
            Value key = add(add(tileKey0, mul(warp, 16)), add(gid, 8 * r));
            if (ragged)
              key = minsi(key, ci(tt - 1));
            Value ki = toIndex(key);
            auto pairAt = [&](Value table, Value col) {
              Value v = memref::LoadOp::create(b, table,
                                               ValueRange{ki, toIndex(col)});
              Value w = spec.ropeElem.isF32()
                            ? v
                            : Value(arith::ExtFOp::create(
                                  b, VectorType::get({2}, f32), v));
              return std::array<Value, 2>{vector::ExtractOp::create(b, w, 0),
                                          vector::ExtractOp::create(b, w, 1)};
            };
            for (int64_t j = 0; j < nD / 2; ++j) {
              const int64_t jh = j + nD / 2;
              Value lo = add(tig, 4 * j), hi = add(tig, 4 * jh);
              auto cl = pairAt(cosT, lo), sl = pairAt(sinT, lo);
              auto ch = pairAt(cosT, hi), sh = pairAt(sinT, hi);
              for (int64_t e = 0; e < 2; ++e) {
                Value xl = acc[j * 4 + 2 * r + e], xh = acc[jh * 4 + 2 * r + e];
                // rot(K)[d] = −K[d + D/2] (d < D/2), K[d − D/2] otherwise.
                acc[j * 4 + 2 * r + e] = LLVM::FMAOp::create(
                    b, xl, cl[e],
                    arith::NegFOp::create(b,
                                          arith::MulFOp::create(b, xh, sl[e])));
                acc[jh * 4 + 2 * r + e] = LLVM::FMAOp::create(
                    b, xh, ch[e], arith::MulFOp::create(b, xl, sh[e]));
              }
            }
          }
        }

        // 3. S = Q·Kᵀ, [16 heads][16 keys] as two n-tiles of 8 keys.
        for (int64_t kk = 0; !absorb && kk < d / 16; ++kk)
          for (int64_t jn = 0; jn < 2; ++jn) {
            Value b0 = pack(acc[(2 * kk) * 4 + 2 * jn],
                            acc[(2 * kk) * 4 + 2 * jn + 1]);
            Value b1 = pack(acc[(2 * kk + 1) * 4 + 2 * jn],
                            acc[(2 * kk + 1) * 4 + 2 * jn + 1]);
            mma(qFrag[kk], b0, b1, s[jn]);
          }

        // 4. Online softmax (log2 units), one max for the block.
        Value keyBase = add(add(tileKey0, mul(warp, 16)), mul(tig, 2));
        Value lim = sub(ci(tt - 1), keyBase);
        std::array<Value, 2> tmax;
        for (int64_t r = 0; r < 2; ++r) {
          Value mx;
          for (int64_t jn = 0; jn < 2; ++jn)
            for (int64_t e = 0; e < 2; ++e) {
              Value &x = s[jn][2 * r + e];
              x = arith::MulFOp::create(b, x, cScale);
              if (ragged)
                x = select(cmp(arith::CmpIPredicate::sle, ci(8 * jn + e), lim),
                           x, negInf);
              mx = mx ? Value(LLVM::MaxNumOp::create(b, mx, x)) : x;
            }
          mx = LLVM::MaxNumOp::create(b, mx, warpXor(mx, 1));
          mx = LLVM::MaxNumOp::create(b, mx, warpXor(mx, 2));
          tmax[r] = mx;
        }
        {
          auto ifLead = scf::IfOp::create(
              b, cmp(arith::CmpIPredicate::eq, tig, ci(0)), false);
          OpBuilder::InsertionGuard g3(b);
          b.setInsertionPointToStart(&ifLead.getThenRegion().front());
          for (int64_t r = 0; r < 2; ++r)
            storeShared(tmax[r],
                        add(ci(spec.offRed()),
                            mul(add(mul(warp, 16), add(gid, 8 * r)), 4)));
        }
        gpu::BarrierOp::create(b);
        // Every warp is done with the k_latent tile: the next one streams in
        // during the softmax and P·V.
        {
          Value nextN = add(n, 1);
          auto ifNext = scf::IfOp::create(
              b, cmp(arith::CmpIPredicate::slt, nextN, nEnd), false);
          OpBuilder::InsertionGuard g4(b);
          b.setInsertionPointToStart(&ifNext.getThenRegion().front());
          issueLatent(nextN, /*values=*/false);
        }
        NVVM::CpAsyncCommitGroupOp::create(b);
        for (int64_t r = 0; r < 2; ++r) {
          Value row = add(gid, 8 * r);
          Value mx;
          for (int64_t w = 0; w < 4; ++w) {
            Value x =
                loadSharedF32(add(ci(spec.offRed()), mul(add(row, w * 16), 4)));
            mx = mx ? Value(LLVM::MaxNumOp::create(b, mx, x)) : x;
          }
          Value &mOld = st[nO * 4 + r], &l = st[nO * 4 + 2 + r];
          Value mNew = LLVM::MaxNumOp::create(b, mOld, mx);
          Value noKey =
              arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, mNew, negInf);
          Value mUse = select(noKey, zero, mNew);
          Value alpha = exp2(arith::SubFOp::create(b, mOld, mUse));
          Value sum;
          for (int64_t jn = 0; jn < 2; ++jn)
            for (int64_t e = 0; e < 2; ++e) {
              Value &x = s[jn][2 * r + e];
              x = exp2(arith::SubFOp::create(b, x, mUse));
              sum = sum ? Value(arith::AddFOp::create(b, sum, x)) : x;
            }
          l = arith::AddFOp::create(b, arith::MulFOp::create(b, l, alpha), sum);
          mOld = mNew;
          for (int64_t dn = 0; dn < nO; ++dn)
            for (int64_t e = 0; e < 2; ++e)
              st[dn * 4 + 2 * r + e] =
                  arith::MulFOp::create(b, st[dn * 4 + 2 * r + e], alpha);
          for (int64_t jn = 0; jn < 2; ++jn)
            storeShared(
                pack(s[jn][2 * r], s[jn][2 * r + 1]),
                add(ci(spec.offP()),
                    add(mul(row, spec.rowP()),
                        mul(add(add(mul(warp, 16), mul(tig, 2)), 8 * jn), 2))));
        }
        // P written, this tile's v_latent rows landed (the k_latent copy
        // committed after them may still be in flight).
        NVVM::CpAsyncWaitGroupOp::create(b, 1);
        gpu::BarrierOp::create(b);

        // 5. O_lat[:, w·rv/4 …] += P · v_latent.
        for (int64_t kk = 0; kk < bc / 16; ++kk) {
          auto a = ldmatrix4(add(laneP, kk * 32), /*trans=*/false);
          for (int64_t dd = 0; dd < rv / 64; ++dd) {
            auto vf = ldmatrix4(add(laneV, kk * 16 * spec.rowV() + dd * 32),
                                /*trans=*/true);
            MutableArrayRef<Value> o(st);
            mma(a, vf[0], vf[1], o.slice(2 * dd * 4, 4));
            mma(a, vf[2], vf[3], o.slice((2 * dd + 1) * 4, 4));
          }
        }
        NVVM::CpAsyncWaitGroupOp::create(b, 0);
        gpu::BarrierOp::create(b);
        scf::YieldOp::create(b, st);
      });
  SmallVector<Value> st(loop.getResults());

  // Row sums: quad, then the 4 warps (same max) through shared memory.
  for (int64_t r = 0; r < 2; ++r) {
    Value &l = st[nO * 4 + 2 + r];
    l = arith::AddFOp::create(b, l, warpXor(l, 1));
    l = arith::AddFOp::create(b, l, warpXor(l, 2));
  }
  {
    auto ifLead =
        scf::IfOp::create(b, cmp(arith::CmpIPredicate::eq, tig, ci(0)), false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifLead.getThenRegion().front());
    for (int64_t r = 0; r < 2; ++r)
      storeShared(
          st[nO * 4 + 2 + r],
          add(ci(spec.offSum()), mul(add(mul(warp, 16), add(gid, 8 * r)), 4)));
  }
  gpu::BarrierOp::create(b);
  Value bi = toIndex(bz), pi = toIndex(split);
  for (int64_t r = 0; r < 2; ++r) {
    Value row = add(gid, 8 * r);
    auto ifRow =
        scf::IfOp::create(b, cmp(arith::CmpIPredicate::slt, row, ci(g)), false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifRow.getThenRegion().front());
    Value h = toIndex(add(mul(hk, g), row));
    for (int64_t dn = 0; dn < nO; ++dn)
      for (int64_t e = 0; e < 2; ++e) {
        Value col =
            toIndex(add(add(mul(warp, rv / 4), mul(tig, 2)), dn * 8 + e));
        memref::StoreOp::create(b, st[dn * 4 + 2 * r + e], opart,
                                ValueRange{bi, h, pi, col});
      }
    auto ifLead = scf::IfOp::create(
        b,
        arith::AndIOp::create(b, cmp(arith::CmpIPredicate::eq, tig, ci(0)),
                              cmp(arith::CmpIPredicate::eq, warp, ci(0))),
        false);
    b.setInsertionPointToStart(&ifLead.getThenRegion().front());
    Value lt;
    for (int64_t w = 0; w < 4; ++w) {
      Value x = loadSharedF32(add(ci(spec.offSum()), mul(add(row, w * 16), 4)));
      lt = lt ? Value(arith::AddFOp::create(b, lt, x)) : x;
    }
    Value m = st[nO * 4 + r];
    Value none = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, m, negInf);
    memref::StoreOp::create(b, select(none, cf(kLatentNoKeyMax), m), ml,
                            ValueRange{bi, h, pi, toIndex(ci(0))});
    memref::StoreOp::create(b, lt, ml, ValueRange{bi, h, pi, toIndex(ci(1))});
  }
}

/// Merges the splits, õ = Σ_p 2^(m_p − M)·o_p / Σ_p 2^(m_p − M)·l_p into
/// shared memory (f32, rv), then o[e] = Σ_r v_up[row e, r]·õ[r], one warp
/// per output element e.
class LatentCombineBuilder : MmaBuilder {
public:
  LatentCombineBuilder(ImplicitLocOpBuilder &b, const LatentSpec &spec)
      : MmaBuilder(b, spec.elem), spec(spec) {}

  void build(ValueRange args) {
    const int64_t rv = spec.rv, dv = spec.dv, g = spec.group();
    const int64_t gv = spec.kvHeads / spec.vGroups;
    const int64_t extra = spec.hasRope() ? 2 : 0;
    Value vUp = args[4], opart = args[5 + extra], ml = args[6 + extra],
          o = args[7 + extra];
    Value tid = id(false, gpu::Dimension::x);
    Value hI = id(true, gpu::Dimension::x), bI = id(true, gpu::Dimension::y);
    Value h = toIndex(hI), bi = toIndex(bI);
    Value lane = arith::AndIOp::create(b, tid, ci(31));
    Value warp = arith::ShRUIOp::create(b, tid, ci(5));
    bindSmem();
    Value zeroI = toIndex(ci(0)), oneI = toIndex(ci(1));
    Value parts = toIndex(ci(spec.splits)), step = oneI;
    auto pLoop = [&](ValueRange init,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body) {
      auto loop = scf::ForOp::create(
          b, zeroI, parts, step, init,
          [&](OpBuilder &ob, Location, Value p, ValueRange in) {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
            scf::YieldOp::create(b, body(p, in));
          });
      return SmallVector<Value>(loop.getResults());
    };
    Value mMax = pLoop({cf(-INFINITY)}, [&](Value p, ValueRange in) {
      Value m = memref::LoadOp::create(b, ml, ValueRange{bi, h, p, zeroI});
      return SmallVector<Value>{LLVM::MaxNumOp::create(b, in[0], m)};
    })[0];
    Value den = pLoop({cf(0.0)}, [&](Value p, ValueRange in) {
      Value m = memref::LoadOp::create(b, ml, ValueRange{bi, h, p, zeroI});
      Value l = memref::LoadOp::create(b, ml, ValueRange{bi, h, p, oneI});
      Value w = exp2(arith::SubFOp::create(b, m, mMax));
      return SmallVector<Value>{LLVM::FMAOp::create(b, w, l, in[0])};
    })[0];
    // No visible key in any partial: 0.
    Value inv = select(
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, den, cf(0.0)),
        arith::DivFOp::create(b, cf(1.0), den), cf(0.0));
    for (int64_t i = 0; i * kCombineThreads < rv; ++i) {
      Value r = add(tid, i * kCombineThreads);
      OpBuilder::InsertionGuard guard(b);
      if ((i + 1) * kCombineThreads > rv) {
        auto in = scf::IfOp::create(
            b, cmp(arith::CmpIPredicate::slt, r, ci(rv)), false);
        b.setInsertionPointToStart(&in.getThenRegion().front());
      }
      Value ri = toIndex(r);
      Value num = pLoop({cf(0.0)}, [&](Value p, ValueRange in) {
        Value m = memref::LoadOp::create(b, ml, ValueRange{bi, h, p, zeroI});
        Value x = memref::LoadOp::create(b, opart, ValueRange{bi, h, p, ri});
        Value w = exp2(arith::SubFOp::create(b, m, mMax));
        return SmallVector<Value>{LLVM::FMAOp::create(b, w, x, in[0])};
      })[0];
      storeF32(arith::MulFOp::create(b, num, inv), mul(r, 4));
    }
    gpu::BarrierOp::create(b);
    // o[e] for e = warp, warp + 8, …: row (giV·gv + hk mod gv)·Dv + e of
    // v_up viewed as [Gv·(Hkv/Gv)·Dv, rv]; with hk = h div g that is
    // hk·Dv + e.
    (void)gv;
    Value hk = divu(hI, g);
    const int64_t warps = kCombineThreads / 32;
    auto eLoop = scf::ForOp::create(
        b, toIndex(ci(0)), toIndex(ci((dv + warps - 1) / warps)), oneI,
        ValueRange{}, [&](OpBuilder &ob, Location, Value e0, ValueRange) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
          Value e = add(warp, mul(toI32(e0), warps));
          Value ok = cmp(arith::CmpIPredicate::slt, e, ci(dv));
          auto ifE = scf::IfOp::create(b, ok, false);
          {
            OpBuilder::InsertionGuard g2(b);
            b.setInsertionPointToStart(&ifE.getThenRegion().front());
            Value row = add(mul(hk, dv), e); // over all v_up rows
            Value grp = toIndex(divu(row, gv * dv));
            Value inGrp = toIndex(remu(row, gv * dv));
            Value accv;
            for (int64_t i = 0; i < rv / 32; ++i) {
              Value r = add(lane, 32 * i);
              Value u = memref::LoadOp::create(
                  b, vUp, ValueRange{grp, inGrp, toIndex(r)});
              u = arith::ExtFOp::create(b, f32, u);
              Value x = LLVM::LoadOp::create(b, f32, sharedPtr(mul(r, 4)));
              accv = accv ? Value(LLVM::FMAOp::create(b, u, x, accv))
                          : Value(arith::MulFOp::create(b, u, x));
            }
            for (int32_t off : {16, 8, 4, 2, 1})
              accv = arith::AddFOp::create(b, accv, warpXor(accv, off));
            auto ifLane = scf::IfOp::create(
                b, cmp(arith::CmpIPredicate::eq, lane, ci(0)), false);
            b.setInsertionPointToStart(&ifLane.getThenRegion().front());
            memref::StoreOp::create(b,
                                    arith::TruncFOp::create(b, spec.elem, accv),
                                    o, ValueRange{bi, h, zeroI, toIndex(e)});
          }
          scf::YieldOp::create(b);
        });
    (void)eLoop;
  }

private:
  void storeF32(Value v, Value off) {
    LLVM::StoreOp::create(b, v, sharedPtr(off));
  }
  const LatentSpec &spec;
};

gpu::GPUFuncOp makeLatentKernel(OpBuilder &builder, Location loc,
                                StringRef name, const LatentSpec &spec,
                                int64_t threads) {
  MLIRContext *ctx = builder.getContext();
  auto func = gpu::GPUFuncOp::create(
      builder, loc, name,
      builder.getFunctionType(latentArgTypes(ctx, spec), {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(
      builder.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
  return func;
}

} // namespace

FailureOr<LatentSpec> readLatentAttentionSpec(Operation *op) {
  auto attn = cast<LatentAttentionOp>(op);
  auto ty = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  SmallVector<std::pair<StringRef, Value>> operands = {
      {"q", attn.getQ()},
      {"k_latent", attn.getKLatent()},
      {"k_up", attn.getKUp()},
      {"v_latent", attn.getVLatent()},
      {"v_up", attn.getVUp()}};
  if (attn.getCos()) {
    operands.push_back({"cos", attn.getCos()});
    operands.push_back({"sin", attn.getSin()});
  }
  for (auto &[name, v] : operands)
    if (!ty(v).hasStaticShape())
      return op->emitError("linea-to-gpu: latent_attention ")
             << name << " must have a static shape, got " << ty(v);
  LatentSpec spec;
  auto qType = ty(attn.getQ());
  spec.elem = qType.getElementType();
  if (!spec.elem.isBF16() && !spec.elem.isF16())
    return op->emitError("linea-to-gpu: latent_attention element type must "
                         "be bf16 or f16 (tensor cores), got ")
           << spec.elem;
  spec.batch = qType.getDimSize(0);
  spec.heads = qType.getDimSize(1);
  spec.d = qType.getDimSize(3);
  spec.kvHeads = attn.getKvHeads();
  auto kl = ty(attn.getKLatent()), ku = ty(attn.getKUp());
  auto vl = ty(attn.getVLatent()), vu = ty(attn.getVUp());
  spec.t = kl.getDimSize(1);
  spec.kGroups = ku.getDimSize(0);
  spec.rk = ku.getDimSize(2);
  spec.vGroups = vu.getDimSize(0);
  spec.rv = vu.getDimSize(2);
  spec.dv = vu.getDimSize(1) / (spec.kvHeads / spec.vGroups);
  (void)vl;
  const int64_t s = qType.getDimSize(2);
  if (s != 1)
    return op->emitError("linea-to-gpu: latent_attention has S = ")
           << s << " queries; the CUDA kernel is the decode path (S = 1)";
  if (spec.group() > 16)
    return op->emitError("linea-to-gpu: latent_attention has ")
           << spec.group()
           << " query heads per kv head; the decode kernel takes at most 16";
  if (spec.d % 16 || spec.d > 128)
    return op->emitError("linea-to-gpu: latent_attention head dim D = ")
           << spec.d << " is not supported (a multiple of 16, at most 128)";
  if (spec.rk % 16)
    return op->emitError("linea-to-gpu: latent_attention k_up rank rk = ")
           << spec.rk << " is not a multiple of 16";
  if (spec.rv % 64 || spec.rv > 1024)
    return op->emitError("linea-to-gpu: latent_attention v_up rank rv = ")
           << spec.rv << " is not a multiple of 64 in [64, 1024]";
  if (spec.batch * spec.heads == 0 || spec.t == 0)
    return op->emitError("linea-to-gpu: empty latent_attention (B·H = ")
           << spec.batch * spec.heads << ", T = " << spec.t << ")";
  if (spec.sharedBytes() > 227 * 1024)
    return op->emitError("linea-to-gpu: latent_attention ranks rk = ")
           << spec.rk << ", rv = " << spec.rv << " need " << spec.sharedBytes()
           << " bytes of shared memory per block (at most 232448)";
  if (Value cos = attn.getCos())
    spec.ropeElem = ty(cos).getElementType();
  if (attn.getCos() && ty(attn.getSin()).getElementType() != spec.ropeElem)
    return op->emitError("linea-to-gpu: latent_attention rope cos and sin "
                         "must have one element type, got ")
           << spec.ropeElem << " and " << ty(attn.getSin()).getElementType();
  spec.causal = attn.getCausal();
  spec.scale = attn.getEffectiveScale();
  // One wave of blocks, slices of whole tiles (as FlashAttentionKernel's
  // decode).
  const int64_t tiles = (spec.t + spec.blockKeys - 1) / spec.blockKeys;
  const int64_t perSm =
      std::clamp<int64_t>(227 * 1024 / spec.sharedBytes(), 1, 3);
  int64_t want =
      std::clamp<int64_t>(perSm * 132 / (spec.batch * spec.kvHeads), 1, tiles);
  const int64_t tilesPerSlice = (tiles + want - 1) / want;
  spec.sliceKeys = tilesPerSlice * spec.blockKeys;
  spec.splits = (tiles + tilesPerSlice - 1) / tilesPerSlice;
  return spec;
}

void emitLatentAttentionKernels(OpBuilder &b, Operation *op, StringRef prefix,
                                StringRef layer, const LatentSpec &spec,
                                SmallVectorImpl<Attribute> &manifest) {
  MLIRContext *ctx = b.getContext();
  Location loc = op->getLoc();
  std::string symbol = (prefix + "_latent_b" + Twine(spec.blockKeys)).str();
  std::string combine = symbol + "_combine";
  declareDynamicSmem(b, loc);
  {
    auto func = makeLatentKernel(b, loc, symbol, spec, kLatentThreads);
    ImplicitLocOpBuilder ib(loc, ctx);
    Block &entry = func.getBody().front();
    ib.setInsertionPointToStart(&entry);
    LatentBuilder(ib, spec).build(entry.getArguments());
    gpu::ReturnOp::create(ib);
  }
  {
    auto func = makeLatentKernel(b, loc, combine, spec, kCombineThreads);
    ImplicitLocOpBuilder ib(loc, ctx);
    Block &entry = func.getBody().front();
    ib.setInsertionPointToStart(&entry);
    LatentCombineBuilder(ib, spec).build(entry.getArguments());
    gpu::ReturnOp::create(ib);
  }
  std::array<int64_t, 3> grid = {spec.splits, spec.kvHeads, spec.batch};
  auto launch = [&](StringRef name, ArrayRef<int64_t> g, int64_t threads,
                    int64_t shared) {
    return b.getDictionaryAttr(
        {b.getNamedAttr("symbol", b.getStringAttr(name)),
         b.getNamedAttr("grid", b.getI64ArrayAttr(g)),
         b.getNamedAttr("block", b.getI64ArrayAttr({threads, 1, 1})),
         b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(shared))});
  };
  SmallVector<Attribute> argAttrs;
  for (const ArgDesc &a : latentArgs(ctx, spec))
    argAttrs.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(a.name)),
         b.getNamedAttr("dtype", b.getStringAttr(dtypeName(a.elem))),
         b.getNamedAttr("shape", b.getI64ArrayAttr(a.shape))}));
  auto i64 = [&](StringRef name, int64_t v) {
    return b.getNamedAttr(name, b.getI64IntegerAttr(v));
  };
  manifest.push_back(b.getDictionaryAttr(
      {b.getNamedAttr("symbol", b.getStringAttr(symbol)),
       b.getNamedAttr("layer", b.getStringAttr(layer)),
       b.getNamedAttr("op", b.getStringAttr("latent_attention")),
       b.getNamedAttr("kind", b.getStringAttr("decode")),
       i64("batch", spec.batch),
       i64("heads", spec.heads),
       i64("kv_heads", spec.kvHeads),
       i64("s", 1),
       i64("t", spec.t),
       i64("d", spec.d),
       i64("dv", spec.dv),
       i64("k_groups", spec.kGroups),
       i64("rk", spec.rk),
       i64("v_groups", spec.vGroups),
       i64("rv", spec.rv),
       b.getNamedAttr("rope", b.getBoolAttr(spec.hasRope())),
       b.getNamedAttr("causal", b.getBoolAttr(spec.causal)),
       b.getNamedAttr("scale", b.getF32FloatAttr(spec.scale)),
       b.getNamedAttr("element", b.getStringAttr(dtypeName(spec.elem))),
       i64("block_keys", spec.blockKeys),
       i64("splits", spec.splits),
       b.getNamedAttr("grid", b.getI64ArrayAttr(grid)),
       b.getNamedAttr("block", b.getI64ArrayAttr({kLatentThreads, 1, 1})),
       i64("shared_bytes", spec.sharedBytes()),
       b.getNamedAttr("args", b.getArrayAttr(argAttrs)),
       b.getNamedAttr(
           "launches",
           b.getArrayAttr(
               {launch(symbol, grid, kLatentThreads, spec.sharedBytes()),
                launch(combine, {spec.heads, spec.batch, 1}, kCombineThreads,
                       spec.rv * 4)}))}));
}

} // namespace linea::gpu_codegen
