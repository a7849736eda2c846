//===- QuantWgmmaKernel.cpp - weight-only int4 prefill GEMM on wgmma ------===//
//
// y[M, N] = x[M, K]·Ŵᵀ (+ bias), Ŵ int4 (group scales) or uint4 (plus zero
// points), x bf16/f16, f32 accumulators, computed transposed: yᵀ = Ŵ·xᵀ,
// so the decoded weights are wgmma's register A operand (no shared-memory
// round trip) and x, K-major as stored, its shared-memory B operand exactly
// as in the dense kernel (WgmmaGemmKernel.cpp, whose WgmmaBuilder this
// subclasses: the x copies, descriptors and 128-byte swizzle are its own).
//
// Block b owns a BM × BN tile of y: BM rows of x (the wgmma N extent, up to
// 256) by BN rows of W (m64 wgmma tiles, one or two per warpgroup of 1 or
// 2). K is walked in steps of 64; a stage holds the BM swizzled x rows
// (128 bytes each) and the BN rows' 32 bytes of packed codes, copied by
// cp.async `stages` deep (stages − 2 ahead, as in the dense kernel):
//
//   step kt  wait for stage kt, fence.proxy.async, barrier, issue stage
//            kt + stages − 2; decode stage kt's codes into A fragments
//            (while the MMAs of stage kt − 1 run); wgmma.fence; 4 ×
//            wgmma.mma_async m64nBMk16 per m64 tile; commit; wait_group 1.
//
// The A fragment of an m64k16 step gives lane (gid, tig) of warp w rows
// 16w + gid (+8) and columns 2·tig, 2·tig + 1 (+8): byte tig of every
// 32-bit code word (8 codes, one 16-byte chunk of x). So each lane reads
// its rows' 32 code bytes from shared memory and decodes byte tig of a word
// w as one bf16/f16 pair: prmt(w, w >> 4) puts the low nibble into the low
// half and the high nibble into the high half, one lop3 masks them into the
// mantissa of magic (bf16 128, f16 1024) and flips the int4 sign bit, one
// packed subtract of magic + 8 (or magic + z) leaves q − z exactly and one
// packed multiply applies the group scale (rounded to x's type, as in the
// mma.sync GEMM). Per-channel scales multiply the f32 accumulators.
//
// Epilogue: the accumulator fragment is yᵀ (row = W row 16·warp + gid
// (+8), column = x row 8j + 2·tig (+1)); per-channel scale and bias in f32,
// masked scalar stores of rows < M, columns < N.
//
//===----------------------------------------------------------------------===//

#include "QuantWgmmaKernel.h"
#include "KernelBuild.h"
#include "WgmmaBuild.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

/// Bytes of packed int4 codes per row and stage (64 k).
constexpr int64_t kCodeRowBytes = kWgmmaBlockK / 2;

class QuantWgmmaBuilder : public WgmmaBuilder {
public:
  QuantWgmmaBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec,
                    const QuantWgmmaTile &qtile, const WgmmaTile &tile)
      : WgmmaBuilder(b, spec, tile), qtile(qtile),
        pair(VectorType::get({2}, spec.xType)),
        groupScales(spec.scaleCols > 1),
        stepsPerGroup(groupScales ? spec.scaleSpan / kWgmmaBlockK : 0) {}

  void buildQuant(ValueRange args);

