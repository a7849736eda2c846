// linea.attention shapes for the CUDA kernels beyond bench/cuda/attention.mlir
// (docs/cuda.md "Attention"): additive masks (full [1, 1, S, T], per head,
// key padding [B, 1, 1, T], per-row [1, 1, S, 1]; f32/f16/bf16; odd T read
// element-wise), head dims 32/96/256, Dv != D, in prefill and decode.
// chk_* are correctness cases, pre_*/dec_* are also timed (masked ones
// against SDPA's memory-efficient backend, which takes a mask). Generate with
//   linea-opt bench/cuda/attention2.mlir --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=cuda-attn2})' -o /dev/null

func.func @chk_mask_causal(%q: tensor<1x4x200x128xbf16>, %k: tensor<1x2x200x128xbf16>, %v: tensor<1x2x200x128xbf16>, %m: tensor<1x1x200x200xf32>) -> tensor<1x4x200x128xbf16> {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "chk_mask_causal"}
      : (tensor<1x4x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x1x200x200xf32>) -> tensor<1x4x200x128xbf16>
  return %o : tensor<1x4x200x128xbf16>
}

func.func @chk_mask_keypad_f16_d64(%q: tensor<2x4x130x64xf16>, %k: tensor<2x4x333x64xf16>, %v: tensor<2x4x333x64xf16>, %m: tensor<2x1x1x333xbf16>) -> tensor<2x4x130x64xf16> {
  %o = linea.attention %q, %k, %v mask %m {name = "chk_mask_keypad_f16_d64"}
      : (tensor<2x4x130x64xf16>, tensor<2x4x333x64xf16>, tensor<2x4x333x64xf16>, tensor<2x1x1x333xbf16>) -> tensor<2x4x130x64xf16>
  return %o : tensor<2x4x130x64xf16>
}

func.func @chk_mask_full_kv_causal(%q: tensor<1x4x77x128xbf16>, %k: tensor<1x4x90x128xbf16>, %v: tensor<1x4x90x128xbf16>, %m: tensor<1x4x77x90xf16>) -> tensor<1x4x77x128xbf16> {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "chk_mask_full_kv_causal"}
      : (tensor<1x4x77x128xbf16>, tensor<1x4x90x128xbf16>, tensor<1x4x90x128xbf16>, tensor<1x4x77x90xf16>) -> tensor<1x4x77x128xbf16>
  return %o : tensor<1x4x77x128xbf16>
}

func.func @chk_mask_rowbias(%q: tensor<1x2x100x64xbf16>, %k: tensor<1x2x150x64xbf16>, %v: tensor<1x2x150x64xbf16>, %m: tensor<1x1x100x1xf32>) -> tensor<1x2x100x64xbf16> {
  %o = linea.attention %q, %k, %v mask %m {name = "chk_mask_rowbias", scale = 0.1 : f32}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x150x64xbf16>, tensor<1x2x150x64xbf16>, tensor<1x1x100x1xf32>) -> tensor<1x2x100x64xbf16>
  return %o : tensor<1x2x100x64xbf16>
}

func.func @chk_dec_mask(%q: tensor<2x8x1x128xbf16>, %k: tensor<2x2x1000x128xbf16>, %v: tensor<2x2x1000x128xbf16>, %m: tensor<2x8x1x1000xf32>) -> tensor<2x8x1x128xbf16> {
  %o = linea.attention %q, %k, %v mask %m {name = "chk_dec_mask"}
      : (tensor<2x8x1x128xbf16>, tensor<2x2x1000x128xbf16>, tensor<2x2x1000x128xbf16>, tensor<2x8x1x1000xf32>) -> tensor<2x8x1x128xbf16>
  return %o : tensor<2x8x1x128xbf16>
}

func.func @chk_dec_mask_bcast_f16(%q: tensor<1x4x1x64xf16>, %k: tensor<1x4x777x64xf16>, %v: tensor<1x4x777x64xf16>, %m: tensor<1x1x1x777xf32>) -> tensor<1x4x1x64xf16> {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "chk_dec_mask_bcast_f16"}
      : (tensor<1x4x1x64xf16>, tensor<1x4x777x64xf16>, tensor<1x4x777x64xf16>, tensor<1x1x1x777xf32>) -> tensor<1x4x1x64xf16>
  return %o : tensor<1x4x1x64xf16>
}

func.func @chk_d32_causal(%q: tensor<1x4x150x32xbf16>, %k: tensor<1x2x150x32xbf16>, %v: tensor<1x2x150x32xbf16>) -> tensor<1x4x150x32xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_d32_causal"}
      : (tensor<1x4x150x32xbf16>, tensor<1x2x150x32xbf16>, tensor<1x2x150x32xbf16>) -> tensor<1x4x150x32xbf16>
  return %o : tensor<1x4x150x32xbf16>
}

