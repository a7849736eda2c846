//===- MmaBuild.h - tensor-core building blocks for gpu.func bodies -*- C++ -*-//
//
// Shared by the flash-attention and chunkwise linear-attention kernels: i32
// index arithmetic, raw pointers into the dynamic shared memory, cp.async
// row copies, ldmatrix.x4 and mma.sync m16n8k16 (bf16/f16 in, f32
// accumulate) as NVVM ops. Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_MMABUILD_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_MMABUILD_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include "KernelBuild.h"

namespace linea::gpu_codegen {

/// The dynamic shared memory, `.extern .shared .align 16 .b8 …[]` in PTX.
/// (gpu.dynamic_shared_memory's internal zero-sized global prints as a
/// one-byte static variable with LLVM 22's NVPTX backend.)
constexpr llvm::StringLiteral kSmemSymbol = "linea_attention_smem";

/// Declares kSmemSymbol in the gpu.module enclosing the builder's insertion
/// point, once.
inline void declareDynamicSmem(mlir::OpBuilder &builder, mlir::Location loc) {
  auto gpuModule = llvm::cast<mlir::gpu::GPUModuleOp>(
      builder.getInsertionBlock()->getParentOp());
  if (gpuModule.lookupSymbol(kSmemSymbol))
    return;
  mlir::OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(gpuModule.getBody());
  mlir::LLVM::GlobalOp::create(
      builder, loc, mlir::LLVM::LLVMArrayType::get(builder.getI8Type(), 0),
      /*isConstant=*/false, mlir::LLVM::Linkage::External, kSmemSymbol,
      mlir::Attribute(), /*alignment=*/16, /*addrSpace=*/3);
}

/// Shared helpers of the tensor-core kernels: constants, i32 arithmetic,
/// pointers.
class KernelBuilder {
public:
  KernelBuilder(mlir::ImplicitLocOpBuilder &b)
      : b(b), ctx(b.getContext()), i32(b.getI32Type()), i64(b.getI64Type()),
        f32(b.getF32Type()),
        ptrGlobal(mlir::LLVM::LLVMPointerType::get(ctx, 1)),
        ptrShared(mlir::LLVM::LLVMPointerType::get(ctx, 3)) {}

protected:
  using Value = mlir::Value;
  Value ci(int64_t v) {
    return mlir::arith::ConstantOp::create(b, b.getI32IntegerAttr(v));
  }
  Value cf(double v) {
    return mlir::arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value add(Value x, Value y) { return mlir::arith::AddIOp::create(b, x, y); }
  Value add(Value x, int64_t y) { return y ? add(x, ci(y)) : x; }
  Value sub(Value x, Value y) { return mlir::arith::SubIOp::create(b, x, y); }
  Value mul(Value x, int64_t y) {
    return mlir::arith::MulIOp::create(b, x, ci(y));
  }
  Value divu(Value x, int64_t y) {
    return mlir::arith::DivUIOp::create(b, x, ci(y));
  }
  Value remu(Value x, int64_t y) {
    return mlir::arith::RemUIOp::create(b, x, ci(y));
  }
  Value minsi(Value x, Value y) {
    return mlir::arith::MinSIOp::create(b, x, y);
  }
  Value cmp(mlir::arith::CmpIPredicate p, Value x, Value y) {
    return mlir::arith::CmpIOp::create(b, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return mlir::arith::SelectOp::create(b, c, x, y);
  }
  Value toIndex(Value v) {
    return mlir::arith::IndexCastOp::create(b, b.getIndexType(), v);
  }
  Value toI32(Value index) {
    return mlir::arith::IndexCastOp::create(b, i32, index);
  }
  Value toI64(Value v) { return mlir::arith::ExtSIOp::create(b, i64, v); }
  Value id(bool block, mlir::gpu::Dimension dim) {
    return toI32(block ? Value(mlir::gpu::BlockIdOp::create(b, dim))
                       : Value(mlir::gpu::ThreadIdOp::create(b, dim)));
  }
  /// Address of a memref's first element as i64.
  Value baseAddress(Value memref) {
    Value p = mlir::memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
    return mlir::arith::IndexCastOp::create(b, i64, p);
  }
  Value exp2(Value x) {
    return mlir::LLVM::CallIntrinsicOp::create(
               b, f32, b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f"),
               mlir::ValueRange{x})
        ->getResult(0);
  }
  Value warpXor(Value v, int32_t offset) {
    return mlir::gpu::ShuffleOp::create(b, v, offset, 32,
                                        mlir::gpu::ShuffleMode::XOR)
        .getShuffleResult();
  }

  /// The key tiles (of `bc` keys, T keys in all) that query rows qRow0 …
  /// qRow0 + br − 1 of S visit, as (end, full): tiles [0, full) need no
  /// mask, [full, end) the causal one (row i sees keys j ≤ i + T − S; a
  /// block whose rows see no key gets end = 0).
  std::pair<Value, Value> keyTileRange(Value qRow0, int64_t br, int64_t s,
                                       int64_t t, int64_t bc, bool causal) {
    const int64_t tiles = (t + bc - 1) / bc;
    if (!causal)
      return {ci(tiles), ci(t / bc)};
    const int64_t off = t - s;
    Value last = add(qRow0, br - 1 + off);
    Value zero = ci(0);
    Value end = select(
        cmp(mlir::arith::CmpIPredicate::slt, last, zero), zero,
        minsi(add(mlir::arith::DivSIOp::create(b, last, ci(bc)), 1),
              ci(tiles)));
    Value first = add(qRow0, off + 1);
    Value full =
        select(cmp(mlir::arith::CmpIPredicate::slt, first, zero), zero,
               mlir::arith::DivSIOp::create(b, first, ci(bc)));
    return {end, minsi(minsi(full, ci(t / bc)), end)};
  }

  /// The multi-stage cp.async main loop of the tiled GEMM kernels: steps
  /// 0 … stages − 2 issued ahead (`issue(step, slot)`, one commit group
  /// each); then per step kt: wait for its stage, barrier, issue step
  /// kt + stages − 1 into the slot the barrier freed, commit, and
  /// `compute(kt, slot of kt, state)`. Ends with every copy waited for.
  llvm::SmallVector<Value>
  cpAsyncPipeline(int64_t steps, int64_t stages, mlir::ValueRange init,
                  llvm::function_ref<void(Value, Value)> issue,
                  llvm::function_ref<void(Value, Value,
                                          llvm::SmallVector<Value> &)>
                      compute) {
    for (int64_t s = 0; s + 1 < stages; ++s) {
      if (s < steps)
        issue(ci(s), ci(s));
      mlir::NVVM::CpAsyncCommitGroupOp::create(b);
    }
    llvm::SmallVector<Value> out = forLoop(
        b, cIdx(b, 0), cIdx(b, steps), cIdx(b, 1), init,
        [&](Value ktIndex, mlir::ValueRange in) {
          llvm::SmallVector<Value> state(in.begin(), in.end());
          Value kt = toI32(ktIndex);
          mlir::NVVM::CpAsyncWaitGroupOp::create(b, stages - 2);
          mlir::gpu::BarrierOp::create(b);
          Value next = add(kt, stages - 1);
          ifThen(b, cmp(mlir::arith::CmpIPredicate::slt, next, ci(steps)),
                 [&] { issue(next, remu(next, stages)); });
          mlir::NVVM::CpAsyncCommitGroupOp::create(b);
          compute(kt, remu(kt, stages), state);
          return state;
        });
    mlir::NVVM::CpAsyncWaitGroupOp::create(b, 0);
    return out;
  }

  mlir::ImplicitLocOpBuilder &b;
  mlir::MLIRContext *ctx;
  mlir::Type i32, i64, f32, ptrGlobal, ptrShared;
};

/// KernelBuilder plus the warp-level matrix operations on 16-bit `elem`
/// (bf16 or f16) operands in the dynamic shared memory.
class MmaBuilder : public KernelBuilder {
public:
  MmaBuilder(mlir::ImplicitLocOpBuilder &b, mlir::Type elem)
      : KernelBuilder(b), elem(elem), isF16(elem.isF16()) {}

protected:
  /// Sets smemBase to the dynamic shared memory (declared by
  /// declareDynamicSmem).
  void bindSmem() {
    smemBase = mlir::LLVM::AddressOfOp::create(b, ptrShared, kSmemSymbol);
  }
  /// Pointer to byte `offset` (i32) of the dynamic shared memory.
  Value sharedPtr(Value offset) {
    return mlir::LLVM::GEPOp::create(b, ptrShared, b.getI8Type(), smemBase,
                                     mlir::ValueRange{offset});
  }
  /// The four 8×8 matrices of one ldmatrix.x4 at byte `offset` (.trans when
  /// `trans`), as mma operands.
  llvm::SmallVector<Value, 4> ldmatrix4(Value offset, bool trans) {
    using namespace mlir;
    Type i32x4 = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, i32, i32});
    Value m = NVVM::LdMatrixOp::create(
        b, i32x4, sharedPtr(offset), 4,
        trans ? NVVM::MMALayout::col : NVVM::MMALayout::row,
        NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8),
        NVVM::LdStMatrixEltType::B16);
    llvm::SmallVector<Value, 4> out;
    for (int64_t i = 0; i < 4; ++i) {
      Value v = LLVM::ExtractValueOp::create(b, m, ArrayRef<int64_t>{i});
      if (isF16)
        v = LLVM::BitcastOp::create(b, VectorType::get({2}, elem), v);
      out.push_back(v);
    }
    return out;
  }
  /// c + a·b on one m16n8k16 tile (a row-major, b column-major).
  void mma(llvm::ArrayRef<Value> a, Value b0, Value b1,
           llvm::MutableArrayRef<Value> c) {
    using namespace mlir;
    Type f32x4 = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
    NVVM::MMATypes t = isF16 ? NVVM::MMATypes::f16 : NVVM::MMATypes::bf16;
    Value d = NVVM::MmaOp::create(
        b, f32x4, a, ValueRange{b0, b1}, c, ArrayRef<int64_t>{16, 8, 16},
        std::nullopt, std::nullopt, std::array<NVVM::MMATypes, 2>{t, t},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    for (int64_t i = 0; i < 4; ++i)
      c[i] = LLVM::ExtractValueOp::create(b, d, ArrayRef<int64_t>{i});
  }
  /// Two f32 as one packed 16-bit mma operand.
  Value pack(Value lo, Value hi) {
    using namespace mlir;
    Value pair = vector::FromElementsOp::create(b, VectorType::get({2}, f32),
                                                ValueRange{lo, hi});
    Value half = arith::TruncFOp::create(b, VectorType::get({2}, elem), pair);
    return isF16 ? half : Value(LLVM::BitcastOp::create(b, i32, half));
  }
  /// The two f32 values of a packed 16-bit mma operand.
  std::pair<Value, Value> unpack(Value packed) {
    using namespace mlir;
    Type pairType = VectorType::get({2}, elem);
    Value half =
        isF16 ? packed : Value(LLVM::BitcastOp::create(b, pairType, packed));
    Value wide =
        arith::ExtFOp::create(b, VectorType::get({2}, f32), half);
    return {vector::ExtractOp::create(b, wide, 0),
            vector::ExtractOp::create(b, wide, 1)};
  }

  mlir::Type elem;
  bool isF16;
  Value smemBase;
};

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_MMABUILD_H