private:
  Value qStageOffset(Value kt) {
    return add(pad, mul(remu(kt, tile.stages), qtile.stageBytes()));
  }
  /// cp.async of stage kt: the x rows (the dense kernel's copy) and the
  /// codes of BN rows of W, chunk c of row r at c ^ bit2(r).
  void issueQuantStage(Value kt);
  /// Row of the scales / zero points of W row `n` (i32).
  Value scaleRow(Value n) {
    return spec.scaleRows == 1 ? toIndex(ci(0))
                               : toIndex(minsi(n, ci(spec.n - 1)));
  }
  /// The decode offset (magic + 8, or magic + z) and scale pairs of W row
  /// `n` for scale column `group` (index).
  std::pair<Value, Value> rowDecode(Value n, Value group);
  /// Byte tig of code word `w` as the decoded pair (k 2·tig, 2·tig + 1).
  Value decodePair(Value w, Value offset, Value scale);
  /// Stage kt's decode offsets then scales (group scales), per m64 tile and
  /// half; loaded one step ahead and carried by the K loop.
  SmallVector<Value> stageDecode(Value kt);
  SmallVector<Value> mmaQuantStage(Value kt, ValueRange acc,
                                   ValueRange decode);
  /// d += A·B, A (4 packed registers) from registers, B (x) by descriptor.
  SmallVector<Value> wgmmaRegA(Type accType, ArrayRef<Value> a, Value bDesc,
                               ArrayRef<Value> d);
  void quantEpilogue(ValueRange acc);

  const QuantWgmmaTile &qtile;
  VectorType pair;
  bool groupScales;
  int64_t stepsPerGroup;
  GemvArgs ga;
  Value lane, warp, gid, tig, wg, warpInWg, selector;
  /// Per m64 tile and half (rows gid, gid + 8): fixed offsets / channel
  /// scales when not per group.
  SmallVector<Value> fixedOffset;
};

void QuantWgmmaBuilder::issueQuantStage(Value kt) {
  Value stageOff = qStageOffset(kt);
  copyTile(stageOff, 0, xBase, m0, qtile.bm, spec.m, mul(kt, kWgmmaBlockK));
  const int64_t threads = tile.threads(), rowsPerPass = threads / 2;
  Value r = divu(tid, 2), c = remu(tid, 2);
  Value pos = arith::XOrIOp::create(b, c, remu(divu(r, 4), 2));
  Value dst = add(add(stageOff, qtile.bm * 128),
                  add(mul(r, kCodeRowBytes), mul(pos, 16)));
  const int64_t rowBytes = spec.k / 2;
  for (int64_t p = 0; p < qtile.bn / rowsPerPass; ++p) {
    Value row = add(add(n0, r), p * rowsPerPass);
    // Row offset in i64, as for x: N·K/2 bytes of codes can pass 2^31.
    Value src = arith::AddIOp::create(
        b, wBase,
        arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, toI64(minsi(row, ci(spec.n - 1))),
                                  c64(rowBytes)),
            toI64(add(mul(kt, kCodeRowBytes), mul(c, 16)))));
    Value size;
    if (spec.n % qtile.bn)
      size = select(cmp(arith::CmpIPredicate::slt, row, ci(spec.n)), ci(16),
                    ci(0));
    NVVM::CpAsyncOp::create(b, sharedPtr(add(dst, p * rowsPerPass * 32)),
                            LLVM::IntToPtrOp::create(b, ptrGlobal, src), 16,
                            NVVM::LoadCacheModifierKind::CG, size);
  }
}

std::pair<Value, Value> QuantWgmmaBuilder::rowDecode(Value n, Value group) {
  const double magic = isF16 ? 1024.0 : 128.0;
  Value row = scaleRow(n);
  Value off;
  if (ga.zeros) {
    Value z = memref::LoadOp::create(b, ga.zeros, ValueRange{row, group});
    Value zf = arith::UIToFPOp::create(
        b, f32, arith::ExtUIOp::create(b, i32, z));
    off = fromF32(b, arith::AddFOp::create(b, zf, cF32(b, magic)), elem);
  } else {
    off = arith::ConstantOp::create(b, FloatAttr::get(elem, magic + 8.0));
  }
  Value scale;
  if (groupScales) {
    Value s = memref::LoadOp::create(b, ga.scales, ValueRange{row, group});
    if (s.getType() != elem)
      s = fromF32(b, toF32(b, s), elem);
    scale = vector::BroadcastOp::create(b, pair, s);
  }
  return {vector::BroadcastOp::create(b, pair, off), scale};
}

