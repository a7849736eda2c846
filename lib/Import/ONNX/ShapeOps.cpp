//===- ShapeOps.cpp - shapes, data movement and constants -----------------===//
//
// Every shape is static, so Shape/Size are always folded, and the inputs
// that describe shapes (Reshape's shape, Slice's starts/ends, Unsqueeze's
// axes, Expand's shape, ...) must be known at import time. With constant
// data the ops fold on the host (torch's Shape→Gather→Concat→Reshape chains
// vanish); otherwise they become tensor.expand_shape/collapse_shape,
// extract_slice/insert_slice, linalg.transpose or a linalg.generic that
// reads its input with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "Elementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace linea::onnx_import {
namespace {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// True when `c` is known and a result of `shape` may be folded from it.
bool foldable(const ConstData *c, ArrayRef<int64_t> shape) {
  return c && (c->isSplat() ||
               numElementsOf(shape).value_or(INT64_MAX) <=
                   NodeContext::kFoldLimit);
}

/// The constant of `shape` whose element at multi-index `idx` is element
/// `srcIndex(idx)` of `src` (a splat stays a splat).
ConstData gatherConst(const ConstData &src, ArrayRef<int64_t> shape,
                      function_ref<int64_t(ArrayRef<int64_t>)> srcIndex) {
  if (src.isSplat())
    return ConstData(src.kind(), SmallVector<int64_t>(shape), src.getStorage(),
                     /*splat=*/true);
  ConstData out = ConstData::zeros(src.kind(), shape);
  forEachIndex(shape, [&](int64_t o, ArrayRef<int64_t> idx) {
    out.copyElement(o, src, srcIndex(idx));
  });
  return out;
}

/// Linear index of `idx` in a row-major tensor with `strides`.
int64_t linear(ArrayRef<int64_t> idx, ArrayRef<int64_t> strides) {
  int64_t l = 0;
  for (auto [i, s] : llvm::zip(idx, strides))
    l += i * s;
  return l;
}

/// Defines output 0 as input 0 reshaped to `shape`.
LogicalResult emitReshape(NodeContext &ctx, ArrayRef<int64_t> shape) {
  if (!numElementsOf(shape) || product(shape) != product(ctx.shape(0)))
    return ctx.error("cannot reshape " + NodeContext::str(ctx.shape(0)) +
                     " to " + NodeContext::str(shape));
  if (const ConstData *c = ctx.constant(0)) {
    ctx.setOutput(0, c->reshaped(shape));
    return success();
  }
  ctx.setOutput(0, reshapeTo(ctx.b, ctx.loc, ctx.value(0), shape),
                ctx.kind(0));
  return success();
}

LogicalResult reshapeHandler(NodeContext &ctx) {
  auto spec = ctx.requireInts(1, "shape");
  if (failed(spec))
    return failure();
  bool allowZero = ctx.attrInt("allowzero", 0);
  ArrayRef<int64_t> in = ctx.shape(0);
  SmallVector<int64_t> shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*spec)) {
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return ctx.error("shape[" + std::to_string(i) +
                         "] is 0 (copy) but the input has rank " +
                         std::to_string(in.size()));
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return ctx.error("shape has more than one -1");
      inferred = i;
      shape.push_back(1);
      continue;
    }
    if (d < 0)
      return ctx.error("shape[" + std::to_string(i) + "] is " +
                       std::to_string(d));
    shape.push_back(d);
    known *= d;
  }
  int64_t total = product(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return ctx.error("cannot infer the -1 of shape " +
                       NodeContext::str(*spec) + " for input " +
                       NodeContext::str(in));
    shape[inferred] = total / known;
  }
  return emitReshape(ctx, shape);
}

LogicalResult flattenHandler(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < -rank || axis > rank)
    return ctx.error("axis " + std::to_string(axis) +
                     " is out of range for rank " + std::to_string(rank));
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> in = ctx.shape(0);
  return emitReshape(ctx, {product(in.take_front(axis)),
                           product(in.drop_front(axis))});
}

