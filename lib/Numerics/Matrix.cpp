//===- Matrix.cpp - plain matrix helpers ----------------------------------===//

#include "linea/Numerics/Matrix.h"

#include <cmath>

namespace linea::numerics {

double relativeFrobeniusError(const Matrix &a, const Matrix &b) {
  assert(a.rows == b.rows && a.cols == b.cols && "shape mismatch");
  double diff = 0.0, ref = 0.0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    double d = double(a.data[i]) - double(b.data[i]);
    diff += d * d;
    ref += double(b.data[i]) * double(b.data[i]);
  }
  if (ref == 0.0)
    return diff == 0.0 ? 0.0 : INFINITY;
  return std::sqrt(diff / ref);
}

} // namespace linea::numerics
