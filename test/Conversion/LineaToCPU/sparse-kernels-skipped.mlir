// RUN: linea-opt %s --split-input-file --linea-cpu-shift-kernels=report-skipped=true --linea-cpu-bsr-kernels=report-skipped=true --linea-cpu-nm-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-shift-kernels=vector-width=12 2>&1 | FileCheck %s --check-prefix=ERR-SHIFT
// RUN: echo 'module {}' | not linea-opt --linea-cpu-bsr-kernels=tile-m=0 2>&1 | FileCheck %s --check-prefix=ERR-BSR
// RUN: echo 'module {}' | not linea-opt --linea-cpu-nm-kernels=min-parallel-weights=-1 2>&1 | FileCheck %s --check-prefix=ERR-NM

// Layers outside the shift, BSR and N:M kernels' set stay for
// linea-to-linalg's reference lowering, with a remark saying why.
// ERR-SHIFT: linea-cpu-shift-kernels: vector-width (12) must be a power of two and tile-m (4), tile-n (4) and block-bytes (262144) positive, min-parallel-weights (1048576) not negative
// ERR-BSR: linea-cpu-bsr-kernels: vector-width (16) must be a power of two and tile-m (0), tile-n (4)
// ERR-NM: linea-cpu-nm-kernels: {{.*}} min-parallel-weights (-1) not negative

// CHECK-LABEL: func.func @shift_f16_x
// CHECK: linea.shift_linear
// CHECK-NOT: __linea_shift_kernel
func.func @shift_f16_x(%x: tensor<2x8xf16>, %e: tensor<1x4x8xi8>, %s: tensor<1x4x8xi8>) -> tensor<2x4xf16> {
  // expected-remark @+1 {{linea-cpu-shift-kernels: left to the reference lowering: x is not f32}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x8xf16>, tensor<1x4x8xi8>, tensor<1x4x8xi8>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

// CHECK-LABEL: func.func @bsr_bf16_values
// CHECK: linea.bsr_linear
// CHECK-NOT: __linea_bsr_kernel
func.func @bsr_bf16_values(%x: tensor<3x8xf32>, %v: tensor<2x2x4xbf16>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<3x4xf32> {
  // expected-remark @+1 {{linea-cpu-bsr-kernels: left to the reference lowering: values are not f32}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<3x8xf32>, tensor<2x2x4xbf16>, tensor<2xi32>, tensor<3xi32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @bsr_f16_x
// CHECK: linea.bsr_linear
func.func @bsr_f16_x(%x: tensor<3x8xf16>, %v: tensor<2x2x4xf16>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<3x4xf16> {
  // expected-remark @+1 {{linea-cpu-bsr-kernels: left to the reference lowering: x is not f32}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<3x8xf16>, tensor<2x2x4xf16>, tensor<2xi32>, tensor<3xi32>) -> tensor<3x4xf16>
  return %y : tensor<3x4xf16>
}

// -----

// m = 48 with 16 lanes: a chunk of lcm(48, 16) = 48 columns is fine, but
// m = 80 needs 80 > 64.
// CHECK-LABEL: func.func @nm_wide_groups
// CHECK: linea.nm_linear
// CHECK-NOT: __linea_nm_kernel
func.func @nm_wide_groups(%x: tensor<2x160xf32>, %v: tensor<3x4xf32>, %i: tensor<3x4xi8>) -> tensor<2x3xf32> {
  // expected-remark @+1 {{linea-cpu-nm-kernels: left to the reference lowering: a chunk of lcm(m = 80, vector-width = 16) = 80 columns exceeds 64}}
  %y = linea.nm_linear 2:80 %x, %v, %i : (tensor<2x160xf32>, tensor<3x4xf32>, tensor<3x4xi8>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @nm_f16
// CHECK: linea.nm_linear
func.func @nm_f16(%x: tensor<2x8xf16>, %v: tensor<3x4xf16>, %i: tensor<3x4xi8>) -> tensor<2x3xf16> {
  // expected-remark @+1 {{linea-cpu-nm-kernels: left to the reference lowering: x is not f32}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf16>, tensor<3x4xf16>, tensor<3x4xi8>) -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}

// -----

// CHECK-LABEL: func.func @nm_f32_x_f16_values
// CHECK: linea.nm_linear
func.func @nm_f32_x_f16_values(%x: tensor<2x8xf32>, %v: tensor<3x4xf16>, %i: tensor<3x4xi8>) -> tensor<2x3xf32> {
  // expected-remark @+1 {{linea-cpu-nm-kernels: left to the reference lowering: values are not f32}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<3x4xf16>, tensor<3x4xi8>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
