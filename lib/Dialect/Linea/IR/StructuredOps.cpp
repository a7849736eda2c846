//===- StructuredOps.cpp - structured linear-layer forms ------------------===//
//
// Verifiers and LinearLayerOpInterface methods of the low-rank,
// block-diagonal, Monarch, BTT, Kronecker and BLAST linear layers. The dense
// weights are accumulated in double and rounded once to f32, so that the
// reconstruction error reported for a rewrite is the form's, not ours.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/IR/LinearLayerCommon.h"
#include "linea/Numerics/Blast.h"
#include "linea/Numerics/Svd.h"

#include <vector>

using namespace mlir;

namespace linea {

namespace {

/// Verifies that weight operand `name` is statically shaped with rank `rank`
/// and no zero-sized dimension: every structured form divides by or loops
/// over these dims, and an empty factor describes no layer.
LogicalResult verifyWeight(Operation *op, StringRef name, Value value,
                           int64_t rank) {
  if (failed(verifyStaticRank(op, name, value, rank)))
    return failure();
  for (int64_t d = 0; d < rank; ++d)
    if (dimOf(value, d) == 0)
      return op->emitOpError()
             << name << " dimension " << d << " must be positive, but is 0";
  return success();
}

/// Reads the constant weight operands `values` (named `names`) into f32
/// vectors; fails with `reason` naming the first one that is not constant.
LogicalResult readWeights(ArrayRef<Value> values, ArrayRef<StringRef> names,
                          std::string *reason,
                          SmallVectorImpl<std::vector<float>> &out) {
  for (auto [value, name] : llvm::zip_equal(values, names)) {
    FailureOr<std::vector<float>> data =
        readConstantFloats(value, name, reason);
    if (failed(data))
      return failure();
    out.push_back(std::move(*data));
  }
  return success();
}

/// Rounds an accumulated dense weight to the interface's f32 matrix.
numerics::Matrix toMatrix(int64_t rows, int64_t cols,
                          const std::vector<double> &acc) {
  numerics::Matrix m(rows, cols);
  for (size_t i = 0, e = acc.size(); i < e; ++i)
    m.data[i] = static_cast<float>(acc[i]);
  return m;
}

/// FLOPs of the bias add: one per output feature when a bias is present.
int64_t biasFlops(Value bias, int64_t outFeatures) {
  return bias ? outFeatures : 0;
}

} // namespace

//===----------------------------------------------------------------------===//
// LowRankLinearOp
//===----------------------------------------------------------------------===//

LogicalResult LowRankLinearOp::verify() {
  if (failed(verifyWeight(*this, "u", getU(), 2)) ||
      failed(verifyWeight(*this, "v", getV(), 2)))
    return failure();
  if (dimOf(getU(), 1) != dimOf(getV(), 0))
    return emitOpError() << "u has " << dimOf(getU(), 1)
                         << " columns but v has " << dimOf(getV(), 0)
                         << " rows";
  return verifyLinearLayerIO(*this, getX(), getBias(), getY(), getInFeatures(),
                             getOutFeatures());
}

SmallVector<Value> LowRankLinearOp::getWeightOperands() {
  return {getU(), getV()};
}
int64_t LowRankLinearOp::getInFeatures() { return dimOf(getV(), 1); }
int64_t LowRankLinearOp::getOutFeatures() { return dimOf(getU(), 0); }

int64_t LowRankLinearOp::getFlopsPerToken() {
  int64_t n = getOutFeatures(), k = getInFeatures(), r = dimOf(getU(), 1);
  return 2 * r * (n + k) + biasFlops(getBias(), n);
}

FailureOr<numerics::Matrix>
LowRankLinearOp::materializeDenseWeight(std::string *reason) {
  SmallVector<std::vector<float>> w;
  if (failed(readWeights({getU(), getV()}, {"u", "v"}, reason, w)))
    return failure();
  // u · v with Eigen (lib/Numerics): the validation of every low-rank
  // rewrite reconstructs W this way, at 4096² and r = 256 a scalar loop
  // would dominate the pass.
  numerics::Matrix u(getOutFeatures(), dimOf(getU(), 1));
  numerics::Matrix v(dimOf(getV(), 0), getInFeatures());
  u.data = std::move(w[0]);
  v.data = std::move(w[1]);
  return numerics::matmul(u, v);
}

//===----------------------------------------------------------------------===//
// BlockDiagLinearOp
//===----------------------------------------------------------------------===//

LogicalResult BlockDiagLinearOp::verify() {
  if (failed(verifyWeight(*this, "blocks", getBlocks(), 3)))
    return failure();
  return verifyLinearLayerIO(*this, getX(), getBias(), getY(), getInFeatures(),
                             getOutFeatures());
}

SmallVector<Value> BlockDiagLinearOp::getWeightOperands() {
  return {getBlocks()};
}
int64_t BlockDiagLinearOp::getInFeatures() {
  return dimOf(getBlocks(), 0) * dimOf(getBlocks(), 2);
}
int64_t BlockDiagLinearOp::getOutFeatures() {
  return dimOf(getBlocks(), 0) * dimOf(getBlocks(), 1);
}

int64_t BlockDiagLinearOp::getFlopsPerToken() {
  // 2·N·K/g = 2·g·bn·bk: each block is a dense bn×bk product.
  return 2 * numElementsOf(getBlocks()) +
         biasFlops(getBias(), getOutFeatures());
}

FailureOr<numerics::Matrix>
BlockDiagLinearOp::materializeDenseWeight(std::string *reason) {
  SmallVector<std::vector<float>> w;
  if (failed(readWeights({getBlocks()}, {"blocks"}, reason, w)))
    return failure();
  const std::vector<float> &blocks = w[0];
  int64_t g = dimOf(getBlocks(), 0), bn = dimOf(getBlocks(), 1),
          bk = dimOf(getBlocks(), 2);
  int64_t n = getOutFeatures(), k = getInFeatures();
  std::vector<double> acc(n * k, 0.0);
  for (int64_t i = 0; i < g; ++i)
    for (int64_t a = 0; a < bn; ++a)
      for (int64_t c = 0; c < bk; ++c)
        acc[(i * bn + a) * k + i * bk + c] = blocks[(i * bn + a) * bk + c];
  return toMatrix(n, k, acc);
}

//===----------------------------------------------------------------------===//
// MonarchLinearOp
//===----------------------------------------------------------------------===//

LogicalResult MonarchLinearOp::verify() {
  if (failed(verifyWeight(*this, "w1", getW1(), 3)) ||
      failed(verifyWeight(*this, "w2", getW2(), 3)))
    return failure();
  int64_t k = dimOf(getW1(), 0), q = dimOf(getW1(), 1);
  int64_t l = dimOf(getW2(), 0), r = dimOf(getW2(), 2);
  if (k * q != l * r)
    return emitOpError() << "w1 produces k·q = " << k << "·" << q << " = "
                         << k * q
                         << " intermediates but w2 consumes l·r = " << l << "·"
                         << r << " = " << l * r;
  return verifyLinearLayerIO(*this, getX(), getBias(), getY(), getInFeatures(),
                             getOutFeatures());
}

SmallVector<Value> MonarchLinearOp::getWeightOperands() {
  return {getW1(), getW2()};
}
int64_t MonarchLinearOp::getInFeatures() {
  return dimOf(getW1(), 0) * dimOf(getW1(), 2);
}
int64_t MonarchLinearOp::getOutFeatures() {
  return dimOf(getW2(), 0) * dimOf(getW2(), 1);
}

int64_t MonarchLinearOp::getFlopsPerToken() {
  // 2·(k·q·p + l·s·r): one multiply-add per element of each factor.
  return 2 * (numElementsOf(getW1()) + numElementsOf(getW2())) +
         biasFlops(getBias(), getOutFeatures());
}

FailureOr<numerics::Matrix>
MonarchLinearOp::materializeDenseWeight(std::string *reason) {
  SmallVector<std::vector<float>> w;
  if (failed(readWeights({getW1(), getW2()}, {"w1", "w2"}, reason, w)))
    return failure();
  const std::vector<float> &w1 = w[0], &w2 = w[1];
  int64_t k = dimOf(getW1(), 0), q = dimOf(getW1(), 1), p = dimOf(getW1(), 2);
  int64_t l = dimOf(getW2(), 0), s = dimOf(getW2(), 1), r = dimOf(getW2(), 2);
  int64_t n = getOutFeatures(), kIn = getInFeatures();
  std::vector<double> acc(n * kIn, 0.0);
  // Follow each intermediate t = κ·q + j through the stride permutation to
  // block λ = t mod l, position ρ = t div l: it links input block κ to the
  // outputs σ·l + λ.
  for (int64_t kappa = 0; kappa < k; ++kappa)
    for (int64_t j = 0; j < q; ++j) {
      int64_t t = kappa * q + j, lambda = t % l, rho = t / l;
      for (int64_t sigma = 0; sigma < s; ++sigma) {
        double w2v = w2[(lambda * s + sigma) * r + rho];
        double *row = &acc[(sigma * l + lambda) * kIn + kappa * p];
        for (int64_t i = 0; i < p; ++i)
          row[i] += w2v * w1[(kappa * q + j) * p + i];
      }
    }
  return toMatrix(n, kIn, acc);
}

//===----------------------------------------------------------------------===//
// BTTLinearOp
//===----------------------------------------------------------------------===//

LogicalResult BTTLinearOp::verify() {
  if (failed(verifyWeight(*this, "w1", getW1(), 3)) ||
      failed(verifyWeight(*this, "w2", getW2(), 3)))
    return failure();
  int64_t m1 = dimOf(getW1(), 0), n0r = dimOf(getW1(), 2);
  int64_t n0 = dimOf(getW2(), 0), m1r = dimOf(getW2(), 1);
  if (n0r % n0 != 0)
    return emitOpError() << "w1 dimension 2 (N0·r) is " << n0r
                         << ", which is not a multiple of N0 = " << n0
                         << " (w2 dimension 0)";
  int64_t r = n0r / n0;
  if (m1r != m1 * r)
    return emitOpError() << "w2 dimension 1 (M1·r) is " << m1r
                         << ", but M1·r = " << m1 << "·" << r << " = " << m1 * r
                         << " (M1 from w1 dimension 0, r = " << n0r << "/" << n0
                         << " from w1)";
  return verifyLinearLayerIO(*this, getX(), getBias(), getY(), getInFeatures(),
                             getOutFeatures());
}

SmallVector<Value> BTTLinearOp::getWeightOperands() {
  return {getW1(), getW2()};
}
int64_t BTTLinearOp::getInFeatures() {
  return dimOf(getW1(), 0) * dimOf(getW1(), 1);
}
int64_t BTTLinearOp::getOutFeatures() {
  return dimOf(getW2(), 0) * dimOf(getW2(), 2);
}

int64_t BTTLinearOp::getFlopsPerToken() {
  // 2·(M1·M0·N0·r + N0·M1·r·N1): one multiply-add per core element.
  return 2 * (numElementsOf(getW1()) + numElementsOf(getW2())) +
         biasFlops(getBias(), getOutFeatures());
}

FailureOr<numerics::Matrix>
BTTLinearOp::materializeDenseWeight(std::string *reason) {
  SmallVector<std::vector<float>> w;
  if (failed(readWeights({getW1(), getW2()}, {"w1", "w2"}, reason, w)))
    return failure();
  const std::vector<float> &w1 = w[0], &w2 = w[1];
  int64_t m1Count = dimOf(getW1(), 0), m0Count = dimOf(getW1(), 1),
          n0r = dimOf(getW1(), 2);
  int64_t n0Count = dimOf(getW2(), 0), m1r = dimOf(getW2(), 1),
          n1Count = dimOf(getW2(), 2);
  int64_t r = n0r / n0Count;
  int64_t n = getOutFeatures(), k = getInFeatures();
  std::vector<double> acc(n * k, 0.0);
  for (int64_t n0 = 0; n0 < n0Count; ++n0)
    for (int64_t m1 = 0; m1 < m1Count; ++m1)
      for (int64_t rho = 0; rho < r; ++rho)
        for (int64_t n1 = 0; n1 < n1Count; ++n1) {
          double w2v = w2[(n0 * m1r + m1 * r + rho) * n1Count + n1];
          double *row = &acc[(n0 * n1Count + n1) * k + m1 * m0Count];
          for (int64_t m0 = 0; m0 < m0Count; ++m0)
            row[m0] += w2v * w1[(m1 * m0Count + m0) * n0r + n0 * r + rho];
        }
  return toMatrix(n, k, acc);
}

//===----------------------------------------------------------------------===//
// KronLinearOp
//===----------------------------------------------------------------------===//

LogicalResult KronLinearOp::verify() {
  if (failed(verifyWeight(*this, "a", getA(), 3)) ||
      failed(verifyWeight(*this, "b", getB(), 3)))
    return failure();
  if (dimOf(getA(), 0) != dimOf(getB(), 0))
    return emitOpError() << "a has " << dimOf(getA(), 0) << " terms but b has "
                         << dimOf(getB(), 0);
  return verifyLinearLayerIO(*this, getX(), getBias(), getY(), getInFeatures(),
                             getOutFeatures());
}

SmallVector<Value> KronLinearOp::getWeightOperands() {
  return {getA(), getB()};
}
int64_t KronLinearOp::getInFeatures() {
  return dimOf(getA(), 2) * dimOf(getB(), 2);
}
int64_t KronLinearOp::getOutFeatures() {
  return dimOf(getA(), 1) * dimOf(getB(), 1);
}

int64_t KronLinearOp::getFlopsPerToken() {
  int64_t s = dimOf(getA(), 0), n1 = dimOf(getA(), 1), k1 = dimOf(getA(), 2);
  int64_t n2 = dimOf(getB(), 1), k2 = dimOf(getB(), 2);
  // a·X·bᵀ per term, in whichever association order is cheaper.
  int64_t aFirst = 2 * (n1 * k1 * k2 + n1 * k2 * n2);
  int64_t bFirst = 2 * (k1 * k2 * n2 + n1 * k1 * n2);
  return s * std::min(aFirst, bFirst) + biasFlops(getBias(), getOutFeatures());
}

FailureOr<numerics::Matrix>
KronLinearOp::materializeDenseWeight(std::string *reason) {
  SmallVector<std::vector<float>> w;
  if (failed(readWeights({getA(), getB()}, {"a", "b"}, reason, w)))
    return failure();
  const std::vector<float> &a = w[0], &b = w[1];
  int64_t s = dimOf(getA(), 0), n1 = dimOf(getA(), 1), k1 = dimOf(getA(), 2);
  int64_t n2 = dimOf(getB(), 1), k2 = dimOf(getB(), 2);
  int64_t n = getOutFeatures(), k = getInFeatures();
  std::vector<double> acc(n * k, 0.0);
  for (int64_t t = 0; t < s; ++t)
    for (int64_t i1 = 0; i1 < n1; ++i1)
      for (int64_t j1 = 0; j1 < k1; ++j1) {
        double av = a[(t * n1 + i1) * k1 + j1];
        for (int64_t i2 = 0; i2 < n2; ++i2)
          for (int64_t j2 = 0; j2 < k2; ++j2)
            acc[(i1 * n2 + i2) * k + j1 * k2 + j2] +=
                av * b[(t * n2 + i2) * k2 + j2];
      }
  return toMatrix(n, k, acc);
}

//===----------------------------------------------------------------------===//
// BlastLinearOp
//===----------------------------------------------------------------------===//

LogicalResult BlastLinearOp::verify() {
  if (failed(verifyWeight(*this, "u", getU(), 3)) ||
      failed(verifyWeight(*this, "s", getS(), 3)) ||
      failed(verifyWeight(*this, "v", getV(), 3)))
    return failure();
  int64_t b = dimOf(getU(), 0), r = dimOf(getU(), 2);
  if (failed(verifyDim(*this, "s", getS(), 0, b, "b (u dimension 0)")) ||
      failed(verifyDim(*this, "s", getS(), 1, b, "b (u dimension 0)")) ||
      failed(verifyDim(*this, "v", getV(), 0, b, "b (u dimension 0)")) ||
      failed(verifyDim(*this, "s", getS(), 2, r, "r (u dimension 2)")) ||
      failed(verifyDim(*this, "v", getV(), 2, r, "r (u dimension 2)")))
    return failure();
  return verifyLinearLayerIO(*this, getX(), getBias(), getY(), getInFeatures(),
                             getOutFeatures());
}

SmallVector<Value> BlastLinearOp::getWeightOperands() {
  return {getU(), getS(), getV()};
}
int64_t BlastLinearOp::getInFeatures() {
  return dimOf(getV(), 0) * dimOf(getV(), 1);
}
int64_t BlastLinearOp::getOutFeatures() {
  return dimOf(getU(), 0) * dimOf(getU(), 1);
}

int64_t BlastLinearOp::getFlopsPerToken() {
  int64_t b = dimOf(getU(), 0), r = dimOf(getU(), 2);
  int64_t n = getOutFeatures(), k = getInFeatures();
  return 2 * r * (k + n + b * b) + biasFlops(getBias(), n);
}

FailureOr<numerics::Matrix>
BlastLinearOp::materializeDenseWeight(std::string *reason) {
  SmallVector<std::vector<float>> w;
  if (failed(readWeights({getU(), getS(), getV()}, {"u", "s", "v"}, reason, w)))
    return failure();
  // One product per block (Eigen, in lib/Numerics): a scalar triple loop
  // takes tens of seconds at 4096² with r ≈ 1000.
  numerics::BlastFactors f;
  f.blocks = dimOf(getU(), 0);
  f.blockRows = dimOf(getU(), 1);
  f.rank = dimOf(getU(), 2);
  f.blockCols = dimOf(getV(), 1);
  f.u = std::move(w[0]);
  f.s = std::move(w[1]);
  f.v = std::move(w[2]);
  return numerics::blastDense(f);
}

} // namespace linea
