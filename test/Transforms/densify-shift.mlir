// RUN: linea-opt %s --linea-densify -split-input-file -verify-diagnostics | FileCheck %s

// T = 2 terms, N = 2, K = 3, per-row scale [2, 0.5].
// W[n, k] = scale[n] · Σ_t signs[t, n, k] · 2^exponents[t, n, k]:
//   row 0: k0 = 2^0 + 2^-2 = 1.25, k1 = -2^1 + 2^0 = -1, k2 = 2^-1 - 2^-1 = 0
//          times 2   -> [2.5, -2, 0]
//   row 1: k0 = 0·2^2 + 2^0 = 1,   k1 = 2^0 + 0·2^-3 = 1, k2 = -2^3 + 2^1 = -6
//          times 0.5 -> [0.5, 0.5, -3]
// CHECK-LABEL: func.func @shift_two_terms_scale
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[2.500000e+00, -2.000000e+00, 0.000000e+00], [5.000000e-01, 5.000000e-01, -3.000000e+00]]> : tensor<2x3xf32>
// CHECK: linea.linear %{{.*}}, %[[W]] {name = "fc1"} : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
// CHECK-NOT: linea.shift_linear
func.func @shift_two_terms_scale(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %e = arith.constant dense<[[[0, 1, -1], [2, 0, 3]], [[-2, 0, -1], [0, -3, 1]]]> : tensor<2x2x3xi8>
  %s = arith.constant dense<[[[1, -1, 1], [0, 1, -1]], [[1, 1, -1], [1, 0, 1]]]> : tensor<2x2x3xi8>
  %scale = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %y = linea.shift_linear %x, %e, %s scale %scale {name = "fc1"}
      : (tensor<4x3xf32>, tensor<2x2x3xi8>, tensor<2x2x3xi8>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// T = 1, no scale, with a bias; exponents at the ends of [-126, 127]:
//   W = [[2^-126, -2^127, 0 (sign 0), -2^0]]
//     = [[1.17549435e-38, -1.70141183e+38, 0, -1]].
// CHECK-LABEL: func.func @shift_exponent_range
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[1.17549435E-38, -1.70141183E+38, 0.000000e+00, -1.000000e+00]]> : tensor<1x4xf32>
// CHECK: linea.linear %{{.*}}, %[[W]] bias %{{.*}} : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xf32>) -> tensor<2x1xf32>
func.func @shift_exponent_range(%x: tensor<2x4xf32>, %b: tensor<1xf32>) -> tensor<2x1xf32> {
  %e = arith.constant dense<[[[-126, 127, -3, 0]]]> : tensor<1x1x4xi8>
  %s = arith.constant dense<[[[1, -1, 0, -1]]]> : tensor<1x1x4xi8>
  %y = linea.shift_linear %x, %e, %s bias %b
      : (tensor<2x4xf32>, tensor<1x1x4xi8>, tensor<1x1x4xi8>, tensor<1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// bf16 activations and an f16 scale: W is rounded once to bf16.
//   W = [[1 + 2^-3, -(2^-1 + 2^-1)] · 3] = [[3.375, -3]]
// CHECK-LABEL: func.func @shift_bf16
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[3.375000e+00, -3.000000e+00]]> : tensor<1x2xbf16>
// CHECK: linea.linear %{{.*}}, %[[W]] : (tensor<2x2xbf16>, tensor<1x2xbf16>) -> tensor<2x1xbf16>
func.func @shift_bf16(%x: tensor<2x2xbf16>) -> tensor<2x1xbf16> {
  %e = arith.constant dense<[[[0, -1]], [[-3, -1]]]> : tensor<2x1x2xi8>
  %s = arith.constant dense<[[[1, -1]], [[1, -1]]]> : tensor<2x1x2xi8>
  %scale = arith.constant dense<3.0> : tensor<1xf16>
  %y = linea.shift_linear %x, %e, %s scale %scale
      : (tensor<2x2xbf16>, tensor<2x1x2xi8>, tensor<2x1x2xi8>, tensor<1xf16>) -> tensor<2x1xbf16>
  return %y : tensor<2x1xbf16>
}

// -----

// Non-constant signs: the layer stays as it is.
// CHECK-LABEL: func.func @shift_not_constant
// CHECK: linea.shift_linear
func.func @shift_not_constant(%x: tensor<2x4xf32>, %s: tensor<1x1x4xi8>) -> tensor<2x1xf32> {
  %e = arith.constant dense<0> : tensor<1x1x4xi8>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'signs' is not a constant}}
  %y = linea.shift_linear %x, %e, %s
      : (tensor<2x4xf32>, tensor<1x1x4xi8>, tensor<1x1x4xi8>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// Non-constant scale: the layer stays as it is.
// CHECK-LABEL: func.func @shift_scale_not_constant
// CHECK: linea.shift_linear
func.func @shift_scale_not_constant(%x: tensor<2x4xf32>, %scale: tensor<1xf32>) -> tensor<2x1xf32> {
  %e = arith.constant dense<0> : tensor<1x1x4xi8>
  %s = arith.constant dense<1> : tensor<1x1x4xi8>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'scale' is not a constant}}
  %y = linea.shift_linear %x, %e, %s scale %scale
      : (tensor<2x4xf32>, tensor<1x1x4xi8>, tensor<1x1x4xi8>, tensor<1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
