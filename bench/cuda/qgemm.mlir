// Layers of the prefill quantized GEMM check (docs/cuda.md, "Prefill
// quantized GEMM"): the PERF.md shapes (int4 g128 weight-only, 8192×8192
// and 28672×8192 at M = 2048 and 4096) plus small layers for the other
// paths: ragged M and N with uint4 zero points, f16 x and bias; per-channel
// int4; M = 64 (the default threshold); int8 and fp8 e4m3 per channel at
// M = 4096 × 8192×8192 (fp8 also against torch._scaled_mm) and with group
// 128 at ragged M. Weights are arguments (fresh random
// data per check); every layer gets one kernel per quant-gemm-tiles value.
func.func @prefill(
    %x2k: tensor<2048x8192xbf16>, %x4k: tensor<4096x8192xbf16>,
    %q64: tensor<8192x4096xi8>, %s64: tensor<8192x64xbf16>,
    %q224: tensor<28672x4096xi8>, %s224: tensor<28672x64xbf16>,
    %xh: tensor<200x1024xf16>, %qu: tensor<1000x512xi8>,
    %su: tensor<1000x8xf16>, %zu: tensor<1000x8xi8>, %bu: tensor<1000xf16>,
    %x64: tensor<64x2048xbf16>, %qc: tensor<384x1024xi8>,
    %sc: tensor<384x1xbf16>, %bc: tensor<384xbf16>,
    %q8: tensor<8192x8192xi8>, %s8: tensor<8192x1xbf16>,
    %x100: tensor<100x1024xf16>, %q8g: tensor<320x1024xi8>,
    %s8g: tensor<320x8xf16>, %x130: tensor<130x1024xbf16>,
    %s8b: tensor<320x8xbf16>)
    -> (tensor<2048x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<2048x28672xbf16>, tensor<4096x28672xbf16>,
        tensor<200x1000xf16>, tensor<64x384xbf16>,
        tensor<4096x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<100x320xf16>, tensor<130x320xbf16>) {
  %0 = linea.quant_linear %x2k, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m2048"}
      : (tensor<2048x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<2048x8192xbf16>
  %1 = linea.quant_linear %x4k, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<4096x8192xbf16>
  %2 = linea.quant_linear %x2k, %q224, %s224 format <int4, group 128, scale bf16>
      {name = "q28672_m2048"}
      : (tensor<2048x8192xbf16>, tensor<28672x4096xi8>, tensor<28672x64xbf16>) -> tensor<2048x28672xbf16>
  %3 = linea.quant_linear %x4k, %q224, %s224 format <int4, group 128, scale bf16>
      {name = "q28672_m4096"}
      : (tensor<4096x8192xbf16>, tensor<28672x4096xi8>, tensor<28672x64xbf16>) -> tensor<4096x28672xbf16>
  %4 = linea.quant_linear %xh, %qu, %su zero_points %zu bias %bu
      format <uint4, group 128, asymmetric, scale f16> {name = "u4_ragged"}
      : (tensor<200x1024xf16>, tensor<1000x512xi8>, tensor<1000x8xf16>,
         tensor<1000x8xi8>, tensor<1000xf16>) -> tensor<200x1000xf16>
  %5 = linea.quant_linear %x64, %qc, %sc bias %bc
      format <int4, channel, scale bf16> {name = "i4_channel"}
      : (tensor<64x2048xbf16>, tensor<384x1024xi8>, tensor<384x1xbf16>,
         tensor<384xbf16>) -> tensor<64x384xbf16>
  %6 = linea.quant_linear %x4k, %q8, %s8 format <int8, scale bf16>
      {name = "int8_m4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>) -> tensor<4096x8192xbf16>
  %7 = linea.quant_linear %x4k, %q8, %s8 format <fp8_e4m3, scale bf16>
      {name = "fp8_m4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>) -> tensor<4096x8192xbf16>
  %8 = linea.quant_linear %x100, %q8g, %s8g format <int8, group 128, scale f16>
      {name = "int8_g128_ragged"}
      : (tensor<100x1024xf16>, tensor<320x1024xi8>, tensor<320x8xf16>) -> tensor<100x320xf16>
  %9 = linea.quant_linear %x130, %q8g, %s8b format <fp8_e4m3, group 128, scale bf16>
      {name = "fp8_g128_ragged"}
      : (tensor<130x1024xbf16>, tensor<320x1024xi8>, tensor<320x8xbf16>) -> tensor<130x320xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9
      : tensor<2048x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<2048x28672xbf16>, tensor<4096x28672xbf16>,
        tensor<200x1000xf16>, tensor<64x384xbf16>,
        tensor<4096x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<100x320xf16>, tensor<130x320xbf16>
}
