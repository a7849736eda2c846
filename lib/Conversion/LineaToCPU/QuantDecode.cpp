//===- QuantDecode.cpp - element decoders for the quant kernels -----------===//
//
// fp8 is decoded without a table: the code's bits, shifted into an f16's
// fields, convert exactly to f32 (subnormal fp8 codes become normal f32s,
// so no operation meets a subnormal operand, which costs x86 a microcode
// assist per vector: a first version that built f32 subnormals directly
// ran 40× slower). The 4-bit codebooks need a dynamic lane lookup that no
// generic vector op gives; x86's vpermps is one instruction,
// reached as an LLVM intrinsic.
//
//===----------------------------------------------------------------------===//

#include "QuantDecode.h"

#include "linea/Numerics/QuantFormats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace linea::cpu_kernels {
namespace {

/// AVX-512 vpermps zmm: 16 f32 lanes picked by the low 4 bits of each index.
constexpr StringLiteral kPermute16 = "llvm.x86.avx512.permvar.sf.512";
/// AVX2 vpermps ymm: 8 f32 lanes picked by the low 3 bits of each index.
constexpr StringLiteral kPermute8 = "llvm.x86.avx2.permps";

/// `value` as a constant of `like`'s shape (scalar or vector) and `type`.
Value splat(OpBuilder &b, Location loc, Value like, TypedAttr value) {
  if (auto vector = dyn_cast<VectorType>(like.getType()))
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vector.clone(value.getType()),
                               Attribute(value)));
  return arith::ConstantOp::create(b, loc, value);
}

Value i32(OpBuilder &b, Location loc, Value like, int64_t v) {
  return splat(b, loc, like, b.getI32IntegerAttr(int32_t(uint32_t(v))));
}

Value i16(OpBuilder &b, Location loc, Value like, int64_t v) {
  return splat(b, loc, like, b.getI16IntegerAttr(int16_t(uint16_t(v))));
}

Value f32(OpBuilder &b, Location loc, Value like, double v) {
  return splat(b, loc, like, b.getF32FloatAttr(v));
}

Value andI(OpBuilder &b, Location loc, Value v, int64_t mask) {
  return arith::AndIOp::create(b, loc, v, i32(b, loc, v, mask));
}

Value equals(OpBuilder &b, Location loc, Value v, int64_t c) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v,
                               i32(b, loc, v, c));
}

} // namespace

std::optional<CodeDecode> codeDecodeOf(QElement element) {
  switch (element) {
  case QElement::int8:
  case QElement::uint8:
  case QElement::int4:
  case QElement::uint4:
  case QElement::int6:
    return CodeDecode::integer;
  case QElement::fp8_e4m3:
    return CodeDecode::fp8E4M3;
  case QElement::fp8_e5m2:
    return CodeDecode::fp8E5M2;
  case QElement::mxfp4:
  case QElement::nvfp4:
  case QElement::nf4:
    return CodeDecode::codebook;
  }
  return std::nullopt;
}

SmallVector<float, 16> codebookValues(QElement element) {
  SmallVector<float, 16> values;
  for (unsigned code = 0; code < 16; ++code)
    values.push_back(element == QElement::nf4
                         ? numerics::decodeNF4(uint8_t(code))
                         : numerics::decodeE2M1(uint8_t(code)));
  return values;
}

