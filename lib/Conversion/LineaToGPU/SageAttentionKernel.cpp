//===- SageAttentionKernel.cpp - SageAttention kernels as gpu.func --------===//
//
// linea.attention with `quant` (SageAttention; the exact math is in the
// op's description) as one manifest entry of several launches that share
// one argument list: q, k, v, the workspaces q8, qs, k8, ks, vq, ksum,
// vsum, vmax, and o.
//
// Prologue (4-5 small kernels, bandwidth-bound):
//   zero     ksum, vsum, vmax ← 0;
//   sums     column sums of k (and of v when smoothed), atomically, one
//            block per 64 keys: the token means are sum / T;
//   vmax     (fp8 values) max_j |v − v̄| per channel, as the bits of a
//            non-negative f32 under an integer atomic max;
//   quant_kv per block of k_block keys: k̃ = k − mean, one scale
//            max |k̃| / 127, k8 = clamp(roundEven(k̃ / s), ±127) (zero rows
//            past T up to the padded T), and vq = e4m3((v − v̄) / s_V)
//            stored exactly in f16 (fp8 values) or v itself (exact);
//   quant_q  likewise q8 from q·scale·log2(e) per block of q_block rows.
//
// Main kernel: the FlashAttention-2 pipeline of FlashAttentionKernel.cpp
// (4 warps, cp.async double-buffered K/V tiles, ldmatrix, online softmax
// in registers), with S = Q·Kᵀ on int8 tensor cores: mma.sync m16n8k32
// .s8.s8.s32, whose fragments are byte-for-byte those of m16n8k16 on
// 16-bit elements, so the same ldmatrix addressing serves with rows of D
// bytes (padded by 16). Scores are acc·qs[i]·ks[j], already in log2 units
// (q carries scale·log2 e). The running max is an integer (ceil), so every
// rescaling is an exact power of two. fp8 values: each exponentiated
// 256·p is rounded to e4m3 (cvt.rn.satfinite.e4m3x2.f32) and widened to
// f16 (exact), the row sum l adds the rounded values, and P·V runs as
// mma.sync m16n8k16 f16 on these exactly representable operands against
// vq; o = O/l·s_V + v̄ (the 256 cancels). Exact values: P·V on the 16-bit
// element as FlashAttention-2.
//
//===----------------------------------------------------------------------===//

#include "SageAttentionKernel.h"
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

/// Arguments of every kernel of one quantized attention, in order.
enum SageArg {
  kQ, kK, kV, kQ8, kQs, kK8, kKs, kVq, kKSum, kVSum, kVMax, kO, kNumArgs
};
constexpr int64_t kThreads = 128;
/// Keys per block of the sums / vmax kernels.
constexpr int64_t kSumRows = 64;

/// The 16-bit type P·V runs in: f16 for fp8 values (e4m3 values are exact
/// in f16), else the element type.
Type pvElem(const SageSpec &spec) {
  return spec.fp8Values ? Type(Float16Type::get(spec.attn.elem.getContext()))
                        : spec.attn.elem;
}

class SageBuilder : MmaBuilder {
public:
  SageBuilder(ImplicitLocOpBuilder &b, const SageSpec &spec)
      : MmaBuilder(b, pvElem(spec)), spec(spec), a(spec.attn),
        rsQK(a.d + 16), rsV((a.dv + 8) * 2), mTiles(a.rowsPerWarp / 16),
        // Q fragments in registers for one m-tile; two m-tiles re-read them
        // from shared memory (as the exact kernel does), registers being
        // taken by the O accumulators.
        qInRegs(mTiles == 1) {}

