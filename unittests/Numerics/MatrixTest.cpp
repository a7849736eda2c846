//===- MatrixTest.cpp - plain matrix helpers ------------------------------===//

#include "linea/Numerics/Matrix.h"

#include <gtest/gtest.h>
#include <cmath>

using linea::numerics::Matrix;
using linea::numerics::relativeFrobeniusError;

TEST(Matrix, RelativeFrobeniusError) {
  Matrix ref(2, 2), approx(2, 2);
  ref.data = {3, 0, 0, 4};    // ‖ref‖ = 5
  approx.data = {3, 0, 0, 1}; // difference 3
  EXPECT_DOUBLE_EQ(relativeFrobeniusError(approx, ref), 0.6);
  EXPECT_DOUBLE_EQ(relativeFrobeniusError(ref, ref), 0.0);
  Matrix zero(2, 2);
  EXPECT_TRUE(std::isinf(relativeFrobeniusError(ref, zero)));
}
