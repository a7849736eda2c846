// linea-raise: RMSNorm / LayerNorm computations → linea.rms_norm / layer_norm.
// Inputs are linea-import-onnx output of small ONNX graphs.
// RUN: linea-opt --linea-raise -split-input-file %s | FileCheck %s

// w · (x · 1/sqrt(mean(x²) + eps)), torch's RMSNorm export.
// CHECK-LABEL: func.func @rms_recip
// CHECK: %[[W:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK: %[[Y:.+]] = linea.rms_norm %arg0 weight %[[W]] {epsilon = 9.99999974E-6 : f32}
// CHECK-NEXT: return %[[Y]]
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> ()>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#map4 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @rms_recip(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<2.000000e+00> : tensor<f32>
    %0 = tensor.empty() : tensor<2x3x4xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<2x3x4xf32>, tensor<f32>) outs(%0 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = math.powf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<2x3x4xf32>) outs(%3 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = arith.addf %out, %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x3xf32>
    %expanded = tensor.expand_shape %4 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %5 = tensor.empty() : tensor<2x3x1xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x1xf32>) outs(%5 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_4 = arith.constant 4.000000e+00 : f32
      %17 = arith.divf %in, %cst_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %cst_1 = arith.constant dense<9.99999974E-6> : tensor<f32>
    %7 = tensor.empty() : tensor<2x3x1xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %cst_1 : tensor<2x3x1xf32>, tensor<f32>) outs(%7 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.addf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %9 = tensor.empty() : tensor<2x3x1xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8 : tensor<2x3x1xf32>) outs(%9 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = math.sqrt %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %cst_2 = arith.constant dense<1.000000e+00> : tensor<f32>
    %11 = tensor.empty() : tensor<2x3x1xf32>
    %12 = linalg.generic {indexing_maps = [#map1, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_2, %10 : tensor<f32>, tensor<2x3x1xf32>) outs(%11 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.divf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %13 = tensor.empty() : tensor<2x3x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %12 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%13 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_3 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
    %15 = tensor.empty() : tensor<2x3x4xf32>
    %16 = linalg.generic {indexing_maps = [#map4, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_3, %14 : tensor<4xf32>, tensor<2x3x4xf32>) outs(%15 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    return %16 : tensor<2x3x4xf32>
  }
}

// -----

// x / sqrt(mean(x²) + eps) · w.
// CHECK-LABEL: func.func @rms_div
// CHECK: linea.rms_norm %arg0 weight %{{.+}} {epsilon = 9.99999974E-6 : f32}
// CHECK-NEXT: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> ()>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#map4 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @rms_div(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<2.000000e+00> : tensor<f32>
    %0 = tensor.empty() : tensor<2x3x4xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<2x3x4xf32>, tensor<f32>) outs(%0 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %15 = math.powf %in, %in_3 : f32
      linalg.yield %15 : f32
    } -> tensor<2x3x4xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<2x3x4xf32>) outs(%3 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %15 = arith.addf %out, %in : f32
      linalg.yield %15 : f32
    } -> tensor<2x3xf32>
    %expanded = tensor.expand_shape %4 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %5 = tensor.empty() : tensor<2x3x1xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x1xf32>) outs(%5 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_3 = arith.constant 4.000000e+00 : f32
      %15 = arith.divf %in, %cst_3 : f32
      linalg.yield %15 : f32
    } -> tensor<2x3x1xf32>
    %cst_1 = arith.constant dense<9.99999974E-6> : tensor<f32>
    %7 = tensor.empty() : tensor<2x3x1xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %cst_1 : tensor<2x3x1xf32>, tensor<f32>) outs(%7 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %15 = arith.addf %in, %in_3 : f32
      linalg.yield %15 : f32
    } -> tensor<2x3x1xf32>
    %9 = tensor.empty() : tensor<2x3x1xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8 : tensor<2x3x1xf32>) outs(%9 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %15 = math.sqrt %in : f32
      linalg.yield %15 : f32
    } -> tensor<2x3x1xf32>
    %11 = tensor.empty() : tensor<2x3x4xf32>
    %12 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %10 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%11 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %15 = arith.divf %in, %in_3 : f32
      linalg.yield %15 : f32
    } -> tensor<2x3x4xf32>
    %cst_2 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
    %13 = tensor.empty() : tensor<2x3x4xf32>
    %14 = linalg.generic {indexing_maps = [#map4, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_2, %12 : tensor<4xf32>, tensor<2x3x4xf32>) outs(%13 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %15 = arith.mulf %in, %in_3 : f32
      linalg.yield %15 : f32
    } -> tensor<2x3x4xf32>
    return %14 : tensor<2x3x4xf32>
  }
}

