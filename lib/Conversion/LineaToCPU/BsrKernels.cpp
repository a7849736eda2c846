//===- BsrKernels.cpp - vector kernels for linea.bsr_linear ---------------===//
//
// The reference lowering walks the stored blocks too, but as tensor slices
// and a scalar linalg.generic per block, inserting every partial result
// back into y. This pass replaces each supported layer by a call to a
// generated kernel on buffers that keeps the partial sums in registers:
//
//   scf.parallel over block rows rb
//     for m in steps of tileM, a in [0, bn) in steps of tileN
//       acc[i][j] : vector<L × f32> = 0
//       for e in [row_offsets[rb], row_offsets[rb + 1]):
//         k0 = col_indices[e] · bk
//         for c in [0, bk) in steps of L (the last step masked):
//           acc[i][j] = fma(x[m+i, k0+c : +L], values[e, a+j, c : +L],
//                           acc[i][j])
//       y[m+i, rb·bn + a+j] = Σ lanes acc[i][j] + bias[rb·bn + a+j]
//
// L is the vector width, or the power of two at or above bk when blocks
// are narrower. Only stored blocks are read, each block row of values
// once per tile of x rows; x (K floats a row) stays in cache.
//
//===----------------------------------------------------------------------===//

#include "LinearKernelCall.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "llvm/Support/MathExtras.h"

namespace linea {
#define GEN_PASS_DEF_CPUBSRKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// The static facts of one supported layer.
struct BsrShape {
  int64_t blockRows = 0, bn = 0, bk = 0, blocks = 0;
  bool hasBias = false;
};

/// Fills `shape` and returns "" when the kernel applies, else why not.
std::string analyze(BsrLinearOp op, BsrShape &shape) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  auto yType = cast<RankedTensorType>(op.getType());
  if (!xType.getElementType().isF32() || !yType.getElementType().isF32())
    return "x is not f32";
  if (!cast<RankedTensorType>(op.getValues().getType())
           .getElementType()
           .isF32())
    return "values are not f32";
  shape.blockRows =
      cast<RankedTensorType>(op.getRowOffsets().getType()).getDimSize(0) - 1;
  shape.bn = op.getBlockRows();
  shape.bk = op.getBlockCols();
  shape.blocks = op.getNumBlocks();
  shape.hasBias = bool(op.getBias());
  return "";
}

class BsrEmitter : cpu_kernels::DotTileEmitter {
public:
  BsrEmitter(OpBuilder &b, Location loc, const BsrShape &shape,
             const cpu_kernels::KernelTiling &tiling)
      : DotTileEmitter(b, loc,
                       std::min<int64_t>(tiling.vectorWidth,
                                         llvm::PowerOf2Ceil(shape.bk))),
        s(shape), o(tiling) {}

  /// Arguments: x, values, col_indices, row_offsets, [bias], y.
  void emit(ValueRange args) {
    x = args[0];
    values = args[1];
    colIndices = args[2];
    rowOffsets = args[3];
    if (s.hasBias)
      bias = args[4];
    y = args.back();
    Value mSize = memref::DimOp::create(b, loc, x, 0);
    bool parallel = s.blocks * s.bn * s.bk >= o.minParallelWeights;
    int64_t tileN = std::min(o.tileN, s.bn);
    parallelLoop(index(0), index(s.blockRows), 1, parallel, [&](Value rb) {
      Value begin = readIndex(rowOffsets, rb);
      Value end = readIndex(rowOffsets, add(rb, 1));
      Value n0 = arith::MulIOp::create(b, loc, rb, index(s.bn));
      forRowTiles(mSize, o.tileM, [&](ArrayRef<Value> xRows) {
        for (int64_t a = 0; a < s.bn; a += tileN)
          emitTile(xRows, n0, a, std::min(tileN, s.bn - a), begin, end);
      });
    });
  }

private:
  Value readIndex(Value buffer, Value position) {
    Value v = memref::LoadOp::create(b, loc, buffer, ValueRange{position});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }

  /// Rows a0 .. a0 + cols of the block row starting at output n0, for the
  /// rows of x `xRows`, over stored blocks [begin, end).
  void emitTile(ArrayRef<Value> xRows, Value n0, int64_t a0, int64_t cols,
                Value begin, Value end) {
    SmallVector<Value> acc = loop(
        begin, end, 1, zeros(xRows.size() * cols),
        [&](Value e, ValueRange carried) -> SmallVector<Value> {
          Value k0 = arith::MulIOp::create(b, loc, readIndex(colIndices, e),
                                           index(s.bk));
          return forChunks(s.bk, vecType.getNumElements(), carried,
                           [&](Value c, int64_t valid, ValueRange inner) {
                             Value kx = arith::AddIOp::create(b, loc, k0, c);
                             SmallVector<Value> xv, wv;
                             for (Value row : xRows)
                               xv.push_back(load(vecType, x, {row, kx}, valid));
                             for (int64_t j = 0; j < cols; ++j)
                               wv.push_back(load(vecType, values,
                                                 {e, index(a0 + j), c}, valid));
                             return fmaAll(xv, wv, inner);
                           });
        });
    for (auto [i, xRow] : llvm::enumerate(xRows))
      for (int64_t j = 0; j < cols; ++j) {
        Value n = add(n0, a0 + j);
        Value sum = laneSum(acc[i * cols + j]);
        if (bias)
          sum = arith::AddFOp::create(b, loc, sum, loadF32(bias, n));
        memref::StoreOp::create(b, loc, sum, y, ValueRange{xRow, n});
      }
  }

  const BsrShape &s;
  const cpu_kernels::KernelTiling &o;
  Value x, values, colIndices, rowOffsets, bias, y;
};

struct CpuBsrKernelsPass : linea::impl::CpuBsrKernelsBase<CpuBsrKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    cpu_kernels::KernelTiling tiling{vectorWidth, tileM, tileN, blockBytes,
                                     minParallelWeights};
    if (failed(tiling.verify(module, getArgument())))
      return signalPassFailure();
    cpu_kernels::LinearKernelCalls calls(module, "__linea_bsr_kernel");
    cpu_kernels::forEachLayer<BsrLinearOp, BsrShape>(
        module, getArgument(), reportSkipped,
        [&](BsrLinearOp op, BsrShape &shape) { return analyze(op, shape); },
        [&](BsrLinearOp op, const BsrShape &shape) {
          SmallVector<Value> operands = {op.getValues(), op.getColIndices(),
                                         op.getRowOffsets()};
          if (Value bias = op.getBias())
            operands.push_back(bias);
          calls.replace(op, op.getX(), operands, shape.blockRows * shape.bn,
                        Attribute(),
                        [&](OpBuilder &b, Location loc, ValueRange args) {
                          BsrEmitter(b, loc, shape, tiling).emit(args);
                        });
        });
  }
};

} // namespace
} // namespace linea
