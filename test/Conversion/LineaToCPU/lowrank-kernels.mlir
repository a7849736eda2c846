// RUN: linea-opt %s --split-input-file --linea-cpu-lowrank-kernels="vector-width=16 tile-m=2 tile-n=2 min-parallel-weights=0 panel-bytes=256" | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm=lowrank-kernels=true | FileCheck %s --check-prefix=LLVM
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm | FileCheck %s --check-prefix=REF
// RUN: linea-opt %s --split-input-file --linea-cpu-lowrank-kernels | FileCheck %s --check-prefix=SERIAL
// The pipeline runs the pass only with lowrank-kernels=true (off by
// default). These layers are small (fewer weights than min-parallel-weights): no
// threads.
// SERIAL-NOT: scf.parallel
// REF-NOT: __linea_lowrank_kernel
// (numerics: python/tests/test_lowrank_kernels.py)

// r = 6, K = 37 (2 vectors + 5), N = 13, bias, dynamic M: one call on
// buffers; the kernel's intermediate is a stack buffer of P × r floats
// (panel-bytes = 256: P = 256 / (4·6) = 10 rows, rounded down to a multiple
// of tile-m = 2), never an M × r tensor. Stage 1 reads x and v along K at
// width 16 (the last 5 columns masked), stage 2 reads t and u along r at
// width 8 (the power of two above r), both stages under scf.parallel.
// CHECK-LABEL: func.func @lowrank
// CHECK-NOT: linea.lowrank_linear
// CHECK-DAG: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x37xf32> to memref<?x37xf32>
// CHECK-DAG: %[[U:.*]] = bufferization.to_buffer %arg1 read_only : tensor<13x6xf32> to memref<13x6xf32>
// CHECK-DAG: %[[V:.*]] = bufferization.to_buffer %arg2 read_only : tensor<6x37xf32> to memref<6x37xf32>
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x13xf32>
// CHECK: call @[[KERNEL:__linea_lowrank_kernel[_0-9]*]](%[[X]], %[[U]], %[[V]], %{{.*}}, %[[Y]])
// CHECK: bufferization.to_tensor %[[Y]] restrict writable
// CHECK: func.func private @[[KERNEL]](%[[KX:.*]]: memref<?x37xf32>, %[[KU:.*]]: memref<13x6xf32>, %[[KV:.*]]: memref<6x37xf32>, %[[KB:.*]]: memref<13xf32>, %[[KY:.*]]: memref<?x13xf32>)
// CHECK: %[[T:.*]] = memref.alloca() : memref<10x6xf32>
// CHECK: scf.for %[[M0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[XP:.*]] = memref.subview %[[KX]][%[[M0]], 0] [%{{.*}}, 37] [1, 1]
// CHECK: %[[YP:.*]] = memref.subview %[[KY]][%[[M0]], 0] [%{{.*}}, 13] [1, 1]
// CHECK: scf.parallel
// CHECK: vector.load %[[XP]]{{.*}} vector<16xf32>
// CHECK: vector.load %[[KV]]{{.*}} : memref<6x37xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.maskedload %[[KV]]
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: scf.parallel
// CHECK: vector.maskedload %[[T]]{{.*}} : memref<10x6xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// CHECK: vector.maskedload %[[KU]]{{.*}} : memref<13x6xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.reduction <add>
// CHECK: memref.load %[[KB]]
// CHECK: arith.addf
// CHECK: memref.store %{{.*}}, %[[YP]]
// LLVM-LABEL: llvm.func @lowrank
// LLVM: llvm.call @__linea_lowrank_kernel
// LLVM: llvm.intr.fmuladd
// REF-LABEL: llvm.func @lowrank
// REF-NOT: __linea_lowrank_kernel
func.func @lowrank(%x: tensor<?x37xf32>, %u: tensor<13x6xf32>, %v: tensor<6x37xf32>, %b: tensor<13xf32>) -> tensor<?x13xf32> {
  %y = linea.lowrank_linear %x, %u, %v bias %b : (tensor<?x37xf32>, tensor<13x6xf32>, tensor<6x37xf32>, tensor<13xf32>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// bf16 factors, f32 bias, rank-3 x: the factors are widened to f32 in
// registers (vector extf); x is flattened to rows.
// Two layers of one signature share one kernel.
// CHECK-LABEL: func.func @lowrank_bf16
// CHECK: tensor.collapse_shape %arg0
// CHECK: call @[[K2:__linea_lowrank_kernel[_0-9]*]](
// CHECK: call @[[K2]](
// CHECK-NOT: call @__linea_lowrank_kernel
// CHECK: func.func private @[[K2]](%{{.*}}: memref<?x16xf32>, %{{.*}}: memref<20x4xbf16>, %{{.*}}: memref<4x16xbf16>, %{{.*}}: memref<20xf32>, %{{.*}}: memref<?x20xf32>)
// CHECK: memref.alloca() : memref<16x4xf32>
// CHECK: arith.extf {{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: arith.extf {{.*}} : vector<4xbf16> to vector<4xf32>
// CHECK-NOT: func.func private @__linea_lowrank_kernel
func.func @lowrank_bf16(%x: tensor<2x3x16xf32>, %u: tensor<20x4xbf16>, %v: tensor<4x16xbf16>, %b: tensor<20xf32>) -> (tensor<2x3x20xf32>, tensor<2x3x20xf32>) {
  %y = linea.lowrank_linear %x, %u, %v bias %b : (tensor<2x3x16xf32>, tensor<20x4xbf16>, tensor<4x16xbf16>, tensor<20xf32>) -> tensor<2x3x20xf32>
  %z = linea.lowrank_linear %x, %u, %v bias %b : (tensor<2x3x16xf32>, tensor<20x4xbf16>, tensor<4x16xbf16>, tensor<20xf32>) -> tensor<2x3x20xf32>
  return %y, %z : tensor<2x3x20xf32>, tensor<2x3x20xf32>
}
