// linea.attention with `quant` (SageAttention) becomes prologue kernels and
// an int8 FlashAttention kernel: one manifest entry per tile variant, op
// "sage_attention", its launches the prologue then the main kernel, all
// with one argument list (q, k, v, workspaces, o).
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s
// RUN: linea-opt %s --linea-to-gpu='attention-tiles=16x64,32x32' | FileCheck %s --check-prefix=TILES

// CHECK: linea.cuda_kernels = [{
// CHECK-SAME: args = [{dtype = "bf16", name = "q", shape = [2, 8, 200, 64]}
// CHECK-SAME: {dtype = "i8", name = "q8", shape = [2, 8, 256, 64]}, {dtype = "f32", name = "qs", shape = [2, 8, 256]}
// CHECK-SAME: {dtype = "i8", name = "k8", shape = [2, 2, 384, 64]}
// CHECK-SAME: {dtype = "f16", name = "vq", shape = [2, 2, 384, 64]}
// CHECK-SAME: {dtype = "i32", name = "vmax", shape = [2, 2, 64]}, {dtype = "bf16", name = "o", shape = [2, 8, 200, 64]}]
// CHECK-SAME: causal = true
// CHECK-SAME: grid = [2, 8, 2]
// CHECK-SAME: k_block = 48
// CHECK-SAME: launches = [{block = [128, 1, 1], grid = [2, 2, 1], shared_bytes = 0 : i64, symbol = "linea_q0_pre_sage_zero"}, {block = [128, 1, 1], grid = [6, 2, 2], shared_bytes = 0 : i64, symbol = "linea_q0_pre_sage_sums"}, {block = [128, 1, 1], grid = [6, 2, 2], shared_bytes = 0 : i64, symbol = "linea_q0_pre_sage_vmax"}, {block = [128, 1, 1], grid = [8, 2, 2], shared_bytes = 16 : i64, symbol = "linea_q0_pre_sage_quant_kv"}, {block = [128, 1, 1], grid = [4, 8, 2], shared_bytes = 16 : i64, symbol = "linea_q0_pre_sage_quant_q"}, {block = [128, 1, 1], grid = [2, 8, 2], shared_bytes = 24576 : i64, symbol = "linea_q0_pre_sage_r32b32"}]
// CHECK-SAME: op = "sage_attention"
// CHECK-SAME: q_block = 64
// CHECK-SAME: values = "fp8_e4m3_smoothed"
// CHECK-SAME: symbol = "linea_q1_exact_sage_r32b32"
// CHECK-SAME: values = "exact"

// CHECK-LABEL: gpu.func @linea_q0_pre_sage_zero(
// CHECK-SAME: memref<2x8x200x32xvector<2xbf16>, #gpu.address_space<global>>
// CHECK-SAME: memref<2x2x333x32xvector<2xbf16>, #gpu.address_space<global>>
// CHECK-SAME: memref<2x8x256x32xvector<2xi8>, #gpu.address_space<global>>, %{{.*}}: memref<2x8x256xf32
// CHECK-SAME: memref<2x2x384x32xvector<2xi8>, #gpu.address_space<global>>, %{{.*}}: memref<2x2x384xf32
// CHECK-SAME: memref<2x2x384x32xvector<2xf16>, #gpu.address_space<global>>
// CHECK-SAME: memref<2x2x64xi32, #gpu.address_space<global>>
// CHECK-LABEL: gpu.func @linea_q0_pre_sage_sums(
// CHECK: memref.atomic_rmw addf
// CHECK-LABEL: gpu.func @linea_q0_pre_sage_vmax(
// CHECK: memref.atomic_rmw maxs
// CHECK-LABEL: gpu.func @linea_q0_pre_sage_quant_kv(
// CHECK: "cvt.rni.f32.f32 $0, $1;"
// CHECK: nvvm.convert.f32x2.to.f8x2
// CHECK: nvvm.convert.f8x2.to.f16x2
// CHECK-LABEL: gpu.func @linea_q0_pre_sage_quant_q(
// CHECK: arith.constant 0.180336878 : f32
// CHECK-LABEL: gpu.func @linea_q0_pre_sage_r32b32(
// CHECK: nvvm.cp.async.shared.global
// CHECK: nvvm.ldmatrix
// CHECK: nvvm.mma.sync {{.*}}intOverflowBehavior = #nvvm.mma_int_overflow<wrapped>{{.*}}multiplicandAPtxType = #nvvm.mma_type<s8>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 32>
// CHECK: "cvt.rpi.f32.f32 $0, $1;"
// CHECK: nvvm.convert.f32x2.to.f8x2
// CHECK: nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>{{.*}} -> !llvm.struct<(f32, f32, f32, f32)>

// The exact-values kernels skip vmax and run P·V on the element type.
// CHECK-LABEL: gpu.func @linea_q1_exact_sage_sums(
// CHECK-NOT: gpu.func @linea_q1_exact_sage_vmax(
// CHECK-LABEL: gpu.func @linea_q1_exact_sage_quant_kv(
// CHECK-NOT: nvvm.convert.f32x2.to.f8x2
// CHECK-LABEL: gpu.func @linea_q1_exact_sage_r32b32(
// CHECK-NOT: nvvm.convert.f32x2.to.f8x2
// CHECK: gpu.return

// TILES: symbol = "linea_q0_pre_sage_r16b64"
// TILES: symbol = "linea_q0_pre_sage_r32b32"

func.func @pre(%q: tensor<2x8x200x64xbf16>, %k: tensor<2x2x333x64xbf16>,
               %v: tensor<2x2x333x64xbf16>) -> tensor<2x8x200x64xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "pre", quant = #linea.attn_quant<q_block = 64, k_block = 48, values = fp8_e4m3_smoothed>}
      : (tensor<2x8x200x64xbf16>, tensor<2x2x333x64xbf16>, tensor<2x2x333x64xbf16>) -> tensor<2x8x200x64xbf16>
  return %o : tensor<2x8x200x64xbf16>
}

func.func @exact(%q: tensor<1x4x1x128xf16>, %k: tensor<1x4x100x128xf16>,
                 %v: tensor<1x4x100x128xf16>) -> tensor<1x4x1x128xf16> {
  %o = linea.attention %q, %k, %v {name = "exact", quant = #linea.attn_quant<values = exact>}
      : (tensor<1x4x1x128xf16>, tensor<1x4x100x128xf16>, tensor<1x4x100x128xf16>) -> tensor<1x4x1x128xf16>
  return %o : tensor<1x4x1x128xf16>
}
