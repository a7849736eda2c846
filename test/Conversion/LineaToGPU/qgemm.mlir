// The prefill quantized GEMM (MmaGemmKernel.cpp) down to PTX: x and packed
// int4 tiles by cp.async into dynamic shared memory (commit groups, wait for
// all but stages − 2), 16-byte shared loads, the packed int4 decode of
// MmaDecode.h (lop3 into bf16 pair mantissas, packed subtract, packed group
// scale), x pairs by prmt, mma.sync m16n8k16 with f32 accumulators.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{quant-gemm-min-rows=64 quant-gemm-tiles=128x128x64x32,64x64x32x32x4},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// Below the threshold (M = 16) and with quant-gemm-min-rows=0 the decode
// kernels stay.
// RUN: linea-opt %s --linea-to-gpu='quant-gemm-min-rows=0' | FileCheck %s --check-prefix=OFF
// (wgmma=0: on sm_90a int4/uint4 layers would get the wgmma GEMM, qwgmma.mlir.)
// RUN: linea-opt %s --linea-to-gpu='quant-gemm-min-rows=1 wgmma=0' | FileCheck %s --check-prefix=FORCE

// CHECK: .extern .shared .align 16 .b8 linea_attention_smem[];
// CHECK-LABEL: .visible .entry linea_0_q4_qg128x128x64x32s3(
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, {{.*}};
// CHECK: cp.async.commit_group;
// CHECK-DAG: cp.async.wait_group 1;
// CHECK-DAG: bar.sync 0;
// CHECK-DAG: ld.shared.v4.b32
// CHECK-DAG: xor.b32 {{.*}}-2004318072
// CHECK-DAG: lop3.b32 {{.*}}, 0xEA;
// CHECK-DAG: mul.rn.bf16x2
// CHECK-DAG: prmt.b32 {{.*}}0x5410U;
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: st.global.b16
// CHECK-LABEL: .visible .entry linea_0_q4_qg64x64x32x32s4(
// CHECK: cp.async.wait_group 2;
// uint4 zero points, f16, per-channel scales in the epilogue, bias.
// CHECK-LABEL: .visible .entry linea_1_u4_qg128x128x64x32s3(
// CHECK: sub.rn.f16x2
// CHECK-NOT: mul.rn.f16x2
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: mul.rn.f32

// 8 warps and 3 stages of (128·256 + 128·64) bytes; grid (N/128, ⌈M/128⌉)
// (keys in alphabetical order, the symbol after the launch).
// MANIFEST: "block": [
// MANIFEST-NEXT: 256,
// MANIFEST: "grid": [
// MANIFEST-NEXT: 4,
// MANIFEST-NEXT: 2,
// MANIFEST: "kind": "mma_gemm",
// MANIFEST: "shared_bytes": 122880,
// MANIFEST-NEXT: "symbol": "linea_0_q4_qg128x128x64x32s3"
// MANIFEST: "block": [
// MANIFEST-NEXT: 128,
// MANIFEST: "shared_bytes": 81920,
// MANIFEST-NEXT: "symbol": "linea_0_q4_qg64x64x32x32s4"
// MANIFEST: "symbol": "linea_1_u4_qg128x128x64x32s3"
// MANIFEST: "symbol": "linea_2_q4_m16_r2u1_gs"

// int8 codes with f16 x and group scales: bytes by prmt into f16 1024 + 128 + q
// (minus 1152), the packed group scale; fp8 e4m3 with bf16 x: cvt to f16
// pairs, f32, packed to bf16; per-channel scales in the epilogue.
// CHECK-LABEL: .visible .entry linea_3_i8_qg128x128x64x32s3(
// CHECK-DAG: prmt.b32 {{.*}}0x4140U;
// CHECK-DAG: mul.rn.f16x2
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-LABEL: .visible .entry linea_4_f8_qg128x128x64x32s3(
// CHECK-DAG: cvt.rn.f16x2.e4m3x2
// CHECK-DAG: cvt.rn.bf16x2.f32
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

// OFF-NOT: _qg
// Without quant-gemm-tiles the tile follows M (64x128 below M = 256).
// FORCE: gpu.func @linea_2_q4_m16_qg64x128x32x32s3(
func.func @prefill(%x: tensor<200x1024xbf16>, %qw: tensor<512x512xi8>,
                   %s: tensor<512x8xbf16>, %xh: tensor<2x64x512xf16>,
                   %qu: tensor<256x256xi8>, %su: tensor<256x1xf16>,
                   %zu: tensor<256x1xi8>, %bu: tensor<256xf16>,
                   %x16: tensor<16x1024xbf16>, %xh2: tensor<96x1024xf16>,
                   %q8: tensor<136x1024xi8>, %s8: tensor<136x8xf16>,
                   %s8c: tensor<136x1xf32>)
    -> (tensor<200x512xbf16>, tensor<2x64x256xf16>, tensor<16x512xbf16>,
        tensor<96x136xf16>, tensor<200x136xbf16>) {
  %a = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "q4"}
      : (tensor<200x1024xbf16>, tensor<512x512xi8>, tensor<512x8xbf16>) -> tensor<200x512xbf16>
  %b = linea.quant_linear %xh, %qu, %su zero_points %zu bias %bu
      format <uint4, channel, asymmetric, scale f16> {name = "u4"}
      : (tensor<2x64x512xf16>, tensor<256x256xi8>, tensor<256x1xf16>,
         tensor<256x1xi8>, tensor<256xf16>) -> tensor<2x64x256xf16>
  %c = linea.quant_linear %x16, %qw, %s format <int4, group 128, scale bf16>
      {name = "q4_m16"}
      : (tensor<16x1024xbf16>, tensor<512x512xi8>, tensor<512x8xbf16>) -> tensor<16x512xbf16>
  %d = linea.quant_linear %xh2, %q8, %s8 format <int8, group 128, scale f16>
      {name = "i8"}
      : (tensor<96x1024xf16>, tensor<136x1024xi8>, tensor<136x8xf16>) -> tensor<96x136xf16>
  %e = linea.quant_linear %x, %q8, %s8c format <fp8_e4m3, scale f32>
      {name = "f8"}
      : (tensor<200x1024xbf16>, tensor<136x1024xi8>, tensor<136x1xf32>) -> tensor<200x136xbf16>
  return %a, %b, %c, %d, %e : tensor<200x512xbf16>, tensor<2x64x256xf16>,
      tensor<16x512xbf16>, tensor<96x136xf16>, tensor<200x136xbf16>
}
