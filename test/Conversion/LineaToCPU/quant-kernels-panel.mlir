// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels="vector-width=16 min-parallel-weights=0 panel-min-rows=8" | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels="vector-width=16 panel-min-rows=0" | FileCheck %s --check-prefix=NOPANEL
// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels="vector-width=16 int-dot=true vnni=true" | FileCheck %s --check-prefix=VNNI

// Decode-once panels (numerics: python/tests/test_quant_kernels.py, M =
// 17). From 8 to 256 rows of x (an scf.if on the dynamic M) x̂ is transposed once
// into blocks of 64 rows (XT[mb, p, c, l], 2 planes of 32 bytes), each block
// of 48 rows of W (one here: N = 13) is decoded K block by K block into an
// f32 panel, ŵ = float(q)·s, and tiles of 6 rows of W (then single rows) ×
// 4 vectors of x rows accumulate broadcast(ŵ) · XT into YT[mb, n, l],
// which is transposed into y at the end.
// CHECK-LABEL: func.func private @__linea_quant_kernel
// CHECK: %[[XS:.*]] = memref.alloc(%{{.*}}) : memref<?x2x32xf32>
// CHECK: %[[GE:.*]] = arith.cmpi uge, %{{.*}}, %c8 : index
// CHECK: %[[LE:.*]] = arith.cmpi ule, %{{.*}}, %c256 : index
// CHECK: %[[MANY:.*]] = arith.andi %[[GE]], %[[LE]] : i1
// CHECK: scf.if %[[MANY]] {
// CHECK: %[[XT:.*]] = memref.alloc(%{{.*}}) : memref<?x2x32x64xf32>
// CHECK: %[[YT:.*]] = memref.alloc(%{{.*}}) : memref<?x13x64xf32>
// CHECK: %[[P:.*]] = memref.alloc() : memref<1x48x2x64xf32>
// CHECK: memref.load %[[XS]]
// CHECK: memref.store %{{.*}}, %[[XT]]
// CHECK: scf.parallel (%[[N0:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK: vector.load {{.*}} : memref<13x32xi8>, vector<16xi8>
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: vector.store %{{.*}}, %[[P]]
// CHECK: scf.for
// CHECK-COUNT-24: vector.load %[[YT]]
// CHECK: scf.for
// CHECK-COUNT-4: vector.load %[[XT]]
// CHECK: memref.load %[[P]]
// CHECK: vector.broadcast
// CHECK-COUNT-4: vector.fma
// CHECK-COUNT-24: vector.store %{{.*}}, %[[YT]]
// CHECK: memref.load %[[YT]]
// CHECK: memref.store
// CHECK: } else {
// CHECK: scf.parallel
// CHECK-NOT: memref<1x48x2x64xf32>
// CHECK: vector.fma
// NOPANEL-LABEL: func.func private @__linea_quant_kernel
// NOPANEL-NOT: scf.if
// NOPANEL-NOT: x4x2x32xf32
func.func @int4_panel(%x: tensor<?x64xf32>, %q: tensor<13x32xi8>, %s: tensor<13x2xf16>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <int4, group 32, scale f16> : (tensor<?x64xf32>, tensor<13x32xi8>, tensor<13x2xf16>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// W8A8 with int-dot and vnni: x̂'s codes as i16, 32 weight codes widened
// to i16 per step, one vpdpwssd per accumulator (4×4 tile); no shuffles,
// no f32 panel (int-dot keeps the integer path at every M).
// VNNI-LABEL: func.func @w8a8
// VNNI: func.func private @llvm.x86.avx512.vpdpwssd.512(vector<16xi32>, vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// VNNI: func.func private @__linea_quant_kernel
// VNNI-NOT: scf.if
// VNNI: vector.load {{.*}} : memref<8x64xi8>, vector<32xi8>
// VNNI: arith.extsi {{.*}} : vector<32xi8> to vector<32xi16>
// VNNI-NOT: vector.shuffle
// VNNI: vector.load {{.*}} : memref<?x1x64xi16>, vector<32xi16>
// VNNI-COUNT-4: func.call @llvm.x86.avx512.vpdpwssd.512({{.*}}) : (vector<16xi32>, vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// VNNI: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
func.func @w8a8(%x: tensor<?x64xf32>, %q: tensor<8x64xi8>, %s: tensor<8x1xf32>) -> tensor<?x8xf32> {
  %y = linea.quant_linear %x, %q, %s format <int8, act dynamic_int8_per_token> : (tensor<?x64xf32>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
