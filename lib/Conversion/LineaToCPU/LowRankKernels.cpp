//===- LowRankKernels.cpp - one fused kernel for linea.lowrank_linear -----===//
//
// y = (x · vᵀ) · uᵀ + bias. The reference lowering is two contractions with
// the M × r intermediate t in a tensor between them: t is written to memory
// by the first kernel and read back by the second. This pass replaces each
// supported layer by a call to one generated kernel on buffers that keeps t
// for a panel of rows of x in a small stack buffer:
//
//   t : memref<P × r × f32>                      (stack, P·r·4 ≈ panel-bytes)
//   for m0 in [0, M) in steps of P
//     scf.parallel over blocks of rows ρ of v                        stage 1
//       for tiles of tileM rows i of the panel × tileN rows ρ
//         t[i, ρ] = Σ_k x[m0+i, k] · v[ρ, k]             (vector FMAs)
//     scf.parallel over blocks of rows n of u                        stage 2
//       for tiles of tileM rows i × tileN rows n
//         y[m0+i, n] = Σ_ρ t[i, ρ] · u[n, ρ] + bias[n]
//
// Both stages are row dots along a unit-stride dim (K, then r). Blocks of
// v and u of about block-bytes stay in L2 while every row tile of the
// panel uses them, so each weight is read once per panel; with P ≥ M (the
// decode and small-batch case) once per call.
//
//===----------------------------------------------------------------------===//

#include "LinearKernelCall.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "llvm/Support/MathExtras.h"

namespace linea {
#define GEN_PASS_DEF_CPULOWRANKKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// The static facts of one supported layer.
struct LowRankShape {
  int64_t n = 0, k = 0, rank = 0;
  /// Rows of x per panel (the intermediate buffer's rows).
  int64_t panelRows = 0;
  bool hasBias = false;
};

/// Fills `shape` and returns "" when the kernel applies, else why not.
std::string analyze(LowRankLinearOp op, LowRankShape &shape) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  auto yType = cast<RankedTensorType>(op.getType());
  if (!xType.getElementType().isF32() || !yType.getElementType().isF32())
    return "x or the result is not f32";
  // The verifier guarantees static, non-empty factors and a static K.
  auto uType = cast<RankedTensorType>(op.getU().getType());
  shape.n = uType.getDimSize(0);
  shape.rank = uType.getDimSize(1);
  shape.k = cast<RankedTensorType>(op.getV().getType()).getDimSize(1);
  shape.hasBias = bool(op.getBias());
  return "";
}

/// Register tiles of out[i, j] = epilogue(Σ_c a[i, c] · w[j, c]) over rows
/// of a and w, both read along c with unit stride (w widened to f32).
class RowDotStage : cpu_kernels::DotTileEmitter {
public:
  RowDotStage(OpBuilder &b, Location loc, int64_t lanes)
      : DotTileEmitter(b, loc, lanes) {}

  /// For all `rows` rows of a (indices from 0) × the `wRows` rows of w, in
  /// blocks of `blockRows` rows of w (an scf.parallel when `parallel`):
  /// store(i, j, Σ_c a[i, c] · w[j, c]) with c in [0, len).
  void run(Value a, Value rows, Value w, int64_t wRows, int64_t len,
           int64_t tileM, int64_t tileN, int64_t blockRows, bool parallel,
           function_ref<void(Value, Value, Value)> store) {
    tileN = std::min(tileN, wRows);
    forOutputTiles(rows, wRows, tileM, tileN, blockRows, parallel,
                   [&](ArrayRef<Value> aRows, ArrayRef<Value> wIdx) {
                     tile(a, aRows, w, wIdx, len, store);
                   });
  }

private:
  void tile(Value a, ArrayRef<Value> aRows, Value w, ArrayRef<Value> wIdx,
            int64_t len, function_ref<void(Value, Value, Value)> store) {
    Type wElement = cast<MemRefType>(w.getType()).getElementType();
    auto wVecType = VectorType::get(vecType.getShape(), wElement);
    SmallVector<Value> acc = forChunks(
        len, vecType.getNumElements(), zeros(aRows.size() * wIdx.size()),
        [&](Value c, int64_t valid, ValueRange carried) {
          SmallVector<Value> av, wv;
          for (Value row : aRows)
            av.push_back(load(vecType, a, {row, c}, valid));
          for (Value row : wIdx) {
            Value v = load(wVecType, w, {row, c}, valid);
            wv.push_back(wElement.isF32()
                             ? v
                             : arith::ExtFOp::create(b, loc, vecType, v)
                                   .getResult());
          }
          return fmaAll(av, wv, carried);
        });
    for (auto [i, aRow] : llvm::enumerate(aRows))
      for (auto [j, wRow] : llvm::enumerate(wIdx))
        store(aRow, wRow, laneSum(acc[i * wIdx.size() + j]));
  }
};

