//===- MmaGemmKernel.cpp - prefill quantized GEMM on tensor cores ---------===//
//
// y[M, N] = x[M, K]·Ŵᵀ (+ bias) for many rows of x (prefill), W int4
// (codes and group scales) or uint4 (plus zero points), on mma.sync
// m16n8k16 with f32 accumulators. The decode kernels (GemvKernel.cpp,
// MmaGemvKernel.cpp) read W once per 16 rows of x at most; here a block
// owns a gemmM × gemmN tile of y and streams K in steps of 128:
//
//   - each step's x tile (gemmM × 128 bf16/f16, 256-byte rows) and packed W
//     tile (gemmN × 64 bytes) go to dynamic shared memory by cp.async
//     (16-byte chunks, rows past M or N zero-filled), `stages` steps in
//     flight (a commit group per step, wait_group stages − 2);
//   - x chunks are stored XOR-swizzled (chunk c of row r at
//     c ^ 2·bit3(c) ^ bit0(r)), so the 16-byte reads below are free of bank
//     conflicts;
//   - warp (wm, wn) owns warpM × warpN of the tile: x is the A operand
//     (16-row tiles), W the B operand (8-row tiles); lane (gid, tig) reads
//     16 bytes of W row gid (32 codes, k 32·tig …) and, for the same k, x
//     rows gid and gid + 8 — the decode and prmt pairing of MmaDecode.h, so
//     W needs no repacking. Group scales (span a multiple of 128, one group
//     per step) multiply the decoded pairs (one packed mul per two codes);
//     per-channel scales multiply the f32 accumulators in the epilogue;
//   - the epilogue adds the bias and stores the rows < M, columns < N.
//
//===----------------------------------------------------------------------===//

#include "GemvKernel.h"
#include "MmaDecode.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kTileK = 128;
constexpr int64_t kXRowBytes = kTileK * 2;

class MmaGemmBuilder : PackedMmaOps {
public:
  MmaGemmBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec)
      : PackedMmaOps(b, spec.xType), spec(spec), mTiles(spec.warpM / 16),
        nTiles(spec.warpN / 8), threads(spec.blockThreads()),
        wRowBytes(kTileK * spec.codeBits / 8),
        xStageBytes(spec.gemmM * kXRowBytes),
        stageBytes(spec.gemmStageBytes()),
        groupScales(spec.scaleCols > 1) {}

  void build(ValueRange args);

private:
  /// cp.async of `rows` rows, rowsPerPass per pass: row row0 + p·rowsPerPass
  /// from byte min(row, limit − 1)·rowBytes + colBytes of `base` (i64) to
  /// shared byte dst0 + p·rowsPerPass·pitch; rows ≥ limit are zero-filled.
  void copyRows(Value base, Value row0, int64_t limit, int64_t rowBytes,
                Value colBytes, Value dst0, int64_t rows,
                int64_t rowsPerPass, int64_t pitch);
  /// cp.async of step kt's x and W tiles into stage `stage` (i32 values).
  void issueStep(Value kt, Value stage);
  /// acc += the tile products of step kt from stage `stage`.
  void computeStep(Value kt, Value stage, SmallVector<Value> &acc);
  /// 8-bit codes (int8 or fp8) of one 32-bit word, k 0..3, as one mma
  /// step's k-lo (0, 1) and k-hi (2, 3) operands, times `scale` (x's pair
  /// type for f16, f32 for bf16; null: none).
  std::array<Value, 2> byteOperands(Value w, Value scale);
  void computeStep8(Value stageOff, ArrayRef<Value> scale,
                    SmallVector<Value> &acc);
  /// Row of the scales / zero points for W row `n` (i32).
  Value scaleRow(Value n) {
    return spec.scaleRows == 1 ? cIdx(b, 0) : toIndex(minsi(n, ci(spec.n - 1)));
  }

  const GemvSpec &spec;
  int64_t mTiles, nTiles, threads, wRowBytes, xStageBytes, stageBytes;
  bool groupScales;
  GemvArgs ga;
  Value tid, gid, tig, m0, n0, wm0, wn0; // i32
  Value xAddr, wAddr;                     // i64 global byte addresses
  SmallVector<Value> xSwizzle;            // [word]: byte offset in an x row
  SmallVector<Value> fixedOffset;         // [n-tile], when not per group
};

