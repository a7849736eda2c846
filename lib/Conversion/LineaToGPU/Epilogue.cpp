//===- Epilogue.cpp - the fused activation / residual code ----------------===//
//
// All in f32 with plain arith and NVVM intrinsics (no math ops: those
// become libdevice calls in convert-gpu-to-nvvm). e^x is ex2.approx
// (relative error ~2^-22); erf is Abramowitz & Stegun 7.1.26 (absolute
// error ≤ 1.5e-7), both far below the f32 check tolerance.
//
//===----------------------------------------------------------------------===//

#include "Epilogue.h"
#include "KernelBuild.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

Value add(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::AddFOp::create(b, x, y);
}
Value mul(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::MulFOp::create(b, x, y);
}
/// x / y with `afn` (div.approx / rcp.approx, ~2 ulp): the IEEE division
/// is a dozen instructions per element, which the wgmma epilogue feels.
Value div(ImplicitLocOpBuilder &b, Value x, Value y) {
  return arith::DivFOp::create(b, x, y, approx(b));
}

// |v|, sign(v)·t and max(v, 0) as selects: convert-gpu-to-nvvm turns
// llvm.intr.fabs, copysign and maxnum into libdevice calls as well.
Value isNegative(ImplicitLocOpBuilder &b, Value v) {
  return arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, v, cF32(b, 0.0));
}
Value absF32(ImplicitLocOpBuilder &b, Value v) {
  return arith::SelectOp::create(b, isNegative(b, v),
                                 arith::NegFOp::create(b, v), v);
}
Value withSignOf(ImplicitLocOpBuilder &b, Value t, Value v) {
  return arith::SelectOp::create(b, isNegative(b, v),
                                 arith::NegFOp::create(b, t), t);
}

/// 1 / (1 + e^−v); e^−v = inf for v ≪ 0 gives 0, as it should.
Value sigmoid(ImplicitLocOpBuilder &b, Value v) {
  Value one = cF32(b, 1.0);
  return div(b, one, add(b, one, fastExp(b, arith::NegFOp::create(b, v))));
}

/// sign(v) · (1 − e) / (1 + e) with e = e^−2|v| ∈ (0, 1]: no overflow.
Value tanhF32(ImplicitLocOpBuilder &b, Value v) {
  Value one = cF32(b, 1.0);
  Value e = fastExp(b, mul(b, absF32(b, v), cF32(b, -2.0)));
  Value t = div(b, arith::SubFOp::create(b, one, e), add(b, one, e));
  return withSignOf(b, t, v);
}

/// erf(v) = sign(v) · (1 − poly(t) · e^−v²), t = 1 / (1 + p|v|).
Value erfF32(ImplicitLocOpBuilder &b, Value v) {
  static constexpr double kP = 0.3275911;
  static constexpr double kA[] = {0.254829592, -0.284496736, 1.421413741,
                                  -1.453152027, 1.061405429};
  Value one = cF32(b, 1.0);
  Value a = absF32(b, v);
  Value t = div(b, one, fma(b, a, cF32(b, kP), one));
  Value poly = cF32(b, kA[4]);
  for (int i = 3; i >= 0; --i)
    poly = fma(b, poly, t, cF32(b, kA[i]));
  poly = mul(b, poly, t);
  Value e = fastExp(b, arith::NegFOp::create(b, mul(b, a, a)));
  Value r = arith::SubFOp::create(b, one, mul(b, poly, e));
  return withSignOf(b, r, v);
}

Value activate(ImplicitLocOpBuilder &b, Activation act, Value v) {
  Value half = cF32(b, 0.5), one = cF32(b, 1.0);
  switch (act) {
  case Activation::None:
    return v;
  case Activation::Relu: // NaN stays NaN, as in torch.relu
    return arith::SelectOp::create(b, isNegative(b, v), cF32(b, 0.0), v);
  case Activation::Sigmoid:
    return sigmoid(b, v);
  case Activation::Silu:
    return mul(b, v, sigmoid(b, v));
  case Activation::Tanh:
    return tanhF32(b, v);
  case Activation::Gelu: // v/2 · (1 + erf(v/√2))
    return mul(b, mul(b, half, v),
               add(b, one, erfF32(b, mul(b, v, cF32(b, M_SQRT1_2)))));
  case Activation::GeluTanh: { // v/2 · (1 + tanh(√(2/π)(v + 0.044715 v³)))
    Value v3 = mul(b, mul(b, v, v), v);
    Value inner = mul(b, cF32(b, M_2_SQRTPI * M_SQRT1_2),
                      fma(b, v3, cF32(b, 0.044715), v));
    return mul(b, mul(b, half, v), add(b, one, tanhF32(b, inner)));
  }
  }
  llvm_unreachable("unknown activation");
}

} // namespace

