//===- FoldNorms.cpp - the linea-fold-norms pass (FlashNorm) --------------===//
//
// y = norm(a) · g then z = y Wᵀ + b equals norm(a) (W·diag(g))ᵀ + b, so the
// per-feature scale g (and LayerNorm's shift β, through b + Wβ) can live in
// the weights: one less elementwise pass over the activations per norm.
//
//===----------------------------------------------------------------------===//

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

/// The consumers of a norm as linear layers with constant weights, or a
/// reason why the norm cannot be folded.
FailureOr<SmallVector<LinearOp>> foldableUsers(Operation *norm,
                                               std::string &why) {
  SmallVector<LinearOp> users;
  Value y = norm->getResult(0);
  if (y.use_empty()) {
    why = "its result is unused";
    return failure();
  }
  for (OpOperand &use : y.getUses()) {
    auto linear = dyn_cast<LinearOp>(use.getOwner());
    if (!linear || use.get() != linear.getX()) {
      why = ("its result feeds '" + use.getOwner()->getName().getStringRef() +
             "', not only the input of linea.linear layers")
                .str();
      return failure();
    }
    if (!getConstantElements(linear.getW())) {
      why = "a consuming linea.linear has a weight that is not a constant";
      return failure();
    }
    if (!llvm::is_contained(users, linear))
      users.push_back(linear);
  }
  return users;
}

/// Reads an optional constant norm parameter; empty when absent.
FailureOr<std::vector<float>> readParameter(Value v, StringRef name,
                                            std::string &why) {
  if (!v)
    return std::vector<float>();
  return readConstantFloats(v, name, &why);
}

/// Erases the constant that defined `old` once nothing reads it.
void eraseIfDead(Value old) {
  if (Operation *def = old ? old.getDefiningOp() : nullptr)
    if (def->use_empty())
      def->erase();
}

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
    Value weight, bias;
    if (auto rms = dyn_cast<RmsNormOp>(norm))
      weight = rms.getWeight();
    else {
      auto ln = cast<LayerNormOp>(norm);
      weight = ln.getWeight();
      bias = ln.getBias();
    }
    if (!weight && !bias)
      return; // nothing to fold
    auto skip = [&](const Twine &why) {
      norm->emitRemark() << "linea-fold-norms: norm left alone: " << why;
    };
    std::string why;
    FailureOr<SmallVector<LinearOp>> users = foldableUsers(norm, why);
    FailureOr<std::vector<float>> g = readParameter(weight, "weight", why);
    FailureOr<std::vector<float>> beta = readParameter(bias, "bias", why);
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
    OpBuilder builder(norm);
    Operation *plain;
    if (auto rms = dyn_cast<RmsNormOp>(norm))
      plain = RmsNormOp::create(builder, norm->getLoc(), rms.getType(),
                                rms.getX(), Value(), rms.getEpsilonAttr());
    else {
      auto ln = cast<LayerNormOp>(norm);
      plain = LayerNormOp::create(builder, norm->getLoc(), ln.getType(),
                                  ln.getX(), Value(), Value(),
                                  ln.getEpsilonAttr());
    }
    norm->replaceAllUsesWith(plain);
    norm->erase();
    eraseIfDead(weight);
    eraseIfDead(bias);
  }
};

} // namespace
