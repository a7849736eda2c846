// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// CHECK-LABEL: func.func @dense
// CHECK: linea.linear %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc1"} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @dense(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.linear %x, %w bias %b {name = "fc1"} : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// CHECK-LABEL: func.func @batched_no_bias
// CHECK: linea.linear %{{.*}}, %{{.*}} : (tensor<?x4x64xbf16>, tensor<16x64xbf16>) -> tensor<?x4x16xbf16>
func.func @batched_no_bias(%x: tensor<?x4x64xbf16>, %w: tensor<16x64xbf16>) -> tensor<?x4x16xbf16> {
  %y = linea.linear %x, %w : (tensor<?x4x64xbf16>, tensor<16x64xbf16>) -> tensor<?x4x16xbf16>
  return %y : tensor<?x4x16xbf16>
}
