//===- ContractionEpilogue.cpp - elementwise ops fused into a kernel's store //
//
// See ContractionEpilogue.h. The kernel moves to the last fused op, so
// every op it skips over must neither read nor write memory (allocations
// of the later outputs are the usual ones), and every buffer it no longer
// writes must have no other reader.
//
//===----------------------------------------------------------------------===//

#include "ContractionEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace linea::cpu_kernels {
namespace {

/// True for ops the kernel may be moved past: they touch no memory but
/// perhaps allocate it.
bool isMovable(Operation *op) {
  return isMemoryEffectFree(op) || isa<memref::AllocOp>(op);
}

/// The first op after `op` in its block that the kernel cannot move past.
Operation *nextBarrier(Operation *op) {
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode())
    if (!isMovable(next))
      return next;
  return nullptr;
}

/// The buffer `v` is a view of (through subviews, casts, reshapes).
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// True when `body` holds only pure, region-free arith and math ops on
/// scalars: what can be cloned into the kernel's store.
bool isScalarBody(Block &body) {
  for (Operation &op : body.without_terminator()) {
    StringRef dialect = op.getDialect() ? op.getDialect()->getNamespace() : "";
    if ((dialect != "arith" && dialect != "math") || op.getNumRegions() ||
        !isPure(&op))
      return false;
    if (llvm::any_of(op.getResultTypes(),
                     [](Type t) { return isa<ShapedType>(t); }))
      return false;
  }
  return true;
}

/// True when `op` can be applied to the values of `prev` (an M×N buffer
/// the kernel would otherwise have written) element by element.
bool isFusableLink(linalg::GenericOp op, Value prev) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 2 ||
      !llvm::all_of(op.getIteratorTypesArray(), [](utils::IteratorType t) {
        return t == utils::IteratorType::parallel;
      }))
    return false;
  Value out = op.getDpsInits()[0];
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, op.getContext());
  if (op.getMatchingIndexingMap(op.getDpsInitOperand(0)) != identity)
    return false;
  // A fresh buffer (or prev itself) cannot overlap the kernel's operands.
  if (out != prev && !out.getDefiningOp<memref::AllocOp>())
    return false;
  bool readsPrev = false;
  for (OpOperand *in : op.getDpsInputOperands()) {
    Value v = in->get();
    AffineMap map = op.getMatchingIndexingMap(in);
    if (v == prev) {
      if (map != identity)
        return false;
      readsPrev = true;
      continue;
    }
    if (!map.isProjectedPermutation())
      return false;
    // Elements of prev or out are only known at the one being stored.
    Value root = rootBuffer(v);
    if ((root == rootBuffer(prev) || root == rootBuffer(out)) &&
        !(v == out && map == identity))
      return false;
  }
  return readsPrev && isScalarBody(op.getRegion().front());
}

/// True when `link` (a fusable link after `prev`) can run on vectors of
/// consecutive columns: its body ops are elementwise-mappable (or
/// constants) and each buffer it reads besides `prev` is indexed by the
/// column only in its last, unit-stride dim, or not at all.
bool isVectorizableLink(linalg::GenericOp link, Value prev) {
  for (Operation &op : link.getRegion().front().without_terminator())
    if (!isa<arith::ConstantOp>(op) &&
        !OpTrait::hasElementwiseMappableTraits(&op))
      return false;
  for (OpOperand &operand : link->getOpOperands()) {
    Value v = operand.get();
    auto type = dyn_cast<MemRefType>(v.getType());
    if (v == prev || !type)
      continue;
    AffineMap map = link.getMatchingIndexingMap(&operand);
    std::optional<unsigned> column = map.getResultPosition(
        getAffineDimExpr(1, link.getContext()));
    if (column && (*column + 1 != map.getNumResults() ||
                   !type.isLastDimUnitStride()))
      return false;
  }
  return true;
}

