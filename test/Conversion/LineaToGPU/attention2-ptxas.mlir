// Masked attention and the other head dims through NVPTX and ptxas (sm_90a):
// mask pairs read as one 8-byte global load, odd masks element-wise, D = 96
// (guarded copy pass), D = 256 prefill (R = 16) and decode, none spilling.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK-LABEL: .visible .entry linea_a0_mask_fa_r32b32(
// CHECK: ld.global.v2.b32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: fma.rn.f32
// CHECK: ex2.approx.ftz.f32
// CHECK-LABEL: .visible .entry linea_a0_mask_fa_r32b32_hx(
// CHECK-LABEL: .visible .entry linea_a1_dmask_fd_b64(
// CHECK: ld.global.b16
// CHECK-LABEL: .visible .entry linea_a2_d96_fa_r32b32(
// CHECK-LABEL: .visible .entry linea_a3_d256_fa_r16b32(
// CHECK-LABEL: .visible .entry linea_a4_dec256_fd_b64(

// ptxas reports the kernels last to first; no kernel spills.
// SPILLS-NOT: {{[1-9][0-9]*}} bytes spill
// SPILLS: Function properties for linea_a4_dec256_fd_b64{{$}}
// SPILLS-NOT: {{[1-9][0-9]*}} bytes spill
// SPILLS: Function properties for linea_a0_mask_fa_r32b32{{$}}
// SPILLS-NOT: {{[1-9][0-9]*}} bytes spill
func.func @attn(%q: tensor<2x4x130x64xf16>, %k: tensor<2x4x334x64xf16>,
                %v: tensor<2x4x334x64xf16>, %m: tensor<1x1x130x334xf32>,
                %qd: tensor<1x4x1x64xbf16>, %kd: tensor<1x4x777x64xbf16>,
                %vd: tensor<1x4x777x64xbf16>, %md: tensor<1x4x1x777xbf16>,
                %q96: tensor<1x4x150x96xbf16>, %k96: tensor<1x2x150x96xbf16>,
                %q256: tensor<1x2x150x256xf16>, %k256: tensor<1x2x170x256xf16>,
                %qd256: tensor<1x16x1x256xbf16>, %kd256: tensor<1x2x2000x256xbf16>)
    -> (tensor<2x4x130x64xf16>, tensor<1x4x1x64xbf16>, tensor<1x4x150x96xbf16>,
        tensor<1x2x150x256xf16>, tensor<1x16x1x256xbf16>) {
  %o = linea.attention %q, %k, %v mask %m {causal, name = "mask"}
      : (tensor<2x4x130x64xf16>, tensor<2x4x334x64xf16>, tensor<2x4x334x64xf16>, tensor<1x1x130x334xf32>) -> tensor<2x4x130x64xf16>
  %od = linea.attention %qd, %kd, %vd mask %md {name = "dmask"}
      : (tensor<1x4x1x64xbf16>, tensor<1x4x777x64xbf16>, tensor<1x4x777x64xbf16>, tensor<1x4x1x777xbf16>) -> tensor<1x4x1x64xbf16>
  %o96 = linea.attention %q96, %k96, %k96 {causal, name = "d96"}
      : (tensor<1x4x150x96xbf16>, tensor<1x2x150x96xbf16>, tensor<1x2x150x96xbf16>) -> tensor<1x4x150x96xbf16>
  %o256 = linea.attention %q256, %k256, %k256 {name = "d256"}
      : (tensor<1x2x150x256xf16>, tensor<1x2x170x256xf16>, tensor<1x2x170x256xf16>) -> tensor<1x2x150x256xf16>
  %od256 = linea.attention %qd256, %kd256, %kd256 {name = "dec256"}
      : (tensor<1x16x1x256xbf16>, tensor<1x2x2000x256xbf16>, tensor<1x2x2000x256xbf16>) -> tensor<1x16x1x256xbf16>
  return %o, %od, %o96, %o256, %od256 : tensor<2x4x130x64xf16>, tensor<1x4x1x64xbf16>, tensor<1x4x150x96xbf16>, tensor<1x2x150x256xf16>, tensor<1x16x1x256xbf16>
}
