//===- Svd.cpp - exact and randomized singular value decompositions -------===//
//
// The expensive products of the randomized SVD run in f32 (AVX2/FMA, see
// CMakeLists.txt); every decomposition whose accuracy decides the result
// (the small SVD of the sketch, the exact SVD) runs in double.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Svd.h"
#include "linea/Numerics/Parallel.h"

#include <Eigen/Dense>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <random>

namespace linea::numerics {

namespace {

using RowMajorF =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMapF = Eigen::Map<const RowMajorF>;

/// Views a numerics::Matrix as an Eigen expression without copying.
ConstMapF view(const Matrix &a) { return ConstMapF(a.data.data(), a.rows, a.cols); }

/// Copies any Eigen matrix expression into a numerics::Matrix.
template <typename Derived>
Matrix toMatrix(const Eigen::MatrixBase<Derived> &m) {
  Matrix result(m.rows(), m.cols());
  Eigen::Map<RowMajorF>(result.data.data(), m.rows(), m.cols()) =
      m.template cast<float>();
  return result;
}

/// Standard normal samples from mt19937_64 by Box–Muller. std::normal_
/// distribution is implementation-defined; this keeps sketches (and so the
/// rewritten weights) identical across standard libraries.
Eigen::MatrixXf gaussianMatrix(int64_t rows, int64_t cols, uint64_t seed) {
  std::mt19937_64 engine(seed);
  auto uniform = [&] {
    // 53 random bits in (0, 1]: never 0, so the log below is finite.
    return (static_cast<double>(engine() >> 11) + 1.0) * 0x1.0p-53;
  };
  Eigen::MatrixXf result(rows, cols);
  float *data = result.data();
  int64_t size = rows * cols;
  for (int64_t i = 0; i < size; i += 2) {
    double radius = std::sqrt(-2.0 * std::log(uniform()));
    double angle = 2.0 * M_PI * uniform();
    data[i] = static_cast<float>(radius * std::cos(angle));
    if (i + 1 < size)
      data[i + 1] = static_cast<float>(radius * std::sin(angle));
  }
  return result;
}

/// An orthonormal basis (m×l) of the columns of y (m×l, l ≤ m).
Eigen::MatrixXf orthonormalBasis(const Eigen::MatrixXf &y) {
  Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
  return qr.householderQ() * Eigen::MatrixXf::Identity(y.rows(), y.cols());
}

/// lhs·rhs (f32) with column panels of the result on separate threads:
/// each panel is an independent, still large GEMM.
template <typename Lhs, typename Rhs>
Eigen::MatrixXf parallelProduct(const Lhs &lhs, const Rhs &rhs,
                                int64_t threads) {
  Eigen::MatrixXf out(lhs.rows(), rhs.cols());
  int64_t cols = rhs.cols();
  if (threads <= 0)
    threads = defaultThreadCount();
  // Below ~16 MFLOP starting threads costs more than it saves, and panels
  // narrower than 32 columns make Eigen's GEMM inefficient.
  double flops = 2.0 * lhs.rows() * lhs.cols() * cols;
  int64_t panels = flops < 1.6e7 ? 1 : std::min(threads, std::max<int64_t>(cols / 32, 1));
  parallelFor(panels, panels, [&](int64_t i) {
    int64_t begin = cols * i / panels, end = cols * (i + 1) / panels;
    out.middleCols(begin, end - begin).noalias() =
        lhs * rhs.middleCols(begin, end - begin);
  });
  return out;
}

/// Rank-`rank` SVD a ≈ u·diag(sigma)·vᵀ from the eigendecomposition of the
/// Gram matrix of a's short side (see gramTruncatedSvd()).
void gramSvd(Eigen::MatrixXd a, int64_t rank, Eigen::MatrixXd &u,
             Eigen::MatrixXd &v, std::vector<double> &sigma) {
  // Work on the Gram matrix of the short side; the other side's vectors
  // follow as A·v/σ (or Aᵀ·u/σ).
  bool wide = a.cols() > a.rows();
  if (wide)
    a.transposeInPlace();
  int64_t n = a.cols();
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(n, n);
  gram.selfadjointView<Eigen::Lower>().rankUpdate(a.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(gram);
  Eigen::MatrixXd right(n, rank), left(a.rows(), rank);
  sigma.assign(static_cast<size_t>(rank), 0.0);
  for (int64_t j = 0; j < rank; ++j) {
    // Eigenvalues come in increasing order.
    right.col(j) = eigen.eigenvectors().col(n - 1 - j);
    sigma[j] = std::sqrt(std::max(eigen.eigenvalues()(n - 1 - j), 0.0));
    left.col(j) = a * right.col(j);
    if (sigma[j] > 0.0)
      left.col(j) /= sigma[j];
    else
      left.col(j).setZero();
  }
  u = wide ? std::move(right) : std::move(left);
  v = wide ? std::move(left) : std::move(right);
}

/// Flips (u_j, v_j) pairs so that each u column's largest-magnitude entry
/// (the first on ties) is positive: the decomposition's only freedom for
/// distinct σ, fixed so that results do not depend on the algorithm.
void canonicalizeSigns(Svd &svd) {
  for (int64_t j = 0; j < svd.rank(); ++j) {
    int64_t best = 0;
    for (int64_t i = 1; i < svd.u.rows; ++i)
      if (std::abs(svd.u.at(i, j)) > std::abs(svd.u.at(best, j)))
        best = i;
    if (svd.u.rows == 0 || svd.u.at(best, j) >= 0.0f)
      continue;
    for (int64_t i = 0; i < svd.u.rows; ++i)
      svd.u.at(i, j) = -svd.u.at(i, j);
    for (int64_t i = 0; i < svd.v.rows; ++i)
      svd.v.at(i, j) = -svd.v.at(i, j);
  }
}

/// Keeps the leading `rank` triplets of `svd`.
void truncate(Svd &svd, int64_t rank) {
  if (rank >= svd.rank())
    return;
  auto keepColumns = [rank](Matrix &m) {
    Matrix kept(m.rows, rank);
    for (int64_t i = 0; i < m.rows; ++i)
      std::copy_n(&m.data[static_cast<size_t>(i * m.cols)], rank,
                  &kept.data[static_cast<size_t>(i * rank)]);
    m = std::move(kept);
  };
  keepColumns(svd.u);
  keepColumns(svd.v);
  svd.sigma.resize(static_cast<size_t>(rank));
}

} // namespace

Svd exactSvd(const Matrix &a) {
  Eigen::MatrixXd ad = view(a).cast<double>();
  Eigen::BDCSVD<Eigen::MatrixXd> svd(ad, Eigen::ComputeThinU |
                                             Eigen::ComputeThinV);
  Svd result;
  result.u = toMatrix(svd.matrixU());
  result.v = toMatrix(svd.matrixV());
  const Eigen::VectorXd &s = svd.singularValues();
  result.sigma.assign(s.data(), s.data() + s.size());
  canonicalizeSigns(result);
  return result;
}

std::vector<double> singularValues(const Matrix &a) {
  Eigen::MatrixXd ad = view(a).cast<double>();
  Eigen::BDCSVD<Eigen::MatrixXd> svd(ad);
  const Eigen::VectorXd &s = svd.singularValues();
  return std::vector<double>(s.data(), s.data() + s.size());
}

Svd randomizedSvd(const Matrix &a, int64_t rank,
                  const RandomizedSvdOptions &options) {
  int64_t m = a.rows, n = a.cols;
  assert(rank >= 1 && rank <= std::min(m, n) && "rank out of range");
  int64_t sketch =
      std::min(rank + std::max<int64_t>(options.oversample, 0), std::min(m, n));
  // Column-major copy: Eigen's GEMM and QR are fastest on it.
  Eigen::MatrixXf am = view(a);

  // Range finder: Q spans A·Ω, sharpened by power iterations. Re-
  // orthonormalising after every product keeps the small singular
  // directions from drowning in round-off (Halko et al., Alg. 4.4).
  int64_t threads = options.threads;
  Eigen::MatrixXf q = orthonormalBasis(parallelProduct(
      am, gaussianMatrix(n, sketch, options.seed), threads));
  for (int64_t i = 0; i < options.powerIterations; ++i) {
    Eigen::MatrixXf z =
        orthonormalBasis(parallelProduct(am.transpose(), q, threads));
    q = orthonormalBasis(parallelProduct(am, z, threads));
  }

  // A ≈ Q·(QᵀA). The SVD of the small sketch×n matrix B = QᵀA comes from
  // its sketch×sketch Gram matrix in double: ~10x cheaper than a
  // bidiagonalisation and exact to far below the f32 resolution of A.
  Eigen::MatrixXd b = parallelProduct(q.transpose(), am, threads).cast<double>();
  Eigen::MatrixXd smallU, smallV;
  Svd result;
  gramSvd(std::move(b), rank, smallU, smallV, result.sigma);
  result.u = toMatrix(q * smallU.cast<float>());
  result.v = toMatrix(smallV);
  canonicalizeSigns(result);
  return result;
}

Svd gramTruncatedSvd(const Matrix &a, int64_t rank) {
  assert(rank >= 1 && rank <= std::min(a.rows, a.cols) && "rank out of range");
  Eigen::MatrixXd u, v;
  Svd result;
  gramSvd(view(a).cast<double>(), rank, u, v, result.sigma);
  result.u = toMatrix(u);
  result.v = toMatrix(v);
  canonicalizeSigns(result);
  return result;
}

bool preferRandomizedSvd(int64_t rows, int64_t cols, int64_t rank,
                         const RandomizedSvdOptions &options) {
  // Below a few hundred the exact SVD takes milliseconds; above, sketching
  // pays while the sketch is at most half the short side (beyond that it
  // costs about as much as the exact SVD and is less accurate).
  int64_t shortSide = std::min(rows, cols);
  int64_t sketch = rank + std::max<int64_t>(options.oversample, 0);
  return shortSide > 256 && 2 * sketch <= shortSide;
}

Svd truncatedSvd(const Matrix &a, int64_t rank,
                 const RandomizedSvdOptions &options) {
  assert(rank >= 1 && rank <= std::min(a.rows, a.cols) && "rank out of range");
  if (preferRandomizedSvd(a.rows, a.cols, rank, options))
    return randomizedSvd(a, rank, options);
  Svd svd = exactSvd(a);
  truncate(svd, rank);
  return svd;
}

Svd truncatedSvdForEnergy(const Matrix &a, double energy, int64_t maxRank,
                          const RandomizedSvdOptions &options) {
  assert(energy > 0.0 && energy <= 1.0 && "energy out of range");
  maxRank = std::clamp<int64_t>(maxRank, 1, std::min(a.rows, a.cols));
  double total = squaredFrobeniusNorm(a);
  if (!preferRandomizedSvd(a.rows, a.cols, maxRank, options)) {
    Svd svd = exactSvd(a);
    truncate(svd, std::min(rankForEnergy(svd.sigma, energy, total), maxRank));
    return svd;
  }
  // Sketch at doubling ranks: each try costs about as much as all the
  // earlier ones together, and a sketch's leading values are accurate.
  for (int64_t tryRank = std::min<int64_t>(32, maxRank);;
       tryRank = std::min(2 * tryRank, maxRank)) {
    Svd svd = randomizedSvd(a, tryRank, options);
    int64_t needed = rankForEnergy(svd.sigma, energy, total);
    if (needed <= tryRank || tryRank == maxRank) {
      truncate(svd, needed);
      return svd;
    }
  }
}

int64_t rankForEnergy(const std::vector<double> &sigma, double energy,
                      double total) {
  if (total < 0.0) {
    total = 0.0;
    for (double s : sigma)
      total += s * s;
  }
  // A relative slack of 1e-12 absorbs the round-off of summing σ², so that
  // energy = 1 is reached by a full set of singular values.
  double target = energy * total * (1.0 - 1e-12);
  double kept = 0.0;
  for (size_t i = 0; i < sigma.size(); ++i) {
    kept += sigma[i] * sigma[i];
    if (kept >= target)
      return static_cast<int64_t>(i) + 1;
  }
  return static_cast<int64_t>(sigma.size()) + 1;
}

int64_t rankForParamRatio(int64_t rows, int64_t cols, double ratio) {
  if (rows <= 0 || cols <= 0 || ratio <= 0.0)
    return 0;
  // The epsilon keeps exact quotients such as 0.5·64·64/128 = 16 from
  // flooring to 15 through round-off.
  double r = ratio * static_cast<double>(rows) * static_cast<double>(cols) /
             static_cast<double>(rows + cols);
  return static_cast<int64_t>(std::floor(r + 1e-9));
}

int64_t maxCompressingRank(int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0)
    return 0;
  return (rows * cols - 1) / (rows + cols);
}

double tailNorm(const std::vector<double> &sigma, int64_t rank) {
  double tail = 0.0;
  for (size_t i = static_cast<size_t>(std::max<int64_t>(rank, 0));
       i < sigma.size(); ++i)
    tail += sigma[i] * sigma[i];
  return std::sqrt(tail);
}

double squaredFrobeniusNorm(const Matrix &a) {
  double sum = 0.0;
  for (float x : a.data)
    sum += static_cast<double>(x) * static_cast<double>(x);
  return sum;
}

double energyFraction(const Svd &svd, const Matrix &a) {
  double total = squaredFrobeniusNorm(a);
  if (total == 0.0)
    return 1.0;
  double kept = 0.0;
  for (double s : svd.sigma)
    kept += s * s;
  return kept / total;
}

Matrix reconstruct(const Svd &svd) {
  Matrix left, right;
  balancedFactors(svd, left, right);
  return matmul(left, right);
}

void balancedFactors(const Svd &svd, Matrix &left, Matrix &right) {
  int64_t r = svd.rank();
  assert(svd.u.cols == r && svd.v.cols == r && "inconsistent SVD");
  left = Matrix(svd.u.rows, r);
  right = Matrix(r, svd.v.rows);
  for (int64_t j = 0; j < r; ++j) {
    float root = static_cast<float>(std::sqrt(svd.sigma[j]));
    for (int64_t i = 0; i < svd.u.rows; ++i)
      left.at(i, j) = svd.u.at(i, j) * root;
    for (int64_t k = 0; k < svd.v.rows; ++k)
      right.at(j, k) = svd.v.at(k, j) * root;
  }
}

Matrix matmul(const Matrix &a, const Matrix &b) {
  assert(a.cols == b.rows && "inner dimensions differ");
  Matrix result(a.rows, b.cols);
  Eigen::Map<RowMajorF>(result.data.data(), a.rows, b.cols).noalias() =
      view(a) * view(b);
  return result;
}

} // namespace linea::numerics
