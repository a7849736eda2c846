//===- WgmmaGemmKernel.h - Hopper wgmma GEMM for dense layers ---*- C++ -*-===//
//
// y[M, N] = x[M, K]·W[N, K]ᵀ (+ bias) on warpgroup MMA (wgmma.mma_async,
// sm_90a) for prefill-sized M. Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_WGMMAGEMMKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_WGMMAGEMMKERNEL_H

#include "GemvKernel.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace linea::gpu_codegen {

/// Shared-memory K extent of a tile: one 128-byte swizzle row of 16-bit
/// elements.
constexpr int64_t kWgmmaBlockK = 64;
/// Dynamic shared memory one block may use on an H100/H200 (227 KB).
constexpr int64_t kMaxSharedBytes = 232448;

/// One tile variant: BM × BN output tile per block, `stages` shared-memory
/// buffers of BM + BN rows of 64 k. BM = 64 · warpgroups · mTiles.
struct WgmmaTile {
  int64_t bm = 128, bn = 256, stages = 4;

  int64_t warpgroups() const { return bm >= 128 ? 2 : 1; }
  int64_t mTiles() const { return bm / 64 / warpgroups(); }
  int64_t threads() const { return 128 * warpgroups(); }
  int64_t stageBytes() const { return (bm + bn) * kWgmmaBlockK * 2; }
  /// Stages plus 1 KB to align the first stage to the 1024-byte swizzle
  /// atom.
  int64_t sharedBytes() const { return stages * stageBytes() + 1024; }
  std::string name() const {
    return std::to_string(bm) + "x" + std::to_string(bn) + "x" +
           std::to_string(stages);
  }
};

/// Parses `wgmma-tiles` entries BMxBNxSTAGES (BM ∈ {64, 128, 256}, BN ∈
/// {64, 128, 256}, STAGES ≥ 3, fitting in shared memory); empty when none
/// is given. Emits an error on `anchor` for a bad entry.
mlir::FailureOr<llvm::SmallVector<WgmmaTile>>
parseWgmmaTiles(llvm::ArrayRef<std::string> options, mlir::Operation *anchor);

/// Why the wgmma kernel cannot take `spec` (empty when it can): a dense
/// bf16/f16 layer with x of W's type and K a multiple of 8.
std::string wgmmaUnsupportedReason(const GemvSpec &spec);

/// Appends the wgmma GEMM for `spec` with `tile`. Arguments x [M, K],
/// w [N, K], [bias [N]], y [M, N] as for the GEMV; grid wgmmaGrid(...)
/// one-dimensional, block tile.threads(), tile.sharedBytes() dynamic shared
/// memory.
mlir::gpu::GPUFuncOp buildWgmmaGemmKernel(mlir::OpBuilder &b,
                                          mlir::Location loc,
                                          llvm::StringRef name,
                                          const GemvSpec &spec,
                                          const WgmmaTile &tile);
int64_t wgmmaGrid(const GemvSpec &spec, const WgmmaTile &tile);

/// The default tile of a layer: 128x256x4 where that gives at least one
/// block per SM of an H100, else the first of 128x128x4 and 64x128x4 that
/// does, else the one of the three with the most blocks.
WgmmaTile chooseWgmmaTile(const GemvSpec &spec);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_WGMMAGEMMKERNEL_H
