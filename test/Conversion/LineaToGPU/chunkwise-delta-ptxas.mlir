// ptxas accepts the chunkwise delta-rule kernels for sm_90a (Dk, Dv in
// {64, 128}, bf16 and f16, β in f32 or 16 bits, with and without an initial
// state, value tiles of 64 and 32) and lists their spills.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{chunkwise=1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK: "symbol": "linea_s0_d64"
// CHECK: "symbol": "linea_s0_d64_v32"
// CHECK: "symbol": "linea_s1_d128"
// CHECK: "symbol": "linea_s1_d128_v32"
// SPILLS-COUNT-4: Compiling entry function 'linea_s{{[01]}}_d{{(64|128)}}{{(_v32)?}}' for 'sm_90a'
func.func @seq(%q: tensor<1x2x100x64xbf16>, %k: tensor<1x2x100x64xbf16>,
               %v: tensor<1x2x100x64xbf16>, %beta: tensor<1x2x100xbf16>,
               %q2: tensor<1x2x100x128xf16>, %k2: tensor<1x2x100x128xf16>,
               %v2: tensor<1x2x100x128xf16>, %beta2: tensor<1x2x100xf32>,
               %s0: tensor<1x2x128x128xf32>)
    -> (tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>, tensor<1x2x100x128xf16>,
        tensor<1x2x128x128xf32>) {
  %o1, %s1 = linea.delta_rule %q, %k, %v, %beta {name = "d64"}
      : (tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>,
         tensor<1x2x100xbf16>) -> (tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>)
  %o2, %s2 = linea.delta_rule %q2, %k2, %v2, %beta2 initial_state %s0 {name = "d128"}
      : (tensor<1x2x100x128xf16>, tensor<1x2x100x128xf16>, tensor<1x2x100x128xf16>,
         tensor<1x2x100xf32>, tensor<1x2x128x128xf32>)
      -> (tensor<1x2x100x128xf16>, tensor<1x2x128x128xf32>)
  return %o1, %s1, %o2, %s2 : tensor<1x2x100x64xbf16>, tensor<1x2x64x64xf32>,
      tensor<1x2x100x128xf16>, tensor<1x2x128x128xf32>
}
