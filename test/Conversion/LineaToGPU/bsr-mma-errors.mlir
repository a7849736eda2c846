// Options and layers the tensor-core BSR kernel rejects, with the numbers.
// RUN: not linea-opt %s --linea-to-gpu='bsr-mma-tiles=16x32x16' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not linea-opt %s --linea-to-gpu='bsr-mma-tiles=16x32x16x8' 2>&1 | FileCheck %s --check-prefix=WARP
// RUN: not linea-opt %s --linea-to-gpu='bsr-mma-tiles=16x128x16x16' 2>&1 | FileCheck %s --check-prefix=BN
// RUN: not linea-opt %s --linea-to-gpu='bsr-mma-tiles=16x32x16x16x9' 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not linea-opt %s --linea-to-gpu='bsr-mma-tiles=512x64x16x16' 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not linea-opt %s --linea-to-gpu='bsr-mma-tiles=256x64x64x32x8' 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: linea-opt %s --linea-to-gpu 2>&1 -o /dev/null | FileCheck %s --check-prefix=REMARK

// SYNTAX: error: linea-to-gpu: bsr-mma-tiles entry '16x32x16' is not BMxBNxWMxWN[xSTAGES] (integers in [1, 1024])
// WARP: error: linea-to-gpu: bsr-mma-tiles 16x32x16x8s3 for layer 'b64': warp tile 16x8 must be multiples of 16x16 dividing the block tile 16x32
// BN: error: linea-to-gpu: bsr-mma-tiles 16x128x16x16s3 for layer 'b64': BN = 128 does not divide the block rows bn = 64
// STAGES: error: linea-to-gpu: bsr-mma-tiles 16x32x16x16s9 for layer 'b64': stages = 9 must be in [2, 8]
// THREADS: error: linea-to-gpu: bsr-mma-tiles 512x64x16x16s3 for layer 'b64': block tile 512x64 needs 4096 threads (at most 1024)
// SMEM: error: linea-to-gpu: bsr-mma-tiles 256x64x64x32s8 for layer 'b64': block tile 256x64 with 8 stages needs 327680 bytes of shared memory (at most 232448)
// x f32, bk = 24, bn = 8: the GEMV, and a remark why.
// REMARK-DAG: remark: linea-to-gpu: layer 'xf32' (M = 32, N = 128, K = 256) keeps the GEMV, not the tensor-core BSR kernel: x (f32) must have the values' type (bf16)
// REMARK-DAG: remark: linea-to-gpu: layer 'bk24' (M = 32, N = 128, K = 240) keeps the GEMV, not the tensor-core BSR kernel: block columns bk = 24 (needs 16, 32, 64 or 128)
// REMARK-DAG: remark: linea-to-gpu: layer 'bn8' (M = 32, N = 64, K = 256) keeps the GEMV, not the tensor-core BSR kernel: block rows bn = 8 (needs a multiple of 16)
// REMARK-NOT: error
func.func @f(%x: tensor<32x256xbf16>, %v: tensor<4x64x64xbf16>,
             %c: tensor<4xi32>, %r: tensor<3xi32>, %xf: tensor<32x256xf32>,
             %x24: tensor<32x240xbf16>, %v24: tensor<4x64x24xbf16>,
             %v8: tensor<4x8x64xbf16>, %r8: tensor<9xi32>)
    -> (tensor<32x128xbf16>, tensor<32x128xf32>, tensor<32x128xbf16>,
        tensor<32x64xbf16>) {
  %a = linea.bsr_linear %x, %v, %c, %r {name = "b64"}
      : (tensor<32x256xbf16>, tensor<4x64x64xbf16>, tensor<4xi32>,
         tensor<3xi32>) -> tensor<32x128xbf16>
  %b = linea.bsr_linear %xf, %v, %c, %r {name = "xf32"}
      : (tensor<32x256xf32>, tensor<4x64x64xbf16>, tensor<4xi32>,
         tensor<3xi32>) -> tensor<32x128xf32>
  %d = linea.bsr_linear %x24, %v24, %c, %r {name = "bk24"}
      : (tensor<32x240xbf16>, tensor<4x64x24xbf16>, tensor<4xi32>,
         tensor<3xi32>) -> tensor<32x128xbf16>
  %e = linea.bsr_linear %x, %v8, %c, %r8 {name = "bn8"}
      : (tensor<32x256xbf16>, tensor<4x8x64xbf16>, tensor<4xi32>,
         tensor<9xi32>) -> tensor<32x64xbf16>
  return %a, %b, %d, %e : tensor<32x128xbf16>, tensor<32x128xf32>,
      tensor<32x128xbf16>, tensor<32x64xbf16>
}
