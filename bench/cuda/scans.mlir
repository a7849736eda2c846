// Benchmark and check shapes of the scan / linear-attention CUDA kernels
// (docs/cuda.md, "Scans and recurrences"): long sequences (T = 8192) at the
// sizes of Mamba / GLA / DeltaNet layers, plus small ragged shapes in every
// element type that exercise partial chunks, partial tiles and odd N, Dv.
// Generate with linea-to-gpu{scan-chunk=0,8192 rows-per-lane=4,8} (chunked
// and one-pass scans, both recurrence layouts; the full pipeline is in
// docs/cuda.md) and run scripts/cuda-device-check.sh on the folder.

// Mamba-130m-like mixer: D = 2048 channels, N = 16, every option.
func.func @ssm_mamba(%u: tensor<1x8192x2048xbf16>, %dt: tensor<1x8192x2048xbf16>,
                     %A: tensor<2048x16xf32>, %B: tensor<1x8192x16xbf16>,
                     %C: tensor<1x8192x16xbf16>, %D: tensor<2048xf32>,
                     %z: tensor<1x8192x2048xbf16>, %db: tensor<2048xf32>)
    -> (tensor<1x8192x2048xbf16>, tensor<1x2048x16xf32>) {
  %y, %h = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db
      {delta_softplus, name = "mamba_T8192"}
      : (tensor<1x8192x2048xbf16>, tensor<1x8192x2048xbf16>, tensor<2048x16xf32>,
         tensor<1x8192x16xbf16>, tensor<1x8192x16xbf16>, tensor<2048xf32>,
         tensor<1x8192x2048xbf16>, tensor<2048xf32>)
      -> (tensor<1x8192x2048xbf16>, tensor<1x2048x16xf32>)
  return %y, %h : tensor<1x8192x2048xbf16>, tensor<1x2048x16xf32>
}

// Batch 4, f16, initial state (a sequence processed in pieces).
func.func @ssm_f16(%u: tensor<4x8192x1024xf16>, %dt: tensor<4x8192x1024xf16>,
                   %A: tensor<1024x16xf32>, %B: tensor<4x8192x16xf16>,
                   %C: tensor<4x8192x16xf16>, %db: tensor<1024xf32>,
                   %h0: tensor<4x1024x16xf32>)
    -> (tensor<4x8192x1024xf16>, tensor<4x1024x16xf32>) {
  %y, %h = linea.selective_scan %u, %dt, %A, %B, %C delta_bias %db initial_state %h0
      {delta_softplus, name = "ssm_f16_T8192"}
      : (tensor<4x8192x1024xf16>, tensor<4x8192x1024xf16>, tensor<1024x16xf32>,
         tensor<4x8192x16xf16>, tensor<4x8192x16xf16>, tensor<1024xf32>,
         tensor<4x1024x16xf32>) -> (tensor<4x8192x1024xf16>, tensor<4x1024x16xf32>)
  return %y, %h : tensor<4x8192x1024xf16>, tensor<4x1024x16xf32>
}

// Small ragged f32: T = 1000 (partial last chunk), D = 200, N = 12 (no
// 16-byte rows), bf16 parameters, no softplus.
func.func @ssm_small(%u: tensor<2x1000x200xf32>, %dt: tensor<2x1000x200xf32>,
                     %A: tensor<200x12xbf16>, %B: tensor<2x1000x12xf32>,
                     %C: tensor<2x1000x12xf32>, %D: tensor<200xbf16>,
                     %z: tensor<2x1000x200xf32>, %h0: tensor<2x200x12xf32>)
    -> (tensor<2x1000x200xf32>, tensor<2x200x12xf32>) {
  %y, %h = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z initial_state %h0
      {name = "ssm_small_f32"}
      : (tensor<2x1000x200xf32>, tensor<2x1000x200xf32>, tensor<200x12xbf16>,
         tensor<2x1000x12xf32>, tensor<2x1000x12xf32>, tensor<200xbf16>,
         tensor<2x1000x200xf32>, tensor<2x200x12xf32>)
      -> (tensor<2x1000x200xf32>, tensor<2x200x12xf32>)
  return %y, %h : tensor<2x1000x200xf32>, tensor<2x200x12xf32>
}

// S5/LRU-style diagonal recurrence.
func.func @lru(%a: tensor<4x8192x1024xbf16>, %b: tensor<4x8192x1024xbf16>,
               %h0: tensor<4x1024xf32>) -> tensor<4x8192x1024xbf16> {
  %h = linea.linear_scan %a, %b initial_state %h0 {name = "lru_T8192"}
      : (tensor<4x8192x1024xbf16>, tensor<4x8192x1024xbf16>, tensor<4x1024xf32>)
      -> tensor<4x8192x1024xbf16>
  return %h : tensor<4x8192x1024xbf16>
}

func.func @lru_small(%a: tensor<3x777x100xf32>, %b: tensor<3x777x100xf32>,
                     %h0: tensor<3x100xf32>) -> tensor<3x777x100xf32> {
  %h = linea.linear_scan %a, %b initial_state %h0 {name = "lru_small_f32"}
      : (tensor<3x777x100xf32>, tensor<3x777x100xf32>, tensor<3x100xf32>)
      -> tensor<3x777x100xf32>
  return %h : tensor<3x777x100xf32>
}

