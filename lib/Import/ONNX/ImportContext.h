//===- ImportContext.h - what op handlers see of the importer ---*- C++ -*-===//
//
// Each ONNX node is imported by one handler, picked from the HandlerTable by
// (op type, since-version): the handler registered with the greatest
// since-version not above the model's opset. A handler reads its inputs and
// attributes through a NodeContext and defines its outputs, either as IR
// values or, when everything it needs is known at import time, as host
// constants (this is how shape computations are folded away).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_IMPORT_ONNX_IMPORTCONTEXT_H
#define LINEA_LIB_IMPORT_ONNX_IMPORTCONTEXT_H

#include "ConstData.h"
#include "linea/Import/ONNX/Importer.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

namespace onnx {
class AttributeProto;
class NodeProto;
class TensorProto;
} // namespace onnx

namespace linea::onnx_import {

/// One ONNX value: its element kind and static shape, and an IR value, a
/// host constant, or both (constants get an IR value on first use).
struct OnnxValue {
  ElemKind kind = ElemKind::F32;
  llvm::SmallVector<int64_t> shape;
  mlir::Value value;
  std::optional<ConstData> constant;
  /// Initializer name (or another hint) for the dense_resource blob.
  std::string constName;
  /// Initializers always become dense_resource blobs.
  bool isInitializer = false;
};

/// Graph-level state shared by all handlers (implemented in Importer.cpp).
class GraphState {
public:
  virtual ~GraphState() = default;
  /// The IR value of `v`, creating its constant on first use.
  virtual mlir::Value materialize(OnnxValue &v, mlir::Location loc) = 0;
  virtual OnnxValue *lookup(llvm::StringRef name) = 0;
  virtual void define(llvm::StringRef name, OnnxValue v) = 0;
  virtual void recordError(ImportErrorKind kind, std::string message) = 0;
  /// Decodes a TensorProto (Constant's `value`), reading external data.
  virtual mlir::FailureOr<ConstData>
  decodeTensor(const onnx::TensorProto &tensor, llvm::StringRef what) = 0;
};

/// A handler's view of one node.
class NodeContext {
public:
  NodeContext(GraphState &graph, const onnx::NodeProto &node, int64_t opset,
              int sinceVersion, mlir::OpBuilder &builder);

  /// Folding makes host constants of at most this many elements (splats of
  /// any size); bigger results are computed in the emitted IR.
  static constexpr int64_t kFoldLimit = 1 << 16;

  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::MLIRContext *context() const { return b.getContext(); }

  llvm::StringRef opType() const;
  int64_t opset() const { return opsetVersion; }
  int since() const { return sinceVersion; }
  /// The node's name, or "<OpType>#<index>" for unnamed nodes.
  const std::string &name() const { return nodeName; }

  // Inputs. An input is absent when past the end or named "".
  unsigned numInputs() const;
  bool hasInput(unsigned i) const;
  OnnxValue &input(unsigned i);
  ElemKind kind(unsigned i) { return input(i).kind; }
  llvm::ArrayRef<int64_t> shape(unsigned i) { return input(i).shape; }
  int64_t rank(unsigned i) { return input(i).shape.size(); }
  mlir::RankedTensorType type(unsigned i);
  /// The IR value of input `i` (constants are materialized).
  mlir::Value value(unsigned i);
  /// The host constant of input `i`, or null when it is only known at run
  /// time (or absent).
  const ConstData *constant(unsigned i);
  /// True when inputs `inputs` (absent ones ignored) are all host constants
  /// and the result of `numElements` elements may be folded.
  bool canFold(llvm::ArrayRef<unsigned> inputs, int64_t numElements);
  /// Input `i` as integers; it must be a constant (static shapes), else an
  /// error naming it as `what`.
  mlir::FailureOr<llvm::SmallVector<int64_t>> requireInts(unsigned i,
                                                          llvm::StringRef what);
  /// Fails unless input `i` has one of `kinds`.
  mlir::LogicalResult requireKind(unsigned i, llvm::ArrayRef<ElemKind> kinds,
                                  llvm::StringRef what);

