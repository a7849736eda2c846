// linea.latent_attention (decode, S = 1) → the split kernel and its combine
// kernel (LatentAttentionKernel.cpp): one manifest entry with two launches;
// the split kernel copies Q, U_hk and latent rows with cp.async, rebuilds K
// on tensor cores (U_hk fragments by ldmatrix from shared memory), applies
// RoPE (cos/sin read as pairs), S = Q·Kᵀ from the K accumulators, one online
// softmax per block, P·v_latent with ldmatrix.trans; the combine merges the
// splits and applies v_up.
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s

// CHECK: linea.cuda_kernels = [{args = [{dtype = "bf16", name = "q", shape = [1, 8, 1, 64]}, {dtype = "bf16", name = "k_latent", shape = [1, 100, 128]}, {dtype = "bf16", name = "k_up", shape = [1, 128, 128]}, {dtype = "bf16", name = "v_latent", shape = [1, 100, 128]}, {dtype = "bf16", name = "v_up", shape = [1, 128, 128]}, {dtype = "f32", name = "cos", shape = [100, 64]}, {dtype = "f32", name = "sin", shape = [100, 64]}, {dtype = "f32", name = "opart", shape = [1, 8, 2, 128]}, {dtype = "f32", name = "ml", shape = [1, 8, 2, 2]}, {dtype = "bf16", name = "o", shape = [1, 8, 1, 64]}]
// CHECK-SAME: d = 64 : i64, dv = 64 : i64, element = "bf16", grid = [2, 2, 1], heads = 8 : i64, k_groups = 1 : i64, kind = "decode", kv_heads = 2 : i64
// CHECK-SAME: launches = [{block = [128, 1, 1], grid = [2, 2, 1], shared_bytes = 57344 : i64, symbol = "linea_l0_dec_latent_b64"}, {block = [256, 1, 1], grid = [8, 1, 1], shared_bytes = 512 : i64, symbol = "linea_l0_dec_latent_b64_combine"}]
// CHECK-SAME: op = "latent_attention", rk = 128 : i64, rope = true, rv = 128 : i64
// CHECK-SAME: splits = 2 : i64
// CHECK-LABEL: gpu.func @linea_l0_dec_latent_b64(
// CHECK-SAME: memref<100x32xvector<2xf32>, #gpu.address_space<global>>
// CHECK-SAME: memref<1x8x2x128xf32, #gpu.address_space<global>>, %{{.*}}: memref<1x8x2x2xf32, #gpu.address_space<global>>
// Prologue: Q, U_hk and the first k_latent tile, then the Q fragments.
// CHECK: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: gpu.barrier
// CHECK-COUNT-4: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<row>
// The tile loop: v_latent rows in flight, then the K rebuild (rk / 16 = 8
// k-steps, two per iteration; D / 16 = 4 U_hk ldmatrix and 8 mma each).
// CHECK: scf.for
// CHECK: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for {{.*}} step %c2_i32
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK: scf.yield
// RoPE: the tables as f32 pairs.
// CHECK: memref.load {{.*}} : memref<100x32xvector<2xf32>, #gpu.address_space<global>>
// CHECK: llvm.intr.fma
// S = Q·Kᵀ: D / 16 × 2 mma.
// CHECK-COUNT-8: nvvm.mma.sync
// Block-wide max, the next k_latent tile, P to shared memory.
// CHECK: gpu.shuffle xor
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK: llvm.nvvm.ex2.approx.ftz.f
// CHECK: llvm.store
// CHECK: nvvm.cp.async.wait.group 1
// CHECK-NEXT: gpu.barrier
// P·v_latent: v_latent fragments transposed.
// CHECK: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<col>
// CHECK: nvvm.mma.sync
// CHECK: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
// CHECK: scf.yield
// Partials: O_lat rows, then (max, sum).
// CHECK: memref.store {{.*}} : memref<1x8x2x128xf32, #gpu.address_space<global>>
// CHECK: memref.store {{.*}} : memref<1x8x2x2xf32, #gpu.address_space<global>>
// CHECK-LABEL: gpu.func @linea_l0_dec_latent_b64_combine(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: scf.for
// CHECK: llvm.intr.maxnum
// CHECK: gpu.barrier
// CHECK: memref.load {{.*}} : memref<1x128x128xbf16, #gpu.address_space<global>>
// CHECK: gpu.shuffle xor
// CHECK: memref.store {{.*}} : memref<1x8x1x64xbf16, #gpu.address_space<global>>
// Without RoPE k_up folds into the queries: q̃ = Q·U_hk once (U_hk
// fragments transposed), q̃ to shared memory, then per tile S = q̃·latentᵀ
// (rk / 16 = 4 k-steps of 2 mma) and no K rebuild loop.
// CHECK-LABEL: gpu.func @linea_l1_nr_latent_b64(
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<col>
// CHECK: nvvm.mma.sync
// CHECK: llvm.store
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK-NOT: step %c2_i32
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK: gpu.shuffle xor
// CHECK-LABEL: gpu.func @linea_l1_nr_latent_b64_combine(
func.func @dec(%q: tensor<1x8x1x64xbf16>, %hk: tensor<1x100x128xbf16>, %uk: tensor<1x128x128xbf16>, %hv: tensor<1x100x128xbf16>, %uv: tensor<1x128x128xbf16>, %cos: tensor<100x64xf32>, %sin: tensor<100x64xf32>) -> tensor<1x8x1x64xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 2 : i64, name = "dec"}
      : (tensor<1x8x1x64xbf16>, tensor<1x100x128xbf16>, tensor<1x128x128xbf16>, tensor<1x100x128xbf16>, tensor<1x128x128xbf16>, tensor<100x64xf32>, tensor<100x64xf32>) -> tensor<1x8x1x64xbf16>
  return %o : tensor<1x8x1x64xbf16>
}

func.func @nr(%q: tensor<1x8x1x64xbf16>, %hk: tensor<1x100x64xbf16>, %uk: tensor<1x128x64xbf16>, %hv: tensor<1x100x128xbf16>, %uv: tensor<1x128x128xbf16>) -> tensor<1x8x1x64xbf16> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv {kv_heads = 2 : i64, name = "nr"}
      : (tensor<1x8x1x64xbf16>, tensor<1x100x64xbf16>, tensor<1x128x64xbf16>, tensor<1x100x128xbf16>, tensor<1x128x128xbf16>) -> tensor<1x8x1x64xbf16>
  return %o : tensor<1x8x1x64xbf16>
}
