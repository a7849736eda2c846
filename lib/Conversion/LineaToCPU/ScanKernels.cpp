//===- ScanKernels.cpp - parallel vector scans for the recurrence ops -----===//
//
// The reference lowering (ScanToLinalg.cpp) walks time in an scf.for whose
// every step extracts slices, allocates temporaries and runs linalg ops over
// the whole [B, D(, N)] state: correct, but scalar and sequential. This pass
// replaces each supported `linea.linear_scan` and `linea.selective_scan`,
// still at tensor level, by a call to a generated kernel on buffers.
//
// The kernel's unit of work is a block of channels d (a few vectors of VL
// lanes along D) of one batch row i. The state of a block stays in vector
// registers while t advances (selective_scan: one vector per state n, so
// y = Σ_n C·h is N broadcast FMAs and needs no horizontal sum):
//
//   linear_scan:     h = a_t·h + b_t                      (f32, no FMA: the
//                                                          reference's order)
//   selective_scan:  Δ = softplus?(δ_t + bias); du = Δ·u_t
//                    h_n = exp(Δ·A_n)·h_n + du·B_t[n]      (vector FMA)
//                    y_t = (Σ_n C_t[n]·h_n + skip·u_t)·silu(z_t)
//
// f16/bf16 inputs are widened on load, every output is rounded once, and
// exp/log1p become polynomial approximations (no libm call per lane).
//
// Parallelism: the (batch × channel block) items are an scf.parallel when
// there are at least as many items as threads. Otherwise (few rows and
// channels, long T, three threads or more: the chunks scan twice) time is
// split into one chunk per thread, using that the step is associative
// ((a, b)•(a', b') = (a'a, a'b + b')):
//   1. per chunk in parallel, scan from a zero state: the chunk's partial
//      state S_c and its decay, Π a (linear) or ΣΔ (selective: the product
//      of exp(Δ·A) is exp(A·ΣΔ));
//   2. serially over chunks: carry_{c+1} = decay_c·carry_c + S_c;
//   3. per chunk in parallel, rescan from carry_c writing the outputs (so
//      half-precision outputs are still rounded once).
// Small problems (decode, T = 1) run serially: no thread start-up, and no
// allocation on that path. The time loop of each block shape and the
// per-item work are outlined into private functions, so the step body is
// emitted once per mode and every scf.parallel body is a single call.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitterBase.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <map>

namespace linea {
#define GEN_PASS_DEF_CPUSCANKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// The static facts of one supported op that shape its kernel.
struct ScanShape {
  bool selective = false;
  int64_t channels = 0; // D
  int64_t states = 1;   // N (1 for linear_scan)
  Type element;         // E of the activations and the output
  bool hasInit = false, hasSkip = false, hasGate = false, hasBias = false;
  bool softplus = false;
  int64_t lanes = 16; // f32 lanes of a vector
  int64_t groups = 1; // vectors per channel block
};

/// The static size of `dim` of `value`.
int64_t dimOf(Value value, unsigned dim) {
  return cast<RankedTensorType>(value.getType()).getDimSize(dim);
}

/// Fills `shape` and returns "" when the kernels apply, else why not.
std::string analyze(Operation *op, int64_t lanes, int64_t maxStates,
                    ScanShape &shape) {
  shape.lanes = lanes;
  if (auto scan = dyn_cast<LinearScanOp>(op)) {
    shape.channels = dimOf(scan.getA(), 2);
    shape.element = cast<RankedTensorType>(scan.getType()).getElementType();
    shape.hasInit = bool(scan.getInitialState());
    // Memory-bound: four vectors per block keep four independent chains.
    shape.groups = 4;
  } else {
    auto sel = cast<SelectiveScanOp>(op);
    shape.selective = true;
    shape.channels = dimOf(sel.getU(), 2);
    shape.states = dimOf(sel.getA(), 1);
    shape.element =
        cast<RankedTensorType>(sel.getY().getType()).getElementType();
    shape.hasInit = bool(sel.getInitialState());
    shape.hasSkip = bool(sel.getDSkip());
    shape.hasGate = bool(sel.getZ());
    shape.hasBias = bool(sel.getDeltaBias());
    shape.softplus = sel.getDeltaSoftplus();
    if (ShapedType::isDynamic(shape.states))
      return "N is dynamic";
    if (shape.states > maxStates)
      return "N (" + std::to_string(shape.states) + ") is above max-states (" +
             std::to_string(maxStates) +
             "): the state of a channel block would not stay in registers";
    // About 16 state vectors per block.
    shape.groups =
        std::clamp<int64_t>(16 / std::max<int64_t>(shape.states, 1), 1, 4);
  }
  if (ShapedType::isDynamic(shape.channels))
    return "D is dynamic";
  if (shape.channels == 0 || shape.states == 0)
    return "D or N is 0";
  return "";
}

/// Emits the body of one kernel function on buffers.
class KernelEmitter : cpu_kernels::KernelEmitterBase {
public:
  KernelEmitter(OpBuilder &b, Location loc, const ScanShape &shape,
                SymbolTable &symbols, func::FuncOp kernel, int64_t threads,
                int64_t minParallelWork, int64_t minChunkSteps)
      : KernelEmitterBase(b, loc), s(shape), symbols(symbols), kernel(kernel),
        threads(threads), minParallelWork(minParallelWork),
        minChunkSteps(minChunkSteps), f32(b.getF32Type()) {
    int64_t blockChannels = s.groups * s.lanes;
    fullBlocks = s.channels / blockChannels;
    for (int64_t g = 0; g < s.groups; ++g)
      fullWidths.push_back(s.lanes);
    int64_t rest = s.channels % blockChannels;
    for (; rest >= s.lanes; rest -= s.lanes)
      tailWidths.push_back(s.lanes);
    if (rest)
      tailWidths.push_back(rest);
    blocks = fullBlocks + (tailWidths.empty() ? 0 : 1);
  }

