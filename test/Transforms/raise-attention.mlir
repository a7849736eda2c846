// RUN: linea-opt %s --split-input-file --linea-raise --verify-diagnostics | FileCheck %s

// linea-raise: softmax(Q·Kᵀ·scale + mask)·V → linea.attention. The inputs are
// written the way linea-import-onnx emits torch's attention (see
// docs/onnx-import.md, "Raising attention"); python/tests/test_raise_attention.py
// checks the numerics of real exports.

// Multi-head attention as the importer writes torch's
//   softmax(q @ k.transpose(2, 3) / sqrt(8)) @ v
// with q, k, v [B=1, H=2, S=4, D=8]: Kᵀ is the transpose [0, 1, 3, 2] of k.
// CHECK-LABEL: func.func @mha
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: tensor<1x2x4x8xf32>, %[[K:[a-z0-9]+]]: tensor<1x2x4x8xf32>, %[[V:[a-z0-9]+]]: tensor<1x2x4x8xf32>)
// CHECK-NEXT: %[[O:.+]] = linea.attention %[[Q]], %[[K]], %[[V]] {scale = 0.353553385 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @mha(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %s10 = arith.constant dense<2.82842708> : tensor<f32>
  %e11 = tensor.empty() : tensor<1x2x4x4xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %s10 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%e11 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c13 = arith.constant 0xFF800000 : f32
  %e14 = tensor.empty() : tensor<1x2x4xf32>
  %f15 = linalg.fill ins(%c13 : f32) outs(%e14 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g12 : tensor<1x2x4x4xf32>) outs(%f15 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k17 = tensor.expand_shape %red16 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e18 = tensor.empty() : tensor<1x2x4x4xf32>
  %g19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g12, %k17 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e18 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e20 = tensor.empty() : tensor<1x2x4x4xf32>
  %g21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g19 : tensor<1x2x4x4xf32>) outs(%e20 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c22 = arith.constant 0.000000e+00 : f32
  %e23 = tensor.empty() : tensor<1x2x4xf32>
  %f24 = linalg.fill ins(%c22 : f32) outs(%e23 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g21 : tensor<1x2x4x4xf32>) outs(%f24 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k26 = tensor.expand_shape %red25 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e27 = tensor.empty() : tensor<1x2x4x4xf32>
  %g28 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g21, %k26 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e27 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl29 = tensor.collapse_shape %g28 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl30 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c31 = arith.constant 0.000000e+00 : f32
  %e32 = tensor.empty() : tensor<2x4x8xf32>
  %f33 = linalg.fill ins(%c31 : f32) outs(%e32 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %mm34 = linalg.batch_matmul ins(%cl29, %cl30 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f33 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex35 = tensor.expand_shape %mm34 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex35 : tensor<1x2x4x8xf32>
}

// -----

// Grouped-query attention (H = 4, Hkv = 2) with k and v repeated by
// repeat_interleave(2, dim=1) as torch exports it (per-head slice, broadcast,
// concatenation) and the constant causal -inf mask of the Llama block: the
// un-repeated k and v and `causal`, no mask operand.
// CHECK-LABEL: func.func @gqa_causal
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: tensor<1x4x4x8xf32>, %[[K:[a-z0-9]+]]: tensor<1x2x4x8xf32>, %[[V:[a-z0-9]+]]: tensor<1x2x4x8xf32>)
// CHECK-NEXT: %[[O:.+]] = linea.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 0.353553385 : f32} : (tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @gqa_causal(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %sl1 = tensor.extract_slice %k[0, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> to tensor<1x1x4x8xf32>
  %e2 = tensor.empty() : tensor<1x1x4x8xf32>
  %cp3 = linalg.copy ins(%sl1 : tensor<1x1x4x8xf32>) outs(%e2 : tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  %ex54 = tensor.expand_shape %cp3 [[0], [1], [2, 3], [4]] output_shape [1, 1, 1, 4, 8] : tensor<1x1x4x8xf32> into tensor<1x1x1x4x8xf32>
  %e5 = tensor.empty() : tensor<1x1x2x4x8xf32>
  %bc6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%ex54 : tensor<1x1x1x4x8xf32>) outs(%e5 : tensor<1x1x2x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x1x2x4x8xf32>
  %cl57 = tensor.collapse_shape %bc6 [[0], [1, 2], [3], [4]] : tensor<1x1x2x4x8xf32> into tensor<1x2x4x8xf32>
  %sl8 = tensor.extract_slice %k[0, 1, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> to tensor<1x1x4x8xf32>
  %e9 = tensor.empty() : tensor<1x1x4x8xf32>
  %cp10 = linalg.copy ins(%sl8 : tensor<1x1x4x8xf32>) outs(%e9 : tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  %ex511 = tensor.expand_shape %cp10 [[0], [1], [2, 3], [4]] output_shape [1, 1, 1, 4, 8] : tensor<1x1x4x8xf32> into tensor<1x1x1x4x8xf32>
  %e12 = tensor.empty() : tensor<1x1x2x4x8xf32>
  %bc13 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%ex511 : tensor<1x1x1x4x8xf32>) outs(%e12 : tensor<1x1x2x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x1x2x4x8xf32>
  %cl514 = tensor.collapse_shape %bc13 [[0], [1, 2], [3], [4]] : tensor<1x1x2x4x8xf32> into tensor<1x2x4x8xf32>
  %e15 = tensor.empty() : tensor<1x4x4x8xf32>
  %dst16 = tensor.extract_slice %e15[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp17 = linalg.copy ins(%cl57 : tensor<1x2x4x8xf32>) outs(%dst16 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins18 = tensor.insert_slice %cp17 into %e15[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %dst19 = tensor.extract_slice %ins18[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp20 = linalg.copy ins(%cl514 : tensor<1x2x4x8xf32>) outs(%dst19 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins21 = tensor.insert_slice %cp20 into %ins18[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %sl22 = tensor.extract_slice %v[0, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> to tensor<1x1x4x8xf32>
  %e23 = tensor.empty() : tensor<1x1x4x8xf32>
  %cp24 = linalg.copy ins(%sl22 : tensor<1x1x4x8xf32>) outs(%e23 : tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  %ex525 = tensor.expand_shape %cp24 [[0], [1], [2, 3], [4]] output_shape [1, 1, 1, 4, 8] : tensor<1x1x4x8xf32> into tensor<1x1x1x4x8xf32>
  %e26 = tensor.empty() : tensor<1x1x2x4x8xf32>
  %bc27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%ex525 : tensor<1x1x1x4x8xf32>) outs(%e26 : tensor<1x1x2x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x1x2x4x8xf32>
  %cl528 = tensor.collapse_shape %bc27 [[0], [1, 2], [3], [4]] : tensor<1x1x2x4x8xf32> into tensor<1x2x4x8xf32>
  %sl29 = tensor.extract_slice %v[0, 1, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> to tensor<1x1x4x8xf32>
  %e30 = tensor.empty() : tensor<1x1x4x8xf32>
  %cp31 = linalg.copy ins(%sl29 : tensor<1x1x4x8xf32>) outs(%e30 : tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  %ex532 = tensor.expand_shape %cp31 [[0], [1], [2, 3], [4]] output_shape [1, 1, 1, 4, 8] : tensor<1x1x4x8xf32> into tensor<1x1x1x4x8xf32>
  %e33 = tensor.empty() : tensor<1x1x2x4x8xf32>
  %bc34 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%ex532 : tensor<1x1x1x4x8xf32>) outs(%e33 : tensor<1x1x2x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x1x2x4x8xf32>
  %cl535 = tensor.collapse_shape %bc34 [[0], [1, 2], [3], [4]] : tensor<1x1x2x4x8xf32> into tensor<1x2x4x8xf32>
  %e36 = tensor.empty() : tensor<1x4x4x8xf32>
  %dst37 = tensor.extract_slice %e36[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp38 = linalg.copy ins(%cl528 : tensor<1x2x4x8xf32>) outs(%dst37 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins39 = tensor.insert_slice %cp38 into %e36[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %dst40 = tensor.extract_slice %ins39[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp41 = linalg.copy ins(%cl535 : tensor<1x2x4x8xf32>) outs(%dst40 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins42 = tensor.insert_slice %cp41 into %ins39[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %mask = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %cl43 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x4x4x8xf32> into tensor<4x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x4xf32>
  %tr45 = linalg.transpose ins(%ins21 : tensor<1x4x4x8xf32>) outs(%e44 : tensor<1x4x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl46 = tensor.collapse_shape %tr45 [[0, 1], [2], [3]] : tensor<1x4x8x4xf32> into tensor<4x8x4xf32>
  %c47 = arith.constant 0.000000e+00 : f32
  %e48 = tensor.empty() : tensor<4x4x4xf32>
  %f49 = linalg.fill ins(%c47 : f32) outs(%e48 : tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %mm50 = linalg.batch_matmul ins(%cl43, %cl46 : tensor<4x4x8xf32>, tensor<4x8x4xf32>) outs(%f49 : tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %ex51 = tensor.expand_shape %mm50 [[0, 1], [2], [3]] output_shape [1, 4, 4, 4] : tensor<4x4x4xf32> into tensor<1x4x4x4xf32>
  %s52 = arith.constant dense<2.82842708> : tensor<f32>
  %e53 = tensor.empty() : tensor<1x4x4x4xf32>
  %g54 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex51, %s52 : tensor<1x4x4x4xf32>, tensor<f32>) outs(%e53 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %e55 = tensor.empty() : tensor<1x4x4x4xf32>
  %g56 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g54, %mask : tensor<1x4x4x4xf32>, tensor<4x4xf32>) outs(%e55 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %c57 = arith.constant 0xFF800000 : f32
  %e58 = tensor.empty() : tensor<1x4x4xf32>
  %f59 = linalg.fill ins(%c57 : f32) outs(%e58 : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %red60 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g56 : tensor<1x4x4x4xf32>) outs(%f59 : tensor<1x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4xf32>
  %k61 = tensor.expand_shape %red60 [[0], [1], [2, 3]] output_shape [1, 4, 4, 1] : tensor<1x4x4xf32> into tensor<1x4x4x1xf32>
  %e62 = tensor.empty() : tensor<1x4x4x4xf32>
  %g63 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g56, %k61 : tensor<1x4x4x4xf32>, tensor<1x4x4x1xf32>) outs(%e62 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %e64 = tensor.empty() : tensor<1x4x4x4xf32>
  %g65 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g63 : tensor<1x4x4x4xf32>) outs(%e64 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %c66 = arith.constant 0.000000e+00 : f32
  %e67 = tensor.empty() : tensor<1x4x4xf32>
  %f68 = linalg.fill ins(%c66 : f32) outs(%e67 : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %red69 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g65 : tensor<1x4x4x4xf32>) outs(%f68 : tensor<1x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4xf32>
  %k70 = tensor.expand_shape %red69 [[0], [1], [2, 3]] output_shape [1, 4, 4, 1] : tensor<1x4x4xf32> into tensor<1x4x4x1xf32>
  %e71 = tensor.empty() : tensor<1x4x4x4xf32>
  %g72 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g65, %k70 : tensor<1x4x4x4xf32>, tensor<1x4x4x1xf32>) outs(%e71 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %cl73 = tensor.collapse_shape %g72 [[0, 1], [2], [3]] : tensor<1x4x4x4xf32> into tensor<4x4x4xf32>
  %cl74 = tensor.collapse_shape %ins42 [[0, 1], [2], [3]] : tensor<1x4x4x8xf32> into tensor<4x4x8xf32>
  %c75 = arith.constant 0.000000e+00 : f32
  %e76 = tensor.empty() : tensor<4x4x8xf32>
  %f77 = linalg.fill ins(%c75 : f32) outs(%e76 : tensor<4x4x8xf32>) -> tensor<4x4x8xf32>
  %mm78 = linalg.batch_matmul ins(%cl73, %cl74 : tensor<4x4x4xf32>, tensor<4x4x8xf32>) outs(%f77 : tensor<4x4x8xf32>) -> tensor<4x4x8xf32>
  %ex79 = tensor.expand_shape %mm78 [[0, 1], [2], [3]] output_shape [1, 4, 4, 8] : tensor<4x4x8xf32> into tensor<1x4x4x8xf32>
  return %ex79 : tensor<1x4x4x8xf32>
}

// -----

// A mask that is not a constant: the mask operand, [S, T] → [1, 1, S, T].
// CHECK-LABEL: func.func @explicit_mask
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<4x4xf32>
// CHECK-NEXT: %[[M4:.+]] = tensor.expand_shape %[[M]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 4, 4]
// CHECK-NEXT: linea.attention %{{.+}}, %{{.+}}, %{{.+}} mask %[[M4]] {scale = 0.353553385 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x4x8xf32>
func.func @explicit_mask(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %m: tensor<4x4xf32>) -> tensor<1x2x4x8xf32> {
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %s10 = arith.constant dense<2.82842708> : tensor<f32>
  %e11 = tensor.empty() : tensor<1x2x4x4xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %s10 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%e11 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e13 = tensor.empty() : tensor<1x2x4x4xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g12, %m : tensor<1x2x4x4xf32>, tensor<4x4xf32>) outs(%e13 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c15 = arith.constant 0xFF800000 : f32
  %e16 = tensor.empty() : tensor<1x2x4xf32>
  %f17 = linalg.fill ins(%c15 : f32) outs(%e16 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g14 : tensor<1x2x4x4xf32>) outs(%f17 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k19 = tensor.expand_shape %red18 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e20 = tensor.empty() : tensor<1x2x4x4xf32>
  %g21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g14, %k19 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e20 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e22 = tensor.empty() : tensor<1x2x4x4xf32>
  %g23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g21 : tensor<1x2x4x4xf32>) outs(%e22 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c24 = arith.constant 0.000000e+00 : f32
  %e25 = tensor.empty() : tensor<1x2x4xf32>
  %f26 = linalg.fill ins(%c24 : f32) outs(%e25 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g23 : tensor<1x2x4x4xf32>) outs(%f26 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k28 = tensor.expand_shape %red27 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e29 = tensor.empty() : tensor<1x2x4x4xf32>
  %g30 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g23, %k28 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e29 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl31 = tensor.collapse_shape %g30 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl32 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c33 = arith.constant 0.000000e+00 : f32
  %e34 = tensor.empty() : tensor<2x4x8xf32>
  %f35 = linalg.fill ins(%c33 : f32) outs(%e34 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %mm36 = linalg.batch_matmul ins(%cl31, %cl32 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f35 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex37 = tensor.expand_shape %mm36 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex37 : tensor<1x2x4x8xf32>
}

// -----

// S = 2 queries over T = 4 keys: the mask hides keys j > i + (T - S),
// bottom-right aligned as linea.attention's `causal`.
// CHECK-LABEL: func.func @causal_kv_cache
// CHECK-NEXT: linea.attention %{{.+}} {causal, scale = 0.353553385 : f32} : (tensor<1x2x2x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x2x8xf32>
func.func @causal_kv_cache(%q: tensor<1x2x2x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x2x8xf32> {
  %mask = arith.constant dense<[[0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x2x8xf32> into tensor<2x2x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x2x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x2x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 2, 4] : tensor<2x2x4xf32> into tensor<1x2x2x4xf32>
  %s10 = arith.constant dense<2.82842708> : tensor<f32>
  %e11 = tensor.empty() : tensor<1x2x2x4xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %s10 : tensor<1x2x2x4xf32>, tensor<f32>) outs(%e11 : tensor<1x2x2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x4xf32>
  %e13 = tensor.empty() : tensor<1x2x2x4xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g12, %mask : tensor<1x2x2x4xf32>, tensor<2x4xf32>) outs(%e13 : tensor<1x2x2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x4xf32>
  %c15 = arith.constant 0xFF800000 : f32
  %e16 = tensor.empty() : tensor<1x2x2xf32>
  %f17 = linalg.fill ins(%c15 : f32) outs(%e16 : tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %red18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g14 : tensor<1x2x2x4xf32>) outs(%f17 : tensor<1x2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2xf32>
  %k19 = tensor.expand_shape %red18 [[0], [1], [2, 3]] output_shape [1, 2, 2, 1] : tensor<1x2x2xf32> into tensor<1x2x2x1xf32>
  %e20 = tensor.empty() : tensor<1x2x2x4xf32>
  %g21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g14, %k19 : tensor<1x2x2x4xf32>, tensor<1x2x2x1xf32>) outs(%e20 : tensor<1x2x2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x4xf32>
  %e22 = tensor.empty() : tensor<1x2x2x4xf32>
  %g23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g21 : tensor<1x2x2x4xf32>) outs(%e22 : tensor<1x2x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x4xf32>
  %c24 = arith.constant 0.000000e+00 : f32
  %e25 = tensor.empty() : tensor<1x2x2xf32>
  %f26 = linalg.fill ins(%c24 : f32) outs(%e25 : tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %red27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g23 : tensor<1x2x2x4xf32>) outs(%f26 : tensor<1x2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2xf32>
  %k28 = tensor.expand_shape %red27 [[0], [1], [2, 3]] output_shape [1, 2, 2, 1] : tensor<1x2x2xf32> into tensor<1x2x2x1xf32>
  %e29 = tensor.empty() : tensor<1x2x2x4xf32>
  %g30 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g23, %k28 : tensor<1x2x2x4xf32>, tensor<1x2x2x1xf32>) outs(%e29 : tensor<1x2x2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x2x4xf32>
  %cl31 = tensor.collapse_shape %g30 [[0, 1], [2], [3]] : tensor<1x2x2x4xf32> into tensor<2x2x4xf32>
  %cl32 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c33 = arith.constant 0.000000e+00 : f32
  %e34 = tensor.empty() : tensor<2x2x8xf32>
  %f35 = linalg.fill ins(%c33 : f32) outs(%e34 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
  %mm36 = linalg.batch_matmul ins(%cl31, %cl32 : tensor<2x2x4xf32>, tensor<2x4x8xf32>) outs(%f35 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
  %ex37 = tensor.expand_shape %mm36 [[0, 1], [2], [3]] output_shape [1, 2, 2, 8] : tensor<2x2x8xf32> into tensor<1x2x2x8xf32>
  return %ex37 : tensor<1x2x2x8xf32>
}

// -----

// torch.nn.MultiheadAttention's export: rank-3 [N = B·H, S, D] throughout,
// q multiplied by a constant inside the body, Kᵀ a [1, 2, 0] transpose of
// k [T, N, D]. [B, H] = [1, N]; k is the composed transpose [1, 0, 2].
// CHECK-LABEL: func.func @mha_rank3
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: tensor<8x5x8xf32>, %[[K:[a-z0-9]+]]: tensor<5x8x8xf32>, %[[V:[a-z0-9]+]]: tensor<8x5x8xf32>)
// CHECK-DAG: %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1], [2], [3]] output_shape [1, 8, 5, 8]
// CHECK-DAG: %[[KT:.+]] = linalg.transpose ins(%[[K]] : tensor<5x8x8xf32>) outs(%{{.+}} : tensor<8x5x8xf32>) permutation = [1, 0, 2]
// CHECK-DAG: %[[K4:.+]] = tensor.expand_shape %[[KT]] {{\[}}[0, 1], [2], [3]] output_shape [1, 8, 5, 8]
// CHECK-DAG: %[[V4:.+]] = tensor.expand_shape %[[V]] {{\[}}[0, 1], [2], [3]] output_shape [1, 8, 5, 8]
// CHECK: %[[O:.+]] = linea.attention %[[Q4]], %[[K4]], %[[V4]] {scale = 0.353553385 : f32}
// CHECK-NEXT: %[[O3:.+]] = tensor.collapse_shape %[[O]] {{\[}}[0, 1], [2], [3]] : tensor<1x8x5x8xf32> into tensor<8x5x8xf32>
// CHECK-NEXT: return %[[O3]]
func.func @mha_rank3(%q: tensor<8x5x8xf32>, %k: tensor<5x8x8xf32>, %v: tensor<8x5x8xf32>) -> tensor<8x5x8xf32> {
  %e1 = tensor.empty() : tensor<8x5x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%q : tensor<8x5x8xf32>) outs(%e1 : tensor<8x5x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 0.353553385 : f32
    %r = arith.mulf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<8x5x8xf32>
  %e3 = tensor.empty() : tensor<8x8x5xf32>
  %tr4 = linalg.transpose ins(%k : tensor<5x8x8xf32>) outs(%e3 : tensor<8x8x5xf32>) permutation = [1, 2, 0]
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<8x5x5xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<8x5x5xf32>) -> tensor<8x5x5xf32>
  %mm8 = linalg.batch_matmul ins(%g2, %tr4 : tensor<8x5x8xf32>, tensor<8x8x5xf32>) outs(%f7 : tensor<8x5x5xf32>) -> tensor<8x5x5xf32>
  %c9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<8x5xf32>
  %f11 = linalg.fill ins(%c9 : f32) outs(%e10 : tensor<8x5xf32>) -> tensor<8x5xf32>
  %red12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%mm8 : tensor<8x5x5xf32>) outs(%f11 : tensor<8x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<8x5xf32>
  %k13 = tensor.expand_shape %red12 [[0], [1, 2]] output_shape [8, 5, 1] : tensor<8x5xf32> into tensor<8x5x1xf32>
  %e14 = tensor.empty() : tensor<8x5x5xf32>
  %g15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mm8, %k13 : tensor<8x5x5xf32>, tensor<8x5x1xf32>) outs(%e14 : tensor<8x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8x5x5xf32>
  %e16 = tensor.empty() : tensor<8x5x5xf32>
  %g17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g15 : tensor<8x5x5xf32>) outs(%e16 : tensor<8x5x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<8x5x5xf32>
  %c18 = arith.constant 0.000000e+00 : f32
  %e19 = tensor.empty() : tensor<8x5xf32>
  %f20 = linalg.fill ins(%c18 : f32) outs(%e19 : tensor<8x5xf32>) -> tensor<8x5xf32>
  %red21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g17 : tensor<8x5x5xf32>) outs(%f20 : tensor<8x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<8x5xf32>
  %k22 = tensor.expand_shape %red21 [[0], [1, 2]] output_shape [8, 5, 1] : tensor<8x5xf32> into tensor<8x5x1xf32>
  %e23 = tensor.empty() : tensor<8x5x5xf32>
  %g24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g17, %k22 : tensor<8x5x5xf32>, tensor<8x5x1xf32>) outs(%e23 : tensor<8x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8x5x5xf32>
  %c25 = arith.constant 0.000000e+00 : f32
  %e26 = tensor.empty() : tensor<8x5x8xf32>
  %f27 = linalg.fill ins(%c25 : f32) outs(%e26 : tensor<8x5x8xf32>) -> tensor<8x5x8xf32>
  %mm28 = linalg.batch_matmul ins(%g24, %v : tensor<8x5x5xf32>, tensor<8x5x8xf32>) outs(%f27 : tensor<8x5x8xf32>) -> tensor<8x5x8xf32>
  return %mm28 : tensor<8x5x8xf32>
}

// -----

// Rank 3 with a per-batch key mask [N, 1, T] (map (d0, 0, d2)): mask
// [1, N, 1, T]; q divided by 2 gives scale 0.5.
// CHECK-LABEL: func.func @rank3_padding_mask
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<4x1x5xf32>
// CHECK: %[[M4:.+]] = tensor.expand_shape %[[M]] {{\[}}[0, 1], [2], [3]] output_shape [1, 4, 1, 5]
// CHECK-NEXT: linea.attention %{{.+}}, %{{.+}}, %{{.+}} mask %[[M4]] {scale = 5.000000e-01 : f32} : (tensor<1x4x3x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x1x5xf32>) -> tensor<1x4x3x8xf32>
func.func @rank3_padding_mask(%q: tensor<4x3x8xf32>, %k: tensor<4x5x8xf32>, %v: tensor<4x5x8xf32>, %m: tensor<4x1x5xf32>) -> tensor<4x3x8xf32> {
  %e1 = tensor.empty() : tensor<4x3x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%q : tensor<4x3x8xf32>) outs(%e1 : tensor<4x3x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 2.0 : f32
    %r = arith.divf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<4x3x8xf32>
  %e3 = tensor.empty() : tensor<4x8x5xf32>
  %tr4 = linalg.transpose ins(%k : tensor<4x5x8xf32>) outs(%e3 : tensor<4x8x5xf32>) permutation = [0, 2, 1]
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<4x3x5xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<4x3x5xf32>) -> tensor<4x3x5xf32>
  %mm8 = linalg.batch_matmul ins(%g2, %tr4 : tensor<4x3x8xf32>, tensor<4x8x5xf32>) outs(%f7 : tensor<4x3x5xf32>) -> tensor<4x3x5xf32>
  %e9 = tensor.empty() : tensor<4x3x5xf32>
  %g10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, 0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mm8, %m : tensor<4x3x5xf32>, tensor<4x1x5xf32>) outs(%e9 : tensor<4x3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x3x5xf32>
  %c11 = arith.constant 0xFF800000 : f32
  %e12 = tensor.empty() : tensor<4x3xf32>
  %f13 = linalg.fill ins(%c11 : f32) outs(%e12 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %red14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g10 : tensor<4x3x5xf32>) outs(%f13 : tensor<4x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<4x3xf32>
  %k15 = tensor.expand_shape %red14 [[0], [1, 2]] output_shape [4, 3, 1] : tensor<4x3xf32> into tensor<4x3x1xf32>
  %e16 = tensor.empty() : tensor<4x3x5xf32>
  %g17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g10, %k15 : tensor<4x3x5xf32>, tensor<4x3x1xf32>) outs(%e16 : tensor<4x3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x3x5xf32>
  %e18 = tensor.empty() : tensor<4x3x5xf32>
  %g19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g17 : tensor<4x3x5xf32>) outs(%e18 : tensor<4x3x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<4x3x5xf32>
  %c20 = arith.constant 0.000000e+00 : f32
  %e21 = tensor.empty() : tensor<4x3xf32>
  %f22 = linalg.fill ins(%c20 : f32) outs(%e21 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %red23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g19 : tensor<4x3x5xf32>) outs(%f22 : tensor<4x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<4x3xf32>
  %k24 = tensor.expand_shape %red23 [[0], [1, 2]] output_shape [4, 3, 1] : tensor<4x3xf32> into tensor<4x3x1xf32>
  %e25 = tensor.empty() : tensor<4x3x5xf32>
  %g26 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g19, %k24 : tensor<4x3x5xf32>, tensor<4x3x1xf32>) outs(%e25 : tensor<4x3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x3x5xf32>
  %c27 = arith.constant 0.000000e+00 : f32
  %e28 = tensor.empty() : tensor<4x3x8xf32>
  %f29 = linalg.fill ins(%c27 : f32) outs(%e28 : tensor<4x3x8xf32>) -> tensor<4x3x8xf32>
  %mm30 = linalg.batch_matmul ins(%g26, %v : tensor<4x3x5xf32>, tensor<4x5x8xf32>) outs(%f29 : tensor<4x3x8xf32>) -> tensor<4x3x8xf32>
  return %mm30 : tensor<4x3x8xf32>
}

// -----

// Heads tiled 0, 1, 0, 1 (torch.repeat), not interleaved: the repetition
// does not match linea.attention's h div g, so k and v stay repeated (Hkv = H).
// CHECK-LABEL: func.func @tiled_heads
// CHECK: %[[K:.+]] = tensor.insert_slice %{{.+}}[0, 2, 0, 0] [1, 2, 4, 8]
// CHECK: %[[V:.+]] = tensor.insert_slice %{{.+}}[0, 2, 0, 0] [1, 2, 4, 8]
// CHECK-NEXT: linea.attention %{{.+}}, %[[K]], %[[V]] {scale = 0.353553385 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
func.func @tiled_heads(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %e1 = tensor.empty() : tensor<1x4x4x8xf32>
  %dst2 = tensor.extract_slice %e1[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp3 = linalg.copy ins(%k : tensor<1x2x4x8xf32>) outs(%dst2 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins4 = tensor.insert_slice %cp3 into %e1[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %dst5 = tensor.extract_slice %ins4[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp6 = linalg.copy ins(%k : tensor<1x2x4x8xf32>) outs(%dst5 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins7 = tensor.insert_slice %cp6 into %ins4[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %e8 = tensor.empty() : tensor<1x4x4x8xf32>
  %dst9 = tensor.extract_slice %e8[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp10 = linalg.copy ins(%v : tensor<1x2x4x8xf32>) outs(%dst9 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins11 = tensor.insert_slice %cp10 into %e8[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %dst12 = tensor.extract_slice %ins11[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
  %cp13 = linalg.copy ins(%v : tensor<1x2x4x8xf32>) outs(%dst12 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %ins14 = tensor.insert_slice %cp13 into %ins11[0, 2, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x4x8xf32> into tensor<1x4x4x8xf32>
  %cl15 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x4x4x8xf32> into tensor<4x4x8xf32>
  %e16 = tensor.empty() : tensor<1x4x8x4xf32>
  %tr17 = linalg.transpose ins(%ins7 : tensor<1x4x4x8xf32>) outs(%e16 : tensor<1x4x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl18 = tensor.collapse_shape %tr17 [[0, 1], [2], [3]] : tensor<1x4x8x4xf32> into tensor<4x8x4xf32>
  %c19 = arith.constant 0.000000e+00 : f32
  %e20 = tensor.empty() : tensor<4x4x4xf32>
  %f21 = linalg.fill ins(%c19 : f32) outs(%e20 : tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %mm22 = linalg.batch_matmul ins(%cl15, %cl18 : tensor<4x4x8xf32>, tensor<4x8x4xf32>) outs(%f21 : tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %ex23 = tensor.expand_shape %mm22 [[0, 1], [2], [3]] output_shape [1, 4, 4, 4] : tensor<4x4x4xf32> into tensor<1x4x4x4xf32>
  %s24 = arith.constant dense<2.82842708> : tensor<f32>
  %e25 = tensor.empty() : tensor<1x4x4x4xf32>
  %g26 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex23, %s24 : tensor<1x4x4x4xf32>, tensor<f32>) outs(%e25 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %c27 = arith.constant 0xFF800000 : f32
  %e28 = tensor.empty() : tensor<1x4x4xf32>
  %f29 = linalg.fill ins(%c27 : f32) outs(%e28 : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %red30 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g26 : tensor<1x4x4x4xf32>) outs(%f29 : tensor<1x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4xf32>
  %k31 = tensor.expand_shape %red30 [[0], [1], [2, 3]] output_shape [1, 4, 4, 1] : tensor<1x4x4xf32> into tensor<1x4x4x1xf32>
  %e32 = tensor.empty() : tensor<1x4x4x4xf32>
  %g33 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g26, %k31 : tensor<1x4x4x4xf32>, tensor<1x4x4x1xf32>) outs(%e32 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %e34 = tensor.empty() : tensor<1x4x4x4xf32>
  %g35 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g33 : tensor<1x4x4x4xf32>) outs(%e34 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %c36 = arith.constant 0.000000e+00 : f32
  %e37 = tensor.empty() : tensor<1x4x4xf32>
  %f38 = linalg.fill ins(%c36 : f32) outs(%e37 : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %red39 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g35 : tensor<1x4x4x4xf32>) outs(%f38 : tensor<1x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4xf32>
  %k40 = tensor.expand_shape %red39 [[0], [1], [2, 3]] output_shape [1, 4, 4, 1] : tensor<1x4x4xf32> into tensor<1x4x4x1xf32>
  %e41 = tensor.empty() : tensor<1x4x4x4xf32>
  %g42 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g35, %k40 : tensor<1x4x4x4xf32>, tensor<1x4x4x1xf32>) outs(%e41 : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %cl43 = tensor.collapse_shape %g42 [[0, 1], [2], [3]] : tensor<1x4x4x4xf32> into tensor<4x4x4xf32>
  %cl44 = tensor.collapse_shape %ins14 [[0, 1], [2], [3]] : tensor<1x4x4x8xf32> into tensor<4x4x8xf32>
  %c45 = arith.constant 0.000000e+00 : f32
  %e46 = tensor.empty() : tensor<4x4x8xf32>
  %f47 = linalg.fill ins(%c45 : f32) outs(%e46 : tensor<4x4x8xf32>) -> tensor<4x4x8xf32>
  %mm48 = linalg.batch_matmul ins(%cl43, %cl44 : tensor<4x4x4xf32>, tensor<4x4x8xf32>) outs(%f47 : tensor<4x4x8xf32>) -> tensor<4x4x8xf32>
  %ex49 = tensor.expand_shape %mm48 [[0, 1], [2], [3]] output_shape [1, 4, 4, 8] : tensor<4x4x8xf32> into tensor<1x4x4x8xf32>
  return %ex49 : tensor<1x4x4x8xf32>
}

// -----

// Negative: a constant mask one entry away from causal stays a mask operand.
// CHECK-LABEL: func.func @almost_causal
// CHECK-NEXT: %[[M:.+]] = arith.constant dense<{{.+}}> : tensor<1x1x4x4xf32>
// CHECK-NEXT: linea.attention %{{.+}}, %{{.+}}, %{{.+}} mask %[[M]] {scale = 0.353553385 : f32}
// CHECK-NOT: causal
func.func @almost_causal(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %mask = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0xFF800000, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %s10 = arith.constant dense<2.82842708> : tensor<f32>
  %e11 = tensor.empty() : tensor<1x2x4x4xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %s10 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%e11 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e13 = tensor.empty() : tensor<1x2x4x4xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g12, %mask : tensor<1x2x4x4xf32>, tensor<4x4xf32>) outs(%e13 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c15 = arith.constant 0xFF800000 : f32
  %e16 = tensor.empty() : tensor<1x2x4xf32>
  %f17 = linalg.fill ins(%c15 : f32) outs(%e16 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g14 : tensor<1x2x4x4xf32>) outs(%f17 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k19 = tensor.expand_shape %red18 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e20 = tensor.empty() : tensor<1x2x4x4xf32>
  %g21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g14, %k19 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e20 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e22 = tensor.empty() : tensor<1x2x4x4xf32>
  %g23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g21 : tensor<1x2x4x4xf32>) outs(%e22 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c24 = arith.constant 0.000000e+00 : f32
  %e25 = tensor.empty() : tensor<1x2x4xf32>
  %f26 = linalg.fill ins(%c24 : f32) outs(%e25 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g23 : tensor<1x2x4x4xf32>) outs(%f26 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k28 = tensor.expand_shape %red27 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e29 = tensor.empty() : tensor<1x2x4x4xf32>
  %g30 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g23, %k28 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e29 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl31 = tensor.collapse_shape %g30 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl32 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c33 = arith.constant 0.000000e+00 : f32
  %e34 = tensor.empty() : tensor<2x4x8xf32>
  %f35 = linalg.fill ins(%c33 : f32) outs(%e34 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %mm36 = linalg.batch_matmul ins(%cl31, %cl32 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f35 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex37 = tensor.expand_shape %mm36 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex37 : tensor<1x2x4x8xf32>
}

// -----

// Negative: the causal pattern with -1e9 instead of -inf is not provably
// causal (the scores are unbounded), so it stays a mask operand. No constant
// factor: scale 1.
// CHECK-LABEL: func.func @finite_causal
// CHECK-NEXT: %[[M:.+]] = arith.constant dense<{{.+}}-1.000000e+09{{.+}}> : tensor<1x1x4x4xf32>
// CHECK-NEXT: linea.attention %{{.+}}, %{{.+}}, %{{.+}} mask %[[M]] {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
func.func @finite_causal(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %mask = arith.constant dense<[[0.0, -1.0e+09, -1.0e+09, -1.0e+09], [0.0, 0.0, -1.0e+09, -1.0e+09], [0.0, 0.0, 0.0, -1.0e+09], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %e10 = tensor.empty() : tensor<1x2x4x4xf32>
  %g11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %mask : tensor<1x2x4x4xf32>, tensor<4x4xf32>) outs(%e10 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c12 = arith.constant 0xFF800000 : f32
  %e13 = tensor.empty() : tensor<1x2x4xf32>
  %f14 = linalg.fill ins(%c12 : f32) outs(%e13 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g11 : tensor<1x2x4x4xf32>) outs(%f14 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k16 = tensor.expand_shape %red15 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e17 = tensor.empty() : tensor<1x2x4x4xf32>
  %g18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g11, %k16 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e17 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e19 = tensor.empty() : tensor<1x2x4x4xf32>
  %g20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g18 : tensor<1x2x4x4xf32>) outs(%e19 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c21 = arith.constant 0.000000e+00 : f32
  %e22 = tensor.empty() : tensor<1x2x4xf32>
  %f23 = linalg.fill ins(%c21 : f32) outs(%e22 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g20 : tensor<1x2x4x4xf32>) outs(%f23 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k25 = tensor.expand_shape %red24 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e26 = tensor.empty() : tensor<1x2x4x4xf32>
  %g27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g20, %k25 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e26 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl28 = tensor.collapse_shape %g27 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl29 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c30 = arith.constant 0.000000e+00 : f32
  %e31 = tensor.empty() : tensor<2x4x8xf32>
  %f32 = linalg.fill ins(%c30 : f32) outs(%e31 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %mm33 = linalg.batch_matmul ins(%cl28, %cl29 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f32 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex34 = tensor.expand_shape %mm33 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex34 : tensor<1x2x4x8xf32>
}

// -----

// Negative: the softmax normalizes over the queries (dim 2), not the keys.
// CHECK-LABEL: func.func @softmax_wrong_axis
// CHECK-NOT: linea.attention
// CHECK: linalg.batch_matmul
// CHECK: linalg.batch_matmul
// CHECK-NOT: linea.attention
func.func @softmax_wrong_axis(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %s10 = arith.constant dense<2.82842708> : tensor<f32>
  %e11 = tensor.empty() : tensor<1x2x4x4xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %s10 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%e11 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c13 = arith.constant 0xFF800000 : f32
  %e14 = tensor.empty() : tensor<1x2x4xf32>
  %f15 = linalg.fill ins(%c13 : f32) outs(%e14 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%g12 : tensor<1x2x4x4xf32>) outs(%f15 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k17 = tensor.expand_shape %red16 [[0], [1], [2, 3]] output_shape [1, 2, 1, 4] : tensor<1x2x4xf32> into tensor<1x2x1x4xf32>
  %e18 = tensor.empty() : tensor<1x2x4x4xf32>
  %g19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g12, %k17 : tensor<1x2x4x4xf32>, tensor<1x2x1x4xf32>) outs(%e18 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e20 = tensor.empty() : tensor<1x2x4x4xf32>
  %g21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g19 : tensor<1x2x4x4xf32>) outs(%e20 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c22 = arith.constant 0.000000e+00 : f32
  %e23 = tensor.empty() : tensor<1x2x4xf32>
  %f24 = linalg.fill ins(%c22 : f32) outs(%e23 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%g21 : tensor<1x2x4x4xf32>) outs(%f24 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k26 = tensor.expand_shape %red25 [[0], [1], [2, 3]] output_shape [1, 2, 1, 4] : tensor<1x2x4xf32> into tensor<1x2x1x4xf32>
  %e27 = tensor.empty() : tensor<1x2x4x4xf32>
  %g28 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g21, %k26 : tensor<1x2x4x4xf32>, tensor<1x2x1x4xf32>) outs(%e27 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl29 = tensor.collapse_shape %g28 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl30 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c31 = arith.constant 0.000000e+00 : f32
  %e32 = tensor.empty() : tensor<2x4x8xf32>
  %f33 = linalg.fill ins(%c31 : f32) outs(%e32 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %mm34 = linalg.batch_matmul ins(%cl29, %cl30 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f33 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex35 = tensor.expand_shape %mm34 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex35 : tensor<1x2x4x8xf32>
}

// -----

// Negative: the mask is read transposed (m[t, s]), not a broadcast of [S, T].
// CHECK-LABEL: func.func @mask_transposed
// CHECK-NOT: linea.attention
// CHECK: linalg.batch_matmul
// CHECK: linalg.batch_matmul
// CHECK-NOT: linea.attention
func.func @mask_transposed(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %m: tensor<4x4xf32>) -> tensor<1x2x4x8xf32> {
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %e10 = tensor.empty() : tensor<1x2x4x4xf32>
  %g11 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %m : tensor<1x2x4x4xf32>, tensor<4x4xf32>) outs(%e10 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c12 = arith.constant 0xFF800000 : f32
  %e13 = tensor.empty() : tensor<1x2x4xf32>
  %f14 = linalg.fill ins(%c12 : f32) outs(%e13 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g11 : tensor<1x2x4x4xf32>) outs(%f14 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k16 = tensor.expand_shape %red15 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e17 = tensor.empty() : tensor<1x2x4x4xf32>
  %g18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g11, %k16 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e17 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e19 = tensor.empty() : tensor<1x2x4x4xf32>
  %g20 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g18 : tensor<1x2x4x4xf32>) outs(%e19 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c21 = arith.constant 0.000000e+00 : f32
  %e22 = tensor.empty() : tensor<1x2x4xf32>
  %f23 = linalg.fill ins(%c21 : f32) outs(%e22 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g20 : tensor<1x2x4x4xf32>) outs(%f23 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k25 = tensor.expand_shape %red24 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e26 = tensor.empty() : tensor<1x2x4x4xf32>
  %g27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g20, %k25 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e26 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl28 = tensor.collapse_shape %g27 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl29 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c30 = arith.constant 0.000000e+00 : f32
  %e31 = tensor.empty() : tensor<2x4x8xf32>
  %f32 = linalg.fill ins(%c30 : f32) outs(%e31 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  // expected-remark @+1 {{softmax·V not raised to linea.attention: the mask is not a static tensor broadcast along the scores (numpy-style indexing map)}}
  %mm33 = linalg.batch_matmul ins(%cl28, %cl29 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f32 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex34 = tensor.expand_shape %mm33 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex34 : tensor<1x2x4x8xf32>
}

// -----

// Negative: linea.attention's scale must be positive.
// CHECK-LABEL: func.func @negative_scale
// CHECK-NOT: linea.attention
func.func @negative_scale(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %e1 = tensor.empty() : tensor<2x4x8xf32>
  %g2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%q : tensor<2x4x8xf32>) outs(%e1 : tensor<2x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant -0.5 : f32
    %r = arith.mulf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<2x4x8xf32>
  %e3 = tensor.empty() : tensor<2x8x4xf32>
  %tr4 = linalg.transpose ins(%k : tensor<2x4x8xf32>) outs(%e3 : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%g2, %tr4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %c9 = arith.constant 0xFF800000 : f32
  %e10 = tensor.empty() : tensor<2x4xf32>
  %f11 = linalg.fill ins(%c9 : f32) outs(%e10 : tensor<2x4xf32>) -> tensor<2x4xf32>
  %red12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%mm8 : tensor<2x4x4xf32>) outs(%f11 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %k13 = tensor.expand_shape %red12 [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %e14 = tensor.empty() : tensor<2x4x4xf32>
  %g15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mm8, %k13 : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%e14 : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %e16 = tensor.empty() : tensor<2x4x4xf32>
  %g17 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g15 : tensor<2x4x4xf32>) outs(%e16 : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %c18 = arith.constant 0.000000e+00 : f32
  %e19 = tensor.empty() : tensor<2x4xf32>
  %f20 = linalg.fill ins(%c18 : f32) outs(%e19 : tensor<2x4xf32>) -> tensor<2x4xf32>
  %red21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g17 : tensor<2x4x4xf32>) outs(%f20 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %k22 = tensor.expand_shape %red21 [[0], [1, 2]] output_shape [2, 4, 1] : tensor<2x4xf32> into tensor<2x4x1xf32>
  %e23 = tensor.empty() : tensor<2x4x4xf32>
  %g24 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g17, %k22 : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%e23 : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %c25 = arith.constant 0.000000e+00 : f32
  %e26 = tensor.empty() : tensor<2x4x8xf32>
  %f27 = linalg.fill ins(%c25 : f32) outs(%e26 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  // expected-remark @+1 {{softmax·V not raised to linea.attention: the score scale -0.50 is not a positive finite f32}}
  %mm28 = linalg.batch_matmul ins(%g24, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f27 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %mm28 : tensor<2x4x8xf32>
}

// -----

// Negative: the probabilities are also returned; raising would compute
// the softmax twice.
// CHECK-LABEL: func.func @probs_used
// CHECK-NOT: linea.attention
func.func @probs_used(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %s10 = arith.constant dense<2.82842708> : tensor<f32>
  %e11 = tensor.empty() : tensor<1x2x4x4xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %s10 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%e11 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c13 = arith.constant 0xFF800000 : f32
  %e14 = tensor.empty() : tensor<1x2x4xf32>
  %f15 = linalg.fill ins(%c13 : f32) outs(%e14 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red16 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g12 : tensor<1x2x4x4xf32>) outs(%f15 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k17 = tensor.expand_shape %red16 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e18 = tensor.empty() : tensor<1x2x4x4xf32>
  %g19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g12, %k17 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e18 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e20 = tensor.empty() : tensor<1x2x4x4xf32>
  %g21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g19 : tensor<1x2x4x4xf32>) outs(%e20 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c22 = arith.constant 0.000000e+00 : f32
  %e23 = tensor.empty() : tensor<1x2x4xf32>
  %f24 = linalg.fill ins(%c22 : f32) outs(%e23 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g21 : tensor<1x2x4x4xf32>) outs(%f24 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k26 = tensor.expand_shape %red25 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e27 = tensor.empty() : tensor<1x2x4x4xf32>
  %g28 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g21, %k26 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e27 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl29 = tensor.collapse_shape %g28 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl30 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c31 = arith.constant 0.000000e+00 : f32
  %e32 = tensor.empty() : tensor<2x4x8xf32>
  %f33 = linalg.fill ins(%c31 : f32) outs(%e32 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  // expected-remark @+1 {{softmax·V not raised to linea.attention: the attention probabilities have other users}}
  %mm34 = linalg.batch_matmul ins(%cl29, %cl30 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f33 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex35 = tensor.expand_shape %mm34 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex35, %g28 : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// Negative: a [2, T] mask read at row 0 only (map (0, d3)) is not a numpy
// broadcast; raising would need a slice of it.
// CHECK-LABEL: func.func @mask_reads_one_row
// CHECK-NOT: linea.attention
func.func @mask_reads_one_row(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %m: tensor<2x4xf32>) -> tensor<1x2x4x8xf32> {
  %cl1 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %tr3 = linalg.transpose ins(%k : tensor<1x2x4x8xf32>) outs(%e2 : tensor<1x2x8x4xf32>) permutation = [0, 1, 3, 2]
  %cl4 = tensor.collapse_shape %tr3 [[0, 1], [2], [3]] : tensor<1x2x8x4xf32> into tensor<2x8x4xf32>
  %c5 = arith.constant 0.000000e+00 : f32
  %e6 = tensor.empty() : tensor<2x4x4xf32>
  %f7 = linalg.fill ins(%c5 : f32) outs(%e6 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mm8 = linalg.batch_matmul ins(%cl1, %cl4 : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%f7 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex9 = tensor.expand_shape %mm8 [[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : tensor<2x4x4xf32> into tensor<1x2x4x4xf32>
  %s10 = arith.constant dense<2.82842708> : tensor<f32>
  %e11 = tensor.empty() : tensor<1x2x4x4xf32>
  %g12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ex9, %s10 : tensor<1x2x4x4xf32>, tensor<f32>) outs(%e11 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e13 = tensor.empty() : tensor<1x2x4x4xf32>
  %g14 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g12, %m : tensor<1x2x4x4xf32>, tensor<2x4xf32>) outs(%e13 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c15 = arith.constant 0xFF800000 : f32
  %e16 = tensor.empty() : tensor<1x2x4xf32>
  %f17 = linalg.fill ins(%c15 : f32) outs(%e16 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red18 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g14 : tensor<1x2x4x4xf32>) outs(%f17 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k19 = tensor.expand_shape %red18 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e20 = tensor.empty() : tensor<1x2x4x4xf32>
  %g21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g14, %k19 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e20 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %e22 = tensor.empty() : tensor<1x2x4x4xf32>
  %g23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g21 : tensor<1x2x4x4xf32>) outs(%e22 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %c24 = arith.constant 0.000000e+00 : f32
  %e25 = tensor.empty() : tensor<1x2x4xf32>
  %f26 = linalg.fill ins(%c24 : f32) outs(%e25 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %red27 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%g23 : tensor<1x2x4x4xf32>) outs(%f26 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %k28 = tensor.expand_shape %red27 [[0], [1], [2, 3]] output_shape [1, 2, 4, 1] : tensor<1x2x4xf32> into tensor<1x2x4x1xf32>
  %e29 = tensor.empty() : tensor<1x2x4x4xf32>
  %g30 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g23, %k28 : tensor<1x2x4x4xf32>, tensor<1x2x4x1xf32>) outs(%e29 : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %cl31 = tensor.collapse_shape %g30 [[0, 1], [2], [3]] : tensor<1x2x4x4xf32> into tensor<2x4x4xf32>
  %cl32 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %c33 = arith.constant 0.000000e+00 : f32
  %e34 = tensor.empty() : tensor<2x4x8xf32>
  %f35 = linalg.fill ins(%c33 : f32) outs(%e34 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  // expected-remark @+1 {{softmax·V not raised to linea.attention: the mask does not broadcast to the scores (its dim 0 of size 2 is neither 1 nor the score size)}}
  %mm36 = linalg.batch_matmul ins(%cl31, %cl32 : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%f35 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %ex37 = tensor.expand_shape %mm36 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %ex37 : tensor<1x2x4x8xf32>
}
