// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// Round trip of the structured linear-layer forms: each with a bias and a
// name, and without a bias on a batched (dynamic leading dim) x.

// CHECK-LABEL: func.func @lowrank
// CHECK: linea.lowrank_linear %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc1"} : (tensor<8x64xf32>, tensor<32x4xf32>, tensor<4x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @lowrank(%x: tensor<8x64xf32>, %u: tensor<32x4xf32>, %v: tensor<4x64xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.lowrank_linear %x, %u, %v bias %b {name = "fc1"} : (tensor<8x64xf32>, tensor<32x4xf32>, tensor<4x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// CHECK-LABEL: func.func @lowrank_batched
// CHECK: linea.lowrank_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4x64xbf16>, tensor<32x4xf16>, tensor<4x64xf32>) -> tensor<?x4x32xbf16>
func.func @lowrank_batched(%x: tensor<?x4x64xbf16>, %u: tensor<32x4xf16>, %v: tensor<4x64xf32>) -> tensor<?x4x32xbf16> {
  %y = linea.lowrank_linear %x, %u, %v : (tensor<?x4x64xbf16>, tensor<32x4xf16>, tensor<4x64xf32>) -> tensor<?x4x32xbf16>
  return %y : tensor<?x4x32xbf16>
}

// CHECK-LABEL: func.func @blockdiag
// CHECK: linea.blockdiag_linear %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc2"} : (tensor<8x64xf32>, tensor<4x8x16xf32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @blockdiag(%x: tensor<8x64xf32>, %w: tensor<4x8x16xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.blockdiag_linear %x, %w bias %b {name = "fc2"} : (tensor<8x64xf32>, tensor<4x8x16xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// CHECK-LABEL: func.func @blockdiag_batched
// CHECK: linea.blockdiag_linear %{{.*}}, %{{.*}} : (tensor<?x3x64xf16>, tensor<4x8x16xf16>) -> tensor<?x3x32xf16>
func.func @blockdiag_batched(%x: tensor<?x3x64xf16>, %w: tensor<4x8x16xf16>) -> tensor<?x3x32xf16> {
  %y = linea.blockdiag_linear %x, %w : (tensor<?x3x64xf16>, tensor<4x8x16xf16>) -> tensor<?x3x32xf16>
  return %y : tensor<?x3x32xf16>
}

// k = 2, q = 3, p = 8 (K = 16); l = 3, s = 4, r = 2 (k·q = l·r = 6, N = 12).
// CHECK-LABEL: func.func @monarch
// CHECK: linea.monarch_linear %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc3"} : (tensor<8x16xf32>, tensor<2x3x8xf32>, tensor<3x4x2xf32>, tensor<12xf32>) -> tensor<8x12xf32>
func.func @monarch(%x: tensor<8x16xf32>, %w1: tensor<2x3x8xf32>, %w2: tensor<3x4x2xf32>, %b: tensor<12xf32>) -> tensor<8x12xf32> {
  %y = linea.monarch_linear %x, %w1, %w2 bias %b {name = "fc3"} : (tensor<8x16xf32>, tensor<2x3x8xf32>, tensor<3x4x2xf32>, tensor<12xf32>) -> tensor<8x12xf32>
  return %y : tensor<8x12xf32>
}

// CHECK-LABEL: func.func @monarch_batched
// CHECK: linea.monarch_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x2x16xbf16>, tensor<4x4x4xbf16>, tensor<4x4x4xbf16>) -> tensor<?x2x16xbf16>
func.func @monarch_batched(%x: tensor<?x2x16xbf16>, %w1: tensor<4x4x4xbf16>, %w2: tensor<4x4x4xbf16>) -> tensor<?x2x16xbf16> {
  %y = linea.monarch_linear %x, %w1, %w2 : (tensor<?x2x16xbf16>, tensor<4x4x4xbf16>, tensor<4x4x4xbf16>) -> tensor<?x2x16xbf16>
  return %y : tensor<?x2x16xbf16>
}

