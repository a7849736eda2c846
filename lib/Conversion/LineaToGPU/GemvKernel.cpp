//===- GemvKernel.cpp - decode GEMV kernels as gpu.func -------------------===//
//
// One kernel computes y[M, N] = x[M, K]·Ŵᵀ for a small, static M. At M ≤ 16
// the work is reading W once, so the kernel is built around the loads:
//
//   warp w of block (bx, by) owns rows n = (4·bx + w)·R + r, r < R, and rows
//   m = by·mTile + i of x; lane l visits the 16-byte chunks c = l, l + 32, …
//   of each row (coalesced: a warp reads 512 contiguous bytes of a row per
//   step), loading `unroll` chunks per row before using any of them.
//
// int4 codes become f32 without int-to-float conversions: a nibble n (after
// flipping the sign bit of int4, so that n = q + 8) or-ed into the mantissa
// of 2^23 is the float 2^23 + n, and subtracting 2^23 + z (z = 8 for int4,
// the zero point for uint4) leaves q − z exactly. Products are accumulated
// in f32 vector<8> registers, summed across lanes with xor shuffles, and
// lane 0 adds the bias and stores y. At M = 1 the group scale multiplies
// the chunk's partial sum (one multiply per chunk); at M > 1 it multiplies
// the decoded weights once for all rows of x.
//
//===----------------------------------------------------------------------===//

#include "GemvKernel.h"
#include "KernelBuild.h"

#include "linea/Numerics/QuantFormats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <optional>

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kWarpSize = 32;
/// 2^23 as f32 bits: or-ing a value v < 2^23 into its mantissa gives 2^23 + v.
constexpr int32_t kMagicBits = 0x4B000000;
constexpr double kMagic = 8388608.0;

/// Builds the body of one kernel; holds the values shared by its parts.
class GemvBuilder {
public:
  GemvBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec,
              Value nf4Table = {})
      : b(b), spec(spec), f32(b.getF32Type()), i32(b.getI32Type()),
        vecF32(VectorType::get({8}, f32)), vecI32(VectorType::get({8}, i32)),
        nf4Table(nf4Table) {}

  void build(ValueRange args);
  /// Row group `index` instead of the block index (fused low-rank phases).
  void setBlockIndex(Value index) { blockIndexOverride = index; }

private:
  Value blockIndexOverride;
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value splatI32(int64_t v) {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(vecI32, b.getI32IntegerAttr(v)));
  }
  Value splatF32(double v) {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(vecF32, b.getF32FloatAttr(v)));
  }
  Value toF32(Value v) {
    Type elem = getElementTypeOrSelf(v.getType());
    if (elem.isF32())
      return v;
    Type target = isa<VectorType>(v.getType()) ? Type(vecF32) : Type(f32);
    return arith::ExtFOp::create(b, target, v);
  }
  /// Elements begin … begin + size − 1 of vector v (vector.shuffle, not
  /// extract_strided_slice: convert-gpu-to-nvvm lowers only the former).
  Value slice(Value v, int64_t begin, int64_t size) {
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < size; ++i)
      mask.push_back(begin + i);
    return vector::ShuffleOp::create(b, v, v, mask).getResult();
  }
  /// The 8 nibbles of word i of the 4×i32 chunk as vector<8xi32>, code j
  /// of the word at lane j.
  Value nibbles(Value chunk, int64_t i);
  /// Element i of the 4×i32 chunk as vector<8xf32> of (code − zero).
  Value decodeWord(Value chunk, int64_t i, Value offset);
  /// Word i of a chunk of nf4 or e2m1 codes as vector<8xf32>; e2m1 values
  /// come times 2^−14 unless `rescale` (the caller applies 2^14 later).
  Value decodeFloatWord(Value chunk, int64_t i, bool rescale);
  /// Bytes 8·half … 8·half + 7 of a 16-byte chunk of 8-bit codes as
  /// vector<8xf32> (int8 codes arrive with their sign bits flipped; uint8
  /// ones come back as 1024 + c − `offset`).
  Value decodeBytes(Value chunk, int64_t half, Value offset);
  /// A scale as f32 (e8m0 and e4m3 bytes decoded exactly).
  Value scaleToF32(Value s);
  /// Bytes 8·half … of one shift_linear term as vector<8xf32> of ±2^e
  /// (0 where the sign is 0), assembled from the exponent and sign bits.
  Value shiftTerm(Value exps, Value signs, int64_t half);
  /// nm_linear: the x elements that the 8 kept values of chunk c (indices
  /// `idx`, vector<8xi8>) multiply, as vector<8xf32>. 2:4: selected from
  /// the raw x chunks 2c, 2c+1 (`xRaw`); otherwise loaded one by one.
  Value gatherNm(Value indices, Value c, Value xRow, ArrayRef<Value> xRaw,
                 Value x);
  /// Sum over the warp of a per-lane f32.
  Value warpSum(Value v);

  ImplicitLocOpBuilder &b;
  const GemvSpec &spec;
  Type f32, i32;
  VectorType vecF32, vecI32;
  Value nibbleShifts, nibbleMask, magicBits;
  Value nf4Table; // workgroup memref<16xf32>, nf4 only
};

Value GemvBuilder::nibbles(Value chunk, int64_t i) {
  Value word = vector::ExtractOp::create(b, chunk, i);
  Value words = vector::BroadcastOp::create(b, vecI32, word);
  return arith::AndIOp::create(
      b, arith::ShRUIOp::create(b, words, nibbleShifts), nibbleMask);
}

