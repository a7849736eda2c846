// The SageAttention kernels through NVPTX and ptxas: the PTX holds the int8
// Q·Kᵀ (mma.sync m16n8k32 s8), the e4m3 rounding of P and V (cvt to
// e4m3x2 and back to f16x2), the f16 P·V mma, roundEven (cvt.rni) and the
// prologue's atomics; ptxas accepts it for sm_90a and the default main
// kernel (32 rows per warp × 32 keys) does not spill.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK: .target sm_90a
// CHECK-LABEL: .visible .entry linea_q0_pre_sage_sums(
// CHECK: atom.global.add.f32
// CHECK-LABEL: .visible .entry linea_q0_pre_sage_vmax(
// CHECK: atom.global.max.s32
// CHECK-LABEL: .visible .entry linea_q0_pre_sage_quant_kv(
// CHECK: cvt.rni.f32.f32
// CHECK: cvt.rn.satfinite.e4m3x2.f32
// CHECK: cvt.rn.f16x2.e4m3x2
// CHECK-LABEL: .visible .entry linea_q0_pre_sage_r32b32(
// CHECK: cp.async.cg.shared.global
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK: cvt.rpi.f32.f32
// CHECK: ex2.approx.ftz.f32
// CHECK: cvt.rn.satfinite.e4m3x2.f32
// CHECK: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-LABEL: .visible .entry linea_q1_ex_sage_r32b32(
// CHECK: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

// SPILLS-LABEL: Function properties for linea_q1_ex_sage_r32b32{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-LABEL: Function properties for linea_q0_pre_sage_r32b32{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
func.func @attn(%q: tensor<1x4x200x128xbf16>, %k: tensor<1x2x200x128xbf16>,
                %v: tensor<1x2x200x128xbf16>, %q2: tensor<1x2x70x64xbf16>,
                %k2: tensor<1x2x90x64xbf16>, %v2: tensor<1x2x90x64xbf16>)
    -> (tensor<1x4x200x128xbf16>, tensor<1x2x70x64xbf16>) {
  %o = linea.attention %q, %k, %v {causal, name = "pre", quant = #linea.attn_quant<k_block = 32, values = fp8_e4m3_smoothed>}
      : (tensor<1x4x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>) -> tensor<1x4x200x128xbf16>
  %o2 = linea.attention %q2, %k2, %v2 {name = "ex", quant = #linea.attn_quant<values = exact>}
      : (tensor<1x2x70x64xbf16>, tensor<1x2x90x64xbf16>, tensor<1x2x90x64xbf16>) -> tensor<1x2x70x64xbf16>
  return %o, %o2 : tensor<1x4x200x128xbf16>, tensor<1x2x70x64xbf16>
}
