//===- RaiseLinear.cpp - contractions with constant weights → linear ops --===//
//
// Rewrites `linalg.matmul x[M, K] · W[K, N]` whose W is a constant (MatMul,
// Gemm's transposed B) or a dequantized constant (DequantizeLinear →
// MatMul) into `linea.linear` / `linea.quant_linear`, folding the importer's
// epilogue (f32 → f16/bf16 rounding, Gemm's alpha/beta/C, a following Add of
// a constant bias broadcast over rows) and its leading-dim reshapes of x and
// y. docs/onnx-import.md ("Raising") lists what is and is not recognised.
//
//===----------------------------------------------------------------------===//

#include "Match.h"
#include "RaisePatterns.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>

using namespace mlir;
using namespace linea;
using namespace linea::raise;

namespace {

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// The row-major stored bytes of a non-splat dense or dense_resource
/// attribute whose elements fill whole bytes, or an empty ArrayRef.
static ArrayRef<char> storedBytes(ElementsAttr attr) {
  unsigned bits = attr.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return {};
  size_t expected = size_t(attr.getNumElements()) * (bits / 8);
  ArrayRef<char> data;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return {};
    data = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      data = blob->getData();
  }
  return data.size() == expected ? data : ArrayRef<char>();
}

/// The transpose [C, R] of the 2-D constant `attr` [R, C], bit for bit,
/// with every byte XOR-ed with `flip` (0x80 turns int8 codes into the
/// uint8 codes of the same value + 128). A dense_resource source gives a
/// new dense_resource blob, so that large weights stay out of the
/// attribute uniquer; small ones become dense attributes.
static ElementsAttr transposeConstant(ElementsAttr attr, uint8_t flip = 0) {
  auto type = cast<ShapedType>(attr.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto resultType = RankedTensorType::get({cols, rows}, type.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(attr);
      dense && dense.isSplat()) {
    if (flip == 0)
      return DenseElementsAttr::get(resultType,
                                    dense.getSplatValue<Attribute>());
    APInt v = dense.getSplatValue<APInt>() ^ APInt(8, flip);
    return DenseElementsAttr::get(resultType, v);
  }
  ArrayRef<char> src = storedBytes(attr);
  if (src.empty())
    return {};
  size_t width = src.size() / size_t(rows * cols);
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocate(src.size(), alignof(uint64_t));
  MutableArrayRef<char> dst = blob.getMutableData();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      for (size_t b = 0; b < width; ++b)
        dst[(c * rows + r) * width + b] =
            char(src[(r * cols + c) * width + b] ^ flip);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    std::string name = (resource.getRawHandle().getKey() + "_T").str();
    return DenseResourceElementsAttr::get(resultType, name, std::move(blob));
  }
  return DenseElementsAttr::getFromRawBuffer(resultType, blob.getData());
}

/// An arith.constant of `attr`.
static Value constantOf(PatternRewriter &rewriter, Location loc,
                        ElementsAttr attr) {
  return arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(attr));
}

//===----------------------------------------------------------------------===//
// The epilogue: y = alpha · (x·W) + bias, possibly rounded to f16/bf16
//===----------------------------------------------------------------------===//

/// `a·in0 + b·in1` as a body computes it from its first two inputs.
struct AffineForm {
  double coef[2] = {0.0, 0.0};
};

/// Reads scalar `v` of generic `op`'s body as a linear combination of its
/// inputs 0 and 1 with coefficients from inline constants (Gemm's alpha and
/// beta): block arguments, addf, mulf by an inline constant, float casts.
static std::optional<AffineForm> readAffine(linalg::GenericOp op, Value v) {
  v = stripFloatCasts(v);
  if (std::optional<unsigned> index = getBodyInputIndex(op, v)) {
    if (*index > 1)
      return std::nullopt;
    AffineForm form;
    form.coef[*index] = 1.0;
    return form;
  }
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != op.getBody())
    return std::nullopt;
  if (auto add = dyn_cast<arith::AddFOp>(def)) {
    std::optional<AffineForm> l = readAffine(op, add.getLhs());
    std::optional<AffineForm> r = readAffine(op, add.getRhs());
    if (!l || !r)
      return std::nullopt;
    for (int i = 0; i < 2; ++i)
      l->coef[i] += r->coef[i];
    return l;
  }
  if (auto mul = dyn_cast<arith::MulFOp>(def)) {
    Value side = mul.getLhs(), scale = mul.getRhs();
    std::optional<double> c = getSplatValue(stripFloatCasts(scale));
    if (!c || getBodyInputIndex(op, scale)) {
      std::swap(side, scale);
      c = getSplatValue(stripFloatCasts(scale));
      if (!c || getBodyInputIndex(op, scale))
        return std::nullopt;
    }
    std::optional<AffineForm> form = readAffine(op, side);
    if (!form)
      return std::nullopt;
    for (double &k : form->coef)
      k *= *c;
    return form;
  }
  return std::nullopt;
}

