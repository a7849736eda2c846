// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16 tile-m=4 tile-n=4}))' | FileCheck %s
// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16 fuse-epilogues=false}))' | FileCheck %s --check-prefix=OFF

// Epilogues fused into the contraction kernel's store (numerics:
// python/tests/test_cpu_kernels.py). A linear layer with bias, relu and a
// residual add, as bufferization leaves it: the fill of y becomes the
// reduction's start, and the three elementwise passes run on each sum in
// registers before its one store into %out; y itself is gone.
// CHECK-LABEL: func.func @bias_relu_residual
// CHECK-SAME: (%[[X:.*]]: memref<?x64xf32>, %[[W:.*]]: memref<40x64xf32>, %[[B:.*]]: memref<40xf32>, %[[R:.*]]: memref<?x40xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[OUT:.*]] = memref.alloc
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.
// CHECK: vector.fma
// CHECK: %[[SUM:.*]] = vector.reduction <add>, %{{.*}}, %[[ZERO]] fastmath<reassoc>
// CHECK: %[[BIAS:.*]] = memref.load %[[B]][%{{.*}}]
// CHECK: %[[Y1:.*]] = arith.addf %[[SUM]], %[[BIAS]]
// CHECK: %[[Y2:.*]] = arith.maximumf %[[Y1]], %[[ZERO]]
// CHECK: %[[RES:.*]] = memref.load %[[R]][%{{.*}}, %{{.*}}]
// CHECK: %[[Y3:.*]] = arith.addf %[[Y2]], %[[RES]]
// CHECK: memref.store %[[Y3]], %[[OUT]][%{{.*}}, %{{.*}}]
// CHECK-NOT: linalg.
// CHECK-NOT: memref.dealloc
// CHECK: return %[[OUT]]
// OFF-LABEL: func.func @bias_relu_residual
// OFF: linalg.fill
// OFF-COUNT-3: linalg.generic
func.func @bias_relu_residual(%x: memref<?x64xf32>, %w: memref<40x64xf32>, %b: memref<40xf32>, %r: memref<?x40xf32>) -> memref<?x40xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %m = memref.dim %x, %c0 : memref<?x64xf32>
  %y = memref.alloc(%m) {alignment = 64 : i64} : memref<?x40xf32>
  linalg.fill ins(%cst : f32) outs(%y : memref<?x40xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<?x64xf32>, memref<40x64xf32>) outs(%y : memref<?x40xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  %out = memref.alloc(%m) {alignment = 64 : i64} : memref<?x40xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %b : memref<?x40xf32>, memref<40xf32>) outs(%out : memref<?x40xf32>) {
  ^bb0(%in: f32, %in_1: f32, %o: f32):
    %0 = arith.addf %in, %in_1 : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%out : memref<?x40xf32>) outs(%out : memref<?x40xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.maximumf %in, %cst : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%out, %r : memref<?x40xf32>, memref<?x40xf32>) outs(%out : memref<?x40xf32>) {
  ^bb0(%in: f32, %in_1: f32, %o: f32):
    %0 = arith.addf %in, %in_1 : f32
    linalg.yield %0 : f32
  }
  memref.dealloc %y : memref<?x40xf32>
  return %out : memref<?x40xf32>
}

// -----

// A cast to f16 (a linear layer with an f16 result) after a silu: the
// kernel stores f16 into the cast's output.
// CHECK-LABEL: func.func @silu_f16
// CHECK-NOT: linalg.
// CHECK: vector.reduction <add>
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}} : memref<4x32xf16>
// CHECK-NOT: linalg.
func.func @silu_f16(%x: memref<4x16xf32>, %w: memref<32x16xf32>) -> memref<4x32xf16> {
  %cst = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %y = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%cst : f32) outs(%y : memref<4x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<4x16xf32>, memref<32x16xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<4x32xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %n = arith.negf %in : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %in, %d : f32
    linalg.yield %s : f32
  }
  %h = memref.alloc() : memref<4x32xf16>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<4x32xf32>) outs(%h : memref<4x32xf16>) {
  ^bb0(%in: f32, %o: f16):
    %t = arith.truncf %in : f32 to f16
    linalg.yield %t : f16
  }
  memref.dealloc %y : memref<4x32xf32>
  return %h : memref<4x32xf16>
}

// -----

// y is also returned: the relu into a second buffer cannot skip it, so only
// the fill is folded and the relu stays a separate pass.
// CHECK-LABEL: func.func @y_read_twice
// CHECK-NOT: linalg.fill
// CHECK: vector.fma
// CHECK: memref.store
// CHECK: linalg.generic
func.func @y_read_twice(%x: memref<4x16xf32>, %w: memref<32x16xf32>) -> (memref<4x32xf32>, memref<4x32xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %y = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%cst : f32) outs(%y : memref<4x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<4x16xf32>, memref<32x16xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  %a = memref.alloc() : memref<4x32xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<4x32xf32>) outs(%a : memref<4x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.maximumf %in, %cst : f32
    linalg.yield %0 : f32
  }
  return %y, %a : memref<4x32xf32>, memref<4x32xf32>
}

// -----

// y is a function argument (an out-parameter the caller reads): the kernel
// must still write it, so the relu into %a stays a separate pass.
// CHECK-LABEL: func.func @y_is_an_argument
// CHECK: vector.fma
// CHECK: memref.store
// CHECK: linalg.generic
func.func @y_is_an_argument(%x: memref<4x16xf32>, %w: memref<32x16xf32>, %y: memref<4x32xf32>, %a: memref<4x32xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  linalg.fill ins(%cst : f32) outs(%y : memref<4x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<4x16xf32>, memref<32x16xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<4x32xf32>) outs(%a : memref<4x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.maximumf %in, %cst : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A copy between the contraction and the relu (an op with memory effects):
// the kernel does not move past it.
// CHECK-LABEL: func.func @effect_between
// CHECK: vector.fma
// CHECK: memref.copy
// CHECK: linalg.generic
func.func @effect_between(%x: memref<4x16xf32>, %w: memref<32x16xf32>, %y: memref<4x32xf32>, %c: memref<4x32xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<4x16xf32>, memref<32x16xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  memref.copy %y, %c : memref<4x32xf32> to memref<4x32xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<4x32xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.maximumf %in, %cst : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// The consumer reads y transposed (other elements than the one stored):
// not fused. Without a fill y keeps its load.
// CHECK-LABEL: func.func @transposed_read
// CHECK: memref.load
// CHECK: vector.reduction
// CHECK: memref.store
// CHECK: linalg.generic
func.func @transposed_read(%x: memref<32x16xf32>, %w: memref<32x16xf32>, %y: memref<32x32xf32>, %o: memref<32x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<32x16xf32>, memref<32x16xf32>) outs(%y : memref<32x32xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %0 = arith.mulf %in, %in_1 : f32
    %1 = arith.addf %0, %out : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<32x32xf32>) outs(%y : memref<32x32xf32>) {
  ^bb0(%in: f32, %o2: f32):
    linalg.yield %in : f32
  }
  return
}
