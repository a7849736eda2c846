// linea.attention → FlashAttention-2 style kernels (FlashAttentionKernel.cpp):
// cp.async tiles in padded shared memory, ldmatrix fragments, mma.sync
// m16n8k16 with f32 accumulators, online softmax with ex2.approx, two tile
// loops (unmasked, then masked), and the decode split + combine pair.
// RUN: linea-opt %s --linea-to-gpu="attention-tiles=16x64,32x64" -split-input-file | FileCheck %s
// RUN: linea-opt %s --linea-to-gpu -split-input-file | FileCheck %s --check-prefix=DEFAULT

// Prefill, causal, GQA (g = 2), ragged S = 100 and T = 90, D = 64: two
// variants (16 and 32 query rows per warp); by default one, 32 rows per
// warp and 32 keys per tile.
// DEFAULT: rows_per_warp = 32 : i64, s = 100 : i64, scale = 1.250000e-01 : f32, shared_bytes = 36864 : i64, splits = 1 : i64, symbol = "linea_a0_p_fa_r32b32"
// DEFAULT-NOT: symbol = "linea_a0_p_fa_r
// DEFAULT-LABEL: gpu.func @linea_a0_p_fa_r32b32(
// DEFAULT-LABEL: gpu.func @linea_a0_attn0_fa_r32b32(
// DEFAULT-LABEL: gpu.func @linea_a0_dec_fd_b64(
// CHECK: linea.cuda_kernels = [{
// CHECK-SAME: block_keys = 64 : i64, causal = true, d = 64 : i64, dv = 64 : i64, element = "bf16", grid = [2, 4, 1], heads = 4 : i64, heads_fastest = false, kind = "prefill", kv_heads = 2 : i64, layer = "p", masked = false, op = "attention", rows_per_warp = 16 : i64, s = 100 : i64, scale = 1.250000e-01 : f32, shared_bytes = 46080 : i64
// CHECK-SAME: symbol = "linea_a0_p_fa_r16b64", t = 90 : i64}
// CHECK-SAME: grid = [1, 4, 1]
// CHECK-SAME: rows_per_warp = 32 : i64
// CHECK-SAME: symbol = "linea_a0_p_fa_r32b64"
// CHECK: llvm.mlir.global external @linea_attention_smem() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-LABEL: gpu.func @linea_a0_p_fa_r16b64(
// CHECK-SAME: memref<1x4x100x64xbf16, #gpu.address_space<global>>
// CHECK-SAME: memref<1x4x100x32xvector<2xbf16>, #gpu.address_space<global>>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// Q and tile 0 (rows past S / T zero-filled through the copy size).
// CHECK: llvm.mlir.addressof @linea_attention_smem : !llvm.ptr<3>
// CHECK: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache = cg, %{{.*}} : !llvm.ptr<3>, !llvm.ptr<1>, i32
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: gpu.barrier
// Q fragments stay in registers (D / 16 = 4 ldmatrix.x4).
// CHECK-COUNT-4: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<row>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>
// Unmasked tiles: the next tile is issued before this one is used.
// CHECK: scf.for
// CHECK: scf.if
// CHECK: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// S = Q·Kᵀ: K fragments without transpose.
// CHECK: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<row>
// CHECK: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// Online softmax: quad max, exp2 of the log2e-scaled scores.
// CHECK: gpu.shuffle xor
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK: llvm.intr.fma
// P repacked to bf16 pairs, V fragments transposed.
// CHECK: arith.truncf %{{.*}} : vector<2xf32> to vector<2xbf16>
// CHECK: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<col>
// CHECK: nvvm.mma.sync
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: gpu.barrier
// CHECK: scf.yield
// Masked tiles (diagonal, ragged end): the scores are selected against −inf.
// CHECK: scf.for
// CHECK: arith.cmpi sle
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// CHECK: scf.yield
// Rows past S are not stored.
// CHECK: arith.cmpi slt, %{{.*}}, %c100_i32
// CHECK: memref.store %{{.*}} : memref<1x4x100x32xvector<2xbf16>, #gpu.address_space<global>>
// CHECK-LABEL: gpu.func @linea_a0_p_fa_r32b64(
func.func @prefill(%q: tensor<1x4x100x64xbf16>, %k: tensor<1x2x90x64xbf16>,
                   %v: tensor<1x2x90x64xbf16>) -> tensor<1x4x100x64xbf16> {
  %o = linea.attention %q, %k, %v {causal, name = "p"}
      : (tensor<1x4x100x64xbf16>, tensor<1x2x90x64xbf16>, tensor<1x2x90x64xbf16>) -> tensor<1x4x100x64xbf16>
  return %o : tensor<1x4x100x64xbf16>
}

// -----

