//===- TestMatrices.h - random test matrices for the Numerics tests -*- C++ -*-===//
//
// Seeded random matrices with a known structure or spectrum. Built without
// Eigen (see lib/Numerics/CMakeLists.txt): orthonormal bases come from the
// exact SVD of Gaussian matrices.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_UNITTESTS_NUMERICS_TESTMATRICES_H
#define LINEA_UNITTESTS_NUMERICS_TESTMATRICES_H

#include "linea/Numerics/Svd.h"

#include <random>

namespace linea::numerics::testing {

/// rows×cols with independent standard normal entries.
inline Matrix gaussian(int64_t rows, int64_t cols, unsigned seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal;
  Matrix m(rows, cols);
  for (float &x : m.data)
    x = normal(engine);
  return m;
}

/// rows×cols (rows ≥ cols) with orthonormal columns.
inline Matrix orthonormalColumns(int64_t rows, int64_t cols, unsigned seed) {
  return exactSvd(gaussian(rows, cols, seed)).u;
}

/// U·diag(sigma)·Vᵀ with random orthonormal U (rows×r) and V (cols×r).
inline Matrix withSpectrum(int64_t rows, int64_t cols,
                           const std::vector<double> &sigma, unsigned seed) {
  Svd svd;
  svd.u = orthonormalColumns(rows, static_cast<int64_t>(sigma.size()), seed);
  svd.v = orthonormalColumns(cols, static_cast<int64_t>(sigma.size()),
                             seed + 1000);
  svd.sigma = sigma;
  return reconstruct(svd);
}

} // namespace linea::numerics::testing

#endif // LINEA_UNITTESTS_NUMERICS_TESTMATRICES_H
