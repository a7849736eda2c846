// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-quant-kernels=vector-width=12 2>&1 | FileCheck %s --check-prefix=ERR

// Layers outside the kernels' set stay for linea-to-linalg's reference
// lowering, with a remark saying why.
// ERR: linea-cpu-quant-kernels: vector-width (12) must be a power of two and tile-m (4), tile-n (4) and block-bytes (262144) positive, min-parallel-weights (1048576) not negative

// int6 is decoded four codes (one 3-byte unit per lane) at a time: groups
// must hold whole 4-unit steps.
// CHECK-LABEL: func.func @int6_group_8
// CHECK: linea.quant_linear
// CHECK-NOT: __linea_quant_kernel
func.func @int6_group_8(%x: tensor<2x16xf32>, %q: tensor<4x12xi8>, %s: tensor<4x2xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{linea-cpu-quant-kernels: left to the reference lowering: a group of 8 6-bit codes is not a multiple of 16 codes}}
  %y = linea.quant_linear %x, %q, %s format <int6, group 8> : (tensor<2x16xf32>, tensor<4x12xi8>, tensor<4x2xf32>) -> tensor<2x4xf32>
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

// Codebook formats need an f32 lane permute (permute-width, 0 by default).
// CHECK-LABEL: func.func @nf4_no_permute
// CHECK: linea.quant_linear
func.func @nf4_no_permute(%x: tensor<2x64xf32>, %q: tensor<4x32xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{left to the reference lowering: the codebook lookup of 16-lane steps needs an f32 lane permute of 8 or 16 lanes (permute-width = 0)}}
  %y = linea.quant_linear %x, %q, %s format <nf4> : (tensor<2x64xf32>, tensor<4x32xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Groups of 8 4-bit codes are 4-byte, 4-lane steps: no permute of 4 lanes.
// CHECK-LABEL: func.func @nf4_small_group
// CHECK: linea.quant_linear
func.func @nf4_small_group(%x: tensor<2x64xf32>, %q: tensor<4x32xi8>, %s: tensor<4x8xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{left to the reference lowering: the codebook lookup of 4-lane steps needs an f32 lane permute of 8 or 16 lanes (permute-width = 0)}}
  %y = linea.quant_linear %x, %q, %s format <nf4, group 8> : (tensor<2x64xf32>, tensor<4x32xi8>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
