//===- EmitUtils.cpp - IR and host-folding helpers of the handlers --------===//

#include "EmitUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;

namespace linea::onnx_import {

std::optional<SmallVector<int64_t>>
broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (ArrayRef<int64_t> s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> out(rank, 1);
  for (ArrayRef<int64_t> s : shapes) {
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &o = out[rank - s.size() + i];
      if (s[i] == o || s[i] == 1)
        continue;
      if (o != 1)
        return std::nullopt;
      o = s[i];
    }
  }
  return out;
}

AffineMap broadcastMap(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                       MLIRContext *context) {
  SmallVector<AffineExpr> exprs;
  size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == 1 && out[lead + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(lead + i, context));
  }
  return AffineMap::get(out.size(), 0, exprs, context);
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

RankedTensorType tensorType(ArrayRef<int64_t> shape, Type elem) {
  return RankedTensorType::get(shape, elem);
}

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elem) {
  return tensor::EmptyOp::create(b, loc, shape, elem);
}

Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Value value) {
  Value empty = emptyTensor(b, loc, shape, value.getType());
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{empty})
      .getResult(0);
}

TypedAttr scalarAttr(Type type, double v) {
  if (auto f = dyn_cast<FloatType>(type))
    return FloatAttr::get(f, v);
  auto i = cast<IntegerType>(type);
  if (i.getWidth() == 1)
    return IntegerAttr::get(i, v != 0 ? 1 : 0);
  return IntegerAttr::get(i, APInt(i.getWidth(), uint64_t(int64_t(v)),
                                   /*isSigned=*/true, /*implicitTrunc=*/true));
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc, scalarAttr(type, v));
}

Value mapElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                     ArrayRef<int64_t> outShape, Type outElem, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(
        broadcastMap(cast<RankedTensorType>(in.getType()).getShape(), outShape,
                     ctx));
  maps.push_back(AffineMap::getMultiDimIdentityMap(outShape.size(), ctx));
  SmallVector<utils::IteratorType> iters(outShape.size(),
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, outShape, outElem);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value r = body(nb, l, args.drop_back());
        linalg::YieldOp::create(nb, l, r);
      });
  return op.getResult(0);
}

Value generateTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                     Type elem, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  Value init = emptyTensor(b, loc, shape, elem);
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(shape.size(), ctx)};
  SmallVector<utils::IteratorType> iters(shape.size(),
                                         utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init}, maps,
      iters, [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> ivs;
        for (size_t d = 0; d < shape.size(); ++d)
          ivs.push_back(linalg::IndexOp::create(nb, l, d));
        linalg::YieldOp::create(nb, l, body(nb, l, ivs));
      });
  return op.getResult(0);
}

/// Groups of `big`'s dims whose products are `small`'s dims, if any.
static std::optional<SmallVector<ReassociationIndices>>
regroup(ArrayRef<int64_t> big, ArrayRef<int64_t> small) {
  if (small.empty()) {
    if (llvm::all_of(big, [](int64_t d) { return d == 1; }))
      return SmallVector<ReassociationIndices>{};
    return std::nullopt;
  }
  auto groups = getReassociationIndicesForCollapse(big, small);
  if (!groups || groups->size() != small.size())
    return std::nullopt;
  for (auto [group, dim] : llvm::zip(*groups, small)) {
    int64_t product = 1;
    for (int64_t i : group)
      product *= big[i];
    if (product != dim)
      return std::nullopt;
  }
  return groups;
}

Value reshapeTo(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  ArrayRef<int64_t> src = type.getShape();
  if (src == shape)
    return value;
  Type elem = type.getElementType();
  auto result = tensorType(shape, elem);
  if (src.size() > shape.size())
    if (auto groups = regroup(src, shape))
      return tensor::CollapseShapeOp::create(b, loc, result, value, *groups);
  if (src.size() < shape.size())
    if (auto groups = regroup(shape, src))
      return tensor::ExpandShapeOp::create(b, loc, result, value, *groups);
  int64_t n = type.getNumElements();
  if (n == 0)
    return emptyTensor(b, loc, shape, elem);
  // No regrouping: go through the flat vector (a rank-0 tensor is [1]).
  auto all = [](size_t rank) {
    ReassociationIndices group;
    for (size_t i = 0; i < rank; ++i)
      group.push_back(i);
    return SmallVector<ReassociationIndices>{group};
  };
  auto flatType = tensorType({n}, elem);
  Value flat =
      src.empty()
          ? Value(tensor::ExpandShapeOp::create(
                b, loc, flatType, value, ArrayRef<ReassociationIndices>{}))
          : Value(tensor::CollapseShapeOp::create(b, loc, flatType, value,
                                                  all(src.size())));
  if (shape.empty())
    return tensor::CollapseShapeOp::create(b, loc, result, flat,
                                           ArrayRef<ReassociationIndices>{});
  return tensor::ExpandShapeOp::create(b, loc, result, flat,
                                       all(shape.size()));
}

