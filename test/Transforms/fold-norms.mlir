// RUN: linea-opt %s --linea-fold-norms -split-input-file -verify-diagnostics | FileCheck %s

// RMSNorm weight g = [2, 0.5] folded into both consumers' columns:
//   Wq = [[1, 2], [3, 4]] → [[2, 1], [6, 2]];  Wk = [[1, 1]] → [[2, 0.5]].
// CHECK-LABEL: func.func @rms_two_users
// CHECK: %[[N:.+]] = linea.rms_norm %arg0 {epsilon = 9.99999974E-6 : f32} : (tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: %[[Q:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 1.000000e+00], [6.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK: linea.linear %[[N]], %[[Q]] {name = "q"}
// CHECK: %[[K:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 5.000000e-01]]> : tensor<1x2xf32>
// CHECK: linea.linear %[[N]], %[[K]] {name = "k"}
// CHECK-NOT: dense<[2.000000e+00, 5.000000e-01]>
func.func @rms_two_users(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x1xf32>) {
  %g = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %wq = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %wk = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %n = linea.rms_norm %x weight %g {epsilon = 1.0e-5 : f32} : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %q = linea.linear %n, %wq {name = "q"} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %k = linea.linear %n, %wk {name = "k"} : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %q, %k : tensor<3x2xf32>, tensor<3x1xf32>
}

// -----

// LayerNorm γ = [1, 2], β = [1, -1] into W = [[1, 1], [0, 3]] with bias [0.5, 0]:
//   W' = [[1, 2], [0, 6]];  bias' = bias + W·β = [0.5 + 0, 0 − 3] = [0.5, −3].
// CHECK-LABEL: func.func @layer_norm_bias
// CHECK: %[[N:.+]] = linea.layer_norm %arg0 : (tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [0.000000e+00, 6.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[5.000000e-01, -3.000000e+00]> : tensor<2xf32>
// CHECK: linea.linear %[[N]], %[[W]] bias %[[B]]
func.func @layer_norm_bias(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %g = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 1.0], [0.0, 3.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %n = linea.layer_norm %x weight %g bias %beta : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %y = linea.linear %n, %w bias %b : (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// β without a bias on the layer creates one: bias' = W·β = [2, 3].
// CHECK-LABEL: func.func @layer_norm_new_bias
// CHECK: %[[B:.+]] = arith.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: linea.linear %{{.*}}, %{{.*}} bias %[[B]]
func.func @layer_norm_new_bias(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %beta = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 1.0], [0.0, 3.0]]> : tensor<2x2xf32>
  %n = linea.layer_norm %x bias %beta : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %y = linea.linear %n, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A norm that also feeds something else keeps its weight.
// CHECK-LABEL: func.func @other_user
// CHECK: linea.rms_norm %arg0 weight
func.func @other_user(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %g = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // expected-remark @+1 {{linea-fold-norms: norm left alone: its result feeds 'func.return', not only the input of linea.linear layers}}
  %n = linea.rms_norm %x weight %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %y = linea.linear %n, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y, %n : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @weight_not_constant
// CHECK: linea.rms_norm %arg0 weight %arg1
func.func @weight_not_constant(%x: tensor<3x2xf32>, %g: tensor<2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // expected-remark @+1 {{linea-fold-norms: norm left alone: operand 'weight' is not a constant}}
  %n = linea.rms_norm %x weight %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %y = linea.linear %n, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @linear_weight_not_constant
// CHECK: linea.rms_norm %arg0 weight
func.func @linear_weight_not_constant(%x: tensor<3x2xf32>, %w: tensor<2x2xf32>) -> tensor<3x2xf32> {
  %g = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  // expected-remark @+1 {{linea-fold-norms: norm left alone: a consuming linea.linear has a weight that is not a constant}}
  %n = linea.rms_norm %x weight %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %y = linea.linear %n, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
