// RUN: linea-opt %s --linea-to-linalg | FileCheck %s
// RUN: linea-opt %s --linea-to-linalg | FileCheck %s --check-prefix=NOLINEA

// The reference lowering of the attention ops: contractions whose k/v maps
// carry the grouped-query head mapping, reductions for row max and row sum,
// and causal visibility evaluated from the loop indices.

// NOLINEA-NOT: linea.

// Loops (b, h, i, j, d) of q·kᵀ and (b, h, i, e, j) of P·V; H = 8, Hkv = 2,
// so kv head = h floordiv 4.
// CHECK-DAG: #[[Q:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-DAG: #[[S5:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d4, d3)>
// CHECK-DAG: #[[ALL:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[MASK:.+]] = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>
// CHECK-DAG: #[[ROWS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// Linear attention (no head groups): k and v indexed by (b, h, j, ·).
// CHECK-DAG: #[[LK:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
// CHECK-DAG: #[[LV:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>

// CHECK-LABEL: func.func @attention_gqa_causal_mask
// CHECK-SAME: (%[[QA:[^:]+]]: tensor<?x8x?x16xbf16>, %[[KA:[^:]+]]: tensor<?x2x?x16xbf16>, %[[VA:[^:]+]]: tensor<?x2x?x4xbf16>, %[[MA:[^:]+]]: tensor<1x8x1x?xf32>)
// T − S, the offset of the bottom-right causal diagonal.
// CHECK: %[[S:.+]] = tensor.dim %[[QA]], %c2
// CHECK: %[[T:.+]] = tensor.dim %[[KA]], %c2
// CHECK: %[[OFF:.+]] = arith.subi %[[T]], %[[S]] : index
// q·kᵀ, no repeated k.
// CHECK: %[[DOT:.+]] = linalg.generic {indexing_maps = [#[[Q]], #[[K]], #[[S5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[QA]], %[[KA]] : tensor<?x8x?x16xbf16>, tensor<?x2x?x16xbf16>)
// Scale 1/sqrt(16) and the broadcast mask.
// CHECK: %[[SC:.+]] = linalg.generic {indexing_maps = [#[[ALL]], #[[MASK]], #[[ALL]]]
// CHECK-SAME: ins(%[[DOT]], %[[MA]] :
// CHECK: arith.constant 2.500000e-01 : f32
// Row max over visible keys, from −inf.
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ALL]], #[[ROWS]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[SC]] :
// CHECK: arith.maximumf
// CHECK: %[[I:.+]] = linalg.index 2
// CHECK: %[[J:.+]] = linalg.index 3
// CHECK: %[[LAST:.+]] = arith.addi %[[I]], %[[OFF]]
// CHECK: %[[VIS:.+]] = arith.cmpi sle, %[[J]], %[[LAST]]
// CHECK: arith.select %[[VIS]]
// Row sum of exp(s − m) over visible keys.
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ALL]], #[[ROWS]], #[[ROWS]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[SC]], %[[MAX]] :
// CHECK: math.exp
// CHECK: arith.cmpi sle
// Probabilities, 0 for hidden keys.
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[ALL]], #[[ROWS]], #[[ROWS]], #[[ALL]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[SC]], %[[MAX]], %[[SUM]] :
// CHECK: arith.divf
// P·V, no repeated v.
// CHECK: %[[O:.+]] = linalg.generic {indexing_maps = [#[[Q]], #[[V]], #[[S5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[P]], %[[VA]] : tensor<?x8x?x?xf32>, tensor<?x2x?x4xbf16>)
// CHECK: arith.truncf {{.*}} : f32 to bf16
func.func @attention_gqa_causal_mask(%q: tensor<?x8x?x16xbf16>, %k: tensor<?x2x?x16xbf16>,
                                     %v: tensor<?x2x?x4xbf16>, %m: tensor<1x8x1x?xf32>)
    -> tensor<?x8x?x4xbf16> {
  %o = linea.attention %q, %k, %v mask %m {causal}
      : (tensor<?x8x?x16xbf16>, tensor<?x2x?x16xbf16>, tensor<?x2x?x4xbf16>, tensor<1x8x1x?xf32>)
      -> tensor<?x8x?x4xbf16>
  return %o : tensor<?x8x?x4xbf16>
}

