// Layers of scripts/cuda-device-check.sh (docs/cuda.md): the PERF.md GPU
// shapes (int4 g128 weight-only, M = 1 and 16, 8192×8192 and 28672×8192)
// next to the dense bf16 layer they replace, plus small layers that cover
// uint4 zero points, f16, bias, an M that is not a multiple of 16 and an N
// that is not a multiple of the rows a block owns. Weights are arguments:
// the device check draws fresh random ones for every kernel.
func.func @decode(
    %x1: tensor<1x8192xbf16>, %x16: tensor<16x8192xbf16>,
    %q64: tensor<8192x4096xi8>, %s64: tensor<8192x64xbf16>,
    %q224: tensor<28672x4096xi8>, %s224: tensor<28672x64xbf16>,
    %w: tensor<8192x8192xbf16>,
    %xh: tensor<3x4096xf16>, %qu: tensor<1000x2048xi8>,
    %su: tensor<1000x32xf16>, %zu: tensor<1000x32xi8>, %bu: tensor<1000xf16>,
    %x5: tensor<5x512xbf16>, %wd: tensor<300x512xbf16>, %bd: tensor<300xbf16>)
    -> (tensor<1x8192xbf16>, tensor<1x28672xbf16>, tensor<16x8192xbf16>,
        tensor<16x28672xbf16>, tensor<1x8192xbf16>, tensor<16x8192xbf16>,
        tensor<3x1000xf16>, tensor<5x300xbf16>) {
  %0 = linea.quant_linear %x1, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<1x8192xbf16>
  %1 = linea.quant_linear %x1, %q224, %s224 format <int4, group 128, scale bf16>
      {name = "q28672_m1"}
      : (tensor<1x8192xbf16>, tensor<28672x4096xi8>, tensor<28672x64xbf16>) -> tensor<1x28672xbf16>
  %2 = linea.quant_linear %x16, %q64, %s64 format <int4, group 128, scale bf16>
      {name = "q8192_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x64xbf16>) -> tensor<16x8192xbf16>
  %3 = linea.quant_linear %x16, %q224, %s224 format <int4, group 128, scale bf16>
      {name = "q28672_m16"}
      : (tensor<16x8192xbf16>, tensor<28672x4096xi8>, tensor<28672x64xbf16>) -> tensor<16x28672xbf16>
  %4 = linea.linear %x1, %w {name = "dense8192_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<1x8192xbf16>
  %5 = linea.linear %x16, %w {name = "dense8192_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<16x8192xbf16>
  %6 = linea.quant_linear %xh, %qu, %su zero_points %zu bias %bu
      format <uint4, group 128, scale f16> {name = "u4_f16_bias"}
      : (tensor<3x4096xf16>, tensor<1000x2048xi8>, tensor<1000x32xf16>,
         tensor<1000x32xi8>, tensor<1000xf16>) -> tensor<3x1000xf16>
  %7 = linea.linear %x5, %wd bias %bd {name = "dense_small"}
      : (tensor<5x512xbf16>, tensor<300x512xbf16>, tensor<300xbf16>) -> tensor<5x300xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7
      : tensor<1x8192xbf16>, tensor<1x28672xbf16>, tensor<16x8192xbf16>,
        tensor<16x28672xbf16>, tensor<1x8192xbf16>, tensor<16x8192xbf16>,
        tensor<3x1000xf16>, tensor<5x300xbf16>
}
