// RUN: linea-opt %s --linea-lowrank-kv="rank=1 group-size=1 latent-attention=true" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-lowrank-kv="rank=1 latent-attention=true" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=JOINT
// RUN: linea-opt %s --linea-lowrank-kv="rank=1 group-size=1" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=OFF

// linea-lowrank-kv latent-attention=true: attentions over factored K/V
// projections become linea.latent_attention over the latents; where it
// cannot apply, the attention stays and a remark names why.

// Prefill (S = T = 4), 2 kv heads of dim 2 in groups of one head (rank 1
// each), RoPE on the keys as linea-raise leaves torch's rotate_half: copies
// and two insert_slice into an empty tensor. The latents are x·vᵀ of the
// two groups' v factors ([2, 8]: one row per group), the up-projections
// the stacked u factors ([2 groups, 2 rows, rank 1]).
// CHECK-LABEL: func.func @rope_insert(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x4x8xf32>, %[[Q:[^:]+]]: tensor<1x4x4x2xf32>, %[[COS:[^:]+]]: tensor<4x2xf32>, %[[SIN:[^:]+]]: tensor<4x2xf32>
// CHECK-DAG: %[[KV:.+]] = arith.constant dense<{{.*}}> : tensor<2x8xf32>
// CHECK-DAG: %[[KU:.+]] = arith.constant dense<{{.*}}> : tensor<2x2x1xf32>
// CHECK: %[[KL:.+]] = linea.linear %[[X]], %[[KV]] {linea.kv_latent = 2 : i64, name = "k_proj/latent"} : (tensor<1x4x8xf32>, tensor<2x8xf32>) -> tensor<1x4x2xf32>
// CHECK: %[[VL:.+]] = linea.linear %[[X]], %{{[^ ]+}} {linea.kv_latent = 2 : i64, name = "v_proj/latent"} : (tensor<1x4x8xf32>, tensor<2x8xf32>) -> tensor<1x4x2xf32>
// CHECK: %[[O:.+]] = linea.latent_attention %[[Q]], %[[KL]], %[[KU]], %[[VL]], %{{[^ ]+}} rope(%[[COS]], %[[SIN]]) {causal, kv_heads = 2 : i64} : (tensor<1x4x4x2xf32>, tensor<1x4x2xf32>, tensor<2x2x1xf32>, tensor<1x4x2xf32>, tensor<2x2x1xf32>, tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NEXT: return %[[O]]
// The rebuilt K, V and RoPE are gone.
// CHECK-NOT: linea.lowrank_linear
// CHECK-NOT: linalg.generic
// JOINT-LABEL: func.func @rope_insert(
// JOINT: linea.linear {{.*}}{linea.kv_latent = 1 : i64, name = "k_proj/latent"} : (tensor<1x4x8xf32>, tensor<1x8xf32>) -> tensor<1x4x1xf32>
// JOINT: linea.latent_attention {{.*}} rope(
// JOINT-SAME: tensor<1x4x1xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>
// OFF-LABEL: func.func @rope_insert(
// OFF: linea.lowrank_linear
// OFF: linea.attention
// OFF-NOT: linea.latent_attention
func.func @rope_insert(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>) -> tensor<1x4x4x2xf32> {
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %hi = tensor.extract_slice %kt[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %lo = tensor.extract_slice %kt[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %nege = tensor.empty() : tensor<1x2x4x1xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%hi : tensor<1x2x4x1xf32>) outs(%nege : tensor<1x2x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x2x4x1xf32>
  %hic = tensor.empty() : tensor<1x2x4x1xf32>
  %negc = linalg.copy ins(%neg : tensor<1x2x4x1xf32>) outs(%hic : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %re = tensor.empty() : tensor<1x2x4x2xf32>
  %r0 = tensor.insert_slice %negc into %re[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %rot = tensor.insert_slice %lo into %r0[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %kce = tensor.empty() : tensor<1x2x4x2xf32>
  %kc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt, %cos : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%kce : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %rse = tensor.empty() : tensor<1x2x4x2xf32>
  %rs = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rot, %sin : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%rse : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %kre = tensor.empty() : tensor<1x2x4x2xf32>
  %kr = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kc, %rs : tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) outs(%kre : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x2xf32>
  %v2 = linea.linear %x, %wv {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %vt = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %o = linea.attention %q, %kr, %vt {causal} : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// rotate_half as tensor.concat, products and sum in the other order.
// CHECK-LABEL: func.func @rope_concat(
// CHECK: linea.latent_attention {{.*}} rope(
// CHECK-NOT: linea.attention
func.func @rope_concat(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>) -> tensor<1x4x4x2xf32> {
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %hi = tensor.extract_slice %kt[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %lo = tensor.extract_slice %kt[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %nege = tensor.empty() : tensor<1x2x4x1xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%hi : tensor<1x2x4x1xf32>) outs(%nege : tensor<1x2x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x2x4x1xf32>
  %rot = tensor.concat dim(3) %neg, %lo : (tensor<1x2x4x1xf32>, tensor<1x2x4x1xf32>) -> tensor<1x2x4x2xf32>
  %rse = tensor.empty() : tensor<1x2x4x2xf32>
  %rs = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rot, %sin : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%rse : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %kce = tensor.empty() : tensor<1x2x4x2xf32>
  %kc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt, %cos : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%kce : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %kre = tensor.empty() : tensor<1x2x4x2xf32>
  %kr = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rs, %kc : tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) outs(%kre : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x2xf32>
  %v2 = linea.linear %x, %wv {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %vt = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %o = linea.attention %q, %kr, %vt {causal} : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// Decode (S = 1 query over T = 4 keys), no RoPE, not causal.
// CHECK-LABEL: func.func @decode(
// CHECK: linea.latent_attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} {kv_heads = 2 : i64} : (tensor<1x4x1x2xf32>,
// CHECK-NOT: linea.attention
func.func @decode(%x: tensor<1x4x8xf32>, %q: tensor<1x4x1x2xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>) -> tensor<1x4x1x2xf32> {
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %v2 = linea.linear %x, %wv {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %vt = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %o = linea.attention %q, %kt, %vt : (tensor<1x4x1x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x1x2xf32>
  return %o : tensor<1x4x1x2xf32>
}

// -----

// A mask operand: left as is.
// CHECK-LABEL: func.func @masked(
// CHECK: linea.attention {{.*}} mask
func.func @masked(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>, %mask: tensor<1x1x4x4xf32>) -> tensor<1x4x4x2xf32> {
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %v2 = linea.linear %x, %wv {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %vt = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  // expected-remark @+1 {{linea-lowrank-kv: attention left as is (latent-attention=true): the attention has a mask (linea.latent_attention takes only causal masking)}}
  %o = linea.attention %q, %kt, %vt mask %mask {causal} : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x1x4x4xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// k·cos + k·sin is not RoPE: left as is.
// CHECK-LABEL: func.func @rope_unknown(
// CHECK: linea.attention
func.func @rope_unknown(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>) -> tensor<1x4x4x2xf32> {
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %kce = tensor.empty() : tensor<1x2x4x2xf32>
  %kc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt, %cos : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%kce : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %rse = tensor.empty() : tensor<1x2x4x2xf32>
  %rs = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt, %sin : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%rse : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %kre = tensor.empty() : tensor<1x2x4x2xf32>
  %kr = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kc, %rs : tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) outs(%kre : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x2xf32>
  %v2 = linea.linear %x, %wv {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %vt = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  // expected-remark @+1 {{linea-lowrank-kv: attention left as is (latent-attention=true): the keys reach the attention through a sum that is not RoPE as k·cos + rotate_half(k)·sin with [T, D] tables}}
  %o = linea.attention %q, %kr, %vt {causal} : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// A biased v projection: the op has no bias term.
// CHECK-LABEL: func.func @value_bias(
// CHECK: linea.attention
func.func @value_bias(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x2xf32> {
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %hi = tensor.extract_slice %kt[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %lo = tensor.extract_slice %kt[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %nege = tensor.empty() : tensor<1x2x4x1xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%hi : tensor<1x2x4x1xf32>) outs(%nege : tensor<1x2x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x2x4x1xf32>
  %hic = tensor.empty() : tensor<1x2x4x1xf32>
  %negc = linalg.copy ins(%neg : tensor<1x2x4x1xf32>) outs(%hic : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %re = tensor.empty() : tensor<1x2x4x2xf32>
  %r0 = tensor.insert_slice %negc into %re[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %rot = tensor.insert_slice %lo into %r0[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %kce = tensor.empty() : tensor<1x2x4x2xf32>
  %kc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt, %cos : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%kce : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %rse = tensor.empty() : tensor<1x2x4x2xf32>
  %rs = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rot, %sin : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%rse : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %kre = tensor.empty() : tensor<1x2x4x2xf32>
  %kr = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kc, %rs : tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) outs(%kre : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x2xf32>
  %v2 = linea.linear %x, %wv bias %b {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %vt = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  // expected-remark @+1 {{linea-lowrank-kv: attention left as is (latent-attention=true): the v projection has a bias, which linea.latent_attention cannot add back}}
  %o = linea.attention %q, %kr, %vt {causal} : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// Only k factored (v's weight is an argument).
// CHECK-LABEL: func.func @value_dense(
// CHECK: linea.linear {{.*}}name = "v_proj"
// CHECK: linea.attention
func.func @value_dense(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>, %wv: tensor<4x8xf32>) -> tensor<1x4x4x2xf32> {
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %hi = tensor.extract_slice %kt[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %lo = tensor.extract_slice %kt[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %nege = tensor.empty() : tensor<1x2x4x1xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%hi : tensor<1x2x4x1xf32>) outs(%nege : tensor<1x2x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x2x4x1xf32>
  %hic = tensor.empty() : tensor<1x2x4x1xf32>
  %negc = linalg.copy ins(%neg : tensor<1x2x4x1xf32>) outs(%hic : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %re = tensor.empty() : tensor<1x2x4x2xf32>
  %r0 = tensor.insert_slice %negc into %re[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %rot = tensor.insert_slice %lo into %r0[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %kce = tensor.empty() : tensor<1x2x4x2xf32>
  %kc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt, %cos : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%kce : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %rse = tensor.empty() : tensor<1x2x4x2xf32>
  %rs = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rot, %sin : tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%rse : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x2xf32>
  %kre = tensor.empty() : tensor<1x2x4x2xf32>
  %kr = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kc, %rs : tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) outs(%kre : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x2xf32>
  // expected-remark @+1 {{linea-lowrank-kv: skipped layer 'v_proj': operand 'w' is not a constant}}
  %v2 = linea.linear %x, %wv {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %vt = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  // expected-remark @+1 {{linea-lowrank-kv: attention left as is (latent-attention=true): the v projection is not a projection linea-lowrank-kv rewrote (no linea.kv_latent)}}
  %o = linea.attention %q, %kr, %vt {causal} : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}
