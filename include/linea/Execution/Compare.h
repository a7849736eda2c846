//===- Compare.h - numerical comparison of two tensors ----------*- C++ -*-===//

#ifndef LINEA_EXECUTION_COMPARE_H
#define LINEA_EXECUTION_COMPARE_H

#include "linea/Execution/Npy.h"

namespace linea {

/// How far `actual` is from `reference`, element by element.
struct Comparison {
  double maxAbsError = 0.0;
  /// max |a − r| / max |r| (the error relative to the reference's scale).
  double relError = 0.0;
  /// Elements violating |a − r| ≤ atol + rtol·|r| (NaN anywhere violates).
  int64_t violations = 0;
  int64_t numElements = 0;
};

/// Compares two tensors of the same shape (dtypes may differ).
Comparison compareTensors(const HostTensor &actual, const HostTensor &reference,
                          double rtol, double atol);

} // namespace linea

#endif // LINEA_EXECUTION_COMPARE_H
