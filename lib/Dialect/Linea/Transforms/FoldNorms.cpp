//===- FoldNorms.cpp - the linea-fold-norms pass (FlashNorm) --------------===//
//
// y = norm(a) · g then z = y Wᵀ + b equals norm(a) (W·diag(g))ᵀ + b, so the
// per-feature scale g (and LayerNorm's shift β, through b + Wβ) can live in
// the weights: one less elementwise pass over the activations per norm.
//
//===----------------------------------------------------------------------===//

#include "NormParameters.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace linea {
#define GEN_PASS_DEF_FOLDNORMS
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// Scales W's columns by g and adds W·β to the bias of one linear layer.
void foldInto(LinearOp linear, ArrayRef<float> g, ArrayRef<float> beta) {
  std::string why;
  std::vector<float> w = *readConstantFloats(linear.getW(), "w", &why);
  int64_t n = linear.getOutFeatures(), k = linear.getInFeatures();
  OpBuilder builder(linear);
  Location loc = linear.getLoc();
  if (!beta.empty()) {
    std::vector<float> bias(n, 0.0f);
    if (Value b = linear.getBias()) {
      FailureOr<std::vector<float>> old = readConstantFloats(b, "bias", &why);
      if (failed(old))
        return; // checked by the caller
      bias = std::move(*old);
    }
    for (int64_t r = 0; r < n; ++r) {
      double acc = bias[r];
      for (int64_t c = 0; c < k; ++c)
        acc += double(w[r * k + c]) * beta[c];
      bias[r] = static_cast<float>(acc);
    }
    Type biasType = linear.getBias()
                        ? cast<ShapedType>(linear.getBias().getType())
                              .getElementType()
                        : cast<ShapedType>(linear.getType()).getElementType();
    Value old = linear.getBias();
    linear.getBiasMutable().assign(arith::ConstantOp::create(
        builder, loc, floatConstantAttr({n}, bias, biasType)));
    eraseIfDead(old);
  }
  if (!g.empty()) {
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c)
        w[r * k + c] *= g[c];
    Type wType = cast<ShapedType>(linear.getW().getType()).getElementType();
    Value old = linear.getW();
    linear.getWMutable().assign(arith::ConstantOp::create(
        builder, loc, floatConstantAttr({n, k}, w, wType)));
    eraseIfDead(old);
  }
}

struct FoldNormsPass : linea::impl::FoldNormsBase<FoldNormsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> norms;
    getOperation().walk([&](Operation *op) {
      if (isa<RmsNormOp, LayerNormOp>(op))
        norms.push_back(op);
    });
    for (Operation *norm : norms)
      fold(norm);
  }

  void fold(Operation *norm) {
    auto [weight, bias] = getNormParameters(norm);
    if (!weight && !bias)
      return; // nothing to fold
    auto skip = [&](const Twine &why) {
      norm->emitRemark() << "linea-fold-norms: norm left alone: " << why;
    };
    std::string why;
    FailureOr<SmallVector<LinearOp>> users = normLinearConsumers(norm, why);
    FailureOr<std::vector<float>> g = readOptionalFloats(weight, "weight", why);
    FailureOr<std::vector<float>> beta = readOptionalFloats(bias, "bias", why);
    if (failed(users) || failed(g) || failed(beta))
      return skip(why);
    if (!beta->empty())
      for (LinearOp linear : *users)
        if (linear.getBias() && !getConstantElements(linear.getBias()))
          return skip("a consuming linea.linear has a bias that is not a "
                      "constant, so β cannot be folded into it");

    for (LinearOp linear : *users)
      foldInto(linear, *g, *beta);
    // The norm now only normalises.
    replaceNormParameters(norm, Value(), Value());
  }
};

} // namespace
