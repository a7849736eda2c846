//===- Match.cpp - reading the importer's upstream IR for linea-raise -----===//

#include "Match.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace linea::raise {

/// `value` as a double, whatever its float semantics.
static double toDouble(APFloat value) {
  bool losesInfo = false;
  value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value.convertToDouble();
}

std::optional<double> getSplatValue(Value value) {
  if (!value)
    return std::nullopt;
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto f = dyn_cast<FloatAttr>(attr))
    return toDouble(f.getValue());
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return double(i.getValue().getSExtValue());
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() == 0)
    return std::nullopt;
  Type elem = dense.getElementType();
  // A non-splat dense attribute with equal elements (e.g. tensor<1x1xf32>
  // written out) is still one value; large ones are weights, not scalars.
  if (!dense.isSplat() && dense.getNumElements() > 64)
    return std::nullopt;
  std::optional<double> first;
  if (isa<FloatType>(elem)) {
    for (APFloat v : dense.getValues<APFloat>()) {
      double d = toDouble(v);
      if (first && *first != d)
        return std::nullopt;
      first = d;
    }
    return first;
  }
  if (isa<IntegerType>(elem)) {
    for (APInt v : dense.getValues<APInt>()) {
      double d = double(v.getSExtValue());
      if (first && *first != d)
        return std::nullopt;
      first = d;
    }
    return first;
  }
  return std::nullopt;
}

Value stripFloatCasts(Value scalar) {
  while (Operation *def = scalar.getDefiningOp()) {
    if (!isa<arith::ExtFOp, arith::TruncFOp>(def))
      break;
    scalar = def->getOperand(0);
  }
  return scalar;
}

std::optional<unsigned> getBodyInputIndex(linalg::GenericOp op, Value scalar) {
  auto arg = dyn_cast<BlockArgument>(stripFloatCasts(scalar));
  if (!arg || arg.getOwner() != op.getBody())
    return std::nullopt;
  if (arg.getArgNumber() >= unsigned(op.getNumDpsInputs()))
    return std::nullopt;
  return arg.getArgNumber();
}

std::optional<unsigned> Elementwise::singleVaryingOperand() const {
  std::optional<unsigned> found;
  for (auto [i, operand] : llvm::enumerate(operands)) {
    if (operand.constant)
      continue;
    if (found)
      return std::nullopt;
    found = i;
  }
  return found;
}

/// True for ops that only convert between float widths or define constants:
/// they do not count as the computation of an elementwise body.
static bool isCastOrConstant(Operation *op) {
  return isa<arith::ExtFOp, arith::TruncFOp, arith::ConstantOp>(op);
}

std::optional<Elementwise> matchElementwise(Value value) {
  auto op = value ? value.getDefiningOp<linalg::GenericOp>() : nullptr;
  if (!op || op.getNumDpsInits() != 1 || op->getNumResults() != 1)
    return std::nullopt;
  if (op.getNumReductionLoops() != 0)
    return std::nullopt;
  if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  Block *body = op.getBody();
  if (!body->getArgument(op.getNumDpsInputs()).use_empty())
    return std::nullopt;

  Value yielded = body->getTerminator()->getOperand(0);
  Operation *scalarOp = yielded.getDefiningOp();
  if (!scalarOp || scalarOp->getBlock() != body)
    return std::nullopt;
  // f16/bf16: the computation sits under the final truncf.
  if (isa<arith::TruncFOp>(scalarOp)) {
    Operation *inner = scalarOp->getOperand(0).getDefiningOp();
    if (inner && inner->getBlock() == body && !isCastOrConstant(inner))
      scalarOp = inner;
  }
  if (isa<arith::ConstantOp>(scalarOp))
    return std::nullopt;
  for (Operation &inner : body->without_terminator())
    if (&inner != scalarOp && !isCastOrConstant(&inner))
      return std::nullopt;

  Elementwise result;
  result.op = op;
  result.scalarOp = scalarOp;
  for (Value operand : scalarOp->getOperands()) {
    ElementwiseOperand entry;
    if (std::optional<unsigned> index = getBodyInputIndex(op, operand)) {
      OpOperand *input = op.getDpsInputOperand(*index);
      entry.tensor = input->get();
      entry.map = op.getMatchingIndexingMap(input);
      entry.constant = getSplatValue(entry.tensor);
    } else if (std::optional<double> c =
                   getSplatValue(stripFloatCasts(operand))) {
      entry.constant = c;
    } else {
      return std::nullopt;
    }
    result.operands.push_back(entry);
  }
  return result;
}

bool isBroadcastMap(AffineMap map) {
  int64_t last = -1;
  for (AffineExpr expr : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      if (int64_t(dim.getPosition()) <= last)
        return false;
      last = dim.getPosition();
      continue;
    }
    auto c = dyn_cast<AffineConstantExpr>(expr);
    if (!c || c.getValue() != 0)
      return false;
  }
  return true;
}

uint64_t usedLoopDims(AffineMap map) {
  uint64_t used = 0;
  for (AffineExpr expr : map.getResults())
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      used |= uint64_t(1) << dim.getPosition();
  return used;
}

bool isFullOperand(const ElementwiseOperand &operand) {
  return operand.tensor && operand.map.isIdentity();
}

