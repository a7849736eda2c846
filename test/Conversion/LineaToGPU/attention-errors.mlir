// Attention cases the CUDA path does not generate fail with a diagnostic.
// RUN: linea-opt %s --linea-to-gpu -split-input-file -verify-diagnostics

func.func @mask_dynamic(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x2x16x64xbf16>,
                        %v: tensor<1x2x16x64xbf16>, %m: tensor<1x1x?x16xf32>)
    -> tensor<1x2x16x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: attention mask must have a static shape, got 'tensor<1x1x?x16xf32>'}}
  %o = linea.attention %q, %k, %v mask %m
      : (tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x1x?x16xf32>) -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}

// -----

func.func @head_dim(%q: tensor<1x2x16x80xbf16>, %k: tensor<1x2x16x80xbf16>,
                    %v: tensor<1x2x16x80xbf16>) -> tensor<1x2x16x80xbf16> {
  // expected-error @+1 {{linea-to-gpu: attention head dim D = 80 is not supported (32, 64, 96, 128 or 256)}}
  %o = linea.attention %q, %k, %v
      : (tensor<1x2x16x80xbf16>, tensor<1x2x16x80xbf16>, tensor<1x2x16x80xbf16>) -> tensor<1x2x16x80xbf16>
  return %o : tensor<1x2x16x80xbf16>
}

// -----

func.func @value_dim(%q: tensor<1x2x16x128xbf16>, %k: tensor<1x2x16x128xbf16>,
                     %v: tensor<1x2x16x48xbf16>) -> tensor<1x2x16x48xbf16> {
  // expected-error @+1 {{linea-to-gpu: attention value head dim Dv = 48 is not supported (32, 64, 96, 128 or 256)}}
  %o = linea.attention %q, %k, %v
      : (tensor<1x2x16x128xbf16>, tensor<1x2x16x128xbf16>, tensor<1x2x16x48xbf16>) -> tensor<1x2x16x48xbf16>
  return %o : tensor<1x2x16x48xbf16>
}

// -----

func.func @dynamic(%q: tensor<1x2x?x64xbf16>, %k: tensor<1x2x?x64xbf16>,
                   %v: tensor<1x2x?x64xbf16>) -> tensor<1x2x?x64xbf16> {
  // expected-error @+1 {{linea-to-gpu: attention q, k and v must have static shapes, got 'tensor<1x2x?x64xbf16>', 'tensor<1x2x?x64xbf16>' and 'tensor<1x2x?x64xbf16>'}}
  %o = linea.attention %q, %k, %v
      : (tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>) -> tensor<1x2x?x64xbf16>
  return %o : tensor<1x2x?x64xbf16>
}

// -----

// RUN: not linea-opt %s --linea-to-gpu="attention-tiles=16x48" -split-input-file 2>&1 | FileCheck %s --check-prefix=TILES
// TILES: linea-to-gpu: attention-tiles entry '16x48' is not ROWSxKEYS with ROWS in {16, 32} and KEYS in {32, 64, 128}
func.func @tiles(%q: tensor<1x2x16x64xbf16>, %k: tensor<1x2x16x64xbf16>,
                 %v: tensor<1x2x16x64xbf16>) -> tensor<1x2x16x64xbf16> {
  %o = linea.attention %q, %k, %v
      : (tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>) -> tensor<1x2x16x64xbf16>
  return %o : tensor<1x2x16x64xbf16>
}