Value GemvBuilder::decodeWord(Value chunk, int64_t i, Value offset) {
  Value biased = arith::BitcastOp::create(
      b, vecF32, arith::OrIOp::create(b, nibbles(chunk, i), magicBits));
  return arith::SubFOp::create(b, biased, offset);
}

Value GemvBuilder::decodeFloatWord(Value chunk, int64_t i, bool rescale) {
  Value codes = nibbles(chunk, i);
  if (spec.e2m1) {
    // s.ee.m → the f16 with sign s, exponent field ee and mantissa m·2^9,
    // which is exactly e2m1(code) · 2^−14 (ee = 0 the subnormals 0, 2^−15);
    // the f32 multiply by 2^14 is exact too. (nvfp4 folds 2^14 into its
    // e4m3 scales, mxfp4 at M = 1 into each chunk's partial sum.)
    Value mag = arith::ShLIOp::create(
        b, arith::AndIOp::create(b, codes, splatI32(7)), splatI32(9));
    Value sign = arith::ShLIOp::create(
        b, arith::AndIOp::create(b, codes, splatI32(8)), splatI32(12));
    auto vecI16 = VectorType::get({8}, b.getI16Type());
    Value bits = arith::TruncIOp::create(
        b, vecI16, arith::OrIOp::create(b, mag, sign));
    Value h = arith::BitcastOp::create(
        b, VectorType::get({8}, b.getF16Type()), bits);
    Value v = arith::ExtFOp::create(b, vecF32, h);
    return rescale ? Value(arith::MulFOp::create(b, v, splatF32(16384.0))) : v;
  }
  // nf4: 16 f32 levels in shared memory; the 16 distinct words lie in 16
  // banks, so a warp's lookups never conflict.
  SmallVector<Value> levels;
  for (int64_t j = 0; j < 8; ++j) {
    Value code = arith::IndexCastOp::create(
        b, b.getIndexType(), vector::ExtractOp::create(b, codes, j));
    levels.push_back(memref::LoadOp::create(b, nf4Table, code));
  }
  return vector::FromElementsOp::create(b, vecF32, levels);
}

Value GemvBuilder::scaleToF32(Value s) {
  if (spec.e8m0Scales) {
    // 2^(e − 127): the exponent field e; e = 0 is the subnormal 2^−127,
    // e = 255 NaN.
    Value e = arith::ExtUIOp::create(b, i32, s);
    auto cI32 = [&](int64_t v) {
      return arith::ConstantOp::create(b, b.getI32IntegerAttr(v));
    };
    Value bits = arith::ShLIOp::create(b, e, cI32(23));
    bits = arith::SelectOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, e, cI32(0)),
        cI32(0x00400000), bits);
    bits = arith::SelectOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, e, cI32(255)),
        cI32(0x7FC00000), bits);
    return arith::BitcastOp::create(b, f32, bits);
  }
  if (spec.e4m3Scales) {
    Value pair = vector::BroadcastOp::create(
        b, VectorType::get({2}, b.getI8Type()), s);
    Value h = NVVM::ConvertF8x2ToF16x2Op::create(
        b, VectorType::get({2}, b.getF16Type()), pair, /*relu=*/false,
        b.getType<Float8E4M3FNType>());
    Value v = toF32(vector::ExtractOp::create(b, h, 0));
    // e4m3 · 2^14 is exact (at most 448 · 2^14): the e2m1 decode's 2^−14.
    return spec.e2m1 ? Value(arith::MulFOp::create(
                           b, v,
                           arith::ConstantOp::create(
                               b, b.getF32FloatAttr(16384.0))))
                     : v;
  }
  return toF32(s);
}

Value GemvBuilder::shiftTerm(Value exps, Value signs, int64_t half) {
  auto bytes = [&](Value chunk) {
    Value v = vector::BitCastOp::create(
        b, VectorType::get({16}, b.getI8Type()), chunk);
    return arith::ExtSIOp::create(b, vecI32, slice(v, 8 * half, 8));
  };
  Value e = bytes(exps), sgn = bytes(signs);
  // (e + 127) << 23 is the biased exponent field of 2^e (e ∈ [−126, 127]);
  // the sign bit of −1 is bit 31; −(s & 1) keeps ±1 terms and zeroes s = 0.
  Value bits = arith::OrIOp::create(
      b,
      arith::ShLIOp::create(b, arith::AddIOp::create(b, e, splatI32(127)),
                            splatI32(23)),
      arith::AndIOp::create(b, sgn, splatI32(INT32_MIN)));
  Value keep = arith::SubIOp::create(
      b, splatI32(0), arith::AndIOp::create(b, sgn, splatI32(1)));
  return arith::BitcastOp::create(b, vecF32,
                                  arith::AndIOp::create(b, bits, keep));
}

