// RUN: not linea-opt %s --linea-sparsify="pattern=4:2" 2>&1 | FileCheck %s --check-prefix=NM
// RUN: not linea-opt %s --linea-sparsify="pattern=block:2y2" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not linea-opt %s --linea-sparsify="pattern=block:2x2 sparsity=1.0" 2>&1 | FileCheck %s --check-prefix=SP
// RUN: linea-opt %s --linea-sparsify="pattern=block:2x3" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: linea-opt %s --linea-sparsify="pattern=3:8" 2>&1 | FileCheck %s --check-prefix=K
// RUN: linea-opt %s --linea-sparsify="pattern=block:4x4 sparsity=0.0" 2>&1 | FileCheck %s --check-prefix=DENSE

// NM: error: linea-sparsify: pattern='4:2' is neither 'block:RxC' (R, C > 0) nor 'N:M' (0 < N < M ≤ 127)
// BLOCK: error: linea-sparsify: pattern='block:2y2' is neither
// SP: error: linea-sparsify: sparsity=1{{.*}} is outside [0, 1)
// TILE: remark: linea-sparsify: skipped layer 'fc': block 2x3 does not tile the 4x4 weight (N mod 2 = 0, K mod 3 = 1)
// K: remark: linea-sparsify: skipped layer 'fc': K = 4 is not a multiple of M = 8
// A single kept 4×4 block stores 16 values plus 1 + 2 indices: no saving.
// DENSE: remark: linea-sparsify: skipped layer 'fc': the form stores 76 bytes, not fewer than the dense weight's 64
func.func @layer(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<1.0> : tensor<4x4xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
