//===- InputGroups.cpp - linear layers that read the same input -----------===//

#include "InputGroups.h"

#include "NormParameters.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;
using namespace linea;

SmallVector<InputGroup> linea::groupLayersByInput(ModuleOp module,
                                                  StringRef passName,
                                                  const LayerFilter &filter) {
  llvm::MapVector<Value, InputGroup> groups;
  for (SelectedLayer &layer : selectLinearLayers(module, passName, filter)) {
    std::string why;
    FailureOr<numerics::Matrix> w = layer.op.materializeDenseWeight(&why);
    if (failed(w)) {
      layer.op.emitRemark()
          << passName << ": skipped layer '" << layer.name << "': " << why;
      continue;
    }
    InputGroup &group = groups[layer.op.getX()];
    group.x = layer.op.getX();
    group.layers.push_back(std::move(layer));
    group.weights.push_back(std::move(*w));
  }
  SmallVector<InputGroup> result;
  for (auto &entry : groups)
    result.push_back(std::move(entry.second));
  return result;
}

void linea::rerouteInput(
    const InputGroup &group,
    function_ref<Value(OpBuilder &, Location, Value)> build) {
  Value x = group.x;
  OpBuilder builder(x.getContext());
  if (Operation *def = x.getDefiningOp())
    builder.setInsertionPointAfter(def);
  else
    builder.setInsertionPointToStart(cast<BlockArgument>(x).getOwner());
  Value replacement = build(builder, x.getLoc(), x);
  for (const SelectedLayer &layer : group.layers)
    LinearOp(layer.op).getXMutable().assign(replacement);
}

void linea::replaceConstantWeight(LinearOp op, const numerics::Matrix &w) {
  Value old = op.getW();
  Type elementType = cast<ShapedType>(old.getType()).getElementType();
  OpBuilder builder(op);
  op.getWMutable().assign(arith::ConstantOp::create(
      builder, op.getLoc(),
      floatConstantAttr({w.rows, w.cols}, w.data, elementType)));
  eraseIfDead(old);
}
