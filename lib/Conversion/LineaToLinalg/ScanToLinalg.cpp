//===- ScanToLinalg.cpp - reference lowering of the recurrence ops --------===//
//
// linear_scan, selective_scan, gated_linear_attention and delta_rule become a
// sequential `scf.for` over time whose iter_args are the f32 state and the
// output tensor. Each step extracts the time-t slices, updates the state and
// computes the step's output with linalg.generic ops in f32, rounds the output
// once to its element type and writes it into the output's slice at t (the
// generic's init is that slice, so bufferization writes in place instead of
// copying into a strided view). This is the plain order of the documented
// recurrences, not a parallel scan: it is the reference.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

namespace linea {
namespace {

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// One dimension of one value: `dim` of `value` (a null value is skipped).
struct DimUse {
  Value value;
  unsigned dim;
};

/// The size of a named dimension shared by several values: the first static
/// size among `uses` (the verifier made all static ones agree), else dynamic.
int64_t sharedSize(ArrayRef<DimUse> uses) {
  for (const DimUse &use : uses)
    if (use.value) {
      int64_t size =
          cast<RankedTensorType>(use.value.getType()).getDimSize(use.dim);
      if (!ShapedType::isDynamic(size))
        return size;
    }
  return ShapedType::kDynamic;
}

/// `value` with static sizes `shape` where known, through tensor.cast; the
/// value itself when it already has that shape, null when null. Refining
/// every operand to the joint shape first keeps slices and inserts of one
/// dimension either all static or all dynamic.
Value withShape(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  if (!value)
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return tensor::CastOp::create(b, loc, type.clone(shape), value);
}

/// Sizes of `value` with dimension `dim` replaced by 1 (for slicing at t).
SmallVector<OpFoldResult> unitSizesAt(OpBuilder &b, Location loc, Value value,
                                      int64_t dim) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < rank; ++i)
    sizes.push_back(i == dim ? b.getIndexAttr(1)
                             : tensor::getMixedSize(b, loc, value, i));
  return sizes;
}

/// Offsets that are zero except `t` at `dim`.
SmallVector<OpFoldResult> offsetsAt(OpBuilder &b, int64_t rank, int64_t dim,
                                    Value t) {
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[dim] = t;
  return offsets;
}

/// The slice of `source` at index `t` of dimension `dim`, that dimension
/// dropped (e.g. a[:, t, :] of a [B, T, D] tensor is [B, D]).
Value sliceAt(OpBuilder &b, Location loc, Value source, int64_t dim, Value t) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + dim);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, type.clone(shape), source, offsetsAt(b, type.getRank(), dim, t),
      unitSizesAt(b, loc, source, dim), strides);
}

/// Inserts `slice` (the shape of `dest` without `dim`) into `dest` at index
/// `t` of dimension `dim`.
Value insertAt(OpBuilder &b, Location loc, Value slice, Value dest, int64_t dim,
               Value t) {
  int64_t rank = cast<RankedTensorType>(dest.getType()).getRank();
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, slice, dest,
                                       offsetsAt(b, rank, dim, t),
                                       unitSizesAt(b, loc, dest, dim), strides);
}

//===----------------------------------------------------------------------===//
// linalg.generic
//===----------------------------------------------------------------------===//

/// An operand of a generic: `value` indexed by the loop dimensions `loops`.
/// A null value stands for an absent optional operand.
struct Indexed {
  Value value;
  SmallVector<unsigned, 4> loops;
};

/// Computes the yielded values from the block arguments (inputs, then
/// outputs); absent inputs are passed as null values in their position.
using BodyFn =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ArrayRef<Value>)>;

/// A linalg.generic over `numLoops` loops (`reductions` among them are
/// reductions, the others parallel) with projection maps given by `Indexed`.
SmallVector<Value> generic(OpBuilder &b, Location loc, unsigned numLoops,
                           ArrayRef<unsigned> reductions, ArrayRef<Indexed> ins,
                           ArrayRef<Indexed> outs, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  auto mapOf = [&](const Indexed &operand) {
    SmallVector<AffineExpr> exprs;
    for (unsigned loop : operand.loops)
      exprs.push_back(getAffineDimExpr(loop, ctx));
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  SmallVector<Value> inputs, outputs;
  SmallVector<AffineMap> maps;
  SmallVector<bool> present;
  for (const Indexed &operand : ins) {
    present.push_back(bool(operand.value));
    if (operand.value) {
      inputs.push_back(operand.value);
      maps.push_back(mapOf(operand));
    }
  }
  for (const Indexed &operand : outs) {
    outputs.push_back(operand.value);
    maps.push_back(mapOf(operand));
  }
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  for (unsigned loop : reductions)
    iterators[loop] = utils::IteratorType::reduction;
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(outputs)), inputs, outputs, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> all;
        auto next = args.begin();
        for (bool isPresent : present)
          all.push_back(isPresent ? *next++ : Value());
        all.append(next, args.end());
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, all));
      });
  return SmallVector<Value>(op.getResults());
}

