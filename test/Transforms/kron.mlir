// RUN: linea-opt %s --linea-kron -verify-diagnostics | FileCheck %s
// RUN: linea-opt %s --linea-kron="factors=2,4" 2>/dev/null | FileCheck %s --check-prefix=F24
// RUN: linea-opt %s --linea-kron="terms=2" 2>/dev/null | FileCheck %s --check-prefix=T2
// RUN: linea-opt %s --linea-kron="factors=3,4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=F34
// RUN: linea-opt %s --linea-kron="terms=5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=T5
// RUN: linea-opt %s --linea-kron="terms=3" -o /dev/null 2>&1 | FileCheck %s --check-prefix=T3
// RUN: not linea-opt %s --linea-kron="factors=1,2,3" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADF
// RUN: not linea-opt %s --linea-kron="terms=0" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADT
// RUN: linea-opt %s --linea-kron --linea-report -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=REPORT
// RUN: linea-opt %s --linea-kron --linea-report="table=false json=-" -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=JSON
// RUN: linea-opt %s --linea-kron --linea-report="reference=%s entry=exact seed=7" -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=OUTERR
// RUN: linea-opt %s --linea-kron --linea-report="reference=%s entry=approx table=false json=-" -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=OUTJSON
// RUN: not linea-opt %s --linea-report="reference=%t.missing.mlir" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOREF

// W = [[1,2],[3,4]] ⊗ [[1,0,2,1],[0,1,1,3]] (4×8). The default shape takes
// the divisors nearest √4 = 2 and √8 ≈ 2.83: a is 2×2, b is 2×4, and one
// term reproduces W (weight error at f32 rounding level).
// CHECK-LABEL: func.func @exact
// CHECK-DAG: %[[A:.+]] = arith.constant {{.*}} : tensor<1x2x2xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant {{.*}} : tensor<1x2x4xf32>
// CHECK: linea.kron_linear %arg0, %[[A]], %[[B]] bias %arg1 {linea.weight_error = {{[0-9.]+E-[6-9]|0.0}} : f32, name = "fc"}
// CHECK-NOT: linea.linear
// F24-LABEL: func.func @exact
// F24: linea.kron_linear {{.*}} : (tensor<3x8xf32>, tensor<1x2x4xf32>, tensor<1x2x2xf32>, tensor<4xf32>) -> tensor<3x4xf32>
func.func @exact(%x: tensor<3x8xf32>, %bias: tensor<4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<[[1.0, 0.0, 2.0, 1.0, 2.0, 0.0, 4.0, 2.0], [0.0, 1.0, 1.0, 3.0, 0.0, 2.0, 2.0, 6.0], [3.0, 0.0, 6.0, 3.0, 4.0, 0.0, 8.0, 4.0], [0.0, 3.0, 3.0, 9.0, 0.0, 4.0, 4.0, 12.0]]> : tensor<4x8xf32>
  %y = linea.linear %x, %w bias %bias {name = "fc"} : (tensor<3x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// A W with no Kronecker structure: the weight error is the tail norm of the
// rearranged matrix's singular values over ‖W‖ (numpy: 0.69964 with one
// 2×2 ⊗ 2×4 term, 0.44820 with two, 0.72504 with one 2×4 ⊗ 2×2 term).
// CHECK-LABEL: func.func @approx
// CHECK: linea.kron_linear {{.*}}linea.weight_error = 0.6996{{[0-9]*}} : f32
// T2-LABEL: func.func @approx
// T2: linea.kron_linear {{.*}}linea.weight_error = 0.448{{[0-9]*}} : f32{{.*}}(tensor<2x8xf32>, tensor<2x2x2xf32>, tensor<2x2x4xf32>)
// F24-LABEL: func.func @approx
// F24: linea.kron_linear {{.*}}linea.weight_error = 0.7250{{[0-9]*}} : f32
func.func @approx(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 0.0, -1.0, 3.0, 1.0, 0.0, 2.0], [2.0, -1.0, 1.0, 0.0, 1.0, 1.0, -2.0, 0.0], [0.0, 1.0, 3.0, 1.0, -1.0, 2.0, 1.0, 1.0], [1.0, 0.0, -1.0, 2.0, 2.0, -1.0, 1.0, 3.0]]> : tensor<4x8xf32>
  %y = linea.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// A weight that is not a constant cannot be factored.
// CHECK-LABEL: func.func @runtime_weight
// CHECK: linea.linear
func.func @runtime_weight(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{linea-kron: skipped layer 'runtime_weight#0'}}
  %y = linea.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// F34: remark: linea-kron: skipped layer 'fc': factors=3,4 do not divide the 4x8 weight (n1 | N and k1 | K are required)
// T5: remark: linea-kron: skipped layer 'fc': terms=5 exceeds 4, the rank bound of a 2x2 (x) 2x4 Kronecker sum
// T3: remark: linea-kron: skipped layer 'fc': the form stores 36 parameters, not fewer than the dense 4·8 = 32
// BADF: error: linea-kron: option 'factors' takes two values n1,k1, got 3
// BADT: error: linea-kron: option 'terms' must be at least 1, got 0

// a[1,2,2] + b[1,2,4] = 12 parameters, 48 bytes, compression 128/48 = 2.67.
// REPORT: layer{{ +}}form{{ +}}N{{ +}}K{{ +}}params{{ +}}bytes{{ +}}flops/tok{{ +}}compr{{ +}}w_err
// REPORT-NEXT: fc{{ +}}kron_linear{{ +}}4{{ +}}8{{ +}}12{{ +}}48{{ +}}{{[0-9]+}}{{ +}}2.67x{{ +}}{{[0-9.]+e-0[6-9]|0.000e\+00}}
// REPORT-NEXT: approx#0{{ +}}kron_linear{{ +}}4{{ +}}8{{ +}}12{{ +}}48{{ +}}{{[0-9]+}}{{ +}}2.67x{{ +}}6.996e-01
// REPORT-NEXT: runtime_weight#0{{ +}}linear{{ +}}4{{ +}}8{{ +}}32{{ +}}128{{ +}}{{[0-9]+}}{{ +}}1.00x{{ +}}-
// JSON: "name": "approx#0"
// JSON: "weight_error": 0.699
// JSON: "name": "runtime_weight#0"
// JSON: "weight_error": null

// Output error against the original module (this file) on random inputs:
// one exact term reproduces @exact's outputs to f32 rounding.
// OUTERR: output error of @exact against {{.*}}kron.mlir (random inputs, seed 7):
// OUTERR-NEXT: out0  f32[3x4]  max_abs={{[0-9.]+e-0[5-9]|0.000e\+00}}  rel={{[0-9.]+e-0[5-9]|0.000e\+00}}  rel_fro={{[0-9.]+e-0[5-9]|0.000e\+00}}
// OUTJSON: "output_error": {
// OUTJSON-NEXT: "function": "approx",
// OUTJSON-NEXT: "outputs": [
// OUTJSON-NEXT: {
// OUTJSON-NEXT: "max_abs_error": {{[0-9.]+}},
// OUTJSON-NEXT: "rel_error": 0.{{[0-9]+}},
// OUTJSON-NEXT: "rel_frobenius_error": 0.{{[0-9]+}},
// OUTJSON-NEXT: "shape": [
// OUTJSON-NEXT: 2,
// OUTJSON-NEXT: 4
// OUTJSON: "seed": 0
// NOREF: error: linea-report: cannot compare outputs against '{{.*}}.missing.mlir': no such file
