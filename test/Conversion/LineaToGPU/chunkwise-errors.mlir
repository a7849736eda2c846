// Shapes the chunkwise kernel does not take keep the recurrent kernel, with
// a remark saying why; a bad option value is an error.
// RUN: linea-opt %s --linea-to-gpu="chunkwise=1" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not linea-opt %s --linea-to-gpu="chunkwise=2" -split-input-file 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: error: linea-to-gpu: chunkwise must be 0 or 1, got 2

// CHECK: form = "recurrent"{{.*}}symbol = "linea_s0_gla_f32"
// CHECK-LABEL: gpu.func @linea_s0_gla_f32(
// CHECK-NOT: nvvm.mma.sync
func.func @gla_f32(%q: tensor<1x2x70x64xf32>, %k: tensor<1x2x70x64xf32>,
                   %v: tensor<1x2x70x64xf32>, %g: tensor<1x2x70x64xf32>)
    -> (tensor<1x2x70x64xf32>, tensor<1x2x64x64xf32>) {
  // expected-remark @+1 {{linea-to-gpu: chunkwise gated_linear_attention needs bf16 or f16 q, k, v (tensor cores), got 'f32'; it stays recurrent}}
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g {name = "gla_f32"}
      : (tensor<1x2x70x64xf32>, tensor<1x2x70x64xf32>, tensor<1x2x70x64xf32>,
         tensor<1x2x70x64xf32>) -> (tensor<1x2x70x64xf32>, tensor<1x2x64x64xf32>)
  return %o, %s : tensor<1x2x70x64xf32>, tensor<1x2x64x64xf32>
}

// -----

// CHECK: form = "recurrent"{{.*}}symbol = "linea_s0_la_d32"
// CHECK-LABEL: gpu.func @linea_s0_la_d32(
// CHECK-NOT: nvvm.mma.sync
func.func @la_d32(%q: tensor<1x2x70x32xbf16>, %k: tensor<1x2x70x32xbf16>,
                  %v: tensor<1x2x70x64xbf16>) -> tensor<1x2x70x64xbf16> {
  // expected-remark @+1 {{linea-to-gpu: chunkwise linear_attention needs Dk and Dv in {64, 128}, got Dk = 32, Dv = 64; it stays recurrent}}
  %o = linea.linear_attention %q, %k, %v feature_map relu {causal, name = "la_d32"}
      : (tensor<1x2x70x32xbf16>, tensor<1x2x70x32xbf16>, tensor<1x2x70x64xbf16>)
      -> tensor<1x2x70x64xbf16>
  return %o : tensor<1x2x70x64xbf16>
}

// -----

// CHECK: form = "recurrent"{{.*}}symbol = "linea_s0_gla_dv48"
// CHECK-LABEL: gpu.func @linea_s0_gla_dv48(
// CHECK-NOT: nvvm.mma.sync
func.func @gla_dv48(%q: tensor<1x2x70x64xbf16>, %k: tensor<1x2x70x64xbf16>,
                    %v: tensor<1x2x70x48xbf16>, %g: tensor<1x2x70x64xbf16>)
    -> (tensor<1x2x70x48xbf16>, tensor<1x2x64x48xf32>) {
  // expected-remark @+1 {{linea-to-gpu: chunkwise gated_linear_attention needs Dk and Dv in {64, 128}, got Dk = 64, Dv = 48; it stays recurrent}}
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g {name = "gla_dv48"}
      : (tensor<1x2x70x64xbf16>, tensor<1x2x70x64xbf16>, tensor<1x2x70x48xbf16>,
         tensor<1x2x70x64xbf16>) -> (tensor<1x2x70x48xbf16>, tensor<1x2x64x48xf32>)
  return %o, %s : tensor<1x2x70x48xbf16>, tensor<1x2x64x48xf32>
}

// -----

// CHECK: form = "recurrent"{{.*}}symbol = "linea_s0_delta_d32"
// CHECK-LABEL: gpu.func @linea_s0_delta_d32(
// CHECK-NOT: nvvm.mma.sync
func.func @delta_d32(%q: tensor<1x2x70x32xbf16>, %k: tensor<1x2x70x32xbf16>,
                     %v: tensor<1x2x70x64xbf16>, %beta: tensor<1x2x70xbf16>)
    -> (tensor<1x2x70x64xbf16>, tensor<1x2x32x64xf32>) {
  // expected-remark @+1 {{linea-to-gpu: chunkwise delta_rule needs Dk and Dv in {64, 128}, got Dk = 32, Dv = 64; it stays recurrent}}
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_d32"}
      : (tensor<1x2x70x32xbf16>, tensor<1x2x70x32xbf16>, tensor<1x2x70x64xbf16>,
         tensor<1x2x70xbf16>) -> (tensor<1x2x70x64xbf16>, tensor<1x2x32x64xf32>)
  return %o, %s : tensor<1x2x70x64xbf16>, tensor<1x2x32x64xf32>
}

// -----

// CHECK: form = "recurrent"{{.*}}symbol = "linea_s0_delta_f32"
// CHECK-LABEL: gpu.func @linea_s0_delta_f32(
// CHECK-NOT: nvvm.mma.sync
func.func @delta_f32(%q: tensor<1x2x70x64xf32>, %k: tensor<1x2x70x64xf32>,
                     %v: tensor<1x2x70x256xf32>, %beta: tensor<1x2x70xf32>)
    -> (tensor<1x2x70x256xf32>, tensor<1x2x64x256xf32>) {
  // expected-remark @+1 {{linea-to-gpu: chunkwise delta_rule needs bf16 or f16 q, k, v (tensor cores), got 'f32'; it stays recurrent}}
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_f32"}
      : (tensor<1x2x70x64xf32>, tensor<1x2x70x64xf32>, tensor<1x2x70x256xf32>,
         tensor<1x2x70xf32>) -> (tensor<1x2x70x256xf32>, tensor<1x2x64x256xf32>)
  return %o, %s : tensor<1x2x70x256xf32>, tensor<1x2x64x256xf32>
}

// -----

// CHECK: form = "recurrent"{{.*}}symbol = "linea_s0_delta_dv256"
// CHECK-LABEL: gpu.func @linea_s0_delta_dv256(
// CHECK-NOT: nvvm.mma.sync
func.func @delta_dv256(%q: tensor<1x2x70x128xf16>, %k: tensor<1x2x70x128xf16>,
                       %v: tensor<1x2x70x256xf16>, %beta: tensor<1x2x70xf32>)
    -> (tensor<1x2x70x256xf16>, tensor<1x2x128x256xf32>) {
  // expected-remark @+1 {{linea-to-gpu: chunkwise delta_rule needs Dk and Dv in {64, 128}, got Dk = 128, Dv = 256; it stays recurrent}}
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta_dv256"}
      : (tensor<1x2x70x128xf16>, tensor<1x2x70x128xf16>, tensor<1x2x70x256xf16>,
         tensor<1x2x70xf32>) -> (tensor<1x2x70x256xf16>, tensor<1x2x128x256xf32>)
  return %o, %s : tensor<1x2x70x256xf16>, tensor<1x2x128x256xf32>
}
