// f32 linea.attention on CUDA (docs/cuda.md "Attention", f32): a staging
// kernel rounds q, k, v to f16 workspaces, the tensor-core kernels read
// those and write o in f32. chk_* are correctness cases (ragged S/T, causal,
// GQA, masks, Dv != D, decode), pre_*/dec_* are also timed against torch
// SDPA on the same f32 tensors (torch has no f32 flash kernel: its default
// backend, usually the memory-efficient one).

func.func @chk_ragged_causal(%q: tensor<1x4x100x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x4x100x64xf32> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_ragged_causal"}
      : (tensor<1x4x100x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x4x100x64xf32>
  return %o : tensor<1x4x100x64xf32>
}

func.func @chk_kv_longer(%q: tensor<2x4x77x128xf32>, %k: tensor<2x4x300x128xf32>, %v: tensor<2x4x300x128xf32>) -> tensor<2x4x77x128xf32> {
  %o = linea.attention %q, %k, %v {name = "chk_kv_longer"}
      : (tensor<2x4x77x128xf32>, tensor<2x4x300x128xf32>, tensor<2x4x300x128xf32>) -> tensor<2x4x77x128xf32>
  return %o : tensor<2x4x77x128xf32>
}

func.func @chk_dv(%q: tensor<1x2x65x128xf32>, %k: tensor<1x2x65x128xf32>, %v: tensor<1x2x65x64xf32>) -> tensor<1x2x65x64xf32> {
  %o = linea.attention %q, %k, %v {causal, name = "chk_dv"}
      : (tensor<1x2x65x128xf32>, tensor<1x2x65x128xf32>, tensor<1x2x65x64xf32>) -> tensor<1x2x65x64xf32>
  return %o : tensor<1x2x65x64xf32>
}

func.func @chk_mask(%q: tensor<1x4x90x64xf32>, %k: tensor<1x4x130x64xf32>, %v: tensor<1x4x130x64xf32>, %m: tensor<1x1x90x130xf32>) -> tensor<1x4x90x64xf32> {
  %o = linea.attention %q, %k, %v mask %m {name = "chk_mask"}
      : (tensor<1x4x90x64xf32>, tensor<1x4x130x64xf32>, tensor<1x4x130x64xf32>, tensor<1x1x90x130xf32>) -> tensor<1x4x90x64xf32>
  return %o : tensor<1x4x90x64xf32>
}

func.func @chk_dec_gqa(%q: tensor<2x8x1x128xf32>, %k: tensor<2x2x333x128xf32>, %v: tensor<2x2x333x128xf32>) -> tensor<2x8x1x128xf32> {
  %o = linea.attention %q, %k, %v {name = "chk_dec_gqa"}
      : (tensor<2x8x1x128xf32>, tensor<2x2x333x128xf32>, tensor<2x2x333x128xf32>) -> tensor<2x8x1x128xf32>
  return %o : tensor<2x8x1x128xf32>
}

func.func @pre_f32_4k(%q: tensor<1x16x4096x128xf32>, %k: tensor<1x16x4096x128xf32>, %v: tensor<1x16x4096x128xf32>) -> tensor<1x16x4096x128xf32> {
  %o = linea.attention %q, %k, %v {name = "pre_f32_4k"}
      : (tensor<1x16x4096x128xf32>, tensor<1x16x4096x128xf32>, tensor<1x16x4096x128xf32>) -> tensor<1x16x4096x128xf32>
  return %o : tensor<1x16x4096x128xf32>
}

func.func @pre_f32_4k_causal(%q: tensor<1x16x4096x128xf32>, %k: tensor<1x16x4096x128xf32>, %v: tensor<1x16x4096x128xf32>) -> tensor<1x16x4096x128xf32> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_f32_4k_causal"}
      : (tensor<1x16x4096x128xf32>, tensor<1x16x4096x128xf32>, tensor<1x16x4096x128xf32>) -> tensor<1x16x4096x128xf32>
  return %o : tensor<1x16x4096x128xf32>
}

func.func @pre_f32_2k_d64(%q: tensor<4x16x2048x64xf32>, %k: tensor<4x16x2048x64xf32>, %v: tensor<4x16x2048x64xf32>) -> tensor<4x16x2048x64xf32> {
  %o = linea.attention %q, %k, %v {causal, name = "pre_f32_2k_d64"}
      : (tensor<4x16x2048x64xf32>, tensor<4x16x2048x64xf32>, tensor<4x16x2048x64xf32>) -> tensor<4x16x2048x64xf32>
  return %o : tensor<4x16x2048x64xf32>
}

func.func @dec_f32_8k_gqa(%q: tensor<4x32x1x128xf32>, %k: tensor<4x8x8192x128xf32>, %v: tensor<4x8x8192x128xf32>) -> tensor<4x32x1x128xf32> {
  %o = linea.attention %q, %k, %v {name = "dec_f32_8k_gqa"}
      : (tensor<4x32x1x128xf32>, tensor<4x8x8192x128xf32>, tensor<4x8x8192x128xf32>) -> tensor<4x32x1x128xf32>
  return %o : tensor<4x32x1x128xf32>
}

