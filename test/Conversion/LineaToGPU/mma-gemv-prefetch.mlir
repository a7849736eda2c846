// The mma.sync decode kernel's prefetch and split-K variants: with
// prefetch=1 the loads of a warp's next `unroll` steps are issued before the
// current steps' arithmetic, so the step loop carries the loaded chunks
// (vector<4xi32> codes, vector<8xbf16> x) besides the accumulators; split-k=8
// makes blocks of 8 warps that sum 8 partial tiles through shared memory.
// RUN: linea-opt %s --linea-to-gpu="tensor-cores=1 rows-per-warp=1 unroll=2 prefetch=0,1 split-k=4,8" | FileCheck %s
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{tensor-cores=1 rows-per-warp=1 unroll=2 prefetch=1 split-k=8},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// RUN: not linea-opt %s --linea-to-gpu="tensor-cores=1 split-k=6" 2>&1 | FileCheck %s --check-prefix=BADK
// RUN: not linea-opt %s --linea-to-gpu="tensor-cores=1 prefetch=2" 2>&1 | FileCheck %s --check-prefix=BADP
// RUN: linea-opt %s --linea-to-gpu="tensor-cores=1 rows-per-warp=4,6" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TILES

// Without prefetch the step loop carries only the 4 accumulators.
// CHECK-LABEL: gpu.func @linea_0_q4_r1u2_tc(
// CHECK-SAME: workgroup(%{{.*}} : memref<4x4x32xf32, #gpu.address_space<workgroup>>)
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32) {
// CHECK-LABEL: gpu.func @linea_0_q4_r1u2_tcw8(
// CHECK-SAME: workgroup(%{{.*}} : memref<8x4x32xf32, #gpu.address_space<workgroup>>)
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// With prefetch: a guarded prologue loads the first group, the loop carries
// the next group's two steps of chunks and scales.
// CHECK-LABEL: gpu.func @linea_0_q4_r1u2_tcp(
// CHECK: scf.if {{.*}} -> (f32, f32, f32, f32) {
// CHECK: memref.load {{.*}} : memref<512x256xvector<4xi32>
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, vector<4xi32>, vector<4xi32>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, bf16, bf16, vector<4xi32>, vector<4xi32>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, bf16, bf16) {
// CHECK: nvvm.mma.sync
// CHECK: scf.yield
// The last group's arithmetic after the loop, then the empty-warp branch.
// CHECK: nvvm.mma.sync
// CHECK: } else {
// CHECK-NEXT: scf.yield %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32, f32
// CHECK-LABEL: gpu.func @linea_0_q4_r1u2_tcpw8(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>

// MANIFEST: "block": [
// MANIFEST-NEXT: 256,
// MANIFEST: "prefetch": true,
// MANIFEST: "split_k": 8,
// MANIFEST-NEXT: "symbol": "linea_0_q4_r1u2_tcpw8",

// BADK: linea-to-gpu: split-k must be 4 or 8, got 6
// BADP: linea-to-gpu: prefetch must be 0 or 1, got 2
// Four row tiles per warp build; six have no kernel and say so.
// TILES: remark: linea-to-gpu: layer 'q4': no mma.sync kernel with rows-per-warp = 6 (16-row tiles per warp, 1 to 4); skipped
// TILES-NOT: rows-per-warp = 4
func.func @layer(%x: tensor<1x8192xbf16>, %qw: tensor<512x4096xi8>,
                 %s: tensor<512x64xbf16>) -> tensor<1x512xbf16> {
  %q = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "q4"}
      : (tensor<1x8192xbf16>, tensor<512x4096xi8>, tensor<512x64xbf16>) -> tensor<1x512xbf16>
  return %q : tensor<1x512xbf16>
}
