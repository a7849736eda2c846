// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// W8A16, one f32 scale per output channel; bias and name.
// CHECK-LABEL: func.func @int8_channel
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} format <int8, channel, symmetric, scale f32> {name = "fc1"} : (tensor<8x64xf32>, tensor<32x64xi8>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @int8_channel(%x: tensor<8x64xf32>, %q: tensor<32x64xi8>, %s: tensor<32x1xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.quant_linear %x, %q, %s bias %b format <int8> {name = "fc1"} : (tensor<8x64xf32>, tensor<32x64xi8>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// uint4 in groups of 128 along K (K = 256 → 2 groups), f16 scales, zero
// points; two codes per byte → 128 bytes per row.
// CHECK-LABEL: func.func @uint4_group_asym
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} zero_points %{{.*}} format <uint4, group 128, asymmetric, scale f16> : (tensor<4x256xf32>, tensor<64x128xi8>, tensor<64x2xf16>, tensor<64x2xi8>) -> tensor<4x64xf32>
func.func @uint4_group_asym(%x: tensor<4x256xf32>, %q: tensor<64x128xi8>, %s: tensor<64x2xf16>, %z: tensor<64x2xi8>) -> tensor<4x64xf32> {
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint4, group 128, scale f16> : (tensor<4x256xf32>, tensor<64x128xi8>, tensor<64x2xf16>, tensor<64x2xi8>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// int6: four codes in three bytes, K = 16 → 12 bytes per row.
// CHECK-LABEL: func.func @int6_channel
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} format <int6, channel, symmetric, scale bf16> : (tensor<2x16xbf16>, tensor<8x12xi8>, tensor<8x1xbf16>) -> tensor<2x8xbf16>
func.func @int6_channel(%x: tensor<2x16xbf16>, %q: tensor<8x12xi8>, %s: tensor<8x1xbf16>) -> tensor<2x8xbf16> {
  %y = linea.quant_linear %x, %q, %s format <int6, scale bf16> : (tensor<2x16xbf16>, tensor<8x12xi8>, tensor<8x1xbf16>) -> tensor<2x8xbf16>
  return %y : tensor<2x8xbf16>
}

// fp8 e4m3 with one scale for the tensor.
// CHECK-LABEL: func.func @fp8_e4m3_tensor
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} format <fp8_e4m3, tensor, symmetric, scale f32> : (tensor<2x16xf32>, tensor<8x16xi8>, tensor<1x1xf32>) -> tensor<2x8xf32>
func.func @fp8_e4m3_tensor(%x: tensor<2x16xf32>, %q: tensor<8x16xi8>, %s: tensor<1x1xf32>) -> tensor<2x8xf32> {
  %y = linea.quant_linear %x, %q, %s format <fp8_e4m3, tensor> : (tensor<2x16xf32>, tensor<8x16xi8>, tensor<1x1xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// fp8 e5m2 per channel, batched bf16 activations with a dynamic batch.
// CHECK-LABEL: func.func @fp8_e5m2_batched
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} format <fp8_e5m2, channel, symmetric, scale f32> : (tensor<?x4x32xbf16>, tensor<16x32xi8>, tensor<16x1xf32>) -> tensor<?x4x16xbf16>
func.func @fp8_e5m2_batched(%x: tensor<?x4x32xbf16>, %q: tensor<16x32xi8>, %s: tensor<16x1xf32>) -> tensor<?x4x16xbf16> {
  %y = linea.quant_linear %x, %q, %s format <fp8_e5m2> : (tensor<?x4x32xbf16>, tensor<16x32xi8>, tensor<16x1xf32>) -> tensor<?x4x16xbf16>
  return %y : tensor<?x4x16xbf16>
}

// mxfp4: e2m1 codes, one e8m0 scale per 32 along K.
// CHECK-LABEL: func.func @mxfp4
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} format <mxfp4, group 32, symmetric, scale f8E8M0FNU> : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x2xf8E8M0FNU>) -> tensor<2x8xf32>
func.func @mxfp4(%x: tensor<2x64xf32>, %q: tensor<8x32xi8>, %s: tensor<8x2xf8E8M0FNU>) -> tensor<2x8xf32> {
  %y = linea.quant_linear %x, %q, %s format <mxfp4> : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x2xf8E8M0FNU>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// nvfp4: e2m1 codes, e4m3 scale per 16 along K, f32 scale per tensor.
// CHECK-LABEL: func.func @nvfp4
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} tensor_scale %{{.*}} format <nvfp4, group 16, symmetric, scale f8E4M3FN> : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x4xf8E4M3FN>, tensor<f32>) -> tensor<2x8xf32>
func.func @nvfp4(%x: tensor<2x64xf32>, %q: tensor<8x32xi8>, %s: tensor<8x4xf8E4M3FN>, %t: tensor<f32>) -> tensor<2x8xf32> {
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x4xf8E4M3FN>, tensor<f32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// nf4: codebook indices, absmax scale per 64 along K.
// CHECK-LABEL: func.func @nf4
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} format <nf4, group 64, symmetric, scale f32> : (tensor<2x128xf32>, tensor<8x64xi8>, tensor<8x2xf32>) -> tensor<2x8xf32>
func.func @nf4(%x: tensor<2x128xf32>, %q: tensor<8x64xi8>, %s: tensor<8x2xf32>) -> tensor<2x8xf32> {
  %y = linea.quant_linear %x, %q, %s format <nf4> : (tensor<2x128xf32>, tensor<8x64xi8>, tensor<8x2xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// W8A8: activations quantized to int8 per token at run time.
// CHECK-LABEL: func.func @w8a8
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} format <int8, channel, symmetric, scale f32, act dynamic_int8_per_token> : (tensor<8x64xf32>, tensor<32x64xi8>, tensor<32x1xf32>) -> tensor<8x32xf32>
func.func @w8a8(%x: tensor<8x64xf32>, %q: tensor<32x64xi8>, %s: tensor<32x1xf32>) -> tensor<8x32xf32> {
  %y = linea.quant_linear %x, %q, %s format <int8, act dynamic_int8_per_token> : (tensor<8x64xf32>, tensor<32x64xi8>, tensor<32x1xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// fp8 weights and activations with a static activation scale.
// CHECK-LABEL: func.func @fp8_act_per_tensor
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} act_scale %{{.*}} format <fp8_e4m3, tensor, symmetric, scale f32, act fp8_per_tensor> : (tensor<2x16xf32>, tensor<8x16xi8>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<2x8xf32>
func.func @fp8_act_per_tensor(%x: tensor<2x16xf32>, %q: tensor<8x16xi8>, %s: tensor<1x1xf32>, %a: tensor<1xf32>) -> tensor<2x8xf32> {
  %y = linea.quant_linear %x, %q, %s act_scale %a format <fp8_e4m3, tensor, act fp8_per_tensor> : (tensor<2x16xf32>, tensor<8x16xi8>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// Every optional operand at once (segment sizes): nvfp4 with fp8 per-tensor
// activations and a bias.
// CHECK-LABEL: func.func @all_optional_operands
// CHECK: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} tensor_scale %{{.*}} act_scale %{{.*}} bias %{{.*}} format <nvfp4, group 16, symmetric, scale f8E4M3FN, act fp8_per_tensor> {name = "proj"} : (tensor<2x40xf16>, tensor<4x20xi8>, tensor<4x3xf8E4M3FN>, tensor<f32>, tensor<f32>, tensor<4xf16>) -> tensor<2x4xf16>
func.func @all_optional_operands(%x: tensor<2x40xf16>, %q: tensor<4x20xi8>, %s: tensor<4x3xf8E4M3FN>, %t: tensor<f32>, %a: tensor<f32>, %b: tensor<4xf16>) -> tensor<2x4xf16> {
  %y = linea.quant_linear %x, %q, %s tensor_scale %t act_scale %a bias %b format <nvfp4, act fp8_per_tensor> {name = "proj"} : (tensor<2x40xf16>, tensor<4x20xi8>, tensor<4x3xf8E4M3FN>, tensor<f32>, tensor<f32>, tensor<4xf16>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// The attribute alone: omitted entries print with the element's defaults.
// CHECK-LABEL: func.func private @qformat_defaults
// CHECK-SAME: a = #linea.qformat<uint8, channel, asymmetric, scale f32>
// CHECK-SAME: b = #linea.qformat<nf4, group 64, symmetric, scale f32>
// CHECK-SAME: c = #linea.qformat<int4, tensor, symmetric, scale bf16, act fp8_per_token>
// CHECK-SAME: d = #linea.qformat<mxfp4, group 32, symmetric, scale f8E8M0FNU, act fp8_per_tensor>
func.func private @qformat_defaults() attributes {
  a = #linea.qformat<uint8>,
  b = #linea.qformat<nf4>,
  c = #linea.qformat<int4, act fp8_per_token, scale bf16, tensor>,
  d = #linea.qformat<mxfp4, symmetric, act fp8_per_tensor>}
