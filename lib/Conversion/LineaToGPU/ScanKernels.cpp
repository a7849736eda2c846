//===- ScanKernels.cpp - chunked diagonal scans as gpu.func ---------------===//
//
// linea.linear_scan and linea.selective_scan are diagonal recurrences
// h_t = a_t ⊙ h_{t−1} + b_t over [B, T, D] tensors whose channel dim d is
// innermost, so one thread per channel d reads u/delta/z/a/b of a time step
// coalesced with its warp (consecutive d), and keeps its state (one value,
// or the N states of selective_scan) in registers. B_t and C_t of the
// selective scan are the same for every channel: warp-uniform 16-byte
// loads, served once per warp. The loads of `unroll` steps are issued
// before any of their arithmetic, so a thread has several in flight while
// the recurrence itself is a chain of FMAs.
//
// With few channels (small B·D) that leaves most of the GPU idle, so T is
// split into chunks, parallel over grid.y, and the scan's associativity
// ((a_i, b_i) • (a_j, b_j) = (a_j a_i, a_j b_i + b_j)) gives three launches:
//   p1  each chunk from a zero state: its end state and its decay
//       (∏ a for linear_scan; Σ Δ for selective_scan, since
//       ∏_t exp(Δ_t A) = exp(A Σ_t Δ_t) — one value for all N states);
//   p2  per channel, sequentially over the chunks: the state entering each
//       chunk (written over the chunk summary) and the final state;
//   p3  each chunk again from its entering state, writing the outputs.
// p1 + p3 do the scan's arithmetic twice; that buys T / chunk-fold
// parallelism. With one chunk only p3 runs, reading initial_state itself.
//
//===----------------------------------------------------------------------===//

#include "ScanKernels.h"
#include "KernelBuild.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

/// Elements of B/C rows per 16-byte load, or 1 when N does not allow it.
int64_t rowVectorWidth(const ScanSpec &spec) {
  int64_t w = spec.elemType.isF32() ? 4 : 8;
  return spec.state % w == 0 ? w : 1;
}

/// Argument types of every kernel of `spec`, in manifest order.
SmallVector<Type> scanArgTypes(OpBuilder &builder, const ScanSpec &spec) {
  Type f32 = builder.getF32Type();
  const int64_t Bt = spec.batch, T = spec.time, D = spec.dim, N = spec.state;
  const bool chunked = spec.numChunks() > 1;
  auto ws = scanWorkspaces(spec);
  SmallVector<Type> types;
  if (!spec.selective) {
    types.push_back(globalMemRef({Bt, T, D}, spec.elemType)); // a
    types.push_back(globalMemRef({Bt, T, D}, spec.elemType)); // b
    if (spec.hasInit)
      types.push_back(globalMemRef({Bt, D}, f32));
    if (chunked) {
      types.push_back(globalMemRef(ws[0], f32));
      types.push_back(globalMemRef(ws[1], f32));
    }
    types.push_back(globalMemRef({Bt, T, D}, spec.elemType)); // h
    return types;
  }
  int64_t w = rowVectorWidth(spec);
  Type rowElem = w > 1 ? Type(VectorType::get({w}, spec.elemType))
                       : spec.elemType;
  types.push_back(globalMemRef({Bt, T, D}, spec.elemType)); // u
  types.push_back(globalMemRef({Bt, T, D}, spec.elemType)); // delta
  types.push_back(globalMemRef({D, N}, spec.paramType));    // A
  types.push_back(globalMemRef({Bt, T, N / w}, rowElem));   // B
  types.push_back(globalMemRef({Bt, T, N / w}, rowElem));   // C
  if (spec.hasSkip)
    types.push_back(globalMemRef({D}, spec.paramType));
  if (spec.hasGate)
    types.push_back(globalMemRef({Bt, T, D}, spec.elemType));
  if (spec.hasDeltaBias)
    types.push_back(globalMemRef({D}, spec.paramType));
  if (spec.hasInit)
    types.push_back(globalMemRef({Bt, D, N}, f32));
  if (chunked) {
    types.push_back(globalMemRef(ws[0], f32));
    types.push_back(globalMemRef(ws[1], f32));
  }
  types.push_back(globalMemRef({Bt, D, N}, f32));           // final_state
  types.push_back(globalMemRef({Bt, T, D}, spec.elemType)); // y
  return types;
}

/// Named kernel arguments of one scan.
struct ScanArgs {
  Value u, delta, A, B, C, skip, z, deltaBias; // selective
  Value a, b;                                  // linear
  Value init, wsState, wsDecay, finalState, out;
};