/// A scalar block argument widened to f32 (null stays null).
Value f32(OpBuilder &b, Location loc, Value scalar) {
  return scalar ? castScalar(b, loc, scalar, b.getF32Type()) : scalar;
}

/// log(1 + exp(x)) as max(x, 0) + log1p(exp(−|x|)): exact, and exp never
/// overflows.
Value softplus(OpBuilder &b, Location loc, Value x) {
  Value zero = f32Constant(b, loc, 0.0);
  Value positive = arith::MaximumFOp::create(b, loc, x, zero);
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value tail =
      math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
  return arith::AddFOp::create(b, loc, positive, tail);
}

/// silu(x) = x · sigmoid(x) = x / (1 + exp(−x)).
Value silu(OpBuilder &b, Location loc, Value x) {
  Value one = f32Constant(b, loc, 1.0);
  Value expNeg = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  Value denominator = arith::AddFOp::create(b, loc, one, expNeg);
  return arith::DivFOp::create(b, loc, x, denominator);
}

//===----------------------------------------------------------------------===//
// Writing a step's output
//===----------------------------------------------------------------------===//
//
// A step's output is a reduction in f32 followed by an elementwise epilogue
// that rounds it to the output's element type, written into `outSlice`, the
// output's slice at t. The output slice must be the destination of the last
// op: an f32 result left in a temporary would be copied into the strided
// slice, a memref.copy the JIT cannot run. So when the output is f32 the
// accumulator is the slice itself and the epilogue updates it in place (an
// identity epilogue may then fold away harmlessly); otherwise the
// accumulator is an f32 temporary and the rounding epilogue writes the slice.

/// Zeros to accumulate a step's output into (see above).
Value stepAccumulator(OpBuilder &b, Location loc, Value outSlice) {
  auto type = cast<RankedTensorType>(outSlice.getType());
  if (type.getElementType().isF32())
    return linalg::FillOp::create(b, loc, f32Constant(b, loc, 0.0), outSlice)
        .getResult(0);
  return filledTensor(b, loc, type.getShape(), 0.0, outSlice);
}

/// The epilogue: out[...] = round(finish(acc[...], extra operands...)) over
/// the loops of `outSlice`, identity-indexed like `acc`. `finish` receives
/// the f32 accumulator first, then the extra operands' block arguments (null
/// for absent ones), and returns an f32 value.
Value finishStep(OpBuilder &b, Location loc, Value acc, Value outSlice,
                 ArrayRef<Indexed> extra, BodyFn finish) {
  auto type = cast<RankedTensorType>(outSlice.getType());
  Type element = type.getElementType();
  SmallVector<unsigned, 4> all =
      llvm::to_vector<4>(llvm::seq<unsigned>(0, type.getRank()));
  bool inPlace = element.isF32();
  SmallVector<Indexed> ins;
  if (!inPlace)
    ins.push_back({acc, all});
  ins.append(extra.begin(), extra.end());
  Indexed out{inPlace ? acc : outSlice, all};
  return generic(b, loc, type.getRank(), {}, ins, out,
                 [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                   // In place the accumulator is the output block argument.
                   SmallVector<Value> operands;
                   operands.push_back(inPlace ? args.back() : args.front());
                   ArrayRef<Value> rest = args.drop_back();
                   if (!inPlace)
                     rest = rest.drop_front();
                   operands.append(rest.begin(), rest.end());
                   Value value = finish(bb, bl, operands).front();
                   return SmallVector<Value>{
                       castScalar(bb, bl, value, element)};
                 })[0];
}

//===----------------------------------------------------------------------===//
// The time loop
//===----------------------------------------------------------------------===//

