// RUN: linea-opt %s --linea-to-gpu -split-input-file | FileCheck %s
// RUN: linea-opt %s --linea-to-gpu="scan-chunk=100000 rows-per-lane=4,8" -split-input-file | FileCheck %s --check-prefix=VARIANTS
// RUN: linea-opt %s --linea-to-gpu="scan-chunk=64" -split-input-file | FileCheck %s --check-prefix=CHUNK

// selective_scan with few channels (B·D = 320) and T = 200: chunked into
// 64-step chunks (the last one partial) over grid.y, three launches with
// one argument list (workspaces before the results). Thread = channel d;
// B/C rows as 16-byte vectors; exp(ΔA) as ex2.approx.ftz, log as lg2.approx.
// CHECK: linea.cuda_kernels = [{args = [{dtype = "bf16", name = "u", shape = [2, 200, 160]}, {dtype = "bf16", name = "delta", shape = [2, 200, 160]}, {dtype = "f32", name = "A", shape = [160, 16]}, {dtype = "bf16", name = "B", shape = [2, 200, 16]}, {dtype = "bf16", name = "C", shape = [2, 200, 16]}, {dtype = "f32", name = "D_skip", shape = [160]}, {dtype = "bf16", name = "z", shape = [2, 200, 160]}, {dtype = "f32", name = "delta_bias", shape = [160]}, {dtype = "f32", name = "ws_state", shape = [2, 4, 16, 160]}, {dtype = "f32", name = "ws_decay", shape = [2, 4, 160]}, {dtype = "f32", name = "final_state", shape = [2, 160, 16]}, {dtype = "bf16", name = "y", shape = [2, 200, 160]}]
// CHECK-SAME: chunk_len = 64 : i64, chunks = 4 : i64, delta_softplus = true, dims = [2, 200, 160, 16]
// CHECK-SAME: launches = [{block = [128, 1, 1], grid = [2, 4, 2], shared_bytes = 0 : i64, symbol = "linea_s0_ssm_p1"}, {block = [128, 1, 1], grid = [2, 16, 2], shared_bytes = 0 : i64, symbol = "linea_s0_ssm_p2"}, {block = [128, 1, 1], grid = [2, 4, 2], shared_bytes = 0 : i64, symbol = "linea_s0_ssm_p3"}]
// CHECK-SAME: op = "selective_scan"
// CHECK-LABEL: gpu.func @linea_s0_ssm_p1(
// CHECK-SAME: memref<2x200x2xvector<8xbf16>, #gpu.address_space<global>>
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// Chunk summary: unrolled steps, loads first, then the recurrence.
// CHECK: scf.for %{{.*}} step %c4
// CHECK-COUNT-4: memref.load %{{.*}} : memref<2x200x160xbf16, #gpu.address_space<global>>
// CHECK: llvm.call_intrinsic "llvm.nvvm.lg2.approx.ftz.f"
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK: llvm.intr.fma
// End state per (n, d) and Σ Δ per d.
// CHECK: memref.store %{{.*}} : memref<2x4x16x160xf32, #gpu.address_space<global>>
// CHECK: memref.store %{{.*}} : memref<2x4x160xf32, #gpu.address_space<global>>
// CHECK-LABEL: gpu.func @linea_s0_ssm_p2(
// Carry: state entering each chunk written over the summary, final state.
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c8
// CHECK: memref.store %{{.*}} : memref<2x4x16x160xf32, #gpu.address_space<global>>
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK: memref.store %{{.*}} : memref<2x160x16xf32, #gpu.address_space<global>>
// CHECK-LABEL: gpu.func @linea_s0_ssm_p3(
// CHECK: memref.load %{{.*}} : memref<2x4x16x160xf32, #gpu.address_space<global>>
// Gate: y·z / (1 + e^−z).
// CHECK: arith.divf %{{.*}}, %{{.*}} fastmath<afn> : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: memref.store %{{.*}} : memref<2x200x160xbf16, #gpu.address_space<global>>
// One pass when the chunk covers T: no workspaces, final state from the kernel.
// VARIANTS: chunk_len = 200 : i64, chunks = 1 : i64
// VARIANTS-SAME: launches = [{block = [128, 1, 1], grid = [2, 1, 2], shared_bytes = 0 : i64, symbol = "linea_s0_ssm"}]
// VARIANTS-LABEL: gpu.func @linea_s0_ssm(
// VARIANTS-NOT: gpu.func
// VARIANTS: memref.store %{{.*}} : memref<2x200x160xbf16, #gpu.address_space<global>>
// VARIANTS: memref.store %{{.*}} : memref<2x160x16xf32, #gpu.address_space<global>>
func.func @ssm(%u: tensor<2x200x160xbf16>, %dt: tensor<2x200x160xbf16>, %A: tensor<160x16xf32>,
               %B: tensor<2x200x16xbf16>, %C: tensor<2x200x16xbf16>, %D: tensor<160xf32>,
               %z: tensor<2x200x160xbf16>, %db: tensor<160xf32>)
    -> (tensor<2x200x160xbf16>, tensor<2x160x16xf32>) {
  %y, %h = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db {delta_softplus, name = "ssm"}
      : (tensor<2x200x160xbf16>, tensor<2x200x160xbf16>, tensor<160x16xf32>, tensor<2x200x16xbf16>,
         tensor<2x200x16xbf16>, tensor<160xf32>, tensor<2x200x160xbf16>, tensor<160xf32>)
      -> (tensor<2x200x160xbf16>, tensor<2x160x16xf32>)
  return %y, %h : tensor<2x200x160xbf16>, tensor<2x160x16xf32>
}

