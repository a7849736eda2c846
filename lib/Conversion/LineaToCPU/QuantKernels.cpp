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
// rows (M ≥ panel-min-rows, checked at run time) it is a GEMM instead
// (emitPanelGemm): W decoded once, K block by K block, into f32 panels, x̂
// transposed once, and register tiles of broadcast FMAs over them.
//
// int6 packs four codes into a 3-byte unit (docs/formats.md §2): X then
// has four planes over units, and a step loads 3·VL bytes (decodeInt6).
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
  int64_t planes = 1;      // codes per unit (a column of X)
  int64_t unitBytes = 1;   // packed bytes per unit: 3 for int6, else 1
  int64_t rowColumns = 0;  // units per row, the last one maybe partial
  bool isSigned = true;    // two's complement codes
  bool asymmetric = false; // zero points present
  bool perTensor = false;  // scale row 0 for every n
  bool hasBias = false;
  CodeDecode decode = CodeDecode::integer;
  llvm::SmallVector<float, 16> table; // codebook values by code
  bool hasTensorScale = false;        // nvfp4: ŵ = (e2m1 · s) · t
  ActMode act = ActMode::weight_only;
  bool quantizeX = false;   // any activation mode but weight_only
  int64_t columns = 1;      // scale columns (groups) per row
  int64_t groupColumns = 0; // units one scale column covers
  int64_t lanes = 16;       // f32 lanes of a vector
  int64_t maxLanes = 16;    // vector-width: the panel GEMM's lanes (over M)
  int64_t chunkBytes = 16;  // packed bytes per step: lanes, 2·lanes for intDot
  bool intDot = false;      // W8A8 as i16 pair dot products in i32
  bool vnni = false;        // ... each one AVX512-VNNI vpdpwssd
  Type scaleType;
};

