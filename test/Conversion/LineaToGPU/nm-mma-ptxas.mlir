// ptxas accepts the 2:4 sparse tensor-core kernels for sm_90a without
// spills, for the tile variants of the device check
// (bench/cuda/sparse-tc.mlir): bf16, and f16 with bias.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{nm-mma-tiles=16x32x16x16x6,16x64x16x16x6,64x128x32x32x4,128x128x64x32x4,128x128x32x64x4,128x256x64x64x3},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// 2 layers × 6 tiles, none spilling.
// CHECK-COUNT-12: 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
func.func @f(%x: tensor<256x1024xbf16>, %v: tensor<512x512xbf16>,
             %i: tensor<512x512xi8>, %xh: tensor<37x512xf16>,
             %vh: tensor<200x256xf16>, %ih: tensor<200x256xi8>,
             %bh: tensor<200xf16>)
    -> (tensor<256x512xbf16>, tensor<37x200xf16>) {
  %a = linea.nm_linear 2:4 %x, %v, %i {name = "bf16"}
      : (tensor<256x1024xbf16>, tensor<512x512xbf16>, tensor<512x512xi8>) -> tensor<256x512xbf16>
  %b = linea.nm_linear 2:4 %xh, %vh, %ih bias %bh {name = "f16"}
      : (tensor<37x512xf16>, tensor<200x256xf16>, tensor<200x256xi8>,
         tensor<200xf16>) -> tensor<37x200xf16>
  return %a, %b : tensor<256x512xbf16>, tensor<37x200xf16>
}
