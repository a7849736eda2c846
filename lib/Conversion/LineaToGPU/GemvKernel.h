//===- GemvKernel.h - decode GEMV kernels as gpu.func ------------*- C++
//-*-===//
//
// The description of one generated kernel and the builder that writes it in
// gpu/arith/vector/memref/scf. Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_GEMVKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_GEMVKERNEL_H

#include "Epilogue.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace linea::gpu_codegen {

/// Threads per block of every GEMV kernel (4 warps).
constexpr int64_t kWarpsPerBlock = 4;

/// What one GEMV kernel computes: y[M, N] = x[M, K] · Ŵ[N, K]ᵀ (+ bias),
/// Ŵ dense (16-bit), quantized codes with scales (and zero points), BSR,
/// low-rank, n:m sparse or shift-add.
struct GemvSpec {
  int64_t m = 1, n = 0, k = 0;
  mlir::Type xType, wType, yType, biasType; // element types; wType: dense only
  bool quant = false;
  bool signedCodes = true; // int4 (two's complement) vs uint4 + zero points
  int64_t codeBits = 4;    // quant: 4 (int4/uint4) or 8 (int8, fp8 e4m3)
  bool fp8Codes = false;   // quant, 8 bits: fp8 codes instead of int8
  bool fp8E5M2 = false;    // with fp8Codes: e5m2 instead of e4m3
  bool nf4 = false;        // quant, 4 bits: NF4 codebook (shared table)
  bool e2m1 = false;       // quant, 4 bits: fp4 e2m1 codes (mxfp4, nvfp4)
  bool e8m0Scales = false; // mxfp4: scales are e8m0 bytes (2^(e − 127))
  bool e4m3Scales = false; // nvfp4: scales are fp8 e4m3 bytes
  bool tensorScale = false; // nvfp4: an f32 tensor_scale argument [1]
  mlir::Type scaleType;    // quant only
  int64_t scaleRows = 1;   // N for group/channel scales
  int64_t scaleCols = 1;   // ceil(K / span)
  int64_t scaleSpan = 0;   // input features per scale (multiple of 32)
  bool hasBias = false;
  /// Activation / residual fused into the store (Epilogue.h); a residual
  /// is one more [M, N] argument after the bias.
  EpilogueSpec epilogue;
  /// bsr_linear: W's rows are the rows of the stored bn × bk blocks (values
  /// [nnzb·bn, bk], element wType); a warp walks only its block row's blocks.
  bool bsr = false;
  int64_t blockRows = 0, blockCols = 0, numBlocks = 0;
  mlir::Type indexType; // col_indices / row_offsets element (i32 or i64)
  /// lowrank_linear: two GEMV launches, t = x·vᵀ (f32 workspace [M, rank]),
  /// then y = t·uᵀ (+ bias); wType is v's element type, uType u's.
  bool lowRank = false;
  int64_t rank = 0;
  mlir::Type uType;
  /// nm_linear: values [N, K·n/m] (wType) and indices [N, K·n/m] i8; a
  /// chunk is 8 kept values, multiplied by the x elements their indices
  /// name (2:4: two x chunks and selects; other n:m: scalar x loads).
  bool nm = false;
  int64_t nmN = 0, nmM = 0;
  bool nm24() const { return nm && nmN == 2 && nmM == 4; }
  /// shift_linear: `terms` exponent and sign byte planes [T·N, K], a chunk
  /// 16 bytes of each; an optional per-row scale (scaleType, scaleRows N).
  bool shift = false;
  int64_t terms = 0;
  bool shiftScale = false;
  // Launch variant.
  int64_t rowsPerWarp = 1;
  int64_t unroll = 1;
  int64_t mTile = 1;       // rows of x per block (grid.y = M / mTile)
  bool gridStride = false; // blocks loop over row groups (any grid.x)
  /// mma.sync kernel (MmaGemvKernel.cpp): rowsPerWarp counts 16-row tiles,
  /// the `splitK` warps of a block (4 or 8) split K over the same rows, and
  /// with `prefetch` each warp issues the loads of its next `unroll` steps
  /// before the arithmetic of the current ones.
  bool tensorCores = false;
  int64_t splitK = kWarpsPerBlock;
  bool prefetch = false;
  /// Prefill GEMM (MmaGemmKernel.cpp) when gemmM > 0: blocks of gemmM rows
  /// of x × gemmN rows of W, warps of warpM × warpN, K in steps of 128
  /// through `stages` cp.async stages of dynamic shared memory.
  int64_t gemmM = 0, gemmN = 0, warpM = 0, warpN = 0, stages = 0;

