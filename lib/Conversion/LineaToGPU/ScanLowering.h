//===- ScanLowering.h - linea sequence ops to CUDA kernels -------*- C++ -*-===//
//
// Entry points linea-to-gpu uses for the scan and recurrence ops
// (selective_scan, linear_scan, gated_linear_attention, causal
// linear_attention, delta_rule). Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_SCANLOWERING_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_SCANLOWERING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace linea::gpu_codegen {

/// Whether `op` is one of the sequence ops handled here.
bool isSequenceOp(mlir::Operation *op);

/// Emits a diagnostic and fails when no kernel can be generated for `op`.
mlir::LogicalResult checkSequenceOp(mlir::Operation *op);

/// Builds the kernels of a checked `op` at the builder's insertion point (in
/// gpu.module @linea_kernels) and appends their manifest entries: one per
/// chunk length in `chunkOptions` for the scans (0 or none: automatic),
/// one per rows-per-lane value in `rowOptions` for the recurrences (none:
/// 8; values Dk does not allow are skipped), and for `formOptions`
/// containing 1 the chunkwise tensor-core kernel of GLA / causal linear
/// attention (a remark, and the recurrent kernels, where it does not fit;
/// 0 or none: recurrent).
void buildSequenceOp(mlir::OpBuilder &b, mlir::Operation *op,
                     llvm::StringRef symbol, llvm::StringRef layer,
                     llvm::ArrayRef<int64_t> chunkOptions,
                     llvm::ArrayRef<int64_t> rowOptions,
                     llvm::ArrayRef<int64_t> formOptions,
                     llvm::SmallVectorImpl<mlir::Attribute> &manifest);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_SCANLOWERING_H
