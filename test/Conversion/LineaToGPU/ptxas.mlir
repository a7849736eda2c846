// ptxas accepts the generated PTX for sm_90a, and the manifest names the cubin.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{rows-per-warp=1,2 unroll=1,2},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILLS

// CHECK: "cubin": "linea_kernels.cubin"
// Eight kernels (2 layers × 2 rows-per-warp × 2 unroll), none spilling.
// SPILLS-COUNT-8: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SPILLS-NOT: bytes spill stores
func.func @layers(%x: tensor<4x4096xf16>, %qw: tensor<512x2048xi8>,
                  %s: tensor<512x32xf16>, %z: tensor<512x32xi8>,
                  %b: tensor<512xf16>, %xb: tensor<1x1024xbf16>,
                  %w: tensor<64x1024xbf16>)
    -> (tensor<4x512xf16>, tensor<1x64xbf16>) {
  %q = linea.quant_linear %x, %qw, %s zero_points %z bias %b
      format <uint4, group 128, scale f16>
      : (tensor<4x4096xf16>, tensor<512x2048xi8>, tensor<512x32xf16>,
         tensor<512x32xi8>, tensor<512xf16>) -> tensor<4x512xf16>
  %d = linea.linear %xb, %w
      : (tensor<1x1024xbf16>, tensor<64x1024xbf16>) -> tensor<1x64xbf16>
  return %q, %d : tensor<4x512xf16>, tensor<1x64xbf16>
}
