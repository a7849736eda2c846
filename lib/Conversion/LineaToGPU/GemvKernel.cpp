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
  GemvBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec)
      : b(b), spec(spec), f32(b.getF32Type()), i32(b.getI32Type()),
        vecF32(VectorType::get({8}, f32)), vecI32(VectorType::get({8}, i32)) {}

  void build(ValueRange args);

private:
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
  /// Element i of the 4×i32 chunk as vector<8xf32> of (code − zero), code j
  /// of the word at lane j.
  Value decodeWord(Value chunk, int64_t i, Value offset);
  /// Bytes 8·half … 8·half + 7 of a 16-byte chunk of 8-bit codes as
  /// vector<8xf32> (int8 codes arrive with their sign bits flipped).
  Value decodeBytes(Value chunk, int64_t half);
  /// Sum over the warp of a per-lane f32.
  Value warpSum(Value v);

  ImplicitLocOpBuilder &b;
  const GemvSpec &spec;
  Type f32, i32;
  VectorType vecF32, vecI32;
  Value nibbleShifts, nibbleMask, magicBits;
};

Value GemvBuilder::decodeWord(Value chunk, int64_t i, Value offset) {
  Value word = vector::ExtractOp::create(b, chunk, i);
  Value words = vector::BroadcastOp::create(b, vecI32, word);
  Value codes = arith::AndIOp::create(
      b, arith::ShRUIOp::create(b, words, nibbleShifts), nibbleMask);
  Value biased = arith::BitcastOp::create(
      b, vecF32, arith::OrIOp::create(b, codes, magicBits));
  return arith::SubFOp::create(b, biased, offset);
}

