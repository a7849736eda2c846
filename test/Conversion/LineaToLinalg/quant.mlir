// RUN: linea-opt %s --linea-to-linalg | FileCheck %s
// RUN: linea-opt %s --linea-to-linalg --canonicalize | FileCheck %s --check-prefix=CANON

// The reference lowering of linea.quant_linear decodes the packed operands at
// run time (one linalg.generic over (n, k) builds Ŵ), applies the activation
// mode to x, and contracts. python/tests/test_quant_numerics.py checks the
// numbers; this file checks the structure.

// int8 per channel with bias: the scale comes through the map (n, k) → (n, 0);
// the byte of element k is read with tensor.extract; two's complement by a
// shift pair; float(q) · s.
// CHECK-DAG: #[[CHANNEL:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[GROUP2:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-DAG: #[[TENSOR:.+]] = affine_map<(d0, d1) -> (0, 0)>
// CHECK-LABEL: func.func @int8_channel
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>, %[[Q:.+]]: tensor<2x4xi8>, %[[S:.+]]: tensor<2x1xf32>, %[[B:.+]]: tensor<2xf32>)
// CHECK: %[[W:.+]] = linalg.generic {indexing_maps = [#[[CHANNEL]], #{{.+}}], iterator_types = ["parallel", "parallel"]} ins(%[[S]] : tensor<2x1xf32>) outs(%{{.+}} : tensor<2x4xf32>)
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: tensor.extract %[[Q]][%{{.+}}, %{{.+}}] : tensor<2x4xi8>
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.sitofp %{{.+}} : i32 to f32
// CHECK: arith.mulf
// CHECK: linalg.yield
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[X]], %[[W]] : tensor<3x4xf32>, tensor<2x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[B]] : tensor<3x2xf32>, tensor<2xf32>)
// CHECK-NOT: linea.
// CHECK: return
func.func @int8_channel(%x: tensor<3x4xf32>, %q: tensor<2x4xi8>, %s: tensor<2x1xf32>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %y = linea.quant_linear %x, %q, %s bias %b format <int8> : (tensor<3x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// uint4 in groups of 2 (K = 5, the last group partial), f16 scales and
// zero points through the map (n, k) → (n, k floordiv 2); the code is read
// from the byte pair at (4·k) div 8, shifted by (4·k) mod 8 and masked; the
// zero point is an unsigned byte.
// CHECK-LABEL: func.func @uint4_group
// CHECK-SAME: %[[S:[^:]+]]: tensor<2x3xf16>, %[[Z:[^:]+]]: tensor<2x3xi8>
// CHECK: linalg.generic {indexing_maps = [#[[GROUP2]], #[[GROUP2]], #{{.+}}], {{.*}} ins(%[[S]], %[[Z]] : tensor<2x3xf16>, tensor<2x3xi8>) outs(%{{.+}} : tensor<2x5xf32>)
// CHECK: ^bb0(%[[SV:.+]]: f16, %[[ZV:.+]]: i8, %{{.+}}: f32):
// CHECK: arith.divui
// CHECK: arith.remui
// CHECK: tensor.extract
// CHECK: tensor.extract
// CHECK: arith.shrui
// CHECK: arith.andi %{{.+}}, %c15_i32
// CHECK: arith.extf %[[SV]] : f16 to f32
// CHECK: arith.extui %[[ZV]] : i8 to i32
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK-NOT: linea.
// CHECK: return
func.func @uint4_group(%x: tensor<1x5xf32>, %q: tensor<2x3xi8>, %s: tensor<2x3xf16>, %z: tensor<2x3xi8>) -> tensor<1x2xf32> {
  %y = linea.quant_linear %x, %q, %s zero_points %z format <uint4, group 2, scale f16> : (tensor<1x5xf32>, tensor<2x3xi8>, tensor<2x3xf16>, tensor<2x3xi8>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// int6: 6-bit codes that may straddle two bytes (mask 63, sign shift 26).
// CHECK-LABEL: func.func @int6
// CHECK: arith.andi %{{.+}}, %c63_i32
// CHECK: arith.shli %{{.+}}, %c26_i32
// CHECK: arith.shrsi %{{.+}}, %c26_i32
// CHECK-NOT: linea.
func.func @int6(%x: tensor<1x5xf32>, %q: tensor<2x4xi8>, %s: tensor<2x1xbf16>) -> tensor<1x2xf32> {
  %y = linea.quant_linear %x, %q, %s format <int6, scale bf16> : (tensor<1x5xf32>, tensor<2x4xi8>, tensor<2x1xbf16>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// fp8 e4m3 with one scale: the map (n, k) → (0, 0); S.1111.111 is NaN.
// CHECK-LABEL: func.func @fp8_e4m3_tensor
// CHECK: linalg.generic {indexing_maps = [#[[TENSOR]], #{{.+}}]
// CHECK: arith.andi %{{.+}}, %c127_i32
// CHECK: arith.cmpi eq, %{{.+}}, %c127_i32
// CHECK: arith.select %{{.+}}, %cst{{.*}}, %{{.+}} : f32
// CHECK-NOT: linea.
func.func @fp8_e4m3_tensor(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>, %s: tensor<1x1xf32>) -> tensor<1x2xf32> {
  %y = linea.quant_linear %x, %q, %s format <fp8_e4m3, tensor> : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<1x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// fp8 e5m2: exponent 31 is ±infinity or NaN.
// CHECK-LABEL: func.func @fp8_e5m2
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.constant 0x7F800000 : f32
// CHECK-NOT: linea.
func.func @fp8_e5m2(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>, %s: tensor<2x1xf32>) -> tensor<1x2xf32> {
  %y = linea.quant_linear %x, %q, %s format <fp8_e5m2> : (tensor<1x4xf32>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// nf4: the codebook is a 16-entry constant read at the code.
// CHECK-LABEL: func.func @nf4
// CHECK: %[[BOOK:.+]] = arith.constant dense<[-1.000000e+00, -0.6961928, {{.*}}, 0.722956836, 1.000000e+00]> : tensor<16xf32>
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = arith.index_castui %{{.+}} : i32 to index
// CHECK: tensor.extract %[[BOOK]][%[[I]]] : tensor<16xf32>
// CHECK-NOT: linea.
func.func @nf4(%x: tensor<1x4xf32>, %q: tensor<2x2xi8>, %s: tensor<2x1xf32>) -> tensor<1x2xf32> {
  %y = linea.quant_linear %x, %q, %s format <nf4> : (tensor<1x4xf32>, tensor<2x2xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// mxfp4: the e8m0 scale's bits, 2^(e − 127) built as f32 bits (e << 23,
// 2^−127 = 0x00400000, 0xFF NaN).
// CHECK-LABEL: func.func @mxfp4
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], {{.*}} ins(%{{.+}} : tensor<1x2xf8E8M0FNU>)
// CHECK: arith.bitcast %{{.+}} : f8E8M0FNU to i8
// CHECK: arith.shli %{{.+}}, %c23_i32
// CHECK: arith.constant 4194304 : i32
// CHECK: arith.cmpi eq, %{{.+}}, %c255_i32
// CHECK-NOT: linea.
func.func @mxfp4(%x: tensor<1x34xf32>, %q: tensor<1x17xi8>, %s: tensor<1x2xf8E8M0FNU>) -> tensor<1x1xf32> {
  %y = linea.quant_linear %x, %q, %s format <mxfp4> : (tensor<1x34xf32>, tensor<1x17xi8>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// nvfp4: the tensor scale is read once, outside the generic; the e4m3 block
// scale is decoded from its bits; (e2m1 · s) · tensor_scale.
// CHECK-LABEL: func.func @nvfp4
// CHECK-SAME: %[[T:[^:]+]]: tensor<f32>
// CHECK: %[[TS:.+]] = tensor.extract %[[T]][] : tensor<f32>
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.+}} : f8E4M3FN to i8
// CHECK: arith.mulf %{{.+}}, %[[TS]] : f32
// CHECK-NOT: linea.
func.func @nvfp4(%x: tensor<1x20xf32>, %q: tensor<1x10xi8>, %s: tensor<1x2xf8E4M3FN>, %t: tensor<f32>) -> tensor<1x1xf32> {
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> : (tensor<1x20xf32>, tensor<1x10xi8>, tensor<1x2xf8E4M3FN>, tensor<f32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// W8A8 on a dynamic number of tokens: max |x| per token (a reduction over
// K), then clamp(roundEven(x / s), −127, 127) · s, then the contraction.
// CHECK-LABEL: func.func @w8a8_dynamic_tokens
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xbf16>
// CHECK: %[[XF:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x8xbf16>) outs(%{{.+}} : tensor<?x8xf32>)
// CHECK: %[[AMAX:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[XF]] : tensor<?x8xf32>) outs(%{{.+}} : tensor<?xf32>)
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: %[[XH:.+]] = linalg.generic {{.*}} ins(%[[XF]], %[[AMAX]] : tensor<?x8xf32>, tensor<?xf32>)
// CHECK: arith.cmpf oeq
// CHECK: arith.divf %{{.+}}, %cst{{.*}} : f32
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}} ins(%[[XH]], %{{.+}} : tensor<?x8xf32>, tensor<4x8xf32>)
// CHECK-NOT: linea.
// CHECK: return %{{.+}} : tensor<?x4xbf16>
func.func @w8a8_dynamic_tokens(%x: tensor<?x8xbf16>, %q: tensor<4x8xi8>, %s: tensor<4x1xf32>) -> tensor<?x4xbf16> {
  %y = linea.quant_linear %x, %q, %s format <int8, act dynamic_int8_per_token> : (tensor<?x8xbf16>, tensor<4x8xi8>, tensor<4x1xf32>) -> tensor<?x4xbf16>
  return %y : tensor<?x4xbf16>
}

// fp8 per tensor: e4m3(x / a) · a with the static scale; the rounding works
// in multiples of the binade's step, saturates at 448 and keeps the sign.
// CHECK-LABEL: func.func @fp8_per_tensor
// CHECK-SAME: %[[A:[^:]+]]: tensor<1xf32>
// CHECK: %[[AV:.+]] = tensor.extract %[[A]][%{{.+}}] : tensor<1xf32>
// CHECK: linalg.generic
// CHECK: arith.divf %{{.+}}, %[[AV]] : f32
// CHECK: math.absf
// CHECK: arith.maxsi
// CHECK: math.roundeven
// CHECK: arith.minimumf %{{.+}}, %cst{{.*}} : f32
// CHECK: math.copysign
// CHECK: arith.mulf %{{.+}}, %[[AV]] : f32
// CHECK-NOT: linea.
func.func @fp8_per_tensor(%x: tensor<2x4xf32>, %q: tensor<2x2xi8>, %s: tensor<2x1xf32>, %a: tensor<1xf32>) -> tensor<2x2xf32> {
  %y = linea.quant_linear %x, %q, %s act_scale %a format <int4, act fp8_per_tensor> : (tensor<2x4xf32>, tensor<2x2xi8>, tensor<2x1xf32>, tensor<1xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// fp8 per token on a rank-1 x (one token): the absmax is a 0-d tensor.
// CHECK-LABEL: func.func @fp8_per_token_rank1
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]{{.*}} outs(%{{.+}} : tensor<f32>)
// CHECK: math.copysign
// CHECK-NOT: linea.
func.func @fp8_per_token_rank1(%x: tensor<32xf32>, %q: tensor<2x16xi8>, %s: tensor<2x1xf8E8M0FNU>) -> tensor<2xf32> {
  %y = linea.quant_linear %x, %q, %s format <mxfp4, act fp8_per_token> : (tensor<32xf32>, tensor<2x16xi8>, tensor<2x1xf8E8M0FNU>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// After canonicalization nothing of linea remains and the decode survives.
// CANON-LABEL: func.func @int8_channel
// CANON: linalg.generic
// CANON-NOT: linea.
