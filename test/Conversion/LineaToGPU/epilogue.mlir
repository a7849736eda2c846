// Fused epilogues (Epilogue.h, docs/cuda.md "Fused epilogues"): the
// elementwise linalg.generic ops after a linear layer (an activation found
// by evaluating the body, SiLU written as y · sigmoid(y), then an add or a
// product with another [M, N] tensor) go into the layer's kernel for every
// kernel kind: GEMV, mma.sync GEMV and GEMM, wgmma (dense, int4, W8A8),
// tensor-core BSR, n:m, low-rank (phase 2), f32 activations. The residual
// is one more argument after the bias; the manifest says which epilogue.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: FileCheck %s --check-prefix=PTX --input-file %t/linea_kernels.ptx
// No libdevice call (nothing links libdevice): arith, selects, ex2.approx.
// RUN: not grep __nv_ %t/linea_kernels.ptx
// RUN: linea-opt %s --linea-to-gpu=epilogues=false | FileCheck %s --check-prefix=OFF

// OFF-NOT: epilogue
// OFF-NOT: residual

// CHECK: "name": "residual"
// CHECK: "epilogue": {
// CHECK-NEXT: "activation": "gelu",
// CHECK-NEXT: "combine": "add"
// CHECK: "layer": "gemv_gelu_res"
// The tanh form of GELU (an f32 body): told apart from the erf form.
// CHECK: "activation": "gelu_tanh"
// CHECK-NEXT: }
// CHECK: "layer": "gemv_tanh_form"
// CHECK: "activation": "silu",
// CHECK-NEXT: "combine": "mul"
// CHECK: "kind": "wgmma"
// CHECK: "layer": "wg_swiglu"
// ReLU as cmpf + select.
// CHECK: "activation": "relu"
// CHECK: "layer": "relu_select_f16"
// CHECK: "activation": "sigmoid"
// CHECK: "layer": "q4_sigmoid"
// CHECK: "activation": "tanh"
// CHECK: "layer": "q4mma_tanh"
// CHECK: "tensor_cores": true
// CHECK: "combine": "add"
// CHECK: "kind": "mma_gemm"
// CHECK: "layer": "qg_res"
// CHECK: "activation": "relu"
// CHECK: "kind": "quant_wgmma"
// CHECK: "layer": "qwg_relu"
// CHECK: "combine": "add"
// CHECK: "kind": "bsr_mma"
// CHECK: "layer": "bsr_res"
// CHECK: "activation": "relu"
// CHECK: "layer": "nm_relu"
// Low-rank: bias, residual, then the workspace t.
// CHECK: "name": "bias"
// CHECK: "name": "residual"
// CHECK: "name": "t"
// CHECK: "activation": "gelu",
// CHECK-NEXT: "combine": "add"
// CHECK: "layer": "lr_gelu_res"
// CHECK: "combine": "mul"
// CHECK: "layer": "f32_res"
// None of these fuse.
// CHECK-NOT: "epilogue"
// CHECK: "layer": "bcast"
// CHECK-NOT: "epilogue"
// CHECK: "layer": "two_users"
// CHECK-NOT: "epilogue"
// CHECK: "layer": "exp_body"
// CHECK-NOT: "epilogue"
// CHECK: "layer": "sub"
// CHECK-NOT: "epilogue"
// CHECK: "layer": "widen"
// The add of two layers' outputs: the first takes it, the second not.
// CHECK: "combine": "add"
// CHECK: "layer": "first"
// CHECK-NOT: "epilogue"
// CHECK: "layer": "second"
// W8A8: the residual-free SiLU.
// CHECK: "activation": "silu"
// CHECK: "kind": "w8a8_wgmma"
// CHECK: "layer": "w8a8_silu"

