// Linear-layer forms without a dense weight, second set (docs/cuda.md,
// "Linear-layer forms"): n:m sparsity (2:4 fast path, 1:4, 3:8, 4:8),
// shift_linear (T = 1, 2, 3), fp8 e5m2, uint8 with zero points, nf4,
// mxfp4, nvfp4. Bench layers are 8192 × 8192 (M = 1; 2:4 also M = 16, 32),
// the rest small, odd shapes for correctness. Weights are arguments; the
// device check (scripts/cuda_forms_check.py) draws them. One func per layer.
func.func @nm24_m1(%x: tensor<1x8192xbf16>, %v: tensor<8192x4096xbf16>, %i: tensor<8192x4096xi8>) -> tensor<1x8192xbf16> {
  %y = linea.nm_linear 2:4 %x, %v, %i {name = "nm24_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x4096xbf16>, tensor<8192x4096xi8>) -> tensor<1x8192xbf16>
  return %y : tensor<1x8192xbf16>
}
func.func @nm24_m16(%x: tensor<16x8192xbf16>, %v: tensor<8192x4096xbf16>, %i: tensor<8192x4096xi8>) -> tensor<16x8192xbf16> {
  %y = linea.nm_linear 2:4 %x, %v, %i {name = "nm24_m16"}
      : (tensor<16x8192xbf16>, tensor<8192x4096xbf16>, tensor<8192x4096xi8>) -> tensor<16x8192xbf16>
  return %y : tensor<16x8192xbf16>
}
func.func @nm24_m32(%x: tensor<32x8192xbf16>, %v: tensor<8192x4096xbf16>, %i: tensor<8192x4096xi8>) -> tensor<32x8192xbf16> {
  %y = linea.nm_linear 2:4 %x, %v, %i {name = "nm24_m32"}
      : (tensor<32x8192xbf16>, tensor<8192x4096xbf16>, tensor<8192x4096xi8>) -> tensor<32x8192xbf16>
  return %y : tensor<32x8192xbf16>
}
func.func @shift1_m1(%x: tensor<1x8192xbf16>, %e: tensor<1x8192x8192xi8>, %g: tensor<1x8192x8192xi8>, %s: tensor<8192xbf16>) -> tensor<1x8192xbf16> {
  %y = linea.shift_linear %x, %e, %g scale %s {name = "shift1_m1"}
      : (tensor<1x8192xbf16>, tensor<1x8192x8192xi8>, tensor<1x8192x8192xi8>, tensor<8192xbf16>) -> tensor<1x8192xbf16>
  return %y : tensor<1x8192xbf16>
}
func.func @e5m2_m1(%x: tensor<1x8192xbf16>, %qw: tensor<8192x8192xi8>, %s: tensor<8192x1xbf16>) -> tensor<1x8192xbf16> {
  %y = linea.quant_linear %x, %qw, %s format <fp8_e5m2, scale bf16> {name = "e5m2_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>) -> tensor<1x8192xbf16>
  return %y : tensor<1x8192xbf16>
}
func.func @uint8_m1(%x: tensor<1x8192xbf16>, %qw: tensor<8192x8192xi8>, %s: tensor<8192x1xbf16>, %z: tensor<8192x1xi8>) -> tensor<1x8192xbf16> {
  %y = linea.quant_linear %x, %qw, %s zero_points %z format <uint8, scale bf16> {name = "uint8_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x8192xi8>, tensor<8192x1xbf16>, tensor<8192x1xi8>) -> tensor<1x8192xbf16>
  return %y : tensor<1x8192xbf16>
}
func.func @nf4_m1(%x: tensor<1x8192xbf16>, %qw: tensor<8192x4096xi8>, %s: tensor<8192x128xbf16>) -> tensor<1x8192xbf16> {
  %y = linea.quant_linear %x, %qw, %s format <nf4, scale bf16> {name = "nf4_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x128xbf16>) -> tensor<1x8192xbf16>
  return %y : tensor<1x8192xbf16>
}
func.func @mxfp4_m1(%x: tensor<1x8192xbf16>, %qw: tensor<8192x4096xi8>, %s: tensor<8192x256xf8E8M0FNU>) -> tensor<1x8192xbf16> {
  %y = linea.quant_linear %x, %qw, %s format <mxfp4> {name = "mxfp4_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x256xf8E8M0FNU>) -> tensor<1x8192xbf16>
  return %y : tensor<1x8192xbf16>
}
func.func @nvfp4_m1(%x: tensor<1x8192xbf16>, %qw: tensor<8192x4096xi8>, %s: tensor<8192x512xf8E4M3FN>, %t: tensor<f32>) -> tensor<1x8192xbf16> {
  %y = linea.quant_linear %x, %qw, %s tensor_scale %t format <nvfp4> {name = "nvfp4_m1"}
      : (tensor<1x8192xbf16>, tensor<8192x4096xi8>, tensor<8192x512xf8E4M3FN>, tensor<f32>) -> tensor<1x8192xbf16>
  return %y : tensor<1x8192xbf16>
}
func.func @nm24_f16_m3(%x: tensor<3x512xf16>, %v: tensor<100x256xf16>, %i: tensor<100x256xi8>, %b: tensor<100xf16>) -> tensor<3x100xf16> {
  %y = linea.nm_linear 2:4 %x, %v, %i bias %b {name = "nm24_f16_m3"}
      : (tensor<3x512xf16>, tensor<100x256xf16>, tensor<100x256xi8>, tensor<100xf16>) -> tensor<3x100xf16>
  return %y : tensor<3x100xf16>
}
func.func @nm24_m16_small(%x: tensor<16x1024xbf16>, %v: tensor<300x512xbf16>, %i: tensor<300x512xi8>, %b: tensor<300xbf16>) -> tensor<16x300xbf16> {
  %y = linea.nm_linear 2:4 %x, %v, %i bias %b {name = "nm24_m16_small"}
      : (tensor<16x1024xbf16>, tensor<300x512xbf16>, tensor<300x512xi8>, tensor<300xbf16>) -> tensor<16x300xbf16>
  return %y : tensor<16x300xbf16>
}
func.func @nm14_m1(%x: tensor<1x256xbf16>, %v: tensor<64x64xbf16>, %i: tensor<64x64xi8>) -> tensor<1x64xbf16> {
  %y = linea.nm_linear 1:4 %x, %v, %i {name = "nm14_m1"}
      : (tensor<1x256xbf16>, tensor<64x64xbf16>, tensor<64x64xi8>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
func.func @nm38_m5(%x: tensor<5x512xf32>, %v: tensor<70x192xbf16>, %i: tensor<70x192xi8>, %b: tensor<70xf32>) -> tensor<5x70xf32> {
  %y = linea.nm_linear 3:8 %x, %v, %i bias %b {name = "nm38_m5"}
      : (tensor<5x512xf32>, tensor<70x192xbf16>, tensor<70x192xi8>, tensor<70xf32>) -> tensor<5x70xf32>
  return %y : tensor<5x70xf32>
}
func.func @nm48_m16(%x: tensor<16x256xbf16>, %v: tensor<40x128xf16>, %i: tensor<40x128xi8>) -> tensor<16x40xbf16> {
  %y = linea.nm_linear 4:8 %x, %v, %i {name = "nm48_m16"}
      : (tensor<16x256xbf16>, tensor<40x128xf16>, tensor<40x128xi8>) -> tensor<16x40xbf16>
  return %y : tensor<16x40xbf16>
}
func.func @shift2_f32_m3(%x: tensor<3x256xf32>, %e: tensor<2x200x256xi8>, %g: tensor<2x200x256xi8>, %b: tensor<200xf32>) -> tensor<3x200xf32> {
  %y = linea.shift_linear %x, %e, %g bias %b {name = "shift2_f32_m3"}
      : (tensor<3x256xf32>, tensor<2x200x256xi8>, tensor<2x200x256xi8>, tensor<200xf32>) -> tensor<3x200xf32>
  return %y : tensor<3x200xf32>
}
func.func @shift1_f16_m16(%x: tensor<16x512xf16>, %e: tensor<1x96x512xi8>, %g: tensor<1x96x512xi8>, %s: tensor<96xf16>) -> tensor<16x96xf16> {
  %y = linea.shift_linear %x, %e, %g scale %s {name = "shift1_f16_m16"}
      : (tensor<16x512xf16>, tensor<1x96x512xi8>, tensor<1x96x512xi8>, tensor<96xf16>) -> tensor<16x96xf16>
  return %y : tensor<16x96xf16>
}
func.func @shift3_m1(%x: tensor<1x512xbf16>, %e: tensor<3x130x512xi8>, %g: tensor<3x130x512xi8>, %s: tensor<130xf32>, %b: tensor<130xbf16>) -> tensor<1x130xbf16> {
  %y = linea.shift_linear %x, %e, %g scale %s bias %b {name = "shift3_m1"}
      : (tensor<1x512xbf16>, tensor<3x130x512xi8>, tensor<3x130x512xi8>, tensor<130xf32>, tensor<130xbf16>) -> tensor<1x130xbf16>
  return %y : tensor<1x130xbf16>
}
func.func @e5m2_g64_m3(%x: tensor<3x1024xf16>, %qw: tensor<200x1024xi8>, %s: tensor<200x16xf16>) -> tensor<3x200xf16> {
  %y = linea.quant_linear %x, %qw, %s format <fp8_e5m2, group 64, scale f16> {name = "e5m2_g64_m3"}
      : (tensor<3x1024xf16>, tensor<200x1024xi8>, tensor<200x16xf16>) -> tensor<3x200xf16>
  return %y : tensor<3x200xf16>
}
func.func @e5m2_m16(%x: tensor<16x512xbf16>, %qw: tensor<64x512xi8>, %s: tensor<64x1xf32>, %b: tensor<64xbf16>) -> tensor<16x64xbf16> {
  %y = linea.quant_linear %x, %qw, %s bias %b format <fp8_e5m2, scale f32> {name = "e5m2_m16"}
      : (tensor<16x512xbf16>, tensor<64x512xi8>, tensor<64x1xf32>, tensor<64xbf16>) -> tensor<16x64xbf16>
  return %y : tensor<16x64xbf16>
}
func.func @uint8_g128_m5(%x: tensor<5x512xbf16>, %qw: tensor<100x512xi8>, %s: tensor<100x4xbf16>, %z: tensor<100x4xi8>, %b: tensor<100xbf16>) -> tensor<5x100xbf16> {
  %y = linea.quant_linear %x, %qw, %s zero_points %z bias %b format <uint8, group 128, scale bf16> {name = "uint8_g128_m5"}
      : (tensor<5x512xbf16>, tensor<100x512xi8>, tensor<100x4xbf16>, tensor<100x4xi8>, tensor<100xbf16>) -> tensor<5x100xbf16>
  return %y : tensor<5x100xbf16>
}
func.func @uint8_m16(%x: tensor<16x256xf16>, %qw: tensor<72x256xi8>, %s: tensor<72x1xf16>, %z: tensor<72x1xi8>) -> tensor<16x72xf16> {
  %y = linea.quant_linear %x, %qw, %s zero_points %z format <uint8, scale f16> {name = "uint8_m16"}
      : (tensor<16x256xf16>, tensor<72x256xi8>, tensor<72x1xf16>, tensor<72x1xi8>) -> tensor<16x72xf16>
  return %y : tensor<16x72xf16>
}
func.func @nf4_g64_m1(%x: tensor<1x1024xbf16>, %qw: tensor<100x512xi8>, %s: tensor<100x16xbf16>) -> tensor<1x100xbf16> {
  %y = linea.quant_linear %x, %qw, %s format <nf4, scale bf16> {name = "nf4_g64_m1"}
      : (tensor<1x1024xbf16>, tensor<100x512xi8>, tensor<100x16xbf16>) -> tensor<1x100xbf16>
  return %y : tensor<1x100xbf16>
}
func.func @nf4_g128_m16(%x: tensor<16x512xf16>, %qw: tensor<64x256xi8>, %s: tensor<64x4xf16>, %b: tensor<64xf16>) -> tensor<16x64xf16> {
  %y = linea.quant_linear %x, %qw, %s bias %b format <nf4, group 128, scale f16> {name = "nf4_g128_m16"}
      : (tensor<16x512xf16>, tensor<64x256xi8>, tensor<64x4xf16>, tensor<64xf16>) -> tensor<16x64xf16>
  return %y : tensor<16x64xf16>
}
func.func @mxfp4_m3(%x: tensor<3x1024xbf16>, %qw: tensor<200x512xi8>, %s: tensor<200x32xf8E8M0FNU>) -> tensor<3x200xbf16> {
  %y = linea.quant_linear %x, %qw, %s format <mxfp4> {name = "mxfp4_m3"}
      : (tensor<3x1024xbf16>, tensor<200x512xi8>, tensor<200x32xf8E8M0FNU>) -> tensor<3x200xbf16>
  return %y : tensor<3x200xbf16>
}
func.func @mxfp4_m16(%x: tensor<16x512xf32>, %qw: tensor<64x256xi8>, %s: tensor<64x16xf8E8M0FNU>, %b: tensor<64xf32>) -> tensor<16x64xf32> {
  %y = linea.quant_linear %x, %qw, %s bias %b format <mxfp4> {name = "mxfp4_m16"}
      : (tensor<16x512xf32>, tensor<64x256xi8>, tensor<64x16xf8E8M0FNU>, tensor<64xf32>) -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}
func.func @nvfp4_m1_small(%x: tensor<1x512xbf16>, %qw: tensor<100x256xi8>, %s: tensor<100x32xf8E4M3FN>, %t: tensor<f32>) -> tensor<1x100xbf16> {
  %y = linea.quant_linear %x, %qw, %s tensor_scale %t format <nvfp4> {name = "nvfp4_m1_small"}
      : (tensor<1x512xbf16>, tensor<100x256xi8>, tensor<100x32xf8E4M3FN>, tensor<f32>) -> tensor<1x100xbf16>
  return %y : tensor<1x100xbf16>
}
func.func @nvfp4_m16(%x: tensor<16x1024xf16>, %qw: tensor<64x512xi8>, %s: tensor<64x64xf8E4M3FN>, %t: tensor<f32>, %b: tensor<64xf16>) -> tensor<16x64xf16> {
  %y = linea.quant_linear %x, %qw, %s tensor_scale %t bias %b format <nvfp4> {name = "nvfp4_m16"}
      : (tensor<16x1024xf16>, tensor<64x512xi8>, tensor<64x64xf8E4M3FN>, tensor<f32>, tensor<64xf16>) -> tensor<16x64xf16>
  return %y : tensor<16x64xf16>
}
