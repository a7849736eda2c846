//===- LineaToGPU.cpp - CUDA GEMV kernels for linear layers ---------------===//
//
// Generates one gpu.func per layer and launch variant (GemvKernel.cpp) into
// gpu.module @linea_kernels, and records how to launch each in the module
// attribute `linea.cuda_kernels`, which linea-write-cuda-artifacts turns
// into manifest.json for the runtime in runtime/.
//
//===----------------------------------------------------------------------===//

#include "BsrMmaKernel.h"
#include "Epilogue.h"
#include "FlashAttentionKernel.h"
#include "GemvKernel.h"
#include "KernelBuild.h"
#include "LatentAttentionKernel.h"
#include "QuantWgmmaKernel.h"
#include "SageAttentionKernel.h"
#include "ScanLowering.h"
#include "W8A8Kernels.h"
#include "WgmmaGemmKernel.h"

#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

namespace linea {
#define GEN_PASS_DEF_LINEATOGPU
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;
using linea::gpu_codegen::GemvSpec;

namespace linea {
namespace {

constexpr llvm::StringLiteral kKernelModule = "linea_kernels";

bool isActivationType(Type t) { return t.isBF16() || t.isF16() || t.isF32(); }

/// Checks x and y are static with matching leading dims; fills the M (rows
/// of x, leading dims flattened), N and K of `shape`, and the element types
/// of x, y and the bias (when there is one).
LogicalResult readShape(Operation *op, Value x, Value y, Value bias, int64_t n,
                        GemvSpec &shape) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto yType = cast<RankedTensorType>(y.getType());
  if (!xType.hasStaticShape() || !yType.hasStaticShape())
    return op->emitError("linea-to-gpu: x and y must have static shapes, got ")
           << xType << " and " << yType;
  shape.k = xType.getShape().back();
  shape.m = xType.getNumElements() / std::max<int64_t>(shape.k, 1);
  shape.n = n;
  if (shape.m == 0 || shape.n == 0 || shape.k == 0)
    return op->emitError("linea-to-gpu: empty layer (M = ")
           << shape.m << ", N = " << shape.n << ", K = " << shape.k << ")";
  if (!isActivationType(xType.getElementType()) ||
      !isActivationType(yType.getElementType()))
    return op->emitError("linea-to-gpu: x and y must be bf16, f16 or f32, got ")
           << xType.getElementType() << " and " << yType.getElementType();
  shape.xType = xType.getElementType();
  shape.yType = yType.getElementType();
  if (bias) {
    shape.hasBias = true;
    shape.biasType = cast<RankedTensorType>(bias.getType()).getElementType();
  }
  return success();
}

/// Largest divisor of m that is ≤ 16: rows of x one block handles.
/// The default variant choice, from the H100 run of 2026-12-07: the mma.sync
/// kernel beat the CUDA-core GEMV 1.2–6.9× on every int4 layer of 8192 and
/// more input features and on dense layers from M = 4, while the GEMV stayed
/// ahead on dense M = 1 (0.98 vs 0.85× cuBLAS) and on small layers
/// (1000×4096: 3.1 vs 2.1×), where 4-warp split-K blocks are too few.
bool preferTensorCores(const GemvSpec &spec) {
  constexpr int64_t kMinWeights = int64_t(1) << 24;
  return spec.n * spec.k >= kMinWeights && (spec.quant || spec.m > 1);
}

/// Rows of x from which dense bf16/f16 layers get the wgmma GEMM by default
/// (two m64 tiles: the smallest M that fills its default 128-row tile).
constexpr int64_t kWgmmaMinRows = 128;

/// One prefill quant GEMM variant (quant-gemm-tiles): BMxBNxWMxWN[xS].
struct QuantGemmTile {
  int64_t bm, bn, wm, wn, stages;
  std::string name() const {
    return llvm::formatv("{0}x{1}x{2}x{3}s{4}", bm, bn, wm, wn, stages).str();
  }
};

FailureOr<SmallVector<QuantGemmTile>>
parseQuantGemmTiles(ArrayRef<std::string> options, ModuleOp module,
                    StringRef optionName = "quant-gemm-tiles") {
  SmallVector<QuantGemmTile> tiles;
  for (StringRef text : options) {
    SmallVector<StringRef> parts;
    text.split(parts, 'x');
    SmallVector<int64_t, 5> v;
    for (StringRef p : parts) {
      int64_t x;
      // Bounded so the tile's sizes can't overflow in mmaGemmTileError.
      if (p.getAsInteger(10, x) || x <= 0 || x > 1024) {
        v.clear();
        break;
      }
      v.push_back(x);
    }
    if (v.size() != 4 && v.size() != 5) {
      module.emitError("linea-to-gpu: ")
          << optionName << " entry '"
          << text << "' is not BMxBNxWMxWN[xSTAGES] (integers in [1, 1024])";
      return failure();
    }
    tiles.push_back({v[0], v[1], v[2], v[3], v.size() == 5 ? v[4] : 3});
  }
  return tiles;
}

/// The quant GEMM tile without quant-gemm-tiles: on an H100 128x128 won
/// from M = 256 (int4 8192²: 131 µs against 146 at M = 256), 64x128 at
/// M ≤ 200 (1.0–1.5× cuBLAS against 0.7–1.0×; bench/cuda/results).
QuantGemmTile defaultQuantGemmTile(int64_t m) {
  if (m >= 256)
    return {128, 128, 64, 32, 3};
  return {64, 128, 32, 32, 3};
}

int64_t chooseMTile(int64_t m) {
  for (int64_t t = std::min<int64_t>(m, 16); t > 1; --t)
    if (m % t == 0)
      return t;
  return 1;
}

FailureOr<GemvSpec> specForQuant(QuantLinearOp op) {
  QFormatAttr format = op.getFormat();
  auto qwType = cast<RankedTensorType>(op.getQweight().getType());
  GemvSpec spec;
  if (failed(readShape(op, op.getX(), op.getY(), op.getBias(),
                       qwType.getDimSize(0), spec)))
    return failure();
  spec.quant = true; // act ≠ weight_only: W8A8Kernels.cpp checks the rest
  QElement element = format.getElement();
  const bool symmetric = format.getSymmetric();
  const bool zeros = op.getZeroPoints() != nullptr;
  spec.codeBits = format.getElementBits();
  spec.signedCodes = symmetric;
  spec.fp8Codes =
      element == QElement::fp8_e4m3 || element == QElement::fp8_e5m2;
  spec.fp8E5M2 = element == QElement::fp8_e5m2;
  spec.nf4 = element == QElement::nf4;
  spec.e2m1 = element == QElement::mxfp4 || element == QElement::nvfp4;
  spec.e8m0Scales = element == QElement::mxfp4;
  spec.e4m3Scales = spec.tensorScale = element == QElement::nvfp4;
  const bool supported =
      (symmetric && element != QElement::int6 && element != QElement::uint4 &&
       element != QElement::uint8) ||
      (!symmetric && zeros &&
       (element == QElement::uint4 || element == QElement::uint8));
  if (!supported)
    return op.emitError("linea-to-gpu: no CUDA kernel for ")
           << stringifyQElement(element)
           << (symmetric ? " symmetric" : " asymmetric")
           << " weights (supported: symmetric int4, int8, fp8_e4m3, "
              "fp8_e5m2, nf4, mxfp4, nvfp4; uint4 and uint8 with zero points)";
  if (spec.tensorScale && !op.getTensorScale())
    return op.emitError("linea-to-gpu: nvfp4 needs its tensor_scale operand");
  const int64_t chunk = spec.chunkElems();
  if (spec.k % chunk != 0)
    return op.emitError("linea-to-gpu: K = ")
           << spec.k << " is not a multiple of " << chunk
           << " (one 16-byte chunk of codes)";
  spec.scaleSpan = format.getScaleSpan(spec.k);
  // Groups are whole chunks, or whole 8-code words of one (nvfp4's 16).
  if (spec.scaleSpan % chunk != 0 &&
      (chunk % spec.scaleSpan != 0 || spec.scaleSpan % 8 != 0))
    return op.emitError("linea-to-gpu: group size ")
           << spec.scaleSpan << " is not a multiple of " << chunk
           << " nor a multiple of 8 dividing " << chunk;
  if (!spec.signedCodes && spec.scaleSpan < chunk)
    return op.emitError("linea-to-gpu: zero points need groups of whole "
                        "16-byte chunks, got group size ")
           << spec.scaleSpan << " < " << chunk;
  auto scaleType = cast<RankedTensorType>(op.getScales().getType());
  spec.scaleType = scaleType.getElementType();
  if (!isActivationType(spec.scaleType) && !spec.e8m0Scales &&
      !spec.e4m3Scales)
    return op.emitError("linea-to-gpu: scales must be bf16, f16 or f32, got ")
           << spec.scaleType;
  spec.scaleRows = scaleType.getDimSize(0);
  spec.scaleCols = scaleType.getDimSize(1);
  return spec;
}

FailureOr<GemvSpec> specForLinear(LinearOp op) {
  auto wType = cast<RankedTensorType>(op.getW().getType());
  GemvSpec spec;
  if (failed(readShape(op, op.getX(), op.getY(), op.getBias(),
                       wType.getDimSize(0), spec)))
    return failure();
  spec.wType = wType.getElementType();
  if (!spec.wType.isBF16() && !spec.wType.isF16())
    return op.emitError("linea-to-gpu: dense weights must be bf16 or f16, got ")
           << spec.wType;
  if (spec.k % 8 != 0)
    return op.emitError("linea-to-gpu: K = ")
           << spec.k << " is not a multiple of 8 (one 16-byte chunk of w)";
  return spec;
}

/// nm_linear: bf16/f16 values, 8 kept values per 16-byte chunk (K·n/m a
/// multiple of 8; 2:4: K a multiple of 16, which that implies).
FailureOr<GemvSpec> specForNM(NMLinearOp op) {
  auto vType = cast<RankedTensorType>(op.getValues().getType());
  GemvSpec spec;
  if (failed(readShape(op, op.getX(), op.getY(), op.getBias(),
                       vType.getDimSize(0), spec)))
    return failure();
  spec.nm = true;
  spec.nmN = op.getN();
  spec.nmM = op.getM();
  spec.wType = vType.getElementType();
  if (!spec.wType.isBF16() && !spec.wType.isF16())
    return op.emitError("linea-to-gpu: n:m values must be bf16 or f16, got ")
           << spec.wType;
  if (spec.rowElems() % 8 != 0)
    return op.emitError("linea-to-gpu: ")
           << spec.nmN << ":" << spec.nmM << " layer keeps K·n/m = "
           << spec.rowElems() << " values per row (K = " << spec.k
           << "), not a multiple of 8 (one 16-byte chunk)";
  return spec;
}

/// shift_linear: exponent and sign bytes, 16 per chunk (K a multiple of
/// 16), an optional f32/f16/bf16 per-row scale.
FailureOr<GemvSpec> specForShift(ShiftLinearOp op) {
  GemvSpec spec;
  if (failed(readShape(op, op.getX(), op.getY(), op.getBias(),
                       op.getOutFeatures(), spec)))
    return failure();
  spec.shift = true;
  spec.terms = op.getNumTerms();
  spec.scaleRows = spec.n;
  if (Value scale = op.getScale()) {
    spec.shiftScale = true;
    spec.scaleType = cast<RankedTensorType>(scale.getType()).getElementType();
    if (!isActivationType(spec.scaleType))
      return op.emitError("linea-to-gpu: shift scale must be bf16, f16 or "
                          "f32, got ")
             << spec.scaleType;
  }
  if (spec.k % 16 != 0)
    return op.emitError("linea-to-gpu: K = ")
           << spec.k
           << " is not a multiple of 16 (one 16-byte chunk of exponents)";
  if (spec.terms > 4)
    return op.emitError("linea-to-gpu: shift layer with T = ")
           << spec.terms << " terms; at most 4 are supported";
  return spec;
}

/// bsr_linear: values bf16/f16 in blocks whose rows are whole 16-byte
/// chunks; a warp's rows stay in one block row (checked per variant).
FailureOr<GemvSpec> specForBsr(BsrLinearOp op) {
  auto vType = cast<RankedTensorType>(op.getValues().getType());
  auto rowsType = cast<RankedTensorType>(op.getRowOffsets().getType());
  GemvSpec spec;
  spec.blockRows = op.getBlockRows();
  spec.blockCols = op.getBlockCols();
  spec.numBlocks = op.getNumBlocks();
  if (!vType.hasStaticShape() || !rowsType.hasStaticShape())
    return op.emitError("linea-to-gpu: values and row_offsets must have "
                        "static shapes");
  if (failed(readShape(op, op.getX(), op.getY(), op.getBias(),
                       (rowsType.getDimSize(0) - 1) * spec.blockRows, spec)))
    return failure();
  spec.bsr = true;
  spec.wType = vType.getElementType();
  spec.indexType = cast<RankedTensorType>(op.getColIndices().getType())
                       .getElementType();
  if (!spec.wType.isBF16() && !spec.wType.isF16())
    return op.emitError("linea-to-gpu: bsr values must be bf16 or f16, got ")
           << spec.wType;
  if (spec.indexType != rowsType.getElementType())
    return op.emitError("linea-to-gpu: col_indices and row_offsets must have "
                        "one element type, got ")
           << spec.indexType << " and " << rowsType.getElementType();
  if (spec.blockCols % 8 != 0)
    return op.emitError("linea-to-gpu: block columns bk = ")
           << spec.blockCols << " is not a multiple of 8 (one 16-byte chunk)";
  if (spec.numBlocks == 0)
    return op.emitError("linea-to-gpu: bsr layer with no stored blocks");
  return spec;
}

/// lowrank_linear: x·vᵀ then ·uᵀ, both factors bf16/f16, K and r
/// multiples of 8.
FailureOr<GemvSpec> specForLowRank(LowRankLinearOp op) {
  auto uType = cast<RankedTensorType>(op.getU().getType());
  auto vType = cast<RankedTensorType>(op.getV().getType());
  GemvSpec spec;
  if (failed(readShape(op, op.getX(), op.getY(), op.getBias(),
                       uType.getDimSize(0), spec)))
    return failure();
  spec.lowRank = true;
  spec.rank = vType.getDimSize(0);
  spec.wType = vType.getElementType();
  spec.uType = uType.getElementType();
  for (Type t : {spec.wType, spec.uType})
    if (!t.isBF16() && !t.isF16())
      return op.emitError("linea-to-gpu: low-rank factors must be bf16 or "
                          "f16, got u ")
             << spec.uType << " and v " << spec.wType;
  if (spec.k % 8 != 0 || spec.rank % 8 != 0)
    return op.emitError("linea-to-gpu: K = ")
           << spec.k << " and rank r = " << spec.rank
           << " must be multiples of 8 (16-byte chunks)";
  return spec;
}

/// `name` with every character outside [A-Za-z0-9_] replaced by '_'.
std::string sanitize(StringRef name) {
  std::string out;
  for (char c : name)
    out.push_back(llvm::isAlnum(c) ? c : '_');
  return out;
}

/// Launch description of one kernel (manifest entry); `launches` lists the
/// kernels of a multi-launch entry (low-rank layers).
DictionaryAttr describeKernel(Builder &b, StringRef symbol, StringRef layer,
                              Operation *op, const GemvSpec &spec,
                              ArrayRef<Attribute> launches = {}) {
  auto arg = [&](StringRef name, Type elem, ArrayRef<int64_t> shape) {
    return b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(name)),
         b.getNamedAttr("dtype", b.getStringAttr(gpu_codegen::dtypeName(elem))),
         b.getNamedAttr("shape", b.getI64ArrayAttr(shape))});
  };
  SmallVector<Attribute> args;
  args.push_back(arg("x", spec.xType, {spec.m, spec.k}));
  if (spec.quant) {
    args.push_back(arg("qweight", b.getI8Type(),
                       {spec.n, spec.k * spec.codeBits / 8}));
    args.push_back(
        arg("scales", spec.scaleType, {spec.scaleRows, spec.scaleCols}));
    if (!spec.signedCodes)
      args.push_back(
          arg("zero_points", b.getI8Type(), {spec.scaleRows, spec.scaleCols}));
    if (spec.tensorScale)
      args.push_back(arg("tensor_scale", b.getF32Type(), {1}));
  } else if (spec.nm) {
    args.push_back(arg("values", spec.wType, {spec.n, spec.rowElems()}));
    args.push_back(arg("indices", b.getI8Type(), {spec.n, spec.rowElems()}));
  } else if (spec.shift) {
    args.push_back(arg("exponents", b.getI8Type(),
                       {spec.terms, spec.n, spec.k}));
    args.push_back(arg("signs", b.getI8Type(), {spec.terms, spec.n, spec.k}));
    if (spec.shiftScale)
      args.push_back(arg("scale", spec.scaleType, {spec.n}));
  } else if (spec.bsr) {
    args.push_back(arg("values", spec.wType,
                       {spec.numBlocks, spec.blockRows, spec.blockCols}));
    args.push_back(arg("col_indices", spec.indexType, {spec.numBlocks}));
    args.push_back(arg("row_offsets", spec.indexType,
                       {spec.n / spec.blockRows + 1}));
  } else if (spec.lowRank) {
    args.push_back(arg("u", spec.uType, {spec.n, spec.rank}));
    args.push_back(arg("v", spec.wType, {spec.rank, spec.k}));
  } else {
    args.push_back(arg("w", spec.wType, {spec.n, spec.k}));
  }
  if (spec.hasBias)
    args.push_back(arg("bias", spec.biasType, {spec.n}));
  if (spec.epilogue.hasResidual())
    args.push_back(
        arg("residual", spec.epilogue.residualType,
            residualShape(spec.m, spec.n, spec.epilogue)));
  if (spec.lowRank) // workspace: t = x·vᵀ in f32
    args.push_back(arg("t", b.getF32Type(), {spec.m, spec.rank}));
  args.push_back(arg("y", spec.yType, {spec.m, spec.n}));

  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("symbol", b.getStringAttr(symbol)),
      b.getNamedAttr("layer", b.getStringAttr(layer)),
      b.getNamedAttr("op", b.getStringAttr(op->getName().stripDialect())),
      b.getNamedAttr("m", b.getI64IntegerAttr(spec.m)),
      b.getNamedAttr("n", b.getI64IntegerAttr(spec.n)),
      b.getNamedAttr("k", b.getI64IntegerAttr(spec.k)),
      b.getNamedAttr("rows_per_warp", b.getI64IntegerAttr(spec.rowsPerWarp)),
      b.getNamedAttr("unroll", b.getI64IntegerAttr(spec.unroll)),
      b.getNamedAttr("m_tile", b.getI64IntegerAttr(spec.mTile)),
      b.getNamedAttr("grid",
                     b.getI64ArrayAttr({spec.gridX(), spec.gridY(), 1})),
      b.getNamedAttr(
          "block", b.getI64ArrayAttr({spec.blockThreads(), 1, 1})),
      b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(0)),
      b.getNamedAttr("grid_stride", b.getBoolAttr(spec.gridStride)),
      b.getNamedAttr("tensor_cores", b.getBoolAttr(spec.tensorCores)),
      b.getNamedAttr("args", b.getArrayAttr(args))};
  if (spec.quant) {
    auto format = cast<QuantLinearOp>(op).getFormat();
    entries.push_back(b.getNamedAttr(
        "element", b.getStringAttr(stringifyQElement(format.getElement()))));
    entries.push_back(
        b.getNamedAttr("group", b.getI64IntegerAttr(spec.scaleSpan)));
  }
  if (spec.tensorCores && !spec.gemmM) {
    entries.push_back(
        b.getNamedAttr("split_k", b.getI64IntegerAttr(spec.splitK)));
    entries.push_back(
        b.getNamedAttr("prefetch", b.getBoolAttr(spec.prefetch)));
  }
  if (!spec.epilogue.empty())
    entries.push_back(b.getNamedAttr(
        "epilogue", gpu_codegen::describeEpilogue(b, spec.epilogue)));
  if (spec.nm)
    entries.push_back(
        b.getNamedAttr("n_m", b.getI64ArrayAttr({spec.nmN, spec.nmM})));
  if (spec.shift)
    entries.push_back(b.getNamedAttr("terms", b.getI64IntegerAttr(spec.terms)));
  if (spec.bsr)
    entries.push_back(b.getNamedAttr(
        "block_size",
        b.getI64ArrayAttr({spec.blockRows, spec.blockCols})));
  if (spec.lowRank) {
    entries.push_back(b.getNamedAttr("rank", b.getI64IntegerAttr(spec.rank)));
    entries.push_back(b.getNamedAttr("launches", b.getArrayAttr(launches)));
  }
  return b.getDictionaryAttr(entries);
}

