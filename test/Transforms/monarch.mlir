// RUN: linea-opt %s --linea-monarch="blocks=4" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-monarch="blocks=4 rank=2 only=exact" -split-input-file 2>&1 | FileCheck %s --check-prefix=RANK2
// RUN: not linea-opt %s --linea-monarch="blocks=0" -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: linea-monarch: options 'blocks' (got 0) must be at least 1 and 'rank' (got 0) at least 0

// W is a Monarch product (b = 4, p = q = r = s = 4, integer factors in
// [-2, 2], built by the op's index formula in numpy): each of its 16 strided
// 4x4 sub-blocks has rank 1, so the projection (rank 0 = K/b² = 1) recovers
// it up to f32 round-off, with 2·4·4·4 = 128 parameters instead of 256.
// CHECK-LABEL: func.func @exact
// CHECK: linea.monarch_linear %{{.*}}, %{{.*}}, %{{.*}} {linea.weight_error = {{[0-9.]+E-([6-9]|[1-9][0-9])|0.000000e\+00}} : f32, name = "exact"} : (tensor<2x16xf32>, tensor<4x4x4xf32>, tensor<4x4x4xf32>) -> tensor<2x16xf32>
// Block rank 2 stores 2·4·(16+16) = 256 numbers: no saving, left dense.
// RANK2: remark: linea-monarch: skipped layer 'exact': the form stores 256 parameters, not fewer than the dense 16·16 = 256
func.func @exact(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %w = arith.constant dense<[[2.0, -2.0, -2.0, -1.0, 1.0, 1.0, -2.0, -2.0, 0.0, 0.0, 0.0, 0.0, -4.0, 4.0, 2.0, 0.0], [2.0, -2.0, -2.0, 0.0, 0.0, -2.0, 4.0, 0.0, 2.0, 2.0, 4.0, -2.0, -1.0, 0.0, -2.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 2.0, -2.0, -2.0, 2.0, 0.0, 2.0, 1.0, -1.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -2.0, 1.0, 2.0, 1.0, 0.0, 1.0, 1.0, 2.0], [4.0, -4.0, -4.0, -2.0, -1.0, -1.0, 2.0, 2.0, 1.0, -1.0, -1.0, 1.0, -2.0, 2.0, 1.0, 0.0], [4.0, -4.0, -4.0, 0.0, 0.0, -1.0, 2.0, 0.0, -1.0, -1.0, -2.0, 1.0, -2.0, 0.0, -4.0, 2.0], [-4.0, -4.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, -2.0, 2.0, 2.0, -2.0, 0.0, 4.0, 2.0, -2.0], [-2.0, 0.0, 2.0, 4.0, -2.0, 1.0, 1.0, 2.0, 4.0, -2.0, -4.0, -2.0, 0.0, 2.0, 2.0, 4.0], [-2.0, 2.0, 2.0, 1.0, -1.0, -1.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0, -2.0, 2.0, 1.0, 0.0], [-4.0, 4.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 4.0, -2.0, -1.0, 0.0, -2.0, 1.0], [2.0, 2.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, -2.0, -2.0, 2.0, 0.0, 2.0, 1.0, -1.0], [1.0, 0.0, -1.0, -2.0, 4.0, -2.0, -2.0, -4.0, -4.0, 2.0, 4.0, 2.0, 0.0, -1.0, -1.0, -2.0], [-2.0, 2.0, 2.0, 1.0, 1.0, 1.0, -2.0, -2.0, 1.0, -1.0, -1.0, 1.0, 2.0, -2.0, -1.0, 0.0], [2.0, -2.0, -2.0, 0.0, 0.0, -2.0, 4.0, 0.0, -1.0, -1.0, -2.0, 1.0, 2.0, 0.0, 4.0, -2.0], [-2.0, -2.0, -1.0, 0.0, 0.0, 0.0, 2.0, 0.0, -4.0, 4.0, 4.0, -4.0, 0.0, 2.0, 1.0, -1.0], [-2.0, 0.0, 2.0, 4.0, -2.0, 1.0, 1.0, 2.0, -2.0, 1.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<16x16xf32>
  %y = linea.linear %x, %w {name = "exact"} : (tensor<2x16xf32>, tensor<16x16xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// K ≠ N: the default block rank is max(1, K/b²) = 32/16 = 2, so w1 is
// [b, 2·b, K/b] = [4, 8, 8] and w2 [b, N/b, 2·b] = [4, 4, 8] (384 < 512
// numbers). A splat has rank-1 sub-blocks: recovered exactly.
// CHECK-LABEL: func.func @rectangular
// CHECK: linea.monarch_linear {{.*}}{linea.weight_error = 0.000000e+00 : f32} : (tensor<2x32xf32>, tensor<4x8x8xf32>, tensor<4x4x8xf32>) -> tensor<2x16xf32>
func.func @rectangular(%x: tensor<2x32xf32>) -> tensor<2x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x32xf32>
  %y = linea.linear %x, %w : (tensor<2x32xf32>, tensor<16x32xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// blocks=4 does not divide K = 6.
// CHECK-LABEL: func.func @indivisible
// CHECK: linea.linear
func.func @indivisible(%x: tensor<2x6xf32>) -> tensor<2x8xf32> {
  %w = arith.constant dense<1.0> : tensor<8x6xf32>
  // expected-remark @+1 {{linea-monarch: skipped layer 'indivisible#0': blocks = 4 does not divide K = 6 (N = 8)}}
  %y = linea.linear %x, %w : (tensor<2x6xf32>, tensor<8x6xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// A 4x4 layer with b = 4: rank 1 stores 1·4·(4+4) = 32 numbers > 16.
// CHECK-LABEL: func.func @not_shrinking
// CHECK: linea.linear
func.func @not_shrinking(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<1.0> : tensor<4x4xf32>
  // expected-remark @+1 {{linea-monarch: skipped layer 'not_shrinking#0': the form stores 32 parameters, not fewer than the dense 4·4 = 16}}
  %y = linea.linear %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
