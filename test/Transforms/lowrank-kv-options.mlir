// RUN: not linea-opt %s --linea-lowrank-kv 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not linea-opt %s --linea-lowrank-kv="rank=1 energy=0.5" 2>&1 | FileCheck %s --check-prefix=SEVERAL
// RUN: not linea-opt %s --linea-lowrank-kv="rank=1 group-size=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not linea-opt %s --linea-lowrank-kv="rank=1 only=[" 2>&1 | FileCheck %s --check-prefix=GLOB
// RUN: linea-opt %s --linea-lowrank-kv="rank=1 group-size=3" 2>&1 | FileCheck %s --check-prefix=DIVIDE
// RUN: linea-opt %s --linea-lowrank-kv="rank=2 group-size=1" 2>&1 | FileCheck %s --check-prefix=FULL
// RUN: linea-opt %s --linea-lowrank-kv="rank=3" 2>&1 | FileCheck %s --check-prefix=PARAMS
// RUN: linea-opt %s --linea-lowrank-kv="rank=1 only=k" 2>&1 | FileCheck %s --check-prefix=ONLY
// RUN: linea-opt %s --linea-lowrank-kv="energy=0.75 group-size=1" 2>/dev/null | FileCheck %s --check-prefix=ENERGY
// RUN: linea-opt %s --linea-lowrank-kv="param-ratio=0.5" 2>/dev/null | FileCheck %s --check-prefix=RATIO

// Option errors concern every layer: the pass fails before touching any.
// NONE: error: linea-lowrank-kv: exactly one of rank, energy and param-ratio must be set (got none)
// SEVERAL: error: linea-lowrank-kv: exactly one of rank, energy and param-ratio must be set (got several)
// NEGATIVE: error: linea-lowrank-kv: group-size must not be negative, got -1
// GLOB: error: linea-lowrank-kv: bad glob in only='['
//
// Per-layer limits are remarks. 2 kv heads of dim 2, K = 8:
// DIVIDE: remark: linea-lowrank-kv: skipped layer 'k': group-size=3 does not divide the 2 kv heads
// DIVIDE: remark: linea-lowrank-kv: skipped layer 'v': group-size=3 does not divide the 2 kv heads
// A group of one head is [2, 8]: rank 2 would cache as much as the keys.
// FULL: remark: linea-lowrank-kv: skipped layer 'k': rank 2 is not below the full rank min(2, 8) = 2 of a group's weight: the cached latent would be no smaller than the group's dense keys or values
// The joint [4, 8] weight at rank 3 caches less than 4 numbers, but its
// factors would hold more parameters than W.
// PARAMS: remark: linea-lowrank-kv: skipped layer 'k': group 0 [4, 8]: rank 3 stores 3·(4+8) = 36 parameters, not fewer than the dense 4·8 = 32
// ONLY: remark: linea-lowrank-kv: skipped layer 'v': name matches no only= pattern
// ONLY: linea.lowrank_linear {{.*}}name = "k"
// ONLY: linea.linear {{.*}}name = "v"
//
// k is diag(2, 1) in head 0 and diag(1, 1) in head 1 (columns 0..3):
// energy=0.75 keeps rank 1 of head 0 (4/5 ≥ 0.75, error 1/√5) and needs
// rank 2 = full for head 1 (1/2 < 0.75), which does not compress a [2, 8]
// group (2·10 ≥ 16): the layer is left alone. v (ones, rank 1) compresses.
// ENERGY-LABEL: func.func @block
// ENERGY: linea.linear {{.*}}name = "k"
// ENERGY: linea.lowrank_linear {{.*}}name = "v/g0"
// ENERGY: linea.lowrank_linear {{.*}}name = "v/g1"
// param-ratio=0.5 on the joint [4, 8]: r = ⌊0.5·32/12⌋ = 1.
// RATIO: linea.lowrank_linear {{.*}}linea.kv_latent = 1 : i64{{.*}}name = "k"{{.*}}tensor<4x1xf32>
func.func @block(%x: tensor<1x4x8xf32>, %q: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %wk = arith.constant dense<[[2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x8xf32>
  %wv = arith.constant dense<1.0> : tensor<4x8xf32>
  %k2 = linea.linear %x, %wk {name = "k"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %k3 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ke = tensor.empty() : tensor<1x2x4x2xf32>
  %k = linalg.transpose ins(%k3 : tensor<1x4x2x2xf32>) outs(%ke : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %v2 = linea.linear %x, %wv {name = "v"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x4x4xf32>
  %v3 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 4, 2, 2] : tensor<1x4x4xf32> into tensor<1x4x2x2xf32>
  %ve = tensor.empty() : tensor<1x2x4x2xf32>
  %v = linalg.transpose ins(%v3 : tensor<1x4x2x2xf32>) outs(%ve : tensor<1x2x4x2xf32>) permutation = [0, 2, 1, 3]
  %o = linea.attention %q, %k, %v : (tensor<1x4x4x2xf32>, tensor<1x2x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %o : tensor<1x4x4x2xf32>
}
