// RUN: linea-opt %s --linea-to-linalg | FileCheck %s
// RUN: linea-opt %s --linea-to-linalg | FileCheck %s --check-prefix=NOLINEA

// The reference lowering of the sparse layers walks their storage at run
// time: BSR loops over block rows and their stored blocks, N:M gathers each
// kept weight's input column. No dense W is formed (no constant, no
// materialized weight tensor). python/tests/test_sparse_numerics.py checks
// the numbers; this file checks the structure.

// NOLINEA-NOT: linea.

// Block contraction (lead, a, c): x slice (lead, c), block (a, c), y slice
// (lead, a). N:M (t, r, j): values/indices (r, j), y (t, r).
// CHECK-DAG: #[[BX:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[BV:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[BY:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[NMW:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[NMY:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// bn = 2, bk = 3, N = 2 · 2 = 4, K = 6; i32 block columns, i64 offsets.
// CHECK-LABEL: func.func @bsr_dynamic_bias
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x3x6xf32>, %[[V:[^:]+]]: tensor<3x2x3xf32>, %[[C:[^:]+]]: tensor<3xi32>, %[[R:[^:]+]]: tensor<3xi64>, %[[B:[^:]+]]: tensor<4xf32>)
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<?x3x4xf32>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[BN:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[BK:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[NBR:.+]] = arith.constant 2 : index
// Block rows, then [row_offsets[rb], row_offsets[rb + 1]).
// CHECK: %[[ACC:.+]] = scf.for %[[RB:.+]] = %[[C0]] to %[[NBR]] step %[[C1]] iter_args(%[[Y0:.+]] = %[[ZERO]]) -> (tensor<?x3x4xf32>)
// CHECK: %[[LO:.+]] = tensor.extract %[[R]][%[[RB]]] : tensor<3xi64>
// CHECK: %[[BEGIN:.+]] = arith.index_cast %[[LO]] : i64 to index
// CHECK: %[[NEXT:.+]] = arith.addi %[[RB]], %[[C1]]
// CHECK: %[[HI:.+]] = tensor.extract %[[R]][%[[NEXT]]] : tensor<3xi64>
// CHECK: %[[END:.+]] = arith.index_cast %[[HI]] : i64 to index
// CHECK: scf.for %[[E:.+]] = %[[BEGIN]] to %[[END]] step %[[C1]] iter_args(%[[Y1:.+]] = %[[Y0]]) -> (tensor<?x3x4xf32>)
// x[..., cb·bk : +bk] with cb = col_indices[e].
// CHECK: %[[CB32:.+]] = tensor.extract %[[C]][%[[E]]] : tensor<3xi32>
// CHECK: %[[CB:.+]] = arith.index_cast %[[CB32]] : i32 to index
// CHECK: %[[COL0:.+]] = arith.muli %[[CB]], %[[BK]]
// CHECK: %[[XS:.+]] = tensor.extract_slice %[[X]][0, 0, %[[COL0]]] [%{{.+}}, 3, 3] [1, 1, 1] : tensor<?x3x6xf32> to tensor<?x3x3xf32>
// CHECK: %[[BLK:.+]] = tensor.extract_slice %[[V]][%[[E]], 0, 0] [1, 2, 3] [1, 1, 1] : tensor<3x2x3xf32> to tensor<2x3xf32>
// y[..., rb·bn : +bn] += xs · blockᵀ.
// CHECK: %[[ROW0:.+]] = arith.muli %[[RB]], %[[BN]]
// CHECK: %[[YS:.+]] = tensor.extract_slice %[[Y1]][0, 0, %[[ROW0]]] [%{{.+}}, 3, 2] [1, 1, 1] : tensor<?x3x4xf32> to tensor<?x3x2xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[BX]], #[[BV]], #[[BY]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[XS]], %[[BLK]] : tensor<?x3x3xf32>, tensor<2x3xf32>) outs(%[[YS]] : tensor<?x3x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[SUM]] into %[[Y1]][0, 0, %[[ROW0]]] [%{{.+}}, 3, 2] [1, 1, 1] : tensor<?x3x2xf32> into tensor<?x3x4xf32>
// CHECK: scf.yield %[[INS]]
// CHECK: scf.yield
// The bias epilogue.
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%[[ACC]], %[[B]] : tensor<?x3x4xf32>, tensor<4xf32>)
// CHECK: return %[[Y]] : tensor<?x3x4xf32>
func.func @bsr_dynamic_bias(%x: tensor<?x3x6xf32>, %v: tensor<3x2x3xf32>, %c: tensor<3xi32>, %r: tensor<3xi64>, %b: tensor<4xf32>) -> tensor<?x3x4xf32> {
  %y = linea.bsr_linear %x, %v, %c, %r bias %b
      : (tensor<?x3x6xf32>, tensor<3x2x3xf32>, tensor<3xi32>, tensor<3xi64>, tensor<4xf32>) -> tensor<?x3x4xf32>
  return %y : tensor<?x3x4xf32>
}