// M1 = 4, M0 = 4 (K = 16); N0 = 2, N1 = 3 (N = 6); r = 2.
// CHECK-LABEL: func.func @btt
// CHECK: linea.btt_linear %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc4"} : (tensor<8x16xf32>, tensor<4x4x4xf32>, tensor<2x8x3xf32>, tensor<6xf32>) -> tensor<8x6xf32>
func.func @btt(%x: tensor<8x16xf32>, %w1: tensor<4x4x4xf32>, %w2: tensor<2x8x3xf32>, %b: tensor<6xf32>) -> tensor<8x6xf32> {
  %y = linea.btt_linear %x, %w1, %w2 bias %b {name = "fc4"} : (tensor<8x16xf32>, tensor<4x4x4xf32>, tensor<2x8x3xf32>, tensor<6xf32>) -> tensor<8x6xf32>
  return %y : tensor<8x6xf32>
}

// CHECK-LABEL: func.func @btt_batched
// CHECK: linea.btt_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x5x16xf16>, tensor<4x4x8xf32>, tensor<4x8x4xf32>) -> tensor<?x5x16xf16>
func.func @btt_batched(%x: tensor<?x5x16xf16>, %w1: tensor<4x4x8xf32>, %w2: tensor<4x8x4xf32>) -> tensor<?x5x16xf16> {
  %y = linea.btt_linear %x, %w1, %w2 : (tensor<?x5x16xf16>, tensor<4x4x8xf32>, tensor<4x8x4xf32>) -> tensor<?x5x16xf16>
  return %y : tensor<?x5x16xf16>
}

// CHECK-LABEL: func.func @kron
// CHECK: linea.kron_linear %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc5"} : (tensor<8x64xf32>, tensor<2x4x8xf32>, tensor<2x8x8xf32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @kron(%x: tensor<8x64xf32>, %a: tensor<2x4x8xf32>, %b: tensor<2x8x8xf32>, %bias: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.kron_linear %x, %a, %b bias %bias {name = "fc5"} : (tensor<8x64xf32>, tensor<2x4x8xf32>, tensor<2x8x8xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// CHECK-LABEL: func.func @kron_batched
// CHECK: linea.kron_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x64xbf16>, tensor<1x4x8xbf16>, tensor<1x8x8xbf16>) -> tensor<?x?x32xbf16>
func.func @kron_batched(%x: tensor<?x?x64xbf16>, %a: tensor<1x4x8xbf16>, %b: tensor<1x8x8xbf16>) -> tensor<?x?x32xbf16> {
  %y = linea.kron_linear %x, %a, %b : (tensor<?x?x64xbf16>, tensor<1x4x8xbf16>, tensor<1x8x8xbf16>) -> tensor<?x?x32xbf16>
  return %y : tensor<?x?x32xbf16>
}

// b = 4, p = 8 (N = 32), q = 16 (K = 64), r = 2.
// CHECK-LABEL: func.func @blast
// CHECK: linea.blast_linear %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc6"} : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<4x16x2xf32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @blast(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<4x16x2xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.blast_linear %x, %u, %s, %v bias %b {name = "fc6"} : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<4x16x2xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// CHECK-LABEL: func.func @blast_batched
// CHECK: linea.blast_linear %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x2x64xf16>, tensor<4x8x2xf16>, tensor<4x4x2xf32>, tensor<4x16x2xf16>) -> tensor<?x2x32xf16>
func.func @blast_batched(%x: tensor<?x2x64xf16>, %u: tensor<4x8x2xf16>, %s: tensor<4x4x2xf32>, %v: tensor<4x16x2xf16>) -> tensor<?x2x32xf16> {
  %y = linea.blast_linear %x, %u, %s, %v : (tensor<?x2x64xf16>, tensor<4x8x2xf16>, tensor<4x4x2xf32>, tensor<4x16x2xf16>) -> tensor<?x2x32xf16>
  return %y : tensor<?x2x32xf16>
}
