// linea.attention shapes for the CUDA kernels (docs/cuda.md, PERF.md):
// chk_* are correctness cases (ragged S and T, S < T and S > T causal,
// f16, D = 64, GQA/MQA, T >= 8192); pre_* the prefill benchmark (bf16,
// D = 128, B = 1..4, H = 16..32, S = T = 4096 / 8192, causal and not);
// dec_* decode (S = 1, GQA, KV cache up to 32k). Generate with
//   linea-opt bench/cuda/attention.mlir --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=cuda-attn})' -o /dev/null
// and run scripts/cuda-device-check.sh cuda-attn on the GPU machine.

func.func @chk_ragged_causal(%q: tensor<1x4x200x128xbf16>, %k: tensor<1x2x200x128xbf16>, %v: tensor<1x2x200x128xbf16>) -> tensor<1x4x200x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_ragged_causal"}
      : (tensor<1x4x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>) -> tensor<1x4x200x128xbf16>
  return %o : tensor<1x4x200x128xbf16>
}

func.func @chk_f16_d64_gqa(%q: tensor<2x8x300x64xf16>, %k: tensor<2x2x333x64xf16>, %v: tensor<2x2x333x64xf16>) -> tensor<2x8x300x64xf16> {
  %o = linea.attention %q, %k, %v {name = "chk_f16_d64_gqa", scale = 0.1 : f32}
      : (tensor<2x8x300x64xf16>, tensor<2x2x333x64xf16>, tensor<2x2x333x64xf16>) -> tensor<2x8x300x64xf16>
  return %o : tensor<2x8x300x64xf16>
}

func.func @chk_kvcache_causal(%q: tensor<1x4x100x64xbf16>, %k: tensor<1x4x1000x64xbf16>, %v: tensor<1x4x1000x64xbf16>) -> tensor<1x4x100x64xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_kvcache_causal"}
      : (tensor<1x4x100x64xbf16>, tensor<1x4x1000x64xbf16>, tensor<1x4x1000x64xbf16>) -> tensor<1x4x100x64xbf16>
  return %o : tensor<1x4x100x64xbf16>
}

func.func @chk_s_gt_t_causal(%q: tensor<1x2x130x128xbf16>, %k: tensor<1x1x70x128xbf16>, %v: tensor<1x1x70x128xbf16>) -> tensor<1x2x130x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_s_gt_t_causal"}
      : (tensor<1x2x130x128xbf16>, tensor<1x1x70x128xbf16>, tensor<1x1x70x128xbf16>) -> tensor<1x2x130x128xbf16>
  return %o : tensor<1x2x130x128xbf16>
}

func.func @chk_long_causal(%q: tensor<1x2x8200x128xbf16>, %k: tensor<1x1x8200x128xbf16>, %v: tensor<1x1x8200x128xbf16>) -> tensor<1x2x8200x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_long_causal"}
      : (tensor<1x2x8200x128xbf16>, tensor<1x1x8200x128xbf16>, tensor<1x1x8200x128xbf16>) -> tensor<1x2x8200x128xbf16>
  return %o : tensor<1x2x8200x128xbf16>
}

func.func @chk_long_d64(%q: tensor<1x2x8192x64xbf16>, %k: tensor<1x2x8192x64xbf16>, %v: tensor<1x2x8192x64xbf16>) -> tensor<1x2x8192x64xbf16> {
  %o = linea.attention %q, %k, %v {name = "chk_long_d64"}
      : (tensor<1x2x8192x64xbf16>, tensor<1x2x8192x64xbf16>, tensor<1x2x8192x64xbf16>) -> tensor<1x2x8192x64xbf16>
  return %o : tensor<1x2x8192x64xbf16>
}

func.func @dec_chk_ragged(%q: tensor<2x8x1x128xbf16>, %k: tensor<2x2x1000x128xbf16>, %v: tensor<2x2x1000x128xbf16>) -> tensor<2x8x1x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "dec_chk_ragged"}
      : (tensor<2x8x1x128xbf16>, tensor<2x2x1000x128xbf16>, tensor<2x2x1000x128xbf16>) -> tensor<2x8x1x128xbf16>
  return %o : tensor<2x8x1x128xbf16>
}

func.func @dec_chk_f16_mqa_d64(%q: tensor<3x16x1x64xf16>, %k: tensor<3x1x4097x64xf16>, %v: tensor<3x1x4097x64xf16>) -> tensor<3x16x1x64xf16> {
  %o = linea.attention %q, %k, %v {name = "dec_chk_f16_mqa_d64"}
      : (tensor<3x16x1x64xf16>, tensor<3x1x4097x64xf16>, tensor<3x1x4097x64xf16>) -> tensor<3x16x1x64xf16>
  return %o : tensor<3x16x1x64xf16>
}

func.func @dec_chk_long_mha(%q: tensor<1x8x1x128xbf16>, %k: tensor<1x8x32771x128xbf16>, %v: tensor<1x8x32771x128xbf16>) -> tensor<1x8x1x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "dec_chk_long_mha"}
      : (tensor<1x8x1x128xbf16>, tensor<1x8x32771x128xbf16>, tensor<1x8x32771x128xbf16>) -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

func.func @pre_b1h32_4k(%q: tensor<1x32x4096x128xbf16>, %k: tensor<1x32x4096x128xbf16>, %v: tensor<1x32x4096x128xbf16>) -> tensor<1x32x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_b1h32_4k"}
      : (tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>) -> tensor<1x32x4096x128xbf16>
  return %o : tensor<1x32x4096x128xbf16>
}

