// The Hopper wgmma GEMM (WgmmaGemmKernel.cpp) for prefill-sized dense
// layers, down to PTX: cp.async 16-byte copies into the 128-byte-swizzled
// stages (zero-filled past M, N and K), fence.proxy.async before the
// barrier, wgmma.mma_async m64nBNk16 with shared-memory descriptors on both
// operands (no transpose: both K-major), commit / wait_group 1 inside the
// loop, wait_group 0 before the masked epilogue. Default selection: M >= 128
// dense bf16/f16 layers get the GEMM, smaller M keeps the decode kernels.
// (The lines below name the symbols of the explicit variant lists.)
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{wgmma=1 wgmma-tiles=128x256x4,64x128x3,256x128x3},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// RUN: linea-opt %s --linea-to-gpu="wgmma=1 wgmma-tiles=128x256x4" | FileCheck %s --check-prefix=IR
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=DEFAULT
// RUN: linea-opt %s --linea-to-gpu=chip=sm_89 | FileCheck %s --check-prefix=ADA
// RUN: linea-opt %s --linea-to-gpu="wgmma=0,1 wgmma-tiles=128x128x5" | FileCheck %s --check-prefix=BOTH

// CHECK-LABEL: .visible .entry linea_0_big_wg128x256x4(
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// CHECK: cp.async.commit_group;
// (LLVM rotates the loop: the MMAs of step kt come before the wait for
// stage kt + 1.)
// CHECK: wgmma.fence.sync.aligned;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK: wgmma.wait_group.sync.aligned 1;
// CHECK: cp.async.wait_group 1;
// CHECK: fence.proxy.async.shared::cta;
// CHECK: bar.sync 0;
// CHECK: wgmma.wait_group.sync.aligned 0;
// CHECK: cvt.rn.bf16x2.f32
// CHECK: st.global.b32
// CHECK-LABEL: .visible .entry linea_0_big_wg64x128x3(
// CHECK: cp.async.wait_group 0;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// Two m64 tiles per warpgroup share each B descriptor.
// CHECK-LABEL: .visible .entry linea_0_big_wg256x128x3(
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// Ragged f16 layer with bias, odd N: scalar stores.
// CHECK-LABEL: .visible .entry linea_1_ragged_wg128x256x4(
// Zero-fill past M, N and K: source size 16 or 0.
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, %r{{[0-9]+}};
// CHECK: wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16
// CHECK: st.global.b16

// Keys in sorted order: 512/128 × 1024/256 = 16 blocks of 256 threads.
// MANIFEST: "block": [
// MANIFEST-NEXT: 256,
// MANIFEST: "grid": [
// MANIFEST-NEXT: 16,
// MANIFEST: "kind": "wgmma"
// MANIFEST-NEXT: "layer": "big"
// MANIFEST: "shared_bytes": 197632
// MANIFEST-NEXT: "symbol": "linea_0_big_wg128x256x4"
// MANIFEST-NEXT: "tensor_cores": true
// MANIFEST-NEXT: "tile": [
// MANIFEST-NEXT: 128,
// MANIFEST-NEXT: 256,
// MANIFEST-NEXT: 4

// IR: kind = "wgmma"
// IR: llvm.mlir.global external @linea_attention_smem() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// IR-LABEL: gpu.func @linea_0_big_wg128x256x4(
// IR-SAME: known_block_size = array<i32: 256, 1, 1>
// IR: nvvm.cp.async.shared.global
// IR: scf.for
// IR: nvvm.fence.proxy
// IR: nvvm.wgmma.fence.aligned
// IR: llvm.inline_asm has_side_effects "{{.*}}wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 {$0, {{.*}}, $127}, $128, $129, p, 1, 1, 0, 0;{{.*}}", "=f,{{.*}},=f,l,l,0,1,{{.*}},127"
// IR: nvvm.wgmma.commit.group.sync.aligned
// IR: nvvm.wgmma.wait.group.sync.aligned 1
// IR: nvvm.wgmma.wait.group.sync.aligned 0

// Default tile: 128x256x4 where it makes >= 132 blocks (2048x4096x4096:
// 256), else the tile with the most blocks (512x1024: 64x128, 64 blocks).
// DEFAULT-DAG: gpu.func @linea_0_big_wg64x128x4(
// DEFAULT-DAG: gpu.func @linea_1_ragged_wg64x128x4(
// DEFAULT-DAG: gpu.func @linea_3_large_wg128x256x4(
// DEFAULT-DAG: gpu.func @linea_2_small_m_r2u1_gs(
// DEFAULT-NOT: linea_2_small_m_wg
// Not Hopper: no wgmma by default, the decode kernels instead.
// ADA-NOT: _wg{{[0-9]+}}x
// ADA: gpu.func @linea_0_big_r

// BOTH-DAG: gpu.func @linea_0_big_wg128x128x5(
// BOTH-DAG: gpu.func @linea_0_big_r2u2_gs(
// BOTH-DAG: gpu.func @linea_2_small_m_wg128x128x5(
func.func @layers(%x: tensor<512x1024xbf16>, %w: tensor<1024x1024xbf16>,
                  %xh: tensor<200x264xf16>, %wh: tensor<77x264xf16>,
                  %bh: tensor<77xf16>, %x64: tensor<64x256xbf16>,
                  %w64: tensor<256x256xbf16>, %xl: tensor<2048x4096xbf16>,
                  %wl: tensor<4096x4096xbf16>)
    -> (tensor<512x1024xbf16>, tensor<200x77xf16>, tensor<64x256xbf16>,
        tensor<2048x4096xbf16>) {
  %0 = linea.linear %x, %w {name = "big"}
      : (tensor<512x1024xbf16>, tensor<1024x1024xbf16>) -> tensor<512x1024xbf16>
  %1 = linea.linear %xh, %wh bias %bh {name = "ragged"}
      : (tensor<200x264xf16>, tensor<77x264xf16>, tensor<77xf16>) -> tensor<200x77xf16>
  %2 = linea.linear %x64, %w64 {name = "small_m"}
      : (tensor<64x256xbf16>, tensor<256x256xbf16>) -> tensor<64x256xbf16>
  %3 = linea.linear %xl, %wl {name = "large"}
      : (tensor<2048x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<2048x4096xbf16>
  return %0, %1, %2, %3 : tensor<512x1024xbf16>, tensor<200x77xf16>,
      tensor<64x256xbf16>, tensor<2048x4096xbf16>
}