  // Prologue kernels (see the file comment); grids in emitSage….
  void buildZero(ValueRange args);
  void buildSums(ValueRange args);
  void buildVMax(ValueRange args);
  void buildQuantKV(ValueRange args);
  void buildQuantQ(ValueRange args);
  // Main kernel.
  void buildMain(ValueRange args);

private:
  Value f32x2(Value lo, Value hi) {
    return vector::FromElementsOp::create(b, VectorType::get({2}, f32),
                                          ValueRange{lo, hi});
  }
  Value ext(Value v, int64_t i) { return vector::ExtractOp::create(b, v, i); }
  Value maxf(Value x, Value y) { return LLVM::MaxNumOp::create(b, x, y); }
  /// |x| as max(x, −x) (llvm.intr.fabs is illegal in convert-gpu-to-nvvm).
  Value absf(Value x) {
    return LLVM::MaxNumOp::create(b, x, arith::NegFOp::create(b, x));
  }
  /// One-operand f32 PTX instruction `op` (cvt.rni / cvt.rpi: the
  /// llvm.intr forms become libdevice calls in convert-gpu-to-nvvm).
  Value ptxUnary(StringRef op, Value x) {
    return LLVM::InlineAsmOp::create(
               b, f32, ValueRange{x}, (op + " $0, $1;").str(), "=f,f",
               /*has_side_effects=*/false, /*is_align_stack=*/false,
               LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
               ArrayAttr())
        .getResult(0);
  }
  Value load(Value memref, ArrayRef<Value> idx) {
    SmallVector<Value> ix;
    for (Value v : idx)
      ix.push_back(toIndex(v));
    return memref::LoadOp::create(b, memref, ix);
  }
  void store(Value v, Value memref, ArrayRef<Value> idx) {
    SmallVector<Value> ix;
    for (Value i : idx)
      ix.push_back(toIndex(i));
    memref::StoreOp::create(b, v, memref, ix);
  }
  void atomic(arith::AtomicRMWKind kind, Value v, Value memref,
              ArrayRef<Value> idx) {
    SmallVector<Value> ix;
    for (Value i : idx)
      ix.push_back(toIndex(i));
    memref::AtomicRMWOp::create(b, kind, v, memref, ix);
  }
  /// for (i = lo; i < hi; i += step) body(i), i32.
  void loop(Value lo, Value hi, int64_t step,
            llvm::function_ref<void(Value)> body) {
    scf::ForOp::create(b, lo, hi, ci(step), ValueRange{},
                       [&](OpBuilder &ob, Location, Value i, ValueRange) {
                         OpBuilder::InsertionGuard g(b);
                         b.setInsertionPoint(ob.getInsertionBlock(),
                                             ob.getInsertionPoint());
                         body(i);
                         scf::YieldOp::create(b);
                       });
  }
  /// Like loop, carrying one f32.
  Value reduce(Value lo, Value hi, int64_t step, Value init,
               llvm::function_ref<Value(Value, Value)> body) {
    auto op = scf::ForOp::create(
        b, lo, hi, ci(step), ValueRange{init},
        [&](OpBuilder &ob, Location, Value i, ValueRange c) {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
          scf::YieldOp::create(b, body(i, c[0]));
        });
    return op.getResult(0);
  }
  /// Max of x over the block's 4 warps (shared bytes 0…15), in every thread.
  Value blockMax(Value x);
  /// Column (token) mean pair 2p, 2p + 1 of a sums workspace (sum / T).
  Value meanPair(Value sums, Value bz, Value h, Value p) {
    Value n = cf(static_cast<double>(a.t));
    return f32x2(
        arith::DivFOp::create(b, load(sums, {bz, h, mul(p, 2)}), n),
        arith::DivFOp::create(b, load(sums, {bz, h, add(mul(p, 2), 1)}), n));
  }
  /// s_V pair of channels 2p, 2p + 1: vmax bits as f32, / 448.
  Value vScalePair(Value vmax, Value bz, Value h, Value p) {
    auto one = [&](Value c) {
      Value bits = load(vmax, {bz, h, c});
      return arith::DivFOp::create(
          b, arith::BitcastOp::create(b, f32, bits), cf(448.0));
    };
    return f32x2(one(mul(p, 2)), one(add(mul(p, 2), 1)));
  }
  /// e4m3(x) of an f32 pair, widened exactly to f16.
  Value e4m3Pair(Value x0, Value x1) {
    Type i8x2 = VectorType::get({2}, b.getI8Type());
    Value codes = NVVM::ConvertF32x2ToF8x2Op::create(
        b, i8x2, x1, x0, NVVM::FPRoundingMode::RN,
        NVVM::SaturationMode::SATFINITE, /*relu=*/false,
        b.getType<Float8E4M3FNType>());
    return NVVM::ConvertF8x2ToF16x2Op::create(
        b, VectorType::get({2}, b.getF16Type()), codes, /*relu=*/false,
        b.getType<Float8E4M3FNType>());
  }
  /// int8 quantization of rows blocks of `src` (see quant_kv / quant_q).
  void quantRows(Value src, Value dst, Value scales, int64_t rowsReal,
                 int64_t rowsPad, int64_t block, int64_t width, float factor,
                 Value sums, bool alsoValues, ValueRange args);

  // Main kernel.
  Value ldmatrixRaw(Value offset);
  /// The A fragment of Q rows mt·16 … and bytes kk·32 … of the warp.
  SmallVector<Value, 4> qFragment(int64_t mt, int64_t kk);
  void mmaS8(ArrayRef<Value> a, Value b0, Value b1, MutableArrayRef<Value> c);
  void copyRows(Value dst, Value src0, int64_t rows, int64_t rowBytes,
                int64_t smemRowBytes);
  void issueTile(Value n);
  void computeTile(Value kBuf, Value vBuf, Value tileKey0, bool masked,
                   SmallVector<Value> &state);
  SmallVector<Value> tileLoop(Value lo, Value hi, ArrayRef<Value> state,
                              bool masked);

  const SageSpec &spec;
  const AttentionSpec &a;
  int64_t rsQK, rsV, mTiles;
  bool qInRegs;
  Value tid, lane, warp, gid, tig;
  Value kBase, vBase, ksBase, nEnd;
  int64_t kOff = 0, vOff = 0, kTileBytes = 0, vTileBytes = 0;
  Value laneQ, laneK, laneV;
  SmallVector<SmallVector<SmallVector<Value, 4>>> qFrag; // [mt][kk]
  SmallVector<Value> rowLimit, qScale;                   // [mt·2 + r]
};

Value SageBuilder::blockMax(Value x) {
  for (int32_t off : {16, 8, 4, 2, 1})
    x = maxf(x, warpXor(x, off));
  Value lane0 = cmp(arith::CmpIPredicate::eq, lane, ci(0));
  ifThen(b, lane0, [&] {
    LLVM::StoreOp::create(b, x, sharedPtr(mul(warp, 4)));
  });
  gpu::BarrierOp::create(b);
  Value r = LLVM::LoadOp::create(b, f32, sharedPtr(ci(0)));
  for (int64_t w = 1; w < kThreads / 32; ++w)
    r = maxf(r, LLVM::LoadOp::create(b, f32, sharedPtr(ci(4 * w))));
  gpu::BarrierOp::create(b);
  return r;
}

void SageBuilder::buildZero(ValueRange args) {
  tid = id(false, gpu::Dimension::x);
  Value h = id(true, gpu::Dimension::x), bz = id(true, gpu::Dimension::y);
  ifThen(b, cmp(arith::CmpIPredicate::slt, tid, ci(a.d)),
         [&] { store(cf(0.0), args[kKSum], {bz, h, tid}); });
  ifThen(b, cmp(arith::CmpIPredicate::slt, tid, ci(a.dv)), [&] {
    store(cf(0.0), args[kVSum], {bz, h, tid});
    store(ci(0), args[kVMax], {bz, h, tid});
  });
}

