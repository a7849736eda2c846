// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// Round trips of the linear-recurrence ops, with and without each optional
// operand and attribute, static and dynamic batch / time.

//===----------------------------------------------------------------------===//
// linea.linear_scan
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear_scan
// CHECK: linea.linear_scan %{{.*}}, %{{.*}} : (tensor<2x16x8xf32>, tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
func.func @linear_scan(%a: tensor<2x16x8xf32>, %b: tensor<2x16x8xf32>) -> tensor<2x16x8xf32> {
  %h = linea.linear_scan %a, %b : (tensor<2x16x8xf32>, tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  return %h : tensor<2x16x8xf32>
}

// CHECK-LABEL: func.func @linear_scan_initial_state_dynamic
// CHECK: linea.linear_scan %{{.*}}, %{{.*}} initial_state %{{.*}} : (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<?x64xf32>) -> tensor<?x?x64xbf16>
func.func @linear_scan_initial_state_dynamic(%a: tensor<?x?x64xbf16>, %b: tensor<?x?x64xbf16>, %h0: tensor<?x64xf32>) -> tensor<?x?x64xbf16> {
  %h = linea.linear_scan %a, %b initial_state %h0 : (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<?x64xf32>) -> tensor<?x?x64xbf16>
  return %h : tensor<?x?x64xbf16>
}

// Static and dynamic sizes of B and T may mix.
// CHECK-LABEL: func.func @linear_scan_mixed
// CHECK: linea.linear_scan %{{.*}}, %{{.*}} initial_state %{{.*}} : (tensor<2x?x8xf16>, tensor<?x16x8xf16>, tensor<2x8xf32>) -> tensor<?x?x8xf16>
func.func @linear_scan_mixed(%a: tensor<2x?x8xf16>, %b: tensor<?x16x8xf16>, %h0: tensor<2x8xf32>) -> tensor<?x?x8xf16> {
  %h = linea.linear_scan %a, %b initial_state %h0 : (tensor<2x?x8xf16>, tensor<?x16x8xf16>, tensor<2x8xf32>) -> tensor<?x?x8xf16>
  return %h : tensor<?x?x8xf16>
}

//===----------------------------------------------------------------------===//
// linea.selective_scan
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @selective_scan_minimal
// CHECK: linea.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
func.func @selective_scan_minimal(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>) {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return %y, %hT : tensor<2x16x8xf32>, tensor<2x8x4xf32>
}

// Every optional operand and the softplus flag; bf16 activations with f32
// parameters and dynamic batch / time.
// CHECK-LABEL: func.func @selective_scan_full
// CHECK: linea.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} skip %{{.*}} gate %{{.*}} delta_bias %{{.*}} initial_state %{{.*}} {delta_softplus} : (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x16xf32>, tensor<?x?x16xbf16>, tensor<?x?x16xbf16>, tensor<64xf32>, tensor<?x?x64xbf16>, tensor<64xf32>, tensor<?x64x16xf32>) -> (tensor<?x?x64xbf16>, tensor<?x64x16xf32>)
func.func @selective_scan_full(%u: tensor<?x?x64xbf16>, %dt: tensor<?x?x64xbf16>, %A: tensor<64x16xf32>, %B: tensor<?x?x16xbf16>, %C: tensor<?x?x16xbf16>, %D: tensor<64xf32>, %z: tensor<?x?x64xbf16>, %db: tensor<64xf32>, %h0: tensor<?x64x16xf32>) -> (tensor<?x?x64xbf16>, tensor<?x64x16xf32>) {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 {delta_softplus} : (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x16xf32>, tensor<?x?x16xbf16>, tensor<?x?x16xbf16>, tensor<64xf32>, tensor<?x?x64xbf16>, tensor<64xf32>, tensor<?x64x16xf32>) -> (tensor<?x?x64xbf16>, tensor<?x64x16xf32>)
  return %y, %hT : tensor<?x?x64xbf16>, tensor<?x64x16xf32>
}

// Each optional operand alone, so that the operand segments are exercised.
// CHECK-LABEL: func.func @selective_scan_skip
// CHECK: linea.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} skip %{{.*}} : (tensor<1x4x8xf16>, tensor<1x4x8xf16>, tensor<8x2xf16>, tensor<1x4x2xf16>, tensor<1x4x2xf16>, tensor<8xf16>) -> (tensor<1x4x8xf16>, tensor<1x8x2xf32>)
func.func @selective_scan_skip(%u: tensor<1x4x8xf16>, %dt: tensor<1x4x8xf16>, %A: tensor<8x2xf16>, %B: tensor<1x4x2xf16>, %C: tensor<1x4x2xf16>, %D: tensor<8xf16>) -> tensor<1x4x8xf16> {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C skip %D : (tensor<1x4x8xf16>, tensor<1x4x8xf16>, tensor<8x2xf16>, tensor<1x4x2xf16>, tensor<1x4x2xf16>, tensor<8xf16>) -> (tensor<1x4x8xf16>, tensor<1x8x2xf32>)
  return %y : tensor<1x4x8xf16>
}

// CHECK-LABEL: func.func @selective_scan_gate
// CHECK: linea.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} gate %{{.*}} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32>, tensor<1x4x8xf32>) -> (tensor<1x4x8xf32>, tensor<1x8x2xf32>)
func.func @selective_scan_gate(%u: tensor<1x4x8xf32>, %dt: tensor<1x4x8xf32>, %A: tensor<8x2xf32>, %B: tensor<1x4x2xf32>, %C: tensor<1x4x2xf32>, %z: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C gate %z : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32>, tensor<1x4x8xf32>) -> (tensor<1x4x8xf32>, tensor<1x8x2xf32>)
  return %y : tensor<1x4x8xf32>
}

