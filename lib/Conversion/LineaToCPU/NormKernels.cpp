//===- NormKernels.cpp - vector kernels for norms, FlashNorm epilogue -----===//
//
// The reference lowering of linea.rms_norm / linea.layer_norm is a chain of
// scalar linalg.generic reductions and one elementwise op. This pass
// replaces each supported norm by a call to a generated kernel on buffers,
// one row of x at a time (an scf.parallel over rows when the norm is big):
//
//   rms_norm:   ss = Σ x[m, :]²                         (vector FMAs)
//               inv = 1 / sqrt(ss / D + ε)
//               y[m, :] = x[m, :] · inv · w             (vector stores)
//   layer_norm: μ = Σ x / D, σ² = Σ (x − μ)² / D, y = (x − μ) · inv · w + b
//
// FlashNorm (REWRITES.md §6): after linea-fold-norms has moved the norm's
// weight into W, a `linea.linear` of a weightless rms_norm computes
// (x / rms(x)) · Wᵀ + b = (x · Wᵀ) · (1 / rms(x)) + b. Such a layer becomes
// a kernel that only computes inv[m] = 1 / rms(x[m]) (one pass over x), the
// linear layer on x itself without its bias, and one elementwise
// y[m, n] · inv[m] + b[n] that linea-cpu-contraction-kernels fuses into the
// contraction's store (ContractionEpilogue): no normalised copy of x is
// written, and y is written once.
//
//===----------------------------------------------------------------------===//

#include "LinearKernelCall.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace linea {
#define GEN_PASS_DEF_CPUNORMKERNELS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {
namespace {

/// What one kernel computes per row of x.
enum class NormKind { Rms, Layer, RmsScale };

/// The static facts of one supported norm.
struct NormShape {
  NormKind kind = NormKind::Rms;
  int64_t features = 0;
  float epsilon = 0;
  bool hasWeight = false, hasBias = false;
};

/// Fills `shape` for a norm of `x` into `result`; "" when the kernel
/// applies, else why not.
std::string analyzeNorm(Value x, Type result, NormShape &shape) {
  auto xType = cast<RankedTensorType>(x.getType());
  if (!xType.getElementType().isF32() ||
      !cast<RankedTensorType>(result).getElementType().isF32())
    return "x or the result is not f32";
  // Reshaping rows back to two or more dynamic leading dims crashes a
  // later pass of the pipeline (linea-run SIGSEGV); not yet understood.
  if (xType.getNumDynamicDims() > 1)
    return "x has more than one dynamic dim";
  // The verifier guarantees a static normalised dim.
  shape.features = xType.getShape().back();
  if (shape.features == 0)
    return "the normalised dim is empty";
  return "";
}

class NormEmitter : cpu_kernels::DotTileEmitter {
public:
  NormEmitter(OpBuilder &b, Location loc, const NormShape &shape,
              int64_t lanes, int64_t minParallelWork)
      : DotTileEmitter(b, loc, lanes), s(shape),
        minParallelWork(minParallelWork) {}

