// The tensor-core decode kernels (MmaGemvKernel.cpp) down to PTX: packed
// int4 dequantization (lop3 into the mantissa of a bf16/f16 pair, one packed
// add of −(magic + 8) per pair), x pairs built with prmt, mma.sync m16n8k16 with f32
// accumulators, and the split-K sum through shared memory.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{tensor-cores=1 rows-per-warp=1,2 unroll=2},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json

// CHECK-LABEL: .visible .entry linea_0_q4_r1u2_tc(
// CHECK: .shared .align {{[0-9]+}} .b8
// CHECK: ld.global.v4.b32
// Sign bits of int4 flipped, two nibbles per lop3 into 128 + n (0x43004300).
// CHECK: xor.b32 {{.*}}-2004318072
// CHECK: lop3.b32 {{.*}}, 0xEA;
// CHECK: add.rn.bf16x2
// CHECK: prmt.b32 {{.*}}0x5410U;
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// Group scale on the step's tile in f32.
// CHECK: fma.rn.f32
// CHECK: bar.sync 0;
// CHECK: st.global.b16
// CHECK-LABEL: .visible .entry linea_0_q4_r2u2_tc(
// CHECK-COUNT-16: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// uint4 with zero points and f16: 1024 + n, minus 1024 + z.
// CHECK-LABEL: .visible .entry linea_1_u4_r1u2_tc(
// CHECK: lop3.b32
// CHECK: sub.rn.f16x2
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// Dense bf16, M = 16: two n-tiles share each A fragment, no decode.
// CHECK-LABEL: .visible .entry linea_2_dense_r1u2_tc(
// CHECK-NOT: lop3.b32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// A layer the mma kernel cannot take (group 32) keeps the CUDA-core GEMV.
// CHECK-LABEL: .visible .entry linea_3_g32_r1u1_gs(
// CHECK-NOT: mma.sync

// 16-row tiles: 256 rows are 16 blocks (8 with two tiles per warp).
// MANIFEST: "grid": [
// MANIFEST-NEXT: 16,
// MANIFEST: "symbol": "linea_0_q4_r1u2_tc",
// MANIFEST-NEXT: "tensor_cores": true,
// MANIFEST: "grid": [
// MANIFEST-NEXT: 8,
// MANIFEST: "symbol": "linea_0_q4_r2u2_tc",
// MANIFEST: "symbol": "linea_3_g32_r1u1_gs",
// MANIFEST-NEXT: "tensor_cores": false
func.func @layers(%x: tensor<1x2048xbf16>, %qw: tensor<256x1024xi8>,
                  %s: tensor<256x16xbf16>,
                  %xh: tensor<3x1024xf16>, %qu: tensor<100x512xi8>,
                  %su: tensor<100x8xf16>, %zu: tensor<100x8xi8>,
                  %bu: tensor<100xf16>,
                  %x16: tensor<16x512xbf16>, %w: tensor<64x512xbf16>,
                  %s32: tensor<256x64xbf16>)
    -> (tensor<1x256xbf16>, tensor<3x100xf16>, tensor<16x64xbf16>,
        tensor<1x256xbf16>) {
  %q = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "q4"}
      : (tensor<1x2048xbf16>, tensor<256x1024xi8>, tensor<256x16xbf16>) -> tensor<1x256xbf16>
  %u = linea.quant_linear %xh, %qu, %su zero_points %zu bias %bu
      format <uint4, group 128, scale f16> {name = "u4"}
      : (tensor<3x1024xf16>, tensor<100x512xi8>, tensor<100x8xf16>,
         tensor<100x8xi8>, tensor<100xf16>) -> tensor<3x100xf16>
  %d = linea.linear %x16, %w {name = "dense"}
      : (tensor<16x512xbf16>, tensor<64x512xbf16>) -> tensor<16x64xbf16>
  %g = linea.quant_linear %x, %qw, %s32 format <int4, group 32, scale bf16>
      {name = "g32"}
      : (tensor<1x2048xbf16>, tensor<256x1024xi8>, tensor<256x64xbf16>) -> tensor<1x256xbf16>
  return %q, %u, %d, %g
      : tensor<1x256xbf16>, tensor<3x100xf16>, tensor<16x64xbf16>, tensor<1x256xbf16>
}
