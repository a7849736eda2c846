//===- LinearOp.cpp - linea.linear verifier and interface -----------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

using namespace mlir;

namespace linea {

LogicalResult LinearOp::verify() {
  if (failed(verifyStaticRank(*this, "w", getW(), 2)))
    return failure();
  return verifyLinearLayerIO(*this, getX(), getBias(), getY(),
                             getInFeatures(), getOutFeatures());
}

SmallVector<Value> LinearOp::getWeightOperands() { return {getW()}; }
int64_t LinearOp::getInFeatures() { return dimOf(getW(), 1); }
int64_t LinearOp::getOutFeatures() { return dimOf(getW(), 0); }

int64_t LinearOp::getFlopsPerToken() {
  return 2 * getInFeatures() * getOutFeatures() +
         (getBias() ? getOutFeatures() : 0);
}

FailureOr<numerics::Matrix>
LinearOp::materializeDenseWeight(std::string *reason) {
  FailureOr<std::vector<float>> w = readConstantFloats(getW(), "w", reason);
  if (failed(w))
    return failure();
  numerics::Matrix m;
  m.rows = getOutFeatures();
  m.cols = getInFeatures();
  m.data = std::move(*w);
  return m;
}

} // namespace linea
