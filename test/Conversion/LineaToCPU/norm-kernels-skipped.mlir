// RUN: linea-opt %s --split-input-file --linea-cpu-norm-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-norm-kernels=vector-width=12 2>&1 | FileCheck %s --check-prefix=ERR

// Norms outside the kernels' set stay for linea-to-linalg's reference
// lowering, with a remark saying why.
// ERR: linea-cpu-norm-kernels: vector-width (12) must be a power of two and min-parallel-work (262144) not negative

// CHECK-LABEL: func.func @f16_norm
// CHECK: linea.rms_norm
func.func @f16_norm(%x: tensor<2x8xf16>) -> tensor<2x8xf16> {
  // expected-remark @+1 {{linea-cpu-norm-kernels: left to the reference lowering: x or the result is not f32}}
  %y = linea.rms_norm %x : (tensor<2x8xf16>) -> tensor<2x8xf16>
  return %y : tensor<2x8xf16>
}
