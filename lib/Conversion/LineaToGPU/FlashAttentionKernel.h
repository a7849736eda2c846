//===- FlashAttentionKernel.h - attention kernels as gpu.func ---*- C++ -*-===//
//
// Description of the attention kernels linea-to-gpu generates for
// linea.attention (prefill: FlashAttention-2 forward on tensor cores;
// decode: split-T flash-decoding plus a combine kernel) and their builders.
// Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_FLASHATTENTIONKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_FLASHATTENTIONKERNEL_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace linea::gpu_codegen {

/// Threads per block of the attention kernels (4 warps).
constexpr int64_t kAttentionThreads = 128;

/// One linea.attention with static shapes: q [B, H, S, D], k [B, Hkv, T, D],
/// v [B, Hkv, T, Dv], o [B, H, S, Dv], all of `elem` (bf16 or f16); f32
/// arithmetic; optional additive mask [Mb, Mh, Ms, Mt] (each dim 1 or the
/// size of [B, H, S, T]) of `maskElem` (f32/f16/bf16).
struct AttentionSpec {
  int64_t batch = 1, heads = 1, kvHeads = 1, s = 1, t = 1, d = 128, dv = 128;
  mlir::Type elem;   // the tensor-core operand type: bf16 or f16
  mlir::Type ioElem; // q, k, v and o: elem, or f32 (staged, below)
  mlir::Type maskElem; // null: no mask operand
  std::array<int64_t, 4> maskShape = {1, 1, 1, 1};
  bool causal = false;
  float scale = 1.0f; // score scale (1/sqrt(D) unless given)
  // Launch variant.
  int64_t rowsPerWarp = 16; // prefill: query rows per warp, 16 or 32
  int64_t blockKeys = 64;   // keys per shared-memory tile (Bc)
  int64_t splits = 1;       // decode: T slices (grid.x)
  int64_t sliceKeys = 0;    // decode: keys per slice (multiple of Bc)
  // Prefill: grid (H, ⌈S / Br⌉, B) instead of (⌈S / Br⌉, H, B), so the
  // blocks resident together share query rows (and the rows of a mask
  // broadcast over heads, read once from HBM) rather than a kv head.
  bool headsFastest = false;

  int64_t group() const { return heads / kvHeads; }
  /// S = 1 with at most 16 query heads per kv head: flash-decoding.
  bool decode() const { return s == 1 && group() <= 16; }
  int64_t blockRows() const { return 4 * rowsPerWarp; }
  /// Padded shared-memory rows: D (Dv) + 8 elements, so that the 8 rows
  /// one ldmatrix reads start 16 bytes apart (no bank conflicts).
  int64_t smemRowBytes() const { return (d + 8) * 2; }
  int64_t smemRowBytesV() const { return (dv + 8) * 2; }
  int64_t queryRowsInSmem() const { return decode() ? 16 : blockRows(); }
  /// Q tile + double-buffered K and V tiles.
  int64_t sharedBytes() const {
    return (queryRowsInSmem() + 2 * blockKeys) * smemRowBytes() +
           2 * blockKeys * smemRowBytesV();
  }
  bool hasMask() const { return static_cast<bool>(maskElem); }
  /// f32 q, k, v: a staging kernel rounds them to f16 workspaces (qh, kh,
  /// vh, after the mask) that the tensor-core kernels read; o is f32.
  bool staged() const { return ioElem != elem; }
  /// Partial results of the decode kernel per (b, h): one per warp.
  int64_t partials() const { return splits * 4; }
  std::array<int64_t, 3> grid() const {
    if (decode())
      return {splits, kvHeads, batch};
    const int64_t tiles = (s + blockRows() - 1) / blockRows();
    if (headsFastest)
      return {heads, tiles, batch};
    return {tiles, heads, batch};
  }
};

/// Prefill: `gpu.func @name(q, k, v, [mask,] o)`. Decode: `gpu.func
/// @name(q, k, v, [mask,] opart, ml, o)` writing per-warp partials
/// (unnormalised o in f32, and the running max in log2 units and the sum of
/// each row), not o.
mlir::gpu::GPUFuncOp buildFlashAttentionKernel(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               llvm::StringRef name,
                                               const AttentionSpec &spec);

/// Decode only: `gpu.func @name(q, k, v, [mask,] opart, ml, o)` (the split kernel's
/// arguments, so both launch with one list), one block of D threads per
/// (h, b), merging the partials into o.
mlir::gpu::GPUFuncOp buildAttentionCombineKernel(mlir::OpBuilder &b,
                                                 mlir::Location loc,
                                                 llvm::StringRef name,
                                                 const AttentionSpec &spec);

/// Reads a linea.attention into a spec (default variant), or emits the
/// diagnostic naming what the CUDA path does not support. `quant` is an
/// error unless `allowQuant` (SageAttentionKernel.cpp reads its shapes).
mlir::FailureOr<AttentionSpec> readAttentionSpec(mlir::Operation *op,
                                                 bool allowQuant = false);

/// The pass option attention-tiles ("16x64", …) as (rows per warp, keys
/// per tile) pairs; {32x32} when empty; an error on `anchor` for a
/// malformed entry.
mlir::FailureOr<llvm::SmallVector<std::pair<int64_t, int64_t>>>
parseAttentionTiles(llvm::ArrayRef<std::string> options,
                    mlir::Operation *anchor);

/// Appends the kernels of one attention at the builder's insertion point
/// (inside gpu.module): prefill, one kernel per (rows per warp, keys per
/// tile) variant; decode, the split kernel and its combine kernel as one
/// manifest entry with two `launches`. Symbols start with `prefix`.
void emitAttentionKernels(mlir::OpBuilder &b, mlir::Operation *op,
                          llvm::StringRef prefix, llvm::StringRef layer,
                          const AttentionSpec &spec,
                          llvm::ArrayRef<std::pair<int64_t, int64_t>> variants,
                          llvm::SmallVectorImpl<mlir::Attribute> &manifest);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_FLASHATTENTIONKERNEL_H
