// Sparse layers on tensor cores (docs/cuda.md, "Sparse layers on tensor
// cores") for scripts/cuda-device-check.sh: BSR 64×64 at 90 % sparsity
// (1638 of 16384 blocks stored) on 8192×8192 at M = 16, 2048 and 4096 (the
// PERF.md shapes), and small ragged layers covering f16, i64 indices, bias,
// bn ∈ {16, 32}, bk ∈ {16, 128} and M not a multiple of the
// tile. Weights and index arrays are arguments: the device check draws a
// fresh random valid block structure for every kernel.
func.func @bsr(
    %x16: tensor<16x8192xbf16>, %x2k: tensor<2048x8192xbf16>,
    %x4k: tensor<4096x8192xbf16>,
    %bv: tensor<1638x64x64xbf16>, %bc: tensor<1638xi32>, %br: tensor<129xi32>,
    %xh: tensor<37x512xf16>, %sv: tensor<96x32x16xf16>, %sc: tensor<96xi64>,
    %sr: tensor<11xi64>, %sb: tensor<320xf16>,
    %xw: tensor<200x1024xbf16>, %wv: tensor<40x16x128xbf16>,
    %wc: tensor<40xi32>, %wr: tensor<17xi32>, %wb: tensor<256xbf16>)
    -> (tensor<16x8192xbf16>, tensor<2048x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<37x320xf16>, tensor<200x256xbf16>) {
  %0 = linea.bsr_linear %x16, %bv, %bc, %br {name = "bsr64_m16"}
      : (tensor<16x8192xbf16>, tensor<1638x64x64xbf16>, tensor<1638xi32>,
         tensor<129xi32>) -> tensor<16x8192xbf16>
  %1 = linea.bsr_linear %x2k, %bv, %bc, %br {name = "bsr64_m2048"}
      : (tensor<2048x8192xbf16>, tensor<1638x64x64xbf16>, tensor<1638xi32>,
         tensor<129xi32>) -> tensor<2048x8192xbf16>
  %2 = linea.bsr_linear %x4k, %bv, %bc, %br {name = "bsr64_m4096"}
      : (tensor<4096x8192xbf16>, tensor<1638x64x64xbf16>, tensor<1638xi32>,
         tensor<129xi32>) -> tensor<4096x8192xbf16>
  %3 = linea.bsr_linear %xh, %sv, %sc, %sr bias %sb {name = "bsr32x16_f16_i64_m37"}
      : (tensor<37x512xf16>, tensor<96x32x16xf16>, tensor<96xi64>,
         tensor<11xi64>, tensor<320xf16>) -> tensor<37x320xf16>
  %4 = linea.bsr_linear %xw, %wv, %wc, %wr bias %wb {name = "bsr16x128_m200"}
      : (tensor<200x1024xbf16>, tensor<40x16x128xbf16>, tensor<40xi32>,
         tensor<17xi32>, tensor<256xbf16>) -> tensor<200x256xbf16>
  return %0, %1, %2, %3, %4 : tensor<16x8192xbf16>, tensor<2048x8192xbf16>,
      tensor<4096x8192xbf16>, tensor<37x320xf16>, tensor<200x256xbf16>
}

// 2:4 (nm_linear) on the sparse tensor cores (nm-mma-tiles): 8192×8192 at
// M = 16, 2048 and 4096 (PERF.md: M ≥ 2048 against dense cuBLAS and
// cuSPARSELt), and a ragged f16 layer with bias (M = 37,
// N = 200: neither a multiple of the tile).
func.func @nm24(
    %x16: tensor<16x8192xbf16>, %x2k: tensor<2048x8192xbf16>,
    %x4k: tensor<4096x8192xbf16>,
    %v: tensor<8192x4096xbf16>, %i: tensor<8192x4096xi8>,
    %xh: tensor<37x512xf16>, %vh: tensor<200x256xf16>, %ih: tensor<200x256xi8>,
    %bh: tensor<200xf16>)
    -> (tensor<16x8192xbf16>, tensor<2048x8192xbf16>, tensor<4096x8192xbf16>,
        tensor<37x200xf16>) {
  %0 = linea.nm_linear 2:4 %x16, %v, %i {name = "nm24_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x4096xbf16>, tensor<8192x4096xi8>) -> tensor<16x8192xbf16>
  %1 = linea.nm_linear 2:4 %x2k, %v, %i {name = "nm24_m2048"}
      : (tensor<2048x8192xbf16>, tensor<8192x4096xbf16>, tensor<8192x4096xi8>) -> tensor<2048x8192xbf16>
  %2 = linea.nm_linear 2:4 %x4k, %v, %i {name = "nm24_m4096"}
      : (tensor<4096x8192xbf16>, tensor<8192x4096xbf16>, tensor<8192x4096xi8>) -> tensor<4096x8192xbf16>
  %3 = linea.nm_linear 2:4 %xh, %vh, %ih bias %bh {name = "nm24_f16_m37"}
      : (tensor<37x512xf16>, tensor<200x256xf16>, tensor<200x256xi8>,
         tensor<200xf16>) -> tensor<37x200xf16>
  return %0, %1, %2, %3 : tensor<16x8192xbf16>, tensor<2048x8192xbf16>,
      tensor<4096x8192xbf16>, tensor<37x200xf16>
}