/// Unsqueeze: `axes` refer to the output's dims.
LogicalResult emitUnsqueeze(NodeContext &ctx, ArrayRef<int64_t> axes) {
  int64_t outRank = ctx.rank(0) + axes.size();
  SmallVector<bool> inserted(outRank, false);
  for (int64_t a : axes) {
    auto axis = ctx.normalizeAxis(a, outRank, "axis");
    if (failed(axis))
      return failure();
    if (inserted[*axis])
      return ctx.error("axis " + std::to_string(a) + " appears twice");
    inserted[*axis] = true;
  }
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> in = ctx.shape(0);
  for (int64_t d = 0, k = 0; d < outRank; ++d)
    shape.push_back(inserted[d] ? 1 : in[k++]);
  return emitReshape(ctx, shape);
}

LogicalResult emitSqueeze(NodeContext &ctx, std::optional<SmallVector<int64_t>> axes) {
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t rank = in.size();
  SmallVector<bool> removed(rank, false);
  if (!axes || axes->empty()) {
    for (int64_t d = 0; d < rank; ++d)
      removed[d] = in[d] == 1;
  } else {
    for (int64_t a : *axes) {
      auto axis = ctx.normalizeAxis(a, rank, "axis");
      if (failed(axis))
        return failure();
      if (in[*axis] != 1)
        return ctx.error("cannot squeeze axis " + std::to_string(a) +
                         " of size " + std::to_string(in[*axis]));
      removed[*axis] = true;
    }
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!removed[d])
      shape.push_back(in[d]);
  return emitReshape(ctx, shape);
}

LogicalResult unsqueezeHandler(NodeContext &ctx) {
  if (ctx.since() < 13) {
    auto axes = ctx.attrInts("axes");
    if (!axes)
      return ctx.error("missing attribute 'axes'");
    return emitUnsqueeze(ctx, *axes);
  }
  auto axes = ctx.requireInts(1, "axes");
  if (failed(axes))
    return failure();
  return emitUnsqueeze(ctx, *axes);
}

LogicalResult squeezeHandler(NodeContext &ctx) {
  if (ctx.since() < 13)
    return emitSqueeze(ctx, ctx.attrInts("axes"));
  if (!ctx.hasInput(1))
    return emitSqueeze(ctx, std::nullopt);
  auto axes = ctx.requireInts(1, "axes");
  if (failed(axes))
    return failure();
  return emitSqueeze(ctx, *axes);
}

LogicalResult transposeHandler(NodeContext &ctx) {
  int64_t rank = ctx.rank(0);
  SmallVector<int64_t> perm;
  if (auto p = ctx.attrInts("perm"))
    perm = *p;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  SmallVector<bool> seen(rank, false);
  if (int64_t(perm.size()) != rank)
    return ctx.error("perm has " + std::to_string(perm.size()) +
                     " entries for rank " + std::to_string(rank));
  for (int64_t &p : perm) {
    if (p < 0)
      p += rank;
    if (p < 0 || p >= rank || seen[p])
      return ctx.error("perm is not a permutation of 0.." +
                       std::to_string(rank - 1));
    seen[p] = true;
  }
  ArrayRef<int64_t> in = ctx.shape(0);
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(in[p]);
  const ConstData *c = ctx.constant(0);
  if (foldable(c, shape)) {
    SmallVector<int64_t> strides = stridesOf(in);
    ctx.setOutput(0, gatherConst(*c, shape, [&](ArrayRef<int64_t> idx) {
                    int64_t l = 0;
                    for (int64_t d = 0; d < rank; ++d)
                      l += idx[d] * strides[perm[d]];
                    return l;
                  }));
    return success();
  }
  ctx.setOutput(0, transposeTo(ctx.b, ctx.loc, ctx.value(0), perm),
                ctx.kind(0));
  return success();
}

