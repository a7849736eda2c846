//===- JitEntryPoints.cpp - record tensor signatures for the JIT ----------===//
//
// After lowering to the LLVM dialect a function only has pointers and
// integers; linea-run needs the tensor types it was written with to pack
// arguments and read results, so they are recorded before lowering.
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace linea {
#define GEN_PASS_DEF_JITENTRYPOINTS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

bool allRankedTensors(TypeRange types) {
  return llvm::all_of(types, [](Type t) { return isa<RankedTensorType>(t); });
}

ArrayAttr typeArray(Builder &b, TypeRange types) {
  SmallVector<Attribute> attrs;
  for (Type t : types)
    attrs.push_back(TypeAttr::get(t));
  return b.getArrayAttr(attrs);
}

struct JitEntryPointsPass
    : linea::impl::JitEntryPointsBase<JitEntryPointsPass> {
  void runOnOperation() override {
    Builder b(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic())
        continue;
      FunctionType type = func.getFunctionType();
      if (!allRankedTensors(type.getInputs()) ||
          !allRankedTensors(type.getResults()))
        continue;
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    b.getUnitAttr());
      func->setAttr("linea.inputs", typeArray(b, type.getInputs()));
      func->setAttr("linea.outputs", typeArray(b, type.getResults()));
    }
  }
};

} // namespace
} // namespace linea