void MmaGemmBuilder::copyRows(Value base, Value row0, int64_t limit,
                              int64_t rowBytes, Value colBytes, Value dst0,
                              int64_t rows, int64_t rowsPerPass,
                              int64_t pitch) {
  for (int64_t p = 0; p < rows / rowsPerPass; ++p) {
    Value row = add(row0, p * rowsPerPass);
    Value ok = cmp(arith::CmpIPredicate::slt, row, ci(limit));
    Value src = arith::AddIOp::create(
        b, base,
        arith::AddIOp::create(
            b,
            arith::MulIOp::create(
                b, toI64(minsi(row, ci(limit - 1))),
                arith::ConstantIntOp::create(b, i64, rowBytes)),
            toI64(colBytes)));
    NVVM::CpAsyncOp::create(
        b, sharedPtr(add(dst0, p * rowsPerPass * pitch)),
        LLVM::IntToPtrOp::create(b, ptrGlobal, src), 16,
        NVVM::LoadCacheModifierKind::CG, select(ok, ci(16), ci(0)));
  }
}

void MmaGemmBuilder::issueStep(Value kt, Value stage) {
  Value stageOff = mul(stage, stageBytes);
  // x: 16 chunks per row; thread t copies chunk t % 16 of rows
  // t / 16 + p·threads / 16.
  {
    Value c = remu(tid, 16), r = divu(tid, 16);
    Value swz = arith::XOrIOp::create(
        b, arith::XOrIOp::create(b, c, mul(divu(c, 8), 2)), remu(r, 2));
    copyRows(xAddr, add(m0, r), spec.m, spec.k * 2,
             add(mul(kt, kXRowBytes), mul(c, 16)),
             add(stageOff, add(mul(r, kXRowBytes), mul(swz, 16))),
             spec.gemmM, threads / 16, kXRowBytes);
  }
  // W: wRowBytes / 16 chunks per row.
  const int64_t cpr = wRowBytes / 16;
  Value c = remu(tid, cpr), r = divu(tid, cpr);
  // 8-bit codes: chunk c of row r at c ^ 4·(r mod 2) (conflict-free reads).
  Value pos = c;
  if (spec.codeBits == 8)
    pos = arith::XOrIOp::create(b, c, mul(remu(r, 2), 4));
  copyRows(wAddr, add(n0, r), spec.n, spec.k * spec.codeBits / 8,
           add(mul(kt, wRowBytes), mul(c, 16)),
           add(add(stageOff, add(mul(r, wRowBytes), mul(pos, 16))),
               xStageBytes),
           spec.gemmN, threads / cpr, wRowBytes);
}

void MmaGemmBuilder::computeStep(Value kt, Value stage,
                                 SmallVector<Value> &acc) {
  Type v4i32 = VectorType::get({4}, i32);
  auto loadShared = [&](Value off) -> Value {
    return LLVM::LoadOp::create(b, v4i32, sharedPtr(off), /*alignment=*/16);
  };
  Value stageOff = mul(stage, stageBytes);
  // This step's scale and decode offset per n-tile (group scales).
  SmallVector<Value> scale(nTiles), offset = fixedOffset;
  if (groupScales) {
    offset.assign(nTiles, Value());
    Value group = toIndex(divu(mul(kt, kTileK), spec.scaleSpan));
    for (int64_t j = 0; j < nTiles; ++j) {
      Value row = scaleRow(add(add(n0, wn0), add(gid, 8 * j)));
      SmallVector<Value, 2> at{row, group};
      Value s = memref::LoadOp::create(b, ga.scales, at);
      if (spec.codeBits == 8 && !isF16) { // applied in f32
        scale[j] = toF32(b, s);
        continue;
      }
      if (s.getType() != elem)
        s = fromF32(b, toF32(b, s), elem);
      scale[j] = vector::BroadcastOp::create(b, pair, s);
      if (spec.codeBits == 4)
        offset[j] = offsetPair(ga.zeros ? Value(memref::LoadOp::create(
                                              b, ga.zeros, at))
                                        : Value());
    }
  }
  if (spec.codeBits == 8)
    return computeStep8(stageOff, groupScales ? ArrayRef<Value>(scale)
                                              : ArrayRef<Value>(),
                        acc);
  // W: 16 bytes of row wn0 + 8j + gid per lane (chunk tig).
  SmallVector<SmallVector<Value, 4>> wWords;
  Value wOff = add(
      add(stageOff, add(mul(add(wn0, gid), wRowBytes), mul(tig, 16))),
      xStageBytes);
  for (int64_t j = 0; j < nTiles; ++j)
    wWords.push_back(words(loadShared(add(wOff, 8 * j * wRowBytes))));
  Value xRow0 = add(stageOff, mul(add(wm0, gid), kXRowBytes));
  for (int64_t i = 0; i < 4; ++i) {
    SmallVector<SmallVector<std::array<Value, 2>, 2>> bOps;
    for (int64_t j = 0; j < nTiles; ++j)
      bOps.push_back(int4Operands(wWords[j][i], spec.signedCodes, offset[j],
                                  groupScales ? scale[j] : Value()));
    for (int64_t a = 0; a < mTiles; ++a) {
      Value off = add(xRow0, a * 16 * kXRowBytes);
      auto lo = xPairs(loadShared(add(off, xSwizzle[i])));
      auto hi = xPairs(loadShared(add(add(off, 8 * kXRowBytes), xSwizzle[i])));
      for (int64_t q = 0; q < 2; ++q)
        for (int64_t j = 0; j < nTiles; ++j)
          mma({lo[q][0], hi[q][0], lo[q][1], hi[q][1]}, bOps[j][q][0],
              bOps[j][q][1],
              MutableArrayRef<Value>(acc).slice((a * nTiles + j) * 4, 4));
    }
  }
}

