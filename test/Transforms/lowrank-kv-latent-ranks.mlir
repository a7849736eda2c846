// RUN: linea-opt %s --linea-lowrank-kv="energy=1.0 group-size=1 latent-attention=true" -verify-diagnostics | FileCheck %s

// energy= chooses each group's rank: k's head 0 has rank 1, head 1 rank 2
// (2 kv heads of dim 4, K = 8), so the latent would need two ranks, which
// linea.latent_attention cannot hold: the attention stays over the
// factored projections.
// CHECK-LABEL: func.func @unequal_ranks
// CHECK-COUNT-2: linea.lowrank_linear {{.*}}name = "k/g
// CHECK: linea.attention
// CHECK-NOT: linea.latent_attention
func.func @unequal_ranks(%x: tensor<1x4x8xf32>, %q: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<8x8xf32>
  %k2 = linea.linear %x, %w {name = "k"} : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 4] : tensor<1x4x8xf32> into tensor<1x4x2x4xf32>
  %ke = tensor.empty() : tensor<1x2x4x4xf32>
  %k = linalg.transpose ins(%k3 : tensor<1x4x2x4xf32>) outs(%ke : tensor<1x2x4x4xf32>) permutation = [0, 2, 1, 3]
  %v2 = linea.linear %x, %w {name = "v"} : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 4] : tensor<1x4x8xf32> into tensor<1x4x2x4xf32>
  %ve = tensor.empty() : tensor<1x2x4x4xf32>
  %v = linalg.transpose ins(%v3 : tensor<1x4x2x4xf32>) outs(%ve : tensor<1x2x4x4xf32>) permutation = [0, 2, 1, 3]
  // expected-remark @+1 {{linea-lowrank-kv: attention left as is (latent-attention=true): the k projection has groups of unequal rank (1 and 2; linea.latent_attention takes one rank per projection)}}
  %o = linea.attention %q, %k, %v {causal} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %o : tensor<1x2x4x4xf32>
}