/// The loops of `op` whose extent is not 1, as a bit mask, or nullopt when
/// a loop extent is dynamic or there are more loops than bits.
static std::optional<uint64_t> nonUnitLoops(linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.size() > 63)
    return std::nullopt;
  uint64_t mask = 0;
  for (auto [i, extent] : llvm::enumerate(ranges)) {
    if (ShapedType::isDynamic(extent))
      return std::nullopt;
    if (extent != 1)
      mask |= uint64_t(1) << i;
  }
  return mask;
}

bool isRowOperand(linalg::GenericOp op, const ElementwiseOperand &operand) {
  if (!operand.tensor || !isBroadcastMap(operand.map))
    return false;
  std::optional<uint64_t> nonUnit = nonUnitLoops(op);
  unsigned numLoops = op.getNumLoops();
  if (!nonUnit || numLoops == 0)
    return false;
  uint64_t lastBit = uint64_t(1) << (numLoops - 1);
  uint64_t used = usedLoopDims(operand.map) & *nonUnit;
  return (used & lastBit) == 0 && used == (*nonUnit & ~lastBit);
}

bool isFeatureOperand(linalg::GenericOp op, const ElementwiseOperand &operand) {
  if (!operand.tensor || !isBroadcastMap(operand.map))
    return false;
  std::optional<uint64_t> nonUnit = nonUnitLoops(op);
  unsigned numLoops = op.getNumLoops();
  if (!nonUnit || numLoops == 0)
    return false;
  uint64_t lastBit = uint64_t(1) << (numLoops - 1);
  uint64_t used = usedLoopDims(operand.map);
  return (used & lastBit) != 0 && (used & *nonUnit & ~lastBit) == 0;
}

std::optional<LastDimReduction> matchLastDimReduction(Value value) {
  value = skipUnitReshapes(value);
  auto op = value.getDefiningOp<linalg::GenericOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 1)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned numLoops = iterators.size();
  if (numLoops == 0 || iterators.back() != utils::IteratorType::reduction)
    return std::nullopt;
  for (unsigned i = 0; i + 1 < numLoops; ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      return std::nullopt;
  if (!op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity())
    return std::nullopt;
  // The output map is (d0, ..., d_{n-2}), or with keepdims (..., 0).
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  ArrayRef<AffineExpr> results = outMap.getResults();
  if (results.size() == numLoops) {
    auto c = dyn_cast<AffineConstantExpr>(results.back());
    if (!c || c.getValue() != 0)
      return std::nullopt;
    results = results.drop_back();
  }
  if (results.size() != numLoops - 1)
    return std::nullopt;
  for (auto [i, expr] : llvm::enumerate(results)) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || dim.getPosition() != i)
      return std::nullopt;
  }

  auto fill = op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>();
  if (!fill)
    return std::nullopt;
  std::optional<double> init = getSplatValue(fill.getInputs()[0]);
  if (!init)
    return std::nullopt;

  Block *body = op.getBody();
  Operation *combiner = body->getTerminator()->getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != body ||
      combiner->getNumOperands() != 2)
    return std::nullopt;
  for (Operation &inner : body->without_terminator())
    if (&inner != combiner && !isa<arith::ExtFOp>(inner))
      return std::nullopt;
  BlockArgument acc = body->getArgument(1);
  Value lhs = combiner->getOperand(0), rhs = combiner->getOperand(1);
  bool readsElement = getBodyInputIndex(op, lhs) || getBodyInputIndex(op, rhs);
  if (!readsElement || (lhs != acc && rhs != acc))
    return std::nullopt;

  LastDimReduction result;
  result.op = op;
  result.input = op.getDpsInputOperand(0)->get();
  result.combiner = combiner;
  result.init = *init;
  return result;
}

std::optional<Value> matchLastDimMean(Value value) {
  std::optional<Elementwise> scale = matchElementwise(skipUnitReshapes(value));
  if (!scale || scale->operands.size() != 2 ||
      !isa<arith::DivFOp, arith::MulFOp>(scale->scalarOp))
    return std::nullopt;
  const ElementwiseOperand &sum = scale->operands[0];
  const ElementwiseOperand &factor = scale->operands[1];
  if (!isFullOperand(sum) || !factor.constant)
    return std::nullopt;
  std::optional<LastDimReduction> red = matchLastDimReduction(sum.tensor);
  if (!red || !isa<arith::AddFOp>(red->combiner) || red->init != 0.0)
    return std::nullopt;
  auto inputType = cast<RankedTensorType>(red->input.getType());
  double count = double(inputType.getShape().back());
  if (ShapedType::isDynamic(inputType.getShape().back()))
    return std::nullopt;
  bool isMean = isa<arith::DivFOp>(scale->scalarOp)
                    ? *factor.constant == count
                    : std::abs(*factor.constant * count - 1.0) < 1e-6;
  if (!isMean)
    return std::nullopt;
  return red->input;
}

/// `shape` without its size-1 dims.
static SmallVector<int64_t> nonUnitDims(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> dims;
  for (int64_t d : shape)
    if (d != 1)
      dims.push_back(d);
  return dims;
}

bool isUnitDimReshape(Operation *op) {
  if (!isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op))
    return false;
  auto src = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto dst = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!src || !dst || !src.hasStaticShape() || !dst.hasStaticShape())
    return false;
  return nonUnitDims(src.getShape()) == nonUnitDims(dst.getShape());
}

Value skipUnitReshapes(Value value) {
  while (value && isUnitDimReshape(value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  return value;
}

} // namespace linea::raise
