// RUN: linea-opt %s --linea-to-linalg -mlir-print-local-scope | FileCheck %s
// RUN: linea-opt %s --linea-to-linalg | FileCheck %s --check-prefix=NOLINEA

// The reference lowering of the structured linear layers: each form views
// x's last dim as a grid (tensor.expand_shape), contracts it with its
// runtime factors in f32 (one linalg.generic per factor; the dense W is never
// formed), and flattens the output grid (tensor.collapse_shape). The leading
// token dims, dynamic ones included, are the leading parallel loops.
// Numerics: python/tests/test_structured_numerics.py.

// NOLINEA-NOT: linea.

// Low-rank: x·vᵀ then ·uᵀ (two contractions of the last dim), then the bias.
// CHECK-LABEL: func.func @lowrank
// CHECK-SAME: (%[[X:.+]]: tensor<?x20xf32>, %[[U:.+]]: tensor<12x3xf32>, %[[V:.+]]: tensor<3x20xf32>, %[[B:.+]]: tensor<12xf32>)
// CHECK: %[[H:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[V]] : tensor<?x20xf32>, tensor<3x20xf32>) outs(%{{.+}} : tensor<?x3xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[H]], %[[U]] : tensor<?x3xf32>, tensor<12x3xf32>) outs(%{{.+}} : tensor<?x12xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[Y]], %[[B]] : tensor<?x12xf32>, tensor<12xf32>)
func.func @lowrank(%x: tensor<?x20xf32>, %u: tensor<12x3xf32>, %v: tensor<3x20xf32>, %b: tensor<12xf32>) -> tensor<?x12xf32> {
  %y = linea.lowrank_linear %x, %u, %v bias %b : (tensor<?x20xf32>, tensor<12x3xf32>, tensor<3x20xf32>, tensor<12xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// Block-diagonal, a dynamic inner leading dim and f16 blocks (extended to
// f32 first): x[.., 20] → [.., g=4, bk=5]; Y[.., i, a] = Σ_c X[.., i, c]·blocks[i, a, c].
// CHECK-LABEL: func.func @blockdiag
// CHECK-SAME: (%[[X:.+]]: tensor<2x?x20xf32>, %[[BLK:.+]]: tensor<4x3x5xf16>)
// CHECK: %[[B32:.+]] = linalg.generic {{.*}} ins(%[[BLK]] : tensor<4x3x5xf16>)
// CHECK: arith.extf
// CHECK: %[[D:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<2x?x20xf32>
// CHECK: %[[G:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3]] output_shape [2, %[[D]], 4, 5] : tensor<2x?x20xf32> into tensor<2x?x4x5xf32>
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[G]], %[[B32]] : tensor<2x?x4x5xf32>, tensor<4x3x5xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]] : tensor<2x?x4x3xf32> into tensor<2x?x12xf32>
// CHECK: return %[[R]]
func.func @blockdiag(%x: tensor<2x?x20xf32>, %blocks: tensor<4x3x5xf16>) -> tensor<2x?x12xf32> {
  %y = linea.blockdiag_linear %x, %blocks : (tensor<2x?x20xf32>, tensor<4x3x5xf16>) -> tensor<2x?x12xf32>
  return %y : tensor<2x?x12xf32>
}

// Monarch with k = 2, p = 5, q = 6 and l = 3, s = 4, r = 4, bf16 x and bias:
// stage 1 over [k, p]; the 12 intermediates re-viewed as [r, l] (t = ρ·l + λ)
// and transposed to Z'[.., λ, ρ], so that stage 2 reads both operands along ρ
// (maps (d0, d2, d3) and (d2, d1, d3) with loops .., σ, λ, ρ) and writes
// Y[.., σ, λ], flattened to σ·l + λ; one rounding to bf16.
// CHECK-LABEL: func.func @monarch
// CHECK-SAME: (%[[X:.+]]: tensor<?x10xbf16>, %[[W1:.+]]: tensor<2x6x5xf32>, %[[W2:.+]]: tensor<3x4x4xf32>, %[[B:.+]]: tensor<12xbf16>)
// CHECK: %[[X32:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x10xbf16>)
// CHECK: %[[G:.+]] = tensor.expand_shape %[[X32]] {{\[}}[0], [1, 2]] output_shape [%{{.+}}, 2, 5] : tensor<?x10xf32> into tensor<?x2x5xf32>
// CHECK: %[[Z:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[G]], %[[W1]] : tensor<?x2x5xf32>, tensor<2x6x5xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[Z]] {{\[}}[0], [1, 2]] : tensor<?x2x6xf32> into tensor<?x12xf32>
// CHECK: %[[PERM:.+]] = tensor.expand_shape %[[FLAT]] {{\[}}[0], [1, 2]] output_shape [%{{.+}}, 4, 3] : tensor<?x12xf32> into tensor<?x4x3xf32>
// CHECK: %[[PT:.+]] = linalg.transpose ins(%[[PERM]] : tensor<?x4x3xf32>) outs(%{{.+}} : tensor<?x3x4xf32>) permutation = [0, 2, 1]
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[PT]], %[[W2]] : tensor<?x3x4xf32>, tensor<3x4x4xf32>) outs(%{{.+}} : tensor<?x4x3xf32>)
// CHECK: %[[YF:.+]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2]] : tensor<?x4x3xf32> into tensor<?x12xf32>
// CHECK: linalg.generic {{.*}} ins(%[[YF]], %[[B]] : tensor<?x12xf32>, tensor<12xbf16>)
// CHECK: arith.truncf {{.*}} : f32 to bf16
func.func @monarch(%x: tensor<?x10xbf16>, %w1: tensor<2x6x5xf32>, %w2: tensor<3x4x4xf32>, %b: tensor<12xbf16>) -> tensor<?x12xbf16> {
  %y = linea.monarch_linear %x, %w1, %w2 bias %b : (tensor<?x10xbf16>, tensor<2x6x5xf32>, tensor<3x4x4xf32>, tensor<12xbf16>) -> tensor<?x12xbf16>
  return %y : tensor<?x12xbf16>
}