func.func @chk_d96_gqa_causal(%q: tensor<2x8x200x96xbf16>, %k: tensor<2x2x260x96xbf16>, %v: tensor<2x2x260x96xbf16>) -> tensor<2x8x200x96xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_d96_gqa_causal"}
      : (tensor<2x8x200x96xbf16>, tensor<2x2x260x96xbf16>, tensor<2x2x260x96xbf16>) -> tensor<2x8x200x96xbf16>
  return %o : tensor<2x8x200x96xbf16>
}

func.func @chk_d256_f16(%q: tensor<1x2x150x256xf16>, %k: tensor<1x2x170x256xf16>, %v: tensor<1x2x170x256xf16>) -> tensor<1x2x150x256xf16> {
  %o = linea.attention %q, %k, %v {name = "chk_d256_f16"}
      : (tensor<1x2x150x256xf16>, tensor<1x2x170x256xf16>, tensor<1x2x170x256xf16>) -> tensor<1x2x150x256xf16>
  return %o : tensor<1x2x150x256xf16>
}

func.func @chk_d256_mask_causal(%q: tensor<1x2x300x256xbf16>, %k: tensor<1x1x300x256xbf16>, %v: tensor<1x1x300x256xbf16>, %m: tensor<1x1x300x300xbf16>) -> tensor<1x2x300x256xbf16> {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "chk_d256_mask_causal"}
      : (tensor<1x2x300x256xbf16>, tensor<1x1x300x256xbf16>, tensor<1x1x300x256xbf16>, tensor<1x1x300x300xbf16>) -> tensor<1x2x300x256xbf16>
  return %o : tensor<1x2x300x256xbf16>
}

func.func @chk_d128_dv64(%q: tensor<1x4x130x128xbf16>, %k: tensor<1x2x140x128xbf16>, %v: tensor<1x2x140x64xbf16>) -> tensor<1x4x130x64xbf16> {
  %o = linea.attention %q, %k, %v {name = "chk_d128_dv64"}
      : (tensor<1x4x130x128xbf16>, tensor<1x2x140x128xbf16>, tensor<1x2x140x64xbf16>) -> tensor<1x4x130x64xbf16>
  return %o : tensor<1x4x130x64xbf16>
}

func.func @chk_d64_dv128_causal(%q: tensor<1x4x130x64xf16>, %k: tensor<1x4x140x64xf16>, %v: tensor<1x4x140x128xf16>) -> tensor<1x4x130x128xf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_d64_dv128_causal"}
      : (tensor<1x4x130x64xf16>, tensor<1x4x140x64xf16>, tensor<1x4x140x128xf16>) -> tensor<1x4x130x128xf16>
  return %o : tensor<1x4x130x128xf16>
}

func.func @chk_dec_d32(%q: tensor<1x8x1x32xbf16>, %k: tensor<1x2x500x32xbf16>, %v: tensor<1x2x500x32xbf16>) -> tensor<1x8x1x32xbf16> {
  %o = linea.attention %q, %k, %v {name = "chk_dec_d32"}
      : (tensor<1x8x1x32xbf16>, tensor<1x2x500x32xbf16>, tensor<1x2x500x32xbf16>) -> tensor<1x8x1x32xbf16>
  return %o : tensor<1x8x1x32xbf16>
}

func.func @chk_dec_d96(%q: tensor<2x8x1x96xbf16>, %k: tensor<2x8x3000x96xbf16>, %v: tensor<2x8x3000x96xbf16>) -> tensor<2x8x1x96xbf16> {
  %o = linea.attention %q, %k, %v {name = "chk_dec_d96"}
      : (tensor<2x8x1x96xbf16>, tensor<2x8x3000x96xbf16>, tensor<2x8x3000x96xbf16>) -> tensor<2x8x1x96xbf16>
  return %o : tensor<2x8x1x96xbf16>
}

func.func @chk_dec_d256(%q: tensor<1x16x1x256xbf16>, %k: tensor<1x2x2000x256xbf16>, %v: tensor<1x2x2000x256xbf16>) -> tensor<1x16x1x256xbf16> {
  %o = linea.attention %q, %k, %v {name = "chk_dec_d256"}
      : (tensor<1x16x1x256xbf16>, tensor<1x2x2000x256xbf16>, tensor<1x2x2000x256xbf16>) -> tensor<1x16x1x256xbf16>
  return %o : tensor<1x16x1x256xbf16>
}

func.func @chk_dec_d128_dv64(%q: tensor<1x8x1x128xf16>, %k: tensor<1x1x700x128xf16>, %v: tensor<1x1x700x64xf16>) -> tensor<1x8x1x64xf16> {
  %o = linea.attention %q, %k, %v {name = "chk_dec_d128_dv64"}
      : (tensor<1x8x1x128xf16>, tensor<1x1x700x128xf16>, tensor<1x1x700x64xf16>) -> tensor<1x8x1x64xf16>
  return %o : tensor<1x8x1x64xf16>
}

func.func @pre_mask_b1h32_4k(%q: tensor<1x32x4096x128xbf16>, %k: tensor<1x32x4096x128xbf16>, %v: tensor<1x32x4096x128xbf16>, %m: tensor<1x1x4096x4096xf32>) -> tensor<1x32x4096x128xbf16> {
  %o = linea.attention %q, %k, %v mask %m {name = "pre_mask_b1h32_4k"}
      : (tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>, tensor<1x1x4096x4096xf32>) -> tensor<1x32x4096x128xbf16>
  return %o : tensor<1x32x4096x128xbf16>
}

