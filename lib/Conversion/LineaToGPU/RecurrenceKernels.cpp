//===- RecurrenceKernels.cpp - matrix-state recurrences as gpu.func -------===//
//
// The recurrent form of gated linear attention, causal linear attention
// and the delta rule: per (batch, head) a Dk×Dv f32 state S updated once per
// time step. Each column c of S evolves on its own (S_t[:, c] depends only
// on S_{t−1}[:, c], k_t, v_t[c] and the gate), so the kernel parallelises
// over columns: block (b·H + h, column tile), a group of L = Dk / R lanes
// per column, lane l holding rows l·R … l·R + R − 1 of it in registers.
// Dot products over the rows (q_t·S[:, c], and k_t·S[:, c] for the delta
// rule) are partial sums in each lane, added across the group with xor
// shuffles.
//
// Every lane needs the whole q_t, k_t (and gate) rows, so the block stages
// `stepsPerTile` steps of them in shared memory at a time — loaded
// coalesced, converted to f32 and transformed once (exp of the GLA gate,
// the feature map of linear attention) instead of once per column — in a
// [step][lane][R + 4] layout whose padding keeps the lanes' 16-byte reads
// free of bank conflicts. Outputs of a tile collect in shared memory and
// leave as contiguous rows. This is the decode / baseline form; the
// chunkwise tensor-core form of GLA and linear attention (REWRITES.md §7)
// is ChunkwiseKernels.cpp (linea-to-gpu{chunkwise=1}).
//
//===----------------------------------------------------------------------===//

#include "KernelBuild.h"
#include "ScanKernels.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kWarp = 32;

/// Threads per block: the column groups, rounded up to whole warps.
int64_t recurrenceThreads(const RecurrenceSpec &spec) {
  int64_t t = spec.columnsPerBlock() * spec.lanesPerColumn();
  return (t + kWarp - 1) / kWarp * kWarp;
}

/// Which kernel of a chunked recurrence (Apply alone when T is one chunk).
enum class Phase { Summarise, Carry, Apply };

class RecurrenceBuilder {
public:
  RecurrenceBuilder(ImplicitLocOpBuilder &b, const RecurrenceSpec &spec,
                    Phase phase)
      : b(b), spec(spec), phase(phase), f32(b.getF32Type()),
        vec4(VectorType::get({4}, b.getF32Type())) {}

  void build(gpu::GPUFuncOp func);

private:
  int64_t R() const { return spec.rowsPerLane; }
  int64_t L() const { return spec.lanesPerColumn(); }
  int64_t cols() const { return spec.columnsPerBlock(); }
  int64_t threads() const { return recurrenceThreads(spec); }
  int64_t TC() const { return spec.stepsPerTile; }
  bool isGLA() const { return spec.kind == RecurrenceKind::GatedLinearAttention; }
  bool isLA() const { return spec.kind == RecurrenceKind::LinearAttention; }
  bool isDelta() const { return spec.kind == RecurrenceKind::DeltaRule; }

  /// Applies `fn` to each element of a vector<4xf32>.
  Value map4(Value v, llvm::function_ref<Value(Value)> fn) {
    SmallVector<Value> elems;
    for (int64_t e = 0; e < 4; ++e)
      elems.push_back(fn(vector::ExtractOp::create(b, v, e)));
    return vector::FromElementsOp::create(b, vec4, elems);
  }
  Value featureMap(Value x) {
    return gpu_codegen::featureMap(b, spec.featureMap, x);
  }
  /// Sum over the L lanes of a column group (every lane gets it).
  Value groupSum(Value v) {
    for (int64_t off = L() / 2; off > 0; off /= 2) {
      auto sh = gpu::ShuffleOp::create(b, v, static_cast<int32_t>(off), kWarp,
                                       gpu::ShuffleMode::XOR);
      v = arith::AddFOp::create(b, v, sh.getShuffleResult());
    }
    return v;
  }
  Value dot4(ArrayRef<Value> x, ArrayRef<Value> y) {
    Value acc = arith::MulFOp::create(b, x[0], y[0]);
    for (size_t j = 1; j < x.size(); ++j)
      acc = vector::FMAOp::create(b, x[j], y[j], acc);
    return vector::ReductionOp::create(b, vector::CombiningKind::ADD, acc);
  }

