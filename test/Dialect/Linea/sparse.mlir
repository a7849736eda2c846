// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// CHECK-LABEL: func.func @bsr
// CHECK: linea.bsr_linear %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {name = "fc1"} : (tensor<8x64xf32>, tensor<6x16x32xf32>, tensor<6xi32>, tensor<3xi32>, tensor<32xf32>) -> tensor<8x32xf32>
func.func @bsr(%x: tensor<8x64xf32>, %values: tensor<6x16x32xf32>, %cols: tensor<6xi32>,
               %rows: tensor<3xi32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.bsr_linear %x, %values, %cols, %rows bias %b {name = "fc1"}
      : (tensor<8x64xf32>, tensor<6x16x32xf32>, tensor<6xi32>, tensor<3xi32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// CHECK-LABEL: func.func @bsr_batched_i64
// CHECK: linea.bsr_linear %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4x8xbf16>, tensor<3x2x4xbf16>, tensor<3xi64>, tensor<4xi64>) -> tensor<?x4x6xbf16>
func.func @bsr_batched_i64(%x: tensor<?x4x8xbf16>, %values: tensor<3x2x4xbf16>, %cols: tensor<3xi64>,
                           %rows: tensor<4xi64>) -> tensor<?x4x6xbf16> {
  %y = linea.bsr_linear %x, %values, %cols, %rows
      : (tensor<?x4x8xbf16>, tensor<3x2x4xbf16>, tensor<3xi64>, tensor<4xi64>) -> tensor<?x4x6xbf16>
  return %y : tensor<?x4x6xbf16>
}

// Constant, valid indices: block row 0 holds block columns 0 and 1, block
// row 1 is empty, block row 2 holds block column 1.
// CHECK-LABEL: func.func @bsr_constant_indices
// CHECK: linea.bsr_linear %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<3x2x2xf32>, tensor<3xi32>, tensor<4xi32>) -> tensor<2x6xf32>
func.func @bsr_constant_indices(%x: tensor<2x4xf32>, %values: tensor<3x2x2xf32>) -> tensor<2x6xf32> {
  %cols = arith.constant dense<[0, 1, 1]> : tensor<3xi32>
  %rows = arith.constant dense<[0, 2, 2, 3]> : tensor<4xi32>
  %y = linea.bsr_linear %x, %values, %cols, %rows
      : (tensor<2x4xf32>, tensor<3x2x2xf32>, tensor<3xi32>, tensor<4xi32>) -> tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}

// CHECK-LABEL: func.func @nm_2_4
// CHECK: linea.nm_linear 2:4 %{{.*}}, %{{.*}}, %{{.*}} {name = "fc1"} : (tensor<8x8xf16>, tensor<4x4xf16>, tensor<4x4xi8>) -> tensor<8x4xf16>
func.func @nm_2_4(%x: tensor<8x8xf16>, %values: tensor<4x4xf16>, %indices: tensor<4x4xi8>) -> tensor<8x4xf16> {
  %y = linea.nm_linear 2:4 %x, %values, %indices {name = "fc1"}
      : (tensor<8x8xf16>, tensor<4x4xf16>, tensor<4x4xi8>) -> tensor<8x4xf16>
  return %y : tensor<8x4xf16>
}

// CHECK-LABEL: func.func @nm_1_8_bias
// CHECK: linea.nm_linear 1:8 %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} : (tensor<2x3x16xf32>, tensor<5x2xf32>, tensor<5x2xi8>, tensor<5xf32>) -> tensor<2x3x5xf32>
func.func @nm_1_8_bias(%x: tensor<2x3x16xf32>, %values: tensor<5x2xf32>, %indices: tensor<5x2xi8>,
                       %b: tensor<5xf32>) -> tensor<2x3x5xf32> {
  %y = linea.nm_linear 1:8 %x, %values, %indices bias %b
      : (tensor<2x3x16xf32>, tensor<5x2xf32>, tensor<5x2xi8>, tensor<5xf32>) -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// CHECK-LABEL: func.func @nm_constant_indices
// CHECK: linea.nm_linear 2:4 %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8xf32>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<1x2xf32>
func.func @nm_constant_indices(%x: tensor<1x8xf32>, %values: tensor<2x4xf32>) -> tensor<1x2xf32> {
  %indices = arith.constant dense<[[0, 1, 2, 3], [1, 3, 0, 2]]> : tensor<2x4xi8>
  %y = linea.nm_linear 2:4 %x, %values, %indices
      : (tensor<1x8xf32>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
