//===- BsrMmaKernel.h - sparse layers on tensor cores -----------*- C++ -*-===//
//
// y[M, N] = x[M, K]·Wᵀ (+ bias) for `linea.bsr_linear` with many rows of x:
// a block owns BM rows of x × BN rows of one block row of W and walks the
// block row's stored blocks (cp.async pipeline, mma.sync m16n8k16,
// BsrMmaKernel.cpp); and for 2:4 `linea.nm_linear` on the sparse tensor
// cores (mma.sp m16n8k32, NmMmaKernel.cpp). Internal to
// lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_BSRMMAKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_BSRMMAKERNEL_H

#include "GemvKernel.h"

#include <string>

namespace linea::gpu_codegen {

/// One tile variant: BM rows of x × BN rows of W per block (BN divides the
/// block height bn), warps of WM × WN, `stages` stored blocks in flight.
struct BsrMmaTile {
  int64_t bm = 64, bn = 64, wm = 32, wn = 32, stages = 4;

  int64_t warps() const { return (bm / wm) * (bn / wn); }
  int64_t threads() const { return 32 * warps(); }
  /// One stage: BM rows of x and BN rows of W, bk 16-bit values each.
  int64_t stageBytes(const GemvSpec &spec) const {
    return (bm + bn) * spec.blockCols * 2;
  }
  int64_t sharedBytes(const GemvSpec &spec) const {
    return stages * stageBytes(spec);
  }
  /// Grid: (N / BN, ⌈M / BM⌉), blocks of one row tile of x adjacent.
  int64_t gridX(const GemvSpec &spec) const { return spec.n / bn; }
  int64_t gridY(const GemvSpec &spec) const { return (spec.m + bm - 1) / bm; }
  std::string name() const {
    return std::to_string(bm) + "x" + std::to_string(bn) + "x" +
           std::to_string(wm) + "x" + std::to_string(wn) + "s" +
           std::to_string(stages);
  }
};

/// Why no tensor-core BSR kernel can take `spec` (empty when one can): x
/// must have the values' type (bf16/f16), bk ∈ {16, 32, 64, 128}, bn a
/// multiple of 16.
std::string bsrMmaUnsupported(const GemvSpec &spec);

/// Why `tile` cannot build `spec` (names the numbers), or "".
std::string bsrMmaTileError(const GemvSpec &spec, const BsrMmaTile &tile);

/// The tile without `bsr-mma-tiles`, by M and the block shape.
BsrMmaTile defaultBsrMmaTile(const GemvSpec &spec);

/// Appends the kernel. Arguments as for the GEMV (x, values, col_indices,
/// row_offsets, [bias], y); grid (tile.gridX, tile.gridY), block
/// tile.threads(), tile.sharedBytes(spec) bytes of dynamic shared memory.
mlir::gpu::GPUFuncOp buildBsrMmaKernel(mlir::OpBuilder &b, mlir::Location loc,
                                       llvm::StringRef name,
                                       const GemvSpec &spec,
                                       const BsrMmaTile &tile);

/// 2:4 `nm_linear` on sparse tensor cores (NmMmaKernel.cpp): BM rows of x
/// × BN rows of W per block, warps of WM × WN (WM a multiple of 8 rows of
/// x, WN of 16 rows of W), K in steps of 64 through `stages` stages.
struct NmMmaTile {
  int64_t bm = 64, bn = 128, wm = 32, wn = 32, stages = 4;

  int64_t threads() const { return 32 * (bm / wm) * (bn / wn); }
  /// One stage: 64 x values per row of x (128 bytes), 32 kept values
  /// (64 bytes) and their 32 index bytes per row of W.
  int64_t stageBytes() const { return bm * 128 + bn * 96; }
  int64_t sharedBytes() const { return stages * stageBytes(); }
  int64_t gridX(const GemvSpec &spec) const {
    return (spec.n + bn - 1) / bn;
  }
  int64_t gridY(const GemvSpec &spec) const { return (spec.m + bm - 1) / bm; }
  std::string name() const {
    return std::to_string(bm) + "x" + std::to_string(bn) + "x" +
           std::to_string(wm) + "x" + std::to_string(wn) + "s" +
           std::to_string(stages);
  }
};

/// Why the sparse tensor-core kernel cannot take `spec` (empty when it
/// can): 2:4, x of the values' type (bf16/f16), K a multiple of 64.
std::string nmMmaUnsupported(const GemvSpec &spec);
std::string nmMmaTileError(const GemvSpec &spec, const NmMmaTile &tile);

/// Appends the kernel. Arguments as for the GEMV (x, values, indices,
/// [bias], y); grid (tile.gridX, tile.gridY), block tile.threads(),
/// tile.sharedBytes() bytes of dynamic shared memory.
mlir::gpu::GPUFuncOp buildNmMmaKernel(mlir::OpBuilder &b, mlir::Location loc,
                                      llvm::StringRef name,
                                      const GemvSpec &spec,
                                      const NmMmaTile &tile);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_BSRMMAKERNEL_H
