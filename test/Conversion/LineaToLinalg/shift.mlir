// RUN: linea-opt %s --linea-to-linalg | FileCheck %s
// RUN: linea-opt %s --linea-to-linalg | FileCheck %s --check-prefix=NOLINEA

// The reference lowering of linea.shift_linear decodes each term
// signs[t, n, k] · 2^exponents[t, n, k] inside the contraction with x (2^e
// built from its bits: (e + 127) << 23 read as f32), then applies the
// per-row scale and the bias. No dense W is formed.
// python/tests/test_shift_numerics.py checks the numbers; this file checks
// the structure.

// NOLINEA-NOT: linea.

// Loops (m, n, t, k): x (m, k), terms (t, n, k), acc (m, n).
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[TERM:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>
// CHECK-DAG: #[[ACC:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW2:.+]] = affine_map<(d0, d1) -> (d1)>

// T = 2, N = 4, K = 8, bf16 x, f16 scale, bf16 bias.
// CHECK-LABEL: func.func @shift_scale_bias_bf16
// CHECK-SAME: (%[[XA:[^:]+]]: tensor<8x8xbf16>, %[[E:[^:]+]]: tensor<2x4x8xi8>, %[[S:[^:]+]]: tensor<2x4x8xi8>, %[[SC:[^:]+]]: tensor<4xf16>, %[[B:[^:]+]]: tensor<4xbf16>)
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<8x4xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[X]], #[[TERM]], #[[TERM]], #[[ACC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[XA]], %[[E]], %[[S]] : tensor<8x8xbf16>, tensor<2x4x8xi8>, tensor<2x4x8xi8>) outs(%[[ZERO]] : tensor<8x4xf32>)
// CHECK: ^bb0(%[[XV:.+]]: bf16, %[[EV:.+]]: i8, %[[SV:.+]]: i8, %[[OUT:.+]]: f32):
// CHECK: %[[XF:.+]] = arith.extf %[[XV]] : bf16 to f32
// CHECK: %[[E32:.+]] = arith.extsi %[[EV]] : i8 to i32
// CHECK: %[[C127:.+]] = arith.constant 127 : i32
// CHECK: %[[BIASED:.+]] = arith.addi %[[E32]], %[[C127]] : i32
// CHECK: %[[C23:.+]] = arith.constant 23 : i32
// CHECK: %[[BITS:.+]] = arith.shli %[[BIASED]], %[[C23]] : i32
// CHECK: %[[POW:.+]] = arith.bitcast %[[BITS]] : i32 to f32
// CHECK: %[[SF:.+]] = arith.sitofp %[[SV]] : i8 to f32
// CHECK: %[[TERMV:.+]] = arith.mulf %[[SF]], %[[POW]] : f32
// CHECK: %[[PROD:.+]] = arith.mulf %[[XF]], %[[TERMV]] : f32
// CHECK: arith.addf %[[PROD]], %[[OUT]] : f32
// The scale, per output row, in f32.
// CHECK: %[[SCALED:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[SUM]], %[[SC]] : tensor<8x4xf32>, tensor<4xf16>)
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.mulf
// The bias, then one rounding to bf16.
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SCALED]], %[[B]] : tensor<8x4xf32>, tensor<4xbf16>)
// CHECK: arith.addf
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: return %[[Y]] : tensor<8x4xbf16>
func.func @shift_scale_bias_bf16(%x: tensor<8x8xbf16>, %e: tensor<2x4x8xi8>, %s: tensor<2x4x8xi8>, %sc: tensor<4xf16>, %b: tensor<4xbf16>) -> tensor<8x4xbf16> {
  %y = linea.shift_linear %x, %e, %s scale %sc bias %b
      : (tensor<8x8xbf16>, tensor<2x4x8xi8>, tensor<2x4x8xi8>, tensor<4xf16>, tensor<4xbf16>) -> tensor<8x4xbf16>
  return %y : tensor<8x4xbf16>
}

// T = 1, no scale, no bias, a dynamic leading dim: one contraction over
// (d0, d1, n, t, k) whose f32 result is the answer: no scale, bias or cast.
// CHECK-LABEL: func.func @shift_plain_dynamic
// CHECK-SAME: (%[[XA:[^:]+]]: tensor<?x2x4xf32>
// CHECK: %[[D:.+]] = tensor.dim %[[XA]], %c0 : tensor<?x2x4xf32>
// CHECK: tensor.empty(%[[D]]) : tensor<?x2x3xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<?x2x3xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[SUM]] : tensor<?x2x3xf32>
func.func @shift_plain_dynamic(%x: tensor<?x2x4xf32>, %e: tensor<1x3x4xi8>, %s: tensor<1x3x4xi8>) -> tensor<?x2x3xf32> {
  %y = linea.shift_linear %x, %e, %s
      : (tensor<?x2x4xf32>, tensor<1x3x4xi8>, tensor<1x3x4xi8>) -> tensor<?x2x3xf32>
  return %y : tensor<?x2x3xf32>
}

// x dynamic, the declared result static: a tensor.cast ends it.
// CHECK-LABEL: func.func @shift_result_cast
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<?x4xf32>)
// CHECK: %[[CAST:.+]] = tensor.cast %[[Y]] : tensor<?x4xf32> to tensor<2x4xf32>
// CHECK: return %[[CAST]]
func.func @shift_result_cast(%x: tensor<?x4xf32>, %e: tensor<1x4x4xi8>, %s: tensor<1x4x4xi8>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %y = linea.shift_linear %x, %e, %s bias %b
      : (tensor<?x4xf32>, tensor<1x4x4xi8>, tensor<1x4x4xi8>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
