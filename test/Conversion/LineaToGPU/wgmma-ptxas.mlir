// ptxas accepts the wgmma GEMM for sm_90a: no spills, and no wgmma
// serialization (ptxas warns "wgmma.mma_async instructions are serialized"
// when the accumulators are touched while an MMA is in flight).
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{wgmma=1 wgmma-tiles=128x256x4,128x128x4,64x256x3,256x128x3},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// CHECK-NOT: serialized
// CHECK-COUNT-8: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
// CHECK-NOT: serialized
func.func @layers(%x: tensor<4096x4096xbf16>, %w: tensor<4096x4096xbf16>,
                  %xh: tensor<300x1000xf16>, %wh: tensor<520x1000xf16>,
                  %bh: tensor<520xf16>)
    -> (tensor<4096x4096xbf16>, tensor<300x520xf16>) {
  %0 = linea.linear %x, %w : (tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<4096x4096xbf16>
  %1 = linea.linear %xh, %wh bias %bh : (tensor<300x1000xf16>, tensor<520x1000xf16>, tensor<520xf16>) -> tensor<300x520xf16>
  return %0, %1 : tensor<4096x4096xbf16>, tensor<300x520xf16>
}
