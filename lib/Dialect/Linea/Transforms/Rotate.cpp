//===- Rotate.cpp - the linea-rotate pass (Hadamard rotation) -------------===//
//
// 4-bit weights and activations lose most to a few large entries. For the
// orthonormal blocked Hadamard matrix H, x Wᵀ = (x H)(W H)ᵀ, and both x H
// and W H spread every outlier over its block (QuaRot, Quartet; REWRITES.md
// §3.5). This pass rotates the weights offline and puts one linea.hadamard
// on the shared input; the function is unchanged, quantization after it
// sees flatter distributions.
//
//===----------------------------------------------------------------------===//

#include "InputGroups.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Equivalence.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace linea {
#define GEN_PASS_DEF_ROTATE
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// Name of the attribute recording the Hadamard block a layer was rotated by.
constexpr StringLiteral kRotatedAttr = "linea.rotated";

/// The default block: the largest power of two ≤ 128 dividing K. 128 is the
/// usual int4 group, so a group's outliers are spread over exactly that
/// group, and the online transform stays cheap (7 butterfly stages).
constexpr int64_t kMaxDefaultBlock = 128;

bool isPowerOfTwo(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

struct RotatePass : linea::impl::RotateBase<RotatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize != 0 && (blockSize < 2 || !isPowerOfTwo(blockSize))) {
      emitError(module.getLoc())
          << getArgument() << ": block-size=" << int64_t(blockSize)
          << " is not a power of two ≥ 2 (0 chooses per layer)";
      return signalPassFailure();
    }
    FailureOr<LayerFilter> filter =
        LayerFilter::create(module, getArgument(), only, except, minSize);
    if (failed(filter))
      return signalPassFailure();
    for (InputGroup &group : groupLayersByInput(module, getArgument(), *filter))
      rotate(group);
  }

  void rotate(InputGroup &group) {
    int64_t k = group.layers.front().op.getInFeatures();
    int64_t b = blockSize
                    ? blockSize
                    : numerics::largestPowerOfTwoBlock(k, kMaxDefaultBlock);
    std::string why;
    if (b < 2)
      why = "K = " + std::to_string(k) + " has no power-of-two block ≥ 2";
    else if (k % b != 0)
      why = "block-size=" + std::to_string(b) +
            " does not divide K = " + std::to_string(k);
    if (!why.empty()) {
      for (SelectedLayer &layer : group.layers)
        layer.op.emitRemark() << getArgument() << ": skipped layer '"
                              << layer.name << "': " << why;
      return;
    }
    for (auto [layer, w] : llvm::zip(group.layers, group.weights)) {
      numerics::rotateColumnsHadamard(w, b);
      replaceConstantWeight(layer.op, w);
      layer.op->setAttr(
          kRotatedAttr,
          IntegerAttr::get(IntegerType::get(&getContext(), 64), b));
    }
    rerouteInput(group, [&](OpBuilder &builder, Location loc, Value x) {
      return HadamardOp::create(builder, loc, x.getType(), x,
                                builder.getI64IntegerAttr(b),
                                builder.getBoolAttr(true))
          .getResult();
    });
  }
};

} // namespace
