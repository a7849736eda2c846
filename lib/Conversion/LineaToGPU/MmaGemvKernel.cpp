//===- MmaGemvKernel.cpp - decode GEMV / small-M GEMM on tensor cores -----===//
//
// y[M, N] = x[M, K]·Ŵᵀ for M ≤ 16 rows of x per block, with W int4 (codes
// and group scales, uint4 zero points) or dense bf16/f16, on mma.sync
// m16n8k16 (f32 accumulators). The CUDA-core GEMV (GemvKernel.cpp) spends
// ~5 FP32-pipe instructions per int4 weight and cannot keep up with memory;
// here W is the A operand (16 rows of N per tile) and x the B operand (its
// M rows are the n8 columns; rows past M are never stored), so the tensor
// core does the multiply-adds and the CUDA cores only decode:
//
//   two codes per instruction: lop3 (w & 0x000f000f) | magic puts nibbles
//   j and j + 4 of a word into the mantissas of a packed pair (bf16 128 + n
//   or f16 1024 + n); one packed sub (sub.rn.bf16x2 / sub.f16x2) of
//   magic + 8 (int4, sign bits flipped first) or magic + z (uint4) leaves
//   q − z exactly. About 1.5 instructions per weight.
//
// The mma sums over its k slots in any order, so no weight repacking is
// needed: thread (gid, tig) of a warp loads a 16-byte chunk of rows gid and
// gid + 8 (32 int4 or 8 dense k), feeds its pairs to the k slots it owns in
// A (registers 0..3) and builds x's B registers for the same k with prmt
// (int4: pairs (j, j + 4), matching the decode) or as loaded (dense).
//
// Blocks of S = 4 or 8 warps (`splitK`) own 16·R rows and split K S ways
// (warp w takes the 128-k int4 steps / 32-k dense steps w, w + S, …,
// `unroll` steps' loads issued before their arithmetic, or with `prefetch`
// before the previous group's arithmetic); the S partial tiles are summed
// through shared memory and warp 0 adds the bias and stores y. Group scales
// (span a multiple of 128) multiply each step's tile in f32; per-channel
// scales multiply once at the end.
//
//===----------------------------------------------------------------------===//

#include "GemvKernel.h"
#include "MmaDecode.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kWarpSize = 32;

class MmaGemvBuilder : PackedMmaOps {
public:
  MmaGemvBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec, Value red)
      : PackedMmaOps(b, spec.xType), spec(spec), red(red),
        tiles(spec.rowsPerWarp), nTiles((spec.mTile + 7) / 8),
        kStep(spec.quant ? 128 : 32),
        perStepScale(spec.quant && spec.scaleCols > 1) {}

  void build(ValueRange args);

private:
  /// A operands of one row's chunk, two per mma: [mma][0 = k lo, 1 = k hi].
  SmallVector<std::array<Value, 2>> rowOperands(Value chunk, Value offset);
  /// B operands of one x row's loaded chunks, in the same k order.
  SmallVector<std::array<Value, 2>> xOperands(ArrayRef<Value> chunks);

  const GemvSpec &spec;
  Value red; // shared [spec.splitK, values, 32] f32
  int64_t tiles, nTiles, kStep;
  bool perStepScale;
};

SmallVector<std::array<Value, 2>> MmaGemvBuilder::rowOperands(Value chunk,
                                                             Value offset) {
  SmallVector<std::array<Value, 2>> ops;
  SmallVector<Value, 4> ws = words(chunk);
  if (!spec.quant) {
    // Dense: word i holds k (2i, 2i + 1); mma e takes words 2e and 2e + 1.
    for (int64_t e = 0; e < 2; ++e)
      ops.push_back({operand(ws[2 * e]), operand(ws[2 * e + 1])});
    return ops;
  }
  for (Value w : ws)
    llvm::append_range(ops, int4Operands(w, spec.signedCodes, offset));
  return ops;
}

SmallVector<std::array<Value, 2>>
MmaGemvBuilder::xOperands(ArrayRef<Value> chunks) {
  SmallVector<std::array<Value, 2>> ops;
  for (Value chunk : chunks) {
    if (spec.quant) {
      llvm::append_range(ops, xPairs(chunk));
      continue;
    }
    SmallVector<Value, 4> ws = words(chunk);
    for (int64_t e = 0; e < 2; ++e)
      ops.push_back({operand(ws[2 * e]), operand(ws[2 * e + 1])});
  }
  return ops;
}