// GELU: erf's polynomial in fma, e^x on ex2.approx, then the residual.
// PTX-LABEL: .visible .entry linea_0_gemv_gelu_res
// PTX: fma.rn.f32
// PTX: ex2.approx.ftz.f32
// PTX: ld.global.b16
// PTX: add.rn.f32
// PTX: st.global.b16
// SiLU · up in the wgmma epilogue: sigmoid per accumulator (approximate
// reciprocal), up read as pairs like y is stored, then the product.
// PTX-LABEL: .visible .entry linea_2_wg_swiglu
// PTX: wgmma.wait_group.sync.aligned 0;
// PTX: ex2.approx.ftz.f32
// PTX: rcp.approx.f32
// PTX: ld.global.v2.b16
// PTX: mul.rn.f32
// PTX: st.global.b32
// PTX-LABEL: .visible .entry linea_3_relu_select_f16
// PTX: setp.lt.f32
// PTX: selp.f32
// PTX: cvt.rn.f16.f32
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @layers(%gemv_gelu_res_x: tensor<1x256xbf16>,
    %gemv_gelu_res_w: tensor<64x256xbf16>,
    %gemv_gelu_res_r: tensor<1x64xbf16>,
    %gemv_tanh_form_x: tensor<2x256xbf16>,
    %gemv_tanh_form_w: tensor<64x256xbf16>,
    %wg_swiglu_x: tensor<128x64xbf16>,
    %wg_swiglu_w: tensor<128x64xbf16>,
    %wg_swiglu_r: tensor<128x128xbf16>,
    %relu_select_f16_x: tensor<3x64xf16>,
    %relu_select_f16_w: tensor<40x64xf16>,
    %q4_sigmoid_x: tensor<1x256xbf16>,
    %q4_sigmoid_q: tensor<64x128xi8>,
    %q4_sigmoid_s: tensor<64x2xbf16>,
    %q4mma_tanh_x: tensor<4x4096xbf16>,
    %q4mma_tanh_q: tensor<4096x2048xi8>,
    %q4mma_tanh_s: tensor<4096x32xbf16>,
    %qg_res_x: tensor<128x256xbf16>,
    %qg_res_q: tensor<64x256xi8>,
    %qg_res_s: tensor<64x1xf32>,
    %qg_res_r: tensor<128x64xbf16>,
    %qwg_relu_x: tensor<128x256xbf16>,
    %qwg_relu_q: tensor<128x128xi8>,
    %qwg_relu_s: tensor<128x2xbf16>,
    %w8a8_silu_x: tensor<64x256xbf16>,
    %w8a8_silu_q: tensor<128x256xi8>,
    %w8a8_silu_s: tensor<128x1xf32>,
    %bsr_res_x: tensor<16x128xbf16>,
    %bsr_res_v: tensor<6x16x32xbf16>,
    %bsr_res_c: tensor<6xi32>,
    %bsr_res_o: tensor<5xi32>,
    %bsr_res_r: tensor<16x64xbf16>,
    %nm_relu_x: tensor<1x256xbf16>,
    %nm_relu_v: tensor<64x128xbf16>,
    %nm_relu_i: tensor<64x128xi8>,
    %lr_gelu_res_x: tensor<1x256xbf16>,
    %lr_gelu_res_u: tensor<64x16xbf16>,
    %lr_gelu_res_v: tensor<16x256xbf16>,
    %lr_gelu_res_b: tensor<64xbf16>,
    %lr_gelu_res_r: tensor<1x64xbf16>,
    %f32_res_x: tensor<2x64xf32>,
    %f32_res_w: tensor<32x64xbf16>,
    %f32_res_r: tensor<2x32xf32>)
    -> (tensor<1x64xbf16>, tensor<2x64xbf16>, tensor<128x128xbf16>, tensor<3x40xf16>, tensor<1x64xbf16>, tensor<4x4096xbf16>, tensor<128x64xbf16>, tensor<128x128xbf16>, tensor<64x128xbf16>, tensor<16x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<2x32xf32>) {
  %gemv_gelu_res_y = linea.linear %gemv_gelu_res_x, %gemv_gelu_res_w {name = "gemv_gelu_res"} : (tensor<1x256xbf16>, tensor<64x256xbf16>) -> tensor<1x64xbf16>
  %v2 = tensor.empty() : tensor<1x64xbf16>
  %v1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%gemv_gelu_res_y : tensor<1x64xbf16>) outs(%v2 : tensor<1x64xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %c = arith.constant 0.70710678 : bf16
    %h = arith.constant 0.5 : bf16
    %one = arith.constant 1.0 : bf16
    %a = arith.mulf %in, %c : bf16
    %e = math.erf %a : bf16
    %p = arith.addf %e, %one : bf16
    %m = arith.mulf %in, %p : bf16
    %r = arith.mulf %m, %h : bf16
    linalg.yield %r : bf16
  } -> tensor<1x64xbf16>
  %v4 = tensor.empty() : tensor<1x64xbf16>
  %v3 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%gemv_gelu_res_r, %v1 : tensor<1x64xbf16>, tensor<1x64xbf16>) outs(%v4 : tensor<1x64xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %r = arith.addf %a, %b : bf16
    linalg.yield %r : bf16
  } -> tensor<1x64xbf16>
  %gemv_tanh_form_y = linea.linear %gemv_tanh_form_x, %gemv_tanh_form_w {name = "gemv_tanh_form"} : (tensor<2x256xbf16>, tensor<64x256xbf16>) -> tensor<2x64xbf16>
  %v6 = tensor.empty() : tensor<2x64xbf16>
  %v5 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%gemv_tanh_form_y : tensor<2x64xbf16>) outs(%v6 : tensor<2x64xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %c = arith.constant 0.7978845608 : bf16
    %k = arith.constant 0.044715 : bf16
    %h = arith.constant 0.5 : bf16
    %one = arith.constant 1.0 : bf16
    %x2 = arith.mulf %in, %in : bf16
    %x3 = arith.mulf %x2, %in : bf16
    %kx3 = arith.mulf %x3, %k : bf16
    %s = arith.addf %in, %kx3 : bf16
    %u = arith.mulf %s, %c : bf16
    %t = math.tanh %u : bf16
    %p = arith.addf %t, %one : bf16
    %m = arith.mulf %in, %p : bf16
    %r = arith.mulf %m, %h : bf16
    linalg.yield %r : bf16
  } -> tensor<2x64xbf16>
  %wg_swiglu_y = linea.linear %wg_swiglu_x, %wg_swiglu_w {name = "wg_swiglu"} : (tensor<128x64xbf16>, tensor<128x64xbf16>) -> tensor<128x128xbf16>
  %v8 = tensor.empty() : tensor<128x128xbf16>
  %v7 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%wg_swiglu_y : tensor<128x128xbf16>) outs(%v8 : tensor<128x128xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %one = arith.constant 1.0 : bf16
    %n = arith.negf %in : bf16
    %e = math.exp %n : bf16
    %d = arith.addf %one, %e : bf16
    %r = arith.divf %one, %d : bf16
    linalg.yield %r : bf16
  } -> tensor<128x128xbf16>
  %v10 = tensor.empty() : tensor<128x128xbf16>
  %v9 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%wg_swiglu_y, %v7 : tensor<128x128xbf16>, tensor<128x128xbf16>) outs(%v10 : tensor<128x128xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %r = arith.mulf %a, %b : bf16
    linalg.yield %r : bf16
  } -> tensor<128x128xbf16>
  %v12 = tensor.empty() : tensor<128x128xbf16>
  %v11 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%v9, %wg_swiglu_r : tensor<128x128xbf16>, tensor<128x128xbf16>) outs(%v12 : tensor<128x128xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %r = arith.mulf %a, %b : bf16
    linalg.yield %r : bf16
  } -> tensor<128x128xbf16>
  %relu_select_f16_y = linea.linear %relu_select_f16_x, %relu_select_f16_w {name = "relu_select_f16"} : (tensor<3x64xf16>, tensor<40x64xf16>) -> tensor<3x40xf16>
  %v14 = tensor.empty() : tensor<3x40xf16>
  %v13 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%relu_select_f16_y : tensor<3x40xf16>) outs(%v14 : tensor<3x40xf16>) {
  ^bb0(%in: f16, %out: f16):
    %z = arith.constant 0.0 : f16
    %c = arith.cmpf ogt, %in, %z : f16
    %r = arith.select %c, %in, %z : f16
    linalg.yield %r : f16
  } -> tensor<3x40xf16>
  %q4_sigmoid_y = linea.quant_linear %q4_sigmoid_x, %q4_sigmoid_q, %q4_sigmoid_s format <int4, group 128, scale bf16> {name = "q4_sigmoid"} : (tensor<1x256xbf16>, tensor<64x128xi8>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  %v16 = tensor.empty() : tensor<1x64xbf16>
  %v15 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%q4_sigmoid_y : tensor<1x64xbf16>) outs(%v16 : tensor<1x64xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %one = arith.constant 1.0 : bf16
    %n = arith.negf %in : bf16
    %e = math.exp %n : bf16
    %d = arith.addf %one, %e : bf16
    %r = arith.divf %one, %d : bf16
    linalg.yield %r : bf16
  } -> tensor<1x64xbf16>
  %q4mma_tanh_y = linea.quant_linear %q4mma_tanh_x, %q4mma_tanh_q, %q4mma_tanh_s format <int4, group 128, scale bf16> {name = "q4mma_tanh"} : (tensor<4x4096xbf16>, tensor<4096x2048xi8>, tensor<4096x32xbf16>) -> tensor<4x4096xbf16>
  %v18 = tensor.empty() : tensor<4x4096xbf16>
  %v17 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%q4mma_tanh_y : tensor<4x4096xbf16>) outs(%v18 : tensor<4x4096xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %r = math.tanh %in : bf16
    linalg.yield %r : bf16
  } -> tensor<4x4096xbf16>
  %qg_res_y = linea.quant_linear %qg_res_x, %qg_res_q, %qg_res_s format <int8, channel> {name = "qg_res"} : (tensor<128x256xbf16>, tensor<64x256xi8>, tensor<64x1xf32>) -> tensor<128x64xbf16>
  %v20 = tensor.empty() : tensor<128x64xbf16>
  %v19 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%qg_res_r, %qg_res_y : tensor<128x64xbf16>, tensor<128x64xbf16>) outs(%v20 : tensor<128x64xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %r = arith.addf %a, %b : bf16
    linalg.yield %r : bf16
  } -> tensor<128x64xbf16>
  %qwg_relu_y = linea.quant_linear %qwg_relu_x, %qwg_relu_q, %qwg_relu_s format <int4, group 128, scale bf16> {name = "qwg_relu"} : (tensor<128x256xbf16>, tensor<128x128xi8>, tensor<128x2xbf16>) -> tensor<128x128xbf16>
  %v22 = tensor.empty() : tensor<128x128xbf16>
  %v21 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%qwg_relu_y : tensor<128x128xbf16>) outs(%v22 : tensor<128x128xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %z = arith.constant 0.0 : bf16
    %r = arith.maximumf %in, %z : bf16
    linalg.yield %r : bf16
  } -> tensor<128x128xbf16>
  %w8a8_silu_y = linea.quant_linear %w8a8_silu_x, %w8a8_silu_q, %w8a8_silu_s format <int8, channel, act dynamic_int8_per_token> {name = "w8a8_silu"} : (tensor<64x256xbf16>, tensor<128x256xi8>, tensor<128x1xf32>) -> tensor<64x128xbf16>
  %v24 = tensor.empty() : tensor<64x128xbf16>
  %v23 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%w8a8_silu_y : tensor<64x128xbf16>) outs(%v24 : tensor<64x128xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %one = arith.constant 1.0 : bf16
    %n = arith.negf %in : bf16
    %e = math.exp %n : bf16
    %d = arith.addf %one, %e : bf16
    %r = arith.divf %one, %d : bf16
    linalg.yield %r : bf16
  } -> tensor<64x128xbf16>
  %v26 = tensor.empty() : tensor<64x128xbf16>
  %v25 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%w8a8_silu_y, %v23 : tensor<64x128xbf16>, tensor<64x128xbf16>) outs(%v26 : tensor<64x128xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %r = arith.mulf %a, %b : bf16
    linalg.yield %r : bf16
  } -> tensor<64x128xbf16>
  %bsr_res_y = linea.bsr_linear %bsr_res_x, %bsr_res_v, %bsr_res_c, %bsr_res_o {name = "bsr_res"} : (tensor<16x128xbf16>, tensor<6x16x32xbf16>, tensor<6xi32>, tensor<5xi32>) -> tensor<16x64xbf16>
  %v28 = tensor.empty() : tensor<16x64xbf16>
  %v27 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%bsr_res_r, %bsr_res_y : tensor<16x64xbf16>, tensor<16x64xbf16>) outs(%v28 : tensor<16x64xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %r = arith.addf %a, %b : bf16
    linalg.yield %r : bf16
  } -> tensor<16x64xbf16>
  %nm_relu_y = linea.nm_linear 2:4 %nm_relu_x, %nm_relu_v, %nm_relu_i {name = "nm_relu"} : (tensor<1x256xbf16>, tensor<64x128xbf16>, tensor<64x128xi8>) -> tensor<1x64xbf16>
  %v30 = tensor.empty() : tensor<1x64xbf16>
  %v29 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%nm_relu_y : tensor<1x64xbf16>) outs(%v30 : tensor<1x64xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %z = arith.constant 0.0 : bf16
    %r = arith.maximumf %in, %z : bf16
    linalg.yield %r : bf16
  } -> tensor<1x64xbf16>
  %lr_gelu_res_y = linea.lowrank_linear %lr_gelu_res_x, %lr_gelu_res_u, %lr_gelu_res_v bias %lr_gelu_res_b {name = "lr_gelu_res"} : (tensor<1x256xbf16>, tensor<64x16xbf16>, tensor<16x256xbf16>, tensor<64xbf16>) -> tensor<1x64xbf16>
  %v32 = tensor.empty() : tensor<1x64xbf16>
  %v31 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%lr_gelu_res_y : tensor<1x64xbf16>) outs(%v32 : tensor<1x64xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %c = arith.constant 0.70710678 : bf16
    %h = arith.constant 0.5 : bf16
    %one = arith.constant 1.0 : bf16
    %a = arith.mulf %in, %c : bf16
    %e = math.erf %a : bf16
    %p = arith.addf %e, %one : bf16
    %m = arith.mulf %in, %p : bf16
    %r = arith.mulf %m, %h : bf16
    linalg.yield %r : bf16
  } -> tensor<1x64xbf16>
  %v34 = tensor.empty() : tensor<1x64xbf16>
  %v33 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%lr_gelu_res_r, %v31 : tensor<1x64xbf16>, tensor<1x64xbf16>) outs(%v34 : tensor<1x64xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %r = arith.addf %a, %b : bf16
    linalg.yield %r : bf16
  } -> tensor<1x64xbf16>
  %f32_res_y = linea.linear %f32_res_x, %f32_res_w {name = "f32_res"} : (tensor<2x64xf32>, tensor<32x64xbf16>) -> tensor<2x32xf32>
  %v36 = tensor.empty() : tensor<2x32xf32>
  %v35 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%f32_res_y, %f32_res_r : tensor<2x32xf32>, tensor<2x32xf32>) outs(%v36 : tensor<2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<2x32xf32>
  return %v3, %v5, %v11, %v13, %v15, %v17, %v19, %v21, %v25, %v27, %v29, %v33, %v35 : tensor<1x64xbf16>, tensor<2x64xbf16>, tensor<128x128xbf16>, tensor<3x40xf16>, tensor<1x64xbf16>, tensor<4x4096xbf16>, tensor<128x64xbf16>, tensor<128x128xbf16>, tensor<64x128xbf16>, tensor<16x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<2x32xf32>
}

