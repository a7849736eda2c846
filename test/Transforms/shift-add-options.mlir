// RUN: not linea-opt %s --linea-shift-add="terms=3" 2>&1 | FileCheck %s --check-prefix=TERMS
// RUN: not linea-opt %s --linea-shift-add="bits=9" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: linea-opt %s --linea-shift-add="except=fc*" 2>&1 | FileCheck %s --check-prefix=EXCEPT
// RUN: linea-opt %s --linea-shift-add="min-size=7" 2>&1 | FileCheck %s --check-prefix=MIN

// TERMS: error: linea-shift-add: terms=3 bits=5 is not supported (terms 1 or 2, bits in [3, 8])
// BITS: error: linea-shift-add: terms=1 bits=9 is not supported
// EXCEPT: remark: linea-shift-add: skipped layer 'fc': name matches except='fc*'
// MIN: remark: linea-shift-add: skipped layer 'fc': N·K = 2·3 = 6 is below min-size=7
func.func @layer(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[0.75, -0.3, 0.01], [-3.0, 1.0, 0.0]]> : tensor<2x3xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
