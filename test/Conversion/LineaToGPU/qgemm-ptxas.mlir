// ptxas accepts the prefill quantized GEMM for sm_90a without spills, for
// the tile variants of the device check (int4 g128 bf16, uint4 f16, int8 g128 with f16 scales, fp8 per channel).
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{quant-gemm-min-rows=64 quant-gemm-tiles=128x128x64x32,128x128x64x32x4,64x128x32x32x4,64x128x32x32},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// Sixteen kernels (4 layers × 4 tiles), none spilling.
// CHECK-COUNT-16: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
func.func @layers(%x: tensor<256x4096xbf16>, %qw: tensor<512x2048xi8>,
                  %s: tensor<512x32xbf16>, %xh: tensor<100x1024xf16>,
                  %qu: tensor<300x512xi8>, %su: tensor<300x8xf16>,
                  %zu: tensor<300x8xi8>, %q8: tensor<512x4096xi8>,
                  %s8: tensor<512x32xf16>, %s8c: tensor<512x1xbf16>)
    -> (tensor<256x512xbf16>, tensor<100x300xf16>, tensor<256x512xbf16>,
        tensor<256x512xbf16>) {
  %a = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      : (tensor<256x4096xbf16>, tensor<512x2048xi8>, tensor<512x32xbf16>) -> tensor<256x512xbf16>
  %b = linea.quant_linear %xh, %qu, %su zero_points %zu
      format <uint4, group 128, asymmetric, scale f16>
      : (tensor<100x1024xf16>, tensor<300x512xi8>, tensor<300x8xf16>,
         tensor<300x8xi8>) -> tensor<100x300xf16>
  %c = linea.quant_linear %x, %q8, %s8 format <int8, group 128, scale f16>
      : (tensor<256x4096xbf16>, tensor<512x4096xi8>, tensor<512x32xf16>) -> tensor<256x512xbf16>
  %d = linea.quant_linear %x, %q8, %s8c format <fp8_e4m3, scale bf16>
      : (tensor<256x4096xbf16>, tensor<512x4096xi8>, tensor<512x1xbf16>) -> tensor<256x512xbf16>
  return %a, %b, %c, %d : tensor<256x512xbf16>, tensor<100x300xf16>,
      tensor<256x512xbf16>, tensor<256x512xbf16>
}
