// RUN: linea-opt %s --linea-densify | FileCheck %s
// RUN: linea-opt %s --linea-densify -verify-diagnostics -o /dev/null

// linea-densify on each structured form with small hand-checked constant
// weights: the dense W each op stands for, derived in the comment above it.
// Every W was also cross-checked with numpy ports of the reference forward
// passes (fly's blockdiag_butterfly_multiply, btt_mvm, BLAST's forward).

// W = u·v with u = [1; 2] (2x1), v = [3 4 5] (1x3): W = [[3 4 5], [6 8 10]].
// The bias and the name carry over to the dense op.
// CHECK-LABEL: func.func @lowrank
// CHECK-SAME: (%[[X:.+]]: tensor<3x3xf32>, %[[B:.+]]: tensor<2xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}3.000000e+00, 4.000000e+00, 5.000000e+00], [6.000000e+00, 8.000000e+00, 1.000000e+01]]> : tensor<2x3xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] bias %[[B]] {name = "lr"} : (tensor<3x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @lowrank(%x: tensor<3x3xf32>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %c0 = arith.constant dense<[[1.000000e+00], [2.000000e+00]]> : tensor<2x1xf32>
  %c1 = arith.constant dense<[[3.000000e+00, 4.000000e+00, 5.000000e+00]]> : tensor<1x3xf32>
  %y = linea.lowrank_linear %x, %c0, %c1 bias %b {name = "lr"} : (tensor<3x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// g = 2 blocks of 2x3 (f16 weights, f32 activations): block 0 = [[1 2 3], [4 5 6]]
// occupies rows 0-1, cols 0-2; block 1 = [[7 8 9], [10 11 12]] rows 2-3, cols 3-5.
// CHECK-LABEL: func.func @blockdiag
// CHECK-SAME: (%[[X:.+]]: tensor<3x6xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01]]> : tensor<4x6xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x6xf32>, tensor<4x6xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @blockdiag(%x: tensor<3x6xf32>) -> tensor<3x4xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]], [[7.000000e+00, 8.000000e+00, 9.000000e+00], [1.000000e+01, 1.100000e+01, 1.200000e+01]]]> : tensor<2x2x3xf16>
  %y = linea.blockdiag_linear %x, %c0 : (tensor<3x6xf32>, tensor<2x2x3xf16>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// k = l = 2, p = q = r = s = 2 (4x4). w1[0] = [[1 2], [3 4]], w1[1] = [[5 6], [7 8]];
// w2[0] = I, w2[1] = [[2 1], [1 -1]]. Intermediate t = 2κ + j goes to block λ = t mod 2 at ρ = t div 2:
// t0 = (κ0, j0) → (λ0, ρ0), t1 = (κ0, j1) → (λ1, ρ0), t2 = (κ1, j0) → (λ0, ρ1), t3 = (κ1, j1) → (λ1, ρ1).
// Row σ·2 + λ = Σ_t w2[λ, σ, ρ(t)] · (w1 row j(t) of block κ(t), in cols 2κ..2κ+1):
//   row 0 (σ0 λ0) = 1·[1 2 | 0 0] + 0·t2           = [1 2 0 0]
//   row 1 (σ0 λ1) = 2·[3 4 | 0 0] + 1·[0 0 | 7 8]   = [6 8 7 8]
//   row 2 (σ1 λ0) = 0·t0 + 1·[0 0 | 5 6]            = [0 0 5 6]
//   row 3 (σ1 λ1) = 1·[3 4 | 0 0] − 1·[0 0 | 7 8]   = [3 4 -7 -8]
// CHECK-LABEL: func.func @monarch
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00], [6.000000e+00, 8.000000e+00, 7.000000e+00, 8.000000e+00], [0.000000e+00, 0.000000e+00, 5.000000e+00, 6.000000e+00], [3.000000e+00, 4.000000e+00, -7.000000e+00, -8.000000e+00]]> : tensor<4x4xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @monarch(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]], [[5.000000e+00, 6.000000e+00], [7.000000e+00, 8.000000e+00]]]> : tensor<2x2x2xf32>
  %c1 = arith.constant dense<[[[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]], [[2.000000e+00, 1.000000e+00], [1.000000e+00, -1.000000e+00]]]> : tensor<2x2x2xf32>
  %y = linea.monarch_linear %x, %c0, %c1 : (tensor<3x4xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// k = 2, q = 3, p = 1 (K = 2); l = 3, s = 1, r = 2 (N = 3): k ≠ l and q ≠ r.
// w1[κ, j, 0] = 3κ + j + 1; w2[λ, 0, :] = [1, 10^(λ+1)]. Intermediate t = 3κ + j goes to
// block λ = t mod 3 at ρ = t div 3 = κ, so W[λ, κ] = w2[λ, 0, κ] · w1[κ, λ, 0]:
//   W = [[1·1, 10·4], [1·2, 100·5], [1·3, 1000·6]].
// CHECK-LABEL: func.func @monarch_rect
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+01], [2.000000e+00, 5.000000e+02], [3.000000e+00, 6.000000e+03]]> : tensor<3x2xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @monarch_rect(%x: tensor<3x2xf32>) -> tensor<3x3xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00], [2.000000e+00], [3.000000e+00]], [[4.000000e+00], [5.000000e+00], [6.000000e+00]]]> : tensor<2x3x1xf32>
  %c1 = arith.constant dense<[[[1.000000e+00, 1.000000e+01]], [[1.000000e+00, 1.000000e+02]], [[1.000000e+00, 1.000000e+03]]]> : tensor<3x1x2xf32>
  %y = linea.monarch_linear %x, %c0, %c1 : (tensor<3x2xf32>, tensor<2x3x1xf32>, tensor<3x1x2xf32>) -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}

