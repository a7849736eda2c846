//===- NMKernels.cpp - vector kernels for linea.nm_linear -----------------===//
//
// An n:m layer stores, per row of W, n values and n position bytes for
// every group of m input columns. The reference lowering gathers one x
// element per kept weight in a scalar loop. This pass replaces each
// supported layer by a call to a generated kernel on buffers that expands
// a chunk of C = lcm(m, VL) columns of a row of W in registers and runs
// dense vector FMAs against the contiguous x chunk:
//
//   scf.parallel over blocks of rows of W
//     for m in steps of tileM, r in the block in steps of tileN
//       acc[i][j] : vector<C × f32> = 0
//       for k in [0, K) in steps of C (the last step masked):
//         v, p = the C·n/m kept values and positions of row r+j at k·n/m
//         w = Σ_t select(shuffle_t(p) == lane mod m, shuffle_t(v), 0)
//             (shuffle_t puts kept element t of a lane's group on the lane)
//         acc[i][j] = fma(x[m+i, k : k+C], w, acc[i][j])
//       y[m+i, r+j] = Σ lanes acc[i][j] + bias[r+j]
//
// An expanded w serves tileM rows of x, so M > 1 costs dense FMAs on the
// compressed bytes rather than one gather per kept weight and row of x;
// nothing of W is written to memory. The expansion is n shuffles of the
// values, n of the positions, n compares and n selects per C columns.
//
//===----------------------------------------------------------------------===//

#include "LinearKernelCall.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include <numeric>

namespace linea {
#define GEN_PASS_DEF_CPUNMKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// The widest chunk (lanes) the kernel expands; beyond it the n selects
/// per chunk would spill.
constexpr int64_t kMaxChunk = 64;

/// The static facts of one supported layer.
struct NMShape {
  int64_t rows = 0, k = 0, n = 2, m = 4, chunk = 16;
  bool hasBias = false;
};

/// Fills `shape` and returns "" when the kernel applies, else why not.
std::string analyze(NMLinearOp op, int64_t lanes, NMShape &shape) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  auto yType = cast<RankedTensorType>(op.getType());
  if (!xType.getElementType().isF32() || !yType.getElementType().isF32())
    return "x is not f32";
  auto valuesType = cast<RankedTensorType>(op.getValues().getType());
  if (!valuesType.getElementType().isF32())
    return "values are not f32";
  if (!valuesType.hasStaticShape() || xType.isDynamicDim(xType.getRank() - 1))
    return "K or the values' shape is dynamic";
  shape.n = op.getN();
  shape.m = op.getM();
  shape.rows = valuesType.getDimSize(0);
  shape.k = xType.getShape().back();
  if (shape.rows == 0 || shape.k == 0)
    return "the layer is empty (N = " + std::to_string(shape.rows) +
           ", K = " + std::to_string(shape.k) + ")";
  shape.chunk = std::lcm(shape.m, lanes);
  if (shape.chunk > kMaxChunk)
    return "a chunk of lcm(m = " + std::to_string(shape.m) +
           ", vector-width = " + std::to_string(lanes) +
           ") = " + std::to_string(shape.chunk) + " columns exceeds " +
           std::to_string(kMaxChunk);
  shape.hasBias = bool(op.getBias());
  return "";
}

class NMEmitter : cpu_kernels::DotTileEmitter {
public:
  NMEmitter(OpBuilder &b, Location loc, const NMShape &shape,
            const cpu_kernels::KernelTiling &tiling)
      : DotTileEmitter(b, loc, shape.chunk), s(shape), o(tiling),
        kept(shape.chunk * shape.n / shape.m) {}