std::array<Value, 2> MmaGemmBuilder::byteOperands(Value w, Value scale) {
  auto half2 = VectorType::get({2}, b.getF16Type());
  SmallVector<Value, 2> halves; // codes (0, 1) and (2, 3), exact in f16
  if (spec.fp8Codes) {
    // cvt.rn.f16x2.e4m3x2 / .e5m2x2.
    Type fp8 = spec.fp8E5M2 ? Type(b.getType<Float8E5M2Type>())
                            : Type(b.getType<Float8E4M3FNType>());
    Value bytes =
        LLVM::BitcastOp::create(b, VectorType::get({4}, b.getI8Type()), w);
    for (int64_t p = 0; p < 2; ++p) {
      Value codes = vector::ShuffleOp::create(
          b, bytes, bytes, ArrayRef<int64_t>{2 * p, 2 * p + 1});
      halves.push_back(NVVM::ConvertF8x2ToF16x2Op::create(
          b, half2, codes, /*relu=*/false, fp8));
    }
  } else {
    // int8: bytes (q + 128) into the low mantissa bytes of f16 1024 (prmt
    // with 0x64 high bytes), minus 1152.
    Value flipped = arith::XOrIOp::create(b, w, ci(0x80808080));
    Value offset = vector::BroadcastOp::create(
        b, half2,
        arith::ConstantOp::create(b, b.getF16FloatAttr(1024.0 + 128.0)));
    for (int64_t sel : {0x4140, 0x4342}) {
      Value biased = LLVM::BitcastOp::create(
          b, half2, prmt(flipped, ci(0x64646464), sel));
      halves.push_back(arith::SubFOp::create(b, biased, offset));
    }
  }
  std::array<Value, 2> out;
  for (int64_t p = 0; p < 2; ++p) {
    if (isF16) {
      Value h = halves[p];
      if (scale)
        h = arith::MulFOp::create(b, h, scale);
      out[p] = operand(asI32(h));
      continue;
    }
    // bf16: through f32 (the scale applied there), rounded once.
    auto [lo, hi] = std::pair{
        vector::ExtractOp::create(b, toF32(b, halves[p]), 0).getResult(),
        vector::ExtractOp::create(b, toF32(b, halves[p]), 1).getResult()};
    if (scale) {
      lo = arith::MulFOp::create(b, lo, scale);
      hi = arith::MulFOp::create(b, hi, scale);
    }
    out[p] = pack(lo, hi);
  }
  return out;
}

