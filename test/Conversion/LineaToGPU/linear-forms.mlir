// int8 / fp8 weight-only, BSR and low-rank layers through the whole CUDA path
// short of ptxas: the instructions each kernel is built on, and the manifest.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{rows-per-warp=2 unroll=2},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json

// CHECK: .target sm_90a
// int8: sign flip of 4 codes a word, codes into the f16 1024, one f16x2
// add of -1152 per pair, then f32 FMAs (in any order: the loop
// body follows the warp sums in the PTX).
// CHECK-LABEL: .visible .entry linea_0_i8_r2u1_gs(
// CHECK-DAG: shfl.sync.bfly.b32
// CHECK-DAG: st.global.b16
// CHECK-DAG: ld.global.v4.b32
// CHECK-DAG: xor.b32 {{.*}}-2139062144
// CHECK-DAG: add.rn.f16x2
// CHECK-DAG: cvt.f32.f16
// CHECK-DAG: fma.rn.f32
// fp8 e4m3: two codes per cvt.
// CHECK-LABEL: .visible .entry linea_1_f8_r2u1_gs(
// CHECK-DAG: ld.global.v4.b32
// CHECK-DAG: cvt.rn.f16x2.e4m3x2
// CHECK-DAG: cvt.f32.f16
// CHECK-DAG: fma.rn.f32
// BSR: the row offsets, then per chunk the block column and the block row.
// CHECK-LABEL: .visible .entry linea_2_bsr_r2u1_gs(
// CHECK-COUNT-5: .param .u64 .ptr .global
// CHECK-DAG: ld.global.b32
// CHECK-DAG: shfl.sync.bfly.b32
// CHECK-DAG: ld.global.b32
// CHECK-DAG: ld.global.v4.b32
// CHECK-DAG: fma.rn.f32
// Low-rank: two kernels over the same five arguments (x, u, v, t, y); the
// first stores t in f32, the second reads it 8 floats at a time.
// CHECK-LABEL: .visible .entry linea_3_lr_r2u1_p1(
// CHECK-COUNT-5: .param .u64 .ptr .global
// CHECK-DAG: st.global.b32
// CHECK-LABEL: .visible .entry linea_3_lr_r2u1_p2(
// CHECK-COUNT-5: .param .u64 .ptr .global
// CHECK-DAG: st.global.b16
// CHECK-DAG: ld.global.v4.b32

// MANIFEST: "element": "int8"
// MANIFEST: "name": "qweight"
// MANIFEST-NEXT: "shape": [
// MANIFEST-NEXT: 64,
// MANIFEST-NEXT: 256
// MANIFEST: "element": "fp8_e4m3"
// MANIFEST: "dtype": "i32"
// MANIFEST-NEXT: "name": "col_indices"
// MANIFEST: "block_size": [
// MANIFEST-NEXT: 16,
// MANIFEST-NEXT: 32
// MANIFEST: "op": "bsr_linear"
// MANIFEST: "name": "t"
// MANIFEST: "launches": [
// MANIFEST: "symbol": "linea_3_lr_r2u1_p1"
// MANIFEST: "symbol": "linea_3_lr_r2u1_p2"
// MANIFEST: "op": "lowrank_linear"
// MANIFEST: "rank": 16
func.func @forms(%x: tensor<1x256xbf16>, %q: tensor<64x256xi8>,
                 %s: tensor<64x1xbf16>, %v: tensor<6x16x32xbf16>,
                 %c: tensor<6xi32>, %r: tensor<5xi32>,
                 %u: tensor<48x16xbf16>, %w: tensor<16x256xbf16>)
    -> (tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>,
        tensor<1x48xbf16>) {
  %0 = linea.quant_linear %x, %q, %s format <int8, scale bf16> {name = "i8"}
      : (tensor<1x256xbf16>, tensor<64x256xi8>, tensor<64x1xbf16>) -> tensor<1x64xbf16>
  %1 = linea.quant_linear %x, %q, %s format <fp8_e4m3, scale bf16> {name = "f8"}
      : (tensor<1x256xbf16>, tensor<64x256xi8>, tensor<64x1xbf16>) -> tensor<1x64xbf16>
  %2 = linea.bsr_linear %x, %v, %c, %r {name = "bsr"}
      : (tensor<1x256xbf16>, tensor<6x16x32xbf16>, tensor<6xi32>, tensor<5xi32>) -> tensor<1x64xbf16>
  %3 = linea.lowrank_linear %x, %u, %w {name = "lr"}
      : (tensor<1x256xbf16>, tensor<48x16xbf16>, tensor<16x256xbf16>) -> tensor<1x48xbf16>
  return %0, %1, %2, %3 : tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x48xbf16>
}
