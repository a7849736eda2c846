// The whole CUDA path short of ptxas: kernels → NVVM → PTX (LLVM NVPTX) →
// files. Checks the instructions the kernel is built on.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{rows-per-warp=2 unroll=2},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json

// CHECK: .target sm_90a
// Bare pointers in the global address space: x, qweight, scales, y.
// CHECK-LABEL: .visible .entry linea_0_gate_r2u2_gs(
// CHECK-COUNT-4: .param .u64 .ptr .global
// CHECK: .maxntid 128, 1, 1
// 16-byte loads of packed codes and of x, issued before the arithmetic.
// CHECK: ld.global.v4.b32
// CHECK: ld.global.v4.b32
// In-register dequantization: sign flip of int4, nibble extract, 2^23 bias.
// CHECK: xor.b32 {{.*}}-2004318072
// CHECK: {{or.b32.*1258291200}}
// CHECK: fma.rn.f32
// Warp reduction.
// CHECK: shfl.sync.bfly.b32
// CHECK: st.global.b16
// The dense kernel: 16-byte loads of bf16 weights, f32 FMAs.
// CHECK-LABEL: .visible .entry linea_1_up_r2u2_gs(
// CHECK: ld.global.v4.b32
// CHECK: cvt.f32.bf16
// CHECK: fma.rn.f32
// CHECK: shfl.sync.bfly.b32

// MANIFEST: "chip": "sm_90a"
// MANIFEST: "cubin": null
// MANIFEST: "symbol": "linea_0_gate_r2u2_gs"
// MANIFEST: "symbol": "linea_1_up_r2u2_gs"
// MANIFEST: "ptx": "linea_kernels.ptx"
func.func @layers(%x: tensor<1x2048xbf16>, %qw: tensor<256x1024xi8>,
                  %s: tensor<256x16xbf16>, %w: tensor<128x2048xbf16>)
    -> (tensor<1x256xbf16>, tensor<1x128xbf16>) {
  %g = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "gate"}
      : (tensor<1x2048xbf16>, tensor<256x1024xi8>, tensor<256x16xbf16>) -> tensor<1x256xbf16>
  %u = linea.linear %x, %w {name = "up"}
      : (tensor<1x2048xbf16>, tensor<128x2048xbf16>) -> tensor<1x128xbf16>
  return %g, %u : tensor<1x256xbf16>, tensor<1x128xbf16>
}
