//===- Matrix.h - a plain row-major f32 matrix ------------------*- C++ -*-===//
//
// The currency of lib/Numerics: weights as plain data, free of MLIR types,
// so that the weight arithmetic can be unit-tested and reused on its own.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_MATRIX_H
#define LINEA_NUMERICS_MATRIX_H

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace linea::numerics {

/// A dense row-major matrix of f32 values.
struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;

  Matrix() = default;
  Matrix(int64_t rows, int64_t cols)
      : rows(rows), cols(cols), data(static_cast<size_t>(rows * cols), 0.0f) {}

  float &at(int64_t r, int64_t c) {
    assert(r >= 0 && r < rows && c >= 0 && c < cols && "index out of range");
    return data[static_cast<size_t>(r * cols + c)];
  }
  float at(int64_t r, int64_t c) const {
    assert(r >= 0 && r < rows && c >= 0 && c < cols && "index out of range");
    return data[static_cast<size_t>(r * cols + c)];
  }
};

/// ‖a − b‖_F / ‖b‖_F (0 when both are zero). Shapes must agree.
double relativeFrobeniusError(const Matrix &a, const Matrix &b);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_MATRIX_H
