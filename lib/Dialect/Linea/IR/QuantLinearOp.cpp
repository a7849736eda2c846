//===- QuantLinearOp.cpp - linea.quant_linear verifier and interface ------===//
//
// The op's shapes follow from its #linea.qformat; decoding is delegated to
// lib/Numerics/QuantFormats so that the dense weight the compiler reasons
// about is bit for bit the one docs/formats.md defines.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"
#include "linea/Numerics/QuantFormats.h"

using namespace mlir;

namespace linea {

//===----------------------------------------------------------------------===//
// Assembly: `format <int8, channel, ...>`
//===----------------------------------------------------------------------===//

// The format is written in the stripped form of #linea.qformat (the same
// entries, without the `#linea.qformat` prefix): a full dialect attribute
// directly before the `:` of the type list would swallow that colon as its
// own type suffix.

ParseResult QuantLinearOp::parseQFormat(OpAsmParser &parser,
                                        QFormatAttr &format) {
  format = dyn_cast_or_null<QFormatAttr>(QFormatAttr::parse(parser, Type()));
  return success(format != nullptr);
}

void QuantLinearOp::printQFormat(OpAsmPrinter &printer, Operation *,
                                 QFormatAttr format) {
  format.print(printer);
}

//===----------------------------------------------------------------------===//
// Verifier
//===----------------------------------------------------------------------===//

/// "[a, b]" for a static shape.
static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

/// Verifies that the optional scalar operand `name` is present exactly when
/// `required` (for the reason `why`), and is a tensor<f32> or tensor<1xf32>.
static LogicalResult verifyScalarOperand(Operation *op, StringRef name,
                                         Value value, bool required,
                                         StringRef why) {
  if (!value && required)
    return op->emitOpError() << "needs " << name << " because " << why;
  if (value && !required)
    return op->emitOpError() << name << " is given, but " << why;
  if (!value)
    return success();
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() > 1 || (type.getRank() == 1 && type.getDimSize(0) != 1))
    return op->emitOpError() << name
                             << " must be tensor<f32> or tensor<1xf32>, but "
                                "has type "
                             << type;
  return success();
}

LogicalResult QuantLinearOp::verify() {
  Operation *op = getOperation();
  QFormatAttr format = getFormat();
  if (failed(verifyStaticRank(op, "qweight", getQweight(), 2)))
    return failure();
  // K comes from x; let the shared check report a missing or dynamic K.
  auto xType = cast<RankedTensorType>(getX().getType());
  if (xType.getRank() < 1 || ShapedType::isDynamic(xType.getShape().back()))
    return verifyLinearLayerIO(op, getX(), getBias(), getY(), 0,
                               getOutFeatures());
  int64_t k = getInFeatures(), n = getOutFeatures();

  unsigned bits = format.getElementBits();
  int64_t rowBytes = numerics::packedRowBytes(k, bits);
  if (dimOf(getQweight(), 1) != rowBytes)
    return emitOpError() << "qweight has " << dimOf(getQweight(), 1)
                         << " bytes per row, but K = " << k << " elements of "
                         << bits << " bits need " << rowBytes;

  // Scales: element type, then shape.
  auto scalesType = cast<RankedTensorType>(getScales().getType());
  if (scalesType.getElementType() != format.getScaleType())
    return emitOpError() << "scales element type "
                         << scalesType.getElementType()
                         << " differs from the format's scale type "
                         << format.getScaleType();
  if (failed(verifyStaticRank(op, "scales", getScales(), 2)))
    return failure();
  SmallVector<int64_t, 2> scaleShape = {format.getScaleRows(n),
                                        format.getScaleColumns(k)};
  if (scalesType.getShape() != ArrayRef<int64_t>(scaleShape)) {
    InFlightDiagnostic diag =
        emitOpError() << "scales has shape "
                      << shapeString(scalesType.getShape())
                      << ", but the format needs " << shapeString(scaleShape)
                      << " (N = " << n << ", K = " << k;
    if (format.getGranularity() == Granularity::group)
      diag << " in groups of " << format.getGroupSize();
    return diag << ", " << stringifyGranularity(format.getGranularity())
                << " granularity)";
  }

  // Zero points: present iff asymmetric, shaped like the scales.
  if (Value z = getZeroPoints()) {
    if (format.getSymmetric())
      return emitOpError()
             << "zero_points is given, but the format is symmetric";
    if (failed(verifyStaticRank(op, "zero_points", z, 2)))
      return failure();
    auto zType = cast<RankedTensorType>(z.getType());
    if (zType.getShape() != scalesType.getShape())
      return emitOpError() << "zero_points has shape "
                           << shapeString(zType.getShape())
                           << ", but scales has shape "
                           << shapeString(scalesType.getShape());
  } else if (!format.getSymmetric()) {
    return emitOpError() << "needs zero_points because the format is "
                            "asymmetric ("
                         << stringifyQElement(format.getElement()) << ")";
  }

  bool nvfp4 = format.getElement() == QElement::nvfp4;
  if (failed(verifyScalarOperand(op, "tensor_scale", getTensorScale(), nvfp4,
                                 nvfp4 ? "the element is nvfp4"
                                       : "only nvfp4 has a per-tensor scale")))
    return failure();
  bool staticAct = format.getAct() == ActMode::fp8_per_tensor;
  if (failed(verifyScalarOperand(
          op, "act_scale", getActScale(), staticAct,
          staticAct ? "the activation mode is fp8_per_tensor"
                    : "only activation mode fp8_per_tensor has a static "
                      "scale")))
    return failure();

  return verifyLinearLayerIO(op, getX(), getBias(), getY(), k, n);
}

