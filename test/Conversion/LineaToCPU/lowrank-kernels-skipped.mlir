// RUN: linea-opt %s --split-input-file --linea-cpu-lowrank-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-lowrank-kernels=vector-width=12 2>&1 | FileCheck %s --check-prefix=ERR-WIDTH
// RUN: echo 'module {}' | not linea-opt --linea-cpu-lowrank-kernels=panel-bytes=0 2>&1 | FileCheck %s --check-prefix=ERR-PANEL

// Low-rank layers outside the fused kernel's set stay for linea-to-linalg's
// reference lowering, with a remark saying why.
// ERR-WIDTH: linea-cpu-lowrank-kernels: vector-width (12) must be a power of two
// ERR-PANEL: linea-cpu-lowrank-kernels: panel-bytes (0) must be positive

// CHECK-LABEL: func.func @f16_x
// CHECK: linea.lowrank_linear
// CHECK-NOT: __linea_lowrank_kernel
func.func @f16_x(%x: tensor<2x8xf16>, %u: tensor<4x2xf32>, %v: tensor<2x8xf32>) -> tensor<2x4xf16> {
  // expected-remark @+1 {{linea-cpu-lowrank-kernels: left to the reference lowering: x or the result is not f32}}
  %y = linea.lowrank_linear %x, %u, %v : (tensor<2x8xf16>, tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}