func.func @pre_mask_b1h32_4k_causal(%q: tensor<1x32x4096x128xbf16>, %k: tensor<1x32x4096x128xbf16>, %v: tensor<1x32x4096x128xbf16>, %m: tensor<1x1x4096x4096xbf16>) -> tensor<1x32x4096x128xbf16> {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "pre_mask_b1h32_4k_causal"}
      : (tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>, tensor<1x1x4096x4096xbf16>) -> tensor<1x32x4096x128xbf16>
  return %o : tensor<1x32x4096x128xbf16>
}

func.func @pre_mask_b2h16_8k_keypad(%q: tensor<2x16x8192x128xbf16>, %k: tensor<2x16x8192x128xbf16>, %v: tensor<2x16x8192x128xbf16>, %m: tensor<2x1x1x8192xbf16>) -> tensor<2x16x8192x128xbf16> {
  %o = linea.attention %q, %k, %v mask %m {name = "pre_mask_b2h16_8k_keypad"}
      : (tensor<2x16x8192x128xbf16>, tensor<2x16x8192x128xbf16>, tensor<2x16x8192x128xbf16>, tensor<2x1x1x8192xbf16>) -> tensor<2x16x8192x128xbf16>
  return %o : tensor<2x16x8192x128xbf16>
}

func.func @pre_d64_b1h32_4k(%q: tensor<1x32x4096x64xbf16>, %k: tensor<1x32x4096x64xbf16>, %v: tensor<1x32x4096x64xbf16>) -> tensor<1x32x4096x64xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_d64_b1h32_4k"}
      : (tensor<1x32x4096x64xbf16>, tensor<1x32x4096x64xbf16>, tensor<1x32x4096x64xbf16>) -> tensor<1x32x4096x64xbf16>
  return %o : tensor<1x32x4096x64xbf16>
}

func.func @pre_d96_b1h32_4k_causal(%q: tensor<1x32x4096x96xbf16>, %k: tensor<1x32x4096x96xbf16>, %v: tensor<1x32x4096x96xbf16>) -> tensor<1x32x4096x96xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_d96_b1h32_4k_causal"}
      : (tensor<1x32x4096x96xbf16>, tensor<1x32x4096x96xbf16>, tensor<1x32x4096x96xbf16>) -> tensor<1x32x4096x96xbf16>
  return %o : tensor<1x32x4096x96xbf16>
}

func.func @pre_d256_b1h16_4k(%q: tensor<1x16x4096x256xbf16>, %k: tensor<1x16x4096x256xbf16>, %v: tensor<1x16x4096x256xbf16>) -> tensor<1x16x4096x256xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_d256_b1h16_4k"}
      : (tensor<1x16x4096x256xbf16>, tensor<1x16x4096x256xbf16>, tensor<1x16x4096x256xbf16>) -> tensor<1x16x4096x256xbf16>
  return %o : tensor<1x16x4096x256xbf16>
}

func.func @pre_d256_b1h16_4k_causal(%q: tensor<1x16x4096x256xbf16>, %k: tensor<1x16x4096x256xbf16>, %v: tensor<1x16x4096x256xbf16>) -> tensor<1x16x4096x256xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_d256_b1h16_4k_causal"}
      : (tensor<1x16x4096x256xbf16>, tensor<1x16x4096x256xbf16>, tensor<1x16x4096x256xbf16>) -> tensor<1x16x4096x256xbf16>
  return %o : tensor<1x16x4096x256xbf16>
}

func.func @dec_mask_b4h32kv8_8k(%q: tensor<4x32x1x128xbf16>, %k: tensor<4x8x8192x128xbf16>, %v: tensor<4x8x8192x128xbf16>, %m: tensor<4x1x1x8192xbf16>) -> tensor<4x32x1x128xbf16> {
  %o = linea.attention %q, %k, %v mask %m {name = "dec_mask_b4h32kv8_8k"}
      : (tensor<4x32x1x128xbf16>, tensor<4x8x8192x128xbf16>, tensor<4x8x8192x128xbf16>, tensor<4x1x1x8192xbf16>) -> tensor<4x32x1x128xbf16>
  return %o : tensor<4x32x1x128xbf16>
}

func.func @dec_d256_b1h32kv8_16k(%q: tensor<1x32x1x256xbf16>, %k: tensor<1x8x16384x256xbf16>, %v: tensor<1x8x16384x256xbf16>) -> tensor<1x32x1x256xbf16> {
  %o = linea.attention %q, %k, %v {name = "dec_d256_b1h32kv8_16k"}
      : (tensor<1x32x1x256xbf16>, tensor<1x8x16384x256xbf16>, tensor<1x8x16384x256xbf16>) -> tensor<1x32x1x256xbf16>
  return %o : tensor<1x32x1x256xbf16>
}