LogicalResult concatHandler(NodeContext &ctx) {
  SmallVector<unsigned> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i))
      inputs.push_back(i);
  if (inputs.empty())
    return ctx.error("needs at least one input");
  ArrayRef<int64_t> first = ctx.shape(inputs[0]);
  int64_t rank = first.size();
  auto axisOr = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank, "axis");
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr;
  ElemKind kind = ctx.kind(inputs[0]);
  SmallVector<int64_t> shape(first);
  shape[axis] = 0;
  for (unsigned i : inputs) {
    ArrayRef<int64_t> s = ctx.shape(i);
    bool ok = int64_t(s.size()) == rank && ctx.kind(i) == kind;
    for (int64_t d = 0; ok && d < rank; ++d)
      ok = d == axis || s[d] == first[d];
    if (!ok)
      return ctx.error("input " + std::to_string(i) + " is " +
                       elemName(ctx.kind(i)) + NodeContext::str(s) +
                       ", which does not concatenate with " + elemName(kind) +
                       NodeContext::str(first) + " along axis " +
                       std::to_string(axis));
    shape[axis] += s[axis];
  }
  bool allConst = llvm::all_of(inputs, [&](unsigned i) {
    return ctx.constant(i) != nullptr;
  });
  if (allConst && product(shape) <= NodeContext::kFoldLimit) {
    ConstData out = ConstData::zeros(kind, shape);
    SmallVector<int64_t> outStrides = stridesOf(shape);
    int64_t offset = 0;
    for (unsigned i : inputs) {
      const ConstData &c = *ctx.constant(i);
      forEachIndex(c.shape(), [&](int64_t e, ArrayRef<int64_t> idx) {
        SmallVector<int64_t> o(idx);
        o[axis] += offset;
        out.copyElement(linear(o, outStrides), c, e);
      });
      offset += c.shape()[axis];
    }
    ctx.setOutput(0, std::move(out));
    return success();
  }
  Value result =
      emptyTensor(ctx.b, ctx.loc, shape, mlirElemType(kind, ctx.context()));
  int64_t offset = 0;
  for (unsigned i : inputs) {
    ArrayRef<int64_t> s = ctx.shape(i);
    if (s[axis] == 0)
      continue;
    SmallVector<OpFoldResult> offsets(rank, ctx.b.getIndexAttr(0)), sizes,
        strides(rank, ctx.b.getIndexAttr(1));
    offsets[axis] = ctx.b.getIndexAttr(offset);
    for (int64_t d : s)
      sizes.push_back(ctx.b.getIndexAttr(d));
    // Destination style: copy into the slice of the result, then insert
    // that slice back. Bufferization does this in place; a plain
    // insert_slice would become a strided memref.copy, which lowers to a
    // call into MLIR's C runner library.
    auto sliceType = tensorType(s, mlirElemType(kind, ctx.context()));
    Value dest = tensor::ExtractSliceOp::create(ctx.b, ctx.loc, sliceType,
                                                result, offsets, sizes, strides);
    Value copied = linalg::CopyOp::create(ctx.b, ctx.loc, ctx.value(i), dest)
                       .getResult(0);
    result = tensor::InsertSliceOp::create(ctx.b, ctx.loc, copied, result,
                                           offsets, sizes, strides);
    offset += s[axis];
  }
  ctx.setOutput(0, result, kind);
  return success();
}

/// Defines output `out` as the slice of input 0 with per-dim `starts`,
/// `sizes` and `steps` (steps may be negative).
void emitSlice(NodeContext &ctx, unsigned out, ArrayRef<int64_t> starts,
               ArrayRef<int64_t> sizes, ArrayRef<int64_t> steps) {
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t rank = in.size();
  const ConstData *c = ctx.constant(0);
  auto srcIndex = [&](ArrayRef<int64_t> idx) {
    SmallVector<int64_t> strides = stridesOf(in);
    int64_t l = 0;
    for (int64_t d = 0; d < rank; ++d)
      l += (starts[d] + idx[d] * steps[d]) * strides[d];
    return l;
  };
  if (foldable(c, sizes)) {
    ctx.setOutput(out, gatherConst(*c, sizes, srcIndex));
    return;
  }
  Type elem = mlirElemType(ctx.kind(0), ctx.context());
  if (product(sizes) == 0) {
    ctx.setOutput(out, emptyTensor(ctx.b, ctx.loc, sizes, elem), ctx.kind(0));
    return;
  }
  Value src = ctx.value(0);
  if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
    SmallVector<OpFoldResult> o, s, st;
    for (int64_t d = 0; d < rank; ++d) {
      o.push_back(ctx.b.getIndexAttr(starts[d]));
      s.push_back(ctx.b.getIndexAttr(sizes[d]));
      st.push_back(ctx.b.getIndexAttr(steps[d]));
    }
    auto type = tensorType(sizes, elem);
    Value r = tensor::ExtractSliceOp::create(ctx.b, ctx.loc, type, src, o, s,
                                             st);
    // A dense copy of the slice: a strided view reaching a reshape or the
    // function results would need memref.copy's C runtime helper.
    if (r.getType() != src.getType())
      r = linalg::CopyOp::create(ctx.b, ctx.loc, r,
                                 emptyTensor(ctx.b, ctx.loc, sizes, elem))
              .getResult(0);
    ctx.setOutput(out, r, ctx.kind(0));
    return;
  }
  // Negative steps: read each element with tensor.extract.
  Value r = generateTensor(
      ctx.b, ctx.loc, sizes, elem,
      [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
        SmallVector<Value> idx;
        for (int64_t d = 0; d < rank; ++d) {
          Value scaled = arith::MulIOp::create(
              b, l, ivs[d], arith::ConstantIndexOp::create(b, l, steps[d]));
          idx.push_back(arith::AddIOp::create(
              b, l, scaled, arith::ConstantIndexOp::create(b, l, starts[d])));
        }
        return tensor::ExtractOp::create(b, l, src, idx);
      });
  ctx.setOutput(out, r, ctx.kind(0));
}

