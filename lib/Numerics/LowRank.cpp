//===- LowRank.cpp - truncated-SVD factorization W ≈ u·v ------------------===//
//
// Rank selection (explicit, energy, parameter ratio) and the balanced split
// of the truncated SVD into the two operands of linea.lowrank_linear.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Structured.h"

#include <algorithm>
#include <sstream>

namespace linea::numerics {

std::string validateLowRankOptions(const LowRankOptions &options) {
  int chosen = (options.rank != 0) + (options.energy != 0.0) +
               (options.paramRatio != 0.0);
  std::ostringstream os;
  if (chosen != 1) {
    os << "exactly one of rank, energy and param-ratio must be set (got "
       << (chosen == 0 ? "none" : "several") << ")";
    return os.str();
  }
  if (options.rank < 0) {
    os << "rank must be positive, got " << options.rank;
    return os.str();
  }
  if (options.energy != 0.0 && !(options.energy > 0.0 && options.energy <= 1.0)) {
    os << "energy must be in (0, 1], got " << options.energy;
    return os.str();
  }
  if (options.paramRatio != 0.0 &&
      !(options.paramRatio > 0.0 && options.paramRatio < 1.0)) {
    os << "param-ratio must be in (0, 1), got " << options.paramRatio;
    return os.str();
  }
  if (options.multipleOf < 1) {
    os << "the rank multiple must be at least 1, got " << options.multipleOf;
    return os.str();
  }
  if (options.svd.oversample < 0 || options.svd.powerIterations < 0) {
    os << "oversample and power-iterations must not be negative";
    return os.str();
  }
  return "";
}

int64_t lowRankTarget(int64_t rows, int64_t cols,
                      const LowRankOptions &options) {
  if (options.rank > 0)
    return options.rank;
  if (options.paramRatio > 0.0) {
    int64_t r = rankForParamRatio(rows, cols, options.paramRatio);
    // Round down to stay within the budget, unless that leaves nothing.
    if (r >= options.multipleOf)
      r -= r % options.multipleOf;
    return r;
  }
  return 0;
}

std::optional<LowRankFactors> lowRankProjection(const Matrix &w,
                                                const LowRankOptions &options,
                                                std::string &why) {
  int64_t n = w.rows, k = w.cols;
  int64_t maxRank = maxCompressingRank(n, k);
  std::ostringstream os;
  Svd svd;
  if (int64_t r = lowRankTarget(n, k, options)) {
    if (r > maxRank) {
      // Checked before the SVD, which is the expensive part.
      os << "rank " << r << " stores " << r << "·(" << n << "+" << k
         << ") = " << r * (n + k) << " parameters, not fewer than the dense "
         << n << "·" << k << " = " << n * k;
      why = os.str();
      return std::nullopt;
    }
    svd = truncatedSvd(w, r, options.svd);
  } else if (options.paramRatio > 0.0) {
    os << "param-ratio " << options.paramRatio << " leaves rank 0 for a " << n
       << "×" << k << " weight (⌊ratio·N·K/(N+K)⌋ = 0)";
    why = os.str();
    return std::nullopt;
  } else {
    if (maxRank < 1) {
      os << "no rank stores fewer parameters than the dense " << n << "×" << k
         << " weight";
      why = os.str();
      return std::nullopt;
    }
    svd = truncatedSvdForEnergy(w, options.energy, maxRank, options.svd);
    double kept = energyFraction(svd, w);
    // Same slack as rankForEnergy: summing σ² rounds.
    if (kept < options.energy * (1.0 - 1e-12)) {
      os << "keeping " << options.energy << " of the energy needs a rank above "
         << maxRank << ", the largest that stores fewer parameters than the "
         << "dense " << n << "×" << k << " weight (rank " << maxRank
         << " keeps " << kept << ")";
      why = os.str();
      return std::nullopt;
    }
    int64_t r = svd.rank();
    int64_t rounded = (r + options.multipleOf - 1) / options.multipleOf *
                      options.multipleOf;
    if (rounded != r && rounded <= maxRank &&
        rounded <= std::min(n, k))
      svd = truncatedSvd(w, rounded, options.svd);
  }
  LowRankFactors factors;
  balancedFactors(svd, factors.u, factors.v);
  factors.sigma = std::move(svd.sigma);
  return factors;
}

} // namespace linea::numerics
