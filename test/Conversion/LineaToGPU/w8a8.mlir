// W8A8 quant_linear (W8A8Kernels.cpp) down to PTX: a prep kernel per layer
// that quantizes x per token (block max by shuffles and shared memory, IEEE
// division, cvt.rni for int8, cvt.rn.satfinite.e4m3x2 for fp8), then the
// wgmma GEMM on 8-bit operands (M >= 64, sm_90a) or the GEMV on x̂ in f32.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{chip=sm_90a},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// Group scales at M >= 64 keep the GEMV (remark); off sm_90a too.
// RUN: linea-opt %s --linea-to-gpu 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: linea-opt %s --linea-to-gpu='chip=sm_80' | FileCheck %s --check-prefix=SM80

// int8 per token, prefill: codes and s_t, then wgmma .s32.s8.s8.
// CHECK-LABEL: .visible .entry linea_w8_0_i8_w8a8wg64x128x4_prep(
// CHECK-DAG: shfl.sync.bfly.b32
// CHECK-DAG: div.rn.f32
// CHECK-DAG: cvt.rni.f32.f32
// CHECK-DAG: bar.sync 0;
// CHECK: st.global
// CHECK-LABEL: .visible .entry linea_w8_0_i8_w8a8wg64x128x4_gemm(
// CHECK: cp.async.cg.shared.global
// CHECK: wgmma.mma_async.sync.aligned.m64n128k32.s32.s8.s8
// CHECK: cvt.rn.f32.s32
// CHECK: st.global.b32
// fp8 per token with bias, f16: e4m3 codes, wgmma .f32.e4m3.e4m3.
// CHECK-LABEL: .visible .entry linea_w8_1_f8_w8a8wg{{.*}}_prep(
// CHECK: cvt.rn.satfinite.e4m3x2.f32
// CHECK-LABEL: .visible .entry linea_w8_1_f8_w8a8wg{{.*}}_gemm(
// CHECK: wgmma.mma_async.sync.aligned.m64n{{[0-9]+}}k32.f32.e4m3.e4m3
// fp8 per tensor, decode: x̂ = e4m3(x / a) · a in f32, then the GEMV.
// CHECK-LABEL: .visible .entry linea_w8_2_f8t_w8a8gemv_prep(
// CHECK: cvt.rn.satfinite.e4m3x2.f32
// CHECK: cvt.rn.f16x2.e4m3x2
// CHECK-LABEL: .visible .entry linea_w8_2_f8t_w8a8gemv_gemv(
// CHECK-NOT: wgmma
// CHECK-LABEL: .visible .entry linea_w8_3_g_w8a8gemv_prep(

// MANIFEST: "act": "dynamic_int8_per_token"
// MANIFEST: "name": "scales",
// MANIFEST: "dtype": "i8",
// MANIFEST-NEXT: "name": "xq",
// MANIFEST: "dtype": "f32",
// MANIFEST-NEXT: "name": "xs",
// MANIFEST-NEXT: "shape": [
// MANIFEST-NEXT: 128
// MANIFEST: "kind": "w8a8_wgmma",
// MANIFEST-NEXT: "launches": [
// MANIFEST: "shared_bytes": 0,
// MANIFEST-NEXT: "symbol": "linea_w8_0_i8_w8a8wg64x128x4_prep"
// MANIFEST: "shared_bytes": 99328,
// MANIFEST-NEXT: "symbol": "linea_w8_0_i8_w8a8wg64x128x4_gemm"
// MANIFEST: "act": "fp8_per_token"
// MANIFEST: "act": "fp8_per_tensor"
// MANIFEST: "name": "act_scale",
// MANIFEST: "dtype": "f32",
// MANIFEST-NEXT: "name": "xq",
// MANIFEST: "kind": "w8a8_gemv",

// REMARK: remark: linea-to-gpu: layer 'g' (M = 64) takes the GEMV, not the wgmma GEMM: group-wise weight scales (group 64)
// SM80-NOT: wgmma
// SM80: linea_w8_0_i8_w8a8gemv_gemv

func.func @layers(%x: tensor<128x256xbf16>, %q: tensor<256x256xi8>, %s: tensor<256x1xf32>,
                  %xh: tensor<100x272xf16>, %qh: tensor<200x272xi8>, %sh: tensor<200x1xf16>, %bh: tensor<200xf16>,
                  %xt: tensor<4x256xbf16>, %a: tensor<f32>, %st: tensor<1x1xf32>,
                  %sg: tensor<256x4xf32>, %xg: tensor<64x256xbf16>)
    -> (tensor<128x256xbf16>, tensor<100x200xf16>, tensor<4x256xbf16>, tensor<64x256xbf16>) {
  %0 = linea.quant_linear %x, %q, %s format <int8, channel, act dynamic_int8_per_token> {name = "i8"} : (tensor<128x256xbf16>, tensor<256x256xi8>, tensor<256x1xf32>) -> tensor<128x256xbf16>
  %1 = linea.quant_linear %xh, %qh, %sh bias %bh format <fp8_e4m3, channel, scale f16, act fp8_per_token> {name = "f8"} : (tensor<100x272xf16>, tensor<200x272xi8>, tensor<200x1xf16>, tensor<200xf16>) -> tensor<100x200xf16>
  %2 = linea.quant_linear %xt, %q, %st act_scale %a format <fp8_e4m3, tensor, act fp8_per_tensor> {name = "f8t"} : (tensor<4x256xbf16>, tensor<256x256xi8>, tensor<1x1xf32>, tensor<f32>) -> tensor<4x256xbf16>
  %3 = linea.quant_linear %xg, %q, %sg format <int8, group 64, act dynamic_int8_per_token> {name = "g"} : (tensor<64x256xbf16>, tensor<256x256xi8>, tensor<256x4xf32>) -> tensor<64x256xbf16>
  return %0, %1, %2, %3 : tensor<128x256xbf16>, tensor<100x200xf16>, tensor<4x256xbf16>, tensor<64x256xbf16>
}
