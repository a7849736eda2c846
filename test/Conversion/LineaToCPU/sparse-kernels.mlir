// RUN: linea-opt %s --split-input-file --linea-cpu-shift-kernels="vector-width=16 tile-m=2 tile-n=2 min-parallel-weights=0" --linea-cpu-bsr-kernels="vector-width=16 tile-m=2 tile-n=2 min-parallel-weights=0" --linea-cpu-nm-kernels="vector-width=16 tile-m=2 tile-n=2 min-parallel-weights=0" | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm=sparse-kernels=false | FileCheck %s --check-prefix=REF
// RUN: linea-opt %s --split-input-file --linea-cpu-shift-kernels --linea-cpu-bsr-kernels --linea-cpu-nm-kernels | FileCheck %s --check-prefix=SERIAL
// These layers are small (fewer stored weights than min-parallel-weights):
// no threads.
// SERIAL-NOT: scf.parallel
// REF-NOT: __linea_{{shift|bsr|nm}}_kernel
// (numerics: python/tests/test_sparse_kernels.py)

// Shift-add, T = 2, bf16 scale, bias, dynamic M, K = 37 = 2 vectors + 5:
// the layer becomes a call on buffers; the kernel assembles ±2^e from the
// exponent and sign bytes ((e << 23) + (127 << 23), the sign bit, 0 where
// the sign is 0) and FMAs x with it, one term after the other; the last 5
// columns are masked loads. No f32 weight (13x37xf32) exists anywhere.
// CHECK-LABEL: func.func @shift
// CHECK-NOT: 13x37xf32
// CHECK-DAG: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x37xf32> to memref<?x37xf32>
// CHECK-DAG: %[[E:.*]] = bufferization.to_buffer %arg1 read_only : tensor<2x13x37xi8> to memref<2x13x37xi8>
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x13xf32>
// CHECK: call @[[KERNEL:__linea_shift_kernel[_0-9]*]](%[[X]], %[[E]], %{{.*}}, %{{.*}}, %{{.*}}, %[[Y]])
// CHECK: bufferization.to_tensor %[[Y]] restrict writable
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x37xf32>, %{{.*}}: memref<2x13x37xi8>, %{{.*}}: memref<2x13x37xi8>, %{{.*}}: memref<13xbf16>, %{{.*}}: memref<13xf32>, %{{.*}}: memref<?x13xf32>)
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<?x37xf32>, vector<16xf32>
// CHECK: vector.load {{.*}} : memref<2x13x37xi8>, vector<16xi8>
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.shli
// CHECK: arith.addi
// CHECK: arith.andi
// CHECK: arith.ori
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: arith.bitcast {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK-NOT: arith.mulf
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.maskedload {{.*}} : memref<2x13x37xi8>, vector<16xi1>, vector<16xi8> into vector<16xi8>
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: 13x37xf32
// LLVM-LABEL: llvm.func @shift
// LLVM: llvm.call @__linea_shift_kernel
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<{{8|16}}xf32>, vector<{{8|16}}xf32>, vector<{{8|16}}xf32>) -> vector<{{8|16}}xf32>
func.func @shift(%x: tensor<?x37xf32>, %e: tensor<2x13x37xi8>, %s: tensor<2x13x37xi8>, %sc: tensor<13xbf16>, %b: tensor<13xf32>) -> tensor<?x13xf32> {
  %y = linea.shift_linear %x, %e, %s scale %sc bias %b : (tensor<?x37xf32>, tensor<2x13x37xi8>, tensor<2x13x37xi8>, tensor<13xbf16>, tensor<13xf32>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// BSR with 2×4 blocks, static M = 3 (cast to the kernel's dynamic rows),
// i32 block columns and i64 row offsets: an scf.parallel over the 3 block
// rows, each walking only its stored blocks [row_offsets[rb],
// row_offsets[rb + 1]) with 4-lane loads of the block rows against x at
// col_indices[e]·4.
// CHECK-LABEL: func.func @bsr
// CHECK: memref.cast %{{.*}} : memref<3x12xf32> to memref<?x12xf32>
// CHECK: call @[[KERNEL:__linea_bsr_kernel[_0-9]*]]
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x12xf32>, %[[V:.*]]: memref<5x2x4xf32>, %[[C:.*]]: memref<5xi32>, %[[R:.*]]: memref<4xi64>, %{{.*}}: memref<?x6xf32>)
// CHECK: scf.parallel (%[[RB:.*]]) =
// CHECK: memref.load %[[R]][%[[RB]]] : memref<4xi64>
// CHECK: scf.for %[[E:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: memref.load %[[C]][%[[E]]] : memref<5xi32>
// CHECK: arith.muli {{.*}}, %c4
// CHECK: vector.load %[[V]][%[[E]], {{.*}}] : memref<5x2x4xf32>, vector<4xf32>
// CHECK: vector.fma {{.*}} : vector<4xf32>
// CHECK: vector.reduction <add>
// LLVM-LABEL: llvm.func @bsr
// LLVM: llvm.call @__linea_bsr_kernel
func.func @bsr(%x: tensor<3x12xf32>, %v: tensor<5x2x4xf32>, %c: tensor<5xi32>, %r: tensor<4xi64>) -> tensor<3x6xf32> {
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<3x12xf32>, tensor<5x2x4xf32>, tensor<5xi32>, tensor<4xi64>) -> tensor<3x6xf32>
  return %y : tensor<3x6xf32>
}

