//===- LinearAttentionKernels.cpp - chunkwise linear-attention kernels ----===//
//
// linea-to-linalg lowers gated_linear_attention and delta_rule as a loop over
// time with a handful of linalg ops per token (the whole Dk×Dv state read
// and written per step by scalar loops), and linear_attention as the
// quadratic S×T score matrix. This pass replaces each supported op, at
// tensor level, by a call to a generated kernel on buffers that works in
// chunks of C tokens (Yang et al., GLA and DeltaNet, chunkwise form). Per
// (batch, head) — an scf.parallel over workers, each with its own scratch:
//
//   S = initial_state (or 0), the f32 state, kept in the final_state buffer
//   for each chunk of C tokens (the last one zero-padded):
//     load Q̃, K̃, V (f32; φ, scale, gates applied), Kᵀ for the tiles
//     A  = (Q̃ K̃ᵀ) ⊙ M                  C×C, vectors along the chunk; only
//                                      the VL×VL blocks on or below the
//                                      diagonal are multiplied
//     O  = Q̃ S + A V                    C×Dv, vectors along Dv
//     S  = decay(S) + K̃ᵀ V              Dk×Dv
//
// every product a register tile of R rows × NV vectors, operands broadcast
// from one side and loaded as vectors from the other. The forms differ in
// Q̃, K̃ and V:
//
// - linear_attention: φ(q), φ(k); denominators Σ_j A[i, j] + φ(q_i)·z with
//   z = Σ φ(k). Non-causal: S and z over all keys first, then O = φ(Q) S.
// - gated_linear_attention: b = cumulative log-gate from the chunk start
//   (≤ 0 for gates ≤ 0). Q̃ = q ⊙ e^b for Q S; the chunk's A is built per
//   16-token sub-chunk I with reference b at I's start (b_I):
//   (q_i ⊙ e^{b_i − b_I})(k_j ⊙ e^{b_I − b_j})ᵀ for j before I (exponents
//   ≤ 0); inside I the same product when every |b_j − b_I| there is at
//   most 20 (a factor below e^20), else Σ_a q_i k_j e^{b_i − b_j} pairwise
//   (exponents ≤ 0). The state decays by e^{b_last} and takes
//   k_j ⊙ e^{b_last − b_j}.
// - delta_rule: the UT form, (I + StrictTril(diag(β) K Kᵀ)) U =
//   diag(β)(V − K S) solved by forward substitution (row j of U needs rows
//   < j), then O = Q S + (Q Kᵀ ⊙ M) U and S += Kᵀ U.
//
// Sequences of at most `recurrent-max-t` tokens take the recurrent form
// instead (one rank-1 update of S per token, vectors along Dv): a padded
// chunk would cost C tokens' work for one decode step. Results differ from
// the reference only in f32 rounding order; exp is the polynomial of
// math-polynomial-approximation (vectors), not libm.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitterBase.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/bit.h"

#include <functional>

namespace linea {
#define GEN_PASS_DEF_CPULINEARATTENTIONKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// Rows of the sub-chunks of gated linear attention.
constexpr int64_t kSubChunk = 16;
/// Largest |b_j − b_ref| inside a sub-chunk for which gated linear
/// attention factorises its diagonal block through the sub-chunk start
/// (factors up to e^20 ≈ 5·10^8); beyond it, exact pairwise exponents.
constexpr double kMaxSubChunkDecay = 20.0;

enum class Form { Linear, Gated, Delta };

/// The static facts of one supported op that shape its kernel.
struct KernelSpec {
  Form form = Form::Linear;
  int64_t dk = 0, dv = 0;
  Type element;     // q, k, v, o
  Type gateElement; // g or beta
  bool causal = true;
  bool hasInitial = false;
  FeatureMap map = FeatureMap::identity;
  float scale = 1.0f, epsilon = 0.0f;
  int64_t lanes = 16, chunk = 64, recurrentMaxT = 16, workers = 0;

  /// One kernel per distinct key.
  std::string key() const {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << int(form) << ':' << dk << ':' << dv << ':' << element << ':'
       << gateElement << ':' << causal << hasInitial << ':' << int(map) << ':'
       << llvm::bit_cast<uint32_t>(scale) << ':'
       << llvm::bit_cast<uint32_t>(epsilon) << ':' << lanes << ':' << chunk
       << ':' << recurrentMaxT << ':' << workers;
    return text;
  }
};

/// A scratch buffer [workers, rows, cols] (or [workers, n]) seen from one
/// worker, or a state buffer seen from one (batch, head).
struct View {
  Value mem;
  SmallVector<Value, 2> prefix;
  SmallVector<Value, 4> at(ValueRange rest) const {
    SmallVector<Value, 4> indices(prefix.begin(), prefix.end());
    indices.append(rest.begin(), rest.end());
    return indices;
  }
};

/// One reduction of a tile: Σ_{r ∈ [lo(i0), hi(i0))} a(i, r) · b(r, col).
struct Term {
  std::function<Value(Value)> lo, hi;
  std::function<Value(Value, Value)> a; // scalar f32
  std::function<Value(Value, Value)> b; // vector f32 at columns col…
};

/// Emits the body of one kernel function on buffers.
class KernelEmitter : cpu_kernels::KernelEmitterBase {
public:
  KernelEmitter(OpBuilder &b, Location loc, const KernelSpec &spec)
      : KernelEmitterBase(b, loc), s(spec), f32(b.getF32Type()),
        vec(VectorType::get({spec.lanes}, b.getF32Type())), C(spec.chunk),
        VL(spec.lanes), nk(spec.dk / spec.lanes), nv(spec.dv / spec.lanes) {}

