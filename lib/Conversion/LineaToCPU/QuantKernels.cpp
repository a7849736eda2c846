//===- QuantKernels.cpp - vector kernels for linea.quant_linear -----------===//
//
// The reference lowering (QuantToLinalg.cpp) decodes the whole weight into
// a dense f32 N×K tensor on every call and then contracts it: 4–8× the
// memory traffic of the stored bytes plus a scalar decode per element. This
// pass replaces each supported layer, still at tensor level, by a call to a
// generated kernel on buffers that decodes the packed codes straight into
// vector registers:
//
//   X[m, p, c] = x̂[m, P·c + p]          (x copied once, split into the
//                                         P = 8 / bits code planes of a byte,
//                                         zero-padded to whole vectors)
//   scf.parallel over blocks of rows of W (≈ block-bytes of packed codes)
//     for m in steps of tileM, n in the block in steps of tileN
//       acc[i][j] : vector<VL × f32> = 0
//       for each scale column c (group), s_j = float(s[n+j, c]), z_j likewise
//         for byte chunks b of the group, VL bytes at a time:
//           codes = load VL bytes of row n+j            (vector of i8)
//           planes = widen (8-bit) | low, high nibble (4-bit)
//           ŵ_p = (float(q_p) − z_j) · s_j          (docs/formats.md §5,
//                                                     the same f32 ops)
//           acc[i][j] += X[m+i, p, b:b+VL] · ŵ_p
//       y[m+i, n+j] = Σ lanes acc[i][j] + bias[n+j]
//
// Each decoded vector serves tileM rows of x. The 4-bit planes are the even
// and odd elements, so x is stored de-interleaved once instead of shuffling
// every decoded vector. Where the tile has one row of x (M = 1, the rows of
// x left over) or the row one scale column, the multiply by s_j moves out
// of the byte loop: acc += s_j · Σ_group X·(q − z), one FMA per group
// instead of one multiply per decoded vector. Ŵ (and so y for x = I) is
// bit-identical to the reference; otherwise only the f32 rounding order
// differs. The last chunk of a row is a masked load when R is not a
// multiple of VL (the padding bytes meet zeros in X). For
// `dynamic_int8_per_token` x̂ is computed in the prologue with the
// reference's f32 operations; with int-dot its integer codes are kept
// (as i16) and, with vnni, each step is one vpdpwssd per accumulator (32
// i16 products summed into 16 i32 lanes), the scales applied per group.
//
// The loop above decodes each W tile once per tile of x rows. With many
// rows (M ≥ panel-min-rows, checked at run time) each W tile is instead
// decoded once into an f32 panel laid out like X, and every row tile runs
// plain FMAs over it: the decode is shared by all M rows, as the dense
// kernel's loads of W are.
//
//===----------------------------------------------------------------------===//

#include "../LineaToLinalg/LoweringUtils.h"
#include "KernelEmitterBase.h"
#include "LinearKernelCall.h"
#include "QuantDecode.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"


