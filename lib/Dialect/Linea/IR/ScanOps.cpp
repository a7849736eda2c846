//===- ScanOps.cpp - verifiers of the linear-recurrence ops ---------------===//
//
// linear_scan, selective_scan, gated_linear_attention and delta_rule relate
// their operands through named dimensions (B, T, D, N, ...). Each verifier
// lists every operand and result with its layout; one checker then verifies
// ranks, static feature dims and agreement of each named dim.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

using namespace mlir;

namespace linea {
namespace {

/// Checks operands and results against symbolic layouts such as
/// {"B", "T", "D"}. Ranks are checked for all of them before any dimension is
/// read. A symbol marked static must be static wherever it appears; all
/// static sizes of one symbol must equal the first one seen, which the
/// diagnostic names. Dynamic sizes of other symbols (batch, heads, time) are
/// accepted.
class LayoutChecker {
public:
  LayoutChecker(Operation *op, ArrayRef<StringRef> staticSymbols)
      : op(op), staticSymbols(staticSymbols.begin(), staticSymbols.end()) {}

  /// Adds `value` (skipped when null, for absent optional operands).
  void add(StringRef name, Value value, ArrayRef<StringRef> dims) {
    if (value)
      entries.push_back(Entry{name, value, {dims.begin(), dims.end()}});
  }

