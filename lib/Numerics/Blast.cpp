//===- Blast.cpp - BLAST matrix factorization -----------------------------===//
//
// One sweep costs two passes over W (W_ij·V_j and W_ijᵀ·U_i for every
// block, 4·N·K·r flops in f32 GEMMs) plus the U_i / V_j solves
// (≈ 4·N·r² + 4·K·r² flops); blocks are spread over threads, since Eigen
// without OpenMP runs each GEMM on one core. The normal equations are
// solved in f32 with a relative ridge: ALS only needs each step to lower
// the error, which the ridge (a proximal term) preserves. The b² scale
// solves use warm-started conjugate gradients instead of b² Cholesky
// factorizations of r×r (which would cost as much as the GEMMs at r ≈ N/b):
// each CG step lowers the same quadratic, so the error still never rises.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Blast.h"
#include "linea/Numerics/Parallel.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace linea::numerics {

namespace {

using RowMajorF =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Blocks = std::vector<Eigen::MatrixXf>;

/// The ridge λ for a normal-equation matrix with trace `trace` and size r.
float ridgeFor(double trace, int64_t r, double ridge) {
  double meanDiag = r == 0 ? 0.0 : trace / double(r);
  // The absolute floor keeps an all-zero system (a zero W) solvable.
  return static_cast<float>(std::max(ridge * meanDiag, 1e-30));
}

/// Solves x·h = rhs for x (h symmetric positive semi-definite, r×r) with a
/// ridge of `ridge` times h's mean diagonal; rhs is m×r.
Eigen::MatrixXf solveRight(Eigen::MatrixXf h, const Eigen::MatrixXf &rhs,
                           double ridge) {
  float lambda = ridgeFor(h.trace(), h.rows(), ridge);
  for (int attempt = 0; attempt < 4; ++attempt, lambda *= 1e3f) {
    Eigen::MatrixXf damped = h;
    damped.diagonal().array() += lambda;
    Eigen::LLT<Eigen::MatrixXf> llt(damped);
    if (llt.info() == Eigen::Success)
      return llt.solve(rhs.transpose()).transpose();
  }
  // Only reachable with NaNs in the input: keep the old factor's shape.
  return Eigen::MatrixXf::Zero(rhs.rows(), rhs.cols());
}

/// At most `steps` conjugate-gradient steps on (m + λI)·x = c from the
/// current x. Each step lowers ½xᵀ(m + λI)x − cᵀx, so a truncated solve is
/// still a descent step of the fit.
void conjugateGradient(const Eigen::MatrixXf &m, float lambda,
                       const Eigen::VectorXf &c, Eigen::VectorXf &x,
                       int64_t steps) {
  auto apply = [&](const Eigen::VectorXf &y) -> Eigen::VectorXf {
    return m * y + lambda * y;
  };
  Eigen::VectorXf residual = c - apply(x);
  Eigen::VectorXf direction = residual;
  double rr = residual.squaredNorm();
  double stop = 1e-14 * std::max(double(c.squaredNorm()), 1e-30);
  for (int64_t k = 0; k < steps && rr > stop; ++k) {
    Eigen::VectorXf md = apply(direction);
    double curvature = direction.dot(md);
    if (!(curvature > 0.0))
      break; // a null direction (or NaN): nothing left to gain
    float alpha = static_cast<float>(rr / curvature);
    x += alpha * direction;
    residual -= alpha * md;
    double rrNext = residual.squaredNorm();
    direction = residual + static_cast<float>(rrNext / rr) * direction;
    rr = rrNext;
  }
}

/// The fitting state: per-block factors and the W·V / Wᵀ·U products.
class BlastFit {
public:
  BlastFit(const Matrix &w, const BlastOptions &options)
      : w(w.data.data(), w.rows, w.cols), b(options.blocks), r(options.rank),
        p(w.rows / options.blocks), q(w.cols / options.blocks),
        ridge(options.ridge),
        threads(options.threads > 0 ? options.threads
                                    : defaultThreadCount()) {
    // Starting threads costs more than small blocks' products.
    if (w.rows * w.cols * r < (int64_t(1) << 22))
      threads = 1;
    normSquared = squaredFrobeniusNorm(w);
    initialise(w, options.svd);
  }

  /// One sweep: U, then s, then V, then s; returns the relative error.
  double sweep() {
    computeProducts(/*left=*/true);
    parallelFor(b, threads, [&](int64_t i) { updateFactor(u[i], i, true); });
    normaliseColumns(u, /*left=*/true);
    computeGrams(u, gramU);
    updateScales(/*left=*/true);
    computeProducts(/*left=*/false);
    parallelFor(b, threads, [&](int64_t j) { updateFactor(v[j], j, false); });
    normaliseColumns(v, /*left=*/false);
    computeGrams(v, gramV);
    return updateScales(/*left=*/false);
  }

  /// The error of the starting point, from the same Gram identities.
  double initialError() {
    computeProducts(/*left=*/false);
    double inner = 0.0, approx = 0.0;
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < b; ++j)
        accumulateError(i, j, /*left=*/false, inner, approx);
    return relativeError(inner, approx);
  }

