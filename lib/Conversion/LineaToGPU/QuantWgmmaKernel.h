//===- QuantWgmmaKernel.h - weight-only int4 prefill GEMM on wgmma -*- C++ -*-//
//
// y[M, N] = x[M, K]·Ŵ[N, K]ᵀ (+ bias) for int4 / uint4 quant_linear layers
// with many rows of x, on Hopper warpgroup MMA with the decoded weights as
// the register A operand (QuantWgmmaKernel.cpp). Internal to
// lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_QUANTWGMMAKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_QUANTWGMMAKERNEL_H

#include "WgmmaGemmKernel.h"

namespace linea::gpu_codegen {

/// One variant: a BM × BN tile of y per block (BM rows of x — the wgmma N
/// extent, BN rows of W — m64 wgmma tiles over 1 or 2 warpgroups), `stages`
/// cp.async stages of 64 k.
struct QuantWgmmaTile {
  int64_t bm = 256, bn = 128, stages = 5;

  /// The dense kernel's tile with the roles swapped (W rows are wgmma M):
  /// warpgroups, m64 tiles per warpgroup and threads.
  WgmmaTile wgmmaTile() const { return WgmmaTile{bn, bm, stages}; }
  /// A stage: BM x rows of 128 bytes (swizzled), then BN rows of 32 bytes
  /// of packed codes.
  int64_t stageBytes() const { return bm * 128 + bn * 32; }
  int64_t sharedBytes() const { return stages * stageBytes() + 1024; }
  std::string name() const {
    return std::to_string(bm) + "x" + std::to_string(bn) + "x" +
           std::to_string(stages);
  }
};

/// Parses `quant-wgmma-tiles` entries BMxBNxSTAGES: 128x128 with STAGES in
/// [3, 16], the one shape verified on a GPU; with `unverified`, BM and BN
/// in {64, 128, 256} (at most 128 accumulators per thread), as generated
/// for re-checking on a GPU. Fitting in shared memory either way. Emits an
/// error on `anchor` for a bad entry.
mlir::FailureOr<llvm::SmallVector<QuantWgmmaTile>>
parseQuantWgmmaTiles(llvm::ArrayRef<std::string> options,
                     mlir::Operation *anchor, bool unverified = false);

/// Why the kernel cannot take `spec` (empty when it can): int4 or uint4
/// codes, x bf16/f16, K a multiple of 64, group size a multiple of 64.
/// uint4 and per-channel/tensor scales are refused until they pass on a GPU
/// (both gave wrong results in the first H100 run) unless `unverified`.
std::string quantWgmmaUnsupported(const GemvSpec &spec,
                                  bool unverified = false);

/// The default tile: 128x128x6, the one shape verified on an H100.
QuantWgmmaTile chooseQuantWgmmaTile(const GemvSpec &spec);
int64_t quantWgmmaGrid(const GemvSpec &spec, const QuantWgmmaTile &tile);

/// Appends the kernel. Arguments as gemvArgumentTypes (x, qweight, scales,
/// [zero_points], [bias], y); grid quantWgmmaGrid(...) one-dimensional,
/// block tile.wgmmaTile().threads(), tile.sharedBytes() dynamic shared
/// memory.
mlir::gpu::GPUFuncOp buildQuantWgmmaKernel(mlir::OpBuilder &b,
                                           mlir::Location loc,
                                           llvm::StringRef name,
                                           const GemvSpec &spec,
                                           const QuantWgmmaTile &tile);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_QUANTWGMMAKERNEL_H