  bool chunked() const { return spec.numChunks() > 1; }

  ImplicitLocOpBuilder &b;
  const RecurrenceSpec &spec;
  Phase phase;
  Type f32;
  VectorType vec4;
};

void RecurrenceBuilder::build(gpu::GPUFuncOp func) {
  const int64_t H = spec.heads, T = spec.time, Dk = spec.dk, Dv = spec.dv;
  const int64_t P = R() / 4 + 1; // vectors per lane slot, one of padding
  ValueRange args = func.getArguments();
  unsigned ai = 0;
  Value q = args[ai++], k = args[ai++], v = args[ai++];
  Value gate = isLA() ? Value() : args[ai++];
  Value init = spec.hasInit ? args[ai++] : Value();
  Value wsState, wsDecay;
  if (chunked()) {
    wsState = args[ai++];
    if (isGLA())
      wsDecay = args[ai++];
  }
  Value finalState = spec.hasFinalState() ? args[ai++] : Value();
  Value o = args[ai++];
  const bool summarise = phase == Phase::Summarise;

  Location loc = b.getLoc();
  Value qs = func.addWorkgroupAttribution(
      sharedMemRef({TC(), L(), P}, vec4), loc);
  Value ks = func.addWorkgroupAttribution(
      sharedMemRef({TC(), L(), P}, vec4), loc);
  Value gs = isGLA() ? func.addWorkgroupAttribution(
                           sharedMemRef({TC(), L(), P}, vec4), loc)
                     : Value();
  Value betas =
      isDelta() ? func.addWorkgroupAttribution(sharedMemRef({TC()}, f32), loc)
                : Value();
  Value vs =
      func.addWorkgroupAttribution(sharedMemRef({TC(), cols()}, f32), loc);
  Value os =
      func.addWorkgroupAttribution(sharedMemRef({TC(), cols()}, f32), loc);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  // Blocks are whole warps (the shuffles involve all 32 lanes): groups past
  // the last column compute on it and store nothing.
  Value group = arith::DivUIOp::create(b, tid, cIdx(b, L()));
  Value isColumn = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, group,
                                         cIdx(b, cols()));
  Value colLocal = arith::MinUIOp::create(b, group, cIdx(b, cols() - 1));
  Value lane = arith::RemUIOp::create(b, tid, cIdx(b, L()));
  Value bh = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value colBase = arith::MulIOp::create(
      b, gpu::BlockIdOp::create(b, gpu::Dimension::y), cIdx(b, cols()));
  Value col = arith::AddIOp::create(b, colBase, colLocal);
  Value batch = arith::DivUIOp::create(b, bh, cIdx(b, H));
  Value head = arith::RemUIOp::create(b, bh, cIdx(b, H));
  Value rowBase = arith::MulIOp::create(b, lane, cIdx(b, R()));
  auto row = [&](int64_t j, int64_t e) {
    return arith::AddIOp::create(b, rowBase, cIdx(b, 4 * j + e));
  };
  // This block's time steps: chunk blockIdx.z of a chunked recurrence.
  Value chunk = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  const int64_t chunkLen = chunked() ? spec.chunkLen : T;
  Value tBegin = arith::MulIOp::create(b, chunk, cIdx(b, chunkLen));
  Value tEnd = arith::MinUIOp::create(
      b, arith::AddIOp::create(b, tBegin, cIdx(b, chunkLen)), cIdx(b, T));
  /// Rows j·4 … j·4 + 3 of this lane, from mem[prefix…, row, column].
  auto loadRows = [&](Value mem, SmallVector<Value> prefix, int64_t j,
                      Value column) -> Value {
    SmallVector<Value> elems;
    for (int64_t e = 0; e < 4; ++e) {
      SmallVector<Value> idx = prefix;
      idx.push_back(row(j, e));
      idx.push_back(column);
      elems.push_back(memref::LoadOp::create(b, mem, idx));
    }
    return vector::FromElementsOp::create(b, vec4, elems);
  };
  auto storeRows = [&](Value v4, Value mem, SmallVector<Value> prefix,
                       int64_t j, Value column) {
    for (int64_t e = 0; e < 4; ++e) {
      SmallVector<Value> idx = prefix;
      idx.push_back(row(j, e));
      if (column)
        idx.push_back(column);
      memref::StoreOp::create(b, vector::ExtractOp::create(b, v4, e), mem,
                              idx);
    }
  };

  // State: R/4 vectors of 4 rows (plus z for linear attention, plus the
  // product of the decays when summarising a GLA chunk).
  const int64_t J = R() / 4;
  SmallVector<Value> state;
  Value zero4 = cF32Like(b, vec4, 0.0);
  bool fromWorkspace = chunked() && !summarise;
  SmallVector<Value> wsPrefix = {batch, head, chunk};
  for (int64_t j = 0; j < J; ++j) {
    if (fromWorkspace)
      state.push_back(loadRows(wsState, wsPrefix, j, col));
    else if (init && !summarise)
      state.push_back(loadRows(init, {batch, head}, j, col));
    else
      state.push_back(zero4);
  }
  if (isLA())
    for (int64_t j = 0; j < J; ++j)
      state.push_back(fromWorkspace
                          ? loadRows(wsState, wsPrefix, j, cIdx(b, Dv))
                          : zero4);
  if (summarise && isGLA())
    for (int64_t j = 0; j < J; ++j)
      state.push_back(cF32Like(b, vec4, 1.0));

  const int64_t quads = Dk / 4;
  Value isLane0 = arith::AndIOp::create(
      b, isColumn,
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, cIdx(b, 0)));
  // Staging in two halves: loadTile issues the global loads of a tile
  // (this thread's share: items tid, tid + threads, …), storeTile converts
  // and writes them to shared memory. The loads of tile i + 1 are issued
  // before tile i is computed and carried in registers, so their latency
  // hides behind the arithmetic.
  const int64_t nth = threads();
  auto perThread = [&](int64_t items) { return (items + nth - 1) / nth; };
  auto item = [&](int64_t items, int64_t m) -> Value {
    Value i = arith::AddIOp::create(b, tid, cIdx(b, m * nth));
    if (items % nth == 0)
      return i;
    return arith::MinUIOp::create(b, i, cIdx(b, items - 1));
  };
  auto itemLive = [&](int64_t items, int64_t m) -> Value {
    if (items % nth == 0)
      return Value();
    return arith::CmpIOp::create(
        b, arith::CmpIPredicate::ult,
        arith::AddIOp::create(b, tid, cIdx(b, m * nth)), cIdx(b, items));
  };
  auto clampT = [&](Value t0, Value tt) -> Value {
    return arith::MinUIOp::create(b, arith::AddIOp::create(b, t0, tt),
                                  cIdx(b, T - 1));
  };
  const int64_t qkItems = TC() * quads, vItems = TC() * cols();
  SmallVector<Value> qkGlobals = {q, k};
  if (isGLA())
    qkGlobals.push_back(gate);
  SmallVector<Value> qkShared = {qs, ks};
  if (isGLA())
    qkShared.push_back(gs);
  auto loadTile = [&](Value t0) {
    SmallVector<Value> raw;
    for (int64_t m = 0; m < perThread(qkItems); ++m) {
      Value i = item(qkItems, m);
      Value tg = clampT(t0, arith::DivUIOp::create(b, i, cIdx(b, quads)));
      Value a4 = arith::RemUIOp::create(b, i, cIdx(b, quads));
      for (Value mem : qkGlobals)
        raw.push_back(memref::LoadOp::create(
            b, mem, ValueRange{batch, head, tg, a4}));
    }
    for (int64_t m = 0; m < perThread(vItems); ++m) {
      Value i = item(vItems, m);
      Value tg = clampT(t0, arith::DivUIOp::create(b, i, cIdx(b, cols())));
      Value cc = arith::RemUIOp::create(b, i, cIdx(b, cols()));
      raw.push_back(memref::LoadOp::create(
          b, v,
          ValueRange{batch, head, tg, arith::AddIOp::create(b, colBase, cc)}));
    }
    if (isDelta())
      for (int64_t m = 0; m < perThread(TC()); ++m)
        raw.push_back(memref::LoadOp::create(
            b, gate,
            ValueRange{batch, head, clampT(t0, item(TC(), m))}));
    return raw;
  };
  // Element (t, a) of q, k and the gate goes to [t][a / R][(a mod R) / 4].
  auto storeTile = [&](ValueRange raw) {
    unsigned r = 0;
    auto guarded = [&](Value live, llvm::function_ref<void()> fn) {
      if (live)
        ifThen(b, live, fn);
      else
        fn();
    };
    for (int64_t m = 0; m < perThread(qkItems); ++m) {
      Value i = item(qkItems, m);
      Value tt = arith::DivUIOp::create(b, i, cIdx(b, quads));
      Value a = arith::MulIOp::create(
          b, arith::RemUIOp::create(b, i, cIdx(b, quads)), cIdx(b, 4));
      Value slot = arith::DivUIOp::create(b, a, cIdx(b, R()));
      Value sub = arith::DivUIOp::create(
          b, arith::RemUIOp::create(b, a, cIdx(b, R())), cIdx(b, 4));
      SmallVector<Value> vals;
      for (size_t x = 0; x < qkGlobals.size(); ++x) {
        Value val = toF32(b, raw[r++]);
        if (isLA())
          val = map4(val, [&](Value e) { return featureMap(e); });
        else if (x == 2) // the GLA gate, stored as exp(g)
          val = map4(val, [&](Value e) { return fastExp(b, e); });
        vals.push_back(val);
      }
      guarded(itemLive(qkItems, m), [&] {
        for (auto [val, mem] : llvm::zip(vals, qkShared))
          memref::StoreOp::create(b, val, mem, ValueRange{tt, slot, sub});
      });
    }
    for (int64_t m = 0; m < perThread(vItems); ++m) {
      Value i = item(vItems, m);
      Value tt = arith::DivUIOp::create(b, i, cIdx(b, cols()));
      Value cc = arith::RemUIOp::create(b, i, cIdx(b, cols()));
      Value val = toF32(b, raw[r++]);
      guarded(itemLive(vItems, m), [&] {
        memref::StoreOp::create(b, val, vs, ValueRange{tt, cc});
      });
    }
    if (isDelta())
      for (int64_t m = 0; m < perThread(TC()); ++m) {
        Value i = item(TC(), m);
        Value val = toF32(b, raw[r++]);
        guarded(itemLive(TC(), m), [&] {
          memref::StoreOp::create(b, val, betas, ValueRange{i});
        });
      }
  };

  SmallVector<Value> loopInit = state;
  const size_t numState = state.size();
  SmallVector<Value> first = loadTile(tBegin);
  loopInit.append(first.begin(), first.end());
  // Start of the chunk's last tile: the prefetch target of the last tile.
  Value lastTile = arith::AddIOp::create(
      b, tBegin,
      arith::MulIOp::create(
          b,
          arith::DivUIOp::create(
              b,
              arith::SubIOp::create(
                  b, arith::SubIOp::create(b, tEnd, tBegin), cIdx(b, 1)),
              cIdx(b, TC())),
          cIdx(b, TC())));
  SmallVector<Value> loopOut = forLoop(
      b, tBegin, tEnd, cIdx(b, TC()), loopInit,
      [&](Value t0, ValueRange iter) {
        ValueRange sIn = iter.take_front(numState);
        storeTile(iter.drop_front(numState));
        gpu::BarrierOp::create(b);
        // Next tile's loads (the last tile reloads itself; unused).
        Value nextT0 = arith::MinUIOp::create(
            b, arith::AddIOp::create(b, t0, cIdx(b, TC())), lastTile);
        SmallVector<Value> prefetched = loadTile(nextT0);

        Value steps = arith::MinUIOp::create(
            b, cIdx(b, TC()), arith::SubIOp::create(b, tEnd, t0));
        bool fullTiles = T % TC() == 0 && chunkLen % TC() == 0;
        SmallVector<Value> sOut = timeLoop(
            b, cIdx(b, 0), steps, fullTiles ? 2 : 1, sIn,
            [&](Value tt) -> SmallVector<Value> {
              SmallVector<Value> in;
              in.push_back(
                  memref::LoadOp::create(b, vs, ValueRange{tt, colLocal}));
              if (isDelta())
                in.push_back(memref::LoadOp::create(b, betas, ValueRange{tt}));
              for (Value mem : {qs, ks, gs}) {
                if (!mem)
                  continue;
                for (int64_t j = 0; j < R() / 4; ++j)
                  in.push_back(memref::LoadOp::create(
                      b, mem, ValueRange{tt, lane, cIdx(b, j)}));
              }
              return in;
            },
            [&](Value tt, ArrayRef<Value> in,
                ValueRange s) -> SmallVector<Value> {
              unsigned i = 0;
              Value vc = in[i++];
              Value beta = isDelta() ? in[i++] : Value();
              ArrayRef<Value> qv = in.slice(i, J), kv = in.slice(i + J, J);
              ArrayRef<Value> gv = isGLA() ? in.slice(i + 2 * J, J)
                                           : ArrayRef<Value>();
              SmallVector<Value> S(s.begin(), s.begin() + J);
              SmallVector<Value> next;
              Value out;
              if (summarise) {
                // Chunk summary: the state from zero, z or ∏ exp(g).
                Value vb = vector::BroadcastOp::create(b, vec4, vc);
                for (int64_t j = 0; j < J; ++j) {
                  Value decayed = isGLA() ? Value(arith::MulFOp::create(
                                                b, S[j], gv[j]))
                                          : S[j];
                  next.push_back(vector::FMAOp::create(b, kv[j], vb, decayed));
                }
                for (int64_t j = 0; j < J; ++j)
                  next.push_back(
                      isGLA() ? Value(arith::MulFOp::create(b, s[J + j], gv[j]))
                              : Value(arith::AddFOp::create(b, s[J + j],
                                                            kv[j])));
                return next;
              }
              if (isGLA() || isLA()) {
                Value vb = vector::BroadcastOp::create(b, vec4, vc);
                for (int64_t j = 0; j < J; ++j) {
                  Value decayed = isGLA() ? Value(arith::MulFOp::create(
                                                b, S[j], gv[j]))
                                          : S[j];
                  S[j] = vector::FMAOp::create(b, kv[j], vb, decayed);
                }
                next = S;
                Value num = groupSum(dot4(qv, S));
                if (isGLA()) {
                  out = arith::MulFOp::create(b, num, cF32(b, spec.scale));
                } else {
                  SmallVector<Value> Z;
                  for (int64_t j = 0; j < J; ++j)
                    Z.push_back(arith::AddFOp::create(b, s[J + j], kv[j]));
                  next.append(Z);
                  Value den = groupSum(dot4(qv, Z));
                  out = arith::DivFOp::create(
                      b, num,
                      arith::AddFOp::create(b, den, cF32(b, spec.epsilon)));
                }
              } else {
                // S += β k (v − k·S): the column's read-out at k first.
                Value kS = groupSum(dot4(kv, S));
                Value w = arith::MulFOp::create(
                    b, beta, arith::SubFOp::create(b, vc, kS));
                Value wb = vector::BroadcastOp::create(b, vec4, w);
                for (int64_t j = 0; j < J; ++j)
                  S[j] = vector::FMAOp::create(b, kv[j], wb, S[j]);
                next = S;
                out = arith::MulFOp::create(b, groupSum(dot4(qv, S)),
                                            cF32(b, spec.scale));
              }
              ifThen(b, isLane0, [&] {
                memref::StoreOp::create(b, out, os, ValueRange{tt, colLocal});
              });
              return next;
            });
        gpu::BarrierOp::create(b);
        if (summarise) {
          sOut.append(prefetched.begin(), prefetched.end());
          return sOut;
        }
        // Write the tile's outputs, rows of `cols` contiguous values.
        forLoop(b, tid, cIdx(b, TC() * cols()), cIdx(b, threads()), {},
                [&](Value i, ValueRange) -> SmallVector<Value> {
                  Value tt = arith::DivUIOp::create(b, i, cIdx(b, cols()));
                  Value cc = arith::RemUIOp::create(b, i, cIdx(b, cols()));
                  Value tg = arith::AddIOp::create(b, t0, tt);
                  Value live = arith::CmpIOp::create(
                      b, arith::CmpIPredicate::ult, tg, tEnd);
                  ifThen(b, live, [&] {
                    Value val =
                        memref::LoadOp::create(b, os, ValueRange{tt, cc});
                    memref::StoreOp::create(
                        b, fromF32(b, val, spec.elemType), o,
                        ValueRange{batch, head, tg,
                                   arith::AddIOp::create(b, colBase, cc)});
                  });
                  return {};
                });
        sOut.append(prefetched.begin(), prefetched.end());
        return sOut;
      });
  SmallVector<Value> finalS(loopOut.begin(), loopOut.begin() + numState);

  if (summarise) {
    ifThen(b, isColumn, [&] {
      for (int64_t j = 0; j < J; ++j)
        storeRows(loopOut[j], wsState, wsPrefix, j, col);
    });
    // Per-row values (z, ∏ exp(g)) once, from column 0.
    Value isCol0 = arith::AndIOp::create(
        b, isColumn,
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, col, cIdx(b, 0)));
    ifThen(b, isCol0, [&] {
      for (int64_t j = 0; j < J; ++j) {
        if (isLA())
          storeRows(loopOut[J + j], wsState, wsPrefix, j, cIdx(b, Dv));
        else
          storeRows(loopOut[J + j], wsDecay, wsPrefix, j, Value());
      }
    });
    return;
  }
  if (finalState && !chunked())
    ifThen(b, isColumn, [&] {
      for (int64_t j = 0; j < J; ++j)
        storeRows(finalS[j], finalState, {batch, head}, j, col);
    });
}