// -----

// sqrt(mean(x²)) + eps is another function: left alone.
// CHECK-LABEL: func.func @rms_eps_outside
// CHECK-NOT: linea.
// CHECK: math.sqrt
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> ()>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#map4 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @rms_eps_outside(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<2.000000e+00> : tensor<f32>
    %0 = tensor.empty() : tensor<2x3x4xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<2x3x4xf32>, tensor<f32>) outs(%0 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = math.powf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<2x3x4xf32>) outs(%3 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = arith.addf %out, %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x3xf32>
    %expanded = tensor.expand_shape %4 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %5 = tensor.empty() : tensor<2x3x1xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x1xf32>) outs(%5 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_4 = arith.constant 4.000000e+00 : f32
      %17 = arith.divf %in, %cst_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %7 = tensor.empty() : tensor<2x3x1xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<2x3x1xf32>) outs(%7 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = math.sqrt %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %cst_1 = arith.constant dense<9.99999974E-6> : tensor<f32>
    %9 = tensor.empty() : tensor<2x3x1xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8, %cst_1 : tensor<2x3x1xf32>, tensor<f32>) outs(%9 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.addf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %cst_2 = arith.constant dense<1.000000e+00> : tensor<f32>
    %11 = tensor.empty() : tensor<2x3x1xf32>
    %12 = linalg.generic {indexing_maps = [#map1, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_2, %10 : tensor<f32>, tensor<2x3x1xf32>) outs(%11 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.divf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %13 = tensor.empty() : tensor<2x3x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %12 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%13 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_3 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
    %15 = tensor.empty() : tensor<2x3x4xf32>
    %16 = linalg.generic {indexing_maps = [#map4, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_3, %14 : tensor<4xf32>, tensor<2x3x4xf32>) outs(%15 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    return %16 : tensor<2x3x4xf32>
  }
}

// -----

// The mean over axis 1 is not over the features: left alone.
// CHECK-LABEL: func.func @rms_wrong_axis
// CHECK-NOT: linea.
// CHECK: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> ()>
#map2 = affine_map<(d0, d1, d2) -> (d0, d2)>
#map3 = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
#map4 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @rms_wrong_axis(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<2.000000e+00> : tensor<f32>
    %0 = tensor.empty() : tensor<2x3x4xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %cst : tensor<2x3x4xf32>, tensor<f32>) outs(%0 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = math.powf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x4xf32>
    %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<2x4xf32>) -> tensor<2x4xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "reduction", "parallel"]} ins(%1 : tensor<2x3x4xf32>) outs(%3 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = arith.addf %out, %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x4xf32>
    %expanded = tensor.expand_shape %4 [[0], [1, 2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
    %5 = tensor.empty() : tensor<2x1x4xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x1x4xf32>) outs(%5 : tensor<2x1x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_4 = arith.constant 3.000000e+00 : f32
      %17 = arith.divf %in, %cst_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x1x4xf32>
    %cst_1 = arith.constant dense<9.99999974E-6> : tensor<f32>
    %7 = tensor.empty() : tensor<2x1x4xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %cst_1 : tensor<2x1x4xf32>, tensor<f32>) outs(%7 : tensor<2x1x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.addf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x1x4xf32>
    %9 = tensor.empty() : tensor<2x1x4xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8 : tensor<2x1x4xf32>) outs(%9 : tensor<2x1x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = math.sqrt %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x1x4xf32>
    %cst_2 = arith.constant dense<1.000000e+00> : tensor<f32>
    %11 = tensor.empty() : tensor<2x1x4xf32>
    %12 = linalg.generic {indexing_maps = [#map1, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_2, %10 : tensor<f32>, tensor<2x1x4xf32>) outs(%11 : tensor<2x1x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.divf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x1x4xf32>
    %13 = tensor.empty() : tensor<2x3x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %12 : tensor<2x3x4xf32>, tensor<2x1x4xf32>) outs(%13 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_3 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
    %15 = tensor.empty() : tensor<2x3x4xf32>
    %16 = linalg.generic {indexing_maps = [#map4, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_3, %14 : tensor<4xf32>, tensor<2x3x4xf32>) outs(%15 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    return %16 : tensor<2x3x4xf32>
  }
}

// -----

// The mean is of z², but x is normalised: left alone.
// CHECK-LABEL: func.func @rms_other_tensor
// CHECK-NOT: linea.
// CHECK: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> ()>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#map4 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @rms_other_tensor(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}, %arg1: tensor<2x3x4xf32> {onnx.name = "z"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant dense<2.000000e+00> : tensor<f32>
    %0 = tensor.empty() : tensor<2x3x4xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg1, %cst : tensor<2x3x4xf32>, tensor<f32>) outs(%0 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = math.powf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<2x3x4xf32>) outs(%3 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = arith.addf %out, %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x3xf32>
    %expanded = tensor.expand_shape %4 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %5 = tensor.empty() : tensor<2x3x1xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x1xf32>) outs(%5 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_4 = arith.constant 4.000000e+00 : f32
      %17 = arith.divf %in, %cst_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %cst_1 = arith.constant dense<9.99999974E-6> : tensor<f32>
    %7 = tensor.empty() : tensor<2x3x1xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %cst_1 : tensor<2x3x1xf32>, tensor<f32>) outs(%7 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.addf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %9 = tensor.empty() : tensor<2x3x1xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8 : tensor<2x3x1xf32>) outs(%9 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %17 = math.sqrt %in : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %cst_2 = arith.constant dense<1.000000e+00> : tensor<f32>
    %11 = tensor.empty() : tensor<2x3x1xf32>
    %12 = linalg.generic {indexing_maps = [#map1, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_2, %10 : tensor<f32>, tensor<2x3x1xf32>) outs(%11 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.divf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x1xf32>
    %13 = tensor.empty() : tensor<2x3x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %12 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%13 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    %cst_3 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
    %15 = tensor.empty() : tensor<2x3x4xf32>
    %16 = linalg.generic {indexing_maps = [#map4, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cst_3, %14 : tensor<4xf32>, tensor<2x3x4xf32>) outs(%15 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %17 = arith.mulf %in, %in_4 : f32
      linalg.yield %17 : f32
    } -> tensor<2x3x4xf32>
    return %16 : tensor<2x3x4xf32>
  }
}

// -----

// ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add (torch's export before opset 17).
// CHECK-LABEL: func.func @ln_decomposed
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[5.000000e-01, 0.000000e+00, -5.000000e-01, 1.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[G:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK: %[[Y:.+]] = linea.layer_norm %arg0 weight %[[G]] bias %[[B]] : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[Y]]
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#map3 = affine_map<(d0, d1, d2) -> ()>
#map4 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @ln_decomposed(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x3xf32>
    %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%1 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %24 = arith.addf %out, %in : f32
      linalg.yield %24 : f32
    } -> tensor<2x3xf32>
    %expanded = tensor.expand_shape %2 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %3 = tensor.empty() : tensor<2x3x1xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x1xf32>) outs(%3 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_6 = arith.constant 4.000000e+00 : f32
      %24 = arith.divf %in, %cst_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x1xf32>
    %5 = tensor.empty() : tensor<2x3x4xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %4 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%5 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_6: f32, %out: f32):
      %24 = arith.subf %in, %in_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x4xf32>
    %cst_0 = arith.constant dense<2.000000e+00> : tensor<f32>
    %7 = tensor.empty() : tensor<2x3x4xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %cst_0 : tensor<2x3x4xf32>, tensor<f32>) outs(%7 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_6: f32, %out: f32):
      %24 = math.powf %in, %in_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x4xf32>
    %cst_1 = arith.constant 0.000000e+00 : f32
    %9 = tensor.empty() : tensor<2x3xf32>
    %10 = linalg.fill ins(%cst_1 : f32) outs(%9 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %11 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%8 : tensor<2x3x4xf32>) outs(%10 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %24 = arith.addf %out, %in : f32
      linalg.yield %24 : f32
    } -> tensor<2x3xf32>
    %expanded_2 = tensor.expand_shape %11 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %12 = tensor.empty() : tensor<2x3x1xf32>
    %13 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_2 : tensor<2x3x1xf32>) outs(%12 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_6 = arith.constant 4.000000e+00 : f32
      %24 = arith.divf %in, %cst_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x1xf32>
    %cst_3 = arith.constant dense<9.99999974E-6> : tensor<f32>
    %14 = tensor.empty() : tensor<2x3x1xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%13, %cst_3 : tensor<2x3x1xf32>, tensor<f32>) outs(%14 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %in_6: f32, %out: f32):
      %24 = arith.addf %in, %in_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x1xf32>
    %16 = tensor.empty() : tensor<2x3x1xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15 : tensor<2x3x1xf32>) outs(%16 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %24 = math.sqrt %in : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x1xf32>
    %18 = tensor.empty() : tensor<2x3x4xf32>
    %19 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %17 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%18 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_6: f32, %out: f32):
      %24 = arith.divf %in, %in_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x4xf32>
    %cst_4 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
    %20 = tensor.empty() : tensor<2x3x4xf32>
    %21 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%19, %cst_4 : tensor<2x3x4xf32>, tensor<4xf32>) outs(%20 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_6: f32, %out: f32):
      %24 = arith.mulf %in, %in_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x4xf32>
    %cst_5 = arith.constant dense<[5.000000e-01, 0.000000e+00, -5.000000e-01, 1.000000e+00]> : tensor<4xf32>
    %22 = tensor.empty() : tensor<2x3x4xf32>
    %23 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%21, %cst_5 : tensor<2x3x4xf32>, tensor<4xf32>) outs(%22 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_6: f32, %out: f32):
      %24 = arith.addf %in, %in_6 : f32
      linalg.yield %24 : f32
    } -> tensor<2x3x4xf32>
    return %23 : tensor<2x3x4xf32>
  }
}

