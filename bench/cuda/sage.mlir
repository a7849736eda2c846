// SageAttention (linea.attention with `quant`) shapes for the CUDA kernels
// (docs/cuda.md "SageAttention"): chk_* are correctness cases (ragged S and
// T, causal with S < T and S > T, GQA/MQA, f16, D = 64, q/k blocks that do
// not divide the tiles, each `values` mode, S = 1); pre_* the prefill
// benchmark (bf16, D = 128, B = 1..4, H = 16..32, S = T = 4096 / 8192).
// Generate with
//   linea-opt bench/cuda/sage.mlir --pass-pipeline='builtin.module(linea-to-gpu{attention-tiles=32x32,16x64},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=cuda-sage})' -o /dev/null
// and run scripts/cuda-device-check.sh cuda-sage on the GPU machine.

func.func @chk_sage_ragged_causal(%q: tensor<1x4x200x128xbf16>, %k: tensor<1x2x200x128xbf16>, %v: tensor<1x2x200x128xbf16>) -> tensor<1x4x200x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_sage_ragged_causal", quant = #linea.attn_quant<q_block = 64, k_block = 32>}
      : (tensor<1x4x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>) -> tensor<1x4x200x128xbf16>
  return %o : tensor<1x4x200x128xbf16>
}

func.func @chk_sage_exact_gqa(%q: tensor<2x8x300x64xf16>, %k: tensor<2x2x333x64xf16>, %v: tensor<2x2x333x64xf16>) -> tensor<2x8x300x64xf16> {
  %o = linea.attention %q, %k, %v {name = "chk_sage_exact_gqa", scale = 0.1 : f32, quant = #linea.attn_quant<values = exact>}
      : (tensor<2x8x300x64xf16>, tensor<2x2x333x64xf16>, tensor<2x2x333x64xf16>) -> tensor<2x8x300x64xf16>
  return %o : tensor<2x8x300x64xf16>
}

func.func @chk_sage_smoothed(%q: tensor<1x4x257x128xbf16>, %k: tensor<1x4x513x128xbf16>, %v: tensor<1x4x513x128xbf16>) -> tensor<1x4x257x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "chk_sage_smoothed", quant = #linea.attn_quant<values = fp8_e4m3_smoothed>}
      : (tensor<1x4x257x128xbf16>, tensor<1x4x513x128xbf16>, tensor<1x4x513x128xbf16>) -> tensor<1x4x257x128xbf16>
  return %o : tensor<1x4x257x128xbf16>
}

func.func @chk_sage_s_gt_t_causal(%q: tensor<1x2x130x128xbf16>, %k: tensor<1x1x70x128xbf16>, %v: tensor<1x1x70x128xbf16>) -> tensor<1x2x130x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_sage_s_gt_t_causal", quant = #linea.attn_quant<k_block = 48>}
      : (tensor<1x2x130x128xbf16>, tensor<1x1x70x128xbf16>, tensor<1x1x70x128xbf16>) -> tensor<1x2x130x128xbf16>
  return %o : tensor<1x2x130x128xbf16>
}

func.func @chk_sage_smoothed_s_gt_t(%q: tensor<1x2x130x64xbf16>, %k: tensor<1x1x70x64xbf16>, %v: tensor<1x1x70x64xbf16>) -> tensor<1x2x130x64xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_sage_smoothed_s_gt_t", quant = #linea.attn_quant<values = fp8_e4m3_smoothed>}
      : (tensor<1x2x130x64xbf16>, tensor<1x1x70x64xbf16>, tensor<1x1x70x64xbf16>) -> tensor<1x2x130x64xbf16>
  return %o : tensor<1x2x130x64xbf16>
}

func.func @chk_sage_kvcache_causal(%q: tensor<2x4x100x64xf16>, %k: tensor<2x4x1000x64xf16>, %v: tensor<2x4x1000x64xf16>) -> tensor<2x4x100x64xf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_sage_kvcache_causal", quant = #linea.attn_quant<q_block = 32, values = fp8_e4m3_smoothed>}
      : (tensor<2x4x100x64xf16>, tensor<2x4x1000x64xf16>, tensor<2x4x1000x64xf16>) -> tensor<2x4x100x64xf16>
  return %o : tensor<2x4x100x64xf16>
}

