// linea.latent_attention decode shapes for the CUDA kernels (docs/cuda.md,
// "Latent (Palu) decode"): chk_* are correctness cases (ragged T, grouped
// latents with Gk != Gv, D = 64, f16 with f32 rope tables, MQA, B = 2 with
// T = 8200); dec_* the benchmark (Llama-like H = 32, Hkv = 8, D = 128,
// ranks 256..1024, caches of 4k..32k tokens, with and without RoPE).
// Generate with
//   linea-opt bench/cuda/latent.mlir --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=cuda-latent ptxas=ptxas})' -o /dev/null
// and run scripts/cuda-device-check.sh cuda-latent on the GPU machine.

func.func @chk_rope_ragged(%q: tensor<1x8x1x128xbf16>, %hk: tensor<1x200x256xbf16>, %uk: tensor<1x256x256xbf16>, %hv: tensor<1x200x256xbf16>, %uv: tensor<1x256x256xbf16>, %cos: tensor<200x128xbf16>, %sin: tensor<200x128xbf16>) -> tensor<1x8x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 2 : i64, name = "chk_rope_ragged"}
      : (tensor<1x8x1x128xbf16>, tensor<1x200x256xbf16>, tensor<1x256x256xbf16>, tensor<1x200x256xbf16>, tensor<1x256x256xbf16>, tensor<200x128xbf16>, tensor<200x128xbf16>) -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

func.func @chk_norope_groups(%q: tensor<2x8x1x64xbf16>, %hk: tensor<2x333x256xbf16>, %uk: tensor<2x128x128xbf16>, %hv: tensor<2x333x256xbf16>, %uv: tensor<4x64x64xbf16>) -> tensor<2x8x1x64xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 4 : i64, name = "chk_norope_groups"}
      : (tensor<2x8x1x64xbf16>, tensor<2x333x256xbf16>, tensor<2x128x128xbf16>, tensor<2x333x256xbf16>, tensor<4x64x64xbf16>) -> tensor<2x8x1x64xbf16>
  return %o : tensor<2x8x1x64xbf16>
}

func.func @chk_f16_rope_f32(%q: tensor<1x4x1x128xf16>, %hk: tensor<1x1000x384xf16>, %uk: tensor<4x128x96xf16>, %hv: tensor<1x1000x256xf16>, %uv: tensor<2x256x128xf16>, %cos: tensor<1000x128xf32>, %sin: tensor<1000x128xf32>) -> tensor<1x4x1x128xf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 4 : i64, name = "chk_f16_rope_f32"}
      : (tensor<1x4x1x128xf16>, tensor<1x1000x384xf16>, tensor<4x128x96xf16>, tensor<1x1000x256xf16>, tensor<2x256x128xf16>, tensor<1000x128xf32>, tensor<1000x128xf32>) -> tensor<1x4x1x128xf16>
  return %o : tensor<1x4x1x128xf16>
}

func.func @chk_mqa_rope(%q: tensor<1x16x1x128xbf16>, %hk: tensor<1x513x64xbf16>, %uk: tensor<1x128x64xbf16>, %hv: tensor<1x513x128xbf16>, %uv: tensor<1x128x128xbf16>, %cos: tensor<513x128xbf16>, %sin: tensor<513x128xbf16>) -> tensor<1x16x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 1 : i64, name = "chk_mqa_rope"}
      : (tensor<1x16x1x128xbf16>, tensor<1x513x64xbf16>, tensor<1x128x64xbf16>, tensor<1x513x128xbf16>, tensor<1x128x128xbf16>, tensor<513x128xbf16>, tensor<513x128xbf16>) -> tensor<1x16x1x128xbf16>
  return %o : tensor<1x16x1x128xbf16>
}

func.func @chk_long_rope(%q: tensor<2x32x1x128xbf16>, %hk: tensor<2x8200x512xbf16>, %uk: tensor<2x512x256xbf16>, %hv: tensor<2x8200x512xbf16>, %uv: tensor<2x512x256xbf16>, %cos: tensor<8200x128xbf16>, %sin: tensor<8200x128xbf16>) -> tensor<2x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 8 : i64, name = "chk_long_rope"}
      : (tensor<2x32x1x128xbf16>, tensor<2x8200x512xbf16>, tensor<2x512x256xbf16>, tensor<2x8200x512xbf16>, tensor<2x512x256xbf16>, tensor<8200x128xbf16>, tensor<8200x128xbf16>) -> tensor<2x32x1x128xbf16>
  return %o : tensor<2x32x1x128xbf16>
}

