//===- QuantToLinalg.cpp - reference lowering of linea.quant_linear -------===//
//
// y = x̂ · Ŵᵀ + bias, with Ŵ decoded at run time from the packed operands and
// x̂ the activations as the format's activation mode sees them, both exactly
// as docs/formats.md states. Every decoding step is written out in arith on
// tensor elements (byte reads, shifts and masks, minifloat bit fields, the
// NF4 codebook as a constant tensor) rather than calling lib/Numerics, so
// that this lowering and `materializeDenseWeight` are two independent
// readings of the same page and can be checked against each other.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace linea {
namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers (all emitted inside linalg.generic bodies)
//===----------------------------------------------------------------------===//

Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(value));
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// The f32 whose IEEE bit pattern is the i32 `bits`.
Value f32FromBits(OpBuilder &b, Location loc, Value bits) {
  return arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
}

Value f32FromBits(OpBuilder &b, Location loc, uint32_t bits) {
  return f32FromBits(b, loc, i32Constant(b, loc, int32_t(bits)));
}

/// `(value >> shift) & mask` on i32.
Value bitField(OpBuilder &b, Location loc, Value value, int64_t shift,
               int64_t mask) {
  Value shifted = arith::ShRUIOp::create(b, loc, value,
                                         i32Constant(b, loc, shift));
  return arith::AndIOp::create(b, loc, shifted, i32Constant(b, loc, mask));
}

Value equalsConstant(OpBuilder &b, Location loc, Value value, int64_t c) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, value,
                               i32Constant(b, loc, c));
}

/// Byte `index` of row `row` of the i8 tensor `qweight`, zero-extended to
/// i32 (the stored i8 is a raw byte).
Value readByte(OpBuilder &b, Location loc, Value qweight, Value row,
               Value index) {
  Value byte = tensor::ExtractOp::create(b, loc, qweight, ValueRange{row, index});
  return arith::ExtUIOp::create(b, loc, b.getI32Type(), byte);
}

/// The `bits`-bit code of element `k` of row `n` (docs/formats.md §2): the
/// row is an LSB-first stream, element k occupies stream bits
/// [bits·k, bits·k + bits), stream bit i being bit (i mod 8) of byte
/// (i div 8). A code spans at most two bytes; the second read is clamped to
/// the row so that it stays in bounds when the code ends in the last byte
/// (its bits are then masked away).
Value extractCode(OpBuilder &b, Location loc, Value qweight, Value n, Value k,
                  unsigned bits, int64_t rowBytes) {
  Value bit = arith::MulIOp::create(b, loc, k, indexConstant(b, loc, bits));
  Value byteIndex =
      arith::DivUIOp::create(b, loc, bit, indexConstant(b, loc, 8));
  Value offset = arith::RemUIOp::create(b, loc, bit, indexConstant(b, loc, 8));
  Value nextIndex = arith::MinUIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, byteIndex, indexConstant(b, loc, 1)),
      indexConstant(b, loc, rowBytes - 1));
  Value low = readByte(b, loc, qweight, n, byteIndex);
  Value high = readByte(b, loc, qweight, n, nextIndex);
  Value word = arith::OrIOp::create(
      b, loc, low, arith::ShLIOp::create(b, loc, high, i32Constant(b, loc, 8)));
  Value shift = arith::IndexCastOp::create(b, loc, b.getI32Type(), offset);
  Value shifted = arith::ShRUIOp::create(b, loc, word, shift);
  return arith::AndIOp::create(b, loc, shifted,
                               i32Constant(b, loc, (1 << bits) - 1));
}

/// A `bits`-bit two's complement code (in the low bits of an i32) as a
/// signed i32.
Value signExtend(OpBuilder &b, Location loc, Value code, unsigned bits) {
  Value shift = i32Constant(b, loc, 32 - bits);
  Value up = arith::ShLIOp::create(b, loc, code, shift);
  return arith::ShRSIOp::create(b, loc, up, shift);
}

