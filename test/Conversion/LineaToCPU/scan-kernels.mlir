// RUN: linea-opt %s --split-input-file --linea-cpu-scan-kernels | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-cpu-scan-kernels="num-threads=4" | FileCheck %s --check-prefix=PAR
// RUN: linea-opt %s --split-input-file --linea-cpu-scan-kernels="num-threads=2" | FileCheck %s --check-prefix=TWO
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM
// (numerics: python/tests/test_scan_kernels.py)

// One thread: the (row × channel block) items run in a serial loop; no
// threads, no time chunks, no allocation in the kernel.
// CHECK-LABEL: func.func @linear
// CHECK-NOT: linea.linear_scan
// CHECK-DAG: %[[A:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x?x40xbf16> to memref<?x?x40xbf16>
// CHECK-DAG: %[[B:.*]] = bufferization.to_buffer %arg1 read_only : tensor<?x?x40xbf16> to memref<?x?x40xbf16>
// CHECK-DAG: %[[H0:.*]] = bufferization.to_buffer %arg2 read_only : tensor<?x40xf32> to memref<?x40xf32>
// CHECK: %[[H:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x40xbf16>
// CHECK: call @[[KERNEL:__linea_scan_kernel[_0-9]*]](%[[A]], %[[B]], %[[H0]], %[[H]])
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[H]] restrict writable
// CHECK: return %[[T]]
// The block of 4 × 16 lanes does not fit D = 40: the only block is the
// tail, two whole vectors and one of 8 lanes. The kernel loops over the
// (row × block) items calling the outlined item, which loads the initial
// state and calls the outlined time loop: the state stays in registers
// (iter_args), a·h + b without FMA, each output rounded once.
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x?x40xbf16>, %{{.*}}: memref<?x?x40xbf16>, %{{.*}}: memref<?x40xf32>, %{{.*}}: memref<?x?x40xbf16>)
// CHECK-NOT: scf.parallel
// CHECK-NOT: memref.alloc
// CHECK: scf.for
// CHECK: func.call @[[ROWS:.*_rows]](
// CHECK: func.func private @[[STEPS:.*_steps]]({{.*}}: vector<16xf32>, %{{.*}}: vector<16xf32>, %{{.*}}: vector<8xf32>) -> (vector<16xf32>, vector<16xf32>, vector<8xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<8xf32>)
// CHECK: vector.load {{.*}} : memref<?x?x40xbf16>, vector<16xbf16>
// CHECK: arith.extf {{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: vector.load {{.*}} : memref<?x?x40xbf16>, vector<8xbf16>
// CHECK: vector.store {{.*}} : memref<?x?x40xbf16>, vector<8xbf16>
// CHECK: func.func private @[[ROWS]]
// CHECK: vector.load {{.*}} : memref<?x40xf32>, vector<16xf32>
// CHECK: call @[[STEPS]](

// With threads: the time-chunked schedule for few items and long T
// (chunk buffers, phase 1 in parallel, the serial carry pass, phase 3 in
// parallel), else the items in parallel when the work is large enough,
// else serially. Each scf.parallel body is a single call.
// PAR-LABEL: func.func private @__linea_scan_kernel(
// PAR: scf.if
// PAR: memref.alloc(%{{.*}}) : memref<?x4x1x40xf32>
// PAR: memref.alloc(%{{.*}}) : memref<?x4x40xf32>
// PAR: scf.parallel
// PAR-NEXT: func.call @{{.*}}_chunk(
// PAR-NEXT: scf.reduce
// PAR: scf.for
// PAR: scf.for
// PAR: scf.parallel
// PAR-NEXT: func.call @{{.*}}_rescan(
// PAR: } else {
// PAR: scf.if
// PAR: scf.parallel
// PAR-NEXT: func.call @{{.*}}_rows(
// PAR: } else {
// PAR: scf.for
// PAR: func.call @{{.*}}_rows(

// Two threads: no time chunks (two scans of the sequence would eat the
// gain), the items in parallel for large work, else serially.
// TWO-LABEL: func.func private @__linea_scan_kernel(
// TWO-NOT: memref.alloc
// TWO: scf.if
// TWO: scf.parallel
// TWO-NEXT: func.call @{{.*}}_rows(
// TWO: } else {
// TWO: scf.for
// TWO-NOT: _chunk

