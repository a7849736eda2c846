// RUN: linea-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// linea.bsr_linear
//===----------------------------------------------------------------------===//

func.func @bsr_values_rank(%x: tensor<2x4xf32>, %v: tensor<2x4xf32>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op values must have rank 3, but has rank 2}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_values_dynamic(%x: tensor<2x4xf32>, %v: tensor<?x2x2xf32>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op values must have a static shape, but has 'tensor<?x2x2xf32>'}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<?x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_col_indices_rank(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2x1xi32>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op col_indices must have rank 1, but has rank 2}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2x1xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_row_offsets_rank(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>, %r: tensor<1x3xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op row_offsets must have rank 1, but has rank 2}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<1x3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_index_type(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi16>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op operand #2 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi16>'}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi16>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_empty_blocks(%x: tensor<2x4xf32>, %v: tensor<2x0x2xf32>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<2x0xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op values blocks must be non-empty, but are 0x2 (bn x bk)}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x0x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x0xf32>
  return %y : tensor<2x0xf32>
}

// -----

func.func @bsr_x_scalar(%x: tensor<f32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<f32> {
  // expected-error @+1 {{'linea.bsr_linear' op x must have rank >= 1}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<f32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @bsr_col_indices_length(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<3xi32>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op col_indices has 3 entries, but values has 2 blocks (nnzb)}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_row_offsets_empty(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>, %r: tensor<0xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op row_offsets must have at least 1 entry (N / bn + 1)}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<0xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_result_features(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op result has 6 output features, but the weight has 4}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}

// -----

func.func @bsr_k_not_multiple(%x: tensor<2x5xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.bsr_linear' op x has 5 input features (K), which is not a multiple of the block width 2 (bk)}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x5xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_row_offsets_start(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>) -> tensor<2x4xf32> {
  %r = arith.constant dense<[1, 1, 2]> : tensor<3xi32>
  // expected-error @+1 {{'linea.bsr_linear' op row_offsets[0] is 1, but must be 0}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_row_offsets_decreasing(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>) -> tensor<2x6xf32> {
  %r = arith.constant dense<[0, 2, 1, 2]> : tensor<4xi64>
  // expected-error @+1 {{'linea.bsr_linear' op row_offsets decreases from 2 to 1 at entry 2}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<4xi64>) -> tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}

// -----

func.func @bsr_row_offsets_end(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %c: tensor<2xi32>) -> tensor<2x4xf32> {
  %r = arith.constant dense<[0, 1, 3]> : tensor<3xi32>
  // expected-error @+1 {{'linea.bsr_linear' op row_offsets ends at 3, but values has 2 blocks (nnzb)}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_col_index_too_large(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  %c = arith.constant dense<[0, 2]> : tensor<2xi32>
  // expected-error @+1 {{'linea.bsr_linear' op col_indices[1] is 2, outside [0, 2) (K / bk)}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_col_index_negative(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>, %r: tensor<3xi32>) -> tensor<2x4xf32> {
  %c = arith.constant dense<[-1, 0]> : tensor<2xi64>
  // expected-error @+1 {{'linea.bsr_linear' op col_indices[0] is -1, outside [0, 2) (K / bk)}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi64>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_col_duplicate(%x: tensor<2x4xf32>, %v: tensor<2x2x2xf32>) -> tensor<2x4xf32> {
  %c = arith.constant dense<[1, 1]> : tensor<2xi32>
  %r = arith.constant dense<[0, 2, 2]> : tensor<3xi32>
  // expected-error @+1 {{'linea.bsr_linear' op col_indices of block row 0 are not strictly increasing: entry 1 is 1 after 1}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bsr_col_unsorted(%x: tensor<2x4xf32>, %v: tensor<3x2x2xf32>) -> tensor<2x4xf32> {
  %c = arith.constant dense<[0, 1, 0]> : tensor<3xi32>
  %r = arith.constant dense<[0, 1, 3]> : tensor<3xi32>
  // expected-error @+1 {{'linea.bsr_linear' op col_indices of block row 1 are not strictly increasing: entry 2 is 0 after 1}}
  %y = linea.bsr_linear %x, %v, %c, %r : (tensor<2x4xf32>, tensor<3x2x2xf32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// linea.nm_linear
//===----------------------------------------------------------------------===//

func.func @nm_n_not_less_than_m(%x: tensor<2x8xf32>, %v: tensor<4x8xf32>, %i: tensor<4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op n:m must satisfy 0 < n < m, but is 4:4}}
  %y = linea.nm_linear 4:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_n_zero(%x: tensor<2x8xf32>, %v: tensor<4x0xf32>, %i: tensor<4x0xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op n:m must satisfy 0 < n < m, but is 0:4}}
  %y = linea.nm_linear 0:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x0xf32>, tensor<4x0xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_values_rank(%x: tensor<2x8xf32>, %v: tensor<4x2x2xf32>, %i: tensor<4x4xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op values must have rank 2, but has rank 3}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x2x2xf32>, tensor<4x4xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_indices_rank(%x: tensor<2x8xf32>, %v: tensor<4x4xf32>, %i: tensor<16xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op indices must have rank 2, but has rank 1}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x4xf32>, tensor<16xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_indices_type(%x: tensor<2x8xf32>, %v: tensor<4x4xf32>, %i: tensor<4x4xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op operand #2 must be ranked tensor of 8-bit signless integer values, but got 'tensor<4x4xi32>'}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x4xf32>, tensor<4x4xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_result_features(%x: tensor<2x8xf32>, %v: tensor<4x4xf32>, %i: tensor<4x4xi8>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'linea.nm_linear' op result has 3 output features, but the weight has 4}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x4xf32>, tensor<4x4xi8>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @nm_dynamic_k(%x: tensor<2x?xf32>, %v: tensor<4x4xf32>, %i: tensor<4x4xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op x must have a static last dimension (K)}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x?xf32>, tensor<4x4xf32>, tensor<4x4xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_k_not_multiple(%x: tensor<2x6xf32>, %v: tensor<4x3xf32>, %i: tensor<4x3xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op x has 6 input features (K), which is not a multiple of m = 4}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x6xf32>, tensor<4x3xf32>, tensor<4x3xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_values_columns(%x: tensor<2x8xf32>, %v: tensor<4x6xf32>, %i: tensor<4x6xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op values dimension 1 is 6, but K·n/m is 4}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x6xf32>, tensor<4x6xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_indices_shape(%x: tensor<2x8xf32>, %v: tensor<4x4xf32>, %i: tensor<2x4xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.nm_linear' op indices has shape 2x4, but values has shape 4x4}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<4x4xf32>, tensor<2x4xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @nm_index_out_of_group(%x: tensor<2x8xf32>, %v: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %i = arith.constant dense<[[0, 1, 2, 3], [0, 4, 0, 1]]> : tensor<2x4xi8>
  // expected-error @+1 {{'linea.nm_linear' op indices[1, 1] is 4, outside [0, 4) (m)}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @nm_index_negative(%x: tensor<2x8xf32>, %v: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %i = arith.constant dense<[[0, 1, -1, 3], [0, 1, 0, 1]]> : tensor<2x4xi8>
  // expected-error @+1 {{'linea.nm_linear' op indices[0, 2] is -1, outside [0, 4) (m)}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @nm_index_not_increasing(%x: tensor<2x8xf32>, %v: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %i = arith.constant dense<[[0, 1, 2, 3], [0, 1, 3, 3]]> : tensor<2x4xi8>
  // expected-error @+1 {{'linea.nm_linear' op indices of row 1, group 1 are not strictly increasing: 3 after 3}}
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