/// The launch of a tiled tensor-core kernel (GEMMs, BSR, n:m): what its
/// manifest entry says beyond describeKernel's.
struct TiledLaunch {
  StringRef kind;
  SmallVector<int64_t, 5> tile;
  SmallVector<int64_t, 3> grid;
  int64_t threads, sharedBytes, mTile; // mTile: rows of x per block
};

/// describeKernel with a TiledLaunch's fields (never grid-strided, always
/// tensor cores).
DictionaryAttr describeTiledKernel(Builder &b, StringRef symbol,
                                   StringRef layer, Operation *op,
                                   const GemvSpec &spec,
                                   const TiledLaunch &launch) {
  NamedAttrList entry(describeKernel(b, symbol, layer, op, spec).getValue());
  entry.set("kind", b.getStringAttr(launch.kind));
  entry.set("tile", b.getI64ArrayAttr(launch.tile));
  entry.set("grid", b.getI64ArrayAttr(launch.grid));
  entry.set("block", b.getI64ArrayAttr({launch.threads, 1, 1}));
  entry.set("shared_bytes", b.getI64IntegerAttr(launch.sharedBytes));
  entry.set("m_tile", b.getI64IntegerAttr(launch.mTile));
  entry.set("grid_stride", b.getBoolAttr(false));
  entry.set("tensor_cores", b.getBoolAttr(true));
  return entry.getDictionary(b.getContext());
}

