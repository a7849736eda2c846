//===- ShiftAddTest.cpp - power-of-two weight codes -----------------------===//

#include "linea/Numerics/ShiftAdd.h"

#include <gtest/gtest.h>
#include <cmath>
#include <random>

using namespace linea::numerics;

TEST(ShiftAdd, HandComputedOneTerm) {
  // Row 0: max |w| = 0.75 → scale 2^0 = 1. 0.75 is equidistant from 0.5 and
  // 1; ties go to the larger power. 0.3 → 0.25 (|0.05| < |0.2|).
  // 0.01 with minExponent −4 (2^−4 = 0.0625): nearer 0 → sign 0.
  // Row 1: max |w| = 3 → scale 4; −3/4 → −1 (tie), 1/4 → 2^−2.
  Matrix w(2, 3);
  w.data = {0.75f, -0.3f, 0.01f, -3.0f, 1.0f, 0.0f};
  ShiftAddCode code = encodeShiftAdd(w, /*terms=*/1, /*minExponent=*/-4);
  EXPECT_EQ(code.rowScale, (std::vector<float>{1.0f, 4.0f}));
  EXPECT_EQ(code.signs, (std::vector<int8_t>{1, -1, 0, -1, 1, 0}));
  EXPECT_EQ(code.exponents, (std::vector<int8_t>{0, -2, 0, 0, -2, 0}));
  Matrix back = decodeShiftAdd(code);
  EXPECT_EQ(back.data,
            (std::vector<float>{1.0f, -0.25f, 0.0f, -4.0f, 1.0f, 0.0f}));
}

TEST(ShiftAdd, PowersOfTwoAreExact) {
  Matrix w(1, 4);
  w.data = {0.5f, -0.125f, 1.0f, 0.0625f};
  EXPECT_EQ(decodeShiftAdd(encodeShiftAdd(w, 1, -14)).data, w.data);
}

TEST(ShiftAdd, SecondTermEncodesTheResidual) {
  // 0.75 = 2^0 − 2^−2 with two terms (first term rounds up to 1).
  Matrix w(1, 1);
  w.data = {0.75f};
  ShiftAddCode code = encodeShiftAdd(w, 2, -14);
  EXPECT_EQ(code.signs, (std::vector<int8_t>{1, -1}));
  EXPECT_EQ(code.exponents, (std::vector<int8_t>{0, -2}));
  EXPECT_EQ(decodeShiftAdd(code).data[0], 0.75f);
}

TEST(ShiftAdd, ErrorBoundsAndTwoTermsHelp) {
  // One term: each scaled weight within a factor of 2^±½ of its code, so the
  // relative error of a nonzero weight above the clamp range is ≤ 1/3
  // (nearest power in linear distance). Two terms are much better.
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  Matrix w(64, 128);
  for (float &v : w.data)
    v = normal(rng);
  double e1 = relativeFrobeniusError(decodeShiftAdd(encodeShiftAdd(w, 1, -14)), w);
  double e2 = relativeFrobeniusError(decodeShiftAdd(encodeShiftAdd(w, 2, -14)), w);
  EXPECT_LT(e1, 1.0 / 3.0);
  EXPECT_LT(e2, e1 / 3.0);
  ShiftAddCode code = encodeShiftAdd(w, 1, -14);
  for (int64_t i = 0; i < w.rows * w.cols; ++i) {
    EXPECT_GE(code.exponents[i], -14);
    EXPECT_LE(code.exponents[i], 0);
  }
}
