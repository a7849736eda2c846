// RUN: linea-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the linear-recurrence ops (ScanOps.cpp):
// ranks, static feature dims, agreement of each named dim (B, H, T, D, N,
// Dk, Dv), element types, f32 states and the scale.

// a is [B, T, D].
func.func @ls_rank_a(%a: tensor<16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op a must have rank 3 ([B, T, D]), but has rank 2}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<16x8xf32>, tensor<2x16x8xf32>, tensor<2x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// b is [B, T, D].
func.func @ls_rank_b(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8x1xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op b must have rank 3 ([B, T, D]), but has rank 4}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8x1xf32>, tensor<2x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// The initial state is [B, D].
func.func @ls_rank_h0(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x1x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op initial_state must have rank 2 ([B, D]), but has rank 3}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x1x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// h is [B, T, D].
func.func @ls_rank_result(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op result h must have rank 3 ([B, T, D]), but has rank 2}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x8xf32>) -> tensor<32x8xf32>
  return
}

// -----

// The feature dim D sizes the state and must be static.
func.func @ls_dynamic_d(%a: tensor<2x16x?xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op a dimension 2 (D) must be static}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x?xf32>, tensor<2x16x8xf32>, tensor<2x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// Also in the result.
func.func @ls_dynamic_d_result(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op result h dimension 2 (D) must be static}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x8xf32>) -> tensor<2x16x?xf32>
  return
}

// -----

// a and b must agree on T.
func.func @ls_b_time(%a: tensor<2x16x8xf32>, %b: tensor<2x8x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op b dimension 1 (T) is 8, but a dimension 1 (T) is 16}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x8x8xf32>, tensor<2x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// Static sizes must agree even beside dynamic ones.
func.func @ls_b_batch_dynamic(%a: tensor<2x16x8xf32>, %b: tensor<3x?x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op b dimension 0 (B) is 3, but a dimension 0 (B) is 2}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<3x?x8xf32>, tensor<2x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// The initial state has the batch of a.
func.func @ls_h0_batch(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<4x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op initial_state dimension 0 (B) is 4, but a dimension 0 (B) is 2}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<4x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// The initial state has the features of a.
func.func @ls_h0_features(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x4xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op initial_state dimension 1 (D) is 4, but a dimension 2 (D) is 8}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x4xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// h has the shape of a.
func.func @ls_result_features(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op result h dimension 2 (D) is 4, but a dimension 2 (D) is 8}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x8xf32>) -> tensor<2x16x4xf32>
  return
}

// -----

// The first static size seen is the reference.
func.func @ls_result_time_dynamic_a(%a: tensor<2x?x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op result h dimension 1 (T) is 4, but b dimension 1 (T) is 16}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x?x8xf32>, tensor<2x16x8xf32>, tensor<2x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// a and b share an element type.
func.func @ls_b_type(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf16>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op b element type 'f16' differs from a element type 'f32'}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf16>, tensor<2x8xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// h has the element type of a.
func.func @ls_result_type(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>, %h0: tensor<2x8xf32>) {
  // expected-error @+1 {{'linea.linear_scan' op result h element type 'bf16' differs from a element type 'f32'}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<2x8xf32>) -> tensor<2x16x8xbf16>
  return
}

// -----

// States are f32.
func.func @ls_h0_type(%a: tensor<2x16x8xbf16>, %b: tensor<2x16x8xbf16>, %h0: tensor<2x8xbf16>) {
  // expected-error @+1 {{'linea.linear_scan' op initial_state must have element type f32, but has 'bf16'}}
  %r0 = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x8xbf16>) -> tensor<2x16x8xbf16>
  return
}

// -----

