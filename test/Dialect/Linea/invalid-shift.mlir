// RUN: linea-opt %s -split-input-file -verify-diagnostics

func.func @exponents_rank(%x: tensor<2x8xf32>, %e: tensor<4x8xi8>, %s: tensor<4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op exponents must have rank 3, but has rank 2}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x8xf32>, tensor<4x8xi8>, tensor<4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @signs_rank(%x: tensor<2x8xf32>, %e: tensor<1x4x8xi8>, %s: tensor<4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op signs must have rank 3, but has rank 2}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x8xf32>, tensor<1x4x8xi8>, tensor<4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @exponents_dynamic(%x: tensor<2x8xf32>, %e: tensor<?x4x8xi8>, %s: tensor<1x4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op exponents must have a static shape, but has 'tensor<?x4x8xi8>'}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x8xf32>, tensor<?x4x8xi8>, tensor<1x4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @exponents_type(%x: tensor<2x8xf32>, %e: tensor<1x4x8xi32>, %s: tensor<1x4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op operand #1 must be ranked tensor of 8-bit signless integer values, but got 'tensor<1x4x8xi32>'}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x8xf32>, tensor<1x4x8xi32>, tensor<1x4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @shapes_differ(%x: tensor<2x8xf32>, %e: tensor<2x4x8xi8>, %s: tensor<1x4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op signs has shape 1x4x8, but exponents has shape 2x4x8}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x8xf32>, tensor<2x4x8xi8>, tensor<1x4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @no_terms(%x: tensor<2x8xf32>, %e: tensor<0x4x8xi8>, %s: tensor<0x4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op exponents must hold at least one term (T >= 1), but T is 0}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x8xf32>, tensor<0x4x8xi8>, tensor<0x4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @scale_rank(%x: tensor<2x8xf32>, %e: tensor<1x4x8xi8>, %s: tensor<1x4x8xi8>, %c: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op scale must have rank 1, but has rank 2}}
  %y = linea.shift_linear %x, %e, %s scale %c : (tensor<2x8xf32>, tensor<1x4x8xi8>, tensor<1x4x8xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @scale_length(%x: tensor<2x8xf32>, %e: tensor<1x4x8xi8>, %s: tensor<1x4x8xi8>, %c: tensor<8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op scale dimension 0 is 8, but N is 4}}
  %y = linea.shift_linear %x, %e, %s scale %c : (tensor<2x8xf32>, tensor<1x4x8xi8>, tensor<1x4x8xi8>, tensor<8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @input_features(%x: tensor<2x16xf32>, %e: tensor<1x4x8xi8>, %s: tensor<1x4x8xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op x has 16 input features, but the weight expects 8}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x16xf32>, tensor<1x4x8xi8>, tensor<1x4x8xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bias_length(%x: tensor<2x8xf32>, %e: tensor<1x4x8xi8>, %s: tensor<1x4x8xi8>, %b: tensor<8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'linea.shift_linear' op bias must have shape [4], but has type 'tensor<8xf32>'}}
  %y = linea.shift_linear %x, %e, %s bias %b : (tensor<2x8xf32>, tensor<1x4x8xi8>, tensor<1x4x8xi8>, tensor<8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @sign_out_of_range(%x: tensor<2x2xf32>, %e: tensor<2x1x2xi8>) -> tensor<2x1xf32> {
  %s = arith.constant dense<[[[1, -1]], [[0, 2]]]> : tensor<2x1x2xi8>
  // expected-error @+1 {{'linea.shift_linear' op signs[1, 0, 1] is 2, but must be -1, 0 or 1}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x2xf32>, tensor<2x1x2xi8>, tensor<2x1x2xi8>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

func.func @exponent_out_of_range(%x: tensor<2x2xf32>, %s: tensor<1x1x2xi8>) -> tensor<2x1xf32> {
  %e = arith.constant dense<[[[0, -127]]]> : tensor<1x1x2xi8>
  // expected-error @+1 {{'linea.shift_linear' op exponents[0, 0, 1] is -127, outside [-126, 127]}}
  %y = linea.shift_linear %x, %e, %s : (tensor<2x2xf32>, tensor<1x1x2xi8>, tensor<1x1x2xi8>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
