// RUN: not linea-opt %s --linea-to-gpu=rows-per-warp=9 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: not linea-opt %s --linea-write-cuda-artifacts=out-dir=%t 2>&1 | FileCheck %s --check-prefix=NOBIN
// RUN: not linea-opt %s --linea-write-cuda-artifacts 2>&1 | FileCheck %s --check-prefix=NODIR

// ROWS: error: linea-to-gpu: rows-per-warp and unroll must be in [1, 8], got 9
// NOBIN: error: linea-write-cuda-artifacts: no gpu.binary @linea_kernels with linea.cuda_kernels; run linea-to-gpu and gpu-module-to-binary first
// NODIR: error: linea-write-cuda-artifacts: out-dir is required
func.func @f(%x: tensor<1x64xbf16>, %w: tensor<8x64xbf16>) -> tensor<1x8xbf16> {
  %y = linea.linear %x, %w : (tensor<1x64xbf16>, tensor<8x64xbf16>) -> tensor<1x8xbf16>
  return %y : tensor<1x8xbf16>
}