/// Builds `for t in [0, numSteps)` carrying (state, output) and returns the
/// final pair. `step` returns the next state and the output with step t
/// inserted.
std::pair<Value, Value>
timeLoop(OpBuilder &b, Location loc, Value numSteps, Value state, Value output,
         function_ref<std::pair<Value, Value>(OpBuilder &, Location, Value,
                                              Value, Value)>
             step) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, zero, numSteps, one, ValueRange{state, output},
      [&](OpBuilder &nb, Location nloc, Value t, ValueRange carried) {
        auto [next, out] = step(nb, nloc, t, carried[0], carried[1]);
        scf::YieldOp::create(nb, nloc, ValueRange{next, out});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// The state before step 0: `initial` (already f32) or zeros of `shape`,
/// whose dynamic dims are those of `dimSource` at the same positions.
Value initialState(OpBuilder &b, Location loc, Value initial,
                   ArrayRef<int64_t> shape, Value dimSource) {
  if (initial)
    return initial;
  return filledTensor(b, loc, shape, 0.0, dimSource);
}

/// Replaces `op`'s results by `values`, cast back to the declared types
/// (which may be less static than the joint shapes used inside).
void replaceWithCasts(PatternRewriter &rewriter, Operation *op,
                      ArrayRef<Value> values) {
  SmallVector<Value> results;
  for (auto [value, type] : llvm::zip(values, op->getResultTypes()))
    results.push_back(withShape(rewriter, op->getLoc(), value,
                                cast<RankedTensorType>(type).getShape()));
  rewriter.replaceOp(op, results);
}

//===----------------------------------------------------------------------===//
// linea.linear_scan
//===----------------------------------------------------------------------===//

/// h_t = a_t ⊙ h_{t−1} + b_t with state [B, D] in f32.
struct LinearScanToLinalg : OpRewritePattern<LinearScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearScanOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = op.getA(), b = op.getB(), h0 = op.getInitialState();
    Value h = op.getH();
    int64_t B = sharedSize({{a, 0}, {b, 0}, {h0, 0}, {h, 0}});
    int64_t T = sharedSize({{a, 1}, {b, 1}, {h, 1}});
    int64_t D = sharedSize({{a, 2}, {b, 2}, {h0, 1}, {h, 2}});
    a = withShape(rewriter, loc, a, {B, T, D});
    b = withShape(rewriter, loc, b, {B, T, D});
    h0 = withShape(rewriter, loc, h0, {B, D});
    Type element = cast<RankedTensorType>(h.getType()).getElementType();

    Value state = initialState(rewriter, loc, h0, {B, D}, a);
    Value output = emptyTensor(rewriter, loc, {B, T, D}, element, a);
    Value numSteps = tensor::DimOp::create(rewriter, loc, a, 1);
    // The last state is h[:, T − 1]; the op has no final-state result.
    Value result =
        timeLoop(rewriter, loc, numSteps, state, output,
                 [&](OpBuilder &nb, Location l, Value t, Value s, Value out) {
                   Value at = sliceAt(nb, l, a, 1, t),
                         bt = sliceAt(nb, l, b, 1, t);
                   Value ht = sliceAt(nb, l, out, 1, t);
                   SmallVector<Value> next = generic(
                       nb, l, 2, {}, {{at, {0, 1}}, {bt, {0, 1}}},
                       {{s, {0, 1}}, {ht, {0, 1}}},
                       [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                         Value prod = arith::MulFOp::create(
                             bb, bl, f32(bb, bl, args[0]), args[2]);
                         Value sum = arith::AddFOp::create(
                             bb, bl, prod, f32(bb, bl, args[1]));
                         return SmallVector<Value>{
                             sum, castScalar(bb, bl, sum, element)};
                       });
                   return std::make_pair(next[0],
                                         insertAt(nb, l, next[1], out, 1, t));
                 })
            .second;
    replaceWithCasts(rewriter, op, {result});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// linea.selective_scan
//===----------------------------------------------------------------------===//

/// Mamba's scan with state [Bt, D, N]. Per step: Δ [Bt, D] (bias, softplus),
/// the state update, y = Σ_n C h, then skip, gate and rounding.
struct SelectiveScanToLinalg : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value u = op.getU(), delta = op.getDelta(), A = op.getA(), Bm = op.getB(),
          C = op.getC(), skip = op.getDSkip(), z = op.getZ(),
          bias = op.getDeltaBias(), h0 = op.getInitialState(), y = op.getY(),
          hT = op.getFinalState();
    int64_t Bt = sharedSize({{u, 0},
                             {delta, 0},
                             {Bm, 0},
                             {C, 0},
                             {z, 0},
                             {h0, 0},
                             {y, 0},
                             {hT, 0}});
    int64_t T =
        sharedSize({{u, 1}, {delta, 1}, {Bm, 1}, {C, 1}, {z, 1}, {y, 1}});
    int64_t D = sharedSize({{u, 2}, {A, 0}});
    int64_t N = sharedSize({{A, 1}, {Bm, 2}});
    u = withShape(rewriter, loc, u, {Bt, T, D});
    delta = withShape(rewriter, loc, delta, {Bt, T, D});
    Bm = withShape(rewriter, loc, Bm, {Bt, T, N});
    C = withShape(rewriter, loc, C, {Bt, T, N});
    z = withShape(rewriter, loc, z, {Bt, T, D});
    h0 = withShape(rewriter, loc, h0, {Bt, D, N});
    Type element = cast<RankedTensorType>(y.getType()).getElementType();
    bool useSoftplus = op.getDeltaSoftplus();

    Value state = initialState(rewriter, loc, h0, {Bt, D, N}, u);
    Value output = emptyTensor(rewriter, loc, {Bt, T, D}, element, u);
    Value numSteps = tensor::DimOp::create(rewriter, loc, u, 1);
    auto [finalState, result] = timeLoop(
        rewriter, loc, numSteps, state, output,
        [&](OpBuilder &nb, Location l, Value t, Value h, Value out) {
          Value ut = sliceAt(nb, l, u, 1, t);
          Value deltaT = sliceAt(nb, l, delta, 1, t);
          Value bStep = sliceAt(nb, l, Bm, 1, t), Ct = sliceAt(nb, l, C, 1, t);
          Value zt = z ? sliceAt(nb, l, z, 1, t) : Value();

          // Δ[i, d] = softplus?(delta[i, t, d] + delta_bias[d]).
          Value dtInit = emptyTensor(nb, l, {Bt, D}, nb.getF32Type(), ut);
          Value dt = generic(
              nb, l, 2, {}, {{deltaT, {0, 1}}, {bias, {1}}}, {{dtInit, {0, 1}}},
              [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                Value x = f32(bb, bl, args[0]);
                if (args[1])
                  x = arith::AddFOp::create(bb, bl, x, f32(bb, bl, args[1]));
                if (useSoftplus)
                  x = softplus(bb, bl, x);
                return SmallVector<Value>{x};
              })[0];

          // h[i, d, n] = exp(Δ[i, d]·A[d, n])·h[i, d, n] + Δ[i, d]·B[i, n]·u[i,
          // d].
          Value hNext = generic(
              nb, l, 3, {},
              {{dt, {0, 1}}, {A, {1, 2}}, {bStep, {0, 2}}, {ut, {0, 1}}},
              {{h, {0, 1, 2}}},
              [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                Value d = args[0];
                Value decay = math::ExpOp::create(
                    bb, bl,
                    arith::MulFOp::create(bb, bl, d, f32(bb, bl, args[1])));
                Value input = arith::MulFOp::create(
                    bb, bl,
                    arith::MulFOp::create(bb, bl, d, f32(bb, bl, args[2])),
                    f32(bb, bl, args[3]));
                Value kept = arith::MulFOp::create(bb, bl, decay, args[4]);
                return SmallVector<Value>{
                    arith::AddFOp::create(bb, bl, kept, input)};
              })[0];

          // acc[i, d] = Σ_n C[i, n]·h[i, d, n].
          Value yt = sliceAt(nb, l, out, 1, t);
          Value accInit = stepAccumulator(nb, l, yt);
          Value acc =
              generic(nb, l, 3, {2}, {{Ct, {0, 2}}, {hNext, {0, 1, 2}}},
                      {{accInit, {0, 1}}},
                      [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                        Value prod = arith::MulFOp::create(
                            bb, bl, f32(bb, bl, args[0]), args[1]);
                        return SmallVector<Value>{
                            arith::AddFOp::create(bb, bl, prod, args[2])};
                      })[0];

          // y[i, d] = (acc + D_skip[d]·u[i, d])·silu(z[i, d]), rounded once.
          yt = finishStep(
              nb, l, acc, yt, {{ut, {0, 1}}, {skip, {1}}, {zt, {0, 1}}},
              [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                Value value = args[0];
                if (args[2])
                  value = arith::AddFOp::create(
                      bb, bl, value,
                      arith::MulFOp::create(bb, bl, f32(bb, bl, args[2]),
                                            f32(bb, bl, args[1])));
                if (args[3])
                  value = arith::MulFOp::create(
                      bb, bl, value, silu(bb, bl, f32(bb, bl, args[3])));
                return SmallVector<Value>{value};
              });
          return std::make_pair(hNext, insertAt(nb, l, yt, out, 1, t));
        });
    replaceWithCasts(rewriter, op, {result, finalState});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// linea.gated_linear_attention and linea.delta_rule
//===----------------------------------------------------------------------===//

/// Joint shapes and refined operands of the two linear-attention scans:
/// q, k [B, H, T, Dk], v [B, H, T, Dv], state [B, H, Dk, Dv].
struct AttentionScanShapes {
  int64_t B, H, T, Dk, Dv;

  AttentionScanShapes(Value q, Value k, Value v, Value gate, Value s0, Value o,
                      Value sT) {
    B = sharedSize(
        {{q, 0}, {k, 0}, {v, 0}, {gate, 0}, {s0, 0}, {o, 0}, {sT, 0}});
    H = sharedSize(
        {{q, 1}, {k, 1}, {v, 1}, {gate, 1}, {s0, 1}, {o, 1}, {sT, 1}});
    T = sharedSize({{q, 2}, {k, 2}, {v, 2}, {gate, 2}, {o, 2}});
    Dk = sharedSize({{q, 3}, {k, 3}, {s0, 2}, {sT, 2}});
    Dv = sharedSize({{v, 3}, {s0, 3}, {o, 3}, {sT, 3}});
  }
  SmallVector<int64_t> keys() const { return {B, H, T, Dk}; }
  SmallVector<int64_t> values() const { return {B, H, T, Dv}; }
  SmallVector<int64_t> state() const { return {B, H, Dk, Dv}; }
  SmallVector<int64_t> stepValues() const { return {B, H, Dv}; }
};

/// o[b, h, c] = scale · Σ_a q[b, h, a]·S[b, h, a, c], rounded once and
/// written into `outSlice` (the output at this step); `qt` is q at the step,
/// `state` the f32 state after it.
Value readOut(OpBuilder &b, Location loc, Value qt, Value state, float scale,
              Value outSlice) {
  Value acc = generic(
      b, loc, 4, {3}, {{qt, {0, 1, 3}}, {state, {0, 1, 3, 2}}},
      {{stepAccumulator(b, loc, outSlice), {0, 1, 2}}},
      [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
        Value prod =
            arith::MulFOp::create(bb, bl, f32(bb, bl, args[0]), args[1]);
        return SmallVector<Value>{arith::AddFOp::create(bb, bl, prod, args[2])};
      })[0];
  return finishStep(b, loc, acc, outSlice, {},
                    [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                      return SmallVector<Value>{arith::MulFOp::create(
                          bb, bl, args[0], f32Constant(bb, bl, scale))};
                    });
}

/// S[a, c] = exp(g[a])·S[a, c] + k[a]·v[c], then o = scale · q S.
struct GatedLinearAttentionToLinalg : OpRewritePattern<GatedLinearAttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedLinearAttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value q = op.getQ(), k = op.getK(), v = op.getV(), g = op.getG(),
          s0 = op.getInitialState();
    AttentionScanShapes shapes(q, k, v, g, s0, op.getO(), op.getFinalState());
    q = withShape(rewriter, loc, q, shapes.keys());
    k = withShape(rewriter, loc, k, shapes.keys());
    v = withShape(rewriter, loc, v, shapes.values());
    g = withShape(rewriter, loc, g, shapes.keys());
    s0 = withShape(rewriter, loc, s0, shapes.state());
    Type element = op.getO().getType().getElementType();
    float scale = op.getEffectiveScale();

    Value state = initialState(rewriter, loc, s0, shapes.state(), q);
    Value output = emptyTensor(rewriter, loc, shapes.values(), element, q);
    Value numSteps = tensor::DimOp::create(rewriter, loc, q, 2);
    auto [finalState, result] = timeLoop(
        rewriter, loc, numSteps, state, output,
        [&](OpBuilder &nb, Location l, Value t, Value s, Value out) {
          Value qt = sliceAt(nb, l, q, 2, t), kt = sliceAt(nb, l, k, 2, t);
          Value vt = sliceAt(nb, l, v, 2, t), gt = sliceAt(nb, l, g, 2, t);
          // Loops (b, h, a, c).
          Value sNext = generic(
              nb, l, 4, {}, {{gt, {0, 1, 2}}, {kt, {0, 1, 2}}, {vt, {0, 1, 3}}},
              {{s, {0, 1, 2, 3}}},
              [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                Value decay = math::ExpOp::create(bb, bl, f32(bb, bl, args[0]));
                Value kept = arith::MulFOp::create(bb, bl, decay, args[3]);
                Value write = arith::MulFOp::create(
                    bb, bl, f32(bb, bl, args[1]), f32(bb, bl, args[2]));
                return SmallVector<Value>{
                    arith::AddFOp::create(bb, bl, kept, write)};
              })[0];
          Value ot =
              readOut(nb, l, qt, sNext, scale, sliceAt(nb, l, out, 2, t));
          return std::make_pair(sNext, insertAt(nb, l, ot, out, 2, t));
        });
    replaceWithCasts(rewriter, op, {result, finalState});
    return success();
  }
};

