// linea-raise: constant-weight contractions → linea.linear. Inputs are
// linea-import-onnx output of small ONNX graphs (python3-onnx helper).
// RUN: linea-opt --linea-raise -split-input-file %s | FileCheck %s

// MatMul x[2,5,4]·W[4,3] + B[3]: raised on the un-collapsed x, W transposed,
// the bias folded, the matmul's name kept.
// CHECK-LABEL: func.func @matmul_bias
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[-7.400000e-01, -1.600000e-01, -4.800000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[}}[3.500000e-01, -1.300000e+00, -5.400000e-01, 2.900000e-01], {{.*}}]> : tensor<3x4xf32>
// CHECK: %[[Y:.+]] = linea.linear %arg0, %[[W]] bias %[[B]] {name = "fc/MatMul"} : (tensor<2x5x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x5x3xf32>
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: linalg
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @matmul_bias(%arg0: tensor<2x5x4xf32> {onnx.name = "x"}) -> (tensor<2x5x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[3.500000e-01, 0.819999992, 3.300000e-01], [-1.300000e+00, 9.100000e-01, 4.500000e-01], [-5.400000e-01, 5.800000e-01, 3.600000e-01], [2.900000e-01, 3.000000e-02, 5.500000e-01]]> : tensor<4x3xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x5x4xf32> into tensor<10x4xf32>
    %0 = tensor.empty() : tensor<10x3xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<10x3xf32>) -> tensor<10x3xf32>
    %2 = linalg.matmul {name = "fc/MatMul"} ins(%collapsed, %cst : tensor<10x4xf32>, tensor<4x3xf32>) outs(%1 : tensor<10x3xf32>) -> tensor<10x3xf32>
    %expanded = tensor.expand_shape %2 [[0, 1], [2]] output_shape [2, 5, 3] : tensor<10x3xf32> into tensor<2x5x3xf32>
    %cst_1 = arith.constant dense<[-7.400000e-01, -1.600000e-01, -4.800000e-01]> : tensor<3xf32>
    %3 = tensor.empty() : tensor<2x5x3xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded, %cst_1 : tensor<2x5x3xf32>, tensor<3xf32>) outs(%3 : tensor<2x5x3xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %5 = arith.addf %in, %in_2 : f32
      linalg.yield %5 : f32
    } -> tensor<2x5x3xf32>
    return %4 : tensor<2x5x3xf32>
  }
}

// -----

// Gemm alpha=0.5 beta=2 transB=1: B is already [N,K]; alpha is folded into w,
// beta·C into the bias.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[-0.839999973, 4.200000e-01, 4.400000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[}}[3.000000e-01, 2.000000e-02, -1.450000e-01, -3.900000e-01], {{.*}}]> : tensor<3x4xf32>
// CHECK: linea.linear %arg0, %[[W]] bias %[[B]] {name = "g"}
// CHECK-NOT: linalg
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @gemm(%arg0: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[6.000000e-01, 4.000000e-02, -2.900000e-01, -7.800000e-01], [-2.600000e-01, 0.00999999977, -2.800000e-01, 1.290000e+00], [1.010000e+00, -2.710000e+00, -1.890000e+00, -1.700000e-01]]> : tensor<3x4xf32>
    %0 = tensor.empty() : tensor<4x3xf32>
    %transposed = linalg.transpose ins(%cst : tensor<3x4xf32>) outs(%0 : tensor<4x3xf32>) permutation = [1, 0] 
    %cst_0 = arith.constant 0.000000e+00 : f32
    %1 = tensor.empty() : tensor<2x3xf32>
    %2 = linalg.fill ins(%cst_0 : f32) outs(%1 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %3 = linalg.matmul {name = "g"} ins(%arg0, %transposed : tensor<2x4xf32>, tensor<4x3xf32>) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %cst_1 = arith.constant dense<[-4.200000e-01, 2.100000e-01, 2.200000e-01]> : tensor<3xf32>
    %4 = tensor.empty() : tensor<2x3xf32>
    %5 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%3, %cst_1 : tensor<2x3xf32>, tensor<3xf32>) outs(%4 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %cst_3 = arith.constant 5.000000e-01 : f32
      %6 = arith.mulf %in, %cst_3 : f32
      %cst_4 = arith.constant 2.000000e+00 : f32
      %7 = arith.mulf %in_2, %cst_4 : f32
      %8 = arith.addf %6, %7 : f32
      linalg.yield %8 : f32
    } -> tensor<2x3xf32>
    return %5 : tensor<2x3xf32>
  }
}

