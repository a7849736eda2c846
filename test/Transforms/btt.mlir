// RUN: linea-opt %s --linea-btt -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-btt="rank=2 only=exact" -split-input-file 2>&1 | FileCheck %s --check-prefix=RANK2
// RUN: not linea-opt %s --linea-btt="rank=0" -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: linea-btt: options 'rank' (got 0) must be at least 1 and 'cores' (got 0) at least 0

// W is a rank-1 BTT matrix (M1 = N0 = 4 cores, M0 = N1 = 4, integer factors
// in [-2, 2], built by the op's index formula in numpy). The default cores
// (the divisor of 16 nearest (16·16)^¼ = 4) and rank 1 recover it up to f32
// round-off with 1·4·(16+16) = 128 parameters.
// CHECK-LABEL: func.func @exact
// CHECK: linea.btt_linear %{{.*}}, %{{.*}}, %{{.*}} {linea.weight_error = {{[0-9.]+E-([6-9]|[1-9][0-9])|0.000000e\+00}} : f32, name = "exact"} : (tensor<2x16xf32>, tensor<4x4x4xf32>, tensor<4x4x4xf32>) -> tensor<2x16xf32>
// RANK2: remark: linea-btt: skipped layer 'exact': the form stores 256 parameters, not fewer than the dense 16·16 = 256
func.func @exact(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %w = arith.constant dense<[[-2.0, 1.0, -2.0, -2.0, -2.0, -4.0, 4.0, -2.0, 0.0, 0.0, 0.0, -4.0, 2.0, -1.0, -2.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, -1.0, -2.0, 2.0], [2.0, -1.0, 2.0, 2.0, 1.0, 2.0, -2.0, 1.0, 0.0, 0.0, 0.0, -4.0, 0.0, 0.0, 0.0, 0.0], [-4.0, 2.0, -4.0, -4.0, -2.0, -4.0, 4.0, -2.0, 0.0, 0.0, 0.0, 0.0, -2.0, 1.0, 2.0, -2.0], [2.0, 2.0, 2.0, 1.0, -2.0, 4.0, 4.0, 2.0, -2.0, 0.0, 2.0, -1.0, -1.0, -1.0, 0.0, -1.0], [-4.0, -4.0, -4.0, -2.0, -1.0, 2.0, 2.0, 1.0, 2.0, 0.0, -2.0, 1.0, 2.0, 2.0, 0.0, 2.0], [2.0, 2.0, 2.0, 1.0, -2.0, 4.0, 4.0, 2.0, -4.0, 0.0, 4.0, -2.0, -2.0, -2.0, 0.0, -2.0], [0.0, 0.0, 0.0, 0.0, 1.0, -2.0, -2.0, -1.0, 2.0, 0.0, -2.0, 1.0, -1.0, -1.0, 0.0, -1.0], [0.0, 0.0, -4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.0, -2.0, -1.0, 4.0, 2.0, -4.0, -4.0], [0.0, 0.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 2.0, 0.0, 2.0, -2.0, 4.0, 2.0, -4.0, -2.0, 2.0, 1.0, -2.0, -2.0], [0.0, 0.0, -2.0, 0.0, 2.0, 0.0, 2.0, -2.0, -4.0, -2.0, 4.0, 2.0, 2.0, 1.0, -2.0, -2.0], [2.0, 4.0, -2.0, -4.0, 2.0, -2.0, -4.0, 4.0, -2.0, 4.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [-2.0, -4.0, 2.0, 4.0, 1.0, -1.0, -2.0, 2.0, -2.0, 4.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [2.0, 4.0, -2.0, -4.0, -2.0, 2.0, 4.0, -4.0, -1.0, 2.0, 1.0, 0.0, -4.0, -2.0, 2.0, 0.0], [-2.0, -4.0, 2.0, 4.0, 2.0, -2.0, -4.0, 4.0, 1.0, -2.0, -1.0, 0.0, 2.0, 1.0, -1.0, 0.0]]> : tensor<16x16xf32>
  %y = linea.linear %x, %w {name = "exact"} : (tensor<2x16xf32>, tensor<16x16xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// cores default for 16x64: the common divisor of 16 and 64 nearest
// (16·64)^¼ = 5.66 is 4 (8 is as near; the smaller wins):
// w1 [4, 16, 4], w2 [4, 4, 4].
// CHECK-LABEL: func.func @rectangular
// CHECK: linea.btt_linear {{.*}}: (tensor<2x64xf32>, tensor<4x16x4xf32>, tensor<4x4x4xf32>) -> tensor<2x16xf32>
func.func @rectangular(%x: tensor<2x64xf32>) -> tensor<2x16xf32> {
  %w = arith.constant dense<0.25> : tensor<16x64xf32>
  %y = linea.linear %x, %w : (tensor<2x64xf32>, tensor<16x64xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// The default cores of 7x5 is 1 (gcd 1), and a 1-core BTT of rank 1 is a
// rank-1 matrix: 1·1·(7+5) = 12 < 35 numbers.
// CHECK-LABEL: func.func @coprime
// CHECK: linea.btt_linear {{.*}}: (tensor<2x5xf32>, tensor<1x5x1xf32>, tensor<1x1x7xf32>) -> tensor<2x7xf32>
func.func @coprime(%x: tensor<2x5xf32>) -> tensor<2x7xf32> {
  %w = arith.constant dense<1.0> : tensor<7x5xf32>
  %y = linea.linear %x, %w : (tensor<2x5xf32>, tensor<7x5xf32>) -> tensor<2x7xf32>
  return %y : tensor<2x7xf32>
}