// bf16 x and blocks: both widened to f32 up front, the result rounded once.
// Rank 1 x: the slices have no leading dims. The op's declared result
// (tensor<3xbf16>) matches, so no cast.
// CHECK-LABEL: func.func @bsr_bf16_rank1
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract_slice %{{.+}}[%{{.+}}] [4] [1] : tensor<8xf32> to tensor<4xf32>
// CHECK: tensor.extract_slice %{{.+}}[%{{.+}}, 0, 0] [1, 1, 4] [1, 1, 1] : tensor<2x1x4xf32> to tensor<1x4xf32>
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK-NOT: tensor.cast
// CHECK: return
func.func @bsr_bf16_rank1(%x: tensor<8xbf16>, %v: tensor<2x1x4xbf16>, %c: tensor<2xi64>, %r: tensor<4xi64>) -> tensor<3xbf16> {
  %y = linea.bsr_linear %x, %v, %c, %r
      : (tensor<8xbf16>, tensor<2x1x4xbf16>, tensor<2xi64>, tensor<4xi64>) -> tensor<3xbf16>
  return %y : tensor<3xbf16>
}

// Constant weights are lowered the same way (linea-densify, not this pass,
// is what folds them into a dense W).
// CHECK-LABEL: func.func @bsr_constant_weights
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NOT: arith.constant dense<{{.*}}> : tensor<4x4xf32>
// CHECK: return
func.func @bsr_constant_weights(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %values = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf32>
  %cols = arith.constant dense<[1, 0]> : tensor<2xi32>
  %rows = arith.constant dense<[0, 1, 2]> : tensor<3xi32>
  %y = linea.bsr_linear %x, %values, %cols, %rows
      : (tensor<2x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// 2:4, N = 4, K = 8: loops (t, r, j); the body gathers
// x[t, (j div 2)·4 + indices[r, j]] and multiplies by values[r, j].
// x is static but the declared result dynamic: a tensor.cast ends it.
// CHECK-LABEL: func.func @nm_2_4_f16
// CHECK-SAME: (%[[X:[^:]+]]: tensor<5x8xf16>, %[[V:[^:]+]]: tensor<4x4xf16>, %[[I:[^:]+]]: tensor<4x4xi8>)
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<5x4xf32>
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[NMW]], #[[NMW]], #[[NMY]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[V]], %[[I]] : tensor<4x4xf16>, tensor<4x4xi8>) outs(%[[ZERO]] : tensor<5x4xf32>)
// CHECK: ^bb0(%[[VAL:.+]]: f16, %[[POS:.+]]: i8, %[[OUT:.+]]: f32):
// CHECK: %[[T:.+]] = linalg.index 0 : index
// CHECK: %[[J:.+]] = linalg.index 2 : index
// CHECK: %[[G:.+]] = arith.divui %[[J]], %c2
// CHECK: %[[G0:.+]] = arith.muli %[[G]], %c4
// CHECK: %[[P:.+]] = arith.index_cast %[[POS]] : i8 to index
// CHECK: %[[COL:.+]] = arith.addi %[[G0]], %[[P]]
// CHECK: %[[XV:.+]] = tensor.extract %[[X]][%[[T]], %[[COL]]] : tensor<5x8xf16>
// CHECK: %[[XF:.+]] = arith.extf %[[XV]] : f16 to f32
// CHECK: %[[WF:.+]] = arith.extf %[[VAL]] : f16 to f32
// CHECK: %[[PROD:.+]] = arith.mulf %[[XF]], %[[WF]]
// CHECK: arith.addf %[[PROD]], %[[OUT]]
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%[[ACC]] : tensor<5x4xf32>)
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: %[[CAST:.+]] = tensor.cast %[[Y]] : tensor<5x4xf16> to tensor<?x4xf16>
// CHECK: return %[[CAST]]
func.func @nm_2_4_f16(%x: tensor<5x8xf16>, %v: tensor<4x4xf16>, %i: tensor<4x4xi8>) -> tensor<?x4xf16> {
  %y = linea.nm_linear 2:4 %x, %v, %i : (tensor<5x8xf16>, tensor<4x4xf16>, tensor<4x4xi8>) -> tensor<?x4xf16>
  return %y : tensor<?x4xf16>
}

// 1:4 with batch dims (2 leading loops) and a bias: groups of 1 kept
// element, so group = j div 1, start = group · 4.
// CHECK-LABEL: func.func @nm_1_4_batch_bias
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[A:.+]] = linalg.index 0 : index
// CHECK: %[[B:.+]] = linalg.index 1 : index
// CHECK: %[[J:.+]] = linalg.index 3 : index
// CHECK: arith.divui %[[J]], %c1
// CHECK: arith.muli {{.*}}, %c4
// CHECK: tensor.extract %{{.+}}[%[[A]], %[[B]], %{{.+}}] : tensor<?x2x8xf32>
// CHECK: linalg.generic
// CHECK-SAME: tensor<?x2x3xf32>, tensor<3xf32>
// CHECK: return
func.func @nm_1_4_batch_bias(%x: tensor<?x2x8xf32>, %v: tensor<3x2xf32>, %i: tensor<3x2xi8>, %b: tensor<3xf32>) -> tensor<?x2x3xf32> {
  %y = linea.nm_linear 1:4 %x, %v, %i bias %b
      : (tensor<?x2x8xf32>, tensor<3x2xf32>, tensor<3x2xi8>, tensor<3xf32>) -> tensor<?x2x3xf32>
  return %y : tensor<?x2x3xf32>
}
