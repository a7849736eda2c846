// RUN: linea-opt %s -split-input-file -verify-diagnostics

func.func @qweight_rank(%x: tensor<2x8xf32>, %q: tensor<32xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op qweight must have rank 2, but has rank 1}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<32xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @qweight_dynamic(%x: tensor<2x8xf32>, %q: tensor<?x8xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op qweight must have a static shape, but has 'tensor<?x8xi8>'}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<?x8xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @qweight_not_i8(%x: tensor<2x8xf32>, %q: tensor<4x8xi32>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op operand #1 must be ranked tensor of 8-bit signless integer values}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<4x8xi32>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @x_scalar(%x: tensor<f32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op x must have rank >= 1}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<f32>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @x_dynamic_k(%x: tensor<2x?xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op x must have a static last dimension (K)}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x?xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// int4: K = 64 codes of 4 bits are 32 bytes per row, not 64.
func.func @qweight_row_bytes_int4(%x: tensor<2x64xf32>, %q: tensor<4x64xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op qweight has 64 bytes per row, but K = 64 elements of 4 bits need 32}}
  %y = linea.quant_linear %x, %q, %s format <int4> : (tensor<2x64xf32>, tensor<4x64xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// int6: K = 16 codes of 6 bits are 12 bytes per row.
func.func @qweight_row_bytes_int6(%x: tensor<2x16xf32>, %q: tensor<4x16xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op qweight has 16 bytes per row, but K = 16 elements of 6 bits need 12}}
  %y = linea.quant_linear %x, %q, %s format <int6> : (tensor<2x16xf32>, tensor<4x16xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @scales_type(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op scales element type 'f16' differs from the format's scale type 'f32'}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf16>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @scales_not_float(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op operand #2 must be ranked tensor of}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @scales_rank(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op scales must have rank 2, but has rank 1}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @scales_shape_channel(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<1x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op scales has shape [1, 1], but the format needs [4, 1] (N = 4, K = 8, channel granularity)}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<1x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @scales_shape_tensor(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op scales has shape [4, 1], but the format needs [1, 1] (N = 4, K = 8, tensor granularity)}}
  %y = linea.quant_linear %x, %q, %s format <fp8_e4m3, tensor> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// K = 300 in groups of 128: ceil(300 / 128) = 3 scale columns.
func.func @scales_shape_group(%x: tensor<2x300xf32>, %q: tensor<4x150xi8>, %s: tensor<4x2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op scales has shape [4, 2], but the format needs [4, 3] (N = 4, K = 300 in groups of 128, group granularity)}}
  %y = linea.quant_linear %x, %q, %s format <int4, group 128> : (tensor<2x300xf32>, tensor<4x150xi8>, tensor<4x2xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @zero_points_symmetric(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>, %z: tensor<4x1xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op zero_points is given, but the format is symmetric}}
  %y = linea.quant_linear %x, %q, %s zero_points %z format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>, tensor<4x1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @zero_points_missing(%x: tensor<2x8xf32>, %q: tensor<4x4xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op needs zero_points because the format is asymmetric (uint4)}}
  %y = linea.quant_linear %x, %q, %s format <uint4> : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @zero_points_shape(%x: tensor<2x8xf32>, %q: tensor<4x4xi8>, %s: tensor<4x2xf32>, %z: tensor<4x1xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op zero_points has shape [4, 1], but scales has shape [4, 2]}}
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint4, group 4> : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x2xf32>, tensor<4x1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @zero_points_rank(%x: tensor<2x8xf32>, %q: tensor<4x4xi8>, %s: tensor<4x1xf32>, %z: tensor<4xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op zero_points must have rank 2, but has rank 1}}
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint4> : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<4xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @zero_points_not_i8(%x: tensor<2x8xf32>, %q: tensor<4x4xi8>, %s: tensor<4x1xf32>, %z: tensor<4x1xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op operand #3 must be ranked tensor of 8-bit signless integer values, but got 'tensor<4x1xi32>'}}
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint4> : (tensor<2x8xf32>, tensor<4x4xi8>, tensor<4x1xf32>, tensor<4x1xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @tensor_scale_missing(%x: tensor<2x16xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf8E4M3FN>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op needs tensor_scale because the element is nvfp4}}
  %y = linea.quant_linear %x, %q, %s format <nvfp4> : (tensor<2x16xf32>, tensor<4x8xi8>, tensor<4x1xf8E4M3FN>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @tensor_scale_not_nvfp4(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>, %t: tensor<f32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op tensor_scale is given, but only nvfp4 has a per-tensor scale}}
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @tensor_scale_shape(%x: tensor<2x16xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf8E4M3FN>, %t: tensor<2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op tensor_scale must be tensor<f32> or tensor<1xf32>, but has type 'tensor<2xf32>'}}
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> : (tensor<2x16xf32>, tensor<4x8xi8>, tensor<4x1xf8E4M3FN>, tensor<2xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @tensor_scale_not_f32(%x: tensor<2x16xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf8E4M3FN>, %t: tensor<f16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op operand #3 must be ranked tensor of 32-bit float values, but got 'tensor<f16>'}}
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> : (tensor<2x16xf32>, tensor<4x8xi8>, tensor<4x1xf8E4M3FN>, tensor<f16>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @act_scale_missing(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<1x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op needs act_scale because the activation mode is fp8_per_tensor}}
  %y = linea.quant_linear %x, %q, %s format <fp8_e4m3, tensor, act fp8_per_tensor> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<1x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @act_scale_not_static_mode(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<1x1xf32>, %a: tensor<f32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op act_scale is given, but only activation mode fp8_per_tensor has a static scale}}
  %y = linea.quant_linear %x, %q, %s act_scale %a format <fp8_e4m3, tensor, act fp8_per_token> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<1x1xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @act_scale_shape(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<1x1xf32>, %a: tensor<1x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op act_scale must be tensor<f32> or tensor<1xf32>, but has type 'tensor<1x1xf32>'}}
  %y = linea.quant_linear %x, %q, %s act_scale %a format <fp8_e4m3, tensor, act fp8_per_tensor> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @result_features(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'linea.quant_linear' op result has 5 output features, but the weight has 4}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

func.func @result_type(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{'linea.quant_linear' op result element type 'f16' differs from x element type 'f32'}}
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

func.func @bias_shape(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>, %b: tensor<8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.quant_linear' op bias must have shape [4], but has type 'tensor<8xf32>'}}
  %y = linea.quant_linear %x, %q, %s bias %b format <int8> : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @format_not_qformat(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expected '<'}}
  %y = linea.quant_linear %x, %q, %s format "int8" : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
