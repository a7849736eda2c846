//===- KernelBuild.h - small helpers for writing gpu.func bodies -*- C++ -*-===//
//
// Shared by the scan and recurrence kernel builders: constants, f32
// conversions, fast exp2/log2 (ex2.approx / lg2.approx after
// convert-gpu-to-nvvm), scf.for with loop-carried values, and global /
// workgroup memref types. Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_KERNELBUILD_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_KERNELBUILD_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <string>

namespace linea::gpu_codegen {

/// A manifest/diagnostic name of an element type: bf16, f16, f32, i8, i32,
/// i64, else MLIR's spelling (f8E4M3FN, ...).
inline std::string dtypeName(mlir::Type t) {
  if (t.isBF16())
    return "bf16";
  if (t.isF16())
    return "f16";
  if (t.isF32())
    return "f32";
  if (t.isInteger(8))
    return "i8";
  if (t.isInteger(32))
    return "i32";
  if (t.isInteger(64))
    return "i64";
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2 = 0.6931471805599453;

inline mlir::Value cIdx(mlir::ImplicitLocOpBuilder &b, int64_t v) {
  return mlir::arith::ConstantIndexOp::create(b, v);
}
inline mlir::Value cF32(mlir::ImplicitLocOpBuilder &b, double v) {
  return mlir::arith::ConstantOp::create(b, b.getF32FloatAttr(v));
}
/// Splat f32 constant of `type` (f32 or vector of f32).
inline mlir::Value cF32Like(mlir::ImplicitLocOpBuilder &b, mlir::Type type,
                            double v) {
  if (auto vt = llvm::dyn_cast<mlir::VectorType>(type))
    return mlir::arith::ConstantOp::create(
        b, mlir::DenseElementsAttr::get(vt, b.getF32FloatAttr(v)));
  return cF32(b, v);
}

/// Widens a float (or vector of floats) to f32.
inline mlir::Value toF32(mlir::ImplicitLocOpBuilder &b, mlir::Value v) {
  mlir::Type elem = mlir::getElementTypeOrSelf(v.getType());
  if (elem.isF32())
    return v;
  mlir::Type f32 = b.getF32Type();
  if (auto vt = llvm::dyn_cast<mlir::VectorType>(v.getType()))
    return mlir::arith::ExtFOp::create(b, mlir::VectorType::get(vt.getShape(),
                                                                f32),
                                       v);
  return mlir::arith::ExtFOp::create(b, f32, v);
}

/// Rounds an f32 value to `elem` (no-op for f32).
inline mlir::Value fromF32(mlir::ImplicitLocOpBuilder &b, mlir::Value v,
                           mlir::Type elem) {
  if (elem.isF32())
    return v;
  return mlir::arith::TruncFOp::create(b, elem, v);
}

inline mlir::arith::FastMathFlagsAttr approx(mlir::ImplicitLocOpBuilder &b) {
  return mlir::arith::FastMathFlagsAttr::get(b.getContext(),
                                             mlir::arith::FastMathFlags::afn);
}
/// An f32 NVVM intrinsic of one operand. Used instead of math.exp2/log2,
/// which convert-gpu-to-nvvm turns into libdevice calls (__nv_exp2f) that
/// need libdevice linked by gpu-module-to-binary.
inline mlir::Value nvvmUnary(mlir::ImplicitLocOpBuilder &b,
                             llvm::StringRef intrinsic, mlir::Value x) {
  return mlir::LLVM::CallIntrinsicOp::create(b, b.getF32Type(),
                                             b.getStringAttr(intrinsic),
                                             mlir::ValueRange{x})
      .getResult(0);
}
/// x·y + z in one rounding (fma.rn.f32; math.fma would become __nv_fmaf).
inline mlir::Value fma(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                       mlir::Value y, mlir::Value z) {
  return mlir::LLVM::FMAOp::create(b, x, y, z);
}
/// 2^x with ex2.approx.ftz (relative error ~2^-22).
inline mlir::Value fastExp2(mlir::ImplicitLocOpBuilder &b, mlir::Value x) {
  return nvvmUnary(b, "llvm.nvvm.ex2.approx.ftz.f", x);
}
/// e^x as 2^(x·log2 e).
inline mlir::Value fastExp(mlir::ImplicitLocOpBuilder &b, mlir::Value x) {
  return fastExp2(b, mlir::arith::MulFOp::create(
                         b, x, cF32Like(b, x.getType(), kLog2e)));
}
inline mlir::Value fastLog(mlir::ImplicitLocOpBuilder &b, mlir::Value x) {
  return mlir::arith::MulFOp::create(
      b, nvvmUnary(b, "llvm.nvvm.lg2.approx.ftz.f", x), cF32(b, kLn2));
}

/// `scf.for iv = lb to ub step st iter_args(init)`, body from `body`.
inline llvm::SmallVector<mlir::Value>
forLoop(mlir::ImplicitLocOpBuilder &b, mlir::Value lb, mlir::Value ub,
        mlir::Value st, mlir::ValueRange init,
        llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value,
                                                          mlir::ValueRange)>
            body) {
  auto loop = mlir::scf::ForOp::create(
      b, lb, ub, st, init,
      [&](mlir::OpBuilder &ob, mlir::Location, mlir::Value iv,
          mlir::ValueRange iter) {
        mlir::OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(ob.getInsertionBlock(), ob.getInsertionPoint());
        llvm::SmallVector<mlir::Value> next = body(iv, iter);
        mlir::scf::YieldOp::create(b, next);
      });
  return llvm::SmallVector<mlir::Value>(loop.getResults());
}

/// Runs `then` under `scf.if cond` (no results).
inline void ifThen(mlir::ImplicitLocOpBuilder &b, mlir::Value cond,
                   llvm::function_ref<void()> then) {
  auto op = mlir::scf::IfOp::create(b, cond, /*withElseRegion=*/false);
  mlir::OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&op.getThenRegion().front());
  then();
}