  /// Elements of a row one 16-byte chunk covers.
  int64_t chunkElems() const {
    return quant ? 128 / codeBits : shift ? 16 : 8;
  }
  /// Stored elements per row (nm: the kept values).
  int64_t rowElems() const { return nm ? k * nmN / nmM : k; }
  /// 16-byte chunks per row.
  int64_t chunks() const { return rowElems() / chunkElems(); }
  /// Codes that are floats (no sign flip, no zero point).
  bool floatCodes() const { return fp8Codes || nf4 || e2m1; }
  int64_t gridX() const {
    if (gemmM)
      return (n + gemmN - 1) / gemmN;
    int64_t rowsPerBlock =
        tensorCores ? 16 * rowsPerWarp : kWarpsPerBlock * rowsPerWarp;
    return (n + rowsPerBlock - 1) / rowsPerBlock;
  }
  int64_t gridY() const { return gemmM ? (m + gemmM - 1) / gemmM : m / mTile; }
  int64_t blockThreads() const {
    if (gemmM)
      return 32 * (gemmM / warpM) * (gemmN / warpN);
    return 32 * (tensorCores ? splitK : kWarpsPerBlock);
  }
  /// Bytes of one GEMM pipeline stage: 128 x values (bf16/f16) per row of
  /// x, 128 codes per row of W.
  int64_t gemmStageBytes() const {
    return gemmM * 128 * 2 + gemmN * 128 * codeBits / 8;
  }
  int64_t sharedBytes() const { return gemmM ? stages * gemmStageBytes() : 0; }
};

/// Appends `gpu.func @name` computing `spec` at the builder's insertion
/// point (inside a gpu.module). Arguments, as bare pointers: x, then W
/// (dense) or qweight, scales[, zero_points][, tensor_scale] or values,
/// col_indices, row_offsets (bsr) or values, indices (nm) or exponents,
/// signs[, scale] (shift), then [bias], then y.
mlir::gpu::GPUFuncOp buildGemvKernel(mlir::OpBuilder &b, mlir::Location loc,
                                     llvm::StringRef name,
                                     const GemvSpec &spec);

/// The kernel arguments of `spec` in that order (global memrefs of 16-byte
/// vectors for x, W / qweight; scalars for the rest).
llvm::SmallVector<mlir::Type> gemvArgumentTypes(mlir::OpBuilder &b,
                                                const GemvSpec &spec);

/// `gpu.func @name` with `argTypes` computing `spec` (no nf4) on the
/// arguments `use` names, in buildGemvKernel's order; the others stay
/// untouched (entries of several launches share one argument list).
mlir::gpu::GPUFuncOp buildGemvKernelOn(mlir::OpBuilder &b, mlir::Location loc,
                                       llvm::StringRef name,
                                       const GemvSpec &spec,
                                       llvm::ArrayRef<mlir::Type> argTypes,
                                       llvm::ArrayRef<unsigned> use);

/// The kernel arguments by role (null where `spec` has none).
struct GemvArgs {
  mlir::Value x, w, scales, zeros, cols, offsets, bias, residual, y;
  mlir::Value tensorScale, indices, signs; // nvfp4; nm; shift
};
GemvArgs splitGemvArguments(mlir::ValueRange args, const GemvSpec &spec);

/// Whether the tensor-core kernel handles `spec`: x bf16/f16 (dense W of
/// the same type), int4/uint4 with K and the group size multiples of 128.
bool mmaGemvSupported(const GemvSpec &spec);

/// Appends the tensor-core version of `spec` (MmaGemvKernel.cpp); same
/// arguments and manifest as buildGemvKernel.
mlir::gpu::GPUFuncOp buildMmaGemvKernel(mlir::OpBuilder &b, mlir::Location loc,
                                        llvm::StringRef name,
                                        const GemvSpec &spec);

/// Why the prefill GEMM (MmaGemmKernel.cpp) cannot take `spec` with the
/// block tile bm × bn, warp tile wm × wn and `stages` stages (names the
/// numbers at fault), or "" when it can.
std::string mmaGemmUnsupported(const GemvSpec &spec);
std::string mmaGemmTileError(const GemvSpec &spec, int64_t bm, int64_t bn,
                             int64_t wm, int64_t wn, int64_t stages);

/// Appends the prefill GEMM of `spec` (gemmM > 0); same arguments and
/// manifest as buildGemvKernel, grid (N / gemmN, M / gemmM), dynamic shared
/// memory sharedBytes().
mlir::gpu::GPUFuncOp buildMmaGemmKernel(mlir::OpBuilder &b, mlir::Location loc,
                                        llvm::StringRef name,
                                        const GemvSpec &spec);

/// The two phases of a low-rank layer (`spec.lowRank`): `<name>_p1`
/// (t = x·vᵀ, rank rows) and `<name>_p2` (y = t·uᵀ + bias, epilogue),
/// each taking the whole argument list x, u, v, [bias], [residual], t, y.
/// Returns the specs the phases were built from (for their grids).
std::pair<GemvSpec, GemvSpec> buildLowRankKernels(mlir::OpBuilder &b,
                                                  mlir::Location loc,
                                                  llvm::StringRef name,
                                                  const GemvSpec &spec);

/// Both phases in one kernel (M ≤ 16, no grid stride): blocks
/// 0 … p1.gridX() − 1 compute t and count themselves done in sync[0];
/// the p2.gridX() blocks after them wait for that count, then compute y;
/// the last of them sets sync back to 0 for the next launch. Arguments
/// x, u, v, [bias], [residual], t, sync (i32 [2], zero before the first
/// launch), y. Relies on blocks starting in index order (phase-1 blocks
/// never wait), as single-pass scans do. Returns the two phase specs.
std::pair<GemvSpec, GemvSpec> buildLowRankFusedKernel(mlir::OpBuilder &b,
                                                      mlir::Location loc,
                                                      llvm::StringRef name,
                                                      const GemvSpec &spec);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_GEMVKERNEL_H
