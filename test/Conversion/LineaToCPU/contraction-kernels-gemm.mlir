// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16 gemm-min-rows=8 gemm-rows=6 gemm-vectors=2 gemm-k-block=32 gemm-block-bytes=8192}))' | FileCheck %s
// RUN: linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16 gemm-min-rows=0}))' | FileCheck %s --check-prefix=OFF
// RUN: not linea-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{vector-width=16 gemm-rows=0}))' 2>&1 | FileCheck %s --check-prefix=ERR

// The packed GEMM path (numerics: python/tests/test_cpu_kernels.py,
// test_threads.py). N = 70: 64 columns in 2 panels of 32 (2 vectors), the
// 6 left over to the dot-product tiles. K = 80 in blocks of 32, 32 and 16.
// A dynamic M chooses at run time: 8 <= M <= 4096 packs, else the dot
// tiles (taller x would need M × 64 partial sums per block).
// CHECK-LABEL: func.func @linear
// CHECK: %[[GE:.*]] = arith.cmpi uge, %{{.*}}, %c8
// CHECK: %[[LE:.*]] = arith.cmpi ule, %{{.*}}, %c4096
// CHECK: %[[LARGE:.*]] = arith.andi %[[GE]], %[[LE]]
// CHECK: scf.if %[[LARGE]]
// CHECK: %[[PACKED:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x32x32xf32>
// CHECK: %[[PARTIAL:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x64xf32>
// First K block: w's 16×16 squares transposed (4 rounds of 16 shuffles)
// into the panels, then 6×2 tiles from zero into the partial sums.
// CHECK-COUNT-16: vector.load %{{.*}} : memref<70x80xf32>, vector<16xf32>
// CHECK-COUNT-64: vector.shuffle
// CHECK-COUNT-16: vector.store %{{.*}}, %[[PACKED]]
// CHECK: scf.for {{.*}} iter_args(
// CHECK-COUNT-2: vector.load %[[PACKED]]
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: vector.store %{{.*}}, %[[PARTIAL]]
// Middle blocks start from the partial sums; the last one adds y's value.
// CHECK: vector.load %[[PARTIAL]]
// CHECK: vector.load %{{.*}} : memref<?x70xf32>, vector<16xf32>
// CHECK: arith.addf %{{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}} : memref<?x70xf32>, vector<16xf32>
// CHECK: memref.dealloc %[[PACKED]]
// CHECK: memref.dealloc %[[PARTIAL]]
// The 6 columns left: dot-product tiles.
// CHECK: vector.reduction <add>
// CHECK: } else {
// CHECK: vector.reduction <add>
// OFF-LABEL: func.func @linear
// OFF-NOT: vector.shuffle
// OFF-NOT: memref.alloc
// OFF: vector.reduction <add>
// ERR: error: linea-cpu-contraction-kernels: gemm-min-rows (32) must be 0 or more, gemm-rows (0), gemm-vectors (4), gemm-k-block (128) and gemm-block-bytes (1048576) positive
func.func @linear(%x: memref<?x80xf32>, %w: memref<70x80xf32>, %y: memref<?x70xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x80xf32>, memref<70x80xf32>) outs(%y : memref<?x70xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A static M below gemm-min-rows keeps the dot-product tiles only.
// CHECK-LABEL: func.func @few_rows
// CHECK-NOT: memref.alloc
// CHECK-NOT: scf.if
// CHECK: vector.reduction <add>
func.func @few_rows(%x: memref<4x32xf32>, %w: memref<64x32xf32>, %y: memref<4x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x32xf32>, memref<64x32xf32>) outs(%y : memref<4x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A fill and a bias + relu after the contraction, static M = 12 (two 6-row
// tiles), K = 32 in one block: the sums go through the fused ops on whole
// vectors (the fill's value broadcast, the bias one vector load along the
// columns), with no partial buffer and no element-by-element loop.
// CHECK-LABEL: func.func @epilogue
// CHECK-NOT: scf.if
// CHECK-NOT: linalg.
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<2x32x32xf32>
// CHECK-NOT: memref.alloc
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: %[[START:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[START]] : vector<16xf32>
// CHECK: %[[BIAS:.*]] = vector.load %{{.*}} : memref<64xf32>, vector<16xf32>
// CHECK: %[[BIASED:.*]] = arith.addf %[[SUM]], %[[BIAS]] : vector<16xf32>
// CHECK: %[[RELU:.*]] = arith.maximumf %[[BIASED]], %{{.*}} : vector<16xf32>
// CHECK: vector.store %[[RELU]], %{{.*}} : memref<12x64xf32>, vector<16xf32>
// CHECK-NOT: memref.store
func.func @epilogue(%x: memref<12x32xf32>, %w: memref<64x32xf32>, %b: memref<64xf32>, %out: memref<12x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %y = memref.alloc() : memref<12x64xf32>
  linalg.fill ins(%zero : f32) outs(%y : memref<12x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<12x32xf32>, memref<64x32xf32>) outs(%y : memref<12x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  %r = memref.alloc() : memref<12x64xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y, %b : memref<12x64xf32>, memref<64xf32>) outs(%r : memref<12x64xf32>) {
  ^bb0(%v: f32, %bias: f32, %unused: f32):
    %s = arith.addf %v, %bias : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  }
  memref.copy %r, %out : memref<12x64xf32> to memref<12x64xf32>
  memref.dealloc %y : memref<12x64xf32>
  memref.dealloc %r : memref<12x64xf32>
  return
}

// -----

// A per-row scale (read once per row, broadcast) and a constant in the
// body (a splat): still whole vectors.
// CHECK-LABEL: func.func @row_epilogue
// CHECK-NOT: memref.store
// CHECK: %[[S:.*]] = memref.load %{{.*}} : memref<12xf32>
// CHECK: %[[SV:.*]] = vector.broadcast %[[S]] : f32 to vector<16xf32>
// CHECK: %[[P:.*]] = arith.mulf %{{.*}}, %[[SV]] : vector<16xf32>
// CHECK: arith.addf %[[P]], %{{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}} : memref<12x64xf32>, vector<16xf32>
func.func @row_epilogue(%x: memref<12x32xf32>, %w: memref<64x32xf32>, %s: memref<12xf32>, %out: memref<12x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %y = memref.alloc() : memref<12x64xf32>
  linalg.fill ins(%zero : f32) outs(%y : memref<12x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<12x32xf32>, memref<64x32xf32>) outs(%y : memref<12x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %p = arith.mulf %a, %c : f32
    %q = arith.addf %o, %p : f32
    linalg.yield %q : f32
  }
  %r = memref.alloc() : memref<12x64xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y, %s : memref<12x64xf32>, memref<12xf32>) outs(%r : memref<12x64xf32>) {
  ^bb0(%v: f32, %scale: f32, %unused: f32):
    %half = arith.constant 0.5 : f32
    %m = arith.mulf %v, %scale : f32
    %a = arith.addf %m, %half : f32
    linalg.yield %a : f32
  }
  memref.copy %r, %out : memref<12x64xf32> to memref<12x64xf32>
  memref.dealloc %y : memref<12x64xf32>
  memref.dealloc %r : memref<12x64xf32>
  return
}

// -----

// A residual read transposed (the column is not its last dim): no vector
// load along the columns, so the sums go through the fused op element by
// element from the partial buffer.
// CHECK-LABEL: func.func @transposed_epilogue
// CHECK: %[[PARTIAL:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x64xf32>
// CHECK: vector.store %{{.*}}, %[[PARTIAL]]
// CHECK: memref.load %[[PARTIAL]]
// CHECK: memref.load %{{.*}} : memref<64x12xf32>
// CHECK: memref.store %{{.*}} : memref<12x64xf32>
func.func @transposed_epilogue(%x: memref<12x32xf32>, %w: memref<64x32xf32>, %t: memref<64x12xf32>, %out: memref<12x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %y = memref.alloc() : memref<12x64xf32>
  linalg.fill ins(%zero : f32) outs(%y : memref<12x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<12x32xf32>, memref<64x32xf32>) outs(%y : memref<12x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %p = arith.mulf %a, %c : f32
    %q = arith.addf %o, %p : f32
    linalg.yield %q : f32
  }
  %r = memref.alloc() : memref<12x64xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y, %t : memref<12x64xf32>, memref<64x12xf32>) outs(%r : memref<12x64xf32>) {
  ^bb0(%v: f32, %res: f32, %unused: f32):
    %a = arith.addf %v, %res : f32
    linalg.yield %a : f32
  }
  memref.copy %r, %out : memref<12x64xf32> to memref<12x64xf32>
  memref.dealloc %y : memref<12x64xf32>
  memref.dealloc %r : memref<12x64xf32>
  return
}
