// The cp.async-prefetching chunkwise kernels (suffix _v32_pf: GLA with f32 and
// 16-bit gates, linear attention, the two-launch delta rule's walk) and
// the delta rule's 16-column value tiles (_2l_v16): manifest entries, the
// double-buffered copies in the PTX (odd and even chunk counts), and ptxas
// (sm_90a) builds every one without spills.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{chunkwise=1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: FileCheck %s --check-prefix=PTX --input-file %t/linea_kernels.ptx
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | grep -A1 -E "Function properties for linea_s[0-9]_[a-z0-9]+_(v32_)?pf$|_2l(_v16)?(_pf)?_p[12]$" | FileCheck %s --check-prefix=SPILLS

// CHECK: "symbol": "linea_s0_gla64_v32_pf"
// CHECK: "value_tile": 32
// CHECK: "symbol": "linea_s1_gla128_v32_pf"
// CHECK: "symbol": "linea_s2_la64_v32_pf"
// CHECK: "symbol": "linea_s3_d64_2l_pf"
// CHECK: "symbol": "linea_s3_d64_2l_v16"
// CHECK: "value_tile": 16
// CHECK: "symbol": "linea_s3_d64_2l_v16_pf"
// CHECK: "symbol": "linea_s4_d128_2l_pf"
// CHECK: "symbol": "linea_s4_d128_2l_v16"
// CHECK: "symbol": "linea_s4_d128_2l_v16_pf"

// PTX-LABEL: .entry linea_s0_gla64_v32_pf(
// PTX: cp.async.cg.shared.global
// PTX: cp.async.commit_group
// PTX: cp.async.wait_group 0
// PTX-LABEL: .entry linea_s3_d64_2l_pf_p2(
// PTX: cp.async.cg.shared.global
// PTX: cp.async.wait_group 0

// 3 GLA + LA kernels _v32_pf, 2 × 2 × 4 delta-rule launches of _2l,
// _2l_pf, _2l_v16, _2l_v16_pf.
// SPILLS-COUNT-19: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-NOT: bytes spill stores
func.func @seq(%q: tensor<1x2x100x64xbf16>, %k: tensor<1x2x100x64xbf16>,
               %v: tensor<1x2x100x64xbf16>, %g: tensor<1x2x100x64xf32>,
               %q2: tensor<1x2x150x128xf16>, %k2: tensor<1x2x150x128xf16>,
               %v2: tensor<1x2x150x128xf16>, %g2: tensor<1x2x150x128xbf16>,
               %s0: tensor<1x2x128x128xf32>, %beta: tensor<1x2x100xbf16>,
               %beta2: tensor<1x2x150xf32>)
    -> (tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>, tensor<1x2x150x128xf16>,
        tensor<1x2x128x128xf32>, tensor<1x2x100x64xbf16>,
        tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>,
        tensor<1x2x150x128xf16>, tensor<1x2x128x128xf32>) {
  %o1, %s1 = linea.gated_linear_attention %q, %k, %v, %g {name = "gla64"}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>,
         tensor<1x2x100x64xf32>) -> (tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>)
  %o2, %s2 = linea.gated_linear_attention %q2, %k2, %v2, %g2 initial_state %s0 {name = "gla128"}
      : (tensor<1x2x150x128xf16>, tensor<1x2x150x128xf16>, tensor<1x2x150x128xf16>,
         tensor<1x2x150x128xbf16>, tensor<1x2x128x128xf32>)
      -> (tensor<1x2x150x128xf16>, tensor<1x2x128x128xf32>)
  %o3 = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "la64"}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>)
      -> tensor<1x2x100x64xbf16>
  %o4, %s4 = linea.delta_rule %q, %k, %v, %beta {name = "d64"}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>,
         tensor<1x2x100xbf16>) -> (tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>)
  %o5, %s5 = linea.delta_rule %q2, %k2, %v2, %beta2 initial_state %s0 {name = "d128"}
      : (tensor<1x2x150x128xf16>, tensor<1x2x150x128xf16>, tensor<1x2x150x128xf16>,
         tensor<1x2x150xf32>, tensor<1x2x128x128xf32>)
      -> (tensor<1x2x150x128xf16>, tensor<1x2x128x128xf32>)
  return %o1, %s1, %o2, %s2, %o3, %o4, %s4, %o5, %s5
      : tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>, tensor<1x2x150x128xf16>,
        tensor<1x2x128x128xf32>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>,
        tensor<1x2x64x64xf32>, tensor<1x2x150x128xf16>, tensor<1x2x128x128xf32>
}
