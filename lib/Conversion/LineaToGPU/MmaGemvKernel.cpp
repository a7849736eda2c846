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
// Blocks of 4 warps own 16·R rows and split K four ways (warp w takes the
// 128-k int4 steps / 32-k dense steps w, w + 4, …, `unroll` steps' loads
// issued before their arithmetic); the four partial tiles are summed through
// shared memory and warp 0 adds the bias and stores y. Group scales
// (span a multiple of 128) multiply each step's tile in f32; per-channel
// scales multiply once at the end.
//
//===----------------------------------------------------------------------===//

#include "GemvKernel.h"
#include "KernelBuild.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kWarpSize = 32;
constexpr int64_t kSplitK = kWarpsPerBlock; // warps sharing a row tile

class MmaGemvBuilder {
public:
  MmaGemvBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec, Value red)
      : b(b), spec(spec), red(red), ctx(b.getContext()),
        elem(spec.xType), isF16(spec.xType.isF16()), i32(b.getI32Type()),
        f32(b.getF32Type()), pair(VectorType::get({2}, spec.xType)),
        tiles(spec.rowsPerWarp), nTiles((spec.mTile + 7) / 8),
        kStep(spec.quant ? 128 : 32),
        perStepScale(spec.quant && spec.scaleCols > 1) {}

  void build(ValueRange args);

private:
  Value ci(int64_t v) { return arith::ConstantIntOp::create(b, i32, v); }
  Value asI32(Value v) {
    return v.getType() == i32 ? v : LLVM::BitcastOp::create(b, i32, v);
  }
  /// (a & mask) | bits in one lop3.
  Value lop3(Value a, int64_t mask, int64_t bits) {
    return LLVM::InlineAsmOp::create(
               b, i32, ValueRange{a, ci(mask), ci(bits)},
               "lop3.b32 $0, $1, $2, $3, 0xEA;", "=r,r,r,r",
               /*has_side_effects=*/false, /*is_align_stack=*/false,
               LLVM::tailcallkind::TailCallKind::None,
               LLVM::AsmDialectAttr(), ArrayAttr())
        .getResult(0);
  }
  Value prmt(Value lo, Value hi, int64_t selector) {
    return NVVM::PermuteOp::create(b, i32, lo, hi, ci(selector),
                                   NVVM::PermuteMode::DEFAULT);
  }
  /// A 32-bit register as an mma operand of the element type.
  Value operand(Value word) {
    return isF16 ? Value(LLVM::BitcastOp::create(b, pair, word)) : word;
  }
  /// The 16-bit pair (magic + n) − offset, as an mma operand.
  Value unbias(Value biased, Value offset) {
    Value v = LLVM::BitcastOp::create(b, pair, biased);
    return operand(asI32(arith::SubFOp::create(b, v, offset)));
  }
  /// The four 32-bit words of a 16-byte chunk.
  SmallVector<Value, 4> words(Value chunk) {
    Value w = chunk;
    if (cast<VectorType>(chunk.getType()).getElementType() != i32)
      w = vector::BitCastOp::create(b, VectorType::get({4}, i32), chunk);
    SmallVector<Value, 4> out;
    for (int64_t i = 0; i < 4; ++i)
      out.push_back(vector::ExtractOp::create(b, w, i));
    return out;
  }
  /// A operands of one row's chunk, two per mma: [mma][0 = k lo, 1 = k hi].
  SmallVector<std::array<Value, 2>> rowOperands(Value chunk, Value offset);
  /// B operands of one x row's loaded chunks, in the same k order.
  SmallVector<std::array<Value, 2>> xOperands(ArrayRef<Value> chunks);
  /// c += a·b on one m16n8k16 tile.
  void mma(ArrayRef<Value> a, ArrayRef<Value> bReg, MutableArrayRef<Value> c);
  /// A scalar offset (magic + z) as a packed pair.
  Value offsetPair(Value zeroPoint);

  ImplicitLocOpBuilder &b;
  const GemvSpec &spec;
  Value red; // shared [kSplitK, values, 32] f32
  MLIRContext *ctx;
  Type elem;
  bool isF16;
  Type i32, f32;
  VectorType pair;
  int64_t tiles, nTiles, kStep;
  bool perStepScale;
  double magic = 0;
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
  const int64_t magicBits = isF16 ? 0x64006400 : 0x43004300;
  for (Value w : ws) {
    if (spec.signedCodes) // n = q + 8
      w = arith::XOrIOp::create(b, w, ci(0x88888888));
    // Pair j holds nibbles j and j + 4, i.e. k (j, j + 4) of the word.
    SmallVector<Value, 4> pairs;
    for (int64_t j = 0; j < 4; ++j) {
      Value shifted = j ? Value(arith::ShRUIOp::create(b, w, ci(4 * j))) : w;
      pairs.push_back(unbias(lop3(shifted, 0x000F000F, magicBits), offset));
    }
    ops.push_back({pairs[0], pairs[1]});
    ops.push_back({pairs[2], pairs[3]});
  }
  return ops;
}