void SageBuilder::buildSums(ValueRange args) {
  tid = id(false, gpu::Dimension::x);
  Value c = id(true, gpu::Dimension::x), h = id(true, gpu::Dimension::y),
        bz = id(true, gpu::Dimension::z);
  Value j0 = mul(c, kSumRows);
  Value j1 = minsi(add(j0, kSumRows), ci(a.t));
  auto sums = [&](Value x, Value out, int64_t width) {
    // Thread: channel pair p, rows j0 + phase, + phases, …
    const int64_t pairs = width / 2, phases = kThreads / pairs;
    Value p = remu(tid, pairs), phase = divu(tid, pairs);
    auto loopOp = scf::ForOp::create(
        b, add(j0, phase), j1, ci(phases), ValueRange{cf(0.0), cf(0.0)},
        [&](OpBuilder &ob, Location, Value j, ValueRange acc) {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
          Value v = toF32(b, load(x, {bz, h, j, p}));
          scf::YieldOp::create(
              b, ValueRange{arith::AddFOp::create(b, acc[0], ext(v, 0)),
                            arith::AddFOp::create(b, acc[1], ext(v, 1))});
        });
    for (int64_t e = 0; e < 2; ++e)
      atomic(arith::AtomicRMWKind::addf, loopOp.getResult(e), out,
             {bz, h, add(mul(p, 2), e)});
  };
  sums(args[kK], args[kKSum], a.d);
  if (spec.smoothValues)
    sums(args[kV], args[kVSum], a.dv);
}

void SageBuilder::buildVMax(ValueRange args) {
  tid = id(false, gpu::Dimension::x);
  Value c = id(true, gpu::Dimension::x), h = id(true, gpu::Dimension::y),
        bz = id(true, gpu::Dimension::z);
  Value j0 = mul(c, kSumRows);
  Value j1 = minsi(add(j0, kSumRows), ci(a.t));
  const int64_t pairs = a.dv / 2, phases = kThreads / pairs;
  Value p = remu(tid, pairs), phase = divu(tid, pairs);
  Value mean = spec.smoothValues ? meanPair(args[kVSum], bz, h, p)
                                 : f32x2(cf(0.0), cf(0.0));
  auto loopOp = scf::ForOp::create(
      b, add(j0, phase), j1, ci(phases), ValueRange{cf(0.0), cf(0.0)},
      [&](OpBuilder &ob, Location, Value j, ValueRange acc) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        Value v = arith::SubFOp::create(
            b, toF32(b, load(args[kV], {bz, h, j, p})), mean);
        v = absf(v);
        scf::YieldOp::create(b, ValueRange{maxf(acc[0], ext(v, 0)),
                                           maxf(acc[1], ext(v, 1))});
      });
  // Non-negative floats order as their bit patterns.
  for (int64_t e = 0; e < 2; ++e)
    atomic(arith::AtomicRMWKind::maxs,
           arith::BitcastOp::create(b, i32, loopOp.getResult(e)), args[kVMax],
           {bz, h, add(mul(p, 2), e)});
}

void SageBuilder::quantRows(Value src, Value dst, Value scales,
                            int64_t rowsReal, int64_t rowsPad, int64_t block,
                            int64_t width, float factor, Value sums,
                            bool alsoValues, ValueRange args) {
  tid = id(false, gpu::Dimension::x);
  lane = arith::AndIOp::create(b, tid, ci(31));
  warp = arith::ShRUIOp::create(b, tid, ci(5));
  bindSmem();
  Value c = id(true, gpu::Dimension::x), h = id(true, gpu::Dimension::y),
        bz = id(true, gpu::Dimension::z);
  Value r0 = mul(c, block);
  Value r1 = minsi(add(r0, block), ci(rowsPad));
  Value real1 = arith::MaxSIOp::create(b, minsi(r1, ci(rowsReal)), r0);
  const int64_t pairs = width / 2; // divides kThreads: p fixed per thread
  Value p = remu(tid, pairs);
  Value mean = sums ? meanPair(sums, bz, h, p) : Value();
  Value fac = factor != 1.0f
                  ? Value(vector::BroadcastOp::create(
                        b, VectorType::get({2}, f32), cf(factor)))
                  : Value();
  auto element = [&](Value j) {
    Value x = toF32(b, load(src, {bz, h, j, p}));
    if (fac)
      x = arith::MulFOp::create(b, x, fac);
    if (mean)
      x = arith::SubFOp::create(b, x, mean);
    return x;
  };
  Value rowsIn = sub(real1, r0);
  Value amax = reduce(tid, mul(rowsIn, pairs), kThreads, cf(0.0),
                      [&](Value idx, Value m) {
                        Value j = add(r0, divu(idx, pairs));
                        Value x = absf(element(j));
                        return maxf(m, maxf(ext(x, 0), ext(x, 1)));
                      });
  amax = blockMax(amax);
  Value scale = arith::DivFOp::create(b, amax, cf(127.0));
  Value none =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, scale, cf(0.0));
  Value divisor = select(none, cf(1.0), scale);
  Type i8x2 = VectorType::get({2}, b.getI8Type());
  Value zeroCodes = arith::ConstantOp::create(
      b, DenseElementsAttr::get(cast<ShapedType>(i8x2),
                                b.getIntegerAttr(b.getI8Type(), 0)));
  Value lastReal = ci(rowsReal - 1);
  loop(tid, mul(sub(r1, r0), pairs), kThreads, [&](Value idx) {
    Value j = add(r0, divu(idx, pairs));
    Value isReal = cmp(arith::CmpIPredicate::slt, j, ci(rowsReal));
    Value x = element(minsi(j, lastReal));
    SmallVector<Value, 2> codes;
    for (int64_t e = 0; e < 2; ++e) {
      Value r = ptxUnary("cvt.rni.f32.f32",
                         arith::DivFOp::create(b, ext(x, e), divisor));
      r = maxf(r, cf(-127.0));
      r = LLVM::MinNumOp::create(b, r, cf(127.0));
      codes.push_back(arith::FPToSIOp::create(b, b.getI8Type(), r));
    }
    Value pair = vector::FromElementsOp::create(b, i8x2, codes);
    store(select(isReal, pair, zeroCodes), dst, {bz, h, j, p});
  });
  loop(add(r0, tid), r1, kThreads, [&](Value j) {
    Value isReal = cmp(arith::CmpIPredicate::slt, j, ci(rowsReal));
    store(select(isReal, scale, cf(0.0)), scales, {bz, h, j});
  });
  if (!alsoValues)
    return;
  // V rows [r0, r1): e4m3 codes of the centred values (exact in f16), or
  // v itself; zero past T.
  const int64_t vPairs = a.dv / 2;
  Value pv = remu(tid, vPairs);
  Value vMean, vScale;
  if (spec.fp8Values) {
    vMean = spec.smoothValues ? meanPair(args[kVSum], bz, h, pv)
                              : f32x2(cf(0.0), cf(0.0));
    vScale = vScalePair(args[kVMax], bz, h, pv);
  }
  Type outPair = VectorType::get({2}, elem);
  Value zeroPair = arith::ConstantOp::create(
      b, DenseElementsAttr::get(cast<ShapedType>(outPair),
                                b.getFloatAttr(elem, 0.0)));
  loop(tid, mul(sub(r1, r0), vPairs), kThreads, [&](Value idx) {
    Value j = add(r0, divu(idx, vPairs));
    Value isReal = cmp(arith::CmpIPredicate::slt, j, ci(rowsReal));
    Value v = load(args[kV], {bz, h, minsi(j, lastReal), pv});
    if (spec.fp8Values) {
      Value x = arith::DivFOp::create(
          b, arith::SubFOp::create(b, toF32(b, v), vMean), vScale);
      Value q = e4m3Pair(ext(x, 0), ext(x, 1));
      // s_V = 0: every centred value is 0.
      for (int64_t e = 0; e < 2; ++e) {
        Value zero = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                           ext(vScale, e), cf(0.0));
        Value z = arith::ConstantOp::create(b, b.getF16FloatAttr(0.0));
        q = vector::InsertOp::create(
            b, select(zero, z, vector::ExtractOp::create(b, q, e)), q, e);
      }
      v = q;
    }
    store(select(isReal, v, zeroPair), args[kVq], {bz, h, j, pv});
  });
}

