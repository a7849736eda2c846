// linea-raise: DequantizeLinear → MatMul with constant codes → linea.quant_linear.
// Inputs are linea-import-onnx output of small ONNX graphs.
// RUN: linea-opt --linea-raise -split-input-file %s | FileCheck %s

// int8 per output channel (axis = 1 of W[K,N]): codes transposed to [N,K], scales [N,1].
// CHECK-LABEL: func.func @q_channel
// CHECK-DAG: %[[Q:.+]] = arith.constant dense<{{\[}}[1, -128, 5, 8], [-2, 127, 6, -9], [3, 0, -7, 10]]> : tensor<3x4xi8>
// CHECK-DAG: %[[S:.+]] = arith.constant dense<{{\[}}[5.000000e-01], [2.500000e-01], [2.000000e+00]]> : tensor<3x1xf32>
// CHECK: linea.quant_linear %arg0, %[[Q]], %[[S]] format <int8, channel, symmetric, scale f32> {name = "q_channel"}
// CHECK-NOT: linalg
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @q_channel(%arg0: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[1, -2, 3], [-128, 127, 0], [5, 6, -7], [8, -9, 10]]> : tensor<4x3xi8>
    %cst_0 = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf32>
    %0 = tensor.empty() : tensor<4x3xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%cst, %cst_0 : tensor<4x3xi8>, tensor<3xf32>) outs(%0 : tensor<4x3xf32>) {
    ^bb0(%in: i8, %in_2: f32, %out: f32):
      %5 = arith.sitofp %in : i8 to f32
      %6 = arith.mulf %5, %in_2 : f32
      linalg.yield %6 : f32
    } -> tensor<4x3xf32>
    %cst_1 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_1 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.matmul {name = "q_channel"} ins(%arg0, %1 : tensor<2x4xf32>, tensor<4x3xf32>) outs(%3 : tensor<2x3xf32>) -> tensor<2x3xf32>
    return %4 : tensor<2x3xf32>
  }
}

// -----

// uint8 per tensor with zero point 128 (stored as the i8 pattern -128).
// CHECK-LABEL: func.func @q_tensor_u8
// CHECK-DAG: %[[Z:.+]] = arith.constant dense<-128> : tensor<1x1xi8>
// CHECK-DAG: %[[Q:.+]] = arith.constant dense<{{\[}}[0, 4, 7, 10], [-1, -128, 8, 11], [3, 6, 9, 12]]> : tensor<3x4xi8>
// CHECK-DAG: %[[S:.+]] = arith.constant dense<1.250000e-01> : tensor<1x1xf32>
// CHECK: linea.quant_linear %arg0, %[[Q]], %[[S]] zero_points %[[Z]] format <uint8, tensor, asymmetric, scale f32>
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> ()>
module {
  func.func @q_tensor_u8(%arg0: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[0, -1, 3], [4, -128, 6], [7, 8, 9], [10, 11, 12]]> : tensor<4x3xi8>
    %cst_0 = arith.constant dense<1.250000e-01> : tensor<f32>
    %cst_1 = arith.constant dense<-128> : tensor<i8>
    %0 = tensor.empty() : tensor<4x3xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%cst, %cst_0, %cst_1 : tensor<4x3xi8>, tensor<f32>, tensor<i8>) outs(%0 : tensor<4x3xf32>) {
    ^bb0(%in: i8, %in_3: f32, %in_4: i8, %out: f32):
      %5 = arith.uitofp %in : i8 to f32
      %6 = arith.uitofp %in_4 : i8 to f32
      %7 = arith.subf %5, %6 : f32
      %8 = arith.mulf %7, %in_3 : f32
      linalg.yield %8 : f32
    } -> tensor<4x3xf32>
    %cst_2 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_2 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.matmul {name = "q_tensor_u8"} ins(%arg0, %1 : tensor<2x4xf32>, tensor<4x3xf32>) outs(%3 : tensor<2x3xf32>) -> tensor<2x3xf32>
    return %4 : tensor<2x3xf32>
  }
}

// -----

// int8 with zero points [1, -3, 0] becomes uint8 with codes and zero points + 128:
// 1 → 0x81 (-127), -3 → 125, 0 → 0x80 (-128).
// CHECK-LABEL: func.func @q_int8_zp
// CHECK-DAG: %[[Z:.+]] = arith.constant dense<{{\[}}[-127], [125], [-128]]> : tensor<3x1xi8>
// CHECK-DAG: %[[Q:.+]] = arith.constant dense<{{\[}}[-127, 0, -123, -120], [126, -1, -122, 119], [-125, -128, 121, -118]]> : tensor<3x4xi8>
// CHECK: linea.quant_linear %arg0, %[[Q]], %{{.+}} zero_points %[[Z]] format <uint8, channel, asymmetric, scale f32>
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @q_int8_zp(%arg0: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[1, -2, 3], [-128, 127, 0], [5, 6, -7], [8, -9, 10]]> : tensor<4x3xi8>
    %cst_0 = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf32>
    %cst_1 = arith.constant dense<[1, -3, 0]> : tensor<3xi8>
    %0 = tensor.empty() : tensor<4x3xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%cst, %cst_0, %cst_1 : tensor<4x3xi8>, tensor<3xf32>, tensor<3xi8>) outs(%0 : tensor<4x3xf32>) {
    ^bb0(%in: i8, %in_3: f32, %in_4: i8, %out: f32):
      %5 = arith.sitofp %in : i8 to f32
      %6 = arith.sitofp %in_4 : i8 to f32
      %7 = arith.subf %5, %6 : f32
      %8 = arith.mulf %7, %in_3 : f32
      linalg.yield %8 : f32
    } -> tensor<4x3xf32>
    %cst_2 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_2 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.matmul {name = "q_int8_zp"} ins(%arg0, %1 : tensor<2x4xf32>, tensor<4x3xf32>) outs(%3 : tensor<2x3xf32>) -> tensor<2x3xf32>
    return %4 : tensor<2x3xf32>
  }
}

