//===- WgmmaGemmKernel.cpp - Hopper wgmma GEMM for dense layers -----------===//
//
// y[M, N] = x[M, K]·W[N, K]ᵀ (+ bias), x and W bf16 (or both f16), f32
// accumulators, for prefill-sized M. Block b owns a BM × BN tile of y;
// its 1 or 2 warpgroups (128 threads each) own BM / warpgroups rows (one
// or two m64 wgmma tiles) by all BN columns.
//
// K is walked in steps of 64 elements: one 128-byte row per tile row, so
// a stage holds BM rows of x and BN rows of W, each K-major, in the
// 128-byte-swizzled layout wgmma reads with swizzle mode 1: 16-byte chunk c
// of row r lies at r·128 + (c ^ (r mod 8))·16 from a 1024-byte aligned
// base. Every thread copies whole 16-byte chunks with cp.async (zero-filled
// past M, N or K: source size 0), `stages` buffers deep:
//
//   prologue  stages 0 … P − 1 in flight (P = stages − 2)
//   step kt   wait for stage kt (cp.async.wait_group P − 1),
//             fence.proxy.async (cp.async writes → the async proxy wgmma
//             reads through), barrier,
//             issue stage kt + P into the buffer of stage kt − 2,
//             wgmma.fence; 4 × wgmma.mma_async m64nBNk16 per m64 tile on
//             stage kt; commit; wgmma.wait_group 1 (stage kt − 1's MMAs are
//             done, so after the next barrier its buffer may be refilled).
//
// The matrix descriptors (64 bits) carry the stage's shared address >> 4,
// the stride between 8-row groups (1024 bytes) and the 128-byte swizzle
// mode; the k16 steps inside a 128-byte row advance the start address by
// 32 bytes. The accumulators (BN / 2 f32 per m64 tile and thread) are
// loop-carried values; the epilogue adds the bias and stores pairs of
// columns straight from the wgmma fragment (row 16·warp + lane / 4 (+ 8),
// columns 8j + 2·(lane mod 4) (+ 1)), masked past M and N.
//
// Blocks are numbered along N within groups of 8 row tiles, so the blocks
// resident at once share x and W tiles in L2.
//
//===----------------------------------------------------------------------===//

#include "WgmmaBuild.h"
#include "KernelBuild.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

/// Row tiles per group in the block order (L2 reuse).
constexpr int64_t kGroupRows = 8;

} // namespace


void WgmmaBuilder::copyTile(Value stageOff, int64_t dst, Value base,
                            Value row0, int64_t rows, int64_t limit,
                            Value k0) {
  const int64_t threads = tile.threads(), rowsPerPass = threads / 8;
  // Thread t copies chunk t mod 8 of rows t / 8 + pass · threads / 8; the
  // pass stride is a multiple of 8 rows, so its swizzled chunk is fixed.
  Value r = divu(tid, 8), c = remu(tid, 8);
  Value swz = arith::XOrIOp::create(b, c, remu(r, 8));
  Value dstT = add(add(stageOff, dst), add(mul(r, 128), mul(swz, 16)));
  Value kElem = add(k0, mul(c, 16 / elemBytes));
  Value kOk = spec.k % blockK
                  ? cmp(arith::CmpIPredicate::slt, kElem, ci(spec.k))
                  : Value();
  Value rowG = add(row0, r);
  Value src0 = arith::AddIOp::create(
      b, base,
      arith::AddIOp::create(b, arith::MulIOp::create(b, toI64(rowG),
                                                     c64(spec.k * elemBytes)),
                            toI64(mul(kElem, elemBytes))));
  for (int64_t p = 0; p < rows / rowsPerPass; ++p) {
    Value src = arith::AddIOp::create(b, src0, c64(p * rowsPerPass * spec.k * elemBytes));
    Value ok = kOk;
    if (limit % rows) {
      Value rowOk =
          cmp(arith::CmpIPredicate::slt, add(rowG, p * rowsPerPass), ci(limit));
      ok = ok ? Value(arith::AndIOp::create(b, ok, rowOk)) : rowOk;
    }
    Value size;
    if (ok) {
      src = select(ok, src, base);
      size = select(ok, ci(16), ci(0));
    }
    NVVM::CpAsyncOp::create(
        b, sharedPtr(add(dstT, p * rowsPerPass * 128)),
        LLVM::IntToPtrOp::create(b, ptrGlobal, src), 16,
        NVVM::LoadCacheModifierKind::CG, size);
  }
}

