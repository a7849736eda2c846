//===- FuseProjections.cpp - the linea-fuse-projections pass --------------===//
//
// Q/K/V (or gate/up) projections read the same activations. One layer with
// the stacked weight streams x once and gives the kernel a wider N, which is
// what small-batch (memory-bound) inference wants. Low-rank layers share
// the first stage instead: their v factors stack along r into one latent
// layer h = x · [v_a; v_b; …]ᵀ, and each u reads its own columns of h.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/LayerSelection.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/MapVector.h"

namespace linea {
#define GEN_PASS_DEF_FUSEPROJECTIONS
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// Layers that may fuse: same input, same op, same quantization format.
using GroupKey = std::tuple<Value, OperationName, Attribute>;

/// A stacked operand: the constant, or failure with a reason.
FailureOr<Value> stack(OpBuilder &b, Location loc, ArrayRef<Value> parts,
                       StringRef what, std::string &why) {
  FailureOr<DenseElementsAttr> attr = concatConstantRows(parts, &why);
  if (failed(attr)) {
    why = (what + ": " + why).str();
    return failure();
  }
  return arith::ConstantOp::create(b, loc, *attr).getResult();
}

/// The one value every part shares (bitwise-equal constants), or failure.
FailureOr<Value> shared(ArrayRef<Value> parts, StringRef what,
                        std::string &why) {
  std::optional<std::vector<uint64_t>> first;
  for (Value v : parts) {
    if (!v) {
      why = (what + " is present on some layers only").str();
      return failure();
    }
    FailureOr<std::vector<uint64_t>> bits = readConstantBits(v, what, &why);
    if (failed(bits))
      return failure();
    if (first && *first != *bits) {
      why = (what + " differs between the layers").str();
      return failure();
    }
    first = std::move(*bits);
  }
  return parts.front();
}

/// The biases stacked, zeros standing in for layers without one; a null
/// value when no layer has a bias.
FailureOr<Value> stackBiases(OpBuilder &b, Location loc,
                             ArrayRef<LinearLayerOpInterface> layers,
                             std::string &why) {
  Type elementType;
  for (LinearLayerOpInterface layer : layers)
    if (Value bias = layer.getBiasOperand())
      elementType = cast<ShapedType>(bias.getType()).getElementType();
  if (!elementType)
    return Value();
  SmallVector<Value> parts;
  for (LinearLayerOpInterface layer : layers) {
    Value bias = layer.getBiasOperand();
    if (!bias) {
      auto type =
          RankedTensorType::get({layer.getOutFeatures()}, elementType);
      bias = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, b.getZeroAttr(elementType)));
    }
    parts.push_back(bias);
  }
  return stack(b, loc, parts, "bias", why);
}

/// Builds the fused op before the first layer, or fails with `why`.
FailureOr<Operation *> buildFused(OpBuilder &b,
                                  ArrayRef<LinearLayerOpInterface> layers,
                                  Type resultType, StringAttr name,
                                  std::string &why) {
  LinearLayerOpInterface front = layers.front();
  Location loc = front.getLoc();
  Value x = front.getInput();
  FailureOr<Value> bias = stackBiases(b, loc, layers, why);
  if (failed(bias))
    return failure();
  auto collect = [&](auto getter) {
    SmallVector<Value> values;
    for (LinearLayerOpInterface layer : layers)
      values.push_back(getter(layer.getOperation()));
    return values;
  };

  if (isa<LinearOp>(front.getOperation())) {
    FailureOr<Value> w = stack(
        b, loc, collect([](Operation *op) { return cast<LinearOp>(op).getW(); }),
        "w", why);
    if (failed(w))
      return failure();
    return LinearOp::create(b, loc, resultType, x, *w, *bias, name)
        .getOperation();
  }

  auto first = cast<QuantLinearOp>(front.getOperation());
  QFormatAttr format = first.getFormat();
  auto q = [](Operation *op) { return cast<QuantLinearOp>(op); };
  FailureOr<Value> qweight = stack(
      b, loc, collect([&](Operation *op) { return q(op).getQweight(); }),
      "qweight", why);
  if (failed(qweight))
    return failure();
  // Per-tensor scales (and zero points) describe every row alike: fusable
  // only when equal. Channel and group scales stack with their rows.
  bool perTensor = format.getGranularity() == Granularity::tensor;
  auto scalesOrShared = [&](SmallVector<Value> parts, StringRef what) {
    return perTensor ? shared(parts, what, why) : stack(b, loc, parts, what, why);
  };
  FailureOr<Value> scales = scalesOrShared(
      collect([&](Operation *op) { return q(op).getScales(); }), "scales");
  if (failed(scales))
    return failure();
  Value zeroPoints, tensorScale, actScale;
  if (first.getZeroPoints()) {
    FailureOr<Value> z = scalesOrShared(
        collect([&](Operation *op) { return q(op).getZeroPoints(); }),
        "zero_points");
    if (failed(z))
      return failure();
    zeroPoints = *z;
  }
  for (auto [getter, what, out] :
       {std::tuple{+[](QuantLinearOp op) { return op.getTensorScale(); },
                   "tensor_scale", &tensorScale},
        std::tuple{+[](QuantLinearOp op) { return op.getActScale(); },
                   "act_scale", &actScale}}) {
    if (!getter(first))
      continue;
    FailureOr<Value> v = shared(
        collect([&, g = getter](Operation *op) { return g(q(op)); }), what,
        why);
    if (failed(v))
      return failure();
    *out = *v;
  }
  return QuantLinearOp::create(b, loc, resultType, x, *qweight, *scales,
                               zeroPoints, tensorScale, actScale, *bias, format,
                               name)
      .getOperation();
}