// M1 = M0 = N0 = N1 = r = 2 (4x4):
// W[2·n0 + n1, 2·m1 + m0] = Σ_ρ w2[n0, 2·m1 + ρ, n1] · w1[m1, m0, 2·n0 + ρ], e.g.
//   W[0, 2] = w2[0,2,0]·w1[1,0,0] + w2[0,3,0]·w1[1,0,1] = 1·1 + 3·1 = 4,
//   W[3, 0] = w2[1,0,1]·w1[0,0,2] + w2[1,1,1]·w1[0,0,3] = 0·2 + 1·1 = 1.
// (All entries checked against a numpy port of compute-better-spent's btt_mvm.)
// CHECK-LABEL: func.func @btt
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00, 4.000000e+00, 2.000000e+00], [2.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00], [5.000000e+00, 2.000000e+00, 2.000000e+00, 1.000000e+00], [1.000000e+00, 0.000000e+00, 4.000000e+00, 3.000000e+00]]> : tensor<4x4xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @btt(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00, 0.000000e+00, 2.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00]], [[1.000000e+00, 1.000000e+00, 0.000000e+00, 2.000000e+00], [2.000000e+00, 0.000000e+00, 1.000000e+00, 1.000000e+00]]]> : tensor<2x2x4xf32>
  %c1 = arith.constant dense<[[[1.000000e+00, 2.000000e+00], [0.000000e+00, 1.000000e+00], [1.000000e+00, 0.000000e+00], [3.000000e+00, 1.000000e+00]], [[2.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00], [1.000000e+00, 2.000000e+00]]]> : tensor<2x4x2xf32>
  %y = linea.btt_linear %x, %c0, %c1 : (tensor<3x4xf32>, tensor<2x2x4xf32>, tensor<2x4x2xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// BTT with r = 1 against Monarch. Monarch with k = M1, p = M0, q = l = N0, r = M1, s = N1 and
// w1m[m1, n0, m0] = w1[m1, m0, n0], w2m[n0, n1, m1] = w2[n0, m1, n1] routes every intermediate the
// same way, but it writes output n1·N0 + n0 where BTT writes n0·N1 + n1. So the two dense W are
// equal up to that output permutation (here rows 1 and 2 swap); no choice of factors removes it
// unless N0 = 1 or N1 = 1. W[2·n0 + n1, 2·m1 + m0] = w2[n0, m1, n1] · w1[m1, m0, n0]:
//   row 0 = [1·1 1·3 | 3·5 3·7], row 1 = [2·1 2·3 | 4·5 4·7],
//   row 2 = [-1·2 -1·4 | 2·6 2·8], row 3 = [1·2 1·4 | -2·6 -2·8].
// CHECK-LABEL: func.func @btt_rank1
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 1.500000e+01, 2.100000e+01], [2.000000e+00, 6.000000e+00, 2.000000e+01, 2.800000e+01], [-2.000000e+00, -4.000000e+00, 1.200000e+01, 1.600000e+01], [2.000000e+00, 4.000000e+00, -1.200000e+01, -1.600000e+01]]> : tensor<4x4xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @btt_rank1(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]], [[5.000000e+00, 6.000000e+00], [7.000000e+00, 8.000000e+00]]]> : tensor<2x2x2xf32>
  %c1 = arith.constant dense<[[[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]], [[-1.000000e+00, 1.000000e+00], [2.000000e+00, -2.000000e+00]]]> : tensor<2x2x2xf32>
  %y = linea.btt_linear %x, %c0, %c1 : (tensor<3x4xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// The Monarch twin of @btt_rank1: the same rows, with rows 1 and 2 swapped.
// CHECK-LABEL: func.func @monarch_of_btt_rank1
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 1.500000e+01, 2.100000e+01], [-2.000000e+00, -4.000000e+00, 1.200000e+01, 1.600000e+01], [2.000000e+00, 6.000000e+00, 2.000000e+01, 2.800000e+01], [2.000000e+00, 4.000000e+00, -1.200000e+01, -1.600000e+01]]> : tensor<4x4xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @monarch_of_btt_rank1(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]], [[5.000000e+00, 7.000000e+00], [6.000000e+00, 8.000000e+00]]]> : tensor<2x2x2xf32>
  %c1 = arith.constant dense<[[[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]], [[-1.000000e+00, 2.000000e+00], [1.000000e+00, -2.000000e+00]]]> : tensor<2x2x2xf32>
  %y = linea.monarch_linear %x, %c0, %c1 : (tensor<3x4xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// s = 2 terms of 2x2 ⊗ 2x2: a0 = [[1 2], [3 4]], b0 = [[0 1], [1 0]], a1 = diag(1, -1),
// b1 = diag(2, 3). W = a0⊗b0 + a1⊗b1:
//   a0⊗b0 = [[0 1 0 2], [1 0 2 0], [0 3 0 4], [3 0 4 0]],
//   a1⊗b1 = diag(2, 3, -2, -3).
// CHECK-LABEL: func.func @kron
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}2.000000e+00, 1.000000e+00, 0.000000e+00, 2.000000e+00], [1.000000e+00, 3.000000e+00, 2.000000e+00, 0.000000e+00], [0.000000e+00, 3.000000e+00, -2.000000e+00, 4.000000e+00], [3.000000e+00, 0.000000e+00, 4.000000e+00, -3.000000e+00]]> : tensor<4x4xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @kron(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]], [[1.000000e+00, 0.000000e+00], [0.000000e+00, -1.000000e+00]]]> : tensor<2x2x2xf32>
  %c1 = arith.constant dense<[[[0.000000e+00, 1.000000e+00], [1.000000e+00, 0.000000e+00]], [[2.000000e+00, 0.000000e+00], [0.000000e+00, 3.000000e+00]]]> : tensor<2x2x2xf32>
  %y = linea.kron_linear %x, %c0, %c1 : (tensor<3x4xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// n1 = 2, k1 = 1, n2 = 1, k2 = 3 (bf16 activations, so W is bf16):
// W[i1, j2] = a[0, i1, 0] · b[0, 0, j2] = [1; 2] · [1 10 100].
// CHECK-LABEL: func.func @kron_rect
// CHECK-SAME: (%[[X:.+]]: tensor<3x3xbf16>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 1.000000e+01, 1.000000e+02], [2.000000e+00, 2.000000e+01, 2.000000e+02]]> : tensor<2x3xbf16>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x3xbf16>, tensor<2x3xbf16>) -> tensor<3x2xbf16>
// CHECK-NEXT: return %[[Y]]
func.func @kron_rect(%x: tensor<3x3xbf16>) -> tensor<3x2xbf16> {
  %c0 = arith.constant dense<[[[1.000000e+00], [2.000000e+00]]]> : tensor<1x2x1xf32>
  %c1 = arith.constant dense<[[[1.000000e+00, 1.000000e+01, 1.000000e+02]]]> : tensor<1x1x3xf32>
  %y = linea.kron_linear %x, %c0, %c1 : (tensor<3x3xbf16>, tensor<1x2x1xf32>, tensor<1x1x3xf32>) -> tensor<3x2xbf16>
  return %y : tensor<3x2xbf16>
}

// b = 2, p = 1, q = 2, r = 2 (N = 2, K = 4):
// W[i, 2j + γ] = Σ_ρ u[i, 0, ρ] · s[i, j, ρ] · v[j, γ, ρ], e.g.
//   W[0, 1] = 1·1·0 + 2·1·1 = 2,   W[1, 3] = 3·1·2 + (-1)·2·(-1) = 8.
// CHECK-LABEL: func.func @blast
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 2.000000e+00, 4.000000e+00], [0.000000e+00, -1.000000e+00, 1.000000e+00, 8.000000e+00]]> : tensor<2x4xf32>
// CHECK-NEXT: %[[Y:.+]] = linea.linear %[[X]], %[[W]] : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @blast(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %c0 = arith.constant dense<[[[1.000000e+00, 2.000000e+00]], [[3.000000e+00, -1.000000e+00]]]> : tensor<2x1x2xf32>
  %c1 = arith.constant dense<[[[1.000000e+00, 1.000000e+00], [2.000000e+00, 0.000000e+00]], [[0.000000e+00, 1.000000e+00], [1.000000e+00, 2.000000e+00]]]> : tensor<2x2x2xf32>
  %c2 = arith.constant dense<[[[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]], [[1.000000e+00, 1.000000e+00], [2.000000e+00, -1.000000e+00]]]> : tensor<2x2x2xf32>
  %y = linea.blast_linear %x, %c0, %c1, %c2 : (tensor<3x4xf32>, tensor<2x1x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// Layers whose weights are not constants stay, with a remark naming the operand.

// CHECK-LABEL: func.func @not_constant
// CHECK-COUNT-6: linea.{{[a-z]+}}_linear
// CHECK-NOT: linea.linear
func.func @not_constant(%x: tensor<3x4xf32>, %w: tensor<2x4xf32>, %w3: tensor<2x2x2xf32>, %s: tensor<2x2x1xf32>) -> tensor<3x4xf32> {
  %c2 = arith.constant dense<1.0> : tensor<2x2xf32>
  %c3 = arith.constant dense<1.0> : tensor<2x2x2xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'v' is not a constant}}
  %0 = linea.lowrank_linear %x, %c2, %w : (tensor<3x4xf32>, tensor<2x2xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'blocks' is not a constant}}
  %1 = linea.blockdiag_linear %x, %w3 : (tensor<3x4xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'w1' is not a constant}}
  %2 = linea.monarch_linear %1, %w3, %c3 : (tensor<3x4xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'w2' is not a constant}}
  %3 = linea.btt_linear %2, %c3, %w3 : (tensor<3x4xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'b' is not a constant}}
  %4 = linea.kron_linear %3, %c3, %w3 : (tensor<3x4xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>) -> tensor<3x4xf32>
  %c4 = arith.constant dense<1.0> : tensor<2x2x1xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 's' is not a constant}}
  %5 = linea.blast_linear %4, %c4, %s, %c4 : (tensor<3x4xf32>, tensor<2x2x1xf32>, tensor<2x2x1xf32>, tensor<2x2x1xf32>) -> tensor<3x4xf32>
  return %5 : tensor<3x4xf32>
}
