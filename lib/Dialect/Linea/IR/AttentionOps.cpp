//===- AttentionOps.cpp - verifiers of attention and linear attention -----===//
//
// Both ops relate q, k, v and o through named dims (B, H, Hkv, S, T, D, Dv).
// A small table binds each name to the first static size seen, so that
// every disagreement is reported with both operands and both numbers;
// ranks are checked before any dimension is read.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>

using namespace mlir;

namespace linea {
namespace {

/// One operand or result and the names of its four dims.
struct Operand4D {
  StringRef name;
  Value value;
  std::array<StringRef, 4> dims;
};

/// Named sizes of an attention op, bound from its operands' static dims.
class DimTable {
public:
  explicit DimTable(Operation *op) : op(op) {}

  /// Checks that every operand has rank 4, that the dims named in
  /// `staticDims` are static and positive (they size heads and head vectors;
  /// zero would make the default scale infinite), and that all static sizes
  /// of one name agree.
  LogicalResult bind(ArrayRef<Operand4D> operands,
                     ArrayRef<StringRef> staticDims) {
    for (const Operand4D &o : operands) {
      int64_t rank = cast<RankedTensorType>(o.value.getType()).getRank();
      if (rank != 4)
        return op->emitOpError()
               << o.name << " must have rank 4 ([" << o.dims[0] << ", "
               << o.dims[1] << ", " << o.dims[2] << ", " << o.dims[3]
               << "]), but has rank " << rank;
    }
    for (const Operand4D &o : operands) {
      for (auto [i, dim] : llvm::enumerate(o.dims)) {
        int64_t size = dimOf(o.value, i);
        if (ShapedType::isDynamic(size)) {
          if (llvm::is_contained(staticDims, dim))
            return op->emitOpError() << o.name << " dimension " << i << " ("
                                     << dim << ") must be static";
          continue;
        }
        if (size == 0 && llvm::is_contained(staticDims, dim))
          return op->emitOpError() << o.name << " dimension " << i << " ("
                                   << dim << ") must be positive, but is 0";
        auto [it, inserted] = sizes.try_emplace(dim, Binding{size, o.name, i});
        const Binding &first = it->second;
        if (!inserted && first.size != size)
          return op->emitOpError()
                 << o.name << " dimension " << i << " (" << dim << ") is "
                 << size << ", but " << first.operand << " dimension "
                 << first.index << " (" << dim << ") is " << first.size;
      }
    }
    return success();
  }

  /// The static size bound to `dim`, or ShapedType::kDynamic.
  int64_t get(StringRef dim) const {
    auto it = sizes.find(dim);
    return it == sizes.end() ? ShapedType::kDynamic : it->second.size;
  }

private:
  struct Binding {
    int64_t size;
    StringRef operand;
    size_t index;
  };
  Operation *op;
  llvm::StringMap<Binding> sizes;
};

/// Element type of a ranked tensor value.
Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

/// k, v and the result share q's element type: one kernel type per op.
LogicalResult verifyQKVElementTypes(Operation *op, Value q, Value k, Value v,
                                    Value o) {
  Type type = elementTypeOf(q);
  for (auto [name, value] :
       {std::pair<StringRef, Value>{"k", k}, {"v", v}, {"result", o}})
    if (elementTypeOf(value) != type)
      return op->emitOpError()
             << name << " element type " << elementTypeOf(value)
             << " differs from q element type " << type;
  return success();
}

/// A zero, negative or non-finite factor is a mistake, never a model.
LogicalResult verifyPositive(Operation *op, StringRef name, FloatAttr attr) {
  if (!attr)
    return success();
  double value = attr.getValueAsDouble();
  if (std::isfinite(value) && value > 0)
    return success();
  return op->emitOpError() << name << " must be finite and positive, but is "
                           << value;
}

/// The additive mask broadcasts to [B, H, S, T]: each of its dims is 1 or
/// that size. A dynamic mask dim is never a broadcast; it must equal the
/// full size at run time.
LogicalResult verifyMask(Operation *op, Value mask, const DimTable &table) {
  auto type = cast<RankedTensorType>(mask.getType());
  if (type.getRank() != 4)
    return op->emitOpError() << "mask must have rank 4 (broadcastable to [B, "
                                "H, S, T]), but has rank "
                             << type.getRank();
  static constexpr StringRef names[] = {"B", "H", "S", "T"};
  for (auto [i, name] : llvm::enumerate(names)) {
    int64_t size = type.getDimSize(i), full = table.get(name);
    if (size == 1 || ShapedType::isDynamic(size) ||
        ShapedType::isDynamic(full) || size == full)
      continue;
    return op->emitOpError() << "mask dimension " << i << " is " << size
                             << ", but must be 1 or " << name << " = " << full;
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  DimTable table(*this);
  if (failed(table.bind({{"q", getQ(), {"B", "H", "S", "D"}},
                         {"k", getK(), {"B", "Hkv", "T", "D"}},
                         {"v", getV(), {"B", "Hkv", "T", "Dv"}},
                         {"result", getO(), {"B", "H", "S", "Dv"}}},
                        {"H", "Hkv", "D", "Dv"})))
    return failure();
  int64_t heads = table.get("H"), kvHeads = table.get("Hkv");
  if (heads % kvHeads != 0)
    return emitOpError() << "k and v have " << kvHeads
                         << " heads, which do not divide the " << heads
                         << " heads of q";
  if (getMask() && failed(verifyMask(*this, getMask(), table)))
    return failure();
  if (failed(verifyQKVElementTypes(*this, getQ(), getK(), getV(), getO())))
    return failure();
  return verifyPositive(*this, "scale", getScaleAttr());
}

float AttentionOp::getEffectiveScale() {
  if (FloatAttr scale = getScaleAttr())
    return static_cast<float>(scale.getValueAsDouble());
  return 1.0f / std::sqrt(static_cast<float>(dimOf(getQ(), 3)));
}

int64_t AttentionOp::getGroupSize() {
  return dimOf(getQ(), 1) / dimOf(getK(), 1);
}

//===----------------------------------------------------------------------===//
// LinearAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult LinearAttentionOp::verify() {
  DimTable table(*this);
  if (failed(table.bind({{"q", getQ(), {"B", "H", "S", "D"}},
                         {"k", getK(), {"B", "H", "T", "D"}},
                         {"v", getV(), {"B", "H", "T", "Dv"}},
                         {"result", getO(), {"B", "H", "S", "Dv"}}},
                        {"D", "Dv"})))
    return failure();
  // Causal sums run over j ≤ i, which needs a key for every query.
  int64_t queries = table.get("S"), keys = table.get("T");
  if (getCausal() && !ShapedType::isDynamic(queries) &&
      !ShapedType::isDynamic(keys) && queries != keys)
    return emitOpError() << "causal linear attention needs as many queries "
                            "as keys, but q has S = "
                         << queries << " and k has T = " << keys;
  if (failed(verifyQKVElementTypes(*this, getQ(), getK(), getV(), getO())))
    return failure();
  return verifyPositive(*this, "epsilon", getEpsilonAttr());
}

} // namespace linea
