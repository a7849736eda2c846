//===- Monarch.cpp - projection onto Monarch matrices ---------------------===//
//
// With b blocks per factor and block rank ρ, the Monarch class is exactly
// the set of matrices whose b² strided sub-blocks (rows ≡ λ mod b, columns
// of input block κ) have rank ≤ ρ, and the sub-blocks are independent; so
// the per-sub-block truncated SVD is the Frobenius-nearest member
// (Dao et al. 2022, REWRITES.md §2.1).
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Structured.h"
#include "linea/Numerics/Parallel.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace linea::numerics {

int64_t defaultMonarchRank(int64_t cols, int64_t blocks) {
  if (blocks < 1)
    return 1;
  return std::max<int64_t>(1, cols / (blocks * blocks));
}

std::optional<MonarchFactors> monarchProjection(const Matrix &w,
                                                int64_t blocks, int64_t rank,
                                                std::string &why) {
  int64_t n = w.rows, k = w.cols;
  std::ostringstream os;
  why = checkDivides("blocks", blocks, n, k);
  if (!why.empty())
    return std::nullopt;
  int64_t b = blocks, s = n / b, p = k / b;
  if (rank < 1 || rank > std::min(s, p)) {
    os << "block rank " << rank << " is not in [1, min(N/blocks, K/blocks)] = [1, "
       << std::min(s, p) << "] for N = " << n << ", K = " << k
       << ", blocks = " << b;
    why = os.str();
    return std::nullopt;
  }
  MonarchFactors f{Tensor3(b, rank * b, p), Tensor3(b, s, rank * b)};
  // Output block λ touches only w2[λ] and rows λ + b·c of w1: the threads
  // write disjoint data.
  parallelFor(b, /*threads=*/0, [&](int64_t lambda) {
    Matrix block(s, p);
    for (int64_t kappa = 0; kappa < b; ++kappa) {
      for (int64_t sigma = 0; sigma < s; ++sigma)
        std::copy_n(&w.data[static_cast<size_t>((sigma * b + lambda) * k +
                                                kappa * p)],
                    p, &block.data[static_cast<size_t>(sigma * p)]);
      Svd svd = gramTruncatedSvd(block, rank);
      for (int64_t c = 0; c < rank; ++c) {
        float root = static_cast<float>(std::sqrt(svd.sigma[c]));
        // Intermediate κ·q + λ + b·c reaches block λ at position κ·ρ + c.
        for (int64_t sigma = 0; sigma < s; ++sigma)
          f.w2.at(lambda, sigma, kappa * rank + c) = svd.u.at(sigma, c) * root;
        for (int64_t i = 0; i < p; ++i)
          f.w1.at(kappa, lambda + b * c, i) = svd.v.at(i, c) * root;
      }
    }
  });
  return f;
}

} // namespace linea::numerics
