// RUN: linea-opt %s --split-input-file --linea-cpu-attention-kernels | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-cpu-attention-kernels="report-skipped=true" 2>&1 | FileCheck %s --check-prefix=SKIP
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm="num-threads=2" | FileCheck %s --check-prefix=LLVM
// (numerics: python/tests/test_sage_attention.py, test_latent_attention.py)

// SageAttention: the kernel quantizes q (scale·log2(e) folded in) and the
// smoothed k to int8 and v to fp8-rounded f32 once, then the tiles take
// the int8 buffers, the per-query and per-key scales and v̄: scores are
// int8 products summed exactly by f32 FMAs (D·127² < 2^24), the running
// max an integer (ceil), P rounded to fp8. The prologue's maxima are
// integer maxima of |x|'s bits.
// CHECK-LABEL: func.func @sage
// CHECK: call @[[KERNEL:__linea_attention_kernel[_0-9]*]](
// CHECK: func.func private @[[KERNEL]](
// CHECK-DAG: memref.alloc({{.*}}) : memref<?x4x?x32xi8>
// CHECK-DAG: memref.alloc({{.*}}) : memref<?x2x?x32xi8>
// CHECK-DAG: memref.alloc({{.*}}) : memref<?x2x?x32xf32>
// CHECK-DAG: memref.alloc({{.*}}) : memref<?x2x32xf32>
// CHECK-DAG: arith.fptosi %{{.*}} : f32 to i8
// CHECK-DAG: arith.maxui %{{.*}} : i32
// CHECK: func.call @[[TILE:__linea_attention_tile[_0-9]*]](
// CHECK: func.func private @[[TILE]](%{{.*}}: memref<?x4x?x32xi8>, %{{.*}}: memref<?x2x?x32xi8>, %{{.*}}: memref<?x2x?x32xf32>, %{{.*}}: memref<?x4x?x32xf32>, %{{.*}}: memref<?x4x?xf32>, %{{.*}}: memref<?x2x?xf32>, %{{.*}}: memref<?x2x32xf32>,
// CHECK: memref.alloca() : memref<32x{{[0-9]+}}xf32>
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: vector.fma %{{.*}} : vector<16xf32>
// CHECK-NOT: arith.muli %{{.*}} : vector<16xi32>
// CHECK: math.ceil %{{.*}} : vector<16xf32>
// CHECK: math.roundeven %{{.*}} : vector<16xf32>
// SKIP-NOT: remark
// LLVM-LABEL: llvm.func @sage(
// LLVM: llvm.call @__linea_attention_kernel
func.func @sage(%q: tensor<?x4x?x32xf32>, %k: tensor<?x2x?x32xf32>, %v: tensor<?x2x?x32xf32>) -> tensor<?x4x?x32xf32> {
  %o = linea.attention %q, %k, %v {causal, quant = #linea.attn_quant<values = fp8_e4m3_smoothed>}
      : (tensor<?x4x?x32xf32>, tensor<?x2x?x32xf32>, tensor<?x2x?x32xf32>) -> tensor<?x4x?x32xf32>
  return %o : tensor<?x4x?x32xf32>
}

// -----

// Palu decode: the latent caches, the up-projections and the RoPE tables
// go to the kernel as buffers; ukᵀ is built once, the tile rebuilds keys
// from the latent (FMA of ukᵀ rows by broadcast latent entries) and the
// output projection reads v_up.
// CHECK-LABEL: func.func @palu
// CHECK: call @[[LK:__linea_latent_attention[_0-9]*]](%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<?x8x1x16xf32>, memref<?x?x24xf32>, memref<2x32x12xf32>, memref<?x?x16xf32>, memref<1x64x16xf32>, memref<?x16xf32>, memref<?x16xf32>, memref<?x8x1x16xf32>) -> ()
// CHECK: func.func private @[[LK]](
// CHECK: memref.alloc() : memref<2x12x32xf32>
// CHECK: func.call @__linea_latent_attention_tile
// CHECK: func.func private @__linea_latent_attention_tile(
// CHECK: memref.alloca() : memref<64x32xf32>
// CHECK: vector.fma
// CHECK-NOT: linalg.
// SKIP-NOT: remark
// LLVM-LABEL: llvm.func @palu
func.func @palu(%q: tensor<?x8x1x16xf32>, %hk: tensor<?x?x24xf32>,
                %uk: tensor<2x32x12xf32>, %hv: tensor<?x?x16xf32>,
                %uv: tensor<1x64x16xf32>, %cos: tensor<?x16xf32>,
                %sin: tensor<?x16xf32>) -> tensor<?x8x1x16xf32> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 4 : i64}
      : (tensor<?x8x1x16xf32>, tensor<?x?x24xf32>, tensor<2x32x12xf32>,
         tensor<?x?x16xf32>, tensor<1x64x16xf32>, tensor<?x16xf32>,
         tensor<?x16xf32>) -> tensor<?x8x1x16xf32>
  return %o : tensor<?x8x1x16xf32>
}

// -----

// Prefill (S ≠ 1) of latent attention has no kernel: reference lowering.
// CHECK-LABEL: func.func @latent_prefill
// CHECK: linea.latent_attention
// SKIP: remark: linea-cpu-attention-kernels: left to the reference lowering: only decode (S = 1, static) has a kernel
func.func @latent_prefill(%q: tensor<1x4x?x16xf32>, %h: tensor<1x?x8xf32>, %u: tensor<1x32x8xf32>) -> tensor<1x4x?x16xf32> {
  %o = linea.latent_attention %q, %h, %u, %h, %u {kv_heads = 2 : i64}
      : (tensor<1x4x?x16xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>, tensor<1x?x8xf32>, tensor<1x32x8xf32>) -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}
