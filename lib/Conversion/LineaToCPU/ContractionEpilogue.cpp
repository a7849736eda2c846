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

void ContractionEpilogue::store(OpBuilder &b, Location loc, Value sum,
                                ValueRange at) const {
  Value value = sum, current = y;
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
      } else if (!isa<MemRefType>(v.getType())) {
        mapping.map(arg, v); // a scalar operand
      } else {
        SmallVector<Value, 2> indices;
        for (AffineExpr r : op.getMatchingIndexingMap(&operand).getResults())
          indices.push_back(at[cast<AffineDimExpr>(r).getPosition()]);
        mapping.map(arg, memref::LoadOp::create(b, loc, v, indices));
      }
    }
    for (Operation &inner : body.without_terminator())
      b.clone(inner, mapping);
    value = mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
    current = op.getDpsInits()[0];
  }
  memref::StoreOp::create(b, loc, value, current, at);
}

void ContractionEpilogue::storeVector(OpBuilder &b, Location loc, Value sum,
                                      ValueRange at) const {
  assert(chain.empty() && "elementwise ops are applied by store()");
  auto type = cast<VectorType>(sum.getType());
  Value start = fill ? vector::BroadcastOp::create(b, loc, type, fillValue)
                     : vector::LoadOp::create(b, loc, type, y, at).getResult();
  vector::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, sum, start), y,
                          at);
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
