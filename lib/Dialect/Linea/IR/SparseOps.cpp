//===- SparseOps.cpp - linea.bsr_linear and linea.nm_linear ---------------===//
//
// Verifiers and LinearLayerOpInterface methods of the two sparse forms. The
// index checks are written once as plain functions over the index arrays so
// that the verifier (constant indices) and materializeDenseWeight (which must
// never index out of bounds) apply the same rules with the same messages.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;

namespace linea {

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// K, the last dim of x, or kDynamic when x has rank 0 (which the IO
/// verifier rejects); the sparse forms cannot recover K from their weights.
static int64_t lastDimOrDynamic(Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  return type.getRank() == 0 ? ShapedType::kDynamic : type.getShape().back();
}

/// The elements of `value` when it is an integer constant that can be read
/// and holds `count` elements, else nullopt: verifiers check the contents of
/// index operands only when they are known.
static std::optional<std::vector<int64_t>> tryReadInts(Value value,
                                                       int64_t count) {
  if (!getConstantElements(value))
    return std::nullopt;
  FailureOr<std::vector<int64_t>> ints =
      readConstantInts(value, "", /*reason=*/nullptr);
  if (failed(ints) || static_cast<int64_t>(ints->size()) != count)
    return std::nullopt;
  return std::move(*ints);
}

/// Reads a constant operand and checks that it holds `count` elements, so
/// that later indexing is in bounds whatever the attribute says.
template <typename T>
static FailureOr<std::vector<T>> checkedCount(FailureOr<std::vector<T>> data,
                                              StringRef name, int64_t count,
                                              std::string *reason) {
  if (failed(data))
    return failure();
  if (static_cast<int64_t>(data->size()) != count) {
    if (reason)
      *reason = ("operand '" + name + "' holds " + Twine(data->size()) +
                 " elements, but its type has " + Twine(count))
                    .str();
    return failure();
  }
  return data;
}

/// Writes `message` into `reason` (when given) and fails.
static LogicalResult fail(std::string *reason, const Twine &message) {
  if (reason)
    *reason = message.str();
  return failure();
}

//===----------------------------------------------------------------------===//
// BSR index rules
//===----------------------------------------------------------------------===//

/// row_offsets starts at 0, never decreases and ends at nnzb, so that every
/// block row's range [row_offsets[rb], row_offsets[rb+1]) lies in [0, nnzb).
static LogicalResult checkRowOffsets(ArrayRef<int64_t> rows, int64_t nnzb,
                                     std::string *reason) {
  if (rows.empty())
    return fail(reason, "row_offsets must have at least 1 entry");
  if (rows.front() != 0)
    return fail(reason,
                "row_offsets[0] is " + Twine(rows.front()) + ", but must be 0");
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i] < rows[i - 1])
      return fail(reason, "row_offsets decreases from " + Twine(rows[i - 1]) +
                              " to " + Twine(rows[i]) + " at entry " +
                              Twine(i));
  if (rows.back() != nnzb)
    return fail(reason, "row_offsets ends at " + Twine(rows.back()) +
                            ", but values has " + Twine(nnzb) +
                            " blocks (nnzb)");
  return success();
}

/// Every block column lies in [0, K / bk).
static LogicalResult checkColIndices(ArrayRef<int64_t> cols,
                                     int64_t numBlockCols,
                                     std::string *reason) {
  for (auto [e, cb] : llvm::enumerate(cols))
    if (cb < 0 || cb >= numBlockCols)
      return fail(reason, "col_indices[" + Twine(e) + "] is " + Twine(cb) +
                              ", outside [0, " + Twine(numBlockCols) +
                              ") (K / bk)");
  return success();
}

/// Within each block row the block columns are strictly increasing, so no
/// block of W is stored twice. Expects rows already checked.
static LogicalResult checkColOrder(ArrayRef<int64_t> rows,
                                   ArrayRef<int64_t> cols,
                                   std::string *reason) {
  for (size_t rb = 0; rb + 1 < rows.size(); ++rb)
    for (int64_t e = rows[rb] + 1; e < rows[rb + 1]; ++e)
      if (cols[e] <= cols[e - 1])
        return fail(reason, "col_indices of block row " + Twine(rb) +
                                " are not strictly increasing: entry " +
                                Twine(e) + " is " + Twine(cols[e]) + " after " +
                                Twine(cols[e - 1]));
  return success();
}

//===----------------------------------------------------------------------===//
// BsrLinearOp
//===----------------------------------------------------------------------===//