SmallVector<std::array<Value, 2>>
MmaGemvBuilder::xOperands(ArrayRef<Value> chunks) {
  SmallVector<std::array<Value, 2>> ops;
  for (Value chunk : chunks) {
    SmallVector<Value, 4> ws = words(chunk);
    if (!spec.quant) {
      for (int64_t e = 0; e < 2; ++e)
        ops.push_back({operand(ws[2 * e]), operand(ws[2 * e + 1])});
      continue;
    }
    // x (j, j + 4) from words (x0 x1)(x2 x3)(x4 x5)(x6 x7): low halves of
    // words 0 and 2 are (x0, x4), high halves (x1, x5); words 1, 3 likewise.
    Value p0 = prmt(ws[0], ws[2], 0x5410), p1 = prmt(ws[0], ws[2], 0x7632);
    Value p2 = prmt(ws[1], ws[3], 0x5410), p3 = prmt(ws[1], ws[3], 0x7632);
    ops.push_back({operand(p0), operand(p1)});
    ops.push_back({operand(p2), operand(p3)});
  }
  return ops;
}

void MmaGemvBuilder::mma(ArrayRef<Value> a, ArrayRef<Value> bReg,
                         MutableArrayRef<Value> c) {
  Type f32x4 = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  NVVM::MMATypes t = isF16 ? NVVM::MMATypes::f16 : NVVM::MMATypes::bf16;
  Value d = NVVM::MmaOp::create(
      b, f32x4, a, bReg, c, ArrayRef<int64_t>{16, 8, 16}, std::nullopt,
      std::nullopt, std::array<NVVM::MMATypes, 2>{t, t},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  for (int64_t i = 0; i < 4; ++i)
    c[i] = LLVM::ExtractValueOp::create(b, d, ArrayRef<int64_t>{i});
}

Value MmaGemvBuilder::offsetPair(Value zeroPoint) {
  Value off;
  if (!zeroPoint) {
    off = arith::ConstantOp::create(b, FloatAttr::get(elem, magic + 8.0));
  } else {
    Value z = arith::UIToFPOp::create(
        b, f32, arith::ExtUIOp::create(b, i32, zeroPoint));
    off = fromF32(b, arith::AddFOp::create(b, z, cF32(b, magic)), elem);
  }
  return vector::BroadcastOp::create(b, pair, off);
}

void MmaGemvBuilder::build(ValueRange args) {
  magic = isF16 ? 1024.0 : 128.0;
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
  // This warp's steps: warp, warp + 4, … < steps.
  Value myCount = arith::DivUIOp::create(
      b, arith::SubIOp::create(b, cIdx(b, steps + kSplitK - 1), warp),
      cIdx(b, kSplitK));

  // Loaded values of one step: W chunks [t·2 + h], x chunks
  // [nt·xChunks + i], then (group scales) scales and zero points [t·2 + h].
  auto load = [&](Value j) -> SmallVector<Value> {
    Value s = arith::AddIOp::create(
        b, arith::MulIOp::create(b, j, cIdx(b, kSplitK)), warp);
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
          mma({lo[q][0], hi[q][0], lo[q][1], hi[q][1]},
              {bOps[nt][q][0], bOps[nt][q][1]}, c);
        for (int64_t e = 0; e < 4; ++e)
          a[e] = perStepScale ? fma(b, scale[2 * t + e / 2], c[e], a[e]) : c[e];
      }
    }
    return acc;
  };
  SmallVector<Value> acc =
      timeLoop(b, cIdx(b, 0), myCount, spec.unroll, init, load, step);

  // Sum the kSplitK partial tiles: red[warp][v][lane].
  for (int64_t v = 0; v < accPerWarp; ++v)
    memref::StoreOp::create(b, acc[v], red, ValueRange{warp, cIdx(b, v), lane});
  gpu::BarrierOp::create(b);
  Value isWarp0 =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, warp, cIdx(b, 0));
  ifThen(b, isWarp0, [&] {
    Type yElem = cast<MemRefType>(y.getType()).getElementType();
    Value col0 = arith::MulIOp::create(b, tig, cIdx(b, 2));
    for (int64_t t = 0; t < tiles; ++t)
      for (int64_t nt = 0; nt < nTiles; ++nt)
        for (int64_t e = 0; e < 4; ++e) {
          int64_t v = (t * nTiles + nt) * 4 + e, h = e / 2;
          Value sum = acc[v];
          for (int64_t k = 1; k < kSplitK; ++k)
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
            memref::StoreOp::create(b, fromF32(b, val, yElem), y,
                                    ValueRange{arith::AddIOp::create(b, mBase, m), row});
          });
        }
  });
}

} // namespace

bool mmaGemvSupported(const GemvSpec &spec) {
  if (!spec.xType || !(spec.xType.isBF16() || spec.xType.isF16()))
    return false;
  if (spec.bsr || spec.lowRank || (spec.quant && spec.codeBits != 4))
    return false;
  if (spec.quant)
    return spec.k % 128 == 0 &&
           (spec.scaleCols == 1 || spec.scaleSpan % 128 == 0);
  return spec.wType == spec.xType && spec.k % 32 == 0;
}

gpu::GPUFuncOp buildMmaGemvKernel(OpBuilder &builder, Location loc,
                                  StringRef name, const GemvSpec &spec) {
  SmallVector<Type> argTypes = gemvArgumentTypes(builder, spec);
  auto func = createKernel(builder, loc, name, argTypes,
                           kWarpsPerBlock * kWarpSize);
  const int64_t values = spec.rowsPerWarp * ((spec.mTile + 7) / 8) * 4;
  Value red = func.addWorkgroupAttribution(
      sharedMemRef({kSplitK, values, kWarpSize}, builder.getF32Type()), loc);
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  MmaGemvBuilder(b, spec, red)
      .build(entry.getArguments().take_front(argTypes.size()));
  gpu::ReturnOp::create(b);
  return func;
}

} // namespace linea::gpu_codegen
