// RUN: linea-opt %s --linea-fuse-projections -split-input-file -verify-diagnostics | FileCheck %s

// Q/K/V of one input: weights stack along N (2 + 1 + 1 rows), biases stack
// with zeros for the layer without one, outputs are slices of the fused
// result.
// CHECK-LABEL: func.func @qkv
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00], [3.000000e+00, -1.000000e+00]]> : tensor<4x2xf32>
// CHECK: %[[Y:.+]] = linea.linear %arg0, %[[W]] bias %[[B]] {name = "q+k+v"} : (tensor<?x5x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<?x5x4xf32>
// CHECK: %[[D:.+]] = tensor.dim %[[Y]], %c0
// CHECK: tensor.extract_slice %[[Y]][0, 0, 0] [%[[D]], 5, 2] [1, 1, 1] : tensor<?x5x4xf32> to tensor<?x5x2xf32>
// CHECK: tensor.extract_slice %[[Y]][0, 0, 2] [%{{.+}}, 5, 1] [1, 1, 1] : tensor<?x5x4xf32> to tensor<?x5x1xf32>
// CHECK: tensor.extract_slice %[[Y]][0, 0, 3] [%{{.+}}, 5, 1] [1, 1, 1] : tensor<?x5x4xf32> to tensor<?x5x1xf32>
// CHECK-NOT: linea.linear
func.func @qkv(%x: tensor<?x5x2xf32>) -> (tensor<?x5x2xf32>, tensor<?x5x1xf32>, tensor<?x5x1xf32>) {
  %wq = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %bq = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wk = arith.constant dense<[[2.0, 2.0]]> : tensor<1x2xf32>
  %wv = arith.constant dense<[[3.0, -1.0]]> : tensor<1x2xf32>
  %bv = arith.constant dense<[3.0]> : tensor<1xf32>
  %q = linea.linear %x, %wq bias %bq {name = "q"} : (tensor<?x5x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x5x2xf32>
  %k = linea.linear %x, %wk {name = "k"} : (tensor<?x5x2xf32>, tensor<1x2xf32>) -> tensor<?x5x1xf32>
  %v = linea.linear %x, %wv bias %bv {name = "v"} : (tensor<?x5x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<?x5x1xf32>
  return %q, %k, %v : tensor<?x5x2xf32>, tensor<?x5x1xf32>, tensor<?x5x1xf32>
}

// -----

// Quantized gate/up with channel scales: packed rows, scales stack.
// CHECK-LABEL: func.func @quant_channel
// CHECK-DAG: arith.constant dense<{{\[}}[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
// CHECK-DAG: arith.constant dense<{{\[}}[5.000000e-01], [2.500000e-01], [1.250000e-01]]> : tensor<3x1xf32>
// CHECK: linea.quant_linear %arg0, %{{.+}}, %{{.+}} format <int8, channel, symmetric, scale f32> {name = "gate+up"}
// CHECK-SAME: -> tensor<4x3xf32>
func.func @quant_channel(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x1xf32>) {
  %qg = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %sg = arith.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  %qu = arith.constant dense<[[5, 6]]> : tensor<1x2xi8>
  %su = arith.constant dense<[[0.125]]> : tensor<1x1xf32>
  %g = linea.quant_linear %x, %qg, %sg format <int8, channel> {name = "gate"} : (tensor<4x2xf32>, tensor<2x2xi8>, tensor<2x1xf32>) -> tensor<4x2xf32>
  %u = linea.quant_linear %x, %qu, %su format <int8, channel> {name = "up"} : (tensor<4x2xf32>, tensor<1x2xi8>, tensor<1x1xf32>) -> tensor<4x1xf32>
  return %g, %u : tensor<4x2xf32>, tensor<4x1xf32>
}

// -----

// Per-tensor scales that differ cannot share one layer.
// CHECK-LABEL: func.func @quant_tensor_scales_differ
// CHECK-COUNT-2: linea.quant_linear
func.func @quant_tensor_scales_differ(%x: tensor<4x2xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>) {
  %q = arith.constant dense<[[1, 2]]> : tensor<1x2xi8>
  %s1 = arith.constant dense<[[0.5]]> : tensor<1x1xf32>
  %s2 = arith.constant dense<[[0.25]]> : tensor<1x1xf32>
  // expected-remark @+1 {{linea-fuse-projections: layers reading this input left unfused: scales differs between the layers}}
  %a = linea.quant_linear %x, %q, %s1 format <int8, tensor> : (tensor<4x2xf32>, tensor<1x2xi8>, tensor<1x1xf32>) -> tensor<4x1xf32>
  %b = linea.quant_linear %x, %q, %s2 format <int8, tensor> : (tensor<4x2xf32>, tensor<1x2xi8>, tensor<1x1xf32>) -> tensor<4x1xf32>
  return %a, %b : tensor<4x1xf32>, tensor<4x1xf32>
}

// -----

// Non-constant weights are left alone; a layer of another input is not
// touched; `except` keeps a layer out.
// CHECK-LABEL: func.func @not_constant
// CHECK-COUNT-2: linea.linear
func.func @not_constant(%x: tensor<4x2xf32>, %w: tensor<1x2xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>) {
  %w2 = arith.constant dense<[[3.0, -1.0]]> : tensor<1x2xf32>
  // expected-remark @+1 {{linea-fuse-projections: layers reading this input left unfused: w: operand '#0' is not a constant}}
  %a = linea.linear %x, %w : (tensor<4x2xf32>, tensor<1x2xf32>) -> tensor<4x1xf32>
  %b = linea.linear %x, %w2 : (tensor<4x2xf32>, tensor<1x2xf32>) -> tensor<4x1xf32>
  return %a, %b : tensor<4x1xf32>, tensor<4x1xf32>
}

// -----

// Low-rank layers of one input share the first stage: the v's stack along r
// (1 + 2 rows) into one latent layer, each u (with its bias) reads its own
// columns of the latent. No low-rank layer is left.
// CHECK-LABEL: func.func @lowrank
// CHECK-DAG: %[[UA:.+]] = arith.constant dense<{{\[}}[1.000000e+00], [2.000000e+00]]> : tensor<2x1xf32>
// CHECK-DAG: %[[BA:.+]] = arith.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[UB:.+]] = arith.constant dense<{{\[}}[3.000000e+00, 4.000000e+00]]> : tensor<1x2xf32>
// CHECK-DAG: %[[V:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00, -1.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00], [2.000000e+00, 0.000000e+00, 2.000000e+00]]> : tensor<3x3xf32>
// CHECK: %[[H:.+]] = linea.linear %arg0, %[[V]] {name = "a+b/latent"} : (tensor<?x5x3xf32>, tensor<3x3xf32>) -> tensor<?x5x3xf32>
// CHECK: %[[HA:.+]] = tensor.extract_slice %[[H]][0, 0, 0] [%{{.+}}, 5, 1] [1, 1, 1] : tensor<?x5x3xf32> to tensor<?x5x1xf32>
// CHECK: %[[A:.+]] = linea.linear %[[HA]], %[[UA]] bias %[[BA]] {name = "a"} : (tensor<?x5x1xf32>, tensor<2x1xf32>, tensor<2xf32>) -> tensor<?x5x2xf32>
// CHECK: %[[HB:.+]] = tensor.extract_slice %[[H]][0, 0, 1] [%{{.+}}, 5, 2] [1, 1, 1] : tensor<?x5x3xf32> to tensor<?x5x2xf32>
// CHECK: %[[B:.+]] = linea.linear %[[HB]], %[[UB]] {name = "b"} : (tensor<?x5x2xf32>, tensor<1x2xf32>) -> tensor<?x5x1xf32>
// CHECK-NOT: linea.lowrank_linear
// CHECK: return %[[A]], %[[B]]
func.func @lowrank(%x: tensor<?x5x3xf32>) -> (tensor<?x5x2xf32>, tensor<?x5x1xf32>) {
  %ua = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %va = arith.constant dense<[[1.0, 0.0, -1.0]]> : tensor<1x3xf32>
  %ba = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %ub = arith.constant dense<[[3.0, 4.0]]> : tensor<1x2xf32>
  %vb = arith.constant dense<[[0.0, 1.0, 0.0], [2.0, 0.0, 2.0]]> : tensor<2x3xf32>
  %a = linea.lowrank_linear %x, %ua, %va bias %ba {name = "a"} : (tensor<?x5x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>, tensor<2xf32>) -> tensor<?x5x2xf32>
  %b = linea.lowrank_linear %x, %ub, %vb {name = "b"} : (tensor<?x5x3xf32>, tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<?x5x1xf32>
  return %a, %b : tensor<?x5x2xf32>, tensor<?x5x1xf32>
}

// -----

// Dense and low-rank layers of one input: the dense ones fuse with each
// other, the low-rank ones share a latent layer; the two groups stay apart.
// CHECK-LABEL: func.func @mixed
// CHECK-DAG: linea.linear %arg0, %{{.+}} {name = "q+k"} : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
// CHECK-DAG: %[[H:.+]] = linea.linear %arg0, %{{.+}} {name = "g+u/latent"} : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
// CHECK-DAG: tensor.extract_slice %[[H]][0, 0] [4, 1] [1, 1]
// CHECK-DAG: tensor.extract_slice %[[H]][0, 1] [4, 1] [1, 1]
// CHECK-DAG: linea.linear %{{.+}}, %{{.+}} {name = "g"} : (tensor<4x1xf32>, tensor<2x1xf32>) -> tensor<4x2xf32>
// CHECK-DAG: linea.linear %{{.+}}, %{{.+}} {name = "u"} : (tensor<4x1xf32>, tensor<2x1xf32>) -> tensor<4x2xf32>
// CHECK-NOT: linea.lowrank_linear
func.func @mixed(%x: tensor<4x3xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x2xf32>, tensor<4x2xf32>) {
  %wq = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %wk = arith.constant dense<[[4.0, 5.0, 6.0]]> : tensor<1x3xf32>
  %u = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %v1 = arith.constant dense<[[1.0, 0.0, 0.0]]> : tensor<1x3xf32>
  %v2 = arith.constant dense<[[0.0, 0.0, 1.0]]> : tensor<1x3xf32>
  %q = linea.linear %x, %wq {name = "q"} : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x1xf32>
  %g = linea.lowrank_linear %x, %u, %v1 {name = "g"} : (tensor<4x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<4x2xf32>
  %k = linea.linear %x, %wk {name = "k"} : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x1xf32>
  %up = linea.lowrank_linear %x, %u, %v2 {name = "u"} : (tensor<4x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<4x2xf32>
  return %q, %k, %g, %up : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// A low-rank layer whose u is not a constant keeps its group apart.
// CHECK-LABEL: func.func @lowrank_not_constant
// CHECK-COUNT-2: linea.lowrank_linear
func.func @lowrank_not_constant(%x: tensor<4x3xf32>, %u: tensor<2x1xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %u2 = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %v = arith.constant dense<[[1.0, 0.0, 0.0]]> : tensor<1x3xf32>
  // expected-remark @+1 {{linea-fuse-projections: low-rank layers reading this input left unfused: u: operand '#1' is not a constant}}
  %a = linea.lowrank_linear %x, %u2, %v : (tensor<4x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<4x2xf32>
  %b = linea.lowrank_linear %x, %u, %v : (tensor<4x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<4x2xf32>
  return %a, %b : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// Factors of different element types cannot stack.
// CHECK-LABEL: func.func @lowrank_types_differ
// CHECK-COUNT-2: linea.lowrank_linear
func.func @lowrank_types_differ(%x: tensor<4x3xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %u = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %v1 = arith.constant dense<[[1.0, 0.0, 0.0]]> : tensor<1x3xf32>
  %v2 = arith.constant dense<[[1.0, 0.0, 0.0]]> : tensor<1x3xf16>
  // expected-remark @+1 {{linea-fuse-projections: low-rank layers reading this input left unfused: v: operand #1 has type tensor<1x3xf16>, which does not stack on tensor<1x3xf32>}}
  %a = linea.lowrank_linear %x, %u, %v1 : (tensor<4x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<4x2xf32>
  %b = linea.lowrank_linear %x, %u, %v2 : (tensor<4x3xf32>, tensor<2x1xf32>, tensor<1x3xf16>) -> tensor<4x2xf32>
  return %a, %b : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// f16 low-rank layers keep h in f32; a stored f16 latent would round it, so
// they are not fused.
// CHECK-LABEL: func.func @lowrank_f16
// CHECK-COUNT-2: linea.lowrank_linear
func.func @lowrank_f16(%x: tensor<4x3xf16>) -> (tensor<4x2xf16>, tensor<4x2xf16>) {
  %u = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf16>
  %v = arith.constant dense<[[1.0, 0.0, 0.0]]> : tensor<1x3xf16>
  // expected-remark @+1 {{linea-fuse-projections: low-rank layers reading this input left unfused: activations are f16: a stored latent would be rounded, so only f32 low-rank layers are fused}}
  %a = linea.lowrank_linear %x, %u, %v : (tensor<4x3xf16>, tensor<2x1xf16>, tensor<1x3xf16>) -> tensor<4x2xf16>
  %b = linea.lowrank_linear %x, %u, %v : (tensor<4x3xf16>, tensor<2x1xf16>, tensor<1x3xf16>) -> tensor<4x2xf16>
  return %a, %b : tensor<4x2xf16>, tensor<4x2xf16>
}