LogicalResult emitSliceFromSpec(NodeContext &ctx, ArrayRef<int64_t> startsIn,
                                ArrayRef<int64_t> endsIn,
                                std::optional<SmallVector<int64_t>> axesIn,
                                std::optional<SmallVector<int64_t>> stepsIn) {
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t rank = in.size();
  size_t n = startsIn.size();
  if (endsIn.size() != n || (axesIn && axesIn->size() != n) ||
      (stepsIn && stepsIn->size() != n))
    return ctx.error("starts, ends, axes and steps have different lengths");
  SmallVector<int64_t> starts(rank, 0), sizes(in), steps(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    auto axis = ctx.normalizeAxis(axesIn ? (*axesIn)[i] : int64_t(i), rank,
                                  "axis");
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return ctx.error("axis " + std::to_string(*axis) + " appears twice");
    seen[*axis] = true;
    int64_t dim = in[*axis];
    int64_t step = stepsIn ? (*stepsIn)[i] : 1;
    if (step == 0)
      return ctx.error("step 0 on axis " + std::to_string(*axis));
    int64_t s = startsIn[i], e = endsIn[i];
    if (s < 0)
      s = s < -dim ? -1 : s + dim;
    if (e < 0)
      e = e < -dim ? -1 : e + dim;
    int64_t size;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      size = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      size = s > e ? (s - e + (-step) - 1) / (-step) : 0;
    }
    starts[*axis] = s;
    sizes[*axis] = size;
    steps[*axis] = step;
  }
  emitSlice(ctx, 0, starts, sizes, steps);
  return success();
}