  /// Arguments: x, [weight], [bias], y (rows × D, or rows × 1 for
  /// RmsScale).
  void emit(ValueRange args) {
    x = args[0];
    unsigned i = 1;
    if (s.hasWeight)
      weight = args[i++];
    if (s.hasBias)
      bias = args[i++];
    y = args[i];
    Value mSize = memref::DimOp::create(b, loc, x, 0);
    // Threads only pay off for many elements; M is known at run time.
    Value big = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::uge,
        arith::MulIOp::create(b, loc, mSize, index(s.features)),
        index(minParallelWork));
    ifElse(
        big,
        [&] { parallelLoop(index(0), mSize, 1, true, [&](Value m) { row(m); }); },
        [&] { loop(index(0), mSize, 1, [&](Value m) { row(m); }); });
  }

private:
  /// Σ of f(x[m, c:c+L]) over the row, f given the loaded vector.
  Value rowSum(Value m, function_ref<Value(Value, Value)> f) {
    int64_t lanes = vecType.getNumElements();
    Value acc =
        forChunks(s.features, lanes, zeros(1),
                  [&](Value c, int64_t valid, ValueRange carried) {
                    Value v = load(vecType, x, {m, c}, valid);
                    // Masked lanes read 0, which adds 0 to both sums
                    // (layer_norm's (x − μ)² masks its own lanes).
                    return SmallVector<Value>{f(v, carried[0])};
                  })[0];
    return laneSum(acc);
  }

  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, loc, vecType, scalar);
  }

  /// The parameter vector `buffer`[c : c+L] widened to f32.
  Value feature(Value buffer, Value c, int64_t valid) {
    Type element = cast<MemRefType>(buffer.getType()).getElementType();
    Value v = load(VectorType::get(vecType.getShape(), element), buffer, {c},
                   valid);
    return element.isF32() ? v
                           : arith::ExtFOp::create(b, loc, vecType, v).getResult();
  }

  /// The mask of the first `valid` lanes.
  Value mask(int64_t valid) {
    int64_t lanes = vecType.getNumElements();
    SmallVector<bool> bits(lanes, false);
    std::fill_n(bits.begin(), std::min(valid, lanes), true);
    auto maskType = VectorType::get({lanes}, b.getI1Type());
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(maskType, ArrayRef<bool>(bits)));
  }

  /// 1 / sqrt(sum / D + ε), as the reference's x / sqrt(ms + ε) divides.
  Value inverseRoot(Value sum) {
    Value mean = arith::DivFOp::create(b, loc, sum, f32Const(s.features));
    Value root = math::SqrtOp::create(
        b, loc, arith::AddFOp::create(b, loc, mean, f32Const(s.epsilon)));
    return arith::DivFOp::create(b, loc, f32Const(1.0), root);
  }

  void row(Value m) {
    Value center;
    Value inv;
    if (s.kind == NormKind::Layer) {
      Value mean = arith::DivFOp::create(
          b, loc,
          rowSum(m, [&](Value v, Value acc) {
            return arith::AddFOp::create(b, loc, v, acc).getResult();
          }),
          f32Const(s.features));
      center = splat(mean);
      int64_t lanes = vecType.getNumElements();
      Value ss = laneSum(
          forChunks(s.features, lanes, zeros(1),
                    [&](Value c, int64_t valid, ValueRange carried) {
                      Value d = arith::SubFOp::create(
                          b, loc, load(vecType, x, {m, c}, valid), center);
                      if (valid)
                        d = arith::SelectOp::create(b, loc, mask(valid), d,
                                                    zeros(1)[0]);
                      return SmallVector<Value>{
                          vector::FMAOp::create(b, loc, d, d, carried[0])};
                    })[0]);
      inv = inverseRoot(ss);
    } else {
      inv = inverseRoot(rowSum(m, [&](Value v, Value acc) {
        return vector::FMAOp::create(b, loc, v, v, acc).getResult();
      }));
    }
    if (s.kind == NormKind::RmsScale) {
      memref::StoreOp::create(b, loc, inv, y, ValueRange{m, index(0)});
      return;
    }
    Value invVec = splat(inv);
    forChunks(s.features, vecType.getNumElements(), {},
              [&](Value c, int64_t valid, ValueRange) {
                Value v = load(vecType, x, {m, c}, valid);
                if (center)
                  v = arith::SubFOp::create(b, loc, v, center);
                v = arith::MulFOp::create(b, loc, v, invVec);
                if (weight)
                  v = arith::MulFOp::create(b, loc, v,
                                            feature(weight, c, valid));
                if (bias)
                  v = arith::AddFOp::create(b, loc, v, feature(bias, c, valid));
                if (valid)
                  vector::MaskedStoreOp::create(b, loc, y, ValueRange{m, c},
                                                mask(valid), v);
                else
                  vector::StoreOp::create(b, loc, v, y, ValueRange{m, c});
                return SmallVector<Value>();
              });
  }

  const NormShape &s;
  int64_t minParallelWork;
  Value x, weight, bias, y;
};

/// The weightless linea.rms_norm whose f32 result `linear` reads as x, when
/// the layer can take the FlashNorm epilogue; else null.
RmsNormOp flashNormSource(LinearOp linear) {
  auto norm = linear.getX().getDefiningOp<RmsNormOp>();
  if (!norm || norm.getWeight())
    return {};
  auto yType = cast<RankedTensorType>(linear.getType());
  if (!yType.getElementType().isF32() ||
      !cast<RankedTensorType>(norm.getType()).getElementType().isF32())
    return {};
  return norm;
}