Value GemvBuilder::decodeBytes(Value chunk, int64_t half) {
  Type i8 = b.getI8Type(), f16 = b.getF16Type();
  auto vecF16 = VectorType::get({8}, f16);
  Value bytes =
      vector::BitCastOp::create(b, VectorType::get({16}, i8), chunk);
  // (vector.shuffle, not extract_strided_slice: convert-gpu-to-nvvm lowers
  // only the former.)
  auto slice = [&](Value v, int64_t begin, int64_t size) {
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < size; ++i)
      mask.push_back(begin + i);
    return vector::ShuffleOp::create(b, v, v, mask).getResult();
  };
  Value codes = slice(bytes, 8 * half, 8);
  if (spec.fp8Codes) {
    // cvt.rn.f16x2.e4m3x2: two codes per instruction, exact in f16.
    auto halfPair = VectorType::get({2}, f16);
    SmallVector<Value> pairs;
    for (int64_t p = 0; p < 4; ++p)
      pairs.push_back(NVVM::ConvertF8x2ToF16x2Op::create(
          b, halfPair, slice(codes, 2 * p, 2), /*relu=*/false,
          b.getType<Float8E4M3FNType>()));
    Value lo = vector::ShuffleOp::create(b, pairs[0], pairs[1],
                                         ArrayRef<int64_t>{0, 1, 2, 3});
    Value hi = vector::ShuffleOp::create(b, pairs[2], pairs[3],
                                         ArrayRef<int64_t>{0, 1, 2, 3});
    Value out = vector::ShuffleOp::create(
        b, lo, hi, ArrayRef<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
    return arith::ExtFOp::create(b, vecF32, out);
  }
  // int8: the code (sign bit flipped, so c = q + 128) in the low byte of the
  // f16 1024 is 1024 + c; subtracting 1152 leaves q exactly.
  auto vecI16 = VectorType::get({8}, b.getI16Type());
  Value wide = arith::ExtUIOp::create(b, vecI16, codes);
  Value biased = arith::OrIOp::create(
      b, wide,
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(vecI16, b.getI16IntegerAttr(0x6400))));
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
  Value lane = arith::RemUIOp::create(b, tid, idx(kWarpSize));
  Value warp = arith::DivUIOp::create(b, tid, idx(kWarpSize));
  // Grid-stride kernels run with fewer blocks than row groups (as many as
  // fit on the GPU at once, chosen by the runtime): no partial last wave.
  Value blockIndex = gpu::BlockIdOp::create(b, gpu::Dimension::x);
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
  // One scale per row (channel / tensor): applied to the final sums.
  const bool scaleAtEnd = spec.quant && spec.scaleCols == 1;
  // Group scales at M = 1: applied to each chunk's partial sum.
  const bool scaleAfter = spec.quant && MT == 1 && !scaleAtEnd;
  Value zeroAcc =
      vectorAcc ? splatF32(0.0)
                : Value(arith::ConstantOp::create(b, b.getF32FloatAttr(0.0)));
  SmallVector<Value> init(MT * R, zeroAcc);
  const int64_t chunks = spec.k / spec.chunkElems();
  Value zeroIdx = idx(0);
  Value signedOffset = splatF32(kMagic + 8.0);
  Value signFlip = arith::ConstantOp::create(
      b, DenseElementsAttr::get(
             VectorType::get({4}, i32),
             b.getI32IntegerAttr(spec.codeBits == 8 ? 0x80808080
                                                    : 0x88888888)));
  const int64_t xPerChunk = spec.chunkElems() / 8;

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
        SmallVector<Value> cs, loaded, scaleVals, offsets;
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
            xCol.push_back(arith::MulIOp::create(b, cs[u], idx(xPerChunk)));
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
          for (int64_t r = 0; r < R; ++r)
            loaded.push_back(
                memref::LoadOp::create(b, w, ValueRange{wRow[u][r], wCol[u]}));
        if (spec.quant) {
          for (int64_t u = 0; u < U; ++u) {
            Value group =
                scaleAtEnd
                    ? zeroIdx
                    : Value(arith::DivUIOp::create(
                          b,
                          arith::MulIOp::create(b, cs[u],
                                                idx(spec.chunkElems())),
                          idx(spec.scaleSpan)));
            for (int64_t r = 0; r < R; ++r) {
              Value srow = spec.scaleRows == 1 ? zeroIdx : rows[r];
              scaleVals.push_back(
                  scaleAtEnd ? Value()
                             : toF32(memref::LoadOp::create(
                                   b, scales, ValueRange{srow, group})));
              if (spec.signedCodes) {
                offsets.push_back(signedOffset);
                continue;
              }
              Value z =
                  memref::LoadOp::create(b, zeros, ValueRange{srow, group});
              Value zf = arith::UIToFPOp::create(
                  b, f32, arith::ExtUIOp::create(b, i32, z));
              Value off = arith::AddFOp::create(
                  b, zf,
                  arith::ConstantOp::create(b, b.getF32FloatAttr(kMagic)));
              offsets.push_back(vector::BroadcastOp::create(b, vecF32, off));
            }
          }
        }
        for (int64_t u = 0; u < U; ++u) {
          // Decoded weights of this chunk, per row: xPerChunk vector<8xf32>
          // (4 int4, 2 8-bit, 1 dense).
          SmallVector<SmallVector<Value>> wv(R);
          for (int64_t r = 0; r < R; ++r) {
            Value chunk = loaded[u * R + r];
            if (!spec.quant) {
              wv[r].push_back(toF32(chunk));
              continue;
            }
            if (spec.signedCodes && !spec.fp8Codes)
              chunk = arith::XOrIOp::create(b, chunk, signFlip);
            const bool scaled = !scaleAtEnd && !scaleAfter;
            Value sv = scaled ? Value(vector::BroadcastOp::create(
                                    b, vecF32, scaleVals[u * R + r]))
                              : Value();
            for (int64_t i = 0; i < xPerChunk; ++i) {
              Value q = spec.codeBits == 8
                            ? decodeBytes(chunk, i)
                            : decodeWord(chunk, i, offsets[u * R + r]);
              wv[r].push_back(scaled ? Value(arith::MulFOp::create(b, q, sv))
                                     : q);
            }
          }
          for (int64_t mi = 0; mi < MT; ++mi) {
            SmallVector<Value> xv;
            for (int64_t i = 0; i < xPerChunk; ++i) {
              Value col =
                  i ? Value(arith::AddIOp::create(b, xCol[u], idx(i))) : xCol[u];
              xv.push_back(toF32(
                  memref::LoadOp::create(b, x, ValueRange{xRows[mi], col})));
            }
            for (int64_t r = 0; r < R; ++r) {
              Value &a = acc[mi * R + r];
              if (vectorAcc && !scaleAfter) {
                for (int64_t i = 0; i < xPerChunk; ++i)
                  a = vector::FMAOp::create(b, wv[r][i], xv[i], a);
                continue;
              }
              Value t = arith::MulFOp::create(b, wv[r][0], xv[0]);
              for (int64_t i = 1; i < xPerChunk; ++i)
                t = vector::FMAOp::create(b, wv[r][i], xv[i], t);
              Value s = scaleAfter ? scaleVals[u * R + r] : Value();
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
  Type yElem = cast<MemRefType>(y.getType()).getElementType();
  for (int64_t r = 0; r < R; ++r) {
    Value inRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                          rowIds[r], idx(spec.n));
    auto ifRow = scf::IfOp::create(b, inRange, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard rowGuard(b);
    b.setInsertionPointToStart(&ifRow.getThenRegion().front());
    Value bv = bias ? toF32(memref::LoadOp::create(b, bias, rows[r])) : Value();
    Value rowScale =
        scaleAtEnd
            ? toF32(memref::LoadOp::create(
                  b, scales,
                  ValueRange{spec.scaleRows == 1 ? zeroIdx : rows[r], zeroIdx}))
            : Value();
    for (int64_t mi = 0; mi < MT; ++mi) {
      Value v = sums[mi * R + r];
      if (rowScale)
        v = arith::MulFOp::create(b, v, rowScale);
      if (bv)
        v = arith::AddFOp::create(b, v, bv);
      if (!yElem.isF32())
        v = arith::TruncFOp::create(b, yElem, v);
      memref::StoreOp::create(b, v, y, ValueRange{xRows[mi], rows[r]});
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
  a.cols = spec.bsr ? args[argNo++] : Value();
  a.offsets = spec.bsr ? args[argNo++] : Value();
  a.bias = spec.hasBias ? args[argNo++] : Value();
  a.y = args[argNo++];
  return a;
}

SmallVector<Type> gemvArgumentTypes(OpBuilder &builder, const GemvSpec &spec) {
  Type i32 = builder.getI32Type();
  SmallVector<Type> argTypes;
  argTypes.push_back(
      globalMemRef({spec.m, spec.k / 8}, VectorType::get({8}, spec.xType)));
  if (spec.quant) {
    argTypes.push_back(globalMemRef({spec.n, spec.k / spec.chunkElems()},
                                    VectorType::get({4}, i32)));
    argTypes.push_back(
        globalMemRef({spec.scaleRows, spec.scaleCols}, spec.scaleType));
    if (!spec.signedCodes)
      argTypes.push_back(globalMemRef({spec.scaleRows, spec.scaleCols},
                                      builder.getI8Type()));
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
  argTypes.push_back(globalMemRef({spec.m, spec.n}, spec.yType));
  return argTypes;
}

gpu::GPUFuncOp buildGemvKernel(OpBuilder &builder, Location loc, StringRef name,
                               const GemvSpec &spec) {
  auto func = createKernel(builder, loc, name, gemvArgumentTypes(builder, spec),
                           kWarpsPerBlock * kWarpSize);
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  GemvBuilder(b, spec).build(entry.getArguments());
  gpu::ReturnOp::create(b);
  return func;
}

std::pair<GemvSpec, GemvSpec> buildLowRankKernels(OpBuilder &builder,
                                                  Location loc, StringRef name,
                                                  const GemvSpec &spec) {
  // Phase 1: t[M, r] = x · vᵀ in f32; phase 2: y = t · uᵀ + bias.
  GemvSpec p1 = spec, p2 = spec;
  p1.lowRank = p2.lowRank = false;
  p1.gridStride = p2.gridStride = false; // launched as listed in the manifest
  p1.n = spec.rank;
  p1.yType = builder.getF32Type();
  p1.hasBias = false;
  p2.k = spec.rank;
  p2.xType = builder.getF32Type();
  p2.wType = spec.uType;
  for (GemvSpec *p : {&p1, &p2})
    if ((p->k / 8) % (kWarpSize * p->unroll) != 0)
      p->unroll = 1; // unrolled steps must not run past the row
  SmallVector<Type> t1 = gemvArgumentTypes(builder, p1);
  SmallVector<Type> t2 = gemvArgumentTypes(builder, p2);
  // Whole list x, u, v, [bias], t, y; each phase types what it uses (the
  // arguments are bare pointers) and leaves the others untouched.
  Type unused = globalMemRef({1}, builder.getI8Type());
  SmallVector<Type> args1 = {t1[0], unused, t1[1]};
  SmallVector<Type> args2 = {unused, t2[1], unused};
  if (spec.hasBias) {
    args1.push_back(unused);
    args2.push_back(t2[2]);
  }
  args1.append({t1.back(), unused});
  args2.append({t2[0], t2.back()});
  const unsigned nargs = args1.size();
  auto build = [&](StringRef suffix, ArrayRef<Type> types, const GemvSpec &p,
                   ArrayRef<unsigned> use) {
    auto func = createKernel(builder, loc, (name + suffix).str(), types,
                             kWarpsPerBlock * kWarpSize);
    ImplicitLocOpBuilder b(loc, builder.getContext());
    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    SmallVector<Value> picked;
    for (unsigned i : use)
      picked.push_back(entry.getArgument(i));
    GemvBuilder(b, p).build(picked);
    gpu::ReturnOp::create(b);
  };
  build("_p1", args1, p1, {0, 2, nargs - 2});
  SmallVector<unsigned> use2 = {nargs - 2, 1};
  if (spec.hasBias)
    use2.push_back(3);
  use2.push_back(nargs - 1);
  build("_p2", args2, p2, use2);
  return {p1, p2};
}

} // namespace linea::gpu_codegen