  /// Arguments, linear_scan: a, b, [h0], h; selective_scan: u, delta, A, B,
  /// C, [skip], [z], [delta_bias], [h0], y, final_state.
  void emit(ValueRange args) {
    bind(args);
    emitSchedules();
  }

  /// The functions emitted besides the kernel.
  SmallVector<func::FuncOp> helpers() const { return created; }

private:
  /// Names the buffer arguments of the function being emitted (the
  /// kernel's, in the order of `emit`, or an outlined part's) and reads B
  /// and T from them.
  void bind(ValueRange args) {
    buffers.assign(args.begin(), args.end());
    unsigned k = 0;
    if (!s.selective) {
      u = args[k++];     // a
      delta = args[k++]; // b
      if (s.hasInit)
        init = args[k++];
      y = args[k++];
    } else {
      u = args[k++];
      delta = args[k++];
      A = args[k++];
      Bm = args[k++];
      C = args[k++];
      if (s.hasSkip)
        skip = args[k++];
      if (s.hasGate)
        z = args[k++];
      if (s.hasBias)
        bias = args[k++];
      if (s.hasInit)
        init = args[k++];
      y = args[k++];
      finalState = args[k++];
    }
    batch = memref::DimOp::create(b, loc, u, 0);
    steps = memref::DimOp::create(b, loc, u, 1);
    items = mul(batch, index(blocks));
  }

  /// Calls `fn`, first emitting it: a private function taking the buffers
  /// of the function being emitted plus `extra`, whose body `body` gets
  /// the extra arguments and returns values of `resultTypes`. Outlining
  /// keeps one copy of the step body however many schedules use it, and
  /// leaves each scf.parallel body a single call (one block, as the
  /// memref.alloca_scope of convert-scf-to-openmp must stay).
  SmallVector<Value>
  outlined(func::FuncOp &fn, StringRef suffix, ValueRange extra,
           TypeRange resultTypes,
           llvm::function_ref<SmallVector<Value>(ValueRange)> body) {
    if (!fn) {
      SmallVector<Type> argTypes;
      for (Value v : buffers)
        argTypes.push_back(v.getType());
      for (Value v : extra)
        argTypes.push_back(v.getType());
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointAfter(kernel);
      fn = func::FuncOp::create(b, loc, (kernel.getName() + suffix).str(),
                                b.getFunctionType(argTypes, resultTypes));
      fn.setPrivate();
      symbols.insert(fn);
      created.push_back(fn);
      Block *entry = fn.addEntryBlock();
      b.setInsertionPointToEnd(entry);
      Values outer = values;
      size_t n = buffers.size();
      bind(entry->getArguments().take_front(n));
      func::ReturnOp::create(b, loc, body(entry->getArguments().drop_front(n)));
      values = outer;
    }
    SmallVector<Value> operands(buffers);
    operands.append(extra.begin(), extra.end());
    return SmallVector<Value>(
        func::CallOp::create(b, loc, fn, operands).getResults());
  }

