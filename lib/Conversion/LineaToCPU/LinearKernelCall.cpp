//===- LinearKernelCall.cpp - linear layers as calls to buffer kernels ----===//
//
// See LinearKernelCall.h: the tensor ↔ buffer call around a generated
// linear-layer kernel, and the tile loops the kernels share.
//
//===----------------------------------------------------------------------===//

#include "LinearKernelCall.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;

namespace linea::cpu_kernels {

namespace {

/// The identity-layout memref of `type`'s shape, dim 0 dynamic when asked.
MemRefType bufferType(Type type, bool dynamicRows) {
  auto tensorType = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(tensorType.getShape());
  if (dynamicRows)
    shape[0] = ShapedType::kDynamic;
  return MemRefType::get(shape, tensorType.getElementType());
}

} // namespace

/// x[..., K] as the rank-2 rows × K the kernel takes.
Value toRows(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return x;
  if (rank == 1)
    return tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
        x, {{0, 1}});
  ReassociationIndices leading(rank - 1);
  std::iota(leading.begin(), leading.end(), 0);
  return tensor::CollapseShapeOp::create(b, loc, x, {leading, {rank - 1}});
}

/// The kernel's rows × N result `y` as `type` (x's leading dims × N).
Value fromRows(OpBuilder &b, Location loc, Value y, Value x,
               RankedTensorType type) {
  int64_t rank = type.getRank();
  if (rank == 2)
    return y;
  if (rank == 1)
    return tensor::CollapseShapeOp::create(b, loc, type, y, {{0, 1}});
  ReassociationIndices leading(rank - 1);
  std::iota(leading.begin(), leading.end(), 0);
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < rank; ++i)
    sizes.push_back(
        type.isDynamicDim(i)
            ? OpFoldResult(tensor::DimOp::create(b, loc, x, i).getResult())
            : OpFoldResult(b.getIndexAttr(type.getDimSize(i))));
  return tensor::ExpandShapeOp::create(b, loc, type, y, {leading, {rank - 1}},
                                       sizes);
}

LogicalResult KernelTiling::verify(Operation *module, StringRef pass) const {
  auto isPow2 = [](int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
  if (isPow2(vectorWidth) && tileM > 0 && tileN > 0 && blockBytes > 0 &&
      minParallelWeights >= 0)
    return success();
  return module->emitError()
         << pass << ": vector-width (" << vectorWidth
         << ") must be a power of two and tile-m (" << tileM << "), tile-n ("
         << tileN << ") and block-bytes (" << blockBytes
         << ") positive, min-parallel-weights (" << minParallelWeights
         << ") not negative";
}

void LinearKernelCalls::replace(
    Operation *op, Value x, ArrayRef<Value> operands, int64_t n, Attribute key,
    function_ref<void(OpBuilder &, Location, ValueRange)> emitBody) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value y = call(b, loc, toRows(b, loc, x), operands, n, key, emitBody);
  op->getResult(0).replaceAllUsesWith(fromRows(
      b, loc, y, x, cast<RankedTensorType>(op->getResult(0).getType())));
  op->erase();
}