// -----

// linear_scan: summaries (∏ a, end state), carry, apply; 8 steps' loads
// issued together.
// CHECK: args = [{dtype = "f32", name = "a", shape = [3, 777, 100]}, {dtype = "f32", name = "b", shape = [3, 777, 100]}, {dtype = "f32", name = "initial_state", shape = [3, 100]}, {dtype = "f32", name = "ws_state", shape = [3, 13, 100]}, {dtype = "f32", name = "ws_decay", shape = [3, 13, 100]}, {dtype = "f32", name = "h", shape = [3, 777, 100]}]
// CHECK-SAME: chunk_len = 64 : i64, chunks = 13 : i64
// CHECK-SAME: op = "linear_scan"
// CHECK-LABEL: gpu.func @linea_s0_lru_p1(
// CHECK: scf.for %{{.*}} step %c8
// CHECK-COUNT-16: memref.load
// CHECK: llvm.intr.fma
// CHECK: arith.mulf
// CHECK-LABEL: gpu.func @linea_s0_lru_p2(
// CHECK: memref.load %{{.*}} : memref<3x100xf32, #gpu.address_space<global>>
// CHECK-LABEL: gpu.func @linea_s0_lru_p3(
// CHECK: memref.store %{{.*}} : memref<3x777x100xf32, #gpu.address_space<global>>
// VARIANTS: chunk_len = 777 : i64, chunks = 1 : i64
// VARIANTS-LABEL: gpu.func @linea_s0_lru(
func.func @lru(%a: tensor<3x777x100xf32>, %b: tensor<3x777x100xf32>, %h0: tensor<3x100xf32>)
    -> tensor<3x777x100xf32> {
  %h = linea.linear_scan %a, %b initial_state %h0 {name = "lru"}
      : (tensor<3x777x100xf32>, tensor<3x777x100xf32>, tensor<3x100xf32>) -> tensor<3x777x100xf32>
  return %h : tensor<3x777x100xf32>
}

// -----

