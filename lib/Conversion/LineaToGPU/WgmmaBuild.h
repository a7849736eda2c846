//===- WgmmaBuild.h - the wgmma GEMM body builder ----------------*- C++ -*-===//
//
// The builder behind buildWgmmaGemmKernel (WgmmaGemmKernel.cpp documents the
// pipeline), exposed so that kernels with the same main loop but another
// way of filling a stage (decoded weights, stored sparse blocks, 8-bit
// operands) subclass it instead of copying it. Internal to
// lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_WGMMABUILD_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_WGMMABUILD_H

#include "MmaBuild.h"
#include "WgmmaGemmKernel.h"

namespace linea::gpu_codegen {

class WgmmaBuilder : protected MmaBuilder {
public:
  WgmmaBuilder(mlir::ImplicitLocOpBuilder &b, const GemvSpec &spec,
               const WgmmaTile &tile)
      : MmaBuilder(b, spec.xType), spec(spec), tile(tile),
        prefetch(tile.stages - 2),
        kTiles((spec.k + kWgmmaBlockK - 1) / kWgmmaBlockK) {}
  virtual ~WgmmaBuilder() = default;

  /// The kernel body over its arguments x, w, [bias], y.
  void build(mlir::ValueRange args);

protected:
  mlir::Value c64(int64_t v) {
    return mlir::arith::ConstantOp::create(b, b.getI64IntegerAttr(v));
  }
  /// cp.async of stage `kt` (i32) into buffer kt mod stages: x rows at
  /// offset 0, W rows at tile.bm · 128 of the stage.
  virtual void issueStage(mlir::Value kt);
  /// The rows of one operand of a stage: `rows` rows from global row
  /// `row0`, valid below `limit`, into shared offset `dst`.
  void copyTile(mlir::Value stageOff, int64_t dst, mlir::Value base,
                mlir::Value row0, int64_t rows, int64_t limit, mlir::Value k0);
  /// Shared byte offset (from the aligned base) of stage `kt`'s buffer.
  mlir::Value stageOffset(mlir::Value kt) {
    return add(pad, mul(remu(kt, tile.stages), tile.stageBytes()));
  }
  llvm::SmallVector<mlir::Value> mmaStage(mlir::Value kt,
                                          mlir::ValueRange acc);
  /// vector<2xf32> rounded to `elem` (kept for f32).
  mlir::Value roundPair(mlir::Value pair, mlir::Type elem) {
    if (elem.isF32())
      return pair;
    return mlir::arith::TruncFOp::create(
        b, mlir::VectorType::get({2}, elem), pair);
  }
  void epilogue(mlir::ValueRange acc, mlir::Value bias, mlir::Value y);
  /// d += A·B over one k16 step: wgmma.mma_async m64nBNk16 with f32
  /// accumulators, both operands K-major in shared memory (no transpose).
  /// Inline PTX (as MLIR's convert-nvvm-to-llvm would emit for
  /// nvvm.wgmma.mma_async), so the usual convert-gpu-to-nvvm pipeline
  /// needs no extra pass.
  llvm::SmallVector<mlir::Value> wgmmaAsync(mlir::Type accType,
                                            mlir::Value aDesc,
                                            mlir::Value bDesc,
                                            llvm::ArrayRef<mlir::Value> d);

  const GemvSpec &spec;
  const WgmmaTile &tile;
  int64_t prefetch, kTiles;
  mlir::Value tid, xBase, wBase, m0, n0, smem32, pad;
};

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_WGMMABUILD_H
