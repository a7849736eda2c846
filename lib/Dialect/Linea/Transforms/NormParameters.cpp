//===- NormParameters.cpp - editing the parameters of norms ---------------===//

#include "NormParameters.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace linea;

NormParameters linea::getNormParameters(Operation *norm) {
  if (auto rms = dyn_cast<RmsNormOp>(norm))
    return {rms.getWeight(), Value()};
  auto ln = cast<LayerNormOp>(norm);
  return {ln.getWeight(), ln.getBias()};
}

FailureOr<SmallVector<LinearOp>> linea::normLinearConsumers(Operation *norm,
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

FailureOr<std::vector<float>> linea::readOptionalFloats(Value v, StringRef name,
                                                        std::string &why) {
  if (!v)
    return std::vector<float>();
  return readConstantFloats(v, name, &why);
}

Operation *linea::replaceNormParameters(Operation *norm, Value weight,
                                        Value bias) {
  NormParameters old = getNormParameters(norm);
  OpBuilder builder(norm);
  Operation *result;
  if (auto rms = dyn_cast<RmsNormOp>(norm)) {
    assert(!bias && "rms_norm has no bias");
    result = RmsNormOp::create(builder, norm->getLoc(), rms.getType(),
                               rms.getX(), weight, rms.getEpsilonAttr());
  } else {
    auto ln = cast<LayerNormOp>(norm);
    result = LayerNormOp::create(builder, norm->getLoc(), ln.getType(),
                                 ln.getX(), weight, bias, ln.getEpsilonAttr());
  }
  norm->replaceAllUsesWith(result);
  norm->erase();
  if (old.weight != weight)
    eraseIfDead(old.weight);
  if (old.bias != bias)
    eraseIfDead(old.bias);
  return result;
}

void linea::eraseIfDead(Value old) {
  if (Operation *def = old ? old.getDefiningOp() : nullptr)
    if (isOpTriviallyDead(def))
      def->erase();
}