void WgmmaBuilder::issueStage(Value kt) {
  Value stageOff = stageOffset(kt);
  Value k0 = mul(kt, blockK);
  copyTile(stageOff, 0, xBase, m0, tile.bm, spec.m, k0);
  copyTile(stageOff, tile.bm * 128, wBase, n0, tile.bn, spec.n, k0);
}

SmallVector<Value> WgmmaBuilder::mmaStage(Value kt, ValueRange acc) {
  const int64_t nAcc = tile.bn / 2;
  Value stageAddr = add(add(smem32, pad),
                        mul(remu(kt, tile.stages), tile.stageBytes()));
  // Descriptor: start address >> 4 (bits 0–13), leading byte offset 16
  // (unused by swizzled K-major layouts), stride byte offset 1024 >> 4
  // (bits 32–45), layout 1 = 128-byte swizzle (bits 62–63).
  const uint64_t fixed = (uint64_t(1) << 16) | (uint64_t(1024 >> 4) << 32) |
                         (uint64_t(1) << 62);
  auto desc = [&](Value byteAddr) {
    Value field = arith::AndIOp::create(
        b, arith::ShRUIOp::create(b, byteAddr, ci(4)), ci(0x3FFF));
    return arith::OrIOp::create(
        b, arith::ExtUIOp::create(b, i64, field),
        c64(static_cast<int64_t>(fixed)));
  };
  Value wg = divu(tid, 128);
  Value bDesc = desc(add(stageAddr, tile.bm * 128));
  Type accType = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(nAcc, operands == WgmmaOperands::S8 ? i32 : f32));
  NVVM::WgmmaFenceAlignedOp::create(b);
  SmallVector<Value> out;
  for (int64_t mt = 0; mt < tile.mTiles(); ++mt) {
    Value aRow = mul(add(mul(wg, tile.mTiles()), ci(mt)), 64 * 128);
    Value aDesc = desc(add(stageAddr, aRow));
    SmallVector<Value> d(acc.begin() + mt * nAcc,
                         acc.begin() + (mt + 1) * nAcc);
    for (int64_t kk = 0; kk < 4; ++kk) {
      // 16 k of 16 bits or 32 k of 8 bits = 32 bytes = 2 in descriptor
      // units.
      Value step = c64(2 * kk);
      d = wgmmaAsync(accType, arith::AddIOp::create(b, aDesc, step),
                     arith::AddIOp::create(b, bDesc, step), d);
    }
    out.append(d);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b);
  NVVM::WgmmaWaitGroupSyncOp::create(b, 1);
  return out;
}

SmallVector<Value> WgmmaBuilder::wgmmaAsync(Type accType, Value aDesc,
                                            Value bDesc, ArrayRef<Value> d) {
  const int64_t n = d.size();
  std::string asmText, constraints;
  llvm::raw_string_ostream text(asmText), cons(constraints);
  const char *t = isF16 ? "f16" : "bf16";
  text << "{\n.reg .pred p;\nsetp.ne.b32 p, 1, 0;\n"
       << "wgmma.mma_async.sync.aligned.m64n" << tile.bn;
  if (operands == WgmmaOperands::S8)
    text << "k32.s32.s8.s8 {";
  else if (operands == WgmmaOperands::E4M3)
    text << "k32.f32.e4m3.e4m3 {";
  else
    text << "k16.f32." << t << "." << t << " {";
  for (int64_t i = 0; i < n; ++i) {
    text << (i ? ", " : "") << "$" << i;
    cons << (operands == WgmmaOperands::S8 ? "=r," : "=f,");
  }
  // Scale-d p; bf16/f16 also take scale-a, scale-b and the (no) transposes,
  // fp8 only the scales, integers none.
  text << "}, $" << n << ", $" << n + 1 << ", p";
  if (operands == WgmmaOperands::Half)
    text << ", 1, 1, 0, 0";
  else if (operands == WgmmaOperands::E4M3)
    text << ", 1, 1";
  text << ";\n}";
  cons << "l,l";
  for (int64_t i = 0; i < n; ++i)
    cons << "," << i;
  SmallVector<Value> operands = {aDesc, bDesc};
  operands.append(d.begin(), d.end());
  return accumulatorAsm(accType, operands, asmText, constraints, n);
}