/// `layer` as the low-rank op it is known to be.
LowRankLinearOp asLowRank(LinearLayerOpInterface layer) {
  return cast<LowRankLinearOp>(layer.getOperation());
}

/// The reason `layers` cannot share a latent layer, or empty: u and bias
/// must be constants (the v's are checked while stacking). Operands are
/// numbered by layer, as concatConstantRows numbers the v's.
std::string lowRankObstacle(ArrayRef<LinearLayerOpInterface> layers) {
  for (auto [i, layer] : llvm::enumerate(layers)) {
    LowRankLinearOp op = asLowRank(layer);
    // lowrank_linear keeps h in f32; a latent linea.linear would round it
    // to a narrower activation type, and the fusion must stay exact.
    Type element =
        cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
    if (!element.isF32())
      return (Twine("activations are ") +
              (element.isF16() ? "f16" : element.isBF16() ? "bf16" : "not f32") +
              ": a stored latent would be rounded, so only f32 low-rank "
              "layers are fused")
          .str();
    for (auto [what, value] :
         {std::pair<StringRef, Value>{"u", op.getU()},
          std::pair<StringRef, Value>{"bias", op.getBias()}})
      if (value && !getConstantElements(value))
        return (what + ": operand '#" + Twine(i) + "' is not a constant").str();
  }
  return "";
}

/// Replaces low-rank `layers` (same x, same result shape but N) by one
/// latent `linea.linear` with the v's stacked along r and, per layer, a
/// `linea.linear` with its u and bias on its slice of the latent. Exact (the
/// same f32 sums, only regrouped; no weight grows); f32 activations only.
LogicalResult fuseLowRank(ArrayRef<LinearLayerOpInterface> layers,
                          ArrayRef<std::string> names, std::string &why) {
  if (why = lowRankObstacle(layers); !why.empty())
    return failure();
  SmallVector<Value> vs;
  for (LinearLayerOpInterface layer : layers)
    vs.push_back(asLowRank(layer).getV());
  OpBuilder b(layers.front());
  LowRankLinearOp front = asLowRank(layers.front());
  Location loc = front.getLoc();
  FailureOr<Value> v = stack(b, loc, vs, "v", why);
  if (failed(v))
    return failure();
  int64_t rank = cast<RankedTensorType>(v->getType()).getDimSize(0);
  auto firstType =
      cast<RankedTensorType>(layers.front()->getResult(0).getType());
  SmallVector<int64_t> shape(firstType.getShape());
  shape.back() = rank;
  auto latentType = RankedTensorType::get(shape, firstType.getElementType());
  StringAttr latentName =
      names.empty() ? StringAttr()
                    : b.getStringAttr(llvm::join(names, "+") + "/latent");
  Value h = LinearOp::create(b, loc, latentType, front.getX(), *v, Value(),
                             latentName)
                .getResult();
  int64_t offset = 0;
  for (LinearLayerOpInterface layer : layers) {
    LowRankLinearOp op = asLowRank(layer);
    // u and bias may be defined after the first layer (linea-lowrank puts
    // them next to each layer): the second stage goes where the layer was.
    b.setInsertionPoint(op);
    int64_t r = cast<RankedTensorType>(op.getV().getType()).getDimSize(0);
    SmallVector<OpFoldResult> offsets(shape.size(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, h);
    SmallVector<OpFoldResult> strides(shape.size(), b.getIndexAttr(1));
    offsets.back() = b.getIndexAttr(offset);
    sizes.back() = b.getIndexAttr(r);
    SmallVector<int64_t> sliceShape(shape);
    sliceShape.back() = r;
    Value part = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(sliceShape, latentType.getElementType()),
        h, offsets, sizes, strides);
    Value y = LinearOp::create(b, op.getLoc(), op.getType(), part, op.getU(),
                               op.getBias(), op.getNameAttr())
                  .getResult();
    op.getResult().replaceAllUsesWith(y);
    offset += r;
  }
  return success();
}