/// The finite value of a minifloat code with `expBits` exponent bits,
/// `manBits` mantissa bits and exponent bias `bias` (sign in the bit above
/// the exponent): exponent 0 is subnormal, m · 2^(1 − bias − manBits);
/// otherwise the f32 with the same exponent and mantissa bits re-biased.
/// Special codes (NaN, infinities) are the caller's business.
Value decodeMiniFloat(OpBuilder &b, Location loc, Value code, unsigned expBits,
                      unsigned manBits, int bias) {
  Value sign = bitField(b, loc, code, expBits + manBits, 1);
  Value exponent = bitField(b, loc, code, manBits, (1 << expBits) - 1);
  Value mantissa = bitField(b, loc, code, 0, (1 << manBits) - 1);
  // Normal: f32 exponent field e − bias + 127, mantissa left-aligned.
  Value normalExp = arith::ShLIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, exponent, i32Constant(b, loc, 127 - bias)),
      i32Constant(b, loc, 23));
  Value normalMan = arith::ShLIOp::create(b, loc, mantissa,
                                          i32Constant(b, loc, 23 - manBits));
  Value normal = f32FromBits(
      b, loc, arith::OrIOp::create(b, loc, normalExp, normalMan));
  // Subnormal: m · 2^(1 − bias − manBits), exact in f32.
  Value subnormal = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, b.getF32Type(), mantissa),
      f32Constant(b, loc, std::ldexp(1.0, 1 - bias - int(manBits))));
  Value magnitude = arith::SelectOp::create(
      b, loc, equalsConstant(b, loc, exponent, 0), subnormal, normal);
  return arith::SelectOp::create(b, loc, equalsConstant(b, loc, sign, 1),
                                 arith::NegFOp::create(b, loc, magnitude),
                                 magnitude);
}

Value nanConstant(OpBuilder &b, Location loc) {
  return f32Constant(b, loc, std::numeric_limits<double>::quiet_NaN());
}

/// OCP E2M1 (bias 1): no special codes.
Value decodeE2M1(OpBuilder &b, Location loc, Value code) {
  return decodeMiniFloat(b, loc, code, 2, 1, 1);
}

/// OCP E4M3FN (bias 7): S.1111.111 is NaN, no infinities.
Value decodeE4M3(OpBuilder &b, Location loc, Value code) {
  Value isNaN = equalsConstant(
      b, loc, arith::AndIOp::create(b, loc, code, i32Constant(b, loc, 0x7F)),
      0x7F);
  return arith::SelectOp::create(b, loc, isNaN, nanConstant(b, loc),
                                 decodeMiniFloat(b, loc, code, 4, 3, 7));
}

/// OCP E5M2 (bias 15): exponent 31 is ±infinity (m = 0) or NaN.
Value decodeE5M2(OpBuilder &b, Location loc, Value code) {
  Value finite = decodeMiniFloat(b, loc, code, 5, 2, 15);
  Value sign = bitField(b, loc, code, 7, 1);
  Value isSpecial = equalsConstant(b, loc, bitField(b, loc, code, 2, 0x1F),
                                   0x1F);
  Value isInf = equalsConstant(b, loc, bitField(b, loc, code, 0, 3), 0);
  Value inf = arith::SelectOp::create(
      b, loc, equalsConstant(b, loc, sign, 1),
      f32Constant(b, loc, -std::numeric_limits<double>::infinity()),
      f32Constant(b, loc, std::numeric_limits<double>::infinity()));
  Value special =
      arith::SelectOp::create(b, loc, isInf, inf, nanConstant(b, loc));
  return arith::SelectOp::create(b, loc, isSpecial, special, finite);
}

/// E8M0 (the MX scale): 2^(e − 127); e = 0 is the f32 subnormal 2^−127
/// (bits 0x00400000), 0xFF is NaN.
Value decodeE8M0(OpBuilder &b, Location loc, Value code) {
  Value normal = f32FromBits(
      b, loc, arith::ShLIOp::create(b, loc, code, i32Constant(b, loc, 23)));
  Value value = arith::SelectOp::create(b, loc, equalsConstant(b, loc, code, 0),
                                        f32FromBits(b, loc, 0x00400000u),
                                        normal);
  return arith::SelectOp::create(b, loc, equalsConstant(b, loc, code, 0xFF),
                                 nanConstant(b, loc), value);
}

/// An 8-bit float scalar's bit pattern as an unsigned i32.
Value byteBitsOf(OpBuilder &b, Location loc, Value value) {
  Value raw = arith::BitcastOp::create(b, loc, b.getI8Type(), value);
  return arith::ExtUIOp::create(b, loc, b.getI32Type(), raw);
}

/// float(s) for one scale element of any scale type; every conversion is
/// exact.
Value scaleToF32(OpBuilder &b, Location loc, Value scale) {
  Type type = scale.getType();
  if (isa<Float8E8M0FNUType>(type))
    return decodeE8M0(b, loc, byteBitsOf(b, loc, scale));
  if (isa<Float8E4M3FNType>(type))
    return decodeE4M3(b, loc, byteBitsOf(b, loc, scale));
  return castScalar(b, loc, scale, b.getF32Type());
}