Value GemvBuilder::gatherNm(Value indices, Value c, Value xRow,
                            ArrayRef<Value> xRaw, Value x) {
  Value pos = arith::ExtUIOp::create(b, vecI32, indices);
  if (spec.nm24()) {
    // Kept value j lies in group j div 2 of the 16 columns 16c … 16c + 15:
    // pick x[4·(j div 2) + pos] with two selects on the position's bits
    // (only bits 0 and 1 are read: bad indices give wrong numbers, never
    // an out-of-bounds read).
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < 16; ++i)
      all.push_back(i);
    Value x16 = vector::ShuffleOp::create(b, xRaw[0], xRaw[1], all);
    auto candidates = [&](int64_t p) {
      SmallVector<int64_t> mask;
      for (int64_t j = 0; j < 8; ++j)
        mask.push_back(4 * (j / 2) + p);
      return vector::ShuffleOp::create(b, x16, x16, mask).getResult();
    };
    auto bit = [&](int64_t v) {
      return arith::CmpIOp::create(
          b, arith::CmpIPredicate::ne,
          arith::AndIOp::create(b, pos, splatI32(v)), splatI32(0));
    };
    Value b0 = bit(1), b1 = bit(2);
    Value lo = arith::SelectOp::create(b, b0, candidates(1), candidates(0));
    Value hi = arith::SelectOp::create(b, b0, candidates(3), candidates(2));
    return toF32(arith::SelectOp::create(b, b1, hi, lo));
  }
  // Any n:m: kept value j = 8c + i is column (j div n)·m + pos, pos
  // clamped to m − 1; x is a scalar memref here.
  pos = arith::MinUIOp::create(b, pos, splatI32(spec.nmM - 1));
  Value first = arith::MulIOp::create(b, c, idx(8));
  SmallVector<Value> elems;
  for (int64_t i = 0; i < 8; ++i) {
    Value j = arith::AddIOp::create(b, first, idx(i));
    Value col = arith::AddIOp::create(
        b,
        arith::MulIOp::create(b, arith::DivUIOp::create(b, j, idx(spec.nmN)),
                              idx(spec.nmM)),
        arith::IndexCastOp::create(b, b.getIndexType(),
                                   vector::ExtractOp::create(b, pos, i)));
    elems.push_back(
        toF32(memref::LoadOp::create(b, x, ValueRange{xRow, col})));
  }
  return vector::FromElementsOp::create(b, vecF32, elems);
}

Value GemvBuilder::decodeBytes(Value chunk, int64_t half, Value offset) {
  Type i8 = b.getI8Type(), f16 = b.getF16Type();
  auto vecF16 = VectorType::get({8}, f16);
  Value bytes =
      vector::BitCastOp::create(b, VectorType::get({16}, i8), chunk);
  Value codes = slice(bytes, 8 * half, 8);
  if (spec.fp8Codes) {
    // cvt.rn.f16x2.e4m3x2 / .e5m2x2: two codes per instruction, exact in
    // f16.
    auto halfPair = VectorType::get({2}, f16);
    Type fp8 = spec.fp8E5M2 ? Type(b.getType<Float8E5M2Type>())
                            : Type(b.getType<Float8E4M3FNType>());
    SmallVector<Value> pairs;
    for (int64_t p = 0; p < 4; ++p)
      pairs.push_back(NVVM::ConvertF8x2ToF16x2Op::create(
          b, halfPair, slice(codes, 2 * p, 2), /*relu=*/false, fp8));
    Value lo = vector::ShuffleOp::create(b, pairs[0], pairs[1],
                                         ArrayRef<int64_t>{0, 1, 2, 3});
    Value hi = vector::ShuffleOp::create(b, pairs[2], pairs[3],
                                         ArrayRef<int64_t>{0, 1, 2, 3});
    Value out = vector::ShuffleOp::create(
        b, lo, hi, ArrayRef<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
    return arith::ExtFOp::create(b, vecF32, out);
  }
  // int8: the code (sign bit flipped, so c = q + 128) in the low byte of the
  // f16 1024 is 1024 + c; subtracting 1152 leaves q exactly. uint8: 1024 +
  // c in f32 minus 1024 + z.
  auto vecI16 = VectorType::get({8}, b.getI16Type());
  Value wide = arith::ExtUIOp::create(b, vecI16, codes);
  Value biased = arith::OrIOp::create(
      b, wide,
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(vecI16, b.getI16IntegerAttr(0x6400))));
  if (!spec.signedCodes)
    return arith::SubFOp::create(
        b,
        arith::ExtFOp::create(
            b, vecF32, Value(arith::BitcastOp::create(b, vecF16, biased))),
        offset);
  Value q = arith::SubFOp::create(
      b, arith::BitcastOp::create(b, vecF16, biased),
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(vecF16, b.getF16FloatAttr(1152.0))));
  return arith::ExtFOp::create(b, vecF32, q);
}

Value GemvBuilder::warpSum(Value v) {
  for (int32_t offset = kWarpSize / 2; offset > 0; offset /= 2) {
    auto shuffle =
        gpu::ShuffleOp::create(b, v, offset, kWarpSize, gpu::ShuffleMode::XOR);
    v = arith::AddFOp::create(b, v, shuffle.getShuffleResult());
  }
  return v;
}