  /// Arguments: q, k, v, [g | beta], [initial_state], o, [final_state].
  void emit(ValueRange args) {
    unsigned n = 0;
    q = args[n++];
    k = args[n++];
    v = args[n++];
    if (s.form != Form::Linear)
      gate = args[n++];
    if (s.hasInitial)
      s0 = args[n++];
    o = args[n++];
    if (s.form != Form::Linear)
      sT = args[n++];

    Value batch = memref::DimOp::create(b, loc, q, 0);
    heads = memref::DimOp::create(b, loc, q, 1);
    steps = memref::DimOp::create(b, loc, q, 2);
    keySteps = memref::DimOp::create(b, loc, k, 2);
    Value bh = arith::MulIOp::create(b, loc, batch, heads);
    Value workers = bh;
    if (s.workers > 0)
      workers = arith::MaxUIOp::create(
          b, loc, arith::MinUIOp::create(b, loc, bh, index(s.workers)),
          index(1));
    allocateScratch(workers);

    auto par = scf::ParallelOp::create(b, loc, ValueRange{index(0)},
                                       ValueRange{workers},
                                       ValueRange{index(1)});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(par.getBody()->getTerminator());
    w = par.getInductionVars()[0];
    loop(w, bh, workers, [&](Value head) {
      bi = arith::DivUIOp::create(b, loc, head, heads);
      hi = arith::RemUIOp::create(b, loc, head, heads);
      emitHead();
    });
  }

private:
  //===--------------------------------------------------------------------===//
  // Small builders
  //===--------------------------------------------------------------------===//

