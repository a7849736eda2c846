// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-tile-table{table=%S/Inputs/tiles.json}))' | FileCheck %s --check-prefix=MARK
// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-tile-table{table=%S/Inputs/tiles.json},linea-cpu-contraction-kernels{vector-width=16 tile-m=4 tile-n=4 block-bytes=65536}))' | FileCheck %s

// linea-cpu-tile-table marks the contraction whose w is 18×64 (the table's
// one entry) with its tiles; linea-cpu-contraction-kernels then uses 1×6
// register tiles (6 FMAs per K step, 18 = 3 tiles, no rows left over) in
// blocks of 4096 / 256 bytes = 16 → 12 rows (whole tiles) instead of its
// 4×4 options. The 8×64 contraction keeps the options (4×4: 16 FMAs).
// MARK-LABEL: func.func @tuned
// MARK: linalg.generic
// MARK-SAME: linea.cpu_tile = array<i64: 1, 6, 4096>
// CHECK-LABEL: func.func @tuned
// CHECK: %[[C12:.*]] = arith.constant 12 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C12]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK-COUNT-6: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK: scf.yield
func.func @tuned(%x: memref<?x64xf32>, %w: memref<18x64xf32>, %y: memref<?x18xf32>) {
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

// MARK-LABEL: func.func @not_in_table
// MARK-NOT: linea.cpu_tile
// CHECK-LABEL: func.func @not_in_table
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK-COUNT-16: vector.fma {{.*}} : vector<16xf32>
func.func @not_in_table(%x: memref<?x64xf32>, %w: memref<8x64xf32>, %y: memref<?x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<8x64xf32>) outs(%y : memref<?x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}
