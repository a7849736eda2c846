// The int4/uint4 prefill GEMM on wgmma (QuantWgmmaKernel.cpp) down to PTX:
// x by cp.async into the 128-byte-swizzled stages (as the dense wgmma GEMM)
// plus the packed codes of the block's W rows, fence.proxy.async, barrier,
// 16-byte shared loads of the codes, the decode (shift, prmt of byte tig,
// lop3 0x6A into the bf16 mantissa with the sign flip, packed subtract,
// packed group scale), wgmma.mma_async with the decoded weights as the
// register A operand and x by descriptor, commit / wait_group 1, masked
// epilogue. Default selection: M >= 128 int4 group-scale layers on sm_90a
// get it (uint4 and per-channel scales keep mma.sync until they pass on a
// GPU, qwgmma-errors.mlir); sm_89, wgmma=0 and quant-gemm-tiles keep the
// mma.sync GEMM.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{quant-wgmma-tiles=128x128x5,128x128x3},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=DEFAULT
// RUN: linea-opt %s --linea-to-gpu=chip=sm_89 | FileCheck %s --check-prefix=ADA
// RUN: linea-opt %s --linea-to-gpu=wgmma=0 | FileCheck %s --check-prefix=ADA
// RUN: linea-opt %s --linea-to-gpu=quant-gemm-tiles=128x128x64x32 | FileCheck %s --check-prefix=ADA
// RUN: linea-opt %s --linea-to-gpu="wgmma=0,1" | FileCheck %s --check-prefix=BOTH
// RUN: linea-opt %s --linea-to-gpu="quant-gemm-min-rows=0" | FileCheck %s --check-prefix=OFF

// CHECK: .extern .shared .align 16 .b8 linea_attention_smem[];
// CHECK-LABEL: .visible .entry linea_0_q4_qwg128x128x5(
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// CHECK: cp.async.commit_group;
// CHECK-DAG: cp.async.wait_group 2;
// CHECK-DAG: fence.proxy.async.shared::cta;
// CHECK-DAG: bar.sync 0;
// CHECK-DAG: ld.shared.v4.b32
// CHECK-DAG: prmt.b32
// CHECK-DAG: 1124614920
// CHECK-DAG: lop3.b32 {{.*}}, 0x6A;
// CHECK-DAG: add.rn.bf16x2
// CHECK-DAG: mul.rn.bf16x2
// CHECK-DAG: wgmma.fence.sync.aligned;
// CHECK-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{{.*}}}, {%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, %rd{{[0-9]+}}, p, 1, 1, 0;
// CHECK-DAG: wgmma.commit_group.sync.aligned;
// CHECK-DAG: wgmma.wait_group.sync.aligned 1;
// CHECK: wgmma.wait_group.sync.aligned 0;
// CHECK: st.global.b16
// CHECK-LABEL: .visible .entry linea_0_q4_qwg128x128x3(
// CHECK: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// f16 with a bias, ragged M and N (200 × 300).
// CHECK-LABEL: .visible .entry linea_1_h4_qwg128x128x5(
// CHECK: add.rn.f16x2
// CHECK: mul.rn.f16x2
// CHECK: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16

// Two warpgroups (64 W rows each), one block per 128 x rows × 128 W rows
// in a 1-D grid, 5 stages of 128·128 + 128·32 bytes plus the 1 KB
// alignment pad.
// MANIFEST: "block": [
// MANIFEST-NEXT: 256,
// MANIFEST: "grid": [
// MANIFEST-NEXT: 8,
// MANIFEST-NEXT: 1,
// MANIFEST: "kind": "quant_wgmma",
// MANIFEST: "shared_bytes": 103424,
// MANIFEST-NEXT: "symbol": "linea_0_q4_qwg128x128x5"
// MANIFEST: "shared_bytes": 62464,
// MANIFEST-NEXT: "symbol": "linea_0_q4_qwg128x128x3"
// MANIFEST: "symbol": "linea_1_h4_qwg128x128x5"

// DEFAULT: gpu.func @linea_0_q4_qwg128x128x6(
// DEFAULT-NOT: gpu.func @linea_0_q4_qg
// DEFAULT: gpu.func @linea_1_h4_qwg128x128x6(
// DEFAULT: gpu.func @linea_2_small
// DEFAULT-NOT: qwg
// ADA-NOT: qwg
// ADA: gpu.func @linea_0_q4_qg
// ADA-NOT: qwg
// BOTH-DAG: gpu.func @linea_0_q4_qwg128x128x6(
// BOTH-DAG: gpu.func @linea_0_q4_qg128x128x64x32s3(
// OFF-NOT: _qwg
// OFF-NOT: _qg
func.func @layers(%x: tensor<256x1024xbf16>, %qw: tensor<512x512xi8>,
                  %s: tensor<512x8xbf16>, %xh: tensor<200x1024xf16>,
                  %qh: tensor<300x512xi8>, %sh: tensor<300x8xf16>,
                  %bh: tensor<300xf16>, %x16: tensor<16x1024xbf16>)
    -> (tensor<256x512xbf16>, tensor<200x300xf16>, tensor<16x512xbf16>) {
  %a = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "q4"}
      : (tensor<256x1024xbf16>, tensor<512x512xi8>, tensor<512x8xbf16>) -> tensor<256x512xbf16>
  %b = linea.quant_linear %xh, %qh, %sh bias %bh
      format <int4, group 128, scale f16> {name = "h4"}
      : (tensor<200x1024xf16>, tensor<300x512xi8>, tensor<300x8xf16>,
         tensor<300xf16>) -> tensor<200x300xf16>
  %c = linea.quant_linear %x16, %qw, %s format <int4, group 128, scale bf16>
      {name = "small"}
      : (tensor<16x1024xbf16>, tensor<512x512xi8>, tensor<512x8xbf16>) -> tensor<16x512xbf16>
  return %a, %b, %c : tensor<256x512xbf16>, tensor<200x300xf16>, tensor<16x512xbf16>
}