/// What follows the contraction and becomes part of the linear op.
struct Epilogue {
  /// The value the linear op replaces (the last absorbed op's result).
  Value result;
  double alpha = 1.0;
  /// bias[n] in f32, empty when there is none.
  std::vector<float> bias;
};

/// True when `op` is a tensor.expand_shape that only splits leading dims
/// (the importer's un-flattening of a MatMul result).
static bool isLeadingExpand(Operation *op) {
  auto expand = dyn_cast_or_null<tensor::ExpandShapeOp>(op);
  if (!expand)
    return false;
  auto groups = expand.getReassociationIndices();
  return expand.getSrcType().getRank() == 2 && groups.size() == 2 &&
         groups[1].size() == 1;
}

/// Follows the single-use chain after the contraction `product` [M, N],
/// absorbing leading-dim expand_shapes and elementwise generics of the form
/// a·product + b·bias (bias a constant varying only along N). `allowScale`
/// false stops at an alpha other than 1 (quantized weights keep their
/// scales exact).
static Epilogue walkEpilogue(Value product, int64_t n, bool allowScale) {
  Epilogue epi;
  epi.result = product;
  Value current = product;
  while (current.hasOneUse()) {
    Operation *user = *current.getUsers().begin();
    if (isLeadingExpand(user)) {
      current = user->getResult(0);
      continue;
    }
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || generic->getNumResults() != 1 ||
        generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0 ||
        generic.getNumDpsInputs() > 2)
      break;
    if (!generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
             .isIdentity() ||
        !generic.getBody()->getArgument(generic.getNumDpsInputs()).use_empty())
      break;
    // The product is one input (either operand order), the bias the other.
    unsigned self = generic.getDpsInputOperand(0)->get() == current ? 0 : 1;
    if (self >= generic.getNumDpsInputs() ||
        generic.getDpsInputOperand(self)->get() != current ||
        !generic.getMatchingIndexingMap(generic.getDpsInputOperand(self))
             .isIdentity())
      break;
    Value yielded = generic.getBody()->getTerminator()->getOperand(0);
    std::optional<AffineForm> form = readAffine(generic, yielded);
    if (!form || form->coef[self] == 0.0)
      break;
    std::vector<float> addend;
    double addendCoef = 0.0;
    if (generic.getNumDpsInputs() == 2) {
      OpOperand *other = generic.getDpsInputOperand(1 - self);
      ElementwiseOperand operand{
          other->get(), generic.getMatchingIndexingMap(other), std::nullopt};
      auto biasType = cast<RankedTensorType>(other->get().getType());
      addendCoef = form->coef[1 - self];
      if (other->get() == current || addendCoef == 0.0 ||
          !isFeatureOperand(generic, operand) || biasType.getNumElements() != n)
        break;
      FailureOr<std::vector<float>> values =
          readConstantFloats(other->get(), "bias", nullptr);
      if (failed(values))
        break;
      addend = std::move(*values);
    }
    double scale = form->coef[self];
    if (!allowScale && scale != 1.0)
      break;
    epi.alpha *= scale;
    if (!addend.empty() && epi.bias.empty())
      epi.bias.assign(n, 0.0f);
    for (size_t i = 0; i < epi.bias.size(); ++i)
      epi.bias[i] = float(double(epi.bias[i]) * scale +
                          (addend.empty() ? 0.0 : addendCoef * addend[i]));
    current = generic->getResult(0);
    epi.result = current;
  }
  // Trailing reshapes that were not followed by a generic stay outside.
  return epi;
}

/// `value` [..., N] reshaped to `shape` [..., N] with the same element
/// count by collapsing its leading dims and expanding them again.
static Value reshapeLeading(PatternRewriter &rewriter, Location loc,
                            Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto leadingGroups = [](int64_t rank) {
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t i = 0; i + 1 < rank; ++i)
      groups[0].push_back(i);
    groups[1].push_back(rank - 1);
    return groups;
  };
  if (type.getRank() > 2)
    value = tensor::CollapseShapeOp::create(rewriter, loc, value,
                                            leadingGroups(type.getRank()));
  if (shape.size() > 2) {
    auto target = RankedTensorType::get(shape, type.getElementType());
    value = tensor::ExpandShapeOp::create(rewriter, loc, target, value,
                                          leadingGroups(shape.size()));
  }
  return value;
}

