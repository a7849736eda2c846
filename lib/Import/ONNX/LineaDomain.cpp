//===- LineaDomain.cpp - ai.linea nodes → linea sequence-mixing ops -------===//
//
// State-space and linear-attention layers have no standard ONNX op, and
// spelling their recurrences with Loop/Scan would hide them from linea. The
// custom domain `ai.linea` (version 1) therefore names each sequence-mixing
// op once: a node's inputs are the op's operands in op order (optional ones
// given as "" or left off the end), its attributes are the op's attributes
// with ONNX types, and its outputs are the op's results. docs/onnx-import.md
// has the table of each node.
//
// Shapes are static at import, so every check of the op verifiers is made
// here first on the ONNX values, with node, input and sizes in the message;
// the verifier still runs on the built op as a backstop.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <onnx/onnx_pb.h>
#include <sstream>

using namespace mlir;

namespace linea::onnx_import {
namespace {

using AttrType = onnx::AttributeProto::AttributeType;

/// What element types an input may have.
enum class Elem {
  /// f32, f16 or bf16, the same as input 0 (activations; the result has it).
  Data,
  /// Any of f32, f16, bf16 (parameters, gates, masks).
  Param,
  /// f32: states are carried in f32 so that pieces of a sequence chain.
  State,
};

/// One input of a node: name (the op's operand name), layout as named dims
/// ("B,T,D"; "" = checked by the handler), whether it is required.
struct InputSpec {
  StringRef name;
  StringRef dims;
  bool required;
  Elem elem;
};

struct AttrSpec {
  StringRef name;
  AttrType type;
};

/// The contract of one node type.
struct NodeSpec {
  ArrayRef<InputSpec> inputs;
  ArrayRef<AttrSpec> attrs;
  ArrayRef<StringRef> outputs;
  /// Named dims that must be positive (they size heads or head vectors).
  ArrayRef<StringRef> positive;
};

/// Checks a node against its NodeSpec and binds the named dims.
class Contract {
public:
  Contract(NodeContext &ctx, NodeSpec spec) : ctx(ctx), spec(spec) {}

  /// Input and output counts, required inputs, ranks, element types,
  /// agreement of every named dim, and attribute names and types.
  LogicalResult check();

  /// The size bound to named dim `name`.
  int64_t dim(StringRef name) const { return sizes.lookup(name).size; }
  /// The shape with layout `dims` ("B,T,D").
  SmallVector<int64_t> shape(StringRef dims) const {
    SmallVector<int64_t> out;
    for (StringRef d : split(dims))
      out.push_back(dim(d));
    return out;
  }
  /// The tensor type of layout `dims` with element `kind`.
  RankedTensorType type(StringRef dims, ElemKind kind) const {
    return RankedTensorType::get(shape(dims),
                                 mlirElemType(kind, ctx.context()));
  }
  ElemKind dataKind() { return ctx.kind(0); }
  /// The IR value of input `i`, or null when absent.
  Value value(unsigned i) { return ctx.hasInput(i) ? ctx.value(i) : Value(); }

  /// Attribute `name` as a flag: absent = false, else INT 0 or 1.
  FailureOr<bool> flag(StringRef name);
  /// Attribute `name` as a finite positive f32, or null when absent.
  FailureOr<FloatAttr> positiveFloat(StringRef name);
  /// "input 2 'initial_state'".
  std::string inputName(unsigned i) const {
    return "input " + std::to_string(i) + " '" + spec.inputs[i].name.str() +
           "'";
  }

private:
  static SmallVector<StringRef, 5> split(StringRef dims) {
    SmallVector<StringRef, 5> out;
    dims.split(out, ',', -1, /*KeepEmpty=*/false);
    return out;
  }
  std::string opName() const {
    return HandlerTable::qualified(kLineaDomain, ctx.opType());
  }
  LogicalResult checkCounts();
  LogicalResult checkElement(unsigned i);
  LogicalResult checkAttributes();

