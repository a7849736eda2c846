//===- Importer.cpp - ONNX ModelProto → func.func on tensors --------------===//
//
// The import runs in three steps:
//  1. parse the protobuf and check the graph's structure (opsets, that every
//     node input is defined before use);
//  2. scan every node against the handler table and report all unsupported
//     (op, opset, node) triples at once, before building anything;
//  3. walk the nodes in order, letting each handler emit IR or fold its
//     result into a host constant; then return the graph outputs.
//
//===----------------------------------------------------------------------===//

#include "linea/Import/ONNX/Importer.h"
#include "EmitUtils.h"
#include "ImportContext.h"
#include "Tensors.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <climits>
#include <onnx/onnx_pb.h>

using namespace mlir;

namespace linea::onnx_import {

char ImportError::ID = 0;

static llvm::Error makeError(ImportErrorKind kind, const llvm::Twine &message) {
  return llvm::make_error<ImportError>(kind, message.str());
}

void loadImportDialects(MLIRContext &context) {
  context.loadDialect<arith::ArithDialect, func::FuncDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      tensor::TensorDialect, linea::LineaDialect>();
}

namespace {

/// The declared type of a value (graph input/output or value_info).
struct DeclaredType {
  int elemType = 0;
  /// nullopt: unknown rank; -1 entries: symbolic or unknown dims.
  std::optional<SmallVector<int64_t>> shape;
};

static DeclaredType declaredType(const onnx::ValueInfoProto &info,
                                 const llvm::StringMap<int64_t> &dims) {
  DeclaredType d;
  if (!info.has_type() || !info.type().has_tensor_type())
    return d;
  const auto &t = info.type().tensor_type();
  d.elemType = t.elem_type();
  if (!t.has_shape())
    return d;
  SmallVector<int64_t> shape;
  for (const auto &dim : t.shape().dim()) {
    if (dim.has_dim_value())
      shape.push_back(dim.dim_value());
    else if (dim.has_dim_param() && dims.count(dim.dim_param()))
      shape.push_back(dims.lookup(dim.dim_param()));
    else
      shape.push_back(-1);
  }
  d.shape = std::move(shape);
  return d;
}

class GraphImporter : public GraphState {
public:
  GraphImporter(onnx::ModelProto &model, StringRef baseDir,
                MLIRContext &context, const ImportOptions &options)
      : model(model), graph(*model.mutable_graph()), baseDir(baseDir.str()),
        context(context), options(options), builder(&context) {}

  llvm::Expected<OwningOpRef<ModuleOp>> run();

