//===- Sparsity.cpp - magnitude pruning to BSR and N:M forms --------------===//

#include "linea/Numerics/Sparsity.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace linea::numerics;

/// |w[r, c]| as the pruning score sees it.
static double score(const Matrix &w, int64_t r, int64_t c,
                    const std::vector<float> &columnWeight) {
  double v = std::fabs(w.at(r, c));
  return columnWeight.empty() ? v : v * columnWeight[size_t(c)];
}

BsrCode linea::numerics::pruneBlocks(const Matrix &w, int64_t bn, int64_t bk,
                                     double sparsity,
                                     const std::vector<float> &columnWeight) {
  assert(bn > 0 && bk > 0 && w.rows % bn == 0 && w.cols % bk == 0);
  int64_t blockRowCount = w.rows / bn, blockColCount = w.cols / bk;
  int64_t total = blockRowCount * blockColCount;
  std::vector<double> norms(total, 0.0);
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t c = 0; c < w.cols; ++c) {
      double v = score(w, r, c, columnWeight);
      norms[(r / bn) * blockColCount + c / bk] += v * v;
    }
  auto keep = static_cast<int64_t>(std::llround((1.0 - sparsity) * total));
  keep = std::clamp<int64_t>(keep, 1, total);
  std::vector<int64_t> order(total);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return norms[a] > norms[b];
  });
  std::vector<bool> kept(total, false);
  for (int64_t i = 0; i < keep; ++i)
    kept[order[i]] = true;

  BsrCode code;
  code.blockRows = bn;
  code.blockCols = bk;
  code.rowOffsets.push_back(0);
  for (int64_t rb = 0; rb < blockRowCount; ++rb) {
    for (int64_t cb = 0; cb < blockColCount; ++cb) {
      if (!kept[rb * blockColCount + cb])
        continue;
      code.colIndices.push_back(static_cast<int32_t>(cb));
      for (int64_t a = 0; a < bn; ++a)
        for (int64_t c = 0; c < bk; ++c)
          code.values.push_back(w.at(rb * bn + a, cb * bk + c));
    }
    code.rowOffsets.push_back(static_cast<int32_t>(code.colIndices.size()));
  }
  return code;
}

NmCode linea::numerics::pruneNM(const Matrix &w, int64_t n, int64_t m,
                                const std::vector<float> &columnWeight) {
  assert(0 < n && n < m && w.cols % m == 0);
  NmCode code;
  code.n = n;
  code.m = m;
  std::vector<int64_t> order(m);
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t g = 0; g < w.cols / m; ++g) {
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return score(w, r, g * m + a, columnWeight) >
               score(w, r, g * m + b, columnWeight);
      });
      std::sort(order.begin(), order.begin() + n);
      for (int64_t j = 0; j < n; ++j) {
        code.values.push_back(w.at(r, g * m + order[j]));
        code.indices.push_back(static_cast<int8_t>(order[j]));
      }
    }
  return code;
}

Matrix linea::numerics::decodeBsr(const BsrCode &code, int64_t rows,
                                  int64_t cols) {
  Matrix w(rows, cols);
  int64_t bn = code.blockRows, bk = code.blockCols;
  for (size_t rb = 0; rb + 1 < code.rowOffsets.size(); ++rb)
    for (int32_t e = code.rowOffsets[rb]; e < code.rowOffsets[rb + 1]; ++e)
      for (int64_t a = 0; a < bn; ++a)
        for (int64_t c = 0; c < bk; ++c)
          w.at(rb * bn + a, code.colIndices[e] * bk + c) =
              code.values[(e * bn + a) * bk + c];
  return w;
}

Matrix linea::numerics::decodeNM(const NmCode &code, int64_t rows,
                                 int64_t cols) {
  Matrix w(rows, cols);
  int64_t kept = cols / code.m * code.n;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < kept; ++j)
      w.at(r, (j / code.n) * code.m + code.indices[r * kept + j]) =
          code.values[r * kept + j];
  return w;
}
