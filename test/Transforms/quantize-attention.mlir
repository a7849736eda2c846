// RUN: linea-opt %s --linea-quantize-attention | FileCheck %s
// RUN: linea-opt %s --linea-quantize-attention="q-block=64 k-block=32 values=fp8_e4m3_smoothed" | FileCheck %s --check-prefix=OPTS
// RUN: linea-opt %s --linea-quantize-attention="values=exact" | FileCheck %s --check-prefix=V1
// RUN: linea-opt %s --linea-quantize-attention --linea-quantize-attention="mode=none" | FileCheck %s --check-prefix=NONE
// RUN: not linea-opt %s --linea-quantize-attention="mode=int4" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not linea-opt %s --linea-quantize-attention="values=fp4" 2>&1 | FileCheck %s --check-prefix=VALUES
// RUN: not linea-opt %s --linea-quantize-attention="k-block=0" 2>&1 | FileCheck %s --check-prefix=BLOCK
// (numerics: python/tests/test_sage_attention.py)

// Every softmax attention gets the SageAttention attribute; other ops and
// attributes stay.
// CHECK-LABEL: func.func @block
// CHECK: linea.attention %arg0, %arg1, %arg2 {causal, quant = #linea.attn_quant<>}
// CHECK: linea.attention %arg0, %arg1, %arg2 mask %arg3 {quant = #linea.attn_quant<>, scale = 5.000000e-01 : f32}
// CHECK: linea.linear_attention
// OPTS: {causal, quant = #linea.attn_quant<q_block = 64, k_block = 32, values = fp8_e4m3_smoothed>}
// V1: {causal, quant = #linea.attn_quant<values = exact>}
// NONE-NOT: quant
// MODE: error: linea-quantize-attention: mode='int4' is not one of sage, none
// VALUES: error: linea-quantize-attention: values='fp4' is not one of exact, fp8_e4m3, fp8_e4m3_smoothed
// BLOCK: error: linea-quantize-attention: q-block (128) and k-block (0) must be positive
func.func @block(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>,
                 %v: tensor<1x2x8x16xf32>, %m: tensor<1x1x8x8xf32>,
                 %k4: tensor<1x4x8x16xf32>)
    -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  %a = linea.attention %q, %k, %v {causal}
      : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  %b = linea.attention %q, %k, %v mask %m {scale = 0.5 : f32}
      : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x8x8xf32>) -> tensor<1x4x8x16xf32>
  %c = linea.linear_attention %q, %k4, %k4 feature_map relu
      : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %a, %b, %c : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}