void MmaGemmBuilder::computeStep8(Value stageOff, ArrayRef<Value> scale,
                                  SmallVector<Value> &acc) {
  // Lane (gid, tig) takes W chunks tig and tig + 4 (codes k 16c … 16c + 15)
  // of rows gid + 8j; word i of chunk c pairs with x chunk 2c + i / 2,
  // words 2·(i mod 2) and 2·(i mod 2) + 1.
  Type v4i32 = VectorType::get({4}, i32);
  auto loadShared = [&](Value off) -> Value {
    return LLVM::LoadOp::create(b, v4i32, sharedPtr(off), /*alignment=*/16);
  };
  Value wRow = add(add(stageOff, mul(add(wn0, gid), wRowBytes)), xStageBytes);
  Value rowSwz = mul(remu(gid, 2), 4);
  Value xRow0 = add(stageOff, mul(add(wm0, gid), kXRowBytes));
  for (int64_t h = 0; h < 2; ++h) {
    Value pos = arith::XOrIOp::create(b, add(tig, 4 * h), rowSwz);
    SmallVector<SmallVector<Value, 4>> wWords;
    for (int64_t j = 0; j < nTiles; ++j)
      wWords.push_back(words(
          loadShared(add(add(wRow, mul(pos, 16)), 8 * j * wRowBytes))));
    for (int64_t hh = 0; hh < 2; ++hh) {
      // x chunk xc = 2·tig + 8h + hh, stored at xc ^ 2h ^ (row mod 2).
      Value xc = add(mul(tig, 2), 8 * h + hh);
      Value xPos = mul(
          arith::XOrIOp::create(b, xc, add(ci(2 * h), remu(gid, 2))), 16);
      SmallVector<std::array<std::array<Value, 2>, 2>> bOps; // [j][ii]
      for (int64_t j = 0; j < nTiles; ++j)
        bOps.push_back({byteOperands(wWords[j][2 * hh], scale.empty() ? Value() : scale[j]),
                        byteOperands(wWords[j][2 * hh + 1], scale.empty() ? Value() : scale[j])});
      for (int64_t a = 0; a < mTiles; ++a) {
        Value off = add(xRow0, a * 16 * kXRowBytes);
        SmallVector<Value, 4> lo = words(loadShared(add(off, xPos)));
        SmallVector<Value, 4> hi =
            words(loadShared(add(add(off, 8 * kXRowBytes), xPos)));
        for (int64_t ii = 0; ii < 2; ++ii)
          for (int64_t j = 0; j < nTiles; ++j)
            mma({operand(lo[2 * ii]), operand(hi[2 * ii]),
                 operand(lo[2 * ii + 1]), operand(hi[2 * ii + 1])},
                bOps[j][ii][0], bOps[j][ii][1],
                MutableArrayRef<Value>(acc).slice((a * nTiles + j) * 4, 4));
      }
    }
  }
}

void MmaGemmBuilder::build(ValueRange args) {
  ga = splitGemvArguments(args, spec);
  bindSmem();
  tid = id(false, gpu::Dimension::x);
  Value lane = remu(tid, 32), warp = divu(tid, 32);
  gid = divu(lane, 4);
  tig = remu(lane, 4);
  const int64_t warpsN = spec.gemmN / spec.warpN;
  wm0 = mul(divu(warp, warpsN), spec.warpM);
  wn0 = mul(remu(warp, warpsN), spec.warpN);
  n0 = mul(id(true, gpu::Dimension::x), spec.gemmN);
  m0 = mul(id(true, gpu::Dimension::y), spec.gemmM);
  xAddr = baseAddress(ga.x);
  wAddr = baseAddress(ga.w);
  // Word i of lane (gid, tig) is x chunk 4·tig + i of rows of gid's parity.
  for (int64_t i = 0; i < 4; ++i) {
    Value c = add(mul(tig, 4), i);
    Value swz = arith::XOrIOp::create(
        b, arith::XOrIOp::create(b, c, mul(divu(tig, 2), 2)), remu(gid, 2));
    xSwizzle.push_back(mul(swz, 16));
  }
  if (!groupScales && spec.codeBits == 4)
    for (int64_t j = 0; j < nTiles; ++j)
      fixedOffset.push_back(offsetPair(
          ga.zeros ? Value(memref::LoadOp::create(
                         b, ga.zeros,
                         ValueRange{scaleRow(add(add(n0, wn0), add(gid, 8 * j))),
                                    cIdx(b, 0)}))
                   : Value()));

  SmallVector<Value> init(mTiles * nTiles * 4, cf(0.0));
  SmallVector<Value> acc = cpAsyncPipeline(
      spec.k / kTileK, spec.stages, init,
      [&](Value kt, Value slot) { issueStep(kt, slot); },
      [&](Value kt, Value slot, SmallVector<Value> &a) {
        computeStep(kt, slot, a);
      });

  // Epilogue: per-channel scales, bias, rows < M and columns < N.
  for (int64_t j = 0; j < nTiles; ++j)
    for (int64_t e = 0; e < 2; ++e) {
      Value n = add(add(n0, wn0), add(mul(tig, 2), 8 * j + e));
      Value nOk = cmp(arith::CmpIPredicate::slt, n, ci(spec.n));
      Value colScale, colBias;
      if (!groupScales)
        colScale = toF32(b, memref::LoadOp::create(
                                b, ga.scales, ValueRange{scaleRow(n), cIdx(b, 0)}));
      Value nIdx = toIndex(minsi(n, ci(spec.n - 1)));
      if (ga.bias)
        colBias = toF32(b, memref::LoadOp::create(b, ga.bias, nIdx));
      for (int64_t a = 0; a < mTiles; ++a)
        for (int64_t h = 0; h < 2; ++h) {
          Value m = add(add(m0, wm0), add(gid, 16 * a + 8 * h));
          Value ok = arith::AndIOp::create(
              b, nOk, cmp(arith::CmpIPredicate::slt, m, ci(spec.m)));
          Value v = acc[(a * nTiles + j) * 4 + 2 * h + e];
          if (colScale)
            v = arith::MulFOp::create(b, v, colScale);
          if (colBias)
            v = arith::AddFOp::create(b, v, colBias);
          ifThen(b, ok, [&] {
            storeWithEpilogue(b, spec.epilogue, v, ga.residual, ga.y,
                              toIndex(m), nIdx);
          });
        }
    }
}

} // namespace

