//===- Equivalence.cpp - function-preserving weight transforms ------------===//

#include "linea/Numerics/Equivalence.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace linea::numerics;

std::vector<float> linea::numerics::columnAbsMax(const Matrix &w) {
  std::vector<float> result(static_cast<size_t>(w.cols), 0.0f);
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t c = 0; c < w.cols; ++c)
      result[c] = std::max(result[c], std::fabs(w.at(r, c)));
  return result;
}

std::vector<float>
linea::numerics::smoothingScales(const std::vector<float> &actMax,
                                 const std::vector<float> &weightMax,
                                 double alpha) {
  assert(actMax.size() == weightMax.size() && "channel counts differ");
  std::vector<float> s(actMax.size(), 1.0f);
  for (size_t k = 0; k < s.size(); ++k) {
    // A dead channel (or an all-zero weight column) has no range to move;
    // any s would do, and 1 keeps the column as it was.
    if (actMax[k] <= 0.0f || weightMax[k] <= 0.0f)
      continue;
    double v = std::pow(double(actMax[k]), alpha) /
               std::pow(double(weightMax[k]), 1.0 - alpha);
    s[k] = static_cast<float>(std::max(v, 1e-5));
  }
  return s;
}

void linea::numerics::scaleColumns(Matrix &w, const std::vector<float> &s) {
  assert(static_cast<int64_t>(s.size()) == w.cols && "one scale per column");
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t c = 0; c < w.cols; ++c)
      w.at(r, c) *= s[c];
}

void linea::numerics::rotateColumnsHadamard(Matrix &w, int64_t blockSize) {
  assert(blockSize > 0 && (blockSize & (blockSize - 1)) == 0 &&
         w.cols % blockSize == 0 && "B must be a power of two dividing K");
  // H_B is symmetric, so row · H_B is the Walsh–Hadamard transform of the
  // row's block: log2(B) butterfly stages instead of B² products.
  const double norm = 1.0 / std::sqrt(double(blockSize));
  std::vector<double> block(static_cast<size_t>(blockSize));
  for (int64_t r = 0; r < w.rows; ++r) {
    for (int64_t b0 = 0; b0 < w.cols; b0 += blockSize) {
      for (int64_t i = 0; i < blockSize; ++i)
        block[i] = w.at(r, b0 + i);
      for (int64_t h = 1; h < blockSize; h *= 2)
        for (int64_t i = 0; i < blockSize; i += 2 * h)
          for (int64_t j = i; j < i + h; ++j) {
            double a = block[j], b = block[j + h];
            block[j] = a + b;
            block[j + h] = a - b;
          }
      for (int64_t i = 0; i < blockSize; ++i)
        w.at(r, b0 + i) = static_cast<float>(block[i] * norm);
    }
  }
}

int64_t linea::numerics::largestPowerOfTwoBlock(int64_t k, int64_t maxBlock) {
  int64_t b = 1;
  while (b * 2 <= maxBlock && k % (b * 2) == 0)
    b *= 2;
  return b;
}