// No mask and not causal: no visibility test, the scale attribute is used,
// and an f32 result needs no final rounding.
// CHECK-LABEL: func.func @attention_plain
// CHECK-NOT: linalg.index
// CHECK: arith.constant 1.250000e-01 : f32
// CHECK-NOT: linalg.index
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @attention_plain(%q: tensor<2x4x5x8xf32>, %k: tensor<2x4x7x8xf32>,
                           %v: tensor<2x4x7x6xf32>) -> tensor<2x4x5x6xf32> {
  %o = linea.attention %q, %k, %v {scale = 0.125 : f32}
      : (tensor<2x4x5x8xf32>, tensor<2x4x7x8xf32>, tensor<2x4x7x6xf32>) -> tensor<2x4x5x6xf32>
  return %o : tensor<2x4x5x6xf32>
}

// φ = elu + 1 on q and k, A = φ(Q)φ(K)ᵀ, then A·V and Σ_j A over j ≤ i.
// CHECK-LABEL: func.func @linear_attention_causal
// CHECK: %[[FQ:.+]] = linalg.generic
// CHECK: arith.cmpf ogt
// CHECK: math.exp
// CHECK: arith.select
// CHECK: %[[FK:.+]] = linalg.generic
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[A:.+]] = linalg.generic {indexing_maps = [#[[Q]], #[[LK]], #[[S5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[FQ]], %[[FK]] :
// CHECK: %[[NUM:.+]] = linalg.generic {indexing_maps = [#[[Q]], #[[LV]], #[[S5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %{{.+}} :
// CHECK: %[[I:.+]] = linalg.index 2
// CHECK: %[[J:.+]] = linalg.index 4
// CHECK: %[[LAST:.+]] = arith.addi %[[I]], %[[C0]]
// CHECK: arith.cmpi sle, %[[J]], %[[LAST]]
// CHECK: %[[DEN:.+]] = linalg.generic {indexing_maps = [#[[ALL]], #[[ROWS]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]] :
// CHECK: linalg.generic {indexing_maps = [#[[ALL]], #[[ROWS]], #[[ALL]]]
// CHECK-SAME: ins(%[[NUM]], %[[DEN]] :
// CHECK: arith.constant 9.99999997E-7 : f32
// CHECK: arith.addf
// CHECK: arith.divf
func.func @linear_attention_causal(%q: tensor<1x2x5x4xf32>, %k: tensor<1x2x5x4xf32>,
                                   %v: tensor<1x2x5x3xf32>) -> tensor<1x2x5x3xf32> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal}
      : (tensor<1x2x5x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x3xf32>) -> tensor<1x2x5x3xf32>
  return %o : tensor<1x2x5x3xf32>
}

// relu is a maximumf with 0; non-causal, so no index test; f16 rounds once.
// CHECK-LABEL: func.func @linear_attention_relu_f16
// CHECK: arith.maximumf
// CHECK-NOT: linalg.index
// CHECK: arith.truncf {{.*}} : f32 to f16
func.func @linear_attention_relu_f16(%q: tensor<?x2x3x4xf16>, %k: tensor<?x2x6x4xf16>,
                                     %v: tensor<?x2x6x3xf16>) -> tensor<?x2x3x3xf16> {
  %o = linea.linear_attention %q, %k, %v feature_map relu
      : (tensor<?x2x3x4xf16>, tensor<?x2x6x4xf16>, tensor<?x2x6x3xf16>) -> tensor<?x2x3x3xf16>
  return %o : tensor<?x2x3x3xf16>
}