// GLA, DeltaNet and linear attention: 16 heads of 64, T = 8192.
func.func @gla(%q: tensor<2x16x8192x64xbf16>, %k: tensor<2x16x8192x64xbf16>,
               %v: tensor<2x16x8192x64xbf16>, %g: tensor<2x16x8192x64xf32>)
    -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g {name = "gla_T8192"}
      : (tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>,
         tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xf32>)
      -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>)
  return %o, %s : tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>
}

func.func @gla_small(%q: tensor<1x2x100x32xf32>, %k: tensor<1x2x100x32xf32>,
                     %v: tensor<1x2x100x48xf32>, %g: tensor<1x2x100x32xbf16>,
                     %s0: tensor<1x2x32x48xf32>)
    -> (tensor<1x2x100x48xf32>, tensor<1x2x32x48xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0
      {scale = 2.500000e-01 : f32, name = "gla_small_f32"}
      : (tensor<1x2x100x32xf32>, tensor<1x2x100x32xf32>, tensor<1x2x100x48xf32>,
         tensor<1x2x100x32xbf16>, tensor<1x2x32x48xf32>)
      -> (tensor<1x2x100x48xf32>, tensor<1x2x32x48xf32>)
  return %o, %s : tensor<1x2x100x48xf32>, tensor<1x2x32x48xf32>
}

func.func @delta(%q: tensor<2x16x8192x64xbf16>, %k: tensor<2x16x8192x64xbf16>,
                 %v: tensor<2x16x8192x64xbf16>, %beta: tensor<2x16x8192xbf16>)
    -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_T8192"}
      : (tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>,
         tensor<2x16x8192x64xbf16>, tensor<2x16x8192xbf16>)
      -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>)
  return %o, %s : tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>
}

func.func @delta_small(%q: tensor<2x3x33x16xf16>, %k: tensor<2x3x33x16xf16>,
                       %v: tensor<2x3x33x20xf16>, %beta: tensor<2x3x33xf32>,
                       %s0: tensor<2x3x16x20xf32>)
    -> (tensor<2x3x33x20xf16>, tensor<2x3x16x20xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta initial_state %s0 {name = "delta_small_f16"}
      : (tensor<2x3x33x16xf16>, tensor<2x3x33x16xf16>, tensor<2x3x33x20xf16>,
         tensor<2x3x33xf32>, tensor<2x3x16x20xf32>)
      -> (tensor<2x3x33x20xf16>, tensor<2x3x16x20xf32>)
  return %o, %s : tensor<2x3x33x20xf16>, tensor<2x3x16x20xf32>
}

func.func @linattn(%q: tensor<2x16x8192x64xbf16>, %k: tensor<2x16x8192x64xbf16>,
                   %v: tensor<2x16x8192x64xbf16>) -> tensor<2x16x8192x64xbf16> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "linattn_T8192"}
      : (tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>)
      -> tensor<2x16x8192x64xbf16>
  return %o : tensor<2x16x8192x64xbf16>
}

func.func @linattn_small(%q: tensor<1x2x70x32xf32>, %k: tensor<1x2x70x32xf32>,
                         %v: tensor<1x2x70x16xf32>) -> tensor<1x2x70x16xf32> {
  %o = linea.linear_attention %q, %k, %v feature_map relu {causal, epsilon = 1.000000e-03 : f32, name = "linattn_small_f32"}
      : (tensor<1x2x70x32xf32>, tensor<1x2x70x32xf32>, tensor<1x2x70x16xf32>)
      -> tensor<1x2x70x16xf32>
  return %o : tensor<1x2x70x16xf32>
}

// Recurrences with partial tiles; with scan-chunk=64 also T-chunked with a
// partial last chunk (T = 300: the last of 44 steps; 333 for linear
// attention). Added after the measured run: not yet run on the device.
func.func @gla_ragged(%q: tensor<1x2x300x64xbf16>, %k: tensor<1x2x300x64xbf16>,
                      %v: tensor<1x2x300x32xbf16>, %g: tensor<1x2x300x64xf32>,
                      %s0: tensor<1x2x64x32xf32>)
    -> (tensor<1x2x300x32xbf16>, tensor<1x2x64x32xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {name = "gla_ragged_bf16"}
      : (tensor<1x2x300x64xbf16>, tensor<1x2x300x64xbf16>, tensor<1x2x300x32xbf16>,
         tensor<1x2x300x64xf32>, tensor<1x2x64x32xf32>)
      -> (tensor<1x2x300x32xbf16>, tensor<1x2x64x32xf32>)
  return %o, %s : tensor<1x2x300x32xbf16>, tensor<1x2x64x32xf32>
}

func.func @linattn_ragged(%q: tensor<2x1x333x32xf16>, %k: tensor<2x1x333x32xf16>,
                          %v: tensor<2x1x333x24xf16>) -> tensor<2x1x333x24xf16> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "linattn_ragged_f16"}
      : (tensor<2x1x333x32xf16>, tensor<2x1x333x32xf16>, tensor<2x1x333x24xf16>)
      -> tensor<2x1x333x24xf16>
  return %o : tensor<2x1x333x24xf16>
}
