//===- QFormatAttr.cpp - #linea.qformat syntax, defaults and checks -------===//

#include "linea/Dialect/Linea/IR/LineaAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace linea {

static bool isUnsigned(QElement e) {
  return e == QElement::uint8 || e == QElement::uint4;
}

static bool isIntegerElement(QElement e) {
  switch (e) {
  case QElement::int8:
  case QElement::uint8:
  case QElement::int4:
  case QElement::uint4:
  case QElement::int6:
    return true;
  default:
    return false;
  }
}

/// "group 16", "channel" or "tensor", as the format is written.
static std::string describeGranularity(Granularity granularity,
                                       int64_t groupSize) {
  if (granularity == Granularity::group)
    return "group " + std::to_string(groupSize);
  return stringifyGranularity(granularity).str();
}

unsigned QFormatAttr::getElementBits() const {
  switch (getElement()) {
  case QElement::int8:
  case QElement::uint8:
  case QElement::fp8_e4m3:
  case QElement::fp8_e5m2:
    return 8;
  case QElement::int6:
    return 6;
  default:
    return 4;
  }
}

int64_t QFormatAttr::getScaleSpan(int64_t inFeatures) const {
  return getGranularity() == Granularity::group ? getGroupSize() : inFeatures;
}

int64_t QFormatAttr::getScaleColumns(int64_t inFeatures) const {
  int64_t span = getScaleSpan(inFeatures);
  return span == 0 ? 0 : (inFeatures + span - 1) / span;
}

int64_t QFormatAttr::getScaleRows(int64_t outFeatures) const {
  return getGranularity() == Granularity::tensor ? 1 : outFeatures;
}

numerics::QuantSpec QFormatAttr::toQuantSpec() const {
  numerics::QuantSpec spec;
  switch (getElement()) {
  case QElement::int8:
    spec.element = numerics::QuantElement::int8;
    break;
  case QElement::uint8:
    spec.element = numerics::QuantElement::uint8;
    break;
  case QElement::int4:
    spec.element = numerics::QuantElement::int4;
    break;
  case QElement::uint4:
    spec.element = numerics::QuantElement::uint4;
    break;
  case QElement::int6:
    spec.element = numerics::QuantElement::int6;
    break;
  case QElement::fp8_e4m3:
    spec.element = numerics::QuantElement::fp8_e4m3;
    break;
  case QElement::fp8_e5m2:
    spec.element = numerics::QuantElement::fp8_e5m2;
    break;
  case QElement::mxfp4:
    spec.element = numerics::QuantElement::mxfp4;
    break;
  case QElement::nvfp4:
    spec.element = numerics::QuantElement::nvfp4;
    break;
  case QElement::nf4:
    spec.element = numerics::QuantElement::nf4;
    break;
  }
  switch (getGranularity()) {
  case Granularity::tensor:
    spec.granularity = numerics::ScaleGranularity::tensor;
    break;
  case Granularity::channel:
    spec.granularity = numerics::ScaleGranularity::channel;
    break;
  case Granularity::group:
    spec.granularity = numerics::ScaleGranularity::group;
    break;
  }
  spec.groupSize = getGroupSize();
  spec.symmetric = getSymmetric();
  Type scale = getScaleType();
  if (scale.isF16())
    spec.scale = numerics::ScaleEncoding::f16;
  else if (scale.isBF16())
    spec.scale = numerics::ScaleEncoding::bf16;
  else if (isa<Float8E8M0FNUType>(scale))
    spec.scale = numerics::ScaleEncoding::e8m0;
  else if (isa<Float8E4M3FNType>(scale))
    spec.scale = numerics::ScaleEncoding::e4m3;
  else
    spec.scale = numerics::ScaleEncoding::f32;
  switch (getAct()) {
  case ActMode::weight_only:
    spec.act = numerics::ActQuantMode::weight_only;
    break;
  case ActMode::dynamic_int8_per_token:
    spec.act = numerics::ActQuantMode::dynamic_int8_per_token;
    break;
  case ActMode::fp8_per_tensor:
    spec.act = numerics::ActQuantMode::fp8_per_tensor;
    break;
  case ActMode::fp8_per_token:
    spec.act = numerics::ActQuantMode::fp8_per_token;
    break;
  }
  return spec;
}