void SageBuilder::buildQuantKV(ValueRange args) {
  quantRows(args[kK], args[kK8], args[kKs], a.t, spec.tPad(), spec.kBlock,
            a.d, 1.0f, args[kKSum], /*alsoValues=*/true, args);
}

void SageBuilder::buildQuantQ(ValueRange args) {
  const float factor = a.scale * static_cast<float>(M_LOG2E);
  quantRows(args[kQ], args[kQ8], args[kQs], a.s, spec.sPad(), spec.qBlock,
            a.d, factor, Value(), /*alsoValues=*/false, args);
}

//===----------------------------------------------------------------------===//
// Main kernel
//===----------------------------------------------------------------------===//

Value SageBuilder::ldmatrixRaw(Value offset) {
  Type i32x4 = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, i32, i32});
  Value m = NVVM::LdMatrixOp::create(
      b, i32x4, sharedPtr(offset), 4, NVVM::MMALayout::row,
      NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8), NVVM::LdStMatrixEltType::B16);
  return m;
}

SmallVector<Value, 4> SageBuilder::qFragment(int64_t mt, int64_t kk) {
  Value m = ldmatrixRaw(add(laneQ, mt * 16 * rsQK + kk * 32));
  SmallVector<Value, 4> regs;
  for (int64_t i = 0; i < 4; ++i)
    regs.push_back(LLVM::ExtractValueOp::create(b, m, ArrayRef<int64_t>{i}));
  return regs;
}

void SageBuilder::mmaS8(ArrayRef<Value> av, Value b0, Value b1,
                        MutableArrayRef<Value> c) {
  Type i32x4 = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, i32, i32});
  Value d = NVVM::MmaOp::create(
      b, i32x4, av, ValueRange{b0, b1}, c, ArrayRef<int64_t>{16, 8, 32},
      std::nullopt, NVVM::MMAIntOverflow::wrapped,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::s8, NVVM::MMATypes::s8},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  for (int64_t i = 0; i < 4; ++i)
    c[i] = LLVM::ExtractValueOp::create(b, d, ArrayRef<int64_t>{i});
}

void SageBuilder::copyRows(Value dst, Value src0, int64_t rows,
                           int64_t rowBytes, int64_t smemRowBytes) {
  const int64_t cpr = rowBytes / 16, chunks = rows * cpr;
  Value tRow = divu(tid, cpr), tCol = remu(tid, cpr);
  for (int64_t p = 0; p * kThreads < chunks; ++p) {
    // Chunk tid + p·threads (cpr divides the thread count).
    Value row = add(tRow, p * (kThreads / cpr));
    Value src = arith::AddIOp::create(
        b, src0, toI64(add(mul(row, rowBytes), mul(tCol, 16))));
    NVVM::CpAsyncOp::create(
        b, sharedPtr(add(dst, add(mul(row, smemRowBytes), mul(tCol, 16)))),
        LLVM::IntToPtrOp::create(b, ptrGlobal, src), 16,
        NVVM::LoadCacheModifierKind::CG, Value());
  }
}

void SageBuilder::issueTile(Value n) {
  Value odd = arith::AndIOp::create(b, n, ci(1));
  Value key0 = mul(n, a.blockKeys);
  copyRows(add(mul(odd, kTileBytes), kOff),
           arith::AddIOp::create(b, kBase, toI64(mul(key0, a.d))), a.blockKeys,
           a.d, rsQK);
  copyRows(add(mul(odd, vTileBytes), vOff),
           arith::AddIOp::create(b, vBase, toI64(mul(key0, a.dv * 2))),
           a.blockKeys, a.dv * 2, rsV);
}