LogicalResult sliceHandler(NodeContext &ctx) {
  if (ctx.since() < 10) {
    auto starts = ctx.attrInts("starts"), ends = ctx.attrInts("ends");
    if (!starts || !ends)
      return ctx.error("missing attribute 'starts' or 'ends'");
    return emitSliceFromSpec(ctx, *starts, *ends, ctx.attrInts("axes"),
                             std::nullopt);
  }
  auto starts = ctx.requireInts(1, "starts");
  if (failed(starts))
    return failure();
  auto ends = ctx.requireInts(2, "ends");
  if (failed(ends))
    return failure();
  std::optional<SmallVector<int64_t>> axes, steps;
  if (ctx.hasInput(3)) {
    auto a = ctx.requireInts(3, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  if (ctx.hasInput(4)) {
    auto s = ctx.requireInts(4, "steps");
    if (failed(s))
      return failure();
    steps = *s;
  }
  return emitSliceFromSpec(ctx, *starts, *ends, axes, steps);
}

LogicalResult splitHandler(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t rank = in.size();
  auto axisOr = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank, "axis");
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr, dim = in[axis];
  int64_t outputs = ctx.numOutputs();
  SmallVector<int64_t> split;
  if (ctx.since() < 13) {
    if (auto s = ctx.attrInts("split"))
      split = *s;
  } else if (ctx.hasInput(1)) {
    auto s = ctx.requireInts(1, "split");
    if (failed(s))
      return failure();
    split = *s;
  }
  if (split.empty()) {
    if (ctx.since() >= 18 && ctx.attr("num_outputs")) {
      int64_t n = ctx.attrInt("num_outputs", outputs);
      if (n != outputs || n <= 0)
        return ctx.error("num_outputs is " + std::to_string(n) +
                         " but the node has " + std::to_string(outputs) +
                         " outputs");
      // All chunks ceil(dim / n) but the last, which takes what is left.
      int64_t chunk = (dim + n - 1) / n;
      for (int64_t i = 0; i < n; ++i)
        split.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
    } else {
      if (outputs == 0 || dim % outputs)
        return ctx.error("cannot split dim " + std::to_string(dim) +
                         " into " + std::to_string(outputs) + " equal parts");
      split.assign(outputs, dim / outputs);
    }
  }
  if (int64_t(split.size()) != outputs)
    return ctx.error("split has " + std::to_string(split.size()) +
                     " entries but the node has " + std::to_string(outputs) +
                     " outputs");
  int64_t total = 0;
  for (int64_t s : split) {
    if (s < 0)
      return ctx.error("split has a negative size");
    total += s;
  }
  if (total != dim)
    return ctx.error("split sizes add up to " + std::to_string(total) +
                     " but axis " + std::to_string(axis) + " has " +
                     std::to_string(dim));
  int64_t offset = 0;
  for (int64_t i = 0; i < outputs; ++i) {
    SmallVector<int64_t> starts(rank, 0), sizes(in), steps(rank, 1);
    starts[axis] = offset;
    sizes[axis] = split[i];
    if (ctx.hasOutput(i))
      emitSlice(ctx, i, starts, sizes, steps);
    offset += split[i];
  }
  return success();
}

LogicalResult gatherHandler(NodeContext &ctx) {
  ArrayRef<int64_t> data = ctx.shape(0), indices = ctx.shape(1);
  int64_t rank = data.size(), q = indices.size();
  if (rank == 0)
    return ctx.error("data must have rank >= 1");
  if (isFloat(ctx.kind(1)) || ctx.kind(1) == ElemKind::Bool)
    return ctx.error("indices must be integers");
  auto axisOr = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank, "axis");
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr, dim = data[axis];
  SmallVector<int64_t> shape(data.take_front(axis));
  shape.append(indices.begin(), indices.end());
  shape.append(data.begin() + axis + 1, data.end());
  int64_t outRank = shape.size();

  const ConstData *c = ctx.constant(0);
  const ConstData *idxConst = ctx.constant(1);
  if (idxConst) {
    for (int64_t i = 0, n = idxConst->numElements(); i < n; ++i) {
      int64_t v = idxConst->getInt(i);
      if (v < -dim || v >= dim)
        return ctx.error("index " + std::to_string(v) +
                         " is out of range for axis " + std::to_string(axis) +
                         " of size " + std::to_string(dim));
    }
  }
  if (idxConst && foldable(c, shape)) {
    SmallVector<int64_t> strides = stridesOf(data), idxStrides =
                                                        stridesOf(indices);
    ctx.setOutput(0, gatherConst(*c, shape, [&](ArrayRef<int64_t> o) {
                    int64_t l = 0;
                    for (int64_t d = 0; d < axis; ++d)
                      l += o[d] * strides[d];
                    int64_t v = idxConst->getInt(
                        linear(o.slice(axis, q), idxStrides));
                    if (v < 0)
                      v += dim;
                    l += v * strides[axis];
                    for (int64_t d = axis + 1; d < rank; ++d)
                      l += o[d - 1 + q] * strides[d];
                    return l;
                  }));
    return success();
  }
  MLIRContext *mctx = ctx.context();
  Value src = ctx.value(0), idx = ctx.value(1);
  SmallVector<AffineExpr> idxExprs;
  for (int64_t d = 0; d < q; ++d)
    idxExprs.push_back(getAffineDimExpr(axis + d, mctx));
  SmallVector<AffineMap> maps = {
      AffineMap::get(outRank, 0, idxExprs, mctx),
      AffineMap::getMultiDimIdentityMap(outRank, mctx)};
  Type elem = mlirElemType(ctx.kind(0), mctx);
  Value init = emptyTensor(ctx.b, ctx.loc, shape, elem);
  SmallVector<utils::IteratorType> iters(outRank,
                                         utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      ctx.b, ctx.loc, TypeRange{init.getType()}, ValueRange{idx},
      ValueRange{init}, maps, iters,
      [&](OpBuilder &b, Location l, ValueRange args) {
        // Negative indices count from the end; out-of-range ones are
        // clamped so that a bad run-time index cannot read out of bounds.
        Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
        Value zero = arith::ConstantIndexOp::create(b, l, 0);
        Value size = arith::ConstantIndexOp::create(b, l, dim);
        Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                          zero);
        i = arith::SelectOp::create(b, l, neg,
                                    arith::AddIOp::create(b, l, i, size), i);
        i = arith::MaxSIOp::create(b, l, i, zero);
        i = arith::MinSIOp::create(
            b, l, i, arith::ConstantIndexOp::create(b, l, dim - 1));
        SmallVector<Value> at;
        for (int64_t d = 0; d < axis; ++d)
          at.push_back(linalg::IndexOp::create(b, l, d));
        at.push_back(i);
        for (int64_t d = axis + 1; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(b, l, d - 1 + q));
        linalg::YieldOp::create(b, l,
                                Value(tensor::ExtractOp::create(b, l, src, at)));
      });
  ctx.setOutput(0, op.getResult(0), ctx.kind(0));
  return success();
}

