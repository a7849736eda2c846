// RUN: linea-opt %s --split-input-file --linea-cpu-attention-kernels="num-threads=2" | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-cpu-attention-kernels | FileCheck %s --check-prefix=SERIAL
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm="num-threads=2" | FileCheck %s --check-prefix=LLVM
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm="attention-kernels=false" | FileCheck %s --check-prefix=REF
// (numerics: python/tests/test_attention_kernels.py)

// Grouped-query causal attention in bf16 with a per-head [B, H, S, T] mask,
// B, S and T dynamic: the op becomes a call on buffers. The kernel picks a
// row tiling at run time: S = 1 (decode: products along D and Dv for the 4
// heads of a kv head), S ≥ 16 queries (prefill: 64 rows = 16 queries × 4
// heads on the lanes) or fewer (16 rows). Each splits the keys among tasks
// when they are few, runs the tiles in an scf.parallel and merges the
// splits in another. The tile functions' scratch is static stack memory
// (Qᵀ, Sᵀ and Oᵀ of 64 rows, the 64-key K and V blocks widened to f32): no
// S×T buffer, no tensor or linalg op, exp as a polynomial.
// CHECK-LABEL: func.func @gqa_causal
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x8x?x64xbf16> to memref<?x8x?x64xbf16>
// CHECK-DAG: %[[K:.*]] = bufferization.to_buffer %arg1 read_only : tensor<?x2x?x64xbf16> to memref<?x2x?x64xbf16>
// CHECK-DAG: %[[V:.*]] = bufferization.to_buffer %arg2 read_only : tensor<?x2x?x64xbf16> to memref<?x2x?x64xbf16>
// CHECK-DAG: %[[M:.*]] = bufferization.to_buffer %arg3 read_only : tensor<?x8x?x?xf32> to memref<?x8x?x?xf32>
// CHECK: %[[MC:.*]] = memref.cast %[[M]] : memref<?x8x?x?xf32> to memref<?x?x?x?xf32>
// CHECK: %[[O:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x8x?x64xbf16>
// CHECK: call @[[KERNEL:__linea_attention_kernel[_0-9]*]](%[[Q]], %[[K]], %[[V]], %[[MC]], %[[O]])
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[O]] restrict writable
// CHECK: return %[[T]]
// CHECK: func.func private @[[KERNEL]](
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %{{.*}}, %c1 : index
// CHECK: scf.if %[[ONE]]
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) =
// CHECK: func.call @[[DECODE:__linea_attention_tile[_0-9]*]](
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) =
// CHECK: func.call @__linea_attention_merge
// CHECK: %[[PREFILL:.*]] = arith.cmpi sge, %{{.*}}, %c16 : index
// CHECK: scf.if %[[PREFILL]]
// CHECK: func.call @[[BIG:__linea_attention_tile[_0-9]*]](
// CHECK: func.call @__linea_attention_tile_2(
// CHECK: func.func private @[[DECODE]](
// CHECK-NOT: tensor.
// CHECK-NOT: linalg.
// CHECK-NOT: math.exp
// CHECK-DAG: memref.alloca() : memref<4x64xf32>
// CHECK-DAG: memref.alloca() : memref<64x16xf32>
// CHECK: vector.load %{{.*}} : memref<?x2x?x64xbf16>, vector<16xbf16>
// CHECK: vector.fma %{{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>, %{{.*}} : vector<16xf32> into f32
// CHECK: func.func private @[[BIG]](
// CHECK-NOT: tensor.
// CHECK-NOT: linalg.
// CHECK-NOT: math.exp
// CHECK-DAG: memref.alloca() : memref<64x64xf32>
// CHECK-DAG: memref.alloca() : memref<64xf32>
// CHECK: vector.load %{{.*}} : memref<?x2x?x64xbf16>, vector<16xbf16>
// CHECK: arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: vector.fma %{{.*}} : vector<16xf32>
// CHECK: vector.gather
// CHECK: arith.cmpi sle, %{{.*}} : vector<16xindex>
// CHECK: arith.maximumf %{{.*}} : vector<16xf32>
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: func.func private @__linea_attention_merge
// CHECK-NOT: linalg.
// CHECK: func.func private @__linea_attention_tile_2(
// CHECK-DAG: memref.alloca() : memref<64x16xf32>
// CHECK-DAG: memref.alloca() : memref<16xf32>
// One thread: plain loops.
// SERIAL-LABEL: func.func @gqa_causal
// SERIAL-NOT: scf.parallel
// The JIT pipeline runs the kernel on OpenMP threads; the reference
// lowering materialises the scores.
// LLVM-LABEL: llvm.func @gqa_causal
// LLVM: llvm.call @__linea_attention_kernel
// LLVM: omp.parallel
// REF-LABEL: llvm.func @gqa_causal
// REF-NOT: __linea_attention
func.func @gqa_causal(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x2x?x64xbf16>, %v: tensor<?x2x?x64xbf16>, %m: tensor<?x8x?x?xf32>) -> tensor<?x8x?x64xbf16> {
  %o = linea.attention %q, %k, %v mask %m {causal} : (tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x8x?x?xf32>) -> tensor<?x8x?x64xbf16>
  return %o : tensor<?x8x?x64xbf16>
}

// -----

// Static decode (S = 1) in f32, 4 query heads per kv head: only the decode
// tiling. K and V rows are read in place as vectors along D (no widened
// copies, no transposed scratch), one lane reduction per score; the
// per-head mask is a scalar per (head, key).
// CHECK-LABEL: func.func @decode
// CHECK: call @[[KERNEL:__linea_attention_kernel[_0-9]*]](
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x8x1x128xf32>,
// CHECK-NOT: arith.cmpi eq, %{{.*}}, %c1 : index
// CHECK: %[[WORTH:.*]] = arith.cmpi sge, %{{.*}}, %c1048576 : index
// CHECK: scf.if %[[WORTH]]
// CHECK: scf.parallel
// CHECK: func.func private @__linea_attention_tile(
// CHECK-NOT: vector.gather
// CHECK-NOT: memref<64x128xf32>
// CHECK: memref.alloca() : memref<4x128xf32>
// CHECK: vector.load %{{.*}} : memref<?x2x?x128xf32>, vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK: memref.load %{{.*}} : memref<?xf32>
// SERIAL-LABEL: func.func @decode
func.func @decode(%q: tensor<2x8x1x128xf32>, %k: tensor<2x2x?x128xf32>, %v: tensor<2x2x?x128xf32>, %m: tensor<2x8x1x?xf32>) -> tensor<2x8x1x128xf32> {
  %o = linea.attention %q, %k, %v mask %m : (tensor<2x8x1x128xf32>, tensor<2x2x?x128xf32>, tensor<2x2x?x128xf32>, tensor<2x8x1x?xf32>) -> tensor<2x8x1x128xf32>
  return %o : tensor<2x8x1x128xf32>
}
