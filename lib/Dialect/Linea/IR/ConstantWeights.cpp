//===- ConstantWeights.cpp - reading constant weight operands -------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/BuiltinDialect.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;

namespace linea {

ElementsAttr getConstantElements(Value value) {
  if (!value)
    return {};
  ElementsAttr attr;
  if (matchPattern(value, m_Constant(&attr)))
    return attr;
  return {};
}

static LogicalResult fail(std::string *reason, const llvm::Twine &message) {
  if (reason)
    *reason = message.str();
  return failure();
}

/// Stored bit width of one element (i1 and sub-byte types occupy a byte in
/// resource blobs).
static unsigned storageBytes(Type elementType) {
  return (elementType.getIntOrFloatBitWidth() + 7) / 8;
}

FailureOr<std::vector<uint64_t>> readConstantBits(Value value,
                                                  StringRef operandName,
                                                  std::string *reason) {
  ElementsAttr attr = getConstantElements(value);
  if (!attr)
    return fail(reason, "operand '" + operandName + "' is not a constant");
  Type elementType = attr.getElementType();
  if (!elementType.isIntOrFloat() || elementType.getIntOrFloatBitWidth() > 64)
    return fail(reason, "operand '" + operandName +
                            "' has an unsupported element type");
  int64_t count = attr.getNumElements();
  std::vector<uint64_t> bits;
  bits.reserve(count);

  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isa<FloatType>(elementType)) {
      for (const APFloat &v : dense.getValues<APFloat>())
        bits.push_back(v.bitcastToAPInt().getZExtValue());
    } else {
      for (const APInt &v : dense.getValues<APInt>())
        bits.push_back(v.getZExtValue());
    }
    return bits;
  }

  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return fail(reason, "operand '" + operandName +
                              "' refers to a resource blob that is missing");
    ArrayRef<char> data = blob->getData();
    unsigned width = storageBytes(elementType);
    if (static_cast<int64_t>(data.size()) != count * width)
      return fail(reason, "operand '" + operandName + "' resource holds " +
                              llvm::Twine(data.size()) + " bytes, expected " +
                              llvm::Twine(count * width));
    for (int64_t i = 0; i < count; ++i) {
      uint64_t v = 0;
      for (unsigned b = 0; b < width; ++b)
        v |= uint64_t(static_cast<uint8_t>(data[i * width + b])) << (8 * b);
      bits.push_back(v);
    }
    return bits;
  }
  return fail(reason, "operand '" + operandName +
                          "' is a constant of an unsupported attribute kind");
}

FailureOr<std::vector<float>> readConstantFloats(Value value,
                                                 StringRef operandName,
                                                 std::string *reason) {
  ElementsAttr attr = getConstantElements(value);
  if (!attr)
    return fail(reason, "operand '" + operandName + "' is not a constant");
  auto floatType = dyn_cast<FloatType>(attr.getElementType());
  if (!floatType)
    return fail(reason, "operand '" + operandName + "' is not a float tensor");
  // Fast path: f32 dense constants.
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (auto values = dense.tryGetValues<float>(); succeeded(values))
      return std::vector<float>(values->begin(), values->end());
  }
  FailureOr<std::vector<uint64_t>> bits =
      readConstantBits(value, operandName, reason);
  if (failed(bits))
    return failure();
  const llvm::fltSemantics &semantics = floatType.getFloatSemantics();
  unsigned width = floatType.getWidth();
  std::vector<float> out;
  out.reserve(bits->size());
  for (uint64_t b : *bits) {
    APFloat v(semantics, APInt(width, b));
    // APFloat widens the f8E8M0FNU NaN (0xFF) to +inf; every NaN of every
    // type must stay NaN.
    if (v.isNaN()) {
      out.push_back(std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    bool losesInfo = false;
    v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
    out.push_back(v.convertToFloat());
  }
  return out;
}

FailureOr<std::vector<int64_t>> readConstantInts(Value value,
                                                 StringRef operandName,
                                                 std::string *reason) {
  ElementsAttr attr = getConstantElements(value);
  if (!attr)
    return fail(reason, "operand '" + operandName + "' is not a constant");
  auto intType = dyn_cast<IntegerType>(attr.getElementType());
  if (!intType)
    return fail(reason,
                "operand '" + operandName + "' is not an integer tensor");
  FailureOr<std::vector<uint64_t>> bits =
      readConstantBits(value, operandName, reason);
  if (failed(bits))
    return failure();
  unsigned width = intType.getWidth();
  std::vector<int64_t> out;
  out.reserve(bits->size());
  for (uint64_t b : *bits)
    out.push_back(APInt(width, b).getSExtValue());
  return out;
}

FailureOr<std::vector<uint8_t>> readConstantBytes(Value value,
                                                  StringRef operandName,
                                                  std::string *reason) {
  ElementsAttr attr = getConstantElements(value);
  if (!attr)
    return fail(reason, "operand '" + operandName + "' is not a constant");
  if (!attr.getElementType().isInteger(8))
    return fail(reason, "operand '" + operandName + "' is not an i8 tensor");
  FailureOr<std::vector<uint64_t>> bits =
      readConstantBits(value, operandName, reason);
  if (failed(bits))
    return failure();
  return std::vector<uint8_t>(bits->begin(), bits->end());
}

} // namespace linea

DenseElementsAttr linea::floatConstantAttr(ArrayRef<int64_t> shape,
                                           ArrayRef<float> values,
                                           Type elementType) {
  auto type = RankedTensorType::get(shape, elementType);
  if (elementType.isF32())
    return DenseElementsAttr::get(type, values);
  auto floatType = cast<FloatType>(elementType);
  SmallVector<APFloat> converted;
  converted.reserve(values.size());
  for (float f : values) {
    APFloat v(f);
    bool losesInfo = false;
    v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    converted.push_back(v);
  }
  return DenseElementsAttr::get(type, converted);
}

FailureOr<DenseElementsAttr>
linea::concatConstantRows(ArrayRef<Value> values, std::string *reason) {
  if (values.empty())
    return fail(reason, "nothing to concatenate");
  auto first = cast<ShapedType>(values.front().getType());
  Type elementType = first.getElementType();
  if (!elementType.isIntOrFloat() ||
      elementType.getIntOrFloatBitWidth() % 8 != 0 || !first.hasRank() ||
      first.getRank() == 0)
    return fail(reason, "operands are not tensors of whole-byte elements");
  unsigned width = elementType.getIntOrFloatBitWidth() / 8;
  SmallVector<int64_t> shape(first.getShape());
  shape[0] = 0;
  std::vector<char> raw;
  for (auto [i, value] : llvm::enumerate(values)) {
    auto type = cast<ShapedType>(value.getType());
    if (type.getElementType() != elementType ||
        type.getShape().drop_front() != first.getShape().drop_front())
      return fail(reason, "operand #" + Twine(i) + " has type " +
                              llvm::formatv("{0}", type).str() +
                              ", which does not stack on " +
                              llvm::formatv("{0}", first).str());
    FailureOr<std::vector<uint64_t>> bits =
        readConstantBits(value, "#" + std::to_string(i), reason);
    if (failed(bits))
      return failure();
    for (uint64_t v : *bits)
      for (unsigned b = 0; b < width; ++b)
        raw.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
    shape[0] += type.getDimSize(0);
  }
  return DenseElementsAttr::getFromRawBuffer(
      RankedTensorType::get(shape, elementType), raw);
}
