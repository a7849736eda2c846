// RUN: linea-opt %s --split-input-file --linea-cpu-prepack-weights='vector-width=2 panel-vectors=1' | FileCheck %s
// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(linea-cpu-prepack-weights{vector-width=2 panel-vectors=1},func.func(linea-cpu-contraction-kernels{vector-width=2 gemm-rows=6 gemm-vectors=1 gemm-k-block=2}))' | FileCheck %s --check-prefix=GEMM
// RUN: not linea-opt %s --linea-cpu-prepack-weights='panel-vectors=0' 2>&1 | FileCheck %s --check-prefix=ERR

// Constant weights of linear layers stored as the packed GEMM's panels
// (numerics: python/tests/test_prepack_weights.py). Panels of C = 2
// columns: w [4, 2] becomes [2, 2, 2], packed[p, k, c] = w[2p + c, k], read
// through (n floordiv 2, k, n mod 2); the original global goes.
// CHECK-NOT: memref.global "private" constant @w :
// CHECK-LABEL: memref.global "private" constant @w_panels : memref<2x2x2xf32> = dense<{{\[\[\[}}0.000000e+00, 2.000000e+00], [1.000000e+00, 3.000000e+00]], {{\[\[}}4.000000e+00, 6.000000e+00], [5.000000e+00, 7.000000e+00]]]> {alignment = 64 : i64}
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @linear
// CHECK: %[[P:.*]] = memref.get_global @w_panels : memref<2x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[PACKED:.*]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}}, %[[P]] : memref<?x2xf32>, memref<2x2x2xf32>)
// The kernel runs the GEMM for every M from the panels: no packing
// (shuffles), no dot-product tiles (reductions), no threshold on M; the
// rows left after the 6-row tiles go in tiles of 4, 2 and 1 rows.
// GEMM-LABEL: func.func @linear
// GEMM-NOT: vector.shuffle
// GEMM-NOT: vector.reduction
// GEMM-NOT: scf.if
// GEMM: memref.get_global @w_panels
// GEMM: vector.load %{{.*}} : memref<2x2x2xf32>, vector<2xf32>
// GEMM-COUNT-6: vector.fma
// GEMM: vector.load %{{.*}} : memref<2x2x2xf32>, vector<2xf32>
// GEMM-COUNT-4: vector.fma
// GEMM: vector.load %{{.*}} : memref<2x2x2xf32>, vector<2xf32>
// GEMM-COUNT-2: vector.fma
// GEMM: vector.load %{{.*}} : memref<2x2x2xf32>, vector<2xf32>
// GEMM: vector.fma
// GEMM-NOT: vector.shuffle
// GEMM: return
// ERR: error: linea-cpu-prepack-weights: vector-width (16) and panel-vectors (0) must be positive
memref.global "private" constant @w : memref<4x2xf32> = dense<[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]> {alignment = 64 : i64}
func.func @linear(%x: memref<?x2xf32>, %y: memref<?x4xf32>) {
  %w = memref.get_global @w : memref<4x2xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x2xf32>, memref<4x2xf32>) outs(%y : memref<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left alone: N = 3 is not a multiple of the panel width, @v is not
// constant, and @u is also read by another op (so it stays, and the
// contraction reads the panels).
// CHECK-LABEL: memref.global "private" constant @odd : memref<3x2xf32>
// CHECK: memref.global "private" @v : memref<4x2xf32>
// CHECK: memref.global "private" constant @u : memref<4x2xf32>
// CHECK: memref.global "private" constant @u_panels : memref<2x2x2xf32>
// CHECK-LABEL: func.func @skipped
// CHECK: memref.get_global @odd : memref<3x2xf32>
// CHECK: memref.get_global @v : memref<4x2xf32>
// CHECK: %[[U:.*]] = memref.get_global @u : memref<4x2xf32>
// CHECK: memref.get_global @u_panels
// CHECK: memref.copy %[[U]]
memref.global "private" constant @odd : memref<3x2xf32> = dense<1.0> {alignment = 64 : i64}
memref.global "private" @v : memref<4x2xf32> = dense<1.0> {alignment = 64 : i64}
memref.global "private" constant @u : memref<4x2xf32> = dense<2.0> {alignment = 64 : i64}
func.func @skipped(%x: memref<?x2xf32>, %y3: memref<?x3xf32>, %y: memref<?x4xf32>, %out: memref<4x2xf32>) {
  %odd = memref.get_global @odd : memref<3x2xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %odd : memref<?x2xf32>, memref<3x2xf32>) outs(%y3 : memref<?x3xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  %v = memref.get_global @v : memref<4x2xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %v : memref<?x2xf32>, memref<4x2xf32>) outs(%y : memref<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  %u = memref.get_global @u : memref<4x2xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %u : memref<?x2xf32>, memref<4x2xf32>) outs(%y : memref<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  memref.copy %u, %out : memref<4x2xf32> to memref<4x2xf32>
  return
}