void GemvBuilder::build(ValueRange args) {
  const int64_t R = spec.rowsPerWarp, U = spec.unroll, MT = spec.mTile;
  GemvArgs ga = splitGemvArguments(args, spec);
  Value x = ga.x, w = ga.w, scales = ga.scales, zeros = ga.zeros,
        bias = ga.bias, y = ga.y;
  assert((!spec.bsr || U == 1) && "bsr rows have a run-time length");

  nibbleShifts = arith::ConstantOp::create(
      b, DenseElementsAttr::get(
             vecI32, ArrayRef<int32_t>{0, 4, 8, 12, 16, 20, 24, 28}));
  nibbleMask = splatI32(0xF);
  magicBits = splatI32(kMagicBits);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  if (nf4Table) {
    // Thread 0 writes the 16 nf4 levels (exact f32) before any lookup.
    auto ifFirst = scf::IfOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tid, idx(0)),
        /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifFirst.getThenRegion().front());
      for (int64_t i = 0; i < 16; ++i)
        memref::StoreOp::create(
            b,
            arith::ConstantOp::create(
                b, b.getF32FloatAttr(numerics::kNF4Codebook[i])),
            nf4Table, idx(i));
    }
    gpu::BarrierOp::create(b);
  }
  Value lane = arith::RemUIOp::create(b, tid, idx(kWarpSize));
  Value warp = arith::DivUIOp::create(b, tid, idx(kWarpSize));
  // Grid-stride kernels run with fewer blocks than row groups (as many as
  // fit on the GPU at once, chosen by the runtime): no partial last wave.
  Value blockIndex = blockIndexOverride
                         ? blockIndexOverride
                         : Value(gpu::BlockIdOp::create(b, gpu::Dimension::x));
  std::optional<OpBuilder::InsertionGuard> strideGuard;
  if (spec.gridStride) {
    auto rowLoop =
        scf::ForOp::create(b, blockIndex, idx(spec.gridX()),
                           gpu::GridDimOp::create(b, gpu::Dimension::x));
    strideGuard.emplace(b);
    b.setInsertionPoint(rowLoop.getBody()->getTerminator());
    blockIndex = rowLoop.getInductionVar();
  }
  Value blockRow = arith::MulIOp::create(b, blockIndex, idx(kWarpsPerBlock));
  Value rowBase = arith::MulIOp::create(
      b, arith::AddIOp::create(b, blockRow, warp), idx(R));
  Value mBase = arith::MulIOp::create(
      b, gpu::BlockIdOp::create(b, gpu::Dimension::y), idx(MT));
  // Rows past N (last block) read row N − 1 and store nothing.
  SmallVector<Value> rows, rowIds;
  for (int64_t r = 0; r < R; ++r) {
    Value row = arith::AddIOp::create(b, rowBase, idx(r));
    rowIds.push_back(row);
    rows.push_back(arith::MinUIOp::create(b, row, idx(spec.n - 1)));
  }
  SmallVector<Value> xRows;
  for (int64_t i = 0; i < MT; ++i)
    xRows.push_back(arith::AddIOp::create(b, mBase, idx(i)));

  // Scalar accumulators when vector ones would not fit in registers.
  const bool vectorAcc = 8 * MT * R <= 128;
  // One scale per row (channel / tensor, shift_linear's): applied to the
  // final sums.
  const bool scaleAtEnd =
      (spec.quant && spec.scaleCols == 1) || (spec.shift && spec.shiftScale);
  // Scales per chunk (nvfp4: groups of 16, two per chunk of 32 codes).
  const int64_t scalesPerChunk =
      spec.quant && !scaleAtEnd && spec.scaleSpan < spec.chunkElems()
          ? spec.chunkElems() / spec.scaleSpan
          : 1;
  // Group scales at M = 1: applied to each chunk's partial sum.
  const bool scaleAfter =
      spec.quant && MT == 1 && !scaleAtEnd && scalesPerChunk == 1;
  Value zeroAcc =
      vectorAcc ? splatF32(0.0)
                : Value(arith::ConstantOp::create(b, b.getF32FloatAttr(0.0)));
  SmallVector<Value> init(MT * R, zeroAcc);
  const int64_t chunks = spec.chunks();
  Value zeroIdx = idx(0);
  Value signedOffset = splatF32(kMagic + 8.0);
  Value signFlip = arith::ConstantOp::create(
      b, DenseElementsAttr::get(
             VectorType::get({4}, i32),
             b.getI32IntegerAttr(spec.codeBits == 8 ? 0x80808080
                                                    : 0x88888888)));
  const int64_t xPerChunk = spec.nm ? 1 : spec.chunkElems() / 8;

  // bsr: the warp's rows lie in one block row rb (R divides bn); its chunks
  // j < (end − begin)·bk/8 are chunk j mod bk/8 of stored block
  // begin + j div bk/8. Indices are clamped into range, so bad index arrays
  // read wrong weights, never outside the buffers.
  Value loopEnd = idx(chunks), blockBegin;
  const int64_t blockChunks = spec.blockCols / 8;
  if (spec.bsr) {
    auto readIndex = [&](Value memref, Value i, int64_t bound) {
      Value v = memref::LoadOp::create(b, memref, i);
      return arith::MinUIOp::create(
          b, arith::IndexCastOp::create(b, b.getIndexType(), v), idx(bound));
    };
    Value rb = arith::DivUIOp::create(b, rows[0], idx(spec.blockRows));
    blockBegin = readIndex(ga.offsets, rb, spec.numBlocks);
    Value blockEnd = arith::MaxUIOp::create(
        b, blockBegin,
        readIndex(ga.offsets, arith::AddIOp::create(b, rb, idx(1)),
                  spec.numBlocks));
    loopEnd = arith::MulIOp::create(
        b, arith::SubIOp::create(b, blockEnd, blockBegin), idx(blockChunks));
  }

  auto loop = scf::ForOp::create(
      b, lane, loopEnd, idx(kWarpSize * U), init,
      [&](OpBuilder &ob, Location, Value c0, ValueRange accIn) {
        // Build the body with `b` (implicit location) at `ob`'s point.
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        SmallVector<Value> acc(accIn.begin(), accIn.end());
        // All loads of this step first, so that U·R 16-byte loads per lane
        // are in flight together.
        SmallVector<Value> cs, scaleVals, offsets;
        // Per (u, r): the W chunk (dense, codes, nm values), then the nm
        // indices, or the exponent and sign chunks of each shift term.
        SmallVector<SmallVector<Value>> loaded(U * R);
        for (int64_t u = 0; u < U; ++u)
          cs.push_back(
              u == 0 ? c0
                     : Value(arith::AddIOp::create(b, c0, idx(kWarpSize * u))));
        // Where chunk u of row r lies in W and which 8-element chunks of x
        // it multiplies (from xCol[u] on).
        SmallVector<Value> wCol(cs), xCol;
        SmallVector<SmallVector<Value>> wRow(U, SmallVector<Value>(rows));
        for (int64_t u = 0; u < U; ++u) {
          if (!spec.bsr) {
            // (nm 2:4: chunk c's 8 kept values span x chunks 2c, 2c + 1.)
            xCol.push_back(arith::MulIOp::create(
                b, cs[u], idx(spec.nm24() ? 2 : xPerChunk)));
            continue;
          }
          Value e = arith::AddIOp::create(
              b, blockBegin, arith::DivUIOp::create(b, cs[u], idx(blockChunks)));
          wCol[u] = arith::RemUIOp::create(b, cs[u], idx(blockChunks));
          Value cb = arith::MinUIOp::create(
              b,
              arith::IndexCastOp::create(b, b.getIndexType(),
                                         memref::LoadOp::create(b, ga.cols, e)),
              idx(spec.k / spec.blockCols - 1));
          xCol.push_back(arith::AddIOp::create(
              b, arith::MulIOp::create(b, cb, idx(blockChunks)), wCol[u]));
          Value eRow = arith::MulIOp::create(b, e, idx(spec.blockRows));
          for (int64_t r = 0; r < R; ++r)
            wRow[u][r] = arith::AddIOp::create(
                b, eRow, arith::RemUIOp::create(b, rows[r], idx(spec.blockRows)));
        }
        for (int64_t u = 0; u < U; ++u)
          for (int64_t r = 0; r < R; ++r) {
            SmallVector<Value> &l = loaded[u * R + r];
            if (spec.shift) {
              for (int64_t t = 0; t < spec.terms; ++t) {
                Value row = arith::AddIOp::create(b, rows[r],
                                                  idx(t * spec.n));
                l.push_back(
                    memref::LoadOp::create(b, w, ValueRange{row, wCol[u]}));
                l.push_back(memref::LoadOp::create(b, ga.signs,
                                                   ValueRange{row, wCol[u]}));
              }
              continue;
            }
            l.push_back(
                memref::LoadOp::create(b, w, ValueRange{wRow[u][r], wCol[u]}));
            if (spec.nm)
              l.push_back(memref::LoadOp::create(b, ga.indices,
                                                 ValueRange{rows[r], wCol[u]}));
          }
        if (spec.quant) {
          for (int64_t u = 0; u < U; ++u) {
            SmallVector<Value> groups;
            for (int64_t g = 0; g < scalesPerChunk; ++g)
              groups.push_back(
                  scaleAtEnd
                      ? zeroIdx
                      : Value(arith::DivUIOp::create(
                            b,
                            arith::AddIOp::create(
                                b,
                                arith::MulIOp::create(b, cs[u],
                                                      idx(spec.chunkElems())),
                                idx(g * spec.scaleSpan)),
                            idx(spec.scaleSpan))));
            for (int64_t r = 0; r < R; ++r) {
              Value srow = spec.scaleRows == 1 ? zeroIdx : rows[r];
              for (Value group : groups)
                scaleVals.push_back(
                    scaleAtEnd ? Value()
                               : scaleToF32(memref::LoadOp::create(
                                     b, scales, ValueRange{srow, group})));
              if (spec.signedCodes) {
                offsets.push_back(signedOffset);
                continue;
              }
              Value z = memref::LoadOp::create(b, zeros,
                                               ValueRange{srow, groups[0]});
              Value zf = arith::UIToFPOp::create(
                  b, f32, arith::ExtUIOp::create(b, i32, z));
              // 2^23 + z under int4 codes, 1024 + z under uint8 ones.
              Value off = arith::AddFOp::create(
                  b, zf,
                  arith::ConstantOp::create(
                      b, b.getF32FloatAttr(spec.codeBits == 8 ? 1024.0
                                                              : kMagic)));
              offsets.push_back(vector::BroadcastOp::create(b, vecF32, off));
            }
          }
        }
        for (int64_t u = 0; u < U; ++u) {
          // Decoded weights of this chunk, per row: vector<8xf32> that
          // multiply x vector wv[r][i] mod xPerChunk (4 int4, 2 8-bit, 1
          // dense or nm; 2 per term for shift_linear).
          SmallVector<SmallVector<Value>> wv(R);
          for (int64_t r = 0; r < R; ++r) {
            ArrayRef<Value> l = loaded[u * R + r];
            if (spec.shift) {
              for (int64_t t = 0; t < spec.terms; ++t)
                for (int64_t h = 0; h < 2; ++h)
                  wv[r].push_back(shiftTerm(l[2 * t], l[2 * t + 1], h));
              continue;
            }
            Value chunk = l[0];
            if (!spec.quant) {
              wv[r].push_back(toF32(chunk));
              continue;
            }
            if (spec.signedCodes && !spec.floatCodes())
              chunk = arith::XOrIOp::create(b, chunk, signFlip);
            const bool scaled = !scaleAtEnd && !scaleAfter;
            for (int64_t i = 0; i < xPerChunk; ++i) {
              Value q = spec.codeBits == 8 ? decodeBytes(chunk, i,
                                                         offsets[u * R + r])
                        : spec.floatCodes()
                            ? decodeFloatWord(chunk, i,
                                              !spec.e4m3Scales && !scaleAfter)
                            : decodeWord(chunk, i, offsets[u * R + r]);
              Value sv =
                  scaled
                      ? Value(vector::BroadcastOp::create(
                            b, vecF32,
                            scaleVals[(u * R + r) * scalesPerChunk +
                                      i * scalesPerChunk / xPerChunk]))
                      : Value();
              wv[r].push_back(scaled ? Value(arith::MulFOp::create(b, q, sv))
                                     : q);
            }
          }
          for (int64_t mi = 0; mi < MT; ++mi) {
            // x chunks shared by the rows (nm 2:4: the raw chunks 2c, 2c+1
            // the selects pick from; other n:m: none, gathered per row).
            SmallVector<Value> xv;
            const int64_t xLoads = spec.nm ? (spec.nm24() ? 2 : 0) : xPerChunk;
            for (int64_t i = 0; i < xLoads; ++i) {
              Value col =
                  i ? Value(arith::AddIOp::create(b, xCol[u], idx(i))) : xCol[u];
              Value xi =
                  memref::LoadOp::create(b, x, ValueRange{xRows[mi], col});
              xv.push_back(spec.nm ? xi : toF32(xi));
            }
            for (int64_t r = 0; r < R; ++r) {
              SmallVector<Value> xr(xv);
              if (spec.nm)
                xr = {gatherNm(loaded[u * R + r][1], cs[u], xRows[mi], xv, x)};
              Value &a = acc[mi * R + r];
              const int64_t nw = wv[r].size();
              if (vectorAcc && !scaleAfter) {
                for (int64_t i = 0; i < nw; ++i)
                  a = vector::FMAOp::create(b, wv[r][i], xr[i % xPerChunk], a);
                continue;
              }
              Value t = arith::MulFOp::create(b, wv[r][0], xr[0]);
              for (int64_t i = 1; i < nw; ++i)
                t = vector::FMAOp::create(b, wv[r][i], xr[i % xPerChunk], t);
              Value s = scaleAfter ? scaleVals[u * R + r] : Value();
              if (scaleAfter && spec.e2m1) // the 2^14 the decode left out
                t = arith::MulFOp::create(b, t, splatF32(16384.0));
              if (vectorAcc) {
                a = vector::FMAOp::create(
                    b, vector::BroadcastOp::create(b, vecF32, s), t, a);
                continue;
              }
              Value sum =
                  vector::ReductionOp::create(b, vector::CombiningKind::ADD, t);
              if (s)
                sum = arith::MulFOp::create(b, s, sum);
              a = arith::AddFOp::create(b, a, sum);
            }
          }
        }
        scf::YieldOp::create(b, acc);
      });

  SmallVector<Value> sums;
  for (Value a : loop.getResults()) {
    Value v = vectorAcc ? Value(vector::ReductionOp::create(
                              b, vector::CombiningKind::ADD, a))
                        : a;
    sums.push_back(warpSum(v));
  }
  Value isLane0 =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, zeroIdx);
  auto ifLane0 = scf::IfOp::create(b, isLane0, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifLane0.getThenRegion().front());
  for (int64_t r = 0; r < R; ++r) {
    Value inRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                          rowIds[r], idx(spec.n));
    auto ifRow = scf::IfOp::create(b, inRange, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard rowGuard(b);
    b.setInsertionPointToStart(&ifRow.getThenRegion().front());
    Value bv = bias ? toF32(memref::LoadOp::create(b, bias, rows[r])) : Value();
    Value rowScale =
        scaleAtEnd
            ? scaleToF32(memref::LoadOp::create(
                  b, scales,
                  ValueRange{spec.scaleRows == 1 ? zeroIdx : rows[r], zeroIdx}))
            : Value();
    Value tensorScale =
        spec.tensorScale
            ? Value(memref::LoadOp::create(b, ga.tensorScale, zeroIdx))
            : Value();
    for (int64_t mi = 0; mi < MT; ++mi) {
      Value v = sums[mi * R + r];
      if (rowScale)
        v = arith::MulFOp::create(b, v, rowScale);
      if (tensorScale)
        v = arith::MulFOp::create(b, v, tensorScale);
      if (bv)
        v = arith::AddFOp::create(b, v, bv);
      storeWithEpilogue(b, spec.epilogue, v, ga.residual, y, xRows[mi],
                        rows[r]);
    }
  }
}

} // namespace

