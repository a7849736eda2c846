//===- StructuredKernels.cpp - vector kernels for batched small products --===//
//
// The structured layers (Monarch, BTT, Kronecker, BLAST) lower to chains of
// small multiply-accumulate contractions over a grid view of x, with batch
// and reduction loops that linea-cpu-contraction-kernels' two shapes
// (y[m,n] += x[m,k]·w[n,k] and its grouped form) do not cover; the scalar
// loops of convert-linalg-to-loops then spend one f32 add latency per
// product, which made a Kronecker layer with 0.5% of dense's bytes barely
// faster than dense. This pass vectorises any such contraction on buffers
// along one loop that has unit stride in every operand using it:
//
//  * broadcast FMA - the output's innermost loop v is the innermost dim of
//    the input(s) reading it; the other input is broadcast:
//      for the other parallel loops, tiles of tileM rows r × tileN vectors:
//        acc[i][j] = 0
//        for the reduction loops:            (tileM broadcasts, tileN loads)
//          acc[i][j] = fma(bcast(s[.., r+i, ..]), vec[.., v+j·VL], acc[i][j])
//        out[.., r+i, .., v+j·VL] += acc[i][j]
//  * row dot - both inputs' innermost dim is the same reduction loop v:
//      tiles of tileM values of a loop of input 0 × tileN of input 1,
//      vector FMAs along v inside the other reductions, and one lane sum
//      per output, as in the contraction kernels.
//
// Everything else (batch dims, token dims, dynamic sizes, strides) is a
// plain scalar loop around the tile; a vector loop whose size is not a
// multiple of the width ends with one masked vector.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitterBase.h"
#include "linea/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <optional>

namespace linea {
#define GEN_PASS_DEF_CPUSTRUCTUREDKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// The loop an operand's innermost dim iterates, if it has dims.
std::optional<unsigned> innermostLoop(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  return cast<AffineDimExpr>(map.getResults().back()).getPosition();
}

/// How one contraction is vectorised; loops are the generic's loop indices,
/// -1 for none.
struct Plan {
  int64_t vectorLoop = -1;
  /// The vector loop is a reduction (row dot) rather than a parallel loop
  /// of the output (broadcast FMA).
  bool rowDot = false;
  int64_t width = 0;
  /// Register-tiled loops: `rowLoop` (tileM values) and, for a row dot,
  /// `colLoop` (tileN values); a broadcast FMA tiles tileN vectors.
  int64_t rowLoop = -1, colLoop = -1;
};

/// Why `op` is not vectorised, or its plan.
class Planner {
public:
  Planner(linalg::GenericOp op, int64_t vectorWidth, int64_t tileM)
      : op(op), maps(op.getIndexingMapsArray()),
        sizes(op.getStaticLoopRanges()), iterators(op.getIteratorTypesArray()),
        vectorWidth(vectorWidth), tileM(tileM) {}

  /// The plan, or a failure whose reason is in `why`.
  std::optional<Plan> plan(std::string &why) {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1)
      return fail(why, "not a two-input contraction on buffers");
    for (AffineMap map : maps)
      if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
        return fail(why, "an indexing map is not a projected permutation");
    for (Value v : op->getOperands()) {
      auto type = dyn_cast<MemRefType>(v.getType());
      if (!type || !type.getElementType().isF32())
        return fail(why, "an operand is not an f32 memref");
    }
    Value out = op.getDpsInits()[0];
    if (llvm::is_contained(op.getDpsInputs(), out))
      return fail(why, "the output is also an input");

