// Prefill-sized dense layers for the wgmma GEMM (WgmmaGemmKernel.cpp,
// docs/cuda.md "Prefill GEMM"), checked and timed by scripts/cuda_gemm_check.py
// against torch.matmul (cuBLAS). Correctness shapes cover ragged M, N and K
// (not multiples of the tile or of 64), f16, bias and an odd N; the bench
// shapes are PERF.md's 8192³ and M = 2048/4096 prefill chunks of
// 8192×8192 and 28672×8192 layers. Weights are arguments: the check draws
// fresh random ones.
func.func @gemm(
    %x8k: tensor<8192x8192xbf16>, %w8k: tensor<8192x8192xbf16>,
    %x2k: tensor<2048x8192xbf16>, %x4k: tensor<4096x8192xbf16>,
    %w28k: tensor<28672x8192xbf16>,
    %xr: tensor<300x1000xbf16>, %wr: tensor<520x1000xbf16>,
    %br: tensor<520xbf16>,
    %xh: tensor<256x512xf16>, %wh: tensor<384x512xf16>,
    %xo: tensor<129x264xbf16>, %wo: tensor<77x264xbf16>, %bo: tensor<77xbf16>)
    -> (tensor<300x520xbf16>, tensor<256x384xf16>, tensor<129x77xbf16>,
        tensor<8192x8192xbf16>, tensor<2048x8192xbf16>,
        tensor<4096x8192xbf16>, tensor<4096x28672xbf16>) {
  %r = linea.linear %xr, %wr bias %br {name = "ragged_bias"}
      : (tensor<300x1000xbf16>, tensor<520x1000xbf16>, tensor<520xbf16>) -> tensor<300x520xbf16>
  %h = linea.linear %xh, %wh {name = "f16_256x384x512"}
      : (tensor<256x512xf16>, tensor<384x512xf16>) -> tensor<256x384xf16>
  %o = linea.linear %xo, %wo bias %bo {name = "odd_n"}
      : (tensor<129x264xbf16>, tensor<77x264xbf16>, tensor<77xbf16>) -> tensor<129x77xbf16>
  %a = linea.linear %x8k, %w8k {name = "gemm8192"}
      : (tensor<8192x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<8192x8192xbf16>
  %b = linea.linear %x2k, %w8k {name = "m2048_8192"}
      : (tensor<2048x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<2048x8192xbf16>
  %c = linea.linear %x4k, %w8k {name = "m4096_8192"}
      : (tensor<4096x8192xbf16>, tensor<8192x8192xbf16>) -> tensor<4096x8192xbf16>
  %d = linea.linear %x4k, %w28k {name = "m4096_28672"}
      : (tensor<4096x8192xbf16>, tensor<28672x8192xbf16>) -> tensor<4096x28672xbf16>
  return %r, %h, %o, %a, %b, %c, %d
      : tensor<300x520xbf16>, tensor<256x384xf16>, tensor<129x77xbf16>,
        tensor<8192x8192xbf16>, tensor<2048x8192xbf16>,
        tensor<4096x8192xbf16>, tensor<4096x28672xbf16>
}
