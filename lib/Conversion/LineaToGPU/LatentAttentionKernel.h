//===- LatentAttentionKernel.h - Palu latent decode kernels -----*- C++ -*-===//
//
// linea.latent_attention at S = 1 (decode over low-rank latent K/V caches)
// on tensor cores: a split-T kernel that rebuilds K from the latent rows
// (and applies RoPE) per tile and accumulates P·v_latent, and a combine
// kernel that merges the splits and applies v_up once per head. Internal to
// lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_LATENTATTENTIONKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_LATENTATTENTIONKERNEL_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace linea::gpu_codegen {

/// One linea.latent_attention with static shapes and S = 1: q [B, H, 1, D],
/// k_latent [B, T, Gk·rk], k_up [Gk, (Hkv/Gk)·D, rk], v_latent
/// [B, T, Gv·rv], v_up [Gv, (Hkv/Gv)·Dv, rv], optional cos/sin [T, D] of
/// `ropeElem`; o [B, H, 1, Dv]. q/latents/ups/o share `elem` (bf16/f16).
struct LatentSpec {
  int64_t batch = 1, heads = 1, kvHeads = 1, t = 1, d = 128, dv = 128;
  int64_t kGroups = 1, rk = 256, vGroups = 1, rv = 256;
  mlir::Type elem;
  mlir::Type ropeElem; // null: no rope
  float scale = 1.0f;
  bool causal = false;    // no effect at S = 1 (the query sees every key)
  int64_t blockKeys = 64; // keys per tile: 16 per warp
  int64_t splits = 1, sliceKeys = 0;

  int64_t group() const { return heads / kvHeads; }
  bool hasRope() const { return static_cast<bool>(ropeElem); }
  /// Shared-memory layout (bytes): Q [16][D + 8], k_latent tile
  /// [Bc][rk + 8], v_latent tile [Bc][rv + 8], P [16][Bc + 8] (16-bit),
  /// then 2 × [4 warps][16 rows] f32 (row maxima, row sums).
  int64_t rowQ() const { return (d + 8) * 2; }
  int64_t rowK() const { return (rk + 8) * 2; }
  int64_t rowV() const { return (rv + 8) * 2; }
  int64_t rowP() const { return (blockKeys + 8) * 2; }
  int64_t offK() const { return 16 * rowQ(); }
  int64_t offV() const { return offK() + blockKeys * rowK(); }
  int64_t offP() const { return offV() + blockKeys * rowV(); }
  int64_t offRed() const { return offP() + 16 * rowP(); }
  int64_t offSum() const { return offRed() + 4 * 16 * 4; }
  /// U_hk (the D × rk block of k_up of the block's kv head), staged once
  /// when it fits next to the tiles: rows of rk + 8 elements after the rest.
  int64_t rowU() const { return (rk + 8) * 2; }
  int64_t offU() const { return offSum() + 4 * 16 * 4; }
  bool uInSmem() const { return offU() + d * rowU() <= kMaxShared; }
  /// Without RoPE, k_up folds into the queries: q̃ = Q·U_hk (16 × rk, kept
  /// in shared memory after U_hk) once per block, and S = q̃·latentᵀ per
  /// tile, K is never rebuilt.
  int64_t offQt() const { return offU() + d * rowU(); }
  bool absorb() const {
    return !hasRope() && rk % 64 == 0 && offQt() + 16 * rowU() <= kMaxShared;
  }
  int64_t sharedBytes() const {
    if (absorb())
      return offQt() + 16 * rowU();
    return uInSmem() ? offU() + d * rowU() : offU();
  }
  static constexpr int64_t kMaxShared = 227 * 1024;
};

/// Reads a linea.latent_attention into a spec, or emits the diagnostic
/// naming what the CUDA path does not support.
mlir::FailureOr<LatentSpec> readLatentAttentionSpec(mlir::Operation *op);

/// Appends the split kernel and its combine kernel (one manifest entry,
/// op "latent_attention", kind "decode", two `launches`; arguments q,
/// k_latent, k_up, v_latent, v_up, [cos, sin,] opart, ml, o) at the
/// builder's insertion point (inside gpu.module).
void emitLatentAttentionKernels(
    mlir::OpBuilder &b, mlir::Operation *op, llvm::StringRef prefix,
    llvm::StringRef layer, const LatentSpec &spec,
    llvm::SmallVectorImpl<mlir::Attribute> &manifest);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_LATENTATTENTIONKERNEL_H