int64_t BsrLinearOp::getNumBlocks() { return dimOf(getValues(), 0); }
int64_t BsrLinearOp::getBlockRows() { return dimOf(getValues(), 1); }
int64_t BsrLinearOp::getBlockCols() { return dimOf(getValues(), 2); }

LogicalResult BsrLinearOp::verify() {
  if (failed(verifyStaticRank(*this, "values", getValues(), 3)) ||
      failed(verifyStaticRank(*this, "col_indices", getColIndices(), 1)) ||
      failed(verifyStaticRank(*this, "row_offsets", getRowOffsets(), 1)))
    return failure();
  int64_t nnzb = getNumBlocks(), bn = getBlockRows(), bk = getBlockCols();
  if (bn <= 0 || bk <= 0)
    return emitOpError() << "values blocks must be non-empty, but are " << bn
                         << "x" << bk << " (bn x bk)";
  if (dimOf(getColIndices(), 0) != nnzb)
    return emitOpError() << "col_indices has " << dimOf(getColIndices(), 0)
                         << " entries, but values has " << nnzb
                         << " blocks (nnzb)";
  if (dimOf(getRowOffsets(), 0) < 1)
    return emitOpError()
           << "row_offsets must have at least 1 entry (N / bn + 1)";
  if (failed(verifyLinearLayerIO(*this, getX(), getBias(), getY(),
                                 getInFeatures(), getOutFeatures())))
    return failure();
  int64_t k = getInFeatures();
  if (k % bk != 0)
    return emitOpError() << "x has " << k
                         << " input features (K), which is not a multiple of "
                            "the block width "
                         << bk << " (bk)";

  // Index contents, when known.
  std::string why;
  std::optional<std::vector<int64_t>> rows =
      tryReadInts(getRowOffsets(), dimOf(getRowOffsets(), 0));
  if (rows && failed(checkRowOffsets(*rows, nnzb, &why)))
    return emitOpError() << why;
  std::optional<std::vector<int64_t>> cols = tryReadInts(getColIndices(), nnzb);
  if (cols && failed(checkColIndices(*cols, k / bk, &why)))
    return emitOpError() << why;
  if (rows && cols && failed(checkColOrder(*rows, *cols, &why)))
    return emitOpError() << why;
  return success();
}

SmallVector<Value> BsrLinearOp::getWeightOperands() {
  return {getValues(), getColIndices(), getRowOffsets()};
}

int64_t BsrLinearOp::getInFeatures() { return lastDimOrDynamic(getX()); }

int64_t BsrLinearOp::getOutFeatures() {
  return (dimOf(getRowOffsets(), 0) - 1) * getBlockRows();
}

int64_t BsrLinearOp::getFlopsPerToken() {
  return 2 * getNumBlocks() * getBlockRows() * getBlockCols() +
         (getBias() ? getOutFeatures() : 0);
}

FailureOr<numerics::Matrix>
BsrLinearOp::materializeDenseWeight(std::string *reason) {
  int64_t nnzb = getNumBlocks(), bn = getBlockRows(), bk = getBlockCols();
  int64_t n = getOutFeatures(), k = getInFeatures();
  if (bn <= 0 || bk <= 0 || n < 0 || ShapedType::isDynamic(k) || k % bk != 0)
    return fail(reason, "operand 'values' has blocks that do not tile W");
  FailureOr<std::vector<float>> values =
      checkedCount(readConstantFloats(getValues(), "values", reason), "values",
                   nnzb * bn * bk, reason);
  if (failed(values))
    return failure();
  FailureOr<std::vector<int64_t>> cols =
      checkedCount(readConstantInts(getColIndices(), "col_indices", reason),
                   "col_indices", nnzb, reason);
  if (failed(cols))
    return failure();
  FailureOr<std::vector<int64_t>> rows =
      checkedCount(readConstantInts(getRowOffsets(), "row_offsets", reason),
                   "row_offsets", n / bn + 1, reason);
  if (failed(rows))
    return failure();
  if (failed(checkRowOffsets(*rows, nnzb, reason)) ||
      failed(checkColIndices(*cols, k / bk, reason)) ||
      failed(checkColOrder(*rows, *cols, reason)))
    return failure();

  numerics::Matrix w(n, k);
  for (int64_t rb = 0; rb + 1 < static_cast<int64_t>(rows->size()); ++rb)
    for (int64_t e = (*rows)[rb]; e < (*rows)[rb + 1]; ++e)
      for (int64_t a = 0; a < bn; ++a)
        for (int64_t c = 0; c < bk; ++c)
          w.at(rb * bn + a, (*cols)[e] * bk + c) =
              (*values)[(e * bn + a) * bk + c];
  return w;
}

