// Quantized (SageAttention) attention cases the CUDA path does not generate
// fail with a diagnostic naming the operand and numbers.
// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics

func.func @sage_mask(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x2x16x64xbf16>,
                     %v: tensor<1x2x16x64xbf16>, %m: tensor<1x1x16x16xf32>)
    -> tensor<1x2x16x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: quantized (SageAttention) attention with a mask is not supported on CUDA yet}}
  %o = linea.attention %q, %k, %v mask %m {quant = #linea.attn_quant<>}
      : (tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x1x16x16xf32>) -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}

// -----

func.func @sage_d32(%q: tensor<1x2x16x32xbf16>, %k: tensor<1x2x16x32xbf16>,
                    %v: tensor<1x2x16x32xbf16>) -> tensor<1x2x16x32xbf16> {
  // expected-error @+1 {{linea-to-gpu: quantized (SageAttention) attention needs head dims D, Dv in {64, 128}, got D = 32, Dv = 32}}
  %o = linea.attention %q, %k, %v {quant = #linea.attn_quant<q_block = 32>}
      : (tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>) -> tensor<1x2x16x32xbf16>
  return %o : tensor<1x2x16x32xbf16>
}

// -----

func.func @sage_d256(%q: tensor<1x2x16x256xf16>, %k: tensor<1x2x16x256xf16>,
                     %v: tensor<1x2x16x128xf16>) -> tensor<1x2x16x128xf16> {
  // expected-error @+1 {{linea-to-gpu: quantized (SageAttention) attention needs head dims D, Dv in {64, 128}, got D = 256, Dv = 128}}
  %o = linea.attention %q, %k, %v {quant = #linea.attn_quant<values = exact>}
      : (tensor<1x2x16x256xf16>, tensor<1x2x16x256xf16>, tensor<1x2x16x128xf16>) -> tensor<1x2x16x128xf16>
  return %o : tensor<1x2x16x128xf16>
}

// -----

func.func @sage_dynamic(%q: tensor<1x2x?x64xbf16>, %k: tensor<1x2x16x64xbf16>,
                        %v: tensor<1x2x16x64xbf16>) -> tensor<1x2x?x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: attention q, k and v must have static shapes}}
  %o = linea.attention %q, %k, %v {quant = #linea.attn_quant<>}
      : (tensor<1x2x?x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>) -> tensor<1x2x?x64xbf16>
  return %o : tensor<1x2x?x64xbf16>
}
