//===- RuntimeThreadCount.cpp - team size of omp.parallel at run time -----===//
//
// A library compiled ahead of time must run on as many threads as its user
// asks for, not as the machine that compiled it had. Its parallel loops are
// split for the compile-time count; this pass only makes the team size of
// each OpenMP region a call, so that any team up to that count runs them
// (static scheduling keeps each output's summation order, hence the bits).
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

using namespace mlir;

namespace linea {
#define GEN_PASS_DEF_RUNTIMETHREADCOUNT
#include "linea/Conversion/Passes.h.inc"

namespace {
struct RuntimeThreadCountPass
    : impl::RuntimeThreadCountBase<RuntimeThreadCountPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<omp::ParallelOp> regions;
    module.walk([&](omp::ParallelOp op) {
      if (op.getNumThreads())
        regions.push_back(op);
    });
    if (regions.empty())
      return;
    MLIRContext *ctx = &getContext();
    auto i32 = IntegerType::get(ctx, 32);
    auto type = FunctionType::get(ctx, {}, {i32});
    auto callee = module.lookupSymbol<func::FuncOp>(symbol);
    if (!callee) {
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      callee = func::FuncOp::create(b, module.getLoc(), symbol, type);
      callee.setPrivate();
    } else if (callee.getFunctionType() != type) {
      callee.emitError() << "linea-runtime-thread-count: @" << symbol
                         << " must have type " << type << ", not "
                         << callee.getFunctionType();
      return signalPassFailure();
    }
    for (omp::ParallelOp op : regions) {
      OpBuilder b(op);
      Value count = func::CallOp::create(b, op.getLoc(), callee).getResult(0);
      if (op.getNumThreads().getType() != i32) {
        op.emitError() << "linea-runtime-thread-count: num_threads has type "
                       << op.getNumThreads().getType() << ", expected i32";
        return signalPassFailure();
      }
      op.getNumThreadsMutable().assign(count);
    }
  }
};
} // namespace
} // namespace linea