Value transposeTo(OpBuilder &b, Location loc, Value value,
                  ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return value;
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init = emptyTensor(b, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, value, init, perm).getResult()[0];
}

Value reduce(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> axes,
             bool keepDims, Type accElem, Value init, BodyFn combine) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> outShape, keptShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iters.push_back(reduced ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
    keptShape.push_back(reduced ? 1 : type.getDimSize(d));
    if (!reduced) {
      outShape.push_back(type.getDimSize(d));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
  }
  Value acc = filledTensor(b, loc, outShape, init);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{acc.getType()}, ValueRange{value}, ValueRange{acc},
      maps, iters, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value elem = args[0];
        if (elem.getType() != accElem)
          elem = arith::ExtFOp::create(nb, l, accElem, elem);
        linalg::YieldOp::create(nb, l, combine(nb, l, {elem, args[1]}));
      });
  Value result = op.getResult(0);
  return keepDims ? reshapeTo(b, loc, result, keptShape) : result;
}

Value convertScalar(OpBuilder &b, Location loc, Value v, ElemKind fromKind,
                    ElemKind toKind) {
  Type to = mlirElemType(toKind, b.getContext());
  Type from = v.getType();
  if (from == to)
    return v;
  if (toKind == ElemKind::Bool) {
    Value zero = scalarConstant(b, loc, from, 0);
    if (isa<FloatType>(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  if (isa<FloatType>(from) && isa<FloatType>(to)) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, loc, to, v);
    if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
      return arith::TruncFOp::create(b, loc, to, v);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (isa<FloatType>(from)) {
    if (isUnsigned(toKind))
      return arith::FPToUIOp::create(b, loc, to, v);
    return arith::FPToSIOp::create(b, loc, to, v);
  }
  if (isa<FloatType>(to)) {
    if (isUnsigned(fromKind))
      return arith::UIToFPOp::create(b, loc, to, v);
    return arith::SIToFPOp::create(b, loc, to, v);
  }
  unsigned fromBits = from.getIntOrFloatBitWidth();
  unsigned toBits = to.getIntOrFloatBitWidth();
  if (fromBits > toBits)
    return arith::TruncIOp::create(b, loc, to, v);
  if (isUnsigned(fromKind))
    return arith::ExtUIOp::create(b, loc, to, v);
  return arith::ExtSIOp::create(b, loc, to, v);
}

Value convertTensor(OpBuilder &b, Location loc, Value value, ElemKind fromKind,
                    ElemKind toKind) {
  auto type = cast<RankedTensorType>(value.getType());
  Type to = mlirElemType(toKind, b.getContext());
  if (type.getElementType() == to)
    return value;
  return mapElementwise(b, loc, value, type.getShape(), to,
                        [&](OpBuilder &nb, Location l, ValueRange args) {
                          return convertScalar(nb, l, args[0], fromKind,
                                               toKind);
                        });
}

Type computeType(ElemKind kind, MLIRContext *context) {
  if (kind == ElemKind::F16 || kind == ElemKind::BF16)
    return Float32Type::get(context);
  return mlirElemType(kind, context);
}

Value toCompute(OpBuilder &b, Location loc, Value v) {
  Type t = v.getType();
  if (t.isF16() || t.isBF16())
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  return v;
}

Value fromCompute(OpBuilder &b, Location loc, Value v, Type elem) {
  if (v.getType() == elem)
    return v;
  return arith::TruncFOp::create(b, loc, elem, v);
}

void forEachIndex(ArrayRef<int64_t> shape,
                  function_ref<void(int64_t, ArrayRef<int64_t>)> fn) {
  int64_t n = numElementsOf(shape).value_or(0);
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t e = 0; e < n; ++e) {
    fn(e, index);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

void forEachBroadcast(ArrayRef<ArrayRef<int64_t>> ins, ArrayRef<int64_t> out,
                      function_ref<void(int64_t, ArrayRef<int64_t>)> fn) {
  size_t rank = out.size();
  // strides[k][d]: step of input k's linear index along output dim d.
  SmallVector<SmallVector<int64_t>> strides;
  for (ArrayRef<int64_t> in : ins) {
    SmallVector<int64_t> own = stridesOf(in);
    SmallVector<int64_t> s(rank, 0);
    for (size_t i = 0; i < in.size(); ++i)
      if (in[i] != 1)
        s[rank - in.size() + i] = own[i];
    strides.push_back(std::move(s));
  }
  SmallVector<int64_t> linear(ins.size(), 0);
  forEachIndex(out, [&](int64_t e, ArrayRef<int64_t> index) {
    for (size_t k = 0; k < ins.size(); ++k) {
      int64_t l = 0;
      for (size_t d = 0; d < rank; ++d)
        l += index[d] * strides[k][d];
      linear[k] = l;
    }
    fn(e, linear);
  });
}

} // namespace linea::onnx_import