func.func @chk_sage_exact_causal(%q: tensor<1x8x190x128xbf16>, %k: tensor<1x8x190x128xbf16>, %v: tensor<1x8x190x128xbf16>) -> tensor<1x8x190x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_sage_exact_causal", quant = #linea.attn_quant<values = exact>}
      : (tensor<1x8x190x128xbf16>, tensor<1x8x190x128xbf16>, tensor<1x8x190x128xbf16>) -> tensor<1x8x190x128xbf16>
  return %o : tensor<1x8x190x128xbf16>
}

func.func @chk_sage_decode(%q: tensor<1x8x1x128xbf16>, %k: tensor<1x2x1000x128xbf16>, %v: tensor<1x2x1000x128xbf16>) -> tensor<1x8x1x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "chk_sage_decode", quant = #linea.attn_quant<>}
      : (tensor<1x8x1x128xbf16>, tensor<1x2x1000x128xbf16>, tensor<1x2x1000x128xbf16>) -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

func.func @pre_sage_b1h16_4k(%q: tensor<1x16x4096x128xbf16>, %k: tensor<1x16x4096x128xbf16>, %v: tensor<1x16x4096x128xbf16>) -> tensor<1x16x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_sage_b1h16_4k", quant = #linea.attn_quant<>}
      : (tensor<1x16x4096x128xbf16>, tensor<1x16x4096x128xbf16>, tensor<1x16x4096x128xbf16>) -> tensor<1x16x4096x128xbf16>
  return %o : tensor<1x16x4096x128xbf16>
}

func.func @pre_sage_b1h16_4k_c(%q: tensor<1x16x4096x128xbf16>, %k: tensor<1x16x4096x128xbf16>, %v: tensor<1x16x4096x128xbf16>) -> tensor<1x16x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_sage_b1h16_4k_c", quant = #linea.attn_quant<>}
      : (tensor<1x16x4096x128xbf16>, tensor<1x16x4096x128xbf16>, tensor<1x16x4096x128xbf16>) -> tensor<1x16x4096x128xbf16>
  return %o : tensor<1x16x4096x128xbf16>
}

func.func @pre_sage_b2h32_8k(%q: tensor<2x32x8192x128xbf16>, %k: tensor<2x32x8192x128xbf16>, %v: tensor<2x32x8192x128xbf16>) -> tensor<2x32x8192x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_sage_b2h32_8k", quant = #linea.attn_quant<>}
      : (tensor<2x32x8192x128xbf16>, tensor<2x32x8192x128xbf16>, tensor<2x32x8192x128xbf16>) -> tensor<2x32x8192x128xbf16>
  return %o : tensor<2x32x8192x128xbf16>
}

func.func @pre_sage_b4h32_4k_c(%q: tensor<4x32x4096x128xbf16>, %k: tensor<4x32x4096x128xbf16>, %v: tensor<4x32x4096x128xbf16>) -> tensor<4x32x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_sage_b4h32_4k_c", quant = #linea.attn_quant<>}
      : (tensor<4x32x4096x128xbf16>, tensor<4x32x4096x128xbf16>, tensor<4x32x4096x128xbf16>) -> tensor<4x32x4096x128xbf16>
  return %o : tensor<4x32x4096x128xbf16>
}

func.func @pre_sage_b1h32_8k_smoothed(%q: tensor<1x32x8192x128xbf16>, %k: tensor<1x32x8192x128xbf16>, %v: tensor<1x32x8192x128xbf16>) -> tensor<1x32x8192x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_sage_b1h32_8k_smoothed", quant = #linea.attn_quant<values = fp8_e4m3_smoothed>}
      : (tensor<1x32x8192x128xbf16>, tensor<1x32x8192x128xbf16>, tensor<1x32x8192x128xbf16>) -> tensor<1x32x8192x128xbf16>
  return %o : tensor<1x32x8192x128xbf16>
}

func.func @pre_sage_b1h16_4k_exact(%q: tensor<1x16x4096x128xbf16>, %k: tensor<1x16x4096x128xbf16>, %v: tensor<1x16x4096x128xbf16>) -> tensor<1x16x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_sage_b1h16_4k_exact", quant = #linea.attn_quant<values = exact>}
      : (tensor<1x16x4096x128xbf16>, tensor<1x16x4096x128xbf16>, tensor<1x16x4096x128xbf16>) -> tensor<1x16x4096x128xbf16>
  return %o : tensor<1x16x4096x128xbf16>
}
