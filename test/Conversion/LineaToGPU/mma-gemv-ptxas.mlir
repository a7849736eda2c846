// ptxas accepts the tensor-core decode kernels for sm_90a without spills,
// for the PERF.md shapes' variants (int4 g128 at M = 1 and 16, dense bf16).
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{tensor-cores=1 rows-per-warp=1,2 unroll=2,4},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// RUN: rm -rf %t.p && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{tensor-cores=1 rows-per-warp=1,2 unroll=2 prefetch=1 split-k=4,8},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t.p ptxas=none})' -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.p/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PREFETCH

// Twelve kernels (3 layers × 2 row tiles × 2 unroll), none spilling.
// CHECK-COUNT-12: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
// The prefetching kernels (unroll 2, 4 or 8 warps) hold two steps of loads in
// registers besides the accumulators, still without spilling.
// PREFETCH-COUNT-12: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PREFETCH-NOT: bytes spill stores
func.func @layers(%x1: tensor<1x4096xbf16>, %x16: tensor<16x4096xbf16>,
                  %qw: tensor<512x2048xi8>, %s: tensor<512x32xbf16>,
                  %w: tensor<256x4096xbf16>)
    -> (tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<16x256xbf16>) {
  %a = linea.quant_linear %x1, %qw, %s format <int4, group 128, scale bf16>
      : (tensor<1x4096xbf16>, tensor<512x2048xi8>, tensor<512x32xbf16>) -> tensor<1x512xbf16>
  %b = linea.quant_linear %x16, %qw, %s format <int4, group 128, scale bf16>
      : (tensor<16x4096xbf16>, tensor<512x2048xi8>, tensor<512x32xbf16>) -> tensor<16x512xbf16>
  %c = linea.linear %x16, %w
      : (tensor<16x4096xbf16>, tensor<256x4096xbf16>) -> tensor<16x256xbf16>
  return %a, %b, %c : tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<16x256xbf16>
}