// BTT on a rank-1 x (no token dims), M1 = 2, M0 = 5, N0 = 3, r = 2, N1 = 4:
// Z[m1, n0·r + ρ] over [M1, M0]; Z as [M1, N0, r], w2 as [N0, M1, r, N1];
// Y[n0, n1] sums over m1 and ρ; flattened to n0·N1 + n1.
// CHECK-LABEL: func.func @btt
// CHECK-SAME: (%[[X:.+]]: tensor<10xf32>, %[[W1:.+]]: tensor<2x5x6xf32>, %[[W2:.+]]: tensor<3x4x4xf32>)
// CHECK: %[[G:.+]] = tensor.expand_shape %[[X]] {{\[}}[0, 1]] output_shape [2, 5] : tensor<10xf32> into tensor<2x5xf32>
// CHECK: %[[Z:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[G]], %[[W1]] : tensor<2x5xf32>, tensor<2x5x6xf32>) outs(%{{.+}} : tensor<2x6xf32>)
// CHECK: %[[Z3:.+]] = tensor.expand_shape %[[Z]] {{\[}}[0], [1, 2]] output_shape [2, 3, 2] : tensor<2x6xf32> into tensor<2x3x2xf32>
// CHECK: %[[W2E:.+]] = tensor.expand_shape %[[W2]] {{\[}}[0], [1, 2], [3]] output_shape [3, 2, 2, 4] : tensor<3x4x4xf32> into tensor<3x2x2x4xf32>
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d2, d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[Z3]], %[[W2E]] : tensor<2x3x2xf32>, tensor<3x2x2x4xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1]] : tensor<3x4xf32> into tensor<12xf32>
// CHECK: return %[[R]]
func.func @btt(%x: tensor<10xf32>, %w1: tensor<2x5x6xf32>, %w2: tensor<3x4x4xf32>) -> tensor<12xf32> {
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<10xf32>, tensor<2x5x6xf32>, tensor<3x4x4xf32>) -> tensor<12xf32>
  return %y : tensor<12xf32>
}

// Kronecker, s = 2, a: 3x4, b: 4x5: X = x as [k1=4, k2=5];
// Q[.., t, i1, j2] = Σ_j1 a[t]·X, then Y[.., i1, i2] = Σ_{t, j2} Q·b[t]ᵀ.
// A static x with a dynamic result dim (allowed) ends in a tensor.cast.
// CHECK-LABEL: func.func @kron
// CHECK-SAME: (%[[X:.+]]: tensor<5x20xf32>, %[[A:.+]]: tensor<2x3x4xf32>, %[[B:.+]]: tensor<2x4x5xf32>)
// CHECK: %[[G:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2]] output_shape [5, 4, 5] : tensor<5x20xf32> into tensor<5x4x5xf32>
// CHECK: %[[Q:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[G]], %[[A]] : tensor<5x4x5xf32>, tensor<2x3x4xf32>) outs(%{{.+}} : tensor<5x2x3x5xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[Q]], %[[B]] : tensor<5x2x3x5xf32>, tensor<2x4x5xf32>) outs(%{{.+}} : tensor<5x3x4xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2]] : tensor<5x3x4xf32> into tensor<5x12xf32>
// CHECK: %[[C:.+]] = tensor.cast %[[R]] : tensor<5x12xf32> to tensor<?x12xf32>
// CHECK: return %[[C]]
func.func @kron(%x: tensor<5x20xf32>, %a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<?x12xf32> {
  %y = linea.kron_linear %x, %a, %b : (tensor<5x20xf32>, tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}

// BLAST, b = 3, p = 4, q = 5, r = 2: z_j = v_jᵀx_j, w_i = Σ_j s[i, j]⊙z_j,
// y_i = u_i w_i: three contractions, each reducing one index.
// CHECK-LABEL: func.func @blast
// CHECK-SAME: (%[[X:.+]]: tensor<5x15xf32>, %[[U:.+]]: tensor<3x4x2xf32>, %[[S:.+]]: tensor<3x3x2xf32>, %[[V:.+]]: tensor<3x5x2xf32>)
// CHECK: %[[G:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2]] output_shape [5, 3, 5] : tensor<5x15xf32> into tensor<5x3x5xf32>
// CHECK: %[[Z:.+]] = linalg.generic {{.*}} ins(%[[G]], %[[V]] : tensor<5x3x5xf32>, tensor<3x5x2xf32>) outs(%{{.+}} : tensor<5x3x2xf32>)
// CHECK: %[[W:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[Z]], %[[S]] : tensor<5x3x2xf32>, tensor<3x3x2xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {{.*}} ins(%[[W]], %[[U]] : tensor<5x3x2xf32>, tensor<3x4x2xf32>) outs(%{{.+}} : tensor<5x3x4xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2]] : tensor<5x3x4xf32> into tensor<5x12xf32>
// CHECK: return %[[R]]
func.func @blast(%x: tensor<5x15xf32>, %u: tensor<3x4x2xf32>, %s: tensor<3x3x2xf32>, %v: tensor<3x5x2xf32>) -> tensor<5x12xf32> {
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<5x15xf32>, tensor<3x4x2xf32>, tensor<3x3x2xf32>, tensor<3x5x2xf32>) -> tensor<5x12xf32>
  return %y : tensor<5x12xf32>
}