//===----------------------------------------------------------------------===//
// The weight side
//===----------------------------------------------------------------------===//

/// The constant W[K, N] of a contraction, or its [N, K] source when W is a
/// linalg.transpose of a constant (Gemm with transB).
struct DenseWeight {
  ElementsAttr attr;
  bool alreadyTransposed = false;
  Value value; // the constant's SSA value
};

static std::optional<DenseWeight> matchDenseWeight(Value w) {
  if (auto transpose = w.getDefiningOp<linalg::TransposeOp>()) {
    if (transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
      return std::nullopt;
    if (ElementsAttr attr = getConstantElements(transpose.getInput()))
      if (isa<FloatType>(attr.getElementType()))
        return DenseWeight{attr, true, transpose.getInput()};
    return std::nullopt;
  }
  if (ElementsAttr attr = getConstantElements(w))
    if (isa<FloatType>(attr.getElementType()))
      return DenseWeight{attr, false, w};
  return std::nullopt;
}

/// A DequantizeLinear of constant codes as the importer writes it:
/// out[k, n] = (float(q[k, n]) − float(z)) · s in f32.
struct DequantWeight {
  ElementsAttr codes; // [K, N] i8
  bool isUnsigned = false;
  ElementsAttr scales; // f32
  ElementsAttr zeros;  // i8, same shape as scales; null when absent
  mlir::Value scaleValue, zeroValue; // the constants' SSA values
  Granularity granularity = Granularity::tensor;
  int64_t groupSize = 0;
};

/// The granularity that `map` (the scale's indexing map over (k, n))
/// expresses for the quantized layer, where scales vary along n (per output
/// channel) and optionally along blocks of k.
static std::optional<std::pair<Granularity, int64_t>>
granularityOf(AffineMap map) {
  MLIRContext *ctx = map.getContext();
  AffineExpr k = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx);
  ArrayRef<AffineExpr> r = map.getResults();
  auto isZero = [](AffineExpr e) {
    auto c = dyn_cast<AffineConstantExpr>(e);
    return c && c.getValue() == 0;
  };
  if (llvm::all_of(r, isZero))
    return std::make_pair(Granularity::tensor, int64_t(0));
  if (r.size() == 1 && r[0] == n)
    return std::make_pair(Granularity::channel, int64_t(0));
  if (r.size() == 2 && r[1] == n) {
    auto div = dyn_cast<AffineBinaryOpExpr>(r[0]);
    if (div && div.getKind() == AffineExprKind::FloorDiv && div.getLHS() == k)
      if (auto g = dyn_cast<AffineConstantExpr>(div.getRHS()))
        return std::make_pair(Granularity::group, g.getValue());
  }
  return std::nullopt;
}

