// RUN: linea-opt %s --linea-sparsify="pattern=block:2x2 sparsity=0.5" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=BLOCK
// RUN: linea-opt %s --linea-sparsify -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=NM

// W (4×4) in 2×2 blocks with squared norms 4, 36, 16, 1: 50% keeps the
// blocks (row 0, col 1) and (row 1, col 0).
// 2:4 keeps the two largest |w| of each group of 4 in each row:
//   row 0: 3, 3 at 2, 3;  row 1 same;  row 2: 2, 2 at 0, 1;  row 3 same.
// BLOCK-LABEL: func.func @layer
// BLOCK-DAG: %[[V:.+]] = arith.constant dense<{{\[\[\[}}3.000000e+00, 3.000000e+00], [3.000000e+00, 3.000000e+00]], {{\[\[}}2.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00]]]> : tensor<2x2x2xf32>
// BLOCK-DAG: %[[C:.+]] = arith.constant dense<[1, 0]> : tensor<2xi32>
// BLOCK-DAG: %[[R:.+]] = arith.constant dense<[0, 1, 2]> : tensor<3xi32>
// BLOCK: linea.bsr_linear %{{.*}}, %[[V]], %[[C]], %[[R]] {linea.weight_error = 0.{{[0-9]+}} : f32, name = "fc"}
// NM-LABEL: func.func @layer
// NM-DAG: %[[V:.+]] = arith.constant dense<{{\[\[}}3.000000e+00, 3.000000e+00], [3.000000e+00, 3.000000e+00], [2.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00]]> : tensor<4x2xf32>
// NM-DAG: %[[I:.+]] = arith.constant dense<{{\[\[}}2, 3], [2, 3], [0, 1], [0, 1]]> : tensor<4x2xi8>
// NM: linea.nm_linear 2:4 %{{.*}}, %[[V]], %[[I]] {linea.weight_error = {{.*}}, name = "fc"}
func.func @layer(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<[[1.0, 1.0, 3.0, 3.0], [1.0, 1.0, 3.0, 3.0],
                             [2.0, 2.0, 0.5, 0.5], [2.0, 2.0, 0.5, 0.5]]> : tensor<4x4xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Shapes the pattern does not tile are skipped with the numbers.
// BLOCK-LABEL: func.func @odd
// NM-LABEL: func.func @odd
func.func @odd(%x: tensor<3x6xf32>) -> tensor<3x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x6xf32>
  // expected-remark @+1 {{skipped layer 'odd#0': }}
  %y = linea.linear %x, %w : (tensor<3x6xf32>, tensor<3x6xf32>) -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}
