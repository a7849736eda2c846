// RUN: linea-opt %s --split-input-file --linea-cpu-linear-attention-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-linear-attention-kernels=chunk-size=40 2>&1 | FileCheck %s --check-prefix=ERR

// Heads wider than max-head-dim stay for linea-to-linalg's reference
// lowering, with a remark saying why.
// ERR: linea-cpu-linear-attention-kernels: chunk-size (40) must be a positive multiple of 16, vector-width (16) a power of two up to 16, num-threads (0) not negative and max-head-dim (256) positive

// CHECK-LABEL: func.func @wide_values
// CHECK: linea.gated_linear_attention
// CHECK-NOT: __linea_gla_kernel
func.func @wide_values(%q: tensor<1x2x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x320xf32>, %g: tensor<1x2x?x64xf32>) -> (tensor<1x2x?x320xf32>, tensor<1x2x64x320xf32>) {
  // expected-remark @+1 {{linea-cpu-linear-attention-kernels: left to the reference lowering: Dk = 64 or Dv = 320 is above max-head-dim (256)}}
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x320xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x2x?x320xf32>, tensor<1x2x64x320xf32>)
  return %o, %s : tensor<1x2x?x320xf32>, tensor<1x2x64x320xf32>
}

// -----

// CHECK-LABEL: func.func @wide_keys
// CHECK: linea.linear_attention
func.func @wide_keys(%q: tensor<1x2x5x512xf32>, %k: tensor<1x2x5x512xf32>, %v: tensor<1x2x5x16xf32>) -> tensor<1x2x5x16xf32> {
  // expected-remark @+1 {{left to the reference lowering: Dk = 512 or Dv = 16 is above max-head-dim (256)}}
  %o = linea.linear_attention %q, %k, %v feature_map relu {causal} : (tensor<1x2x5x512xf32>, tensor<1x2x5x512xf32>, tensor<1x2x5x16xf32>) -> tensor<1x2x5x16xf32>
  return %o : tensor<1x2x5x16xf32>
}