struct LineaToGPUPass : impl::LineaToGPUBase<LineaToGPUPass> {
  using Base::Base;

  /// The int4/uint4 prefill GEMM on wgmma (QuantWgmmaKernel.cpp) for a
  /// quant_linear with M >= quant-gemm-min-rows: the default on sm_90a
  /// (unless quant-gemm-tiles or a decode variant option is given),
  /// `wgmma=1` or `quant-wgmma-tiles` ask for it, `wgmma=0` alone turns it
  /// off. True when the layer needs no other kernel (false: the mma.sync
  /// GEMM / decode choice follows, as with `wgmma=0,1`).
  FailureOr<bool> buildQuantWgmma(OpBuilder &b, gpu::GPUModuleOp gpuModule,
                                  size_t index, StringRef name, Operation *op,
                                  const GemvSpec &spec,
                                  ArrayRef<gpu_codegen::QuantWgmmaTile> tiles,
                                  SmallVectorImpl<Attribute> &manifest) {
    const bool autoVariant =
        tensorCores.empty() && rowsPerWarp.empty() && unroll.empty();
    const bool asked =
        !quantWgmmaTiles.empty() || llvm::is_contained(wgmma, 1);
    const bool off = !wgmma.empty() && !llvm::is_contained(wgmma, 1);
    if (off || (!asked && !(autoVariant && quantGemmTiles.empty())))
      return false;
    std::string why =
        gpu_codegen::quantWgmmaUnsupported(spec, quantWgmmaUnverified);
    if (why.empty() && chip != "sm_90a")
      why = "wgmma needs chip sm_90a, got " + chip;
    if (!why.empty()) {
      if (!quantWgmmaTiles.empty())
        return op->emitError("linea-to-gpu: quant-wgmma-tiles cannot build "
                             "layer '")
               << name << "' (M = " << spec.m << ", N = " << spec.n
               << ", K = " << spec.k << "): " << why;
      if (asked)
        op->emitRemark("linea-to-gpu: layer '")
            << name << "' (M = " << spec.m << ", N = " << spec.n
            << ", K = " << spec.k << ") keeps the mma.sync GEMM, not wgmma: "
            << why;
      return false;
    }
    SmallVector<gpu_codegen::QuantWgmmaTile> layerTiles(tiles);
    if (layerTiles.empty())
      layerTiles.push_back(gpu_codegen::chooseQuantWgmmaTile(spec));
    for (const gpu_codegen::QuantWgmmaTile &tile : layerTiles) {
      std::string symbol = "linea_" + std::to_string(index) + "_" +
                           sanitize(name) + "_qwg" + tile.name();
      b.setInsertionPointToEnd(gpuModule.getBody());
      gpu_codegen::buildQuantWgmmaKernel(b, op->getLoc(), symbol, spec, tile);
      manifest.push_back(describeTiledKernel(
          b, symbol, name, op, spec,
          {"quant_wgmma",
           {tile.bm, tile.bn, tile.stages},
           {gpu_codegen::quantWgmmaGrid(spec, tile), 1, 1},
           tile.wgmmaTile().threads(),
           tile.sharedBytes(),
           tile.bm}));
    }
    return !llvm::is_contained(wgmma, 0) && quantGemmTiles.empty();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<int64_t> rowOptions(rowsPerWarp.begin(), rowsPerWarp.end());
    SmallVector<int64_t> unrollOptions(unroll.begin(), unroll.end());
    // With neither option given, each layer gets the variant measured best
    // on an H100 (bench/cuda/results/decode-tc-h100-2026-12-07.jsonl).
    const bool autoVariant =
        tensorCores.empty() && rowOptions.empty() && unrollOptions.empty();
    if (rowOptions.empty())
      rowOptions = {2};
    if (unrollOptions.empty())
      unrollOptions = {2};
    SmallVector<int64_t> strideOptions(gridStride.begin(), gridStride.end());
    if (strideOptions.empty())
      strideOptions = {1};
    SmallVector<int64_t> tcOptions(tensorCores.begin(), tensorCores.end());
    if (tcOptions.empty())
      tcOptions = {0};
    for (int64_t v : chunkwise)
      if (v != 0 && v != 1) {
        module.emitError("linea-to-gpu: chunkwise must be 0 or 1, got ") << v;
        return signalPassFailure();
      }
    SmallVector<int64_t> prefetchOptions(prefetch.begin(), prefetch.end());
    // Prefetching measured faster for the variants picked automatically
    // (bench/cuda/results/decode-prefetch-h100-2026-12-08.jsonl); explicit
    // sweeps ask for it.
    if (prefetchOptions.empty())
      prefetchOptions = {autoVariant ? 1 : 0};
    SmallVector<int64_t> splitKOptions(splitK.begin(), splitK.end());
    if (splitKOptions.empty())
      splitKOptions = {gpu_codegen::kWarpsPerBlock};
    for (int64_t v : prefetchOptions)
      if (v != 0 && v != 1) {
        module.emitError("linea-to-gpu: prefetch must be 0 or 1, got ") << v;
        return signalPassFailure();
      }
    for (int64_t v : splitKOptions)
      if (v != 4 && v != 8) {
        module.emitError("linea-to-gpu: split-k must be 4 or 8, got ") << v;
        return signalPassFailure();
      }
    for (int64_t v : llvm::concat<int64_t>(rowOptions, unrollOptions))
      if (v < 1 || v > 8) {
        module.emitError("linea-to-gpu: rows-per-warp and unroll must be in "
                         "[1, 8], got ")
            << v;
        return signalPassFailure();
      }

    // Collect layers first: building kernels inserts ops into the module.
    SmallVector<std::pair<Operation *, GemvSpec>, 2> layers;
    SmallVector<std::pair<Operation *, gpu_codegen::W8A8Spec>, 1> w8a8Layers;
    SmallVector<std::pair<Operation *, gpu_codegen::AttentionSpec>> attentions;
    SmallVector<std::pair<Operation *, gpu_codegen::SageSpec>> sages;
    SmallVector<std::pair<Operation *, gpu_codegen::LatentSpec>> latents;
    SmallVector<Operation *> sequenceOps; // ScanLowering.cpp
    bool failedAny = false;
    SmallVector<Attribute> hostOps; // host-fallback=1
    llvm::DenseSet<Operation *> fusedOps; // taken by a layer's epilogue
    Builder attrs(ctx);
    module.walk([&](Operation *op) {
      if (gpu_codegen::isSequenceOp(op)) {
        failedAny |= failed(gpu_codegen::checkSequenceOp(op));
        sequenceOps.push_back(op);
        return;
      }
      if (!isa<AttentionOp, LatentAttentionOp, QuantLinearOp, LinearOp,
               BsrLinearOp, LowRankLinearOp, NMLinearOp, ShiftLinearOp>(op))
        return;
      // host-fallback=1: the reason an op gets no kernel becomes a remark
      // and a `host_ops` entry instead of an error.
      std::string reason;
      std::optional<ScopedDiagnosticHandler> capture;
      if (hostFallback)
        capture.emplace(ctx, [&](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return failure(); // not ours: let it through
          if (reason.empty())
            reason = diag.str();
          return success();
        });
      bool ok;
      if (isa<AttentionOp>(op) && cast<AttentionOp>(op).getQuant()) {
        auto spec = gpu_codegen::readSageSpec(op); // SageAttentionKernel.cpp
        if ((ok = succeeded(spec)))
          sages.push_back({op, *spec});
      } else if (isa<AttentionOp>(op)) { // FlashAttentionKernel.cpp
        auto spec = gpu_codegen::readAttentionSpec(op);
        if ((ok = succeeded(spec)))
          attentions.push_back({op, *spec});
      } else if (isa<LatentAttentionOp>(op)) { // LatentAttentionKernel.cpp
        auto spec = gpu_codegen::readLatentAttentionSpec(op);
        if ((ok = succeeded(spec)))
          latents.push_back({op, *spec});
      } else {
        FailureOr<GemvSpec> spec =
            llvm::TypeSwitch<Operation *, FailureOr<GemvSpec>>(op)
                .Case([](QuantLinearOp q) { return specForQuant(q); })
                .Case([](BsrLinearOp s) { return specForBsr(s); })
                .Case([](LowRankLinearOp l) { return specForLowRank(l); })
                .Case([](NMLinearOp l) { return specForNM(l); })
                .Case([](ShiftLinearOp l) { return specForShift(l); })
                .Default([](Operation *o) {
                  return specForLinear(cast<LinearOp>(o));
                });
        // The elementwise ops after the layer, into its kernel's store.
        if (succeeded(spec) && epilogues) {
          gpu_codegen::EpilogueMatch match =
              gpu_codegen::matchEpilogue(op->getResult(0), fusedOps);
          spec->epilogue = match.spec;
          fusedOps.insert(match.ops.begin(), match.ops.end());
        }
        if ((ok = succeeded(spec)) && gpu_codegen::isW8A8(op)) {
          auto w8a8 = gpu_codegen::readW8A8Spec(op, *spec); // W8A8Kernels.cpp
          if ((ok = succeeded(w8a8)))
            w8a8Layers.push_back({op, *w8a8});
        } else if (ok) {
          layers.push_back({op, *spec});
        }
      }
      capture.reset();
      if (ok)
        return;
      if (!hostFallback) {
        failedAny = true;
        return;
      }
      auto name = op->getAttrOfType<StringAttr>("name");
      op->emitRemark("linea-to-gpu: left for the host (no CUDA kernel): ")
          << reason;
      hostOps.push_back(attrs.getDictionaryAttr(
          {attrs.getNamedAttr("op", attrs.getStringAttr(
                                        op->getName().stripDialect())),
           attrs.getNamedAttr("layer", name ? name : attrs.getStringAttr("")),
           attrs.getNamedAttr("reason", attrs.getStringAttr(reason))}));
    });
    if (failedAny)
      return signalPassFailure();
    if (!hostOps.empty())
      module->setAttr("linea.cuda_host_ops", attrs.getArrayAttr(hostOps));
    if (layers.empty() && attentions.empty() && latents.empty() &&
        sages.empty() && sequenceOps.empty() && w8a8Layers.empty())
      return;

    OpBuilder b(ctx);
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    auto gpuModule = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModule);
    if (!gpuModule) {
      Attribute target = parseAttribute("#nvvm.target<chip = \"" + chip +
                                            "\", features = \"+ptx80\", O = 3>",
                                        ctx);
      if (!target) {
        module.emitError("linea-to-gpu: bad chip '") << chip << "'";
        return signalPassFailure();
      }
      b.setInsertionPointToEnd(module.getBody());
      gpuModule = gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModule,
                                           b.getArrayAttr({target}));
    }
    SmallVector<Attribute> manifest;
    if (auto old = module->getAttrOfType<ArrayAttr>("linea.cuda_kernels"))
      manifest.append(old.begin(), old.end());

    auto wgmmaTileList = gpu_codegen::parseWgmmaTiles(
        SmallVector<std::string>(wgmmaTiles.begin(), wgmmaTiles.end()),
        module);
    if (failed(wgmmaTileList))
      return signalPassFailure();
    for (int64_t v : wgmma)
      if (v != 0 && v != 1) {
        module.emitError("linea-to-gpu: wgmma must be 0 or 1, got ") << v;
        return signalPassFailure();
      }
    auto quantGemmTileList = parseQuantGemmTiles(
        SmallVector<std::string>(quantGemmTiles.begin(), quantGemmTiles.end()),
        module);
    if (failed(quantGemmTileList))
      return signalPassFailure();
    auto bsrMmaTileList = parseQuantGemmTiles(
        SmallVector<std::string>(bsrMmaTiles.begin(), bsrMmaTiles.end()),
        module, "bsr-mma-tiles");
    if (failed(bsrMmaTileList))
      return signalPassFailure();
    auto nmMmaTileList = parseQuantGemmTiles(
        SmallVector<std::string>(nmMmaTiles.begin(), nmMmaTiles.end()),
        module, "nm-mma-tiles");
    if (failed(nmMmaTileList))
      return signalPassFailure();
    auto quantWgmmaTileList = gpu_codegen::parseQuantWgmmaTiles(
        SmallVector<std::string>(quantWgmmaTiles.begin(),
                                 quantWgmmaTiles.end()),
        module, quantWgmmaUnverified);
    if (failed(quantWgmmaTileList))
      return signalPassFailure();
    for (auto [index, layer] : llvm::enumerate(layers)) {
      auto [op, baseSpec] = layer;
      std::string name = "layer" + std::to_string(index);
      if (auto attr = op->getAttrOfType<StringAttr>("name"))
        name = attr.str();
      if (isa<QuantLinearOp>(op) && quantGemmMinRows > 0 &&
          baseSpec.m >= quantGemmMinRows) {
        FailureOr<bool> done = buildQuantWgmma(
            b, gpuModule, index, name, op, baseSpec, *quantWgmmaTileList,
            manifest);
        if (failed(done))
          return signalPassFailure();
        if (*done)
          continue;
      }
      // Prefill-sized quantized layers: the mma.sync GEMM (MmaGemmKernel.cpp).
      // Explicit decode variant options (tensor-cores, rows-per-warp, unroll)
      // keep the decode kernels unless quant-gemm-tiles is given too.
      if (isa<QuantLinearOp>(op) && quantGemmMinRows > 0 &&
          baseSpec.m >= quantGemmMinRows &&
          (autoVariant || !quantGemmTiles.empty())) {
        std::string why = gpu_codegen::mmaGemmUnsupported(baseSpec);
        if (why.empty()) {
          SmallVector<QuantGemmTile> layerTiles(*quantGemmTileList);
          if (layerTiles.empty())
            layerTiles.push_back(defaultQuantGemmTile(baseSpec.m));
          for (const QuantGemmTile &t : layerTiles) {
            std::string bad = gpu_codegen::mmaGemmTileError(
                baseSpec, t.bm, t.bn, t.wm, t.wn, t.stages);
            if (!bad.empty()) {
              op->emitError("linea-to-gpu: quant-gemm-tiles ")
                  << t.name() << " for layer '" << name << "': " << bad;
              return signalPassFailure();
            }
            GemvSpec spec = baseSpec;
            spec.gemmM = t.bm, spec.gemmN = t.bn, spec.warpM = t.wm,
            spec.warpN = t.wn, spec.stages = t.stages;
            spec.tensorCores = true;
            std::string symbol = "linea_" + std::to_string(index) + "_" +
                                 sanitize(name) + "_qg" + t.name();
            b.setInsertionPointToEnd(gpuModule.getBody());
            gpu_codegen::buildMmaGemmKernel(b, op->getLoc(), symbol, spec);
            manifest.push_back(describeTiledKernel(
                b, symbol, name, op, spec,
                {"mma_gemm",
                 {t.bm, t.bn, t.wm, t.wn, t.stages},
                 {spec.gridX(), spec.gridY(), 1},
                 spec.blockThreads(),
                 spec.sharedBytes(),
                 t.bm}));
          }
          continue;
        }
        op->emitRemark("linea-to-gpu: layer '")
            << name << "' (M = " << baseSpec.m << ", N = " << baseSpec.n
            << ", K = " << baseSpec.k
            << ") keeps the decode kernels, not the prefill GEMM: " << why;
      }
      // bsr layers from bsr-mma-min-rows rows of x: the tensor-core kernel
      // (BsrMmaKernel.cpp); with explicit GEMV options as well, both.
      if (isa<BsrLinearOp>(op) && bsrMmaMinRows > 0 &&
          baseSpec.m >= bsrMmaMinRows &&
          (autoVariant || !bsrMmaTiles.empty())) {
        std::string why = gpu_codegen::bsrMmaUnsupported(baseSpec);
        if (why.empty()) {
          SmallVector<gpu_codegen::BsrMmaTile> layerTiles;
          for (const QuantGemmTile &t : *bsrMmaTileList)
            layerTiles.push_back({t.bm, t.bn, t.wm, t.wn, t.stages});
          if (layerTiles.empty())
            layerTiles.push_back(gpu_codegen::defaultBsrMmaTile(baseSpec));
          // Of several tiles, those the layer cannot take are skipped (a
          // remark); an error when none is left.
          unsigned built = 0;
          for (const gpu_codegen::BsrMmaTile &t : layerTiles) {
            std::string bad = gpu_codegen::bsrMmaTileError(baseSpec, t);
            if (!bad.empty()) {
              if (layerTiles.size() > 1 &&
                  (built || &t != &layerTiles.back())) {
                op->emitRemark("linea-to-gpu: bsr-mma-tiles ")
                    << t.name() << " skipped for layer '" << name
                    << "': " << bad;
                continue;
              }
              op->emitError("linea-to-gpu: bsr-mma-tiles ")
                  << t.name() << " for layer '" << name << "': " << bad;
              return signalPassFailure();
            }
            ++built;
            std::string symbol = "linea_" + std::to_string(index) + "_" +
                                 sanitize(name) + "_bm" + t.name();
            b.setInsertionPointToEnd(gpuModule.getBody());
            gpu_codegen::buildBsrMmaKernel(b, op->getLoc(), symbol, baseSpec,
                                           t);
            manifest.push_back(describeTiledKernel(
                b, symbol, name, op, baseSpec,
                {"bsr_mma",
                 {t.bm, t.bn, t.wm, t.wn, t.stages},
                 {t.gridX(baseSpec), t.gridY(baseSpec), 1},
                 t.threads(),
                 t.sharedBytes(baseSpec),
                 t.bm}));
          }
          if (autoVariant)
            continue;
        } else {
          op->emitRemark("linea-to-gpu: layer '")
              << name << "' (M = " << baseSpec.m << ", N = " << baseSpec.n
              << ", K = " << baseSpec.k
              << ") keeps the GEMV, not the tensor-core BSR kernel: " << why;
        }
      }
      // 2:4 layers with nm-mma-tiles, M >= 16: the sparse tensor cores
      // (NmMmaKernel.cpp); with explicit GEMV options as well, both.
      if (isa<NMLinearOp>(op) && !nmMmaTiles.empty() && baseSpec.m >= 16) {
        std::string why = gpu_codegen::nmMmaUnsupported(baseSpec);
        if (why.empty()) {
          for (const QuantGemmTile &q : *nmMmaTileList) {
            gpu_codegen::NmMmaTile t{q.bm, q.bn, q.wm, q.wn, q.stages};
            std::string bad = gpu_codegen::nmMmaTileError(baseSpec, t);
            if (!bad.empty()) {
              op->emitError("linea-to-gpu: nm-mma-tiles ")
                  << t.name() << " for layer '" << name << "': " << bad;
              return signalPassFailure();
            }
            std::string symbol = "linea_" + std::to_string(index) + "_" +
                                 sanitize(name) + "_sp" + t.name();
            b.setInsertionPointToEnd(gpuModule.getBody());
            gpu_codegen::buildNmMmaKernel(b, op->getLoc(), symbol, baseSpec,
                                          t);
            manifest.push_back(describeTiledKernel(
                b, symbol, name, op, baseSpec,
                {"nm_mma_sp",
                 {t.bm, t.bn, t.wm, t.wn, t.stages},
                 {t.gridX(baseSpec), t.gridY(baseSpec), 1},
                 t.threads(),
                 t.sharedBytes(),
                 t.bm}));
          }
          if (autoVariant)
            continue;
        } else {
          op->emitRemark("linea-to-gpu: layer '")
              << name << "' (M = " << baseSpec.m << ", N = " << baseSpec.n
              << ", K = " << baseSpec.k
              << ") keeps the GEMV, not the sparse tensor cores: " << why;
        }
      }
      // Prefill-sized dense layers: the wgmma GEMM (WgmmaGemmKernel.cpp).
      bool wantWgmma = false, wantDecode = true;
      if (isa<LinearOp>(op)) {
        std::string why = gpu_codegen::wgmmaUnsupportedReason(baseSpec);
        if (why.empty() && chip != "sm_90a")
          why = "wgmma needs chip sm_90a, got " + chip;
        if (wgmma.empty()) {
          // Like the decode default: only when no variant option is given.
          wantWgmma =
              autoVariant && why.empty() && baseSpec.m >= kWgmmaMinRows;
          wantDecode = !wantWgmma;
        } else {
          wantWgmma = llvm::is_contained(wgmma, 1);
          wantDecode = llvm::is_contained(wgmma, 0);
          if (wantWgmma && !why.empty()) {
            op->emitError("linea-to-gpu: wgmma=1 cannot build layer '")
                << name << "' (M = " << baseSpec.m << ", N = " << baseSpec.n
                << ", K = " << baseSpec.k << "): " << why;
            return signalPassFailure();
          }
        }
      }
      SmallVector<gpu_codegen::WgmmaTile> layerTiles(*wgmmaTileList);
      if (layerTiles.empty())
        layerTiles.push_back(gpu_codegen::chooseWgmmaTile(baseSpec));
      if (wantWgmma)
        for (const gpu_codegen::WgmmaTile &tile : layerTiles) {
          std::string symbol = "linea_" + std::to_string(index) + "_" +
                               sanitize(name) + "_wg" + tile.name();
          b.setInsertionPointToEnd(gpuModule.getBody());
          gpu_codegen::buildWgmmaGemmKernel(b, op->getLoc(), symbol, baseSpec,
                                            tile);
          manifest.push_back(describeTiledKernel(
              b, symbol, name, op, baseSpec,
              {"wgmma",
               {tile.bm, tile.bn, tile.stages},
               {gpu_codegen::wgmmaGrid(baseSpec, tile), 1, 1},
               tile.threads(),
               tile.sharedBytes(),
               tile.bm}));
        }
      if (!wantDecode)
        continue;
      const int64_t chunks = baseSpec.chunks();
      // (rows per warp, unroll, grid stride, tensor cores); the mma kernel
      // (MmaGemvKernel.cpp) takes 1 to 4 row tiles, any unroll, no stride.
      const bool mmaOk = gpu_codegen::mmaGemvSupported(baseSpec);
      llvm::SmallSetVector<std::tuple<int64_t, int64_t, int64_t, int64_t>, 8>
          variants;
      const bool autoTensorCores =
          autoVariant && mmaOk && preferTensorCores(baseSpec);
      if (autoTensorCores)
        variants.insert({baseSpec.m > 8 ? 2 : 1, 2, 0, 1});
      llvm::SmallSetVector<int64_t, 2> tooManyTiles; // mma kernel: r <= 4
      for (int64_t tc : tcOptions)
        for (int64_t r : rowOptions)
          for (int64_t u : unrollOptions)
            for (int64_t g : strideOptions) {
              if (autoTensorCores)
                continue;
              if (tc && mmaOk && r <= 4)
                variants.insert({r, u, 0, 1});
              else if (tc && mmaOk)
                tooManyTiles.insert(r);
              else if (!tc)
                // Unrolled steps must not run past the row.
                variants.insert({r, chunks % (32 * u) == 0 ? u : 1, g, 0});
            }
      for (int64_t r : tooManyTiles)
        op->emitRemark("linea-to-gpu: layer '")
            << name << "': no mma.sync kernel with rows-per-warp = " << r
            << " (16-row tiles per warp, 1 to 4); skipped";
      if (variants.empty()) // only tensor cores asked for, and not possible
        variants.insert({rowOptions[0], 1, strideOptions[0], 0});
      // bsr rows have a run-time length (no unroll), and a warp's rows must
      // share a block row; low-rank phases are launched as listed.
      if (baseSpec.bsr || baseSpec.lowRank) {
        decltype(variants) kept;
        for (auto [r, u, g, tc] : variants) {
          if (baseSpec.bsr)
            kept.insert({baseSpec.blockRows % r == 0 ? r : 1, 1, g, 0});
          else
            kept.insert({r, u, 0, 0});
        }
        variants = std::move(kept);
      }
      // The mma.sync kernel's own variants: prefetch × split-K.
      SmallVector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t,
                             int64_t>>
          expanded;
      for (auto [r, u, g, tc] : variants)
        for (int64_t p : tc ? prefetchOptions : SmallVector<int64_t>{0})
          for (int64_t s :
               tc ? splitKOptions
                  : SmallVector<int64_t>{gpu_codegen::kWarpsPerBlock})
            expanded.push_back({r, u, g, tc, p, s});
      for (auto [r, u, g, tc, p, s] : expanded) {
        GemvSpec spec = baseSpec;
        spec.rowsPerWarp = r;
        spec.unroll = u;
        spec.gridStride = g != 0;
        spec.tensorCores = tc != 0;
        spec.prefetch = p != 0;
        spec.splitK = s;
        spec.mTile = chooseMTile(spec.m);
        std::string symbol =
            "linea_" + std::to_string(index) + "_" + sanitize(name) + "_r" +
            std::to_string(r) + "u" + std::to_string(u) + (g ? "_gs" : "") +
            (tc ? "_tc" : "") + (p ? "p" : "") +
            (s != gpu_codegen::kWarpsPerBlock ? "w" + std::to_string(s) : "");
        b.setInsertionPointToEnd(gpuModule.getBody());
        if (spec.lowRank && llvm::is_contained(lowRankFused, 1) &&
            spec.m <= 16) {
          // One launch: phase-1 blocks, then phase-2 blocks (t, sync).
          GemvSpec fused = spec;
          fused.gridStride = false;
          fused.mTile = spec.m;
          std::string fsym = symbol + "_fused";
          auto [p1, p2] = gpu_codegen::buildLowRankFusedKernel(
              b, op->getLoc(), fsym, fused);
          NamedAttrList entry(
              describeKernel(b, fsym, name, op, fused).getValue());
          SmallVector<Attribute> args(
              cast<ArrayAttr>(entry.get("args")).getValue());
          args.insert(args.end() - 1,
                      b.getDictionaryAttr(
                          {b.getNamedAttr("name", b.getStringAttr("sync")),
                           b.getNamedAttr("dtype", b.getStringAttr("i32")),
                           b.getNamedAttr("shape", b.getI64ArrayAttr({2}))}));
          entry.set("args", b.getArrayAttr(args));
          entry.erase("launches"); // one kernel, launched as the entry
          entry.set("kind", b.getStringAttr("lowrank_fused"));
          entry.set("grid",
                    b.getI64ArrayAttr({p1.gridX() + p2.gridX(), 1, 1}));
          entry.set("grid_stride", b.getBoolAttr(false));
          manifest.push_back(entry.getDictionary(ctx));
          if (!llvm::is_contained(lowRankFused, 0))
            continue;
        }
        if (spec.lowRank) {
          auto [p1, p2] = gpu_codegen::buildLowRankKernels(b, op->getLoc(),
                                                           symbol, spec);
          SmallVector<Attribute> launches;
          for (auto [suffix, p] : {std::pair{"_p1", &p1}, {"_p2", &p2}})
            launches.push_back(b.getDictionaryAttr(
                {b.getNamedAttr("symbol", b.getStringAttr(symbol + suffix)),
                 b.getNamedAttr("grid", b.getI64ArrayAttr(
                                            {p->gridX(), p->gridY(), 1})),
                 b.getNamedAttr("block",
                                b.getI64ArrayAttr(
                                    {gpu_codegen::kWarpsPerBlock * 32, 1, 1})),
                 b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(0))}));
          manifest.push_back(
              describeKernel(b, symbol, name, op, spec, launches));
          continue;
        }
        if (tc)
          gpu_codegen::buildMmaGemvKernel(b, op->getLoc(), symbol, spec);
        else
          gpu_codegen::buildGemvKernel(b, op->getLoc(), symbol, spec);
        manifest.push_back(describeKernel(b, symbol, name, op, spec));
      }
    }
    for (auto [index, layer] : llvm::enumerate(w8a8Layers)) {
      auto [op, spec] = layer;
      std::string name = "w8a8_" + std::to_string(index);
      if (auto attr = op->getAttrOfType<StringAttr>("name"))
        name = attr.str();
      b.setInsertionPointToEnd(gpuModule.getBody());
      gpu_codegen::emitW8A8Kernels(
          b, op, "linea_w8_" + std::to_string(index) + "_" + sanitize(name),
          name, spec,
          chip == "sm_90a" && (wgmma.empty() || llvm::is_contained(wgmma, 1)),
          *wgmmaTileList, manifest);
    }
    SmallVector<std::string> tileOptions(attentionTiles.begin(),
                                         attentionTiles.end());
    auto tiles = gpu_codegen::parseAttentionTiles(tileOptions, module);
    if (failed(tiles))
      return signalPassFailure();
    for (auto [index, attention] : llvm::enumerate(attentions)) {
      auto [op, spec] = attention;
      std::string name = "attn" + std::to_string(index);
      if (auto attr = op->getAttrOfType<StringAttr>("name"))
        name = attr.str();
      b.setInsertionPointToEnd(gpuModule.getBody());
      gpu_codegen::emitAttentionKernels(
          b, op, "linea_a" + std::to_string(index) + "_" + sanitize(name),
          name, spec, *tiles, manifest);
    }
    for (auto [index, latent] : llvm::enumerate(latents)) {
      auto [op, spec] = latent;
      std::string name = "latent" + std::to_string(index);
      if (auto attr = op->getAttrOfType<StringAttr>("name"))
        name = attr.str();
      b.setInsertionPointToEnd(gpuModule.getBody());
      gpu_codegen::emitLatentAttentionKernels(
          b, op, "linea_l" + std::to_string(index) + "_" + sanitize(name),
          name, spec, manifest);
    }
    for (auto [index, sage] : llvm::enumerate(sages)) {
      auto [op, spec] = sage;
      std::string name = "sage" + std::to_string(index);
      if (auto attr = op->getAttrOfType<StringAttr>("name"))
        name = attr.str();
      b.setInsertionPointToEnd(gpuModule.getBody());
      gpu_codegen::emitSageAttentionKernels(
          b, op, "linea_q" + std::to_string(index) + "_" + sanitize(name), name,
          spec, *tiles, manifest);
    }
    SmallVector<int64_t> chunkOptions(scanChunk.begin(), scanChunk.end());
    for (auto [index, op] : llvm::enumerate(sequenceOps)) {
      std::string name = "seq" + std::to_string(index);
      if (auto attr = op->getAttrOfType<StringAttr>("name"))
        name = attr.str();
      b.setInsertionPointToEnd(gpuModule.getBody());
      gpu_codegen::buildSequenceOp(
          b, op, "linea_s" + std::to_string(index) + "_" + sanitize(name),
          name, chunkOptions,
          SmallVector<int64_t>(rowsPerLane.begin(), rowsPerLane.end()),
          SmallVector<int64_t>(chunkwise.begin(), chunkwise.end()), manifest);
    }
    module->setAttr("linea.cuda_kernels", b.getArrayAttr(manifest));
  }
};

} // namespace
} // namespace linea
