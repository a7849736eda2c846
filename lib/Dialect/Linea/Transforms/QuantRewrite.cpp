//===- QuantRewrite.cpp - what the quantization passes share -------------===//

#include "QuantRewrite.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace linea;

FailureOr<QFormatAttr>
linea::buildQuantFormat(ModuleOp module, StringRef passName,
                        const QuantFormatOptions &options) {
  auto fail = [&](const Twine &message) -> FailureOr<QFormatAttr> {
    emitError(module.getLoc()) << passName << ": " << message;
    return failure();
  };
  std::string element = options.element;
  if (element.empty())
    return fail("no format given (format=int8, int4, uint4, int6, fp8_e4m3, "
                "fp8_e5m2, mxfp4, nvfp4 or nf4)");
  if (!symbolizeQElement(element))
    return fail("unknown format '" + element +
                "' (expected int8, uint8, int4, uint4, int6, fp8_e4m3, "
                "fp8_e5m2, mxfp4, nvfp4 or nf4)");
  if (!options.symmetric.empty() && options.symmetric != "true" &&
      options.symmetric != "false")
    return fail("symmetric='" + options.symmetric + "' is not true or false");

  // The format in #linea.qformat syntax, so that its parser supplies the
  // element defaults and its verifier the combination rules.
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string symmetry;
  if (options.symmetric == "false" && (element == "int8" || element == "int4"))
    element = "u" + element;
  else if (!options.symmetric.empty())
    symmetry = options.symmetric == "true" ? "symmetric" : "asymmetric";
  os << "#linea.qformat<" << element;
  if (!options.granularity.empty() && options.granularity != "tensor" &&
      options.granularity != "channel" && options.granularity != "group")
    return fail("granularity='" + options.granularity +
                "' is not tensor, channel or group");
  if (options.groupSize < 0)
    return fail("group-size=" + Twine(options.groupSize) + " is negative");
  if (options.groupSize > 0) {
    if (!options.granularity.empty() && options.granularity != "group")
      return fail("group-size=" + Twine(options.groupSize) +
                  " contradicts granularity=" + options.granularity);
    os << ", group " << options.groupSize;
  } else if (options.granularity == "group") {
    return fail("granularity=group needs group-size=N");
  } else if (!options.granularity.empty()) {
    os << ", " << options.granularity;
  }
  if (!symmetry.empty())
    os << ", " << symmetry;
  if (!options.scaleType.empty()) {
    if (options.scaleType != "f32" && options.scaleType != "f16" &&
        options.scaleType != "bf16")
      return fail("scale-type='" + options.scaleType +
                  "' is not f32, f16 or bf16");
    os << ", scale " << options.scaleType;
  }
  if (!options.act.empty() && options.act != "weight_only")
    os << ", act " << options.act;
  os << ">";

  // Collect the parser's or verifier's complaint and repeat it as ours.
  std::string complaint;
  Attribute attr;
  {
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
      complaint = d.str();
      return success();
    });
    attr = parseAttribute(text, module.getContext());
  }
  auto format = dyn_cast_if_present<QFormatAttr>(attr);
  if (!format)
    return fail("invalid format " + text + ": " + complaint);
  return format;
}

StructuredProposal linea::quantProposal(QFormatAttr format,
                                        const numerics::QuantizedWeight &q,
                                        std::optional<float> actScale) {
  MLIRContext *ctx = format.getContext();
  Type i8 = IntegerType::get(ctx, 8);
  Type f32 = Float32Type::get(ctx);
  unsigned bits = numerics::elementBits(q.spec.element);
  SmallVector<int64_t> scaleShape = {numerics::scaleRows(q.spec, q.n),
                                     numerics::scaleColumns(q.spec, q.k)};
  StructuredProposal proposal;
  auto &factors = proposal.factors;
  factors.push_back({{q.n, numerics::packedRowBytes(q.k, bits)},
                     std::vector<float>(q.packed.begin(), q.packed.end()),
                     0,
                     i8});
  factors.push_back({scaleShape, q.scales, 0, format.getScaleType()});
  bool hasZeroPoints = !q.spec.symmetric;
  if (hasZeroPoints)
    factors.push_back(
        {scaleShape,
         std::vector<float>(q.zeroPoints.begin(), q.zeroPoints.end()), 0, i8});
  bool hasTensorScale = q.spec.element == numerics::QuantElement::nvfp4;
  if (hasTensorScale)
    factors.push_back({{}, {q.tensorScale}, 0, f32});
  if (actScale)
    factors.push_back({{}, {*actScale}, 0, f32});
  proposal.build = [=](OpBuilder &b, Location loc, Type type, Value x,
                       ArrayRef<Value> f, Value bias, StringAttr name) {
    size_t next = 2;
    Value zeroPoints = hasZeroPoints ? f[next++] : Value();
    Value tensorScale = hasTensorScale ? f[next++] : Value();
    Value act = actScale ? f[next++] : Value();
    return QuantLinearOp::create(b, loc, type, x, f[0], f[1], zeroPoints,
                                 tensorScale, act, bias, format, name)
        .getOperation();
  };
  return proposal;
}

float linea::staticFp8ActScale(const LayerStats &stats) {
  float amax = 0.0f;
  for (float v : stats.absMax)
    amax = std::max(amax, v);
  return amax > 0.0f ? amax / 448.0f : 1.0f;
}