/// The QLoRA NormalFloat4 levels of docs/formats.md §3, each exactly an f32
/// (written out here, not taken from lib/Numerics, so that this lowering is
/// an independent reading of the page).
constexpr float kNF4Levels[16] = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f};

/// The scalar f32 held by a tensor<f32> or tensor<1xf32> operand.
Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> indices(type.getRank(), indexConstant(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, indices);
}

//===----------------------------------------------------------------------===//
// Ŵ: docs/formats.md §2–§5
//===----------------------------------------------------------------------===//

/// The f32 Ŵ[N, K] of `op`, one linalg.generic over (n, k). Scales and zero
/// points come in through indexing maps (n, k) → (r, c) with r = 0 for
/// tensor granularity, else n, and c = k floordiv span; the packed codes
/// are read with tensor.extract because a code may straddle two bytes.
Value dequantizeWeight(OpBuilder &b, Location loc, QuantLinearOp op) {
  QFormatAttr format = op.getFormat();
  MLIRContext *ctx = b.getContext();
  int64_t n = op.getOutFeatures(), k = op.getInFeatures();
  unsigned bits = format.getElementBits();
  Value qweight = op.getQweight();
  int64_t rowBytes = cast<RankedTensorType>(qweight.getType()).getDimSize(1);
  QElement element = format.getElement();

  AffineExpr dn = getAffineDimExpr(0, ctx), dk = getAffineDimExpr(1, ctx);
  AffineExpr row = format.getGranularity() == Granularity::tensor
                       ? getAffineConstantExpr(0, ctx)
                       : dn;
  AffineExpr column = format.getGranularity() == Granularity::group
                          ? dk.floorDiv(format.getGroupSize())
                          : getAffineConstantExpr(0, ctx);
  AffineMap scaleMap = AffineMap::get(2, 0, {row, column}, ctx);

  SmallVector<Value> inputs = {op.getScales()};
  SmallVector<AffineMap> maps = {scaleMap};
  if (Value z = op.getZeroPoints()) {
    inputs.push_back(z);
    maps.push_back(scaleMap);
  }
  maps.push_back(b.getMultiDimIdentityMap(2));

  // Values the body reads that do not depend on (n, k).
  Value tensorScale;
  if (Value t = op.getTensorScale())
    tensorScale = extractScalar(b, loc, t);
  Value codebook;
  if (element == QElement::nf4) {
    auto type = RankedTensorType::get({16}, b.getF32Type());
    codebook = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, ArrayRef<float>(kNF4Levels)));
  }

  Value init = emptyTensor(b, loc, {n, k}, b.getF32Type());
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  auto body = [&](OpBuilder &nb, Location nloc, ValueRange args) {
    Value in = linalg::IndexOp::create(nb, nloc, 0);
    Value ik = linalg::IndexOp::create(nb, nloc, 1);
    Value code = extractCode(nb, nloc, qweight, in, ik, bits, rowBytes);
    Value scale = scaleToF32(nb, nloc, args[0]);
    Value w;
    switch (element) {
    case QElement::int8:
    case QElement::int4:
    case QElement::int6:
    case QElement::uint8:
    case QElement::uint4: {
      // float(q − z) · float(s); q − z is exact in i32.
      Value q = (element == QElement::uint8 || element == QElement::uint4)
                    ? code
                    : signExtend(nb, nloc, code, bits);
      if (op.getZeroPoints()) {
        Value z = arith::ExtUIOp::create(nb, nloc, nb.getI32Type(), args[1]);
        q = arith::SubIOp::create(nb, nloc, q, z);
      }
      Value qf = arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), q);
      w = arith::MulFOp::create(nb, nloc, qf, scale);
      break;
    }
    case QElement::fp8_e4m3:
      w = arith::MulFOp::create(nb, nloc, decodeE4M3(nb, nloc, code), scale);
      break;
    case QElement::fp8_e5m2:
      w = arith::MulFOp::create(nb, nloc, decodeE5M2(nb, nloc, code), scale);
      break;
    case QElement::nf4: {
      Value index =
          arith::IndexCastUIOp::create(nb, nloc, nb.getIndexType(), code);
      Value level = tensor::ExtractOp::create(nb, nloc, codebook, index);
      w = arith::MulFOp::create(nb, nloc, level, scale);
      break;
    }
    case QElement::mxfp4:
      w = arith::MulFOp::create(nb, nloc, decodeE2M1(nb, nloc, code), scale);
      break;
    case QElement::nvfp4: {
      Value scaled =
          arith::MulFOp::create(nb, nloc, decodeE2M1(nb, nloc, code), scale);
      w = arith::MulFOp::create(nb, nloc, scaled, tensorScale);
      break;
    }
    }
    linalg::YieldOp::create(nb, nloc, w);
  };
  return linalg::GenericOp::create(b, loc, init.getType(), inputs, init, maps,
                                   iterators, body)
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// x̂: docs/formats.md §6
//===----------------------------------------------------------------------===//