  // GraphState.
  Value materialize(OnnxValue &v, Location loc) override {
    if (!v.value)
      v.value = materializeConstant(builder, loc, *v.constant, v.constName,
                                    v.isInitializer);
    return v.value;
  }
  OnnxValue *lookup(StringRef name) override {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
  void define(StringRef name, OnnxValue v) override;
  void recordError(ImportErrorKind kind, std::string message) override {
    if (!firstError)
      firstError = {kind, std::move(message)};
  }
  FailureOr<ConstData> decodeTensor(const onnx::TensorProto &tensor,
                                    StringRef what) override {
    onnx::TensorProto copy = tensor;
    auto c = onnx_import::decodeTensor(copy, what, baseDir, /*steal=*/true);
    if (!c) {
      llvm::handleAllErrors(c.takeError(), [&](const ImportError &e) {
        recordError(e.getKind(), e.getMessage());
      });
      return failure();
    }
    return std::move(*c);
  }

private:
  llvm::Error checkOpsets();
  llvm::Error scanNodes();
  llvm::Error defineInitializers();
  llvm::Error defineInputs(SmallVectorImpl<Type> &argTypes,
                           SmallVectorImpl<std::string> &argNames,
                           SmallVectorImpl<ElemKind> &argKinds);
  llvm::Error importNodes();
  llvm::Error takeFirstError() {
    if (!firstError)
      return makeError(ImportErrorKind::Invalid, "import failed");
    auto [kind, message] = *firstError;
    return makeError(kind, message);
  }

  onnx::ModelProto &model;
  onnx::GraphProto &graph;
  std::string baseDir;
  MLIRContext &context;
  const ImportOptions &options;
  OpBuilder builder;
  /// Opset per domain ("" for the default ONNX domain).
  llvm::StringMap<int64_t> opsets;
  llvm::StringMap<OnnxValue> values;
  llvm::StringMap<DeclaredType> declared;
  std::optional<std::pair<ImportErrorKind, std::string>> firstError;
  /// Set while a node is imported, to name it in shape mismatch errors.
  const onnx::NodeProto *currentNode = nullptr;
};

} // namespace

static std::string shapeStr(ArrayRef<int64_t> shape) {
  return NodeContext::str(shape);
}

void GraphImporter::define(StringRef name, OnnxValue v) {
  auto it = declared.find(name);
  if (it != declared.end() && it->second.shape && !firstError) {
    const SmallVector<int64_t> &want = *it->second.shape;
    bool ok = want.size() == v.shape.size();
    for (size_t i = 0; ok && i < want.size(); ++i)
      ok = want[i] < 0 || want[i] == v.shape[i];
    if (!ok) {
      std::string who = currentNode ? "node '" + currentNode->name() + "' (" +
                                          currentNode->op_type() + ")"
                                    : std::string("the graph");
      recordError(ImportErrorKind::Invalid,
                  who + " computes '" + name.str() + "' with shape " +
                      shapeStr(v.shape) + ", but the model declares " +
                      shapeStr(want));
    }
  }
  values[name] = std::move(v);
}

static bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

llvm::Error GraphImporter::checkOpsets() {
  for (const auto &o : model.opset_import())
    opsets[isDefaultDomain(o.domain()) ? "" : o.domain()] = o.version();
  // Nodes of other domains are reported by scanNodes() as unsupported.
  bool usesDefault = llvm::any_of(graph.node(), [](const onnx::NodeProto &n) {
    return isDefaultDomain(n.domain());
  });
  if (usesDefault && !opsets.count(""))
    return makeError(ImportErrorKind::Invalid,
                     "the model imports no opset of the default ONNX domain");
  return llvm::Error::success();
}

llvm::Error GraphImporter::scanNodes() {
  const HandlerTable &table = HandlerTable::get();
  auto linea = opsets.find(kLineaDomain);
  if (linea != opsets.end() && linea->second != kLineaDomainVersion)
    return makeError(ImportErrorKind::Unsupported,
                     "the model imports domain " + kLineaDomain + " version " +
                         std::to_string(linea->second) +
                         ", but the importer implements only " + kLineaDomain +
                         " version " + std::to_string(kLineaDomainVersion));
  std::vector<std::string> missing;
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    std::string name =
        node.name().empty() ? "#" + std::to_string(i) : "'" + node.name() + "'";
    StringRef domain = node.domain();
    if (domain == kLineaDomain) {
      std::string op = HandlerTable::qualified(domain, node.op_type());
      if (linea == opsets.end())
        missing.push_back("  node " + name + ": " + op + " (domain " +
                          kLineaDomain.str() + ", not imported by the model)");
      else if (!table.lookup(op, linea->second))
        missing.push_back("  node " + name + ": " + op + " (not an op of " +
                          kLineaDomain.str() + " version " +
                          std::to_string(linea->second) +
                          ", which has: " + table.opsOfDomain(domain) + ")");
      continue;
    }
    if (!isDefaultDomain(domain)) {
      auto it = opsets.find(domain);
      missing.push_back("  node " + name + ": " + domain.str() + "." +
                        node.op_type() + " (domain " + domain.str() +
                        (it == opsets.end()
                             ? ", not imported by the model"
                             : ", opset " + std::to_string(it->second)) +
                        ")");
      continue;
    }
    if (!opsets.count(""))
      continue; // checkOpsets() reports the missing opset
    int64_t opset = opsets.lookup("");
    // Other domains' ops are keyed "domain.Op"; no default-domain op has a
    // dot, so a default-domain "ai.linea.X" cannot reach their handlers.
    if (!StringRef(node.op_type()).contains('.') &&
        table.lookup(node.op_type(), opset))
      continue;
    std::string known = StringRef(node.op_type()).contains('.')
                            ? std::string()
                            : table.versionsOf(node.op_type());
    missing.push_back("  node " + name + ": " + node.op_type() + " (opset " +
                      std::to_string(opset) + ")" +
                      (known.empty() ? ""
                                     : "; handled since-versions: " + known));
  }
  if (missing.empty())
    return llvm::Error::success();
  return makeError(ImportErrorKind::Unsupported,
                   std::to_string(missing.size()) + " node" +
                       (missing.size() == 1 ? " uses an op" : "s use ops") +
                       " the importer does not support:\n" +
                       llvm::join(missing, "\n"));
}

llvm::Error GraphImporter::defineInitializers() {
  for (onnx::TensorProto &t : *graph.mutable_initializer()) {
    if (t.name().empty())
      return makeError(ImportErrorKind::Invalid, "an initializer has no name");
    auto c = onnx_import::decodeTensor(t, "initializer '" + t.name() + "'",
                                       baseDir, /*steal=*/true);
    if (!c)
      return c.takeError();
    OnnxValue v;
    v.kind = c->kind();
    v.shape.assign(c->shape().begin(), c->shape().end());
    v.constant = std::move(*c);
    v.constName = t.name();
    v.isInitializer = true;
    values[t.name()] = std::move(v);
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::defineInputs(SmallVectorImpl<Type> &argTypes,
                                        SmallVectorImpl<std::string> &argNames,
                                        SmallVectorImpl<ElemKind> &argKinds) {
  for (const auto &input : graph.input()) {
    if (values.count(input.name()))
      continue; // an initializer listed as input (IR version < 4)
    DeclaredType d = declaredType(input, options.dimValues);
    std::optional<ElemKind> kind = elemKindFromOnnx(d.elemType);
    if (!input.type().has_tensor_type())
      return makeError(ImportErrorKind::Unsupported,
                       "graph input '" + input.name() + "' is not a tensor");
    if (!kind)
      return makeError(ImportErrorKind::Unsupported,
                       "graph input '" + input.name() + "' has element type " +
                           onnxTypeName(d.elemType) +
                           ", which the importer does not support");
    if (!d.shape)
      return makeError(ImportErrorKind::Unsupported,
                       "graph input '" + input.name() +
                           "' has no shape; the importer needs static shapes");
    const auto &dims = input.type().tensor_type().shape().dim();
    for (auto [i, size] : llvm::enumerate(*d.shape)) {
      if (size >= 0)
        continue;
      const auto &dim = dims[i];
      return makeError(
          ImportErrorKind::Unsupported,
          "graph input '" + input.name() + "' has a symbolic dimension " +
              (dim.has_dim_param() ? "'" + dim.dim_param() + "'"
                                   : "#" + std::to_string(i)) +
              "; give its size with --dim " +
              (dim.has_dim_param() ? dim.dim_param() : "NAME") + "=VALUE");
    }
    if (!numElementsOf(*d.shape))
      return makeError(ImportErrorKind::Invalid,
                       "graph input '" + input.name() + "' has shape " +
                           shapeStr(*d.shape) + ", which is too large");
    // bool crosses the function boundary as i8 (0/1): numpy and linea-run
    // exchange bytes, and i1 memrefs have no portable byte layout.
    ElemKind boundary = *kind == ElemKind::Bool ? ElemKind::U8 : *kind;
    argTypes.push_back(RankedTensorType::get(
        *d.shape, mlirElemType(boundary, &context)));
    argNames.push_back(input.name());
    argKinds.push_back(*kind);
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::importNodes() {
  const HandlerTable &table = HandlerTable::get();
  for (const onnx::NodeProto &node : graph.node()) {
    // scanNodes() admitted only the default domain and ai.linea.
    bool isDefault = isDefaultDomain(node.domain());
    int64_t opset = opsets.lookup(isDefault ? "" : node.domain());
    std::string nodeDesc =
        "node '" + node.name() + "' (" + node.op_type() + ")";
    for (const std::string &in : node.input())
      if (!in.empty() && !values.count(in))
        return makeError(ImportErrorKind::Invalid,
                         nodeDesc + " uses '" + in +
                             "', which no graph input, initializer or earlier "
                             "node defines (the model is corrupt or not "
                             "topologically sorted)");
    for (const auto &a : node.attribute())
      if (a.has_g() || a.graphs_size())
        return makeError(ImportErrorKind::Unsupported,
                         nodeDesc + " has a subgraph attribute '" + a.name() +
                             "'");
    int since = 0;
    unsigned minInputs = 0;
    OpHandler handler =
        table.lookup(HandlerTable::qualified(node.domain(), node.op_type()),
                     opset, &since, &minInputs);
    for (unsigned i = 0; i < minInputs; ++i)
      if (int(i) >= node.input_size() || node.input(i).empty())
        return makeError(ImportErrorKind::Invalid,
                         nodeDesc + " lacks input " + std::to_string(i) +
                             " (it needs at least " +
                             std::to_string(minInputs) + ")");
    NodeContext ctx(*this, node, opset, since, builder);
    currentNode = &node;
    if (failed(handler(ctx)))
      return takeFirstError();
    if (firstError)
      return takeFirstError();
    for (auto [i, out] : llvm::enumerate(node.output()))
      if (!out.empty() && !values.count(out))
        return makeError(ImportErrorKind::Unsupported,
                         nodeDesc + ": output " + std::to_string(i) + " ('" +
                             out + "') is not produced by the importer");
  }
  currentNode = nullptr;
  return llvm::Error::success();
}

llvm::Expected<OwningOpRef<ModuleOp>> GraphImporter::run() {
  loadImportDialects(context);
  for (const auto &o : model.opset_import())
    opsets[isDefaultDomain(o.domain()) ? "" : o.domain()] = o.version();
  if (auto e = scanNodes())
    return std::move(e);
  if (auto e = checkOpsets())
    return std::move(e);
  for (const auto &info : graph.value_info())
    declared[info.name()] = declaredType(info, options.dimValues);
  for (const auto &info : graph.output())
    declared[info.name()] = declaredType(info, options.dimValues);
  if (auto e = defineInitializers())
    return std::move(e);

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<ElemKind> argKinds;
  if (auto e = defineInputs(argTypes, argNames, argKinds))
    return std::move(e);

  Location loc = NameLoc::get(builder.getStringAttr(
      graph.name().empty() ? options.functionName : graph.name()));
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, loc, options.functionName,
                                   builder.getFunctionType(argTypes, {}));
  if (!graph.name().empty())
    func->setAttr("onnx.graph_name", builder.getStringAttr(graph.name()));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(name));
    Value arg = body->getArgument(i);
    if (argKinds[i] == ElemKind::Bool) {
      func.setArgAttr(i, "onnx.type", builder.getStringAttr("bool"));
      arg = convertTensor(builder, loc, arg, ElemKind::U8, ElemKind::Bool);
    }
    OnnxValue v;
    v.kind = argKinds[i];
    auto t = cast<RankedTensorType>(arg.getType());
    v.shape.assign(t.getShape().begin(), t.getShape().end());
    v.value = arg;
    define(name, std::move(v));
  }
  if (firstError)
    return takeFirstError();

  if (auto e = importNodes())
    return std::move(e);

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &output : graph.output()) {
    OnnxValue *v = lookup(output.name());
    if (!v)
      return makeError(ImportErrorKind::Invalid,
                       "graph output '" + output.name() +
                           "' is not produced by any node (the model is "
                           "corrupt or truncated)");
    DeclaredType d = declaredType(output, options.dimValues);
    if (d.elemType && elemKindFromOnnx(d.elemType) != v->kind)
      return makeError(ImportErrorKind::Invalid,
                       "graph output '" + output.name() + "' is declared " +
                           onnxTypeName(d.elemType) + " but computes " +
                           elemName(v->kind));
    Value result = materialize(*v, loc);
    if (v->kind == ElemKind::Bool)
      result = convertTensor(builder, loc, result, ElemKind::Bool,
                             ElemKind::U8);
    results.push_back(result);
    resultTypes.push_back(result.getType());
  }
  func::ReturnOp::create(builder, loc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, output] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(output.name()));
    if (values.lookup(output.name()).kind == ElemKind::Bool)
      func.setResultAttr(i, "onnx.type", builder.getStringAttr("bool"));
  }

  // Handlers build valid IR by construction; a verifier failure is a bug in
  // the importer, reported with the diagnostics it produced.
  std::string diagnostics;
  {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      diagnostics += diag.str() + "\n";
      return success();
    });
    if (failed(verify(*module)))
      return makeError(ImportErrorKind::Invalid,
                       "internal error: the imported IR does not verify:\n" +
                           diagnostics);
  }
  return module;
}

