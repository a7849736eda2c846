//===- NodeContext.cpp - a handler's view of one ONNX node ----------------===//

#include "ImportContext.h"
#include "EmitUtils.h"

#include "llvm/ADT/StringExtras.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace linea::onnx_import {

NodeContext::NodeContext(GraphState &graph, const onnx::NodeProto &node,
                         int64_t opset, int sinceVersion, OpBuilder &builder)
    : b(builder), loc(builder.getUnknownLoc()), graph(graph), node(node),
      opsetVersion(opset), sinceVersion(sinceVersion) {
  nodeName = node.name();
  if (nodeName.empty())
    nodeName = node.op_type() + "_" +
               (node.output_size() ? node.output(0) : std::string("?"));
  loc = NameLoc::get(builder.getStringAttr(nodeName));
}

llvm::StringRef NodeContext::opType() const { return node.op_type(); }

unsigned NodeContext::numInputs() const { return node.input_size(); }

bool NodeContext::hasInput(unsigned i) const {
  return i < unsigned(node.input_size()) && !node.input(i).empty();
}

OnnxValue &NodeContext::input(unsigned i) {
  // The importer checked that every present input is defined.
  return *graph.lookup(node.input(i));
}

RankedTensorType NodeContext::type(unsigned i) {
  OnnxValue &v = input(i);
  return RankedTensorType::get(v.shape, mlirElemType(v.kind, context()));
}

Value NodeContext::value(unsigned i) { return graph.materialize(input(i), loc); }

const ConstData *NodeContext::constant(unsigned i) {
  if (!hasInput(i))
    return nullptr;
  OnnxValue &v = input(i);
  return v.constant ? &*v.constant : nullptr;
}

bool NodeContext::canFold(ArrayRef<unsigned> inputs, int64_t numElements) {
  if (numElements > kFoldLimit)
    return false;
  for (unsigned i : inputs)
    if (hasInput(i) && !constant(i))
      return false;
  return true;
}

FailureOr<SmallVector<int64_t>> NodeContext::requireInts(unsigned i,
                                                         StringRef what) {
  const ConstData *c = constant(i);
  if (!c) {
    (void)unsupported("input '" + what +
                      "' must be known at import time (shapes are static), "
                      "but it is computed at run time");
    return failure();
  }
  if (isFloat(c->kind())) {
    (void)error("input '" + what + "' must be integer, not " +
                elemName(c->kind()));
    return failure();
  }
  return c->getInts();
}

LogicalResult NodeContext::requireKind(unsigned i, ArrayRef<ElemKind> kinds,
                                       StringRef what) {
  if (llvm::is_contained(kinds, kind(i)))
    return success();
  return unsupported("input '" + what + "' has element type " +
                     elemName(kind(i)) + ", which is not supported here");
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

SmallVector<StringRef> NodeContext::attrNames() const {
  SmallVector<StringRef> names;
  for (const auto &a : node.attribute())
    names.push_back(a.name());
  return names;
}

int64_t NodeContext::attrInt(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}

double NodeContext::attrFloat(StringRef name, double dflt) const {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeContext::attrString(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}

std::optional<SmallVector<int64_t>>
NodeContext::attrInts(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<ConstData> NodeContext::attrTensor(StringRef name) {
  const auto *a = attr(name);
  if (!a || !a->has_t()) {
    (void)error("attribute '" + name + "' must hold a tensor");
    return failure();
  }
  return graph.decodeTensor(a->t(), "attribute '" + name.str() + "' of node '" +
                                        nodeName + "'");
}

unsigned NodeContext::numOutputs() const { return node.output_size(); }

bool NodeContext::hasOutput(unsigned i) const {
  return i < unsigned(node.output_size()) && !node.output(i).empty();
}

void NodeContext::setOutput(unsigned i, Value v, ElemKind kind) {
  if (!hasOutput(i))
    return;
  OnnxValue out;
  out.kind = kind;
  auto t = cast<RankedTensorType>(v.getType());
  out.shape.assign(t.getShape().begin(), t.getShape().end());
  out.value = v;
  graph.define(node.output(i), std::move(out));
}

void NodeContext::setOutput(unsigned i, ConstData c) {
  if (!hasOutput(i))
    return;
  OnnxValue out;
  out.kind = c.kind();
  out.shape.assign(c.shape().begin(), c.shape().end());
  out.constName = nodeName;
  out.constant = std::move(c);
  graph.define(node.output(i), std::move(out));
}

void NodeContext::setOutput(unsigned i, const OnnxValue &v) {
  if (hasOutput(i))
    graph.define(node.output(i), v);
}

/// "node 'n' (Op, opset 17)", or "node 'n' (dom.Op, dom version 1)" for
/// nodes of another domain.
static std::string describe(const std::string &nodeName,
                            const onnx::NodeProto &node, int64_t opset) {
  bool isDefault = node.domain().empty() || node.domain() == "ai.onnx";
  std::string version =
      isDefault ? "opset " + std::to_string(opset)
                : node.domain() + " version " + std::to_string(opset);
  return "node '" + nodeName + "' (" +
         HandlerTable::qualified(node.domain(), node.op_type()) + ", " +
         version + ")";
}

LogicalResult NodeContext::error(const llvm::Twine &message) {
  graph.recordError(ImportErrorKind::Invalid,
                    describe(nodeName, node, opsetVersion) + ": " +
                        message.str());
  return failure();
}

LogicalResult NodeContext::unsupported(const llvm::Twine &message) {
  graph.recordError(ImportErrorKind::Unsupported,
                    describe(nodeName, node, opsetVersion) +
                        ": unsupported: " + message.str());
  return failure();
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                              StringRef what) {
  if (axis < -rank || axis >= rank) {
    (void)error(what + " " + std::to_string(axis) + " is out of range for rank " +
                std::to_string(rank));
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

void NodeContext::tag(Operation *op) {
  op->setAttr("name", b.getStringAttr(nodeName));
}

std::string NodeContext::str(ArrayRef<int64_t> shape) {
  return "[" +
         llvm::join(llvm::map_range(shape,
                                    [](int64_t d) { return std::to_string(d); }),
                    "x") +
         "]";
}

} // namespace linea::onnx_import
