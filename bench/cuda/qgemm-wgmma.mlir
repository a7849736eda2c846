// Layers of the int4/uint4 prefill GEMM on wgmma check (docs/cuda.md,
// "Prefill quantized GEMM on wgmma"): the PERF.md shapes (int4 g128
// weight-only, 8192×8192 at M = 2048 and 4096, 28672×8192 at M = 4096),
// uint4 g128 with zero points at 2048 × 8192², and small layers for the
// other paths: ragged M and N with uint4 zero points, f16 x and bias;
// per-channel int4 with bias at ragged M and N; group 64 with f32 scales.
// Weights are arguments (fresh random data per check); every layer gets
// one kernel per quant-wgmma-tiles value.
func.func @prefill(
    %x2k: tensor<2048x8192xbf16>, %x4k: tensor<4096x8192xbf16>,
    %q64: tensor<8192x4096xi8>, %s64: tensor<8192x64xbf16>,
    %q224: tensor<28672x4096xi8>, %s224: tensor<28672x64xbf16>,
    %z64: tensor<8192x64xi8>,
    %xh: tensor<200x1024xf16>, %qu: tensor<1000x512xi8>,
    %su: tensor<1000x8xf16>, %zu: tensor<1000x8xi8>, %bu: tensor<1000xf16>,
    %x130: tensor<130x2048xbf16>, %qc: tensor<320x1024xi8>,
    %sc: tensor<320x1xbf16>, %bc: tensor<320xbf16>,
    %x256: tensor<256x512xbf16>, %qg: tensor<192x256xi8>,
    %sg: tensor<192x8xf32>)
    -> (tensor<2048x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<4096x28672xbf16>, tensor<2048x8192xbf16>,
        tensor<200x1000xf16>, tensor<130x320xbf16>, tensor<256x192xbf16>) {
  %0 = linea.quant_linear %x2k, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m2048"}
      : (tensor<2048x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<2048x8192xbf16>
  %1 = linea.quant_linear %x4k, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<4096x8192xbf16>
  %2 = linea.quant_linear %x4k, %q224, %s224 format <int4, group 128, scale bf16>
      {name = "q28672_m4096"}
      : (tensor<4096x8192xbf16>, tensor<28672x4096xi8>, tensor<28672x64xbf16>) -> tensor<4096x28672xbf16>
  %3 = linea.quant_linear %x2k, %q64, %s64 zero_points %z64
      format <uint4, group 128, asymmetric, scale bf16> {name = "u4_m2048"}
      : (tensor<2048x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>,
         tensor<8192x64xi8>) -> tensor<2048x8192xbf16>
  %4 = linea.quant_linear %xh, %qu, %su zero_points %zu bias %bu
      format <uint4, group 128, asymmetric, scale f16> {name = "u4_ragged"}
      : (tensor<200x1024xf16>, tensor<1000x512xi8>, tensor<1000x8xf16>,
         tensor<1000x8xi8>, tensor<1000xf16>) -> tensor<200x1000xf16>
  %5 = linea.quant_linear %x130, %qc, %sc bias %bc
      format <int4, channel, scale bf16> {name = "i4_channel_ragged"}
      : (tensor<130x2048xbf16>, tensor<320x1024xi8>, tensor<320x1xbf16>,
         tensor<320xbf16>) -> tensor<130x320xbf16>
  %6 = linea.quant_linear %x256, %qg, %sg format <int4, group 64, scale f32>
      {name = "i4_g64_f32"}
      : (tensor<256x512xbf16>, tensor<192x256xi8>, tensor<192x8xf32>) -> tensor<256x192xbf16>
  return %0, %1, %2, %3, %4, %5, %6
      : tensor<2048x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<4096x28672xbf16>, tensor<2048x8192xbf16>,
        tensor<200x1000xf16>, tensor<130x320xbf16>, tensor<256x192xbf16>
}
