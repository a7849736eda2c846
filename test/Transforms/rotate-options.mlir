// RUN: linea-opt %s --linea-rotate="block-size=8 except=other" -verify-diagnostics | FileCheck %s
// RUN: not linea-opt %s --linea-rotate="block-size=6" 2>&1 | FileCheck %s --check-prefix=NOTPOW2
// RUN: not linea-opt %s --linea-rotate="block-size=1" 2>&1 | FileCheck %s --check-prefix=ONE

// NOTPOW2: error: linea-rotate: block-size=6 is not a power of two ≥ 2 (0 chooses per layer)
// ONE: error: linea-rotate: block-size=1 is not a power of two ≥ 2

// CHECK-LABEL: func.func @options
// CHECK: linea.hadamard %arg0 {block_size = 8 : i64} : (tensor<2x16xf32>)
// CHECK-NOT: linea.hadamard
func.func @options(%x: tensor<2x16xf32>, %z: tensor<2x4xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x16xf32>
  %v = arith.constant dense<1.0> : tensor<1x4xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<2x16xf32>, tensor<1x16xf32>) -> tensor<2x1xf32>
  // expected-remark @+1 {{linea-rotate: skipped layer 'small': block-size=8 does not divide K = 4}}
  %u = linea.linear %z, %v {name = "small"} : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
  // expected-remark @+1 {{linea-rotate: skipped layer 'other': name matches except='other'}}
  %o = linea.linear %x, %w {name = "other"} : (tensor<2x16xf32>, tensor<1x16xf32>) -> tensor<2x1xf32>
  return %y, %u, %o : tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}