    std::optional<Plan> fma = broadcastFma(), dot = rowDot();
    if (!fma && !dot)
      return fail(why, "no loop of static size >= 4 is the unit-stride "
                       "innermost dim of the output and the inputs that "
                       "use it, nor of both inputs");
    if (fma && dot) {
      // The longer vector loop wastes fewer lanes; ties go to the broadcast
      // FMA, which needs no lane sums.
      int64_t fmaSize = sizes[fma->vectorLoop],
              dotSize = sizes[dot->vectorLoop];
      return fmaSize >= std::min(dotSize, vectorWidth) ? fma : dot;
    }
    return fma ? fma : dot;
  }

private:
  std::optional<Plan> fail(std::string &why, StringRef reason) {
    why = reason.str();
    return std::nullopt;
  }

  bool uses(unsigned operand, int64_t loop) const {
    return loop >= 0 && maps[operand].isFunctionOfDim(loop);
  }
  bool unitStride(unsigned operand) const {
    return cast<MemRefType>(op->getOperand(operand).getType())
        .isLastDimUnitStride();
  }
  bool vectorisable(int64_t loop) const {
    return !ShapedType::isDynamic(sizes[loop]) && sizes[loop] >= 4;
  }
  /// Lanes for a vector loop of `size`: the vector width, or the largest
  /// power of two that fits.
  int64_t widthFor(int64_t size) const {
    int64_t width = vectorWidth;
    while (width > size)
      width /= 2;
    return width;
  }

  /// The innermost parallel loop of the output that `use` accepts,
  /// preferring static ones of at least tileM values.
  int64_t tiledLoop(llvm::function_ref<bool(unsigned)> use) const {
    int64_t any = -1, full = -1;
    for (unsigned l = 0; l < iterators.size(); ++l) {
      if (iterators[l] != utils::IteratorType::parallel || !use(l))
        continue;
      any = l;
      if (!ShapedType::isDynamic(sizes[l]) && sizes[l] >= tileM)
        full = l;
    }
    return full >= 0 ? full : any;
  }

  std::optional<Plan> broadcastFma() const {
    std::optional<unsigned> v = innermostLoop(maps[2]);
    if (!v || !vectorisable(*v) || !unitStride(2))
      return std::nullopt;
    SmallVector<unsigned> vectorInputs;
    for (unsigned i = 0; i < 2; ++i) {
      if (!uses(i, *v))
        continue;
      if (innermostLoop(maps[i]) != v || !unitStride(i))
        return std::nullopt;
      vectorInputs.push_back(i);
    }
    if (vectorInputs.empty())
      return std::nullopt;
    Plan plan;
    plan.vectorLoop = *v;
    plan.width = widthFor(sizes[*v]);
    // Rows of the broadcast input share the vector loads; with both inputs
    // vectors (an elementwise product) nothing is shared.
    if (vectorInputs.size() == 1) {
      unsigned vec = vectorInputs[0], scalar = 1 - vec;
      plan.rowLoop = tiledLoop([&](unsigned l) {
        return l != *v && !uses(vec, l) && uses(scalar, l);
      });
    }
    return plan;
  }

  std::optional<Plan> rowDot() const {
    std::optional<unsigned> v = innermostLoop(maps[0]);
    if (!v || innermostLoop(maps[1]) != v ||
        iterators[*v] != utils::IteratorType::reduction || !vectorisable(*v) ||
        !unitStride(0) || !unitStride(1))
      return std::nullopt;
    Plan plan;
    plan.rowDot = true;
    plan.vectorLoop = *v;
    plan.width = widthFor(sizes[*v]);
    plan.rowLoop =
        tiledLoop([&](unsigned l) { return uses(0, l) && !uses(1, l); });
    plan.colLoop =
        tiledLoop([&](unsigned l) { return uses(1, l) && !uses(0, l); });
    return plan;
  }

  linalg::GenericOp op;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> sizes;
  SmallVector<utils::IteratorType> iterators;
  int64_t vectorWidth, tileM;
};