void SageBuilder::computeTile(Value kBuf, Value vBuf, Value tileKey0,
                              bool masked, SmallVector<Value> &state) {
  const int64_t nD = a.dv / 8, nN = a.blockKeys / 8;
  Value zero = cf(0.0), negInf = cf(-INFINITY);
  auto oAt = [&](int64_t mt, int64_t dn, int64_t e) -> Value & {
    return state[(mt * nD + dn) * 4 + e];
  };
  auto mAt = [&](int64_t mt, int64_t r) -> Value & {
    return state[mTiles * nD * 4 + mt * 2 + r];
  };
  auto lAt = [&](int64_t mt, int64_t r) -> Value & {
    return state[mTiles * nD * 4 + mTiles * 2 + mt * 2 + r];
  };
  // Key scales of the thread's columns 8j + 2·tig + e (loads first: their
  // latency hides behind the mma).
  Value colKey0 = add(tileKey0, mul(tig, 2));
  Type f32x2Type = VectorType::get({2}, f32);
  SmallVector<Value> ks;
  for (int64_t j = 0; j < nN; ++j) {
    Value addr = arith::AddIOp::create(
        b, ksBase, toI64(mul(add(colKey0, 8 * j), 4)));
    ks.push_back(LLVM::LoadOp::create(
        b, f32x2Type, LLVM::IntToPtrOp::create(b, ptrGlobal, addr), 8));
  }

  // S = Q8·K8ᵀ in i32: [mt][n-tile][4].
  SmallVector<SmallVector<Value>> s(mTiles, SmallVector<Value>(nN * 4, ci(0)));
  for (int64_t kk = 0; kk < a.d / 32; ++kk) {
    SmallVector<SmallVector<Value, 4>> qf;
    for (int64_t mt = 0; mt < mTiles; ++mt)
      qf.push_back(qInRegs ? qFrag[mt][kk] : qFragment(mt, kk));
    for (int64_t jj = 0; jj < nN / 2; ++jj) {
      Value kf = ldmatrixRaw(add(add(kBuf, laneK), jj * 16 * rsQK + kk * 32));
      SmallVector<Value, 4> kv;
      for (int64_t i = 0; i < 4; ++i)
        kv.push_back(LLVM::ExtractValueOp::create(b, kf, ArrayRef<int64_t>{i}));
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        mmaS8(qf[mt], kv[0], kv[1],
              MutableArrayRef<Value>(s[mt]).slice(2 * jj * 4, 4));
        mmaS8(qf[mt], kv[2], kv[3],
              MutableArrayRef<Value>(s[mt]).slice((2 * jj + 1) * 4, 4));
      }
    }
  }

  // Online softmax in log2 units with an integer running max. fp8 values:
  // 256·p rounded to e4m3 (as f16 pairs in pv), l sums the rounded values.
  SmallVector<SmallVector<Value>> pv(mTiles, SmallVector<Value>(nN * 2));
  for (int64_t mt = 0; mt < mTiles; ++mt) {
    for (int64_t r = 0; r < 2; ++r) {
      auto sv = [&](int64_t j, int64_t e) -> Value & {
        return s[mt][j * 4 + 2 * r + e];
      };
      Value lim;
      if (masked)
        lim = sub(rowLimit[mt * 2 + r], colKey0);
      for (int64_t j = 0; j < nN; ++j)
        for (int64_t e = 0; e < 2; ++e) {
          Value x = arith::SIToFPOp::create(b, f32, sv(j, e));
          x = arith::MulFOp::create(
              b, arith::MulFOp::create(b, x, qScale[mt * 2 + r]),
              ext(ks[j], e));
          if (masked)
            x = select(cmp(arith::CmpIPredicate::sle, ci(8 * j + e), lim), x,
                       negInf);
          sv(j, e) = x;
        }
      Value mx = sv(0, 0);
      for (int64_t j = 0; j < nN; ++j)
        for (int64_t e = 0; e < 2; ++e)
          if (j || e)
            mx = maxf(mx, sv(j, e));
      mx = maxf(mx, warpXor(mx, 1));
      mx = maxf(mx, warpXor(mx, 2));
      Value mOld = mAt(mt, r);
      Value mNew = maxf(mOld, ptxUnary("cvt.rpi.f32.f32", mx));
      Value noKey =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, mNew, negInf);
      Value mUse = select(noKey, zero, mNew);
      Value alpha = exp2(arith::SubFOp::create(b, mOld, mUse));
      // fp8: 256·p = exp2(s − m + 8).
      Value negM = arith::SubFOp::create(b, cf(spec.fp8Values ? 8.0 : 0.0),
                                         mUse);
      Value sum;
      auto accumulate = [&](Value x) {
        sum = sum ? Value(arith::AddFOp::create(b, sum, x)) : x;
      };
      for (int64_t j = 0; j < nN; ++j) {
        for (int64_t e = 0; e < 2; ++e)
          sv(j, e) = exp2(arith::AddFOp::create(b, sv(j, e), negM));
        if (!spec.fp8Values) {
          accumulate(sv(j, 0));
          accumulate(sv(j, 1));
          continue;
        }
        Value q = e4m3Pair(sv(j, 0), sv(j, 1));
        pv[mt][j * 2 + r] = q;
        Value wide = arith::ExtFOp::create(b, f32x2Type, q);
        accumulate(ext(wide, 0));
        accumulate(ext(wide, 1));
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
    SmallVector<SmallVector<Value, 4>> af;
    for (int64_t mt = 0; mt < mTiles; ++mt) {
      if (spec.fp8Values) {
        af.push_back({pv[mt][4 * k], pv[mt][4 * k + 1], pv[mt][4 * k + 2],
                      pv[mt][4 * k + 3]});
        continue;
      }
      auto sv = [&](int64_t j, int64_t e) { return s[mt][j * 4 + e]; };
      af.push_back({pack(sv(2 * k, 0), sv(2 * k, 1)),
                    pack(sv(2 * k, 2), sv(2 * k, 3)),
                    pack(sv(2 * k + 1, 0), sv(2 * k + 1, 1)),
                    pack(sv(2 * k + 1, 2), sv(2 * k + 1, 3))});
    }
    for (int64_t dd = 0; dd < a.dv / 16; ++dd) {
      auto vf = ldmatrix4(add(add(vBuf, laneV), k * 16 * rsV + dd * 32),
                          /*trans=*/true);
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        MutableArrayRef<Value> o(state);
        mma(af[mt], vf[0], vf[1], o.slice((mt * nD + 2 * dd) * 4, 4));
        mma(af[mt], vf[2], vf[3], o.slice((mt * nD + 2 * dd + 1) * 4, 4));
      }
    }
  }
}

