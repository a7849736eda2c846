// The latent-attention decode kernels through NVPTX and ptxas: the PTX holds
// the tensor-core path (cp.async latent rows, ldmatrix for the latent and
// U_hk fragments, mma.sync for the K rebuild, S and P·v_latent,
// ldmatrix.trans for v_latent, ex2.approx), ptxas accepts it for sm_90a and
// no kernel spills. `rope` stages U_hk (D × rk = 64 × 128) in shared memory;
// `big` (rk = 512 at D = 128, f16, no rope) reads it with global loads.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK: .target sm_90a
// CHECK-LABEL: .visible .entry linea_l0_rope_latent_b64(
// CHECK-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, %r{{[0-9]+}};
// CHECK-DAG: cp.async.commit_group;
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-DAG: shfl.sync.bfly.b32
// CHECK-DAG: ex2.approx.ftz.f32
// CHECK-DAG: cp.async.wait_group {{.*}}1;
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-LABEL: .visible .entry linea_l0_rope_latent_b64_combine(
// CHECK: ex2.approx.ftz.f32
// CHECK: shfl.sync.bfly.b32
// CHECK-LABEL: .visible .entry linea_l1_big_latent_b64(
// CHECK: ld.global.nc.b32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// SPILLS-LABEL: Function properties for linea_l1_big_latent_b64_combine{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-LABEL: Function properties for linea_l1_big_latent_b64{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-LABEL: Function properties for linea_l0_rope_latent_b64_combine{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-LABEL: Function properties for linea_l0_rope_latent_b64{{$}}
// SPILLS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
func.func @latent(%q: tensor<1x8x1x64xbf16>, %hk: tensor<1x100x128xbf16>, %uk: tensor<1x128x128xbf16>,
                  %hv: tensor<1x100x128xbf16>, %uv: tensor<1x128x128xbf16>, %cos: tensor<100x64xf32>,
                  %sin: tensor<100x64xf32>, %q2: tensor<2x16x1x128xf16>, %hk2: tensor<2x300x512xf16>,
                  %uk2: tensor<1x512x512xf16>, %hv2: tensor<2x300x256xf16>, %uv2: tensor<1x512x256xf16>)
    -> (tensor<1x8x1x64xbf16>, tensor<2x16x1x128xf16>) {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 2 : i64, name = "rope"}
      : (tensor<1x8x1x64xbf16>, tensor<1x100x128xbf16>, tensor<1x128x128xbf16>, tensor<1x100x128xbf16>, tensor<1x128x128xbf16>, tensor<100x64xf32>, tensor<100x64xf32>) -> tensor<1x8x1x64xbf16>
  %o2 = linea.latent_attention %q2, %hk2, %uk2, %hv2, %uv2 {kv_heads = 4 : i64, name = "big"}
      : (tensor<2x16x1x128xf16>, tensor<2x300x512xf16>, tensor<1x512x512xf16>, tensor<2x300x256xf16>, tensor<1x512x256xf16>) -> tensor<2x16x1x128xf16>
  return %o, %o2 : tensor<1x8x1x64xbf16>, tensor<2x16x1x128xf16>
}