/// Phase 2 of a chunked recurrence: thread per element (row a, column c) of
/// one (b, h) state (c = Dv is z for linear attention): the state entering
/// each chunk, written over the chunk's summary, then the final state.
void buildCarry(ImplicitLocOpBuilder &b, const RecurrenceSpec &spec,
                ValueRange args) {
  const int64_t W = spec.wsColumns(), H = spec.heads;
  const bool gla = spec.kind == RecurrenceKind::GatedLinearAttention;
  unsigned ai = 4 - (spec.kind == RecurrenceKind::LinearAttention ? 1 : 0);
  Value init = spec.hasInit ? args[ai++] : Value();
  Value wsState = args[ai++];
  Value wsDecay = gla ? args[ai++] : Value();
  Value finalState = spec.hasFinalState() ? args[ai++] : Value();
  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value idx = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            cIdx(b, kScanBlock)),
      tid);
  Value live = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, idx,
                                     cIdx(b, spec.dk * W));
  idx = arith::MinUIOp::create(b, idx, cIdx(b, spec.dk * W - 1));
  Value a = arith::DivUIOp::create(b, idx, cIdx(b, W));
  Value c = arith::RemUIOp::create(b, idx, cIdx(b, W));
  Value bh = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  Value batch = arith::DivUIOp::create(b, bh, cIdx(b, H));
  Value head = arith::RemUIOp::create(b, bh, cIdx(b, H));
  Value h0 = cF32(b, 0.0);
  if (init)
    h0 = memref::LoadOp::create(b, init, ValueRange{batch, head, a, c});
  SmallVector<Value> h = timeLoop(
      b, cIdx(b, 0), cIdx(b, spec.numChunks()), 8, {h0},
      [&](Value ch) -> SmallVector<Value> {
        SmallVector<Value> in = {memref::LoadOp::create(
            b, wsState, ValueRange{batch, head, ch, a, c})};
        if (wsDecay)
          in.push_back(memref::LoadOp::create(
              b, wsDecay, ValueRange{batch, head, ch, a}));
        return in;
      },
      [&](Value ch, ArrayRef<Value> in, ValueRange s) -> SmallVector<Value> {
        ifThen(b, live, [&] {
          memref::StoreOp::create(b, s[0], wsState,
                                  ValueRange{batch, head, ch, a, c});
        });
        if (!wsDecay)
          return {arith::AddFOp::create(b, s[0], in[0])};
        return {fma(b, in[1], s[0], in[0])};
      });
  if (finalState)
    ifThen(b, live, [&] {
      memref::StoreOp::create(b, h[0], finalState,
                              ValueRange{batch, head, a, c});
    });
}

} // namespace