func.func @pre_b1h32_4k_causal(%q: tensor<1x32x4096x128xbf16>, %k: tensor<1x32x4096x128xbf16>, %v: tensor<1x32x4096x128xbf16>) -> tensor<1x32x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_b1h32_4k_causal"}
      : (tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>, tensor<1x32x4096x128xbf16>) -> tensor<1x32x4096x128xbf16>
  return %o : tensor<1x32x4096x128xbf16>
}

func.func @pre_b4h16_4k(%q: tensor<4x16x4096x128xbf16>, %k: tensor<4x16x4096x128xbf16>, %v: tensor<4x16x4096x128xbf16>) -> tensor<4x16x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_b4h16_4k"}
      : (tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>) -> tensor<4x16x4096x128xbf16>
  return %o : tensor<4x16x4096x128xbf16>
}

func.func @pre_b4h16_4k_causal(%q: tensor<4x16x4096x128xbf16>, %k: tensor<4x16x4096x128xbf16>, %v: tensor<4x16x4096x128xbf16>) -> tensor<4x16x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_b4h16_4k_causal"}
      : (tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>) -> tensor<4x16x4096x128xbf16>
  return %o : tensor<4x16x4096x128xbf16>
}

func.func @pre_b2h16_8k(%q: tensor<2x16x8192x128xbf16>, %k: tensor<2x16x8192x128xbf16>, %v: tensor<2x16x8192x128xbf16>) -> tensor<2x16x8192x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "pre_b2h16_8k"}
      : (tensor<2x16x8192x128xbf16>, tensor<2x16x8192x128xbf16>, tensor<2x16x8192x128xbf16>) -> tensor<2x16x8192x128xbf16>
  return %o : tensor<2x16x8192x128xbf16>
}

func.func @pre_b2h16_8k_causal(%q: tensor<2x16x8192x128xbf16>, %k: tensor<2x16x8192x128xbf16>, %v: tensor<2x16x8192x128xbf16>) -> tensor<2x16x8192x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_b2h16_8k_causal"}
      : (tensor<2x16x8192x128xbf16>, tensor<2x16x8192x128xbf16>, tensor<2x16x8192x128xbf16>) -> tensor<2x16x8192x128xbf16>
  return %o : tensor<2x16x8192x128xbf16>
}

func.func @pre_b1h32_8k_causal(%q: tensor<1x32x8192x128xbf16>, %k: tensor<1x32x8192x128xbf16>, %v: tensor<1x32x8192x128xbf16>) -> tensor<1x32x8192x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_b1h32_8k_causal"}
      : (tensor<1x32x8192x128xbf16>, tensor<1x32x8192x128xbf16>, tensor<1x32x8192x128xbf16>) -> tensor<1x32x8192x128xbf16>
  return %o : tensor<1x32x8192x128xbf16>
}

func.func @pre_gqa_b1h32kv8_4k_causal(%q: tensor<1x32x4096x128xbf16>, %k: tensor<1x8x4096x128xbf16>, %v: tensor<1x8x4096x128xbf16>) -> tensor<1x32x4096x128xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_gqa_b1h32kv8_4k_causal"}
      : (tensor<1x32x4096x128xbf16>, tensor<1x8x4096x128xbf16>, tensor<1x8x4096x128xbf16>) -> tensor<1x32x4096x128xbf16>
  return %o : tensor<1x32x4096x128xbf16>
}

func.func @pre_d64_b1h32_4k_causal(%q: tensor<1x32x4096x64xbf16>, %k: tensor<1x32x4096x64xbf16>, %v: tensor<1x32x4096x64xbf16>) -> tensor<1x32x4096x64xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_d64_b1h32_4k_causal"}
      : (tensor<1x32x4096x64xbf16>, tensor<1x32x4096x64xbf16>, tensor<1x32x4096x64xbf16>) -> tensor<1x32x4096x64xbf16>
  return %o : tensor<1x32x4096x64xbf16>
}

func.func @dec_b1h32kv8_32k(%q: tensor<1x32x1x128xbf16>, %k: tensor<1x8x32768x128xbf16>, %v: tensor<1x8x32768x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "dec_b1h32kv8_32k"}
      : (tensor<1x32x1x128xbf16>, tensor<1x8x32768x128xbf16>, tensor<1x8x32768x128xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

func.func @dec_b4h32kv8_8k(%q: tensor<4x32x1x128xbf16>, %k: tensor<4x8x8192x128xbf16>, %v: tensor<4x8x8192x128xbf16>) -> tensor<4x32x1x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "dec_b4h32kv8_8k"}
      : (tensor<4x32x1x128xbf16>, tensor<4x8x8192x128xbf16>, tensor<4x8x8192x128xbf16>) -> tensor<4x32x1x128xbf16>
  return %o : tensor<4x32x1x128xbf16>
}

func.func @dec_b8h32kv8_16k(%q: tensor<8x32x1x128xbf16>, %k: tensor<8x8x16384x128xbf16>, %v: tensor<8x8x16384x128xbf16>) -> tensor<8x32x1x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "dec_b8h32kv8_16k"}
      : (tensor<8x32x1x128xbf16>, tensor<8x8x16384x128xbf16>, tensor<8x8x16384x128xbf16>) -> tensor<8x32x1x128xbf16>
  return %o : tensor<8x32x1x128xbf16>
}

func.func @dec_b1h32kv32_16k(%q: tensor<1x32x1x128xbf16>, %k: tensor<1x32x16384x128xbf16>, %v: tensor<1x32x16384x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "dec_b1h32kv32_16k"}
      : (tensor<1x32x1x128xbf16>, tensor<1x32x16384x128xbf16>, tensor<1x32x16384x128xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}
