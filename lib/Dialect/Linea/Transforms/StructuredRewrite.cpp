//===- StructuredRewrite.cpp - shared driver of the structured rewrites ---===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace linea;

namespace {

struct Candidate {
  LinearOp op;
  std::string name;
};

/// The selected layers, in program order; remarks for the rejected ones.
SmallVector<Candidate> selectLayers(ModuleOp module, StringRef passName,
                                    const LayerFilter &filter) {
  SmallVector<Candidate> result;
  module.walk([&](FunctionOpInterface func) {
    unsigned index = 0;
    func.walk([&](LinearLayerOpInterface layer) {
      std::string name = layerName(layer, index++);
      auto linear = dyn_cast<LinearOp>(layer.getOperation());
      if (!linear)
        return; // already in some other form
      std::string why;
      if (!filter.selects(name, layer.getOutFeatures(),
                          layer.getInFeatures(), why)) {
        linear.emitRemark() << passName << ": skipped layer '" << name
                            << "': " << why;
        return;
      }
      result.push_back({linear, std::move(name)});
    });
  });
  return result;
}

} // namespace

void linea::runStructuredRewrite(ModuleOp module, StringRef passName,
                                 const LayerFilter &filter,
                                 StructuredFactorizer factorize) {
  for (Candidate &candidate : selectLayers(module, passName, filter)) {
    LinearOp op = candidate.op;
    auto skip = [&](const Twine &why) {
      op.emitRemark() << passName << ": skipped layer '" << candidate.name
                      << "': " << why;
    };
    std::string why;
    FailureOr<numerics::Matrix> w = op.materializeDenseWeight(&why);
    if (failed(w)) {
      skip(why);
      continue;
    }
    std::optional<StructuredProposal> proposal =
        factorize(candidate.name, *w, why);
    if (!proposal) {
      skip(why);
      continue;
    }
    int64_t params = 0;
    for (const FactorTensor &f : proposal->factors)
      params += static_cast<int64_t>(f.values.size());
    int64_t denseParams = w->rows * w->cols;
    if (params >= denseParams) {
      skip(Twine("the form stores ") + Twine(params) +
           " parameters, not fewer than the dense " + Twine(w->rows) + "·" +
           Twine(w->cols) + " = " + Twine(denseParams));
      continue;
    }

    OpBuilder builder(op);
    Type weightType =
        cast<RankedTensorType>(op.getW().getType()).getElementType();
    SmallVector<Value> factors;
    for (const FactorTensor &f : proposal->factors)
      factors.push_back(arith::ConstantOp::create(
          builder, op.getLoc(),
          floatConstantAttr(f.shape, f.values, weightType)));
    Operation *form =
        proposal->build(builder, op.getLoc(), op.getResult().getType(),
                        op.getX(), factors, op.getBias(), op.getNameAttr());
    auto layer = cast<LinearLayerOpInterface>(form);
    FailureOr<numerics::Matrix> approx = layer.materializeDenseWeight(&why);
    if (failed(approx)) {
      // A factorizer bug, not a user error: the form it built is unreadable.
      form->emitError() << passName << ": cannot reconstruct the new form: "
                        << why;
      form->erase();
      continue;
    }
    double error = numerics::relativeFrobeniusError(*approx, *w);
    form->setAttr(kWeightErrorAttr,
                  builder.getF32FloatAttr(static_cast<float>(error)));
    op.getResult().replaceAllUsesWith(form->getResult(0));
    op.erase();
  }
}