// Not fused: a column-broadcast operand (one value per row of y; rows
// broadcast along N fuse: epilogue-broadcast.mlir),
// a second user of y, a body that is no known activation (exp), a
// subtraction, a generic that changes the element type, and an add of two
// layers' outputs, which only the first layer takes.
#bcast = affine_map<(d0, d1) -> (d0, 0)>
func.func @not_fused(%x: tensor<2x64xbf16>, %w: tensor<32x64xbf16>,
                     %v: tensor<2x1xbf16>, %r: tensor<2x32xbf16>)
    -> (tensor<2x32xbf16>, tensor<2x32xbf16>, tensor<2x32xbf16>,
        tensor<2x32xbf16>, tensor<2x32xbf16>, tensor<2x32xf32>,
        tensor<2x32xbf16>) {
  %e = tensor.empty() : tensor<2x32xbf16>
  %0 = linea.linear %x, %w {name = "bcast"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %1 = linalg.generic {indexing_maps = [#id, #bcast, #id], iterator_types = ["parallel", "parallel"]} ins(%0, %v : tensor<2x32xbf16>, tensor<2x1xbf16>) outs(%e : tensor<2x32xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %s = arith.addf %a, %b : bf16
    linalg.yield %s : bf16
  } -> tensor<2x32xbf16>
  %2 = linea.linear %x, %w {name = "two_users"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %3 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<2x32xbf16>) outs(%e : tensor<2x32xbf16>) {
  ^bb0(%a: bf16, %o: bf16):
    %z = arith.constant 0.0 : bf16
    %s = arith.maximumf %a, %z : bf16
    linalg.yield %s : bf16
  } -> tensor<2x32xbf16>
  %4 = linea.linear %x, %w {name = "exp_body"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %5 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<2x32xbf16>) outs(%e : tensor<2x32xbf16>) {
  ^bb0(%a: bf16, %o: bf16):
    %s = math.exp %a : bf16
    linalg.yield %s : bf16
  } -> tensor<2x32xbf16>
  %6 = linea.linear %x, %w {name = "sub"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %7 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%6, %r : tensor<2x32xbf16>, tensor<2x32xbf16>) outs(%e : tensor<2x32xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %s = arith.subf %a, %b : bf16
    linalg.yield %s : bf16
  } -> tensor<2x32xbf16>
  %8 = linea.linear %x, %w {name = "widen"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %ef = tensor.empty() : tensor<2x32xf32>
  %9 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%8 : tensor<2x32xbf16>) outs(%ef : tensor<2x32xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %f = arith.extf %a : bf16 to f32
    %z = arith.constant 0.0 : f32
    %s = arith.maximumf %f, %z : f32
    linalg.yield %s : f32
  } -> tensor<2x32xf32>
  %10 = linea.linear %x, %w {name = "first"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %11 = linea.linear %x, %w {name = "second"} : (tensor<2x64xbf16>, tensor<32x64xbf16>) -> tensor<2x32xbf16>
  %12 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%10, %11 : tensor<2x32xbf16>, tensor<2x32xbf16>) outs(%e : tensor<2x32xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %s = arith.addf %a, %b : bf16
    linalg.yield %s : bf16
  } -> tensor<2x32xbf16>
  return %1, %2, %3, %5, %7, %9, %12 : tensor<2x32xbf16>, tensor<2x32xbf16>, tensor<2x32xbf16>, tensor<2x32xbf16>, tensor<2x32xbf16>, tensor<2x32xf32>, tensor<2x32xbf16>
}
