// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16 tile-m=4 tile-n=4 block-bytes=4096}))' | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// The bufferized contraction of a linear layer, y[m, n] += x[m, k]·w[n, k]
// (numerics: python/tests/test_cpu_kernels.py). Blocks of 16 rows of w
// (4096 bytes / 64-byte rows); 4×4 tiles of vector<16xf32> accumulators
// over K, then 1-row tiles for the rows of x left over and 1×1 tiles for
// the 2 rows of w left over (N = 18).
// CHECK-LABEL: func.func @linear
// CHECK-NOT: linalg.generic
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C16]]
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK-COUNT-8: vector.load
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK-COUNT-16: vector.reduction <add>, %{{.*}}, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK: vector.fma {{.*}} : vector<16xf32>
// LLVM-LABEL: llvm.func @linear
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>) -> vector<{{[0-9]+}}xf32>
func.func @linear(%x: memref<?x64xf32>, %w: memref<18x64xf32>, %y: memref<?x18xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<18x64xf32>) outs(%y : memref<?x18xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// K = 40 is not a multiple of the vector width: left to the scalar loops.
// CHECK-LABEL: func.func @ragged_k
// CHECK: linalg.generic
func.func @ragged_k(%x: memref<4x40xf32>, %w: memref<8x40xf32>, %y: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x40xf32>, memref<8x40xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// w read as w[k, n] (a plain matmul): K is not the unit-stride dimension of
// w, so the kernel does not apply.
// CHECK-LABEL: func.func @matmul_kn
// CHECK: linalg.generic
func.func @matmul_kn(%x: memref<4x32xf32>, %w: memref<32x8xf32>, %y: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x32xf32>, memref<32x8xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not a multiply-add (max instead of add): left alone.
// CHECK-LABEL: func.func @not_mul_add
// CHECK: linalg.generic
func.func @not_mul_add(%x: memref<4x32xf32>, %w: memref<8x32xf32>, %y: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x32xf32>, memref<8x32xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.maximumf %p, %c : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The grouped contraction of a block-diagonal layer (and Monarch's first
// stage), y[m, g, n] += x[m, g, k]·w[g, n, k]: a loop over the groups, the
// same register-tiled kernel on the views x[:, g, :], w[g] and y[:, g, :].
// CHECK-LABEL: func.func @grouped
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step
// CHECK-DAG: memref.subview %{{.*}}[0, %[[G]], 0] [%{{.*}}, 1, 32] [1, 1, 1] : memref<?x4x32xf32> to memref<?x32xf32, strided<[128, 1], offset: ?>>
// CHECK-DAG: memref.subview %{{.*}}[%[[G]], 0, 0] [1, 8, 32] [1, 1, 1] : memref<4x8x32xf32> to memref<8x32xf32, strided<[32, 1], offset: ?>>
// CHECK-DAG: memref.subview %{{.*}}[0, %[[G]], 0] [%{{.*}}, 1, 8] [1, 1, 1] : memref<?x4x8xf32> to memref<?x8xf32, strided<[32, 1], offset: ?>>
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @grouped(%x: memref<?x4x32xf32>, %w: memref<4x8x32xf32>, %y: memref<?x4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, g, n, k) -> (m, g, k)>, affine_map<(m, g, n, k) -> (g, n, k)>, affine_map<(m, g, n, k) -> (m, g, n)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x4x32xf32>, memref<4x8x32xf32>) outs(%y : memref<?x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Grouped, but the reduction is not the last dim of w: left alone.
// CHECK-LABEL: func.func @grouped_transposed
// CHECK: linalg.generic
func.func @grouped_transposed(%x: memref<2x4x32xf32>, %w: memref<4x32x8xf32>, %y: memref<2x4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, g, n, k) -> (m, g, k)>, affine_map<(m, g, n, k) -> (g, k, n)>, affine_map<(m, g, n, k) -> (m, g, n)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<2x4x32xf32>, memref<4x32x8xf32>) outs(%y : memref<2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}