  using KernelEmitterBase::add;
  using KernelEmitterBase::loop;

  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t c) {
    return arith::MulIOp::create(b, loc, x, index(c));
  }
  Value zeroVec() {
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vec, 0.0f));
  }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, loc, vec, scalar);
  }
  Value fma(Value x, Value y, Value acc) {
    return vector::FMAOp::create(b, loc, x, y, acc);
  }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value sum(Value x) {
    return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, x);
  }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }

  Value load(const View &view, ValueRange rest) {
    return memref::LoadOp::create(b, loc, view.mem, view.at(rest));
  }
  void store(Value value, const View &view, ValueRange rest) {
    memref::StoreOp::create(b, loc, value, view.mem, view.at(rest));
  }
  Value vload(const View &view, ValueRange rest) {
    return vector::LoadOp::create(b, loc, vec, view.mem, view.at(rest));
  }
  void vstore(Value value, const View &view, ValueRange rest) {
    vector::StoreOp::create(b, loc, value, view.mem, view.at(rest));
  }

  /// VL elements of an input at `indices`, widened to f32.
  Value loadInput(Value mem, ValueRange indices) {
    Type element = cast<MemRefType>(mem.getType()).getElementType();
    Value value = vector::LoadOp::create(
        b, loc, VectorType::get({VL}, element), mem, indices);
    return element.isF32() ? value : arith::ExtFOp::create(b, loc, vec, value);
  }
  Value loadInputScalar(Value mem, ValueRange indices) {
    Value value = memref::LoadOp::create(b, loc, mem, indices);
    return value.getType().isF32() ? value
                                   : arith::ExtFOp::create(b, loc, f32, value);
  }

  void loop(int64_t lb, int64_t ub, int64_t step,
            llvm::function_ref<void(Value)> body) {
    loop(index(lb), index(ub), index(step), body);
  }


  /// φ applied to a vector (linear_attention).
  Value featureMap(Value x) {
    Value zero = zeroVec();
    auto positive = [&] {
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    };
    switch (s.map) {
    case FeatureMap::elu_plus_one:
      return arith::SelectOp::create(
          b, loc, positive(), addf(x, splat(f32Const(1.0))), exp(x));
    case FeatureMap::relu:
      return arith::MaximumFOp::create(b, loc, x, zero);
    case FeatureMap::identity:
      return x;
    case FeatureMap::binary:
      return arith::SelectOp::create(b, loc, positive(),
                                     splat(f32Const(1.0)), zero);
    }
    llvm_unreachable("unknown feature map");
  }

  /// Lanes at columns col … col+VL−1 where column ≤ row (or < when strict).
  Value causalMask(Value row, Value col, bool strict) {
    auto i32Vec = VectorType::get({VL}, b.getI32Type());
    SmallVector<int32_t> lanes;
    for (int64_t l = 0; l < VL; ++l)
      lanes.push_back(l);
    Value iota = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(i32Vec, ArrayRef<int32_t>(lanes)));
    Value limit = arith::SubIOp::create(b, loc, row, col);
    limit = arith::IndexCastOp::create(b, loc, b.getI32Type(), limit);
    return arith::CmpIOp::create(
        b, loc, strict ? arith::CmpIPredicate::slt : arith::CmpIPredicate::sle,
        iota, vector::BroadcastOp::create(b, loc, i32Vec, limit));
  }

  //===--------------------------------------------------------------------===//
  // Scratch and state
  //===--------------------------------------------------------------------===//

  View scratch(Value workers, ArrayRef<int64_t> shape) {
    SmallVector<int64_t> dims = {ShapedType::kDynamic};
    dims.append(shape.begin(), shape.end());
    Value mem = memref::AllocOp::create(b, loc, MemRefType::get(dims, f32),
                                        ValueRange{workers});
    return {mem, {}};
  }

  void allocateScratch(Value workers) {
    int64_t dk = s.dk, dv = s.dv;
    views = {&qc, &kc, &kt, &vc, &a};
    qc = scratch(workers, {C, dk});
    kc = scratch(workers, {C, dk});
    vc = scratch(workers, {C, dv});
    a = scratch(workers, {C, C});
    kt = scratch(workers, {dk, C});
    switch (s.form) {
    case Form::Linear:
      state = scratch(workers, {dk, dv});
      z = scratch(workers, {dk});
      den = scratch(workers, {C});
      views.append({&state, &z, &den});
      break;
    case Form::Gated:
      cum = scratch(workers, {C + 1, dk});
      qs = scratch(workers, {C, dk});
      qr = scratch(workers, {C, dk});
      decay = scratch(workers, {dk});
      views.append({&cum, &qs, &qr, &decay});
      break;
    case Form::Delta:
      g = scratch(workers, {C, C});
      u = scratch(workers, {C, dv});
      beta = scratch(workers, {C});
      views.append({&g, &u, &beta});
      break;
    }
  }

  /// Points the scratch views at worker w and the state at (bi, hi); sets
  /// the state to its initial value.
  void initHead() {
    for (View *view : views)
      view->prefix = {w};
    if (s.form != Form::Linear)
      state = {sT, {bi, hi}};
    Value zero = zeroVec();
    loop(0, s.dk, 1, [&](Value row) {
      for (int64_t n = 0; n < nv; ++n) {
        Value col = index(n * VL);
        Value init =
            s.hasInitial ? vload({s0, {bi, hi}}, {row, col}) : zero;
        vstore(init, state, {row, col});
      }
    });
    if (s.form == Form::Linear)
      for (int64_t n = 0; n < nk; ++n)
        vstore(zero, z, {index(n * VL)});
  }

  //===--------------------------------------------------------------------===//
  // Register tiles
  //===--------------------------------------------------------------------===//

  /// For rows i in [row0, row0 + M) and vector columns [0, N·VL):
  ///   acc = init(i, col) or 0;  acc += every term;  finish(i, col0, accs)
  /// in tiles of R rows × NV vectors held in registers.
  void tile(Value row0, int64_t M, int64_t N, ArrayRef<Term> terms,
            std::function<Value(Value, Value)> init,
            std::function<void(Value, Value, ArrayRef<Value>)> finish) {
    int64_t R = M % 4 == 0 ? 4 : M % 2 == 0 ? 2 : 1;
    int64_t maxAcc = VL >= 16 ? 16 : 8;
    int64_t NV = 1;
    for (int64_t d = 1; d <= N && R * d <= maxAcc; ++d)
      if (N % d == 0)
        NV = d;
    loop(row0, add(row0, M), R, [&](Value i0) {
      loop(0, N * VL, NV * VL, [&](Value col0) {
        SmallVector<Value> rows, cols;
        for (int64_t r = 0; r < R; ++r)
          rows.push_back(add(i0, r));
        for (int64_t c = 0; c < NV; ++c)
          cols.push_back(add(col0, c * VL));
        SmallVector<Value> acc;
        for (Value row : rows)
          for (Value col : cols)
            acc.push_back(init ? init(row, col) : zeroVec());
        for (const Term &term : terms)
          acc = loop(term.lo(i0), term.hi(i0), 1, acc,
                     [&](Value r, ValueRange carried) {
                       SmallVector<Value> next(carried);
                       SmallVector<Value> bs;
                       for (Value col : cols)
                         bs.push_back(term.b(r, col));
                       for (auto [ri, row] : llvm::enumerate(rows)) {
                         Value x = splat(term.a(row, r));
                         for (int64_t c = 0; c < NV; ++c)
                           next[ri * NV + c] = fma(x, bs[c], next[ri * NV + c]);
                       }
                       return next;
                     });
        for (auto [ri, row] : llvm::enumerate(rows))
          finish(row, col0, ArrayRef<Value>(acc).slice(ri * NV, NV));
      });
    });
  }

  std::function<Value(Value)> constant(int64_t value) {
    return [this, value](Value) { return index(value); };
  }
  /// a(i, r) = view[i, r] and b(r, col) = view[r, col].
  std::function<Value(Value, Value)> scalarAt(const View &view) {
    return [this, view](Value i, Value r) { return load(view, {i, r}); };
  }
  std::function<Value(Value, Value)> vectorAt(const View &view) {
    return [this, view](Value r, Value col) { return vload(view, {r, col}); };
  }
  /// Σ_{r < Dk} x[i, r]·S[r, col].
  Term timesState(const View &x) {
    return {constant(0), constant(s.dk), scalarAt(x), vectorAt(state)};
  }
  /// Σ_{r < i0 + R} A[i, r]·y[r, col]: the causal part, A zero above i.
  Term causalTimes(const View &y, int64_t rowsPerTile) {
    return {constant(0), [this, rowsPerTile](Value i0) {
              return add(i0, rowsPerTile);
            },
            scalarAt(a), vectorAt(y)};
  }

  /// x[i, :]·kᵀ over Dk for the lower triangle of the C×C chunk only, in
  /// bands of VL rows: band m (rows m·VL … m·VL + VL − 1) computes columns
  /// [0, (m + 1)·VL) and hands them to `finish`; the columns right of the
  /// band's diagonal block are never computed (about half of the C×C
  /// products at large C, C/VL + 1 of 2·C/VL blocks per band row on
  /// average). Each computed element is the same Dk-long FMA chain as a full
  /// tile would give, so results do not change.
  void lowerTriangleScores(
      const View &x,
      std::function<void(Value, Value, ArrayRef<Value>)> finish) {
    for (int64_t m = 0; m < C / VL; ++m)
      tile(index(m * VL), VL, m + 1,
           {{constant(0), constant(s.dk), scalarAt(x), vectorAt(kt)}},
           nullptr, finish);
  }

  /// dst[i, :] (C×C) = x[i, :]·kᵀ over Dk, masked to j ≤ i (j < i when
  /// strict). Only the lower triangle is multiplied (lowerTriangleScores);
  /// the blocks right of each band's diagonal block are stored as zeros,
  /// since the denominators sum whole rows.
  void chunkScores(const View &x, const View &dst, bool strict) {
    lowerTriangleScores(x, [&](Value i, Value col0, ArrayRef<Value> accs) {
      for (auto [c, acc] : llvm::enumerate(accs)) {
        Value col = add(col0, c * VL);
        Value masked = arith::SelectOp::create(
            b, loc, causalMask(i, col, strict), acc, zeroVec());
        vstore(masked, dst, {i, col});
      }
    });
    Value zero = zeroVec();
    for (int64_t m = 0; m + 1 < C / VL; ++m)
      loop(m * VL, (m + 1) * VL, 1, [&](Value i) {
        for (int64_t n = m + 1; n < C / VL; ++n)
          vstore(zero, dst, {i, index(n * VL)});
      });
  }

  /// o[bi, hi, t0 + i, col…] = acc (· 1/den[i]) rounded, for t0 + i < end.
  std::function<void(Value, Value, ArrayRef<Value>)>
  storeOutput(Value t0, Value end, bool divide) {
    return [this, t0, end, divide](Value i, Value col0, ArrayRef<Value> accs) {
      Value t = add(t0, i);
      SmallVector<Value> values(accs);
      ifThen(lt(t, end), [&] {
        Value inv;
        if (divide)
          inv = splat(arith::DivFOp::create(b, loc, f32Const(1.0),
                                            load(den, {i})));
        for (auto [c, value] : llvm::enumerate(values))
          storeOutputRow(divide ? mulf(value, inv) : value, t,
                         add(col0, c * VL));
      });
    };
  }
  void storeOutputRow(Value value, Value t, Value col) {
    Type element = cast<MemRefType>(o.getType()).getElementType();
    if (!element.isF32())
      value = arith::TruncFOp::create(b, loc, VectorType::get({VL}, element),
                                      value);
    vector::StoreOp::create(b, loc, value, o, ValueRange{bi, hi, t, col});
  }

  //===--------------------------------------------------------------------===//
  // Per (batch, head)
  //===--------------------------------------------------------------------===//

  void emitHead() {
    initHead();
    if (s.form == Form::Linear && !s.causal)
      return emitNonCausal();
    auto chunked = [&] {
      Value chunks = arith::CeilDivUIOp::create(b, loc, steps, index(C));
      loop(index(0), chunks, 1, [&](Value c) {
        Value t0 = mul(c, C);
        emitChunk(t0);
      });
    };
    if (s.recurrentMaxT <= 0)
      return chunked();
    ifElse(
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, steps,
                              index(s.recurrentMaxT)),
        {},
        [&] {
          loop(index(0), steps, 1, [&](Value t) { emitStep(t); });
          return SmallVector<Value>();
        },
        [&] {
          chunked();
          return SmallVector<Value>();
        });
  }

  /// Which rows a chunk load fills.
  struct Wanted {
    bool q = false, k = false, kT = false, v = false;
  };

  /// Loads tokens t0 … t0+C−1 (those before `end`; zeros after) into the
  /// chunk buffers, f32, with φ (linear), scale (q of the scans) and the
  /// cumulative log-gates (gated) applied.
  void loadChunk(Value t0, Value end, Wanted want) {
    bool gated = s.form == Form::Gated, delta = s.form == Form::Delta;
    if (gated)
      for (int64_t n = 0; n < nk; ++n)
        vstore(zeroVec(), cum, {index(0), index(n * VL)});
    loop(0, C, 1, [&](Value i) {
      Value t = add(t0, i);
      SmallVector<Type> types;
      int64_t count = (want.q ? nk : 0) + (want.k ? nk : 0) +
                      (want.v ? nv : 0) + (gated ? nk : 0);
      types.assign(count, vec);
      if (delta)
        types.push_back(f32);
      SmallVector<Value> values = ifElse(
          lt(t, end), types,
          [&] {
            SmallVector<Value> out;
            auto row = [&](Value mem, int64_t vectors, auto transform) {
              for (int64_t n = 0; n < vectors; ++n)
                out.push_back(
                    transform(loadInput(mem, {bi, hi, t, index(n * VL)})));
            };
            Value scale = splat(f32Const(s.scale));
            if (want.q)
              row(q, nk, [&](Value x) {
                return s.form == Form::Linear ? featureMap(x) : mulf(x, scale);
              });
            if (want.k)
              row(k, nk, [&](Value x) {
                return s.form == Form::Linear ? featureMap(x) : x;
              });
            if (want.v)
              row(v, nv, [](Value x) { return x; });
            if (gated)
              row(gate, nk, [](Value x) { return x; });
            if (delta)
              out.push_back(loadInputScalar(gate, {bi, hi, t}));
            return out;
          },
          [&] {
            SmallVector<Value> out(count, zeroVec());
            if (delta)
              out.push_back(f32Const(0.0));
            return out;
          });
      unsigned next = 0;
      auto storeRow = [&](const View &dst, int64_t vectors) {
        for (int64_t n = 0; n < vectors; ++n)
          vstore(values[next++], dst, {i, index(n * VL)});
      };
      if (want.q)
        storeRow(qc, nk);
      if (want.k) {
        if (want.kT)
          transposeStore(ArrayRef<Value>(values).slice(next, nk), kt, i);
        storeRow(kc, nk);
      }
      if (want.v)
        storeRow(vc, nv);
      if (gated)
        for (int64_t n = 0; n < nk; ++n) {
          Value col = index(n * VL);
          vstore(addf(vload(cum, {i, col}), values[next++]), cum,
                 {add(i, 1), col});
        }
      if (delta)
        store(values[next++], beta, {i});
    });
  }

  /// dst[a, j] = row[a] for the nk vectors of `row`.
  void transposeStore(ArrayRef<Value> row, const View &dst, Value j) {
    for (auto [n, value] : llvm::enumerate(row))
      for (int64_t l = 0; l < VL; ++l)
        store(vector::ExtractOp::create(b, loc, value, l), dst,
              {index(n * VL + l), j});
  }

  void emitChunk(Value t0) {
    switch (s.form) {
    case Form::Linear:
      return emitLinearChunk(t0);
    case Form::Gated:
      return emitGatedChunk(t0);
    case Form::Delta:
      return emitDeltaChunk(t0);
    }
  }

  /// S += Kᵀ y with Kᵀ from `keysT` (Dk×C) and y (C×Dv); with `rowScale`,
  /// S[a, :] is first multiplied by rowScale[a].
  void updateState(const View &keysT, const View &y, const View *rowScale) {
    std::function<Value(Value, Value)> init = [this, rowScale](Value row,
                                                               Value col) {
      Value old = vload(state, {row, col});
      return rowScale ? mulf(old, splat(load(*rowScale, {row}))) : old;
    };
    tile(index(0), s.dk, nv,
         {{constant(0), constant(C), scalarAt(keysT), vectorAt(y)}}, init,
         [&](Value row, Value col0, ArrayRef<Value> accs) {
           for (auto [c, acc] : llvm::enumerate(accs))
             vstore(acc, state, {row, add(col0, c * VL)});
         });
  }

  int64_t rowTile(int64_t M) { return M % 4 == 0 ? 4 : M % 2 == 0 ? 2 : 1; }

  /// linear_attention, causal.
  void emitLinearChunk(Value t0) {
    loadChunk(t0, steps, {true, true, true, true});
    chunkScores(qc, a, /*strict=*/false);
    // den[i] = Σ_j A[i, j] + φ(q_i)·z + ε, with z before this chunk.
    loop(0, C, 1, [&](Value i) {
      Value acc = zeroVec();
      for (int64_t n = 0; n < C / VL; ++n)
        acc = addf(acc, vload(a, {i, index(n * VL)}));
      for (int64_t n = 0; n < nk; ++n)
        acc = fma(vload(qc, {i, index(n * VL)}), vload(z, {index(n * VL)}),
                  acc);
      store(addf(sum(acc), f32Const(s.epsilon)), den, {i});
    });
    tile(index(0), C, nv, {timesState(qc), causalTimes(vc, rowTile(C))},
         nullptr, storeOutput(t0, steps, /*divide=*/true));
    accumulateKeys();
  }

  /// The chunk's keys into the totals: z += Σ_j φ(k_j), S += φ(K)ᵀV.
  void accumulateKeys() {
    SmallVector<Value> zs;
    for (int64_t n = 0; n < nk; ++n)
      zs.push_back(vload(z, {index(n * VL)}));
    zs = loop(index(0), index(C), 1, zs, [&](Value j, ValueRange carried) {
      SmallVector<Value> next;
      for (int64_t n = 0; n < nk; ++n)
        next.push_back(addf(carried[n], vload(kc, {j, index(n * VL)})));
      return next;
    });
    for (int64_t n = 0; n < nk; ++n)
      vstore(zs[n], z, {index(n * VL)});
    updateState(kt, vc, nullptr);
  }

  /// linear_attention, non-causal: S, z over every key, then the outputs.
  void emitNonCausal() {
    Value keyChunks = arith::CeilDivUIOp::create(b, loc, keySteps, index(C));
    loop(index(0), keyChunks, 1, [&](Value c) {
      Value t0 = mul(c, C);
      loadChunk(t0, keySteps, {false, true, true, true});
      accumulateKeys();
    });
    Value chunks = arith::CeilDivUIOp::create(b, loc, steps, index(C));
    loop(index(0), chunks, 1, [&](Value c) {
      Value t0 = mul(c, C);
      loadChunk(t0, steps, {true, false, false, false});
      loop(0, C, 1, [&](Value i) {
        Value acc = zeroVec();
        for (int64_t n = 0; n < nk; ++n)
          acc = fma(vload(qc, {i, index(n * VL)}), vload(z, {index(n * VL)}),
                    acc);
        store(addf(sum(acc), f32Const(s.epsilon)), den, {i});
      });
      tile(index(0), C, nv, {timesState(qc)}, nullptr,
           storeOutput(t0, steps, /*divide=*/true));
    });
  }

  /// gated_linear_attention. cum[i + 1] = b_i = Σ_{m ≤ i} g_m from the
  /// chunk start (cum[0] = 0).
  void emitGatedChunk(Value t0) {
    Value zero = zeroVec();
    loop(0, C, 1, [&](Value i) {
      for (int64_t n = 0; n < C / VL; ++n)
        vstore(zero, a, {i, index(n * VL)});
    });
    loadChunk(t0, steps, {true, true, false, true});
    // qs[i] = q̃_i ⊙ e^{b_i} (for Q S: b_i ≤ 0).
    loop(0, C, 1, [&](Value i) {
      for (int64_t n = 0; n < nk; ++n) {
        Value col = index(n * VL);
        vstore(mulf(vload(qc, {i, col}), exp(vload(cum, {add(i, 1), col}))),
               qs, {i, col});
      }
    });
    for (int64_t I0 = 0; I0 < C; I0 += kSubChunk) {
      Value ref = index(I0); // cum[I0] = b just before sub-chunk I
      // Rows of I against earlier columns through the reference:
      // (q_i ⊙ e^{b_i − b_ref}) · (k_j ⊙ e^{b_ref − b_j}), both ≤ 1.
      loop(I0, I0 + kSubChunk, 1, [&](Value i) {
        for (int64_t n = 0; n < nk; ++n) {
          Value col = index(n * VL);
          Value rel =
              subf(vload(cum, {add(i, 1), col}), vload(cum, {ref, col}));
          vstore(mulf(vload(qc, {i, col}), exp(rel)), qr, {i, col});
        }
      });
      auto referencedKeys = [&](Value lo, Value hi) {
        loop(lo, hi, 1, [&](Value j) {
          SmallVector<Value> row;
          for (int64_t n = 0; n < nk; ++n) {
            Value col = index(n * VL);
            Value rel =
                subf(vload(cum, {ref, col}), vload(cum, {add(j, 1), col}));
            row.push_back(mulf(vload(kc, {j, col}), exp(rel)));
          }
          transposeStore(row, kt, j);
        });
      };
      auto referencedScores = [&](int64_t columns, bool masked) {
        tile(ref, kSubChunk, columns / VL,
             {{constant(0), constant(s.dk), scalarAt(qr), vectorAt(kt)}},
             nullptr, [&, masked](Value i, Value col0, ArrayRef<Value> accs) {
               for (auto [c, acc] : llvm::enumerate(accs)) {
                 Value col = add(col0, c * VL);
                 Value value = acc;
                 if (masked)
                   value = arith::SelectOp::create(
                       b, loc, causalMask(i, col, false), value, zeroVec());
                 vstore(value, a, {i, col});
               }
             });
      };
      referencedKeys(index(0), ref);
      // Inside I the same factorisation has e^{b_ref − b_j} ≥ 1; taken only
      // while every |b_j − b_ref| in I is at most kMaxSubChunkDecay (the
      // factor stays below e^20), else pairwise with exponents ≤ 0.
      Value spread = zeroVec();
      for (int64_t j = I0; j < I0 + kSubChunk; ++j)
        for (int64_t n = 0; n < nk; ++n) {
          Value col = index(n * VL);
          Value rel =
              subf(vload(cum, {index(j + 1), col}), vload(cum, {ref, col}));
          spread = arith::MaximumFOp::create(
              b, loc, spread, math::AbsFOp::create(b, loc, rel));
        }
      spread = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::MAXIMUMF, spread);
      Value bounded =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, spread,
                                f32Const(kMaxSubChunkDecay));
      ifElse(
          bounded, {},
          [&] {
            referencedKeys(ref, index(I0 + kSubChunk));
            referencedScores(I0 + kSubChunk, /*masked=*/true);
            return SmallVector<Value>();
          },
          [&] {
            if (I0 > 0)
              referencedScores(I0, /*masked=*/false);
            // Σ_a q_i[a] k_j[a] e^{b_i[a] − b_j[a]}, j ≤ i in I.
            loop(I0, I0 + kSubChunk, 1, [&](Value i) {
              loop(index(I0), add(i, 1), index(1), [&](Value j) {
                Value acc = zeroVec();
                for (int64_t n = 0; n < nk; ++n) {
                  Value col = index(n * VL);
                  Value rel = subf(vload(cum, {add(i, 1), col}),
                                   vload(cum, {add(j, 1), col}));
                  acc = fma(mulf(vload(qc, {i, col}), vload(kc, {j, col})),
                            exp(rel), acc);
                }
                store(sum(acc), a, {i, j});
              });
            });
            return SmallVector<Value>();
          });
    }
    tile(index(0), C, nv, {timesState(qs), causalTimes(vc, rowTile(C))},
         nullptr, storeOutput(t0, steps, /*divide=*/false));
    // S = diag(e^{b_last}) S + Σ_j (k_j ⊙ e^{b_last − b_j})ᵀ v_j.
    Value last = index(C);
    for (int64_t n = 0; n < nk; ++n) {
      Value col = index(n * VL);
      vstore(exp(vload(cum, {last, col})), decay, {col});
    }
    loop(0, C, 1, [&](Value j) {
      SmallVector<Value> row;
      for (int64_t n = 0; n < nk; ++n) {
        Value col = index(n * VL);
        Value rel = subf(vload(cum, {last, col}), vload(cum, {add(j, 1), col}));
        row.push_back(mulf(vload(kc, {j, col}), exp(rel)));
      }
      transposeStore(row, kt, j);
    });
    updateState(kt, vc, &decay);
  }

  /// delta_rule, the UT form.
  void emitDeltaChunk(Value t0) {
    loadChunk(t0, steps, {true, true, true, true});
    chunkScores(qc, a, /*strict=*/false);
    // G[j, m] = k_j·k_m (only m < j is read, so only the lower triangle is
    // computed; the rest of g keeps whatever it held).
    lowerTriangleScores(kc, [&](Value i, Value col0, ArrayRef<Value> accs) {
      for (auto [c, acc] : llvm::enumerate(accs))
        vstore(acc, g, {i, add(col0, c * VL)});
    });
    // U = V − K S.
    tile(index(0), C, nv, {timesState(kc)}, nullptr,
         [&](Value i, Value col0, ArrayRef<Value> accs) {
           for (auto [c, acc] : llvm::enumerate(accs)) {
             Value col = add(col0, c * VL);
             vstore(subf(vload(vc, {i, col}), acc), u, {i, col});
           }
         });
    // u_j = β_j (U_j − Σ_{m<j} G[j, m] u_m), in order of j.
    loop(0, C, 1, [&](Value j) {
      SmallVector<Value> acc;
      for (int64_t n = 0; n < nv; ++n)
        acc.push_back(vload(u, {j, index(n * VL)}));
      acc = loop(index(0), j, 1, acc, [&](Value m, ValueRange carried) {
        Value coeff = splat(arith::NegFOp::create(b, loc, load(g, {j, m})));
        SmallVector<Value> next;
        for (int64_t n = 0; n < nv; ++n)
          next.push_back(fma(coeff, vload(u, {m, index(n * VL)}), carried[n]));
        return next;
      });
      Value weight = splat(load(beta, {j}));
      for (int64_t n = 0; n < nv; ++n)
        vstore(mulf(acc[n], weight), u, {j, index(n * VL)});
    });
    tile(index(0), C, nv, {timesState(qc), causalTimes(u, rowTile(C))},
         nullptr, storeOutput(t0, steps, /*divide=*/false));
    updateState(kt, u, nullptr);
  }

  /// One token of the recurrent form (decode): S updated in place, one
  /// pass over its rows that also accumulates q S.
  void emitStep(Value t) {
    Value scale = splat(f32Const(s.scale));
    Value row0 = index(0);
    SmallVector<Value> qv, kv, vv;
    for (int64_t n = 0; n < nk; ++n) {
      Value col = index(n * VL);
      Value x = loadInput(q, {bi, hi, t, col});
      Value y = loadInput(k, {bi, hi, t, col});
      if (s.form == Form::Linear) {
        x = featureMap(x);
        y = featureMap(y);
      } else {
        x = mulf(x, scale);
      }
      qv.push_back(x);
      kv.push_back(y);
      // Scalars q[a], k[a] are read back from the chunk buffers' row 0.
      vstore(x, qc, {row0, col});
      vstore(y, kc, {row0, col});
    }
    for (int64_t n = 0; n < nv; ++n)
      vv.push_back(loadInput(v, {bi, hi, t, index(n * VL)}));

    Value inv;
    if (s.form == Form::Gated) {
      for (int64_t n = 0; n < nk; ++n) {
        Value col = index(n * VL);
        vstore(exp(loadInput(gate, {bi, hi, t, col})), decay, {col});
      }
    } else if (s.form == Form::Linear) {
      Value acc = zeroVec();
      for (int64_t n = 0; n < nk; ++n) {
        Value col = index(n * VL);
        Value zn = addf(vload(z, {col}), kv[n]);
        vstore(zn, z, {col});
        acc = fma(qv[n], zn, acc);
      }
      inv = splat(arith::DivFOp::create(
          b, loc, f32Const(1.0), addf(sum(acc), f32Const(s.epsilon))));
    } else {
      // u = β (v − k S).
      SmallVector<Value> read(nv, zeroVec());
      read = loop(index(0), index(s.dk), 1, read,
                  [&](Value r, ValueRange carried) {
                    Value ka = splat(load(kc, {row0, r}));
                    SmallVector<Value> next;
                    for (int64_t n = 0; n < nv; ++n)
                      next.push_back(fma(ka, vload(state, {r, index(n * VL)}),
                                         carried[n]));
                    return next;
                  });
      Value weight = splat(loadInputScalar(gate, {bi, hi, t}));
      for (int64_t n = 0; n < nv; ++n)
        vv[n] = mulf(weight, subf(vv[n], read[n]));
    }
    SmallVector<Value> out(nv, zeroVec());
    out = loop(index(0), index(s.dk), 1, out, [&](Value r, ValueRange carried) {
      Value ka = splat(load(kc, {row0, r}));
      Value qa = splat(load(qc, {row0, r}));
      Value d = s.form == Form::Gated ? splat(load(decay, {r})) : Value();
      SmallVector<Value> next;
      for (int64_t n = 0; n < nv; ++n) {
        Value col = index(n * VL);
        Value old = vload(state, {r, col});
        if (d)
          old = mulf(d, old);
        Value row = fma(ka, vv[n], old);
        vstore(row, state, {r, col});
        next.push_back(fma(qa, row, carried[n]));
      }
      return next;
    });
    for (int64_t n = 0; n < nv; ++n)
      storeOutputRow(inv ? mulf(out[n], inv) : out[n], t, index(n * VL));
  }

  const KernelSpec &s;
  Type f32;
  VectorType vec;
  int64_t C, VL, nk, nv;
  Value q, k, v, gate, s0, o, sT;
  Value heads, steps, keySteps, w, bi, hi;
  View qc, kc, kt, vc, a, state, z, den, cum, qs, qr, decay, g, u, beta;
  SmallVector<View *> views;
};

