// ptxas accepts the tensor-core BSR kernels for sm_90a without spills, for
// the tile variants of the device check (bench/cuda/sparse-tc.mlir): bf16
// 64×64 blocks, f16 32×16 blocks with i64 indices and bias,
// bf16 16×128 blocks with bias.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{bsr-mma-tiles=16x32x16x16x6,16x64x16x16x6,16x16x16x16x8,64x32x32x16x4,64x64x32x32x4,128x64x64x32x4,128x64x32x32x4,256x64x64x32x3},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// 8 + 3 + 1 kernels (tiles with BN ≤ bn), none spilling.
// CHECK-COUNT-12: 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
func.func @f(%x: tensor<256x512xbf16>, %v: tensor<10x64x64xbf16>,
             %c: tensor<10xi32>, %r: tensor<4xi32>,
             %xh: tensor<37x512xf16>, %vh: tensor<96x32x16xf16>,
             %ch: tensor<96xi64>, %rh: tensor<11xi64>, %bh: tensor<320xf16>,
             %xw: tensor<200x1024xbf16>, %wv: tensor<40x16x128xbf16>,
             %wc: tensor<40xi32>, %wr: tensor<17xi32>, %wb: tensor<256xbf16>)
    -> (tensor<256x192xbf16>, tensor<37x320xf16>, tensor<200x256xbf16>) {
  %a = linea.bsr_linear %x, %v, %c, %r {name = "b64"}
      : (tensor<256x512xbf16>, tensor<10x64x64xbf16>, tensor<10xi32>,
         tensor<4xi32>) -> tensor<256x192xbf16>
  %b = linea.bsr_linear %xh, %vh, %ch, %rh bias %bh {name = "b32x16"}
      : (tensor<37x512xf16>, tensor<96x32x16xf16>, tensor<96xi64>,
         tensor<11xi64>, tensor<320xf16>) -> tensor<37x320xf16>
  %d = linea.bsr_linear %xw, %wv, %wc, %wr bias %wb {name = "b16x128"}
      : (tensor<200x1024xbf16>, tensor<40x16x128xbf16>, tensor<40xi32>,
         tensor<17xi32>, tensor<256xbf16>) -> tensor<200x256xbf16>
  return %a, %b, %d : tensor<256x192xbf16>, tensor<37x320xf16>, tensor<200x256xbf16>
}
