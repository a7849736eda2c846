// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// Round trips of attention and linear_attention: multi-head, grouped-query
// (8:2) and multi-query heads, with and without mask, scale and causal,
// S != T (decode against a KV cache), dynamic batch and sequence dims.

// CHECK-LABEL: func.func @mha
// CHECK: linea.attention %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
func.func @mha(%q: tensor<2x8x16x64xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32> {
  %o = linea.attention %q, %k, %v : (tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x64xf32>) -> tensor<2x8x16x64xf32>
  return %o : tensor<2x8x16x64xf32>
}

// Grouped-query 8:2, causal, with Dv != D.
// CHECK-LABEL: func.func @gqa_causal
// CHECK: linea.attention %{{.*}}, %{{.*}}, %{{.*}} {causal} : (tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x32xbf16>) -> tensor<?x8x?x32xbf16>
func.func @gqa_causal(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x2x?x64xbf16>, %v: tensor<?x2x?x32xbf16>) -> tensor<?x8x?x32xbf16> {
  %o = linea.attention %q, %k, %v {causal} : (tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x32xbf16>) -> tensor<?x8x?x32xbf16>
  return %o : tensor<?x8x?x32xbf16>
}

// One new query against 128 cached keys (S = 1, T = 128), multi-query.
// CHECK-LABEL: func.func @decode_mqa
// CHECK: linea.attention %{{.*}}, %{{.*}}, %{{.*}} {causal, scale = 1.250000e-01 : f32} : (tensor<4x8x1x64xf16>, tensor<4x1x128x64xf16>, tensor<4x1x128x64xf16>) -> tensor<4x8x1x64xf16>
func.func @decode_mqa(%q: tensor<4x8x1x64xf16>, %k: tensor<4x1x128x64xf16>, %v: tensor<4x1x128x64xf16>) -> tensor<4x8x1x64xf16> {
  %o = linea.attention %q, %k, %v {scale = 0.125 : f32, causal} : (tensor<4x8x1x64xf16>, tensor<4x1x128x64xf16>, tensor<4x1x128x64xf16>) -> tensor<4x8x1x64xf16>
  return %o : tensor<4x8x1x64xf16>
}

// A padding mask broadcast over heads and queries, in f32 beside bf16 q.
// CHECK-LABEL: func.func @mask_broadcast
// CHECK: linea.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : (tensor<2x8x16x64xbf16>, tensor<2x2x24x64xbf16>, tensor<2x2x24x64xbf16>, tensor<2x1x1x24xf32>) -> tensor<2x8x16x64xbf16>
func.func @mask_broadcast(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x24x64xbf16>, %v: tensor<2x2x24x64xbf16>, %m: tensor<2x1x1x24xf32>) -> tensor<2x8x16x64xbf16> {
  %o = linea.attention %q, %k, %v mask %m : (tensor<2x8x16x64xbf16>, tensor<2x2x24x64xbf16>, tensor<2x2x24x64xbf16>, tensor<2x1x1x24xf32>) -> tensor<2x8x16x64xbf16>
  return %o : tensor<2x8x16x64xbf16>
}

// A full mask with dynamic dims, plus causal and scale.
// CHECK-LABEL: func.func @mask_causal_scale
// CHECK: linea.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {causal, scale = 5.000000e-01 : f32} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x?xf32>) -> tensor<?x4x?x16xf32>
func.func @mask_causal_scale(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>, %m: tensor<?x4x?x?xf32>) -> tensor<?x4x?x16xf32> {
  %o = linea.attention %q, %k, %v mask %m {causal, scale = 0.5 : f32} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x?xf32>) -> tensor<?x4x?x16xf32>
  return %o : tensor<?x4x?x16xf32>
}

// S > T with causal: the first S - T query rows see no key and yield zeros.
// CHECK-LABEL: func.func @more_queries_than_keys
// CHECK: linea.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {causal} : (tensor<1x2x8x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>, tensor<1x1x8x4xf16>) -> tensor<1x2x8x16xf32>
func.func @more_queries_than_keys(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x16xf32>, %m: tensor<1x1x8x4xf16>) -> tensor<1x2x8x16xf32> {
  %o = linea.attention %q, %k, %v mask %m {causal} : (tensor<1x2x8x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>, tensor<1x1x8x4xf16>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// CHECK-LABEL: func.func @linear_attention_elu
// CHECK: linea.linear_attention %{{.*}}, %{{.*}}, %{{.*}} feature_map elu_plus_one : (tensor<2x4x16x32xf32>, tensor<2x4x24x32xf32>, tensor<2x4x24x8xf32>) -> tensor<2x4x16x8xf32>
func.func @linear_attention_elu(%q: tensor<2x4x16x32xf32>, %k: tensor<2x4x24x32xf32>, %v: tensor<2x4x24x8xf32>) -> tensor<2x4x16x8xf32> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one : (tensor<2x4x16x32xf32>, tensor<2x4x24x32xf32>, tensor<2x4x24x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// CHECK-LABEL: func.func @linear_attention_relu_causal
// CHECK: linea.linear_attention %{{.*}}, %{{.*}}, %{{.*}} feature_map relu {causal, epsilon = 9.99999974E-6 : f32} : (tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>) -> tensor<?x8x?x64xbf16>
func.func @linear_attention_relu_causal(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x8x?x64xbf16>, %v: tensor<?x8x?x64xbf16>) -> tensor<?x8x?x64xbf16> {
  %o = linea.linear_attention %q, %k, %v feature_map relu {causal, epsilon = 1.0e-5 : f32} : (tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>) -> tensor<?x8x?x64xbf16>
  return %o : tensor<?x8x?x64xbf16>
}

// CHECK-LABEL: func.func @linear_attention_identity_causal
// CHECK: linea.linear_attention %{{.*}}, %{{.*}}, %{{.*}} feature_map identity {causal} : (tensor<1x2x16x32xf16>, tensor<1x2x16x32xf16>, tensor<1x2x16x16xf16>) -> tensor<1x2x16x16xf16>
func.func @linear_attention_identity_causal(%q: tensor<1x2x16x32xf16>, %k: tensor<1x2x16x32xf16>, %v: tensor<1x2x16x16xf16>) -> tensor<1x2x16x16xf16> {
  %o = linea.linear_attention %q, %k, %v feature_map identity {causal, epsilon = 1.0e-6 : f32} : (tensor<1x2x16x32xf16>, tensor<1x2x16x32xf16>, tensor<1x2x16x16xf16>) -> tensor<1x2x16x16xf16>
  return %o : tensor<1x2x16x16xf16>
}
