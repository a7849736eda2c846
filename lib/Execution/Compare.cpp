//===- Compare.cpp - numerical comparison of two tensors ------------------===//

#include "linea/Execution/Compare.h"

#include <cassert>
#include <cmath>

namespace linea {

Comparison compareTensors(const HostTensor &actual, const HostTensor &reference,
                          double rtol, double atol) {
  assert(actual.shape == reference.shape && "shape mismatch");
  Comparison c;
  c.numElements = actual.numElements();
  double refScale = 0.0;
  for (int64_t i = 0; i < c.numElements; ++i) {
    double a = actual.getAsDouble(i), r = reference.getAsDouble(i);
    double diff = std::fabs(a - r);
    if (std::isnan(diff) || diff > atol + rtol * std::fabs(r))
      ++c.violations;
    if (std::isnan(diff))
      c.maxAbsError = NAN;
    else if (!std::isnan(c.maxAbsError))
      c.maxAbsError = std::fmax(c.maxAbsError, diff);
    refScale = std::fmax(refScale, std::fabs(r));
  }
  c.relError = refScale > 0 ? c.maxAbsError / refScale
                            : (c.maxAbsError == 0 ? 0.0 : INFINITY);
  return c;
}

} // namespace linea
