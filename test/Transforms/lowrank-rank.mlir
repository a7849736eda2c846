// RUN: linea-opt %s --linea-lowrank="energy=0.995" 2>/dev/null | FileCheck %s --check-prefix=ENERGY
// RUN: linea-opt %s --linea-lowrank="energy=0.995" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENERGY-REMARK
// RUN: linea-opt %s --linea-lowrank="energy=0.8 multiple-of=3" | FileCheck %s --check-prefix=ROUNDUP
// RUN: linea-opt %s --linea-lowrank="param-ratio=0.5" | FileCheck %s --check-prefix=RATIO
// RUN: linea-opt %s --linea-lowrank="param-ratio=0.75 multiple-of=2" | FileCheck %s --check-prefix=ROUNDDOWN

// Rank selection on weights with known singular values.
// @diag4x6: σ = 10, 1, 0.1, 0.01 (Σσ² = 101.0101).
// @diag8:   σ = 4, 3, 2, 1 and four zeros (Σσ² = 30).
//
// energy=0.995: 4x6 needs 2 values (100/101.01 = 0.99 < 0.995 ≤ 101/101.01);
//   error √(0.0101/101.0101) = 0.0099995. 8x8 needs all four (29/30 < 0.995),
//   but 4·(8+8) = 64 does not compress, so it is left dense with a remark.
// ENERGY-LABEL: func.func @diag4x6
// ENERGY: linea.lowrank_linear {{.*}}linea.weight_error = 0.0099995{{[0-9]*}} : f32{{.*}}tensor<4x2xf32>, tensor<2x6xf32>
// ENERGY-LABEL: func.func @diag8
// ENERGY: linea.linear
// ENERGY-REMARK: remark: linea-lowrank: skipped layer 'diag8#0': keeping 0.995 of the energy needs a rank above 3, the largest that stores fewer parameters than the dense 8×8 weight (rank 3 keeps 0.966667)
//
// energy=0.8 multiple-of=3: 8x8 needs rank 2 (25/30 = 0.833), rounded up
//   to 3 (error √(1/30) = 0.182574); 4x6 needs 1 (100/101.01), and 3 would
//   not compress (3·10 ≥ 24), so it stays 1 (error √(1.0101/101.0101) = 0.1).
// ROUNDUP-LABEL: func.func @diag4x6
// ROUNDUP: linea.lowrank_linear {{.*}}linea.weight_error = {{0.0999[0-9]*|0.100[0-9]*}} : f32{{.*}}tensor<4x1xf32>, tensor<1x6xf32>
// ROUNDUP-LABEL: func.func @diag8
// ROUNDUP: linea.lowrank_linear {{.*}}linea.weight_error = 0.18257{{[0-9]*}} : f32{{.*}}tensor<8x3xf32>, tensor<3x8xf32>
//
// param-ratio=0.5: r = ⌊0.5·N·K/(N+K)⌋ = ⌊1.2⌋ = 1 for 4x6, ⌊2⌋ = 2 for 8x8
//   (error √(5/30) = 0.408248).
// RATIO-LABEL: func.func @diag4x6
// RATIO: linea.lowrank_linear {{.*}}tensor<4x1xf32>, tensor<1x6xf32>
// RATIO-LABEL: func.func @diag8
// RATIO: linea.lowrank_linear {{.*}}linea.weight_error = 0.40824{{[0-9]*}} : f32{{.*}}tensor<8x2xf32>, tensor<2x8xf32>
//
// param-ratio=0.75 multiple-of=2: 8x8 gets ⌊3⌋ = 3, rounded down to 2; 4x6
//   gets ⌊1.8⌋ = 1, kept although below the multiple (0 would be nothing).
// ROUNDDOWN-LABEL: func.func @diag4x6
// ROUNDDOWN: linea.lowrank_linear {{.*}}tensor<4x1xf32>, tensor<1x6xf32>
// ROUNDDOWN-LABEL: func.func @diag8
// ROUNDDOWN: linea.lowrank_linear {{.*}}tensor<8x2xf32>, tensor<2x8xf32>

func.func @diag4x6(%x: tensor<2x6xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[10.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.1, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.01, 0.0, 0.0]]> : tensor<4x6xf32>
  %y = linea.linear %x, %w : (tensor<2x6xf32>, tensor<4x6xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

func.func @diag8(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %w = arith.constant dense<[[0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<8x8xf32>
  %y = linea.linear %x, %w : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
