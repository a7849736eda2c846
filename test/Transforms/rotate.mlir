// RUN: linea-opt %s --linea-rotate -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-rotate="block-size=2 only=q,k" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=B2

// q and k read the same x: one linea.hadamard (B = 4, the largest power of
// two ≤ 128 dividing K = 4) serves both. With H₄/2:
//   [1, 2, 3, 4]·H₄/2 = [10, −2, −4, 0]/2 = [5, −1, −2, 0];  [1, 1, 1, 1]·H₄/2 = [2, 0, 0, 0].
// CHECK-LABEL: func.func @shared_input
// CHECK: %[[H:.+]] = linea.hadamard %arg0 {block_size = 4 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK: %[[Q:.+]] = arith.constant dense<{{\[}}[5.000000e+00, -1.000000e+00, -2.000000e+00, 0.000000e+00]]> : tensor<1x4xf32>
// CHECK: linea.linear %[[H]], %[[Q]] {linea.rotated = 4 : i64, name = "q"}
// CHECK: %[[K:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x4xf32>
// CHECK: linea.linear %[[H]], %[[K]] {linea.rotated = 4 : i64, name = "k"}
// CHECK-NOT: linea.hadamard
// B2-LABEL: func.func @shared_input
// B2: linea.hadamard %arg0 {block_size = 2 : i64}
// B2-NOT: linea.hadamard
func.func @shared_input(%x: tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<3x1xf32>) {
  %wq = arith.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %wk = arith.constant dense<1.0> : tensor<1x4xf32>
  %q = linea.linear %x, %wq {name = "q"} : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x1xf32>
  %k = linea.linear %x, %wk {name = "k"} : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x1xf32>
  return %q, %k : tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// The rotation goes right after the producer of x; its other readers (the
// return) keep the unrotated value. K = 96: B = 32.
// CHECK-LABEL: func.func @after_producer
// CHECK: %[[N:.+]] = linea.rms_norm %arg0
// CHECK-NEXT: %[[H:.+]] = linea.hadamard %[[N]] {block_size = 32 : i64}
// CHECK: linea.linear %[[H]]
// CHECK: return %{{.*}}, %[[N]]
func.func @after_producer(%x: tensor<2x96xf32>) -> (tensor<2x8xf32>, tensor<2x96xf32>) {
  %n = linea.rms_norm %x : (tensor<2x96xf32>) -> tensor<2x96xf32>
  %w = arith.constant dense<0.5> : tensor<8x96xf32>
  %y = linea.linear %n, %w {name = "fc"} : (tensor<2x96xf32>, tensor<8x96xf32>) -> tensor<2x8xf32>
  return %y, %n : tensor<2x8xf32>, tensor<2x96xf32>
}

// -----

// CHECK-LABEL: func.func @skipped
// CHECK-NOT: linea.hadamard
func.func @skipped(%x: tensor<2x3xf32>, %z: tensor<2x4xf32>, %v: tensor<1x4xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x3xf32>
  // expected-remark @+1 {{linea-rotate: skipped layer 'odd': K = 3 has no power-of-two block ≥ 2}}
  %y = linea.linear %x, %w {name = "odd"} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  // expected-remark @+1 {{linea-rotate: skipped layer 'var': operand 'w' is not a constant}}
  %u = linea.linear %z, %v {name = "var"} : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
  return %y, %u : tensor<2x1xf32>, tensor<2x1xf32>
}
