// RUN: linea-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the structured linear-layer forms
// (each named after the op and the rule it breaks).

// u must be a matrix.
func.func @lowrank_u_rank(%x: tensor<8x64xf32>, %u: tensor<32xf32>, %v: tensor<4x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op u must have rank 2, but has rank 1}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x64xf32>, tensor<32xf32>, tensor<4x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// v must be a matrix.
func.func @lowrank_v_rank(%x: tensor<8x64xf32>, %u: tensor<32x4xf32>, %v: tensor<1x4x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op v must have rank 2, but has rank 3}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x64xf32>, tensor<32x4xf32>, tensor<1x4x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// Weights must be statically shaped.
func.func @lowrank_u_dynamic(%x: tensor<8x64xf32>, %u: tensor<?x4xf32>, %v: tensor<4x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op u must have a static shape, but has 'tensor<?x4xf32>'}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x64xf32>, tensor<?x4xf32>, tensor<4x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// A zero rank describes no layer.
func.func @lowrank_zero_rank(%x: tensor<8x64xf32>, %u: tensor<32x0xf32>, %v: tensor<0x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op u dimension 1 must be positive, but is 0}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x64xf32>, tensor<32x0xf32>, tensor<0x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// The ranks of u and v must agree.
func.func @lowrank_rank_mismatch(%x: tensor<8x64xf32>, %u: tensor<32x64xf32>, %v: tensor<32x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op u has 64 columns but v has 32 rows}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// K comes from v.
func.func @lowrank_in_features(%x: tensor<8x48xf32>, %u: tensor<32x4xf32>, %v: tensor<4x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op x has 48 input features, but the weight expects 64}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x48xf32>, tensor<32x4xf32>, tensor<4x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// N comes from u.
func.func @lowrank_out_features(%x: tensor<8x64xf32>, %u: tensor<32x4xf32>, %v: tensor<4x64xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op result has 16 output features, but the weight has 32}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x64xf32>, tensor<32x4xf32>, tensor<4x64xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// The bias has N elements.
func.func @lowrank_bias(%x: tensor<8x64xf32>, %u: tensor<32x4xf32>, %v: tensor<4x64xf32>, %b: tensor<64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op bias must have shape [32], but has type 'tensor<64xf32>'}}
  %y = linea.lowrank_linear %x, %u, %v bias %b : (tensor<8x64xf32>, tensor<32x4xf32>, tensor<4x64xf32>, tensor<64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// blocks is [g, N/g, K/g].
func.func @blockdiag_rank(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blockdiag_linear' op blocks must have rank 3, but has rank 2}}
  %y = linea.blockdiag_linear %x, %w : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// blocks must be statically shaped.
func.func @blockdiag_dynamic(%x: tensor<8x64xf32>, %w: tensor<4x?x16xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blockdiag_linear' op blocks must have a static shape, but has 'tensor<4x?x16xf32>'}}
  %y = linea.blockdiag_linear %x, %w : (tensor<8x64xf32>, tensor<4x?x16xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// At least one block.
func.func @blockdiag_zero_blocks(%x: tensor<8x0xf32>, %w: tensor<0x8x16xf32>) -> tensor<8x0xf32> {
  // expected-error @+1 {{'linea.blockdiag_linear' op blocks dimension 0 must be positive, but is 0}}
  %y = linea.blockdiag_linear %x, %w : (tensor<8x0xf32>, tensor<0x8x16xf32>) -> tensor<8x0xf32>
  return %y : tensor<8x0xf32>
}

// -----

// K = g·(K/g) = 4·16.
func.func @blockdiag_in_features(%x: tensor<8x16xf32>, %w: tensor<4x8x16xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blockdiag_linear' op x has 16 input features, but the weight expects 64}}
  %y = linea.blockdiag_linear %x, %w : (tensor<8x16xf32>, tensor<4x8x16xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// N = g·(N/g) = 4·8.
func.func @blockdiag_out_features(%x: tensor<8x64xf32>, %w: tensor<4x8x16xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{'linea.blockdiag_linear' op result has 8 output features, but the weight has 32}}
  %y = linea.blockdiag_linear %x, %w : (tensor<8x64xf32>, tensor<4x8x16xf32>) -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

// w1 is [k, q, p].
func.func @monarch_w1_rank(%x: tensor<8x16xf32>, %w1: tensor<16x16xf32>, %w2: tensor<4x4x4xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.monarch_linear' op w1 must have rank 3, but has rank 2}}
  %y = linea.monarch_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<16x16xf32>, tensor<4x4x4xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// w2 is [l, s, r].
func.func @monarch_w2_rank(%x: tensor<8x16xf32>, %w1: tensor<4x4x4xf32>, %w2: tensor<16x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.monarch_linear' op w2 must have rank 3, but has rank 2}}
  %y = linea.monarch_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<4x4x4xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// Both stages must agree on the k·q = l·r intermediates.
func.func @monarch_intermediates(%x: tensor<8x16xf32>, %w1: tensor<4x3x4xf32>, %w2: tensor<4x4x4xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.monarch_linear' op w1 produces k·q = 4·3 = 12 intermediates but w2 consumes l·r = 4·4 = 16}}
  %y = linea.monarch_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<4x3x4xf32>, tensor<4x4x4xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// K = k·p = 2·8.
func.func @monarch_in_features(%x: tensor<8x12xf32>, %w1: tensor<2x3x8xf32>, %w2: tensor<3x4x2xf32>) -> tensor<8x12xf32> {
  // expected-error @+1 {{'linea.monarch_linear' op x has 12 input features, but the weight expects 16}}
  %y = linea.monarch_linear %x, %w1, %w2 : (tensor<8x12xf32>, tensor<2x3x8xf32>, tensor<3x4x2xf32>) -> tensor<8x12xf32>
  return %y : tensor<8x12xf32>
}

// -----

// N = l·s = 3·4.
func.func @monarch_out_features(%x: tensor<8x16xf32>, %w1: tensor<2x3x8xf32>, %w2: tensor<3x4x2xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.monarch_linear' op result has 16 output features, but the weight has 12}}
  %y = linea.monarch_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<2x3x8xf32>, tensor<3x4x2xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// w1 is [M1, M0, N0·r].
func.func @btt_w1_rank(%x: tensor<8x16xf32>, %w1: tensor<4x4xf32>, %w2: tensor<4x8x4xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.btt_linear' op w1 must have rank 3, but has rank 2}}
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<4x4xf32>, tensor<4x8x4xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// w2 is [N0, M1·r, N1].
func.func @btt_w2_rank(%x: tensor<8x16xf32>, %w1: tensor<4x4x8xf32>, %w2: tensor<4x8x4x1xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.btt_linear' op w2 must have rank 3, but has rank 4}}
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<4x4x8xf32>, tensor<4x8x4x1xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// N0 = 0 would make r undefined.
func.func @btt_zero_n0(%x: tensor<8x16xf32>, %w1: tensor<4x4x8xf32>, %w2: tensor<0x8x4xf32>) -> tensor<8x0xf32> {
  // expected-error @+1 {{'linea.btt_linear' op w2 dimension 0 must be positive, but is 0}}
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<4x4x8xf32>, tensor<0x8x4xf32>) -> tensor<8x0xf32>
  return %y : tensor<8x0xf32>
}

// -----

// r = w1.dim2 / N0 must be an integer.
func.func @btt_rank_not_integer(%x: tensor<8x16xf32>, %w1: tensor<4x4x6xf32>, %w2: tensor<4x8x4xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.btt_linear' op w1 dimension 2 (N0·r) is 6, which is not a multiple of N0 = 4 (w2 dimension 0)}}
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<4x4x6xf32>, tensor<4x8x4xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// w2.dim1 must be M1·r.
func.func @btt_rank_mismatch(%x: tensor<8x16xf32>, %w1: tensor<4x4x8xf32>, %w2: tensor<4x4x4xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.btt_linear' op w2 dimension 1 (M1·r) is 4, but M1·r = 4·2 = 8 (M1 from w1 dimension 0, r = 8/4 from w1)}}
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<4x4x8xf32>, tensor<4x4x4xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// K = M1·M0 = 2·8.
func.func @btt_in_features(%x: tensor<8x8xf32>, %w1: tensor<2x8x4xf32>, %w2: tensor<4x2x3xf32>) -> tensor<8x12xf32> {
  // expected-error @+1 {{'linea.btt_linear' op x has 8 input features, but the weight expects 16}}
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<8x8xf32>, tensor<2x8x4xf32>, tensor<4x2x3xf32>) -> tensor<8x12xf32>
  return %y : tensor<8x12xf32>
}

// -----

// N = N0·N1 = 4·3.
func.func @btt_out_features(%x: tensor<8x16xf32>, %w1: tensor<2x8x4xf32>, %w2: tensor<4x2x3xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'linea.btt_linear' op result has 16 output features, but the weight has 12}}
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<8x16xf32>, tensor<2x8x4xf32>, tensor<4x2x3xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// a is [s, n1, k1].
func.func @kron_a_rank(%x: tensor<8x64xf32>, %a: tensor<4x8xf32>, %b: tensor<1x8x8xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.kron_linear' op a must have rank 3, but has rank 2}}
  %y = linea.kron_linear %x, %a, %b : (tensor<8x64xf32>, tensor<4x8xf32>, tensor<1x8x8xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// b is [s, n2, k2].
func.func @kron_b_rank(%x: tensor<8x64xf32>, %a: tensor<1x4x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.kron_linear' op b must have rank 3, but has rank 2}}
  %y = linea.kron_linear %x, %a, %b : (tensor<8x64xf32>, tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// a and b hold the same number of terms.
func.func @kron_terms(%x: tensor<8x64xf32>, %a: tensor<2x4x8xf32>, %b: tensor<3x8x8xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.kron_linear' op a has 2 terms but b has 3}}
  %y = linea.kron_linear %x, %a, %b : (tensor<8x64xf32>, tensor<2x4x8xf32>, tensor<3x8x8xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// K = k1·k2 = 8·8.
func.func @kron_in_features(%x: tensor<8x32xf32>, %a: tensor<2x4x8xf32>, %b: tensor<2x8x8xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.kron_linear' op x has 32 input features, but the weight expects 64}}
  %y = linea.kron_linear %x, %a, %b : (tensor<8x32xf32>, tensor<2x4x8xf32>, tensor<2x8x8xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// N = n1·n2 = 4·8.
func.func @kron_out_features(%x: tensor<8x64xf32>, %a: tensor<2x4x8xf32>, %b: tensor<2x8x8xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.kron_linear' op result has 64 output features, but the weight has 32}}
  %y = linea.kron_linear %x, %a, %b : (tensor<8x64xf32>, tensor<2x4x8xf32>, tensor<2x8x8xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// u is [b, p, r].
func.func @blast_u_rank(%x: tensor<8x64xf32>, %u: tensor<32x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op u must have rank 3, but has rank 2}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<32x2xf32>, tensor<4x4x2xf32>, tensor<4x16x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// s is [b, b, r].
func.func @blast_s_rank(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<16x2xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op s must have rank 3, but has rank 2}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<16x2xf32>, tensor<4x16x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// v is [b, q, r].
func.func @blast_v_rank(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<64x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op v must have rank 3, but has rank 2}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<64x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// s's rows are the b block rows.
func.func @blast_s_dim0(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<2x4x2xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op s dimension 0 is 2, but b (u dimension 0) is 4}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<2x4x2xf32>, tensor<4x16x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// s's columns are the b block columns.
func.func @blast_s_dim1(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x2x2xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op s dimension 1 is 2, but b (u dimension 0) is 4}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x2x2xf32>, tensor<4x16x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// v has one factor per block column.
func.func @blast_v_dim0(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<2x32x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op v dimension 0 is 2, but b (u dimension 0) is 4}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<2x32x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// s carries r diagonal weights per block.
func.func @blast_s_rank_dim(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x3xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op s dimension 2 is 3, but r (u dimension 2) is 2}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x3xf32>, tensor<4x16x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// v has rank r.
func.func @blast_v_rank_dim(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<4x16x1xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op v dimension 2 is 1, but r (u dimension 2) is 2}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<4x16x1xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// K = b·q = 4·16.
func.func @blast_in_features(%x: tensor<8x32xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.blast_linear' op x has 32 input features, but the weight expects 64}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x32xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<4x16x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// N = b·p = 4·8.
func.func @blast_out_features(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.blast_linear' op result has 64 output features, but the weight has 32}}
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<4x16x2xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Weights are float tensors (ODS type constraint).
func.func @lowrank_int_weight(%x: tensor<8x64xf32>, %u: tensor<32x4xi8>, %v: tensor<4x64xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{'linea.lowrank_linear' op operand #1 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<8x64xf32>, tensor<32x4xi8>, tensor<4x64xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