// -----

// Opset 21, blocks of 2 along K: scales [K/2, N] transposed to [N, K/2].
// CHECK-LABEL: func.func @q_blocked
// CHECK-DAG: %[[S:.+]] = arith.constant dense<{{\[}}[5.000000e-01, 1.000000e+00], [2.500000e-01, 2.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<3x2xf32>
// CHECK: linea.quant_linear %arg0, %{{.+}}, %[[S]] format <int8, group 2, symmetric, scale f32>
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
module {
  func.func @q_blocked(%arg0: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[1, -2, 3], [-128, 127, 0], [5, 6, -7], [8, -9, 10]]> : tensor<4x3xi8>
    %cst_0 = arith.constant dense<[[5.000000e-01, 2.500000e-01, 2.000000e+00], [1.000000e+00, 2.000000e+00, 4.000000e+00]]> : tensor<2x3xf32>
    %0 = tensor.empty() : tensor<4x3xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%cst, %cst_0 : tensor<4x3xi8>, tensor<2x3xf32>) outs(%0 : tensor<4x3xf32>) {
    ^bb0(%in: i8, %in_2: f32, %out: f32):
      %5 = arith.sitofp %in : i8 to f32
      %6 = arith.mulf %5, %in_2 : f32
      linalg.yield %6 : f32
    } -> tensor<4x3xf32>
    %cst_1 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_1 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.matmul {name = "q_blocked"} ins(%arg0, %1 : tensor<2x4xf32>, tensor<4x3xf32>) outs(%3 : tensor<2x3xf32>) -> tensor<2x3xf32>
    return %4 : tensor<2x3xf32>
  }
}

// -----

// A scale per input feature (axis 0) has no qformat: left alone.
// CHECK-LABEL: func.func @q_axis_k
// CHECK-NOT: linea.
// CHECK: arith.sitofp
// CHECK: linalg.matmul
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
module {
  func.func @q_axis_k(%arg0: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[1, -2, 3], [-128, 127, 0], [5, 6, -7], [8, -9, 10]]> : tensor<4x3xi8>
    %cst_0 = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00, 1.000000e+00]> : tensor<4xf32>
    %0 = tensor.empty() : tensor<4x3xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%cst, %cst_0 : tensor<4x3xi8>, tensor<4xf32>) outs(%0 : tensor<4x3xf32>) {
    ^bb0(%in: i8, %in_2: f32, %out: f32):
      %5 = arith.sitofp %in : i8 to f32
      %6 = arith.mulf %5, %in_2 : f32
      linalg.yield %6 : f32
    } -> tensor<4x3xf32>
    %cst_1 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_1 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.matmul {name = "q_axis_k"} ins(%arg0, %1 : tensor<2x4xf32>, tensor<4x3xf32>) outs(%3 : tensor<2x3xf32>) -> tensor<2x3xf32>
    return %4 : tensor<2x3xf32>
  }
}

// -----

// f16 scales: DequantizeLinear rounds each weight to f16, quant_linear would not.
// CHECK-LABEL: func.func @q_scale_f16
// CHECK-NOT: linea.
// CHECK: linalg.matmul
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @q_scale_f16(%arg0: tensor<2x4xf16> {onnx.name = "x"}) -> (tensor<2x3xf16> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<[[1, -2, 3], [-128, 127, 0], [5, 6, -7], [8, -9, 10]]> : tensor<4x3xi8>
    %cst_0 = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf16>
    %0 = tensor.empty() : tensor<4x3xf16>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%cst, %cst_0 : tensor<4x3xi8>, tensor<3xf16>) outs(%0 : tensor<4x3xf16>) {
    ^bb0(%in: i8, %in_2: f16, %out: f16):
      %7 = arith.sitofp %in : i8 to f32
      %8 = arith.extf %in_2 : f16 to f32
      %9 = arith.mulf %7, %8 : f32
      %10 = arith.truncf %9 : f32 to f16
      linalg.yield %10 : f16
    } -> tensor<4x3xf16>
    %cst_1 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_1 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.matmul {name = "q_scale_f16"} ins(%arg0, %1 : tensor<2x4xf16>, tensor<4x3xf16>) outs(%3 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %5 = tensor.empty() : tensor<2x3xf16>
    %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<2x3xf32>) outs(%5 : tensor<2x3xf16>) {
    ^bb0(%in: f32, %out: f16):
      %7 = arith.truncf %in : f32 to f16
      linalg.yield %7 : f16
    } -> tensor<2x3xf16>
    return %6 : tensor<2x3xf16>
  }
}