/// True for the body ops that lower to LLVM on vectors: arith, and the
/// math ops with an LLVM intrinsic (convert-math-to-llvm); the others go
/// to libm per lane.
bool hasVectorLowering(Operation &op) {
  return op.getDialect()->getNamespace() == "arith" ||
         isa<math::AbsFOp, math::CeilOp, math::CopySignOp, math::CosOp,
             math::SinOp, math::ExpOp, math::Exp2Op, math::FloorOp,
             math::FmaOp, math::LogOp, math::Log2Op, math::Log10Op,
             math::PowFOp, math::RsqrtOp, math::SqrtOp, math::RoundOp,
             math::RoundEvenOp, math::TruncOp>(op);
}

/// `v` as a vector of `shape`: itself when it is one, else broadcast.
Value splat(OpBuilder &b, Location loc, Value v, VectorType shape) {
  if (isa<VectorType>(v.getType()))
    return v;
  return vector::BroadcastOp::create(
      b, loc, VectorType::get(shape.getShape(), v.getType()), v);
}

/// True when every user of `buffer` is in `allowed`, a deallocation or a
/// dim query.
bool onlyUsedBy(Value buffer, ArrayRef<Operation *> allowed) {
  return llvm::all_of(buffer.getUsers(), [&](Operation *user) {
    return llvm::is_contained(allowed, user) ||
           isa<memref::DeallocOp, memref::DimOp>(user);
  });
}

/// Erases the allocation `buffer` and its deallocations when nothing else
/// uses it.
void eraseIfUnused(Value buffer) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (!alloc || !llvm::all_of(buffer.getUsers(), [](Operation *user) {
        return isa<memref::DeallocOp>(user);
      }))
    return;
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    user->erase();
  alloc.erase();
}

} // namespace

ContractionEpilogue ContractionEpilogue::analyze(linalg::GenericOp c) {
  ContractionEpilogue e;
  e.contraction = c;
  e.y = c.getDpsInits()[0];
  for (Operation *prev = c->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev)) {
      if (fill.hasPureBufferSemantics() && fill.getOutputs()[0] == e.y) {
        e.fill = fill;
        e.fillValue = fill.getInputs()[0];
      }
      break;
    }
    if (!isMovable(prev))
      break;
  }
  if (cast<MemRefType>(e.y.getType()).getRank() != 2)
    return e;
  Value current = e.y;
  Operation *after = c;
  SmallVector<Operation *> writers = {c};
  if (e.fill)
    writers.push_back(e.fill);
  while (auto next = dyn_cast_or_null<linalg::GenericOp>(nextBarrier(after))) {
    if (!isFusableLink(next, current))
      break;
    Value out = next.getDpsInits()[0];
    // The kernel no longer writes `current`: nothing else may read it.
    SmallVector<Operation *> allowed(writers);
    allowed.push_back(next);
    // ... and it must be a local buffer: a function argument or a global
    // may be read by the caller after the kernel stops writing it.
    if (out != current && (!current.getDefiningOp<memref::AllocOp>() ||
                           !onlyUsedBy(current, allowed)))
      break;
    e.chain.push_back(next);
    e.vectorizable = e.vectorizable && isVectorizableLink(next, current);
    writers.push_back(next);
    current = out;
    after = next;
  }
  return e;
}

Value ContractionEpilogue::initial(OpBuilder &b, Location loc,
                                   ValueRange at) const {
  if (fill)
    return fillValue;
  return memref::LoadOp::create(b, loc, y, at);
}

