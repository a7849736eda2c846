// Layers of the tensor-core decode check (docs/cuda.md, "Tensor-core decode
// kernels"): the PERF.md shapes (int4 g128 weight-only at M = 1 and 16,
// 8192×8192 and 28672×8192) and the dense bf16 layers they replace, at
// M = 1, 4, 8, 16, plus small layers for the other paths: per-channel int4,
// uint4 zero points with f16 and bias at M = 3, ragged N, M = 5 dense.
// Generated with linea-to-gpu{tensor-cores=0,1 …} so that each layer has
// both kernels; weights are arguments (fresh random data per check).
func.func @decode(
    %x1: tensor<1x8192xbf16>, %x4: tensor<4x8192xbf16>,
    %x8: tensor<8x8192xbf16>, %x16: tensor<16x8192xbf16>,
    %q64: tensor<8192x4096xi8>, %s64: tensor<8192x64xbf16>,
    %q224: tensor<28672x4096xi8>, %s224: tensor<28672x64xbf16>,
    %w: tensor<8192x8192xbf16>, %sc: tensor<8192x1xbf16>,
    %xh: tensor<3x4096xf16>, %qu: tensor<1000x2048xi8>,
    %su: tensor<1000x32xf16>, %zu: tensor<1000x32xi8>, %bu: tensor<1000xf16>,
    %x5: tensor<5x512xbf16>, %wd: tensor<300x512xbf16>, %bd: tensor<300xbf16>)
    -> (tensor<1x8192xbf16>, tensor<1x28672xbf16>, tensor<4x8192xbf16>,
        tensor<8x8192xbf16>, tensor<16x8192xbf16>, tensor<16x28672xbf16>,
        tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<1x8192xbf16>,
        tensor<3x1000xf16>, tensor<5x300xbf16>) {
  %0 = linea.quant_linear %x1, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<1x8192xbf16>
  %1 = linea.quant_linear %x1, %q224, %s224 format <int4, group 128, scale bf16>
      {name = "q28672_m1"}
      : (tensor<1x8192xbf16>, tensor<28672x4096xi8>, tensor<28672x64xbf16>) -> tensor<1x28672xbf16>
  %2 = linea.quant_linear %x4, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m4"}
      : (tensor<4x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<4x8192xbf16>
  %3 = linea.quant_linear %x8, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m8"}
      : (tensor<8x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<8x8192xbf16>
  %4 = linea.quant_linear %x16, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<16x8192xbf16>
  %5 = linea.quant_linear %x16, %q224, %s224 format <int4, group 128, scale bf16>
      {name = "q28672_m16"}
      : (tensor<16x8192xbf16>, tensor<28672x4096xi8>, tensor<28672x64xbf16>) -> tensor<16x28672xbf16>
  %6 = linea.linear %x1, %w {name = "dense8192_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<1x8192xbf16>
  %7 = linea.linear %x16, %w {name = "dense8192_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<16x8192xbf16>
  %8 = linea.quant_linear %x1, %q64, %sc format <int4, channel, scale bf16>
      {name = "q8192_m1_channel"}
      : (tensor<1x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x1xbf16>) -> tensor<1x8192xbf16>
  %9 = linea.quant_linear %xh, %qu, %su zero_points %zu bias %bu
      format <uint4, group 128, scale f16> {name = "u4_f16_bias"}
      : (tensor<3x4096xf16>, tensor<1000x2048xi8>, tensor<1000x32xf16>,
         tensor<1000x32xi8>, tensor<1000xf16>) -> tensor<3x1000xf16>
  %10 = linea.linear %x5, %wd bias %bd {name = "dense_small"}
      : (tensor<5x512xbf16>, tensor<300x512xbf16>, tensor<300xbf16>) -> tensor<5x300xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10
      : tensor<1x8192xbf16>, tensor<1x28672xbf16>, tensor<4x8192xbf16>,
        tensor<8x8192xbf16>, tensor<16x8192xbf16>, tensor<16x28672xbf16>,
        tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<1x8192xbf16>,
        tensor<3x1000xf16>, tensor<5x300xbf16>
}
