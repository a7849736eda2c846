//===- Sinq.cpp - Sinkhorn-normalized column scales (SINQ) ----------------===//
//
// REWRITES.md §3.3. Per tile (the rows × one scale block's columns), log
// factors ℓ_col, ℓ_row start at 0 and move each step towards equal row and
// column standard deviations of T / e^ℓ_col / e^ℓ_row; the factors with the
// smallest max/min std ratio seen are kept, and the iteration stops the
// first time that ratio rises.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/CalibratedQuant.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace linea::numerics {

namespace {

/// Unbiased standard deviations of the rows and of the columns of the
/// rows × cols row-major `t`, clamped to [1e-3, 1e3] as SINQ does.
void clampedStds(const std::vector<double> &t, int64_t rows, int64_t cols,
                 std::vector<double> &rowStd, std::vector<double> &colStd) {
  auto finish = [](double sum, double sumSq, int64_t count) {
    double mean = sum / double(count);
    double var = std::max(sumSq - mean * sum, 0.0) / double(count - 1);
    return std::clamp(std::sqrt(var), 1e-3, 1e3);
  };
  rowStd.assign(size_t(rows), 0.0);
  colStd.assign(size_t(cols), 0.0);
  std::vector<double> colSum(size_t(cols), 0.0), colSq(size_t(cols), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0.0, sq = 0.0;
    for (int64_t c = 0; c < cols; ++c) {
      double v = t[size_t(r * cols + c)];
      sum += v;
      sq += v * v;
      colSum[size_t(c)] += v;
      colSq[size_t(c)] += v * v;
    }
    rowStd[size_t(r)] = finish(sum, sq, cols);
  }
  for (int64_t c = 0; c < cols; ++c)
    colStd[size_t(c)] = finish(colSum[size_t(c)], colSq[size_t(c)], rows);
}

double imbalance(const std::vector<double> &a, const std::vector<double> &b) {
  double hi = 0.0, lo = std::numeric_limits<double>::infinity();
  for (const auto *v : {&a, &b})
    for (double s : *v) {
      hi = std::max(hi, s);
      lo = std::min(lo, s);
    }
  return hi / lo;
}

/// One log-factor step: ℓ += log clamp(σ / target, 0.7, 2), ℓ ∈ [−0.3, 10].
void step(std::vector<double> &logs, const std::vector<double> &stds,
          double target) {
  for (size_t i = 0; i < logs.size(); ++i)
    logs[i] = std::clamp(
        logs[i] + std::log(std::clamp(stds[i] / target, 0.7, 2.0)), -0.3,
        10.0);
}

} // namespace

std::vector<float> sinqColumnScales(const QuantSpec &spec, const Matrix &w,
                                    int64_t iterations) {
  const int64_t n = w.rows, k = w.cols, span = scaleSpan(spec, k);
  std::vector<float> mu(size_t(k), 1.0f);
  for (int64_t c0 = 0; c0 < k; c0 += span) {
    const int64_t g = std::min(span, k - c0);
    if (n < 2 || g < 2)
      continue; // no spread to balance
    std::vector<double> tile(size_t(n * g)), cur(tile.size());
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < g; ++c)
        tile[size_t(r * g + c)] = w.at(r, c0 + c);
    std::vector<double> rowStd, colStd;
    clampedStds(tile, n, g, rowStd, colStd);
    double target = std::min(*std::min_element(rowStd.begin(), rowStd.end()),
                             *std::min_element(colStd.begin(), colStd.end())) +
                    1e-6;
    std::vector<double> colLog(size_t(g), 0.0), rowLog(size_t(n), 0.0);
    std::vector<double> best(size_t(g), 0.0);
    double bestImbalance = std::numeric_limits<double>::infinity();
    double previous = bestImbalance;
    for (int64_t it = 0; it < iterations; ++it) {
      for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < g; ++c)
          cur[size_t(r * g + c)] = tile[size_t(r * g + c)] /
                                   std::exp(colLog[size_t(c)]) /
                                   std::exp(rowLog[size_t(r)]);
      clampedStds(cur, n, g, rowStd, colStd);
      double imb = imbalance(rowStd, colStd);
      if (imb < bestImbalance) {
        bestImbalance = imb;
        best = colLog;
      }
      if (imb > previous)
        break;
      previous = imb;
      step(colLog, colStd, target);
      step(rowLog, rowStd, target);
    }
    for (int64_t c = 0; c < g; ++c)
      mu[size_t(c0 + c)] = static_cast<float>(std::exp(best[size_t(c)]));
  }
  return mu;
}

Matrix divideColumns(const Matrix &w, const std::vector<float> &mu) {
  assert(int64_t(mu.size()) == w.cols && "one factor per column");
  Matrix out(w.rows, w.cols);
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t c = 0; c < w.cols; ++c)
      out.at(r, c) = w.at(r, c) / mu[size_t(c)];
  return out;
}

} // namespace linea::numerics