LogicalResult shapeHandler(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t rank = in.size();
  int64_t start = ctx.attrInt("start", 0), end = ctx.attrInt("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  SmallVector<int64_t> dims;
  for (int64_t d = start; d < end; ++d)
    dims.push_back(in[d]);
  ctx.setOutput(0, ConstData::ofInts(ElemKind::I64, dims));
  return success();
}

LogicalResult sizeHandler(NodeContext &ctx) {
  ConstData c = ConstData::zeros(ElemKind::I64, {});
  c.setInt(0, product(ctx.shape(0)));
  ctx.setOutput(0, std::move(c));
  return success();
}

LogicalResult constantHandler(NodeContext &ctx) {
  auto floats = [&](StringRef name) {
    const auto *a = ctx.attr(name);
    ConstData c = ConstData::zeros(ElemKind::F32, {a->floats_size()});
    for (int i = 0; i < a->floats_size(); ++i)
      c.setDouble(i, a->floats(i));
    return c;
  };
  if (ctx.attr("value")) {
    auto c = ctx.attrTensor("value");
    if (failed(c))
      return failure();
    ctx.setOutput(0, std::move(*c));
  } else if (ctx.attr("value_float")) {
    ConstData c = ConstData::zeros(ElemKind::F32, {});
    c.setDouble(0, ctx.attrFloat("value_float", 0));
    ctx.setOutput(0, std::move(c));
  } else if (ctx.attr("value_floats")) {
    ctx.setOutput(0, floats("value_floats"));
  } else if (ctx.attr("value_int")) {
    ConstData c = ConstData::zeros(ElemKind::I64, {});
    c.setInt(0, ctx.attrInt("value_int", 0));
    ctx.setOutput(0, std::move(c));
  } else if (ctx.attr("value_ints")) {
    ctx.setOutput(0, ConstData::ofInts(ElemKind::I64, *ctx.attrInts("value_ints")));
  } else {
    return ctx.unsupported("Constant without a value, value_float(s) or "
                           "value_int(s) attribute (sparse and string "
                           "constants are not supported)");
  }
  return success();
}

LogicalResult constantOfShapeHandler(NodeContext &ctx) {
  auto shape = ctx.requireInts(0, "input");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return ctx.error("negative dimension in " + NodeContext::str(*shape));
  if (!numElementsOf(*shape))
    return ctx.error("shape " + NodeContext::str(*shape) + " is too large");
  ConstData value = ConstData::zeros(ElemKind::F32, {1});
  if (ctx.attr("value")) {
    auto v = ctx.attrTensor("value");
    if (failed(v))
      return failure();
    if (v->numElements() != 1)
      return ctx.error("value must have one element");
    value = std::move(*v);
  }
  ctx.setOutput(0, ConstData(value.kind(), *shape, value.getStorage(),
                             /*splat=*/true));
  return success();
}

LogicalResult expandHandler(NodeContext &ctx) {
  auto target = ctx.requireInts(1, "shape");
  if (failed(target))
    return failure();
  auto shape = broadcastShapes({ctx.shape(0), *target});
  if (!shape)
    return ctx.error("input " + NodeContext::str(ctx.shape(0)) +
                     " does not broadcast to " + NodeContext::str(*target));
  if (!numElementsOf(*shape))
    return ctx.error("shape " + NodeContext::str(*shape) + " is too large");
  const ConstData *c = ctx.constant(0);
  if (foldable(c, *shape)) {
    ArrayRef<int64_t> in = ctx.shape(0);
    SmallVector<int64_t> strides = stridesOf(in);
    size_t lead = shape->size() - in.size();
    ctx.setOutput(0, gatherConst(*c, *shape, [&](ArrayRef<int64_t> o) {
                    int64_t l = 0;
                    for (size_t d = 0; d < in.size(); ++d)
                      l += (in[d] == 1 ? 0 : o[lead + d]) * strides[d];
                    return l;
                  }));
    return success();
  }
  Type elem = mlirElemType(ctx.kind(0), ctx.context());
  ctx.setOutput(0,
                mapElementwise(ctx.b, ctx.loc, ctx.value(0), *shape, elem,
                               [](OpBuilder &, Location, ValueRange args) {
                                 return args[0];
                               }),
                ctx.kind(0));
  return success();
}

LogicalResult tileHandler(NodeContext &ctx) {
  auto repeats = ctx.requireInts(1, "repeats");
  if (failed(repeats))
    return failure();
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t rank = in.size();
  if (int64_t(repeats->size()) != rank)
    return ctx.error("repeats has " + std::to_string(repeats->size()) +
                     " entries for rank " + std::to_string(rank));
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if ((*repeats)[d] < 0)
      return ctx.error("negative repeat");
    shape.push_back(in[d] * (*repeats)[d]);
    if ((*repeats)[d] && shape.back() / (*repeats)[d] != in[d])
      return ctx.error("repeats overflow the shape");
  }
  if (!numElementsOf(shape))
    return ctx.error("shape " + NodeContext::str(shape) + " is too large");
  const ConstData *c = ctx.constant(0);
  SmallVector<int64_t> strides = stridesOf(in);
  if (foldable(c, shape)) {
    ctx.setOutput(0, gatherConst(*c, shape, [&](ArrayRef<int64_t> o) {
                    int64_t l = 0;
                    for (int64_t d = 0; d < rank; ++d)
                      l += (o[d] % in[d]) * strides[d];
                    return l;
                  }));
    return success();
  }
  Value src = ctx.value(0);
  Value r = generateTensor(
      ctx.b, ctx.loc, shape, mlirElemType(ctx.kind(0), ctx.context()),
      [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
        SmallVector<Value> at;
        for (int64_t d = 0; d < rank; ++d)
          at.push_back(arith::RemUIOp::create(
              b, l, ivs[d], arith::ConstantIndexOp::create(b, l, in[d])));
        return tensor::ExtractOp::create(b, l, src, at);
      });
  ctx.setOutput(0, r, ctx.kind(0));
  return success();
}

