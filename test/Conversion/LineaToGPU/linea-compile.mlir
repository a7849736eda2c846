// linea-compile --target=cuda writes the CUDA artifacts (docs/cuda.md).
// RUN: rm -rf %t && linea-compile %s --target=cuda -o %t | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: FileCheck %s --check-prefix=PTX --input-file %t/linea_kernels.ptx
// RUN: not linea-compile %S/errors.mlir --target=cuda -o %t/bad 2>&1 | FileCheck %s --check-prefix=ERR

// OUT: wrote {{.*}}linea_kernels.ptx, manifest.json
// CHECK: "layer": "proj"
// CHECK: "symbol": "linea_0_proj_r2u2_gs"
// PTX: .visible .entry linea_0_proj_r2u2_gs(
// ERR: error: linea-to-gpu: no CUDA kernel for int6 symmetric weights
// ERR: CUDA code generation failed
func.func @proj(%x: tensor<1x2048xf16>, %qw: tensor<128x1024xi8>,
                %s: tensor<128x16xf16>) -> tensor<1x128xf16> {
  %y = linea.quant_linear %x, %qw, %s format <int4, group 128, scale f16>
      {name = "proj"}
      : (tensor<1x2048xf16>, tensor<128x1024xi8>, tensor<128x16xf16>) -> tensor<1x128xf16>
  return %y : tensor<1x128xf16>
}
