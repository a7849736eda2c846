//===- ShiftKernels.cpp - vector kernels for linea.shift_linear -----------===//
//
// The shift-add layer stores each weight as T signed powers of two: one
// exponent byte and one sign byte per term, half (T = 1) the bytes of f32.
// The reference lowering builds each term's ±2^e and multiplies it in a
// scalar loop; this pass replaces each supported layer by a call to a
// generated kernel on buffers that never forms W:
//
//   scf.parallel over blocks of rows of W
//     for m in steps of tileM, n in the block in steps of tileN
//       acc[i][j] : vector<VL × f32> = 0
//       for k in steps of VL (the last one masked):
//         for each term t:
//           e, s = VL exponent and sign bytes of row n+j
//           p = bitcast((e + 127) << 23 | (s & 0x80000000)), 0 where s = 0
//           acc[i][j] = fma(x[m+i, k:k+VL], p, acc[i][j])
//       y[m+i, n+j] = (Σ lanes acc[i][j]) · scale[n+j] + bias[n+j]
//
// p = ±2^e is assembled from its bits, which is exponent arithmetic and a
// sign bit, not a decode of W: x · p is exact (a power of two moves only
// the exponent; e is in the normal range), so the FMA rounds once, as an
// addition of the exact term does. The products and the reference's are
// then the same numbers, summed in another order. Each p vector serves
// tileM rows of x.
//
//===----------------------------------------------------------------------===//

#include "LinearKernelCall.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

namespace linea {
#define GEN_PASS_DEF_CPUSHIFTKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// The static facts of one supported layer.
struct ShiftShape {
  int64_t terms = 1, n = 0, k = 0;
  bool hasScale = false, hasBias = false;
};

/// Fills `shape` and returns "" when the kernel applies, else why not.
std::string analyze(ShiftLinearOp op, ShiftShape &shape) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  auto yType = cast<RankedTensorType>(op.getType());
  if (!xType.getElementType().isF32() || !yType.getElementType().isF32())
    return "x is not f32";
  auto eType = cast<RankedTensorType>(op.getExponents().getType());
  if (!eType.hasStaticShape() || xType.isDynamicDim(xType.getRank() - 1))
    return "K or the exponents' shape is dynamic";
  shape.terms = eType.getDimSize(0);
  shape.n = eType.getDimSize(1);
  shape.k = eType.getDimSize(2);
  if (shape.terms == 0 || shape.n == 0 || shape.k == 0)
    return "the layer is empty (terms = " + std::to_string(shape.terms) +
           ", N = " + std::to_string(shape.n) +
           ", K = " + std::to_string(shape.k) + ")";
  shape.hasScale = bool(op.getScale());
  shape.hasBias = bool(op.getBias());
  return "";
}

class ShiftEmitter : cpu_kernels::DotTileEmitter {
public:
  ShiftEmitter(OpBuilder &b, Location loc, const ShiftShape &shape,
               const cpu_kernels::KernelTiling &options)
      : DotTileEmitter(b, loc, options.vectorWidth), s(shape), o(options),
        intType(VectorType::get({options.vectorWidth}, b.getI32Type())),
        byteType(VectorType::get({options.vectorWidth}, b.getI8Type())) {}