Value QuantWgmmaBuilder::decodePair(Value w, Value offset, Value scale) {
  // Low half: byte tig of w (low nibble), high half: byte tig of w >> 4
  // (the high nibble in its low 4 bits).
  Value hi = arith::ShRUIOp::create(b, w, ci(4));
  Value t = NVVM::PermuteOp::create(b, i32, w, hi, selector,
                                    NVVM::PermuteMode::DEFAULT);
  // (t & 0x000F000F) ^ (magic | sign flip) in one lop3 (LUT 0x6A).
  const int64_t magicBits = isF16 ? 0x64006400 : 0x43004300;
  const int64_t bits = magicBits | (spec.signedCodes ? 0x00080008 : 0);
  Value biased =
      LLVM::InlineAsmOp::create(
          b, i32, ValueRange{t, ci(0x000F000F), ci(bits)},
          "lop3.b32 $0, $1, $2, $3, 0x6A;", "=r,r,r,r",
          /*has_side_effects=*/false, /*is_align_stack=*/false,
          LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
          ArrayAttr())
          .getResult(0);
  Value v = LLVM::BitcastOp::create(b, pair, biased);
  v = arith::SubFOp::create(b, v, offset);
  if (scale)
    v = arith::MulFOp::create(b, v, scale);
  return LLVM::BitcastOp::create(b, i32, v);
}

SmallVector<Value> QuantWgmmaBuilder::stageDecode(Value kt) {
  const int64_t mTiles = tile.mTiles();
  SmallVector<Value> offset, scale;
  Value group = toIndex(divu(kt, stepsPerGroup));
  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t h = 0; h < 2; ++h) {
      Value n = add(add(n0, mul(add(mul(wg, mTiles), ci(mt)), 64)),
                    add(mul(warpInWg, 16), add(gid, ci(8 * h))));
      auto [o, s] = rowDecode(n, group);
      offset.push_back(o);
      scale.push_back(s);
    }
  offset.append(scale);
  return offset;
}

SmallVector<Value> QuantWgmmaBuilder::mmaQuantStage(Value kt, ValueRange acc,
                                                    ValueRange decode) {
  const int64_t nAcc = qtile.bm / 2, mTiles = tile.mTiles();
  Value stageOff = qStageOffset(kt);
  // This stage's decode offsets and scales per m64 tile and half.
  SmallVector<Value> offset = fixedOffset, scale(2 * mTiles);
  if (groupScales) {
    offset.assign(decode.begin(), decode.begin() + 2 * mTiles);
    scale.assign(decode.begin() + 2 * mTiles, decode.end());
  }
  // Lane (gid, tig): the 8 code words of rows gid and gid + 8 of its warp.
  Type v4i32 = VectorType::get({4}, i32);
  Value swz = remu(divu(gid, 4), 2);
  SmallVector<SmallVector<Value>> aRegs(mTiles * 4); // [mt·4 + step][4]
  for (int64_t mt = 0; mt < mTiles; ++mt) {
    Value row0 = add(mul(add(mul(wg, mTiles), ci(mt)), 64),
                     add(mul(warpInWg, 16), gid));
    SmallVector<SmallVector<Value>> words(2); // [half][8]
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t c = 0; c < 2; ++c) {
        Value off = add(add(stageOff, qtile.bm * 128),
                        add(mul(add(row0, ci(8 * h)), kCodeRowBytes),
                            mul(arith::XOrIOp::create(b, swz, ci(c)), 16)));
        Value chunk =
            LLVM::LoadOp::create(b, v4i32, sharedPtr(off), /*alignment=*/16);
        for (int64_t i = 0; i < 4; ++i)
          words[h].push_back(vector::ExtractOp::create(b, chunk, i));
      }
    for (int64_t s = 0; s < 4; ++s)
      for (int64_t q = 0; q < 2; ++q)   // column half: k 0–7, 8–15
        for (int64_t h = 0; h < 2; ++h) // row half: gid, gid + 8
          aRegs[mt * 4 + s].push_back(
              decodePair(words[h][2 * s + q], offset[2 * mt + h],
                         scale[2 * mt + h]));
  }
  // Descriptor of the stage's x rows (the dense kernel's B descriptor).
  const uint64_t fixed = (uint64_t(1) << 16) | (uint64_t(1024 >> 4) << 32) |
                         (uint64_t(1) << 62);
  Value xAddr = add(smem32, stageOff);
  Value bDesc = arith::OrIOp::create(
      b,
      arith::ExtUIOp::create(
          b, i64,
          arith::AndIOp::create(b, arith::ShRUIOp::create(b, xAddr, ci(4)),
                                ci(0x3FFF))),
      c64(static_cast<int64_t>(fixed)));
  Type accType =
      LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(nAcc, f32));
  NVVM::WgmmaFenceAlignedOp::create(b);
  SmallVector<Value> out;
  for (int64_t mt = 0; mt < mTiles; ++mt) {
    SmallVector<Value> d(acc.begin() + mt * nAcc,
                         acc.begin() + (mt + 1) * nAcc);
    for (int64_t s = 0; s < 4; ++s)
      d = wgmmaRegA(accType, aRegs[mt * 4 + s],
                    arith::AddIOp::create(b, bDesc, c64(2 * s)), d);
    out.append(d);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b);
  NVVM::WgmmaWaitGroupSyncOp::create(b, 1);
  return out;
}