static llvm::Expected<OwningOpRef<ModuleOp>>
importParsed(StringRef bytes, StringRef what, StringRef baseDir,
             MLIRContext &context, const ImportOptions &options) {
  if (bytes.size() > size_t(INT_MAX))
    return makeError(ImportErrorKind::Invalid,
                     what + " is " + llvm::Twine(bytes.size()) +
                         " bytes; protobuf cannot parse a model over 2 GB — "
                         "store its weights as external data");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), int(bytes.size())))
    return makeError(ImportErrorKind::Invalid,
                     "cannot parse " + what +
                         " as an ONNX model (truncated or corrupt protobuf)");
  if (!model.has_graph())
    return makeError(ImportErrorKind::Invalid,
                     what + " has no graph (not an ONNX model, or truncated)");
  GraphImporter importer(model, baseDir, context, options);
  return importer.run();
}

llvm::Expected<OwningOpRef<ModuleOp>>
importOnnxBuffer(StringRef bytes, StringRef baseDir, MLIRContext &context,
                 const ImportOptions &options) {
  return importParsed(bytes, "the buffer", baseDir, context, options);
}

llvm::Expected<OwningOpRef<ModuleOp>>
importOnnxFile(StringRef path, MLIRContext &context,
               const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(ImportErrorKind::Invalid,
                     "cannot read '" + path + "': " +
                         buffer.getError().message());
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  return importParsed((*buffer)->getBuffer(), "'" + path.str() + "'", dir,
                      context, options);
}

} // namespace linea::onnx_import