class LowRankEmitter : cpu_kernels::KernelEmitterBase {
public:
  LowRankEmitter(OpBuilder &b, Location loc, const LowRankShape &shape,
                 const cpu_kernels::KernelTiling &tiling)
      : KernelEmitterBase(b, loc), s(shape), o(tiling) {}

  /// Arguments: x, u, v, [bias], y.
  void emit(ValueRange args) {
    Value x = args[0], u = args[1], v = args[2], y = args.back();
    Value bias = s.hasBias ? args[3] : Value();
    Type f32 = b.getF32Type();
    Value t = memref::AllocaOp::create(
        b, loc, MemRefType::get({s.panelRows, s.rank}, f32));
    Value mSize = memref::DimOp::create(b, loc, x, 0);
    bool parallel = s.rank * (s.n + s.k) >= o.minParallelWeights;
    auto lanesFor = [&](int64_t len) {
      return std::min<int64_t>(o.vectorWidth, llvm::PowerOf2Ceil(len));
    };
    auto blockRowsFor = [&](Value w, int64_t len) {
      int64_t bytes =
          len * cast<MemRefType>(w.getType()).getElementTypeBitWidth() / 8;
      int64_t tileN = o.tileN;
      return std::max<int64_t>(1, o.blockBytes / (bytes * tileN)) * tileN;
    };
    loop(index(0), mSize, s.panelRows, [&](Value m0) {
      Value rows = arith::MinUIOp::create(
          b, loc, arith::SubIOp::create(b, loc, mSize, m0),
          index(s.panelRows));
      // Stage 1: t[i, ρ] = xPanel[i] · v[ρ].
      Value xPanel = panel(x, m0, rows, s.k);
      Value yPanel = panel(y, m0, rows, s.n);
      RowDotStage(b, loc, lanesFor(s.k))
          .run(xPanel, rows, v, s.rank, s.k, o.tileM, o.tileN,
               blockRowsFor(v, s.k), parallel, [&](Value i, Value r, Value z) {
                 memref::StoreOp::create(b, loc, z, t, ValueRange{i, r});
               });
      // Stage 2: yPanel[i, n] = t[i] · u[n] + bias[n], the reference's
      // order (the sum, then the bias).
      RowDotStage(b, loc, lanesFor(s.rank))
          .run(t, rows, u, s.n, s.rank, o.tileM, o.tileN,
               blockRowsFor(u, s.rank), parallel,
               [&](Value i, Value n, Value z) {
                 if (bias) {
                   Value bn = memref::LoadOp::create(b, loc, bias, n);
                   if (!bn.getType().isF32())
                     bn = arith::ExtFOp::create(b, loc, f32, bn);
                   z = arith::AddFOp::create(b, loc, z, bn);
                 }
                 memref::StoreOp::create(b, loc, z, yPanel, ValueRange{i, n});
               });
    });
  }

private:
  /// Rows [m0, m0 + rows) of the rows × `cols` buffer `buffer`.
  Value panel(Value buffer, Value m0, Value rows, int64_t cols) {
    return memref::SubViewOp::create(
        b, loc, buffer, ArrayRef<OpFoldResult>{m0, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rows, b.getIndexAttr(cols)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }

  const LowRankShape &s;
  const cpu_kernels::KernelTiling &o;
};

struct CpuLowRankKernelsPass
    : linea::impl::CpuLowRankKernelsBase<CpuLowRankKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    cpu_kernels::KernelTiling tiling{vectorWidth, tileM, tileN, blockBytes,
                                     minParallelWeights};
    if (failed(tiling.verify(module, getArgument())))
      return signalPassFailure();
    if (panelBytes <= 0) {
      module.emitError() << getArgument() << ": panel-bytes (" << int64_t(panelBytes)
                         << ") must be positive";
      return signalPassFailure();
    }
    cpu_kernels::LinearKernelCalls calls(module, "__linea_lowrank_kernel");
    cpu_kernels::forEachLayer<LowRankLinearOp, LowRankShape>(
        module, getArgument(), reportSkipped,
        [&](LowRankLinearOp op, LowRankShape &shape) {
          std::string why = analyze(op, shape);
          // P rows of r floats in about panel-bytes, a multiple of tile-m.
          int64_t rows = panelBytes / (4 * std::max<int64_t>(shape.rank, 1));
          shape.panelRows = std::max<int64_t>(1, rows / tileM) * tileM;
          return why;
        },
        [&](LowRankLinearOp op, const LowRankShape &shape) {
          SmallVector<Value> operands = {op.getU(), op.getV()};
          if (Value bias = op.getBias())
            operands.push_back(bias);
          calls.replace(op, op.getX(), operands, shape.n,
                        Builder(op).getI64IntegerAttr(shape.panelRows),
                        [&](OpBuilder &b, Location loc, ValueRange args) {
                          LowRankEmitter(b, loc, shape, tiling).emit(args);
                        });
        });
  }
};

} // namespace
} // namespace linea