//===----------------------------------------------------------------------===//
// N:M index rules
//===----------------------------------------------------------------------===//

/// Every position lies in [0, m) and positions strictly increase within each
/// group of n kept elements, so each kept element names a distinct column.
static LogicalResult checkNMIndices(ArrayRef<int64_t> indices, int64_t rows,
                                    int64_t kept, int64_t n, int64_t m,
                                    std::string *reason) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < kept; ++j) {
      int64_t pos = indices[r * kept + j];
      if (pos < 0 || pos >= m)
        return fail(reason, "indices[" + Twine(r) + ", " + Twine(j) + "] is " +
                                Twine(pos) + ", outside [0, " + Twine(m) +
                                ") (m)");
      if (j % n != 0 && pos <= indices[r * kept + j - 1])
        return fail(reason, "indices of row " + Twine(r) + ", group " +
                                Twine(j / n) +
                                " are not strictly increasing: " + Twine(pos) +
                                " after " + Twine(indices[r * kept + j - 1]));
    }
  }
  return success();
}

/// "4x3" for a static shape.
static std::string shapeString(Value value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(cast<RankedTensorType>(value.getType()).getShape(), os, "x");
  return s;
}

//===----------------------------------------------------------------------===//
// NMLinearOp
//===----------------------------------------------------------------------===//

LogicalResult NMLinearOp::verify() {
  int64_t n = getN(), m = getM();
  if (n <= 0 || n >= m)
    return emitOpError() << "n:m must satisfy 0 < n < m, but is " << n << ":"
                         << m;
  if (failed(verifyStaticRank(*this, "values", getValues(), 2)) ||
      failed(verifyStaticRank(*this, "indices", getIndices(), 2)))
    return failure();
  if (failed(verifyLinearLayerIO(*this, getX(), getBias(), getY(),
                                 getInFeatures(), getOutFeatures())))
    return failure();
  int64_t k = getInFeatures();
  if (k % m != 0)
    return emitOpError()
           << "x has " << k
           << " input features (K), which is not a multiple of m = " << m;
  if (failed(verifyDim(*this, "values", getValues(), 1, k / m * n, "K·n/m")))
    return failure();
  if (cast<RankedTensorType>(getIndices().getType()).getShape() !=
      cast<RankedTensorType>(getValues().getType()).getShape())
    return emitOpError() << "indices has shape " << shapeString(getIndices())
                         << ", but values has shape "
                         << shapeString(getValues());

  int64_t rows = dimOf(getValues(), 0), kept = dimOf(getValues(), 1);
  std::string why;
  std::optional<std::vector<int64_t>> indices =
      tryReadInts(getIndices(), rows * kept);
  if (indices && failed(checkNMIndices(*indices, rows, kept, n, m, &why)))
    return emitOpError() << why;
  return success();
}

SmallVector<Value> NMLinearOp::getWeightOperands() {
  return {getValues(), getIndices()};
}

int64_t NMLinearOp::getInFeatures() { return lastDimOrDynamic(getX()); }
int64_t NMLinearOp::getOutFeatures() { return dimOf(getValues(), 0); }

int64_t NMLinearOp::getFlopsPerToken() {
  // Only the kept weights are multiplied: N · (K·n/m) multiply-adds.
  return 2 * getOutFeatures() * dimOf(getValues(), 1) +
         (getBias() ? getOutFeatures() : 0);
}

FailureOr<numerics::Matrix>
NMLinearOp::materializeDenseWeight(std::string *reason) {
  int64_t n = getN(), m = getM(), k = getInFeatures();
  int64_t rows = getOutFeatures(), kept = dimOf(getValues(), 1);
  if (n <= 0 || n >= m || ShapedType::isDynamic(k) || k % m != 0 ||
      kept != k / m * n)
    return fail(reason, "operand 'values' does not match n:m = " + Twine(n) +
                            ":" + Twine(m) + " and K = " + Twine(k));
  FailureOr<std::vector<float>> values =
      checkedCount(readConstantFloats(getValues(), "values", reason), "values",
                   rows * kept, reason);
  if (failed(values))
    return failure();
  FailureOr<std::vector<int64_t>> indices =
      checkedCount(readConstantInts(getIndices(), "indices", reason), "indices",
                   rows * kept, reason);
  if (failed(indices) ||
      failed(checkNMIndices(*indices, rows, kept, n, m, reason)))
    return failure();

  numerics::Matrix w(rows, k);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < kept; ++j)
      w.at(r, (j / n) * m + (*indices)[r * kept + j]) = (*values)[r * kept + j];
  return w;
}

} // namespace linea
