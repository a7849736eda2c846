// RUN: linea-opt %s | linea-opt | FileCheck %s

// Round trip of linea.latent_attention (with and without RoPE, grouped
// latents) and of linea.attention's SageAttention attribute.

// CHECK-LABEL: func.func @palu_decode
// CHECK: linea.latent_attention %arg0, %arg1, %arg2, %arg3, %arg4 rope(%arg5, %arg6) {kv_heads = 4 : i64}
func.func @palu_decode(%q: tensor<1x8x1x16xf32>, %hk: tensor<1x?x24xf32>,
                       %uk: tensor<2x32x12xf32>, %hv: tensor<1x?x16xf32>,
                       %uv: tensor<1x64x16xf32>, %cos: tensor<?x16xf32>,
                       %sin: tensor<?x16xf32>) -> tensor<1x8x1x16xf32> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 4 : i64}
      : (tensor<1x8x1x16xf32>, tensor<1x?x24xf32>, tensor<2x32x12xf32>,
         tensor<1x?x16xf32>, tensor<1x64x16xf32>, tensor<?x16xf32>,
         tensor<?x16xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}

// CHECK-LABEL: func.func @no_rope
// CHECK: linea.latent_attention %arg0, %arg1, %arg2, %arg1, %arg2 {causal, kv_heads = 2 : i64, scale = 2.500000e-01 : f32}
func.func @no_rope(%q: tensor<?x4x?x8xbf16>, %h: tensor<?x?x4xbf16>,
                   %u: tensor<1x16x4xbf16>) -> tensor<?x4x?x8xbf16> {
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64, causal, scale = 0.25 : f32}
      : (tensor<?x4x?x8xbf16>, tensor<?x?x4xbf16>, tensor<1x16x4xbf16>,
         tensor<?x?x4xbf16>, tensor<1x16x4xbf16>) -> tensor<?x4x?x8xbf16>
  return %o : tensor<?x4x?x8xbf16>
}

// Default parameters are elided.
// CHECK-LABEL: func.func @sage
// CHECK: linea.attention %arg0, %arg1, %arg2 {quant = #linea.attn_quant<>}
// CHECK: linea.attention %arg0, %arg1, %arg2 {causal, quant = #linea.attn_quant<q_block = 32, values = fp8_e4m3_smoothed>}
func.func @sage(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                %v: tensor<1x2x8x16xf32>) -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  %a = linea.attention %q, %k, %v {quant = #linea.attn_quant<>}
      : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  %b = linea.attention %q, %k, %v {causal, quant = #linea.attn_quant<values = fp8_e4m3_smoothed, q_block = 32, k_block = 64>}
      : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %a, %b : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}
