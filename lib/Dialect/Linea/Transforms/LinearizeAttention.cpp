//===- LinearizeAttention.cpp - the linea-linearize-attention pass --------===//
//
// Softmax attention costs O(S·T·D); its linear form O(S·D·Dv) and a constant
// state per head when causal (REWRITES.md §7).
//
//===----------------------------------------------------------------------===//

#include "LinearizeAttention.h"

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace linea {
#define GEN_PASS_DEF_LINEARIZEATTENTION
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// k or v [B, Hkv, T, D] with every head repeated g times along dim 1
/// (query heads h·g … h·g + g − 1 share kv head h): broadcast to
/// [B, Hkv, g, T, D], then merge dims 1 and 2.
Value repeatHeads(OpBuilder &b, Location loc, Value kv, int64_t g) {
  auto type = cast<RankedTensorType>(kv.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, kv);
  sizes.insert(sizes.begin() + 2, b.getIndexAttr(g));
  Value init = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  Value wide =
      linalg::BroadcastOp::create(b, loc, kv, init, ArrayRef<int64_t>{2})
          ->getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, wide, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

/// Rewrites one softmax attention, or says with a remark why not.
void linearize(AttentionOp op, FeatureMap phi, StringRef passName) {
  auto skip = [&](const Twine &why) {
    op.emitRemark() << passName << ": left alone: " << why;
  };
  if (op.getMask())
    return skip("an additive mask has no linear-attention form");
  if (op.getQuant())
    return skip("it is quantized (SageAttention); linearize before "
                "linea-quantize-attention");
  int64_t s = cast<ShapedType>(op.getQ().getType()).getDimSize(2);
  int64_t t = cast<ShapedType>(op.getK().getType()).getDimSize(2);
  if (op.getCausal() && (ShapedType::isDynamic(s) || s != t))
    return skip(Twine("causal linear attention needs S = T statically (S = ") +
                (ShapedType::isDynamic(s) ? "?" : Twine(s).str()) + ", T = " +
                (ShapedType::isDynamic(t) ? "?" : Twine(t).str()) + ")");
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value k = op.getK(), v = op.getV();
  if (int64_t g = op.getGroupSize(); g > 1) {
    k = repeatHeads(b, loc, k, g);
    v = repeatHeads(b, loc, v, g);
  }
  auto linear = LinearAttentionOp::create(
      b, loc, op.getType(), op.getQ(), k, v,
      FeatureMapAttr::get(op.getContext(), phi), op.getCausalAttr(),
      b.getF32FloatAttr(1e-6f));
  op.replaceAllUsesWith(linear.getResult());
  op.erase();
}

struct LinearizeAttentionPass
    : linea::impl::LinearizeAttentionBase<LinearizeAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<FeatureMap> phi = symbolizeFeatureMap(featureMap);
    if (!phi) {
      emitError(getOperation().getLoc())
          << "linea-linearize-attention: feature-map='" << featureMap.getValue()
          << "' is not one of elu_plus_one, relu, identity, binary";
      return signalPassFailure();
    }
    linearizeAttention(getOperation(), *phi, getArgument());
  }
};

} // namespace

void linea::linearizeAttention(ModuleOp module, FeatureMap phi,
                               StringRef passName) {
  SmallVector<AttentionOp> ops;
  module.walk([&](AttentionOp op) { ops.push_back(op); });
  for (AttentionOp op : ops)
    linearize(op, phi, passName);
}