/// x̂ element for the modes with a scale s: int8 per token
/// clamp(roundEven(x / s), −127, 127) · s, fp8 e4m3(x / s) · s.
Value quantizeElement(OpBuilder &b, Location loc, ActMode mode, Value x,
                      Value scale) {
  Value ratio = arith::DivFOp::create(b, loc, x, scale);
  Value q;
  if (mode == ActMode::dynamic_int8_per_token) {
    q = math::RoundEvenOp::create(b, loc, ratio);
    q = arith::MaximumFOp::create(b, loc, q, f32Constant(b, loc, -127.0));
    q = arith::MinimumFOp::create(b, loc, q, f32Constant(b, loc, 127.0));
  } else {
    q = roundToE4M3(b, loc, ratio);
  }
  return arith::MulFOp::create(b, loc, q, scale);
}

/// max_k |x[..., k]| for f32 x[..., K]: a tensor of x's leading dims.
Value tokenAbsMax(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  Value init = filledTensor(b, loc, type.getShape().drop_back(), 0.0, x);
  SmallVector<AffineExpr> leading;
  for (int64_t i = 0; i + 1 < rank; ++i)
    leading.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, leading, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, init.getType(), x, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value abs = math::AbsFOp::create(nb, nloc, args[0]);
               linalg::YieldOp::create(
                   nb, nloc, arith::MaximumFOp::create(nb, nloc, abs, args[1])
                                 .getResult());
             })
      .getResult(0);
}

/// x̂ for f32 x[..., K] under `mode`; `actScale` is the tensor operand of
/// fp8_per_tensor (else null).
Value quantizeActivations(OpBuilder &b, Location loc, ActMode mode, Value x,
                          Value actScale) {
  if (mode == ActMode::weight_only)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  Value init = emptyTensor(b, loc, type.getShape(), b.getF32Type(), x);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  SmallVector<AffineMap> identity(2, b.getMultiDimIdentityMap(rank));

  if (mode == ActMode::fp8_per_tensor) {
    Value a = extractScalar(b, loc, actScale);
    return linalg::GenericOp::create(
               b, loc, init.getType(), x, init, identity, iterators,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 linalg::YieldOp::create(
                     nb, nloc, quantizeElement(nb, nloc, mode, args[0], a));
               })
        .getResult(0);
  }

  // Per token: s_t = max|x_t| / qmax, or 1 for an all-zero token.
  double qmax = mode == ActMode::dynamic_int8_per_token ? 127.0 : 448.0;
  Value absMax = tokenAbsMax(b, loc, x);
  SmallVector<AffineExpr> leading;
  for (int64_t i = 0; i + 1 < rank; ++i)
    leading.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, leading, ctx),
                                 b.getMultiDimIdentityMap(rank)};
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{x, absMax}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value amax = args[1];
               Value isZero = arith::CmpFOp::create(
                   nb, nloc, arith::CmpFPredicate::OEQ, amax,
                   f32Constant(nb, nloc, 0.0));
               Value scale = arith::SelectOp::create(
                   nb, nloc, isZero, f32Constant(nb, nloc, 1.0),
                   arith::DivFOp::create(nb, nloc, amax,
                                         f32Constant(nb, nloc, qmax)));
               linalg::YieldOp::create(
                   nb, nloc, quantizeElement(nb, nloc, mode, args[0], scale));
             })
      .getResult(0);
}

/// y = x̂ · Ŵᵀ + bias with Ŵ decoded from the packed operands.
struct QuantLinearToLinalg : OpRewritePattern<QuantLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value w = dequantizeWeight(rewriter, loc, op);
    Value x = castElements(rewriter, loc, op.getX(), rewriter.getF32Type());
    x = quantizeActivations(rewriter, loc, op.getFormat().getAct(), x,
                            op.getActScale());
    Value y = contractLastDim(rewriter, loc, x, w);
    rewriter.replaceOp(op, finishLinear(rewriter, loc, y, op.getBias(),
                                        op.getType()));
    return success();
  }
};

} // namespace

void populateQuantToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<QuantLinearToLinalg>(patterns.getContext());
}

} // namespace linea
