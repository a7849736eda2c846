// Layers and options the wgmma GEMM rejects, each with a diagnostic naming
// the layer and the numbers at fault.
// RUN: not linea-opt %s --split-input-file --linea-to-gpu="wgmma=1" 2>&1 | FileCheck %s
// RUN: not linea-opt %s --split-input-file --linea-to-gpu="wgmma=2" 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not linea-opt %s --split-input-file --linea-to-gpu="wgmma=1 chip=sm_89" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not linea-opt %s --split-input-file --linea-to-gpu="wgmma-tiles=128x512x4" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not linea-opt %s --split-input-file --linea-to-gpu="wgmma-tiles=256x256x4" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not linea-opt %s --split-input-file --linea-to-gpu="wgmma-tiles=128x128x2" 2>&1 | FileCheck %s --check-prefix=TILE2

// OPT: error: linea-to-gpu: wgmma must be 0 or 1, got 2
// CHIP: error: linea-to-gpu: wgmma=1 cannot build layer 'valid' (M = 256, N = 64, K = 64): wgmma needs chip sm_90a, got sm_89
// TILE: error: linea-to-gpu: wgmma-tiles entry '128x512x4' is not BMxBNxSTAGES with BM and BN in {64, 128, 256} and STAGES >= 3
// SMEM: error: linea-to-gpu: wgmma-tiles entry '256x256x4' needs 263168 bytes of shared memory, more than 232448
// TILE2: error: linea-to-gpu: wgmma-tiles entry '128x128x2' is not BMxBNxSTAGES

// CHECK: error: linea-to-gpu: wgmma=1 cannot build layer 'f32x' (M = 256, N = 64, K = 64): x must be bf16 or f16 (got f32)
func.func @f32x(%x: tensor<256x64xf32>, %w: tensor<64x64xbf16>) -> tensor<256x64xf32> {
  %y = linea.linear %x, %w {name = "f32x"} : (tensor<256x64xf32>, tensor<64x64xbf16>) -> tensor<256x64xf32>
  return %y : tensor<256x64xf32>
}

// -----

// CHECK: error: linea-to-gpu: wgmma=1 cannot build layer 'mixed' (M = 256, N = 64, K = 64): x (f16) and w (bf16) must have one element type
func.func @mixed(%x: tensor<256x64xf16>, %w: tensor<64x64xbf16>) -> tensor<256x64xf16> {
  %y = linea.linear %x, %w {name = "mixed"} : (tensor<256x64xf16>, tensor<64x64xbf16>) -> tensor<256x64xf16>
  return %y : tensor<256x64xf16>
}

// -----

// CHECK: error: linea-to-gpu: K = 100 is not a multiple of 8 (one 16-byte chunk of w)
func.func @k100(%x: tensor<256x100xbf16>, %w: tensor<64x100xbf16>) -> tensor<256x64xbf16> {
  %y = linea.linear %x, %w {name = "k100"} : (tensor<256x100xbf16>, tensor<64x100xbf16>) -> tensor<256x64xbf16>
  return %y : tensor<256x64xbf16>
}

// -----

// Valid for sm_90a (no error from the first RUN line), not for sm_89.
func.func @valid(%x: tensor<256x64xbf16>, %w: tensor<64x64xbf16>) -> tensor<256x64xbf16> {
  %y = linea.linear %x, %w {name = "valid"} : (tensor<256x64xbf16>, tensor<64x64xbf16>) -> tensor<256x64xbf16>
  return %y : tensor<256x64xbf16>
}
