// Calibrated quantization reads per-layer statistics by layer name; every
// way they can be missing or not fit is an error naming layer and numbers.
// RUN: linea-run %s -e main --random-inputs --collect-stats %t.npz
// RUN: linea-run %s -e main --random-inputs --collect-stats %t-noxtx.npz --stats-xtx=false
// RUN: linea-run %S/Inputs/other-layer.mlir -e main --random-inputs --collect-stats %t-other.npz
// RUN: linea-opt %s --linea-gptq="format=int4 group-size=2 stats=%t.npz" | FileCheck %s --check-prefix=GPTQ
// RUN: linea-opt %s --linea-quantize="format=fp8_e4m3 act=fp8_per_tensor stats=%t.npz" | FileCheck %s --check-prefix=FP8
// RUN: not linea-opt %s --linea-gptq="format=int4" 2>&1 | FileCheck %s --check-prefix=NOSTATS
// RUN: not linea-opt %s --linea-gptq="format=int4 stats=%t-missing.npz" 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not linea-opt %s --linea-gptq="format=int4 stats=%t-noxtx.npz" 2>&1 | FileCheck %s --check-prefix=NOXTX
// RUN: not linea-opt %s --linea-gptq="format=int4 stats=%t-other.npz" 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: not linea-opt %s --linea-quantize="format=fp8_e4m3 act=fp8_per_tensor stats=%t-other.npz" 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: not linea-opt %s --linea-sparsify="pattern=2:4 stats=%t-other.npz" 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: not linea-opt %s --linea-sparsify="pattern=2:4 stats=%t-other.npz" 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: not linea-opt %s --linea-gptq="format=int4 stats=%t.npz damp=1.5" 2>&1 | FileCheck %s --check-prefix=DAMP
// RUN: not linea-opt %s --linea-gptq="format=int4 stats=%t.npz block-size=0" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not linea-opt %s --linea-sinq="format=int4 iterations=0" 2>&1 | FileCheck %s --check-prefix=ITER
// RUN: not linea-opt %s --linea-sinq="format=fp8_e4m3 act=fp8_per_tensor" 2>&1 | FileCheck %s --check-prefix=SINQACT
// RUN: linea-opt %s --linea-sinq="format=int4 group-size=2" | FileCheck %s --check-prefix=SINQ

// GPTQ: linea.quant_linear {{.*}} format <int4, group 2, symmetric, scale f32>
// GPTQ-SAME: name = "fc"
// FP8: %[[A:.*]] = arith.constant dense<{{.*}}> : tensor<f32>
// FP8: linea.quant_linear {{.*}} act_scale %[[A]] format <fp8_e4m3, channel, symmetric, scale f32, act fp8_per_tensor>
// NOSTATS: error: linea-gptq: needs stats=FILE with XᵀX of every layer's input
// NOFILE: error: linea-gptq: cannot use stats='{{.*}}-missing.npz'
// NOXTX: error: linea-gptq: stats file '{{.*}}-noxtx.npz' has no XᵀX for layer 'fc'
// OTHER: error: linea-{{gptq|quantize|sparsify}}: stats file '{{.*}}-other.npz' has no layer 'fc' (1 layers)
// DAMP: error: linea-gptq: damp=1.5{{0*}}e+00 must be in [0, 1)
// BLOCK: error: linea-gptq: block-size=0 must be positive
// ITER: error: linea-sinq: iterations=0 must be positive
// SINQACT: error: linea-sinq: act=fp8_per_tensor needs calibration
// SINQ: %[[MU:.*]] = arith.constant dense<{{.*}}> : tensor<4xf32>
// SINQ: %[[XS:.*]] = linea.scale_channels %arg0, %[[MU]]
// SINQ: linea.quant_linear %[[XS]], {{.*}} format <int4, group 2, symmetric, scale f32>
func.func @main(%x: tensor<8x4xf32>) -> tensor<8x3xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25, 0.1], [2.0, 0.0, -0.5, 0.3], [0.7, 0.2, -0.9, 1.1]]> : tensor<3x4xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  return %y : tensor<8x3xf32>
}
