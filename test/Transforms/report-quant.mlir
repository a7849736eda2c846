// RUN: linea-opt %s --linea-report -o /dev/null | FileCheck %s
// RUN: linea-opt %s --linea-report="table=false json=-" -o /dev/null | FileCheck %s --check-prefix=JSON

// Every layer is 256 x 256 (N x K) with f32 activations, so the dense layer
// stores 256·256·4 = 262144 bytes and costs 2·256·256 = 131072 FLOPs per
// token. Bytes: qweight N·ceil(K·b/8) + scales (+ zero points, tensor scale);
// params: the N·K codes + every scale, zero point and tensor scale.

// CHECK: layer form N K params bytes flops/tok compr
// int4 g128, f16 scales: 256·128 = 32768 qweight bytes + 256·2·2 = 1024.
// CHECK-NEXT: w4g128    quant_linear 256 256 66048 33792 131072 7.76x
// uint4 g128 asymmetric: + 256·2 zero-point bytes (and 512 more params).
// CHECK-NEXT: w4g128a   quant_linear 256 256 66560 34304 131072 7.64x
// int8 per channel with bias: 65536 + 256·4; flops + N.
// CHECK-NEXT: w8        quant_linear 256 256 65792 66560 131328 3.94x
// int6: 256·192 = 49152 + 1024.
// CHECK-NEXT: w6        quant_linear 256 256 65792 50176 131072 5.22x
// mxfp4: 32768 + 256·8 e8m0 bytes = 4.25 bits per weight.
// CHECK-NEXT: mxfp4     quant_linear 256 256 67584 34816 131072 7.53x
// nvfp4: 32768 + 256·16 e4m3 bytes + 4 (f32 tensor scale) ≈ 4.5 bits.
// CHECK-NEXT: nvfp4     quant_linear 256 256 69633 36868 131072 7.11x
// nf4 g64, f16 absmax scales: 32768 + 256·4·2.
// CHECK-NEXT: nf4       quant_linear 256 256 66560 34816 131072 7.53x
// fp8 e4m3 per tensor with a static act_scale (not a weight operand).
// CHECK-NEXT: fp8       quant_linear 256 256 65537 65540 131072 4.00x
// CHECK-NEXT: total

// JSON:      "bytes": 33792,
// JSON-NEXT: "compression": 7.75757
// JSON-NEXT: "dense_bytes": 262144,
// JSON-NEXT: "flops_per_token": 131072,
// JSON-NEXT: "form": "quant_linear",
// JSON-NEXT: "in_features": 256,
// JSON-NEXT: "name": "w4g128",
// JSON-NEXT: "out_features": 256,
// JSON-NEXT: "params": 66048

func.func @layers(%x: tensor<4x256xf32>,
                  %q4: tensor<256x128xi8>, %s4: tensor<256x2xf16>, %z4: tensor<256x2xi8>,
                  %q8: tensor<256x256xi8>, %s8: tensor<256x1xf32>, %b: tensor<256xf32>,
                  %q6: tensor<256x192xi8>,
                  %smx: tensor<256x8xf8E8M0FNU>,
                  %snv: tensor<256x16xf8E4M3FN>, %t: tensor<f32>,
                  %snf: tensor<256x4xf16>,
                  %s1: tensor<1x1xf32>, %a: tensor<f32>) {
  %0 = linea.quant_linear %x, %q4, %s4 format <int4, group 128, scale f16> {name = "w4g128"} : (tensor<4x256xf32>, tensor<256x128xi8>, tensor<256x2xf16>) -> tensor<4x256xf32>
  %1 = linea.quant_linear %x, %q4, %s4 zero_points %z4 format <uint4, group 128, scale f16> {name = "w4g128a"} : (tensor<4x256xf32>, tensor<256x128xi8>, tensor<256x2xf16>, tensor<256x2xi8>) -> tensor<4x256xf32>
  %2 = linea.quant_linear %x, %q8, %s8 bias %b format <int8> {name = "w8"} : (tensor<4x256xf32>, tensor<256x256xi8>, tensor<256x1xf32>, tensor<256xf32>) -> tensor<4x256xf32>
  %3 = linea.quant_linear %x, %q6, %s8 format <int6> {name = "w6"} : (tensor<4x256xf32>, tensor<256x192xi8>, tensor<256x1xf32>) -> tensor<4x256xf32>
  %4 = linea.quant_linear %x, %q4, %smx format <mxfp4> {name = "mxfp4"} : (tensor<4x256xf32>, tensor<256x128xi8>, tensor<256x8xf8E8M0FNU>) -> tensor<4x256xf32>
  %5 = linea.quant_linear %x, %q4, %snv tensor_scale %t format <nvfp4> {name = "nvfp4"} : (tensor<4x256xf32>, tensor<256x128xi8>, tensor<256x16xf8E4M3FN>, tensor<f32>) -> tensor<4x256xf32>
  %6 = linea.quant_linear %x, %q4, %snf format <nf4, scale f16> {name = "nf4"} : (tensor<4x256xf32>, tensor<256x128xi8>, tensor<256x4xf16>) -> tensor<4x256xf32>
  %7 = linea.quant_linear %x, %q8, %s1 act_scale %a format <fp8_e4m3, tensor, act fp8_per_tensor> {name = "fp8"} : (tensor<4x256xf32>, tensor<256x256xi8>, tensor<1x1xf32>, tensor<f32>) -> tensor<4x256xf32>
  return
}
