// ptxas accepts the scan and recurrence kernels for sm_90a, none spills,
// and every launch of the manifest names a kernel of the cubin.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{rows-per-lane=4,8 chunkwise=0},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK: "cubin": "linea_kernels.cubin"
// CHECK: "symbol": "linea_s0_ssm_p1"
// CHECK: "symbol": "linea_s0_ssm_p2"
// CHECK: "symbol": "linea_s0_ssm_p3"
// CHECK: "op": "selective_scan"
// CHECK: "symbol": "linea_s1_lru"
// CHECK: "symbol": "linea_s2_gla_r4"
// CHECK: "symbol": "linea_s2_gla_r8"
// CHECK: "symbol": "linea_s3_delta_r4"
// CHECK: "symbol": "linea_s3_delta_r8"
// CHECK: "symbol": "linea_s4_la_r4"
// CHECK: "symbol": "linea_s4_la_r8"
// 3 + 1 + 2 + 2 + 2 kernels, none spilling.
// SPILLS-COUNT-10: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-NOT: bytes spill stores
func.func @seq(%u: tensor<1x300x64xbf16>, %dt: tensor<1x300x64xbf16>, %A: tensor<64x16xf32>,
               %B: tensor<1x300x16xbf16>, %C: tensor<1x300x16xbf16>, %D: tensor<64xf32>,
               %z: tensor<1x300x64xbf16>, %db: tensor<64xf32>, %h0: tensor<1x64x16xf32>,
               %a: tensor<64x40x1024xf16>, %b: tensor<64x40x1024xf16>,
               %q: tensor<1x2x40x64xbf16>, %k: tensor<1x2x40x64xbf16>, %v: tensor<1x2x40x64xbf16>,
               %g: tensor<1x2x40x64xbf16>, %beta: tensor<1x2x40xbf16>)
    -> (tensor<1x300x64xbf16>, tensor<1x64x16xf32>, tensor<64x40x1024xf16>,
        tensor<1x2x40x64xbf16>, tensor<1x2x64x64xf32>, tensor<1x2x40x64xbf16>,
        tensor<1x2x64x64xf32>, tensor<1x2x40x64xbf16>) {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0
      {delta_softplus, name = "ssm"}
      : (tensor<1x300x64xbf16>, tensor<1x300x64xbf16>, tensor<64x16xf32>, tensor<1x300x16xbf16>,
         tensor<1x300x16xbf16>, tensor<64xf32>, tensor<1x300x64xbf16>, tensor<64xf32>,
         tensor<1x64x16xf32>) -> (tensor<1x300x64xbf16>, tensor<1x64x16xf32>)
  %h = linea.linear_scan %a, %b {name = "lru"}
      : (tensor<64x40x1024xf16>, tensor<64x40x1024xf16>) -> tensor<64x40x1024xf16>
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g {name = "gla"}
      : (tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>)
      -> (tensor<1x2x40x64xbf16>, tensor<1x2x64x64xf32>)
  %o2, %s2 = linea.delta_rule %q, %k, %v, %beta {name = "delta"}
      : (tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>, tensor<1x2x40xbf16>)
      -> (tensor<1x2x40x64xbf16>, tensor<1x2x64x64xf32>)
  %o3 = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "la"}
      : (tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>) -> tensor<1x2x40x64xbf16>
  return %y, %hT, %h, %o, %s, %o2, %s2, %o3
      : tensor<1x300x64xbf16>, tensor<1x64x16xf32>, tensor<64x40x1024xf16>,
        tensor<1x2x40x64xbf16>, tensor<1x2x64x64xf32>, tensor<1x2x40x64xbf16>,
        tensor<1x2x64x64xf32>, tensor<1x2x40x64xbf16>
}