// u is [Bt, T, D].
func.func @ss_rank_u(%u: tensor<16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op u must have rank 3 ([Bt, T, D]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// delta is [Bt, T, D].
func.func @ss_rank_delta(%u: tensor<2x16x8xf32>, %dt: tensor<16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op delta must have rank 3 ([Bt, T, D]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// A is [D, N].
func.func @ss_rank_A(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<1x8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op A must have rank 2 ([D, N]), but has rank 3}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<1x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// B is [Bt, T, N].
func.func @ss_rank_B(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op B must have rank 3 ([Bt, T, N]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// C is [Bt, T, N].
func.func @ss_rank_C(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4x1xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op C must have rank 3 ([Bt, T, N]), but has rank 4}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4x1xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The skip is [D].
func.func @ss_rank_skip(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<1x8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op D_skip must have rank 1 ([D]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<1x8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The gate is [Bt, T, D].
func.func @ss_rank_gate(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op z must have rank 3 ([Bt, T, D]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The step bias is [D].
func.func @ss_rank_delta_bias(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<f32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op delta_bias must have rank 1 ([D]), but has rank 0}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<f32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The initial state is [Bt, D, N].
func.func @ss_rank_h0(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op initial_state must have rank 3 ([Bt, D, N]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// y is [Bt, T, D].
func.func @ss_rank_y(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op result y must have rank 3 ([Bt, T, D]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The final state is [Bt, D, N].
func.func @ss_rank_final(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op result final_state must have rank 3 ([Bt, D, N]), but has rank 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<8x4xf32>)
  return
}

// -----

// The state size N must be static.
func.func @ss_dynamic_n(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x?xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op A dimension 1 (N) must be static}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x?xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The channel count D must be static.
func.func @ss_dynamic_d(%u: tensor<2x16x?xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op u dimension 2 (D) must be static}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x?xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// delta has the shape of u.
func.func @ss_delta_time(%u: tensor<2x16x8xf32>, %dt: tensor<2x8x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op delta dimension 1 (T) is 8, but u dimension 1 (T) is 16}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x8x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// A has a row per channel of u.
func.func @ss_A_channels(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<16x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op A dimension 0 (D) is 16, but u dimension 2 (D) is 8}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<16x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// B has the state size of A.
func.func @ss_B_state(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x2xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op B dimension 2 (N) is 2, but A dimension 1 (N) is 4}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x2xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// B has the batch of u.
func.func @ss_B_batch(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<3x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op B dimension 0 (Bt) is 3, but u dimension 0 (Bt) is 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<3x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// C has the time steps of u.
func.func @ss_C_time(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x15x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op C dimension 1 (T) is 15, but u dimension 1 (T) is 16}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x15x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The skip has a value per channel.
func.func @ss_skip_channels(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<4xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op D_skip dimension 0 (D) is 4, but u dimension 2 (D) is 8}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<4xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The gate has the shape of u.
func.func @ss_gate_channels(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x4xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op z dimension 2 (D) is 4, but u dimension 2 (D) is 8}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The step bias has a value per channel.
func.func @ss_delta_bias_channels(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<16xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op delta_bias dimension 0 (D) is 16, but u dimension 2 (D) is 8}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<16xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The initial state is [Bt, D, N].
func.func @ss_h0_state(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x8xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op initial_state dimension 2 (N) is 8, but A dimension 1 (N) is 4}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// y has the shape of u.
func.func @ss_y_time(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op result y dimension 1 (T) is 1, but u dimension 1 (T) is 16}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x1x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The final state has the batch of u.
func.func @ss_final_batch(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op result final_state dimension 0 (Bt) is 1, but u dimension 0 (Bt) is 2}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<1x8x4xf32>)
  return
}

// -----

// u, delta, B, C and z share one element type.
func.func @ss_delta_type(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xbf16>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op delta element type 'bf16' differs from u element type 'f32'}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xbf16>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// B is an activation, typed like u.
func.func @ss_B_type(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf16>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op B element type 'f16' differs from u element type 'f32'}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf16>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// C is an activation, typed like u.
func.func @ss_C_type(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf16>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op C element type 'f16' differs from u element type 'f32'}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf16>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// The gate is an activation, typed like u.
func.func @ss_gate_type(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xbf16>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op z element type 'bf16' differs from u element type 'f32'}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xbf16>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// y has the element type of u.
func.func @ss_y_type(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{'linea.selective_scan' op result y element type 'f16' differs from u element type 'f32'}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xf32>) -> (tensor<2x16x8xf16>, tensor<2x8x4xf32>)
  return
}

// -----

// States are f32.
func.func @ss_h0_type(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>, %D: tensor<8xf32>, %z: tensor<2x16x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xbf16>) {
  // expected-error @+1 {{'linea.selective_scan' op initial_state must have element type f32, but has 'bf16'}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<8xf32>, tensor<2x16x8xf32>, tensor<8xf32>, tensor<2x8x4xbf16>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return
}

// -----

// States are f32, whatever the activations.
func.func @ss_final_type(%u: tensor<2x16x8xf16>, %dt: tensor<2x16x8xf16>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf16>, %C: tensor<2x16x4xf16>) {
  // expected-error @+1 {{'linea.selective_scan' op result final_state must have element type f32, but has 'f16'}}
  %r0, %r1 = linea.selective_scan %u, %dt, %A, %B, %C : (tensor<2x16x8xf16>, tensor<2x16x8xf16>, tensor<8x4xf32>, tensor<2x16x4xf16>, tensor<2x16x4xf16>) -> (tensor<2x16x8xf16>, tensor<2x8x4xf16>)
  return
}

// -----

// q is [B, H, T, Dk].
func.func @gla_rank_q(%q: tensor<4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op q must have rank 4 ([B, H, T, Dk]), but has rank 3}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// k is [B, H, T, Dk].
func.func @gla_rank_k(%q: tensor<2x4x16x8xf32>, %k: tensor<4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op k must have rank 4 ([B, H, T, Dk]), but has rank 3}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// v is [B, H, T, Dv].
func.func @gla_rank_v(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12x1xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op v must have rank 4 ([B, H, T, Dv]), but has rank 5}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12x1xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The gate is per key channel: [B, H, T, Dk].
func.func @gla_rank_g(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op g must have rank 4 ([B, H, T, Dk]), but has rank 3}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The state is [B, H, Dk, Dv].
func.func @gla_rank_s0(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op initial_state must have rank 4 ([B, H, Dk, Dv]), but has rank 3}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// o is [B, H, T, Dv].
func.func @gla_rank_o(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op result o must have rank 4 ([B, H, T, Dv]), but has rank 3}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x64x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The final state is [B, H, Dk, Dv].
func.func @gla_rank_final(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op result final_state must have rank 4 ([B, H, Dk, Dv]), but has rank 2}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<8x12xf32>)
  return
}

// -----

// Dk must be static (the state size and the default scale need it).
func.func @gla_dynamic_dk(%q: tensor<2x4x16x?xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op q dimension 3 (Dk) must be static}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x?xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// Dv must be static.
func.func @gla_dynamic_dv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x?xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op v dimension 3 (Dv) must be static}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x?xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// q and k share Dk.
func.func @gla_k_dk(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x4xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op k dimension 3 (Dk) is 4, but q dimension 3 (Dk) is 8}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x4xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// q, k and v share the heads (no grouped keys).
func.func @gla_k_heads(%q: tensor<2x4x16x8xf32>, %k: tensor<2x2x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op k dimension 1 (H) is 2, but q dimension 1 (H) is 4}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x2x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// v has the time steps of q.
func.func @gla_v_time(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x32x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op v dimension 2 (T) is 32, but q dimension 2 (T) is 16}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x32x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The gate has a value per key channel.
func.func @gla_g_dk(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x1xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op g dimension 3 (Dk) is 1, but q dimension 3 (Dk) is 8}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x1xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The state is Dk x Dv.
func.func @gla_s0_dv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x8xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op initial_state dimension 3 (Dv) is 8, but v dimension 3 (Dv) is 12}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x8xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The state has the batch of q.
func.func @gla_s0_batch(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<1x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op initial_state dimension 0 (B) is 1, but q dimension 0 (B) is 2}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<1x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// o has the value width.
func.func @gla_o_dv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op result o dimension 3 (Dv) is 8, but v dimension 3 (Dv) is 12}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The final state is Dk x Dv.
func.func @gla_final_dk(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op result final_state dimension 2 (Dk) is 12, but q dimension 3 (Dk) is 8}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x12x12xf32>)
  return
}

// -----

// q, k and v share an element type.
func.func @gla_k_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf16>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op k element type 'f16' differs from q element type 'f32'}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf16>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// q, k and v share an element type.
func.func @gla_v_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xbf16>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op v element type 'bf16' differs from q element type 'f32'}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xbf16>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// o has the element type of q.
func.func @gla_o_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op result o element type 'f16' differs from q element type 'f32'}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf16>, tensor<2x4x8x12xf32>)
  return
}