// GLA: block (b·H + h, column tile of 16), 8 lanes × 8 rows per column;
// q, k, exp(g) staged in shared memory ([t][lane][8 + 4] floats), the next
// tile's loads issued before the current tile's steps; xor shuffles over the
// 8 lanes of a column; outputs collected in shared memory.
// CHECK: args = [{dtype = "bf16", name = "q", shape = [1, 2, 50, 64]}, {dtype = "bf16", name = "k", shape = [1, 2, 50, 64]}, {dtype = "bf16", name = "v", shape = [1, 2, 50, 32]}, {dtype = "f32", name = "g", shape = [1, 2, 50, 64]}, {dtype = "f32", name = "initial_state", shape = [1, 2, 64, 32]}, {dtype = "f32", name = "final_state", shape = [1, 2, 64, 32]}, {dtype = "bf16", name = "o", shape = [1, 2, 50, 32]}]
// CHECK-SAME: launches = [{block = [128, 1, 1], grid = [2, 2, 1], shared_bytes = 0 : i64, symbol = "linea_s0_gla"}]
// CHECK-SAME: op = "gated_linear_attention", rows_per_lane = 8 : i64, scale = 1.250000e-01 : f32, shared_bytes = 0 : i64, steps_per_tile = 16 : i64
// CHECK-LABEL: gpu.func @linea_s0_gla(
// CHECK-SAME: memref<1x2x50x16xvector<4xbf16>, #gpu.address_space<global>>
// CHECK-SAME: workgroup(%{{.*}} : memref<16x8x3xvector<4xf32>, #gpu.address_space<workgroup>>
// CHECK: scf.for
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK: gpu.barrier
// CHECK: vector.fma
// CHECK: gpu.shuffle  xor %{{.*}}, %c4_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}} : memref<1x2x50x32xbf16, #gpu.address_space<global>>
// CHECK: memref.store %{{.*}} : memref<1x2x64x32xf32, #gpu.address_space<global>>
// VARIANTS-LABEL: gpu.func @linea_s0_gla_r4(
// VARIANTS-SAME: workgroup(%{{.*}} : memref<16x16x2xvector<4xf32>, #gpu.address_space<workgroup>>
// VARIANTS-LABEL: gpu.func @linea_s0_gla_r8(
func.func @gla(%q: tensor<1x2x50x64xbf16>, %k: tensor<1x2x50x64xbf16>, %v: tensor<1x2x50x32xbf16>,
               %g: tensor<1x2x50x64xf32>, %s0: tensor<1x2x64x32xf32>)
    -> (tensor<1x2x50x32xbf16>, tensor<1x2x64x32xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {name = "gla"}
      : (tensor<1x2x50x64xbf16>, tensor<1x2x50x64xbf16>, tensor<1x2x50x32xbf16>, tensor<1x2x50x64xf32>,
         tensor<1x2x64x32xf32>) -> (tensor<1x2x50x32xbf16>, tensor<1x2x64x32xf32>)
  return %o, %s : tensor<1x2x50x32xbf16>, tensor<1x2x64x32xf32>
}

// -----

// Delta rule: k·S reduced across the lanes before the update, then q·S.
// Dv = 20 with 2 lanes per column: 40 threads, rounded up to 64.
// CHECK: args = [{dtype = "f16", name = "q", shape = [2, 3, 33, 16]}, {dtype = "f16", name = "k", shape = [2, 3, 33, 16]}, {dtype = "f16", name = "v", shape = [2, 3, 33, 20]}, {dtype = "f32", name = "beta", shape = [2, 3, 33]}, {dtype = "f32", name = "final_state", shape = [2, 3, 16, 20]}, {dtype = "f16", name = "o", shape = [2, 3, 33, 20]}]
// CHECK-SAME: launches = [{block = [64, 1, 1], grid = [6, 1, 1], shared_bytes = 0 : i64, symbol = "linea_s0_delta"}]
// CHECK-LABEL: gpu.func @linea_s0_delta(
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK: arith.subf
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
func.func @delta(%q: tensor<2x3x33x16xf16>, %k: tensor<2x3x33x16xf16>, %v: tensor<2x3x33x20xf16>,
                 %beta: tensor<2x3x33xf32>) -> (tensor<2x3x33x20xf16>, tensor<2x3x16x20xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta"}
      : (tensor<2x3x33x16xf16>, tensor<2x3x33x16xf16>, tensor<2x3x33x20xf16>, tensor<2x3x33xf32>)
      -> (tensor<2x3x33x20xf16>, tensor<2x3x16x20xf32>)
  return %o, %s : tensor<2x3x33x20xf16>, tensor<2x3x16x20xf32>
}

// -----

