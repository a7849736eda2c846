//===- SageAttentionKernel.h - SageAttention kernels as gpu.func -*- C++ -*-===//
//
// linea.attention with `quant = #linea.attn_quant<…>` (SageAttention,
// linea.attention's description) on CUDA: prologue kernels that quantize q,
// k and v into workspaces, then a FlashAttention-2 kernel with Q·Kᵀ on int8
// tensor cores. Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_SAGEATTENTIONKERNEL_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_SAGEATTENTIONKERNEL_H

#include "FlashAttentionKernel.h"

namespace linea::gpu_codegen {

/// One quantized linea.attention: the shapes and tile variant of `attn`
/// plus the `attn_quant` parameters.
struct SageSpec {
  AttentionSpec attn;
  int64_t qBlock = 128, kBlock = 64;
  bool fp8Values = true;     // P and V rounded to e4m3
  bool smoothValues = false; // V's channel means taken out first
  /// Workspace rows: S and T rounded up to 128 (the largest tile), the
  /// padding zero, so the main kernel's copies need no bounds.
  int64_t sPad() const { return (attn.s + 127) / 128 * 128; }
  int64_t tPad() const { return (attn.t + 127) / 128 * 128; }
};

/// Reads a linea.attention carrying `quant`, or emits the diagnostic naming
/// what the CUDA SageAttention path does not support.
mlir::FailureOr<SageSpec> readSageSpec(mlir::Operation *op);

/// Appends the kernels of one quantized attention (prologue kernels and one
/// main kernel per (rows per warp, keys per tile) variant) at the builder's
/// insertion point inside gpu.module; one manifest entry (op
/// "sage_attention") per variant, its `launches` the prologue then the main
/// kernel, all with one argument list (q, k, v, the workspaces, o).
void emitSageAttentionKernels(
    mlir::OpBuilder &b, mlir::Operation *op, llvm::StringRef prefix,
    llvm::StringRef layer, const SageSpec &spec,
    llvm::ArrayRef<std::pair<int64_t, int64_t>> variants,
    llvm::SmallVectorImpl<mlir::Attribute> &manifest);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_SAGEATTENTIONKERNEL_H
