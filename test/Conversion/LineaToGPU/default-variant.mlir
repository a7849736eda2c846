// With no variant options, linea-to-gpu picks one kernel per layer from the
// H100 measurements (docs/cuda.md): mma.sync for large quantized layers and
// for large layers with M > 1 (two 16-row tiles per warp above M = 8), the
// CUDA-core GEMV for dense M = 1 and for small layers; the mma.sync kernels
// prefetch their next steps' loads (suffix p). Explicit options build
// exactly what they name, without prefetching unless asked.
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s
// RUN: linea-opt %s --linea-to-gpu="tensor-cores=0" | FileCheck %s --check-prefix=GEMV
// RUN: linea-opt %s --linea-to-gpu="unroll=4" | FileCheck %s --check-prefix=UNROLL
// RUN: linea-opt %s --linea-to-gpu="tensor-cores=1 rows-per-warp=1" | FileCheck %s --check-prefix=EXPLICIT

// CHECK-DAG: gpu.func @linea_0_q_m1_r1u2_tcp(
// CHECK-DAG: gpu.func @linea_1_q_m16_r2u2_tcp(
// CHECK-DAG: gpu.func @linea_2_dense_m1_r2u2_gs(
// CHECK-DAG: gpu.func @linea_3_dense_m8_r1u2_tcp(
// CHECK-DAG: gpu.func @linea_4_q_small_r2u2_gs(
// CHECK-NOT: gpu.func @linea_0_q_m1_r2u2_gs(
// GEMV-NOT: _tc
// UNROLL-NOT: _tc
// EXPLICIT: gpu.func @linea_0_q_m1_r1u2_tc(
// EXPLICIT-NOT: _tcp
// UNROLL: gpu.func @linea_0_q_m1_r2u4_gs(
func.func @layers(%x1: tensor<1x4096xbf16>, %x8: tensor<8x4096xbf16>,
                  %x16: tensor<16x4096xbf16>,
                  %q: tensor<4096x2048xi8>, %s: tensor<4096x32xbf16>,
                  %w: tensor<4096x4096xbf16>,
                  %qs: tensor<256x2048xi8>, %ss: tensor<256x32xbf16>)
    -> (tensor<1x4096xbf16>, tensor<16x4096xbf16>, tensor<1x4096xbf16>,
        tensor<8x4096xbf16>, tensor<1x256xbf16>) {
  %0 = linea.quant_linear %x1, %q, %s format <int4, group 128, scale bf16>
      {name = "q_m1"}
      : (tensor<1x4096xbf16>, tensor<4096x2048xi8>, tensor<4096x32xbf16>) -> tensor<1x4096xbf16>
  %1 = linea.quant_linear %x16, %q, %s format <int4, group 128, scale bf16>
      {name = "q_m16"}
      : (tensor<16x4096xbf16>, tensor<4096x2048xi8>, tensor<4096x32xbf16>) -> tensor<16x4096xbf16>
  %2 = linea.linear %x1, %w {name = "dense_m1"}
      : (tensor<1x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<1x4096xbf16>
  %3 = linea.linear %x8, %w {name = "dense_m8"}
      : (tensor<8x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<8x4096xbf16>
  %4 = linea.quant_linear %x1, %qs, %ss format <int4, group 128, scale bf16>
      {name = "q_small"}
      : (tensor<1x4096xbf16>, tensor<256x2048xi8>, tensor<256x32xbf16>) -> tensor<1x256xbf16>
  return %0, %1, %2, %3, %4 : tensor<1x4096xbf16>, tensor<16x4096xbf16>, tensor<1x4096xbf16>, tensor<8x4096xbf16>, tensor<1x256xbf16>
}
