//===- Kronecker.cpp - nearest sums of Kronecker products -----------------===//
//
// Van Loan–Pitsianis: the rearrangement is a permutation of W's elements,
// so the Frobenius distance to any Σ a_t ⊗ b_t equals the distance of R(W)
// to a rank-s matrix, and Eckart–Young gives the optimum.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Kronecker.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace linea::numerics {

int64_t nearestDivisor(int64_t n, double target) {
  assert(n >= 1 && "nearestDivisor of a non-positive number");
  int64_t best = 1;
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d != 0)
      continue;
    // Strict '<' keeps the smaller divisor on a tie.
    if (std::fabs(double(d) - target) < std::fabs(double(best) - target))
      best = d;
  }
  return best;
}

KroneckerShape defaultKroneckerShape(int64_t rows, int64_t cols) {
  KroneckerShape shape;
  shape.n1 = nearestDivisor(rows, std::sqrt(double(rows)));
  shape.k1 = nearestDivisor(cols, std::sqrt(double(cols)));
  shape.n2 = rows / shape.n1;
  shape.k2 = cols / shape.k1;
  return shape;
}

Matrix kroneckerRearrange(const Matrix &w, int64_t n1, int64_t k1) {
  assert(n1 >= 1 && k1 >= 1 && w.rows % n1 == 0 && w.cols % k1 == 0 &&
         "factor shape does not divide W");
  int64_t n2 = w.rows / n1, k2 = w.cols / k1;
  Matrix r(n1 * k1, n2 * k2);
  // Each W row segment of length k2 is one contiguous piece of an R row.
  for (int64_t row = 0; row < w.rows; ++row) {
    int64_t i1 = row / n2, i2 = row % n2;
    for (int64_t j1 = 0; j1 < k1; ++j1)
      std::copy_n(&w.data[size_t(row * w.cols + j1 * k2)], k2,
                  &r.data[size_t((i1 * k1 + j1) * r.cols + i2 * k2)]);
  }
  return r;
}

int64_t kroneckerParams(const KroneckerShape &shape, int64_t terms) {
  return terms * (shape.n1 * shape.k1 + shape.n2 * shape.k2);
}

KroneckerSum nearestKroneckerSum(const Matrix &w, const KroneckerShape &shape,
                                 int64_t terms,
                                 const RandomizedSvdOptions &options) {
  assert(shape.n1 * shape.n2 == w.rows && shape.k1 * shape.k2 == w.cols &&
         "shape does not match W");
  int64_t sizeA = shape.n1 * shape.k1, sizeB = shape.n2 * shape.k2;
  assert(terms >= 1 && terms <= std::min(sizeA, sizeB) && "terms out of range");
  Svd svd =
      truncatedSvd(kroneckerRearrange(w, shape.n1, shape.k1), terms, options);
  KroneckerSum sum;
  sum.shape = shape;
  sum.terms = terms;
  sum.sigma = svd.sigma;
  sum.a.resize(size_t(terms * sizeA));
  sum.b.resize(size_t(terms * sizeB));
  for (int64_t t = 0; t < terms; ++t) {
    // Split σ evenly so that a and b have the same scale in f16/bf16.
    float root = static_cast<float>(std::sqrt(svd.sigma[size_t(t)]));
    for (int64_t e = 0; e < sizeA; ++e)
      sum.a[size_t(t * sizeA + e)] = root * svd.u.at(e, t);
    for (int64_t e = 0; e < sizeB; ++e)
      sum.b[size_t(t * sizeB + e)] = root * svd.v.at(e, t);
  }
  return sum;
}

Matrix kroneckerSumDense(const KroneckerSum &sum) {
  const KroneckerShape &s = sum.shape;
  Matrix w(s.n1 * s.n2, s.k1 * s.k2);
  int64_t sizeA = s.n1 * s.k1, sizeB = s.n2 * s.k2;
  for (int64_t t = 0; t < sum.terms; ++t)
    for (int64_t i1 = 0; i1 < s.n1; ++i1)
      for (int64_t j1 = 0; j1 < s.k1; ++j1) {
        float a = sum.a[size_t(t * sizeA + i1 * s.k1 + j1)];
        for (int64_t i2 = 0; i2 < s.n2; ++i2)
          for (int64_t j2 = 0; j2 < s.k2; ++j2)
            w.at(i1 * s.n2 + i2, j1 * s.k2 + j2) +=
                a * sum.b[size_t(t * sizeB + i2 * s.k2 + j2)];
      }
  return w;
}

} // namespace linea::numerics
