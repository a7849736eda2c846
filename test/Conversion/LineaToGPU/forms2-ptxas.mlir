// ptxas accepts the n:m, shift, fp8 e5m2, uint8, nf4, mxfp4 and nvfp4
// kernels for sm_90a without spills, at M = 1 and 16 (rows per warp 2,
// unroll 1 and 2).
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{rows-per-warp=2 unroll=1,2},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// 10 layers × 2 unroll = 20 kernels.
// CHECK-COUNT-20: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
func.func @forms(%x1: tensor<1x4096xbf16>, %x16: tensor<16x4096xbf16>,
                 %nv: tensor<512x2048xbf16>, %ni: tensor<512x2048xi8>,
                 %mv: tensor<512x1536xbf16>, %mi: tensor<512x1536xi8>,
                 %se: tensor<1x512x4096xi8>, %sg: tensor<1x512x4096xi8>,
                 %ss: tensor<512xbf16>, %q8: tensor<512x4096xi8>,
                 %s8: tensor<512x1xbf16>, %z8: tensor<512x1xi8>,
                 %q4: tensor<512x2048xi8>, %s64: tensor<512x64xbf16>,
                 %smx: tensor<512x128xf8E8M0FNU>, %snv: tensor<512x256xf8E4M3FN>,
                 %t: tensor<f32>)
    -> (tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<1x512xbf16>,
        tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<1x512xbf16>,
        tensor<1x512xbf16>, tensor<1x512xbf16>, tensor<1x512xbf16>,
        tensor<16x512xbf16>) {
  %0 = linea.nm_linear 2:4 %x1, %nv, %ni
      : (tensor<1x4096xbf16>, tensor<512x2048xbf16>, tensor<512x2048xi8>) -> tensor<1x512xbf16>
  %1 = linea.nm_linear 2:4 %x16, %nv, %ni
      : (tensor<16x4096xbf16>, tensor<512x2048xbf16>, tensor<512x2048xi8>) -> tensor<16x512xbf16>
  %2 = linea.nm_linear 3:8 %x1, %mv, %mi
      : (tensor<1x4096xbf16>, tensor<512x1536xbf16>, tensor<512x1536xi8>) -> tensor<1x512xbf16>
  %3 = linea.shift_linear %x1, %se, %sg scale %ss
      : (tensor<1x4096xbf16>, tensor<1x512x4096xi8>, tensor<1x512x4096xi8>, tensor<512xbf16>) -> tensor<1x512xbf16>
  %4 = linea.shift_linear %x16, %se, %sg scale %ss
      : (tensor<16x4096xbf16>, tensor<1x512x4096xi8>, tensor<1x512x4096xi8>, tensor<512xbf16>) -> tensor<16x512xbf16>
  %5 = linea.quant_linear %x1, %q8, %s8 format <fp8_e5m2, scale bf16>
      : (tensor<1x4096xbf16>, tensor<512x4096xi8>, tensor<512x1xbf16>) -> tensor<1x512xbf16>
  %6 = linea.quant_linear %x1, %q8, %s8 zero_points %z8 format <uint8, scale bf16>
      : (tensor<1x4096xbf16>, tensor<512x4096xi8>, tensor<512x1xbf16>, tensor<512x1xi8>) -> tensor<1x512xbf16>
  %7 = linea.quant_linear %x1, %q4, %s64 format <nf4, scale bf16>
      : (tensor<1x4096xbf16>, tensor<512x2048xi8>, tensor<512x64xbf16>) -> tensor<1x512xbf16>
  %8 = linea.quant_linear %x1, %q4, %smx format <mxfp4>
      : (tensor<1x4096xbf16>, tensor<512x2048xi8>, tensor<512x128xf8E8M0FNU>) -> tensor<1x512xbf16>
  %9 = linea.quant_linear %x16, %q4, %snv tensor_scale %t format <nvfp4>
      : (tensor<16x4096xbf16>, tensor<512x2048xi8>, tensor<512x256xf8E4M3FN>, tensor<f32>) -> tensor<16x512xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9
      : tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<1x512xbf16>,
        tensor<1x512xbf16>, tensor<16x512xbf16>, tensor<1x512xbf16>,
        tensor<1x512xbf16>, tensor<1x512xbf16>, tensor<1x512xbf16>,
        tensor<16x512xbf16>
}