void WgmmaBuilder::epilogue(ValueRange acc, Value bias, Value y) {
  const int64_t nAcc = tile.bn / 2;
  const bool pairs = spec.n % 2 == 0;
  Value lane = remu(tid, 32), warp = divu(tid, 32);
  Value gid = divu(lane, 4), tig = remu(lane, 4);
  Value wg = divu(warp, 4), warpInWg = remu(warp, 4);
  Type elemY = spec.yType;
  auto ifThenI = [&](Value cond, function_ref<void()> body) {
    if (!cond)
      return body();
    ifThen(b, cond, body);
  };
  auto rowOf = [&](int64_t mt, int64_t h) {
    return add(add(m0, mul(add(mul(wg, tile.mTiles()), ci(mt)), 64)),
               add(mul(warpInWg, 16), add(gid, ci(8 * h))));
  };
  // 8-bit operands: acc · s_x[row] · s_w[col]; rows past M read row M − 1.
  SmallVector<Value> rowScale;
  if (rowScales)
    for (int64_t mt = 0; mt < tile.mTiles(); ++mt)
      for (int64_t h = 0; h < 2; ++h)
        rowScale.push_back(memref::LoadOp::create(
            b, rowScales, toIndex(minsi(rowOf(mt, h), ci(spec.m - 1)))));
  for (int64_t j = 0; j < tile.bn / 8; ++j) {
    Value col = add(n0, add(mul(tig, 2), ci(8 * j)));
    Value colOk = spec.n % tile.bn
                      ? cmp(arith::CmpIPredicate::slt, col, ci(spec.n))
                      : Value();
    Value bias0, bias1, colScale0, colScale1;
    if (colScales) {
      // s_w per column (clamped like the bias) or one tensor scale.
      auto load = [&](Value c) {
        Value r = colTensor ? ci(0) : minsi(c, ci(spec.n - 1));
        return toF32(b, memref::LoadOp::create(
                            b, colScales, ValueRange{toIndex(r), toIndex(ci(0))}));
      };
      colScale0 = load(col);
      colScale1 = colTensor ? colScale0 : load(add(col, 1));
    }
    if (bias) {
      // Clamped so a column past N reads a valid element (never stored).
      Value c0 = minsi(col, ci(spec.n - 1));
      Value c1 = minsi(add(col, 1), ci(spec.n - 1));
      bias0 = toF32(b, memref::LoadOp::create(b, bias, toIndex(c0)));
      bias1 = toF32(b, memref::LoadOp::create(b, bias, toIndex(c1)));
    }
    for (int64_t mt = 0; mt < tile.mTiles(); ++mt)
      for (int64_t h = 0; h < 2; ++h) {
        Value row = rowOf(mt, h);
        Value v0 = acc[mt * nAcc + j * 4 + 2 * h];
        Value v1 = acc[mt * nAcc + j * 4 + 2 * h + 1];
        if (operands == WgmmaOperands::S8) {
          v0 = arith::SIToFPOp::create(b, f32, v0);
          v1 = arith::SIToFPOp::create(b, f32, v1);
        }
        if (rowScales) {
          Value s = rowScale[mt * 2 + h];
          v0 = arith::MulFOp::create(b, arith::MulFOp::create(b, v0, s),
                                     colScale0);
          v1 = arith::MulFOp::create(b, arith::MulFOp::create(b, v1, s),
                                     colScale1);
        }
        if (bias) {
          v0 = arith::AddFOp::create(b, v0, bias0);
          v1 = arith::AddFOp::create(b, v1, bias1);
        }
        Value ok = colOk;
        if (spec.m % tile.bm) {
          Value rowOk = cmp(arith::CmpIPredicate::slt, row, ci(spec.m));
          ok = ok ? Value(arith::AndIOp::create(b, ok, rowOk)) : rowOk;
        }
        Value ri = toIndex(row);
        ifThenI(ok, [&] {
          auto finish = [&](Value v, Value c) {
            return applyEpilogue(b, spec.epilogue, v, residual, ri,
                                 toIndex(c));
          };
          if (pairs) {
            std::tie(v0, v1) =
                applyEpiloguePair(b, spec.epilogue, v0, v1, residual, ri,
                                  toIndex(divu(col, 2)));
            Value pair = vector::FromElementsOp::create(
                b, VectorType::get({2}, f32), ValueRange{v0, v1});
            memref::StoreOp::create(b, roundPair(pair, elemY), y,
                                    ValueRange{ri, toIndex(divu(col, 2))});
            return;
          }
          memref::StoreOp::create(b, fromF32(b, finish(v0, col), elemY), y,
                                  ValueRange{ri, toIndex(col)});
          ifThenI(cmp(arith::CmpIPredicate::slt, add(col, 1), ci(spec.n)),
                  [&] {
                    Value c1 = add(col, 1);
                    memref::StoreOp::create(b, fromF32(b, finish(v1, c1), elemY),
                                            y, ValueRange{ri, toIndex(c1)});
                  });
        });
      }
  }
}