// -----

// ONNX LayerNormalization (the importer's multi-op bodies).
// CHECK-LABEL: func.func @ln_onnx
// CHECK: linea.layer_norm %arg0 weight %{{.+}} bias %{{.+}} {epsilon = 1.000000e-03 : f32}
// CHECK-NEXT: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#map3 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @ln_onnx(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 4.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x3xf32>
    %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%1 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.addf %out, %in : f32
      linalg.yield %18 : f32
    } -> tensor<2x3xf32>
    %expanded = tensor.expand_shape %2 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %3 = tensor.empty() : tensor<2x3x1xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x1xf32>) outs(%3 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.divf %in, %cst_0 : f32
      linalg.yield %18 : f32
    } -> tensor<2x3x1xf32>
    %5 = tensor.empty() : tensor<2x3x4xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %4 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%5 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %out: f32):
      %18 = arith.subf %in, %in_4 : f32
      linalg.yield %18 : f32
    } -> tensor<2x3x4xf32>
    %7 = tensor.empty() : tensor<2x3x4xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<2x3x4xf32>) outs(%7 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.mulf %in, %in : f32
      linalg.yield %18 : f32
    } -> tensor<2x3x4xf32>
    %9 = tensor.empty() : tensor<2x3xf32>
    %10 = linalg.fill ins(%cst : f32) outs(%9 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %11 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%8 : tensor<2x3x4xf32>) outs(%10 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.addf %out, %in : f32
      linalg.yield %18 : f32
    } -> tensor<2x3xf32>
    %expanded_1 = tensor.expand_shape %11 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %12 = tensor.empty() : tensor<2x3x1xf32>
    %13 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_1 : tensor<2x3x1xf32>) outs(%12 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.divf %in, %cst_0 : f32
      linalg.yield %18 : f32
    } -> tensor<2x3x1xf32>
    %14 = tensor.empty() : tensor<2x3x1xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%13 : tensor<2x3x1xf32>) outs(%14 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_4 = arith.constant 1.000000e-03 : f32
      %18 = arith.addf %in, %cst_4 : f32
      %cst_5 = arith.constant 1.000000e+00 : f32
      %19 = math.sqrt %18 : f32
      %20 = arith.divf %cst_5, %19 : f32
      linalg.yield %20 : f32
    } -> tensor<2x3x1xf32>
    %cst_2 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
    %cst_3 = arith.constant dense<[5.000000e-01, 0.000000e+00, -5.000000e-01, 1.000000e+00]> : tensor<4xf32>
    %16 = tensor.empty() : tensor<2x3x4xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map2, #map3, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %15, %cst_2, %cst_3 : tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<4xf32>, tensor<4xf32>) outs(%16 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_4: f32, %in_5: f32, %in_6: f32, %out: f32):
      %18 = arith.mulf %in, %in_4 : f32
      %19 = arith.mulf %18, %in_5 : f32
      %20 = arith.addf %19, %in_6 : f32
      linalg.yield %20 : f32
    } -> tensor<2x3x4xf32>
    return %17 : tensor<2x3x4xf32>
  }
}

