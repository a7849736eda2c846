// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16 tile-m=4 tile-n=4 block-bytes=4096 num-threads=2 min-parallel-work=6000}))' | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm='num-threads=2 min-parallel-work=6000' | FileCheck %s --check-prefix=OMP
// RUN: env LINEA_NUM_THREADS=3 linea-opt %s --split-input-file --linea-lower-to-llvm='min-parallel-work=6000' | FileCheck %s --check-prefix=ENV
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm='num-threads=1 min-parallel-work=6000' | FileCheck %s --check-prefix=ONE
// RUN: env LINEA_NUM_THREADS=1 linea-opt %s --split-input-file --linea-lower-to-llvm='min-parallel-work=6000' | FileCheck %s --check-prefix=ONE

// Threads for the contraction kernels (numerics: python/tests/test_threads.py).
// N = 18: 4 register tiles of w rows, 2 per thread, so blocks of 8 rows
// (the 16-row cache block would leave one thread idle); the 2 rows left
// over run after the parallel loop. M is dynamic: the parallel nest runs
// when M·18·64 ≥ 6000, i.e. M ≥ 6, else the serial one.
// CHECK-LABEL: func.func @dynamic_m
// CHECK: %[[MIN:.*]] = arith.constant 6 : index
// CHECK: %[[WORTH:.*]] = arith.cmpi uge, %{{.*}}, %[[MIN]] : index
// CHECK: scf.if %[[WORTH]] {
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[C8]]) {
// CHECK-COUNT-16: vector.fma
// CHECK: } else {
// CHECK-NOT: scf.parallel
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: }
// CHECK: scf.for
// CHECK-NOT: scf.parallel
// CHECK: return
// OMP-LABEL: llvm.func @dynamic_m
// OMP: %[[N:.*]] = llvm.mlir.constant(2 : i32) : i32
// OMP: omp.parallel num_threads(%[[N]] : i32) {
// OMP: omp.wsloop {
// OMP: omp.loop_nest
// OMP: llvm.intr.fmuladd
// ENV-LABEL: llvm.func @dynamic_m
// ENV: %[[N:.*]] = llvm.mlir.constant(3 : i32) : i32
// ENV: omp.parallel num_threads(%[[N]] : i32) {
// ONE-NOT: omp.
func.func @dynamic_m(%x: memref<?x64xf32>, %w: memref<18x64xf32>, %y: memref<?x18xf32>) {
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

// Static M: decided at compile time. 2·18·64 < 6000: serial only.
// CHECK-LABEL: func.func @small_static
// CHECK-NOT: scf.if
// CHECK-NOT: scf.parallel
// CHECK: return
// OMP-LABEL: llvm.func @small_static
// OMP-NOT: omp.parallel
// OMP: llvm.return
func.func @small_static(%x: memref<2x64xf32>, %w: memref<18x64xf32>, %y: memref<2x18xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<2x64xf32>, memref<18x64xf32>) outs(%y : memref<2x18xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// 8·18·64 ≥ 6000: parallel only.
// CHECK-LABEL: func.func @large_static
// CHECK-NOT: scf.if
// CHECK: scf.parallel
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @large_static(%x: memref<8x64xf32>, %w: memref<18x64xf32>, %y: memref<8x18xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<8x64xf32>, memref<18x64xf32>) outs(%y : memref<8x18xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// N = 5: one register tile of w rows, nothing to share among threads.
// CHECK-LABEL: func.func @one_tile
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @one_tile(%x: memref<8x64xf32>, %w: memref<5x64xf32>, %y: memref<8x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<8x64xf32>, memref<5x64xf32>) outs(%y : memref<8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Already inside a parallel loop: a second level would multiply threads,
// so the kernel's blocks stay serial.
// CHECK-LABEL: func.func @nested
// CHECK: scf.parallel
// CHECK-NOT: scf.parallel
// CHECK: vector.fma
// CHECK-NOT: scf.parallel
// CHECK: return
// OMP-LABEL: llvm.func @nested
// OMP: omp.parallel
// OMP-NOT: omp.parallel
// OMP: llvm.return
func.func @nested(%x: memref<4x8x64xf32>, %w: memref<18x64xf32>, %y: memref<4x8x18xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %xi = memref.subview %x[%i, 0, 0] [1, 8, 64] [1, 1, 1] : memref<4x8x64xf32> to memref<8x64xf32, strided<[64, 1], offset: ?>>
    %yi = memref.subview %y[%i, 0, 0] [1, 8, 18] [1, 1, 1] : memref<4x8x18xf32> to memref<8x18xf32, strided<[18, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%xi, %w : memref<8x64xf32, strided<[64, 1], offset: ?>>, memref<18x64xf32>) outs(%yi : memref<8x18xf32, strided<[18, 1], offset: ?>>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %c, %p : f32
      linalg.yield %s : f32
    }
    scf.reduce
  }
  return
}
