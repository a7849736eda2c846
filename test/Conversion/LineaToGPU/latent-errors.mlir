// linea.latent_attention cases the CUDA path does not generate fail with a
// diagnostic naming the operand and the numbers.
// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics

func.func @prefill(%q: tensor<1x8x4x128xbf16>, %hk: tensor<1x64x256xbf16>, %uk: tensor<1x256x256xbf16>,
                   %hv: tensor<1x64x256xbf16>, %uv: tensor<1x256x256xbf16>) -> tensor<1x8x4x128xbf16> {
  // expected-error @+1 {{linea-to-gpu: latent_attention has S = 4 queries; the CUDA kernel is the decode path (S = 1)}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64}
      : (tensor<1x8x4x128xbf16>, tensor<1x64x256xbf16>, tensor<1x256x256xbf16>, tensor<1x64x256xbf16>, tensor<1x256x256xbf16>) -> tensor<1x8x4x128xbf16>
  return %o : tensor<1x8x4x128xbf16>
}

// -----

func.func @f32(%q: tensor<1x8x1x128xf32>, %hk: tensor<1x64x256xf32>, %uk: tensor<1x256x256xf32>,
               %hv: tensor<1x64x256xf32>, %uv: tensor<1x256x256xf32>) -> tensor<1x8x1x128xf32> {
  // expected-error @+1 {{linea-to-gpu: latent_attention element type must be bf16 or f16 (tensor cores), got 'f32'}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64}
      : (tensor<1x8x1x128xf32>, tensor<1x64x256xf32>, tensor<1x256x256xf32>, tensor<1x64x256xf32>, tensor<1x256x256xf32>) -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

// -----

func.func @dynamic(%q: tensor<1x8x1x128xbf16>, %hk: tensor<1x?x256xbf16>, %uk: tensor<1x256x256xbf16>,
                   %hv: tensor<1x?x256xbf16>, %uv: tensor<1x256x256xbf16>) -> tensor<1x8x1x128xbf16> {
  // expected-error @+1 {{linea-to-gpu: latent_attention k_latent must have a static shape, got 'tensor<1x?x256xbf16>'}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64}
      : (tensor<1x8x1x128xbf16>, tensor<1x?x256xbf16>, tensor<1x256x256xbf16>, tensor<1x?x256xbf16>, tensor<1x256x256xbf16>) -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

// -----

func.func @big_group(%q: tensor<1x32x1x128xbf16>, %hk: tensor<1x64x256xbf16>, %uk: tensor<1x128x256xbf16>,
                     %hv: tensor<1x64x256xbf16>, %uv: tensor<1x128x256xbf16>) -> tensor<1x32x1x128xbf16> {
  // expected-error @+1 {{linea-to-gpu: latent_attention has 32 query heads per kv head; the decode kernel takes at most 16}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 1 : i64}
      : (tensor<1x32x1x128xbf16>, tensor<1x64x256xbf16>, tensor<1x128x256xbf16>, tensor<1x64x256xbf16>, tensor<1x128x256xbf16>) -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

// -----

func.func @head_dim(%q: tensor<1x8x1x256xbf16>, %hk: tensor<1x64x256xbf16>, %uk: tensor<1x512x256xbf16>,
                    %hv: tensor<1x64x256xbf16>, %uv: tensor<1x512x256xbf16>) -> tensor<1x8x1x256xbf16> {
  // expected-error @+1 {{linea-to-gpu: latent_attention head dim D = 256 is not supported (a multiple of 16, at most 128)}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64}
      : (tensor<1x8x1x256xbf16>, tensor<1x64x256xbf16>, tensor<1x512x256xbf16>, tensor<1x64x256xbf16>, tensor<1x512x256xbf16>) -> tensor<1x8x1x256xbf16>
  return %o : tensor<1x8x1x256xbf16>
}

// -----

func.func @rank_k(%q: tensor<1x8x1x128xbf16>, %hk: tensor<1x64x200xbf16>, %uk: tensor<1x256x200xbf16>,
                  %hv: tensor<1x64x256xbf16>, %uv: tensor<1x256x256xbf16>) -> tensor<1x8x1x128xbf16> {
  // expected-error @+1 {{linea-to-gpu: latent_attention k_up rank rk = 200 is not a multiple of 16}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64}
      : (tensor<1x8x1x128xbf16>, tensor<1x64x200xbf16>, tensor<1x256x200xbf16>, tensor<1x64x256xbf16>, tensor<1x256x256xbf16>) -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

// -----

func.func @rank_v(%q: tensor<1x8x1x128xbf16>, %hk: tensor<1x64x256xbf16>, %uk: tensor<1x256x256xbf16>,
                  %hv: tensor<1x64x96xbf16>, %uv: tensor<1x256x96xbf16>) -> tensor<1x8x1x128xbf16> {
  // expected-error @+1 {{linea-to-gpu: latent_attention v_up rank rv = 96 is not a multiple of 64 in [64, 1024]}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64}
      : (tensor<1x8x1x128xbf16>, tensor<1x64x256xbf16>, tensor<1x256x256xbf16>, tensor<1x64x96xbf16>, tensor<1x256x96xbf16>) -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

// -----

func.func @smem(%q: tensor<1x8x1x128xbf16>, %hk: tensor<1x64x1024xbf16>, %uk: tensor<1x256x1024xbf16>,
                %hv: tensor<1x64x1024xbf16>, %uv: tensor<1x256x1024xbf16>) -> tensor<1x8x1x128xbf16> {
  // expected-error @+1 {{linea-to-gpu: latent_attention ranks rk = 1024, rv = 1024 need 271360 bytes of shared memory per block (at most 232448)}}
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64}
      : (tensor<1x8x1x128xbf16>, tensor<1x64x1024xbf16>, tensor<1x256x1024xbf16>, tensor<1x64x1024xbf16>, tensor<1x256x1024xbf16>) -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}
