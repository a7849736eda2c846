// ptxas accepts the int8 / fp8 / BSR / low-rank kernels for sm_90a without
// spills, at M = 1 and 16.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{rows-per-warp=2,4 unroll=1,2},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// int8 and fp8 at M = 1 and 16: 4 layers × 2 rows × 2 unroll = 16 kernels;
// (rows-per-warp 1 with unroll 2 spills 52 bytes for fp8 at M = 16: its
// 128 accumulators leave too few registers; the device check times it.)
// BSR (no unroll) at M = 1 and 16: 4; low-rank: 2 × 4 variants × 2 phases.
// CHECK-COUNT-36: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
func.func @forms(%x1: tensor<1x4096xbf16>, %x16: tensor<16x4096xbf16>,
                 %q: tensor<512x4096xi8>, %s: tensor<512x1xbf16>,
                 %v: tensor<200x64x64xbf16>, %c: tensor<200xi32>,
                 %r: tensor<9xi32>, %u: tensor<512x256xbf16>,
                 %w: tensor<256x4096xbf16>)
    -> (tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<1x512xbf16>,
        tensor<16x512xbf16>, tensor<1x512xbf16>, tensor<16x512xbf16>,
        tensor<1x512xbf16>, tensor<16x512xbf16>) {
  %0 = linea.quant_linear %x1, %q, %s format <int8, scale bf16>
      : (tensor<1x4096xbf16>, tensor<512x4096xi8>, tensor<512x1xbf16>) -> tensor<1x512xbf16>
  %1 = linea.quant_linear %x16, %q, %s format <int8, scale bf16>
      : (tensor<16x4096xbf16>, tensor<512x4096xi8>, tensor<512x1xbf16>) -> tensor<16x512xbf16>
  %2 = linea.quant_linear %x1, %q, %s format <fp8_e4m3, scale bf16>
      : (tensor<1x4096xbf16>, tensor<512x4096xi8>, tensor<512x1xbf16>) -> tensor<1x512xbf16>
  %3 = linea.quant_linear %x16, %q, %s format <fp8_e4m3, scale bf16>
      : (tensor<16x4096xbf16>, tensor<512x4096xi8>, tensor<512x1xbf16>) -> tensor<16x512xbf16>
  %4 = linea.bsr_linear %x1, %v, %c, %r
      : (tensor<1x4096xbf16>, tensor<200x64x64xbf16>, tensor<200xi32>, tensor<9xi32>) -> tensor<1x512xbf16>
  %5 = linea.bsr_linear %x16, %v, %c, %r
      : (tensor<16x4096xbf16>, tensor<200x64x64xbf16>, tensor<200xi32>, tensor<9xi32>) -> tensor<16x512xbf16>
  %6 = linea.lowrank_linear %x1, %u, %w
      : (tensor<1x4096xbf16>, tensor<512x256xbf16>, tensor<256x4096xbf16>) -> tensor<1x512xbf16>
  %7 = linea.lowrank_linear %x16, %u, %w
      : (tensor<16x4096xbf16>, tensor<512x256xbf16>, tensor<256x4096xbf16>) -> tensor<16x512xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7
      : tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<1x512xbf16>,
        tensor<16x512xbf16>, tensor<1x512xbf16>, tensor<16x512xbf16>,
        tensor<1x512xbf16>, tensor<16x512xbf16>
}