GemvArgs splitGemvArguments(ValueRange args, const GemvSpec &spec) {
  GemvArgs a;
  unsigned argNo = 0;
  a.x = args[argNo++];
  a.w = args[argNo++];
  a.scales = spec.quant ? args[argNo++] : Value();
  a.zeros = spec.quant && !spec.signedCodes ? args[argNo++] : Value();
  a.tensorScale = spec.tensorScale ? args[argNo++] : Value();
  a.indices = spec.nm ? args[argNo++] : Value();
  a.signs = spec.shift ? args[argNo++] : Value();
  a.scales = spec.shift && spec.shiftScale ? args[argNo++] : a.scales;
  a.cols = spec.bsr ? args[argNo++] : Value();
  a.offsets = spec.bsr ? args[argNo++] : Value();
  a.bias = spec.hasBias ? args[argNo++] : Value();
  a.residual = spec.epilogue.hasResidual() ? args[argNo++] : Value();
  a.y = args[argNo++];
  return a;
}

SmallVector<Type> gemvArgumentTypes(OpBuilder &builder, const GemvSpec &spec) {
  Type i32 = builder.getI32Type();
  SmallVector<Type> argTypes;
  Type i8 = builder.getI8Type();
  // x: 16-byte chunks, or scalars for the n:m gathers other than 2:4.
  argTypes.push_back(spec.nm && !spec.nm24()
                         ? globalMemRef({spec.m, spec.k}, spec.xType)
                         : globalMemRef({spec.m, spec.k / 8},
                                        VectorType::get({8}, spec.xType)));
  if (spec.quant) {
    argTypes.push_back(globalMemRef({spec.n, spec.chunks()},
                                    VectorType::get({4}, i32)));
    argTypes.push_back(
        globalMemRef({spec.scaleRows, spec.scaleCols},
                     spec.e8m0Scales || spec.e4m3Scales ? i8 : spec.scaleType));
    if (!spec.signedCodes)
      argTypes.push_back(
          globalMemRef({spec.scaleRows, spec.scaleCols}, i8));
    if (spec.tensorScale)
      argTypes.push_back(globalMemRef({1}, builder.getF32Type()));
  } else if (spec.nm) {
    argTypes.push_back(globalMemRef({spec.n, spec.chunks()},
                                    VectorType::get({8}, spec.wType)));
    argTypes.push_back(
        globalMemRef({spec.n, spec.chunks()}, VectorType::get({8}, i8)));
  } else if (spec.shift) {
    for (int plane = 0; plane < 2; ++plane) // exponents, signs
      argTypes.push_back(globalMemRef({spec.terms * spec.n, spec.chunks()},
                                      VectorType::get({4}, i32)));
    if (spec.shiftScale)
      argTypes.push_back(globalMemRef({spec.n, 1}, spec.scaleType));
  } else if (spec.bsr) {
    argTypes.push_back(
        globalMemRef({spec.numBlocks * spec.blockRows, spec.blockCols / 8},
                     VectorType::get({8}, spec.wType)));
    argTypes.push_back(globalMemRef({spec.numBlocks}, spec.indexType));
    argTypes.push_back(
        globalMemRef({spec.n / spec.blockRows + 1}, spec.indexType));
  } else {
    argTypes.push_back(
        globalMemRef({spec.n, spec.k / 8}, VectorType::get({8}, spec.wType)));
  }
  if (spec.hasBias)
    argTypes.push_back(globalMemRef({spec.n}, spec.biasType));
  if (spec.epilogue.hasResidual())
    argTypes.push_back(
        globalMemRef(residualShape(spec.m, spec.n, spec.epilogue),
                     spec.epilogue.residualType));
  argTypes.push_back(globalMemRef({spec.m, spec.n}, spec.yType));
  return argTypes;
}

