// RUN: linea-opt %s --linea-blast="blocks=2 rank=1" -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-blast="blocks=2 rank=1 iterations=0" 2>/dev/null | FileCheck %s --check-prefix=IT0
// RUN: linea-opt %s --linea-blast 2>/dev/null | FileCheck %s --check-prefix=DEFAULT
// RUN: linea-opt %s --linea-blast="blocks=3" -o /dev/null 2>&1 | FileCheck %s --check-prefix=B3
// RUN: linea-opt %s --linea-blast="blocks=2 rank=4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=R4
// RUN: linea-opt %s --linea-blast="blocks=2 rank=1 only=other" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ONLY
// RUN: not linea-opt %s --linea-blast="blocks=0" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADB
// RUN: not linea-opt %s --linea-blast="tolerance=-1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADTOL
// RUN: linea-opt %s --linea-blast="blocks=2 rank=1" --linea-report -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=REPORT

// W (8×8) is an exact BLAST matrix with b = 2, r = 1 (u, s, v small
// integers) but has global rank 2, so the rank-1 SVD start is not exact
// (error σ₂/‖W‖ = 0.13411 by numpy) and the sweeps must find the structure.
// CHECK-LABEL: func.func @exact
// CHECK-DAG: %[[U:.+]] = arith.constant {{.*}} : tensor<2x4x1xf32>
// CHECK-DAG: %[[S:.+]] = arith.constant {{.*}} : tensor<2x2x1xf32>
// CHECK-DAG: %[[V:.+]] = arith.constant {{.*}} : tensor<2x4x1xf32>
// CHECK: linea.blast_linear %arg0, %[[U]], %[[S]], %[[V]] {linea.weight_error = {{[0-9.]+E-[4-9]|0.0}} : f32, name = "fc"}
// CHECK-NOT: linea.linear
// IT0-LABEL: func.func @exact
// IT0: linea.blast_linear {{.*}}linea.weight_error = 0.1341{{[0-9]*}} : f32
// The default rank for 8×8 with 4 blocks is ⌊64 / (8 + 8 + 16)⌋ / 2 = 1:
// p = q = 2.
// DEFAULT-LABEL: func.func @exact
// DEFAULT: linea.blast_linear {{.*}} : (tensor<2x8xf32>, tensor<4x2x1xf32>, tensor<4x4x1xf32>, tensor<4x2x1xf32>) -> tensor<2x8xf32>
func.func @exact(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %w = arith.constant dense<[[0.0, 2.0, 4.0, 2.0, 4.0, 0.0, 0.0, 8.0], [0.0, 1.0, 2.0, 1.0, 2.0, 0.0, 0.0, 4.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, -1.0, -2.0, -1.0, -2.0, 0.0, 0.0, -4.0], [0.0, -2.0, -4.0, -2.0, -2.0, 0.0, 0.0, -4.0], [0.0, -4.0, -8.0, -4.0, -4.0, 0.0, 0.0, -8.0], [0.0, -4.0, -8.0, -4.0, -4.0, 0.0, 0.0, -8.0], [0.0, -4.0, -8.0, -4.0, -4.0, 0.0, 0.0, -8.0]]> : tensor<8x8xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// A weight that is not a constant cannot be factored.
// CHECK-LABEL: func.func @runtime_weight
// CHECK: linea.linear
func.func @runtime_weight(%x: tensor<2x8xf32>, %w: tensor<8x8xf32>) -> tensor<2x8xf32> {
  // expected-remark @+1 {{linea-blast: skipped layer 'runtime_weight#0': operand 'w' is not a constant}}
  %y = linea.linear %x, %w : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// B3: remark: linea-blast: skipped layer 'fc': blocks=3 does not divide the 8x8 weight (b | N and b | K are required)
// R4: remark: linea-blast: skipped layer 'fc': rank 4 with blocks=2 stores 80 parameters (r·(N + K + b²)), not fewer than the dense 8·8 = 64
// ONLY: remark: linea-blast: skipped layer 'fc':
// BADB: error: linea-blast: option 'blocks' must be at least 1, got 0
// BADTOL: error: linea-blast: option 'tolerance' must not be negative, got -1

// u[2,4,1] + s[2,2,1] + v[2,4,1] = 20 parameters, 80 bytes, compression 256/80 = 3.20.
// REPORT: layer{{ +}}form{{ +}}N{{ +}}K{{ +}}params{{ +}}bytes{{ +}}flops/tok{{ +}}compr{{ +}}w_err
// REPORT-NEXT: fc{{ +}}blast_linear{{ +}}8{{ +}}8{{ +}}20{{ +}}80{{ +}}{{[0-9]+}}{{ +}}3.20x{{ +}}{{[0-9.]+e-0[4-9]|0.000e\+00}}
// REPORT-NEXT: runtime_weight#0{{ +}}linear{{ +}}8{{ +}}8{{ +}}64{{ +}}256{{ +}}{{[0-9]+}}{{ +}}1.00x{{ +}}-
