// RUN: linea-opt %s --split-input-file --linea-cpu-norm-kernels="vector-width=16 min-parallel-work=4096" | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-cpu-norm-kernels="flash-norm=false" | FileCheck %s --check-prefix=NOFLASH
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm=norm-kernels=false | FileCheck %s --check-prefix=REF
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm=num-threads=1 --mlir-print-ir-after=linea-cpu-contraction-kernels 2>&1 >/dev/null | FileCheck %s --check-prefix=FUSED
// REF-NOT: __linea_{{rms|layer}}_{{norm|scale}}_kernel
// (numerics: python/tests/test_norm_kernels.py)

// rms_norm, bf16 weight, dynamic M, D = 37 (2 vectors + 5): one pass of
// vector FMAs for Σx² (the last 5 lanes a masked load), 1/sqrt(ms + ε),
// then one pass of x·inv·w with vector stores (the last one masked). The
// loop over rows is an scf.parallel only from M·D ≥ min-parallel-work.
// CHECK-LABEL: func.func @rms
// CHECK: call @[[RMS:__linea_rms_norm_kernel[_0-9]*]](
// CHECK: func.func private @[[RMS]](%[[X:.*]]: memref<?x37xf32>, %[[W:.*]]: memref<37xbf16>, %[[Y:.*]]: memref<?x37xf32>)
// CHECK: %[[BIG:.*]] = arith.cmpi uge, %{{.*}}, %c4096
// CHECK: scf.if %[[BIG]] {
// CHECK: scf.parallel
// CHECK: vector.load %[[X]]{{.*}} : memref<?x37xf32>, vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.maskedload %[[X]]
// CHECK: vector.reduction <add>
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: vector.broadcast
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.extf {{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: vector.store {{.*}}, %[[Y]]
// CHECK: vector.maskedstore %[[Y]]
// CHECK: } else {
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// LLVM-LABEL: llvm.func @rms
// LLVM: llvm.call @__linea_rms_norm_kernel
func.func @rms(%x: tensor<?x37xf32>, %w: tensor<37xbf16>) -> tensor<?x37xf32> {
  %y = linea.rms_norm %x weight %w {epsilon = 1.0e-05 : f32} : (tensor<?x37xf32>, tensor<37xbf16>) -> tensor<?x37xf32>
  return %y : tensor<?x37xf32>
}

// -----

// layer_norm, rank 3: mean, then Σ(x − μ)² with the masked lanes zeroed,
// then (x − μ)·inv·w + b.
// CHECK-LABEL: func.func @layer
// CHECK: tensor.collapse_shape
// CHECK: call @[[LN:__linea_layer_norm_kernel[_0-9]*]](
// CHECK: func.func private @[[LN]](%{{.*}}: memref<?x20xf32>, %{{.*}}: memref<20xf32>, %{{.*}}: memref<20xf32>, %{{.*}}: memref<?x20xf32>)
// CHECK: vector.reduction <add>
// CHECK: arith.subf {{.*}} : vector<16xf32>
// CHECK: arith.select
// CHECK: vector.fma
// CHECK: math.sqrt
// CHECK: arith.subf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// LLVM-LABEL: llvm.func @layer
// LLVM: llvm.call @__linea_layer_norm_kernel
func.func @layer(%x: tensor<2x3x20xf32>, %w: tensor<20xf32>, %b: tensor<20xf32>) -> tensor<2x3x20xf32> {
  %y = linea.layer_norm %x weight %w bias %b : (tensor<2x3x20xf32>, tensor<20xf32>, tensor<20xf32>) -> tensor<2x3x20xf32>
  return %y : tensor<2x3x20xf32>
}

// -----

// FlashNorm: a linear layer of a weightless rms_norm (linea-fold-norms'
// output) becomes the 1/rms kernel (rows × 1), the layer on x itself
// without bias, and y·inv[m] + b[n]; the norm is gone.
// CHECK-LABEL: func.func @flash
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[W:.*]]: tensor<40x64xf32>, %[[B:.*]]: tensor<40xf32>)
// CHECK-NOT: linea.rms_norm
// CHECK: call @[[SCALE:__linea_rms_scale_kernel[_0-9]*]](
// CHECK: %[[INV:.*]] = bufferization.to_tensor
// CHECK: %[[INV1:.*]] = tensor.collapse_shape %[[INV]] {{\[}}[0, 1]] : tensor<?x1xf32> into tensor<?xf32>
// CHECK: %[[P:.*]] = linea.linear %[[X]], %[[W]] {name = "proj"} : (tensor<?x64xf32>, tensor<40x64xf32>) -> tensor<?x40xf32>
// CHECK: linalg.generic {{.*}} ins(%[[P]], %[[INV1]], %[[B]] : tensor<?x40xf32>, tensor<?xf32>, tensor<40xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: func.func private @[[SCALE]](%{{.*}}: memref<?x64xf32>, %[[S:.*]]: memref<?x1xf32>)
// CHECK: vector.fma
// CHECK: math.sqrt
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK-NOT: vector.store
// NOFLASH-LABEL: func.func @flash
// NOFLASH: call @__linea_rms_norm_kernel
// NOFLASH: linea.linear
// The row scale and the bias run in the contraction kernel's store: after
// linea-cpu-contraction-kernels no linalg op is left, and each sum is
// multiplied by inv[m] and the bias added before its one store.
// FUSED-LABEL: func.func @flash
// FUSED-NOT: linalg.
// FUSED: %[[SUM:.*]] = vector.reduction <add>
// FUSED: %[[INV:.*]] = memref.load %collapse_shape
// FUSED: %[[BIAS:.*]] = memref.load
// FUSED: %[[SCALED:.*]] = arith.mulf %[[SUM]], %[[INV]]
// FUSED: %[[Y:.*]] = arith.addf %[[SCALED]], %[[BIAS]]
// FUSED: memref.store %[[Y]]
// FUSED-NOT: linalg.
// FUSED: return
// LLVM-LABEL: llvm.func @flash
// LLVM: llvm.call @__linea_rms_scale_kernel
// LLVM-NOT: llvm.call @__linea_rms_norm_kernel
func.func @flash(%x: tensor<?x64xf32>, %w: tensor<40x64xf32>, %b: tensor<40xf32>) -> tensor<?x40xf32> {
  %h = linea.rms_norm %x : (tensor<?x64xf32>) -> tensor<?x64xf32>
  %y = linea.linear %h, %w bias %b {name = "proj"} : (tensor<?x64xf32>, tensor<40x64xf32>, tensor<40xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}

// -----

// A norm with a weight, or one also used elsewhere, keeps its kernel for
// those users; only the linear layer of a weightless norm is fused.
// CHECK-LABEL: func.func @shared
// CHECK: call @__linea_rms_norm_kernel
// CHECK: call @__linea_rms_scale_kernel
// CHECK: linea.linear
// CHECK: linalg.generic
// LLVM-LABEL: llvm.func @shared
// LLVM: llvm.call @__linea_rms_norm_kernel
func.func @shared(%x: tensor<4x64xf32>, %w: tensor<40x64xf32>) -> (tensor<4x40xf32>, tensor<4x64xf32>) {
  %h = linea.rms_norm %x : (tensor<4x64xf32>) -> tensor<4x64xf32>
  %y = linea.linear %h, %w : (tensor<4x64xf32>, tensor<40x64xf32>) -> tensor<4x40xf32>
  return %y, %h : tensor<4x40xf32>, tensor<4x64xf32>
}