// Causal linear attention: φ applied once when staging; numerator and
// denominator reduced, then divided.
// CHECK: epsilon = 9.99999997E-7 : f32, feature_map = "elu_plus_one"
// CHECK-SAME: op = "linear_attention"
// CHECK-LABEL: gpu.func @linea_s0_la(
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.divf
func.func @la(%q: tensor<1x2x50x64xf32>, %k: tensor<1x2x50x64xf32>, %v: tensor<1x2x50x64xf32>)
    -> tensor<1x2x50x64xf32> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "la"}
      : (tensor<1x2x50x64xf32>, tensor<1x2x50x64xf32>, tensor<1x2x50x64xf32>) -> tensor<1x2x50x64xf32>
  return %o : tensor<1x2x50x64xf32>
}

// -----

// GLA over T = 300: one pass by default; with scan-chunk=64, T chunked (the
// last chunk 44 steps) like a diagonal scan: p1 summarises each chunk
// (state from zero, ∏ exp(g) per row), p2 carries per state element (b·h on
// grid.y), p3 re-runs each chunk from its entering state.
// CHUNK: args = [{dtype = "bf16", name = "q", shape = [1, 2, 300, 64]}, {dtype = "bf16", name = "k", shape = [1, 2, 300, 64]}, {dtype = "bf16", name = "v", shape = [1, 2, 300, 32]}, {dtype = "f32", name = "g", shape = [1, 2, 300, 64]}, {dtype = "f32", name = "ws_state", shape = [1, 2, 5, 64, 32]}, {dtype = "f32", name = "ws_decay", shape = [1, 2, 5, 64]}, {dtype = "f32", name = "final_state", shape = [1, 2, 64, 32]}, {dtype = "bf16", name = "o", shape = [1, 2, 300, 32]}]
// CHUNK-SAME: chunk_len = 64 : i64, chunks = 5 : i64
// CHUNK-SAME: launches = [{block = [128, 1, 1], grid = [2, 2, 5], shared_bytes = 0 : i64, symbol = "linea_s0_gla_long_p1"}, {block = [128, 1, 1], grid = [16, 2, 1], shared_bytes = 0 : i64, symbol = "linea_s0_gla_long_p2"}, {block = [128, 1, 1], grid = [2, 2, 5], shared_bytes = 0 : i64, symbol = "linea_s0_gla_long_p3"}]
// CHUNK-LABEL: gpu.func @linea_s0_gla_long_p1(
// CHUNK: gpu.barrier
// CHUNK: memref.store %{{.*}} : memref<1x2x5x64x32xf32, #gpu.address_space<global>>
// CHUNK: memref.store %{{.*}} : memref<1x2x5x64xf32, #gpu.address_space<global>>
// CHUNK-LABEL: gpu.func @linea_s0_gla_long_p2(
// CHUNK: memref.load %{{.*}} : memref<1x2x5x64xf32, #gpu.address_space<global>>
// CHUNK: llvm.intr.fma
// CHUNK: memref.store %{{.*}} : memref<1x2x64x32xf32, #gpu.address_space<global>>
// CHUNK-LABEL: gpu.func @linea_s0_gla_long_p3(
// CHUNK: memref.load %{{.*}} : memref<1x2x5x64x32xf32, #gpu.address_space<global>>
// CHUNK: memref.store %{{.*}} : memref<1x2x300x32xbf16, #gpu.address_space<global>>
// CHECK: chunk_len = 300 : i64, chunks = 1 : i64
// CHECK-LABEL: gpu.func @linea_s0_gla_long(
// CHECK-NOT: gpu.func
// VARIANTS-LABEL: gpu.func @linea_s0_gla_long_r8(
func.func @gla_long(%q: tensor<1x2x300x64xbf16>, %k: tensor<1x2x300x64xbf16>, %v: tensor<1x2x300x32xbf16>,
                    %g: tensor<1x2x300x64xf32>) -> (tensor<1x2x300x32xbf16>, tensor<1x2x64x32xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g {name = "gla_long"}
      : (tensor<1x2x300x64xbf16>, tensor<1x2x300x64xbf16>, tensor<1x2x300x32xbf16>, tensor<1x2x300x64xf32>)
      -> (tensor<1x2x300x32xbf16>, tensor<1x2x64x32xf32>)
  return %o, %s : tensor<1x2x300x32xbf16>, tensor<1x2x64x32xf32>
}