void MmaGemvBuilder::build(ValueRange args) {
  GemvArgs ga = splitGemvArguments(args, spec);
  Value x = ga.x, w = ga.w, scales = ga.scales, zeros = ga.zeros,
        bias = ga.bias, y = ga.y;

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, cIdx(b, kWarpSize));
  Value warp = arith::DivUIOp::create(b, tid, cIdx(b, kWarpSize));
  Value gid = arith::DivUIOp::create(b, lane, cIdx(b, 4));
  Value tig = arith::RemUIOp::create(b, lane, cIdx(b, 4));
  Value rowBlock =
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            cIdx(b, 16 * tiles));
  Value mBase = arith::MulIOp::create(
      b, gpu::BlockIdOp::create(b, gpu::Dimension::y), cIdx(b, spec.mTile));

  // Rows gid and gid + 8 of each 16-row tile; rows past N read row N − 1.
  SmallVector<Value> rowIds, rows; // [t·2 + h]
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t h = 0; h < 2; ++h) {
      Value r = arith::AddIOp::create(
          b, arith::AddIOp::create(b, rowBlock, cIdx(b, 16 * t + 8 * h)), gid);
      rowIds.push_back(r);
      rows.push_back(arith::MinUIOp::create(b, r, cIdx(b, spec.n - 1)));
    }
  // x row of B column gid in n-tile nt; columns past M repeat the last row
  // (their outputs are never stored).
  SmallVector<Value> xRows;
  for (int64_t nt = 0; nt < nTiles; ++nt)
    xRows.push_back(arith::AddIOp::create(
        b, mBase,
        arith::MinUIOp::create(
            b, arith::AddIOp::create(b, gid, cIdx(b, 8 * nt)),
            cIdx(b, spec.mTile - 1))));

  auto scaleRow = [&](int64_t i) {
    return spec.scaleRows == 1 ? cIdx(b, 0) : rows[i];
  };
  // Per-row scale (f32) and decode offset of the group at `group`.
  auto loadGroup = [&](Value group, SmallVector<Value> &s,
                       SmallVector<Value> &off) {
    for (int64_t i = 0; i < 2 * tiles; ++i) {
      SmallVector<Value, 2> at{scaleRow(i), group};
      s.push_back(toF32(b, memref::LoadOp::create(b, scales, at)));
      off.push_back(offsetPair(
          zeros ? Value(memref::LoadOp::create(b, zeros, at)) : Value()));
    }
  };
  SmallVector<Value> fixedScale, fixedOffset;
  if (spec.quant && !perStepScale)
    loadGroup(cIdx(b, 0), fixedScale, fixedOffset);
  Value denseOffset;

  const int64_t steps = spec.k / kStep;
  const int64_t xChunks = spec.quant ? 4 : 1; // x 8-chunks per W chunk
  const int64_t accPerWarp = tiles * nTiles * 4;
  Value zero = cF32(b, 0.0);
  SmallVector<Value> init(accPerWarp, zero);
  // This warp's steps: warp, warp + splitK, … < steps.
  Value myCount = arith::DivUIOp::create(
      b, arith::SubIOp::create(b, cIdx(b, steps + spec.splitK - 1), warp),
      cIdx(b, spec.splitK));

  // Loaded values of one step: W chunks [t·2 + h], x chunks
  // [nt·xChunks + i], then (group scales) scales and zero points [t·2 + h].
  auto load = [&](Value j) -> SmallVector<Value> {
    Value s = arith::AddIOp::create(
        b, arith::MulIOp::create(b, j, cIdx(b, spec.splitK)), warp);
    Value c = arith::AddIOp::create(
        b, arith::MulIOp::create(b, s, cIdx(b, 4)), tig);
    SmallVector<Value> out;
    for (Value r : rows)
      out.push_back(memref::LoadOp::create(b, w, ValueRange{r, c}));
    Value xc = arith::MulIOp::create(b, c, cIdx(b, xChunks));
    for (Value xr : xRows)
      for (int64_t i = 0; i < xChunks; ++i)
        out.push_back(memref::LoadOp::create(
            b, x,
            ValueRange{xr, i ? Value(arith::AddIOp::create(b, xc, cIdx(b, i)))
                             : xc}));
    if (perStepScale) {
      Value group = arith::DivUIOp::create(
          b, arith::MulIOp::create(b, s, cIdx(b, kStep)),
          cIdx(b, spec.scaleSpan));
      for (int64_t i = 0; i < 2 * tiles; ++i) {
        SmallVector<Value, 2> at{scaleRow(i), group};
        out.push_back(memref::LoadOp::create(b, scales, at));
        if (zeros)
          out.push_back(memref::LoadOp::create(b, zeros, at));
      }
    }
    return out;
  };
  auto step = [&](Value, ArrayRef<Value> loaded,
                  ValueRange accIn) -> SmallVector<Value> {
    SmallVector<Value> acc(accIn.begin(), accIn.end());
    unsigned at = 0;
    ArrayRef<Value> wChunks = loaded.slice(at, 2 * tiles);
    at += 2 * tiles;
    SmallVector<SmallVector<std::array<Value, 2>>> bOps; // [nt][mma]
    for (int64_t nt = 0; nt < nTiles; ++nt, at += xChunks)
      bOps.push_back(xOperands(loaded.slice(at, xChunks)));
    SmallVector<Value> scale = fixedScale, offset = fixedOffset;
    if (perStepScale) {
      scale.clear();
      offset.clear();
      for (int64_t i = 0; i < 2 * tiles; ++i) {
        scale.push_back(toF32(b, loaded[at++]));
        offset.push_back(offsetPair(zeros ? loaded[at++] : Value()));
      }
    }
    for (int64_t t = 0; t < tiles; ++t) {
      auto lo = rowOperands(wChunks[2 * t],
                            spec.quant ? offset[2 * t] : denseOffset);
      auto hi = rowOperands(wChunks[2 * t + 1],
                            spec.quant ? offset[2 * t + 1] : denseOffset);
      for (int64_t nt = 0; nt < nTiles; ++nt) {
        MutableArrayRef<Value> a(acc.data() + (t * nTiles + nt) * 4, 4);
        SmallVector<Value, 4> c(a.begin(), a.end());
        if (perStepScale)
          c.assign(4, zero);
        for (size_t q = 0; q < lo.size(); ++q)
          mma({lo[q][0], hi[q][0], lo[q][1], hi[q][1]}, bOps[nt][q][0],
              bOps[nt][q][1], c);
        for (int64_t e = 0; e < 4; ++e)
          a[e] = perStepScale ? fma(b, scale[2 * t + e / 2], c[e], a[e]) : c[e];
      }
    }
    return acc;
  };
  SmallVector<Value> acc =
      timeLoop(b, cIdx(b, 0), myCount, spec.unroll, init, load, step,
               spec.prefetch);

  // Sum the spec.splitK partial tiles: red[warp][v][lane].
  for (int64_t v = 0; v < accPerWarp; ++v)
    memref::StoreOp::create(b, acc[v], red, ValueRange{warp, cIdx(b, v), lane});
  gpu::BarrierOp::create(b);
  Value isWarp0 =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, warp, cIdx(b, 0));
  ifThen(b, isWarp0, [&] {
    Value col0 = arith::MulIOp::create(b, tig, cIdx(b, 2));
    for (int64_t t = 0; t < tiles; ++t)
      for (int64_t nt = 0; nt < nTiles; ++nt)
        for (int64_t e = 0; e < 4; ++e) {
          int64_t v = (t * nTiles + nt) * 4 + e, h = e / 2;
          Value sum = acc[v];
          for (int64_t k = 1; k < spec.splitK; ++k)
            sum = arith::AddFOp::create(
                b, sum,
                memref::LoadOp::create(
                    b, red, ValueRange{cIdx(b, k), cIdx(b, v), lane}));
          Value m = arith::AddIOp::create(b, col0, cIdx(b, 8 * nt + e % 2));
          Value row = rowIds[2 * t + h];
          Value ok = arith::AndIOp::create(
              b,
              arith::CmpIOp::create(b, arith::CmpIPredicate::ult, m,
                                    cIdx(b, spec.mTile)),
              arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row,
                                    cIdx(b, spec.n)));
          ifThen(b, ok, [&] {
            Value val = sum;
            if (spec.quant && !perStepScale)
              val = arith::MulFOp::create(b, val, fixedScale[2 * t + h]);
            if (bias)
              val = arith::AddFOp::create(
                  b, val, toF32(b, memref::LoadOp::create(b, bias, row)));
            storeWithEpilogue(b, spec.epilogue, val, ga.residual, y,
                              arith::AddIOp::create(b, mBase, m), row);
          });
        }
  });
}

} // namespace

