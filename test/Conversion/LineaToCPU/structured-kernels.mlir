// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-structured-kernels{vector-width=16 tile-m=4 tile-n=4 report-skipped=true}))' -verify-diagnostics | FileCheck %s
// RUN: echo 'func.func @f() { return }' | not linea-opt --pass-pipeline='builtin.module(func.func(linea-cpu-structured-kernels{tile-n=0}))' 2>&1 | FileCheck %s --check-prefix=ERR

// The batched contractions of the structured layers on buffers (numerics:
// python/tests/test_structured_kernels.py).
// ERR: linea-cpu-structured-kernels: vector-width (16), tile-m (4) and tile-n (0) must be positive

// BTT's first core, z[m, a, c] += x[m, a, b]·w[a, b, c]: broadcast FMA
// along c (72 = 4 vectors of 16 + a masked 8), rows of m (dynamic) tiled by
// 4 with a 1-row remainder, the reduction over b inside the tile.
// CHECK-LABEL: func.func @broadcast_fma
// CHECK-NOT: linalg.generic
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK-COUNT-4: vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK: vector.load
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store
// CHECK: vector.maskedload
// CHECK: vector.maskedstore
func.func @broadcast_fma(%x: memref<?x3x24xf32>, %w: memref<3x24x72xf32>, %z: memref<?x3x72xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, a, c, b) -> (m, a, b)>, affine_map<(m, a, c, b) -> (a, b, c)>, affine_map<(m, a, c, b) -> (m, a, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x3x24xf32>, memref<3x24x72xf32>) outs(%z : memref<?x3x72xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %prod = arith.mulf %p, %q : f32
    %sum = arith.addf %prod, %acc : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// Kronecker's second step, y[m, i, n] += q[m, t, i, k]·b[t, n, k]: a row dot
// along k (both inputs' last dim), 4×4 tiles of i × n, the reduction over
// t outside the vector loop, one lane sum per output.
// CHECK-LABEL: func.func @row_dot
// CHECK-NOT: linalg.generic
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK-COUNT-8: vector.load
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// CHECK-COUNT-16: vector.reduction <add>, %{{.*}}, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
func.func @row_dot(%q: memref<?x2x8x32xf32>, %b: memref<2x8x32xf32>, %y: memref<?x8x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, i, n, t, k) -> (m, t, i, k)>, affine_map<(m, i, n, t, k) -> (t, n, k)>, affine_map<(m, i, n, t, k) -> (m, i, n)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%q, %b : memref<?x2x8x32xf32>, memref<2x8x32xf32>) outs(%y : memref<?x8x8xf32>) {
  ^bb0(%p: f32, %w: f32, %acc: f32):
    %prod = arith.mulf %p, %w : f32
    %sum = arith.addf %acc, %prod : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// A vector loop of 12: vector<8xf32> and a masked remainder of 4 lanes.
// CHECK-LABEL: func.func @narrow_row_dot
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.create_mask %{{.*}} : vector<8xi1>
// CHECK: vector.maskedload
// CHECK: vector.reduction <add>
func.func @narrow_row_dot(%x: memref<3x12xf32>, %w: memref<5x12xf32>, %y: memref<3x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<3x12xf32>, memref<5x12xf32>) outs(%y : memref<3x5xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %prod = arith.mulf %p, %q : f32
    %sum = arith.addf %prod, %acc : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// BLAST's mixing step, w[m, i, r] += s[i, j, r]·z[m, j, r]: both inputs are
// vectors along r (no broadcast, no row tile).
// CHECK-LABEL: func.func @elementwise_product
// CHECK-NOT: vector.broadcast
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @elementwise_product(%s: memref<4x4x32xf32>, %z: memref<?x4x32xf32>, %w: memref<?x4x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, i, r, j) -> (i, j, r)>, affine_map<(m, i, r, j) -> (m, j, r)>, affine_map<(m, i, r, j) -> (m, i, r)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%s, %z : memref<4x4x32xf32>, memref<?x4x32xf32>) outs(%w : memref<?x4x32xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %prod = arith.mulf %p, %q : f32
    %sum = arith.addf %prod, %acc : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// Every candidate vector loop has fewer than 4 elements: left alone.
// CHECK-LABEL: func.func @too_narrow
// CHECK: linalg.generic
func.func @too_narrow(%x: memref<4x3xf32>, %w: memref<8x3xf32>, %y: memref<4x8xf32>) {
  // expected-remark @+1 {{linea-cpu-structured-kernels: contraction left to the scalar loops: no loop of static size >= 4}}
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x3xf32>, memref<8x3xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %prod = arith.mulf %p, %q : f32
    %sum = arith.addf %prod, %acc : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// f16 operands are not this kernel's.
// CHECK-LABEL: func.func @f16
// CHECK: linalg.generic
func.func @f16(%x: memref<4x32xf16>, %w: memref<8x32xf16>, %y: memref<4x8xf16>) {
  // expected-remark @+1 {{contraction left to the scalar loops: an operand is not an f32 memref}}
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x32xf16>, memref<8x32xf16>) outs(%y : memref<4x8xf16>) {
  ^bb0(%p: f16, %q: f16, %acc: f16):
    %prod = arith.mulf %p, %q : f16
    %sum = arith.addf %prod, %acc : f16
    linalg.yield %sum : f16
  }
  return
}
