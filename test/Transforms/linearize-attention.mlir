// RUN: linea-opt %s --linea-linearize-attention -split-input-file -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-linearize-attention="feature-map=relu" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=RELU
// RUN: linea-opt %s --linea-shift-add="attention=true" -split-input-file 2>&1 | FileCheck %s --check-prefix=ADD
// RUN: not linea-opt %s --linea-linearize-attention="feature-map=softmax" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: linea-linearize-attention: feature-map='softmax' is not one of elu_plus_one, relu, identity, binary

// GQA 4:2, causal with S = T: K/V heads repeated (each kv head twice) before
// the linear form.
// CHECK-LABEL: func.func @gqa_causal
// CHECK: %[[KB:.+]] = linalg.broadcast ins(%arg1 : tensor<1x2x8x16xf32>) outs(%{{.+}} : tensor<1x2x2x8x16xf32>) dimensions = [2]
// CHECK: %[[K:.+]] = tensor.collapse_shape %[[KB]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
// CHECK: %[[VB:.+]] = linalg.broadcast ins(%arg2
// CHECK: %[[V:.+]] = tensor.collapse_shape %[[VB]]
// CHECK: linea.linear_attention %arg0, %[[K]], %[[V]] feature_map elu_plus_one {causal}
// RELU: linea.linear_attention {{.*}} feature_map relu {causal}
// linea-shift-add attention=true: the same rewrite with binarised q and k.
// ADD: linea.linear_attention {{.*}} feature_map binary {causal}
func.func @gqa_causal(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = linea.attention %q, %k, %v {causal} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// Dynamic batch and sequence, multi-head, not causal: no repetition needed.
// CHECK-LABEL: func.func @mha_dynamic
// CHECK-NOT: linalg.broadcast
// CHECK: linea.linear_attention %arg0, %arg1, %arg2 feature_map elu_plus_one :
func.func @mha_dynamic(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32> {
  %o = linea.attention %q, %k, %v : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %o : tensor<?x4x?x16xf32>
}

// -----

// CHECK-LABEL: func.func @masked
// CHECK: linea.attention
func.func @masked(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %m: tensor<1x1x8x8xf32>) -> tensor<1x4x8x16xf32> {
  // expected-remark @+1 {{linea-linearize-attention: left alone: an additive mask has no linear-attention form}}
  %o = linea.attention %q, %k, %v mask %m : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x1x8x8xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// CHECK-LABEL: func.func @sage_quantized
// CHECK: linea.attention {{.*}}quant = #linea.attn_quant
func.func @sage_quantized(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-remark @+1 {{linea-linearize-attention: left alone: it is quantized (SageAttention); linearize before linea-quantize-attention}}
  %o = linea.attention %q, %k, %v {quant = #linea.attn_quant<q_block = 32>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// CHECK-LABEL: func.func @causal_kv_cache
// CHECK: linea.attention
func.func @causal_kv_cache(%q: tensor<1x4x1x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x1x16xf32> {
  // expected-remark @+1 {{linea-linearize-attention: left alone: causal linear attention needs S = T statically (S = 1, T = 8)}}
  %o = linea.attention %q, %k, %v {causal} : (tensor<1x4x1x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x1x16xf32>
  return %o : tensor<1x4x1x16xf32>
}
