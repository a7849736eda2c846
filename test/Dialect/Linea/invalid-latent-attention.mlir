// RUN: linea-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of latent_attention and attn_quant.

func.func @latent_q_rank(%q: tensor<8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op q must have rank 4 ([B, H, S, D]), but has rank 3}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64} : (tensor<8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_kv_heads(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x48x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op kv_heads = 3 must be positive and divide the 8 heads of q}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 3 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x48x8xf32>, tensor<1x?x8xf32>, tensor<1x48x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_latent_rank(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8x1xf32>, %u: tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op k_latent must have rank 3 ([B, T, G·r]), but has rank 4}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8x1xf32>, tensor<1x32x8xf32>, tensor<1x?x8x1xf32>, tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_up_rank(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x32x8xf32>, %uv: tensor<32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op v_up must have rank 3 ([G, (Hkv/G)·Dv, r]), but has rank 2}}
  %o = linea.latent_attention %q, %h, %u, %h, %uv {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<1x?x8xf32>, tensor<32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_groups(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x24xf32>, %u: tensor<3x32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op k_up has 3 groups, which do not divide the 2 kv heads}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x24xf32>, tensor<3x32x8xf32>, tensor<1x?x24xf32>, tensor<3x32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_key_rows(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x30x8xf32>, %uv: tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op k_up dimension 1 is 30, but must be 2 kv heads per group · D = 16 = 32}}
  %o = linea.latent_attention %q, %h, %u, %h, %uv {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x30x8xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_value_rows(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x32x8xf32>, %uv: tensor<1x33x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op v_up dimension 1 is 33, not a multiple of the 2 kv heads per group}}
  %o = linea.latent_attention %q, %h, %u, %h, %uv {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<1x?x8xf32>, tensor<1x33x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_width(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x12xf32>, %u: tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op k_latent dimension 2 is 12, but must be 1 groups · rank 8 = 8}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x12xf32>, tensor<1x32x8xf32>, tensor<1x?x12xf32>, tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_batch(%q: tensor<2x8x1x16xf32>, %h: tensor<3x?x8xf32>, %u: tensor<1x32x8xf32>) -> tensor<2x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op k_latent dimension 0 (B) is 3, but B is 2}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64} : (tensor<2x8x1x16xf32>, tensor<3x?x8xf32>, tensor<1x32x8xf32>, tensor<3x?x8xf32>, tensor<1x32x8xf32>) -> tensor<2x8x1x16xf32>
  return %o : tensor<2x8x1x16xf32>
}

// -----

func.func @latent_tokens(%q: tensor<1x8x1x16xf32>, %hk: tensor<1x5x8xf32>, %hv: tensor<1x6x8xf32>, %u: tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op k_latent has T = 5 tokens, but v_latent has 6}}
  %o = linea.latent_attention %q, %hk, %u, %hv, %u {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x5x8xf32>, tensor<1x32x8xf32>, tensor<1x6x8xf32>, tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_result_dv(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x32x8xf32>) -> tensor<1x8x1x12xf32> {
  // expected-error @+1 {{'linea.latent_attention' op result dimension 3 (Dv) is 12, but v_up gives Dv = 16}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>) -> tensor<1x8x1x12xf32>
  return %o : tensor<1x8x1x12xf32>
}

// -----

func.func @latent_rope_count(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x32x8xf32>, %c: tensor<?x16xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op rope takes two operands (cos, sin), got 1}}
  %o = linea.latent_attention %q, %h, %u, %h, %u rope(%c) {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<?x16xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_rope_dim(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x32x8xf32>, %c: tensor<?x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op rope cos dimension 1 is 8, but D = 16}}
  %o = linea.latent_attention %q, %h, %u, %h, %u rope(%c, %c) {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_rope_tokens(%q: tensor<1x8x1x16xf32>, %h: tensor<1x5x8xf32>, %u: tensor<1x32x8xf32>, %c: tensor<7x16xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op rope cos dimension 0 is 7, but k_latent has T = 5}}
  %o = linea.latent_attention %q, %h, %u, %h, %u rope(%c, %c) {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x5x8xf32>, tensor<1x32x8xf32>, tensor<1x5x8xf32>, tensor<1x32x8xf32>, tensor<7x16xf32>, tensor<7x16xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @latent_element(%q: tensor<1x8x1x16xf32>, %h: tensor<1x?x8xbf16>, %u: tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32> {
  // expected-error @+1 {{'linea.latent_attention' op k_latent element type 'bf16' differs from q element type 'f32'}}
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64} : (tensor<1x8x1x16xf32>, tensor<1x?x8xbf16>, tensor<1x32x8xf32>, tensor<1x?x8xbf16>, tensor<1x32x8xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// -----

func.func @attn_quant_block(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{attn_quant q_block (0) and k_block (64) must be positive}}
  %o = linea.attention %q, %k, %v {quant = #linea.attn_quant<q_block = 0>} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}
