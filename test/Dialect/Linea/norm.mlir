// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// Round trips of rms_norm, layer_norm, scale_channels and hadamard: every
// combination of optional operands, default and explicit attributes, dynamic
// leading dims and mixed parameter types.

// CHECK-LABEL: func.func @rms_norm_weight
// CHECK: linea.rms_norm %{{.*}} weight %{{.*}} : (tensor<?x4096xbf16>, tensor<4096xf32>) -> tensor<?x4096xbf16>
func.func @rms_norm_weight(%x: tensor<?x4096xbf16>, %w: tensor<4096xf32>) -> tensor<?x4096xbf16> {
  %y = linea.rms_norm %x weight %w : (tensor<?x4096xbf16>, tensor<4096xf32>) -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// The default epsilon (1e-6) is elided; another one is printed.
// CHECK-LABEL: func.func @rms_norm_epsilon
// CHECK: linea.rms_norm %{{.*}} {epsilon = 9.99999974E-6 : f32} : (tensor<2x?x64xf32>) -> tensor<2x?x64xf32>
func.func @rms_norm_epsilon(%x: tensor<2x?x64xf32>) -> tensor<2x?x64xf32> {
  %y = linea.rms_norm %x {epsilon = 1.0e-5 : f32} : (tensor<2x?x64xf32>) -> tensor<2x?x64xf32>
  return %y : tensor<2x?x64xf32>
}

// CHECK-LABEL: func.func @rms_norm_default_epsilon
// CHECK: linea.rms_norm %{{.*}} : (tensor<64xf16>) -> tensor<64xf16>
func.func @rms_norm_default_epsilon(%x: tensor<64xf16>) -> tensor<64xf16> {
  %y = linea.rms_norm %x {epsilon = 1.0e-6 : f32} : (tensor<64xf16>) -> tensor<64xf16>
  return %y : tensor<64xf16>
}

// CHECK-LABEL: func.func @layer_norm_affine
// CHECK: linea.layer_norm %{{.*}} weight %{{.*}} bias %{{.*}} : (tensor<8x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<8x128x768xf32>
func.func @layer_norm_affine(%x: tensor<8x128x768xf32>, %w: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<8x128x768xf32> {
  %y = linea.layer_norm %x weight %w bias %b : (tensor<8x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<8x128x768xf32>
  return %y : tensor<8x128x768xf32>
}

// CHECK-LABEL: func.func @layer_norm_weight_only
// CHECK: linea.layer_norm %{{.*}} weight %{{.*}} {epsilon = 9.99999997E-7 : f32} : (tensor<?x512xbf16>, tensor<512xbf16>) -> tensor<?x512xbf16>
func.func @layer_norm_weight_only(%x: tensor<?x512xbf16>, %w: tensor<512xbf16>) -> tensor<?x512xbf16> {
  %y = linea.layer_norm %x weight %w {epsilon = 1.0e-6 : f32} : (tensor<?x512xbf16>, tensor<512xbf16>) -> tensor<?x512xbf16>
  return %y : tensor<?x512xbf16>
}

// CHECK-LABEL: func.func @layer_norm_bias_only
// CHECK: linea.layer_norm %{{.*}} bias %{{.*}} : (tensor<4x16xf32>, tensor<16xf16>) -> tensor<4x16xf32>
func.func @layer_norm_bias_only(%x: tensor<4x16xf32>, %b: tensor<16xf16>) -> tensor<4x16xf32> {
  %y = linea.layer_norm %x bias %b : (tensor<4x16xf32>, tensor<16xf16>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @layer_norm_plain
// CHECK: linea.layer_norm %{{.*}} : (tensor<4x16xf32>) -> tensor<4x16xf32>
func.func @layer_norm_plain(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %y = linea.layer_norm %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @scale_channels
// CHECK: linea.scale_channels %{{.*}}, %{{.*}} : (tensor<?x4096xf16>, tensor<4096xf32>) -> tensor<?x4096xf16>
func.func @scale_channels(%x: tensor<?x4096xf16>, %s: tensor<4096xf32>) -> tensor<?x4096xf16> {
  %y = linea.scale_channels %x, %s : (tensor<?x4096xf16>, tensor<4096xf32>) -> tensor<?x4096xf16>
  return %y : tensor<?x4096xf16>
}

// CHECK-LABEL: func.func @hadamard_blocked
// CHECK: linea.hadamard %{{.*}} {block_size = 128 : i64} : (tensor<?x4096xbf16>) -> tensor<?x4096xbf16>
func.func @hadamard_blocked(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = linea.hadamard %x {block_size = 128 : i64, normalized = true} : (tensor<?x4096xbf16>) -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// A full-width, unnormalized rotation; block size 1 is the identity.
// CHECK-LABEL: func.func @hadamard_unnormalized
// CHECK: linea.hadamard %{{.*}} {block_size = 64 : i64, normalized = false} : (tensor<2x3x64xf32>) -> tensor<2x3x64xf32>
// CHECK: linea.hadamard %{{.*}} {block_size = 1 : i64} : (tensor<2x3x64xf32>) -> tensor<2x3x64xf32>
func.func @hadamard_unnormalized(%x: tensor<2x3x64xf32>) -> tensor<2x3x64xf32> {
  %y = linea.hadamard %x {block_size = 64 : i64, normalized = false} : (tensor<2x3x64xf32>) -> tensor<2x3x64xf32>
  %z = linea.hadamard %y {block_size = 1 : i64} : (tensor<2x3x64xf32>) -> tensor<2x3x64xf32>
  return %z : tensor<2x3x64xf32>
}