// f16 operands are vector<2xf16> for mma.sync.
// CHECK-LABEL: gpu.func @linea_a0_attn0_fa_r16b64(
// CHECK: nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
func.func @prefill_f16(%q: tensor<1x2x64x128xf16>, %k: tensor<1x2x64x128xf16>,
                       %v: tensor<1x2x64x128xf16>) -> tensor<1x2x64x128xf16> {
  %o = linea.attention %q, %k, %v {scale = 0.5 : f32}
      : (tensor<1x2x64x128xf16>, tensor<1x2x64x128xf16>, tensor<1x2x64x128xf16>) -> tensor<1x2x64x128xf16>
  return %o : tensor<1x2x64x128xf16>
}

// -----

// Decode (S = 1, g = 4, T = 1000): one manifest entry, two launches with the
// same arguments: the split kernel (grid = splits × Hkv × B) writing per-warp
// partials, then the combine kernel (one block of D threads per head).
// CHECK: linea.cuda_kernels = [{
// CHECK-SAME: args = [{dtype = "bf16", name = "q", shape = [2, 8, 1, 128]}, {dtype = "bf16", name = "k", shape = [2, 2, 1000, 128]}, {dtype = "bf16", name = "v", shape = [2, 2, 1000, 128]}, {dtype = "f32", name = "opart", shape = [2, 8, 64, 128]}, {dtype = "f32", name = "ml", shape = [2, 8, 64, 2]}, {dtype = "bf16", name = "o", shape = [2, 8, 1, 128]}]
// CHECK-SAME: kind = "decode"
// CHECK-SAME: launches = [{block = [128, 1, 1], grid = [16, 2, 2], shared_bytes = 73984 : i64, symbol = "linea_a0_dec_fd_b64"}, {block = [128, 1, 1], grid = [8, 2, 1], shared_bytes = 0 : i64, symbol = "linea_a0_dec_fd_b64_combine"}]
// CHECK-SAME: splits = {{[0-9]+}} : i64
// CHECK-LABEL: gpu.func @linea_a0_dec_fd_b64(
// CHECK: nvvm.cp.async.shared.global
// CHECK: nvvm.mma.sync
// CHECK: memref.store %{{.*}} : memref<2x8x64x128xf32, #gpu.address_space<global>>
// CHECK: memref.store %{{.*}} : memref<2x8x64x2xf32, #gpu.address_space<global>>
// One pass over the 64 partials, 8 per step with their loads first.
// CHECK-LABEL: gpu.func @linea_a0_dec_fd_b64_combine(
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c8
// CHECK-COUNT-24: memref.load
// CHECK: llvm.intr.maxnum
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK: arith.divf
// CHECK: memref.store %{{.*}} : memref<2x8x1x128xbf16, #gpu.address_space<global>>
func.func @decode(%q: tensor<2x8x1x128xbf16>, %k: tensor<2x2x1000x128xbf16>,
                  %v: tensor<2x2x1000x128xbf16>) -> tensor<2x8x1x128xbf16> {
  %o = linea.attention %q, %k, %v {name = "dec"}
      : (tensor<2x8x1x128xbf16>, tensor<2x2x1000x128xbf16>, tensor<2x2x1000x128xbf16>) -> tensor<2x8x1x128xbf16>
  return %o : tensor<2x8x1x128xbf16>
}

// -----

// Additive mask [1, 1, S, T] in f32, even T: read as vector<2xf32> pairs
// (the kernel argument after v), loaded before Q·Kᵀ, folded in with one FMA
// in log2 units (scores · scale·log2e + mask · log2e), in both tile loops.
// CHECK-LABEL: linea.cuda_kernels
// CHECK-SAME: {dtype = "f32", name = "mask", shape = [1, 1, 100, 90]}
// CHECK-SAME: grid = [2, 2, 1], heads = 2 : i64, heads_fastest = false
// CHECK-SAME: masked = true
// CHECK-SAME: grid = [2, 2, 1], heads = 2 : i64, heads_fastest = true
// CHECK-SAME: symbol = "linea_a0_m_fa_r16b64_hx"
// CHECK-LABEL: gpu.func @linea_a0_m_fa_r16b64(
// CHECK-SAME: %{{.*}}: memref<1x1x100x45xvector<2xf32>, #gpu.address_space<global>>, %{{.*}}: memref<1x2x100x32xvector<2xbf16>
// CHECK: scf.for
// CHECK: memref.load %{{.*}} : memref<1x1x100x45xvector<2xf32>, #gpu.address_space<global>>
// CHECK: nvvm.mma.sync
// CHECK: llvm.intr.fma(%{{.*}}, %cst{{.*}}, %{{.*}})  : (f32, f32, f32) -> f32
// CHECK: scf.for
// CHECK: memref.load %{{.*}} : memref<1x1x100x45xvector<2xf32>, #gpu.address_space<global>>
// A mask broadcast over heads: each variant also in head-fastest order.
// CHECK-LABEL: gpu.func @linea_a0_m_fa_r16b64_hx(
// CHECK-LABEL: gpu.func @linea_a0_m_fa_r32b64(
// CHECK-LABEL: gpu.func @linea_a0_m_fa_r32b64_hx(
func.func @masked(%q: tensor<1x2x100x64xbf16>, %k: tensor<1x2x90x64xbf16>,
                  %v: tensor<1x2x90x64xbf16>, %m: tensor<1x1x100x90xf32>)
    -> tensor<1x2x100x64xbf16> {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "m"}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x90x64xbf16>, tensor<1x2x90x64xbf16>, tensor<1x1x100x90xf32>) -> tensor<1x2x100x64xbf16>
  return %o : tensor<1x2x100x64xbf16>
}