LogicalResult triluHandler(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.shape(0);
  int64_t rank = in.size();
  if (rank < 2)
    return ctx.error("input must have rank >= 2");
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    auto kv = ctx.requireInts(1, "k");
    if (failed(kv))
      return failure();
    if (kv->size() != 1)
      return ctx.error("k must be a scalar");
    k = (*kv)[0];
  }
  bool upper = ctx.attrInt("upper", 1);
  auto keep = [&](int64_t i, int64_t j) {
    return upper ? j - i >= k : j - i <= k;
  };
  const ConstData *c = ctx.constant(0);
  if (c && !c->isSplat() && foldable(c, in)) {
    ConstData out = ConstData::zeros(c->kind(), in);
    forEachIndex(in, [&](int64_t e, ArrayRef<int64_t> idx) {
      if (keep(idx[rank - 2], idx[rank - 1]))
        out.copyElement(e, *c, e);
    });
    ctx.setOutput(0, std::move(out));
    return success();
  }
  Type elem = mlirElemType(ctx.kind(0), ctx.context());
  MLIRContext *mctx = ctx.context();
  Value init = emptyTensor(ctx.b, ctx.loc, in, elem);
  SmallVector<AffineMap> maps(2, AffineMap::getMultiDimIdentityMap(rank, mctx));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      ctx.b, ctx.loc, TypeRange{init.getType()}, ValueRange{ctx.value(0)},
      ValueRange{init}, maps, iters,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value i = linalg::IndexOp::create(b, l, rank - 2);
        Value j = linalg::IndexOp::create(b, l, rank - 1);
        // keep when j - i >= k (upper) or j - i <= k (lower).
        Value diff = arith::SubIOp::create(b, l, j, i);
        Value kv = arith::ConstantIndexOp::create(b, l, k);
        Value keepIt = arith::CmpIOp::create(
            b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
            diff, kv);
        Value zero = scalarConstant(b, l, elem, 0);
        linalg::YieldOp::create(
            b, l, Value(arith::SelectOp::create(b, l, keepIt, args[0], zero)));
      });
  ctx.setOutput(0, op.getResult(0), ctx.kind(0));
  return success();
}

