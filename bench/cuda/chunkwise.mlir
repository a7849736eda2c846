// Benchmark and check shapes of the chunkwise tensor-core kernels of
// gated_linear_attention and causal linear_attention (docs/cuda.md, "Scans
// and recurrences"): T = 8192 with Dk = Dv = 64 (B·H = 32) and 128 (B·H =
// 16), and ragged T with partial chunks and sub-chunks. Generate with
// linea-to-gpu{chunkwise=0,1} (the recurrent kernel of each op beside the
// chunkwise one, suffix _cw) and run scripts/cuda-device-check.sh on the
// folder; cuda_scan_check.py times both against torch SDPA flash of the
// same heads.

func.func @gla_d64(%q: tensor<2x16x8192x64xbf16>, %k: tensor<2x16x8192x64xbf16>,
                   %v: tensor<2x16x8192x64xbf16>, %g: tensor<2x16x8192x64xf32>)
    -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g {name = "gla_T8192_d64"}
      : (tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>,
         tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xf32>)
      -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>)
  return %o, %s : tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>
}

func.func @gla_d128(%q: tensor<1x16x8192x128xbf16>, %k: tensor<1x16x8192x128xbf16>,
                    %v: tensor<1x16x8192x128xbf16>, %g: tensor<1x16x8192x128xbf16>,
                    %s0: tensor<1x16x128x128xf32>)
    -> (tensor<1x16x8192x128xbf16>, tensor<1x16x128x128xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {name = "gla_T8192_d128"}
      : (tensor<1x16x8192x128xbf16>, tensor<1x16x8192x128xbf16>,
         tensor<1x16x8192x128xbf16>, tensor<1x16x8192x128xbf16>, tensor<1x16x128x128xf32>)
      -> (tensor<1x16x8192x128xbf16>, tensor<1x16x128x128xf32>)
  return %o, %s : tensor<1x16x8192x128xbf16>, tensor<1x16x128x128xf32>
}

func.func @la_d64(%q: tensor<2x16x8192x64xbf16>, %k: tensor<2x16x8192x64xbf16>,
                  %v: tensor<2x16x8192x64xbf16>) -> tensor<2x16x8192x64xbf16> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "la_T8192_d64"}
      : (tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>)
      -> tensor<2x16x8192x64xbf16>
  return %o : tensor<2x16x8192x64xbf16>
}

func.func @la_d128(%q: tensor<1x16x8192x128xbf16>, %k: tensor<1x16x8192x128xbf16>,
                   %v: tensor<1x16x8192x128xbf16>) -> tensor<1x16x8192x128xbf16> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "la_T8192_d128"}
      : (tensor<1x16x8192x128xbf16>, tensor<1x16x8192x128xbf16>, tensor<1x16x8192x128xbf16>)
      -> tensor<1x16x8192x128xbf16>
  return %o : tensor<1x16x8192x128xbf16>
}

// Ragged T = 1000 (15 full chunks, the last one 40 tokens: 2.5 sub-chunks),
// f16 with a bf16 gate, Dk = 64, Dv = 128 (two column tiles), initial state.
func.func @gla_ragged(%q: tensor<1x16x1000x64xf16>, %k: tensor<1x16x1000x64xf16>,
                      %v: tensor<1x16x1000x128xf16>, %g: tensor<1x16x1000x64xbf16>,
                      %s0: tensor<1x16x64x128xf32>)
    -> (tensor<1x16x1000x128xf16>, tensor<1x16x64x128xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {name = "gla_T1000_f16"}
      : (tensor<1x16x1000x64xf16>, tensor<1x16x1000x64xf16>, tensor<1x16x1000x128xf16>,
         tensor<1x16x1000x64xbf16>, tensor<1x16x64x128xf32>)
      -> (tensor<1x16x1000x128xf16>, tensor<1x16x64x128xf32>)
  return %o, %s : tensor<1x16x1000x128xf16>, tensor<1x16x64x128xf32>
}

// Ragged T = 777, Dk = 128, Dv = 64, relu feature map, B·H = 16.
func.func @la_ragged(%q: tensor<2x8x777x128xbf16>, %k: tensor<2x8x777x128xbf16>,
                     %v: tensor<2x8x777x64xbf16>) -> tensor<2x8x777x64xbf16> {
  %o = linea.linear_attention %q, %k, %v feature_map relu {causal, epsilon = 1.000000e-03 : f32, name = "la_T777_relu"}
      : (tensor<2x8x777x128xbf16>, tensor<2x8x777x128xbf16>, tensor<2x8x777x64xbf16>)
      -> tensor<2x8x777x64xbf16>
  return %o : tensor<2x8x777x64xbf16>
}