Value LinearKernelCalls::call(
    OpBuilder &b, Location loc, Value rows, ArrayRef<Value> operands, int64_t n,
    Attribute key,
    function_ref<void(OpBuilder &, Location, ValueRange)> emitBody) {
  auto rowsType = cast<RankedTensorType>(rows.getType());
  auto yType =
      RankedTensorType::get({rowsType.getDimSize(0), n}, b.getF32Type());
  SmallVector<Value> tensors = {rows};
  tensors.append(operands.begin(), operands.end());
  SmallVector<Type> argTypes;
  for (auto [i, v] : llvm::enumerate(tensors))
    argTypes.push_back(bufferType(v.getType(), i == 0));
  argTypes.push_back(bufferType(yType, true));
  auto funcType = b.getFunctionType(argTypes, {});

  func::FuncOp &kernel = kernels[{funcType, key}];
  if (!kernel) {
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    kernel = func::FuncOp::create(mb, loc, name, funcType);
    kernel.setPrivate();
    symbols.insert(kernel); // renames on collision
    Block *entry = kernel.addEntryBlock();
    OpBuilder kb = OpBuilder::atBlockEnd(entry);
    emitBody(kb, loc, entry->getArguments());
    func::ReturnOp::create(kb, loc);
  }

  // Tensor → buffer at the call; the result buffer is fresh, so its tensor
  // is `restrict` (no other tensor aliases it).
  auto asArg = [&](Value buffer, Type type) -> Value {
    return buffer.getType() == type
               ? buffer
               : memref::CastOp::create(b, loc, type, buffer).getResult();
  };
  SmallVector<Value> args;
  for (auto [i, v] : llvm::enumerate(tensors))
    args.push_back(asArg(bufferization::ToBufferOp::create(
                             b, loc, bufferType(v.getType(), false), v,
                             /*read_only=*/true),
                         argTypes[i]));
  SmallVector<Value> dynamicSizes;
  if (yType.isDynamicDim(0))
    dynamicSizes.push_back(tensor::DimOp::create(b, loc, rows, 0));
  Value yBuffer =
      memref::AllocOp::create(b, loc, bufferType(yType, false), dynamicSizes);
  args.push_back(asArg(yBuffer, argTypes.back()));
  func::CallOp::create(b, loc, kernel, args);
  return bufferization::ToTensorOp::create(b, loc, yType, yBuffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

void DotTileEmitter::forRowTiles(Value mSize, int64_t tileM,
                                 function_ref<void(ArrayRef<Value>)> fn) {
  auto rowsFrom = [&](Value m, int64_t count) {
    SmallVector<Value> rows;
    for (int64_t i = 0; i < count; ++i)
      rows.push_back(add(m, i));
    fn(rows);
  };
  Value mFull = arith::SubIOp::create(
      b, loc, mSize, arith::RemUIOp::create(b, loc, mSize, index(tileM)));
  if (tileM > 1)
    loop(index(0), mFull, tileM, [&](Value m) { rowsFrom(m, tileM); });
  loop(tileM > 1 ? mFull : index(0), mSize, 1,
       [&](Value m) { rowsFrom(m, 1); });
}

void DotTileEmitter::parallelLoop(Value lb, Value ub, int64_t step,
                                  bool parallel, function_ref<void(Value)> fn) {
  if (!parallel)
    return loop(lb, ub, step, fn);
  auto par = scf::ParallelOp::create(b, loc, ValueRange{lb}, ValueRange{ub},
                                     ValueRange{index(step)});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(par.getBody()->getTerminator());
  fn(par.getInductionVars()[0]);
}

void DotTileEmitter::forOutputTiles(
    Value mSize, int64_t n, int64_t tileM, int64_t tileN, int64_t blockRows,
    bool parallel, function_ref<void(ArrayRef<Value>, ArrayRef<Value>)> fn) {
  auto tilesOf = [&](Value n0, int64_t cols) {
    SmallVector<Value> wRows;
    for (int64_t j = 0; j < cols; ++j)
      wRows.push_back(add(n0, j));
    forRowTiles(mSize, tileM, [&](ArrayRef<Value> xRows) { fn(xRows, wRows); });
  };
  int64_t nFull = n - n % tileN;
  if (nFull > 0)
    parallelLoop(index(0), index(nFull), blockRows, parallel, [&](Value n0) {
      Value nEnd =
          arith::MinUIOp::create(b, loc, add(n0, blockRows), index(nFull));
      loop(n0, nEnd, tileN, [&](Value nt) { tilesOf(nt, tileN); });
    });
  if (nFull < n)
    loop(index(nFull), index(n), 1, [&](Value nt) { tilesOf(nt, 1); });
}

SmallVector<Value> DotTileEmitter::zeros(size_t count, VectorType type) {
  type = type ? type : vecType;
  Value zero = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
  return SmallVector<Value>(count, zero);
}

Value DotTileEmitter::load(VectorType type, Value buffer, ValueRange indices,
                           int64_t valid) {
  if (!valid)
    return vector::LoadOp::create(b, loc, type, buffer, indices);
  int64_t lanes = type.getNumElements();
  SmallVector<bool> bits(lanes, false);
  std::fill_n(bits.begin(), std::min(valid, lanes), true);
  auto maskType = VectorType::get({lanes}, b.getI1Type());
  Value mask = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(maskType, ArrayRef<bool>(bits)));
  return vector::MaskedLoadOp::create(b, loc, type, buffer, indices, mask,
                                      zeros(1, type)[0]);
}

SmallVector<Value> DotTileEmitter::forChunks(
    int64_t k, int64_t width, ValueRange acc,
    function_ref<SmallVector<Value>(Value, int64_t, ValueRange)> body) {
  int64_t whole = k - k % width;
  SmallVector<Value> next(acc);
  if (whole > 0)
    next =
        loop(index(0), index(whole), width, next,
             [&](Value c, ValueRange carried) { return body(c, 0, carried); });
  if (whole < k)
    next = body(index(whole), k - whole, next);
  return next;
}

SmallVector<Value> DotTileEmitter::fmaAll(ArrayRef<Value> x, ArrayRef<Value> w,
                                          ValueRange acc) {
  SmallVector<Value> next(acc);
  for (size_t i = 0; i < x.size(); ++i)
    for (size_t j = 0; j < w.size(); ++j)
      next[i * w.size() + j] =
          vector::FMAOp::create(b, loc, x[i], w[j], next[i * w.size() + j]);
  return next;
}

Value DotTileEmitter::laneSum(Value acc) {
  return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc,
                                     arith::FastMathFlags::reassoc);
}

Value DotTileEmitter::loadF32(Value buffer, ValueRange indices) {
  Value v = memref::LoadOp::create(b, loc, buffer, indices);
  return v.getType().isF32()
             ? v
             : arith::ExtFOp::create(b, loc, f32, v).getResult();
}

} // namespace linea::cpu_kernels
