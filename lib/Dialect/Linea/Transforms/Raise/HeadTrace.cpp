//===- HeadTrace.cpp - proving repeated attention heads
//--------------------===//
//
// A tensor [B, h1, ..., hk, T, D] is read as B × (h1···hk flattened row-major)
// heads of [T, D]. Tracing maps every head of a value to the head of a rank-4
// tensor it copies, through ops that move whole heads only; every step keeps
// dim 0 and the last two dims intact, so a head is always a full [B, T, D]
// slab and a copy of one is exact.
//
//===----------------------------------------------------------------------===//

#include "HeadTrace.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace linea::raise {
namespace {

/// Where one head's data comes from: head `head` of the rank-4 `base`; a null
/// base marks a head never written (the tensor.empty of a concatenation).
struct HeadSource {
  Value base;
  int64_t head = -1;
};
using HeadMap = SmallVector<HeadSource>;

/// Deep enough for a 64-head concatenation (two steps per inserted piece)
/// plus the ops around it; deeper chains are simply not looked through.
constexpr unsigned kMaxDepth = 160;

/// The shape of `value` when it is a static tensor of rank ≥ 4.
std::optional<ArrayRef<int64_t>> headedShape(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() < 4 || !type.hasStaticShape())
    return std::nullopt;
  return type.getShape();
}

/// The head dims h1..hk of a headed shape.
ArrayRef<int64_t> headDims(ArrayRef<int64_t> shape) {
  return shape.drop_front().drop_back(2);
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// The multi-index of flat head `flat` over `dims`, row-major.
SmallVector<int64_t> unflatten(int64_t flat, ArrayRef<int64_t> dims) {
  SmallVector<int64_t> index(dims.size());
  for (int64_t i = int64_t(dims.size()) - 1; i >= 0; --i) {
    index[i] = flat % dims[i];
    flat /= dims[i];
  }
  return index;
}

int64_t flatten(ArrayRef<int64_t> index, ArrayRef<int64_t> dims) {
  int64_t flat = 0;
  for (auto [i, d] : llvm::zip_equal(index, dims))
    flat = flat * d + i;
  return flat;
}

/// True when a reshape from `src` to `dst` keeps dim 0 and the last two
/// dims: reshapes keep the row-major order, so such a one keeps every
/// (batch, flat head, t, d) element where it was.
bool keepsOuterDims(ArrayRef<int64_t> src, ArrayRef<int64_t> dst) {
  return src.front() == dst.front() && src.take_back(2) == dst.take_back(2);
}

/// True when a slice with these static parameters takes dim 0 and the last
/// two dims whole and has unit strides (`full` is the sliced tensor's shape).
bool slicesHeadsOnly(ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> full) {
  if (offsets.size() != full.size() || sizes.size() != full.size())
    return false;
  for (int64_t s : strides)
    if (s != 1)
      return false;
  for (size_t d : {size_t(0), full.size() - 2, full.size() - 1})
    if (offsets[d] != 0 || sizes[d] != full[d])
      return false;
  for (int64_t o : offsets)
    if (ShapedType::isDynamic(o))
      return false;
  return true;
}

std::optional<HeadMap> traceHeads(Value value, unsigned depth);

/// The heads of a broadcasting copy `generic` (body yields its input; the
/// input map is the identity with some head dims replaced by constant 0).
std::optional<HeadMap> traceBroadcast(linalg::GenericOp generic,
                                      ArrayRef<int64_t> shape, unsigned depth) {
  if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0)
    return std::nullopt;
  Block *body = generic.getBody();
  if (body->getTerminator()->getOperand(0) != body->getArgument(0))
    return std::nullopt;
  if (!generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity())
    return std::nullopt;
  OpOperand *input = generic.getDpsInputOperand(0);
  std::optional<ArrayRef<int64_t>> inShape = headedShape(input->get());
  if (!inShape || inShape->size() != shape.size())
    return std::nullopt;
  AffineMap map = generic.getMatchingIndexingMap(input);
  SmallVector<bool> broadcast(shape.size(), false);
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      if (dim.getPosition() != i)
        return std::nullopt;
      continue;
    }
    auto c = dyn_cast<AffineConstantExpr>(expr);
    bool headDim = i > 0 && i + 2 < shape.size();
    if (!c || c.getValue() != 0 || !headDim || (*inShape)[i] != 1)
      return std::nullopt;
    broadcast[i] = true;
  }
  std::optional<HeadMap> in = traceHeads(input->get(), depth + 1);
  if (!in)
    return std::nullopt;
  ArrayRef<int64_t> outDims = headDims(shape), inDims = headDims(*inShape);
  HeadMap out;
  for (int64_t f = 0, e = product(outDims); f < e; ++f) {
    SmallVector<int64_t> index = unflatten(f, outDims);
    for (auto [k, idx] : llvm::enumerate(index))
      if (broadcast[k + 1])
        idx = 0;
    out.push_back((*in)[flatten(index, inDims)]);
  }
  return out;
}