void WgmmaBuilder::build(ValueRange args) {
  if (spec.epilogue.hasResidual())
    residual = args[args.size() - 2];
  buildGemm(args[0], args[1], spec.hasBias ? args[2] : Value(), args.back());
}

SmallVector<Value> WgmmaBuilder::accumulatorAsm(Type accType,
                                                ValueRange operands,
                                                StringRef asmText,
                                                StringRef constraints,
                                                int64_t n) {
  Value res = LLVM::InlineAsmOp::create(
                  b, accType, operands, asmText, constraints,
                  /*has_side_effects=*/true, /*is_align_stack=*/false,
                  LLVM::tailcallkind::TailCallKind::None,
                  LLVM::AsmDialectAttr(), ArrayAttr())
                  .getResult(0);
  SmallVector<Value> out;
  for (int64_t i = 0; i < n; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, res, i));
  return out;
}

void WgmmaBuilder::bindSmemAndTile(int64_t bm, int64_t bn) {
  bindSmem();
  smem32 = arith::TruncIOp::create(
      b, i32, LLVM::PtrToIntOp::create(b, i64, smemBase));
  pad = arith::AndIOp::create(b, sub(ci(0), smem32), ci(1023));
  const int64_t tilesM = (spec.m + bm - 1) / bm;
  const int64_t tilesN = (spec.n + bn - 1) / bn;
  const int64_t group = kGroupRows * tilesN;
  Value bid = id(true, gpu::Dimension::x);
  Value g = divu(bid, group), inGroup = remu(bid, group);
  Value firstM = mul(g, kGroupRows);
  Value rowsInGroup = minsi(sub(ci(tilesM), firstM), ci(kGroupRows));
  Value mTile = add(firstM, arith::RemUIOp::create(b, inGroup, rowsInGroup));
  Value nTile = arith::DivUIOp::create(b, inGroup, rowsInGroup);
  m0 = mul(mTile, bm);
  n0 = mul(nTile, bn);
}

void WgmmaBuilder::buildGemm(Value x, Value w, Value bias, Value y) {
  tid = id(false, gpu::Dimension::x);
  bindSmemAndTile(tile.bm, tile.bn);
  xBase = baseAddress(x);
  wBase = baseAddress(w);

  for (int64_t s = 0; s < prefetch; ++s) {
    if (s < kTiles)
      issueStage(ci(s));
    NVVM::CpAsyncCommitGroupOp::create(b);
  }
  SmallVector<Value> init(tile.mTiles() * tile.bn / 2,
                          operands == WgmmaOperands::S8 ? ci(0) : cf(0.0));
  auto loop = scf::ForOp::create(
      b, ci(0), ci(kTiles), ci(1), init,
      [&](OpBuilder &ob, Location, Value kt, ValueRange acc) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        NVVM::CpAsyncWaitGroupOp::create(b, prefetch - 1);
        NVVM::FenceProxyOp::create(
            b, NVVM::ProxyKind::async_shared,
            NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
        gpu::BarrierOp::create(b);
        Value next = add(kt, prefetch);
        ifThen(b, cmp(arith::CmpIPredicate::slt, next, ci(kTiles)),
               [&] { issueStage(next); });
        NVVM::CpAsyncCommitGroupOp::create(b);
        scf::YieldOp::create(b, mmaStage(kt, acc));
      });
  NVVM::WgmmaWaitGroupSyncOp::create(b, 0);
  epilogue(loop.getResults(), bias, y);
}

