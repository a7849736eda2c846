//===- InputGroups.h - linear layers that read the same input ---*- C++ -*-===//
//
// linea-smooth and linea-rotate change the basis of x for every layer that
// reads it: the weights of all those layers change together and one op on x
// (a channel scale, a Hadamard rotation) serves them all. These helpers find
// such groups and put the shared op in front of them.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_INPUTGROUPS_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_INPUTGROUPS_H

#include "StructuredRewrite.h"

namespace linea {

/// Selected `linea.linear` layers with constant weights reading the same x,
/// with their dense weights.
struct InputGroup {
  mlir::Value x;
  llvm::SmallVector<SelectedLayer> layers;
  llvm::SmallVector<numerics::Matrix> weights;
};

/// The layers `filter` selects grouped by x, groups and layers in program
/// order. Rejected layers, and selected ones whose weight is not a constant,
/// get a remark `<passName>: skipped layer '<name>': <why>`.
llvm::SmallVector<InputGroup> groupLayersByInput(mlir::ModuleOp module,
                                                 llvm::StringRef passName,
                                                 const LayerFilter &filter);

/// Creates `build(x)` right after x is defined (at the start of its block
/// for a block argument, so it dominates every reader of x) and makes the
/// group's layers read it; other readers of x keep reading x.
void rerouteInput(const InputGroup &group,
                  llvm::function_ref<mlir::Value(mlir::OpBuilder &,
                                                 mlir::Location, mlir::Value)>
                      build);

/// Replaces the constant weight of `op` by `w`, rounded once to the old
/// weight's element type; the old constant goes if nothing else reads it.
void replaceConstantWeight(LinearOp op, const numerics::Matrix &w);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_INPUTGROUPS_H