/// Fills the parts of `spec` shared by the three ops; "" when the kernel
/// applies, else why not.
std::string analyzeHead(Value q, Value v, int64_t maxHeadDim,
                        int64_t vectorWidth, KernelSpec &spec) {
  auto qType = cast<RankedTensorType>(q.getType());
  auto vType = cast<RankedTensorType>(v.getType());
  if (qType.getRank() != 4 || vType.getRank() != 4)
    return "q or v is not of rank 4";
  spec.dk = qType.getDimSize(3);
  spec.dv = vType.getDimSize(3);
  if (ShapedType::isDynamic(spec.dk) || ShapedType::isDynamic(spec.dv))
    return "a feature dimension is dynamic";
  if (spec.dk > maxHeadDim || spec.dv > maxHeadDim)
    return "Dk = " + std::to_string(spec.dk) + " or Dv = " +
           std::to_string(spec.dv) + " is above max-head-dim (" +
           std::to_string(maxHeadDim) + ")";
  spec.element = qType.getElementType();
  spec.lanes = vectorWidth;
  while (spec.lanes > 1 &&
         (spec.dk % spec.lanes != 0 || spec.dv % spec.lanes != 0))
    spec.lanes /= 2;
  return "";
}

/// memref<?x?x?xD…> of `tensor`'s feature dims: one kernel serves every B,
/// H and T.
MemRefType kernelArgType(Value tensor, int64_t leadingDynamic) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < leadingDynamic && i < type.getRank(); ++i)
    shape[i] = ShapedType::kDynamic;
  return MemRefType::get(shape, type.getElementType());
}

