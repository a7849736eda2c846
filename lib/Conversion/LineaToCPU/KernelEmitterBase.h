//===- KernelEmitterBase.h - builders shared by the CPU kernel emitters ---===//
//
// The quant, attention, linear-attention and scan kernel passes each build
// loop nests of scf/arith/vector ops with one OpBuilder at one location. The
// small builders they all need (index and f32 constants, offsets, scf.for
// with or without carried values) live here, once; each emitter derives from
// this and adds what is particular to its kernel.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOCPU_KERNELEMITTERBASE_H
#define LINEA_LIB_CONVERSION_LINEATOCPU_KERNELEMITTERBASE_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace linea::cpu_kernels {

class KernelEmitterBase {
protected:
  KernelEmitterBase(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  mlir::Value index(int64_t v) {
    return mlir::arith::ConstantIndexOp::create(b, loc, v);
  }
  mlir::Value f32Const(double v) {
    return mlir::arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  /// x + c on index values (x itself when c = 0).
  mlir::Value add(mlir::Value x, int64_t c) {
    return c ? mlir::arith::AddIOp::create(b, loc, x, index(c)).getResult()
             : x;
  }

  /// for iv in [lb, ub) step `step` carrying `init`: body(iv, carried)
  /// returns the next carried values; the loop's results are returned.
  llvm::SmallVector<mlir::Value>
  loop(mlir::Value lb, mlir::Value ub, mlir::Value step, mlir::ValueRange init,
       llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value,
                                                         mlir::ValueRange)>
           body) {
    auto forOp = mlir::scf::ForOp::create(
        b, loc, lb, ub, step, init,
        [&](mlir::OpBuilder &nb, mlir::Location l, mlir::Value iv,
            mlir::ValueRange carried) {
          mlir::OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          llvm::SmallVector<mlir::Value> next = body(iv, carried);
          mlir::scf::YieldOp::create(b, l, next);
        });
    return llvm::SmallVector<mlir::Value>(forOp.getResults());
  }
  llvm::SmallVector<mlir::Value>
  loop(mlir::Value lb, mlir::Value ub, int64_t step, mlir::ValueRange init,
       llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value,
                                                         mlir::ValueRange)>
           body) {
    return loop(lb, ub, index(step), init, body);
  }
  /// for iv in [lb, ub) step `step`, nothing carried.
  void loop(mlir::Value lb, mlir::Value ub, mlir::Value step,
            llvm::function_ref<void(mlir::Value)> body) {
    loop(lb, ub, step, {}, [&](mlir::Value iv, mlir::ValueRange) {
      body(iv);
      return llvm::SmallVector<mlir::Value>();
    });
  }
  void loop(mlir::Value lb, mlir::Value ub, int64_t step,
            llvm::function_ref<void(mlir::Value)> body) {
    loop(lb, ub, index(step), body);
  }

  /// scf.if `cond` yielding `types`: thenFn / elseFn build each branch and
  /// return its yielded values (none when `types` is empty).
  llvm::SmallVector<mlir::Value>
  ifElse(mlir::Value cond, mlir::TypeRange types,
         llvm::function_ref<llvm::SmallVector<mlir::Value>()> thenFn,
         llvm::function_ref<llvm::SmallVector<mlir::Value>()> elseFn) {
    auto ifOp = mlir::scf::IfOp::create(b, loc, types, cond, /*withElse=*/true);
    mlir::OpBuilder::InsertionGuard guard(b);
    auto fill = [&](mlir::Region &region,
                    llvm::function_ref<llvm::SmallVector<mlir::Value>()> fn) {
      // Without results the branch already ends in its scf.yield.
      b.setInsertionPointToStart(&region.front());
      llvm::SmallVector<mlir::Value> values = fn();
      if (!types.empty())
        mlir::scf::YieldOp::create(b, loc, values);
    };
    fill(ifOp.getThenRegion(), thenFn);
    fill(ifOp.getElseRegion(), elseFn);
    return llvm::SmallVector<mlir::Value>(ifOp.getResults());
  }
  /// scf.if `cond` without results, with an else branch.
  void ifElse(mlir::Value cond, llvm::function_ref<void()> thenFn,
              llvm::function_ref<void()> elseFn) {
    ifElse(
        cond, {},
        [&] {
          thenFn();
          return llvm::SmallVector<mlir::Value>();
        },
        [&] {
          elseFn();
          return llvm::SmallVector<mlir::Value>();
        });
  }
  /// scf.if `cond` without results or else branch.
  void ifThen(mlir::Value cond, llvm::function_ref<void()> thenFn) {
    auto ifOp = mlir::scf::IfOp::create(b, loc, mlir::TypeRange{}, cond,
                                        /*withElse=*/false);
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.getThenRegion().front().getTerminator());
    thenFn();
  }

  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace linea::cpu_kernels

#endif // LINEA_LIB_CONVERSION_LINEATOCPU_KERNELEMITTERBASE_H