struct CpuNormKernelsPass
    : linea::impl::CpuNormKernelsBase<CpuNormKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (vectorWidth <= 0 || (vectorWidth & (vectorWidth - 1)) ||
        minParallelWork < 0) {
      module.emitError() << getArgument() << ": vector-width ("
                         << int64_t(vectorWidth)
                         << ") must be a power of two and min-parallel-work ("
                         << int64_t(minParallelWork) << ") not negative";
      return signalPassFailure();
    }
    cpu_kernels::LinearKernelCalls rms(module, "__linea_rms_norm_kernel");
    cpu_kernels::LinearKernelCalls layer(module, "__linea_layer_norm_kernel");
    cpu_kernels::LinearKernelCalls scale(module, "__linea_rms_scale_kernel");
    if (flashNorm) {
      SmallVector<LinearOp> linears;
      module.walk([&](LinearOp op) {
        if (flashNormSource(op))
          linears.push_back(op);
      });
      for (LinearOp linear : linears)
        fuseRowScale(linear, scale);
    }
    auto bodyOf = [&](const NormShape &shape) {
      return [&, shape](OpBuilder &b, Location loc, ValueRange args) {
        NormEmitter(b, loc, shape, vectorWidth, minParallelWork).emit(args);
      };
    };
    auto keyOf = [](Operation *op, const NormShape &shape) -> Attribute {
      Builder builder(op);
      return builder.getArrayAttr(
          {builder.getF32FloatAttr(shape.epsilon),
           builder.getDenseBoolArrayAttr({shape.hasWeight, shape.hasBias})});
    };
    cpu_kernels::forEachLayer<RmsNormOp, NormShape>(
        module, getArgument(), reportSkipped,
        [&](RmsNormOp op, NormShape &shape) {
          shape.kind = NormKind::Rms;
          shape.epsilon = op.getEpsilon().convertToFloat();
          shape.hasWeight = bool(op.getWeight());
          return analyzeNorm(op.getX(), op.getType(), shape);
        },
        [&](RmsNormOp op, const NormShape &shape) {
          SmallVector<Value> operands;
          if (Value w = op.getWeight())
            operands.push_back(w);
          rms.replace(op, op.getX(), operands, shape.features,
                      keyOf(op, shape), bodyOf(shape));
        });
    cpu_kernels::forEachLayer<LayerNormOp, NormShape>(
        module, getArgument(), reportSkipped,
        [&](LayerNormOp op, NormShape &shape) {
          shape.kind = NormKind::Layer;
          shape.epsilon = op.getEpsilon().convertToFloat();
          shape.hasWeight = bool(op.getWeight());
          shape.hasBias = bool(op.getBias());
          return analyzeNorm(op.getX(), op.getType(), shape);
        },
        [&](LayerNormOp op, const NormShape &shape) {
          SmallVector<Value> operands;
          if (Value w = op.getWeight())
            operands.push_back(w);
          if (Value bias = op.getBias())
            operands.push_back(bias);
          layer.replace(op, op.getX(), operands, shape.features,
                        keyOf(op, shape), bodyOf(shape));
        });
  }

  /// linear(rms_norm(x), W, b) → (x·Wᵀ)[m, n] · inv[m] + b[n], on rows.
  void fuseRowScale(LinearOp linear, cpu_kernels::LinearKernelCalls &calls) {
    RmsNormOp norm = flashNormSource(linear);
    NormShape shape;
    shape.kind = NormKind::RmsScale;
    shape.epsilon = norm.getEpsilon().convertToFloat();
    if (!analyzeNorm(norm.getX(), norm.getType(), shape).empty())
      return;
    OpBuilder b(linear);
    Location loc = linear.getLoc();
    Value rows = cpu_kernels::toRows(b, loc, norm.getX());
    Value inv = calls.call(
        b, loc, rows, {}, 1, b.getF32FloatAttr(shape.epsilon),
        [&](OpBuilder &kb, Location kl, ValueRange args) {
          NormEmitter(kb, kl, shape, vectorWidth, minParallelWork).emit(args);
        });
    auto rowsType = cast<RankedTensorType>(rows.getType());
    auto invType =
        RankedTensorType::get({rowsType.getDimSize(0)}, b.getF32Type());
    inv = tensor::CollapseShapeOp::create(b, loc, invType, inv,
                                          ArrayRef<ReassociationIndices>{{0, 1}});
    // The layer on the rows of x, without its bias: a plain contraction.
    int64_t n = linear.getOutFeatures();
    auto yType = RankedTensorType::get({rowsType.getDimSize(0), n},
                                       b.getF32Type());
    auto product = LinearOp::create(b, loc, yType, rows, linear.getW(),
                                    Value(), linear.getNameAttr());
    product->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
    // y · inv[m] + b[n]: an elementwise consumer the contraction kernel
    // fuses into its store.
    MLIRContext *ctx = b.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), col = getAffineDimExpr(1, ctx);
    SmallVector<Value> inputs = {product, inv};
    SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {m, col}, ctx),
                                   AffineMap::get(2, 0, {m}, ctx)};
    if (Value bias = linear.getBias()) {
      inputs.push_back(bias);
      maps.push_back(AffineMap::get(2, 0, {col}, ctx));
    }
    maps.push_back(maps.front());
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(b, loc, product.getResult());
    Value init = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
    Value y =
        linalg::GenericOp::create(
            b, loc, yType, inputs, init, maps,
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value v = arith::MulFOp::create(nb, nl, args[0], args[1]);
              if (inputs.size() == 3) {
                Value bias = args[2];
                if (!bias.getType().isF32())
                  bias = arith::ExtFOp::create(nb, nl, nb.getF32Type(), bias);
                v = arith::AddFOp::create(nb, nl, v, bias);
              }
              linalg::YieldOp::create(nb, nl, v);
            })
            .getResult(0);
    linear.getResult().replaceAllUsesWith(cpu_kernels::fromRows(
        b, loc, y, norm.getX(), cast<RankedTensorType>(linear.getType())));
    linear.erase();
    if (norm->use_empty())
      norm.erase();
  }
};

} // namespace
} // namespace linea
