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
// AttnQuantAttr
//===----------------------------------------------------------------------===//

LogicalResult AttnQuantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    int64_t qBlock, int64_t kBlock,
                                    AttnValues) {
  if (qBlock < 1 || kBlock < 1)
    return emitError() << "attn_quant q_block (" << qBlock << ") and k_block ("
                       << kBlock << ") must be positive";
  return success();
}

//===----------------------------------------------------------------------===//
// LatentAttentionOp
//===----------------------------------------------------------------------===//

namespace {

/// Checks one latent cache and its up-projection against the named dims:
/// `latent` [B, T, G·r], `up` [G, (Hkv/G)·X, r] with X = D (keys) or the
/// Dv it defines (values, returned in `featureDim`).
LogicalResult verifyLatentPair(Operation *op, StringRef which, Value latent,
                               Value up, int64_t kvHeads, int64_t &featureDim,
                               DimTable &table) {
  std::string latentName = (which + "_latent").str();
  std::string upName = (which + "_up").str();
  auto latentType = cast<RankedTensorType>(latent.getType());
  auto upType = cast<RankedTensorType>(up.getType());
  if (latentType.getRank() != 3)
    return op->emitOpError() << latentName << " must have rank 3 ([B, T, "
                             << "G·r]), but has rank " << latentType.getRank();
  if (upType.getRank() != 3)
    return op->emitOpError() << upName << " must have rank 3 ([G, (Hkv/G)·"
                             << (which == "k" ? "D" : "Dv")
                             << ", r]), but has rank " << upType.getRank();
  if (!upType.hasStaticShape())
    return op->emitOpError() << upName << " must have a static shape";
  int64_t groups = upType.getDimSize(0), rows = upType.getDimSize(1),
          rank = upType.getDimSize(2);
  if (groups < 1 || rank < 1 || rows < 1)
    return op->emitOpError() << upName << " must not be empty";
  if (kvHeads % groups != 0)
    return op->emitOpError()
           << upName << " has " << groups << " groups, which do not divide the "
           << kvHeads << " kv heads";
  int64_t perGroup = kvHeads / groups;
  if (featureDim > 0) {
    if (rows != perGroup * featureDim)
      return op->emitOpError()
             << upName << " dimension 1 is " << rows << ", but must be "
             << perGroup << " kv heads per group · D = " << featureDim
             << " = " << perGroup * featureDim;
  } else {
    if (rows % perGroup != 0)
      return op->emitOpError()
             << upName << " dimension 1 is " << rows
             << ", not a multiple of the " << perGroup
             << " kv heads per group";
    featureDim = rows / perGroup;
  }
  int64_t width = latentType.getDimSize(2);
  if (!ShapedType::isDynamic(width) && width != groups * rank)
    return op->emitOpError()
           << latentName << " dimension 2 is " << width << ", but must be "
           << groups << " groups · rank " << rank << " = " << groups * rank;
  static constexpr StringRef dims[] = {"B", "T"};
  for (int64_t i = 0; i < 2; ++i) {
    int64_t size = latentType.getDimSize(i), bound = table.get(dims[i]);
    if (!ShapedType::isDynamic(size) && !ShapedType::isDynamic(bound) &&
        size != bound)
      return op->emitOpError()
             << latentName << " dimension " << i << " (" << dims[i] << ") is "
             << size << ", but " << dims[i] << " is " << bound;
  }
  return success();
}

} // namespace

