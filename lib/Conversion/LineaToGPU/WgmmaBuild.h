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

/// The operand types of the wgmma main loop: bf16/f16 (spec.xType, k16
/// steps, f32 accumulators) or 8-bit (W8A8: k32 steps of int8 with s32
/// accumulators, or of fp8 e4m3 with f32 accumulators).
enum class WgmmaOperands { Half, S8, E4M3 };

class WgmmaBuilder : protected MmaBuilder {
public:
  WgmmaBuilder(mlir::ImplicitLocOpBuilder &b, const GemvSpec &spec,
               const WgmmaTile &tile,
               WgmmaOperands operands = WgmmaOperands::Half)
      : MmaBuilder(b, spec.xType), spec(spec), tile(tile),
        prefetch(tile.stages - 2),
        kTiles((spec.k + wgmmaBlockK(operands) - 1) / wgmmaBlockK(operands)),
        operands(operands), elemBytes(operands == WgmmaOperands::Half ? 2 : 1),
        blockK(wgmmaBlockK(operands)) {}
  virtual ~WgmmaBuilder() = default;

  /// K elements of one 128-byte swizzle row.
  static int64_t wgmmaBlockK(WgmmaOperands operands) {
    return operands == WgmmaOperands::Half ? kWgmmaBlockK : 2 * kWgmmaBlockK;
  }

  /// The kernel body over its arguments x, w, [bias], y.
  void build(mlir::ValueRange args);
  /// The same over explicit operands (bias may be null). With 8-bit
  /// operands, setScales must come first.
  void buildGemm(mlir::Value x, mlir::Value w, mlir::Value bias,
                 mlir::Value y);
  /// 8-bit operands: the epilogue computes acc · rowScales[m] · s_w[n]
  /// (f32 [M]; colScales [N, 1] or, `tensorScale`, [1, 1]) before the bias.
  void setScales(mlir::Value rows, mlir::Value cols, bool tensorScale) {
    rowScales = rows;
    colScales = cols;
    colTensor = tensorScale;
  }
  /// The [M, N] operand of spec.epilogue's combine (before buildGemm).
  void setResidual(mlir::Value r) { residual = r; }

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
  /// Binds the dynamic shared memory (smem32; pad, the bytes up to the
  /// next 1024-byte swizzle atom) and this block's tile origin (m0, n0) for
  /// `bm` × `bn` tiles of y, numbered along N within groups of 8 row tiles
  /// so that the blocks resident at once share x and W tiles in L2.
  void bindSmemAndTile(int64_t bm, int64_t bn);
  /// The inline-PTX wgmma `asmText` over `operands`, returning its `n`
  /// accumulators (the struct `accType` unpacked).
  llvm::SmallVector<mlir::Value> accumulatorAsm(mlir::Type accType,
                                                mlir::ValueRange operands,
                                                llvm::StringRef asmText,
                                                llvm::StringRef constraints,
                                                int64_t n);
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
  /// d += A·B over one 32-byte k step: wgmma.mma_async m64nBNk16 with f32
  /// accumulators (bf16/f16), m64nBNk32 s8·s8 → s32 or e4m3·e4m3 → f32
  /// (8-bit), both operands K-major in shared memory (no transpose).
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
  WgmmaOperands operands;
  int64_t elemBytes, blockK; // bytes per element, K elements per stage
  mlir::Value rowScales, colScales; // 8-bit operands only
  mlir::Value residual;             // spec.epilogue's [M, N] operand
  bool colTensor = false;
};

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_WGMMABUILD_H