LogicalResult identityHandler(NodeContext &ctx) {
  // torch aliases deduplicated weights through Identity: give the alias the
  // initializer's IR value so that the blob is emitted once.
  if (ctx.input(0).isInitializer)
    (void)ctx.value(0);
  ctx.setOutput(0, ctx.input(0));
  return success();
}

/// Dropout in inference mode: the identity, and an all-true mask.
LogicalResult dropoutHandler(NodeContext &ctx) {
  if (ctx.hasInput(2)) {
    const ConstData *training = ctx.constant(2);
    if (!training || training->getInt(0))
      return ctx.unsupported("training_mode (random dropout)");
  }
  ctx.setOutput(0, ctx.input(0));
  if (ctx.hasOutput(1)) {
    ConstData mask = ConstData::zeros(ElemKind::Bool, ctx.shape(0), true);
    mask.setInt(0, 1);
    ctx.setOutput(1, std::move(mask));
  }
  return success();
}

LogicalResult rangeHandler(NodeContext &ctx) {
  for (unsigned i = 0; i < 3; ++i)
    if (!ctx.constant(i) || ctx.constant(i)->numElements() != 1)
      return ctx.unsupported("start, limit and delta must be scalars known "
                             "at import time");
  ElemKind kind = ctx.kind(0);
  double start = ctx.constant(0)->getDouble(0);
  double limit = ctx.constant(1)->getDouble(0);
  double delta = ctx.constant(2)->getDouble(0);
  if (delta == 0)
    return ctx.error("delta is 0");
  double count = std::ceil((limit - start) / delta);
  int64_t n = count > 0 ? int64_t(count) : 0;
  if (n > NodeContext::kFoldLimit * 64)
    return ctx.unsupported("Range of " + std::to_string(n) + " elements");
  ConstData out = ConstData::zeros(kind, {n});
  if (isFloat(kind)) {
    for (int64_t i = 0; i < n; ++i)
      out.setDouble(i, start + double(i) * delta);
  } else {
    int64_t s = ctx.constant(0)->getInt(0), d = ctx.constant(2)->getInt(0);
    for (int64_t i = 0; i < n; ++i)
      out.setInt(i, s + i * d);
  }
  ctx.setOutput(0, std::move(out));
  return success();
}

} // namespace

void registerShapeHandlers(HandlerTable &table) {
  table.add("Reshape", {5, 13, 14, 19, 21}, reshapeHandler);
  table.add("Flatten", {9, 11, 13, 21}, flattenHandler);
  table.add("Unsqueeze", {1, 11, 13, 21}, unsqueezeHandler);
  table.add("Squeeze", {1, 11, 13, 21}, squeezeHandler);
  table.add("Transpose", {1, 13, 21}, transposeHandler);
  table.add("Concat", {4, 11, 13}, concatHandler);
  table.add("Slice", {1, 10, 11, 13}, sliceHandler);
  table.add("Split", {2, 11, 13, 18}, splitHandler);
  table.add("Gather", {1, 11, 13}, gatherHandler, 2);
  table.add("Shape", {1, 13, 15, 19, 21}, shapeHandler);
  table.add("Size", {1, 13, 19, 21}, sizeHandler);
  table.add("Constant", {1, 9, 11, 12, 13, 19, 21}, constantHandler, 0);
  table.add("ConstantOfShape", {9, 20, 21}, constantOfShapeHandler);
  table.add("Expand", {8, 13}, expandHandler, 2);
  table.add("Tile", {6, 13}, tileHandler, 2);
  table.add("Trilu", {14}, triluHandler);
  table.add("Identity", {1, 13, 14, 16, 19, 21}, identityHandler);
  table.add("Dropout", {12, 13}, dropoutHandler);
  table.add("Range", {11}, rangeHandler, 3);
}

} // namespace linea::onnx_import