SmallVector<Value> QuantWgmmaBuilder::wgmmaRegA(Type accType,
                                                ArrayRef<Value> a, Value bDesc,
                                                ArrayRef<Value> d) {
  const int64_t n = d.size();
  std::string asmText, constraints;
  llvm::raw_string_ostream text(asmText), cons(constraints);
  const char *t = isF16 ? "f16" : "bf16";
  text << "{\n.reg .pred p;\nsetp.ne.b32 p, 1, 0;\n"
       << "wgmma.mma_async.sync.aligned.m64n" << qtile.bm << "k16.f32." << t
       << "." << t << " {";
  for (int64_t i = 0; i < n; ++i) {
    text << (i ? ", " : "") << "$" << i;
    cons << "=f,";
  }
  text << "}, {$" << n << ", $" << n + 1 << ", $" << n + 2 << ", $" << n + 3
       << "}, $" << n + 4 << ", p, 1, 1, 0;\n}";
  cons << "r,r,r,r,l";
  for (int64_t i = 0; i < n; ++i)
    cons << "," << i;
  SmallVector<Value> operands(a.begin(), a.end());
  operands.push_back(bDesc);
  operands.append(d.begin(), d.end());
  return accumulatorAsm(accType, operands, asmText, constraints, n);
}

void QuantWgmmaBuilder::quantEpilogue(ValueRange acc) {
  const int64_t nAcc = qtile.bm / 2, mTiles = tile.mTiles();
  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t h = 0; h < 2; ++h) {
      Value n = add(add(n0, mul(add(mul(wg, mTiles), ci(mt)), 64)),
                    add(mul(warpInWg, 16), add(gid, ci(8 * h))));
      Value nOk = cmp(arith::CmpIPredicate::slt, n, ci(spec.n));
      Value nIdx = toIndex(minsi(n, ci(spec.n - 1)));
      Value colScale, colBias;
      if (!groupScales)
        colScale = toF32(b, memref::LoadOp::create(
                                b, ga.scales, ValueRange{scaleRow(n),
                                                         toIndex(ci(0))}));
      if (ga.bias)
        colBias = toF32(b, memref::LoadOp::create(b, ga.bias, nIdx));
      for (int64_t j = 0; j < qtile.bm / 8; ++j)
        for (int64_t e = 0; e < 2; ++e) {
          Value m = add(m0, add(mul(tig, 2), ci(8 * j + e)));
          Value v = acc[mt * nAcc + 4 * j + 2 * h + e];
          if (colScale)
            v = arith::MulFOp::create(b, v, colScale);
          if (colBias)
            v = arith::AddFOp::create(b, v, colBias);
          Value ok = nOk;
          if (spec.m % qtile.bm)
            ok = arith::AndIOp::create(
                b, ok, cmp(arith::CmpIPredicate::slt, m, ci(spec.m)));
          auto store = [&] {
            storeWithEpilogue(b, spec.epilogue, v, ga.residual, ga.y,
                              toIndex(m), nIdx);
          };
          if (spec.n % qtile.bn || spec.m % qtile.bm)
            ifThen(b, ok, store);
          else
            store();
        }
    }
}