  /// The batch-row schedule, and with threads the time-chunked one.
  void emitSchedules() {
    auto batchPath = [&] {
      auto item = [&](Value k) {
        outlined(itemFn, "_rows", {k}, {}, [&](ValueRange args) {
          emitItem(args[0]);
          return SmallVector<Value>();
        });
      };
      if (threads <= 1)
        return loop(index(0), items, 1, item);
      // B·T·D·N state updates: below min-parallel-work threads cost more
      // than they save (decode).
      Value work = mul(mul(batch, steps), index(s.channels * s.states));
      Value big = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, work,
                                        index(minParallelWork));
      ifElse(
          big, [&] { parallel(items, item); },
          [&] { loop(index(0), items, 1, item); });
    };
    // The time-chunked schedule scans twice (~1.7× the work): it gains
    // only from three threads on.
    if (threads <= 2)
      return batchPath();
    // Fewer items than threads and enough steps: one time chunk per thread.
    Value few = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, items,
                                      index(threads));
    Value longEnough =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, steps,
                              index(threads * minChunkSteps));
    ifElse(
        arith::AndIOp::create(b, loc, few, longEnough), [&] { emitChunked(); },
        batchPath);
  }
  //===--------------------------------------------------------------------===//
  // Small builders
  //===--------------------------------------------------------------------===//

  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  VectorType vec(int64_t width, Type element = {}) {
    return VectorType::get({width}, element ? element : f32);
  }
  Value splat(double v, int64_t width) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vec(width), float(v)));
  }
  Value toF32(Value v) {
    Type type = isa<VectorType>(v.getType())
                    ? Type(vec(cast<VectorType>(v.getType()).getNumElements()))
                    : f32;
    if (getElementTypeOrSelf(v.getType()).isF32())
      return v;
    return arith::ExtFOp::create(b, loc, type, v);
  }


  /// scf.parallel over [0, count), one iteration per item.
  void parallel(Value count, llvm::function_ref<void(Value)> body) {
    auto par = scf::ParallelOp::create(b, loc, ValueRange{index(0)},
                                       ValueRange{count}, ValueRange{index(1)});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(par.getBody()->getTerminator());
    body(par.getInductionVars()[0]);
  }

  /// Calls `body(c0, widths)` for channel block `blk`: the full block shape,
  /// or the tail's for the last block when D is not a whole number of
  /// blocks.
  void withBlock(Value blk,
                 llvm::function_ref<void(Value, ArrayRef<int64_t>)> body) {
    Value c0 = mul(blk, index(s.groups * s.lanes));
    if (tailWidths.empty())
      return body(c0, fullWidths);
    if (fullBlocks == 0)
      return body(c0, tailWidths);
    Value isTail = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, blk,
                                         index(fullBlocks));
    ifElse(
        isTail, [&] { body(c0, tailWidths); }, [&] { body(c0, fullWidths); });
  }

  /// Item k of (batch row, channel block), row-major.
  std::pair<Value, Value> rowAndBlock(Value k) {
    return {arith::DivUIOp::create(b, loc, k, index(blocks)),
            arith::RemUIOp::create(b, loc, k, index(blocks))};
  }

  //===--------------------------------------------------------------------===//
  // Loads and stores of a block
  //===--------------------------------------------------------------------===//

  /// x[i, t, c : c + width] widened to f32.
  Value loadActivation(Value x, Value i, Value t, Value c, int64_t width) {
    return toF32(vector::LoadOp::create(b, loc, vec(width, s.element), x,
                                        ValueRange{i, t, c}));
  }
  /// p[c : c + width] of a rank-1 parameter, widened.
  Value loadParam(Value p, Value c, int64_t width) {
    Type element = cast<MemRefType>(p.getType()).getElementType();
    return toF32(
        vector::LoadOp::create(b, loc, vec(width, element), p, ValueRange{c}));
  }
  /// The vector of m[prefix..., c + l, n] for l < width of a row-major
  /// m whose last dim is N: a strided read (vector.gather), once per block.
  Value gatherChannels(Value m, ValueRange prefix, Value c, Value n,
                       int64_t width) {
    Type element = cast<MemRefType>(m.getType()).getElementType();
    SmallVector<Value> indices(prefix);
    indices.append({c, n});
    Value v = vector::GatherOp::create(
        b, loc, vec(width, element), m, indices, strideIndices(width),
        allTrue(width),
        arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(cast<ShapedType>(vec(width, element)),
                                   b.getZeroAttr(element))));
    return toF32(v);
  }
  /// m[prefix..., c + l, n] = v[l] (vector.scatter).
  void scatterChannels(Value v, Value m, ValueRange prefix, Value c, Value n,
                       int64_t width) {
    SmallVector<Value> indices(prefix);
    indices.append({c, n});
    vector::ScatterOp::create(b, loc, Type(), m, indices, strideIndices(width),
                              allTrue(width), v);
  }
  /// [0, N, 2N, …]: the offsets of consecutive channels.
  Value strideIndices(int64_t width) {
    SmallVector<int32_t> offsets;
    for (int64_t l = 0; l < width; ++l)
      offsets.push_back(int32_t(l * s.states));
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vec(width, b.getI32Type()),
                               ArrayRef<int32_t>(offsets)));
  }
  Value allTrue(int64_t width) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vec(width, b.getI1Type()), true));
  }

  /// The per-block parameters of selective_scan: A[c.., n] per (group, n),
  /// skip and bias per group.
  struct Params {
    SmallVector<Value> A, skip, bias;
  };
  Params loadParams(Value c0, ArrayRef<int64_t> widths) {
    Params p;
    if (!s.selective)
      return p;
    int64_t offset = 0;
    for (int64_t w : widths) {
      Value c = add(c0, offset);
      for (int64_t n = 0; n < s.states; ++n)
        p.A.push_back(gatherChannels(A, {}, c, index(n), w));
      if (s.hasSkip)
        p.skip.push_back(loadParam(skip, c, w));
      if (s.hasBias)
        p.bias.push_back(loadParam(bias, c, w));
      offset += w;
    }
    return p;
  }

  /// The state before step 0 of row i: initial_state's block, or zeros.
  SmallVector<Value> initialState(Value i, Value c0, ArrayRef<int64_t> widths) {
    SmallVector<Value> h;
    int64_t offset = 0;
    for (int64_t w : widths) {
      for (int64_t n = 0; n < s.states; ++n) {
        if (!s.hasInit)
          h.push_back(splat(0.0, w));
        else if (s.selective)
          h.push_back(gatherChannels(init, {i}, add(c0, offset), index(n), w));
        else
          h.push_back(loadParamRow(init, i, add(c0, offset), w));
      }
      offset += w;
    }
    return h;
  }
  Value loadParamRow(Value m, Value i, Value c, int64_t width) {
    return vector::LoadOp::create(b, loc, vec(width), m, ValueRange{i, c});
  }

  /// Carried state blocks in the chunk buffers [B, chunks, N, D] and decays
  /// in [B, chunks, D].
  SmallVector<Value> loadCarry(Value i, Value chunk, Value c0,
                               ArrayRef<int64_t> widths) {
    SmallVector<Value> h;
    int64_t offset = 0;
    for (int64_t w : widths) {
      for (int64_t n = 0; n < s.states; ++n)
        h.push_back(vector::LoadOp::create(
            b, loc, vec(w), carry,
            ValueRange{i, chunk, index(n), add(c0, offset)}));
      offset += w;
    }
    return h;
  }
  void storeCarry(ValueRange h, Value i, Value chunk, Value c0,
                  ArrayRef<int64_t> widths) {
    int64_t offset = 0, k = 0;
    for (int64_t w : widths) {
      for (int64_t n = 0; n < s.states; ++n)
        vector::StoreOp::create(
            b, loc, h[k++], carry,
            ValueRange{i, chunk, index(n), add(c0, offset)});
      offset += w;
    }
  }

  //===--------------------------------------------------------------------===//
  // The time loop of one block
  //===--------------------------------------------------------------------===//

  /// log(1 + exp(x)) as max(x, 0) + log1p(exp(−|x|)), as the reference.
  Value softplus(Value x, int64_t width) {
    Value positive = arith::MaximumFOp::create(b, loc, x, splat(0.0, width));
    Value negAbs =
        arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
    return arith::AddFOp::create(
        b, loc, positive,
        math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs)));
  }

  /// Steps [t0, t1) of row i's block at c0 from state `h`, as a call of a
  /// private function per block shape and mode (the step body, N
  /// polynomial exps per vector, is emitted once, not once per schedule).
  /// With `summary` (phase 1) no output is written and the decay
  /// accumulators (Π a, or ΣΔ, one per group) follow the state in the
  /// result.
  SmallVector<Value> timeLoop(Value i, Value c0, ArrayRef<int64_t> widths,
                              Value t0, Value t1, ValueRange h, bool summary) {
    bool tail = widths.size() != fullWidths.size() ||
                widths.back() != fullWidths.back();
    SmallVector<Type> resultTypes;
    for (int64_t w : widths)
      resultTypes.append(s.states, vec(w));
    if (summary)
      for (int64_t w : widths)
        resultTypes.push_back(vec(w));
    SmallVector<Value> extra = {i, c0, t0, t1};
    extra.append(h.begin(), h.end());
    return outlined(stepFunctions[{tail, summary}], "_steps", extra,
                    resultTypes, [&](ValueRange args) {
                      Params p = loadParams(args[1], widths);
                      return stepLoop(args[0], args[1], widths, p, args[2],
                                      args[3], args.drop_front(4), summary);
                    });
  }

  /// The body of `timeLoop`'s function: an scf.for carrying the state.
  SmallVector<Value> stepLoop(Value i, Value c0, ArrayRef<int64_t> widths,
                              const Params &p, Value t0, Value t1, ValueRange h,
                              bool summary) {
    SmallVector<Value> carried(h);
    if (summary)
      for (int64_t w : widths)
        carried.push_back(splat(s.selective ? 0.0 : 1.0, w));
    size_t stateCount = h.size();
    return loop(t0, t1, 1, carried,
                [&](Value t, ValueRange values) -> SmallVector<Value> {
                  SmallVector<Value> state(values.take_front(stateCount));
                  SmallVector<Value> decay(values.drop_front(stateCount));
                  if (s.selective)
                    selectiveStep(i, t, c0, widths, p, state, decay, summary);
                  else
                    linearStep(i, t, c0, widths, state, decay, summary);
                  state.append(decay);
                  return state;
                });
  }

  /// h = a·h + b per group (mul then add, the reference's rounding).
  void linearStep(Value i, Value t, Value c0, ArrayRef<int64_t> widths,
                  SmallVector<Value> &h, SmallVector<Value> &decay,
                  bool summary) {
    int64_t offset = 0;
    for (auto [g, w] : llvm::enumerate(widths)) {
      Value c = add(c0, offset);
      Value av = loadActivation(u, i, t, c, w);
      Value bv = loadActivation(delta, i, t, c, w);
      h[g] = arith::AddFOp::create(b, loc,
                                   arith::MulFOp::create(b, loc, av, h[g]), bv);
      if (summary) {
        decay[g] = arith::MulFOp::create(b, loc, decay[g], av);
      } else {
        Value out = h[g];
        if (!s.element.isF32())
          out = arith::TruncFOp::create(b, loc, vec(w, s.element), out);
        vector::StoreOp::create(b, loc, out, y, ValueRange{i, t, c});
      }
      offset += w;
    }
  }

  /// One step of the selective scan for every group of the block.
  void selectiveStep(Value i, Value t, Value c0, ArrayRef<int64_t> widths,
                     const Params &p, SmallVector<Value> &h,
                     SmallVector<Value> &decay, bool summary) {
    // B[i, t, n] and C[i, t, n] are shared by all channels.
    SmallVector<Value> bn, cn;
    for (int64_t n = 0; n < s.states; ++n) {
      bn.push_back(toF32(
          memref::LoadOp::create(b, loc, Bm, ValueRange{i, t, index(n)})));
      if (!summary)
        cn.push_back(toF32(
            memref::LoadOp::create(b, loc, C, ValueRange{i, t, index(n)})));
    }
    int64_t offset = 0;
    for (auto [g, w] : llvm::enumerate(widths)) {
      Value c = add(c0, offset);
      Value uv = loadActivation(u, i, t, c, w);
      Value dt = loadActivation(delta, i, t, c, w);
      if (s.hasBias)
        dt = arith::AddFOp::create(b, loc, dt, p.bias[g]);
      if (s.softplus)
        dt = softplus(dt, w);
      Value du = arith::MulFOp::create(b, loc, dt, uv);
      Value acc = splat(0.0, w);
      for (int64_t n = 0; n < s.states; ++n) {
        size_t k = g * s.states + n;
        Value dA = math::ExpOp::create(
            b, loc, arith::MulFOp::create(b, loc, dt, p.A[k]));
        Value bv = vector::BroadcastOp::create(b, loc, vec(w), bn[n]);
        Value input = arith::MulFOp::create(b, loc, du, bv);
        h[k] = vector::FMAOp::create(b, loc, dA, h[k], input);
        if (!summary) {
          Value cv = vector::BroadcastOp::create(b, loc, vec(w), cn[n]);
          acc = vector::FMAOp::create(b, loc, cv, h[k], acc);
        }
      }
      if (summary) {
        decay[g] = arith::AddFOp::create(b, loc, decay[g], dt);
      } else {
        if (s.hasSkip)
          acc = vector::FMAOp::create(b, loc, p.skip[g], uv, acc);
        if (s.hasGate) {
          // y · z / (1 + exp(−z))
          Value zv = loadActivation(z, i, t, c, w);
          Value e =
              math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, zv));
          Value silu = arith::DivFOp::create(
              b, loc, zv, arith::AddFOp::create(b, loc, splat(1.0, w), e));
          acc = arith::MulFOp::create(b, loc, acc, silu);
        }
        if (!s.element.isF32())
          acc = arith::TruncFOp::create(b, loc, vec(w, s.element), acc);
        vector::StoreOp::create(b, loc, acc, y, ValueRange{i, t, c});
      }
      offset += w;
    }
  }

  /// final_state[i, c.., n] = h (selective_scan).
  void storeFinal(ValueRange h, Value i, Value c0, ArrayRef<int64_t> widths) {
    if (!s.selective)
      return;
    int64_t offset = 0, k = 0;
    for (int64_t w : widths) {
      for (int64_t n = 0; n < s.states; ++n)
        scatterChannels(h[k++], finalState, {i}, add(c0, offset), index(n), w);
      offset += w;
    }
  }

  //===--------------------------------------------------------------------===//
  // The two schedules
  //===--------------------------------------------------------------------===//

  /// Item k of the (batch row × channel block) schedule: the whole sequence.
  void emitItem(Value k) {
    auto [row, blk] = rowAndBlock(k);
    Value i = row;
    withBlock(blk, [&](Value c0, ArrayRef<int64_t> widths) {
      SmallVector<Value> h = initialState(i, c0, widths);
      h = timeLoop(i, c0, widths, index(0), steps, h, /*summary=*/false);
      storeFinal(h, i, c0, widths);
    });
  }

  /// One chunk of time per thread (items < threads, long sequences).
  void emitChunked() {
    int64_t chunks = threads;
    carry = memref::AllocOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic, chunks, s.states, s.channels},
                        f32),
        ValueRange{batch});
    decays = memref::AllocOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic, chunks, s.channels}, f32),
        ValueRange{batch});
    auto chunkRange = [&](Value chunk) {
      Value chunkSteps =
          arith::CeilDivUIOp::create(b, loc, steps, index(chunks));
      Value t0 = arith::MinUIOp::create(b, loc, mul(chunk, chunkSteps), steps);
      Value t1 = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, t0, chunkSteps), steps);
      return std::make_pair(t0, t1);
    };
    // Item k: chunk k / items, then (row, block) as in the batch schedule.
    auto chunkBody = [&](Value k, bool rescan) {
      Value chunk = arith::DivUIOp::create(b, loc, k, items);
      auto [row, blk] = rowAndBlock(arith::RemUIOp::create(b, loc, k, items));
      auto [first, last] = chunkRange(chunk);
      Value i = row, t0 = first, t1 = last;
      withBlock(blk, [&](Value c0, ArrayRef<int64_t> widths) {
        size_t stateCount = widths.size() * s.states;
        if (!rescan) {
          SmallVector<Value> h;
          for (int64_t w : widths)
            for (int64_t n = 0; n < s.states; ++n)
              h.push_back(splat(0.0, w));
          SmallVector<Value> out =
              timeLoop(i, c0, widths, t0, t1, h, /*summary=*/true);
          storeCarry(ArrayRef<Value>(out).take_front(stateCount), i, chunk, c0,
                     widths);
          int64_t offset = 0;
          for (auto [g, w] : llvm::enumerate(widths)) {
            vector::StoreOp::create(b, loc, out[stateCount + g], decays,
                                    ValueRange{i, chunk, add(c0, offset)});
            offset += w;
          }
          return;
        }
        SmallVector<Value> h = loadCarry(i, chunk, c0, widths);
        h = timeLoop(i, c0, widths, t0, t1, h, /*summary=*/false);
        if (s.selective) {
          Value last = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             chunk, index(chunks - 1));
          auto ifOp = scf::IfOp::create(b, loc, last, /*withElseRegion=*/false);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
          storeFinal(h, i, c0, widths);
        }
      });
    };
    // Outlined with the chunk buffers as arguments.
    auto chunkItem = [&](Value k, bool rescan) {
      outlined(chunkFns[rescan], rescan ? "_rescan" : "_chunk",
               {k, carry, decays}, {}, [&](ValueRange args) {
                 carry = args[1];
                 decays = args[2];
                 chunkBody(args[0], rescan);
                 return SmallVector<Value>();
               });
    };
    Value all = mul(items, index(chunks));
    // 1. Partial states and decays of every chunk from zero.
    parallel(all, [&](Value k) { chunkItem(k, /*rescan=*/false); });
    // 2. The state entering each chunk, in place of its partial state.
    loop(index(0), items, 1, [&](Value k) {
      auto [row, blk] = rowAndBlock(k);
      Value i = row;
      withBlock(blk, [&](Value c0, ArrayRef<int64_t> widths) {
        Params p = loadParams(c0, widths);
        SmallVector<Value> h = initialState(i, c0, widths);
        h = loop(index(0), index(chunks), 1, h,
                 [&](Value chunk, ValueRange hIn) -> SmallVector<Value> {
                   SmallVector<Value> partial = loadCarry(i, chunk, c0, widths);
                   storeCarry(hIn, i, chunk, c0, widths);
                   SmallVector<Value> next;
                   int64_t offset = 0;
                   for (auto [g, w] : llvm::enumerate(widths)) {
                     Value d = vector::LoadOp::create(
                         b, loc, vec(w), decays,
                         ValueRange{i, chunk, add(c0, offset)});
                     for (int64_t n = 0; n < s.states; ++n) {
                       size_t idx = g * s.states + n;
                       Value factor =
                           s.selective
                               ? math::ExpOp::create(
                                     b, loc,
                                     arith::MulFOp::create(b, loc, d, p.A[idx]))
                                     .getResult()
                               : d;
                       next.push_back(arith::AddFOp::create(
                           b, loc,
                           arith::MulFOp::create(b, loc, factor, hIn[idx]),
                           partial[idx]));
                     }
                     offset += w;
                   }
                   return next;
                 });
      });
    });
    // 3. Every chunk again from its incoming state, writing the outputs.
    parallel(all, [&](Value k) { chunkItem(k, /*rescan=*/true); });
  }

  const ScanShape &s;
  SymbolTable &symbols;
  func::FuncOp kernel;
  std::map<std::pair<bool, bool>, func::FuncOp> stepFunctions;
  int64_t threads, minParallelWork, minChunkSteps;
  Type f32;
  int64_t fullBlocks = 0, blocks = 0;
  SmallVector<int64_t> fullWidths, tailWidths;
  /// The values of the function being emitted.
  struct Values {
    SmallVector<Value> buffers;
    Value u, delta, A, Bm, C, skip, z, bias, init, y, finalState;
    Value batch, steps, items, carry, decays;
  } values;
  SmallVector<Value> &buffers = values.buffers;
  Value &u = values.u, &delta = values.delta, &A = values.A, &Bm = values.Bm,
        &C = values.C, &skip = values.skip, &z = values.z, &bias = values.bias,
        &init = values.init, &y = values.y, &finalState = values.finalState,
        &batch = values.batch, &steps = values.steps, &items = values.items,
        &carry = values.carry, &decays = values.decays;
  SmallVector<func::FuncOp> created;
  func::FuncOp itemFn, chunkFns[2];
};

