// RUN: linea-opt %s --linea-lowrank-kv="rank=1 group-size=1" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=GROUP
// RUN: linea-opt %s --linea-lowrank-kv="rank=1" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=JOINT

// A grouped-query block (4 query heads, 2 kv heads of dim 2, K = 8) with
// a RoPE-like rotation of the keys (slices, negation, re-insertion and
// elementwise products) between k_proj and the attention.
//
// k_proj: head 0 = [1 2]ᵀ·[1 2 0 0 0 0 0 1], head 1 = [1 3]ᵀ·[0 0 1 0 1 0 0 0]
//   (each rank 1, supports disjoint: σ = √30, √20).
//   group-size=1, rank 1: each head exact (weight error at f32 round-off).
//   joint rank 1: keeps σ = √30, error √(20/50) = 0.632456.
// v_proj (bias b): head 0 = [[1 0 …], [0 1 …]] (σ = 1, 1), head 1 = 2·e2 and
//   e3 (σ = 2, 1).
//   group-size=1, rank 1: errors 1/√2 = 0.707107 and 1/√5 = 0.447214; the
//   bias is sliced per group.
//   joint rank 1: keeps σ = 2 of σ = {2, 1, 1, 1}: error √(3/7) = 0.654654.
// The cached latent is 2 numbers per token (group-size=1) or 1 (joint)
// instead of Hkv·d = 4.
//
// GROUP-LABEL: func.func @gqa_block
// GROUP: linea.linear %{{.*}} {name = "q_proj"}
// GROUP-DAG: %[[K0:.+]] = linea.lowrank_linear %[[X:[^,]+]], %{{[^,]+}}, %{{[^ ]+}} {linea.weight_error = {{0.000000e\+00|[0-9.]+E-[6-9]}} : f32, name = "k_proj/g0"} : (tensor<1x4x8xf32>, tensor<2x1xf32>, tensor<1x8xf32>) -> tensor<1x4x2xf32>
// GROUP-DAG: %[[K1:.+]] = linea.lowrank_linear %[[X]], %{{[^,]+}}, %{{[^ ]+}} {linea.weight_error = {{0.000000e\+00|[0-9.]+E-[6-9]}} : f32, name = "k_proj/g1"} : (tensor<1x4x8xf32>, tensor<2x1xf32>, tensor<1x8xf32>) -> tensor<1x4x2xf32>
// GROUP: %[[K:.+]] = tensor.concat dim(2) %[[K0]], %[[K1]] {linea.kv_latent = 2 : i64} : (tensor<1x4x2xf32>, tensor<1x4x2xf32>) -> tensor<1x4x4xf32>
// GROUP: tensor.expand_shape %[[K]]
// GROUP-DAG: %[[B0:.+]] = tensor.extract_slice %[[B:[a-zA-Z0-9_]+]][0] [2] [1] : tensor<4xf32> to tensor<2xf32>
// GROUP-DAG: %[[B1:.+]] = tensor.extract_slice %[[B]][2] [2] [1] : tensor<4xf32> to tensor<2xf32>
// GROUP-DAG: %[[V0:.+]] = linea.lowrank_linear %[[X]], %{{.*}} bias %[[B0]] {linea.weight_error = 0.70710{{[0-9]*}} : f32, name = "v_proj/g0"}
// GROUP-DAG: %[[V1:.+]] = linea.lowrank_linear %[[X]], %{{.*}} bias %[[B1]] {linea.weight_error = 0.44721{{[0-9]*}} : f32, name = "v_proj/g1"}
// GROUP: tensor.concat dim(2) %[[V0]], %[[V1]] {linea.kv_latent = 2 : i64}
// GROUP: linea.attention
// GROUP: linea.linear %{{.*}} {name = "o_proj"}
//
// JOINT-LABEL: func.func @gqa_block
// JOINT: linea.lowrank_linear %{{.*}} {linea.kv_latent = 1 : i64, linea.weight_error = 0.63245{{[0-9]*}} : f32, name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x1xf32>, tensor<1x8xf32>) -> tensor<1x4x4xf32>
// JOINT: linea.lowrank_linear %{{.*}} bias %{{.*}} {linea.kv_latent = 1 : i64, linea.weight_error = 0.65465{{[0-9]*}} : f32, name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x1xf32>, tensor<1x8xf32>, tensor<4xf32>) -> tensor<1x4x4xf32>
// JOINT-NOT: tensor.concat
// JOINT: linea.attention
func.func @gqa_block(%x: tensor<1x4x8xf32>, %b: tensor<4xf32>, %cos: tensor<4x2xf32>, %sin: tensor<4x2xf32>) -> tensor<1x4x8xf32> {
  %wq = arith.constant dense<0.5> : tensor<8x8xf32>
  %wk = arith.constant dense<[[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wo = arith.constant dense<0.25> : tensor<8x8xf32>
  // expected-remark @+1 {{linea-lowrank-kv: skipped layer 'q_proj': feeds linea.attention, but not its k or v operand}}
  %q2 = linea.linear %x, %wq {name = "q_proj"} : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %q3 = tensor.expand_shape %q2 [[0], [1], [2, 3]] output_shape [1, 4, 4, 2] : tensor<1x4x8xf32> into tensor<1x4x4x2xf32>
  %qe = tensor.empty() : tensor<1x4x4x2xf32>
  %q = linalg.transpose ins(%q3 : tensor<1x4x4x2xf32>) outs(%qe : tensor<1x4x4x2xf32>) permutation = [0, 2, 1, 3]
  %k2 = linea.linear %x, %wk {name = "k_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  // RoPE on the keys: k·cos + rotate_half(k)·sin.
  %hi = tensor.extract_slice %kt[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %lo = tensor.extract_slice %kt[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x2xf32> to tensor<1x2x4x1xf32>
  %ne = tensor.empty() : tensor<1x2x4x1xf32>
  %neg = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%hi : tensor<1x2x4x1xf32>) outs(%ne : tensor<1x2x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x2x4x1xf32>
  %re = tensor.empty() : tensor<1x2x4x2xf32>
  %r0 = tensor.insert_slice %neg into %re[0, 0, 0, 0] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %rot = tensor.insert_slice %lo into %r0[0, 0, 0, 1] [1, 2, 4, 1] [1, 1, 1, 1] : tensor<1x2x4x1xf32> into tensor<1x2x4x2xf32>
  %me = tensor.empty() : tensor<1x2x4x2xf32>
  %k = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt, %cos, %rot, %sin : tensor<1x2x4x2xf32>, tensor<4x2xf32>, tensor<1x2x4x2xf32>, tensor<4x2xf32>) outs(%me : tensor<1x2x4x2xf32>) {
  ^bb0(%a: f32, %c: f32, %r: f32, %s: f32, %out: f32):
    %ac = arith.mulf %a, %c : f32
    %rs = arith.mulf %r, %s : f32
    %sum = arith.addf %ac, %rs : f32
    linalg.yield %sum : f32
  } -> tensor<1x2x4x2xf32>
  %v2 = linea.linear %x, %wv bias %b {name = "v_proj"} : (tensor<1x4x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %v = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %o = linea.attention %q, %k, %v {causal} : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  %oe = tensor.empty() : tensor<1x4x4x2xf32>
  %ot = linalg.transpose ins(%o : tensor<1x4x4x2xf32>) outs(%oe : tensor<1x4x4x2xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<1x4x4x2xf32> into tensor<1x4x8xf32>
  // expected-remark @+1 {{linea-lowrank-kv: skipped layer 'o_proj': does not feed the k or v operand of a linea.attention}}
  %y = linea.linear %o2, %wo {name = "o_proj"} : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// A key projection whose weight is computed at run time cannot be
// factorized; the value projection still is. An unnamed layer's groups are
// named after its linea-report name (`<func>#<index>/g<i>`); with a single
// group the layer stays unnamed, as with linea-lowrank.
// GROUP-LABEL: func.func @runtime_weight
// GROUP: linea.linear
// GROUP: linea.lowrank_linear {{.*}}name = "runtime_weight#1/g0"
// GROUP: linea.lowrank_linear {{.*}}name = "runtime_weight#1/g1"
// GROUP: tensor.concat
// JOINT-LABEL: func.func @runtime_weight
// JOINT: linea.linear
// JOINT: linea.lowrank_linear {{.*}}{linea.kv_latent = 1 : i64, linea.weight_error = {{.*}} : f32} :
func.func @runtime_weight(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %wk: tensor<4x8xf32>) -> tensor<1x4x4x2xf32> {
  %wv = arith.constant dense<1.0> : tensor<4x8xf32>
  // expected-remark @+1 {{linea-lowrank-kv: skipped layer 'runtime_weight#0': operand 'w' is not a constant}}
  %k2 = linea.linear %x, %wk : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %k = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %v2 = linea.linear %x, %wv : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %v = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %o = linea.attention %q, %k, %v : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// A fused Q/K/V projection reaches several attention operands: left alone.
func.func @fused_qkv(%x: tensor<1x4x8xf32>) -> tensor<1x4x4x2xf32> {
  %w = arith.constant dense<1.0> : tensor<16x8xf32>
  // expected-remark @+1 {{linea-lowrank-kv: skipped layer 'qkv': feeds more than one of linea.attention's q, k, v and mask operands (a fused projection); split it first}}
  %qkv = linea.linear %x, %w {name = "qkv"} : (tensor<1x4x8xf32>, tensor<16x8xf32>) -> tensor<1x4x16xf32>
  %q2 = tensor.extract_slice %qkv[0, 0, 0] [1, 4, 8] [1, 1, 1] : tensor<1x4x16xf32> to tensor<1x4x8xf32>
  %k2 = tensor.extract_slice %qkv[0, 0, 8] [1, 4, 4] [1, 1, 1] : tensor<1x4x16xf32> to tensor<1x4x4xf32>
  %v2 = tensor.extract_slice %qkv[0, 0, 12] [1, 4, 4] [1, 1, 1] : tensor<1x4x16xf32> to tensor<1x4x4xf32>
  %q = tensor.expand_shape %q2 [[0], [1], [2, 3]] output_shape [1, 4, 4, 2] : tensor<1x4x8xf32> into tensor<1x4x4x2xf32>
  %k = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %v = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %o = linea.attention %q, %k, %v : (tensor<1x4x4x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}

// -----

// N = 8 cannot be the 2 kv heads of dim 2 that the attention reads (the
// slice keeps half of the projection): an error, not a guess.
func.func @inconsistent_heads(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>, %v: tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %w = arith.constant dense<1.0> : tensor<8x8xf32>
  // expected-error @+1 {{linea-lowrank-kv: layer 'k' (N = 8) feeds the k operand of linea.attention, which has 2 kv heads of dim 2: N must be 2·2 = 4}}
  %k2 = linea.linear %x, %w {name = "k"} : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 4, 2] : tensor<1x4x8xf32> into tensor<1x4x4x2xf32>
  %ke = tensor.empty() : tensor<1x4x4x2xf32>
  %kt = linalg.transpose ins(%k3 : tensor<1x4x4x2xf32>) outs(%ke : tensor<1x4x4x2xf32>) permutation = [0, 2, 1, 3]
  %k = tensor.extract_slice %kt[0, 0, 0, 0] [1, 2, 4, 2] [1, 1, 1, 1] : tensor<1x4x4x2xf32> to tensor<1x2x4x2xf32>
  // expected-note @+1 {{the attention}}
  %o = linea.attention %q, %k, %v : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}