StringRef activationName(Activation act) {
  switch (act) {
  case Activation::None:
    return "";
  case Activation::Relu:
    return "relu";
  case Activation::Gelu:
    return "gelu";
  case Activation::GeluTanh:
    return "gelu_tanh";
  case Activation::Silu:
    return "silu";
  case Activation::Sigmoid:
    return "sigmoid";
  case Activation::Tanh:
    return "tanh";
  }
  llvm_unreachable("unknown activation");
}

StringRef combineName(Combine combine) {
  switch (combine) {
  case Combine::None:
    return "";
  case Combine::Add:
    return "add";
  case Combine::Mul:
    return "mul";
  }
  llvm_unreachable("unknown combine");
}

DictionaryAttr describeEpilogue(Builder &b, const EpilogueSpec &spec) {
  SmallVector<NamedAttribute, 2> entries;
  if (spec.act != Activation::None)
    entries.push_back(
        b.getNamedAttr("activation", b.getStringAttr(activationName(spec.act))));
  if (spec.hasResidual())
    entries.push_back(
        b.getNamedAttr("combine", b.getStringAttr(combineName(spec.combine))));
  if (spec.rowBroadcast)
    entries.push_back(b.getNamedAttr("broadcast", b.getStringAttr("row")));
  return b.getDictionaryAttr(entries);
}

SmallVector<int64_t, 2> residualShape(int64_t m, int64_t n,
                                      const EpilogueSpec &spec) {
  return {spec.rowBroadcast ? 1 : m, n};
}

namespace {
Value combine(ImplicitLocOpBuilder &b, Combine c, Value v, Value r) {
  return c == Combine::Add ? add(b, v, toF32(b, r)) : mul(b, v, toF32(b, r));
}
/// The residual's row index for output row m (0 for a broadcast row).
Value residualRow(ImplicitLocOpBuilder &b, const EpilogueSpec &spec, Value m) {
  return spec.rowBroadcast ? cIdx(b, 0) : m;
}
} // namespace

Value applyEpilogue(ImplicitLocOpBuilder &b, const EpilogueSpec &spec, Value v,
                    Value residual, Value m, Value n) {
  v = activate(b, spec.act, v);
  if (!spec.hasResidual())
    return v;
  assert(residual && "an epilogue with a combine needs its operand");
  return combine(b, spec.combine, v,
                 memref::LoadOp::create(
                     b, residual, ValueRange{residualRow(b, spec, m), n}));
}

void storeWithEpilogue(ImplicitLocOpBuilder &b, const EpilogueSpec &spec,
                       Value v, Value residual, Value y, Value m, Value n) {
  Type elem = cast<MemRefType>(y.getType()).getElementType();
  memref::StoreOp::create(
      b, fromF32(b, applyEpilogue(b, spec, v, residual, m, n), elem), y,
      ValueRange{m, n});
}

std::pair<Value, Value> applyEpiloguePair(ImplicitLocOpBuilder &b,
                                          const EpilogueSpec &spec, Value v0,
                                          Value v1, Value residualPairs,
                                          Value m, Value j) {
  v0 = activate(b, spec.act, v0);
  v1 = activate(b, spec.act, v1);
  if (!spec.hasResidual())
    return {v0, v1};
  assert(residualPairs && "an epilogue with a combine needs its operand");
  Value pair = memref::LoadOp::create(
      b, residualPairs, ValueRange{residualRow(b, spec, m), j});
  return {combine(b, spec.combine, v0,
                  vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{0})),
          combine(b, spec.combine, v1,
                  vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{1}))};
}

MemRefType residualPairType(int64_t m, int64_t n, const EpilogueSpec &spec) {
  return globalMemRef({residualShape(m, n, spec)[0], n / 2},
                      VectorType::get({2}, spec.residualType));
}

} // namespace linea::gpu_codegen