/// The memref of `tensor`'s shape with the leading `dynamic` dims dynamic.
MemRefType bufferType(Value tensor, unsigned dynamic) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (unsigned d = 0; d < dynamic; ++d)
    shape[d] = ShapedType::kDynamic;
  return MemRefType::get(shape, type.getElementType());
}

/// A fresh buffer of `type`'s shape, dynamic sizes taken from the same dims
/// of `like`.
Value allocLike(OpBuilder &b, Location loc, RankedTensorType type,
                ArrayRef<std::pair<Value, unsigned>> sizeOf) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(
          tensor::DimOp::create(b, loc, sizeOf[d].first, sizeOf[d].second));
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), sizes);
}

struct CpuScanKernelsPass
    : linea::impl::CpuScanKernelsBase<CpuScanKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto isPow2 = [](int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
    if (!isPow2(vectorWidth) || numThreads < 1 || minParallelWork < 0 ||
        minChunkSteps < 1 || maxStates < 1) {
      module.emitError() << "linea-cpu-scan-kernels: vector-width ("
                         << int64_t(vectorWidth)
                         << ") must be a power of two, num-threads ("
                         << int64_t(numThreads) << "), min-chunk-steps ("
                         << int64_t(minChunkSteps) << ") and max-states ("
                         << int64_t(maxStates)
                         << ") positive and min-parallel-work ("
                         << int64_t(minParallelWork) << ") not negative";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<LinearScanOp, SelectiveScanOp>(op))
        ops.push_back(op);
    });
    SymbolTable symbols(module);
    llvm::DenseMap<std::pair<Type, unsigned>, func::FuncOp> kernels;
    for (Operation *op : ops) {
      ScanShape shape;
      std::string why = analyze(op, vectorWidth, maxStates, shape);
      if (!why.empty()) {
        if (reportSkipped)
          op->emitRemark() << "linea-cpu-scan-kernels: left to the reference "
                              "lowering: "
                           << why;
        continue;
      }
      OpBuilder b(op);
      Location loc = op->getLoc();
      // Activations [B, T, ...] and states [B, ...] with B and T dynamic in
      // the kernel's signature, so one kernel serves every length.
      SmallVector<std::pair<Value, unsigned>> operands;
      Value first = op->getOperand(0);
      auto addOperand = [&](Value v, unsigned dynamic) {
        if (v)
          operands.push_back({v, dynamic});
      };
      SmallVector<RankedTensorType> resultTypes;
      SmallVector<SmallVector<std::pair<Value, unsigned>>> resultSizes;
      if (auto scan = dyn_cast<LinearScanOp>(op)) {
        addOperand(scan.getA(), 2);
        addOperand(scan.getB(), 2);
        addOperand(scan.getInitialState(), 1);
        resultTypes.push_back(cast<RankedTensorType>(scan.getType()));
        resultSizes.push_back({{first, 0}, {first, 1}, {first, 2}});
      } else {
        auto sel = cast<SelectiveScanOp>(op);
        addOperand(sel.getU(), 2);
        addOperand(sel.getDelta(), 2);
        addOperand(sel.getA(), 0);
        addOperand(sel.getB(), 2);
        addOperand(sel.getC(), 2);
        addOperand(sel.getDSkip(), 0);
        addOperand(sel.getZ(), 2);
        addOperand(sel.getDeltaBias(), 0);
        addOperand(sel.getInitialState(), 1);
        resultTypes.push_back(cast<RankedTensorType>(sel.getY().getType()));
        resultSizes.push_back({{first, 0}, {first, 1}, {first, 2}});
        resultTypes.push_back(
            cast<RankedTensorType>(sel.getFinalState().getType()));
        resultSizes.push_back({{first, 0}, {first, 2}, {sel.getA(), 1}});
      }
      SmallVector<Type> argTypes;
      for (auto [v, dynamic] : operands)
        argTypes.push_back(bufferType(v, dynamic));
      SmallVector<Type> resultArgTypes;
      for (auto [k, type] : llvm::enumerate(resultTypes)) {
        SmallVector<int64_t> dims(type.getShape());
        dims[0] = ShapedType::kDynamic;
        if (k == 0)
          dims[1] = ShapedType::kDynamic;
        resultArgTypes.push_back(MemRefType::get(dims, type.getElementType()));
      }
      argTypes.append(resultArgTypes);
      auto funcType = b.getFunctionType(argTypes, {});

      // Same types, same options: skip and delta_bias alone have the same
      // signature, so the key also says which operands are present.
      unsigned flags = shape.softplus | shape.hasSkip << 1 |
                       shape.hasGate << 2 | shape.hasBias << 3 |
                       shape.hasInit << 4;
      func::FuncOp &kernel = kernels[{funcType, flags}];
      if (!kernel) {
        OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
        kernel = func::FuncOp::create(mb, loc, "__linea_scan_kernel", funcType);
        kernel.setPrivate();
        symbols.insert(kernel); // renames on collision
        Block *entry = kernel.addEntryBlock();
        OpBuilder kb = OpBuilder::atBlockEnd(entry);
        KernelEmitter emitter(kb, loc, shape, symbols, kernel, numThreads,
                              minParallelWork, minChunkSteps);
        emitter.emit(entry->getArguments());
        func::ReturnOp::create(kb, loc);
        // exp and log1p as polynomials on whole vectors (LLVM would
        // otherwise call libm once per lane).
        FrozenRewritePatternSet patterns = [&] {
          RewritePatternSet set(&getContext());
          populateMathPolynomialApproximationPatterns(set);
          return FrozenRewritePatternSet(std::move(set));
        }();
        SmallVector<func::FuncOp> fns = emitter.helpers();
        fns.push_back(kernel);
        for (func::FuncOp fn : fns)
          if (failed(applyPatternsGreedily(fn, patterns)))
            return signalPassFailure();
      }

      // Tensor → buffer at the call; the result buffers are fresh, so their
      // tensors are `restrict`.
      SmallVector<Value> args;
      for (auto [k, operand] : llvm::enumerate(operands)) {
        Value v = operand.first;
        Value buffer = bufferization::ToBufferOp::create(
            b, loc, bufferType(v, 0), v, /*read_only=*/true);
        if (buffer.getType() != argTypes[k])
          buffer = memref::CastOp::create(b, loc, argTypes[k], buffer);
        args.push_back(buffer);
      }
      SmallVector<Value> resultBuffers;
      for (auto [k, type] : llvm::enumerate(resultTypes)) {
        Value buffer = allocLike(b, loc, type, resultSizes[k]);
        resultBuffers.push_back(buffer);
        args.push_back(
            buffer.getType() == resultArgTypes[k]
                ? buffer
                : memref::CastOp::create(b, loc, resultArgTypes[k], buffer)
                      .getResult());
      }
      func::CallOp::create(b, loc, kernel, args);
      for (auto [k, type] : llvm::enumerate(resultTypes))
        op->getResult(k).replaceAllUsesWith(bufferization::ToTensorOp::create(
            b, loc, type, resultBuffers[k], /*restrict=*/true,
            /*writable=*/true));
      op->erase();
    }
  }
};

} // namespace
} // namespace linea
