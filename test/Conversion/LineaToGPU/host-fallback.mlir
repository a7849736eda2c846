// linea-to-gpu{host-fallback=1}: ops no kernel takes are left in place with
// a remark and listed in linea.cuda_host_ops (manifest.json's host_ops);
// the others still get kernels. Without the option they are errors
// (errors.mlir).
// RUN: linea-opt %s --linea-to-gpu=host-fallback=1 -verify-diagnostics | FileCheck %s
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{host-fallback=1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null 2>/dev/null
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json

// CHECK: module attributes {gpu.container_module, linea.cuda_host_ops = [{layer = "embed", op = "linear", reason = "linea-to-gpu: dense weights must be bf16 or f16, got 'f32'"}, {layer = "", op = "attention", reason = "linea-to-gpu: attention head dim D = 48 is not supported (32, 64, 96, 128 or 256)"}]
// CHECK-LABEL: func.func @model
// CHECK: linea.linear {{.*}}name = "embed"
// CHECK: linea.attention
// CHECK: linea.quant_linear {{.*}}name = "proj"
// CHECK: gpu.func @linea_0_proj_

// MANIFEST: "host_ops": [
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "layer": "embed",
// MANIFEST-NEXT: "op": "linear",
// MANIFEST-NEXT: "reason": "linea-to-gpu: dense weights must be bf16 or f16, got 'f32'"
// MANIFEST: "op": "attention",
// MANIFEST: "kernels": [
// MANIFEST: "layer": "proj",
func.func @model(%x: tensor<1x64xf32>, %w: tensor<256x64xf32>,
                 %q: tensor<1x4x8x48xf32>, %qw: tensor<128x128xi8>,
                 %s: tensor<128x2xf32>)
    -> (tensor<1x256xf32>, tensor<1x4x8x48xf32>, tensor<1x128xf32>) {
  // expected-remark @+1 {{linea-to-gpu: left for the host (no CUDA kernel): linea-to-gpu: dense weights must be bf16 or f16, got 'f32'}}
  %e = linea.linear %x, %w {name = "embed"}
      : (tensor<1x64xf32>, tensor<256x64xf32>) -> tensor<1x256xf32>
  // expected-remark @+1 {{linea-to-gpu: left for the host (no CUDA kernel): linea-to-gpu: attention head dim D = 48 is not supported (32, 64, 96, 128 or 256)}}
  %a = linea.attention %q, %q, %q {scale = 0.17677669 : f32}
      : (tensor<1x4x8x48xf32>, tensor<1x4x8x48xf32>, tensor<1x4x8x48xf32>) -> tensor<1x4x8x48xf32>
  %x2 = tensor.extract_slice %e[0, 0] [1, 256] [1, 1] : tensor<1x256xf32> to tensor<1x256xf32>
  %y = linea.quant_linear %x2, %qw, %s format <int4, group 128, scale f32> {name = "proj"}
      : (tensor<1x256xf32>, tensor<128x128xi8>, tensor<128x2xf32>) -> tensor<1x128xf32>
  return %e, %a, %y : tensor<1x256xf32>, tensor<1x4x8x48xf32>, tensor<1x128xf32>
}