LogicalResult QFormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  QElement element, Granularity granularity,
                                  int64_t groupSize, bool symmetric,
                                  Type scaleType, ActMode act) {
  StringRef name = stringifyQElement(element);
  if (granularity == Granularity::group && groupSize <= 0)
    return emitError() << "qformat group size must be positive, got "
                       << groupSize;
  if (granularity != Granularity::group && groupSize != 0)
    return emitError() << "qformat group size " << groupSize
                       << " given without group granularity";
  if (symmetric == isUnsigned(element))
    return emitError() << "qformat element " << name << " must be "
                       << (symmetric ? "asymmetric (unsigned codes need zero "
                                       "points)"
                                     : "symmetric");
  bool floatScale =
      scaleType.isF32() || scaleType.isF16() || scaleType.isBF16();
  switch (element) {
  case QElement::mxfp4:
    if (granularity != Granularity::group || groupSize != 32)
      return emitError() << "qformat mxfp4 needs group 32, got "
                         << describeGranularity(granularity, groupSize);
    if (!isa<Float8E8M0FNUType>(scaleType))
      return emitError() << "qformat mxfp4 needs f8E8M0FNU scales, got "
                         << scaleType;
    break;
  case QElement::nvfp4:
    if (granularity != Granularity::group || groupSize != 16)
      return emitError() << "qformat nvfp4 needs group 16, got "
                         << describeGranularity(granularity, groupSize);
    if (!isa<Float8E4M3FNType>(scaleType))
      return emitError() << "qformat nvfp4 needs f8E4M3FN scales, got "
                         << scaleType;
    break;
  default:
    if (!floatScale)
      return emitError() << "qformat " << name
                         << " needs f32, f16 or bf16 scales, got " << scaleType;
  }
  if (act == ActMode::dynamic_int8_per_token && !isIntegerElement(element))
    return emitError() << "qformat activation mode dynamic_int8_per_token "
                          "needs an integer element, got "
                       << name;
  if ((act == ActMode::fp8_per_tensor || act == ActMode::fp8_per_token) &&
      isIntegerElement(element) && element != QElement::int4 &&
      element != QElement::uint4)
    return emitError() << "qformat activation mode " << stringifyActMode(act)
                       << " pairs with fp8, fp4 or 4-bit integer weights, got "
                       << name;
  return success();
}

Attribute QFormatAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  StringRef keyword;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<QElement> element = symbolizeQElement(keyword);
  if (!element) {
    parser.emitError(loc) << "unknown qformat element '" << keyword << "'";
    return {};
  }
  // Element defaults.
  Granularity granularity = Granularity::channel;
  int64_t groupSize = 0;
  Type scaleType = Float32Type::get(ctx);
  switch (*element) {
  case QElement::mxfp4:
    granularity = Granularity::group;
    groupSize = 32;
    scaleType = Float8E8M0FNUType::get(ctx);
    break;
  case QElement::nvfp4:
    granularity = Granularity::group;
    groupSize = 16;
    scaleType = Float8E4M3FNType::get(ctx);
    break;
  case QElement::nf4:
    granularity = Granularity::group;
    groupSize = 64;
    break;
  default:
    break;
  }
  bool symmetric = !isUnsigned(*element);
  ActMode act = ActMode::weight_only;

  // Each aspect may be given once: `tensor, channel` is a typo, not an
  // override.
  llvm::StringSet<> seen;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return {};
    StringRef aspect = key;
    if (key == "tensor" || key == "channel" || key == "group")
      aspect = "granularity";
    else if (key == "symmetric" || key == "asymmetric")
      aspect = "symmetry";
    if (!seen.insert(aspect).second) {
      parser.emitError(keyLoc) << "qformat " << aspect << " given twice";
      return {};
    }
    if (key == "tensor") {
      granularity = Granularity::tensor;
      groupSize = 0;
    } else if (key == "channel") {
      granularity = Granularity::channel;
      groupSize = 0;
    } else if (key == "group") {
      granularity = Granularity::group;
      if (parser.parseInteger(groupSize))
        return {};
    } else if (key == "symmetric") {
      symmetric = true;
    } else if (key == "asymmetric") {
      symmetric = false;
    } else if (key == "scale") {
      if (parser.parseType(scaleType))
        return {};
    } else if (key == "act") {
      StringRef mode;
      SMLoc modeLoc = parser.getCurrentLocation();
      if (parser.parseKeyword(&mode))
        return {};
      std::optional<ActMode> parsed = symbolizeActMode(mode);
      if (!parsed) {
        parser.emitError(modeLoc) << "unknown activation mode '" << mode << "'";
        return {};
      }
      act = *parsed;
    } else {
      parser.emitError(keyLoc)
          << "unknown qformat entry '" << key
          << "' (expected tensor, channel, group N, symmetric, asymmetric, "
             "scale TYPE or act MODE)";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<QFormatAttr>(loc, ctx, *element, granularity,
                                        groupSize, symmetric, scaleType, act);
}

void QFormatAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyQElement(getElement());
  switch (getGranularity()) {
  case Granularity::tensor:
    printer << ", tensor";
    break;
  case Granularity::channel:
    printer << ", channel";
    break;
  case Granularity::group:
    printer << ", group " << getGroupSize();
    break;
  }
  printer << ", " << (getSymmetric() ? "symmetric" : "asymmetric");
  printer << ", scale " << getScaleType();
  if (getAct() != ActMode::weight_only)
    printer << ", act " << stringifyActMode(getAct());
  printer << ">";
}

} // namespace linea