ScanArgs bindArgs(const ScanSpec &spec, ValueRange args) {
  ScanArgs r;
  unsigned i = 0;
  if (spec.selective) {
    r.u = args[i++];
    r.delta = args[i++];
    r.A = args[i++];
    r.B = args[i++];
    r.C = args[i++];
    if (spec.hasSkip)
      r.skip = args[i++];
    if (spec.hasGate)
      r.z = args[i++];
    if (spec.hasDeltaBias)
      r.deltaBias = args[i++];
  } else {
    r.a = args[i++];
    r.b = args[i++];
  }
  if (spec.hasInit)
    r.init = args[i++];
  if (spec.numChunks() > 1) {
    r.wsState = args[i++];
    r.wsDecay = args[i++];
  }
  if (spec.selective)
    r.finalState = args[i++];
  r.out = args[i++];
  return r;
}

enum class Phase { Summarise, Carry, Apply };

/// Builds one kernel (one phase) of a scan.
class ScanBuilder {
public:
  ScanBuilder(ImplicitLocOpBuilder &b, const ScanSpec &spec, Phase phase,
              ValueRange args)
      : b(b), spec(spec), phase(phase), args(bindArgs(spec, args)),
        f32(b.getF32Type()) {}

  void build() {
    Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    Value bx = gpu::BlockIdOp::create(b, gpu::Dimension::x);
    d = arith::AddIOp::create(
        b, arith::MulIOp::create(b, bx, cIdx(b, kScanBlock)), tid);
    // Threads past D read channel D − 1 and store nothing.
    dl = arith::MinUIOp::create(b, d, cIdx(b, spec.dim - 1));
    inRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, d,
                                    cIdx(b, spec.dim));
    yIdx = gpu::BlockIdOp::create(b, gpu::Dimension::y);
    batch = gpu::BlockIdOp::create(b, gpu::Dimension::z);
    if (phase == Phase::Carry)
      return spec.selective ? buildSelectiveCarry() : buildLinearCarry();
    Value t0 = arith::MulIOp::create(b, yIdx, cIdx(b, spec.chunkLen));
    Value t1 = arith::MinUIOp::create(
        b, arith::AddIOp::create(b, t0, cIdx(b, spec.chunkLen)),
        cIdx(b, spec.time));
    if (spec.selective)
      buildSelectiveChunk(t0, t1);
    else
      buildLinearChunk(t0, t1);
  }

