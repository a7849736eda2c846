// f32 linea.attention (FlashAttentionKernel.cpp): a staging kernel rounds
// q, k, v to f16 workspaces (qh, kh, vh, after the inputs), launched first;
// the tensor-core kernels read the workspaces and write o in f32 (pairs of
// f32, no rounding to 16 bits). The manifest says element f32, compute f16.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: FileCheck %s --check-prefix=PTX --input-file %t/linea_kernels.ptx

// CHECK: "dtype": "f32",
// CHECK-NEXT: "name": "q",
// CHECK: "name": "mask",
// CHECK: "dtype": "f16",
// CHECK-NEXT: "name": "qh",
// CHECK: "name": "kh",
// CHECK: "dtype": "f16",
// CHECK-NEXT: "name": "vh",
// CHECK: "dtype": "f32",
// CHECK-NEXT: "name": "o",
// CHECK: "compute": "f16",
// CHECK: "element": "f32",
// CHECK: "launches": [
// CHECK: "symbol": "linea_a0_pre_stage"
// CHECK: "symbol": "linea_a0_pre_fa_r32b32"
// CHECK: "layer": "pre",
// Decode: staging, the split kernel, the combine.
// CHECK: "name": "kh",
// CHECK: "name": "opart",
// CHECK: "launches": [
// CHECK: "symbol": "linea_a1_dec_stage"
// CHECK: "symbol": "linea_a1_dec_fd_b64"
// CHECK: "symbol": "linea_a1_dec_fd_b64_combine"
// CHECK: "layer": "dec",

// PTX-LABEL: .visible .entry linea_a0_pre_stage(
// PTX: ld.global.v4.b32
// PTX: cvt.rn.f16x2.f32
// PTX: st.global.v2.b32
// PTX-LABEL: .visible .entry linea_a0_pre_fa_r32b32(
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// o as pairs of f32 (no cvt to 16 bits before the store).
// PTX: st.global.v2.b32
// PTX-LABEL: .visible .entry linea_a1_dec_fd_b64_combine(
// PTX-NOT: cvt.rn.f16.f32
// PTX: st.global.b32

func.func @pre(%q: tensor<1x2x100x64xf32>, %k: tensor<1x2x130x64xf32>,
               %v: tensor<1x2x130x64xf32>, %m: tensor<1x1x100x130xf32>)
    -> tensor<1x2x100x64xf32> {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "pre"}
      : (tensor<1x2x100x64xf32>, tensor<1x2x130x64xf32>, tensor<1x2x130x64xf32>, tensor<1x1x100x130xf32>) -> tensor<1x2x100x64xf32>
  return %o : tensor<1x2x100x64xf32>
}

func.func @dec(%q: tensor<2x8x1x128xf32>, %k: tensor<2x2x300x128xf32>,
               %v: tensor<2x2x300x128xf32>) -> tensor<2x8x1x128xf32> {
  %o = linea.attention %q, %k, %v {name = "dec"}
      : (tensor<2x8x1x128xf32>, tensor<2x2x300x128xf32>, tensor<2x2x300x128xf32>) -> tensor<2x8x1x128xf32>
  return %o : tensor<2x8x1x128xf32>
}