// CHECK-LABEL: func.func @selective_scan_delta_bias
// CHECK: linea.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} delta_bias %{{.*}} {delta_softplus} : (tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>, tensor<8xf32>) -> (tensor<1x?x8xf32>, tensor<1x8x2xf32>)
func.func @selective_scan_delta_bias(%u: tensor<1x?x8xf32>, %dt: tensor<1x?x8xf32>, %A: tensor<8x2xf32>, %B: tensor<1x?x2xf32>, %C: tensor<1x?x2xf32>, %db: tensor<8xf32>) -> tensor<1x?x8xf32> {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C delta_bias %db {delta_softplus} : (tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>, tensor<8xf32>) -> (tensor<1x?x8xf32>, tensor<1x8x2xf32>)
  return %y : tensor<1x?x8xf32>
}

// CHECK-LABEL: func.func @selective_scan_initial_state
// CHECK: linea.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} initial_state %{{.*}} : (tensor<?x4x8xf32>, tensor<?x4x8xf32>, tensor<8x2xf32>, tensor<?x4x2xf32>, tensor<?x4x2xf32>, tensor<?x8x2xf32>) -> (tensor<?x4x8xf32>, tensor<?x8x2xf32>)
func.func @selective_scan_initial_state(%u: tensor<?x4x8xf32>, %dt: tensor<?x4x8xf32>, %A: tensor<8x2xf32>, %B: tensor<?x4x2xf32>, %C: tensor<?x4x2xf32>, %h0: tensor<?x8x2xf32>) -> tensor<?x8x2xf32> {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C initial_state %h0 : (tensor<?x4x8xf32>, tensor<?x4x8xf32>, tensor<8x2xf32>, tensor<?x4x2xf32>, tensor<?x4x2xf32>, tensor<?x8x2xf32>) -> (tensor<?x4x8xf32>, tensor<?x8x2xf32>)
  return %hT : tensor<?x8x2xf32>
}

//===----------------------------------------------------------------------===//
// linea.gated_linear_attention
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gla
// CHECK: linea.gated_linear_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
func.func @gla(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x12xf32>, %g: tensor<2x4x16x8xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>) {
  %o, %sT = linea.gated_linear_attention %q, %k, %v, %g : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x12xf32>, tensor<2x4x16x8xf32>) -> (tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>)
  return %o, %sT : tensor<2x4x16x12xf32>, tensor<2x4x8x12xf32>
}

// bf16 activations with an f32 gate, dynamic batch / heads / time.
// CHECK-LABEL: func.func @gla_initial_state_scale
// CHECK: linea.gated_linear_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} initial_state %{{.*}} {scale = 1.250000e-01 : f32} : (tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x64xf32>, tensor<?x?x64x128xf32>) -> (tensor<?x?x?x128xbf16>, tensor<?x?x64x128xf32>)
func.func @gla_initial_state_scale(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x128xbf16>, %g: tensor<?x?x?x64xf32>, %s0: tensor<?x?x64x128xf32>) -> (tensor<?x?x?x128xbf16>, tensor<?x?x64x128xf32>) {
  %o, %sT = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {scale = 0.125 : f32} : (tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x64xf32>, tensor<?x?x64x128xf32>) -> (tensor<?x?x?x128xbf16>, tensor<?x?x64x128xf32>)
  return %o, %sT : tensor<?x?x?x128xbf16>, tensor<?x?x64x128xf32>
}

//===----------------------------------------------------------------------===//
// linea.delta_rule
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @delta_rule
// CHECK: linea.delta_rule %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?xf16>) -> (tensor<2x4x?x64xf16>, tensor<2x4x64x64xf32>)
func.func @delta_rule(%q: tensor<2x4x?x64xf16>, %k: tensor<2x4x?x64xf16>, %v: tensor<2x4x?x64xf16>, %beta: tensor<2x4x?xf16>) -> (tensor<2x4x?x64xf16>, tensor<2x4x64x64xf32>) {
  %o, %sT = linea.delta_rule %q, %k, %v, %beta : (tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?xf16>) -> (tensor<2x4x?x64xf16>, tensor<2x4x64x64xf32>)
  return %o, %sT : tensor<2x4x?x64xf16>, tensor<2x4x64x64xf32>
}

// CHECK-LABEL: func.func @delta_rule_initial_state_scale
// CHECK: linea.delta_rule %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} initial_state %{{.*}} {scale = 1.000000e+00 : f32} : (tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x32xf32>, tensor<?x2x?xf32>, tensor<?x2x16x32xf32>) -> (tensor<?x2x?x32xf32>, tensor<?x2x16x32xf32>)
func.func @delta_rule_initial_state_scale(%q: tensor<?x2x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x32xf32>, %beta: tensor<?x2x?xf32>, %s0: tensor<?x2x16x32xf32>) -> (tensor<?x2x?x32xf32>, tensor<?x2x16x32xf32>) {
  %o, %sT = linea.delta_rule %q, %k, %v, %beta initial_state %s0 {scale = 1.0 : f32} : (tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x32xf32>, tensor<?x2x?xf32>, tensor<?x2x16x32xf32>) -> (tensor<?x2x?x32xf32>, tensor<?x2x16x32xf32>)
  return %o, %sT : tensor<?x2x?x32xf32>, tensor<?x2x16x32xf32>
}
