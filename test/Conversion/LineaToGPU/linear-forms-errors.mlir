// Layer forms linea-to-gpu refuses, each with the operand and number at fault.
// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics

func.func @fp8_e5m2_k(%x: tensor<1x40xbf16>, %qw: tensor<64x40xi8>,
                      %s: tensor<64x1xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: K = 40 is not a multiple of 16 (one 16-byte chunk of codes)}}
  %y = linea.quant_linear %x, %qw, %s format <fp8_e5m2, scale bf16>
      : (tensor<1x40xbf16>, tensor<64x40xi8>, tensor<64x1xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @int8_k(%x: tensor<1x40xbf16>, %qw: tensor<64x40xi8>,
                  %s: tensor<64x1xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: K = 40 is not a multiple of 16 (one 16-byte chunk of codes)}}
  %y = linea.quant_linear %x, %qw, %s format <int8, scale bf16>
      : (tensor<1x40xbf16>, tensor<64x40xi8>, tensor<64x1xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @fp8_group24(%x: tensor<1x64xbf16>, %qw: tensor<64x64xi8>,
                       %s: tensor<64x3xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: group size 24 is not a multiple of 16 nor a multiple of 8 dividing 16}}
  %y = linea.quant_linear %x, %qw, %s format <fp8_e4m3, group 24, scale bf16>
      : (tensor<1x64xbf16>, tensor<64x64xi8>, tensor<64x3xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @bsr_f32(%x: tensor<1x64xf32>, %v: tensor<4x16x16xf32>,
                   %c: tensor<4xi32>, %r: tensor<5xi32>) -> tensor<1x64xf32> {
  // expected-error @+1 {{linea-to-gpu: bsr values must be bf16 or f16, got 'f32'}}
  %y = linea.bsr_linear %x, %v, %c, %r
      : (tensor<1x64xf32>, tensor<4x16x16xf32>, tensor<4xi32>, tensor<5xi32>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

func.func @bsr_bk4(%x: tensor<1x64xbf16>, %v: tensor<4x16x4xbf16>,
                   %c: tensor<4xi32>, %r: tensor<5xi32>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: block columns bk = 4 is not a multiple of 8 (one 16-byte chunk)}}
  %y = linea.bsr_linear %x, %v, %c, %r
      : (tensor<1x64xbf16>, tensor<4x16x4xbf16>, tensor<4xi32>, tensor<5xi32>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @bsr_index_types(%x: tensor<1x64xbf16>, %v: tensor<4x16x16xbf16>,
                           %c: tensor<4xi32>, %r: tensor<5xi64>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: col_indices and row_offsets must have one element type, got 'i32' and 'i64'}}
  %y = linea.bsr_linear %x, %v, %c, %r
      : (tensor<1x64xbf16>, tensor<4x16x16xbf16>, tensor<4xi32>, tensor<5xi64>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

func.func @lowrank_f32(%x: tensor<1x64xbf16>, %u: tensor<32x8xf32>,
                       %v: tensor<8x64xbf16>) -> tensor<1x32xbf16> {
  // expected-error @+1 {{linea-to-gpu: low-rank factors must be bf16 or f16, got u 'f32' and v 'bf16'}}
  %y = linea.lowrank_linear %x, %u, %v
      : (tensor<1x64xbf16>, tensor<32x8xf32>, tensor<8x64xbf16>) -> tensor<1x32xbf16>
  return %y : tensor<1x32xbf16>
}

// -----

func.func @lowrank_rank(%x: tensor<1x64xbf16>, %u: tensor<32x12xbf16>,
                        %v: tensor<12x64xbf16>) -> tensor<1x32xbf16> {
  // expected-error @+1 {{linea-to-gpu: K = 64 and rank r = 12 must be multiples of 8 (16-byte chunks)}}
  %y = linea.lowrank_linear %x, %u, %v
      : (tensor<1x64xbf16>, tensor<32x12xbf16>, tensor<12x64xbf16>) -> tensor<1x32xbf16>
  return %y : tensor<1x32xbf16>
}