SmallVector<Value> QuantLinearOp::getWeightOperands() {
  SmallVector<Value> operands = {getQweight(), getScales()};
  if (Value z = getZeroPoints())
    operands.push_back(z);
  if (Value t = getTensorScale())
    operands.push_back(t);
  return operands;
}

int64_t QuantLinearOp::getInFeatures() {
  auto xType = cast<RankedTensorType>(getX().getType());
  return xType.getRank() < 1 ? 0 : xType.getShape().back();
}

int64_t QuantLinearOp::getOutFeatures() { return dimOf(getQweight(), 0); }

int64_t QuantLinearOp::getParameterCount() {
  int64_t count = getOutFeatures() * getInFeatures();
  for (Value v : getWeightOperands())
    if (v != getQweight())
      count += numElementsOf(v);
  return count;
}

int64_t QuantLinearOp::getFlopsPerToken() {
  return 2 * getInFeatures() * getOutFeatures() +
         (getBias() ? getOutFeatures() : 0);
}

FailureOr<numerics::Matrix>
QuantLinearOp::materializeDenseWeight(std::string *reason) {
  numerics::QuantSpec spec = getFormat().toQuantSpec();
  FailureOr<std::vector<uint8_t>> packed =
      readConstantBytes(getQweight(), "qweight", reason);
  if (failed(packed))
    return failure();
  FailureOr<std::vector<float>> scales =
      readConstantFloats(getScales(), "scales", reason);
  if (failed(scales))
    return failure();
  std::vector<uint8_t> zeroPoints;
  if (Value z = getZeroPoints()) {
    FailureOr<std::vector<uint8_t>> read =
        readConstantBytes(z, "zero_points", reason);
    if (failed(read))
      return failure();
    zeroPoints = std::move(*read);
  }
  float tensorScale = 1.0f;
  if (Value t = getTensorScale()) {
    FailureOr<std::vector<float>> read =
        readConstantFloats(t, "tensor_scale", reason);
    if (failed(read))
      return failure();
    tensorScale = read->front();
  }
  return numerics::dequantize(spec, getOutFeatures(), getInFeatures(), *packed,
                              *scales, zeroPoints, tensorScale);
}

} // namespace linea