SmallVector<Value> SageBuilder::tileLoop(Value lo, Value hi,
                                         ArrayRef<Value> state, bool masked) {
  auto loopOp = scf::ForOp::create(
      b, lo, hi, ci(1), state,
      [&](OpBuilder &ob, Location, Value n, ValueRange in) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        SmallVector<Value> st(in.begin(), in.end());
        // Tile n + 1 into the other buffer, free since the last barrier.
        Value next = add(n, 1);
        ifThen(b, cmp(arith::CmpIPredicate::slt, next, nEnd),
               [&] { issueTile(next); });
        NVVM::CpAsyncCommitGroupOp::create(b);
        Value odd = arith::AndIOp::create(b, n, ci(1));
        computeTile(add(mul(odd, kTileBytes), kOff),
                    add(mul(odd, vTileBytes), vOff), mul(n, a.blockKeys),
                    masked, st);
        NVVM::CpAsyncWaitGroupOp::create(b, 0);
        gpu::BarrierOp::create(b);
        scf::YieldOp::create(b, st);
      });
  return SmallVector<Value>(loopOp.getResults());
}

void SageBuilder::buildMain(ValueRange args) {
  const int64_t d = a.d, bc = a.blockKeys, g = a.group(), br = a.blockRows();
  const int64_t sPad = spec.sPad(), tPad = spec.tPad();
  tid = id(false, gpu::Dimension::x);
  lane = arith::AndIOp::create(b, tid, ci(31));
  warp = arith::ShRUIOp::create(b, tid, ci(5));
  gid = arith::ShRUIOp::create(b, lane, ci(2));
  tig = arith::AndIOp::create(b, lane, ci(3));
  Value bx = id(true, gpu::Dimension::x), hy = id(true, gpu::Dimension::y),
        bz = id(true, gpu::Dimension::z);
  bindSmem();
  kOff = br * rsQK;
  kTileBytes = bc * rsQK;
  vTileBytes = bc * rsV;
  vOff = kOff + 2 * kTileBytes;

  const int64_t tiles = (a.s + br - 1) / br;
  // Causal: the longest rows first, so the last wave is short.
  Value x = a.causal ? sub(ci(tiles - 1), bx) : bx;
  Value qRow0 = mul(x, br);
  Value hk = divu(hy, g);
  Value bh = add(mul(bz, a.heads), hy);
  auto times = [&](Value v, int64_t c) {
    return arith::MulIOp::create(
        b, toI64(v), arith::ConstantOp::create(b, b.getI64IntegerAttr(c)));
  };
  Value qBase = arith::AddIOp::create(
      b, baseAddress(args[kQ8]), times(add(mul(bh, sPad), qRow0), d));
  Value kvHead = add(mul(bz, a.kvHeads), hk);
  kBase = arith::AddIOp::create(b, baseAddress(args[kK8]),
                                times(kvHead, tPad * d));
  vBase = arith::AddIOp::create(b, baseAddress(args[kVq]),
                                times(kvHead, tPad * a.dv * 2));
  ksBase = arith::AddIOp::create(b, baseAddress(args[kKs]),
                                 times(kvHead, tPad * 4));

  // Tiles [0, nFull) need no mask, [nFull, nEnd) do.
  Value nFull;
  std::tie(nEnd, nFull) = keyTileRange(qRow0, br, a.s, a.t, bc, a.causal);

  Value l8 = remu(lane, 8), l16 = remu(lane, 16);
  Value hiHalf = divu(lane, 16), midBit = remu(divu(lane, 8), 2);
  Value warpRow = mul(warp, a.rowsPerWarp);
  laneQ = add(mul(add(warpRow, l16), rsQK), mul(hiHalf, 16));
  laneK = add(mul(add(l8, mul(hiHalf, 8)), rsQK), mul(midBit, 16));
  laneV = add(mul(add(l8, mul(midBit, 8)), rsV), mul(hiHalf, 16));

  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t r = 0; r < 2; ++r) {
      Value i = add(add(qRow0, warpRow), add(gid, mt * 16 + r * 8));
      // qs is padded to sPad rows (zeros): every row reads in bounds.
      qScale.push_back(load(args[kQs], {bz, hy, i}));
      rowLimit.push_back(a.causal ? minsi(add(i, a.t - a.s), ci(a.t - 1))
                                  : ci(a.t - 1));
    }

  // Prologue: Q and tile 0.
  copyRows(ci(0), qBase, br, d, rsQK);
  ifThen(b, cmp(arith::CmpIPredicate::sgt, nEnd, ci(0)),
         [&] { issueTile(ci(0)); });
  NVVM::CpAsyncCommitGroupOp::create(b);
  NVVM::CpAsyncWaitGroupOp::create(b, 0);
  gpu::BarrierOp::create(b);
  for (int64_t mt = 0; qInRegs && mt < mTiles; ++mt) {
    qFrag.emplace_back();
    for (int64_t kk = 0; kk < d / 32; ++kk)
      qFrag.back().push_back(qFragment(mt, kk));
  }

  const int64_t nD = a.dv / 8;
  SmallVector<Value> state(mTiles * nD * 4, cf(0.0));
  state.append(mTiles * 2, cf(-INFINITY));
  state.append(mTiles * 2, cf(0.0));
  state = tileLoop(ci(0), nFull, state, /*masked=*/false);
  state = tileLoop(nFull, nEnd, state, /*masked=*/true);

  // fp8 values: per-column s_V and v̄ of the thread's columns.
  SmallVector<Value> colScale, colMean;
  if (spec.fp8Values)
    for (int64_t dn = 0; dn < nD; ++dn) {
      Value p = add(tig, dn * 4);
      colScale.push_back(vScalePair(args[kVMax], bz, hk, p));
      if (spec.smoothValues)
        colMean.push_back(meanPair(args[kVSum], bz, hk, p));
    }
  Value zeroPair = f32x2(cf(0.0), cf(0.0));
  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t r = 0; r < 2; ++r) {
      Value l = state[mTiles * nD * 4 + mTiles * 2 + mt * 2 + r];
      l = arith::AddFOp::create(b, l, warpXor(l, 1));
      l = arith::AddFOp::create(b, l, warpXor(l, 2));
      Value i = add(add(qRow0, warpRow), add(gid, mt * 16 + r * 8));
      Value hasKey =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, l, cf(0.0));
      Value inv = select(hasKey, arith::DivFOp::create(b, cf(1.0), l), cf(0.0));
      ifThen(b, cmp(arith::CmpIPredicate::slt, i, ci(a.s)), [&] {
        for (int64_t dn = 0; dn < nD; ++dn) {
          Value pair = f32x2(
              arith::MulFOp::create(b, state[(mt * nD + dn) * 4 + 2 * r], inv),
              arith::MulFOp::create(b, state[(mt * nD + dn) * 4 + 2 * r + 1],
                                    inv));
          if (spec.fp8Values) {
            pair = arith::MulFOp::create(b, pair, colScale[dn]);
            if (spec.smoothValues) // a row with no visible key stays 0
              pair = arith::AddFOp::create(
                  b, pair, select(hasKey, colMean[dn], zeroPair));
          }
          Value half = arith::TruncFOp::create(
              b, VectorType::get({2}, a.elem), pair);
          store(half, args[kO], {bz, hy, i, add(tig, dn * 4)});
        }
      });
    }
}