Value featureMap(ImplicitLocOpBuilder &b, FeatureMapKind kind, Value x) {
  Value zero = cF32(b, 0.0);
  Value pos = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, zero);
  switch (kind) {
  case FeatureMapKind::EluPlusOne:
    return select(b, pos, arith::AddFOp::create(b, x, cF32(b, 1.0)),
                  fastExp(b, x));
  case FeatureMapKind::Relu:
    return arith::MaximumFOp::create(b, x, zero);
  case FeatureMapKind::Identity:
    return x;
  case FeatureMapKind::Binary:
    return select(b, pos, cF32(b, 1.0), zero);
  }
  return x;
}

SmallVector<LaunchStep> buildRecurrenceKernels(OpBuilder &builder,
                                               Location loc, StringRef name,
                                               const RecurrenceSpec &spec) {
  const int64_t B = spec.batch, H = spec.heads, T = spec.time, Dk = spec.dk,
                Dv = spec.dv, NC = spec.numChunks();
  Type f32 = builder.getF32Type();
  Type elem4 = VectorType::get({4}, spec.elemType);
  SmallVector<Type> argTypes = {globalMemRef({B, H, T, Dk / 4}, elem4),
                                globalMemRef({B, H, T, Dk / 4}, elem4),
                                globalMemRef({B, H, T, Dv}, spec.elemType)};
  if (spec.kind == RecurrenceKind::GatedLinearAttention)
    argTypes.push_back(globalMemRef({B, H, T, Dk / 4},
                                    VectorType::get({4}, spec.gateType)));
  else if (spec.kind == RecurrenceKind::DeltaRule)
    argTypes.push_back(globalMemRef({B, H, T}, spec.gateType));
  if (spec.hasInit)
    argTypes.push_back(globalMemRef({B, H, Dk, Dv}, f32));
  if (NC > 1) {
    argTypes.push_back(globalMemRef({B, H, NC, Dk, spec.wsColumns()}, f32));
    if (spec.kind == RecurrenceKind::GatedLinearAttention)
      argTypes.push_back(globalMemRef({B, H, NC, Dk}, f32));
  }
  if (spec.hasFinalState())
    argTypes.push_back(globalMemRef({B, H, Dk, Dv}, f32));
  argTypes.push_back(globalMemRef({B, H, T, Dv}, spec.elemType));

  const int64_t threads = recurrenceThreads(spec);
  const std::array<int64_t, 3> grid = {B * H, Dv / spec.columnsPerBlock(), NC};
  SmallVector<LaunchStep> steps;
  auto emit = [&](Phase phase, StringRef suffix, std::array<int64_t, 3> g,
                  int64_t block) {
    std::string symbol = (name + suffix).str();
    auto func = createKernel(builder, loc, symbol, argTypes, block);
    ImplicitLocOpBuilder b(loc, builder.getContext());
    b.setInsertionPointToStart(&func.getBody().front());
    if (phase == Phase::Carry)
      buildCarry(b, spec, func.getArguments());
    else
      RecurrenceBuilder(b, spec, phase).build(func);
    gpu::ReturnOp::create(b);
    steps.push_back({symbol, g, {block, 1, 1}, 0});
  };
  if (NC == 1) {
    emit(Phase::Apply, "", grid, threads);
    return steps;
  }
  int64_t elems = Dk * spec.wsColumns();
  emit(Phase::Summarise, "_p1", grid, threads);
  emit(Phase::Carry, "_p2", {(elems + kScanBlock - 1) / kScanBlock, B * H, 1},
       kScanBlock);
  emit(Phase::Apply, "_p3", grid, threads);
  return steps;
}

} // namespace linea::gpu_codegen
