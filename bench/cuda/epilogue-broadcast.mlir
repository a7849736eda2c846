// Fused epilogues with a row-broadcast operand (docs/cuda.md, "Fused
// epilogues"): a per-channel scale (LayerScale, a folded norm's gain) or
// shift after a layer, read once per column by every output row. Decode
// int4 (M = 1, and M = 4 through a 3-d reshape), dense decode, and a wgmma
// prefill with GELU then a per-channel shift; the device check compares
// each against PyTorch and times it against cuBLAS then torch's ops.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (0, 0, d2)>
func.func @layers(%a_x: tensor<1x4096xbf16>, %a_q: tensor<11008x2048xi8>,
                  %a_s: tensor<11008x32xbf16>, %a_g: tensor<11008xbf16>,
                  %b_x: tensor<4x4096xbf16>, %b_q: tensor<4096x2048xi8>,
                  %b_s: tensor<4096x32xbf16>, %b_g: tensor<1x1x4096xbf16>,
                  %c_x: tensor<1x4096xbf16>, %c_w: tensor<4096x4096xbf16>,
                  %c_g: tensor<4096xbf16>,
                  %d_x: tensor<2048x4096xbf16>, %d_w: tensor<4096x4096xbf16>,
                  %d_b: tensor<1x4096xbf16>)
    -> (tensor<1x11008xbf16>, tensor<1x4x4096xbf16>, tensor<1x4096xbf16>,
        tensor<2048x4096xbf16>) {
  %a = linea.quant_linear %a_x, %a_q, %a_s format <int4, group 128, scale bf16> {name = "dec_q4_scale"}
      : (tensor<1x4096xbf16>, tensor<11008x2048xi8>, tensor<11008x32xbf16>) -> tensor<1x11008xbf16>
  %ae = tensor.empty() : tensor<1x11008xbf16>
  %ar = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %a_g : tensor<1x11008xbf16>, tensor<11008xbf16>) outs(%ae : tensor<1x11008xbf16>) {
  ^bb0(%p: bf16, %q: bf16, %o: bf16):
    %m = arith.mulf %p, %q : bf16
    linalg.yield %m : bf16
  } -> tensor<1x11008xbf16>
  %b = linea.quant_linear %b_x, %b_q, %b_s format <int4, group 128, scale bf16> {name = "dec4_q4_layerscale"}
      : (tensor<4x4096xbf16>, tensor<4096x2048xi8>, tensor<4096x32xbf16>) -> tensor<4x4096xbf16>
  %b3 = tensor.expand_shape %b [[0, 1], [2]] output_shape [1, 4, 4096] : tensor<4x4096xbf16> into tensor<1x4x4096xbf16>
  %be = tensor.empty() : tensor<1x4x4096xbf16>
  %br = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%b3, %b_g : tensor<1x4x4096xbf16>, tensor<1x1x4096xbf16>) outs(%be : tensor<1x4x4096xbf16>) {
  ^bb0(%p: bf16, %q: bf16, %o: bf16):
    %m = arith.mulf %q, %p : bf16
    linalg.yield %m : bf16
  } -> tensor<1x4x4096xbf16>
  %c = linea.linear %c_x, %c_w {name = "dec_dense_scale"} : (tensor<1x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<1x4096xbf16>
  %ce = tensor.empty() : tensor<1x4096xbf16>
  %cr = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%c, %c_g : tensor<1x4096xbf16>, tensor<4096xbf16>) outs(%ce : tensor<1x4096xbf16>) {
  ^bb0(%p: bf16, %q: bf16, %o: bf16):
    %m = arith.mulf %p, %q : bf16
    linalg.yield %m : bf16
  } -> tensor<1x4096xbf16>
  %d = linea.linear %d_x, %d_w {name = "pre_gelu_shift"} : (tensor<2048x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<2048x4096xbf16>
  %de = tensor.empty() : tensor<2048x4096xbf16>
  %dg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%d : tensor<2048x4096xbf16>) outs(%de : tensor<2048x4096xbf16>) {
  ^bb0(%p: bf16, %o: bf16):
    %f = arith.extf %p : bf16 to f32
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
  } -> tensor<2048x4096xbf16>
  %dr = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (0, d1)>, #id], iterator_types = ["parallel", "parallel"]} ins(%dg, %d_b : tensor<2048x4096xbf16>, tensor<1x4096xbf16>) outs(%de : tensor<2048x4096xbf16>) {
  ^bb0(%p: bf16, %q: bf16, %o: bf16):
    %s = arith.addf %p, %q : bf16
    linalg.yield %s : bf16
  } -> tensor<2048x4096xbf16>
  return %ar, %br, %cr, %dr : tensor<1x11008xbf16>, tensor<1x4x4096xbf16>, tensor<1x4096xbf16>, tensor<2048x4096xbf16>
}