gpu::GPUFuncOp buildGemvKernel(OpBuilder &builder, Location loc, StringRef name,
                               const GemvSpec &spec) {
  auto func = createKernel(builder, loc, name, gemvArgumentTypes(builder, spec),
                           kWarpsPerBlock * kWarpSize);
  Value nf4Table =
      spec.nf4 ? func.addWorkgroupAttribution(
                     sharedMemRef({16}, builder.getF32Type()), loc)
               : Value();
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  GemvBuilder(b, spec, nf4Table).build(entry.getArguments());
  gpu::ReturnOp::create(b);
  return func;
}

gpu::GPUFuncOp buildGemvKernelOn(OpBuilder &builder, Location loc,
                                 StringRef name, const GemvSpec &spec,
                                 ArrayRef<Type> argTypes,
                                 ArrayRef<unsigned> use) {
  auto func =
      createKernel(builder, loc, name, argTypes, kWarpsPerBlock * kWarpSize);
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  SmallVector<Value> picked;
  for (unsigned i : use)
    picked.push_back(entry.getArgument(i));
  GemvBuilder(b, spec).build(picked);
  gpu::ReturnOp::create(b);
  return func;
}

namespace {
/// Phase 1: t[M, r] = x · vᵀ in f32; phase 2: y = t · uᵀ + bias, epilogue.
std::pair<GemvSpec, GemvSpec> lowRankPhases(OpBuilder &builder,
                                            const GemvSpec &spec) {
  GemvSpec p1 = spec, p2 = spec;
  p1.lowRank = p2.lowRank = false;
  p1.gridStride = p2.gridStride = false; // launched as listed in the manifest
  p1.n = spec.rank;
  p1.yType = builder.getF32Type();
  p1.hasBias = false;
  p1.epilogue = EpilogueSpec(); // the epilogue is phase 2's
  p2.k = spec.rank;
  p2.xType = builder.getF32Type();
  p2.wType = spec.uType;
  for (GemvSpec *p : {&p1, &p2})
    if ((p->k / 8) % (kWarpSize * p->unroll) != 0)
      p->unroll = 1; // unrolled steps must not run past the row
  return {p1, p2};
}
} // namespace

