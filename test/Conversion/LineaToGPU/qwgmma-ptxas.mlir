// ptxas accepts the int4/uint4 wgmma GEMM for sm_90a: no spills, and no
// wgmma serialization (ptxas warns "wgmma.mma_async instructions are
// serialized" when it cannot keep the register A operands or accumulators
// live across the asynchronous MMAs), for the tiles of the device check.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{quant-wgmma-tiles=128x128x4,128x128x6},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// Four kernels (2 layers × 2 tiles), none spilling or serialized.
// CHECK-NOT: serialized
// CHECK-COUNT-4: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
// CHECK-NOT: serialized
func.func @layers(%x: tensor<256x4096xbf16>, %qw: tensor<512x2048xi8>,
                  %s: tensor<512x32xbf16>, %xh: tensor<200x1024xf16>,
                  %qh: tensor<300x512xi8>, %sh: tensor<300x8xf16>,
                  %bh: tensor<300xf16>)
    -> (tensor<256x512xbf16>, tensor<200x300xf16>) {
  %a = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      : (tensor<256x4096xbf16>, tensor<512x2048xi8>, tensor<512x32xbf16>) -> tensor<256x512xbf16>
  %b = linea.quant_linear %xh, %qh, %sh bias %bh
      format <int4, group 128, scale f16>
      : (tensor<200x1024xf16>, tensor<300x512xi8>, tensor<300x8xf16>,
         tensor<300xf16>) -> tensor<200x300xf16>
  return %a, %b : tensor<256x512xbf16>, tensor<200x300xf16>
}
