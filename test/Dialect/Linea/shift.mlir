// RUN: linea-opt %s | FileCheck %s
// RUN: linea-opt %s --mlir-print-op-generic | linea-opt | FileCheck %s

// CHECK-LABEL: func.func @shift_scale_bias
// CHECK: linea.shift_linear %{{.*}}, %{{.*}}, %{{.*}} scale %{{.*}} bias %{{.*}} {name = "fc1"} : (tensor<8x16xf32>, tensor<2x4x16xi8>, tensor<2x4x16xi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
func.func @shift_scale_bias(%x: tensor<8x16xf32>, %e: tensor<2x4x16xi8>, %s: tensor<2x4x16xi8>,
                            %scale: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %y = linea.shift_linear %x, %e, %s scale %scale bias %b {name = "fc1"}
      : (tensor<8x16xf32>, tensor<2x4x16xi8>, tensor<2x4x16xi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// CHECK-LABEL: func.func @shift_plain
// CHECK: linea.shift_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x16xf16>, tensor<1x4x16xi8>, tensor<1x4x16xi8>) -> tensor<?x4xf16>
func.func @shift_plain(%x: tensor<?x16xf16>, %e: tensor<1x4x16xi8>, %s: tensor<1x4x16xi8>) -> tensor<?x4xf16> {
  %y = linea.shift_linear %x, %e, %s
      : (tensor<?x16xf16>, tensor<1x4x16xi8>, tensor<1x4x16xi8>) -> tensor<?x4xf16>
  return %y : tensor<?x4xf16>
}

// A bias without a scale: the operand segments must keep them apart.
// CHECK-LABEL: func.func @shift_bias_only
// CHECK: linea.shift_linear %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} : (tensor<3x16xbf16>, tensor<1x4x16xi8>, tensor<1x4x16xi8>, tensor<4xbf16>) -> tensor<3x4xbf16>
func.func @shift_bias_only(%x: tensor<3x16xbf16>, %e: tensor<1x4x16xi8>, %s: tensor<1x4x16xi8>,
                           %b: tensor<4xbf16>) -> tensor<3x4xbf16> {
  %y = linea.shift_linear %x, %e, %s bias %b
      : (tensor<3x16xbf16>, tensor<1x4x16xi8>, tensor<1x4x16xi8>, tensor<4xbf16>) -> tensor<3x4xbf16>
  return %y : tensor<3x4xbf16>
}

// A scale of another float type than x, without a bias.
// CHECK-LABEL: func.func @shift_scale_only
// CHECK: linea.shift_linear %{{.*}}, %{{.*}}, %{{.*}} scale %{{.*}} : (tensor<3x16xbf16>, tensor<3x4x16xi8>, tensor<3x4x16xi8>, tensor<4xf32>) -> tensor<3x4xbf16>
func.func @shift_scale_only(%x: tensor<3x16xbf16>, %e: tensor<3x4x16xi8>, %s: tensor<3x4x16xi8>,
                            %scale: tensor<4xf32>) -> tensor<3x4xbf16> {
  %y = linea.shift_linear %x, %e, %s scale %scale
      : (tensor<3x16xbf16>, tensor<3x4x16xi8>, tensor<3x4x16xi8>, tensor<4xf32>) -> tensor<3x4xbf16>
  return %y : tensor<3x4xbf16>
}

// Constant codes at the ends of the allowed ranges.
// CHECK-LABEL: func.func @shift_constant_codes
// CHECK: linea.shift_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x2xf32>, tensor<1x1x2xi8>, tensor<1x1x2xi8>) -> tensor<1x1xf32>
func.func @shift_constant_codes(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %e = arith.constant dense<[[[-126, 127]]]> : tensor<1x1x2xi8>
  %s = arith.constant dense<[[[-1, 1]]]> : tensor<1x1x2xi8>
  %y = linea.shift_linear %x, %e, %s
      : (tensor<1x2xf32>, tensor<1x1x2xi8>, tensor<1x1x2xi8>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