private:
  bool chunked() const { return spec.numChunks() > 1; }
  Value load(Value mem, ValueRange idx) {
    return memref::LoadOp::create(b, mem, idx);
  }
  void storeIfInRange(Value v, Value mem, ValueRange idx) {
    ifThen(b, inRange, [&] { memref::StoreOp::create(b, v, mem, idx); });
  }

  // ---- linear_scan ----------------------------------------------------

  void buildLinearChunk(Value t0, Value t1) {
    bool summarise = phase == Phase::Summarise;
    Value h0;
    if (summarise)
      h0 = cF32(b, 0.0);
    else if (chunked())
      h0 = load(args.wsState, {batch, yIdx, dl});
    else
      h0 = spec.hasInit ? load(args.init, {batch, dl}) : cF32(b, 0.0);
    SmallVector<Value> init = {h0};
    if (summarise)
      init.push_back(cF32(b, 1.0)); // ∏ a
    SmallVector<Value> out = timeLoop(
        b, t0, t1, spec.unroll, init,
        [&](Value t) -> SmallVector<Value> {
          return {load(args.a, {batch, t, dl}), load(args.b, {batch, t, dl})};
        },
        [&](Value t, ArrayRef<Value> in, ValueRange s) -> SmallVector<Value> {
          Value a = toF32(b, in[0]);
          Value h = fma(b, a, s[0], toF32(b, in[1]));
          if (summarise)
            return {h, arith::MulFOp::create(b, s[1], a)};
          storeIfInRange(fromF32(b, h, spec.elemType), args.out,
                         {batch, t, dl});
          return {h};
        });
    if (summarise) {
      storeIfInRange(out[0], args.wsState, {batch, yIdx, dl});
      storeIfInRange(out[1], args.wsDecay, {batch, yIdx, dl});
    }
  }

  /// ws_state[c] ← state entering chunk c; h ← decay[c]·h + end[c].
  void buildLinearCarry() {
    Value h0 = spec.hasInit ? load(args.init, {batch, dl}) : cF32(b, 0.0);
    timeLoop(
        b, cIdx(b, 0), cIdx(b, spec.numChunks()), 8, {h0},
        [&](Value c) -> SmallVector<Value> {
          return {load(args.wsDecay, {batch, c, dl}),
                  load(args.wsState, {batch, c, dl})};
        },
        [&](Value c, ArrayRef<Value> in, ValueRange s) -> SmallVector<Value> {
          storeIfInRange(s[0], args.wsState, {batch, c, dl});
          return {fma(b, in[0], s[0], in[1])};
        });
  }

  // ---- selective_scan -------------------------------------------------

  /// Δ after bias and softplus.
  Value stepSize(Value rawDelta, Value bias) {
    Value dt = toF32(b, rawDelta);
    if (bias)
      dt = arith::AddFOp::create(b, dt, bias);
    if (!spec.softplus)
      return dt;
    // log(1 + e^Δ), or Δ itself past 20 (as Mamba), where e^Δ would lose it.
    Value sp = fastLog(b, arith::AddFOp::create(b, cF32(b, 1.0),
                                                 fastExp(b, dt)));
    Value big =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, dt, cF32(b, 20.0));
    return select(b, big, dt, sp);
  }

  /// The N values of row `t` of B or C, as f32.
  SmallVector<Value> loadRow(Value mem, Value t) {
    int64_t w = rowVectorWidth(spec);
    SmallVector<Value> vals;
    for (int64_t j = 0; j < spec.state / w; ++j) {
      Value v = load(mem, {batch, t, cIdx(b, j)});
      if (w == 1) {
        vals.push_back(v);
        continue;
      }
      for (int64_t e = 0; e < w; ++e)
        vals.push_back(vector::ExtractOp::create(b, v, e));
    }
    return vals;
  }

  void buildSelectiveChunk(Value t0, Value t1) {
    const int64_t N = spec.state;
    const bool summarise = phase == Phase::Summarise;
    // A[d, n]·log2 e, so that exp(Δ A) = 2^(Δ · A2).
    SmallVector<Value> a2;
    for (int64_t n = 0; n < N; ++n)
      a2.push_back(arith::MulFOp::create(
          b, toF32(b, load(args.A, {dl, cIdx(b, n)})), cF32(b, kLog2e)));
    Value bias = spec.hasDeltaBias ? toF32(b, load(args.deltaBias, {dl}))
                                   : Value();
    Value skip = spec.hasSkip && !summarise ? toF32(b, load(args.skip, {dl}))
                                            : Value();
    SmallVector<Value> init;
    for (int64_t n = 0; n < N; ++n) {
      Value nIdx = cIdx(b, n);
      if (summarise)
        init.push_back(cF32(b, 0.0));
      else if (chunked())
        init.push_back(load(args.wsState, {batch, yIdx, nIdx, dl}));
      else if (spec.hasInit)
        init.push_back(load(args.init, {batch, dl, nIdx}));
      else
        init.push_back(cF32(b, 0.0));
    }
    if (summarise)
      init.push_back(cF32(b, 0.0)); // Σ Δ

    auto loadStep = [&](Value t) -> SmallVector<Value> {
      SmallVector<Value> in = {load(args.u, {batch, t, dl}),
                               load(args.delta, {batch, t, dl})};
      if (spec.hasGate && !summarise)
        in.push_back(load(args.z, {batch, t, dl}));
      SmallVector<Value> bRow = loadRow(args.B, t);
      in.append(bRow.begin(), bRow.end());
      if (!summarise) {
        SmallVector<Value> cRow = loadRow(args.C, t);
        in.append(cRow.begin(), cRow.end());
      }
      return in;
    };
    auto step = [&](Value t, ArrayRef<Value> in,
                    ValueRange s) -> SmallVector<Value> {
      unsigned i = 0;
      Value u = toF32(b, in[i++]);
      Value dt = stepSize(in[i++], bias);
      Value z = spec.hasGate && !summarise ? toF32(b, in[i++]) : Value();
      ArrayRef<Value> bRow = in.slice(i, N);
      ArrayRef<Value> cRow = summarise ? ArrayRef<Value>() : in.slice(i + N, N);
      Value du = arith::MulFOp::create(b, dt, u);
      SmallVector<Value> next;
      Value y = skip ? Value(arith::MulFOp::create(b, skip, u)) : Value();
      for (int64_t n = 0; n < N; ++n) {
        Value decay = fastExp2(b, arith::MulFOp::create(b, dt, a2[n]));
        Value h = fma(
            b, decay, s[n],
            arith::MulFOp::create(b, du, toF32(b, bRow[n])));
        next.push_back(h);
        if (summarise)
          continue;
        Value c = toF32(b, cRow[n]);
        y = y ? Value(fma(b, c, h, y))
              : Value(arith::MulFOp::create(b, c, h));
      }
      if (summarise) {
        next.push_back(arith::AddFOp::create(b, s[N], dt));
        return next;
      }
      if (z) {
        // y · z / (1 + e^−z)
        Value denom = arith::AddFOp::create(
            b, cF32(b, 1.0),
            fastExp(b, arith::NegFOp::create(b, z)));
        y = arith::DivFOp::create(b, arith::MulFOp::create(b, y, z), denom,
                                  approx(b));
      }
      storeIfInRange(fromF32(b, y, spec.elemType), args.out, {batch, t, dl});
      return next;
    };
    SmallVector<Value> out =
        timeLoop(b, t0, t1, spec.unroll, init, loadStep, step);
    if (summarise) {
      for (int64_t n = 0; n < N; ++n)
        storeIfInRange(out[n], args.wsState, {batch, yIdx, cIdx(b, n), dl});
      storeIfInRange(out[N], args.wsDecay, {batch, yIdx, dl});
    } else if (!chunked()) {
      for (int64_t n = 0; n < N; ++n)
        storeIfInRange(out[n], args.finalState, {batch, dl, cIdx(b, n)});
    }
  }

  /// Thread (d, n = blockIdx.y): the state entering each chunk, then the
  /// final state.
  void buildSelectiveCarry() {
    Value n = yIdx;
    Value a2 = arith::MulFOp::create(b, toF32(b, load(args.A, {dl, n})),
                                     cF32(b, kLog2e));
    Value h0 = spec.hasInit ? load(args.init, {batch, dl, n}) : cF32(b, 0.0);
    SmallVector<Value> h = timeLoop(
        b, cIdx(b, 0), cIdx(b, spec.numChunks()), 8, {h0},
        [&](Value c) -> SmallVector<Value> {
          return {load(args.wsDecay, {batch, c, dl}),
                  load(args.wsState, {batch, c, n, dl})};
        },
        [&](Value c, ArrayRef<Value> in, ValueRange s) -> SmallVector<Value> {
          storeIfInRange(s[0], args.wsState, {batch, c, n, dl});
          Value decay = fastExp2(b, arith::MulFOp::create(b, in[0], a2));
          return {fma(b, decay, s[0], in[1])};
        });
    storeIfInRange(h[0], args.finalState, {batch, dl, n});
  }

  ImplicitLocOpBuilder &b;
  const ScanSpec &spec;
  Phase phase;
  ScanArgs args;
  Type f32;
  Value d, dl, inRange, yIdx, batch;
};

} // namespace