// LLVM-LABEL: llvm.func @linear
// LLVM: llvm.call @__linea_scan_kernel
func.func @linear(%a: tensor<?x?x40xbf16>, %b: tensor<?x?x40xbf16>, %h0: tensor<?x40xf32>) -> tensor<?x?x40xbf16> {
  %h = linea.linear_scan %a, %b initial_state %h0 : (tensor<?x?x40xbf16>, tensor<?x?x40xbf16>, tensor<?x40xf32>) -> tensor<?x?x40xbf16>
  return %h : tensor<?x?x40xbf16>
}

// -----

// Every optional operand: A, skip and delta_bias are read once per block,
// B and C per step; the state is N = 4 vectors per group; exp and log1p are
// polynomials (no math.exp left); y and the final state are written.
// CHECK-LABEL: func.func @selective
// CHECK-NOT: linea.selective_scan
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<2x?x32xf16>
// CHECK: %[[YC:.*]] = memref.cast %[[Y]] : memref<2x?x32xf16> to memref<?x?x32xf16>
// CHECK: %[[HT:.*]] = memref.alloc() : memref<2x32x4xf32>
// CHECK: %[[HTC:.*]] = memref.cast %[[HT]] : memref<2x32x4xf32> to memref<?x32x4xf32>
// CHECK: call @[[KERNEL:__linea_scan_kernel[_0-9]*]]({{.*}}, %[[YC]], %[[HTC]])
// CHECK-DAG: bufferization.to_tensor %[[Y]] restrict writable : memref<2x?x32xf16> to tensor<2x?x32xf16>
// CHECK-DAG: bufferization.to_tensor %[[HT]] restrict writable : memref<2x32x4xf32> to tensor<2x32x4xf32>
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x?x32xf16>, %{{.*}}: memref<?x?x32xf16>, %{{.*}}: memref<32x4xbf16>, %{{.*}}: memref<?x?x4xf16>, %{{.*}}: memref<?x?x4xf16>, %{{.*}}: memref<32xf32>, %{{.*}}: memref<?x?x32xf16>, %{{.*}}: memref<32xf32>, %{{.*}}: memref<?x32x4xf32>, %{{.*}}: memref<?x?x32xf16>, %{{.*}}: memref<?x32x4xf32>)
// CHECK-NOT: math.exp
// CHECK: func.func private @{{.*}}_steps(
// CHECK: vector.gather {{.*}} : memref<32x4xbf16>, vector<16xi32>, vector<16xi1>, vector<16xbf16> into vector<16xbf16>
// CHECK: scf.for
// CHECK: memref.load {{.*}} : memref<?x?x4xf16>
// CHECK: vector.fma
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xf16>
// CHECK: vector.store {{.*}} : memref<?x?x32xf16>, vector<16xf16>
// CHECK: func.func private @{{.*}}_rows(
// CHECK: vector.gather {{.*}} : memref<?x32x4xf32>
// CHECK: vector.scatter {{.*}} : memref<?x32x4xf32>
// CHECK-NOT: math.exp
func.func @selective(%u: tensor<2x?x32xf16>, %dt: tensor<2x?x32xf16>, %A: tensor<32x4xbf16>,
                     %B: tensor<2x?x4xf16>, %C: tensor<2x?x4xf16>, %D: tensor<32xf32>,
                     %z: tensor<2x?x32xf16>, %db: tensor<32xf32>, %h0: tensor<2x32x4xf32>)
    -> (tensor<2x?x32xf16>, tensor<2x32x4xf32>) {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 {delta_softplus}
      : (tensor<2x?x32xf16>, tensor<2x?x32xf16>, tensor<32x4xbf16>, tensor<2x?x4xf16>, tensor<2x?x4xf16>,
         tensor<32xf32>, tensor<2x?x32xf16>, tensor<32xf32>, tensor<2x32x4xf32>)
      -> (tensor<2x?x32xf16>, tensor<2x32x4xf32>)
  return %y, %hT : tensor<2x?x32xf16>, tensor<2x32x4xf32>
}

// -----

// Two ops of the same types share one kernel.
// CHECK-LABEL: func.func @shared
// CHECK: call @[[K:__linea_scan_kernel[_0-9]*]]
// CHECK: call @[[K]]
// CHECK: func.func private @[[K]](
// CHECK-NOT: func.func private @__linea_scan_kernel{{[_0-9]*}}(
func.func @shared(%a: tensor<1x8x16xf32>, %b: tensor<1x8x16xf32>) -> tensor<1x8x16xf32> {
  %h = linea.linear_scan %a, %b : (tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  %g = linea.linear_scan %h, %b : (tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %g : tensor<1x8x16xf32>
}
