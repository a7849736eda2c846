// Check and benchmark shapes of linea.delta_rule on CUDA (docs/cuda.md,
// "Scans and recurrences"): ragged T = 200 (a partial last chunk) with
// Dk = 64 and 128, f16 with f32 beta, an initial state; T = 8192 and 16384
// with B·H = 16…32 heads of Dk = Dv = 64 and 128, and T = 16384 with 8
// heads of 128 (few heads: 16-column value tiles). Generate with
// linea-to-gpu{chunkwise=0,1} (the recurrent kernel beside the chunkwise
// WY kernels, suffixes _cw, _cw_v32, two launches _cw_2l, _cw_2l_v16, and
// cp.async-prefetching _pf forms of those) and run
// scripts/cuda-device-check.sh on the folder: cuda_scan_check.py checks each
// against a float64 torch loop and times it against torch SDPA flash of the
// same heads and against the recurrent entry of the same layer (x rec).

func.func @delta_T200_d64(%q: tensor<1x4x200x64xbf16>, %k: tensor<1x4x200x64xbf16>,
    %v: tensor<1x4x200x64xbf16>, %beta: tensor<1x4x200xbf16>, %s0: tensor<1x4x64x64xf32>)
    -> (tensor<1x4x200x64xbf16>, tensor<1x4x64x64xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta initial_state %s0 {name = "delta_T200_d64"}
      : (tensor<1x4x200x64xbf16>, tensor<1x4x200x64xbf16>, tensor<1x4x200x64xbf16>, tensor<1x4x200xbf16>, tensor<1x4x64x64xf32>)
      -> (tensor<1x4x200x64xbf16>, tensor<1x4x64x64xf32>)
  return %o, %s : tensor<1x4x200x64xbf16>, tensor<1x4x64x64xf32>
}

func.func @delta_T200_d128_f16(%q: tensor<2x2x200x128xf16>, %k: tensor<2x2x200x128xf16>,
    %v: tensor<2x2x200x64xf16>, %beta: tensor<2x2x200xf32>)
    -> (tensor<2x2x200x64xf16>, tensor<2x2x128x64xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_T200_d128_f16"}
      : (tensor<2x2x200x128xf16>, tensor<2x2x200x128xf16>, tensor<2x2x200x64xf16>, tensor<2x2x200xf32>)
      -> (tensor<2x2x200x64xf16>, tensor<2x2x128x64xf32>)
  return %o, %s : tensor<2x2x200x64xf16>, tensor<2x2x128x64xf32>
}

func.func @delta_T8192_d64(%q: tensor<2x16x8192x64xbf16>, %k: tensor<2x16x8192x64xbf16>,
    %v: tensor<2x16x8192x64xbf16>, %beta: tensor<2x16x8192xbf16>)
    -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_T8192_d64"}
      : (tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>, tensor<2x16x8192x64xbf16>, tensor<2x16x8192xbf16>)
      -> (tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>)
  return %o, %s : tensor<2x16x8192x64xbf16>, tensor<2x16x64x64xf32>
}

func.func @delta_T8192_d128(%q: tensor<1x16x8192x128xbf16>, %k: tensor<1x16x8192x128xbf16>,
    %v: tensor<1x16x8192x128xbf16>, %beta: tensor<1x16x8192xbf16>, %s0: tensor<1x16x128x128xf32>)
    -> (tensor<1x16x8192x128xbf16>, tensor<1x16x128x128xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta initial_state %s0 {name = "delta_T8192_d128"}
      : (tensor<1x16x8192x128xbf16>, tensor<1x16x8192x128xbf16>, tensor<1x16x8192x128xbf16>, tensor<1x16x8192xbf16>, tensor<1x16x128x128xf32>)
      -> (tensor<1x16x8192x128xbf16>, tensor<1x16x128x128xf32>)
  return %o, %s : tensor<1x16x8192x128xbf16>, tensor<1x16x128x128xf32>
}

func.func @delta_T16384_h32_d64(%q: tensor<1x32x16384x64xbf16>, %k: tensor<1x32x16384x64xbf16>,
    %v: tensor<1x32x16384x64xbf16>, %beta: tensor<1x32x16384xbf16>)
    -> (tensor<1x32x16384x64xbf16>, tensor<1x32x64x64xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_T16384_h32_d64"}
      : (tensor<1x32x16384x64xbf16>, tensor<1x32x16384x64xbf16>, tensor<1x32x16384x64xbf16>, tensor<1x32x16384xbf16>)
      -> (tensor<1x32x16384x64xbf16>, tensor<1x32x64x64xf32>)
  return %o, %s : tensor<1x32x16384x64xbf16>, tensor<1x32x64x64xf32>
}

func.func @delta_T8192_h32_d128(%q: tensor<1x32x8192x128xbf16>, %k: tensor<1x32x8192x128xbf16>,
    %v: tensor<1x32x8192x128xbf16>, %beta: tensor<1x32x8192xbf16>)
    -> (tensor<1x32x8192x128xbf16>, tensor<1x32x128x128xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_T8192_h32_d128"}
      : (tensor<1x32x8192x128xbf16>, tensor<1x32x8192x128xbf16>, tensor<1x32x8192x128xbf16>, tensor<1x32x8192xbf16>)
      -> (tensor<1x32x8192x128xbf16>, tensor<1x32x128x128xf32>)
  return %o, %s : tensor<1x32x8192x128xbf16>, tensor<1x32x128x128xf32>
}

func.func @delta_T16384_h8_d128(%q: tensor<1x8x16384x128xbf16>, %k: tensor<1x8x16384x128xbf16>,
    %v: tensor<1x8x16384x128xbf16>, %beta: tensor<1x8x16384xbf16>)
    -> (tensor<1x8x16384x128xbf16>, tensor<1x8x128x128xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_T16384_h8_d128"}
      : (tensor<1x8x16384x128xbf16>, tensor<1x8x16384x128xbf16>, tensor<1x8x16384x128xbf16>, tensor<1x8x16384xbf16>)
      -> (tensor<1x8x16384x128xbf16>, tensor<1x8x128x128xf32>)
  return %o, %s : tensor<1x8x16384x128xbf16>, tensor<1x8x128x128xf32>
}