  struct Binding {
    int64_t size = 0;
    unsigned input = 0;
    unsigned index = 0;
  };
  NodeContext &ctx;
  NodeSpec spec;
  llvm::StringMap<Binding> sizes;
};

/// "a, b, [initial_state]": the inputs, optional ones in brackets.
static std::string inputList(ArrayRef<InputSpec> inputs) {
  return llvm::join(llvm::map_range(inputs,
                                    [](const InputSpec &in) {
                                      return in.required
                                                 ? in.name.str()
                                                 : "[" + in.name.str() + "]";
                                    }),
                    ", ");
}

LogicalResult Contract::checkCounts() {
  if (ctx.numInputs() > spec.inputs.size())
    return ctx.error("has " + std::to_string(ctx.numInputs()) +
                     " inputs, but " + opName() + " takes at most " +
                     std::to_string(spec.inputs.size()) + " (" +
                     inputList(spec.inputs) + ")");
  for (auto [i, in] : llvm::enumerate(spec.inputs))
    if (in.required && !ctx.hasInput(i))
      return ctx.error("lacks required " + inputName(i) + " (" + opName() +
                       " takes " + inputList(spec.inputs) + ")");
  if (ctx.numOutputs() > spec.outputs.size())
    return ctx.error("has " + std::to_string(ctx.numOutputs()) +
                     " outputs, but " + opName() + " has " +
                     std::to_string(spec.outputs.size()) + " (" +
                     llvm::join(spec.outputs, ", ") + ")");
  return success();
}

LogicalResult Contract::checkElement(unsigned i) {
  ElemKind kind = ctx.kind(i);
  std::string name = inputName(i);
  if (kind != ElemKind::F32 && kind != ElemKind::F16 && kind != ElemKind::BF16)
    return ctx.error(name + " has element type " + elemName(kind) +
                     ", but ai.linea ops take float, float16 or bfloat16");
  switch (spec.inputs[i].elem) {
  case Elem::Data:
    if (kind != ctx.kind(0))
      return ctx.error(name + " has element type " + elemName(kind) + ", but " +
                       inputName(0) + " has " + elemName(ctx.kind(0)) +
                       " (they must match)");
    break;
  case Elem::Param:
    break;
  case Elem::State:
    if (kind != ElemKind::F32)
      return ctx.error(name + " has element type " + elemName(kind) +
                       ", but states are float (f32)");
    break;
  }
  return success();
}

LogicalResult Contract::checkAttributes() {
  // A misspelt attribute (`casual`) must not be silently ignored.
  for (StringRef name : ctx.attrNames()) {
    const AttrSpec *found = llvm::find_if(
        spec.attrs, [&](const AttrSpec &a) { return a.name == name; });
    if (found == spec.attrs.end())
      return ctx.error(
          "has unknown attribute '" + name + "'; " + opName() +
          (spec.attrs.empty()
               ? std::string(" takes none")
               : " takes " + llvm::join(llvm::map_range(spec.attrs,
                                                        [](const AttrSpec &a) {
                                                          return a.name;
                                                        }),
                                        ", ")));
    const onnx::AttributeProto *attr = ctx.attr(name);
    if (attr->type() != found->type)
      return ctx.error("attribute '" + name + "' must be " +
                       onnx::AttributeProto::AttributeType_Name(found->type) +
                       ", but is " +
                       onnx::AttributeProto::AttributeType_Name(attr->type()));
  }
  return success();
}

LogicalResult Contract::check() {
  if (failed(checkCounts()))
    return failure();
  for (auto [i, in] : llvm::enumerate(spec.inputs)) {
    if (!ctx.hasInput(i))
      continue;
    SmallVector<StringRef, 5> dims = split(in.dims);
    ArrayRef<int64_t> shape = ctx.shape(i);
    if (!in.dims.empty() && shape.size() != dims.size())
      return ctx.error(inputName(i) + " must have rank " +
                       std::to_string(dims.size()) + " ([" +
                       llvm::join(dims, ", ") + "]), but has rank " +
                       std::to_string(shape.size()) + " (shape " +
                       NodeContext::str(shape) + ")");
    if (failed(checkElement(i)))
      return failure();
  }
  for (auto [i, in] : llvm::enumerate(spec.inputs)) {
    if (!ctx.hasInput(i))
      continue;
    for (auto [d, name] : llvm::enumerate(split(in.dims))) {
      int64_t size = ctx.shape(i)[d];
      if (size == 0 && llvm::is_contained(spec.positive, name))
        return ctx.error(inputName(i) + " dimension " + std::to_string(d) +
                         " (" + name + ") must be positive, but is 0");
      auto [it, inserted] =
          sizes.try_emplace(name, Binding{size, unsigned(i), unsigned(d)});
      const Binding &first = it->second;
      if (!inserted && first.size != size)
        return ctx.error(inputName(i) + " dimension " + std::to_string(d) +
                         " (" + name + ") is " + std::to_string(size) +
                         ", but " + inputName(first.input) + " dimension " +
                         std::to_string(first.index) + " (" + name + ") is " +
                         std::to_string(first.size));
    }
  }
  return checkAttributes();
}

FailureOr<bool> Contract::flag(StringRef name) {
  const onnx::AttributeProto *attr = ctx.attr(name);
  if (!attr)
    return false;
  if (attr->i() != 0 && attr->i() != 1)
    return ctx.error("attribute '" + name + "' must be 0 or 1, but is " +
                     std::to_string(attr->i()));
  return attr->i() == 1;
}

FailureOr<FloatAttr> Contract::positiveFloat(StringRef name) {
  const onnx::AttributeProto *attr = ctx.attr(name);
  if (!attr)
    return FloatAttr();
  float value = attr->f();
  if (!std::isfinite(value) || value <= 0)
    return ctx.error("attribute '" + name +
                     "' must be finite and positive, but is " +
                     (std::ostringstream() << value).str());
  return ctx.b.getF32FloatAttr(value);
}

/// Runs the verifier of the op just built. The checks above mirror it, so a
/// failure is a gap in them; it is reported on the node, not as an
/// unverifiable module.
LogicalResult verifyBuilt(NodeContext &ctx, Operation *op) {
  std::string diagnostics;
  {
    ScopedDiagnosticHandler handler(ctx.context(), [&](Diagnostic &diag) {
      diagnostics += diag.str();
      return success();
    });
    if (succeeded(mlir::verify(op)))
      return success();
  }
  std::string name = op->getName().getStringRef().str();
  op->erase();
  return ctx.error("internal error: the " + name +
                   " built for it does not verify: " + diagnostics);
}

constexpr AttrType kInt = onnx::AttributeProto::INT;
constexpr AttrType kFloat = onnx::AttributeProto::FLOAT;
constexpr AttrType kString = onnx::AttributeProto::STRING;

//===----------------------------------------------------------------------===//
// LinearScan → linea.linear_scan
//===----------------------------------------------------------------------===//

LogicalResult importLinearScan(NodeContext &ctx) {
  static const InputSpec inputs[] = {
      {"a", "B,T,D", true, Elem::Data},
      {"b", "B,T,D", true, Elem::Data},
      {"initial_state", "B,D", false, Elem::State}};
  static const StringRef outputs[] = {"h"};
  Contract c(ctx, {inputs, {}, outputs, {}});
  if (failed(c.check()))
    return failure();
  auto op = LinearScanOp::create(ctx.b, ctx.loc, c.type("B,T,D", c.dataKind()),
                                 c.value(0), c.value(1), c.value(2));
  if (failed(verifyBuilt(ctx, op)))
    return failure();
  ctx.setOutput(0, op.getH(), c.dataKind());
  return success();
}

//===----------------------------------------------------------------------===//
// SelectiveScan → linea.selective_scan
//===----------------------------------------------------------------------===//

LogicalResult importSelectiveScan(NodeContext &ctx) {
  static const InputSpec inputs[] = {
      {"u", "Bt,T,D", true, Elem::Data},
      {"delta", "Bt,T,D", true, Elem::Data},
      {"A", "D,N", true, Elem::Param},
      {"B", "Bt,T,N", true, Elem::Data},
      {"C", "Bt,T,N", true, Elem::Data},
      {"D_skip", "D", false, Elem::Param},
      {"z", "Bt,T,D", false, Elem::Data},
      {"delta_bias", "D", false, Elem::Param},
      {"initial_state", "Bt,D,N", false, Elem::State}};
  static const AttrSpec attrs[] = {{"delta_softplus", kInt}};
  static const StringRef outputs[] = {"y", "final_state"};
  Contract c(ctx, {inputs, attrs, outputs, {}});
  if (failed(c.check()))
    return failure();
  FailureOr<bool> softplus = c.flag("delta_softplus");
  if (failed(softplus))
    return failure();
  auto op = SelectiveScanOp::create(
      ctx.b, ctx.loc, c.type("Bt,T,D", c.dataKind()),
      c.type("Bt,D,N", ElemKind::F32), c.value(0), c.value(1), c.value(2),
      c.value(3), c.value(4), c.value(5), c.value(6), c.value(7), c.value(8),
      *softplus);
  if (failed(verifyBuilt(ctx, op)))
    return failure();
  ctx.setOutput(0, op.getY(), c.dataKind());
  ctx.setOutput(1, op.getFinalState(), ElemKind::F32);
  return success();
}

//===----------------------------------------------------------------------===//
// GatedLinearAttention, DeltaRule → linea.gated_linear_attention, delta_rule
//===----------------------------------------------------------------------===//

/// Both take q, k, v, a gate and an optional initial state, and give o and
/// the final state; they differ in the gate's layout.
template <typename OpTy>
LogicalResult importGatedScan(NodeContext &ctx, StringRef gateName,
                              StringRef gateDims) {
  const InputSpec inputs[] = {
      {"q", "B,H,T,Dk", true, Elem::Data},
      {"k", "B,H,T,Dk", true, Elem::Data},
      {"v", "B,H,T,Dv", true, Elem::Data},
      {gateName, gateDims, true, Elem::Param},
      {"initial_state", "B,H,Dk,Dv", false, Elem::State}};
  static const AttrSpec attrs[] = {{"scale", kFloat}};
  static const StringRef outputs[] = {"o", "final_state"};
  static const StringRef positive[] = {"Dk", "Dv"};
  Contract c(ctx, {inputs, attrs, outputs, positive});
  if (failed(c.check()))
    return failure();
  FailureOr<FloatAttr> scale = c.positiveFloat("scale");
  if (failed(scale))
    return failure();
  auto op =
      OpTy::create(ctx.b, ctx.loc, c.type("B,H,T,Dv", c.dataKind()),
                   c.type("B,H,Dk,Dv", ElemKind::F32), c.value(0), c.value(1),
                   c.value(2), c.value(3), c.value(4), *scale);
  if (failed(verifyBuilt(ctx, op)))
    return failure();
  ctx.setOutput(0, op.getO(), c.dataKind());
  ctx.setOutput(1, op.getFinalState(), ElemKind::F32);
  return success();
}

LogicalResult importGatedLinearAttention(NodeContext &ctx) {
  return importGatedScan<GatedLinearAttentionOp>(ctx, "g", "B,H,T,Dk");
}

LogicalResult importDeltaRule(NodeContext &ctx) {
  return importGatedScan<DeltaRuleOp>(ctx, "beta", "B,H,T");
}

//===----------------------------------------------------------------------===//
// LinearAttention → linea.linear_attention
//===----------------------------------------------------------------------===//

LogicalResult importLinearAttention(NodeContext &ctx) {
  static const InputSpec inputs[] = {{"q", "B,H,S,D", true, Elem::Data},
                                     {"k", "B,H,T,D", true, Elem::Data},
                                     {"v", "B,H,T,Dv", true, Elem::Data}};
  static const AttrSpec attrs[] = {
      {"feature_map", kString}, {"causal", kInt}, {"epsilon", kFloat}};
  static const StringRef outputs[] = {"o"};
  static const StringRef positive[] = {"D", "Dv"};
  Contract c(ctx, {inputs, attrs, outputs, positive});
  if (failed(c.check()))
    return failure();
  static constexpr StringLiteral maps = "elu_plus_one, relu, identity, binary";
  if (!ctx.attr("feature_map"))
    return ctx.error("lacks required attribute 'feature_map' (STRING: " + maps +
                     ")");
  std::string mapName = ctx.attrString("feature_map", "");
  std::optional<FeatureMap> map = symbolizeFeatureMap(mapName);
  if (!map)
    return ctx.error("attribute 'feature_map' is '" + mapName +
                     "', but must be one of " + maps);
  FailureOr<bool> causal = c.flag("causal");
  if (failed(causal))
    return failure();
  if (*causal && c.dim("S") != c.dim("T"))
    return ctx.error("causal = 1 needs as many queries as keys, but " +
                     c.inputName(0) + " has S = " + std::to_string(c.dim("S")) +
                     " and " + c.inputName(1) +
                     " has T = " + std::to_string(c.dim("T")));
  FailureOr<FloatAttr> epsilon = c.positiveFloat("epsilon");
  if (failed(epsilon))
    return failure();
  if (!*epsilon)
    *epsilon = ctx.b.getF32FloatAttr(1e-6f);
  auto op = LinearAttentionOp::create(
      ctx.b, ctx.loc, c.type("B,H,S,Dv", c.dataKind()), c.value(0), c.value(1),
      c.value(2), FeatureMapAttr::get(ctx.context(), *map),
      *causal ? ctx.b.getUnitAttr() : UnitAttr(), *epsilon);
  if (failed(verifyBuilt(ctx, op)))
    return failure();
  ctx.setOutput(0, op.getO(), c.dataKind());
  return success();
}

//===----------------------------------------------------------------------===//
// Attention (ai.linea) → linea.attention
//===----------------------------------------------------------------------===//

LogicalResult importAttention(NodeContext &ctx) {
  static const InputSpec inputs[] = {{"q", "B,H,S,D", true, Elem::Data},
                                     {"k", "B,Hkv,T,D", true, Elem::Data},
                                     {"v", "B,Hkv,T,Dv", true, Elem::Data},
                                     {"mask", "", false, Elem::Param}};
  static const AttrSpec attrs[] = {{"scale", kFloat}, {"causal", kInt}};
  static const StringRef outputs[] = {"o"};
  static const StringRef positive[] = {"H", "Hkv", "D", "Dv"};
  Contract c(ctx, {inputs, attrs, outputs, positive});
  if (failed(c.check()))
    return failure();
  int64_t heads = c.dim("H"), kvHeads = c.dim("Hkv");
  if (heads % kvHeads != 0)
    return ctx.error(c.inputName(1) + " and " + c.inputName(2) + " have " +
                     std::to_string(kvHeads) +
                     " heads, which do not divide "
                     "the " +
                     std::to_string(heads) + " heads of " + c.inputName(0));
  // The mask broadcasts to [B, H, S, T]: each dim is 1 or that size.
  if (ctx.hasInput(3)) {
    ArrayRef<int64_t> mask = ctx.shape(3);
    if (mask.size() != 4)
      return ctx.error(c.inputName(3) +
                       " must have rank 4 (broadcastable to [B, H, S, T]), "
                       "but has rank " +
                       std::to_string(mask.size()) + " (shape " +
                       NodeContext::str(mask) + ")");
    static const StringRef names[] = {"B", "H", "S", "T"};
    for (auto [i, name] : llvm::enumerate(names))
      if (mask[i] != 1 && mask[i] != c.dim(name))
        return ctx.error(c.inputName(3) + " dimension " + std::to_string(i) +
                         " is " + std::to_string(mask[i]) +
                         ", but must be 1 or " + name.str() + " = " +
                         std::to_string(c.dim(name)));
  }
  FailureOr<FloatAttr> scale = c.positiveFloat("scale");
  if (failed(scale))
    return failure();
  FailureOr<bool> causal = c.flag("causal");
  if (failed(causal))
    return failure();
  auto op = AttentionOp::create(
      ctx.b, ctx.loc, c.type("B,H,S,Dv", c.dataKind()), c.value(0), c.value(1),
      c.value(2), c.value(3), *scale, *causal);
  if (failed(verifyBuilt(ctx, op)))
    return failure();
  ctx.setOutput(0, op.getO(), c.dataKind());
  return success();
}

} // namespace

void registerLineaDomainHandlers(HandlerTable &table) {
  // Inputs are counted by each handler, which names the missing one.
  auto add = [&](StringRef op, OpHandler handler) {
    table.add(HandlerTable::qualified(kLineaDomain, op),
              {int(kLineaDomainVersion)}, handler, /*minInputs=*/0);
  };
  add("LinearScan", importLinearScan);
  add("SelectiveScan", importSelectiveScan);
  add("LinearAttention", importLinearAttention);
  add("GatedLinearAttention", importGatedLinearAttention);
  add("DeltaRule", importDeltaRule);
  add("Attention", importAttention);
}

} // namespace linea::onnx_import