// -----

// States are f32.
func.func @gla_s0_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xbf16>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op initial_state must have element type f32, but has 'bf16'}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xbf16>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// States are f32.
func.func @gla_final_type(%q: tensor<2x4x16x8xbf16>, %k: tensor<2x4x16x8xbf16>, %v: tensor<2x4x16x12xbf16>, %g: tensor<2x4x16x8xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op result final_state must have element type f32, but has 'bf16'}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g : (tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>, tensor<2x4x16x12xbf16>, tensor<2x4x16x8xf32>) -> (tensor<2x4x16x12xbf16>, tensor<2x4x8x12xbf16>)
  return
}

// -----

// The scale must be positive.
func.func @gla_scale_negative(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op scale must be finite and positive, but is -1}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {scale = -1.0 : f32} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// ... and nonzero.
func.func @gla_scale_zero(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>) {
  // expected-error @+1 {{'linea.gated_linear_attention' op scale must be finite and positive, but is 0}}
  %r0, %r1 = linea.gated_linear_attention %q, %k, %v, %g {scale = 0.0 : f32} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// q is [B, H, T, Dk].
func.func @dr_rank_q(%q: tensor<16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op q must have rank 4 ([B, H, T, Dk]), but has rank 2}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// k is [B, H, T, Dk].
func.func @dr_rank_k(%q: tensor<2x4x16x8xf32>, %k: tensor<4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op k must have rank 4 ([B, H, T, Dk]), but has rank 3}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// v is [B, H, T, Dv].
func.func @dr_rank_v(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op v must have rank 4 ([B, H, T, Dv]), but has rank 3}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// beta is one scalar per step: [B, H, T].
func.func @dr_rank_beta(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16x1xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op beta must have rank 3 ([B, H, T]), but has rank 4}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x1xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The state is [B, H, Dk, Dv].
func.func @dr_rank_s0(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op initial_state must have rank 4 ([B, H, Dk, Dv]), but has rank 3}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// o is [B, H, T, Dv].
func.func @dr_rank_o(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op result o must have rank 4 ([B, H, T, Dv]), but has rank 3}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The final state is [B, H, Dk, Dv].
func.func @dr_rank_final(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op result final_state must have rank 4 ([B, H, Dk, Dv]), but has rank 3}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<4x8x12xf32>)
  return
}

