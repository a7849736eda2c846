// RUN: not linea-opt %s --linea-lowrank 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not linea-opt %s --linea-lowrank="rank=0" 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not linea-opt %s --linea-lowrank="rank=2 energy=0.9" 2>&1 | FileCheck %s --check-prefix=SEVERAL
// RUN: not linea-opt %s --linea-lowrank="rank=-3" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not linea-opt %s --linea-lowrank="energy=1.5" 2>&1 | FileCheck %s --check-prefix=ENERGY
// RUN: not linea-opt %s --linea-lowrank="param-ratio=1.0" 2>&1 | FileCheck %s --check-prefix=RATIO
// RUN: not linea-opt %s --linea-lowrank="rank=1 multiple-of=0" 2>&1 | FileCheck %s --check-prefix=MULTIPLE
// RUN: linea-opt %s --linea-lowrank="rank=1 only=attn*" 2>&1 | FileCheck %s --check-prefix=ONLY

// Option errors concern every layer: the pass fails before touching any.
// NONE: error: linea-lowrank: exactly one of rank, energy and param-ratio must be set (got none)
// SEVERAL: error: linea-lowrank: exactly one of rank, energy and param-ratio must be set (got several)
// NEGATIVE: error: linea-lowrank: rank must be positive, got -3
// ENERGY: error: linea-lowrank: energy must be in (0, 1], got 1.5
// RATIO: error: linea-lowrank: param-ratio must be in (0, 1), got 1
// MULTIPLE: error: linea-lowrank: the rank multiple must be at least 1, got 0
// ONLY: remark: linea-lowrank: skipped layer 'fc': name matches no only= pattern
// ONLY: linea.linear
func.func @layer(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %w = arith.constant dense<1.0> : tensor<6x6xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<4x6xf32>, tensor<6x6xf32>) -> tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}
