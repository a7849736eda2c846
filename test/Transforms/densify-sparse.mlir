// RUN: linea-opt %s --linea-densify -split-input-file -verify-diagnostics | FileCheck %s

// N = K = 4, 2x2 blocks. row_offsets [0, 1, 3]: block row 0 holds entry 0,
// block row 1 holds entries 1 and 2. col_indices [1, 0, 1], so
//   entry 0 -> W[0:2, 2:4] = [[1, 2], [3, 4]]
//   entry 1 -> W[2:4, 0:2] = [[5, 6], [7, 8]]
//   entry 2 -> W[2:4, 2:4] = [[9, 10], [11, 12]]
// and W[0:2, 0:2] (no stored block) is 0:
//   W = [[0, 0, 1, 2], [0, 0, 3, 4], [5, 6, 9, 10], [7, 8, 11, 12]].
// CHECK-LABEL: func.func @bsr_2x2_blocks
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00], [0.000000e+00, 0.000000e+00, 3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00, 9.000000e+00, 1.000000e+01], [7.000000e+00, 8.000000e+00, 1.100000e+01, 1.200000e+01]]> : tensor<4x4xf32>
// CHECK: linea.linear %{{.*}}, %[[W]] {name = "fc1"} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
// CHECK-NOT: linea.bsr_linear
func.func @bsr_2x2_blocks(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %values = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]], [[9.0, 10.0], [11.0, 12.0]]]> : tensor<3x2x2xf32>
  %cols = arith.constant dense<[1, 0, 1]> : tensor<3xi32>
  %rows = arith.constant dense<[0, 1, 3]> : tensor<3xi32>
  %y = linea.bsr_linear %x, %values, %cols, %rows {name = "fc1"}
      : (tensor<2x4xf32>, tensor<3x2x2xf32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// N = 3 (bn = 1), K = 4 (bk = 2), i64 indices, f16, with a bias.
// row_offsets [0, 0, 2, 3]: row 0 is empty, row 1 holds entries 0 and 1
// (block columns 0 and 1), row 2 holds entry 2 (block column 1):
//   W = [[0, 0, 0, 0], [1, 2, 3, 4], [0, 0, 5, 6]].
// CHECK-LABEL: func.func @bsr_empty_row_f16
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00], [0.000000e+00, 0.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<3x4xf16>
// CHECK: linea.linear %{{.*}}, %[[W]] bias %{{.*}} : (tensor<5x4xf16>, tensor<3x4xf16>, tensor<3xf16>) -> tensor<5x3xf16>
func.func @bsr_empty_row_f16(%x: tensor<5x4xf16>, %b: tensor<3xf16>) -> tensor<5x3xf16> {
  %values = arith.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]], [[5.0, 6.0]]]> : tensor<3x1x2xf16>
  %cols = arith.constant dense<[0, 1, 1]> : tensor<3xi64>
  %rows = arith.constant dense<[0, 0, 2, 3]> : tensor<4xi64>
  %y = linea.bsr_linear %x, %values, %cols, %rows bias %b
      : (tensor<5x4xf16>, tensor<3x1x2xf16>, tensor<3xi64>, tensor<4xi64>, tensor<3xf16>) -> tensor<5x3xf16>
  return %y : tensor<5x3xf16>
}

// -----

