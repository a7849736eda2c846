// RUN: linea-opt %s -split-input-file --linea-densify | FileCheck %s
// RUN: linea-opt %s -split-input-file --linea-densify -verify-diagnostics -o /dev/null

// Each case decodes a small packed weight by the rules of docs/formats.md.
// The expected W was derived by hand from the element tables and checked
// with an independent numpy implementation of docs/formats.md; codes are
// listed row by row, and i8 values are the bytes of the LSB-first stream.

// int8 per channel: ŵ = code · s_n.
//   row 0: [1, -2, 3, -128] · 0.5  = [0.5, -1, 1.5, -64]
//   row 1: [127, 0, -1, 5] · 0.25  = [31.75, 0, -0.25, 1.25]
// CHECK-LABEL: func.func @int8_channel
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}5.000000e-01, -1.000000e+00, 1.500000e+00, -6.400000e+01], [3.175000e+01, 0.000000e+00, -2.500000e-01, 1.250000e+00]]> : tensor<2x4xf32>
// CHECK: linea.linear %{{.*}}, %[[W]] bias %{{.*}} {name = "fc"} : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK-NOT: linea.quant_linear
func.func @int8_channel(%x: tensor<3x4xf32>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %q = arith.constant dense<[[1, -2, 3, -128], [127, 0, -1, 5]]> : tensor<2x4xi8>
  %s = arith.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  %y = linea.quant_linear %x, %q, %s bias %b format <int8> {name = "fc"} : (tensor<3x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// uint4, groups of 2 along K = 5 (groups {0,1}, {2,3}, {4}: the last one is
// partial), f16 scales, zero points; 3 bytes per row, element 2j in the low
// nibble of byte j, the high nibble of byte 2 unused (0).
//   row 0 codes [3, 10 | 15, 0 | 7]: bytes 0xA3, 0x0F, 0x07 = [-93, 15, 7]
//         s [1, 0.5, 2], z [8, 0, 5]: [(3-8)·1, (10-8)·1, 15·.5, 0·.5, (7-5)·2]
//                                   = [-5, 2, 7.5, 0, 4]
//   row 1 codes [8, 8 | 1, 2 | 15]: bytes 0x88, 0x21, 0x0F = [-120, 33, 15]
//         s [0.25, 1, 4], z [4, 1, 12]: [1, 1, 0, 1, 12]
// CHECK-LABEL: func.func @uint4_group_asym
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}-5.000000e+00, 2.000000e+00, 7.500000e+00, 0.000000e+00, 4.000000e+00], [1.000000e+00, 1.000000e+00, 0.000000e+00, 1.000000e+00, 1.200000e+01]]> : tensor<2x5xf32>
// CHECK: linea.linear %{{.*}}, %[[W]] : (tensor<1x5xf32>, tensor<2x5xf32>) -> tensor<1x2xf32>
func.func @uint4_group_asym(%x: tensor<1x5xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[-93, 15, 7], [-120, 33, 15]]> : tensor<2x3xi8>
  %s = arith.constant dense<[[1.0, 0.5, 2.0], [0.25, 1.0, 4.0]]> : tensor<2x3xf16>
  %z = arith.constant dense<[[8, 0, 5], [4, 1, 12]]> : tensor<2x3xi8>
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint4, group 2, scale f16> : (tensor<1x5xf32>, tensor<2x3xi8>, tensor<2x3xf16>, tensor<2x3xi8>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// uint8 per channel; codes and zero points are unsigned bit patterns of the
// i8 values (-56 is 200, -128 is 128).
//   row 0 codes [200, 0, 255, 128], z 128, s 0.5: [36, -64, 63.5, 0]
//   row 1 codes [10, 20, 30, 40],   z 200, s 0.25: [-47.5, -45, -42.5, -40]
// CHECK-LABEL: func.func @uint8_channel_asym
// CHECK: arith.constant dense<{{\[\[}}3.600000e+01, -6.400000e+01, 6.350000e+01, 0.000000e+00], [-4.750000e+01, -4.500000e+01, -4.250000e+01, -4.000000e+01]]> : tensor<2x4xf32>
func.func @uint8_channel_asym(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[-56, 0, -1, -128], [10, 20, 30, 40]]> : tensor<2x4xi8>
  %s = arith.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  %z = arith.constant dense<[[-128], [-56]]> : tensor<2x1xi8>
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint8> : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xi8>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// int4, one scale (0.5) for the tensor; two's complement nibbles.
//   row 0 codes [1, -1 | 7, -8]: bytes 0xF1, 0x87 = [-15, -121] → [0.5, -0.5, 3.5, -4]
//   row 1 codes [0, 2 | -3, 4]:  bytes 0x20, 0x4D = [32, 77]    → [0, 1, -1.5, 2]
// CHECK-LABEL: func.func @int4_tensor
// CHECK: arith.constant dense<{{\[\[}}5.000000e-01, -5.000000e-01, 3.500000e+00, -4.000000e+00], [0.000000e+00, 1.000000e+00, -1.500000e+00, 2.000000e+00]]> : tensor<2x4xf32>
func.func @int4_tensor(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[-15, -121], [32, 77]]> : tensor<2x2xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %y = linea.quant_linear %x, %q, %s format <int4, tensor> : (tensor<1x4xf32>, tensor<2x2xi8>, tensor<1x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// int6 per channel: 4 codes a, b, c, d in 3 bytes,
// byte0 = a | b[1:0]<<6, byte1 = b[5:2] | c[3:0]<<4, byte2 = c[5:4] | d<<2.
//   row 0 codes [-1, 1, 21, -22] = 0x3F, 0x01, 0x15, 0x2A:
//         bytes 0x7F, 0x50, 0xA9 = [127, 80, -87]; s 2   → [-2, 2, 42, -44]
//   row 1 codes [31, -32, 0, 5] = 0x1F, 0x20, 0x00, 0x05:
//         bytes 0x1F, 0x08, 0x14 = [31, 8, 20];    s 0.5 → [15.5, -16, 0, 2.5]
// CHECK-LABEL: func.func @int6_channel
// CHECK: arith.constant dense<{{\[\[}}-2.000000e+00, 2.000000e+00, 4.200000e+01, -4.400000e+01], [1.550000e+01, -1.600000e+01, 0.000000e+00, 2.500000e+00]]> : tensor<2x4xf32>
func.func @int6_channel(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[127, 80, -87], [31, 8, 20]]> : tensor<2x3xi8>
  %s = arith.constant dense<[[2.0], [0.5]]> : tensor<2x1xf32>
  %y = linea.quant_linear %x, %q, %s format <int6> : (tensor<1x4xf32>, tensor<2x3xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// fp8 e4m3 (bias 7), one scale 2 for the tensor.
//   row 0 [0x38, 0xC0, 0x7E, 0x01] = [1, -2, 448, 2^-9 (min subnormal)] → [2, -4, 896, 2^-8]
//   row 1 [0x3C, 0x30, 0xB4, 0x00] = [1.5, 0.5, -0.75, 0]             → [3, 1, -1.5, 0]
// CHECK-LABEL: func.func @fp8_e4m3_tensor
// CHECK: arith.constant dense<{{\[\[}}2.000000e+00, -4.000000e+00, 8.960000e+02, 3.906250e-03], [3.000000e+00, 1.000000e+00, -1.500000e+00, 0.000000e+00]]> : tensor<2x4xf32>
func.func @fp8_e4m3_tensor(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[56, -64, 126, 1], [60, 48, -76, 0]]> : tensor<2x4xi8>
  %s = arith.constant dense<2.0> : tensor<1x1xf32>
  %y = linea.quant_linear %x, %q, %s format <fp8_e4m3, tensor> : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<1x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// fp8 e5m2 (bias 15) per channel.
//   row 0 [0x3C, 0x7B, 0x80, 0x01] = [1, 57344 (max), -0, 2^-16], s 1
//   row 1 [0x40, 0xC2, 0x3E, 0x39] = [2, -3, 1.5, 0.625], s 0.5 → [1, -1.5, 0.75, 0.3125]
// CHECK-LABEL: func.func @fp8_e5m2_channel
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 5.734400e+04, -0.000000e+00, 1.52587891E-5], [1.000000e+00, -1.500000e+00, 7.500000e-01, 3.125000e-01]]> : tensor<2x4xf32>
func.func @fp8_e5m2_channel(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[60, 123, -128, 1], [64, -62, 62, 57]]> : tensor<2x4xi8>
  %s = arith.constant dense<[[1.0], [0.5]]> : tensor<2x1xf32>
  %y = linea.quant_linear %x, %q, %s format <fp8_e5m2> : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// mxfp4, K = 34: elements 0..31 use the e8m0 scale 2^(128-127) = 2, elements
// 32, 33 the partial second group with 2^(126-127) = 0.5. Element k < 32 has
// e2m1 code k mod 16, whose values are [0, .5, 1, 1.5, 2, 3, 4, 6] and their
// negatives (code 8 is -0); elements 32, 33 have codes 7 (6) and 0xF (-6).
//   bytes: code(2j) | code(2j+1)<<4 = 0x10, 0x32, 0x54, 0x76, 0x98, 0xBA,
//   0xDC, 0xFE (twice), then 0xF7.
// CHECK-LABEL: func.func @mxfp4
// CHECK: arith.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00, 1.200000e+01, -0.000000e+00, -1.000000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00, -8.000000e+00, -1.200000e+01, 0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00, 1.200000e+01, -0.000000e+00, -1.000000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00, -8.000000e+00, -1.200000e+01, 3.000000e+00, -3.000000e+00]]> : tensor<1x34xf32>
func.func @mxfp4(%x: tensor<1x34xf32>) -> tensor<1x1xf32> {
  %q = arith.constant dense<[[16, 50, 84, 118, -104, -70, -36, -2, 16, 50, 84, 118, -104, -70, -36, -2, -9]]> : tensor<1x17xi8>
  %s = arith.constant dense<[[2.0, 0.5]]> : tensor<1x2xf8E8M0FNU>
  %y = linea.quant_linear %x, %q, %s format <mxfp4> : (tensor<1x34xf32>, tensor<1x17xi8>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// nvfp4, K = 20: e4m3 scales 1.5 (elements 0..15) and 0.75 (16..19, partial
// group), tensor scale 0.5; ŵ = (e2m1 · s) · 0.5.
//   codes [7, B, 1, 2, 3, 4, 5, 6, 0, 9, A, C, D, E, F, 8 | 3, 0, 1, C]
//   e2m1  [6, -1.5, .5, 1, 1.5, 2, 3, 4, 0, -.5, -1, -2, -3, -4, -6, -0 | 1.5, 0, .5, -2]
//   · 0.75 for the first 16, · 0.375 for the last 4.
// CHECK-LABEL: func.func @nvfp4
// CHECK: arith.constant dense<{{\[\[}}4.500000e+00, -1.125000e+00, 3.750000e-01, 7.500000e-01, 1.125000e+00, 1.500000e+00, 2.250000e+00, 3.000000e+00, 0.000000e+00, -3.750000e-01, -7.500000e-01, -1.500000e+00, -2.250000e+00, -3.000000e+00, -4.500000e+00, -0.000000e+00, 5.625000e-01, 0.000000e+00, 1.875000e-01, -7.500000e-01]]> : tensor<1x20xf32>
func.func @nvfp4(%x: tensor<1x20xf32>) -> tensor<1x1xf32> {
  %q = arith.constant dense<[[-73, 33, 67, 101, -112, -54, -19, -113, 3, -63]]> : tensor<1x10xi8>
  %s = arith.constant dense<[[1.5, 0.75]]> : tensor<1x2xf8E4M3FN>
  %t = arith.constant dense<0.5> : tensor<f32>
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> : (tensor<1x20xf32>, tensor<1x10xi8>, tensor<1x2xf8E4M3FN>, tensor<f32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// nf4, group 64 (one partial group for K = 4), absmax scales 2 and 0.5:
//   row 0 codes [0, 7 | 15, 1]  = bytes 0x70, 0x1F = [112, 31]
//         levels [-1, 0, 1, -0.6961928] · 2
//   row 1 codes [8, 14 | 3, 12] = bytes 0xE8, 0xC3 = [-24, -61]
//         levels [0.0795803, 0.7229568, -0.3949175, 0.4407098] · 0.5
// CHECK-LABEL: func.func @nf4
// CHECK: arith.constant dense<{{\[\[}}-2.000000e+00, 0.000000e+00, 2.000000e+00, -1.3923856], [0.0397901498, 0.361478418, -0.197458744, 0.220354915]]> : tensor<2x4xf32>
func.func @nf4(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[112, 31], [-24, -61]]> : tensor<2x2xi8>
  %s = arith.constant dense<[[2.0], [0.5]]> : tensor<2x1xf32>
  %y = linea.quant_linear %x, %q, %s format <nf4> : (tensor<1x4xf32>, tensor<2x2xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A layer that quantizes its activations computes x̂·Ŵᵀ: no linea.linear of
// a constant W equals it, so it is left alone (materializeDenseWeight still
// gives Ŵ; only the rewrite is refused).
// CHECK-LABEL: func.func @w8a8
// CHECK: linea.quant_linear
// CHECK-NOT: linea.linear
func.func @w8a8(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[2, -3], [127, -127]]> : tensor<2x2xi8>
  %s = arith.constant dense<[[0.5], [2.0]]> : tensor<2x1xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: activation quantization (dynamic_int8_per_token) has no dense equivalent}}
  %y = linea.quant_linear %x, %q, %s format <int8, act dynamic_int8_per_token> : (tensor<1x2xf32>, tensor<2x2xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @fp8_per_tensor
// CHECK: linea.quant_linear
func.func @fp8_per_tensor(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %q = arith.constant dense<[[56, -64]]> : tensor<1x2xi8>
  %s = arith.constant dense<1.0> : tensor<1x1xf32>
  %a = arith.constant dense<0.5> : tensor<f32>
  // expected-remark @+1 {{linea-densify: layer left alone: activation quantization (fp8_per_tensor) has no dense equivalent}}
  %y = linea.quant_linear %x, %q, %s act_scale %a format <fp8_e4m3, tensor, act fp8_per_tensor> : (tensor<1x2xf32>, tensor<1x2xi8>, tensor<1x1xf32>, tensor<f32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// mxfp4 with e8m0 scales 0xFF (NaN) and 0x00 (2^-127, an f32 subnormal):
// the NaN scale makes its group NaN (not +inf); the second group is
// e2m1 · 2^-127: codes 7 (6) and 0xF (-6) give ±6·2^-127 = ±3.52648305E-38.
// (Elements 0..31 repeat the codes of @mxfp4 above.)
// CHECK-LABEL: func.func @mxfp4_special_scales
// CHECK: arith.constant dense<{{\[\[}}0x7FC00000, 0x7FC00000, {{.*}}, 0x7FC00000, 3.52648305E-38, -3.52648305E-38]]> : tensor<1x34xf32>
func.func @mxfp4_special_scales(%x: tensor<1x34xf32>) -> tensor<1x1xf32> {
  %q = arith.constant dense<[[16, 50, 84, 118, -104, -70, -36, -2, 16, 50, 84, 118, -104, -70, -36, -2, -9]]> : tensor<1x17xi8>
  %s = arith.constant dense<"0xFF00"> : tensor<1x2xf8E8M0FNU>
  %y = linea.quant_linear %x, %q, %s format <mxfp4> : (tensor<1x34xf32>, tensor<1x17xi8>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// bf16 activations: the dense W is rounded to bf16 (these values are exact).
// CHECK-LABEL: func.func @bf16_activations
// CHECK: arith.constant dense<{{\[\[}}5.000000e-01, -1.000000e+00]]> : tensor<1x2xbf16>
func.func @bf16_activations(%x: tensor<3x2xbf16>) -> tensor<3x1xbf16> {
  %q = arith.constant dense<[[1, -2]]> : tensor<1x2xi8>
  %s = arith.constant dense<[[0.5]]> : tensor<1x1xbf16>
  %y = linea.quant_linear %x, %q, %s format <int8, scale bf16> : (tensor<3x2xbf16>, tensor<1x2xi8>, tensor<1x1xbf16>) -> tensor<3x1xbf16>
  return %y : tensor<3x1xbf16>
}

// -----

// Non-constant weight operands leave the layer alone, naming the operand.
// CHECK-LABEL: func.func @not_constant_qweight
// CHECK: linea.quant_linear
func.func @not_constant_qweight(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %s = arith.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'qweight' is not a constant}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @not_constant_zero_points
// CHECK: linea.quant_linear
func.func @not_constant_zero_points(%x: tensor<1x4xf32>, %z: tensor<2x1xi8>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %s = arith.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'zero_points' is not a constant}}
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint4> : (tensor<1x4xf32>, tensor<2x2xi8>, tensor<2x1xf32>, tensor<2x1xi8>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @not_constant_tensor_scale
// CHECK: linea.quant_linear
func.func @not_constant_tensor_scale(%x: tensor<1x4xf32>, %t: tensor<f32>) -> tensor<1x1xf32> {
  %q = arith.constant dense<[[1, 2]]> : tensor<1x2xi8>
  %s = arith.constant dense<[[1.0]]> : tensor<1x1xf8E4M3FN>
  // expected-remark @+1 {{linea-densify: layer left alone: operand 'tensor_scale' is not a constant}}
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> : (tensor<1x4xf32>, tensor<1x2xi8>, tensor<1x1xf8E4M3FN>, tensor<f32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