std::string wgmmaUnsupportedReason(const GemvSpec &spec) {
  if (spec.quant || spec.bsr || spec.lowRank)
    return "only dense linear layers";
  if (!spec.xType.isBF16() && !spec.xType.isF16())
    return "x must be bf16 or f16 (got " + dtypeName(spec.xType) + ")";
  if (spec.xType != spec.wType)
    return "x (" + dtypeName(spec.xType) + ") and w (" +
           dtypeName(spec.wType) + ") must have one element type";
  if (spec.k % 8 != 0)
    return "K = " + std::to_string(spec.k) +
           " is not a multiple of 8 (16-byte rows for cp.async)";
  return "";
}

int64_t wgmmaGrid(const GemvSpec &spec, const WgmmaTile &tile) {
  return ((spec.m + tile.bm - 1) / tile.bm) *
         ((spec.n + tile.bn - 1) / tile.bn);
}

FailureOr<SmallVector<WgmmaTile>>
parseWgmmaTiles(ArrayRef<std::string> options, Operation *anchor) {
  SmallVector<WgmmaTile> tiles;
  for (StringRef item : options) {
    SmallVector<StringRef> parts;
    item.split(parts, 'x');
    WgmmaTile t;
    bool ok = parts.size() == 3 && !parts[0].getAsInteger(10, t.bm) &&
              !parts[1].getAsInteger(10, t.bn) &&
              !parts[2].getAsInteger(10, t.stages) &&
              llvm::is_contained({64, 128, 256}, t.bm) &&
              llvm::is_contained({64, 128, 256}, t.bn) && t.stages >= 3;
    if (!ok)
      return anchor->emitError("linea-to-gpu: wgmma-tiles entry '")
             << item
             << "' is not BMxBNxSTAGES with BM and BN in {64, 128, 256} and "
                "STAGES >= 3";
    if (t.sharedBytes() > kMaxSharedBytes)
      return anchor->emitError("linea-to-gpu: wgmma-tiles entry '")
             << item << "' needs " << t.sharedBytes()
             << " bytes of shared memory, more than " << kMaxSharedBytes;
    if (t.mTiles() * t.bn / 2 > 128)
      return anchor->emitError("linea-to-gpu: wgmma-tiles entry '")
             << item << "' needs " << t.mTiles() * t.bn / 2
             << " accumulators per thread, more than 128";
    tiles.push_back(t);
  }
  return tiles;
}

WgmmaTile chooseWgmmaTile(const GemvSpec &spec) {
  constexpr int64_t kSms = 132;
  WgmmaTile best;
  for (WgmmaTile t : {WgmmaTile{128, 256, 4}, WgmmaTile{128, 128, 4},
                      WgmmaTile{64, 128, 4}}) {
    if (wgmmaGrid(spec, t) >= kSms)
      return t;
    if (wgmmaGrid(spec, t) > wgmmaGrid(spec, best))
      best = t;
  }
  return best;
}

gpu::GPUFuncOp buildWgmmaGemmKernel(OpBuilder &builder, Location loc,
                                    StringRef name, const GemvSpec &spec,
                                    const WgmmaTile &tile) {
  SmallVector<Type> argTypes = {globalMemRef({spec.m, spec.k}, spec.xType),
                                globalMemRef({spec.n, spec.k}, spec.wType)};
  if (spec.hasBias)
    argTypes.push_back(globalMemRef({spec.n}, spec.biasType));
  if (spec.epilogue.hasResidual()) // pairs, like y, when N is even
    argTypes.push_back(
        spec.n % 2 == 0
            ? residualPairType(spec.m, spec.n, spec.epilogue)
            : globalMemRef(residualShape(spec.m, spec.n, spec.epilogue),
                           spec.epilogue.residualType));
  if (spec.n % 2 == 0)
    argTypes.push_back(globalMemRef({spec.m, spec.n / 2},
                                    VectorType::get({2}, spec.yType)));
  else
    argTypes.push_back(globalMemRef({spec.m, spec.n}, spec.yType));
  declareDynamicSmem(builder, loc);
  auto func = createKernel(builder, loc, name, argTypes, tile.threads());
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  WgmmaBuilder(b, spec, tile).build(entry.getArguments());
  gpu::ReturnOp::create(b);
  return func;
}

} // namespace linea::gpu_codegen