/// Applies the bodies of `chain` (the fused links after the contraction's
/// output `y`) to `value`, y's element at `at`, or with `type` to a vector
/// of them along the columns; returns the result and sets `current` to
/// the buffer it belongs in.
static Value applyChain(ArrayRef<Operation *> chain, Value y, OpBuilder &b,
                        Location loc, Value value, ValueRange at,
                        VectorType type, Value &current) {
  current = y;
  for (Operation *link : chain) {
    auto op = cast<linalg::GenericOp>(link);
    Block &body = op.getRegion().front();
    IRMapping mapping;
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = body.getArgument(operand.getOperandNumber());
      Value v = operand.get();
      if (arg.use_empty())
        continue;
      if (v == current) {
        mapping.map(arg, value);
        continue;
      }
      if (!isa<MemRefType>(v.getType())) {
        mapping.map(arg, type ? splat(b, loc, v, type) : v); // a scalar
        continue;
      }
      // Along the columns (the last dim, see isVectorizableLink): one
      // vector load; else one element for all lanes.
      AffineMap map = op.getMatchingIndexingMap(&operand);
      SmallVector<Value, 2> indices;
      for (AffineExpr r : map.getResults())
        indices.push_back(at[cast<AffineDimExpr>(r).getPosition()]);
      if (!type)
        mapping.map(arg, memref::LoadOp::create(b, loc, v, indices));
      else if (map.getResultPosition(getAffineDimExpr(1, op.getContext())))
        mapping.map(arg, vector::LoadOp::create(
                             b, loc,
                             VectorType::get(type.getShape(), arg.getType()), v,
                             indices));
      else
        mapping.map(arg, splat(b, loc,
                               memref::LoadOp::create(b, loc, v, indices),
                               type));
    }
    for (Operation &inner : body.without_terminator()) {
      if (!type) {
        b.clone(inner, mapping);
        continue;
      }
      if (auto c = dyn_cast<arith::ConstantOp>(inner)) {
        auto vt = VectorType::get(type.getShape(), c.getType());
        mapping.map(c.getResult(),
                    arith::ConstantOp::create(
                        b, loc, vt,
                        SplatElementsAttr::get(vt, c.getValue())));
        continue;
      }
      // Values from outside the body are scalars: broadcast them.
      for (Value o : inner.getOperands())
        if (!mapping.contains(o) && o.getParentBlock() != &body)
          mapping.map(o, splat(b, loc, o, type));
      if (hasVectorLowering(inner)) {
        // Elementwise-mappable: the same op on vectors of its types.
        Operation *clone = b.clone(inner, mapping);
        for (OpResult r : clone->getResults())
          r.setType(VectorType::get(type.getShape(), r.getType()));
        continue;
      }
      // A libm function (erf, tanh, ...): lane by lane, as math-to-libm
      // would scalarise it, but here, before the vector lowering.
      SmallVector<SmallVector<Value>> lanes(inner.getNumResults());
      for (int64_t lane = 0; lane < type.getNumElements(); ++lane) {
        IRMapping scalar;
        for (Value o : inner.getOperands())
          scalar.map(o, vector::ExtractOp::create(b, loc, mapping.lookup(o),
                                                  ArrayRef<int64_t>{lane}));
        Operation *one = b.clone(inner, scalar);
        for (auto [i, r] : llvm::enumerate(one->getResults()))
          lanes[i].push_back(r);
      }
      for (auto [i, r] : llvm::enumerate(inner.getResults()))
        mapping.map(r, vector::FromElementsOp::create(
                           b, loc, VectorType::get(type.getShape(), r.getType()),
                           lanes[i]));
    }
    value = mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
    current = op.getDpsInits()[0];
  }
  return value;
}

void ContractionEpilogue::store(OpBuilder &b, Location loc, Value sum,
                                ValueRange at) const {
  Value current;
  Value value = applyChain(chain, y, b, loc, sum, at, nullptr, current);
  memref::StoreOp::create(b, loc, value, current, at);
}

void ContractionEpilogue::storeVector(OpBuilder &b, Location loc, Value sum,
                                      ValueRange at) const {
  assert(vectorizable && "a gathered operand needs store()");
  auto type = cast<VectorType>(sum.getType());
  Value start = fill ? vector::BroadcastOp::create(b, loc, type, fillValue)
                     : vector::LoadOp::create(b, loc, type, y, at).getResult();
  Value current;
  Value value = applyChain(chain, y, b, loc,
                           arith::AddFOp::create(b, loc, sum, start), at, type,
                           current);
  vector::StoreOp::create(b, loc, value, current, at);
}

Operation *ContractionEpilogue::insertionPoint() const {
  return chain.empty() ? contraction : chain.back();
}

void ContractionEpilogue::eraseReplaced() {
  llvm::SetVector<Value> skipped;
  skipped.insert(y);
  Value output = y;
  for (Operation *op : chain) {
    output = cast<linalg::GenericOp>(op).getDpsInits()[0];
    skipped.insert(output);
    op->erase();
  }
  skipped.remove(output); // the kernel's
  if (fill)
    fill->erase();
  for (Value buffer : skipped)
    eraseIfUnused(buffer);
}

} // namespace linea::cpu_kernels