inline mlir::Value select(mlir::ImplicitLocOpBuilder &b, mlir::Value c,
                          mlir::Value t, mlir::Value f) {
  return mlir::arith::SelectOp::create(b, c, t, f);
}

inline mlir::MemRefType globalMemRef(llvm::ArrayRef<int64_t> shape,
                                     mlir::Type elem) {
  mlir::Attribute space = mlir::gpu::AddressSpaceAttr::get(
      elem.getContext(), mlir::gpu::AddressSpace::Global);
  return mlir::MemRefType::get(shape, elem, mlir::MemRefLayoutAttrInterface(),
                               space);
}
inline mlir::MemRefType sharedMemRef(llvm::ArrayRef<int64_t> shape,
                                     mlir::Type elem) {
  mlir::Attribute space = mlir::gpu::AddressSpaceAttr::get(
      elem.getContext(), mlir::gpu::AddressSpace::Workgroup);
  return mlir::MemRefType::get(shape, elem, mlir::MemRefLayoutAttrInterface(),
                               space);
}

/// A `gpu.func` kernel with `argTypes` and a fixed block size; the builder
/// is left at the start of its body.
inline mlir::gpu::GPUFuncOp
createKernel(mlir::OpBuilder &builder, mlir::Location loc,
             llvm::StringRef name, llvm::ArrayRef<mlir::Type> argTypes,
             int64_t blockSize) {
  auto func = mlir::gpu::GPUFuncOp::create(
      builder, loc, name, builder.getFunctionType(argTypes, {}));
  func->setAttr(mlir::gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {static_cast<int32_t>(blockSize), 1, 1}));
  return func;
}

using LoadFn = llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value)>;
using StepFn =
    llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value, llvm::ArrayRef<mlir::Value>, mlir::ValueRange)>;

