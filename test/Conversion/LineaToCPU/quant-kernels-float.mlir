// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels="vector-width=16 tile-m=2 tile-n=2 min-parallel-weights=0 panel-min-rows=0 permute-width=16" | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels="permute-width=8 vector-width=8" | FileCheck %s --check-prefix=AVX2
// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels=permute-width=16 --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// The floating-point elements become kernel calls that decode in
// registers; no dense f32 weight exists.
// (numerics: python/tests/test_quant_kernels_float.py)

// fp8 e4m3 per channel: the code sign-extended to i16, shifted into an
// f16's fields (shli 7, the sign's copy masked off), converted to f32 and
// scaled by 2^8; the NaN code selected; the scale applied to the group's sum.
// CHECK-LABEL: func.func @fp8_e4m3
// CHECK-NOT: 13x64xf32
// CHECK: call @[[KERNEL:__linea_quant_kernel[_0-9]*]](
// CHECK: func.func private @[[KERNEL]]
// CHECK: vector.load {{.*}} : memref<13x64xi8>, vector<16xi8>
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi16>
// CHECK: arith.shli
// CHECK: arith.andi
// CHECK: arith.bitcast {{.*}} : vector<16xi16> to vector<16xf16>
// CHECK: arith.extf {{.*}} : vector<16xf16> to vector<16xf32>
// CHECK: arith.mulf
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: vector.fma
// CHECK-NOT: 13x64xf32
// LLVM-LABEL: llvm.func @fp8_e4m3
// LLVM: llvm.call @__linea_quant_kernel
func.func @fp8_e4m3(%x: tensor<?x64xf32>, %q: tensor<13x64xi8>, %s: tensor<13x1xf32>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <fp8_e4m3> : (tensor<?x64xf32>, tensor<13x64xi8>, tensor<13x1xf32>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// fp8 e5m2: the top byte of an f16; NaN codes become the canonical NaN.
// CHECK-LABEL: func.func @fp8_e5m2
// CHECK: func.func private @__linea_quant_kernel
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi16>
// CHECK: arith.shli
// CHECK: arith.bitcast {{.*}} : vector<16xi16> to vector<16xf16>
// CHECK: arith.extf
// CHECK: arith.cmpf uno
// CHECK: arith.select
func.func @fp8_e5m2(%x: tensor<?x64xf32>, %q: tensor<13x64xi8>, %s: tensor<13x1xbf16>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <fp8_e5m2, channel, scale bf16> : (tensor<?x64xf32>, tensor<13x64xi8>, tensor<13x1xbf16>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// mxfp4: e8m0 scales decoded from their bits (0 → 2^−127, 0xFF → NaN);
// both nibble planes looked up in the 16-entry e2m1 table by AVX-512
// vpermps (the low nibble unmasked: the permute reads 4 index bits).
// CHECK-LABEL: func.func @mxfp4
// CHECK: func.func private @llvm.x86.avx512.permvar.sf.512(vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// CHECK: func.func private @__linea_quant_kernel
// CHECK: memref.load {{.*}} : memref<13x2xf8E8M0FNU>
// CHECK: arith.bitcast {{.*}} : f8E8M0FNU to i8
// CHECK: arith.shli
// CHECK: vector.load {{.*}} : memref<13x32xi8>, vector<16xi8>
// CHECK: arith.extui {{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: %[[T:.*]] = arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00]> : vector<16xf32>
// CHECK: call @llvm.x86.avx512.permvar.sf.512(%[[T]], %{{.*}}) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// CHECK: arith.shrui
// CHECK: call @llvm.x86.avx512.permvar.sf.512
// CHECK: vector.fma
// With AVX2's 8 lanes: two vpermps ymm over the table's halves.
// AVX2-LABEL: func.func @mxfp4
// AVX2: call @__linea_quant_kernel
// AVX2: call @llvm.x86.avx2.permps
// LLVM-LABEL: llvm.func @mxfp4
// LLVM: llvm.call @llvm.x86.avx512.permvar.sf.512
func.func @mxfp4(%x: tensor<?x64xf32>, %q: tensor<13x32xi8>, %s: tensor<13x2xf8E8M0FNU>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <mxfp4> : (tensor<?x64xf32>, tensor<13x32xi8>, tensor<13x2xf8E8M0FNU>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// nvfp4: groups of 16 codes are 8 bytes, so 8-lane steps: two AVX2
// vpermps over the table's halves and a select on index bit 3; e4m3
// scales; ŵ = (e2m1 · s) · t with the tensor scale t.
// CHECK-LABEL: func.func @nvfp4
// CHECK: call @__linea_quant_kernel{{.*}}(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<?x64xf32>, memref<13x32xi8>, memref<13x4xf8E4M3FN>, memref<f32>, memref<?x13xf32>)
// CHECK: func.func private @__linea_quant_kernel
// CHECK: %[[TS:.*]] = memref.load {{.*}}[] : memref<f32>
// CHECK: vector.broadcast %[[TS]] : f32 to vector<8xf32>
// CHECK: vector.load {{.*}} : memref<13x32xi8>, vector<8xi8>
// CHECK: call @llvm.x86.avx2.permps({{.*}}) : (vector<8xf32>, vector<8xi32>) -> vector<8xf32>
// CHECK: call @llvm.x86.avx2.permps
// CHECK: arith.select
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf {{.*}} : vector<8xf32>
func.func @nvfp4(%x: tensor<?x64xf32>, %q: tensor<13x32xi8>, %s: tensor<13x4xf8E4M3FN>, %t: tensor<f32>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s tensor_scale %t format <nvfp4> : (tensor<?x64xf32>, tensor<13x32xi8>, tensor<13x4xf8E4M3FN>, tensor<f32>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// nf4: the 16 NormalFloat levels as the table.
// CHECK-LABEL: func.func @nf4
// CHECK: func.func private @__linea_quant_kernel
// CHECK: arith.constant dense<[-1.000000e+00, -0.6961928, -0.525073051,
// CHECK: call @llvm.x86.avx512.permvar.sf.512
func.func @nf4(%x: tensor<?x64xf32>, %q: tensor<13x32xi8>, %s: tensor<13x1xf32>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <nf4> : (tensor<?x64xf32>, tensor<13x32xi8>, tensor<13x1xf32>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// fp8 activations: x̂ = e4m3(x / a) · a in the prologue with the static
// act_scale a, or with s_t = max|x_t| / 448 per token.
// CHECK-LABEL: func.func @fp8_per_tensor
// CHECK: func.func private @__linea_quant_kernel({{.*}}: memref<?x64xf32>, {{.*}}: memref<13x64xi8>, {{.*}}: memref<1x1xf32>, {{.*}}: memref<1xf32>, {{.*}}: memref<?x13xf32>)
// CHECK: %[[A:.*]] = memref.load {{.*}} : memref<1xf32>
// CHECK: arith.divf %{{.*}}, %[[A]] : f32
// CHECK: math.roundeven
// CHECK: arith.minimumf
// CHECK: math.copysign
// CHECK: arith.mulf %{{.*}}, %[[A]] : f32
func.func @fp8_per_tensor(%x: tensor<?x64xf32>, %q: tensor<13x64xi8>, %s: tensor<1x1xf32>, %a: tensor<1xf32>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s act_scale %a format <fp8_e4m3, tensor, act fp8_per_tensor> : (tensor<?x64xf32>, tensor<13x64xi8>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// CHECK-LABEL: func.func @fp8_per_token
// CHECK: func.func private @__linea_quant_kernel
// CHECK: math.absf
// CHECK: arith.constant 4.480000e+02 : f32
// CHECK: math.roundeven
func.func @fp8_per_token(%x: tensor<?x64xf32>, %q: tensor<13x32xi8>, %s: tensor<13x2xf16>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <int4, group 32, scale f16, act fp8_per_token> : (tensor<?x64xf32>, tensor<13x32xi8>, tensor<13x2xf16>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}
