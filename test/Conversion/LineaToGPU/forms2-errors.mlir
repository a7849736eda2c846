// Layouts of the second set of forms (nm, shift, more quant elements) that
// linea-to-gpu refuses, each with the operand and number at fault.
// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics

func.func @nm_f32_values(%x: tensor<1x256xbf16>, %v: tensor<64x128xf32>,
                         %i: tensor<64x128xi8>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: n:m values must be bf16 or f16, got 'f32'}}
  %y = linea.nm_linear 2:4 %x, %v, %i
      : (tensor<1x256xbf16>, tensor<64x128xf32>, tensor<64x128xi8>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @nm_kept_not_8(%x: tensor<1x16xbf16>, %v: tensor<64x6xbf16>,
                         %i: tensor<64x6xi8>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: 3:8 layer keeps K·n/m = 6 values per row (K = 16), not a multiple of 8 (one 16-byte chunk)}}
  %y = linea.nm_linear 3:8 %x, %v, %i
      : (tensor<1x16xbf16>, tensor<64x6xbf16>, tensor<64x6xi8>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @shift_k(%x: tensor<1x40xf32>, %e: tensor<1x64x40xi8>,
                   %s: tensor<1x64x40xi8>) -> tensor<1x64xf32> {
  // expected-error @+1 {{linea-to-gpu: K = 40 is not a multiple of 16 (one 16-byte chunk of exponents)}}
  %y = linea.shift_linear %x, %e, %s
      : (tensor<1x40xf32>, tensor<1x64x40xi8>, tensor<1x64x40xi8>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

func.func @shift_terms(%x: tensor<1x64xf32>, %e: tensor<5x32x64xi8>,
                       %s: tensor<5x32x64xi8>) -> tensor<1x32xf32> {
  // expected-error @+1 {{linea-to-gpu: shift layer with T = 5 terms; at most 4 are supported}}
  %y = linea.shift_linear %x, %e, %s
      : (tensor<1x64xf32>, tensor<5x32x64xi8>, tensor<5x32x64xi8>) -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}

// -----

func.func @int6(%x: tensor<1x256xbf16>, %qw: tensor<64x192xi8>,
                %s: tensor<64x1xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: no CUDA kernel for int6 symmetric weights (supported: symmetric int4, int8, fp8_e4m3, fp8_e5m2, nf4, mxfp4, nvfp4; uint4 and uint8 with zero points)}}
  %y = linea.quant_linear %x, %qw, %s format <int6, scale bf16>
      : (tensor<1x256xbf16>, tensor<64x192xi8>, tensor<64x1xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @uint8_small_group(%x: tensor<1x256xbf16>, %qw: tensor<64x256xi8>,
                             %s: tensor<64x32xbf16>, %z: tensor<64x32xi8>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: zero points need groups of whole 16-byte chunks, got group size 8 < 16}}
  %y = linea.quant_linear %x, %qw, %s zero_points %z format <uint8, group 8, scale bf16>
      : (tensor<1x256xbf16>, tensor<64x256xi8>, tensor<64x32xbf16>, tensor<64x32xi8>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @nf4_group_12(%x: tensor<1x96xbf16>, %qw: tensor<64x48xi8>,
                        %s: tensor<64x8xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: group size 12 is not a multiple of 32 nor a multiple of 8 dividing 32}}
  %y = linea.quant_linear %x, %qw, %s format <nf4, group 12, scale bf16>
      : (tensor<1x96xbf16>, tensor<64x48xi8>, tensor<64x8xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @mxfp4_k(%x: tensor<1x48xbf16>, %qw: tensor<64x24xi8>,
                   %s: tensor<64x2xf8E8M0FNU>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: K = 48 is not a multiple of 32 (one 16-byte chunk of codes)}}
  %y = linea.quant_linear %x, %qw, %s format <mxfp4>
      : (tensor<1x48xbf16>, tensor<64x24xi8>, tensor<64x2xf8E8M0FNU>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