int64_t chooseScanChunk(const ScanSpec &spec) {
  constexpr int64_t kWantedThreads = 128 * 1024, kMinChunk = 64;
  int64_t threads = spec.batch * spec.channelBlocks() * kScanBlock;
  int64_t chunks = (kWantedThreads + threads - 1) / threads;
  if (chunks <= 1 || spec.time < 2 * kMinChunk)
    return spec.time;
  int64_t len = std::max<int64_t>(kMinChunk, (spec.time + chunks - 1) / chunks);
  len = (len + spec.unroll - 1) / spec.unroll * spec.unroll;
  return len >= spec.time ? spec.time : len;
}

std::array<SmallVector<int64_t>, 2> scanWorkspaces(const ScanSpec &spec) {
  int64_t c = spec.numChunks();
  if (spec.selective)
    return {SmallVector<int64_t>{spec.batch, c, spec.state, spec.dim},
            SmallVector<int64_t>{spec.batch, c, spec.dim}};
  return {SmallVector<int64_t>{spec.batch, c, spec.dim},
          SmallVector<int64_t>{spec.batch, c, spec.dim}};
}

SmallVector<LaunchStep> buildScanKernels(OpBuilder &builder, Location loc,
                                         StringRef prefix,
                                         const ScanSpec &spec) {
  SmallVector<Type> argTypes = scanArgTypes(builder, spec);
  SmallVector<LaunchStep> steps;
  auto emit = [&](Phase phase, StringRef suffix,
                  std::array<int64_t, 3> grid) {
    std::string name = (prefix + suffix).str();
    auto func = createKernel(builder, loc, name, argTypes, kScanBlock);
    ImplicitLocOpBuilder b(loc, builder.getContext());
    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    ScanBuilder(b, spec, phase, entry.getArguments()).build();
    gpu::ReturnOp::create(b);
    steps.push_back({name, grid, {kScanBlock, 1, 1}, 0});
  };
  const int64_t cb = spec.channelBlocks(), nc = spec.numChunks();
  if (nc == 1) {
    emit(Phase::Apply, "", {cb, 1, spec.batch});
    return steps;
  }
  emit(Phase::Summarise, "_p1", {cb, nc, spec.batch});
  emit(Phase::Carry, "_p2", {cb, spec.selective ? spec.state : 1, spec.batch});
  emit(Phase::Apply, "_p3", {cb, nc, spec.batch});
  return steps;
}

} // namespace linea::gpu_codegen
