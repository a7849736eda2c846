// Fused epilogues with a row-broadcast operand: a per-channel scale or
// shift after a layer (ONNX Mul/Add of y[..., N] and a [N] or [1, ..., N]
// tensor, LayerScale) is read as one [1, N] row by every output row. The
// manifest says `broadcast: row` and gives the residual argument [1, N].
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=IR
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/manifest.json

// GEMV: the scale row is a [1, 32] argument read at row 0.
// IR-LABEL: gpu.func @linea_0_gemv_scale
// IR-SAME: %{{.*}}: memref<1x32xbf16, #gpu.address_space<global>>, %{{.*}}: memref<2x32xbf16
// IR: memref.load %{{.*}}[%c0{{.*}}, %{{.*}}] : memref<1x32xbf16
// wgmma reads the row as pairs, like y.
// IR-LABEL: gpu.func @linea_1_wg_shift
// IR-SAME: memref<1x16xvector<2xbf16>, #gpu.address_space<global>>
// A 3-d output [1, 4, 64] through its reshape, scale [1, 1, 64].
// IR-LABEL: gpu.func @linea_2_q4_layerscale

// Keys are sorted: each entry's args (the residual row) come before its
// epilogue and layer.
// CHECK: "name": "residual",
// CHECK-NEXT: "shape": [
// CHECK-NEXT: 1,
// CHECK-NEXT: 32
// CHECK: "epilogue": {
// CHECK-NEXT: "broadcast": "row",
// CHECK-NEXT: "combine": "mul"
// CHECK: "layer": "gemv_scale"
// CHECK: "activation": "gelu",
// CHECK-NEXT: "broadcast": "row",
// CHECK-NEXT: "combine": "add"
// CHECK: "kind": "wgmma"
// CHECK: "layer": "wg_shift"
// CHECK: "name": "residual",
// CHECK-NEXT: "shape": [
// CHECK-NEXT: 1,
// CHECK-NEXT: 64
// CHECK: "broadcast": "row",
// CHECK-NEXT: "combine": "mul"
// CHECK: "layer": "q4_layerscale"
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (0, 0, d2)>
func.func @layers(%x: tensor<2x64xbf16>, %w: tensor<32x64xbf16>,
                  %s: tensor<32xbf16>, %xw: tensor<128x64xbf16>,
                  %b: tensor<1x32xbf16>, %x4: tensor<4x256xbf16>,
                  %qw: tensor<64x128xi8>, %qs: tensor<64x2xbf16>,
                  %ls: tensor<1x1x64xbf16>)
    -> (tensor<2x32xbf16>, tensor<128x32xbf16>, tensor<1x4x64xbf16>) {
  %y0 = linea.linear %x, %w {name = "gemv_scale"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %e0 = tensor.empty() : tensor<2x32xbf16>
  %r0 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%y0, %s : tensor<2x32xbf16>, tensor<32xbf16>) outs(%e0 : tensor<2x32xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %o: bf16):
    %p = arith.mulf %c, %a : bf16
    linalg.yield %p : bf16
  } -> tensor<2x32xbf16>
  %y1 = linea.linear %xw, %w {name = "wg_shift"} : (tensor<128x64xbf16>, tensor<32x64xbf16>) -> tensor<128x32xbf16>
  %e1 = tensor.empty() : tensor<128x32xbf16>
  %g1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y1 : tensor<128x32xbf16>) outs(%e1 : tensor<128x32xbf16>) {
  ^bb0(%a: bf16, %o: bf16):
    %f = arith.extf %a : bf16 to f32
    %h = arith.constant 0.5 : f32
    %r2 = arith.constant 0.70710678 : f32
    %one = arith.constant 1.0 : f32
    %t = arith.mulf %f, %r2 : f32
    %er = math.erf %t : f32
    %u = arith.addf %er, %one : f32
    %v = arith.mulf %f, %u : f32
    %g = arith.mulf %v, %h : f32
    %tr = arith.truncf %g : f32 to bf16
    linalg.yield %tr : bf16
  } -> tensor<128x32xbf16>
  %rb = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (0, d1)>, #id], iterator_types = ["parallel", "parallel"]} ins(%g1, %b : tensor<128x32xbf16>, tensor<1x32xbf16>) outs(%e1 : tensor<128x32xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %o: bf16):
    %p = arith.addf %a, %c : bf16
    linalg.yield %p : bf16
  } -> tensor<128x32xbf16>
  %y2 = linea.quant_linear %x4, %qw, %qs format <int4, group 128, scale bf16> {name = "q4_layerscale"}
      : (tensor<4x256xbf16>, tensor<64x128xi8>, tensor<64x2xbf16>) -> tensor<4x64xbf16>
  %y3 = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [1, 4, 64] : tensor<4x64xbf16> into tensor<1x4x64xbf16>
  %e3 = tensor.empty() : tensor<1x4x64xbf16>
  %r3 = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y3, %ls : tensor<1x4x64xbf16>, tensor<1x1x64xbf16>) outs(%e3 : tensor<1x4x64xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %o: bf16):
    %p = arith.mulf %a, %c : bf16
    linalg.yield %p : bf16
  } -> tensor<1x4x64xbf16>
  return %r0, %rb, %r3 : tensor<2x32xbf16>, tensor<128x32xbf16>, tensor<1x4x64xbf16>
}