void QuantWgmmaBuilder::buildQuant(ValueRange args) {
  ga = splitGemvArguments(args, spec);
  tid = id(false, gpu::Dimension::x);
  lane = remu(tid, 32);
  warp = divu(tid, 32);
  gid = divu(lane, 4);
  tig = remu(lane, 4);
  wg = divu(warp, 4);
  warpInWg = remu(warp, 4);
  // prmt: byte tig of the first operand, then byte tig of the second.
  selector = add(mul(tig, 0x101), ci(0x400));
  // Block order: along W's row tiles within groups of x tiles.
  bindSmemAndTile(qtile.bm, qtile.bn);
  xBase = baseAddress(ga.x);
  wBase = baseAddress(ga.w);
  if (!groupScales)
    for (int64_t mt = 0; mt < tile.mTiles(); ++mt)
      for (int64_t h = 0; h < 2; ++h) {
        Value n = add(add(n0, mul(add(mul(wg, tile.mTiles()), ci(mt)), 64)),
                      add(mul(warpInWg, 16), add(gid, ci(8 * h))));
        fixedOffset.push_back(rowDecode(n, toIndex(ci(0))).first);
      }

  for (int64_t s = 0; s < prefetch; ++s) {
    if (s < kTiles)
      issueQuantStage(ci(s));
    NVVM::CpAsyncCommitGroupOp::create(b);
  }
  const int64_t nAcc = tile.mTiles() * qtile.bm / 2;
  SmallVector<Value> init(nAcc, cf(0.0));
  if (groupScales)
    init.append(stageDecode(ci(0)));
  SmallVector<Value> acc = forLoop(
      b, toIndex(ci(0)), toIndex(ci(kTiles)), toIndex(ci(1)), init,
      [&](Value ktIndex, ValueRange carried) -> SmallVector<Value> {
        Value kt = toI32(ktIndex);
        // The next step's scales, issued before this step's wait.
        SmallVector<Value> nextDecode;
        if (groupScales)
          nextDecode = stageDecode(minsi(add(kt, 1), ci(kTiles - 1)));
        NVVM::CpAsyncWaitGroupOp::create(b, prefetch - 1);
        NVVM::FenceProxyOp::create(
            b, NVVM::ProxyKind::async_shared,
            NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
        gpu::BarrierOp::create(b);
        Value next = add(kt, prefetch);
        ifThen(b, cmp(arith::CmpIPredicate::slt, next, ci(kTiles)),
               [&] { issueQuantStage(next); });
        NVVM::CpAsyncCommitGroupOp::create(b);
        SmallVector<Value> out = mmaQuantStage(
            kt, carried.take_front(nAcc), carried.drop_front(nAcc));
        out.append(nextDecode);
        return out;
      });
  NVVM::WgmmaWaitGroupSyncOp::create(b, 0);
  quantEpilogue(ValueRange(acc).take_front(nAcc));
}

} // namespace

