// Linear-layer forms beyond int4/dense for scripts/cuda-device-check.sh
// (docs/cuda.md): weight-only int8 and fp8 e4m3 per channel, BSR 64×64 at
// 90 % sparsity (1638 of 16384 blocks stored) and low-rank r = 1024, each on
// 8192×8192 at M = 1 and M = 16 (PERF.md GPU shapes), plus small layers that
// cover groups, f16, bias, i64 indices, other block sizes and ragged M, N.
// Weights and index arrays are arguments: the device check draws fresh
// random ones (a random valid block structure for BSR) for every kernel.
func.func @forms(
    %x1: tensor<1x8192xbf16>, %x16: tensor<16x8192xbf16>,
    %q8: tensor<8192x8192xi8>, %s8: tensor<8192x1xbf16>,
    %qf: tensor<8192x8192xi8>, %sf: tensor<8192x1xbf16>,
    %bv: tensor<1638x64x64xbf16>, %bc: tensor<1638xi32>, %br: tensor<129xi32>,
    %u: tensor<8192x1024xbf16>, %v: tensor<1024x8192xbf16>,
    %xh: tensor<3x4096xf16>, %qg: tensor<1000x4096xi8>,
    %sg: tensor<1000x64xf16>, %bh: tensor<1000xf16>,
    %x5: tensor<5x512xbf16>, %qs: tensor<300x512xi8>, %ss: tensor<1x1xf32>,
    %sv: tensor<96x16x32xbf16>, %sc: tensor<96xi64>, %sr: tensor<21xi64>,
    %bb: tensor<320xbf16>,
    %lu: tensor<300x40xf16>, %lv: tensor<40x512xf16>, %lb: tensor<300xbf16>)
    -> (tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<1x8192xbf16>,
        tensor<16x8192xbf16>, tensor<1x8192xbf16>, tensor<16x8192xbf16>,
        tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<3x1000xf16>,
        tensor<3x1000xf16>, tensor<5x300xbf16>, tensor<5x320xbf16>,
        tensor<5x300xbf16>) {
  %0 = linea.quant_linear %x1, %q8, %s8 format <int8, scale bf16>
      {name = "int8_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>) -> tensor<1x8192xbf16>
  %1 = linea.quant_linear %x16, %q8, %s8 format <int8, scale bf16>
      {name = "int8_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>) -> tensor<16x8192xbf16>
  %2 = linea.quant_linear %x1, %qf, %sf format <fp8_e4m3, scale bf16>
      {name = "fp8_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>) -> tensor<1x8192xbf16>
  %3 = linea.quant_linear %x16, %qf, %sf format <fp8_e4m3, scale bf16>
      {name = "fp8_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>) -> tensor<16x8192xbf16>
  %4 = linea.bsr_linear %x1, %bv, %bc, %br {name = "bsr64_m1"}
      : (tensor<1x8192xbf16>, tensor<1638x64x64xbf16>, tensor<1638xi32>,
         tensor<129xi32>) -> tensor<1x8192xbf16>
  %5 = linea.bsr_linear %x16, %bv, %bc, %br {name = "bsr64_m16"}
      : (tensor<16x8192xbf16>, tensor<1638x64x64xbf16>, tensor<1638xi32>,
         tensor<129xi32>) -> tensor<16x8192xbf16>
  %6 = linea.lowrank_linear %x1, %u, %v {name = "lowrank1024_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x1024xbf16>, tensor<1024x8192xbf16>) -> tensor<1x8192xbf16>
  %7 = linea.lowrank_linear %x16, %u, %v {name = "lowrank1024_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x1024xbf16>, tensor<1024x8192xbf16>) -> tensor<16x8192xbf16>
  %8 = linea.quant_linear %xh, %qg, %sg bias %bh
      format <int8, group 64, scale f16> {name = "int8_g64_f16_bias"}
      : (tensor<3x4096xf16>, tensor<1000x4096xi8>, tensor<1000x64xf16>,
         tensor<1000xf16>) -> tensor<3x1000xf16>
  %9 = linea.quant_linear %xh, %qg, %sg bias %bh
      format <fp8_e4m3, group 64, scale f16> {name = "fp8_g64_f16_bias"}
      : (tensor<3x4096xf16>, tensor<1000x4096xi8>, tensor<1000x64xf16>,
         tensor<1000xf16>) -> tensor<3x1000xf16>
  %10 = linea.quant_linear %x5, %qs, %ss format <int8, tensor>
      {name = "int8_tensor_small"}
      : (tensor<5x512xbf16>, tensor<300x512xi8>, tensor<1x1xf32>) -> tensor<5x300xbf16>
  %11 = linea.bsr_linear %x5, %sv, %sc, %sr bias %bb {name = "bsr16x32_i64_bias"}
      : (tensor<5x512xbf16>, tensor<96x16x32xbf16>, tensor<96xi64>,
         tensor<21xi64>, tensor<320xbf16>) -> tensor<5x320xbf16>
  %12 = linea.lowrank_linear %x5, %lu, %lv bias %lb {name = "lowrank40_f16_bias"}
      : (tensor<5x512xbf16>, tensor<300x40xf16>, tensor<40x512xf16>,
         tensor<300xbf16>) -> tensor<5x300xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12
      : tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<1x8192xbf16>,
        tensor<16x8192xbf16>, tensor<1x8192xbf16>, tensor<16x8192xbf16>,
        tensor<1x8192xbf16>, tensor<16x8192xbf16>, tensor<3x1000xf16>,
        tensor<3x1000xf16>, tensor<5x300xbf16>, tensor<5x320xbf16>,
        tensor<5x300xbf16>
}
