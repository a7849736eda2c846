// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics

func.func @dynamic_time(%a: tensor<2x?x64xf32>, %b: tensor<2x?x64xf32>) -> tensor<2x?x64xf32> {
  // expected-error @+1 {{linea-to-gpu: linear_scan needs static shapes, got 'tensor<2x?x64xf32>' for operand #0}}
  %h = linea.linear_scan %a, %b : (tensor<2x?x64xf32>, tensor<2x?x64xf32>) -> tensor<2x?x64xf32>
  return %h : tensor<2x?x64xf32>
}

// -----

func.func @big_state(%u: tensor<1x64x32xbf16>, %dt: tensor<1x64x32xbf16>, %A: tensor<32x128xf32>,
                     %B: tensor<1x64x128xbf16>, %C: tensor<1x64x128xbf16>)
    -> (tensor<1x64x32xbf16>, tensor<1x32x128xf32>) {
  // expected-error @+1 {{linea-to-gpu: selective_scan state size N = 128 exceeds 64 (a channel's N states live in one thread's registers)}}
  %y, %h = linea.selective_scan %u, %dt, %A, %B, %C
      : (tensor<1x64x32xbf16>, tensor<1x64x32xbf16>, tensor<32x128xf32>, tensor<1x64x128xbf16>,
         tensor<1x64x128xbf16>) -> (tensor<1x64x32xbf16>, tensor<1x32x128xf32>)
  return %y, %h : tensor<1x64x32xbf16>, tensor<1x32x128xf32>
}

// -----

func.func @mixed_params(%u: tensor<1x64x32xbf16>, %dt: tensor<1x64x32xbf16>, %A: tensor<32x16xf32>,
                        %B: tensor<1x64x16xbf16>, %C: tensor<1x64x16xbf16>, %D: tensor<32xbf16>)
    -> (tensor<1x64x32xbf16>, tensor<1x32x16xf32>) {
  // expected-error @+1 {{linea-to-gpu: selective_scan parameters A, D_skip and delta_bias must share one element type, got 'f32' and 'bf16'}}
  %y, %h = linea.selective_scan %u, %dt, %A, %B, %C skip %D
      : (tensor<1x64x32xbf16>, tensor<1x64x32xbf16>, tensor<32x16xf32>, tensor<1x64x16xbf16>,
         tensor<1x64x16xbf16>, tensor<32xbf16>) -> (tensor<1x64x32xbf16>, tensor<1x32x16xf32>)
  return %y, %h : tensor<1x64x32xbf16>, tensor<1x32x16xf32>
}

// -----

func.func @gla_dk96(%q: tensor<1x2x16x96xbf16>, %k: tensor<1x2x16x96xbf16>, %v: tensor<1x2x16x64xbf16>,
                    %g: tensor<1x2x16x96xf32>) -> (tensor<1x2x16x64xbf16>, tensor<1x2x96x64xf32>) {
  // expected-error @+1 {{linea-to-gpu: gated_linear_attention needs a key dim Dk in {8, 16, 32, 64, 128, 256} (8 rows of the state per lane, a power-of-two lane group), got Dk = 96}}
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g
      : (tensor<1x2x16x96xbf16>, tensor<1x2x16x96xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x96xf32>)
      -> (tensor<1x2x16x64xbf16>, tensor<1x2x96x64xf32>)
  return %o, %s : tensor<1x2x16x64xbf16>, tensor<1x2x96x64xf32>
}

// -----

func.func @delta_dynamic(%q: tensor<1x2x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>,
                         %beta: tensor<1x2x?xf16>) -> (tensor<1x2x?x64xf16>, tensor<1x2x64x64xf32>) {
  // expected-error @+1 {{linea-to-gpu: delta_rule needs static shapes, got 'tensor<1x2x?x64xf16>' for operand #0}}
  %o, %s = linea.delta_rule %q, %k, %v, %beta
      : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?xf16>)
      -> (tensor<1x2x?x64xf16>, tensor<1x2x64x64xf32>)
  return %o, %s : tensor<1x2x?x64xf16>, tensor<1x2x64x64xf32>
}

// -----

func.func @linattn_noncausal(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>,
                             %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  // expected-error @+1 {{linea-to-gpu: only causal linear_attention has a CUDA kernel (the non-causal form is two reductions over T, not a recurrence)}}
  %o = linea.linear_attention %q, %k, %v feature_map relu
      : (tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}

// -----

func.func @empty_time(%a: tensor<2x0x64xf32>, %b: tensor<2x0x64xf32>) -> tensor<2x0x64xf32> {
  // expected-error @+1 {{linea-to-gpu: linear_scan has an empty operand #0 ('tensor<2x0x64xf32>')}}
  %h = linea.linear_scan %a, %b : (tensor<2x0x64xf32>, tensor<2x0x64xf32>) -> tensor<2x0x64xf32>
  return %h : tensor<2x0x64xf32>
}