  /// Reports the first violation as an op error naming operand and sizes.
  LogicalResult verify() {
    for (const Entry &e : entries) {
      int64_t rank = cast<RankedTensorType>(e.value.getType()).getRank();
      if (rank != static_cast<int64_t>(e.dims.size()))
        return op->emitOpError()
               << e.name << " must have rank " << e.dims.size() << " (["
               << llvm::join(e.dims, ", ") << "]), but has rank " << rank;
    }
    llvm::StringMap<Binding> bound;
    for (const Entry &e : entries) {
      for (auto [i, symbol] : llvm::enumerate(e.dims)) {
        int64_t size = dimOf(e.value, i);
        if (ShapedType::isDynamic(size)) {
          if (llvm::is_contained(staticSymbols, symbol))
            return op->emitOpError() << e.name << " dimension " << i << " ("
                                     << symbol << ") must be static";
          continue;
        }
        auto [it, inserted] =
            bound.try_emplace(symbol, Binding{size, e.name, i});
        const Binding &first = it->second;
        if (!inserted && first.size != size)
          return op->emitOpError()
                 << e.name << " dimension " << i << " (" << symbol << ") is "
                 << size << ", but " << first.name << " dimension " << first.dim
                 << " (" << symbol << ") is " << first.size;
      }
    }
    return success();
  }

private:
  /// One operand or result with one symbol per dimension.
  struct Entry {
    StringRef name;
    Value value;
    SmallVector<StringRef, 4> dims;
  };
  /// The first static size seen for a symbol, and where it was seen.
  struct Binding {
    int64_t size;
    StringRef name;
    size_t dim;
  };
  Operation *op;
  SmallVector<StringRef, 2> staticSymbols;
  SmallVector<Entry> entries;
};

/// Element type of a ranked tensor value.
Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

/// Requires `value` (named `name`) to have the element type of `ref`;
/// absent optional operands pass.
LogicalResult verifySameElementType(Operation *op, StringRef name, Value value,
                                    StringRef refName, Value ref) {
  if (!value || elementTypeOf(value) == elementTypeOf(ref))
    return success();
  return op->emitOpError() << name << " element type " << elementTypeOf(value)
                           << " differs from " << refName << " element type "
                           << elementTypeOf(ref);
}

/// States are carried in f32 so that pieces of a sequence chain exactly.
LogicalResult verifyF32State(Operation *op, StringRef name, Value value) {
  if (!value || elementTypeOf(value).isF32())
    return success();
  return op->emitOpError() << name << " must have element type f32, but has "
                           << elementTypeOf(value);
}

/// A negative, zero or non-finite output scale is a mistake, never a model.
LogicalResult verifyScale(Operation *op, FloatAttr scale) {
  if (!scale)
    return success();
  double value = scale.getValueAsDouble();
  if (std::isfinite(value) && value > 0)
    return success();
  return op->emitOpError() << "scale must be finite and positive, but is "
                           << value;
}

/// Shapes shared by gated_linear_attention and delta_rule: q, k [B, H, T, Dk],
/// v [B, H, T, Dv], initial and final state [B, H, Dk, Dv] (f32),
/// o [B, H, T, Dv] with q's element type. `gate` has layout `gateDims`.
LogicalResult verifyLinearAttentionScan(Operation *op, Value q, Value k,
                                        Value v, StringRef gateName, Value gate,
                                        ArrayRef<StringRef> gateDims,
                                        Value initialState, Value o,
                                        Value finalState, FloatAttr scale) {
  LayoutChecker layout(op, {"Dk", "Dv"});
  layout.add("q", q, {"B", "H", "T", "Dk"});
  layout.add("k", k, {"B", "H", "T", "Dk"});
  layout.add("v", v, {"B", "H", "T", "Dv"});
  layout.add(gateName, gate, gateDims);
  layout.add("initial_state", initialState, {"B", "H", "Dk", "Dv"});
  layout.add("result o", o, {"B", "H", "T", "Dv"});
  layout.add("result final_state", finalState, {"B", "H", "Dk", "Dv"});
  if (failed(layout.verify()) ||
      failed(verifySameElementType(op, "k", k, "q", q)) ||
      failed(verifySameElementType(op, "v", v, "q", q)) ||
      failed(verifySameElementType(op, "result o", o, "q", q)) ||
      failed(verifyF32State(op, "initial_state", initialState)) ||
      failed(verifyF32State(op, "result final_state", finalState)))
    return failure();
  return verifyScale(op, scale);
}

/// 1/sqrt(Dk) unless `scale` is given.
float effectiveScale(FloatAttr scale, Value q) {
  if (scale)
    return static_cast<float>(scale.getValueAsDouble());
  return 1.0f / std::sqrt(static_cast<float>(dimOf(q, 3)));
}

} // namespace

LogicalResult LinearScanOp::verify() {
  LayoutChecker layout(*this, {"D"});
  layout.add("a", getA(), {"B", "T", "D"});
  layout.add("b", getB(), {"B", "T", "D"});
  layout.add("initial_state", getInitialState(), {"B", "D"});
  layout.add("result h", getH(), {"B", "T", "D"});
  if (failed(layout.verify()) ||
      failed(verifySameElementType(*this, "b", getB(), "a", getA())) ||
      failed(verifySameElementType(*this, "result h", getH(), "a", getA())))
    return failure();
  return verifyF32State(*this, "initial_state", getInitialState());
}

LogicalResult SelectiveScanOp::verify() {
  LayoutChecker layout(*this, {"D", "N"});
  layout.add("u", getU(), {"Bt", "T", "D"});
  layout.add("delta", getDelta(), {"Bt", "T", "D"});
  layout.add("A", getA(), {"D", "N"});
  layout.add("B", getB(), {"Bt", "T", "N"});
  layout.add("C", getC(), {"Bt", "T", "N"});
  layout.add("D_skip", getDSkip(), {"D"});
  layout.add("z", getZ(), {"Bt", "T", "D"});
  layout.add("delta_bias", getDeltaBias(), {"D"});
  layout.add("initial_state", getInitialState(), {"Bt", "D", "N"});
  layout.add("result y", getY(), {"Bt", "T", "D"});
  layout.add("result final_state", getFinalState(), {"Bt", "D", "N"});
  if (failed(layout.verify()))
    return failure();
  // A, D_skip and delta_bias are parameters and may keep their own type.
  Value u = getU();
  if (failed(verifySameElementType(*this, "delta", getDelta(), "u", u)) ||
      failed(verifySameElementType(*this, "B", getB(), "u", u)) ||
      failed(verifySameElementType(*this, "C", getC(), "u", u)) ||
      failed(verifySameElementType(*this, "z", getZ(), "u", u)) ||
      failed(verifySameElementType(*this, "result y", getY(), "u", u)) ||
      failed(verifyF32State(*this, "initial_state", getInitialState())))
    return failure();
  return verifyF32State(*this, "result final_state", getFinalState());
}

LogicalResult GatedLinearAttentionOp::verify() {
  return verifyLinearAttentionScan(*this, getQ(), getK(), getV(), "g", getG(),
                                   {"B", "H", "T", "Dk"}, getInitialState(),
                                   getO(), getFinalState(), getScaleAttr());
}

float GatedLinearAttentionOp::getEffectiveScale() {
  return effectiveScale(getScaleAttr(), getQ());
}

LogicalResult DeltaRuleOp::verify() {
  return verifyLinearAttentionScan(
      *this, getQ(), getK(), getV(), "beta", getBeta(), {"B", "H", "T"},
      getInitialState(), getO(), getFinalState(), getScaleAttr());
}

float DeltaRuleOp::getEffectiveScale() {
  return effectiveScale(getScaleAttr(), getQ());
}

} // namespace linea
