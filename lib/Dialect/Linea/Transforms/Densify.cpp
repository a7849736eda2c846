//===- Densify.cpp - replace linear-layer forms by their dense W ----------===//
//
// The dense matrix is the ground truth every rewritten form answers to; this
// pass makes it explicit so that a module can be run against its densified
// twin.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace linea {
#define GEN_PASS_DEF_DENSIFY
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct DensifyPass : linea::impl::DensifyBase<DensifyPass> {
  void runOnOperation() override {
    SmallVector<LinearLayerOpInterface> layers;
    getOperation().walk([&](LinearLayerOpInterface layer) {
      if (!isa<LinearOp>(layer.getOperation()))
        layers.push_back(layer);
    });
    for (LinearLayerOpInterface layer : layers) {
      Operation *op = layer.getOperation();
      // Ŵ alone would drop the rounding of x that these modes apply: the
      // layer computes x̂·Ŵᵀ, which no linea.linear of constant W matches.
      if (auto quant = dyn_cast<QuantLinearOp>(op);
          quant && quant.getFormat().getAct() != ActMode::weight_only) {
        op->emitRemark() << "linea-densify: layer left alone: activation "
                            "quantization ("
                         << stringifyActMode(quant.getFormat().getAct())
                         << ") has no dense equivalent";
        continue;
      }
      std::string reason;
      FailureOr<numerics::Matrix> w = layer.materializeDenseWeight(&reason);
      if (failed(w)) {
        op->emitRemark() << "linea-densify: layer left alone: " << reason;
        continue;
      }
      OpBuilder builder(op);
      Type elementType =
          cast<RankedTensorType>(layer.getInput().getType()).getElementType();
      auto weight = arith::ConstantOp::create(builder, op->getLoc(),
                                              floatConstantAttr({w->rows, w->cols}, w->data, elementType));
      auto dense = LinearOp::create(
          builder, op->getLoc(), op->getResult(0).getType(), layer.getInput(),
          weight, layer.getBiasOperand(),
          op->getAttrOfType<StringAttr>("name"));
      op->getResult(0).replaceAllUsesWith(dense.getResult());
      op->erase();
    }
  }
};

} // namespace