  /// Arguments: x, exponents, signs, [scale], [bias], y.
  void emit(ValueRange args) {
    unsigned i = 0;
    x = args[i++];
    exponents = args[i++];
    signs = args[i++];
    if (s.hasScale)
      scale = args[i++];
    if (s.hasBias)
      bias = args[i++];
    y = args[i++];
    int64_t tileN = std::min<int64_t>(o.tileN, s.n);
    int64_t bytesPerRow = 2 * s.terms * s.k;
    int64_t blockRows =
        std::max<int64_t>(1, o.blockBytes / (bytesPerRow * tileN)) * tileN;
    bool parallel = s.n * s.k * s.terms >= o.minParallelWeights;
    forOutputTiles(memref::DimOp::create(b, loc, x, 0), s.n, o.tileM, tileN,
                   blockRows, parallel,
                   [&](ArrayRef<Value> xRows, ArrayRef<Value> wRows) {
                     emitTile(xRows, wRows);
                   });
  }

private:
  Value splat(int64_t v, VectorType type) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(type,
                               b.getIntegerAttr(type.getElementType(), v)));
  }

  /// ±2^e (or +0 where the sign is 0) for VL weights of term t, row `row`,
  /// from column k.
  Value term(int64_t t, Value row, Value k, int64_t valid) {
    SmallVector<Value, 3> at = {index(t), row, k};
    Value e = arith::ExtSIOp::create(b, loc, intType,
                                     load(byteType, exponents, at, valid));
    Value sgn = arith::ExtSIOp::create(b, loc, intType,
                                       load(byteType, signs, at, valid));
    // (e + 127) << 23 = (e << 23) + (127 << 23); the sign bit of −1 is the
    // sign bit of −2^e.
    Value bits = arith::AddIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, e, splat(23, intType)),
        splat(127 << 23, intType));
    Value sign =
        arith::AndIOp::create(b, loc, sgn, splat(int32_t(0x80000000), intType));
    bits = arith::OrIOp::create(b, loc, bits, sign);
    Value absent = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, sgn,
                                         splat(0, intType));
    bits = arith::SelectOp::create(b, loc, absent, splat(0, intType), bits);
    return arith::BitcastOp::create(b, loc, vecType, bits);
  }

  void emitTile(ArrayRef<Value> xRows, ArrayRef<Value> wRows) {
    int64_t lanes = vecType.getNumElements();
    SmallVector<Value> acc =
        forChunks(s.k, lanes, zeros(xRows.size() * wRows.size()),
                  [&](Value k, int64_t valid, ValueRange carried) {
                    SmallVector<Value> xv, next(carried);
                    for (Value row : xRows)
                      xv.push_back(load(vecType, x, {row, k}, valid));
                    for (int64_t t = 0; t < s.terms; ++t) {
                      SmallVector<Value> p;
                      for (Value row : wRows)
                        p.push_back(term(t, row, k, valid));
                      next = fmaAll(xv, p, next);
                    }
                    return next;
                  });
    for (auto [i, xRow] : llvm::enumerate(xRows))
      for (auto [j, wRow] : llvm::enumerate(wRows)) {
        Value sum = laneSum(acc[i * wRows.size() + j]);
        // The reference's order: the sum times the scale, then the bias.
        if (scale)
          sum = arith::MulFOp::create(b, loc, sum, loadF32(scale, wRow));
        if (bias)
          sum = arith::AddFOp::create(b, loc, sum, loadF32(bias, wRow));
        memref::StoreOp::create(b, loc, sum, y, ValueRange{xRow, wRow});
      }
  }

  const ShiftShape &s;
  const cpu_kernels::KernelTiling &o;
  VectorType intType, byteType;
  Value x, exponents, signs, scale, bias, y;
};

struct CpuShiftKernelsPass
    : linea::impl::CpuShiftKernelsBase<CpuShiftKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    cpu_kernels::KernelTiling tiling{vectorWidth, tileM, tileN, blockBytes,
                                     minParallelWeights};
    if (failed(tiling.verify(module, getArgument())))
      return signalPassFailure();
    cpu_kernels::LinearKernelCalls calls(module, "__linea_shift_kernel");
    cpu_kernels::forEachLayer<ShiftLinearOp, ShiftShape>(
        module, getArgument(), reportSkipped,
        [&](ShiftLinearOp op, ShiftShape &shape) { return analyze(op, shape); },
        [&](ShiftLinearOp op, const ShiftShape &shape) {
          SmallVector<Value> operands = {op.getExponents(), op.getSigns()};
          if (Value scale = op.getScale())
            operands.push_back(scale);
          if (Value bias = op.getBias())
            operands.push_back(bias);
          // A scale-only and a bias-only layer can have the same signature.
          Attribute key = Builder(op).getDenseBoolArrayAttr(
              {shape.hasScale, shape.hasBias});
          calls.replace(op, op.getX(), operands, shape.n, key,
                        [&](OpBuilder &b, Location loc, ValueRange args) {
                          ShiftEmitter(b, loc, shape, tiling).emit(args);
                        });
        });
  }
};

} // namespace
} // namespace linea