/// Emits the loop nest of one planned contraction in place of the op.
class StructuredEmitter : public cpu_kernels::KernelEmitterBase {
public:
  StructuredEmitter(OpBuilder &b, linalg::GenericOp op, const Plan &plan,
                    int64_t tileM, int64_t tileN)
      : KernelEmitterBase(b, op.getLoc()), op(op), plan(plan),
        maps(op.getIndexingMapsArray()), staticSizes(op.getStaticLoopRanges()),
        vectorType(VectorType::get({plan.width}, b.getF32Type())), tileM(tileM),
        tileN(tileN) {
    for (Range range :
         cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
    ivs.resize(sizes.size());
    for (unsigned l = 0; l < sizes.size(); ++l) {
      bool tiled = int64_t(l) == plan.vectorLoop ||
                   int64_t(l) == plan.rowLoop || int64_t(l) == plan.colLoop;
      if (tiled)
        continue;
      if (op.getIteratorTypesArray()[l] == utils::IteratorType::parallel)
        outer.push_back(l);
      else
        reductions.push_back(l);
    }
  }

  void emit() { emitOuter(0); }

private:
  /// Scalar loops over the untiled parallel loops, then the tiles.
  void emitOuter(size_t depth) {
    if (depth < outer.size()) {
      unsigned l = outer[depth];
      loop(index(0), sizes[l], 1, [&](Value iv) {
        ivs[l] = iv;
        emitOuter(depth + 1);
      });
      return;
    }
    overTiles(plan.rowLoop, tileM, [&](int64_t rows) {
      if (plan.rowDot)
        overTiles(plan.colLoop, tileN,
                  [&](int64_t cols) { emitDotTile(rows, cols); });
      else
        overVectors([&](int64_t vectors, std::optional<int64_t> lanes) {
          emitFmaTile(rows, vectors, lanes);
        });
    });
  }

  /// body(count) for every tile of `tile` values of `loop` (ivs[loop] at
  /// its first), then body(1) for the values left over; body(1) once when
  /// there is no such loop.
  void overTiles(int64_t loopIndex, int64_t tile,
                 llvm::function_ref<void(int64_t)> body) {
    if (loopIndex < 0) {
      body(1);
      return;
    }
    Value size = sizes[loopIndex];
    int64_t known = staticSizes[loopIndex];
    auto run = [&](Value lb, Value ub, int64_t step) {
      loop(lb, ub, step, [&](Value iv) {
        ivs[loopIndex] = iv;
        body(step);
      });
    };
    if (tile == 1) {
      run(index(0), size, 1);
      return;
    }
    Value full = ShapedType::isDynamic(known)
                     ? arith::SubIOp::create(
                           b, loc, size,
                           arith::RemUIOp::create(b, loc, size, index(tile)))
                           .getResult()
                     : index(known - known % tile);
    if (ShapedType::isDynamic(known) || known >= tile)
      run(index(0), full, tile);
    if (ShapedType::isDynamic(known) || known % tile)
      run(full, size, 1);
  }

  /// body(vectors, lanes) over the static vector loop: tiles of tileN
  /// whole vectors, one tile of the whole vectors left over, then the
  /// masked remainder (`lanes` set) if any.
  void
  overVectors(llvm::function_ref<void(int64_t, std::optional<int64_t>)> body) {
    int64_t size = staticSizes[plan.vectorLoop], width = plan.width;
    int64_t whole = size / width, tiled = whole - whole % tileN;
    if (tiled)
      loop(index(0), index(tiled * width), tileN * width, [&](Value iv) {
        ivs[plan.vectorLoop] = iv;
        body(tileN, std::nullopt);
      });
    if (whole > tiled) {
      ivs[plan.vectorLoop] = index(tiled * width);
      body(whole - tiled, std::nullopt);
    }
    if (size % width) {
      ivs[plan.vectorLoop] = index(whole * width);
      body(1, size % width);
    }
  }

  /// The reduction loops not tiled, nested, carrying `init`; body builds
  /// the innermost step.
  SmallVector<Value>
  nestReductions(size_t depth, ValueRange init,
                 llvm::function_ref<SmallVector<Value>(ValueRange)> body) {
    if (depth == reductions.size())
      return body(init);
    unsigned l = reductions[depth];
    return loop(index(0), sizes[l], 1, init, [&](Value iv, ValueRange carried) {
      ivs[l] = iv;
      return nestReductions(depth + 1, carried, body);
    });
  }

  /// Operand `operand`'s indices at the current ivs.
  SmallVector<Value> at(unsigned operand) {
    SmallVector<Value> indices;
    for (AffineExpr e : maps[operand].getResults())
      indices.push_back(ivs[cast<AffineDimExpr>(e).getPosition()]);
    return indices;
  }
  Value mask(int64_t lanes) {
    auto maskType = VectorType::get({plan.width}, b.getI1Type());
    return vector::CreateMaskOp::create(b, loc, maskType,
                                        ValueRange{index(lanes)});
  }
  Value zeros() {
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(vectorType, 0.0f));
  }
  /// A vector of operand `operand` at the current ivs (the first `lanes`
  /// lanes, zeros after, when set).
  Value loadVector(unsigned operand, std::optional<int64_t> lanes) {
    Value base = op->getOperand(operand);
    if (!lanes)
      return vector::LoadOp::create(b, loc, vectorType, base, at(operand));
    return vector::MaskedLoadOp::create(b, loc, vectorType, base, at(operand),
                                        mask(*lanes), zeros());
  }
  void storeVector(Value value, unsigned operand,
                   std::optional<int64_t> lanes) {
    Value base = op->getOperand(operand);
    if (!lanes)
      vector::StoreOp::create(b, loc, value, base, at(operand));
    else
      vector::MaskedStoreOp::create(b, loc, base, at(operand), mask(*lanes),
                                    value);
  }

