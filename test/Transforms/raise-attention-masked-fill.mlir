// RUN: linea-opt %s --split-input-file --linea-raise --verify-diagnostics | FileCheck %s

// linea-raise on masked-fill attention (ONNX Where on the scores), as
// linea-import-onnx writes small onnx.helper graphs of
//   softmax(Cast(Where(cond, -inf, (q @ kᵀ) * 0.25))) @ v
// (docs/onnx-import.md, "Raising attention"). python/tests/test_raise_attention.py
// checks torch exports of the same patterns numerically.

// -----

// torch's scores.masked_fill(tril == 0, -inf) (nanoGPT), then softmax of
// scores.float() (an f32 → f32 Cast, a copy generic): the constant condition
// is the causal pattern, so the op takes `causal` and no mask.
// CHECK-LABEL: func.func @masked_fill_causal
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: tensor<1x2x4x8xf32> {{.*}}, %[[K:[a-z0-9]+]]: tensor<1x2x4x8xf32> {{.*}}, %[[V:[a-z0-9]+]]: tensor<1x2x4x8xf32> {{.*}})
// CHECK-NEXT: %[[O:.+]] = linea.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 2.500000e-01 : f32}
// CHECK-NEXT: return %[[O]]
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> ()>
#map2 = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @masked_fill_causal(%arg0: tensor<1x2x4x8xf32> {onnx.name = "q"}, %arg1: tensor<1x2x4x8xf32> {onnx.name = "k"}, %arg2: tensor<1x2x4x8xf32> {onnx.name = "v"}) -> (tensor<1x2x4x8xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "masked_fill_causal"} {
    %0 = tensor.empty() : tensor<1x2x8x4xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<1x2x4x8xf32>) outs(%0 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2] 
    %cst = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %collapsed_0 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
    %1 = tensor.empty() : tensor<2x4x4xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %3 = linalg.batch_matmul {name = "MatMul_s"} ins(%collapsed, %collapsed_0 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%2 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %expanded = tensor.expand_shape %3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
    %cst_1 = arith.constant dense<2.500000e-01> : tensor<f32>
    %4 = tensor.empty() : tensor<1x2x4x4xf32>
    %5 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %cst_1 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%4 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.mulf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_2 = arith.constant dense<[[false, true, true, true], [false, false, true, true], [false, false, false, true], [false, false, false, false]]> : tensor<4x4xi1>
    %cst_3 = arith.constant dense<0xFF800000> : tensor<f32>
    %6 = tensor.empty() : tensor<1x2x4x4xf32>
    %7 = linalg.generic {indexing_maps = [#map2, #map1, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%cst_2, %cst_3, %5 : tensor<4x4xi1>, tensor<f32>, tensor<1x2x4x4xf32>) outs(%6 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: i1, %in_12: f32, %in_13: f32, %out: f32):
      %25 = arith.select %in, %in_12, %in_13 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %8 = tensor.empty() : tensor<1x2x4x4xf32>
    %9 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7 : tensor<1x2x4x4xf32>) outs(%8 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x2x4x4xf32>
    %cst_4 = arith.constant 0xFF800000 : f32
    %10 = tensor.empty() : tensor<1x2x4xf32>
    %11 = linalg.fill ins(%cst_4 : f32) outs(%10 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %12 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%9 : tensor<1x2x4x4xf32>) outs(%11 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = arith.maximumf %out, %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4xf32>
    %expanded_5 = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %13 = tensor.empty() : tensor<1x2x4x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9, %expanded_5 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%13 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.subf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %15 = tensor.empty() : tensor<1x2x4x4xf32>
    %16 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%14 : tensor<1x2x4x4xf32>) outs(%15 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = math.exp %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_6 = arith.constant 0.000000e+00 : f32
    %17 = tensor.empty() : tensor<1x2x4xf32>
    %18 = linalg.fill ins(%cst_6 : f32) outs(%17 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %19 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%16 : tensor<1x2x4x4xf32>) outs(%18 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = arith.addf %out, %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4xf32>
    %expanded_7 = tensor.expand_shape %19 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %20 = tensor.empty() : tensor<1x2x4x4xf32>
    %21 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%16, %expanded_7 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%20 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.divf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_8 = arith.constant 0.000000e+00 : f32
    %collapsed_9 = tensor.collapse_shape %21 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
    %collapsed_10 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %22 = tensor.empty() : tensor<2x4x8xf32>
    %23 = linalg.fill ins(%cst_8 : f32) outs(%22 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %24 = linalg.batch_matmul {name = "MatMul_y"} ins(%collapsed_9, %collapsed_10 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%23 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %expanded_11 = tensor.expand_shape %24 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
    return %expanded_11 : tensor<1x2x4x8xf32>
  }
}

// -----

// A run-time bool key-padding mask (i8 at the boundary): the additive mask is
// computed from the condition by a select generic (−inf where it is true).
// CHECK-LABEL: func.func @masked_fill_runtime
// CHECK-DAG: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[MASK:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<1x1x1x4xi1>) outs(%{{.+}} : tensor<1x1x1x4xf32>)
// CHECK: arith.select %{{.+}}, %[[NINF]], %[[ZERO]] : f32
// CHECK: linea.attention %arg0, %arg1, %arg2 mask %[[MASK]] {scale = 2.500000e-01 : f32} : ({{.*}}, tensor<1x1x1x4xf32>) -> tensor<1x2x4x8xf32>
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> ()>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @masked_fill_runtime(%arg0: tensor<1x2x4x8xf32> {onnx.name = "q"}, %arg1: tensor<1x2x4x8xf32> {onnx.name = "k"}, %arg2: tensor<1x2x4x8xf32> {onnx.name = "v"}, %arg3: tensor<1x1x1x4xi8> {onnx.name = "cond", onnx.type = "bool"}) -> (tensor<1x2x4x8xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "masked_fill_runtime"} {
    %0 = tensor.empty() : tensor<1x1x1x4xi1>
    %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg3 : tensor<1x1x1x4xi8>) outs(%0 : tensor<1x1x1x4xi1>) {
    ^bb0(%in: i8, %out: i1):
      %c0_i8 = arith.constant 0 : i8
      %27 = arith.cmpi ne, %in, %c0_i8 : i8
      linalg.yield %27 : i1
    } -> tensor<1x1x1x4xi1>
    %2 = tensor.empty() : tensor<1x2x8x4xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<1x2x4x8xf32>) outs(%2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2] 
    %cst = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %collapsed_0 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
    %3 = tensor.empty() : tensor<2x4x4xf32>
    %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %5 = linalg.batch_matmul {name = "MatMul_s"} ins(%collapsed, %collapsed_0 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%4 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %expanded = tensor.expand_shape %5 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
    %cst_1 = arith.constant dense<2.500000e-01> : tensor<f32>
    %6 = tensor.empty() : tensor<1x2x4x4xf32>
    %7 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %cst_1 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%6 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_11: f32, %out: f32):
      %27 = arith.mulf %in, %in_11 : f32
      linalg.yield %27 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_2 = arith.constant dense<0xFF800000> : tensor<f32>
    %8 = tensor.empty() : tensor<1x2x4x4xf32>
    %9 = linalg.generic {indexing_maps = [#map2, #map1, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1, %cst_2, %7 : tensor<1x1x1x4xi1>, tensor<f32>, tensor<1x2x4x4xf32>) outs(%8 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: i1, %in_11: f32, %in_12: f32, %out: f32):
      %27 = arith.select %in, %in_11, %in_12 : f32
      linalg.yield %27 : f32
    } -> tensor<1x2x4x4xf32>
    %10 = tensor.empty() : tensor<1x2x4x4xf32>
    %11 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9 : tensor<1x2x4x4xf32>) outs(%10 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x2x4x4xf32>
    %cst_3 = arith.constant 0xFF800000 : f32
    %12 = tensor.empty() : tensor<1x2x4xf32>
    %13 = linalg.fill ins(%cst_3 : f32) outs(%12 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%11 : tensor<1x2x4x4xf32>) outs(%13 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %27 = arith.maximumf %out, %in : f32
      linalg.yield %27 : f32
    } -> tensor<1x2x4xf32>
    %expanded_4 = tensor.expand_shape %14 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %15 = tensor.empty() : tensor<1x2x4x4xf32>
    %16 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%11, %expanded_4 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%15 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_11: f32, %out: f32):
      %27 = arith.subf %in, %in_11 : f32
      linalg.yield %27 : f32
    } -> tensor<1x2x4x4xf32>
    %17 = tensor.empty() : tensor<1x2x4x4xf32>
    %18 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%16 : tensor<1x2x4x4xf32>) outs(%17 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %27 = math.exp %in : f32
      linalg.yield %27 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_5 = arith.constant 0.000000e+00 : f32
    %19 = tensor.empty() : tensor<1x2x4xf32>
    %20 = linalg.fill ins(%cst_5 : f32) outs(%19 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %21 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%18 : tensor<1x2x4x4xf32>) outs(%20 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %27 = arith.addf %out, %in : f32
      linalg.yield %27 : f32
    } -> tensor<1x2x4xf32>
    %expanded_6 = tensor.expand_shape %21 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %22 = tensor.empty() : tensor<1x2x4x4xf32>
    %23 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%18, %expanded_6 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%22 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_11: f32, %out: f32):
      %27 = arith.divf %in, %in_11 : f32
      linalg.yield %27 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_7 = arith.constant 0.000000e+00 : f32
    %collapsed_8 = tensor.collapse_shape %23 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
    %collapsed_9 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %24 = tensor.empty() : tensor<2x4x8xf32>
    %25 = linalg.fill ins(%cst_7 : f32) outs(%24 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %26 = linalg.batch_matmul {name = "MatMul_y"} ins(%collapsed_8, %collapsed_9 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%25 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %expanded_10 = tensor.expand_shape %26 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
    return %expanded_10 : tensor<1x2x4x8xf32>
  }
}

// -----

// torch.where(keep, scores, -inf): the fill in the false branch; a constant
// condition that is not causal becomes a constant f32 mask.
// CHECK-LABEL: func.func @masked_fill_keep
// CHECK: %[[MASK:.+]] = arith.constant dense<{{\[\[\[\[}}0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000]]]]> : tensor<1x1x1x4xf32>
// CHECK: linea.attention %arg0, %arg1, %arg2 mask %[[MASK]] {scale = 2.500000e-01 : f32}
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> ()>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @masked_fill_keep(%arg0: tensor<1x2x4x8xf32> {onnx.name = "q"}, %arg1: tensor<1x2x4x8xf32> {onnx.name = "k"}, %arg2: tensor<1x2x4x8xf32> {onnx.name = "v"}) -> (tensor<1x2x4x8xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "masked_fill_keep"} {
    %0 = tensor.empty() : tensor<1x2x8x4xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<1x2x4x8xf32>) outs(%0 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2] 
    %cst = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %collapsed_0 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
    %1 = tensor.empty() : tensor<2x4x4xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %3 = linalg.batch_matmul {name = "MatMul_s"} ins(%collapsed, %collapsed_0 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%2 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %expanded = tensor.expand_shape %3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
    %cst_1 = arith.constant dense<2.500000e-01> : tensor<f32>
    %4 = tensor.empty() : tensor<1x2x4x4xf32>
    %5 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %cst_1 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%4 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.mulf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_2 = arith.constant dense<[[[[true, true, true, false]]]]> : tensor<1x1x1x4xi1>
    %cst_3 = arith.constant dense<0xFF800000> : tensor<f32>
    %6 = tensor.empty() : tensor<1x2x4x4xf32>
    %7 = linalg.generic {indexing_maps = [#map2, #map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%cst_2, %5, %cst_3 : tensor<1x1x1x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>) outs(%6 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: i1, %in_12: f32, %in_13: f32, %out: f32):
      %25 = arith.select %in, %in_12, %in_13 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %8 = tensor.empty() : tensor<1x2x4x4xf32>
    %9 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7 : tensor<1x2x4x4xf32>) outs(%8 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x2x4x4xf32>
    %cst_4 = arith.constant 0xFF800000 : f32
    %10 = tensor.empty() : tensor<1x2x4xf32>
    %11 = linalg.fill ins(%cst_4 : f32) outs(%10 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %12 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%9 : tensor<1x2x4x4xf32>) outs(%11 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = arith.maximumf %out, %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4xf32>
    %expanded_5 = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %13 = tensor.empty() : tensor<1x2x4x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9, %expanded_5 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%13 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.subf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %15 = tensor.empty() : tensor<1x2x4x4xf32>
    %16 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%14 : tensor<1x2x4x4xf32>) outs(%15 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = math.exp %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_6 = arith.constant 0.000000e+00 : f32
    %17 = tensor.empty() : tensor<1x2x4xf32>
    %18 = linalg.fill ins(%cst_6 : f32) outs(%17 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %19 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%16 : tensor<1x2x4x4xf32>) outs(%18 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = arith.addf %out, %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4xf32>
    %expanded_7 = tensor.expand_shape %19 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %20 = tensor.empty() : tensor<1x2x4x4xf32>
    %21 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%16, %expanded_7 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%20 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.divf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_8 = arith.constant 0.000000e+00 : f32
    %collapsed_9 = tensor.collapse_shape %21 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
    %collapsed_10 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %22 = tensor.empty() : tensor<2x4x8xf32>
    %23 = linalg.fill ins(%cst_8 : f32) outs(%22 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %24 = linalg.batch_matmul {name = "MatMul_y"} ins(%collapsed_9, %collapsed_10 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%23 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %expanded_11 = tensor.expand_shape %24 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
    return %expanded_11 : tensor<1x2x4x8xf32>
  }
}

// -----

// A finite fill (-1e9) is not an additive mask: a row that hides every key
// is uniform with the fill, softmax(scores) with the sum. Left alone.
// CHECK-LABEL: func.func @masked_fill_finite
// CHECK-NOT: linea.attention
// CHECK: linalg.batch_matmul
// CHECK: arith.select
// CHECK: linalg.batch_matmul
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> ()>
#map2 = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
module {
  func.func @masked_fill_finite(%arg0: tensor<1x2x4x8xf32> {onnx.name = "q"}, %arg1: tensor<1x2x4x8xf32> {onnx.name = "k"}, %arg2: tensor<1x2x4x8xf32> {onnx.name = "v"}) -> (tensor<1x2x4x8xf32> {onnx.name = "y"}) attributes {onnx.graph_name = "masked_fill_finite"} {
    %0 = tensor.empty() : tensor<1x2x8x4xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<1x2x4x8xf32>) outs(%0 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2] 
    %cst = arith.constant 0.000000e+00 : f32
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %collapsed_0 = tensor.collapse_shape %transposed [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
    %1 = tensor.empty() : tensor<2x4x4xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %3 = linalg.batch_matmul {name = "MatMul_s"} ins(%collapsed, %collapsed_0 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%2 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %expanded = tensor.expand_shape %3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
    %cst_1 = arith.constant dense<2.500000e-01> : tensor<f32>
    %4 = tensor.empty() : tensor<1x2x4x4xf32>
    %5 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded, %cst_1 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%4 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.mulf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_2 = arith.constant dense<[[false, true, true, true], [false, false, true, true], [false, false, false, true], [false, false, false, false]]> : tensor<4x4xi1>
    %cst_3 = arith.constant dense<-1.000000e+09> : tensor<f32>
    %6 = tensor.empty() : tensor<1x2x4x4xf32>
    %7 = linalg.generic {indexing_maps = [#map2, #map1, #map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%cst_2, %cst_3, %5 : tensor<4x4xi1>, tensor<f32>, tensor<1x2x4x4xf32>) outs(%6 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: i1, %in_12: f32, %in_13: f32, %out: f32):
      %25 = arith.select %in, %in_12, %in_13 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %8 = tensor.empty() : tensor<1x2x4x4xf32>
    %9 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7 : tensor<1x2x4x4xf32>) outs(%8 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x2x4x4xf32>
    %cst_4 = arith.constant 0xFF800000 : f32
    %10 = tensor.empty() : tensor<1x2x4xf32>
    %11 = linalg.fill ins(%cst_4 : f32) outs(%10 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %12 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%9 : tensor<1x2x4x4xf32>) outs(%11 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = arith.maximumf %out, %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4xf32>
    %expanded_5 = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %13 = tensor.empty() : tensor<1x2x4x4xf32>
    %14 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%9, %expanded_5 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%13 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.subf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %15 = tensor.empty() : tensor<1x2x4x4xf32>
    %16 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%14 : tensor<1x2x4x4xf32>) outs(%15 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = math.exp %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_6 = arith.constant 0.000000e+00 : f32
    %17 = tensor.empty() : tensor<1x2x4xf32>
    %18 = linalg.fill ins(%cst_6 : f32) outs(%17 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
    %19 = linalg.generic {indexing_maps = [#map, #map3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%16 : tensor<1x2x4x4xf32>) outs(%18 : tensor<1x2x4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %25 = arith.addf %out, %in : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4xf32>
    %expanded_7 = tensor.expand_shape %19 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
    %20 = tensor.empty() : tensor<1x2x4x4xf32>
    %21 = linalg.generic {indexing_maps = [#map, #map4, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%16, %expanded_7 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%20 : tensor<1x2x4x4xf32>) {
    ^bb0(%in: f32, %in_12: f32, %out: f32):
      %25 = arith.divf %in, %in_12 : f32
      linalg.yield %25 : f32
    } -> tensor<1x2x4x4xf32>
    %cst_8 = arith.constant 0.000000e+00 : f32
    %collapsed_9 = tensor.collapse_shape %21 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
    %collapsed_10 = tensor.collapse_shape %arg2 [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
    %22 = tensor.empty() : tensor<2x4x8xf32>
    %23 = linalg.fill ins(%cst_8 : f32) outs(%22 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    // expected-remark @+1 {{softmax·V not raised to linea.attention: the softmax input is not Q·Kᵀ (times constants, plus a mask or masked-filled with −inf) from a batch_matmul}}
    %24 = linalg.batch_matmul {name = "MatMul_y"} ins(%collapsed_9, %collapsed_10 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%23 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %expanded_11 = tensor.expand_shape %24 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
    return %expanded_11 : tensor<1x2x4x8xf32>
  }
}