namespace linea {
#define GEN_PASS_DEF_CPUQUANTKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

using cpu_kernels::CodeDecode;

/// AVX512-VNNI's i16 pair dot product, acc + Σ pairs: an LLVM intrinsic,
/// which LLVM recognises by this name on a declared function.
constexpr StringLiteral kVpdpwssd = "llvm.x86.avx512.vpdpwssd.512";

/// Declares kVpdpwssd in `module` (once).
void vnniDeclaration(ModuleOp module) {
  Builder b(module.getContext());
  auto acc = VectorType::get({16}, b.getI32Type());
  auto pairs = VectorType::get({32}, b.getI16Type());
  cpu_kernels::declareIntrinsic(module, kVpdpwssd,
                                b.getFunctionType({acc, pairs, pairs}, {acc}));
}

/// The static facts of one supported layer that shape its kernel.
struct KernelShape {
  int64_t n = 0, k = 0, rowBytes = 0;
  unsigned bits = 8;
  int64_t planes = 1;      // codes per byte
  bool isSigned = true;    // two's complement codes
  bool asymmetric = false; // zero points present
  bool perTensor = false;  // scale row 0 for every n
  bool hasBias = false;
  CodeDecode decode = CodeDecode::integer;
  llvm::SmallVector<float, 16> table; // codebook values by code
  bool hasTensorScale = false;        // nvfp4: ŵ = (e2m1 · s) · t
  ActMode act = ActMode::weight_only;
  bool quantizeX = false;  // any activation mode but weight_only
  int64_t columns = 1;     // scale columns (groups) per row
  int64_t groupBytes = 0;  // packed bytes one scale column covers
  int64_t lanes = 16;      // f32 lanes of a vector
  int64_t chunkBytes = 16; // packed bytes per step: lanes, 2·lanes for intDot
  bool intDot = false;     // W8A8 as i16 pair dot products in i32
  bool vnni = false;       // ... each one AVX512-VNNI vpdpwssd
  Type scaleType;
};

/// Fills `shape` for `op` and returns "" when the kernel applies, else why
/// not.
std::string analyze(QuantLinearOp op, int64_t maxLanes, bool intDot,
                    bool vnni, int64_t permuteWidth, KernelShape &shape) {
  QFormatAttr format = op.getFormat();
  QElement element = format.getElement();
  std::optional<CodeDecode> decode = cpu_kernels::codeDecodeOf(element);
  if (!decode)
    return "element " + stringifyQElement(element).str() +
           " is not supported (its codes straddle bytes)";
  if (*decode != CodeDecode::integer && op.getZeroPoints())
    return "zero points on a floating-point element";
  auto xType = dyn_cast<RankedTensorType>(op.getX().getType());
  auto yType = dyn_cast<RankedTensorType>(op.getType());
  if (!xType || !xType.getElementType().isF32() || !yType ||
      !yType.getElementType().isF32())
    return "x is not an f32 tensor";
  auto qType = cast<RankedTensorType>(op.getQweight().getType());
  if (!qType.hasStaticShape() || ShapedType::isDynamic(xType.getShape().back()))
    return "K or the packed weight's shape is dynamic";
  if (Value bias = op.getBias())
    if (!cast<RankedTensorType>(bias.getType()).getElementType().isF32())
      return "bias is not f32";
  Type scaleType = format.getScaleType();
  if (!isa<Float32Type, Float16Type, BFloat16Type, Float8E8M0FNUType,
           Float8E4M3FNType>(scaleType))
    return "scale type is not f32, f16, bf16, f8E8M0FNU or f8E4M3FN";

  shape.n = qType.getDimSize(0);
  shape.rowBytes = qType.getDimSize(1);
  shape.k = xType.getShape().back();
  shape.bits = format.getElementBits();
  shape.planes = 8 / shape.bits;
  // fp8 codes are sign-extended like int8, as decodeFp8 takes them.
  shape.isSigned = element == QElement::int8 || element == QElement::int4 ||
                   *decode == CodeDecode::fp8E4M3 ||
                   *decode == CodeDecode::fp8E5M2;
  shape.asymmetric = bool(op.getZeroPoints());
  shape.perTensor = format.getGranularity() == Granularity::tensor;
  shape.hasBias = bool(op.getBias());
  shape.decode = *decode;
  if (*decode == CodeDecode::codebook)
    shape.table = cpu_kernels::codebookValues(element);
  shape.hasTensorScale = bool(op.getTensorScale());
  shape.act = format.getAct();
  shape.quantizeX = shape.act != ActMode::weight_only;
  shape.columns = format.getScaleColumns(shape.k);
  shape.scaleType = scaleType;
  shape.lanes = maxLanes;
  shape.groupBytes = shape.rowBytes;
  if (shape.columns > 1) {
    int64_t span = format.getScaleSpan(shape.k);
    if (span * shape.bits % 8 != 0)
      return "a group of " + std::to_string(span) +
             " 4-bit codes does not end on a byte boundary";
    shape.groupBytes = span * shape.bits / 8;
    // Every chunk of VL bytes lies inside one group.
    while (shape.groupBytes % shape.lanes != 0)
      shape.lanes /= 2;
  }
  shape.chunkBytes = shape.lanes;
  if (*decode == CodeDecode::codebook &&
      !cpu_kernels::canLookUp(shape.lanes, permuteWidth))
    return "the codebook lookup of " + std::to_string(shape.lanes) +
           "-lane steps needs an f32 lane permute of 8 or 16 lanes "
           "(permute-width = " +
           std::to_string(permuteWidth) + ")";
  // W8A8 as integers: x̂'s codes as i16 times the 8-bit codes, 32 per step into
  // 16 i32 lanes; groups must hold whole steps.
  if (intDot && shape.act == ActMode::dynamic_int8_per_token &&
      *decode == CodeDecode::integer && shape.bits == 8 && maxLanes == 16 &&
      (shape.columns == 1 || shape.groupBytes % 32 == 0)) {
    shape.intDot = true;
    shape.vnni = vnni;
    shape.lanes = 16;
    shape.chunkBytes = 32;
  }
  return "";
}

/// Emits the body of one kernel function on buffers.
class KernelEmitter : cpu_kernels::KernelEmitterBase {
public:
  KernelEmitter(OpBuilder &b, Location loc, const KernelShape &shape,
                int64_t tileM, int64_t tileN, int64_t blockBytes,
                int64_t minParallelWeights, int64_t panelMinRows)
      : KernelEmitterBase(b, loc), s(shape), tileM(tileM), tileN(tileN),
        blockBytes(blockBytes), minParallelWeights(minParallelWeights),
        panelMinRows(panelMinRows),
        f32(b.getF32Type()),
        vecType(VectorType::get({shape.lanes}, b.getF32Type())),
        paddedBytes((shape.rowBytes + shape.chunkBytes - 1) / shape.chunkBytes *
                    shape.chunkBytes) {}

