// RUN: linea-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of rms_norm, layer_norm, scale_channels and
// hadamard (each named after the op and the rule it breaks).

// x needs a feature dimension.
func.func @rms_norm_x_rank(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'linea.rms_norm' op x must have rank >= 1, but has rank 0}}
  %y = linea.rms_norm %x : (tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}

// -----

// The feature dimension sizes the reduction and the weight.
func.func @rms_norm_dynamic_features(%x: tensor<8x?xf32>) -> tensor<8x?xf32> {
  // expected-error @+1 {{'linea.rms_norm' op x must have a static last dimension, but has 'tensor<8x?xf32>'}}
  %y = linea.rms_norm %x : (tensor<8x?xf32>) -> tensor<8x?xf32>
  return %y : tensor<8x?xf32>
}

// -----

// A norm over no features divides by zero.
func.func @rms_norm_zero_features(%x: tensor<8x0xf32>) -> tensor<8x0xf32> {
  // expected-error @+1 {{'linea.rms_norm' op x must have a positive last dimension, but has 'tensor<8x0xf32>'}}
  %y = linea.rms_norm %x : (tensor<8x0xf32>) -> tensor<8x0xf32>
  return %y : tensor<8x0xf32>
}

// -----

func.func @rms_norm_result_rank(%x: tensor<8x64xf32>) -> tensor<512xf32> {
  // expected-error @+1 {{'linea.rms_norm' op result must have the rank of x (2), but has rank 1}}
  %y = linea.rms_norm %x : (tensor<8x64xf32>) -> tensor<512xf32>
  return %y : tensor<512xf32>
}

// -----