/// The argument types shared by every kernel of one quantized attention.
SmallVector<Type> sageArgTypes(MLIRContext *ctx, const SageSpec &spec) {
  const AttentionSpec &a = spec.attn;
  const int64_t bb = a.batch, h = a.heads, hk = a.kvHeads;
  Type f32 = Float32Type::get(ctx), i32 = IntegerType::get(ctx, 32);
  auto pairOf = [](Type t) { return VectorType::get({2}, t); };
  Type i8 = IntegerType::get(ctx, 8);
  return {globalMemRef({bb, h, a.s, a.d / 2}, pairOf(a.elem)),
          globalMemRef({bb, hk, a.t, a.d / 2}, pairOf(a.elem)),
          globalMemRef({bb, hk, a.t, a.dv / 2}, pairOf(a.elem)),
          globalMemRef({bb, h, spec.sPad(), a.d / 2}, pairOf(i8)),
          globalMemRef({bb, h, spec.sPad()}, f32),
          globalMemRef({bb, hk, spec.tPad(), a.d / 2}, pairOf(i8)),
          globalMemRef({bb, hk, spec.tPad()}, f32),
          globalMemRef({bb, hk, spec.tPad(), a.dv / 2}, pairOf(pvElem(spec))),
          globalMemRef({bb, hk, a.d}, f32),
          globalMemRef({bb, hk, a.dv}, f32),
          globalMemRef({bb, hk, a.dv}, i32),
          globalMemRef({bb, h, a.s, a.dv / 2}, pairOf(a.elem))};
}

/// One kernel of the entry, its body from `body`.
void buildSageKernel(OpBuilder &builder, Location loc, StringRef name,
                     const SageSpec &spec,
                     llvm::function_ref<void(SageBuilder &, ValueRange)> body) {
  declareDynamicSmem(builder, loc);
  auto func = createKernel(builder, loc, name,
                           sageArgTypes(builder.getContext(), spec), kThreads);
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  SageBuilder sb(b, spec);
  body(sb, entry.getArguments());
  gpu::ReturnOp::create(b);
}

} // namespace

FailureOr<SageSpec> readSageSpec(Operation *op) {
  auto attn = cast<AttentionOp>(op);
  AttnQuantAttr quant = attn.getQuantAttr();
  if (attn.getMask())
    return op->emitError("linea-to-gpu: quantized (SageAttention) attention "
                         "with a mask is not supported on CUDA yet");
  FailureOr<AttentionSpec> base = readAttentionSpec(op, /*allowQuant=*/true);
  if (failed(base))
    return failure();
  SageSpec spec;
  spec.attn = *base;
  AttentionSpec &a = spec.attn;
  if (a.staged() || (!a.elem.isBF16() && !a.elem.isF16()))
    return op->emitError("linea-to-gpu: quantized (SageAttention) attention "
                         "element type must be bf16 or f16, got ")
           << a.ioElem;
  if ((a.d != 64 && a.d != 128) || (a.dv != 64 && a.dv != 128))
    return op->emitError("linea-to-gpu: quantized (SageAttention) attention "
                         "needs head dims D, Dv in {64, 128}, got D = ")
           << a.d << ", Dv = " << a.dv;
  spec.qBlock = quant.getQBlock();
  spec.kBlock = quant.getKBlock();
  spec.fp8Values = quant.getValues() != AttnValues::exact;
  spec.smoothValues = quant.getValues() == AttnValues::fp8_e4m3_smoothed;
  // One prefill kernel serves every S (S = 1 included: no flash-decoding
  // split for quantized attention yet).
  a.splits = 1;
  a.sliceKeys = 0;
  return spec;
}