std::pair<GemvSpec, GemvSpec> buildLowRankKernels(OpBuilder &builder,
                                                  Location loc, StringRef name,
                                                  const GemvSpec &spec) {
  auto [p1, p2] = lowRankPhases(builder, spec);
  SmallVector<Type> t1 = gemvArgumentTypes(builder, p1);
  SmallVector<Type> t2 = gemvArgumentTypes(builder, p2);
  // Whole list x, u, v, [bias], [residual], t, y; each phase types what it
  // uses (the arguments are bare pointers) and leaves the others untouched.
  Type unused = globalMemRef({1}, builder.getI8Type());
  SmallVector<Type> args1 = {t1[0], unused, t1[1]};
  SmallVector<Type> args2 = {unused, t2[1], unused};
  SmallVector<unsigned> extras; // bias, residual: phase 2's
  for (unsigned i = 2; i + 1 < t2.size(); ++i) {
    extras.push_back(args2.size());
    args1.push_back(unused);
    args2.push_back(t2[i]);
  }
  args1.append({t1.back(), unused});
  args2.append({t2[0], t2.back()});
  const unsigned nargs = args1.size();
  auto build = [&](StringRef suffix, ArrayRef<Type> types, const GemvSpec &p,
                   ArrayRef<unsigned> use) {
    buildGemvKernelOn(builder, loc, (name + suffix).str(), p, types, use);
  };
  build("_p1", args1, p1, {0, 2, nargs - 2});
  SmallVector<unsigned> use2 = {nargs - 2, 1};
  use2.append(extras.begin(), extras.end());
  use2.push_back(nargs - 1);
  build("_p2", args2, p2, use2);
  return {p1, p2};
}

