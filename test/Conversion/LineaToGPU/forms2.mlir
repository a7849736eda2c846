// nm_linear, shift_linear and the quant elements fp8_e5m2, uint8, nf4,
// mxfp4 and nvfp4 through the whole CUDA path short of ptxas: the
// instructions each decode is built on, and the manifest.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{rows-per-warp=2 unroll=1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// RUN: linea-opt %s --linea-to-gpu='rows-per-warp=1 unroll=1' | FileCheck %s --check-prefix=IR

// CHECK: .target sm_90a
// 2:4: 16-byte loads of values and of x, 8-byte loads of the indices, the
// x element of each kept value picked by selects on the position bits.
// CHECK-LABEL: .visible .entry linea_0_nm24_r2u1_gs(
// CHECK-COUNT-4: .param .u64 .ptr .global
// CHECK-DAG: ld.global.v4.b32
// CHECK-DAG: ld.global.v2.b32
// CHECK-DAG: selp.b16
// CHECK-DAG: fma.rn.f32
// 3:8: x read element by element (one scalar load per kept value).
// CHECK-LABEL: .visible .entry linea_1_nm38_r2u1_gs(
// CHECK-DAG: ld.global.v2.b32
// CHECK-DAG: ld.global.b32
// CHECK-DAG: fma.rn.f32
// shift: ±2^e from the exponent and sign bytes, no conversion of W.
// CHECK-LABEL: .visible .entry linea_2_shift_r2u1_gs(
// CHECK-COUNT-5: .param .u64 .ptr .global
// CHECK-DAG: shl.b32 {{.*}}, 23
// CHECK-DAG: fma.rn.f32
// CHECK-NOT: cvt.rn.f32.s32
// CHECK-LABEL: .visible .entry linea_3_e5m2_r2u1_gs(
// CHECK-DAG: cvt.rn.f16x2.e5m2x2
// CHECK-LABEL: .visible .entry linea_4_u8_r2u1_gs(
// CHECK-COUNT-5: .param .u64 .ptr .global
// CHECK-DAG: cvt.f32.f16
// CHECK-DAG: sub.rn.f32
// nf4: the 16 levels in shared memory, written once, read per code.
// CHECK-LABEL: .visible .entry linea_5_nf4_r2u1_gs(
// CHECK-DAG: .shared .align {{[0-9]+}} .b8 __wg_linea_5_nf4_r2u1_gs_0[64];
// CHECK-DAG: st.shared.v4.b32 {{.*}}0fBF800000
// CHECK-DAG: bar.sync 0
// CHECK-DAG: ld.shared.b32
// mxfp4: e2m1 as f16 bits times 2^14; the e8m0 scale's subnormal and NaN.
// CHECK-LABEL: .visible .entry linea_6_mx_r2u1_gs(
// CHECK-DAG: mul.rn.f32 {{.*}}0f46800000
// CHECK-DAG: selp.f32 {{.*}}, 0f00400000,
// CHECK-DAG: selp.f32 {{.*}}, 0f7FC00000,
// nvfp4: e4m3 group scales (two per chunk of 32 codes), tensor scale last.
// CHECK-LABEL: .visible .entry linea_7_nv_r2u1_gs(
// CHECK-COUNT-5: .param .u64 .ptr .global
// CHECK-DAG: cvt.rn.f16x2.e4m3x2
// CHECK-DAG: mul.rn.f32 {{.*}}0f46800000

// IR: gpu.func @linea_5_nf4_r1u1_gs({{.*}}) workgroup(%{{.*}} : memref<16xf32, #gpu.address_space<workgroup>>) kernel
// IR: gpu.barrier
// IR: gpu.func @linea_7_nv_r1u1_gs({{.*}}memref<64x64xi8, #gpu.address_space<global>>, %{{.*}}: memref<1xf32, #gpu.address_space<global>>,