Value decodeFp8(OpBuilder &b, Location loc, Value code, bool e5m2) {
  // The code, sign-extended to i16, shifted into an f16's fields: E5M2 is
  // the top byte of an f16 (code << 8, exact with subnormals and
  // infinities); E4M3's exponent and mantissa go right below the sign
  // (code << 7, the sign's copy in bit 14 masked off), an f16 of the value
  // times 2^−8. f16 → f32 (vcvtph2ps) is exact and gives normal f32s, so
  // the multiply by 2^8 never meets a subnormal operand (x86's slow path).
  Type hType = b.getF16Type(), fType = b.getF32Type();
  if (auto vector = dyn_cast<VectorType>(code.getType())) {
    hType = vector.clone(hType);
    fType = vector.clone(fType);
  }
  Value bits =
      arith::ShLIOp::create(b, loc, code, i16(b, loc, code, e5m2 ? 8 : 7));
  if (!e5m2)
    bits = arith::AndIOp::create(b, loc, bits, i16(b, loc, code, 0xBF80));
  Value half = arith::BitcastOp::create(b, loc, hType, bits);
  Value value = arith::ExtFOp::create(b, loc, fType, half);
  if (!e5m2)
    value = arith::MulFOp::create(b, loc, value, f32(b, loc, code, 256.0));
  // NaN codes decode to the reference's +qNaN: E4M3 S.1111.111, E5M2
  // exponent 31 with a nonzero mantissa.
  Value nan = f32(b, loc, code, std::numeric_limits<double>::quiet_NaN());
  Value isNaN =
      e5m2 ? arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, value,
                                   value)
                 .getResult()
           : arith::CmpIOp::create(
                 b, loc, arith::CmpIPredicate::eq,
                 arith::AndIOp::create(b, loc, code, i16(b, loc, code, 0x7F)),
                 i16(b, loc, code, 0x7F))
                 .getResult();
  return arith::SelectOp::create(b, loc, isNaN, nan, value);
}

Value scaleToF32(OpBuilder &b, Location loc, Value scale) {
  Type type = scale.getType();
  Type f32Type = b.getF32Type();
  if (type.isF32())
    return scale;
  if (!isa<Float8E8M0FNUType, Float8E4M3FNType>(type))
    return arith::ExtFOp::create(b, loc, f32Type, scale);
  Value byte = arith::BitcastOp::create(b, loc, b.getI8Type(), scale);
  if (isa<Float8E4M3FNType>(type))
    return decodeFp8(b, loc,
                     arith::ExtSIOp::create(b, loc, b.getI16Type(), byte),
                     /*e5m2=*/false);
  // E8M0: 2^(e − 127), e = 0 the f32 subnormal 2^−127, 0xFF NaN.
  Value code = arith::ExtUIOp::create(b, loc, b.getI32Type(), byte);
  Value normal = arith::BitcastOp::create(
      b, loc, f32Type,
      arith::ShLIOp::create(b, loc, code, i32(b, loc, code, 23)));
  Value value =
      arith::SelectOp::create(b, loc, equals(b, loc, code, 0),
                              f32(b, loc, code, std::ldexp(1.0, -127)), normal);
  return arith::SelectOp::create(
      b, loc, equals(b, loc, code, 0xFF),
      f32(b, loc, code, std::numeric_limits<double>::quiet_NaN()), value);
}

bool canLookUp(int64_t lanes, int64_t permuteWidth) {
  return (lanes == 16 && permuteWidth >= 16) ||
         (lanes == 8 && permuteWidth >= 8);
}

void declareIntrinsic(ModuleOp module, StringRef name, FunctionType type) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  func::FuncOp::create(b, module.getLoc(), name, type).setPrivate();
}

void declareLookup(ModuleOp module, int64_t lanes) {
  Builder b(module.getContext());
  auto table = VectorType::get({lanes}, b.getF32Type());
  auto index = VectorType::get({lanes}, b.getI32Type());
  declareIntrinsic(module, lanes == 16 ? kPermute16 : kPermute8,
                   b.getFunctionType({table, index}, {table}));
}

Value lookUp(OpBuilder &b, Location loc, ArrayRef<float> table, Value index) {
  auto indexType = cast<VectorType>(index.getType());
  int64_t lanes = indexType.getNumElements();
  auto tableType = VectorType::get({lanes}, b.getF32Type());
  auto permute = [&](ArrayRef<float> entries) -> Value {
    Value values = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(tableType, entries));
    return func::CallOp::create(b, loc, lanes == 16 ? kPermute16 : kPermute8,
                                TypeRange{tableType}, ValueRange{values, index})
        .getResult(0);
  };
  if (lanes == 16)
    return permute(table);
  // Entries 0..7 or 8..15 by bit 3 of the index.
  Value upper =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                            andI(b, loc, index, 8), i32(b, loc, index, 0));
  return arith::SelectOp::create(b, loc, upper, permute(table.slice(8)),
                                 permute(table.take_front(8)));
}

} // namespace linea::cpu_kernels