  BlastFactors factors() const {
    BlastFactors f;
    f.blocks = b;
    f.rank = r;
    f.blockRows = p;
    f.blockCols = q;
    f.u.resize(size_t(b * p * r));
    f.v.resize(size_t(b * q * r));
    f.s.resize(size_t(b * b * r));
    for (int64_t i = 0; i < b; ++i)
      Eigen::Map<RowMajorF>(&f.u[size_t(i * p * r)], p, r) = u[i];
    for (int64_t j = 0; j < b; ++j)
      Eigen::Map<RowMajorF>(&f.v[size_t(j * q * r)], q, r) = v[j];
    for (int64_t ij = 0; ij < b * b; ++ij)
      Eigen::Map<Eigen::VectorXf>(&f.s[size_t(ij * r)], r) = s[ij];
    return f;
  }

private:
  Eigen::Map<const RowMajorF> w;
  int64_t b, r, p, q;
  double ridge;
  int64_t threads;
  double normSquared = 0.0;
  Blocks u, v;                    // U_i (p×r), V_j (q×r)
  std::vector<Eigen::VectorXf> s; // s_ij at i·b + j
  Blocks gramU, gramV;            // U_iᵀU_i, V_jᵀV_j
  Blocks products;                // W_ij·V_j (p×r) or W_ijᵀ·U_i (q×r)

  auto block(int64_t i, int64_t j) const { return w.block(i * p, j * q, p, q); }

  /// U = U_r·√Σ, V = V_r·√Σ, s = 1: the rank-r truncated SVD.
  void initialise(const Matrix &wm, const RandomizedSvdOptions &svdOptions) {
    Svd svd = truncatedSvd(wm, r, svdOptions);
    Eigen::Map<const RowMajorF> left(svd.u.data.data(), svd.u.rows, r);
    Eigen::Map<const RowMajorF> right(svd.v.data.data(), svd.v.rows, r);
    Eigen::VectorXf roots(r);
    for (int64_t k = 0; k < r; ++k)
      roots[k] = static_cast<float>(std::sqrt(svd.sigma[size_t(k)]));
    for (int64_t i = 0; i < b; ++i)
      u.push_back(left.middleRows(i * p, p) * roots.asDiagonal());
    for (int64_t j = 0; j < b; ++j)
      v.push_back(right.middleRows(j * q, q) * roots.asDiagonal());
    s.assign(size_t(b * b), Eigen::VectorXf::Ones(r));
    normaliseColumns(u, /*left=*/true);
    normaliseColumns(v, /*left=*/false);
    computeGrams(u, gramU);
    computeGrams(v, gramV);
  }

  Eigen::VectorXf &scales(int64_t i, int64_t j) { return s[size_t(i * b + j)]; }

  /// products[i·b + j] = W_ij·V_j (left: for U and s) or W_ijᵀ·U_i.
  void computeProducts(bool left) {
    products.resize(size_t(b * b));
    parallelFor(b * b, threads, [&](int64_t ij) {
      int64_t i = ij / b, j = ij % b;
      Eigen::MatrixXf &out = products[size_t(ij)];
      if (left)
        out.noalias() = block(i, j) * v[j];
      else
        out.noalias() = block(i, j).transpose() * u[i];
    });
  }

  /// U_i from Σ_j U_i D_ij G^V_j D_ij = Σ_j (W_ij V_j) D_ij (left), or the
  /// mirror equation for V_j.
  void updateFactor(Eigen::MatrixXf &factor, int64_t index, bool left) {
    Eigen::MatrixXf h = Eigen::MatrixXf::Zero(r, r);
    Eigen::MatrixXf rhs = Eigen::MatrixXf::Zero(left ? p : q, r);
    for (int64_t k = 0; k < b; ++k) {
      int64_t i = left ? index : k, j = left ? k : index;
      const Eigen::VectorXf &d = scales(i, j);
      const Eigen::MatrixXf &gram = left ? gramV[j] : gramU[i];
      h.noalias() += (gram.array() * (d * d.transpose()).array()).matrix();
      rhs.noalias() += products[size_t(i * b + j)] * d.asDiagonal();
    }
    factor = solveRight(std::move(h), rhs, ridge);
  }

  /// Scales every column of each factor to unit norm and moves the norm
  /// into s, so the Gram matrices stay well conditioned in f32.
  void normaliseColumns(Blocks &factors, bool left) {
    for (int64_t k = 0; k < b; ++k) {
      Eigen::VectorXf norms = factors[k].colwise().norm().transpose();
      for (int64_t rho = 0; rho < r; ++rho)
        if (norms[rho] > 0.0f)
          factors[k].col(rho) /= norms[rho];
        else
          norms[rho] = 1.0f; // a dead column: nothing to move
      for (int64_t other = 0; other < b; ++other)
        (left ? scales(k, other) : scales(other, k)).array() *= norms.array();
    }
  }

