//===- W8A8Kernels.h - quant_linear with quantized activations --*- C++ -*-===//
//
// linea.quant_linear whose format quantizes the activations too (act
// dynamic_int8_per_token, fp8_per_tensor, fp8_per_token; docs/formats.md
// §6). Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_W8A8KERNELS_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_W8A8KERNELS_H

#include "GemvKernel.h"
#include "WgmmaGemmKernel.h"

#include "mlir/IR/Builders.h"

namespace linea::gpu_codegen {

/// How x is quantized: s_t = max|x_t| / 127 into int8, the static
/// act_scale into fp8 e4m3, or s_t = max|x_t| / 448 into e4m3.
enum class ActQuant { Int8PerToken, Fp8PerTensor, Fp8PerToken };

struct W8A8Spec {
  GemvSpec gemv; // the weight-only spec of the layer (int8 or e4m3 codes)
  ActQuant act = ActQuant::Int8PerToken;
  /// Weight scales of one value per output channel ([N, 1]) or per tensor
  /// ([1, 1]); groups only take the GEMV path.
  bool channelScales = true, tensorScales = false;
};

/// Whether `op` (a linea.quant_linear) quantizes its activations.
bool isW8A8(mlir::Operation *op);

/// Checks a quant_linear with act ≠ weight_only whose weight-only spec is
/// `weights`: int8 weights for dynamic_int8_per_token, fp8_e4m3 for the fp8
/// modes, K a multiple of 16. Emits the error on `op`.
mlir::FailureOr<W8A8Spec> readW8A8Spec(mlir::Operation *op,
                                       const GemvSpec &weights);

/// Appends the kernels of one layer and their manifest entry (one
/// two-launch entry per variant: the x quantization, then the wgmma GEMM on
/// 8-bit operands when `wgmma` (sm_90a, M ≥ kW8A8MinRows, channel or tensor
/// scales) with each of `tiles` (empty: chooseWgmmaTile), else the GEMV on
/// the dequantized x̂ in f32).
void emitW8A8Kernels(mlir::OpBuilder &b, mlir::Operation *op,
                     llvm::StringRef prefix, llvm::StringRef layer,
                     const W8A8Spec &spec, bool wgmma,
                     llvm::ArrayRef<WgmmaTile> tiles,
                     llvm::SmallVectorImpl<mlir::Attribute> &manifest);

/// Rows of x from which a W8A8 layer takes the wgmma GEMM (one m64 tile).
constexpr int64_t kW8A8MinRows = 64;

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_W8A8KERNELS_H