// -----

// Odd T: the mask is read element by element (bf16, extended to f32);
// decode takes it as its fourth argument too, combine included.
// CHECK-LABEL: linea.cuda_kernels
// CHECK-SAME: {dtype = "bf16", name = "mask", shape = [2, 1, 1, 77]}
// CHECK-SAME: kind = "decode"
// CHECK-LABEL: gpu.func @linea_a0_md_fd_b64(
// CHECK-SAME: %{{.*}}: memref<2x1x1x77xbf16, #gpu.address_space<global>>, %{{.*}}: memref<2x8x
// The mask is shared by the thread's two rows (heads): 4 loads per tile (2
// n-tiles × 2 keys), in each of the two tile loops.
// CHECK-COUNT-8: memref.load %{{.*}} : memref<2x1x1x77xbf16, #gpu.address_space<global>>
// CHECK-NOT: memref.load %{{.*}} : memref<2x1x1x77xbf16
// CHECK-LABEL: gpu.func @linea_a0_md_fd_b64_combine(
// CHECK-SAME: memref<2x1x1x77xbf16, #gpu.address_space<global>>
func.func @masked_decode(%q: tensor<2x8x1x64xbf16>, %k: tensor<2x2x77x64xbf16>,
                         %v: tensor<2x2x77x64xbf16>, %m: tensor<2x1x1x77xbf16>)
    -> tensor<2x8x1x64xbf16> {
  %o = linea.attention %q, %k, %v mask %m {name = "md"}
      : (tensor<2x8x1x64xbf16>, tensor<2x2x77x64xbf16>, tensor<2x2x77x64xbf16>, tensor<2x1x1x77xbf16>) -> tensor<2x8x1x64xbf16>
  return %o : tensor<2x8x1x64xbf16>
}

// -----

// D = 256: one m-tile per warp and at most 32 keys per tile whatever
// attention-tiles asks (16x64 and 32x64 both give r16b32); Q fragments are
// re-read from shared memory (16 ldmatrix.x4 per key block).
// CHECK-LABEL: linea.cuda_kernels
// CHECK-SAME: d = 256 : i64, dv = 256 : i64
// CHECK-SAME: shared_bytes = 101376 : i64
// CHECK-NOT: _fa_r32
// CHECK-NOT: _fa_r16b64
// CHECK-LABEL: gpu.func @linea_a0_w_fa_r16b32(
// CHECK-NOT: gpu.func @linea_a0_w_fa_r32
func.func @d256(%q: tensor<1x2x64x256xbf16>, %k: tensor<1x2x64x256xbf16>,
                %v: tensor<1x2x64x256xbf16>) -> tensor<1x2x64x256xbf16> {
  %o = linea.attention %q, %k, %v {name = "w"}
      : (tensor<1x2x64x256xbf16>, tensor<1x2x64x256xbf16>, tensor<1x2x64x256xbf16>) -> tensor<1x2x64x256xbf16>
  return %o : tensor<1x2x64x256xbf16>
}

// -----

// D = 96: 12 16-byte chunks per row, which 128 threads do not divide (row and
// column of each chunk by division); Dv = 32 != D: o is [B, H, S, Dv].
// CHECK-LABEL: linea.cuda_kernels
// CHECK-SAME: d = 96 : i64, dv = 32 : i64
// CHECK-LABEL: gpu.func @linea_a0_n_fa_r16b64(
// CHECK-SAME: memref<1x2x50x96xbf16, #gpu.address_space<global>>, %{{.*}}: memref<1x2x70x96xbf16, #gpu.address_space<global>>, %{{.*}}: memref<1x2x70x32xbf16, #gpu.address_space<global>>, %{{.*}}: memref<1x2x50x16xvector<2xbf16>, #gpu.address_space<global>>)
// CHECK: arith.divui %{{.*}}, %c12_i32
func.func @d96_dv32(%q: tensor<1x2x50x96xbf16>, %k: tensor<1x2x70x96xbf16>,
                    %v: tensor<1x2x70x32xbf16>) -> tensor<1x2x50x32xbf16> {
  %o = linea.attention %q, %k, %v {name = "n"}
      : (tensor<1x2x50x96xbf16>, tensor<1x2x70x96xbf16>, tensor<1x2x70x32xbf16>) -> tensor<1x2x50x32xbf16>
  return %o : tensor<1x2x50x32xbf16>
}