struct CpuLinearAttentionKernelsPass
    : linea::impl::CpuLinearAttentionKernelsBase<
          CpuLinearAttentionKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto isPow2 = [](int64_t value) {
      return value > 0 && (value & (value - 1)) == 0;
    };
    if (chunkSize < kSubChunk || chunkSize % kSubChunk != 0 ||
        !isPow2(vectorWidth) || vectorWidth > 16 || numThreads < 0 ||
        maxHeadDim < 1) {
      int64_t chunk = chunkSize, width = vectorWidth, threads = numThreads,
              maxDim = maxHeadDim;
      module.emitError()
          << "linea-cpu-linear-attention-kernels: chunk-size (" << chunk
          << ") must be a positive multiple of 16, vector-width (" << width
          << ") a power of two up to 16, num-threads (" << threads
          << ") not negative and max-head-dim (" << maxDim << ") positive";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<LinearAttentionOp, GatedLinearAttentionOp, DeltaRuleOp>(op))
        ops.push_back(op);
    });
    SymbolTable symbols(module);
    llvm::StringMap<func::FuncOp> kernels;
    bool changed = false;
    for (Operation *op : ops) {
      KernelSpec spec;
      spec.chunk = chunkSize;
      spec.recurrentMaxT = recurrentMaxT;
      spec.workers = numThreads;
      SmallVector<Value> operands;
      std::string why;
      if (auto la = dyn_cast<LinearAttentionOp>(op)) {
        spec.form = Form::Linear;
        why = analyzeHead(la.getQ(), la.getV(), maxHeadDim, vectorWidth, spec);
        spec.map = la.getFeatureMap();
        spec.causal = la.getCausal();
        spec.epsilon = la.getEpsilon().convertToFloat();
        operands = {la.getQ(), la.getK(), la.getV()};
      } else if (auto gla = dyn_cast<GatedLinearAttentionOp>(op)) {
        spec.form = Form::Gated;
        why =
            analyzeHead(gla.getQ(), gla.getV(), maxHeadDim, vectorWidth, spec);
        spec.scale = gla.getEffectiveScale();
        spec.gateElement = getElementTypeOrSelf(gla.getG().getType());
        operands = {gla.getQ(), gla.getK(), gla.getV(), gla.getG()};
        if (Value init = gla.getInitialState())
          operands.push_back(init);
      } else {
        auto delta = cast<DeltaRuleOp>(op);
        spec.form = Form::Delta;
        why = analyzeHead(delta.getQ(), delta.getV(), maxHeadDim, vectorWidth,
                          spec);
        spec.scale = delta.getEffectiveScale();
        spec.gateElement = getElementTypeOrSelf(delta.getBeta().getType());
        operands = {delta.getQ(), delta.getK(), delta.getV(),
                    delta.getBeta()};
        if (Value init = delta.getInitialState())
          operands.push_back(init);
      }
      if (!why.empty()) {
        if (reportSkipped)
          op->emitRemark() << "linea-cpu-linear-attention-kernels: left to "
                              "the reference lowering: "
                           << why;
        continue;
      }
      spec.hasInitial = spec.form != Form::Linear && operands.size() == 5;
      replace(op, spec, operands, symbols, kernels, module);
      changed = true;
    }
    if (!changed)
      return;
    // Vector exp as a polynomial (libm would be called per lane).
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return name == math::ExpOp::getOperationName(); });
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (auto &entry : kernels)
      if (failed(applyPatternsGreedily(entry.second, frozen)))
        return signalPassFailure();
  }

  void replace(Operation *op, const KernelSpec &spec, ArrayRef<Value> operands,
               SymbolTable &symbols, llvm::StringMap<func::FuncOp> &kernels,
               ModuleOp module) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    Value q = operands[0];
    SmallVector<Type> argTypes;
    for (auto [i, operand] : llvm::enumerate(operands))
      // beta [B, H, T], states [B, H, Dk, Dv]: B, H (and T) dynamic.
      argTypes.push_back(kernelArgType(operand, i == 4 ? 2 : 3));
    SmallVector<RankedTensorType> resultTypes;
    for (Type type : op->getResultTypes())
      resultTypes.push_back(cast<RankedTensorType>(type));
    argTypes.push_back(kernelArgType(op->getResult(0), 3));
    if (resultTypes.size() == 2)
      argTypes.push_back(kernelArgType(op->getResult(1), 2));
    auto funcType = b.getFunctionType(argTypes, {});

    func::FuncOp &kernel = kernels[spec.key()];
    if (!kernel) {
      OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
      StringRef name = spec.form == Form::Linear  ? "__linea_linear_attention"
                       : spec.form == Form::Gated ? "__linea_gla_kernel"
                                                  : "__linea_delta_rule";
      kernel = func::FuncOp::create(mb, loc, name, funcType);
      kernel.setPrivate();
      symbols.insert(kernel); // renames on collision
      Block *entry = kernel.addEntryBlock();
      OpBuilder kb = OpBuilder::atBlockEnd(entry);
      KernelEmitter(kb, loc, spec).emit(entry->getArguments());
      func::ReturnOp::create(kb, loc);
    }

    SmallVector<Value> args;
    for (auto [i, operand] : llvm::enumerate(operands)) {
      auto type = cast<RankedTensorType>(operand.getType());
      Value buffer = bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()),
          operand, /*read_only=*/true);
      if (buffer.getType() != argTypes[i])
        buffer = memref::CastOp::create(b, loc, argTypes[i], buffer);
      args.push_back(buffer);
    }
    // Results: o takes q's B, H and T (S), final_state q's B and H.
    SmallVector<Value> buffers;
    for (auto [r, type] : llvm::enumerate(resultTypes)) {
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          sizes.push_back(tensor::DimOp::create(b, loc, q, d));
      Value buffer = memref::AllocOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()),
          sizes);
      buffers.push_back(buffer);
      Type argType = argTypes[operands.size() + r];
      args.push_back(buffer.getType() == argType
                         ? buffer
                         : memref::CastOp::create(b, loc, argType, buffer)
                               .getResult());
    }
    func::CallOp::create(b, loc, kernel, args);
    for (auto [r, type] : llvm::enumerate(resultTypes))
      op->getResult(r).replaceAllUsesWith(bufferization::ToTensorOp::create(
          b, loc, type, buffers[r], /*restrict=*/true, /*writable=*/true));
    op->erase();
  }
};

} // namespace
} // namespace linea