// -----

// LayerNormalization over the last two axes: left alone.
// CHECK-LABEL: func.func @ln_onnx_axis1
// CHECK-NOT: linea.
// CHECK: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d0)>
#map2 = affine_map<(d0, d1, d2) -> (d0, 0, 0)>
#map3 = affine_map<(d0, d1, d2) -> (d1, d2)>
module {
  func.func @ln_onnx_axis1(%arg0: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 1.200000e+01 : f32
    %0 = tensor.empty() : tensor<2xf32>
    %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2xf32>) -> tensor<2xf32>
    %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction", "reduction"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%1 : tensor<2xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.addf %out, %in : f32
      linalg.yield %18 : f32
    } -> tensor<2xf32>
    %expanded = tensor.expand_shape %2 [[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
    %3 = tensor.empty() : tensor<2x1x1xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x1x1xf32>) outs(%3 : tensor<2x1x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.divf %in, %cst_0 : f32
      linalg.yield %18 : f32
    } -> tensor<2x1x1xf32>
    %5 = tensor.empty() : tensor<2x3x4xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %4 : tensor<2x3x4xf32>, tensor<2x1x1xf32>) outs(%5 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %18 = arith.subf %in, %in_3 : f32
      linalg.yield %18 : f32
    } -> tensor<2x3x4xf32>
    %7 = tensor.empty() : tensor<2x3x4xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6 : tensor<2x3x4xf32>) outs(%7 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.mulf %in, %in : f32
      linalg.yield %18 : f32
    } -> tensor<2x3x4xf32>
    %9 = tensor.empty() : tensor<2xf32>
    %10 = linalg.fill ins(%cst : f32) outs(%9 : tensor<2xf32>) -> tensor<2xf32>
    %11 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction", "reduction"]} ins(%8 : tensor<2x3x4xf32>) outs(%10 : tensor<2xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.addf %out, %in : f32
      linalg.yield %18 : f32
    } -> tensor<2xf32>
    %expanded_1 = tensor.expand_shape %11 [[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
    %12 = tensor.empty() : tensor<2x1x1xf32>
    %13 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_1 : tensor<2x1x1xf32>) outs(%12 : tensor<2x1x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %18 = arith.divf %in, %cst_0 : f32
      linalg.yield %18 : f32
    } -> tensor<2x1x1xf32>
    %14 = tensor.empty() : tensor<2x1x1xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%13 : tensor<2x1x1xf32>) outs(%14 : tensor<2x1x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_3 = arith.constant 9.99999974E-6 : f32
      %18 = arith.addf %in, %cst_3 : f32
      %cst_4 = arith.constant 1.000000e+00 : f32
      %19 = math.sqrt %18 : f32
      %20 = arith.divf %cst_4, %19 : f32
      linalg.yield %20 : f32
    } -> tensor<2x1x1xf32>
    %cst_2 = arith.constant dense<1.000000e+00> : tensor<3x4xf32>
    %16 = tensor.empty() : tensor<2x3x4xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map2, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %15, %cst_2 : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<3x4xf32>) outs(%16 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_3: f32, %in_4: f32, %out: f32):
      %18 = arith.mulf %in, %in_3 : f32
      %19 = arith.mulf %18, %in_4 : f32
      linalg.yield %19 : f32
    } -> tensor<2x3x4xf32>
    return %17 : tensor<2x3x4xf32>
  }
}

