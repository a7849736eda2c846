//===- ShiftLinearOp.cpp - linea.shift_linear verifier and interface ------===//
//
// W[n, k] = scale[n] · Σ_t signs[t, n, k] · 2^exponents[t, n, k]. The value
// rules (signs in {−1, 0, +1}, exponents in [−126, 127]) are shared by the
// verifier, for constant operands, and materializeDenseWeight.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace linea {

/// Smallest and largest exponent a term may have: the normal range of f32,
/// so that every term is exactly representable in the f32 accumulator.
static constexpr int64_t kMinExponent = -126;
static constexpr int64_t kMaxExponent = 127;

/// Writes `message` into `reason` (when given) and fails.
static LogicalResult failWith(std::string *reason, const Twine &message) {
  if (reason)
    *reason = message.str();
  return failure();
}

/// "[t, n, k]" of flat index `i` in a T×N×K tensor, for messages.
static std::string termPosition(int64_t i, int64_t n, int64_t k) {
  return ("[" + Twine(i / (n * k)) + ", " + Twine(i / k % n) + ", " +
          Twine(i % k) + "]")
      .str();
}

/// Every sign is −1, 0 or +1.
static LogicalResult checkSigns(ArrayRef<int64_t> signs, int64_t n, int64_t k,
                                std::string *reason) {
  for (auto [i, s] : llvm::enumerate(signs))
    if (s < -1 || s > 1)
      return failWith(reason, "signs" + termPosition(i, n, k) + " is " +
                                  Twine(s) + ", but must be -1, 0 or 1");
  return success();
}

/// Every exponent lies in [kMinExponent, kMaxExponent].
static LogicalResult checkExponents(ArrayRef<int64_t> exponents, int64_t n,
                                    int64_t k, std::string *reason) {
  for (auto [i, e] : llvm::enumerate(exponents))
    if (e < kMinExponent || e > kMaxExponent)
      return failWith(reason, "exponents" + termPosition(i, n, k) + " is " +
                                  Twine(e) + ", outside [" +
                                  Twine(kMinExponent) + ", " +
                                  Twine(kMaxExponent) + "]");
  return success();
}

/// The elements of `value` when it is a readable integer constant of `count`
/// elements, else nullopt: the verifier checks contents only when known.
static std::optional<std::vector<int64_t>> tryReadInts(Value value,
                                                       int64_t count) {
  if (!getConstantElements(value))
    return std::nullopt;
  FailureOr<std::vector<int64_t>> ints =
      readConstantInts(value, "", /*reason=*/nullptr);
  if (failed(ints) || static_cast<int64_t>(ints->size()) != count)
    return std::nullopt;
  return std::move(*ints);
}

/// "2x4x8" for a static shape.
static std::string shapeString(Value value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(cast<RankedTensorType>(value.getType()).getShape(), os, "x");
  return s;
}

int64_t ShiftLinearOp::getNumTerms() { return dimOf(getExponents(), 0); }

LogicalResult ShiftLinearOp::verify() {
  if (failed(verifyStaticRank(*this, "exponents", getExponents(), 3)) ||
      failed(verifyStaticRank(*this, "signs", getSigns(), 3)))
    return failure();
  if (cast<RankedTensorType>(getSigns().getType()).getShape() !=
      cast<RankedTensorType>(getExponents().getType()).getShape())
    return emitOpError() << "signs has shape " << shapeString(getSigns())
                         << ", but exponents has shape "
                         << shapeString(getExponents());
  if (getNumTerms() < 1)
    return emitOpError() << "exponents must hold at least one term (T >= 1), "
                            "but T is "
                         << getNumTerms();
  int64_t n = getOutFeatures(), k = getInFeatures();
  if (Value scale = getScale())
    if (failed(verifyStaticRank(*this, "scale", scale, 1)) ||
        failed(verifyDim(*this, "scale", scale, 0, n, "N")))
      return failure();
  if (failed(verifyLinearLayerIO(*this, getX(), getBias(), getY(), k, n)))
    return failure();

  int64_t count = getNumTerms() * n * k;
  std::string why;
  if (auto signs = tryReadInts(getSigns(), count))
    if (failed(checkSigns(*signs, n, k, &why)))
      return emitOpError() << why;
  if (auto exponents = tryReadInts(getExponents(), count))
    if (failed(checkExponents(*exponents, n, k, &why)))
      return emitOpError() << why;
  return success();
}

SmallVector<Value> ShiftLinearOp::getWeightOperands() {
  SmallVector<Value> operands = {getExponents(), getSigns()};
  if (Value scale = getScale())
    operands.push_back(scale);
  return operands;
}

int64_t ShiftLinearOp::getInFeatures() { return dimOf(getExponents(), 2); }
int64_t ShiftLinearOp::getOutFeatures() { return dimOf(getExponents(), 1); }

int64_t ShiftLinearOp::getFlopsPerToken() {
  // One addition per stored term (shifts and sign flips are not counted),
  // one multiply per row for the scale, one add per row for the bias.
  int64_t n = getOutFeatures();
  return getNumTerms() * n * getInFeatures() + (getScale() ? n : 0) +
         (getBias() ? n : 0);
}

FailureOr<numerics::Matrix>
ShiftLinearOp::materializeDenseWeight(std::string *reason) {
  int64_t t = getNumTerms(), n = getOutFeatures(), k = getInFeatures();
  int64_t count = t * n * k;
  FailureOr<std::vector<int64_t>> exponents =
      readConstantInts(getExponents(), "exponents", reason);
  if (failed(exponents))
    return failure();
  FailureOr<std::vector<int64_t>> signs =
      readConstantInts(getSigns(), "signs", reason);
  if (failed(signs))
    return failure();
  if (static_cast<int64_t>(exponents->size()) != count)
    return failWith(reason, "operand 'exponents' holds " +
                                Twine(exponents->size()) +
                                " elements, but its type has " + Twine(count));
  if (static_cast<int64_t>(signs->size()) != count)
    return failWith(reason, "operand 'signs' holds " + Twine(signs->size()) +
                                " elements, but its type has " + Twine(count));
  if (failed(checkSigns(*signs, n, k, reason)) ||
      failed(checkExponents(*exponents, n, k, reason)))
    return failure();
  std::vector<float> scale(n, 1.0f);
  if (Value scaleOperand = getScale()) {
    FailureOr<std::vector<float>> read =
        readConstantFloats(scaleOperand, "scale", reason);
    if (failed(read))
      return failure();
    if (static_cast<int64_t>(read->size()) != n)
      return failWith(reason, "operand 'scale' holds " + Twine(read->size()) +
                                  " elements, but N is " + Twine(n));
    scale = std::move(*read);
  }

  // Sum the terms in double (exact for any two terms in range), then scale
  // and round once to f32.
  numerics::Matrix w(n, k);
  for (int64_t row = 0; row < n; ++row) {
    for (int64_t col = 0; col < k; ++col) {
      double sum = 0.0;
      for (int64_t term = 0; term < t; ++term) {
        int64_t i = (term * n + row) * k + col;
        sum += std::ldexp(static_cast<double>((*signs)[i]),
                          static_cast<int>((*exponents)[i]));
      }
      w.at(row, col) = static_cast<float>(sum * scale[row]);
    }
  }
  return w;
}

} // namespace linea
