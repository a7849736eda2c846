// RUN: linea-opt %s --linea-to-linalg | FileCheck %s
// RUN: linea-opt %s --linea-to-linalg | FileCheck %s --check-prefix=NOLINEA

// The reference lowering of the norm ops: reductions over the last dim for
// the row statistics, then one elementwise generic that rounds once.

// NOLINEA-NOT: linea.

// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[FEAT3:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[HIN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[HOUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>

// CHECK-LABEL: func.func @rms_norm_bf16
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x8xbf16>, %[[W:.+]]: tensor<8xf32>)
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<?x3xf32>
// CHECK: %[[SS:.+]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<?x3x8xbf16>) outs(%[[ZERO]] : tensor<?x3xf32>)
// CHECK: arith.extf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ROW3]], #[[FEAT3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[SS]], %[[W]] : tensor<?x3x8xbf16>, tensor<?x3xf32>, tensor<8xf32>)
// CHECK: arith.divf
// CHECK: arith.addf
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: return %[[Y]] : tensor<?x3x8xbf16>
func.func @rms_norm_bf16(%x: tensor<?x3x8xbf16>, %w: tensor<8xf32>) -> tensor<?x3x8xbf16> {
  %y = linea.rms_norm %x weight %w {epsilon = 1.0e-5 : f32}
      : (tensor<?x3x8xbf16>, tensor<8xf32>) -> tensor<?x3x8xbf16>
  return %y : tensor<?x3x8xbf16>
}

// Rank 1: the row statistics are rank-0 tensors. Two reductions (Σx and
// Σ(x − μ)²), then the affine map with an f16 bias.
// CHECK-LABEL: func.func @layer_norm_rank1
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK-SAME: ins(%{{.+}} : tensor<8xf32>) outs(%{{.+}} : tensor<f32>)
// CHECK: %[[VAR:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK-SAME: ins(%{{.+}}, %[[SUM]] : tensor<8xf32>, tensor<f32>)
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK-SAME: ins(%{{.+}}, %[[SUM]], %[[VAR]], %{{.+}} : tensor<8xf32>, tensor<f32>, tensor<f32>, tensor<8xf16>)
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: math.sqrt
func.func @layer_norm_rank1(%x: tensor<8xf32>, %b: tensor<8xf16>) -> tensor<8xf32> {
  %y = linea.layer_norm %x bias %b : (tensor<8xf32>, tensor<8xf16>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// A result type that is only compatible with x's gets a tensor.cast.
// CHECK-LABEL: func.func @scale_channels
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x8xf32>, tensor<8xf32>)
// CHECK: arith.mulf
// CHECK: %[[C:.+]] = tensor.cast %[[Y]] : tensor<4x8xf32> to tensor<?x8xf32>
// CHECK: return %[[C]]
func.func @scale_channels(%x: tensor<4x8xf32>, %s: tensor<8xf32>) -> tensor<?x8xf32> {
  %y = linea.scale_channels %x, %s : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// [?, 8] viewed as [?, 2, 4]; H_4[i, j] = (−1)^popcount(i & j) from the loop
// indices i (d2) and j (d3, reduced); c = 1/sqrt(4) = 0.5.
// CHECK-LABEL: func.func @hadamard
// CHECK: %[[B:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2]] output_shape [%{{.+}}, 2, 4] : tensor<?x8xf32> into tensor<?x2x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[HIN]], #[[HOUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[B]] : tensor<?x2x4xf32>)
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.andi
// CHECK: math.ctpop
// CHECK: arith.select
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : tensor<?x2x4xf32> into tensor<?x8xf32>
func.func @hadamard(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = linea.hadamard %x {block_size = 4 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// Not normalized: c = 1.
// CHECK-LABEL: func.func @hadamard_unnormalized
// CHECK: math.ctpop
// CHECK: arith.constant 1.000000e+00 : f32
func.func @hadamard_unnormalized(%x: tensor<16xf16>) -> tensor<16xf16> {
  %y = linea.hadamard %x {block_size = 16 : i64, normalized = false}
      : (tensor<16xf16>) -> tensor<16xf16>
  return %y : tensor<16xf16>
}