  /// Arguments: x, values, indices, [bias], y.
  void emit(ValueRange args) {
    x = args[0];
    values = args[1];
    indices = args[2];
    if (s.hasBias)
      bias = args[3];
    y = args.back();
    // Lane l of a chunk: its place in its group, and for each t the kept
    // element that lands on it.
    SmallVector<int8_t> place;
    for (int64_t l = 0; l < s.chunk; ++l)
      place.push_back(l % s.m);
    auto placeType = VectorType::get({s.chunk}, b.getI8Type());
    lanePlace = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(placeType, ArrayRef<int8_t>(place)));
    int64_t tileN = std::min<int64_t>(o.tileN, s.rows);
    int64_t rowBytes = 5 * s.k * s.n / s.m;
    int64_t blockRows =
        std::max<int64_t>(1, o.blockBytes / (rowBytes * tileN)) * tileN;
    bool parallel = s.rows * s.k * s.n / s.m >= o.minParallelWeights;
    forOutputTiles(memref::DimOp::create(b, loc, x, 0), s.rows, o.tileM, tileN,
                   blockRows, parallel,
                   [&](ArrayRef<Value> xRows, ArrayRef<Value> wRows) {
                     emitTile(xRows, wRows);
                   });
  }

private:
  /// Row `row` of W, columns [k, k + C), in registers (`valid` columns
  /// when nonzero, the rest 0).
  Value expand(Value row, Value k, int64_t valid) {
    Value j = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, k, index(s.m)), index(s.n));
    int64_t keptValid = valid * s.n / s.m;
    Value v = load(VectorType::get({kept}, f32), values, {row, j}, keptValid);
    Value p = load(VectorType::get({kept}, b.getI8Type()), indices, {row, j},
                   keptValid);
    Value w;
    Value zero = zeros(1)[0];
    for (int64_t t = 0; t < s.n; ++t) {
      SmallVector<int64_t> mask;
      for (int64_t l = 0; l < s.chunk; ++l)
        mask.push_back(l / s.m * s.n + t);
      Value vt = vector::ShuffleOp::create(b, loc, v, v, mask);
      Value pt = vector::ShuffleOp::create(b, loc, p, p, mask);
      Value here = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pt,
                                         lanePlace);
      Value term = arith::SelectOp::create(b, loc, here, vt, zero);
      w = w ? arith::AddFOp::create(b, loc, w, term).getResult() : term;
    }
    return w;
  }

  void emitTile(ArrayRef<Value> xRows, ArrayRef<Value> wRows) {
    SmallVector<Value> acc =
        forChunks(s.k, s.chunk, zeros(xRows.size() * wRows.size()),
                  [&](Value k, int64_t valid, ValueRange carried) {
                    SmallVector<Value> xv, wv;
                    for (Value row : xRows)
                      xv.push_back(load(vecType, x, {row, k}, valid));
                    for (Value row : wRows)
                      wv.push_back(expand(row, k, valid));
                    return fmaAll(xv, wv, carried);
                  });
    for (auto [i, xRow] : llvm::enumerate(xRows))
      for (auto [j, wRow] : llvm::enumerate(wRows)) {
        Value sum = laneSum(acc[i * wRows.size() + j]);
        if (bias)
          sum = arith::AddFOp::create(b, loc, sum, loadF32(bias, wRow));
        memref::StoreOp::create(b, loc, sum, y, ValueRange{xRow, wRow});
      }
  }

  const NMShape &s;
  const cpu_kernels::KernelTiling &o;
  int64_t kept;
  Value x, values, indices, bias, y, lanePlace;
};

struct CpuNMKernelsPass : linea::impl::CpuNMKernelsBase<CpuNMKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    cpu_kernels::KernelTiling tiling{vectorWidth, tileM, tileN, blockBytes,
                                     minParallelWeights};
    if (failed(tiling.verify(module, getArgument())))
      return signalPassFailure();
    cpu_kernels::LinearKernelCalls calls(module, "__linea_nm_kernel");
    cpu_kernels::forEachLayer<NMLinearOp, NMShape>(
        module, getArgument(), reportSkipped,
        [&](NMLinearOp op, NMShape &shape) {
          return analyze(op, tiling.vectorWidth, shape);
        },
        [&](NMLinearOp op, const NMShape &shape) {
          SmallVector<Value> operands = {op.getValues(), op.getIndices()};
          if (Value bias = op.getBias())
            operands.push_back(bias);
          // Kernels of the same types but another n:m differ.
          Attribute key = Builder(op).getDenseI64ArrayAttr({shape.n, shape.m});
          calls.replace(op, op.getX(), operands, shape.rows, key,
                        [&](OpBuilder &b, Location loc, ValueRange args) {
                          NMEmitter(b, loc, shape, tiling).emit(args);
                        });
        });
  }
};

} // namespace
} // namespace linea