void emitSageAttentionKernels(OpBuilder &b, Operation *op, StringRef prefix,
                              StringRef layer, const SageSpec &spec,
                              ArrayRef<std::pair<int64_t, int64_t>> variants,
                              SmallVectorImpl<Attribute> &manifest) {
  const AttentionSpec &a = spec.attn;
  const int64_t bb = a.batch, h = a.heads, hk = a.kvHeads;
  Location loc = op->getLoc();
  auto launch = [&](StringRef name, std::array<int64_t, 3> grid,
                    int64_t shared) {
    return b.getDictionaryAttr(
        {b.getNamedAttr("symbol", b.getStringAttr(name)),
         b.getNamedAttr("grid", b.getI64ArrayAttr(grid)),
         b.getNamedAttr("block", b.getI64ArrayAttr({kThreads, 1, 1})),
         b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(shared))});
  };
  // Prologue kernels, shared by the variants.
  SmallVector<Attribute> prologue;
  const int64_t sumBlocks = (a.t + kSumRows - 1) / kSumRows;
  auto prep = [&](StringRef suffix, std::array<int64_t, 3> grid,
                  int64_t shared, void (SageBuilder::*fn)(ValueRange)) {
    std::string name = (prefix + "_sage_" + suffix).str();
    buildSageKernel(b, loc, name, spec,
                    [&](SageBuilder &sb, ValueRange args) { (sb.*fn)(args); });
    prologue.push_back(launch(name, grid, shared));
  };
  prep("zero", {hk, bb, 1}, 0, &SageBuilder::buildZero);
  prep("sums", {sumBlocks, hk, bb}, 0, &SageBuilder::buildSums);
  if (spec.fp8Values)
    prep("vmax", {sumBlocks, hk, bb}, 0, &SageBuilder::buildVMax);
  prep("quant_kv", {(spec.tPad() + spec.kBlock - 1) / spec.kBlock, hk, bb}, 16,
       &SageBuilder::buildQuantKV);
  prep("quant_q", {(spec.sPad() + spec.qBlock - 1) / spec.qBlock, h, bb}, 16,
       &SageBuilder::buildQuantQ);

  Type pv = pvElem(spec);
  SmallVector<std::pair<StringRef, std::pair<std::string, SmallVector<int64_t>>>>
      args = {
          {"q", {dtypeName(a.elem), {bb, h, a.s, a.d}}},
          {"k", {dtypeName(a.elem), {bb, hk, a.t, a.d}}},
          {"v", {dtypeName(a.elem), {bb, hk, a.t, a.dv}}},
          {"q8", {"i8", {bb, h, spec.sPad(), a.d}}},
          {"qs", {"f32", {bb, h, spec.sPad()}}},
          {"k8", {"i8", {bb, hk, spec.tPad(), a.d}}},
          {"ks", {"f32", {bb, hk, spec.tPad()}}},
          {"vq", {dtypeName(pv), {bb, hk, spec.tPad(), a.dv}}},
          {"ksum", {"f32", {bb, hk, a.d}}},
          {"vsum", {"f32", {bb, hk, a.dv}}},
          {"vmax", {"i32", {bb, hk, a.dv}}},
          {"o", {dtypeName(a.elem), {bb, h, a.s, a.dv}}}};
  SmallVector<Attribute> argAttrs;
  for (auto &[name, info] : args)
    argAttrs.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(name)),
         b.getNamedAttr("dtype", b.getStringAttr(info.first)),
         b.getNamedAttr("shape", b.getI64ArrayAttr(info.second))}));
  StringRef values = spec.smoothValues ? "fp8_e4m3_smoothed"
                     : spec.fp8Values  ? "fp8_e4m3"
                                       : "exact";

  SmallVector<std::pair<int64_t, int64_t>> chosen;
  for (auto v : variants)
    if (!llvm::is_contained(chosen, v))
      chosen.push_back(v);
  for (auto [rows, keys] : chosen) {
    SageSpec vs = spec;
    vs.attn.rowsPerWarp = rows;
    vs.attn.blockKeys = keys;
    const AttentionSpec &va = vs.attn;
    std::string symbol =
        (prefix + "_sage_r" + Twine(rows) + "b" + Twine(keys)).str();
    buildSageKernel(b, loc, symbol, vs, [](SageBuilder &sb, ValueRange args) {
      sb.buildMain(args);
    });
    const int64_t br = va.blockRows();
    const int64_t shared = br * (va.d + 16) + 2 * keys * (va.d + 16) +
                           2 * keys * (va.dv + 8) * 2;
    std::array<int64_t, 3> grid = {(va.s + br - 1) / br, h, bb};
    SmallVector<Attribute> launches(prologue);
    launches.push_back(launch(symbol, grid, shared));
    manifest.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("symbol", b.getStringAttr(symbol)),
         b.getNamedAttr("layer", b.getStringAttr(layer)),
         b.getNamedAttr("op", b.getStringAttr("sage_attention")),
         b.getNamedAttr("kind", b.getStringAttr("prefill")),
         b.getNamedAttr("batch", b.getI64IntegerAttr(bb)),
         b.getNamedAttr("heads", b.getI64IntegerAttr(h)),
         b.getNamedAttr("kv_heads", b.getI64IntegerAttr(hk)),
         b.getNamedAttr("s", b.getI64IntegerAttr(va.s)),
         b.getNamedAttr("t", b.getI64IntegerAttr(va.t)),
         b.getNamedAttr("d", b.getI64IntegerAttr(va.d)),
         b.getNamedAttr("dv", b.getI64IntegerAttr(va.dv)),
         b.getNamedAttr("causal", b.getBoolAttr(va.causal)),
         b.getNamedAttr("scale", b.getF32FloatAttr(va.scale)),
         b.getNamedAttr("element", b.getStringAttr(dtypeName(va.elem))),
         b.getNamedAttr("q_block", b.getI64IntegerAttr(vs.qBlock)),
         b.getNamedAttr("k_block", b.getI64IntegerAttr(vs.kBlock)),
         b.getNamedAttr("values", b.getStringAttr(values)),
         b.getNamedAttr("rows_per_warp", b.getI64IntegerAttr(rows)),
         b.getNamedAttr("block_keys", b.getI64IntegerAttr(keys)),
         b.getNamedAttr("grid", b.getI64ArrayAttr(grid)),
         b.getNamedAttr("block", b.getI64ArrayAttr({kThreads, 1, 1})),
         b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(shared)),
         b.getNamedAttr("args", b.getArrayAttr(argAttrs)),
         b.getNamedAttr("launches", b.getArrayAttr(launches))}));
  }
}

} // namespace linea::gpu_codegen
