//===- QuantDecode.h - element decoders for the quant kernels ---*- C++ -*-===//
//
// The per-format decode steps of linea-cpu-quant-kernels (QuantKernels.cpp):
// fp8 codes to f32 by integer bit arithmetic, 4-bit codebooks (e2m1, NF4)
// by an x86 lane permute of a 16-entry f32 table, and the fp8 / e8m0 scale
// types. Every value is bit-identical to the reference lowering's decode
// (QuantToLinalg.cpp, docs/formats.md §3). The helpers take an i32 (or a
// vector of i32) holding the code in its low bits and work on scalars and
// vectors alike.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_CONVERSION_LINEATOCPU_QUANTDECODE_H
#define LINEA_CONVERSION_LINEATOCPU_QUANTDECODE_H

#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace linea::cpu_kernels {

/// How the kernels turn a weight code into its unscaled value.
enum class CodeDecode {
  integer,  ///< float(q) (− z): the int elements
  fp8E4M3,  ///< OCP E4M3FN by bit arithmetic
  fp8E5M2,  ///< OCP E5M2 by bit arithmetic
  codebook, ///< e2m1 or NF4: a 16-entry table and a lane permute
};

/// The decode of `element`.
std::optional<CodeDecode> codeDecodeOf(QElement element);

/// The 16 f32 values of a codebook element (mxfp4, nvfp4: e2m1; nf4),
/// indexed by code, from lib/Numerics' decoders.
llvm::SmallVector<float, 16> codebookValues(QElement element);

/// E4M3FN (`e5m2` false) or E5M2 value of the byte `code` sign-extended to
/// i16 (or a vector of them): the code's bits in an f16, converted to f32
/// (times 2^8 for E4M3), NaN codes giving +qNaN as in the reference;
/// subnormals and infinities exact.
mlir::Value decodeFp8(mlir::OpBuilder &b, mlir::Location loc, mlir::Value code,
                      bool e5m2);

/// float(s) of one stored scale element of any scale type: e8m0 and e4m3 by
/// their bit patterns, the others by an exact extf.
mlir::Value scaleToF32(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value scale);

/// Whether a lookup of `lanes` f32 lanes has a permute on a target whose
/// widest f32 lane permute is `permuteWidth` (16: AVX-512, 8: AVX2, 0:
/// none): 16 lanes need 16, 8 lanes need 8 or more.
bool canLookUp(int64_t lanes, int64_t permuteWidth);

/// Declares in `module` (once) the x86 permute intrinsics a lookup of
/// `lanes` lanes calls.
void declareLookup(mlir::ModuleOp module, int64_t lanes);

/// table[index & 15] per lane of the vector<L×i32> `index` (L = 8 or 16,
/// canLookUp): AVX-512 vpermps over the 16 entries, or for 8 lanes two
/// AVX2 vpermps over the halves and a select on bit 3.
mlir::Value lookUp(mlir::OpBuilder &b, mlir::Location loc,
                   llvm::ArrayRef<float> table, mlir::Value index);

/// Declares `name` as a private func.func of `type` in `module` (once): how
/// the kernels call an LLVM intrinsic. A func.call of it, unlike
/// llvm.call_intrinsic, has the known effects buffer deallocation needs.
void declareIntrinsic(mlir::ModuleOp module, llvm::StringRef name,
                      mlir::FunctionType type);

} // namespace linea::cpu_kernels

#endif // LINEA_CONVERSION_LINEATOCPU_QUANTDECODE_H