  void computeGrams(const Blocks &factors, Blocks &grams) {
    grams.resize(factors.size());
    parallelFor(int64_t(factors.size()), threads, [&](int64_t k) {
      // Only the lower half (SYRK): half the flops of a full product.
      Eigen::MatrixXf &g = grams[size_t(k)];
      g = Eigen::MatrixXf::Zero(r, r);
      g.selfadjointView<Eigen::Lower>().rankUpdate(
          factors[size_t(k)].transpose());
      g.triangularView<Eigen::StrictlyUpper>() = g.transpose();
    });
  }

  /// c_ij = diag(U_iᵀ W_ij V_j) from the current products.
  Eigen::VectorXf blockCorrelation(int64_t i, int64_t j, bool left) const {
    const Eigen::MatrixXf &prod = products[size_t(i * b + j)];
    const Eigen::MatrixXf &other = left ? u[i] : v[j];
    return (prod.array() * other.array()).colwise().sum().transpose();
  }

  /// Adds ⟨W_ij, Ŵ_ij⟩ and ‖Ŵ_ij‖² (in double) for the current factors.
  void accumulateError(int64_t i, int64_t j, bool left, double &inner,
                       double &approx) {
    Eigen::VectorXf c = blockCorrelation(i, j, left);
    const Eigen::VectorXf &d = scales(i, j);
    inner += c.cast<double>().dot(d.cast<double>());
    Eigen::MatrixXf m = (gramU[i].array() * gramV[j].array()).matrix();
    approx += d.cast<double>().dot((m * d).cast<double>());
  }

  double relativeError(double inner, double approx) const {
    if (normSquared == 0.0)
      return 0.0;
    return std::sqrt(std::max(normSquared - 2.0 * inner + approx, 0.0) /
                     normSquared);
  }

  /// s_ij from (G^U_i ⊙ G^V_j) s_ij = diag(U_iᵀ W_ij V_j), by warm-started
  /// CG; returns the relative error of the updated matrix.
  double updateScales(bool left) {
    std::vector<double> inner(size_t(b * b)), approx(size_t(b * b));
    parallelFor(b * b, threads, [&](int64_t ij) {
      int64_t i = ij / b, j = ij % b;
      Eigen::MatrixXf m = (gramU[i].array() * gramV[j].array()).matrix();
      float lambda = ridgeFor(m.trace(), r, ridge);
      conjugateGradient(m, lambda, blockCorrelation(i, j, left), scales(i, j),
                        kScaleSteps);
      inner[size_t(ij)] = 0.0;
      approx[size_t(ij)] = 0.0;
      accumulateError(i, j, left, inner[size_t(ij)], approx[size_t(ij)]);
    });
    double innerSum = 0.0, approxSum = 0.0;
    for (int64_t ij = 0; ij < b * b; ++ij) {
      innerSum += inner[size_t(ij)];
      approxSum += approx[size_t(ij)];
    }
    return relativeError(innerSum, approxSum);
  }

  /// CG steps per scale solve: exact for r ≤ 32 (up to rounding, which the
  /// next sweep's warm start corrects), cheap for large r.
  static constexpr int64_t kScaleSteps = 32;
};

} // namespace

int64_t blastParams(int64_t rows, int64_t cols, int64_t blocks, int64_t rank) {
  return rank * (rows + cols + blocks * blocks);
}

int64_t defaultBlastRank(int64_t rows, int64_t cols, int64_t blocks) {
  int64_t matching = rows * cols / (rows + cols + blocks * blocks);
  return std::max<int64_t>(matching / 2, 1);
}

BlastFactors fitBlast(const Matrix &w, const BlastOptions &options) {
  assert(options.blocks >= 1 && w.rows % options.blocks == 0 &&
         w.cols % options.blocks == 0 && "blocks must divide N and K");
  assert(options.rank >= 1 && options.rank <= std::min(w.rows, w.cols) &&
         "rank out of range");
  BlastFit fit(w, options);
  std::vector<double> errors{fit.initialError()};
  for (int64_t it = 0; it < options.iterations; ++it) {
    errors.push_back(fit.sweep());
    if (options.tolerance > 0.0 &&
        errors[errors.size() - 2] - errors.back() < options.tolerance)
      break;
  }
  BlastFactors factors = fit.factors();
  factors.errors = std::move(errors);
  return factors;
}

Matrix blastDense(const BlastFactors &f) {
  int64_t b = f.blocks, r = f.rank, p = f.blockRows, q = f.blockCols;
  Matrix w(b * p, b * q);
  Eigen::Map<RowMajorF> dense(w.data.data(), w.rows, w.cols);
  for (int64_t i = 0; i < b; ++i) {
    Eigen::Map<const RowMajorF> ui(&f.u[size_t(i * p * r)], p, r);
    for (int64_t j = 0; j < b; ++j) {
      Eigen::Map<const RowMajorF> vj(&f.v[size_t(j * q * r)], q, r);
      Eigen::Map<const Eigen::VectorXf> sij(&f.s[size_t((i * b + j) * r)], r);
      dense.block(i * p, j * q, p, q).noalias() =
          ui * sij.asDiagonal() * vj.transpose();
    }
  }
  return w;
}

} // namespace linea::numerics