  /// Arguments: x, qweight, scales, [zero points], [tensor scale],
  /// [act scale], [bias], y.
  void emit(ValueRange args) {
    unsigned i = 0;
    x = args[i++];
    q = args[i++];
    scales = args[i++];
    if (s.asymmetric)
      zeros = args[i++];
    if (s.hasTensorScale)
      tensorScale = vector::BroadcastOp::create(b, loc, vecType,
                                                loadScalar(args[i++]));
    if (s.act == ActMode::fp8_per_tensor)
      actScale = loadScalar(args[i++]);
    if (s.hasBias)
      bias = args[i++];
    y = args[i++];
    mSize = memref::DimOp::create(b, loc, x, 0);
    emitPrologue();
    emitMain();
  }

private:
  /// The f32 of a memref<f32> or memref<1xf32>.
  Value loadScalar(Value buffer) {
    SmallVector<Value> zeros(cast<MemRefType>(buffer.getType()).getRank(),
                             index(0));
    return memref::LoadOp::create(b, loc, buffer, zeros);
  }

  Value splatI32(int64_t v) {
    auto type = VectorType::get({s.lanes}, b.getI32Type());
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getI32IntegerAttr(v)));
  }


  /// X[m, p, c] = x̂[m, P·c + p], zero elsewhere. For intDot, X holds the
  /// integer codes of x̂ as i16 and `tokenScales` their s_t.
  void emitPrologue() {
    Type element = s.intDot ? Type(b.getI16Type()) : f32;
    auto xsType =
        MemRefType::get({ShapedType::kDynamic, s.planes, paddedBytes}, element);
    xs = memref::AllocOp::create(b, loc, xsType, ValueRange{mSize});
    if (s.intDot)
      tokenScales = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, f32),
          ValueRange{mSize});
    auto zeroType = VectorType::get({s.chunkBytes}, element);
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(zeroType, b.getZeroAttr(element)));
    loop(index(0), mSize, 1, [&](Value m) {
      for (int64_t p = 0; p < s.planes; ++p)
        loop(index(0), index(paddedBytes), s.chunkBytes, [&](Value c) {
          vector::StoreOp::create(b, loc, zero, xs, ValueRange{m, index(p), c});
        });
      Value scale = actScale;
      if (s.act == ActMode::dynamic_int8_per_token)
        scale = tokenScale(m, 127.0);
      else if (s.act == ActMode::fp8_per_token)
        scale = tokenScale(m, 448.0);
      if (s.intDot)
        memref::StoreOp::create(b, loc, scale, tokenScales, ValueRange{m});
      loop(index(0), index(s.k), 1, [&](Value k) {
        Value v = memref::LoadOp::create(b, loc, x, ValueRange{m, k});
        if (s.intDot)
          v = arith::FPToSIOp::create(b, loc, b.getI16Type(),
                                      roundInt8(v, scale));
        else if (scale)
          v = arith::MulFOp::create(b, loc, quantizeCode(v, scale), scale);
        Value plane = arith::RemUIOp::create(b, loc, k, index(s.planes));
        Value column = arith::DivUIOp::create(b, loc, k, index(s.planes));
        memref::StoreOp::create(b, loc, v, xs, ValueRange{m, plane, column});
      });
    });
  }

  /// s_t = max_k |x[m, k]| / qmax, or 1 for an all-zero token (§6).
  Value tokenScale(Value m, double qmax) {
    Value amax =
        loop(index(0), index(s.k), 1, {f32Const(0.0)},
             [&](Value k, ValueRange acc) -> SmallVector<Value> {
               Value v = memref::LoadOp::create(b, loc, x, ValueRange{m, k});
               Value a = math::AbsFOp::create(b, loc, v);
               return {arith::MaximumFOp::create(b, loc, a, acc[0])};
             })[0];
    Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                         amax, f32Const(0.0));
    return arith::SelectOp::create(
        b, loc, isZero, f32Const(1.0),
        arith::DivFOp::create(b, loc, amax, f32Const(qmax)));
  }

  /// x̂ / s before the multiply back: roundInt8 for the int8 modes, the
  /// nearest e4m3 value of v / s for the fp8 ones (the reference's ops).
  Value quantizeCode(Value v, Value scale) {
    if (s.act == ActMode::dynamic_int8_per_token)
      return roundInt8(v, scale);
    return roundToE4M3(b, loc, arith::DivFOp::create(b, loc, v, scale));
  }

  /// clamp(roundEven(v / s), −127, 127) (x̂ = this · s), the reference's
  /// f32 ops.
  Value roundInt8(Value v, Value scale) {
    Value r = math::RoundEvenOp::create(
        b, loc, arith::DivFOp::create(b, loc, v, scale));
    r = arith::MaximumFOp::create(b, loc, r, f32Const(-127.0));
    return arith::MinimumFOp::create(b, loc, r, f32Const(127.0));
  }

  /// Blocks of whole tiles of W rows in an scf.parallel, then the rows
  /// left over.
  void emitMain() {
    int64_t tileBytes = s.rowBytes * tileN;
    int64_t blockRows = std::max<int64_t>(1, blockBytes / tileBytes) * tileN;
    int64_t nFull = s.n - s.n % tileN;
    Value mFull = arith::SubIOp::create(
        b, loc, mSize, arith::RemUIOp::create(b, loc, mSize, index(tileM)));
    auto block = [&](Value n0) {
      Value nEnd =
          arith::MinUIOp::create(b, loc, add(n0, blockRows), index(nFull));
      loop(index(0), mFull, tileM, [&](Value m) {
        loop(n0, nEnd, tileN, [&](Value n) { emitTile(m, n, tileM, tileN); });
      });
      loop(mFull, mSize, 1, [&](Value m) {
        loop(n0, nEnd, tileN, [&](Value n) { emitTile(m, n, 1, tileN); });
      });
    };
    // Enough rows of x (known at run time) to share one decode of each W
    // tile, in f32, among all of them.
    if (nFull > 0 && !s.intDot && panelMinRows > 0) {
      Value many = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                         mSize, index(panelMinRows));
      ifElse(
          many, [&] { emitPanelBlocks(nFull, mFull); },
          [&] { overBlocks(nFull, blockRows, block); });
    } else if (nFull > 0) {
      overBlocks(nFull, blockRows, block);
    }
    if (nFull < s.n)
      loop(index(nFull), index(s.n), 1, [&](Value n) {
        loop(index(0), mFull, tileM,
             [&](Value m) { emitTile(m, n, tileM, 1); });
        loop(mFull, mSize, 1, [&](Value m) { emitTile(m, n, 1, 1); });
      });
  }

  /// block(n0) for n0 in [0, nFull) step blockRows; threads pay only for
  /// large weights (a small layer decodes faster than a thread wakes up).
  void overBlocks(int64_t nFull, int64_t blockRows,
                  llvm::function_ref<void(Value)> block) {
    if (s.n * s.k < minParallelWeights)
      return loop(index(0), index(nFull), blockRows, block);
    auto par = scf::ParallelOp::create(b, loc, ValueRange{index(0)},
                                       ValueRange{index(nFull)},
                                       ValueRange{index(blockRows)});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(par.getBody()->getTerminator());
    block(par.getInductionVars()[0]);
  }

  /// M ≥ panel-min-rows: each tile of tileN rows of W is decoded once into
  /// an f32 panel laid out as X (ŵ[j, p, c], the reference's f32 values),
  /// which every tile of rows of x then reads with plain FMAs, instead of
  /// decoding it again per tile of x rows. W is split into at most
  /// kPanelBlocks blocks (W tiles are not reused, so block size does not
  /// matter for the cache; x is), each with its own panel.
  void emitPanelBlocks(int64_t nFull, Value mFull) {
    constexpr int64_t kPanelBlocks = 8;
    int64_t tiles = nFull / tileN;
    int64_t blockRows =
        llvm::divideCeil(tiles, std::min(tiles, kPanelBlocks)) * tileN;
    int64_t blocks = llvm::divideCeil(nFull, blockRows);
    Value panels = memref::AllocOp::create(
        b, loc, MemRefType::get({blocks, tileN, s.planes, paddedBytes}, f32));
    overBlocks(nFull, blockRows, [&](Value n0) {
      Value panel = arith::DivUIOp::create(b, loc, n0, index(blockRows));
      Value nEnd =
          arith::MinUIOp::create(b, loc, add(n0, blockRows), index(nFull));
      loop(n0, nEnd, tileN, [&](Value n) {
        for (int64_t j = 0; j < tileN; ++j)
          decodeRow(panels, panel, j, add(n, j));
        loop(index(0), mFull, tileM,
             [&](Value m) { emitPanelTile(panels, panel, m, n, tileM); });
        loop(mFull, mSize, 1,
             [&](Value m) { emitPanelTile(panels, panel, m, n, 1); });
      });
    });
  }

  /// panels[panel, j, p, c] = ŵ[row, P·c + p] for the whole row.
  void decodeRow(Value panels, Value panel, int64_t j, Value row) {
    auto group = [&](Value c, Value base, int64_t length) {
      Value sv = scaleVector(scales, row, c);
      Value zv = s.asymmetric ? scaleVector(zeros, row, c) : Value();
      auto chunk = [&](Value byte, int64_t valid) {
        for (auto [p, f] : llvm::enumerate(decodePlanes(row, byte, valid, zv)))
          vector::StoreOp::create(b, loc, scaled(f, sv), panels,
                                  ValueRange{panel, index(j), index(p), byte});
      };
      int64_t whole = length - length % s.chunkBytes;
      if (whole > 0)
        loop(base, add(base, whole), s.chunkBytes,
             [&](Value byte) { chunk(byte, 0); });
      if (length % s.chunkBytes)
        chunk(add(base, whole), length % s.chunkBytes);
    };
    if (s.columns > 1)
      loop(index(0), index(s.columns - 1), 1, [&](Value c) {
        group(c, arith::MulIOp::create(b, loc, c, index(s.groupBytes)),
              s.groupBytes);
      });
    int64_t lastBase = (s.columns - 1) * s.groupBytes;
    group(index(s.columns - 1), index(lastBase), s.rowBytes - lastBase);
  }

  /// first, first + 1, ..., first + count − 1.
  SmallVector<Value> indices(Value first, int64_t count) {
    SmallVector<Value> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(add(first, i));
    return values;
  }
  Value zeroVector() {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecType, 0.0f));
  }

  /// y[m+i, n+j] for i < rows, j < tileN from the decoded panel.
  void emitPanelTile(Value panels, Value panel, Value m, Value n,
                     int64_t rows) {
    SmallVector<Value> xRows = indices(m, rows), wRows = indices(n, tileN);
    SmallVector<Value> init(rows * tileN, zeroVector());
    SmallVector<Value> acc = loop(
        index(0), index(paddedBytes), s.lanes, init,
        [&](Value byte, ValueRange carried) {
          SmallVector<Value> next(carried);
          for (int64_t p = 0; p < s.planes; ++p) {
            SmallVector<Value> xv;
            for (Value row : xRows)
              xv.push_back(vector::LoadOp::create(
                  b, loc, vecType, xs, ValueRange{row, index(p), byte}));
            for (int64_t j = 0; j < tileN; ++j) {
              Value wv = vector::LoadOp::create(
                  b, loc, vecType, panels,
                  ValueRange{panel, index(j), index(p), byte});
              for (int64_t i = 0; i < rows; ++i)
                next[i * tileN + j] = vector::FMAOp::create(
                    b, loc, xv[i], wv, next[i * tileN + j]);
            }
          }
          return next;
        });
    storeTile(xRows, wRows, acc);
  }

  /// y[m+i, n+j] = Σ_k x̂[m+i, k]·ŵ[n+j, k] + bias for i < rows, j < cols.
  void emitTile(Value m, Value n, int64_t rows, int64_t cols) {
    SmallVector<Value> xRows = indices(m, rows), wRows = indices(n, cols);
    SmallVector<Value> acc(rows * cols, zeroVector());
    bool scaleInside = s.columns > 1 && rows > 1 && !s.intDot;

    // Whole groups but the last, then the last (possibly partial) one.
    if (s.columns > 1)
      acc = loop(index(0), index(s.columns - 1), 1, acc,
                 [&](Value c, ValueRange carried) {
                   Value base =
                       arith::MulIOp::create(b, loc, c, index(s.groupBytes));
                   return emitGroup(xRows, wRows, c, base, s.groupBytes,
                                    carried, scaleInside);
                 });
    int64_t lastBase = (s.columns - 1) * s.groupBytes;
    acc = emitGroup(xRows, wRows, index(s.columns - 1), index(lastBase),
                    s.rowBytes - lastBase, acc, scaleInside);
    storeTile(xRows, wRows, acc);
  }

  /// y[xRows[i], wRows[j]] = the lane sum of acc[i][j] (times s_t for
  /// intDot) + bias.
  void storeTile(ArrayRef<Value> xRows, ArrayRef<Value> wRows,
                 ArrayRef<Value> acc) {
    int64_t cols = wRows.size();
    for (auto [i, xRow] : llvm::enumerate(xRows))
      for (int64_t j = 0; j < cols; ++j) {
        Value init = s.hasBias ? memref::LoadOp::create(b, loc, bias,
                                                        ValueRange{wRows[j]})
                                     .getResult()
                               : f32Const(0.0);
        // Lanes summed in any order (reassoc): a shuffle tree.
        Value sum;
        if (s.intDot) {
          // Σ_k q_x·ŵ, then · s_t, then the bias.
          sum = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                            acc[i * cols + j],
                                            arith::FastMathFlags::reassoc);
          Value st =
              memref::LoadOp::create(b, loc, tokenScales, ValueRange{xRow});
          sum = arith::AddFOp::create(
              b, loc, arith::MulFOp::create(b, loc, sum, st), init);
        } else {
          sum = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                            acc[i * cols + j], init,
                                            arith::FastMathFlags::reassoc);
        }
        memref::StoreOp::create(b, loc, sum, y, ValueRange{xRow, wRows[j]});
      }
  }

  /// float(s) (and float(z)) of scale column `c` of row `row`, broadcast.
  Value scaleVector(Value buffer, Value row, Value c) {
    Value r = s.perTensor ? index(0) : row;
    Value v = memref::LoadOp::create(b, loc, buffer, ValueRange{r, c});
    if (v.getType().isInteger(8))
      v = arith::UIToFPOp::create(b, loc, f32, v);
    else
      v = cpu_kernels::scaleToF32(b, loc, v);
    return vector::BroadcastOp::create(b, loc, vecType, v);
  }

  /// ŵ from a decoded value `f` and its scale: f·s, then ·t for nvfp4 (the
  /// reference's two f32 multiplies, in its order).
  Value scaled(Value f, Value scale) {
    Value v = arith::MulFOp::create(b, loc, f, scale);
    if (s.hasTensorScale)
      v = arith::MulFOp::create(b, loc, v, tensorScale);
    return v;
  }

  /// Accumulates the `length` bytes of scale column `c` starting at byte
  /// `base` (a multiple of VL) into `init`. With `scaleInside` every decoded
  /// vector is multiplied by its scale; otherwise the group's sum of
  /// x̂·(q − z) is, once: one FMA per accumulator and group instead of a
  /// multiply per decoded vector, for tiles whose accumulators can be
  /// doubled (one row of x) or need no second set (one scale column).
  SmallVector<Value> emitGroup(ArrayRef<Value> xRows, ArrayRef<Value> wRows,
                               Value c, Value base, int64_t length,
                               ValueRange init, bool scaleInside) {
    SmallVector<Value> sv, zv;
    for (Value row : wRows) {
      sv.push_back(scaleVector(scales, row, c));
      if (s.asymmetric && !s.intDot)
        zv.push_back(scaleVector(zeros, row, c));
    }
    ArrayRef<Value> chunkScales;
    if (scaleInside)
      chunkScales = sv;
    if (s.intDot) {
      // Zero points as i16, subtracted from the widened codes.
      auto wideType = VectorType::get({s.chunkBytes}, b.getI16Type());
      for (Value row : wRows)
        if (s.asymmetric) {
          Value z = memref::LoadOp::create(
              b, loc, zeros, ValueRange{s.perTensor ? index(0) : row, c});
          z = arith::ExtUIOp::create(b, loc, b.getI16Type(), z);
          zv.push_back(vector::BroadcastOp::create(b, loc, wideType, z));
        }
    }
    int64_t whole = length - length % s.chunkBytes;
    SmallVector<Value> acc(init);
    if (!scaleInside) {
      Type accType =
          s.intDot ? VectorType::get({s.lanes}, b.getI32Type()) : Type(vecType);
      acc.assign(init.size(),
                 arith::ConstantOp::create(
                     b, loc,
                     DenseElementsAttr::get(
                         cast<ShapedType>(accType),
                         b.getZeroAttr(getElementTypeOrSelf(accType)))));
    }
    if (whole > 0)
      acc = loop(base, add(base, whole), s.chunkBytes, acc,
                 [&](Value byte, ValueRange carried) {
                   return emitChunk(xRows, wRows, chunkScales, zv, byte, 0,
                                    carried);
                 });
    if (length % s.chunkBytes)
      acc = emitChunk(xRows, wRows, chunkScales, zv, add(base, whole),
                      length % s.chunkBytes, acc);
    if (!scaleInside)
      for (size_t idx = 0; idx < acc.size(); ++idx) {
        Value sum = acc[idx];
        if (s.intDot) // exact while |Σ| < 2^24, else rounded once
          sum = arith::SIToFPOp::create(b, loc, vecType, sum);
        Value scale = sv[idx % wRows.size()];
        // nvfp4: (Σ·s)·t, which for a single term is ŵ's (e2m1·s)·t.
        acc[idx] = s.hasTensorScale
                       ? arith::AddFOp::create(b, loc, init[idx],
                                               scaled(sum, scale))
                             .getResult()
                       : vector::FMAOp::create(b, loc, sum, scale, init[idx])
                             .getResult();
      }
    return acc;
  }

  /// One chunk of VL bytes at `byte` (only the first `valid` when nonzero).
  SmallVector<Value> emitChunk(ArrayRef<Value> xRows, ArrayRef<Value> wRows,
                               ArrayRef<Value> sv, ArrayRef<Value> zv,
                               Value byte, int64_t valid, ValueRange acc) {
    if (s.intDot)
      return emitIntDotChunk(xRows, wRows, zv, byte, valid, acc);
    int64_t cols = wRows.size();
    // ŵ planes per row of W.
    SmallVector<SmallVector<Value, 2>> w(cols);
    for (int64_t j = 0; j < cols; ++j)
      for (Value f : decodePlanes(wRows[j], byte, valid,
                                  s.asymmetric ? zv[j] : Value()))
        w[j].push_back(sv.empty() ? f : scaled(f, sv[j]));
    SmallVector<Value> next(acc);
    for (auto [i, row] : llvm::enumerate(xRows))
      for (int64_t p = 0; p < s.planes; ++p) {
        Value xv = vector::LoadOp::create(b, loc, vecType, xs,
                                          ValueRange{row, index(p), byte});
        for (int64_t j = 0; j < cols; ++j)
          next[i * cols + j] =
              vector::FMAOp::create(b, loc, xv, w[j][p], next[i * cols + j]);
      }
    return next;
  }

  /// float(q) − float(z) (z when set) of the chunk at `byte` of `row`
  /// (only its first `valid` bytes when nonzero), one vector per plane; for
  /// the float elements decode(q).
  SmallVector<Value, 2> decodePlanes(Value row, Value byte, int64_t valid,
                                     Value z) {
    if (s.decode == CodeDecode::fp8E4M3 || s.decode == CodeDecode::fp8E5M2)
      return {cpu_kernels::decodeFp8(
          b, loc,
          loadWidened(row, byte, valid,
                      VectorType::get({s.lanes}, b.getI16Type())),
          s.decode == CodeDecode::fp8E5M2)};
    auto wideType = VectorType::get({s.lanes}, b.getI32Type());
    Value wide = loadWidened(row, byte, valid, wideType);
    SmallVector<Value, 2> planes;
    if (s.decode == CodeDecode::codebook) {
      // The permutes read only the index's low bits: the low nibble needs
      // no mask.
      return {cpu_kernels::lookUp(b, loc, s.table, wide),
              cpu_kernels::lookUp(
                  b, loc, s.table,
                  arith::ShRUIOp::create(b, loc, wide, splatI32(4)))};
    }
    if (s.bits == 8) {
      planes.push_back(wide);
    } else if (s.isSigned) {
      // Low nibble: to the top and back (sign fill); high: arithmetic
      // shift of the sign-extended byte.
      Value up = arith::ShLIOp::create(b, loc, wide, splatI32(28));
      planes.push_back(arith::ShRSIOp::create(b, loc, up, splatI32(28)));
      planes.push_back(arith::ShRSIOp::create(b, loc, wide, splatI32(4)));
    } else {
      planes.push_back(arith::AndIOp::create(b, loc, wide, splatI32(15)));
      planes.push_back(arith::ShRUIOp::create(b, loc, wide, splatI32(4)));
    }
    // float(q − z) · float(s): q − z is exact in f32 for 8-bit codes.
    for (Value &plane : planes) {
      plane = arith::SIToFPOp::create(b, loc, vecType, plane);
      if (z)
        plane = arith::SubFOp::create(b, loc, plane, z);
    }
    return planes;
  }

  /// `chunkBytes` packed bytes of row `row` at `byte`; only the first
  /// `valid` (when nonzero) are read, the others are 0.
  /// loadCodes, sign- or zero-extended (as the format's codes are) to
  /// `wideType`.
  Value loadWidened(Value row, Value byte, int64_t valid,
                    VectorType wideType) {
    Value codes = loadCodes(row, byte, valid);
    if (s.isSigned)
      return arith::ExtSIOp::create(b, loc, wideType, codes);
    return arith::ExtUIOp::create(b, loc, wideType, codes);
  }

  Value loadCodes(Value row, Value byte, int64_t valid) {
    auto byteType = VectorType::get({s.chunkBytes}, b.getI8Type());
    if (!valid)
      return vector::LoadOp::create(b, loc, byteType, q, ValueRange{row, byte});
    SmallVector<bool> bits(s.chunkBytes, false);
    std::fill_n(bits.begin(), valid, true);
    auto maskType = VectorType::get({s.chunkBytes}, b.getI1Type());
    Value mask = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(maskType, ArrayRef<bool>(bits)));
    Value pass = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(byteType, b.getI8IntegerAttr(0)));
    return vector::MaskedLoadOp::create(b, loc, byteType, q,
                                        ValueRange{row, byte}, mask, pass);
  }

  /// Integer step: acc[i][j] (16 × i32) += pairwise Σ of the 32 products
  /// q_x[m+i, b:b+32] · (q − z)[n+j, b:b+32], exact in i16 × i16 → i32.
  SmallVector<Value> emitIntDotChunk(ArrayRef<Value> xRows,
                                     ArrayRef<Value> wRows, ArrayRef<Value> zv,
                                     Value byte, int64_t valid,
                                     ValueRange acc) {
    auto wideType = VectorType::get({s.chunkBytes}, b.getI16Type());
    int64_t cols = wRows.size();
    SmallVector<Value> w;
    for (int64_t j = 0; j < cols; ++j) {
      Value wide = loadWidened(wRows[j], byte, valid, wideType);
      if (s.asymmetric)
        wide = arith::SubIOp::create(b, loc, wide, zv[j]);
      w.push_back(wide);
    }
    auto accType = VectorType::get({s.lanes}, b.getI32Type());
    SmallVector<Value> next(acc);
    if (s.vnni) {
      // One vpdpwssd per accumulator, called as the intrinsic (a func.call
      // of its declaration, vnniDeclaration) so that no LLVM pass rewrites
      // the pair products into a form x86 does not select.
      for (auto [i, row] : llvm::enumerate(xRows)) {
        Value xv = vector::LoadOp::create(b, loc, wideType, xs,
                                          ValueRange{row, index(0), byte});
        for (int64_t j = 0; j < cols; ++j)
          next[i * cols + j] =
              func::CallOp::create(b, loc, kVpdpwssd, TypeRange{accType},
                                   ValueRange{next[i * cols + j], xv, w[j]})
                  .getResult(0);
      }
      return next;
    }
    // The pairwise product sum in plain vector ops (sext of the even and
    // odd i16 lanes, multiply, add): x86 instruction selection turns it into
    // vpmaddwd, or vpdpwssd with the accumulation on AVX512-VNNI.
    SmallVector<int64_t> even, odd;
    for (int64_t l = 0; l < s.lanes; ++l) {
      even.push_back(2 * l);
      odd.push_back(2 * l + 1);
    }
    auto half = [&](Value v, ArrayRef<int64_t> lanes) -> Value {
      Value picked = vector::ShuffleOp::create(b, loc, v, v, lanes);
      return arith::ExtSIOp::create(b, loc, accType, picked);
    };
    SmallVector<std::pair<Value, Value>> wHalves;
    for (Value v : w)
      wHalves.push_back({half(v, even), half(v, odd)});
    for (auto [i, row] : llvm::enumerate(xRows)) {
      Value xv = vector::LoadOp::create(b, loc, wideType, xs,
                                        ValueRange{row, index(0), byte});
      Value xe = half(xv, even), xo = half(xv, odd);
      for (int64_t j = 0; j < cols; ++j) {
        Value pairs = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, xe, wHalves[j].first),
            arith::MulIOp::create(b, loc, xo, wHalves[j].second));
        next[i * cols + j] =
            arith::AddIOp::create(b, loc, next[i * cols + j], pairs);
      }
    }
    return next;
  }

  const KernelShape &s;
  int64_t tileM, tileN, blockBytes, minParallelWeights, panelMinRows;
  Type f32;
  VectorType vecType;
  int64_t paddedBytes;
  Value x, q, scales, zeros, bias, y, mSize, xs, tokenScales;
  Value tensorScale; // nvfp4's t, broadcast
  Value actScale;    // fp8_per_tensor's a
};

