// RUN: linea-opt %s --linea-blockdiag="blocks=2" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not linea-opt %s --linea-blockdiag="blocks=0" -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: linea-blockdiag: option 'blocks' must be at least 1, got 0

// Two 2x3 diagonal blocks are kept; the off-diagonal entries (7 and 8, of
// ‖W‖² = 1+4+9+16+25+36+49+64 = 204) are dropped: error √(113/204) = 0.744.
// CHECK-LABEL: func.func @blocks
// CHECK: %[[D:.+]] = arith.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00, 0.000000e+00], [0.000000e+00, 3.000000e+00, 4.000000e+00]], {{\[\[}}5.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 6.000000e+00]]]> : tensor<2x2x3xf32>
// CHECK: linea.blockdiag_linear %{{.*}}, %[[D]] bias %{{.*}} {linea.weight_error = 0.744{{[0-9]*}} : f32, name = "proj"} : (tensor<3x6xf32>, tensor<2x2x3xf32>, tensor<4xf32>) -> tensor<3x4xf32>
func.func @blocks(%x: tensor<3x6xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 0.0, 7.0, 0.0, 0.0], [0.0, 3.0, 4.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 5.0, 0.0, 0.0], [0.0, 0.0, 8.0, 0.0, 0.0, 6.0]]> : tensor<4x6xf32>
  %y = linea.linear %x, %w bias %b {name = "proj"} : (tensor<3x6xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// An exactly block-diagonal weight is recovered exactly.
// CHECK-LABEL: func.func @exact
// CHECK: linea.blockdiag_linear {{.*}}{linea.weight_error = 0.000000e+00 : f32}
func.func @exact(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 0.0, 0.0], [0.0, 0.0, 5.0, 6.0], [0.0, 0.0, 7.0, 8.0]]> : tensor<4x4xf32>
  %y = linea.linear %x, %w : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// blocks=2 does not divide N = 3: the layer stays dense.
// CHECK-LABEL: func.func @indivisible
// CHECK: linea.linear
func.func @indivisible(%x: tensor<3x4xf32>) -> tensor<3x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  // expected-remark @+1 {{linea-blockdiag: skipped layer 'indivisible#0': blocks = 2 does not divide N = 3 (K = 4)}}
  %y = linea.linear %x, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}