std::pair<GemvSpec, GemvSpec> buildLowRankFusedKernel(OpBuilder &builder,
                                                      Location loc,
                                                      StringRef name,
                                                      const GemvSpec &spec) {
  assert(spec.m <= 16 && spec.mTile == spec.m && !spec.gridStride &&
         "one M tile, one block per row group");
  auto [p1, p2] = lowRankPhases(builder, spec);
  SmallVector<Type> t1 = gemvArgumentTypes(builder, p1); // x, v, t
  SmallVector<Type> t2 = gemvArgumentTypes(builder, p2); // t, u, …, y
  Type i32 = builder.getI32Type();
  // t as bytes, viewed as phase 1's scalars and phase 2's 8-float chunks.
  SmallVector<Type> argTypes = {t1[0], t2[1], t1[1]};
  argTypes.append(t2.begin() + 2, t2.end() - 1); // [bias], [residual]
  const unsigned extras = t2.size() - 3;
  argTypes.append({globalMemRef({spec.m * spec.rank * 4}, builder.getI8Type()),
                   globalMemRef({2}, i32), t2.back()});
  auto func = createKernel(builder, loc, name, argTypes,
                           kWarpsPerBlock * kWarpSize);
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  ValueRange args = entry.getArguments();
  Value tBytes = args[3 + extras], sync = args[4 + extras];
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value tRows = memref::ViewOp::create(b, cast<MemRefType>(t1.back()), tBytes,
                                       zero, ValueRange{});
  Value tChunks = memref::ViewOp::create(b, cast<MemRefType>(t2[0]), tBytes,
                                         zero, ValueRange{});
  auto ci32 = [&](int64_t v) {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(v)).getResult();
  };
  auto atomic = [&](arith::AtomicRMWKind kind, int64_t value, int64_t slot) {
    return memref::AtomicRMWOp::create(
               b, arith::AtomicRMWKindAttr::get(b.getContext(), kind),
               ci32(value), sync,
               ValueRange{arith::ConstantIndexOp::create(b, slot)})
        .getResult();
  };
  Value bx = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value first = arith::CmpIOp::create(
      b, arith::CmpIPredicate::eq, gpu::ThreadIdOp::create(b, gpu::Dimension::x),
      zero);
  const int64_t g1 = p1.gridX(), g2 = p2.gridX();
  auto phase = scf::IfOp::create(
      b,
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, bx,
                            arith::ConstantIndexOp::create(b, g1)),
      /*withElseRegion=*/true);
  {
    // Phase 1, then release: t visible GPU-wide before the block counts.
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&phase.getThenRegion().front());
    GemvBuilder gb(b, p1);
    gb.setBlockIndex(bx);
    gb.build({args[0], args[2], tRows});
    NVVM::MembarOp::create(b, NVVM::MemScopeKind::GPU);
    gpu::BarrierOp::create(b);
    ifThen(b, first, [&] { atomic(arith::AtomicRMWKind::addi, 1, 0); });
  }
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&phase.getElseRegion().front());
    ifThen(b, first, [&] {
      // Wait for the g1 phase-1 blocks (an atomic read: or 0).
      auto wait = scf::WhileOp::create(b, TypeRange{}, ValueRange{});
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(b.createBlock(&wait.getBefore()));
        Value done = atomic(arith::AtomicRMWKind::ori, 0, 0);
        scf::ConditionOp::create(
            b,
            arith::CmpIOp::create(b, arith::CmpIPredicate::ult, done,
                                  ci32(g1)),
            ValueRange{});
        b.setInsertionPointToStart(b.createBlock(&wait.getAfter()));
        NVVM::NanosleepOp::create(b, ci32(64));
        scf::YieldOp::create(b);
      }
      // The last phase-2 block past the wait leaves sync at 0.
      Value passed = atomic(arith::AtomicRMWKind::addi, 1, 1);
      ifThen(b,
             arith::CmpIOp::create(b, arith::CmpIPredicate::eq, passed,
                                   ci32(g2 - 1)),
             [&] {
               atomic(arith::AtomicRMWKind::assign, 0, 0);
               atomic(arith::AtomicRMWKind::assign, 0, 1);
             });
    });
    NVVM::MembarOp::create(b, NVVM::MemScopeKind::GPU);
    gpu::BarrierOp::create(b);
    GemvBuilder gb(b, p2);
    gb.setBlockIndex(arith::SubIOp::create(
        b, bx, arith::ConstantIndexOp::create(b, g1)));
    SmallVector<Value> use = {tChunks, args[1]};
    use.append(args.begin() + 3, args.begin() + 3 + extras);
    use.push_back(args.back());
    gb.build(use);
  }
  gpu::ReturnOp::create(b);
  return {p1, p2};
}

} // namespace linea::gpu_codegen
