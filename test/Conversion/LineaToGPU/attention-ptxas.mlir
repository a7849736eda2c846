// The attention kernels through NVPTX and ptxas: the PTX holds the tensor-core
// path (mma.sync, ldmatrix[.trans], cp.async with zero-fill, ex2.approx, the
// extern dynamic shared memory), ptxas accepts it for sm_90a, and the
// default prefill (32 rows per warp × 32 keys) and the decode kernels do not
// spill.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK: .target sm_90a
// CHECK: .extern .shared .align 16 .b8 linea_attention_smem[];
// CHECK-LABEL: .visible .entry linea_a0_pre_fa_r32b32(
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, %r{{[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: cp.async.wait_group 0;
// CHECK: bar.sync 0;
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: shfl.sync.bfly.b32
// CHECK: ex2.approx.ftz.f32
// CHECK: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-LABEL: .visible .entry linea_a1_dec_fd_b64(
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-LABEL: .visible .entry linea_a1_dec_fd_b64_combine(
// CHECK: ex2.approx.ftz.f32

// SPILLS-LABEL: Function properties for linea_a1_dec_fd_b64_combine{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-LABEL: Function properties for linea_a1_dec_fd_b64{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-LABEL: Function properties for linea_a0_pre_fa_r32b32{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
func.func @attn(%q: tensor<1x4x200x128xbf16>, %k: tensor<1x2x200x128xbf16>,
                %v: tensor<1x2x200x128xbf16>, %qd: tensor<2x8x1x128xf16>,
                %kd: tensor<2x2x1000x128xf16>, %vd: tensor<2x2x1000x128xf16>)
    -> (tensor<1x4x200x128xbf16>, tensor<2x8x1x128xf16>) {
  %o = linea.attention %q, %k, %v {causal, name = "pre"}
      : (tensor<1x4x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>) -> tensor<1x4x200x128xbf16>
  %od = linea.attention %qd, %kd, %vd {name = "dec"}
      : (tensor<2x8x1x128xf16>, tensor<2x2x1000x128xf16>, tensor<2x2x1000x128xf16>) -> tensor<2x8x1x128xf16>
  return %o, %od : tensor<1x4x200x128xbf16>, tensor<2x8x1x128xf16>
}