// -----

// f16: the importer's f32 copy of x is looked through.
// CHECK-LABEL: func.func @ln_onnx_f16
// CHECK: linea.layer_norm %arg0 weight %{{.+}} : (tensor<2x3x4xf16>, tensor<4xf16>) -> tensor<2x3x4xf16>
// CHECK-NEXT: return
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#map3 = affine_map<(d0, d1, d2) -> (d2)>
module {
  func.func @ln_onnx_f16(%arg0: tensor<2x3x4xf16> {onnx.name = "x"}) -> (tensor<2x3x4xf16> {onnx.name = "y"}) attributes {onnx.graph_name = "g"} {
    %0 = tensor.empty() : tensor<2x3x4xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<2x3x4xf16>) outs(%0 : tensor<2x3x4xf32>) {
    ^bb0(%in: f16, %out: f32):
      %20 = arith.extf %in : f16 to f32
      linalg.yield %20 : f32
    } -> tensor<2x3x4xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant 4.000000e+00 : f32
    %2 = tensor.empty() : tensor<2x3xf32>
    %3 = linalg.fill ins(%cst : f32) outs(%2 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<2x3x4xf32>) outs(%3 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.addf %out, %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x3xf32>
    %expanded = tensor.expand_shape %4 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %5 = tensor.empty() : tensor<2x3x1xf32>
    %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<2x3x1xf32>) outs(%5 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.divf %in, %cst_0 : f32
      linalg.yield %20 : f32
    } -> tensor<2x3x1xf32>
    %7 = tensor.empty() : tensor<2x3x4xf32>
    %8 = linalg.generic {indexing_maps = [#map, #map2, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%1, %6 : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%7 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %20 = arith.subf %in, %in_3 : f32
      linalg.yield %20 : f32
    } -> tensor<2x3x4xf32>
    %9 = tensor.empty() : tensor<2x3x4xf32>
    %10 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8 : tensor<2x3x4xf32>) outs(%9 : tensor<2x3x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.mulf %in, %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x3x4xf32>
    %11 = tensor.empty() : tensor<2x3xf32>
    %12 = linalg.fill ins(%cst : f32) outs(%11 : tensor<2x3xf32>) -> tensor<2x3xf32>
    %13 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%10 : tensor<2x3x4xf32>) outs(%12 : tensor<2x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.addf %out, %in : f32
      linalg.yield %20 : f32
    } -> tensor<2x3xf32>
    %expanded_1 = tensor.expand_shape %13 [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
    %14 = tensor.empty() : tensor<2x3x1xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_1 : tensor<2x3x1xf32>) outs(%14 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %20 = arith.divf %in, %cst_0 : f32
      linalg.yield %20 : f32
    } -> tensor<2x3x1xf32>
    %16 = tensor.empty() : tensor<2x3x1xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%15 : tensor<2x3x1xf32>) outs(%16 : tensor<2x3x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %cst_3 = arith.constant 9.99999974E-6 : f32
      %20 = arith.addf %in, %cst_3 : f32
      %cst_4 = arith.constant 1.000000e+00 : f32
      %21 = math.sqrt %20 : f32
      %22 = arith.divf %cst_4, %21 : f32
      linalg.yield %22 : f32
    } -> tensor<2x3x1xf32>
    %cst_2 = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf16>
    %18 = tensor.empty() : tensor<2x3x4xf16>
    %19 = linalg.generic {indexing_maps = [#map, #map2, #map3, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%8, %17, %cst_2 : tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<4xf16>) outs(%18 : tensor<2x3x4xf16>) {
    ^bb0(%in: f32, %in_3: f32, %in_4: f16, %out: f16):
      %20 = arith.mulf %in, %in_3 : f32
      %21 = arith.extf %in_4 : f16 to f32
      %22 = arith.mulf %20, %21 : f32
      %23 = arith.truncf %22 : f32 to f16
      linalg.yield %23 : f16
    } -> tensor<2x3x4xf16>
    return %19 : tensor<2x3x4xf16>
  }
}