func.func @dec_r256_t4k_rope(%q: tensor<1x32x1x128xbf16>, %hk: tensor<1x4096x256xbf16>, %uk: tensor<1x1024x256xbf16>, %hv: tensor<1x4096x256xbf16>, %uv: tensor<1x1024x256xbf16>, %cos: tensor<4096x128xbf16>, %sin: tensor<4096x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 8 : i64, name = "dec_r256_t4k_rope"}
      : (tensor<1x32x1x128xbf16>, tensor<1x4096x256xbf16>, tensor<1x1024x256xbf16>, tensor<1x4096x256xbf16>, tensor<1x1024x256xbf16>, tensor<4096x128xbf16>, tensor<4096x128xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

func.func @dec_r256_t32k_rope(%q: tensor<1x32x1x128xbf16>, %hk: tensor<1x32768x256xbf16>, %uk: tensor<1x1024x256xbf16>, %hv: tensor<1x32768x256xbf16>, %uv: tensor<1x1024x256xbf16>, %cos: tensor<32768x128xbf16>, %sin: tensor<32768x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 8 : i64, name = "dec_r256_t32k_rope"}
      : (tensor<1x32x1x128xbf16>, tensor<1x32768x256xbf16>, tensor<1x1024x256xbf16>, tensor<1x32768x256xbf16>, tensor<1x1024x256xbf16>, tensor<32768x128xbf16>, tensor<32768x128xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

func.func @dec_r256_t32k(%q: tensor<1x32x1x128xbf16>, %hk: tensor<1x32768x256xbf16>, %uk: tensor<1x1024x256xbf16>, %hv: tensor<1x32768x256xbf16>, %uv: tensor<1x1024x256xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 8 : i64, name = "dec_r256_t32k"}
      : (tensor<1x32x1x128xbf16>, tensor<1x32768x256xbf16>, tensor<1x1024x256xbf16>, tensor<1x32768x256xbf16>, tensor<1x1024x256xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

func.func @dec_r512_t16k_rope(%q: tensor<1x32x1x128xbf16>, %hk: tensor<1x16384x512xbf16>, %uk: tensor<1x1024x512xbf16>, %hv: tensor<1x16384x512xbf16>, %uv: tensor<1x1024x512xbf16>, %cos: tensor<16384x128xbf16>, %sin: tensor<16384x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 8 : i64, name = "dec_r512_t16k_rope"}
      : (tensor<1x32x1x128xbf16>, tensor<1x16384x512xbf16>, tensor<1x1024x512xbf16>, tensor<1x16384x512xbf16>, tensor<1x1024x512xbf16>, tensor<16384x128xbf16>, tensor<16384x128xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

func.func @dec_r1024g4_t32k_rope(%q: tensor<1x32x1x128xbf16>, %hk: tensor<1x32768x1024xbf16>, %uk: tensor<4x256x256xbf16>, %hv: tensor<1x32768x1024xbf16>, %uv: tensor<4x256x256xbf16>, %cos: tensor<32768x128xbf16>, %sin: tensor<32768x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 8 : i64, name = "dec_r1024g4_t32k_rope"}
      : (tensor<1x32x1x128xbf16>, tensor<1x32768x1024xbf16>, tensor<4x256x256xbf16>, tensor<1x32768x1024xbf16>, tensor<4x256x256xbf16>, tensor<32768x128xbf16>, tensor<32768x128xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

func.func @dec_rk1024_t8k_rope(%q: tensor<1x32x1x128xbf16>, %hk: tensor<1x8192x1024xbf16>, %uk: tensor<1x1024x1024xbf16>, %hv: tensor<1x8192x256xbf16>, %uv: tensor<1x1024x256xbf16>, %cos: tensor<8192x128xbf16>, %sin: tensor<8192x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 8 : i64, name = "dec_rk1024_t8k_rope"}
      : (tensor<1x32x1x128xbf16>, tensor<1x8192x1024xbf16>, tensor<1x1024x1024xbf16>, tensor<1x8192x256xbf16>, tensor<1x1024x256xbf16>, tensor<8192x128xbf16>, tensor<8192x128xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

func.func @dec_b4_r256_t8k_rope(%q: tensor<4x32x1x128xbf16>, %hk: tensor<4x8192x256xbf16>, %uk: tensor<1x1024x256xbf16>, %hv: tensor<4x8192x256xbf16>, %uv: tensor<1x1024x256xbf16>, %cos: tensor<8192x128xbf16>, %sin: tensor<8192x128xbf16>) -> tensor<4x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 8 : i64, name = "dec_b4_r256_t8k_rope"}
      : (tensor<4x32x1x128xbf16>, tensor<4x8192x256xbf16>, tensor<1x1024x256xbf16>, tensor<4x8192x256xbf16>, tensor<1x1024x256xbf16>, tensor<8192x128xbf16>, tensor<8192x128xbf16>) -> tensor<4x32x1x128xbf16>
  return %o : tensor<4x32x1x128xbf16>
}

func.func @dec_b4_r256_t8k(%q: tensor<4x32x1x128xbf16>, %hk: tensor<4x8192x256xbf16>, %uk: tensor<1x1024x256xbf16>, %hv: tensor<4x8192x256xbf16>, %uv: tensor<1x1024x256xbf16>) -> tensor<4x32x1x128xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 8 : i64, name = "dec_b4_r256_t8k"}
      : (tensor<4x32x1x128xbf16>, tensor<4x8192x256xbf16>, tensor<1x1024x256xbf16>, tensor<4x8192x256xbf16>, tensor<1x1024x256xbf16>) -> tensor<4x32x1x128xbf16>
  return %o : tensor<4x32x1x128xbf16>
}