// -----

// Dk must be static.
func.func @dr_dynamic_dk(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x?xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op k dimension 3 (Dk) must be static}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x?xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// Dv must be static, in results too.
func.func @dr_dynamic_dv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op result o dimension 3 (Dv) must be static}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x?xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// q and k share Dk.
func.func @dr_k_dk(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x16xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op k dimension 3 (Dk) is 16, but q dimension 3 (Dk) is 8}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x16xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// v has the batch of q.
func.func @dr_v_batch(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<3x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op v dimension 0 (B) is 3, but q dimension 0 (B) is 2}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<3x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// beta has a value per step.
func.func @dr_beta_time(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x8xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op beta dimension 2 (T) is 8, but q dimension 2 (T) is 16}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x8xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// beta has a value per head.
func.func @dr_beta_heads(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x1x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op beta dimension 1 (H) is 1, but q dimension 1 (H) is 4}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x1x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The state is Dk x Dv, not Dv x Dk.
func.func @dr_s0_dk(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x12x8xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op initial_state dimension 2 (Dk) is 12, but q dimension 3 (Dk) is 8}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x12x8xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// o has the time steps of q.
func.func @dr_o_time(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op result o dimension 2 (T) is 1, but q dimension 2 (T) is 16}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x1x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// The final state is Dk x Dv.
func.func @dr_final_dv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op result final_state dimension 3 (Dv) is 8, but v dimension 3 (Dv) is 12}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x8xf32>)
  return
}

// -----

// q, k and v share an element type.
func.func @dr_k_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xbf16>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op k element type 'bf16' differs from q element type 'f32'}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xbf16>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// q, k and v share an element type.
func.func @dr_v_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf16>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op v element type 'f16' differs from q element type 'f32'}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf16>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// o has the element type of q.
func.func @dr_o_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op result o element type 'bf16' differs from q element type 'f32'}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xbf16>, tensor<2x4x8x12xf32>)
  return
}

// -----

// States are f32.
func.func @dr_s0_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf16>) {
  // expected-error @+1 {{'linea.delta_rule' op initial_state must have element type f32, but has 'f16'}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf16>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}

// -----

// States are f32.
func.func @dr_final_type(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op result final_state must have element type f32, but has 'f16'}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf16>)
  return
}

// -----

// The scale must be finite.
func.func @dr_scale_inf(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %beta: tensor<2x4x16xf32>, %s0: tensor<2x4x8x12xf32>) {
  // expected-error @+1 {{'linea.delta_rule' op scale must be finite and positive, but is INF}}
  %r0, %r1 = linea.delta_rule %q, %k, %v, %beta initial_state %s0 {scale = 0x7F800000 : f32} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16xf32>, tensor<2x4x8x12xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return
}
