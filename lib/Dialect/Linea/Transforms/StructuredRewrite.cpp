//===- StructuredRewrite.cpp - shared driver of the structured rewrites ---===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace linea;

namespace {

/// Why the factors do not store fewer bytes than the dense W, or nothing.
/// Factors in the weight type are compared by element count (the message
/// users understand); integer factors by bytes.
std::optional<std::string> storageNotSmaller(const StructuredProposal &proposal,
                                             const numerics::Matrix &w,
                                             Type weightType) {
  ArrayRef<FactorTensor> factors = proposal.factors;
  int64_t denseParams = w.rows * w.cols;
  int64_t weightBits = weightType.getIntOrFloatBitWidth();
  auto params = static_cast<int64_t>(proposal.inputScale.size());
  int64_t bits = params * 32;
  bool allFloat = true;
  for (const FactorTensor &f : factors) {
    auto count = static_cast<int64_t>(f.values.size());
    params += count;
    bits += count * (f.type ? f.type.getIntOrFloatBitWidth()
                            : f.intBits ? f.intBits : weightBits);
    allFloat &= f.intBits == 0 && !f.type;
  }
  std::string why;
  llvm::raw_string_ostream os(why);
  if (allFloat && params >= denseParams)
    os << "the form stores " << params
       << " parameters, not fewer than the dense " << w.rows << "·" << w.cols
       << " = " << denseParams;
  else if (!allFloat && bits >= denseParams * weightBits)
    os << "the form stores " << bits / 8
       << " bytes, not fewer than the dense weight's "
       << denseParams * weightBits / 8;
  else
    return std::nullopt;
  return why;
}

/// The constant attribute holding `f`.
ElementsAttr factorAttr(const FactorTensor &f, Type weightType) {
  if (auto intType = dyn_cast_if_present<IntegerType>(f.type)) {
    SmallVector<APInt> ints;
    ints.reserve(f.values.size());
    for (float v : f.values)
      ints.emplace_back(intType.getWidth(),
                        static_cast<uint64_t>(static_cast<int64_t>(v)),
                        /*isSigned=*/false, /*implicitTrunc=*/true);
    return DenseElementsAttr::get(RankedTensorType::get(f.shape, intType),
                                  ints);
  }
  if (f.type)
    return floatConstantAttr(f.shape, f.values, f.type);
  if (f.intBits == 0)
    return floatConstantAttr(f.shape, f.values, weightType);
  auto type = RankedTensorType::get(
      f.shape, IntegerType::get(weightType.getContext(), f.intBits));
  SmallVector<APInt> ints;
  ints.reserve(f.values.size());
  for (float v : f.values)
    ints.emplace_back(f.intBits, static_cast<int64_t>(v), /*isSigned=*/true);
  return DenseElementsAttr::get(type, ints);
}

} // namespace

SmallVector<SelectedLayer>
linea::selectLinearLayers(ModuleOp module, StringRef passName,
                          const LayerFilter &filter) {
  SmallVector<SelectedLayer> result;
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

void linea::runStructuredRewrite(ModuleOp module, StringRef passName,
                                 const LayerFilter &filter,
                                 StructuredFactorizer factorize) {
  rewriteSelectedLayers(selectLinearLayers(module, passName, filter), passName,
                        factorize);
}

void linea::rewriteSelectedLayers(ArrayRef<SelectedLayer> layers,
                                  StringRef passName,
                                  StructuredFactorizer factorize) {
  for (const SelectedLayer &candidate : layers) {
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
    Type weightType =
        cast<RankedTensorType>(op.getW().getType()).getElementType();
    if (proposal->mustShrink) {
      std::optional<std::string> bigger =
          storageNotSmaller(*proposal, *w, weightType);
      if (bigger) {
        skip(*bigger);
        continue;
      }
    }

    OpBuilder builder(op);
    SmallVector<Value> factors;
    for (const FactorTensor &f : proposal->factors)
      factors.push_back(arith::ConstantOp::create(
          builder, op.getLoc(), factorAttr(f, weightType)));
    Value x = op.getX();
    const std::vector<float> &inputScale = proposal->inputScale;
    if (!inputScale.empty()) {
      Value scale = arith::ConstantOp::create(
          builder, op.getLoc(),
          floatConstantAttr({w->cols}, inputScale, builder.getF32Type()));
      x = ScaleChannelsOp::create(builder, op.getLoc(), x.getType(), x, scale);
    }
    Operation *form =
        proposal->build(builder, op.getLoc(), op.getResult().getType(), x,
                        factors, op.getBias(), op.getNameAttr());
    auto layer = cast<LinearLayerOpInterface>(form);
    FailureOr<numerics::Matrix> approx = layer.materializeDenseWeight(&why);
    if (failed(approx)) {
      // A factorizer bug, not a user error: the form it built is unreadable.
      form->emitError() << passName << ": cannot reconstruct the new form: "
                        << why;
      form->erase();
      if (Operation *scaled = x.getDefiningOp(); scaled && x != op.getX())
        scaled->erase();
      continue;
    }
    for (int64_t r = 0; r < approx->rows && !inputScale.empty(); ++r)
      for (int64_t c = 0; c < approx->cols; ++c)
        approx->at(r, c) *= inputScale[size_t(c)];
    double error = numerics::relativeFrobeniusError(*approx, *w);
    form->setAttr(kWeightErrorAttr,
                  builder.getF32FloatAttr(static_cast<float>(error)));
    op.getResult().replaceAllUsesWith(form->getResult(0));
    Operation *weight = op.getW().getDefiningOp();
    op.erase();
    // The dense weight usually has no other reader; keeping it would keep
    // its bytes in the output.
    if (weight && weight->use_empty() && isa<arith::ConstantOp>(weight))
      weight->erase();
  }
}

LogicalResult linea::runStructuredRewrite(ModuleOp module, StringRef passName,
                                          const SelectionOptions &selection,
                                          StructuredFactorizer factorize) {
  FailureOr<LayerFilter> filter =
      LayerFilter::create(module, passName, selection.only, selection.except,
                          selection.minSize);
  if (failed(filter))
    return failure();
  runStructuredRewrite(module, passName, *filter, factorize);
  return success();
}
