// RUN: linea-opt %s --linea-quantize="format=int8" | FileCheck %s --check-prefix=INT8
// RUN: linea-opt %s --linea-quantize="format=int4 group-size=2 symmetric=false scale-type=f16" | FileCheck %s --check-prefix=UINT4
// RUN: linea-opt %s --linea-quantize="format=nvfp4" | FileCheck %s --check-prefix=NVFP4
// RUN: linea-opt %s --linea-quantize="format=mxfp4 only=fc2" | FileCheck %s --check-prefix=MXFP4
// RUN: linea-opt %s --linea-quantize="format=fp8_e4m3 granularity=tensor act=fp8_per_token" | FileCheck %s --check-prefix=FP8
// RUN: linea-opt %s --linea-quantize="format=int8 act=dynamic_int8_per_token" | FileCheck %s --check-prefix=W8A8

// W = [[0.5, -1, 0.25], [2, 0, -0.5]]: per-channel int8 scales amax/127 and
// codes round(w/s): row 0 → [64, -127, 32], row 1 → [127, 0, -32].
// INT8-LABEL: func.func @mlp
// INT8-DAG: %[[QW:.*]] = arith.constant dense<{{\[\[}}64, -127, 32], [127, 0, -32]]> : tensor<2x3xi8>
// INT8-DAG: %[[S:.*]] = arith.constant dense<{{\[\[}}0.00787401571], [0.0157480314]]> : tensor<2x1xf32>
// INT8: linea.quant_linear %{{.*}}, %[[QW]], %[[S]] bias %{{.*}} format <int8, channel, symmetric, scale f32>
// INT8-SAME: linea.weight_error = {{[0-9.e-]+}} : f32, name = "fc1"
// INT8: linea.quant_linear {{.*}} format <int8, channel, symmetric, scale f32>
// INT8-SAME: name = "fc2"

// Asymmetric uint4, groups of 2 along K = 3 (the last group is partial):
// scales [N, 2] in f16 and zero points as i8 bit patterns.
// UINT4: linea.quant_linear %{{.*}}, %{{.*}}, %{{.*}} zero_points %{{.*}} bias %{{.*}} format <uint4, group 2, asymmetric, scale f16>
// UINT4-SAME: (tensor<4x3xf32>, tensor<2x2xi8>, tensor<2x2xf16>, tensor<2x2xi8>, tensor<2xf32>) -> tensor<4x2xf32>

// nvfp4 stores e4m3 block scales and the f32 tensor scale amax / 2688.
// NVFP4: %[[T:.*]] = arith.constant dense<7.44047633E-4> : tensor<f32>
// NVFP4: linea.quant_linear {{.*}} tensor_scale %[[T]] bias %{{.*}} format <nvfp4, group 16, symmetric, scale f8E4M3FN>
// NVFP4-SAME: tensor<2x1xf8E4M3FN>, tensor<f32>

// MXFP4: linea.linear {{.*}}name = "fc1"
// MXFP4: linea.quant_linear {{.*}} format <mxfp4, group 32, symmetric, scale f8E8M0FNU>
// MXFP4-SAME: name = "fc2"

// FP8: linea.quant_linear {{.*}} format <fp8_e4m3, tensor, symmetric, scale f32, act fp8_per_token>
// FP8-SAME: tensor<1x1xf32>
// W8A8: linea.quant_linear {{.*}} format <int8, channel, symmetric, scale f32, act dynamic_int8_per_token>
func.func @mlp(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]]> : tensor<2x3xf32>
  %b = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %h = linea.linear %x, %w bias %b {name = "fc1"} : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %w2 = arith.constant dense<[[1.0, 2.0], [3.0, -4.0]]> : tensor<2x2xf32>
  %y = linea.linear %h, %w2 {name = "fc2"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
