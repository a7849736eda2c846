// W8A8 layers the CUDA kernels (W8A8Kernels.cpp) reject: weight elements
// other than int8 (int8 activations) or fp8_e4m3 (fp8 activations), and K
// not a multiple of 16; host-fallback=1 turns them into host ops.
// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics
// RUN: linea-opt %s --linea-to-gpu=host-fallback=1 -split-input-file 2>&1 | FileCheck %s --check-prefix=HOST

// HOST: remark: linea-to-gpu: left for the host (no CUDA kernel): linea-to-gpu: act fp8_per_token needs fp8_e4m3 weights on CUDA, got fp8_e5m2

func.func @e5m2(%x: tensor<128x256xbf16>, %qw: tensor<64x256xi8>,
                %s: tensor<64x1xf32>) -> tensor<128x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: act fp8_per_token needs fp8_e4m3 weights on CUDA, got fp8_e5m2}}
  %y = linea.quant_linear %x, %qw, %s format <fp8_e5m2, channel, act fp8_per_token>
      : (tensor<128x256xbf16>, tensor<64x256xi8>, tensor<64x1xf32>) -> tensor<128x64xbf16>
  return %y : tensor<128x64xbf16>
}

// -----

func.func @nf4(%x: tensor<4x256xbf16>, %qw: tensor<64x128xi8>,
               %s: tensor<64x4xf32>, %a: tensor<f32>) -> tensor<4x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: act fp8_per_tensor needs fp8_e4m3 weights on CUDA, got nf4}}
  %y = linea.quant_linear %x, %qw, %s act_scale %a format <nf4, act fp8_per_tensor, scale f32>
      : (tensor<4x256xbf16>, tensor<64x128xi8>, tensor<64x4xf32>, tensor<f32>) -> tensor<4x64xbf16>
  return %y : tensor<4x64xbf16>
}

// -----

func.func @uint8(%x: tensor<4x256xbf16>, %qw: tensor<64x256xi8>,
                 %s: tensor<64x1xf32>, %z: tensor<64x1xi8>) -> tensor<4x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: act dynamic_int8_per_token needs int8 weights on CUDA, got uint8}}
  %y = linea.quant_linear %x, %qw, %s zero_points %z format <uint8, channel, act dynamic_int8_per_token>
      : (tensor<4x256xbf16>, tensor<64x256xi8>, tensor<64x1xf32>, tensor<64x1xi8>) -> tensor<4x64xbf16>
  return %y : tensor<4x64xbf16>
}

// -----

func.func @k24(%x: tensor<128x24xbf16>, %qw: tensor<64x24xi8>,
               %s: tensor<64x1xf32>) -> tensor<128x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: K = 24 is not a multiple of 16 (one 16-byte chunk of codes)}}
  %y = linea.quant_linear %x, %qw, %s format <int8, channel, act dynamic_int8_per_token>
      : (tensor<128x24xbf16>, tensor<64x24xi8>, tensor<64x1xf32>) -> tensor<128x64xbf16>
  return %y : tensor<128x64xbf16>
}
