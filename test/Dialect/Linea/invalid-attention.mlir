// RUN: linea-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of attention and linear_attention (each named
// after the op and the rule it breaks).

// Ranks are checked before any dim is read.
func.func @attention_q_rank(%q: tensor<8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op q must have rank 4 ([B, H, S, D]), but has rank 3}}
  %o = linea.attention %q, %k, %v : (tensor<8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_v_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64x1xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op v must have rank 4 ([B, Hkv, T, Dv]), but has rank 5}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64x1xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_result_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<16x512xf32> {
  // expected-error @+1 {{'linea.attention' op result must have rank 4 ([B, H, S, Dv]), but has rank 2}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<16x512xf32>
  return %o : tensor<16x512xf32>
}

// -----

func.func @attention_batch(%q: tensor<2x8x16x64xf32>, %k: tensor<3x8x16x64xf32>, %v: tensor<?x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op k dimension 0 (B) is 3, but q dimension 0 (B) is 2}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<3x8x16x64xf32>, tensor<?x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// The batch of q is dynamic, so k is the first to bind B.
func.func @attention_batch_dynamic_q(%q: tensor<?x8x16x64xf32>, %k: tensor<3x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<?x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op v dimension 0 (B) is 2, but k dimension 0 (B) is 3}}
  %o = linea.attention %q, %k, %v : (tensor<?x8x16x64xf32>, tensor<3x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<?x8x16x64xf32>
  return %o : tensor<?x8x16x64xf32>
}

// -----

func.func @attention_head_dim(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op k dimension 3 (D) is 32, but q dimension 3 (D) is 64}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_value_dim(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x32xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op result dimension 3 (Dv) is 64, but v dimension 3 (Dv) is 32}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x32xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_kv_length(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x12x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op v dimension 2 (T) is 12, but k dimension 2 (T) is 16}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x12x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_kv_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x4x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op v dimension 1 (Hkv) is 4, but k dimension 1 (Hkv) is 2}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_result_queries(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x8x64xf32> {
  // expected-error @+1 {{'linea.attention' op result dimension 2 (S) is 8, but q dimension 2 (S) is 16}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x8x64xf32>
  return %o : tensor<2x8x8x64xf32>
}

// -----

func.func @attention_result_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x2x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op result dimension 1 (H) is 2, but q dimension 1 (H) is 8}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32>) -> tensor<2x2x16x64xf32>
  return %o : tensor<2x2x16x64xf32>
}

// -----

// The grouping needs the head counts.
func.func @attention_dynamic_heads(%q: tensor<2x?x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>) -> tensor<2x?x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op q dimension 1 (H) must be static}}
  %o = linea.attention %q, %k, %v : (tensor<2x?x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32>) -> tensor<2x?x16x64xf32>
  return %o : tensor<2x?x16x64xf32>
}

// -----

// The default scale 1/sqrt(D) needs D.
func.func @attention_dynamic_head_dim(%q: tensor<2x8x16x?xf32>, %k: tensor<2x8x16x?xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op q dimension 3 (D) must be static}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x?xf32>, tensor<2x8x16x?xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_dynamic_value_dim(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x?xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op v dimension 3 (Dv) must be static}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x?xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_gqa_divides(%q: tensor<2x8x16x64xf32>, %k: tensor<2x3x16x64xf32>, %v: tensor<2x3x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op k and v have 3 heads, which do not divide the 8 heads of q}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x3x16x64xf32>, tensor<2x3x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_gqa_zero(%q: tensor<2x8x16x64xf32>, %k: tensor<2x0x16x64xf32>, %v: tensor<2x0x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op k dimension 1 (Hkv) must be positive, but is 0}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x0x16x64xf32>, tensor<2x0x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_zero_head_dim(%q: tensor<2x8x16x0xf32>, %k: tensor<2x8x16x0xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op q dimension 3 (D) must be positive, but is 0}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x0xf32>, tensor<2x8x16x0xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_mask_rank(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>, %m: tensor<16x16xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op mask must have rank 4 (broadcastable to [B, H, S, T]), but has rank 2}}
  %o = linea.attention %q, %k, %v mask %m : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<16x16xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

// A mask per kv head is not a broadcast of the query heads.
func.func @attention_mask_heads(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x64xf32>, %m: tensor<1x2x16x16xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op mask dimension 1 is 2, but must be 1 or H = 8}}
  %o = linea.attention %q, %k, %v mask %m : (tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32>, tensor<1x2x16x16xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_mask_batch(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>, %m: tensor<4x1x16x16xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op mask dimension 0 is 4, but must be 1 or B = 2}}
  %o = linea.attention %q, %k, %v mask %m : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<4x1x16x16xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_mask_queries(%q: tensor<2x8x4x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>, %m: tensor<1x1x16x16xf32>) -> tensor<2x8x4x64xf32> {
  // expected-error @+1 {{'linea.attention' op mask dimension 2 is 16, but must be 1 or S = 4}}
  %o = linea.attention %q, %k, %v mask %m : (tensor<2x8x4x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<1x1x16x16xf32>) -> tensor<2x8x4x64xf32>
  return %o : tensor<2x8x4x64xf32>
}