/// kS[c] = Σ_a k[a]·S[a, c]; S[a, c] += β·k[a]·(v[c] − kS[c]); o = scale · q S.
struct DeltaRuleToLinalg : OpRewritePattern<DeltaRuleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DeltaRuleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value q = op.getQ(), k = op.getK(), v = op.getV(), beta = op.getBeta(),
          s0 = op.getInitialState();
    AttentionScanShapes shapes(q, k, v, beta, s0, op.getO(),
                               op.getFinalState());
    q = withShape(rewriter, loc, q, shapes.keys());
    k = withShape(rewriter, loc, k, shapes.keys());
    v = withShape(rewriter, loc, v, shapes.values());
    beta = withShape(rewriter, loc, beta, {shapes.B, shapes.H, shapes.T});
    s0 = withShape(rewriter, loc, s0, shapes.state());
    Type element = op.getO().getType().getElementType();
    float scale = op.getEffectiveScale();

    Value state = initialState(rewriter, loc, s0, shapes.state(), q);
    Value output = emptyTensor(rewriter, loc, shapes.values(), element, q);
    Value numSteps = tensor::DimOp::create(rewriter, loc, q, 2);
    auto [finalState, result] = timeLoop(
        rewriter, loc, numSteps, state, output,
        [&](OpBuilder &nb, Location l, Value t, Value s, Value out) {
          Value qt = sliceAt(nb, l, q, 2, t), kt = sliceAt(nb, l, k, 2, t);
          Value vt = sliceAt(nb, l, v, 2, t);
          Value betaT = sliceAt(nb, l, beta, 2, t);
          // What the state holds at key k_t: kS[b, h, c], loops (b, h, c, a).
          Value readInit = filledTensor(nb, l, shapes.stepValues(), 0.0, qt);
          Value read =
              generic(nb, l, 4, {3}, {{kt, {0, 1, 3}}, {s, {0, 1, 3, 2}}},
                      {{readInit, {0, 1, 2}}},
                      [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                        Value prod = arith::MulFOp::create(
                            bb, bl, f32(bb, bl, args[0]), args[1]);
                        return SmallVector<Value>{
                            arith::AddFOp::create(bb, bl, prod, args[2])};
                      })[0];
          // The update, loops (b, h, a, c).
          Value sNext =
              generic(nb, l, 4, {},
                      {{betaT, {0, 1}},
                       {kt, {0, 1, 2}},
                       {vt, {0, 1, 3}},
                       {read, {0, 1, 3}}},
                      {{s, {0, 1, 2, 3}}},
                      [&](OpBuilder &bb, Location bl, ArrayRef<Value> args) {
                        Value error = arith::SubFOp::create(
                            bb, bl, f32(bb, bl, args[2]), args[3]);
                        Value weight = arith::MulFOp::create(
                            bb, bl, f32(bb, bl, args[0]), f32(bb, bl, args[1]));
                        Value delta =
                            arith::MulFOp::create(bb, bl, weight, error);
                        return SmallVector<Value>{
                            arith::AddFOp::create(bb, bl, args[4], delta)};
                      })[0];
          Value ot =
              readOut(nb, l, qt, sNext, scale, sliceAt(nb, l, out, 2, t));
          return std::make_pair(sNext, insertAt(nb, l, ot, out, 2, t));
        });
    replaceWithCasts(rewriter, op, {result, finalState});
    return success();
  }
};

} // namespace

void populateScanToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearScanToLinalg, SelectiveScanToLinalg,
               GatedLinearAttentionToLinalg, DeltaRuleToLinalg>(
      patterns.getContext());
}

} // namespace linea