  /// Sets the tiled loop `loopIndex` to `first` + `offset`.
  void place(int64_t loopIndex, Value first, int64_t offset) {
    if (loopIndex >= 0)
      ivs[loopIndex] = add(first, offset);
  }
  Value current(int64_t loopIndex) {
    return loopIndex >= 0 ? ivs[loopIndex] : Value();
  }

  /// rows × vectors accumulators of a broadcast FMA at the current ivs.
  void emitFmaTile(int64_t rows, int64_t vectors,
                   std::optional<int64_t> lanes) {
    Value row0 = current(plan.rowLoop), vec0 = ivs[plan.vectorLoop];
    bool vectorIn[2] = {maps[0].isFunctionOfDim(plan.vectorLoop),
                        maps[1].isFunctionOfDim(plan.vectorLoop)};
    auto select = [&](int64_t i, int64_t j) {
      place(plan.rowLoop, row0, i);
      place(plan.vectorLoop, vec0, j * plan.width);
    };
    SmallVector<Value> init(rows * vectors, zeros());
    SmallVector<Value> acc = nestReductions(0, init, [&](ValueRange carried) {
      // Vector operands by vector (they do not use the row loop), broadcast
      // operands by row (they do not use the vector loop).
      SmallVector<Value> operands[2];
      for (unsigned k = 0; k < 2; ++k) {
        int64_t count = vectorIn[k] ? vectors : rows;
        for (int64_t t = 0; t < count; ++t) {
          vectorIn[k] ? select(0, t) : select(t, 0);
          operands[k].push_back(
              vectorIn[k] ? loadVector(k, lanes)
                          : vector::BroadcastOp::create(
                                b, loc, vectorType,
                                memref::LoadOp::create(
                                    b, loc, op->getOperand(k), at(k))));
        }
      }
      SmallVector<Value> next;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < vectors; ++j)
          next.push_back(vector::FMAOp::create(
              b, loc, operands[0][vectorIn[0] ? j : i],
              operands[1][vectorIn[1] ? j : i], carried[i * vectors + j]));
      return next;
    });
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < vectors; ++j) {
        select(i, j);
        Value sum = arith::AddFOp::create(b, loc, loadVector(2, lanes),
                                          acc[i * vectors + j]);
        storeVector(sum, 2, lanes);
      }
    select(0, 0);
  }

  /// rows × cols lane-summed accumulators of a row dot at the current ivs.
  void emitDotTile(int64_t rows, int64_t cols) {
    Value row0 = current(plan.rowLoop), col0 = current(plan.colLoop);
    int64_t size = staticSizes[plan.vectorLoop], width = plan.width;
    int64_t whole = size - size % width;
    // One step of FMAs at the current vector iv.
    auto step = [&](ValueRange carried, std::optional<int64_t> lanes) {
      SmallVector<Value> lhs, rhs, next;
      for (int64_t i = 0; i < rows; ++i) {
        place(plan.rowLoop, row0, i);
        lhs.push_back(loadVector(0, lanes));
      }
      for (int64_t j = 0; j < cols; ++j) {
        place(plan.colLoop, col0, j);
        rhs.push_back(loadVector(1, lanes));
      }
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          next.push_back(vector::FMAOp::create(b, loc, lhs[i], rhs[j],
                                               carried[i * cols + j]));
      return next;
    };
    SmallVector<Value> init(rows * cols, zeros());
    SmallVector<Value> acc = nestReductions(0, init, [&](ValueRange carried) {
      SmallVector<Value> partial = loop(index(0), index(whole), width, carried,
                                        [&](Value v, ValueRange inner) {
                                          ivs[plan.vectorLoop] = v;
                                          return step(inner, std::nullopt);
                                        });
      if (whole == size)
        return partial;
      ivs[plan.vectorLoop] = index(whole);
      return step(partial, size - whole);
    });
    // The lanes are summed in any order (reassoc): a tree of shuffles.
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        place(plan.rowLoop, row0, i);
        place(plan.colLoop, col0, j);
        Value out = op.getDpsInits()[0];
        Value old = memref::LoadOp::create(b, loc, out, at(2));
        Value sum = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, acc[i * cols + j], old,
            arith::FastMathFlags::reassoc);
        memref::StoreOp::create(b, loc, sum, out, at(2));
      }
    place(plan.rowLoop, row0, 0);
    place(plan.colLoop, col0, 0);
  }

  linalg::GenericOp op;
  Plan plan;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> staticSizes;
  SmallVector<Value> sizes, ivs;
  SmallVector<unsigned> outer, reductions;
  VectorType vectorType;
  int64_t tileM, tileN;
};