/// The memref of `tensor`'s shape with a dynamic leading dim when `dynamicM`.
MemRefType bufferType(Value tensor, bool dynamicM) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape(type.getShape());
  if (dynamicM)
    shape[0] = ShapedType::kDynamic;
  return MemRefType::get(shape, type.getElementType());
}

struct CpuQuantKernelsPass
    : linea::impl::CpuQuantKernelsBase<CpuQuantKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto isPow2 = [](int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
    if (!isPow2(vectorWidth) || tileM < 1 || tileN < 1 || blockBytes < 1 ||
        minParallelWeights < 0) {
      // Options print as their values only once read out.
      int64_t width = vectorWidth, rows = tileM, cols = tileN,
              bytes = blockBytes;
      module.emitError() << "linea-cpu-quant-kernels: vector-width (" << width
                         << ") must be a power of two and tile-m (" << rows
                         << "), tile-n (" << cols << ") and block-bytes ("
                         << bytes << ") positive, min-parallel-weights ("
                         << int64_t(minParallelWeights) << ") not negative";
      return signalPassFailure();
    }
    SmallVector<QuantLinearOp> ops;
    module.walk([&](QuantLinearOp op) { ops.push_back(op); });
    SymbolTable symbols(module);
    // One kernel per distinct (operand types, format).
    llvm::DenseMap<std::pair<Type, Attribute>, func::FuncOp> kernels;
    for (QuantLinearOp op : ops) {
      KernelShape shape;
      std::string why =
          analyze(op, vectorWidth, intDot, vnni, permuteWidth, shape);
      if (!why.empty()) {
        if (reportSkipped)
          op.emitRemark() << "linea-cpu-quant-kernels: left to the reference "
                             "lowering: "
                          << why;
        continue;
      }
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value x = cpu_kernels::toRows(b, loc, op.getX());
      auto xType = cast<RankedTensorType>(x.getType());
      auto yType =
          RankedTensorType::get({xType.getDimSize(0), shape.n}, b.getF32Type());
      SmallVector<Value> operands = {x, op.getQweight(), op.getScales()};
      if (Value z = op.getZeroPoints())
        operands.push_back(z);
      if (Value t = op.getTensorScale())
        operands.push_back(t);
      if (Value a = op.getActScale())
        operands.push_back(a);
      if (Value bias = op.getBias())
        operands.push_back(bias);
      SmallVector<Type> argTypes;
      for (auto [i, v] : llvm::enumerate(operands))
        argTypes.push_back(bufferType(v, i == 0));
      argTypes.push_back(
          MemRefType::get({ShapedType::kDynamic, shape.n}, b.getF32Type()));
      auto funcType = b.getFunctionType(argTypes, {});

      func::FuncOp &kernel = kernels[{funcType, op.getFormat()}];
      if (!kernel) {
        if (shape.vnni)
          vnniDeclaration(module);
        if (shape.decode == CodeDecode::codebook)
          cpu_kernels::declareLookup(module, shape.lanes);
        OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
        kernel =
            func::FuncOp::create(mb, loc, "__linea_quant_kernel", funcType);
        kernel.setPrivate();
        symbols.insert(kernel); // renames on collision
        Block *entry = kernel.addEntryBlock();
        OpBuilder kb = OpBuilder::atBlockEnd(entry);
        KernelEmitter(kb, loc, shape, tileM, tileN, blockBytes,
                      minParallelWeights, panelMinRows)
            .emit(entry->getArguments());
        func::ReturnOp::create(kb, loc);
      }

      // Tensor → buffer at the call; the result buffer is fresh, so its
      // tensor is `restrict` (no other tensor aliases it).
      SmallVector<Value> args;
      for (auto [i, v] : llvm::enumerate(operands)) {
        Value buffer = bufferization::ToBufferOp::create(
            b, loc, bufferType(v, false), v, /*read_only=*/true);
        if (buffer.getType() != argTypes[i])
          buffer = memref::CastOp::create(b, loc, argTypes[i], buffer);
        args.push_back(buffer);
      }
      SmallVector<Value> dynamicSizes;
      if (yType.isDynamicDim(0))
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, x, 0));
      Value yBuffer = memref::AllocOp::create(
          b, loc, MemRefType::get(yType.getShape(), b.getF32Type()),
          dynamicSizes);
      args.push_back(
          yBuffer.getType() == argTypes.back()
              ? yBuffer
              : memref::CastOp::create(b, loc, argTypes.back(), yBuffer)
                    .getResult());
      func::CallOp::create(b, loc, kernel, args);
      Value y = bufferization::ToTensorOp::create(b, loc, yType, yBuffer,
                                                  /*restrict=*/true,
                                                  /*writable=*/true);
      op.replaceAllUsesWith(cpu_kernels::fromRows(b, loc, y, op.getX(),
                                       cast<RankedTensorType>(op.getType())));
      op.erase();
    }
  }
};

} // namespace
} // namespace linea
