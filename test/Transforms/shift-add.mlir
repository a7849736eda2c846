// RUN: linea-opt %s --linea-shift-add -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-shift-add="terms=2" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=TWO
// RUN: linea-opt %s --linea-shift-add="bits=3" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=BITS3

// W = [[0.75, -0.3, 0.01], [-3, 1, 0]]. Row prescales 2^⌈log2 max|w|⌉ = 1, 4.
// One term, exponents in [-14, 0] (bits=5):
//   0.75 → 2^0 (tie between 0.5 and 1 goes up), -0.3 → -2^-2, 0.01 → 2^-7;
//   -3/4 → -2^0, 1/4 → 2^-2, 0 → sign 0.
// Two terms add the residual: 0.75 = 2^0 - 2^-2, -0.3 + 0.25 = -0.05 → -2^-4,
//   0.01 - 2^-7 = 0.0021875 → 2^-9; -0.75 + 1 = 0.25 → 2^-2.
// bits=3 limits exponents to [-2, 0]: 0.01 → 0 (nearer 0 than 2^-2).
// CHECK-LABEL: func.func @layer
// CHECK-DAG: %[[E:.+]] = arith.constant dense<{{\[\[\[}}0, -2, -7], [0, -2, 0]]]> : tensor<1x2x3xi8>
// CHECK-DAG: %[[S:.+]] = arith.constant dense<{{\[\[\[}}1, -1, 1], [-1, 1, 0]]]> : tensor<1x2x3xi8>
// CHECK-DAG: %[[SC:.+]] = arith.constant dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK: linea.shift_linear %{{.*}}, %[[E]], %[[S]] scale %[[SC]] bias %{{.*}} {linea.weight_error = {{.*}} : f32, name = "fc"}
// TWO-LABEL: func.func @layer
// TWO-DAG: arith.constant dense<{{\[\[\[}}0, -2, -7], [0, -2, 0]], {{\[\[}}-2, -4, -9], [-2, 0, 0]]]> : tensor<2x2x3xi8>
// TWO-DAG: arith.constant dense<{{\[\[\[}}1, -1, 1], [-1, 1, 0]], {{\[\[}}-1, -1, 1], [1, 0, 0]]]> : tensor<2x2x3xi8>
// TWO: linea.shift_linear
// BITS3-LABEL: func.func @layer
// BITS3-DAG: arith.constant dense<{{\[\[\[}}0, -2, 0], [0, -2, 0]]]> : tensor<1x2x3xi8>
// BITS3-DAG: arith.constant dense<{{\[\[\[}}1, -1, 0], [-1, 1, 0]]]> : tensor<1x2x3xi8>
func.func @layer(%x: tensor<4x3xf32>, %b: tensor<2xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[0.75, -0.3, 0.01], [-3.0, 1.0, 0.0]]> : tensor<2x3xf32>
  %y = linea.linear %x, %w bias %b {name = "fc"}
      : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A weight that is not a constant is left alone.
// CHECK-LABEL: func.func @not_constant
// CHECK: linea.linear
func.func @not_constant(%x: tensor<4x3xf32>, %w: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-remark @+1 {{linea-shift-add: skipped layer 'not_constant#0': operand 'w' is not a constant}}
  %y = linea.linear %x, %w : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
