// linea-quantize on linea.lowrank_linear: the layer y = (x·vᵀ)·uᵀ + bias
// becomes two quant_linear layers, '<name>/latent' (x·V̂ᵀ, no bias) and
// '<name>' (·Ûᵀ + bias), each factor quantized like a dense weight. f16
// activations would round the latent, and non-constant factors cannot be
// quantized: both are left alone with a remark.
// RUN: linea-opt %s --split-input-file --linea-quantize="format=int8" -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-quantize="format=int4 group-size=4 except=fc" 2>&1 | FileCheck %s --check-prefix=EXCEPT

// CHECK-LABEL: func.func @main
// CHECK: %[[H:.*]] = linea.quant_linear %arg0, {{.*}} format <int8, channel, symmetric, scale f32> {linea.weight_error = {{.*}}, name = "fc/latent"} : (tensor<2x8xf32>, tensor<2x8xi8>, tensor<2x1xf32>) -> tensor<2x2xf32>
// CHECK: %[[Y:.*]] = linea.quant_linear %[[H]], {{.*}} bias %{{.*}} format <int8, channel, symmetric, scale f32> {linea.weight_error = {{.*}}, name = "fc"} : (tensor<2x2xf32>, tensor<4x2xi8>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[Y]]
// EXCEPT-LABEL: func.func @main
// EXCEPT: linea.lowrank_linear {{.*}}name = "fc"
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %u = arith.constant dense<[[1.0, 2.0], [0.5, -1.0], [0.25, 3.0], [1.5, 0.0]]> : tensor<4x2xf32>
  %v = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8]]> : tensor<2x8xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = linea.lowrank_linear %x, %u, %v bias %b {name = "fc"} : (tensor<2x8xf32>, tensor<4x2xf32>, tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @f16
// CHECK: linea.lowrank_linear
func.func @f16(%x: tensor<2x8xf16>) -> tensor<2x4xf16> {
  %u = arith.constant dense<1.0> : tensor<4x2xf16>
  %v = arith.constant dense<0.5> : tensor<2x8xf16>
  // expected-remark @+1 {{linea-quantize: skipped layer 'half': low-rank layers are quantized as two layers with a stored latent h = x·vᵀ, which only f32 activations keep exact; this layer's are f16}}
  %y = linea.lowrank_linear %x, %u, %v {name = "half"} : (tensor<2x8xf16>, tensor<4x2xf16>, tensor<2x8xf16>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

// CHECK-LABEL: func.func @arg
// CHECK: linea.lowrank_linear
func.func @arg(%x: tensor<2x8xf32>, %v: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %u = arith.constant dense<1.0> : tensor<4x2xf32>
  // expected-remark @+1 {{linea-quantize: skipped layer 'arg': factor v is not a constant}}
  %y = linea.lowrank_linear %x, %u, %v {name = "arg"} : (tensor<2x8xf32>, tensor<4x2xf32>, tensor<2x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
