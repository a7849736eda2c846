//===- GemvKernel.h - decode GEMV kernels as gpu.func ------------*- C++
//-*-===//
//
// The description of one generated kernel and the builder that writes it in
// gpu/arith/vector/memref/scf. Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_GEMVKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_GEMVKERNEL_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace linea::gpu_codegen {

/// Threads per block of every GEMV kernel (4 warps).
constexpr int64_t kWarpsPerBlock = 4;

/// What one GEMV kernel computes: y[M, N] = x[M, K] · Ŵ[N, K]ᵀ (+ bias),
/// Ŵ dense (16-bit) or int4 codes with scales (and uint4 zero points).
struct GemvSpec {
  int64_t m = 1, n = 0, k = 0;
  mlir::Type xType, wType, yType, biasType; // element types; wType: dense only
  bool quant = false;
  bool signedCodes = true; // int4 (two's complement) vs uint4 + zero points
  int64_t codeBits = 4;    // quant: 4 (int4/uint4) or 8 (int8, fp8 e4m3)
  bool fp8Codes = false;   // quant, 8 bits: fp8 e4m3 codes instead of int8
  mlir::Type scaleType;    // quant only
  int64_t scaleRows = 1;   // N for group/channel scales
  int64_t scaleCols = 1;   // ceil(K / span)
  int64_t scaleSpan = 0;   // input features per scale (multiple of 32)
  bool hasBias = false;
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
  // Launch variant.
  int64_t rowsPerWarp = 1;
  int64_t unroll = 1;
  int64_t mTile = 1;       // rows of x per block (grid.y = M / mTile)
  bool gridStride = false; // blocks loop over row groups (any grid.x)
  /// mma.sync kernel (MmaGemvKernel.cpp): rowsPerWarp counts 16-row tiles,
  /// the 4 warps of a block split K over the same rows.
  bool tensorCores = false;

  /// Elements of a row one 16-byte chunk covers.
  int64_t chunkElems() const { return quant ? 128 / codeBits : 8; }
  int64_t gridX() const {
    int64_t rowsPerBlock =
        tensorCores ? 16 * rowsPerWarp : kWarpsPerBlock * rowsPerWarp;
    return (n + rowsPerBlock - 1) / rowsPerBlock;
  }
  int64_t gridY() const { return m / mTile; }
};

/// Appends `gpu.func @name` computing `spec` at the builder's insertion
/// point (inside a gpu.module). Arguments, as bare pointers: x, then W
/// (dense) or qweight, scales[, zero_points] or values, col_indices,
/// row_offsets (bsr), then [bias], then y.
mlir::gpu::GPUFuncOp buildGemvKernel(mlir::OpBuilder &b, mlir::Location loc,
                                     llvm::StringRef name,
                                     const GemvSpec &spec);

/// The kernel arguments of `spec` in that order (global memrefs of 16-byte
/// vectors for x, W / qweight; scalars for the rest).
llvm::SmallVector<mlir::Type> gemvArgumentTypes(mlir::OpBuilder &b,
                                                const GemvSpec &spec);

/// The kernel arguments by role (null where `spec` has none).
struct GemvArgs {
  mlir::Value x, w, scales, zeros, cols, offsets, bias, y;
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

/// The two phases of a low-rank layer (`spec.lowRank`): `<name>_p1`
/// (t = x·vᵀ, rank rows) and `<name>_p2` (y = t·uᵀ + bias), each taking
/// the whole argument list x, u, v, [bias], t, y. Returns the specs the
/// phases were built from (for their grids).
std::pair<GemvSpec, GemvSpec> buildLowRankKernels(mlir::OpBuilder &b,
                                                  mlir::Location loc,
                                                  llvm::StringRef name,
                                                  const GemvSpec &spec);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_GEMVKERNEL_H
