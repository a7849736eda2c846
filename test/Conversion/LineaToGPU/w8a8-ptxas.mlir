// ptxas accepts the W8A8 kernels for sm_90a (wgmma .s32.s8.s8 and
// .f32.e4m3.e4m3, the e4m3 conversions of the prep kernel): no spills, and
// no wgmma serialization.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{chip=sm_90a wgmma-tiles=128x256x4,128x128x4},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// CHECK-NOT: serialized
// CHECK-COUNT-14: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-NOT: bytes spill stores
// CHECK-NOT: serialized
func.func @layers(%x: tensor<256x1024xbf16>, %q: tensor<512x1024xi8>, %s: tensor<512x1xf32>,
                  %xh: tensor<100x272xf16>, %qh: tensor<200x272xi8>, %sh: tensor<1x1xf16>,
                  %a: tensor<f32>, %bh: tensor<200xf16>, %xd: tensor<2x1024xbf16>)
    -> (tensor<256x512xbf16>, tensor<256x512xbf16>, tensor<100x200xf16>, tensor<2x512xbf16>) {
  %0 = linea.quant_linear %x, %q, %s format <int8, channel, act dynamic_int8_per_token> : (tensor<256x1024xbf16>, tensor<512x1024xi8>, tensor<512x1xf32>) -> tensor<256x512xbf16>
  %1 = linea.quant_linear %x, %q, %s format <fp8_e4m3, channel, act fp8_per_token> : (tensor<256x1024xbf16>, tensor<512x1024xi8>, tensor<512x1xf32>) -> tensor<256x512xbf16>
  %2 = linea.quant_linear %xh, %qh, %sh act_scale %a bias %bh format <fp8_e4m3, tensor, scale f16, act fp8_per_tensor> : (tensor<100x272xf16>, tensor<200x272xi8>, tensor<1x1xf16>, tensor<f32>, tensor<200xf16>) -> tensor<100x200xf16>
  %3 = linea.quant_linear %xd, %q, %s format <fp8_e4m3, channel, act fp8_per_token> : (tensor<2x1024xbf16>, tensor<512x1024xi8>, tensor<512x1xf32>) -> tensor<2x512xbf16>
  return %0, %1, %2, %3 : tensor<256x512xbf16>, tensor<256x512xbf16>, tensor<100x200xf16>, tensor<2x512xbf16>
}