static std::optional<DequantWeight> matchDequantWeight(Value w) {
  auto op = w.getDefiningOp<linalg::GenericOp>();
  if (!op || op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 0 ||
      op.getNumDpsInputs() < 2 || op.getNumDpsInputs() > 3)
    return std::nullopt;
  if (!cast<RankedTensorType>(w.getType()).getElementType().isF32())
    return std::nullopt;
  OpOperand *q = op.getDpsInputOperand(0), *s = op.getDpsInputOperand(1);
  if (!op.getMatchingIndexingMap(q).isIdentity() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  DequantWeight result;
  result.codes = getConstantElements(q->get());
  result.scales = getConstantElements(s->get());
  result.scaleValue = s->get();
  if (!result.codes || !result.codes.getElementType().isInteger(8) ||
      !result.scales || !result.scales.getElementType().isF32())
    return std::nullopt;
  AffineMap scaleMap = op.getMatchingIndexingMap(s);
  if (op.getNumDpsInputs() == 3) {
    OpOperand *z = op.getDpsInputOperand(2);
    result.zeros = getConstantElements(z->get());
    result.zeroValue = z->get();
    if (!result.zeros || !result.zeros.getElementType().isInteger(8) ||
        op.getMatchingIndexingMap(z) != scaleMap)
      return std::nullopt;
  }
  std::optional<std::pair<Granularity, int64_t>> gran = granularityOf(scaleMap);
  if (!gran)
    return std::nullopt;
  std::tie(result.granularity, result.groupSize) = *gran;

  // Body: mulf(codeValue, s) where codeValue = itofp(q) [− itofp(z)].
  Block *body = op.getBody();
  Value yielded = body->getTerminator()->getOperand(0);
  auto mul = yielded.getDefiningOp<arith::MulFOp>();
  if (!mul || body->getOperations().size() > 6)
    return std::nullopt;
  Value code = mul.getLhs();
  if (getBodyInputIndex(op, mul.getRhs()) != 1u)
    return std::nullopt;
  Value zero;
  if (auto sub = code.getDefiningOp<arith::SubFOp>()) {
    code = sub.getLhs();
    zero = sub.getRhs();
  }
  auto isConversionOf = [&](Value v, unsigned input) -> std::optional<bool> {
    Operation *def = v.getDefiningOp();
    if (!isa_and_nonnull<arith::SIToFPOp, arith::UIToFPOp>(def))
      return std::nullopt;
    auto arg = dyn_cast<BlockArgument>(def->getOperand(0));
    if (!arg || arg.getOwner() != body || arg.getArgNumber() != input)
      return std::nullopt;
    return isa<arith::UIToFPOp>(def);
  };
  std::optional<bool> codeUnsigned = isConversionOf(code, 0);
  if (!codeUnsigned || bool(zero) != bool(result.zeros))
    return std::nullopt;
  if (zero && isConversionOf(zero, 2) != codeUnsigned)
    return std::nullopt;
  result.isUnsigned = *codeUnsigned;
  return result;
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

struct RaiseMatmul : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (op.hasUserDefinedMaps() || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "matmul with custom maps");
    auto fill = op.getOutputs()[0].getDefiningOp<linalg::FillOp>();
    if (!fill || getSplatValue(fill.getInputs()[0]) != 0.0)
      return rewriter.notifyMatchFailure(op, "accumulator is not zero-filled");
    Value x2d = op.getInputs()[0], w = op.getInputs()[1];
    auto xType = cast<RankedTensorType>(x2d.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    if (!xType.hasStaticShape() || !wType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t k = wType.getDimSize(0), n = wType.getDimSize(1);
    Type elem = xType.getElementType();

    std::optional<DenseWeight> dense = matchDenseWeight(w);
    std::optional<DequantWeight> quant;
    if (!dense)
      quant = matchDequantWeight(w);
    if (!dense && !quant)
      return rewriter.notifyMatchFailure(op, "weight is not constant");

    Epilogue epi = walkEpilogue(op->getResult(0), n, /*allowScale=*/!!dense);
    auto resultType = cast<RankedTensorType>(epi.result.getType());
    if (resultType.getElementType() != elem)
      return rewriter.notifyMatchFailure(
          op, "result element type differs from x's");

    // Raise on x before the importer's flattening of its leading dims.
    Value x = x2d;
    if (auto collapse = x2d.getDefiningOp<tensor::CollapseShapeOp>()) {
      auto groups = collapse.getReassociationIndices();
      if (groups.size() == 2 && groups[1].size() == 1)
        x = collapse.getSrc();
    }
    SmallVector<int64_t> yShape(cast<RankedTensorType>(x.getType()).getShape());
    yShape.back() = n;
    auto yType = RankedTensorType::get(yShape, elem);

    // Everything is read and checked before the first op is created: a
    // pattern that fails must leave the IR untouched.
    ElementsAttr wT;
    std::optional<QuantOperands> qops;
    if (dense) {
      wT = dense->alreadyTransposed ? dense->attr
                                    : transposeConstant(dense->attr);
      if (!wT)
        return rewriter.notifyMatchFailure(op, "unreadable weight constant");
      if (epi.alpha != 1.0) {
        FailureOr<std::vector<float>> values =
            readConstantFloats(dense->value, "w", nullptr);
        if (failed(values))
          return rewriter.notifyMatchFailure(op, "unreadable weight constant");
        // values are W[K, N] (or [N, K] when already transposed).
        std::vector<float> scaled(values->size());
        for (int64_t r = 0; r < n; ++r)
          for (int64_t c = 0; c < k; ++c)
            scaled[r * k + c] =
                float(double(dense->alreadyTransposed ? (*values)[r * k + c]
                                                      : (*values)[c * n + r]) *
                      epi.alpha);
        wT = floatConstantAttr({n, k}, scaled, wT.getElementType());
      }
    } else {
      qops = prepareQuant(*quant, k, n, rewriter.getContext());
      if (!qops)
        return rewriter.notifyMatchFailure(op, "quantized weight unreadable");
    }
    int64_t rowsOfX = cast<RankedTensorType>(x.getType()).getNumElements() / k;
    if (rowsOfX * n != resultType.getNumElements() ||
        resultType.getShape().back() != n)
      return rewriter.notifyMatchFailure(op, "result shape does not regroup");

    Location loc = op.getLoc();
    auto constant = [&](Attribute attr) -> Value {
      return constantOf(rewriter, loc, cast<ElementsAttr>(attr));
    };
    Value bias;
    if (!epi.bias.empty())
      bias = constant(floatConstantAttr({n}, epi.bias, elem));
    StringAttr name = op->getAttrOfType<StringAttr>("name");
    Value y;
    if (dense) {
      y = LinearOp::create(rewriter, loc, yType, x, constant(wT), bias, name);
    } else {
      Value zeroPoints = qops->zeros ? constant(qops->zeros) : Value();
      y = QuantLinearOp::create(rewriter, loc, yType, x, constant(qops->codes),
                                constant(qops->scales), zeroPoints, Value(),
                                Value(), bias, qops->format, name);
    }
    rewriter.replaceAllUsesWith(
        epi.result, reshapeLeading(rewriter, loc, y, resultType.getShape()));
    return success();
  }

  /// The operands of linea.quant_linear for the dequantized weight.
  struct QuantOperands {
    ElementsAttr codes, scales, zeros;
    QFormatAttr format;
  };

  /// Packs the dequantized weight `q` (codes [K, N]) for quant_linear:
  /// codes transposed to [N, K], scales and zero points to [R, C].
  static std::optional<QuantOperands>
  prepareQuant(const DequantWeight &q, int64_t k, int64_t n, MLIRContext *ctx) {
    QuantOperands result;
    // int8 codes with zero points: (q − z) = (q + 128) − (z + 128), the
    // uint8 codes with shifted zero points, which the format can express.
    bool asymmetric = q.isUnsigned || q.zeros;
    uint8_t flip = asymmetric && !q.isUnsigned ? 0x80 : 0;
    result.codes = transposeConstant(q.codes, flip);
    if (!result.codes)
      return std::nullopt;

    // Scales as [R, C]: tensor [1, 1], channel [N, 1], group [N, ceil(K/G)].
    int64_t rows = q.granularity == Granularity::tensor ? 1 : n;
    int64_t cols = q.granularity == Granularity::group
                       ? (k + q.groupSize - 1) / q.groupSize
                       : 1;
    auto reshaped = [&](ElementsAttr attr, Value value,
                        uint8_t byteFlip) -> ElementsAttr {
      if (q.granularity == Granularity::group)
        return transposeConstant(attr, byteFlip); // [ceil(K/G), N] → [N, ·]
      FailureOr<std::vector<uint64_t>> bits =
          readConstantBits(value, "scale", nullptr);
      if (failed(bits) || int64_t(bits->size()) != rows * cols)
        return {};
      auto type = RankedTensorType::get({rows, cols}, attr.getElementType());
      unsigned width = attr.getElementType().getIntOrFloatBitWidth();
      SmallVector<APInt> values;
      for (uint64_t b : *bits)
        values.push_back(APInt(width, b) ^ APInt(width, byteFlip));
      if (auto ft = dyn_cast<FloatType>(attr.getElementType())) {
        SmallVector<APFloat> floats;
        for (const APInt &v : values)
          floats.push_back(APFloat(ft.getFloatSemantics(), v));
        return DenseElementsAttr::get(type, floats);
      }
      return DenseElementsAttr::get(type, values);
    };
    result.scales = reshaped(q.scales, q.scaleValue, 0);
    if (!result.scales)
      return std::nullopt;
    if (asymmetric) {
      if (q.zeros)
        result.zeros = reshaped(q.zeros, q.zeroValue, flip);
      else // uint8 without zero point: z = 0.
        result.zeros = DenseElementsAttr::get(
            RankedTensorType::get({rows, cols}, IntegerType::get(ctx, 8)),
            ArrayRef<APInt>{APInt(8, 0)});
      if (!result.zeros)
        return std::nullopt;
    }
    result.format =
        QFormatAttr::get(ctx, asymmetric ? QElement::uint8 : QElement::int8,
                         q.granularity, q.groupSize, /*symmetric=*/!asymmetric,
                         Float32Type::get(ctx), ActMode::weight_only);
    return result;
  }
};

} // namespace

void linea::populateRaiseLinearPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseMatmul>(patterns.getContext());
}
