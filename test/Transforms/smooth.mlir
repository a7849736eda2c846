// RUN: %PYTHON %S/Inputs/write-absmax.py %t.npz q=4,1 k=4,1 fc=9,1 up=4,1 o=4,1 dead=0,4 var=1,1
// RUN: linea-opt %s --linea-smooth="stats=%t.npz" -split-input-file -verify-diagnostics | FileCheck %s

// max|x| = [4, 1]; column maxima over q and k: [max(1, .25), max(.5, 4)] =
// [1, 4]; α = 0.5: s = [√4/√1, √1/√4] = [2, 0.5]. Columns scale by s, the
// norm weight g = [1, 2] divides by s: [0.5, 4]. No scale_channels.
// CHECK-LABEL: func.func @rms_group
// CHECK: %[[G:.+]] = arith.constant dense<[5.000000e-01, 4.000000e+00]> : tensor<2xf32>
// CHECK: %[[N:.+]] = linea.rms_norm %arg0 weight %[[G]]
// CHECK: %[[Q:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 2.500000e-01], [1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK: linea.linear %[[N]], %[[Q]] {linea.smoothed = 5.000000e-01 : f32, name = "q"}
// CHECK: %[[K:.+]] = arith.constant dense<5.000000e-01> : tensor<1x2xf32>
// CHECK: linea.linear %[[N]], %[[K]] {linea.smoothed = 5.000000e-01 : f32, name = "k"}
// CHECK-NOT: linea.scale_channels
func.func @rms_group(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x1xf32>) {
  %g = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wq = arith.constant dense<[[1.0, 0.5], [0.5, 4.0]]> : tensor<2x2xf32>
  %wk = arith.constant dense<[[0.25, 1.0]]> : tensor<1x2xf32>
  %n = linea.rms_norm %x weight %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %q = linea.linear %n, %wq {name = "q"} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %k = linea.linear %n, %wk {name = "k"} : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %q, %k : tensor<3x2xf32>, tensor<3x1xf32>
}

// -----

// LayerNorm: s = [√9/√1, 1] = [3, 1]; γ = [3, 2] → [1, 2], β = [6, 1] → [2, 1].
// CHECK-LABEL: func.func @layer_norm_bias
// CHECK: %[[G:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[B:.+]] = arith.constant dense<[2.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: %[[N:.+]] = linea.layer_norm %arg0 weight %[[G]] bias %[[B]]
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[3.000000e+00, 1.000000e+00]]> : tensor<1x2xf32>
// CHECK: linea.linear %[[N]], %[[W]]
func.func @layer_norm_bias(%x: tensor<4x2xf32>) -> tensor<4x1xf32> {
  %g = arith.constant dense<[3.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<[6.0, 1.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %n = linea.layer_norm %x weight %g bias %beta : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %y = linea.linear %n, %w {name = "fc"} : (tensor<4x2xf32>, tensor<1x2xf32>) -> tensor<4x1xf32>
  return %y : tensor<4x1xf32>
}

// -----

// No norm in front: x ⊙ 1/s with s = [√4/√1, √1/√4] = [2, 0.5].
// CHECK-LABEL: func.func @function_argument
// CHECK: %[[S:.+]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[X:.+]] = linea.scale_channels %arg0, %[[S]]
// CHECK: %[[W:.+]] = arith.constant dense<2.000000e+00> : tensor<1x2xf32>
// CHECK: linea.linear %[[X]], %[[W]]
func.func @function_argument(%x: tensor<4x2xf32>) -> tensor<4x1xf32> {
  %w = arith.constant dense<[[1.0, 4.0]]> : tensor<1x2xf32>
  %y = linea.linear %x, %w {name = "up"} : (tensor<4x2xf32>, tensor<1x2xf32>) -> tensor<4x1xf32>
  return %y : tensor<4x1xf32>
}

// -----

// The norm also feeds the return: its weight stays, one scale_channels
// after it serves the smoothed layer.
// CHECK-LABEL: func.func @norm_with_other_user
// CHECK: %[[N:.+]] = linea.rms_norm %arg0 weight %{{.*}} : (tensor<3x2xf32>, tensor<2xf32>)
// CHECK: %[[X:.+]] = linea.scale_channels %[[N]], %{{.*}}
// CHECK: linea.linear %[[X]], %{{.*}} {linea.smoothed
// CHECK: return %{{.*}}, %[[N]]
func.func @norm_with_other_user(%x: tensor<3x2xf32>) -> (tensor<3x1xf32>, tensor<3x2xf32>) {
  %g = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 4.0]]> : tensor<1x2xf32>
  %n = linea.rms_norm %x weight %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %y = linea.linear %n, %w {name = "o"} : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %y, %n : tensor<3x1xf32>, tensor<3x2xf32>
}

// -----

// A weightless norm gets the weight 1/s; a channel that never fired keeps
// s = 1: s = [1, √4/√1] = [1, 2].
// CHECK-LABEL: func.func @weightless_norm_dead_channel
// CHECK: %[[G:.+]] = arith.constant dense<[1.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK: %[[N:.+]] = linea.rms_norm %arg0 weight %[[G]]
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[3.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
// CHECK: linea.linear %[[N]], %[[W]]
func.func @weightless_norm_dead_channel(%x: tensor<3x2xf32>) -> tensor<3x1xf32> {
  %w = arith.constant dense<[[3.0, 1.0]]> : tensor<1x2xf32>
  %n = linea.rms_norm %x : (tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linea.linear %n, %w {name = "dead"} : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}

// -----

// A weight that is not a constant cannot be scaled: left alone.
// CHECK-LABEL: func.func @variable_weight
// CHECK-NOT: scale_channels
// CHECK: linea.linear %arg0, %arg1 {name = "var"}
func.func @variable_weight(%x: tensor<3x2xf32>, %w: tensor<1x2xf32>) -> tensor<3x1xf32> {
  // expected-remark @+1 {{linea-smooth: skipped layer 'var': operand 'w' is not a constant}}
  %y = linea.linear %x, %w {name = "var"} : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}