bool mmaGemvSupported(const GemvSpec &spec) {
  if (!spec.xType || !(spec.xType.isBF16() || spec.xType.isF16()))
    return false;
  if (spec.bsr || spec.lowRank || spec.nm || spec.shift ||
      (spec.quant && (spec.codeBits != 4 || spec.floatCodes())))
    return false;
  if (spec.quant)
    return spec.k % 128 == 0 &&
           (spec.scaleCols == 1 || spec.scaleSpan % 128 == 0);
  return spec.wType == spec.xType && spec.k % 32 == 0;
}

gpu::GPUFuncOp buildMmaGemvKernel(OpBuilder &builder, Location loc,
                                  StringRef name, const GemvSpec &spec) {
  SmallVector<Type> argTypes = gemvArgumentTypes(builder, spec);
  auto func =
      createKernel(builder, loc, name, argTypes, spec.splitK * kWarpSize);
  const int64_t values = spec.rowsPerWarp * ((spec.mTile + 7) / 8) * 4;
  Value red = func.addWorkgroupAttribution(
      sharedMemRef({spec.splitK, values, kWarpSize}, builder.getF32Type()), loc);
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  MmaGemvBuilder(b, spec, red)
      .build(entry.getArguments().take_front(argTypes.size()));
  gpu::ReturnOp::create(b);
  return func;
}

} // namespace linea::gpu_codegen