/// for t in [begin, end): groups of `unroll` steps whose loads (`load(t)`)
/// are all issued before their arithmetic (`step(t, loaded, state)`), then
/// the remaining steps one at a time. Returns the final state. With
/// `prefetch`, group g + 1's loads are issued before group g's arithmetic
/// (carried through the loop), so a warp always has loads in flight instead
/// of alternating between loading and computing.
inline llvm::SmallVector<mlir::Value>
timeLoop(mlir::ImplicitLocOpBuilder &b, mlir::Value begin, mlir::Value end,
         int64_t unroll, mlir::ValueRange init, LoadFn load, StepFn step,
         bool prefetch = false) {
  using mlir::Value;
  Value len = mlir::arith::SubIOp::create(b, end, begin);
  Value groups = mlir::arith::DivUIOp::create(b, len, cIdx(b, unroll));
  Value mid = mlir::arith::AddIOp::create(
      b, begin, mlir::arith::MulIOp::create(b, groups, cIdx(b, unroll)));
  auto stepAt = [&](Value t0, int64_t u) -> Value {
    return u ? Value(mlir::arith::AddIOp::create(b, t0, cIdx(b, u))) : t0;
  };
  // One group's loads, flattened; `sizes` records each step's share.
  llvm::SmallVector<size_t> sizes;
  auto loadGroup = [&](Value t0) {
    llvm::SmallVector<Value> flat;
    sizes.clear();
    for (int64_t u = 0; u < unroll; ++u) {
      llvm::SmallVector<Value> one = load(stepAt(t0, u));
      sizes.push_back(one.size());
      llvm::append_range(flat, one);
    }
    return flat;
  };
  auto computeGroup = [&](Value t0, llvm::ArrayRef<Value> flat,
                          mlir::ValueRange s) {
    llvm::SmallVector<Value> cur(s.begin(), s.end());
    size_t at = 0;
    for (int64_t u = 0; u < unroll; ++u) {
      cur = step(stepAt(t0, u), flat.slice(at, sizes[u]), cur);
      at += sizes[u];
    }
    return cur;
  };
  llvm::SmallVector<Value> state;
  if (!prefetch) {
    state = forLoop(b, begin, mid, cIdx(b, unroll), init,
                    [&](Value t0, mlir::ValueRange s) {
                      return computeGroup(t0, loadGroup(t0), s);
                    });
  } else {
    Value any = mlir::arith::CmpIOp::create(b, mlir::arith::CmpIPredicate::ugt,
                                            groups, cIdx(b, 0));
    auto ifOp = mlir::scf::IfOp::create(b, mlir::TypeRange(init), any,
                                        /*withElseRegion=*/true);
    {
      mlir::OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      llvm::SmallVector<Value> carried(init.begin(), init.end());
      const size_t nState = carried.size();
      llvm::append_range(carried, loadGroup(begin));
      Value second = mlir::arith::AddIOp::create(b, begin, cIdx(b, unroll));
      llvm::SmallVector<Value> last =
          forLoop(b, second, mid, cIdx(b, unroll), carried,
                  [&](Value t0, mlir::ValueRange c) {
                    llvm::SmallVector<Value> next = loadGroup(t0);
                    Value prev =
                        mlir::arith::SubIOp::create(b, t0, cIdx(b, unroll));
                    llvm::SmallVector<Value> out = computeGroup(
                        prev, llvm::SmallVector<Value>(c.drop_front(nState)),
                        c.take_front(nState));
                    llvm::append_range(out, next);
                    return out;
                  });
      Value lastT = mlir::arith::SubIOp::create(b, mid, cIdx(b, unroll));
      mlir::scf::YieldOp::create(
          b, computeGroup(lastT, llvm::ArrayRef<Value>(last).drop_front(nState),
                          llvm::ArrayRef<Value>(last).take_front(nState)));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      mlir::scf::YieldOp::create(b, init);
    }
    state.assign(ifOp.getResults().begin(), ifOp.getResults().end());
  }
  if (unroll == 1)
    return state;
  return forLoop(b, mid, end, cIdx(b, 1), state,
                 [&](Value t, mlir::ValueRange s) {
                   return step(t, load(t), s);
                 });
}

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_KERNELBUILD_H