  // Attributes.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  /// The names of all attributes of the node, in node order.
  llvm::SmallVector<llvm::StringRef> attrNames() const;
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  double attrFloat(llvm::StringRef name, double dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<llvm::SmallVector<int64_t>>
  attrInts(llvm::StringRef name) const;
  mlir::FailureOr<ConstData> attrTensor(llvm::StringRef name);

  // Outputs.
  unsigned numOutputs() const;
  bool hasOutput(unsigned i) const;
  /// Defines output `i` as IR value `v` of element kind `kind`.
  void setOutput(unsigned i, mlir::Value v, ElemKind kind);
  /// Defines output `i` as a host constant.
  void setOutput(unsigned i, ConstData c);
  /// Defines output `i` as another value (Identity).
  void setOutput(unsigned i, const OnnxValue &v);

  // Diagnostics: both return failure() so handlers can `return ctx.error(..)`.
  mlir::LogicalResult error(const llvm::Twine &message);
  mlir::LogicalResult unsupported(const llvm::Twine &message);
  /// `axis` normalized to [0, rank), or an error naming `what`.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                         llvm::StringRef what);
  /// Puts the node name on `op` as its `name` attribute.
  void tag(mlir::Operation *op);
  /// A readable shape, "[2x3]".
  static std::string str(llvm::ArrayRef<int64_t> shape);

private:
  GraphState &graph;
  const onnx::NodeProto &node;
  int64_t opsetVersion;
  int sinceVersion;
  std::string nodeName;
};

using OpHandler = mlir::LogicalResult (*)(NodeContext &);

/// (op type, since-version) → handler. Ops of the default ONNX domain are
/// keyed by their op type, ops of other domains by `qualified(domain, op)`.
class HandlerTable {
public:
  /// The table key of `opType` in `domain`: the op type itself in the
  /// default domain, else "domain.OpType" (ONNX's way to write them).
  static std::string qualified(llvm::StringRef domain, llvm::StringRef opType);
  /// The keys registered under `domain` (not the default one), without the
  /// domain prefix, sorted: "Attention, DeltaRule, ...".
  std::string opsOfDomain(llvm::StringRef domain) const;

  /// Registers `handler` for each ONNX since-version in `sinceVersions`
  /// (the versions at which the op's schema changed and whose semantics
  /// the handler implements).
  /// The first `minInputs` inputs must be present; the importer checks
  /// that before calling the handler, which may then use them freely.
  void add(llvm::StringRef opType, llvm::ArrayRef<int> sinceVersions,
           OpHandler handler, unsigned minInputs = 1);
  /// The handler with the greatest since-version <= `opset` (also returned
  /// in `since`, with its number of required inputs in `minInputs`), or null.
  OpHandler lookup(llvm::StringRef opType, int64_t opset,
                   int *since = nullptr, unsigned *minInputs = nullptr) const;
  /// The since-versions registered for `opType` ("13, 18"), or "".
  std::string versionsOf(llvm::StringRef opType) const;

  /// The table of all families (built once).
  static const HandlerTable &get();

private:
  struct Entry {
    int since;
    OpHandler handler;
    unsigned minInputs;
  };
  llvm::StringMap<llvm::SmallVector<Entry>> entries;
};

/// The newest opset whose changes the table knows about.
constexpr int64_t kNewestKnownOpset = 21;

/// linea's own ONNX domain (docs/onnx-import.md, "Custom domain ai.linea"):
/// nodes that import straight to the sequence-mixing ops. Only this version
/// exists; a model importing another is refused rather than guessed at.
constexpr llvm::StringLiteral kLineaDomain = "ai.linea";
constexpr int64_t kLineaDomainVersion = 1;

void registerElementwiseHandlers(HandlerTable &table);
void registerMatMulHandlers(HandlerTable &table);
void registerShapeHandlers(HandlerTable &table);
void registerReductionHandlers(HandlerTable &table);
void registerQuantHandlers(HandlerTable &table);
void registerLineaDomainHandlers(HandlerTable &table);

} // namespace linea::onnx_import

#endif // LINEA_LIB_IMPORT_ONNX_IMPORTCONTEXT_H
