// W8A8 quant_linear layers (W8A8Kernels.cpp, docs/cuda.md "W8A8 (int8 and
// fp8 activations)"), checked and timed by scripts/cuda_w8a8_check.py
// against torch._scaled_mm (fp8), torch._int_mm (int8) and cuBLAS bf16 of
// the dense weight. Bench shapes are PERF.md's: fp8 e4m3 per token M =
// 4096 / 8192 × 8192², fp8 per tensor M = 4096, int8 M = 1 / 16 / 4096 at
// 8192². Correctness shapes: ragged M, N and K (not tile multiples, K = 48
// below one 128-wide stage), f16 and f32 activations, bias, per-tensor and
// group weight scales (the group layer takes the GEMV with a remark).
// Weights are arguments: the check draws fresh random ones.
func.func @w8a8(
    %x4k: tensor<4096x8192xbf16>, %x8k: tensor<8192x8192xbf16>,
    %x1: tensor<1x8192xbf16>, %x16: tensor<16x8192xbf16>,
    %w: tensor<8192x8192xi8>, %s: tensor<8192x1xf32>, %st: tensor<1x1xf32>,
    %a: tensor<f32>,
    %xr: tensor<100x272xf16>, %wr: tensor<200x272xi8>, %sr: tensor<200x1xf16>,
    %br: tensor<200xf16>,
    %xo: tensor<77x48xbf16>, %wo: tensor<130x48xi8>, %so: tensor<130x1xbf16>,
    %xf: tensor<65x160xf32>, %wf: tensor<96x160xi8>, %sf: tensor<96x1xf32>,
    %bf: tensor<96xf32>, %sft: tensor<1x1xf32>,
    %xd: tensor<3x272xf16>, %xg: tensor<80x256xbf16>, %wg: tensor<64x256xi8>,
    %sg: tensor<64x4xf32>)
    -> (tensor<100x200xf16>, tensor<77x130xbf16>, tensor<65x96xf32>,
        tensor<65x96xf32>, tensor<3x200xf16>, tensor<80x64xbf16>,
        tensor<4096x8192xbf16>, tensor<8192x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<4096x8192xbf16>) {
  %r = linea.quant_linear %xr, %wr, %sr bias %br format <int8, channel, scale f16, act dynamic_int8_per_token> {name = "ragged_i8_bias_f16"}
      : (tensor<100x272xf16>, tensor<200x272xi8>, tensor<200x1xf16>, tensor<200xf16>) -> tensor<100x200xf16>
  %o = linea.quant_linear %xo, %wo, %so format <fp8_e4m3, channel, scale bf16, act fp8_per_token> {name = "ragged_f8_k48"}
      : (tensor<77x48xbf16>, tensor<130x48xi8>, tensor<130x1xbf16>) -> tensor<77x130xbf16>
  %f = linea.quant_linear %xf, %wf, %sf bias %bf format <int8, channel, act dynamic_int8_per_token> {name = "f32_i8_bias"}
      : (tensor<65x160xf32>, tensor<96x160xi8>, tensor<96x1xf32>, tensor<96xf32>) -> tensor<65x96xf32>
  %ft = linea.quant_linear %xf, %wf, %sft act_scale %a bias %bf format <fp8_e4m3, tensor, act fp8_per_tensor> {name = "f32_f8_tensor"}
      : (tensor<65x160xf32>, tensor<96x160xi8>, tensor<1x1xf32>, tensor<f32>, tensor<96xf32>) -> tensor<65x96xf32>
  %d = linea.quant_linear %xd, %wr, %sr format <int8, channel, scale f16, act dynamic_int8_per_token> {name = "decode_i8_m3"}
      : (tensor<3x272xf16>, tensor<200x272xi8>, tensor<200x1xf16>) -> tensor<3x200xf16>
  %g = linea.quant_linear %xg, %wg, %sg format <int8, group 64, act dynamic_int8_per_token> {name = "group64_i8"}
      : (tensor<80x256xbf16>, tensor<64x256xi8>, tensor<64x4xf32>) -> tensor<80x64xbf16>
  %p0 = linea.quant_linear %x4k, %w, %s format <fp8_e4m3, channel, act fp8_per_token> {name = "fp8_tok_4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xf32>) -> tensor<4096x8192xbf16>
  %p1 = linea.quant_linear %x8k, %w, %s format <fp8_e4m3, channel, act fp8_per_token> {name = "fp8_tok_8192"}
      : (tensor<8192x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xf32>) -> tensor<8192x8192xbf16>
  %p2 = linea.quant_linear %x4k, %w, %st act_scale %a format <fp8_e4m3, tensor, act fp8_per_tensor> {name = "fp8_tensor_4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x8192xi8>, tensor<1x1xf32>, tensor<f32>) -> tensor<4096x8192xbf16>
  %i0 = linea.quant_linear %x1, %w, %s format <int8, channel, act dynamic_int8_per_token> {name = "int8_1"}
      : (tensor<1x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xf32>) -> tensor<1x8192xbf16>
  %i1 = linea.quant_linear %x16, %w, %s format <int8, channel, act dynamic_int8_per_token> {name = "int8_16"}
      : (tensor<16x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xf32>) -> tensor<16x8192xbf16>
  %i2 = linea.quant_linear %x4k, %w, %s format <int8, channel, act dynamic_int8_per_token> {name = "int8_4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xf32>) -> tensor<4096x8192xbf16>
  return %r, %o, %f, %ft, %d, %g, %p0, %p1, %p2, %i0, %i1, %i2
      : tensor<100x200xf16>, tensor<77x130xbf16>, tensor<65x96xf32>,
        tensor<65x96xf32>, tensor<3x200xf16>, tensor<80x64xbf16>,
        tensor<4096x8192xbf16>, tensor<8192x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<4096x8192xbf16>
}