// Manifest keys are sorted: each entry's args come first.
// MANIFEST: "name": "values"
// MANIFEST-NEXT: "shape": [
// MANIFEST-NEXT: 100,
// MANIFEST-NEXT: 256
// MANIFEST: "name": "indices"
// MANIFEST: "layer": "nm24"
// MANIFEST: "n_m": [
// MANIFEST-NEXT: 2,
// MANIFEST-NEXT: 4
// MANIFEST: "op": "nm_linear"
// MANIFEST: "name": "exponents"
// MANIFEST: "name": "signs"
// MANIFEST: "name": "scale"
// MANIFEST: "layer": "shift"
// MANIFEST: "terms": 2
// MANIFEST: "element": "fp8_e5m2"
// MANIFEST: "name": "zero_points"
// MANIFEST: "element": "uint8"
// MANIFEST: "element": "nf4"
// MANIFEST: "dtype": "f8E8M0FNU"
// MANIFEST: "element": "mxfp4"
// MANIFEST: "dtype": "f8E4M3FN"
// MANIFEST: "name": "tensor_scale"
// MANIFEST: "element": "nvfp4"
// MANIFEST: "group": 16
func.func @nm24(%x: tensor<3x512xbf16>, %v: tensor<100x256xbf16>,
                %i: tensor<100x256xi8>) -> tensor<3x100xbf16> {
  %y = linea.nm_linear 2:4 %x, %v, %i {name = "nm24"}
      : (tensor<3x512xbf16>, tensor<100x256xbf16>, tensor<100x256xi8>) -> tensor<3x100xbf16>
  return %y : tensor<3x100xbf16>
}
func.func @nm38(%x: tensor<1x512xf32>, %v: tensor<70x192xf16>,
                %i: tensor<70x192xi8>, %b: tensor<70xf32>) -> tensor<1x70xf32> {
  %y = linea.nm_linear 3:8 %x, %v, %i bias %b {name = "nm38"}
      : (tensor<1x512xf32>, tensor<70x192xf16>, tensor<70x192xi8>, tensor<70xf32>) -> tensor<1x70xf32>
  return %y : tensor<1x70xf32>
}
func.func @shift(%x: tensor<2x256xf16>, %e: tensor<2x64x256xi8>,
                 %s: tensor<2x64x256xi8>, %sc: tensor<64xf32>) -> tensor<2x64xf16> {
  %y = linea.shift_linear %x, %e, %s scale %sc {name = "shift"}
      : (tensor<2x256xf16>, tensor<2x64x256xi8>, tensor<2x64x256xi8>, tensor<64xf32>) -> tensor<2x64xf16>
  return %y : tensor<2x64xf16>
}
func.func @e5m2(%x: tensor<1x256xbf16>, %q: tensor<64x256xi8>,
                %s: tensor<64x4xbf16>) -> tensor<1x64xbf16> {
  %y = linea.quant_linear %x, %q, %s format <fp8_e5m2, group 64, scale bf16> {name = "e5m2"}
      : (tensor<1x256xbf16>, tensor<64x256xi8>, tensor<64x4xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
func.func @u8(%x: tensor<1x256xbf16>, %q: tensor<64x256xi8>,
              %s: tensor<64x1xbf16>, %z: tensor<64x1xi8>) -> tensor<1x64xbf16> {
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint8, scale bf16> {name = "u8"}
      : (tensor<1x256xbf16>, tensor<64x256xi8>, tensor<64x1xbf16>, tensor<64x1xi8>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
func.func @nf4(%x: tensor<1x256xbf16>, %q: tensor<64x128xi8>,
               %s: tensor<64x4xbf16>) -> tensor<1x64xbf16> {
  %y = linea.quant_linear %x, %q, %s format <nf4, scale bf16> {name = "nf4"}
      : (tensor<1x256xbf16>, tensor<64x128xi8>, tensor<64x4xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
func.func @mx(%x: tensor<1x256xbf16>, %q: tensor<64x128xi8>,
              %s: tensor<64x8xf8E8M0FNU>) -> tensor<1x64xbf16> {
  %y = linea.quant_linear %x, %q, %s format <mxfp4> {name = "mx"}
      : (tensor<1x256xbf16>, tensor<64x128xi8>, tensor<64x8xf8E8M0FNU>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
func.func @nv(%x: tensor<1x1024xbf16>, %q: tensor<64x512xi8>,
              %s: tensor<64x64xf8E4M3FN>, %t: tensor<f32>) -> tensor<1x64xbf16> {
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> {name = "nv"}
      : (tensor<1x1024xbf16>, tensor<64x512xi8>, tensor<64x64xf8E4M3FN>, tensor<f32>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
