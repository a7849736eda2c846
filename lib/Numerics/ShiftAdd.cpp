//===- ShiftAdd.cpp - weights as sums of signed powers of two -------------===//

#include "linea/Numerics/ShiftAdd.h"

#include <algorithm>
#include <cmath>

using namespace linea::numerics;

namespace {

/// The signed power of two sign·2^p (p ∈ [minExp, 0]) nearest to r, or 0
/// when 0 is at least as near. Ties between two powers go to the larger.
void nearestPowerOfTwo(float r, int64_t minExp, int8_t &sign, int8_t &exp) {
  float a = std::fabs(r);
  sign = 0;
  exp = 0;
  if (a == 0.0f)
    return;
  int floorExp = static_cast<int>(std::floor(std::log2(a)));
  bool chosen = false;
  int best = 0;
  float bestErr = a; // the error of encoding 0
  for (int p : {floorExp, floorExp + 1}) {
    int clamped = static_cast<int>(std::clamp<int64_t>(p, minExp, 0));
    float err = std::fabs(a - std::ldexp(1.0f, clamped));
    if (err < bestErr || (err == bestErr && chosen && clamped > best)) {
      bestErr = err;
      best = clamped;
      chosen = true;
    }
  }
  if (chosen) {
    sign = r > 0 ? 1 : -1;
    exp = static_cast<int8_t>(best);
  }
}

} // namespace

ShiftAddCode linea::numerics::encodeShiftAdd(const Matrix &w, int64_t terms,
                                             int64_t minExponent) {
  ShiftAddCode code;
  code.terms = terms;
  code.rows = w.rows;
  code.cols = w.cols;
  size_t plane = static_cast<size_t>(w.rows * w.cols);
  code.exponents.assign(plane * terms, 0);
  code.signs.assign(plane * terms, 0);
  code.rowScale.assign(w.rows, 1.0f);
  for (int64_t n = 0; n < w.rows; ++n) {
    float maxAbs = 0.0f;
    for (int64_t k = 0; k < w.cols; ++k)
      maxAbs = std::max(maxAbs, std::fabs(w.at(n, k)));
    float scale =
        maxAbs > 0.0f ? std::ldexp(1.0f, static_cast<int>(
                                             std::ceil(std::log2(maxAbs))))
                      : 1.0f;
    code.rowScale[n] = scale;
    for (int64_t k = 0; k < w.cols; ++k) {
      float residual = w.at(n, k) / scale; // exact: scale is a power of two
      for (int64_t t = 0; t < terms; ++t) {
        size_t i = t * plane + n * w.cols + k;
        nearestPowerOfTwo(residual, minExponent, code.signs[i],
                          code.exponents[i]);
        if (code.signs[i])
          residual -= code.signs[i] * std::ldexp(1.0f, code.exponents[i]);
      }
    }
  }
  return code;
}

Matrix linea::numerics::decodeShiftAdd(const ShiftAddCode &code) {
  Matrix w(code.rows, code.cols);
  size_t plane = static_cast<size_t>(code.rows * code.cols);
  for (int64_t n = 0; n < code.rows; ++n)
    for (int64_t k = 0; k < code.cols; ++k) {
      float sum = 0.0f;
      for (int64_t t = 0; t < code.terms; ++t) {
        size_t i = t * plane + n * code.cols + k;
        sum += code.signs[i] * std::ldexp(1.0f, code.exponents[i]);
      }
      w.at(n, k) = code.rowScale[n] * sum;
    }
  return w;
}
