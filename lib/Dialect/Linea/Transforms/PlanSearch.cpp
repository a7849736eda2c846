//===- PlanSearch.cpp - linea-plan's error measure and search -------------===//

#include "PlanSearch.h"

#include "linea/Numerics/Parallel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace linea;

/// Σ_n a_n·H·a_nᵀ over the rows of a (N×K), H K×K.
static double rowQuadraticSum(const std::vector<double> &a, int64_t rows,
                              int64_t cols, llvm::ArrayRef<double> h) {
  std::vector<double> perRow(static_cast<size_t>(rows), 0.0);
  numerics::parallelFor(rows, 0, [&](int64_t n) {
    const double *row = a.data() + n * cols;
    double sum = 0.0;
    for (int64_t i = 0; i < cols; ++i) {
      if (row[i] == 0.0)
        continue;
      const double *hRow = h.data() + i * cols;
      double dot = 0.0;
      for (int64_t j = 0; j < cols; ++j)
        dot += hRow[j] * row[j];
      sum += row[i] * dot;
    }
    perRow[size_t(n)] = sum;
  });
  double total = 0.0;
  for (double v : perRow)
    total += v;
  return total;
}

std::optional<double> linea::relativeOutputError(const numerics::Matrix &w,
                                                 const numerics::Matrix &approx,
                                                 llvm::ArrayRef<double> xtx,
                                                 std::string &why) {
  std::vector<double> dense(w.data.begin(), w.data.end());
  std::vector<double> delta(dense.size());
  for (size_t i = 0; i < dense.size(); ++i)
    delta[i] = double(approx.data[i]) - dense[i];
  double num = rowQuadraticSum(delta, w.rows, w.cols, xtx);
  double den = rowQuadraticSum(dense, w.rows, w.cols, xtx);
  if (!(den > 0.0)) {
    if (num <= 0.0)
      return 0.0;
    why = "the layer's output on the calibration inputs is zero "
          "(tr(W·XᵀX·Wᵀ) = 0), so a relative error is undefined";
    return std::nullopt;
  }
  return std::sqrt(std::max(num, 0.0) / den);
}

namespace {

/// Indices of the options on the Pareto front, by cost ascending (errors
/// strictly decreasing).
llvm::SmallVector<size_t> paretoFront(llvm::ArrayRef<PlanOption> options) {
  llvm::SmallVector<size_t> order;
  for (size_t i = 0; i < options.size(); ++i)
    order.push_back(i);
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    if (options[a].cost != options[b].cost)
      return options[a].cost < options[b].cost;
    return options[a].error < options[b].error;
  });
  llvm::SmallVector<size_t> front;
  for (size_t i : order) {
    // A more expensive option is only worth keeping if it is more accurate.
    if (front.empty() || options[i].error < options[front.back()].error)
      front.push_back(i);
  }
  return front;
}

/// The lower convex hull of the front (cost ascending).
llvm::SmallVector<size_t> lowerHull(llvm::ArrayRef<PlanOption> options,
                                    llvm::ArrayRef<size_t> front) {
  llvm::SmallVector<size_t> hull;
  for (size_t i : front) {
    while (hull.size() >= 2) {
      const PlanOption &o = options[hull[hull.size() - 2]];
      const PlanOption &a = options[hull.back()];
      const PlanOption &p = options[i];
      double cross = (a.cost - o.cost) * (p.error - o.error) -
                     (a.error - o.error) * (p.cost - o.cost);
      if (cross > 0.0)
        break;
      hull.pop_back();
    }
    hull.push_back(i);
  }
  return hull;
}

} // namespace

PlanResult linea::choosePlan(llvm::ArrayRef<llvm::ArrayRef<PlanOption>> options,
                             double budget, llvm::StringRef costName) {
  size_t layers = options.size();
  PlanResult result;
  // The sum the budget allows; a relative slack absorbs rounding of sums.
  double allowed = budget * double(layers) * (1.0 + 1e-12);
  llvm::SmallVector<llvm::SmallVector<size_t>> fronts, hulls;
  llvm::SmallVector<size_t> pos; // index into hulls[l]
  double total = 0.0;
  for (llvm::ArrayRef<PlanOption> layer : options) {
    fronts.push_back(paretoFront(layer));
    hulls.push_back(lowerHull(layer, fronts.back()));
    pos.push_back(hulls.back().size() - 1);
    size_t start = hulls.back().back();
    result.choice.push_back(start);
    result.reason.push_back(start == 0
                                ? (llvm::Twine("no candidate with less ") +
                                   costName + " fits the budget")
                                      .str()
                                : (llvm::Twine("exact (error 0) with less ") +
                                   costName + " than dense")
                                      .str());
    total += layer[start].error;
  }

  // Stage 1: convex-hull greedy.
  while (true) {
    double bestRatio = -1.0;
    size_t best = layers;
    for (size_t l = 0; l < layers; ++l) {
      if (pos[l] == 0)
        continue;
      const PlanOption &cur = options[l][hulls[l][pos[l]]];
      const PlanOption &next = options[l][hulls[l][pos[l] - 1]];
      double added = next.error - cur.error;
      if (total + added > allowed)
        continue;
      double saved = cur.cost - next.cost;
      double ratio = added > 0.0 ? saved / added : INFINITY;
      if (ratio > bestRatio) {
        bestRatio = ratio;
        best = l;
      }
    }
    if (best == layers)
      break;
    size_t from = result.choice[best];
    --pos[best];
    size_t to = hulls[best][pos[best]];
    total += options[best][to].error - options[best][from].error;
    result.choice[best] = to;
    result.reason[best] =
        (llvm::Twine("most ") + costName +
         " saved per unit of error among the steps that fit the budget "
         "(convex-hull greedy)")
            .str();
  }

  // Stage 2: cheaper Pareto points within what is left.
  while (true) {
    double bestSaved = 0.0;
    size_t best = layers, bestTo = 0;
    for (size_t l = 0; l < layers; ++l) {
      const PlanOption &cur = options[l][result.choice[l]];
      for (size_t i : fronts[l]) {
        const PlanOption &o = options[l][i];
        if (o.cost >= cur.cost || total - cur.error + o.error > allowed)
          continue;
        if (cur.cost - o.cost > bestSaved) {
          bestSaved = cur.cost - o.cost;
          best = l;
          bestTo = i;
        }
        break; // the front is by cost ascending: the first fit is cheapest
      }
    }
    if (best == layers)
      break;
    total +=
        options[best][bestTo].error - options[best][result.choice[best]].error;
    result.choice[best] = bestTo;
    result.reason[best] =
        (llvm::Twine("least ") + costName + " within the remaining budget")
            .str();
  }

  // Say what the next cheaper option would have cost.
  for (size_t l = 0; l < layers; ++l) {
    const PlanOption &cur = options[l][result.choice[l]];
    result.bytes += cur.bytes;
    result.cost += cur.cost;
    const PlanOption *cheaper = nullptr;
    for (size_t i : fronts[l])
      if (options[l][i].cost < cur.cost &&
          (!cheaper || options[l][i].cost > cheaper->cost))
        cheaper = &options[l][i];
    if (!cheaper)
      continue;
    std::string &reason = result.reason[l];
    llvm::raw_string_ostream os(reason);
    os << "; the next cheaper option, " << cheaper->name << " ("
       << cheaper->bytes << " bytes, error " << cheaper->error
       << "), would put the mean error at "
       << (total - cur.error + cheaper->error) / double(layers) << " > budget "
       << budget;
  }
  result.meanError = layers ? total / double(layers) : 0.0;
  return result;
}
