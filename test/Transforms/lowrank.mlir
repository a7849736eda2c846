// RUN: linea-opt %s --linea-lowrank="rank=1 except=keep* min-size=4" -split-input-file -verify-diagnostics | FileCheck %s

// W = a·bᵀ with a = [1..8], b = [1 0 -1 2 0 1]: exactly rank 1, so the SVD
// recovers it (weight error at f32 round-off). Balanced split:
// u = a·√(‖b‖/‖a‖) = a·0.430395, v = b·√(‖a‖/‖b‖) = b·2.323448. The bias and
// the name carry over.
// CHECK-LABEL: func.func @exact_rank_one
// CHECK-SAME: (%[[X:.+]]: tensor<3x6xf32>, %[[B:.+]]: tensor<8xf32>)
// CHECK-DAG: %[[U:.+]] = arith.constant dense<{{\[\[}}0.4303{{[0-9]*}}], [0.8607{{[0-9]*}}], [1.2911{{[0-9]*}}], [1.7215{{[0-9]*}}], [2.1519{{[0-9]*}}], [2.5823{{[0-9]*}}], [3.0127{{[0-9]*}}], [3.4431{{[0-9]*}}]]> : tensor<8x1xf32>
// CHECK-DAG: %[[V:.+]] = arith.constant dense<{{\[\[}}2.3234{{[0-9]*}}, {{.*}}, -2.3234{{[0-9]*}}, 4.6468{{[0-9]*}}, {{.*}}, 2.3234{{[0-9]*}}]]> : tensor<1x6xf32>
// CHECK: %[[Y:.+]] = linea.lowrank_linear %[[X]], %[[U]], %[[V]] bias %[[B]] {linea.weight_error = {{[0-9.]+}}E-{{[0-9]+}} : f32, name = "fc"} : (tensor<3x6xf32>, tensor<8x1xf32>, tensor<1x6xf32>, tensor<8xf32>) -> tensor<3x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @exact_rank_one(%x: tensor<3x6xf32>, %b: tensor<8xf32>) -> tensor<3x8xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0, 2.0, 0.0, 1.0], [2.0, 0.0, -2.0, 4.0, 0.0, 2.0], [3.0, 0.0, -3.0, 6.0, 0.0, 3.0], [4.0, 0.0, -4.0, 8.0, 0.0, 4.0], [5.0, 0.0, -5.0, 10.0, 0.0, 5.0], [6.0, 0.0, -6.0, 12.0, 0.0, 6.0], [7.0, 0.0, -7.0, 14.0, 0.0, 7.0], [8.0, 0.0, -8.0, 16.0, 0.0, 8.0]]> : tensor<8x6xf32>
  %y = linea.linear %x, %w bias %b {name = "fc"} : (tensor<3x6xf32>, tensor<8x6xf32>, tensor<8xf32>) -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}

// -----

// A rank-2 weight truncated to rank 1: W = diag(3, 1) padded to 4x4 keeps
// σ = 3 and drops σ = 1, so the weight error is 1/√10 = 0.316228.
// Factors take the weight's element type (f16), activations stay f32.
// CHECK-LABEL: func.func @truncated_f16
// CHECK-DAG: %[[U:.+]] = arith.constant dense<{{\[\[}}1.732{{[0-9]*}}e+00], [0.000000e+00], [0.000000e+00], [0.000000e+00]]> : tensor<4x1xf16>
// CHECK-DAG: %[[V:.+]] = arith.constant dense<{{\[\[}}1.732{{[0-9]*}}e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x4xf16>
// CHECK: linea.lowrank_linear %{{.*}}, %[[U]], %[[V]] {linea.weight_error = 0.316{{[0-9]*}} : f32} : (tensor<2x4xf32>, tensor<4x1xf16>, tensor<1x4xf16>) -> tensor<2x4xf32>
func.func @truncated_f16(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[3.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf16>
  %y = linea.linear %x, %w : (tensor<2x4xf32>, tensor<4x4xf16>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A 2x2 layer: rank 1 stores 1·(2+2) = 4 numbers, no fewer than W's 4, so
// the layer stays dense (and no SVD is run).
// CHECK-LABEL: func.func @not_shrinking
// CHECK: linea.linear
// CHECK-NOT: linea.lowrank_linear
func.func @not_shrinking(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // expected-remark @+1 {{linea-lowrank: skipped layer 'square': rank 1 stores 1·(2+2) = 4 parameters, not fewer than the dense 2·2 = 4}}
  %y = linea.linear %x, %w {name = "square"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Layer selection: `except=keep*` and `min-size=4` leave these alone; the
// unnamed layer is selected by its `<func>#<index>` name.
// CHECK-LABEL: func.func @selection
// CHECK: linea.linear %{{.*}} {name = "keep_me"}
// CHECK: linea.linear %{{.*}} {name = "tiny"}
// CHECK: linea.lowrank_linear {{.*}}tensor<6x1xf32>, tensor<1x6xf32>
func.func @selection(%x: tensor<2x6xf32>, %t: tensor<2x3xf32>) -> (tensor<2x6xf32>, tensor<2x1xf32>, tensor<2x6xf32>) {
  %w = arith.constant dense<1.0> : tensor<6x6xf32>
  // expected-remark @+1 {{linea-lowrank: skipped layer 'keep_me': name matches except='keep*'}}
  %a = linea.linear %x, %w {name = "keep_me"} : (tensor<2x6xf32>, tensor<6x6xf32>) -> tensor<2x6xf32>
  %w2 = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  // expected-remark @+1 {{linea-lowrank: skipped layer 'tiny': N·K = 1·3 = 3 is below min-size=4}}
  %b = linea.linear %t, %w2 {name = "tiny"} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  %c = linea.linear %x, %w : (tensor<2x6xf32>, tensor<6x6xf32>) -> tensor<2x6xf32>
  return %a, %b, %c : tensor<2x6xf32>, tensor<2x1xf32>, tensor<2x6xf32>
}

// -----

// A weight that is not a constant cannot be factorized at compile time.
// CHECK-LABEL: func.func @runtime_weight
// CHECK: linea.linear
func.func @runtime_weight(%x: tensor<2x6xf32>, %w: tensor<6x6xf32>) -> tensor<2x6xf32> {
  // expected-remark @+1 {{linea-lowrank: skipped layer 'runtime_weight#0': operand 'w' is not a constant}}
  %y = linea.linear %x, %w : (tensor<2x6xf32>, tensor<6x6xf32>) -> tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}
