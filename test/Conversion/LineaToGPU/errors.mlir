// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics

func.func @int6(%x: tensor<1x256xbf16>, %qw: tensor<64x192xi8>,
                %s: tensor<64x1xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: no CUDA kernel for int6 symmetric weights}}
  %y = linea.quant_linear %x, %qw, %s format <int6, scale bf16>
      : (tensor<1x256xbf16>, tensor<64x192xi8>, tensor<64x1xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @w8a8(%x: tensor<1x256xf32>, %qw: tensor<64x128xi8>,
                %s: tensor<64x2xf32>) -> tensor<1x64xf32> {
  // expected-error @+1 {{linea-to-gpu: act dynamic_int8_per_token needs int8 weights on CUDA, got int4}}
  %y = linea.quant_linear %x, %qw, %s format <int4, group 128, act dynamic_int8_per_token>
      : (tensor<1x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

func.func @k_not_32(%x: tensor<1x80xbf16>, %qw: tensor<64x40xi8>,
                    %s: tensor<64x1xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: K = 80 is not a multiple of 32 (one 16-byte chunk of codes)}}
  %y = linea.quant_linear %x, %qw, %s format <int4, scale bf16>
      : (tensor<1x80xbf16>, tensor<64x40xi8>, tensor<64x1xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @group48(%x: tensor<1x256xbf16>, %qw: tensor<64x128xi8>,
                   %s: tensor<64x6xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: group size 48 is not a multiple of 32 nor a multiple of 8 dividing 32}}
  %y = linea.quant_linear %x, %qw, %s format <int4, group 48, scale bf16>
      : (tensor<1x256xbf16>, tensor<64x128xi8>, tensor<64x6xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @dynamic(%x: tensor<?x256xbf16>, %qw: tensor<64x128xi8>,
                   %s: tensor<64x2xbf16>) -> tensor<?x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: x and y must have static shapes, got 'tensor<?x256xbf16>' and 'tensor<?x64xbf16>'}}
  %y = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      : (tensor<?x256xbf16>, tensor<64x128xi8>, tensor<64x2xbf16>) -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

func.func @dense_f32(%x: tensor<1x64xf32>, %w: tensor<8x64xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{linea-to-gpu: dense weights must be bf16 or f16, got 'f32'}}
  %y = linea.linear %x, %w : (tensor<1x64xf32>, tensor<8x64xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @dense_k(%x: tensor<1x60xbf16>, %w: tensor<8x60xbf16>) -> tensor<1x8xbf16> {
  // expected-error @+1 {{linea-to-gpu: K = 60 is not a multiple of 8 (one 16-byte chunk of w)}}
  %y = linea.linear %x, %w : (tensor<1x60xbf16>, tensor<8x60xbf16>) -> tensor<1x8xbf16>
  return %y : tensor<1x8xbf16>
}