/// A multiply-accumulate body: yield(add(mul(in0, in1), out)), any operand
/// order.
bool isMulAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  return body.getOperations().size() == 3 &&
         linalg::detail::isContractionBody(
             body, [](Operation *first, Operation *second) {
               return isa<arith::MulFOp>(first) && isa<arith::AddFOp>(second);
             });
}

struct CpuStructuredKernelsPass
    : linea::impl::CpuStructuredKernelsBase<CpuStructuredKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (vectorWidth < 1 || tileM < 1 || tileN < 1) {
      getOperation().emitError()
          << "linea-cpu-structured-kernels: vector-width ("
          << int64_t(vectorWidth) << "), tile-m (" << int64_t(tileM)
          << ") and tile-n (" << int64_t(tileN) << ") must be positive";
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Plan>> planned;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.getNumDpsInputs() != 2 || !isMulAccumulate(op))
        return;
      std::string why;
      if (std::optional<Plan> plan = Planner(op, vectorWidth, tileM).plan(why))
        planned.emplace_back(op, *plan);
      else if (reportSkipped)
        op.emitRemark() << "linea-cpu-structured-kernels: contraction left "
                           "to the scalar loops: "
                        << why;
    });
    for (auto &[op, plan] : planned) {
      OpBuilder b(op);
      StructuredEmitter(b, op, plan, tileM, tileN).emit();
      op.erase();
    }
  }
};

} // namespace
} // namespace linea