LogicalResult LatentAttentionOp::verify() {
  auto qType = cast<RankedTensorType>(getQ().getType());
  if (qType.getRank() != 4)
    return emitOpError() << "q must have rank 4 ([B, H, S, D]), but has rank "
                         << qType.getRank();
  int64_t heads = qType.getDimSize(1), d = qType.getDimSize(3);
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(d) || heads < 1 ||
      d < 1)
    return emitOpError() << "q dimensions 1 (H) and 3 (D) must be static and "
                            "positive";
  int64_t kvHeads = getKvHeads();
  if (kvHeads < 1 || heads % kvHeads != 0)
    return emitOpError() << "kv_heads = " << kvHeads
                         << " must be positive and divide the " << heads
                         << " heads of q";
  // B and T: bound from q and the K latent, checked on the others.
  DimTable table(*this);
  auto kLatentType = cast<RankedTensorType>(getKLatent().getType());
  if (kLatentType.getRank() == 3 &&
      failed(table.bind({{"q", getQ(), {"B", "H", "S", "D"}},
                         {"result", getO(), {"B", "H", "S", "Dv"}}},
                        {})))
    return failure();
  int64_t keyDim = d, valueDim = 0;
  if (failed(verifyLatentPair(*this, "k", getKLatent(), getKUp(), kvHeads,
                              keyDim, table)) ||
      failed(verifyLatentPair(*this, "v", getVLatent(), getVUp(), kvHeads,
                              valueDim, table)))
    return failure();
  int64_t kTokens = kLatentType.getDimSize(1);
  int64_t vTokens = cast<RankedTensorType>(getVLatent().getType()).getDimSize(1);
  if (!ShapedType::isDynamic(kTokens) && !ShapedType::isDynamic(vTokens) &&
      kTokens != vTokens)
    return emitOpError() << "k_latent has T = " << kTokens
                         << " tokens, but v_latent has " << vTokens;
  int64_t kBatch = kLatentType.getDimSize(0), vBatch = cast<RankedTensorType>(
                                                          getVLatent().getType())
                                                          .getDimSize(0);
  if (!ShapedType::isDynamic(kBatch) && !ShapedType::isDynamic(vBatch) &&
      kBatch != vBatch)
    return emitOpError() << "k_latent has B = " << kBatch
                         << ", but v_latent has " << vBatch;
  int64_t outDim = dimOf(getO(), 3);
  if (!ShapedType::isDynamic(outDim) && outDim != valueDim)
    return emitOpError() << "result dimension 3 (Dv) is " << outDim
                         << ", but v_up gives Dv = " << valueDim;
  if (!getRope().empty()) {
    if (getRope().size() != 2)
      return emitOpError() << "rope takes two operands (cos, sin), got "
                           << getRope().size();
    if (d % 2 != 0)
      return emitOpError() << "rope needs an even head dim, but D = " << d;
    for (auto [name, table] :
         {std::pair<StringRef, Value>{"cos", getCos()}, {"sin", getSin()}}) {
      auto type = cast<RankedTensorType>(table.getType());
      if (type.getRank() != 2)
        return emitOpError() << "rope " << name
                             << " must have rank 2 ([T, D]), but has rank "
                             << type.getRank();
      int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
      if (!ShapedType::isDynamic(cols) && cols != d)
        return emitOpError() << "rope " << name << " dimension 1 is " << cols
                             << ", but D = " << d;
      if (!ShapedType::isDynamic(rows) && !ShapedType::isDynamic(kTokens) &&
          rows != kTokens)
        return emitOpError() << "rope " << name << " dimension 0 is " << rows
                             << ", but k_latent has T = " << kTokens;
    }
  }
  Type element = qType.getElementType();
  for (auto [name, value] :
       {std::pair<StringRef, Value>{"k_latent", getKLatent()},
        {"k_up", getKUp()},
        {"v_latent", getVLatent()},
        {"v_up", getVUp()},
        {"result", getO()}})
    if (elementTypeOf(value) != element)
      return emitOpError() << name << " element type " << elementTypeOf(value)
                           << " differs from q element type " << element;
  return verifyPositive(*this, "scale", getScaleAttr());
}

float LatentAttentionOp::getEffectiveScale() {
  if (FloatAttr scale = getScaleAttr())
    return static_cast<float>(scale.getValueAsDouble());
  return 1.0f / std::sqrt(static_cast<float>(dimOf(getQ(), 3)));
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