// -----

// 2:4 with bias on rank-3 x (collapsed to rows, expanded back), K = 40 =
// 2 chunks of 16 + 8: each chunk loads 8 kept values and 8 position bytes
// of a row, spreads each group's 2 kept elements over its 4 lanes
// (constant shuffles), keeps the lanes whose position matches, and FMAs
// with x; the last 8 columns are masked.
// CHECK-LABEL: func.func @nm
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x5x40xf32> into tensor<10x40xf32>
// CHECK: call @[[KERNEL:__linea_nm_kernel[_0-9]*]]
// CHECK: tensor.expand_shape {{.*}} into tensor<2x5x6xf32>
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x40xf32>, %{{.*}}: memref<6x20xf32>, %{{.*}}: memref<6x20xi8>, %{{.*}}: memref<6xf32>, %{{.*}}: memref<?x6xf32>)
// CHECK-DAG: arith.constant dense<[0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]> : vector<16xi8>
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<?x40xf32>, vector<16xf32>
// CHECK: vector.load {{.*}} : memref<6x20xf32>, vector<8xf32>
// CHECK: vector.load {{.*}} : memref<6x20xi8>, vector<8xi8>
// CHECK: vector.shuffle {{.*}} [0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6] : vector<8xf32>, vector<8xf32>
// CHECK: vector.shuffle {{.*}} [0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6] : vector<8xi8>, vector<8xi8>
// CHECK: arith.cmpi eq, {{.*}} : vector<16xi8>
// CHECK: arith.select {{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7] : vector<8xf32>, vector<8xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.maskedload {{.*}} : memref<6x20xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// CHECK: vector.reduction <add>
// LLVM-LABEL: llvm.func @nm
// LLVM: llvm.call @__linea_nm_kernel
func.func @nm(%x: tensor<2x5x40xf32>, %v: tensor<6x20xf32>, %i: tensor<6x20xi8>, %b: tensor<6xf32>) -> tensor<2x5x6xf32> {
  %y = linea.nm_linear 2:4 %x, %v, %i bias %b : (tensor<2x5x40xf32>, tensor<6x20xf32>, tensor<6x20xi8>, tensor<6xf32>) -> tensor<2x5x6xf32>
  return %y : tensor<2x5x6xf32>
}

// -----

// 3:6 needs chunks of lcm(6, 16) = 48 columns (24 kept values), 4:8 of 16
// (8 kept): one kernel per n:m even for equal operand types.
// CHECK-LABEL: func.func @nm_3of6
// CHECK: call @[[K1:__linea_nm_kernel[_0-9]*]]
// CHECK: call @[[K2:__linea_nm_kernel[_0-9]*]]
// CHECK: func.func private @[[K1]]
// CHECK: vector.load {{.*}} : memref<2x48xf32>, vector<24xf32>
// CHECK: vector.fma {{.*}} : vector<48xf32>
// CHECK: func.func private @[[K2]]
// CHECK: vector.load {{.*}} : memref<2x48xf32>, vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @nm_3of6(%x: tensor<1x96xf32>, %v: tensor<2x48xf32>, %i: tensor<2x48xi8>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %y = linea.nm_linear 3:6 %x, %v, %i : (tensor<1x96xf32>, tensor<2x48xf32>, tensor<2x48xi8>) -> tensor<1x2xf32>
  %z = linea.nm_linear 4:8 %x, %v, %i : (tensor<1x96xf32>, tensor<2x48xf32>, tensor<2x48xi8>) -> tensor<1x2xf32>
  return %y, %z : tensor<1x2xf32>, tensor<1x2xf32>
}