/// The heads of `value` derived through the op producing it; nullopt when
/// that op is not one that moves whole heads.
std::optional<HeadMap> traceThrough(Value value, ArrayRef<int64_t> shape,
                                    unsigned depth) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return std::nullopt;
  int64_t numHeads = product(headDims(shape));

  if (isa<tensor::EmptyOp>(def))
    return HeadMap(numHeads);

  if (auto copy = dyn_cast<linalg::CopyOp>(def)) {
    Value in = copy.getInputs()[0];
    if (in.getType() != value.getType())
      return std::nullopt;
    return traceHeads(in, depth + 1);
  }

  // Reshapes that keep the outer dims keep the flat head index.
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def)) {
    Value src = def->getOperand(0);
    std::optional<ArrayRef<int64_t>> srcShape = headedShape(src);
    if (!srcShape || !keepsOuterDims(*srcShape, shape))
      return std::nullopt;
    return traceHeads(src, depth + 1);
  }

  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def)) {
    std::optional<ArrayRef<int64_t>> srcShape = headedShape(slice.getSource());
    if (!srcShape || srcShape->size() != shape.size() ||
        !slicesHeadsOnly(slice.getStaticOffsets(), slice.getStaticSizes(),
                         slice.getStaticStrides(), *srcShape))
      return std::nullopt;
    std::optional<HeadMap> src = traceHeads(slice.getSource(), depth + 1);
    if (!src)
      return std::nullopt;
    ArrayRef<int64_t> offsets = headDims(slice.getStaticOffsets());
    HeadMap out;
    for (int64_t f = 0; f < numHeads; ++f) {
      SmallVector<int64_t> index = unflatten(f, headDims(shape));
      for (auto [idx, o] : llvm::zip_equal(index, offsets))
        idx += o;
      out.push_back((*src)[flatten(index, headDims(*srcShape))]);
    }
    return out;
  }

  if (auto insert = dyn_cast<tensor::InsertSliceOp>(def)) {
    std::optional<ArrayRef<int64_t>> srcShape = headedShape(insert.getSource());
    if (!srcShape || srcShape->size() != shape.size() ||
        !slicesHeadsOnly(insert.getStaticOffsets(), insert.getStaticSizes(),
                         insert.getStaticStrides(), shape))
      return std::nullopt;
    std::optional<HeadMap> dest = traceHeads(insert.getDest(), depth + 1);
    std::optional<HeadMap> src = traceHeads(insert.getSource(), depth + 1);
    if (!dest || !src)
      return std::nullopt;
    ArrayRef<int64_t> offsets = headDims(insert.getStaticOffsets());
    for (int64_t f = 0, e = product(headDims(*srcShape)); f < e; ++f) {
      SmallVector<int64_t> index = unflatten(f, headDims(*srcShape));
      for (auto [idx, o] : llvm::zip_equal(index, offsets))
        idx += o;
      (*dest)[flatten(index, headDims(shape))] = (*src)[f];
    }
    return dest;
  }

  if (auto generic = dyn_cast<linalg::GenericOp>(def))
    return traceBroadcast(generic, shape, depth);
  return std::nullopt;
}

/// The source of every head of `value`. A rank-4 value that cannot be looked
/// through is its own source; deeper values must be looked through.
std::optional<HeadMap> traceHeads(Value value, unsigned depth) {
  std::optional<ArrayRef<int64_t>> shape = headedShape(value);
  if (!shape)
    return std::nullopt;
  if (depth < kMaxDepth)
    if (std::optional<HeadMap> derived = traceThrough(value, *shape, depth))
      return derived;
  if (shape->size() != 4)
    return std::nullopt;
  HeadMap self;
  for (int64_t j = 0; j < (*shape)[1]; ++j)
    self.push_back({value, j});
  return self;
}

} // namespace

std::optional<RepeatedHeads> traceRepeatedHeads(Value value) {
  std::optional<ArrayRef<int64_t>> shape = headedShape(value);
  if (!shape || shape->size() != 4)
    return std::nullopt;
  RepeatedHeads self{value, 0, 1};
  std::optional<HeadMap> heads = traceHeads(value, 0);
  if (!heads || heads->empty() || !heads->front().base)
    return self;
  int64_t numHeads = heads->size();
  Value base = heads->front().base;
  int64_t offset = heads->front().head;
  int64_t group = 1;
  while (group < numHeads && (*heads)[group].base == base &&
         (*heads)[group].head == offset)
    ++group;
  if (numHeads % group != 0)
    return self;
  for (auto [j, source] : llvm::enumerate(*heads))
    if (source.base != base || source.head != offset + int64_t(j) / group)
      return self;
  return RepeatedHeads{base, offset, group};
}

} // namespace linea::raise