// -----

// f16: the f32 accumulator's truncf and the bias Add(B, t) (bias first) fold.
// CHECK-LABEL: func.func @matmul_f16
// CHECK: linea.linear %arg0, %{{.+}} bias %{{.+}} {name = "h"} : (tensor<2x4xf16>, tensor<3x4xf16>, tensor<3xf16>) -> tensor<2x3xf16>
// CHECK-NOT: linalg
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @matmul_f16(%arg0: tensor<2x4xf16> {onnx.name = "x"}) -> (tensor<2x3xf16> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[2.119140e+00, -1.110350e+00, -3.798830e-01], [2.039060e+00, 6.499020e-01, 6.601560e-01], [-5.097660e-01, -1.650390e+00, 1.700440e-01], [1.099850e-01, -1.230470e+00, -6.801760e-01]]> : tensor<4x3xf16>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x3xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %2 = linalg.matmul {name = "h"} ins(%arg0, %cst : tensor<2x4xf16>, tensor<4x3xf16>) outs(%1 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %3 = tensor.empty() : tensor<2x3xf16>
    %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<2x3xf32>) outs(%3 : tensor<2x3xf16>) {
    ^bb0(%in: f32, %out: f16):
      %7 = arith.truncf %in : f32 to f16
      linalg.yield %7 : f16
    } -> tensor<2x3xf16>
    %cst_1 = arith.constant dense<[-7.000730e-02, -9.399410e-01, -9.997550e-02]> : tensor<3xf16>
    %5 = tensor.empty() : tensor<2x3xf16>
    %6 = linalg.generic {indexing_maps = [#map1, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%cst_1, %4 : tensor<3xf16>, tensor<2x3xf16>) outs(%5 : tensor<2x3xf16>) {
    ^bb0(%in: f16, %in_2: f16, %out: f16):
      %7 = arith.extf %in : f16 to f32
      %8 = arith.extf %in_2 : f16 to f32
      %9 = arith.addf %7, %8 : f32
      %10 = arith.truncf %9 : f32 to f16
      linalg.yield %10 : f16
    } -> tensor<2x3xf16>
    return %6 : tensor<2x3xf16>
  }
}

// -----

// The added constant is [M,N], not a bias broadcast over rows: it stays an add.
// CHECK-LABEL: func.func @bias_not_broadcast
// CHECK: %[[Y:.+]] = linea.linear %arg0, %{{.+}} {name = "m"} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[Y]], %{{.+}} : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: arith.addf
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @bias_not_broadcast(%arg0: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[1.000000e-01, 4.000000e-02, -5.100000e-01], [5.900000e-01, 0.889999985, 3.200000e-01], [-0.819999992, 7.300000e-01, -5.000000e-01], [0.879999995, -1.070000e+00, 9.100000e-01]]> : tensor<4x3xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x3xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %2 = linalg.matmul {name = "m"} ins(%arg0, %cst : tensor<2x4xf32>, tensor<4x3xf32>) outs(%1 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %cst_1 = arith.constant dense<[[-2.000000e-02, -1.250000e+00, -3.100000e-01], [5.000000e-02, 2.700000e-01, -9.800000e-01]]> : tensor<2x3xf32>
    %3 = tensor.empty() : tensor<2x3xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%2, %cst_1 : tensor<2x3xf32>, tensor<2x3xf32>) outs(%3 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %5 = arith.addf %in, %in_2 : f32
      linalg.yield %5 : f32
    } -> tensor<2x3xf32>
    return %4 : tensor<2x3xf32>
  }
}

// -----

// A weight that is not a constant is left alone.
// CHECK-LABEL: func.func @weight_arg
// CHECK-NOT: linea.
// CHECK: linalg.matmul {name = "m"} ins(%arg0, %arg1
module {
  func.func @weight_arg(%arg0: tensor<2x4xf32> {onnx.name = "x"}, %arg1: tensor<4x3xf32> {onnx.name = "w"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x3xf32>
    %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %2 = linalg.matmul {name = "m"} ins(%arg0, %arg1 : tensor<2x4xf32>, tensor<4x3xf32>) outs(%1 : tensor<2x3xf32>) -> tensor<2x3xf32>
    return %2 : tensor<2x3xf32>
  }
}
