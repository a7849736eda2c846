// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-quant-kernels=vector-width=12 2>&1 | FileCheck %s --check-prefix=ERR

// Layers outside the kernels' set stay for linea-to-linalg's reference
// lowering, with a remark saying why.
// ERR: linea-cpu-quant-kernels: vector-width (12) must be a power of two and tile-m (4), tile-n (4) and block-bytes (262144) positive, min-parallel-weights (1048576) not negative

// CHECK-LABEL: func.func @int6
// CHECK: linea.quant_linear
// CHECK-NOT: __linea_quant_kernel
func.func @int6(%x: tensor<2x8xf32>, %q: tensor<4x6xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{linea-cpu-quant-kernels: left to the reference lowering: element is not int8, uint8, int4 or uint4}}
  %y = linea.quant_linear %x, %q, %s format <int6> : (tensor<2x8xf32>, tensor<4x6xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @f16_x
// CHECK: linea.quant_linear
func.func @f16_x(%x: tensor<2x8xf16>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf16> {
  // expected-remark @+1 {{left to the reference lowering: x is not an f32 tensor}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf16>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

// CHECK-LABEL: func.func @odd_nibble_group
// CHECK: linea.quant_linear
func.func @odd_nibble_group(%x: tensor<2x14xf32>, %q: tensor<4x7xi8>, %s: tensor<4x2xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{left to the reference lowering: a group of 7 4-bit codes does not end on a byte boundary}}
  %y = linea.quant_linear %x, %q, %s format <int4, group 7> : (tensor<2x14xf32>, tensor<4x7xi8>, tensor<4x2xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @fp8_act
// CHECK: linea.quant_linear
func.func @fp8_act(%x: tensor<2x8xf32>, %q: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{left to the reference lowering: activation mode is not weight_only or dynamic_int8_per_token}}
  %y = linea.quant_linear %x, %q, %s format <int4, act fp8_per_token> : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
