// ptxas accepts the chunkwise kernels for sm_90a (Dk, Dv in {64, 128},
// bf16 and f16, gates of every float type, value tiles of 64 and 32, and
// the cp.async-prefetching _v32_pf) and none spills.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{chunkwise=1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK: "symbol": "linea_s0_gla64"
// CHECK: "symbol": "linea_s0_gla64_v32"
// CHECK: "symbol": "linea_s1_gla128"
// CHECK: "symbol": "linea_s1_gla128_v32"
// CHECK: "symbol": "linea_s2_la64"
// CHECK: "symbol": "linea_s2_la64_v32"
// CHECK: "symbol": "linea_s3_la128"
// CHECK: "symbol": "linea_s3_la128_v32"
// CHECK: "symbol": "linea_s3_la128_v32_pf"
// SPILLS-COUNT-12: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-NOT: bytes spill stores
func.func @seq(%q: tensor<1x2x100x64xbf16>, %k: tensor<1x2x100x64xbf16>,
               %v: tensor<1x2x100x64xbf16>, %g: tensor<1x2x100x64xf32>,
               %q2: tensor<1x2x100x128xf16>, %k2: tensor<1x2x100x128xf16>,
               %v2: tensor<1x2x100x128xf16>, %g2: tensor<1x2x100x128xbf16>,
               %s0: tensor<1x2x128x128xf32>, %v3: tensor<1x2x100x64xf16>)
    -> (tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>, tensor<1x2x100x128xf16>,
        tensor<1x2x128x128xf32>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xf16>) {
  %o1, %s1 = linea.gated_linear_attention %q, %k, %v, %g {name = "gla64"}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>,
         tensor<1x2x100x64xf32>) -> (tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>)
  %o2, %s2 = linea.gated_linear_attention %q2, %k2, %v2, %g2 initial_state %s0 {name = "gla128"}
      : (tensor<1x2x100x128xf16>, tensor<1x2x100x128xf16>, tensor<1x2x100x128xf16>,
         tensor<1x2x100x128xbf16>, tensor<1x2x128x128xf32>)
      -> (tensor<1x2x100x128xf16>, tensor<1x2x128x128xf32>)
  %o3 = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "la64"}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>)
      -> tensor<1x2x100x64xbf16>
  %o4 = linea.linear_attention %q2, %k2, %v3 feature_map binary {causal, name = "la128"}
      : (tensor<1x2x100x128xf16>, tensor<1x2x100x128xf16>, tensor<1x2x100x64xf16>)
      -> tensor<1x2x100x64xf16>
  return %o1, %s1, %o2, %s2, %o3, %o4 : tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>,
      tensor<1x2x100x128xf16>, tensor<1x2x128x128xf32>, tensor<1x2x100x64xbf16>,
      tensor<1x2x100x64xf16>
}
