// Options and layers the int4/uint4 wgmma GEMM (QuantWgmmaKernel.cpp)
// rejects, with the numbers.
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=256x128' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=96x128x4' 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=256x128x5' 2>&1 | FileCheck %s --check-prefix=WIDE
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=128x128x16' 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=128x128x5' 2>&1 | FileCheck %s --check-prefix=LAYER
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=128x128x5 chip=sm_89' 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: linea-opt %s --linea-to-gpu='wgmma=1' 2>&1 -o /dev/null | FileCheck %s --check-prefix=REMARK
// RUN: linea-opt %s --linea-to-gpu 2>&1 | FileCheck %s --check-prefix=DEFAULT
// quant-wgmma-unverified=1 builds the refused forms for re-checking on a GPU.
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=256x128x5 quant-wgmma-unverified=1' 2>&1 | FileCheck %s --check-prefix=RECHECK-ERR
// RUN: linea-opt %s --linea-to-gpu='wgmma=1 quant-wgmma-unverified=1' | FileCheck %s --check-prefix=RECHECK
// RUN: not linea-opt %s --linea-to-gpu='quant-wgmma-tiles=96x128x4 quant-wgmma-unverified=1' 2>&1 | FileCheck %s --check-prefix=RECHECK-SIZE

// SYNTAX: error: linea-to-gpu: quant-wgmma-tiles entry '256x128' is not 128x128xSTAGES with STAGES in [3, 16] (the only tile shape verified on a GPU; quant-wgmma-unverified=1 builds others for re-checking)
// SIZE: error: linea-to-gpu: quant-wgmma-tiles entry '96x128x4' is not 128x128xSTAGES
// WIDE: error: linea-to-gpu: quant-wgmma-tiles entry '256x128x5' is not 128x128xSTAGES
// SMEM: error: linea-to-gpu: quant-wgmma-tiles entry '128x128x16' needs {{[0-9]+}} bytes of shared memory, more than 232448
// LAYER: error: linea-to-gpu: quant-wgmma-tiles cannot build layer 'k96' (M = 128, N = 64, K = 96): K = 96 is not a multiple of 64
// CHIP: error: linea-to-gpu: quant-wgmma-tiles cannot build layer 'q4' (M = 128, N = 512, K = 1024): wgmma needs chip sm_90a, got sm_89
// With wgmma=1 the layers it cannot take keep the mma.sync GEMM / decode
// kernels, with a remark why.
// REMARK: remark: linea-to-gpu: layer 'k96' (M = 128, N = 64, K = 96) keeps the mma.sync GEMM, not wgmma: K = 96 is not a multiple of 64
// REMARK: remark: linea-to-gpu: layer 'i8' (M = 128, N = 64, K = 1024) keeps the mma.sync GEMM, not wgmma: only int4 and uint4 weights
// REMARK: remark: linea-to-gpu: layer 'u4' (M = 128, N = 64, K = 1024) keeps the mma.sync GEMM, not wgmma: uint4 (zero points) is not verified on a GPU yet
// REMARK: remark: linea-to-gpu: layer 'i4ch' (M = 128, N = 64, K = 1024) keeps the mma.sync GEMM, not wgmma: per-channel and per-tensor scales are not verified on a GPU yet
// REMARK-NOT: error
// RECHECK-SIZE: error: linea-to-gpu: quant-wgmma-tiles entry '96x128x4' is not BMxBNxSTAGES with BM, BN in {64, 128, 256}
// RECHECK-ERR: error: linea-to-gpu: quant-wgmma-tiles cannot build layer 'k96'
// RECHECK-ERR-NOT: not verified
// The tile parses (the error is the K = 96 layer's); uint4 and per-channel
// layers get the wgmma kernel.
// RECHECK-DAG: gpu.func @linea_0_q4_qwg128x128x6
// RECHECK-DAG: gpu.func @linea_3_u4_qwg128x128x6
// RECHECK-DAG: gpu.func @linea_4_i4ch_qwg128x128x6
// DEFAULT-NOT: remark: {{.*}}not wgmma
// DEFAULT: gpu.func @linea_0_q4_qwg
// DEFAULT: gpu.func @linea_2_i8_qg
func.func @f(%x: tensor<128x1024xbf16>, %qw: tensor<512x512xi8>,
             %s: tensor<512x8xbf16>, %xk: tensor<128x96xbf16>,
             %qk: tensor<64x48xi8>, %sk: tensor<64x3xbf16>,
             %q8: tensor<64x1024xi8>, %s8: tensor<64x1xbf16>,
             %q4: tensor<64x512xi8>, %z4: tensor<64x8xi8>,
             %s4: tensor<64x8xbf16>)
    -> (tensor<128x512xbf16>, tensor<128x64xbf16>, tensor<128x64xbf16>,
        tensor<128x64xbf16>, tensor<128x64xbf16>) {
  %a = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "q4"}
      : (tensor<128x1024xbf16>, tensor<512x512xi8>, tensor<512x8xbf16>) -> tensor<128x512xbf16>
  %b = linea.quant_linear %xk, %qk, %sk format <int4, group 32, scale bf16>
      {name = "k96"}
      : (tensor<128x96xbf16>, tensor<64x48xi8>, tensor<64x3xbf16>) -> tensor<128x64xbf16>
  %c = linea.quant_linear %x, %q8, %s8 format <int8, scale bf16>
      {name = "i8"}
      : (tensor<128x1024xbf16>, tensor<64x1024xi8>, tensor<64x1xbf16>) -> tensor<128x64xbf16>
  %d = linea.quant_linear %x, %q4, %s4 zero_points %z4
      format <uint4, group 128, asymmetric, scale bf16> {name = "u4"}
      : (tensor<128x1024xbf16>, tensor<64x512xi8>, tensor<64x8xbf16>,
         tensor<64x8xi8>) -> tensor<128x64xbf16>
  %e = linea.quant_linear %x, %q4, %s8 format <int4, scale bf16>
      {name = "i4ch"}
      : (tensor<128x1024xbf16>, tensor<64x512xi8>, tensor<64x1xbf16>) -> tensor<128x64xbf16>
  return %a, %b, %c, %d, %e : tensor<128x512xbf16>, tensor<128x64xbf16>,
      tensor<128x64xbf16>, tensor<128x64xbf16>, tensor<128x64xbf16>
}