std::string quantWgmmaUnsupported(const GemvSpec &spec, bool unverified) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (!spec.quant || spec.codeBits != 4 || spec.nf4 || spec.e2m1)
    os << "only int4 and uint4 weights";
  else if (!spec.xType || !(spec.xType.isBF16() || spec.xType.isF16()))
    os << "x must be bf16 or f16";
  else if (spec.k % kWgmmaBlockK != 0)
    os << "K = " << spec.k << " is not a multiple of " << kWgmmaBlockK;
  else if (!spec.signedCodes && !unverified)
    // The H100 run of 2026-12-07 gave wrong results for uint4 (zero
    // points) at 2048×8192×8192; int4 passed at every shape tried.
    os << "uint4 (zero points) is not verified on a GPU yet";
  else if (spec.scaleCols <= 1 && !unverified)
    // Likewise per-channel scales (M = 130, N = 320, K = 2048).
    os << "per-channel and per-tensor scales are not verified on a GPU yet";
  else if (spec.scaleSpan % kWgmmaBlockK != 0)
    os << "group size " << spec.scaleSpan << " is not a multiple of "
       << kWgmmaBlockK;
  return why;
}

int64_t quantWgmmaGrid(const GemvSpec &spec, const QuantWgmmaTile &tile) {
  return ((spec.m + tile.bm - 1) / tile.bm) *
         ((spec.n + tile.bn - 1) / tile.bn);
}

QuantWgmmaTile chooseQuantWgmmaTile(const GemvSpec &) {
  // The one tile shape that passed on an H100 (2026-12-07): 256-wide tiles
  // gave wrong results, so they are not offered (parseQuantWgmmaTiles).
  return QuantWgmmaTile{128, 128, 6};
}

FailureOr<SmallVector<QuantWgmmaTile>>
parseQuantWgmmaTiles(ArrayRef<std::string> options, Operation *anchor,
                     bool unverified) {
  SmallVector<QuantWgmmaTile> tiles;
  for (StringRef item : options) {
    SmallVector<StringRef> parts;
    item.split(parts, 'x');
    QuantWgmmaTile t;
    bool ok = parts.size() == 3 && !parts[0].getAsInteger(10, t.bm) &&
              !parts[1].getAsInteger(10, t.bn) &&
              !parts[2].getAsInteger(10, t.stages) && t.stages >= 3 &&
              t.stages <= 16 &&
              (unverified ? llvm::is_contained({64, 128, 256}, t.bm) &&
                                llvm::is_contained({64, 128, 256}, t.bn)
                          : t.bm == 128 && t.bn == 128);
    if (!ok)
      return anchor->emitError("linea-to-gpu: quant-wgmma-tiles entry '")
             << item
             << (unverified ? "' is not BMxBNxSTAGES with BM, BN in {64, "
                              "128, 256} and STAGES in [3, 16]"
                            : "' is not 128x128xSTAGES with STAGES in [3, 16] "
                              "(the only tile shape verified on a GPU; "
                              "quant-wgmma-unverified=1 builds others for "
                              "re-checking)");
    if (t.sharedBytes() > kMaxSharedBytes)
      return anchor->emitError("linea-to-gpu: quant-wgmma-tiles entry '")
             << item << "' needs " << t.sharedBytes()
             << " bytes of shared memory, more than " << kMaxSharedBytes;
    const int64_t accs = t.wgmmaTile().mTiles() * t.bm / 2;
    if (accs > 128)
      return anchor->emitError("linea-to-gpu: quant-wgmma-tiles entry '")
             << item << "' needs " << accs
             << " accumulators per thread, more than 128";
    tiles.push_back(t);
  }
  return tiles;
}

gpu::GPUFuncOp buildQuantWgmmaKernel(OpBuilder &builder, Location loc,
                                     StringRef name, const GemvSpec &spec,
                                     const QuantWgmmaTile &qtile) {
  SmallVector<Type> argTypes = gemvArgumentTypes(builder, spec);
  declareDynamicSmem(builder, loc);
  const WgmmaTile tile = qtile.wgmmaTile();
  auto func = createKernel(builder, loc, name, argTypes, tile.threads());
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  QuantWgmmaBuilder(b, spec, qtile, tile).buildQuant(entry.getArguments());
  gpu::ReturnOp::create(b);
  return func;
}

} // namespace linea::gpu_codegen
