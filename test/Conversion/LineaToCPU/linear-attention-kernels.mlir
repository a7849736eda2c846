// RUN: linea-opt %s --split-input-file --linea-cpu-linear-attention-kernels | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-cpu-linear-attention-kernels="num-threads=2 recurrent-max-t=0" | FileCheck %s --check-prefix=OPTS
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// Each op becomes a call on buffers (operands read-only, fresh result
// buffers) to a private kernel whose B, H and T are dynamic: an
// scf.parallel over (batch, head) workers, a branch between the recurrent
// form (T ≤ recurrent-max-t) and chunks of 64 tokens, bf16 widened on load
// and rounded once on store, f32 vector FMAs, and exp as a polynomial.
// (numerics: python/tests/test_linear_attention_kernels.py)
// CHECK-LABEL: func.func @gla
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x4x?x64xbf16> to memref<?x4x?x64xbf16>
// CHECK-DAG: %[[S0:.*]] = bufferization.to_buffer %arg4 read_only : tensor<?x4x64x128xf32> to memref<?x4x64x128xf32>
// CHECK: %[[O:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x4x?x128xbf16>
// CHECK: %[[ST:.*]] = memref.alloc(%{{.*}}) : memref<?x4x64x128xf32>
// CHECK: call @[[KERNEL:__linea_gla_kernel[_0-9]*]](
// CHECK-DAG: bufferization.to_tensor %[[O]] restrict writable
// CHECK-DAG: bufferization.to_tensor %[[ST]] restrict writable
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x?x?x64xbf16>, %{{.*}}: memref<?x?x?x64xbf16>, %{{.*}}: memref<?x?x?x128xbf16>, %{{.*}}: memref<?x?x?x64xf32>, %{{.*}}: memref<?x?x64x128xf32>, %{{.*}}: memref<?x?x?x128xbf16>, %{{.*}}: memref<?x?x64x128xf32>)
// CHECK-NOT: math.exp
// CHECK: memref.alloc(%{{.*}}) : memref<?x65x64xf32>
// CHECK: scf.parallel
// CHECK: arith.cmpi ule, %{{.*}}, %c16
// CHECK: arith.ceildivui %{{.*}}, %c64
// CHECK: arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: vector.fma %{{.*}} : vector<16xf32>
// CHECK: arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// OPTS-LABEL: func.func @gla
// OPTS: func.func private @__linea_gla_kernel
// OPTS: arith.minui %{{.*}}, %c2
// OPTS: scf.parallel
// OPTS-NOT: arith.cmpi ule
// OPTS: arith.ceildivui
// LLVM-LABEL: llvm.func @gla
// LLVM: llvm.call @__linea_gla_kernel
func.func @gla(%q: tensor<?x4x?x64xbf16>, %k: tensor<?x4x?x64xbf16>, %v: tensor<?x4x?x128xbf16>, %g: tensor<?x4x?x64xf32>, %s0: tensor<?x4x64x128xf32>) -> (tensor<?x4x?x128xbf16>, tensor<?x4x64x128xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {scale = 1.250000e-01 : f32} : (tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16>, tensor<?x4x?x128xbf16>, tensor<?x4x?x64xf32>, tensor<?x4x64x128xf32>) -> (tensor<?x4x?x128xbf16>, tensor<?x4x64x128xf32>)
  return %o, %s : tensor<?x4x?x128xbf16>, tensor<?x4x64x128xf32>
}

// -----

// The delta rule: static shapes become the kernel's dynamic B, H, T; the
// forward substitution is a loop over the rows of the chunk whose inner
// loop runs to the row.
// CHECK-LABEL: func.func @delta
// CHECK: memref.alloc() : memref<2x4x100x32xf32>
// CHECK: memref.alloc() : memref<2x4x32x32xf32>
// CHECK: call @[[KERNEL:__linea_delta_rule[_0-9]*]](
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x?x?x32xf32>, %{{.*}}: memref<?x?x?x32xf32>, %{{.*}}: memref<?x?x?x32xf32>, %{{.*}}: memref<?x?x?xf32>, %{{.*}}: memref<?x?x?x32xf32>, %{{.*}}: memref<?x?x32x32xf32>)
// CHECK: scf.parallel
// CHECK: scf.for %[[J:.*]] = %c0 to %c64 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %[[J]] step %c1 iter_args
// CHECK: arith.negf
// CHECK: vector.fma
// LLVM-LABEL: llvm.func @delta
// LLVM: llvm.call @__linea_delta_rule
func.func @delta(%q: tensor<2x4x100x32xf32>, %k: tensor<2x4x100x32xf32>, %v: tensor<2x4x100x32xf32>, %beta: tensor<2x4x100xf32>) -> (tensor<2x4x100x32xf32>, tensor<2x4x32x32xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta : (tensor<2x4x100x32xf32>, tensor<2x4x100x32xf32>, tensor<2x4x100x32xf32>, tensor<2x4x100xf32>) -> (tensor<2x4x100x32xf32>, tensor<2x4x32x32xf32>)
  return %o, %s : tensor<2x4x100x32xf32>, tensor<2x4x32x32xf32>
}

// -----

// linear_attention, causal and not: two ops of different forms get two
// kernels; the non-causal one has no recurrent branch (it reads every key
// before any output) and divides by φ(q)·z + ε.
// CHECK-LABEL: func.func @linear
// CHECK: call @[[CAUSAL:__linea_linear_attention[_0-9]*]](
// CHECK: call @[[FULL:__linea_linear_attention[_0-9]*]](
// CHECK: func.func private @[[CAUSAL]](
// CHECK: arith.cmpi ule
// CHECK: arith.divf
// CHECK: func.func private @[[FULL]](
// CHECK-NOT: arith.cmpi ule
// CHECK: arith.divf
// LLVM-LABEL: llvm.func @linear
// LLVM-COUNT-2: llvm.call @__linea_linear_attention
func.func @linear(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) {
  %a = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  %b = linea.linear_attention %q, %k, %v feature_map relu : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %a, %b : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>
}
