//===- BTT.cpp - projection onto Block Tensor-Train matrices --------------===//
//
// Block (n0, m1) of a rank-r BTT matrix, the N1×M0 block at rows n0·N1 + n1
// and columns m1·M0 + m0, is Σ_ρ w2[n0, m1·r+ρ, n1] · w1[m1, m0, n0·r+ρ]:
// a sum of r outer products with its own factors. Blocks share nothing, so
// the per-block truncated SVD is the Frobenius-nearest BTT matrix
// (REWRITES.md §2.2).
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Structured.h"
#include "linea/Numerics/Parallel.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace linea::numerics {

int64_t defaultBTTCores(int64_t rows, int64_t cols) {
  if (rows < 1 || cols < 1)
    return 1;
  int64_t g = std::gcd(rows, cols);
  double target = std::log(static_cast<double>(rows) * cols) / 4.0;
  int64_t best = 1;
  double bestDistance = INFINITY;
  for (int64_t c = 1; c <= g; ++c) {
    if (g % c != 0)
      continue;
    double distance = std::abs(std::log(static_cast<double>(c)) - target);
    if (distance < bestDistance - 1e-12) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}

std::optional<BTTFactors> bttProjection(const Matrix &w, int64_t cores,
                                        int64_t rank, std::string &why) {
  int64_t n = w.rows, k = w.cols;
  std::ostringstream os;
  why = checkDivides("cores", cores, n, k);
  if (!why.empty())
    return std::nullopt;
  int64_t c = cores, n1Size = n / c, m0Size = k / c;
  if (rank < 1 || rank > std::min(n1Size, m0Size)) {
    os << "rank " << rank << " is not in [1, min(N/cores, K/cores)] = [1, "
       << std::min(n1Size, m0Size) << "] for N = " << n << ", K = " << k
       << ", cores = " << c;
    why = os.str();
    return std::nullopt;
  }
  BTTFactors f{Tensor3(c, m0Size, c * rank), Tensor3(c, c * rank, n1Size)};
  // Input core m1 touches only w1[m1] and rows m1·r + ρ of each w2[n0]:
  // the threads write disjoint data.
  parallelFor(c, /*threads=*/0, [&](int64_t m1) {
    Matrix block(n1Size, m0Size);
    for (int64_t n0 = 0; n0 < c; ++n0) {
      for (int64_t n1 = 0; n1 < n1Size; ++n1)
        std::copy_n(&w.data[static_cast<size_t>((n0 * n1Size + n1) * k +
                                                m1 * m0Size)],
                    m0Size, &block.data[static_cast<size_t>(n1 * m0Size)]);
      Svd svd = gramTruncatedSvd(block, rank);
      for (int64_t rho = 0; rho < rank; ++rho) {
        float root = static_cast<float>(std::sqrt(svd.sigma[rho]));
        for (int64_t n1 = 0; n1 < n1Size; ++n1)
          f.w2.at(n0, m1 * rank + rho, n1) = svd.u.at(n1, rho) * root;
        for (int64_t m0 = 0; m0 < m0Size; ++m0)
          f.w1.at(m1, m0, n0 * rank + rho) = svd.v.at(m0, rho) * root;
      }
    }
  });
  return f;
}

} // namespace linea::numerics