// Non-constant block values: the layer stays as it is.
// CHECK-LABEL: func.func @bsr_not_constant
// CHECK: linea.bsr_linear
func.func @bsr_not_constant(%x: tensor<2x4xf32>, %values: tensor<1x2x2xf32>) -> tensor<2x4xf32> {
  %cols = arith.constant dense<[1]> : tensor<1xi32>
  %rows = arith.constant dense<[0, 1, 1]> : tensor<3xi32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'values' is not a constant}}
  %y = linea.bsr_linear %x, %values, %cols, %rows
      : (tensor<2x4xf32>, tensor<1x2x2xf32>, tensor<1xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Non-constant block row offsets: the layer stays as it is.
// CHECK-LABEL: func.func @bsr_offsets_not_constant
// CHECK: linea.bsr_linear
func.func @bsr_offsets_not_constant(%x: tensor<2x4xf32>, %rows: tensor<3xi32>) -> tensor<2x4xf32> {
  %values = arith.constant dense<1.0> : tensor<1x2x2xf32>
  %cols = arith.constant dense<[1]> : tensor<1xi32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'row_offsets' is not a constant}}
  %y = linea.bsr_linear %x, %values, %cols, %rows
      : (tensor<2x4xf32>, tensor<1x2x2xf32>, tensor<1xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// 2:4 on N = 2, K = 8: kept element j of a row sits in group j div 2, i.e.
// columns [4·(j div 2), 4·(j div 2) + 4), at offset indices[r, j].
//   row 0: values [1, 2, 3, 4], indices [0, 1, 2, 3]
//          -> W[0, 0] = 1, W[0, 1] = 2, W[0, 4+2] = 3, W[0, 4+3] = 4
//   row 1: values [5, 6, 7, 8], indices [1, 3, 0, 2]
//          -> W[1, 1] = 5, W[1, 3] = 6, W[1, 4+0] = 7, W[1, 4+2] = 8
//   W = [[1, 2, 0, 0, 0, 0, 3, 4], [0, 5, 0, 6, 7, 0, 8, 0]].
// CHECK-LABEL: func.func @nm_2_4
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 3.000000e+00, 4.000000e+00], [0.000000e+00, 5.000000e+00, 0.000000e+00, 6.000000e+00, 7.000000e+00, 0.000000e+00, 8.000000e+00, 0.000000e+00]]> : tensor<2x8xf32>
// CHECK: linea.linear %{{.*}}, %[[W]] {name = "fc2"} : (tensor<3x8xf32>, tensor<2x8xf32>) -> tensor<3x2xf32>
// CHECK-NOT: linea.nm_linear
func.func @nm_2_4(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %values = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %indices = arith.constant dense<[[0, 1, 2, 3], [1, 3, 0, 2]]> : tensor<2x4xi8>
  %y = linea.nm_linear 2:4 %x, %values, %indices {name = "fc2"}
      : (tensor<3x8xf32>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// 1:2 on N = 2, K = 4 (groups of 2 columns, one kept per group), with bias:
//   row 0: values [-1.5, 2.5], indices [1, 0] -> W[0, 1] = -1.5, W[0, 2] = 2.5
//   row 1: values [0.25, 4],   indices [0, 1] -> W[1, 0] = 0.25, W[1, 3] = 4
//   W = [[0, -1.5, 2.5, 0], [0.25, 0, 0, 4]].
// CHECK-LABEL: func.func @nm_1_2
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[0.000000e+00, -1.500000e+00, 2.500000e+00, 0.000000e+00], [2.500000e-01, 0.000000e+00, 0.000000e+00, 4.000000e+00]]> : tensor<2x4xf32>
// CHECK: linea.linear %{{.*}}, %[[W]] bias %{{.*}} : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<1x2xf32>
func.func @nm_1_2(%x: tensor<1x4xf32>, %b: tensor<2xf32>) -> tensor<1x2xf32> {
  %values = arith.constant dense<[[-1.5, 2.5], [0.25, 4.0]]> : tensor<2x2xf32>
  %indices = arith.constant dense<[[1, 0], [0, 1]]> : tensor<2x2xi8>
  %y = linea.nm_linear 1:2 %x, %values, %indices bias %b
      : (tensor<1x4xf32>, tensor<2x2xf32>, tensor<2x2xi8>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Non-constant indices: the layer stays as it is.
// CHECK-LABEL: func.func @nm_not_constant
// CHECK: linea.nm_linear 2:4
func.func @nm_not_constant(%x: tensor<3x8xf32>, %indices: tensor<2x4xi8>) -> tensor<3x2xf32> {
  %values = arith.constant dense<1.0> : tensor<2x4xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'indices' is not a constant}}
  %y = linea.nm_linear 2:4 %x, %values, %indices
      : (tensor<3x8xf32>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