/// Fills `shape` for `op` and returns "" when the kernel applies, else why
/// not.
std::string analyze(QuantLinearOp op, int64_t maxLanes, bool intDot, bool vnni,
                    int64_t permuteWidth, KernelShape &shape) {
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
  // int6: four codes in three bytes (docs/formats.md §2) form a unit.
  shape.unitBytes = shape.bits == 6 ? 3 : 1;
  shape.planes = shape.bits == 6 ? 4 : 8 / shape.bits;
  shape.rowColumns = llvm::divideCeil(shape.rowBytes, shape.unitBytes);
  // fp8 codes are sign-extended like int8, as decodeFp8 takes them.
  shape.isSigned = element == QElement::int8 || element == QElement::int4 ||
                   element == QElement::int6 ||
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
  shape.maxLanes = maxLanes;
  shape.groupColumns = shape.rowColumns;
  if (shape.columns > 1) {
    int64_t span = format.getScaleSpan(shape.k);
    if (span * shape.bits % 8 != 0)
      return "a group of " + std::to_string(span) +
             " 4-bit codes does not end on a byte boundary";
    // int6 units are decoded four at a time (decodeInt6).
    if (shape.bits == 6 && span % 16 != 0)
      return "a group of " + std::to_string(span) +
             " 6-bit codes is not a multiple of 16 codes";
    shape.groupColumns = span / shape.planes;
    // Every chunk of VL bytes lies inside one group.
    while (shape.groupColumns % shape.lanes != 0)
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
      (shape.columns == 1 || shape.groupColumns % 32 == 0)) {
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
                int64_t minParallelWeights, int64_t panelMinRows,
                int64_t panelMaxRows)
      : KernelEmitterBase(b, loc), s(shape), tileM(tileM), tileN(tileN),
        blockBytes(blockBytes), minParallelWeights(minParallelWeights),
        panelMinRows(panelMinRows), panelMaxRows(panelMaxRows), panelLanes(shape.maxLanes),
        panelVectors(shape.maxLanes >= 16 ? 4 : 2), f32(b.getF32Type()),
        vecType(VectorType::get({shape.lanes}, b.getF32Type())),
        paddedColumns(llvm::alignTo(shape.rowColumns, shape.chunkBytes)) {}

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
      tensorScale =
          vector::BroadcastOp::create(b, loc, vecType, loadScalar(args[i++]));
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
    auto xsType = MemRefType::get(
        {ShapedType::kDynamic, s.planes, paddedColumns}, element);
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
        loop(index(0), index(paddedColumns), s.chunkBytes, [&](Value c) {
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
    auto tiles = [&] {
      if (nFull > 0)
        overBlocks(nFull, blockRows, block);
      if (nFull < s.n)
        loop(index(nFull), index(s.n), 1, [&](Value n) {
          loop(index(0), mFull, tileM,
               [&](Value m) { emitTile(m, n, tileM, 1); });
          loop(mFull, mSize, 1, [&](Value m) { emitTile(m, n, 1, 1); });
        });
    };
    if (!s.intDot && panelMinRows > 0) {
      // Above panel-max-rows the panels lost to the tiles (M = 512) and x̂ᵀ
      // and the f32 y block would grow with M.
      Value many = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                         mSize, index(panelMinRows));
      if (panelMaxRows > 0)
        many = arith::AndIOp::create(
            b, loc, many,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, mSize,
                                  index(panelMaxRows)));
      ifElse(
          many, [&] { emitPanelGemm(); }, tiles);
    } else {
      tiles();
    }
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

  /// M ≥ panel-min-rows: a GEMM on decoded panels. x̂ is transposed once
  /// into XT[mb, p, c, l] = x̂[mb·MV + l, P·c + p] (MV = panelVectors·VL
  /// rows per block, zero past M). Blocks of kPanelRows rows of W (an
  /// scf.parallel) are decoded K block by K block (blockColumns units) into
  /// an f32 panel P[j, p, c] (the reference's ŵ values, decoded once), and
  /// register tiles of kPanelTileN rows of W × MV rows of x accumulate
  ///   acc[j][v] += broadcast(P[j, p, c]) · XT[mb, p, c, v·VL : (v+1)·VL]
  /// (kPanelTileN broadcasts and panelVectors loads per kPanelTileN ·
  /// panelVectors FMAs, the dense GEMM's outer product with x and W's roles
  /// swapped, so that W needs no transpose) into YT[mb, n, l], which is
  /// transposed into y (plus the bias) at the end of each block.
  void emitPanelGemm() {
    // 48 × 128 codes (24 KB of f32 panel for 4-bit); 192 × 256 and
    // 240 × 512 measured the same within the noise (docs/benchmarks.md).
    constexpr int64_t kPanelRows = 48, kPanelTileN = 6, kTargetCodes = 128;
    int64_t vl = panelLanes, mv = panelVectors * vl;
    // K blocks: whole groups (or whole steps) of about kTargetCodes codes.
    int64_t targetColumns = std::max<int64_t>(1, kTargetCodes / s.planes);
    int64_t blockColumns =
        s.columns > 1 ? std::max<int64_t>(1, targetColumns / s.groupColumns) *
                            s.groupColumns
                      : llvm::alignTo(targetColumns, s.chunkBytes);
    // A partial last int6 unit is read by the masked tail block only.
    int64_t missing = s.rowColumns * s.unitBytes - s.rowBytes;
    int64_t fullBlocks = (s.rowColumns - (missing ? 1 : 0)) / blockColumns;
    int64_t tailStart = fullBlocks * blockColumns;
    int64_t panelColumns = llvm::alignTo(blockColumns, s.chunkBytes);
    int64_t nBlocks = llvm::divideCeil(s.n, kPanelRows);

    Value mBlocks =
        arith::DivUIOp::create(b, loc, add(mSize, mv - 1), index(mv));
    Value mFullBlocks = arith::DivUIOp::create(b, loc, mSize, index(mv));
    // Vectors of rows in the last, partial block.
    Value lastVectors = arith::DivUIOp::create(
        b, loc, add(arith::RemUIOp::create(b, loc, mSize, index(mv)), vl - 1),
        index(vl));
    auto vType = VectorType::get({vl}, f32);
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vType, b.getZeroAttr(f32)));
    Value xt = memref::AllocOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic, s.planes, paddedColumns, mv},
                        f32),
        ValueRange{mBlocks});
    Value yt = memref::AllocOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic, s.n, mv}, f32),
        ValueRange{mBlocks});
    Value panels = memref::AllocOp::create(
        b, loc,
        MemRefType::get({nBlocks, kPanelRows, s.planes, panelColumns}, f32));
    // XT: zeros, then x̂'s rows.
    loop(index(0), mBlocks, 1, [&](Value mb) {
      for (int64_t p = 0; p < s.planes; ++p)
        loop(index(0), index(paddedColumns), 1, [&](Value c) {
          for (int64_t v = 0; v < panelVectors; ++v)
            vector::StoreOp::create(b, loc, zero, xt,
                                    ValueRange{mb, index(p), c, index(v * vl)});
        });
    });
    loop(index(0), mSize, 1, [&](Value m) {
      Value mb = arith::DivUIOp::create(b, loc, m, index(mv));
      Value l = arith::RemUIOp::create(b, loc, m, index(mv));
      for (int64_t p = 0; p < s.planes; ++p)
        loop(index(0), index(paddedColumns), 1, [&](Value c) {
          Value v =
              memref::LoadOp::create(b, loc, xs, ValueRange{m, index(p), c});
          memref::StoreOp::create(b, loc, v, xt,
                                  ValueRange{mb, index(p), c, l});
        });
    });

    overBlocks(s.n, kPanelRows, [&](Value n0) {
      Value panel = arith::DivUIOp::create(b, loc, n0, index(kPanelRows));
      Value nEnd =
          arith::MinUIOp::create(b, loc, add(n0, kPanelRows), index(s.n));
      Value rows = arith::SubIOp::create(b, loc, nEnd, n0);
      Value nTiles = arith::AddIOp::create(
          b, loc, n0,
          arith::MulIOp::create(
              b, loc, arith::DivUIOp::create(b, loc, rows, index(kPanelTileN)),
              index(kPanelTileN)));
      loop(index(0), mBlocks, 1, [&](Value mb) {
        loop(n0, nEnd, 1, [&](Value n) {
          for (int64_t v = 0; v < panelVectors; ++v)
            vector::StoreOp::create(b, loc, zero, yt,
                                    ValueRange{mb, n, index(v * vl)});
        });
      });
      // The K block of `length` units at unit `start`: decode, multiply.
      auto kBlock = [&](Value start, int64_t length,
                        llvm::function_ref<void(Value row, Value j)> decode) {
        loop(n0, nEnd, 1,
             [&](Value n) { decode(n, arith::SubIOp::create(b, loc, n, n0)); });
        auto tiles = [&](Value mb, Value lane, int64_t vectors) {
          auto rowTiles = [&](Value from, Value to, int64_t tileRows) {
            loop(from, to, tileRows, [&](Value n) {
              emitPanelTile(panels, panel, arith::SubIOp::create(b, loc, n, n0),
                            xt, yt, mb, lane, vectors, n, tileRows, start,
                            length);
            });
          };
          rowTiles(n0, nTiles, kPanelTileN);
          rowTiles(nTiles, nEnd, 1);
        };
        // Whole blocks of MV rows, then the last one's rows a vector at a
        // time (M = 16 computes 16 rows, not MV).
        loop(index(0), mFullBlocks, 1,
             [&](Value mb) { tiles(mb, index(0), panelVectors); });
        loop(index(0), lastVectors, 1, [&](Value v) {
          tiles(mFullBlocks, arith::MulIOp::create(b, loc, v, index(vl)), 1);
        });
      };
      int64_t groupsPerBlock =
          s.columns > 1 ? blockColumns / s.groupColumns : 1;
      if (fullBlocks > 0)
        loop(index(0), index(fullBlocks), 1, [&](Value kb) {
          Value start = arith::MulIOp::create(b, loc, kb, index(blockColumns));
          kBlock(start, blockColumns, [&](Value row, Value j) {
            if (s.columns == 1)
              return decodeGroup(panels, panel, j, row, index(0), start, start,
                                 blockColumns, /*rowEnd=*/false);
            loop(index(0), index(groupsPerBlock), 1, [&](Value g) {
              Value c = arith::AddIOp::create(
                  b, loc,
                  arith::MulIOp::create(b, loc, kb, index(groupsPerBlock)), g);
              Value base =
                  arith::MulIOp::create(b, loc, c, index(s.groupColumns));
              decodeGroup(panels, panel, j, row, c, base, start, s.groupColumns,
                          /*rowEnd=*/false);
            });
          });
        });
      int64_t tailLength = s.rowColumns - tailStart;
      if (tailLength > 0)
        kBlock(index(tailStart), tailLength, [&](Value row, Value j) {
          if (s.columns == 1)
            return decodeGroup(panels, panel, j, row, index(0),
                               index(tailStart), index(tailStart), tailLength,
                               /*rowEnd=*/true);
          for (int64_t base = tailStart; base < s.rowColumns;
               base += s.groupColumns) {
            int64_t length = std::min(s.groupColumns, s.rowColumns - base);
            decodeGroup(panels, panel, j, row, index(base / s.groupColumns),
                        index(base), index(tailStart), length,
                        /*rowEnd=*/base + length == s.rowColumns);
          }
        });
      // y = YTᵀ + bias.
      loop(n0, nEnd, 1, [&](Value n) {
        Value bn = s.hasBias
                       ? memref::LoadOp::create(b, loc, bias, ValueRange{n})
                             .getResult()
                       : Value();
        loop(index(0), mSize, 1, [&](Value m) {
          Value mb = arith::DivUIOp::create(b, loc, m, index(mv));
          Value l = arith::RemUIOp::create(b, loc, m, index(mv));
          Value v = memref::LoadOp::create(b, loc, yt, ValueRange{mb, n, l});
          if (bn)
            v = arith::AddFOp::create(b, loc, v, bn);
          memref::StoreOp::create(b, loc, v, y, ValueRange{m, n});
        });
      });
    });
  }

  /// panels[panel, j, p, c − panelBase] = ŵ[row, P·c + p] for the `length`
  /// units of scale column `c` from unit `base`; `rowEnd`: they end the row.
  void decodeGroup(Value panels, Value panel, Value j, Value row, Value c,
                   Value base, Value panelBase, int64_t length, bool rowEnd) {
    Value sv = scaleVector(scales, row, c);
    Value zv = s.asymmetric ? scaleVector(zeros, row, c) : Value();
    auto chunk = [&](Value byte, int64_t valid) {
      Value at = arith::SubIOp::create(b, loc, byte, panelBase);
      for (auto [p, f] : llvm::enumerate(decodePlanes(row, byte, valid, zv)))
        vector::StoreOp::create(b, loc, scaled(f, sv), panels,
                                ValueRange{panel, j, index(p), at});
    };
    auto [whole, tailBytes] = splitTail(length, rowEnd);
    if (whole > 0)
      loop(base, add(base, whole), s.chunkBytes,
           [&](Value byte) { chunk(byte, 0); });
    if (tailBytes)
      chunk(add(base, whole), tailBytes);
  }

  /// The `length` units of a group as (units in whole steps, packed bytes
  /// of the masked step after them, 0 if none). The group at the row's end
  /// (`rowEnd`) masks the step holding a partial last int6 unit, so that no
  /// load reads past the row.
  std::pair<int64_t, int64_t> splitTail(int64_t length, bool rowEnd) {
    int64_t missing = s.rowColumns * s.unitBytes - s.rowBytes;
    int64_t tail = length % s.chunkBytes;
    if (rowEnd && missing && tail == 0)
      tail = std::min(length, s.chunkBytes);
    int64_t tailBytes = tail * s.unitBytes;
    if (rowEnd && tail)
      tailBytes -= missing;
    return {length - tail, tailBytes};
  }

  /// first, first + 1, ..., first + count − 1.
  SmallVector<Value> indices(Value first, int64_t count) {
    SmallVector<Value> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(add(first, i));
    return values;
  }
  Value zeroVector() {
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(vecType, 0.0f));
  }

  /// YT[mb, n + j, L] += Σ over the `length` units from `start` of
  /// P[j0 + j, p, c] · XT[mb, p, start + c, L] for j < tileRows, L the
  /// `vectors` vectors of lanes from `lane`.
  void emitPanelTile(Value panels, Value panel, Value j0, Value xt, Value yt,
                     Value mb, Value lane, int64_t vectors, Value n,
                     int64_t tileRows, Value start, int64_t length) {
    int64_t vl = panelLanes;
    auto vType = VectorType::get({vl}, f32);
    SmallVector<Value> init;
    for (int64_t j = 0; j < tileRows; ++j)
      for (int64_t v = 0; v < vectors; ++v)
        init.push_back(vector::LoadOp::create(
            b, loc, vType, yt, ValueRange{mb, add(n, j), add(lane, v * vl)}));
    SmallVector<Value> acc = loop(
        index(0), index(length), 1, init, [&](Value c, ValueRange carried) {
          SmallVector<Value> next(carried);
          Value col = arith::AddIOp::create(b, loc, start, c);
          for (int64_t p = 0; p < s.planes; ++p) {
            SmallVector<Value> xv;
            for (int64_t v = 0; v < vectors; ++v)
              xv.push_back(vector::LoadOp::create(
                  b, loc, vType, xt,
                  ValueRange{mb, index(p), col, add(lane, v * vl)}));
            for (int64_t j = 0; j < tileRows; ++j) {
              Value w = memref::LoadOp::create(
                  b, loc, panels, ValueRange{panel, add(j0, j), index(p), c});
              w = vector::BroadcastOp::create(b, loc, vType, w);
              for (int64_t v = 0; v < vectors; ++v)
                next[j * vectors + v] = vector::FMAOp::create(
                    b, loc, w, xv[v], next[j * vectors + v]);
            }
          }
          return next;
        });
    for (int64_t j = 0; j < tileRows; ++j)
      for (int64_t v = 0; v < vectors; ++v)
        vector::StoreOp::create(b, loc, acc[j * vectors + v], yt,
                                ValueRange{mb, add(n, j), add(lane, v * vl)});
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
                       arith::MulIOp::create(b, loc, c, index(s.groupColumns));
                   return emitGroup(xRows, wRows, c, base, s.groupColumns,
                                    /*rowEnd=*/false, carried, scaleInside);
                 });
    int64_t lastBase = (s.columns - 1) * s.groupColumns;
    acc = emitGroup(xRows, wRows, index(s.columns - 1), index(lastBase),
                    s.rowColumns - lastBase, /*rowEnd=*/true, acc, scaleInside);
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

  /// Accumulates the `length` units of scale column `c` starting at unit
  /// `base` (a multiple of VL) into `init`; `rowEnd`: the last group. With
  /// `scaleInside` every decoded vector is multiplied by its scale; otherwise
  /// the group's sum of x̂·(q − z) is, once: one FMA per accumulator and group
  /// instead of a multiply per decoded vector, for tiles whose accumulators can
  /// be doubled (one row of x) or need no second set (one scale column).
  SmallVector<Value> emitGroup(ArrayRef<Value> xRows, ArrayRef<Value> wRows,
                               Value c, Value base, int64_t length, bool rowEnd,
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
    auto [whole, tailBytes] = splitTail(length, rowEnd);
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
    if (tailBytes)
      acc = emitChunk(xRows, wRows, chunkScales, zv, add(base, whole),
                      tailBytes, acc);
    if (!scaleInside)
      for (size_t idx = 0; idx < acc.size(); ++idx) {
        Value sum = acc[idx];
        if (s.intDot) // exact while |Σ| < 2^24, else rounded once
          sum = arith::SIToFPOp::create(b, loc, vecType, sum);
        Value scale = sv[idx % wRows.size()];
        // nvfp4: (Σ·s)·t, which for a single term is ŵ's (e2m1·s)·t.
        acc[idx] =
            s.hasTensorScale
                ? arith::AddFOp::create(b, loc, init[idx], scaled(sum, scale))
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
      for (Value f :
           decodePlanes(wRows[j], byte, valid, s.asymmetric ? zv[j] : Value()))
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

  /// float(q) − float(z) (z when set) of the chunk at unit `byte` of `row`
  /// (only its first `valid` packed bytes when nonzero), one vector per
  /// plane; for the float elements decode(q).
  SmallVector<Value, 2> decodePlanes(Value row, Value byte, int64_t valid,
                                     Value z) {
    if (s.decode == CodeDecode::fp8E4M3 || s.decode == CodeDecode::fp8E5M2)
      return {cpu_kernels::decodeFp8(
          b, loc,
          loadWidened(row, byte, valid,
                      VectorType::get({s.lanes}, b.getI16Type())),
          s.decode == CodeDecode::fp8E5M2)};
    auto wideType = VectorType::get({s.lanes}, b.getI32Type());
    Value wide =
        s.bits == 6 ? Value() : loadWidened(row, byte, valid, wideType);
    SmallVector<Value, 2> planes;
    if (s.decode == CodeDecode::codebook) {
      // The permutes read only the index's low bits: the low nibble needs
      // no mask.
      return {cpu_kernels::lookUp(b, loc, s.table, wide),
              cpu_kernels::lookUp(
                  b, loc, s.table,
                  arith::ShRUIOp::create(b, loc, wide, splatI32(4)))};
    }
    if (s.bits == 6) {
      planes = decodeInt6(loadCodes(row, byte, valid));
    } else if (s.bits == 8) {
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

  /// loadCodes, sign- or zero-extended (as the format's codes are) to
  /// `wideType`.
  Value loadWidened(Value row, Value byte, int64_t valid, VectorType wideType) {
    Value codes = loadCodes(row, byte, valid);
    if (s.isSigned)
      return arith::ExtSIOp::create(b, loc, wideType, codes);
    return arith::ExtUIOp::create(b, loc, wideType, codes);
  }

  /// The packed bytes of the step at unit `byte` of row `row`: chunkBytes
  /// units of unitBytes bytes; only the first `valid` (when nonzero) are
  /// read, the others are 0.
  Value loadCodes(Value row, Value byte, int64_t valid) {
    int64_t bytes = s.chunkBytes * s.unitBytes;
    if (s.unitBytes != 1)
      byte = arith::MulIOp::create(b, loc, byte, index(s.unitBytes));
    auto byteType = VectorType::get({bytes}, b.getI8Type());
    if (!valid)
      return vector::LoadOp::create(b, loc, byteType, q, ValueRange{row, byte});
    SmallVector<bool> bits(bytes, false);
    std::fill_n(bits.begin(), valid, true);
    auto maskType = VectorType::get({bytes}, b.getI1Type());
    Value mask = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(maskType, ArrayRef<bool>(bits)));
    Value pass = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(byteType, b.getI8IntegerAttr(0)));
    return vector::MaskedLoadOp::create(b, loc, byteType, q,
                                        ValueRange{row, byte}, mask, pass);
  }

  /// The four planes of signed int6 codes (vector<L×i32>) of the 3·L bytes
  /// `bytes`: unit u's 24 bits are bytes 3u..3u+2, which straddle at most two
  /// i32 words of the bytes; two word permutes (vpermd) and per-lane shifts
  /// put them in lane u's low 24 bits, and code p (bits 6p..6p+5) is that
  /// lane shifted left by 26 − 6p and arithmetically right by 26 (the lane's
  /// top byte, junk, leaves by the left shift).
  SmallVector<Value, 2> decodeInt6(Value bytes) {
    int64_t lanes = s.lanes, words = 3 * lanes / 4;
    auto wordType = VectorType::get({words}, b.getI32Type());
    Value w = vector::BitCastOp::create(b, loc, wordType, bytes);
    SmallVector<int64_t> low, high;
    SmallVector<int32_t> right, left;
    for (int64_t u = 0; u < lanes; ++u) {
      int64_t word = 3 * u / 4, offset = 8 * (3 * u % 4);
      low.push_back(word);
      high.push_back(std::min(word + 1, words - 1));
      right.push_back(offset);
      // offset 0: all 24 bits are in `low`; any shift ≥ 24 keeps the high
      // word out of them (a shift by 32 would be poison).
      left.push_back(offset ? 32 - offset : 24);
    }
    auto laneType = VectorType::get({lanes}, b.getI32Type());
    auto shifts = [&](ArrayRef<int32_t> v) -> Value {
      return arith::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(laneType, v));
    };
    Value unit = arith::OrIOp::create(
        b, loc,
        arith::ShRUIOp::create(b, loc,
                               vector::ShuffleOp::create(b, loc, w, w, low),
                               shifts(right)),
        arith::ShLIOp::create(b, loc,
                              vector::ShuffleOp::create(b, loc, w, w, high),
                              shifts(left)));
    SmallVector<Value, 2> planes;
    for (int64_t p = 0; p < 4; ++p)
      planes.push_back(arith::ShRSIOp::create(
          b, loc, arith::ShLIOp::create(b, loc, unit, splatI32(26 - 6 * p)),
          splatI32(26)));
    return planes;
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
  int64_t tileM, tileN, blockBytes, minParallelWeights, panelMinRows,
      panelMaxRows;
  /// The panel GEMM's register tile: kPanelTileN rows of W × panelVectors
  /// vectors of panelLanes rows of x.
  int64_t panelLanes, panelVectors;
  Type f32;
  VectorType vecType;
  int64_t paddedColumns;
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
                      minParallelWeights, panelMinRows, panelMaxRows)
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
      op.replaceAllUsesWith(cpu_kernels::fromRows(
          b, loc, y, op.getX(), cast<RankedTensorType>(op.getType())));
      op.erase();
    }
  }
};

} // namespace
} // namespace linea
