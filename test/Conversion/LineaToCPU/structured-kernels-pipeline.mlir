// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm=num-threads=1 | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm="num-threads=1 cpu-kernels=false" | FileCheck %s --check-prefix=REF

// Every contraction of each structured layer takes a vector kernel in
// linea-lower-to-llvm (linea-cpu-contraction-kernels or
// linea-cpu-structured-kernels): vector FMAs and no scalar f32 multiply,
// which is what the reference loops (cpu-kernels=false) consist of.
// CHECK-LABEL: llvm.func @monarch
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>) -> vector<{{[0-9]+}}xf32>
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.return
// REF-LABEL: llvm.func @monarch
// REF: llvm.fmul {{.*}} : f32
func.func @monarch(%x: tensor<?x128xf32>, %w1: tensor<4x16x32xf32>, %w2: tensor<4x32x16xf32>) -> tensor<?x128xf32> {
  %y = linea.monarch_linear %x, %w1, %w2 : (tensor<?x128xf32>, tensor<4x16x32xf32>, tensor<4x32x16xf32>) -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// CHECK-LABEL: llvm.func @btt
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>) -> vector<{{[0-9]+}}xf32>
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.return
func.func @btt(%x: tensor<?x60xf32>, %w1: tensor<3x20x20xf32>, %w2: tensor<5x12x37xf32>) -> tensor<?x185xf32> {
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<?x60xf32>, tensor<3x20x20xf32>, tensor<5x12x37xf32>) -> tensor<?x185xf32>
  return %y : tensor<?x185xf32>
}

// -----

// CHECK-LABEL: llvm.func @kron
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>) -> vector<{{[0-9]+}}xf32>
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.return
func.func @kron(%x: tensor<?x161xf32>, %a: tensor<2x5x7xf32>, %b: tensor<2x19x23xf32>) -> tensor<?x95xf32> {
  %y = linea.kron_linear %x, %a, %b : (tensor<?x161xf32>, tensor<2x5x7xf32>, tensor<2x19x23xf32>) -> tensor<?x95xf32>
  return %y : tensor<?x95xf32>
}

// -----

// CHECK-LABEL: llvm.func @blast
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>) -> vector<{{[0-9]+}}xf32>
// CHECK-NOT: llvm.fmul {{.*}} : f32
// CHECK: llvm.return
func.func @blast(%x: tensor<?x39xf32>, %u: tensor<3x10x20xf32>, %s: tensor<3x3x20xf32>, %v: tensor<3x13x20xf32>) -> tensor<?x30xf32> {
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<?x39xf32>, tensor<3x10x20xf32>, tensor<3x3x20xf32>, tensor<3x13x20xf32>) -> tensor<?x30xf32>
  return %y : tensor<?x30xf32>
}