func.func @rms_norm_result_dim(%x: tensor<8x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'linea.rms_norm' op result dimension 0 is 4, but x dimension 0 is 8}}
  %y = linea.rms_norm %x : (tensor<8x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

func.func @rms_norm_result_type(%x: tensor<8x64xbf16>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.rms_norm' op result element type 'f32' differs from x element type 'bf16'}}
  %y = linea.rms_norm %x : (tensor<8x64xbf16>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @rms_norm_weight_rank(%x: tensor<8x64xf32>, %w: tensor<1x64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.rms_norm' op weight must have rank 1, but has rank 2}}
  %y = linea.rms_norm %x weight %w : (tensor<8x64xf32>, tensor<1x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @rms_norm_weight_size(%x: tensor<8x64xf32>, %w: tensor<32xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.rms_norm' op weight must have shape [64] (the last dimension of x), but has type 'tensor<32xf32>'}}
  %y = linea.rms_norm %x weight %w : (tensor<8x64xf32>, tensor<32xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// A dynamic weight cannot be shown to match D.
func.func @rms_norm_weight_dynamic(%x: tensor<8x64xf32>, %w: tensor<?xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.rms_norm' op weight must have shape [64] (the last dimension of x), but has type 'tensor<?xf32>'}}
  %y = linea.rms_norm %x weight %w : (tensor<8x64xf32>, tensor<?xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @rms_norm_epsilon_zero(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.rms_norm' op epsilon must be finite and positive, but is 0}}
  %y = linea.rms_norm %x {epsilon = 0.0 : f32} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Operands are float tensors (the ODS type constraint).
func.func @rms_norm_int(%x: tensor<8x64xi32>) -> tensor<8x64xi32> {
  // expected-error @+1 {{'linea.rms_norm' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %y = linea.rms_norm %x : (tensor<8x64xi32>) -> tensor<8x64xi32>
  return %y : tensor<8x64xi32>
}

// -----

func.func @layer_norm_result_dim(%x: tensor<?x8x64xf32>) -> tensor<?x4x64xf32> {
  // expected-error @+1 {{'linea.layer_norm' op result dimension 1 is 4, but x dimension 1 is 8}}
  %y = linea.layer_norm %x : (tensor<?x8x64xf32>) -> tensor<?x4x64xf32>
  return %y : tensor<?x4x64xf32>
}

// -----

func.func @layer_norm_weight_size(%x: tensor<8x64xf32>, %w: tensor<63xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.layer_norm' op weight must have shape [64] (the last dimension of x), but has type 'tensor<63xf32>'}}
  %y = linea.layer_norm %x weight %w bias %b : (tensor<8x64xf32>, tensor<63xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @layer_norm_bias_size(%x: tensor<8x64xf32>, %w: tensor<64xf32>, %b: tensor<128xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.layer_norm' op bias must have shape [64] (the last dimension of x), but has type 'tensor<128xf32>'}}
  %y = linea.layer_norm %x weight %w bias %b : (tensor<8x64xf32>, tensor<64xf32>, tensor<128xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @layer_norm_bias_rank(%x: tensor<8x64xf32>, %b: tensor<f32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.layer_norm' op bias must have rank 1, but has rank 0}}
  %y = linea.layer_norm %x bias %b : (tensor<8x64xf32>, tensor<f32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @layer_norm_epsilon_negative(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'linea.layer_norm' op epsilon must be finite and positive, but is -1.000000e-05}}
  %y = linea.layer_norm %x {epsilon = -1.0e-5 : f32} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @layer_norm_x_rank(%x: tensor<f16>) -> tensor<f16> {
  // expected-error @+1 {{'linea.layer_norm' op x must have rank >= 1, but has rank 0}}
  %y = linea.layer_norm %x : (tensor<f16>) -> tensor<f16>
  return %y : tensor<f16>
}

// -----

func.func @scale_channels_size(%x: tensor<?x4096xf16>, %s: tensor<2048xf32>) -> tensor<?x4096xf16> {
  // expected-error @+1 {{'linea.scale_channels' op scale must have shape [4096] (the last dimension of x), but has type 'tensor<2048xf32>'}}
  %y = linea.scale_channels %x, %s : (tensor<?x4096xf16>, tensor<2048xf32>) -> tensor<?x4096xf16>
  return %y : tensor<?x4096xf16>
}

// -----

func.func @scale_channels_rank(%x: tensor<?x4096xf16>, %s: tensor<1x4096xf32>) -> tensor<?x4096xf16> {
  // expected-error @+1 {{'linea.scale_channels' op scale must have rank 1, but has rank 2}}
  %y = linea.scale_channels %x, %s : (tensor<?x4096xf16>, tensor<1x4096xf32>) -> tensor<?x4096xf16>
  return %y : tensor<?x4096xf16>
}

// -----

func.func @scale_channels_dynamic(%x: tensor<4x?xf16>, %s: tensor<?xf32>) -> tensor<4x?xf16> {
  // expected-error @+1 {{'linea.scale_channels' op x must have a static last dimension, but has 'tensor<4x?xf16>'}}
  %y = linea.scale_channels %x, %s : (tensor<4x?xf16>, tensor<?xf32>) -> tensor<4x?xf16>
  return %y : tensor<4x?xf16>
}

// -----

func.func @scale_channels_result_type(%x: tensor<4x8xf16>, %s: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'linea.scale_channels' op result element type 'f32' differs from x element type 'f16'}}
  %y = linea.scale_channels %x, %s : (tensor<4x8xf16>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @hadamard_not_power_of_two(%x: tensor<4x96xf32>) -> tensor<4x96xf32> {
  // expected-error @+1 {{'linea.hadamard' op block_size must be a positive power of two, but is 48}}
  %y = linea.hadamard %x {block_size = 48 : i64} : (tensor<4x96xf32>) -> tensor<4x96xf32>
  return %y : tensor<4x96xf32>
}

// -----

func.func @hadamard_zero_block(%x: tensor<4x96xf32>) -> tensor<4x96xf32> {
  // expected-error @+1 {{'linea.hadamard' op block_size must be a positive power of two, but is 0}}
  %y = linea.hadamard %x {block_size = 0 : i64} : (tensor<4x96xf32>) -> tensor<4x96xf32>
  return %y : tensor<4x96xf32>
}

// -----

func.func @hadamard_negative_block(%x: tensor<4x96xf32>) -> tensor<4x96xf32> {
  // expected-error @+1 {{'linea.hadamard' op block_size must be a positive power of two, but is -32}}
  %y = linea.hadamard %x {block_size = -32 : i64} : (tensor<4x96xf32>) -> tensor<4x96xf32>
  return %y : tensor<4x96xf32>
}

// -----

func.func @hadamard_block_divides(%x: tensor<4x96xf32>) -> tensor<4x96xf32> {
  // expected-error @+1 {{'linea.hadamard' op block_size 64 does not divide the last dimension of x (96)}}
  %y = linea.hadamard %x {block_size = 64 : i64} : (tensor<4x96xf32>) -> tensor<4x96xf32>
  return %y : tensor<4x96xf32>
}

// -----

func.func @hadamard_dynamic(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{'linea.hadamard' op x must have a static last dimension, but has 'tensor<4x?xf32>'}}
  %y = linea.hadamard %x {block_size = 64 : i64} : (tensor<4x?xf32>) -> tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}

// -----

func.func @hadamard_result_dim(%x: tensor<4x64xf32>) -> tensor<4x32xf32> {
  // expected-error @+1 {{'linea.hadamard' op result dimension 1 is 32, but x dimension 1 is 64}}
  %y = linea.hadamard %x {block_size = 32 : i64} : (tensor<4x64xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

func.func @hadamard_missing_block(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'linea.hadamard' op requires attribute 'block_size'}}
  %y = linea.hadamard %x : (tensor<4x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