struct FuseProjectionsPass
    : linea::impl::FuseProjectionsBase<FuseProjectionsPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<LayerFilter> filter = LayerFilter::create(
        getOperation(), getArgument(), only, except, /*minSize=*/0);
    if (failed(filter))
      return signalPassFailure();
    llvm::MapVector<GroupKey, SmallVector<LinearLayerOpInterface>> groups;
    getOperation().walk([&](FunctionOpInterface func) {
      unsigned index = 0;
      func.walk([&](LinearLayerOpInterface layer) {
        std::string name = layerName(layer, index++), why;
        Operation *op = layer.getOperation();
        if (!isa<LinearOp, QuantLinearOp, LowRankLinearOp>(op) ||
            !filter->selects(name, 0, 0, why))
          return;
        Attribute format;
        if (auto quant = dyn_cast<QuantLinearOp>(op))
          format = quant.getFormat();
        groups[{layer.getInput(), op->getName(), format}].push_back(layer);
      });
    });
    for (auto &[key, layers] : groups)
      if (layers.size() > 1)
        fuse(layers);
  }

  void fuse(SmallVector<LinearLayerOpInterface> &layers) {
    // Only layers of one block fuse; order them as they appear there.
    Block *block = layers.front()->getBlock();
    llvm::erase_if(layers, [&](LinearLayerOpInterface l) {
      return l->getBlock() != block;
    });
    if (layers.size() < 2)
      return;
    llvm::sort(layers, [](LinearLayerOpInterface a, LinearLayerOpInterface b) {
      return a->isBeforeInBlock(b);
    });
    auto firstType = cast<RankedTensorType>(layers.front()->getResult(0).getType());
    int64_t total = 0;
    SmallVector<std::string> names;
    for (LinearLayerOpInterface layer : layers) {
      auto type = cast<RankedTensorType>(layer->getResult(0).getType());
      if (type.getElementType() != firstType.getElementType() ||
          type.getShape().drop_back() != firstType.getShape().drop_back()) {
        layer->emitRemark() << "linea-fuse-projections: not fused with '"
                            << layers.front()->getName()
                            << "' layers of the same input: result type "
                            << type << " differs from " << firstType;
        return;
      }
      total += layer.getOutFeatures();
      if (auto name = layer->getAttrOfType<StringAttr>("name"))
        names.push_back(name.str());
    }
    if (isa<LowRankLinearOp>(layers.front().getOperation())) {
      std::string why;
      if (failed(fuseLowRank(layers, names, why))) {
        layers.front()->emitRemark()
            << "linea-fuse-projections: low-rank layers reading this input "
               "left unfused: "
            << why;
        return;
      }
      eraseLayers(layers);
      return;
    }
    SmallVector<int64_t> shape(firstType.getShape());
    shape.back() = total;
    auto resultType = RankedTensorType::get(shape, firstType.getElementType());

    OpBuilder b(layers.front());
    std::string why;
    StringAttr name =
        names.empty() ? StringAttr() : b.getStringAttr(llvm::join(names, "+"));
    FailureOr<Operation *> fused = buildFused(b, layers, resultType, name, why);
    if (failed(fused)) {
      layers.front()->emitRemark()
          << "linea-fuse-projections: layers reading this input left "
             "unfused: "
          << why;
      return;
    }
    Value y = (*fused)->getResult(0);
    Location loc = (*fused)->getLoc();
    int64_t offset = 0;
    for (LinearLayerOpInterface layer : layers) {
      int64_t n = layer.getOutFeatures();
      SmallVector<OpFoldResult> offsets(shape.size(), b.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, y);
      SmallVector<OpFoldResult> strides(shape.size(), b.getIndexAttr(1));
      offsets.back() = b.getIndexAttr(offset);
      sizes.back() = b.getIndexAttr(n);
      Value part = tensor::ExtractSliceOp::create(
          b, loc, cast<RankedTensorType>(layer->getResult(0).getType()), y,
          offsets, sizes, strides);
      layer->getResult(0).replaceAllUsesWith(part);
      offset += n;
    }
    eraseLayers(layers);
  }

  /// Erases the replaced `layers` and the constants only they used.
  static void eraseLayers(ArrayRef<LinearLayerOpInterface> layers) {
    for (LinearLayerOpInterface layer : layers) {
      SmallVector<Value> operands(layer->getOperands());
      layer->erase();
      for (Value v : operands)
        if (Operation *def = v.getDefiningOp();
            def && def->use_empty() && isa<arith::ConstantOp>(def))
          def->erase();
    }
  }
};

} // namespace