// -----

func.func @attention_mask_keys(%q: tensor<2x8x4x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>, %m: tensor<1x1x4x4xf32>) -> tensor<2x8x4x64xf32> {
  // expected-error @+1 {{'linea.attention' op mask dimension 3 is 4, but must be 1 or T = 16}}
  %o = linea.attention %q, %k, %v mask %m : (tensor<2x8x4x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<1x1x4x4xf32>) -> tensor<2x8x4x64xf32>
  return %o : tensor<2x8x4x64xf32>
}

// -----

func.func @attention_kv_type(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xbf16>) -> tensor<2x8x16x64xbf16> {
  // expected-error @+1 {{'linea.attention' op k element type 'f32' differs from q element type 'bf16'}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xbf16>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xbf16>) -> tensor<2x8x16x64xbf16>
  return %o : tensor<2x8x16x64xbf16>
}

// -----

func.func @attention_result_type(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x8x16x64xbf16>, %v: tensor<2x8x16x64xbf16>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op result element type 'f32' differs from q element type 'bf16'}}
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_scale_zero(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op scale must be finite and positive, but is 0}}
  %o = linea.attention %q, %k, %v {scale = 0.0 : f32} : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @attention_scale_negative(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  // expected-error @+1 {{'linea.attention' op scale must be finite and positive, but is -1.250000e-01}}
  %o = linea.attention %q, %k, %v {scale = -0.125 : f32} : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// -----

func.func @linear_attention_k_rank(%q: tensor<2x4x16x32xf32>, %k: tensor<4x16x32xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op k must have rank 4 ([B, H, T, D]), but has rank 3}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<4x16x32xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// No grouped-query heads in linear attention: q, k and v share H.
func.func @linear_attention_heads(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op k dimension 1 (H) is 2, but q dimension 1 (H) is 4}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

func.func @linear_attention_batch(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<1x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op v dimension 0 (B) is 1, but q dimension 0 (B) is 2}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<1x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

func.func @linear_attention_head_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x16xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op k dimension 3 (D) is 16, but q dimension 3 (D) is 32}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

func.func @linear_attention_value_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x32xf32> {
  // expected-error @+1 {{'linea.linear_attention' op result dimension 3 (Dv) is 32, but v dimension 3 (Dv) is 8}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x32xf32>
  return %o : tensor<2x4x16x32xf32>
}

// -----

func.func @linear_attention_kv_length(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x24x32xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op v dimension 2 (T) is 16, but k dimension 2 (T) is 24}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<2x4x24x32xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

func.func @linear_attention_result_queries(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x24x32xf32>, %v: tensor<2x4x24x8xf32>) -> tensor<2x4x24x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op result dimension 2 (S) is 24, but q dimension 2 (S) is 16}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<2x4x24x32xf32>, tensor<2x4x24x8xf32>) -> tensor<2x4x24x8xf32>
  return %o : tensor<2x4x24x8xf32>
}

// -----

func.func @linear_attention_dynamic_value_dim(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x?xf32>) -> tensor<2x4x16x?xf32> {
  // expected-error @+1 {{'linea.linear_attention' op v dimension 3 (Dv) must be static}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x?xf32>) -> tensor<2x4x16x?xf32>
  return %o : tensor<2x4x16x?xf32>
}

// -----

func.func @linear_attention_dynamic_head_dim(%q: tensor<2x4x16x?xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op q dimension 3 (D) must be static}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x?xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

func.func @linear_attention_causal_lengths(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x24x32xf32>, %v: tensor<2x4x24x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op causal linear attention needs as many queries as keys, but q has S = 16 and k has T = 24}}
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal} : (tensor<2x4x16x32xf32>, tensor<2x4x24x32xf32>, tensor<2x4x24x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

func.func @linear_attention_v_type(%q: tensor<2x4x16x32xf16>, %k: tensor<2x4x16x32xf16>, %v: tensor<2x4x16x8xbf16>) -> tensor<2x4x16x8xf16> {
  // expected-error @+1 {{'linea.linear_attention' op v element type 'bf16' differs from q element type 'f16'}}
  %o = linea.linear_attention %q, %k, %v feature_map relu : (tensor<2x4x16x32xf16>, tensor<2x4x16x32xf16>, tensor<2x4x16x8xbf16>) -> tensor<2x4x16x8xf16>
  return %o : tensor<2x4x16x8xf16>
}

// -----

func.func @linear_attention_epsilon(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{'linea.linear_attention' op epsilon must be finite and positive, but is 0}}
  %o = linea.linear_attention %q, %k, %v feature_map relu {epsilon = 0.0 : f32} : (tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

func.func @linear_attention_feature_map(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'feature_map' [elu_plus_one, relu, identity, binary]}}
  %o = linea.linear_attention %q, %k, %v feature_map softmax : (tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}
