// A hand-written linea.cpu_tile with a non-positive entry fails the
// contraction-kernel pass with a diagnostic (not a division by zero).
// RUN: not linea-opt %s --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16}))' 2>&1 | FileCheck %s
// CHECK: error: linea-cpu-contraction-kernels: linea.cpu_tile must be three positive numbers, got [4, 0, 4096]
func.func @bad_tile(%x: memref<4x16xf32>, %w: memref<32x16xf32>, %y: memref<4x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<4x16xf32>, memref<32x16xf32>) outs(%y : memref<4x32xf32>) attrs = {linea.cpu_tile = array<i64: 4, 0, 4096>} {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  return
}
