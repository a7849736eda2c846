// Options and layers the prefill quantized GEMM rejects, with the numbers.
// RUN: not linea-opt %s --linea-to-gpu='quant-gemm-tiles=128x128x64' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not linea-opt %s --linea-to-gpu='quant-gemm-tiles=4611686018427387904x128x64x32' 2>&1 | FileCheck %s --check-prefix=HUGE
// RUN: not linea-opt %s --linea-to-gpu='quant-gemm-tiles=128x128x48x32' 2>&1 | FileCheck %s --check-prefix=WARP
// RUN: not linea-opt %s --linea-to-gpu='quant-gemm-tiles=256x256x64x32x4' 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not linea-opt %s --linea-to-gpu='quant-gemm-tiles=128x128x64x32x9' 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not linea-opt %s --linea-to-gpu='quant-gemm-tiles=32x8x16x8' 2>&1 | FileCheck %s --check-prefix=SPLIT
// RUN: linea-opt %s --linea-to-gpu 2>&1 -o /dev/null | FileCheck %s --check-prefix=REMARK

// SYNTAX: error: linea-to-gpu: quant-gemm-tiles entry '128x128x64' is not BMxBNxWMxWN[xSTAGES] (integers in [1, 1024])
// HUGE: error: linea-to-gpu: quant-gemm-tiles entry '4611686018427387904x128x64x32' is not BMxBNxWMxWN[xSTAGES] (integers in [1, 1024])
// WARP: error: linea-to-gpu: quant-gemm-tiles 128x128x48x32s3 for layer 'q4': warp tile 48x32 must be multiples of 16x8 dividing the block tile 128x128
// SMEM: error: linea-to-gpu: quant-gemm-tiles 256x256x64x32s4 for layer 'q4': block tile 256x256 with 4 stages needs 327680 bytes of shared memory (at most 232448)
// STAGES: error: linea-to-gpu: quant-gemm-tiles 128x128x64x32s9 for layer 'q4': stages = 9 must be in [2, 8]
// SPLIT: error: linea-to-gpu: quant-gemm-tiles 32x8x16x8s3 for layer 'q4': block tile 32x8 with 64 threads: the tile's 16-byte chunks must split evenly over the threads (at most 1024)
// K = 96 (int4, group 32): the decode kernels, and a remark why.
// REMARK: remark: linea-to-gpu: layer 'k96' (M = 128, N = 64, K = 96) keeps the decode kernels, not the prefill GEMM: K = 96 is not a multiple of 128
// REMARK-NOT: error
func.func @f(%x: tensor<128x1024xbf16>, %qw: tensor<512x512xi8>,
             %s: tensor<512x8xbf16>, %xk: tensor<128x96xbf16>,
             %qk: tensor<64x48xi8>, %sk: tensor<64x3xbf16>)
    -> (tensor<128x512xbf16>, tensor<128x64xbf16>) {
  %a = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "q4"}
      : (tensor<128x1024xbf16>, tensor<512x512xi8>, tensor<512x8xbf16>) -> tensor<128x512xbf16>
  %b = linea.quant_linear %xk, %qk, %sk format <int4, group 32, scale bf16>
      {name = "k96"}
      : (tensor<128x96xbf16>, tensor<64x48xi8>, tensor<64x3xbf16>) -> tensor<128x64xbf16>
  return %a, %b : tensor<128x512xbf16>, tensor<128x64xbf16>
}
