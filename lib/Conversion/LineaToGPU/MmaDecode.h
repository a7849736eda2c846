//===- MmaDecode.h - packed weight decode into mma.sync operands -*- C++ -*-===//
//
// Shared by the mma.sync decode kernel (MmaGemvKernel.cpp) and the prefill
// quantized GEMM (MmaGemmKernel.cpp): int4 / uint4 codes decoded two per
// instruction straight into packed bf16/f16 mma operands, and x's matching
// pairs by prmt. Internal to lib/Conversion/LineaToGPU.
//
//   lop3 (w & 0x000f000f) | magic puts nibbles j and j + 4 of a 32-bit word
//   into the mantissas of a packed pair (bf16 128 + n or f16 1024 + n); one
//   packed sub (sub.rn.bf16x2 / sub.f16x2) of magic + 8 (int4, sign bits
//   flipped first) or magic + z (uint4) leaves q − z exactly.
//
// The mma sums over its k slots in any order, so no weight repacking is
// needed: a word of 8 codes (k 0..7) gives the pairs (j, j + 4), j = 0..3,
// the k-lo / k-hi registers of two m16n8k16 steps; x's 8 values for the
// same k are rearranged into the same pairs by prmt (xOperands).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_MMADECODE_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_MMADECODE_H

#include "KernelBuild.h"
#include "MmaBuild.h"

namespace linea::gpu_codegen {

/// Packed-decode helpers on 16-bit `elem` (bf16 or f16) mma operands.
class PackedMmaOps : public MmaBuilder {
public:
  PackedMmaOps(mlir::ImplicitLocOpBuilder &b, mlir::Type elem)
      : MmaBuilder(b, elem), pair(mlir::VectorType::get({2}, elem)),
        magic(elem.isF16() ? 1024.0 : 128.0) {}

protected:
  Value asI32(Value v) {
    return v.getType() == i32 ? v : mlir::LLVM::BitcastOp::create(b, i32, v);
  }
  /// (a & mask) | bits in one lop3.
  Value lop3(Value a, int64_t mask, int64_t bits) {
    return mlir::LLVM::InlineAsmOp::create(
               b, i32, mlir::ValueRange{a, ci(mask), ci(bits)},
               "lop3.b32 $0, $1, $2, $3, 0xEA;", "=r,r,r,r",
               /*has_side_effects=*/false, /*is_align_stack=*/false,
               mlir::LLVM::tailcallkind::TailCallKind::None,
               mlir::LLVM::AsmDialectAttr(), mlir::ArrayAttr())
        .getResult(0);
  }
  Value prmt(Value lo, Value hi, int64_t selector) {
    return mlir::NVVM::PermuteOp::create(b, i32, lo, hi, ci(selector),
                                         mlir::NVVM::PermuteMode::DEFAULT);
  }
  /// A 32-bit register as an mma operand of the element type.
  Value operand(Value word) {
    return isF16 ? Value(mlir::LLVM::BitcastOp::create(b, pair, word)) : word;
  }
  /// The 16-bit pair ((magic + n) − offset) [· scale], as an mma operand.
  Value unbias(Value biased, Value offset, Value scale = {}) {
    Value v = mlir::LLVM::BitcastOp::create(b, pair, biased);
    v = mlir::arith::SubFOp::create(b, v, offset);
    if (scale)
      v = mlir::arith::MulFOp::create(b, v, scale);
    return operand(asI32(v));
  }
  /// The four 32-bit words of a 16-byte chunk.
  llvm::SmallVector<Value, 4> words(Value chunk) {
    Value w = chunk;
    if (llvm::cast<mlir::VectorType>(chunk.getType()).getElementType() != i32)
      w = mlir::vector::BitCastOp::create(
          b, mlir::VectorType::get({4}, i32), chunk);
    llvm::SmallVector<Value, 4> out;
    for (int64_t i = 0; i < 4; ++i)
      out.push_back(mlir::vector::ExtractOp::create(b, w, i));
    return out;
  }
  /// The int4 (`signedCodes`) or uint4 codes of one 32-bit word as the
  /// operands of two mma steps: [step][0 = k lo, 1 = k hi], each pair
  /// ((code − z) [· scale]) for k (j, j + 4) of the word.
  llvm::SmallVector<std::array<Value, 2>, 2>
  int4Operands(Value w, bool signedCodes, Value offset, Value scale = {}) {
    const int64_t magicBits = isF16 ? 0x64006400 : 0x43004300;
    if (signedCodes) // n = q + 8
      w = mlir::arith::XOrIOp::create(b, w, ci(0x88888888));
    llvm::SmallVector<Value, 4> pairs;
    for (int64_t j = 0; j < 4; ++j) {
      Value shifted =
          j ? Value(mlir::arith::ShRUIOp::create(b, w, ci(4 * j))) : w;
      pairs.push_back(
          unbias(lop3(shifted, 0x000F000F, magicBits), offset, scale));
    }
    return {{pairs[0], pairs[1]}, {pairs[2], pairs[3]}};
  }
  /// x (j, j + 4) pairs of one 16-byte chunk of 8 x values, in
  /// int4Operands' k order: [step][0 = k lo, 1 = k hi].
  llvm::SmallVector<std::array<Value, 2>, 2> xPairs(Value chunk) {
    llvm::SmallVector<Value, 4> ws = words(chunk);
    // Low halves of words 0 and 2 are (x0, x4), high halves (x1, x5); words
    // 1, 3 likewise.
    Value p0 = prmt(ws[0], ws[2], 0x5410), p1 = prmt(ws[0], ws[2], 0x7632);
    Value p2 = prmt(ws[1], ws[3], 0x5410), p3 = prmt(ws[1], ws[3], 0x7632);
    return {{operand(p0), operand(p1)}, {operand(p2), operand(p3)}};
  }
  /// The decode offset magic + 8 (int4, no zero point) or magic + z (the
  /// uint4 zero point, an i8 value) as a packed pair.
  Value offsetPair(Value zeroPoint) {
    using namespace mlir;
    Value off;
    if (!zeroPoint) {
      off = arith::ConstantOp::create(b, FloatAttr::get(elem, magic + 8.0));
    } else {
      Value z = arith::UIToFPOp::create(
          b, f32, arith::ExtUIOp::create(b, i32, zeroPoint));
      off = fromF32(b, arith::AddFOp::create(b, z, cF32(b, magic)), elem);
    }
    return vector::BroadcastOp::create(b, pair, off);
  }

  mlir::VectorType pair;
  double magic;
};

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_MMADECODE_H