std::string mmaGemmUnsupported(const GemvSpec &spec) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (!spec.quant || spec.nf4 || spec.e2m1 ||
      (spec.codeBits == 8 && !spec.signedCodes && !spec.fp8Codes))
    os << "only int4, uint4, int8 and fp8 weights";
  else if (!spec.xType || !(spec.xType.isBF16() || spec.xType.isF16()))
    os << "x must be bf16 or f16";
  else if (spec.k % kTileK != 0)
    os << "K = " << spec.k << " is not a multiple of " << kTileK;
  else if (spec.scaleCols > 1 && spec.scaleSpan % kTileK != 0)
    os << "group size " << spec.scaleSpan << " is not a multiple of "
       << kTileK;
  return why;
}

std::string mmaGemmTileError(const GemvSpec &spec, int64_t bm, int64_t bn,
                             int64_t wm, int64_t wn, int64_t stages) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (wm <= 0 || wn <= 0 || wm % 16 || wn % 8 || bm % wm || bn % wn)
    os << "warp tile " << wm << "x" << wn
       << " must be multiples of 16x8 dividing the block tile " << bm << "x"
       << bn;
  else if (stages < 2 || stages > 8)
    os << "stages = " << stages << " must be in [2, 8]";
  else {
    GemvSpec t = spec;
    t.gemmM = bm, t.gemmN = bn, t.warpM = wm, t.warpN = wn, t.stages = stages;
    const int64_t threads = t.blockThreads(),
                  wChunks = kTileK * spec.codeBits / 8 / 16;
    if (threads > 1024 || threads % 16 || (bm * 16) % threads ||
        (bn * wChunks) % threads)
      os << "block tile " << bm << "x" << bn << " with " << threads
         << " threads: the tile's 16-byte chunks must split evenly over the "
            "threads (at most 1024)";
    else if (t.sharedBytes() > 227 * 1024)
      os << "block tile " << bm << "x" << bn << " with " << stages
         << " stages needs " << t.sharedBytes()
         << " bytes of shared memory (at most 232448)";
  }
  return why;
}

gpu::GPUFuncOp buildMmaGemmKernel(OpBuilder &builder, Location loc,
                                  StringRef name, const GemvSpec &spec) {
  SmallVector<Type> argTypes = gemvArgumentTypes(builder, spec);
  auto func = createKernel(builder, loc, name, argTypes, spec.blockThreads());
  // Two blocks per SM where their shared memory fits: ptxas then keeps
  // the registers within 64K / (2 · threads).
  if (2 * spec.sharedBytes() <= 227 * 1024 && spec.blockThreads() <= 256)
    func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                  builder.getI32IntegerAttr(2));
  ImplicitLocOpBuilder b(loc, builder.getContext());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(func);
    declareDynamicSmem(b, loc);
  }
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  MmaGemmBuilder(b, spec).build(entry.getArguments());
  gpu::ReturnOp::create(b);
  return func;
}

} // namespace linea::gpu_codegen
