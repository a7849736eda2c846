// RUN: linea-opt %s --split-input-file --linea-cpu-attention-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-attention-kernels=tile-rows=24 2>&1 | FileCheck %s --check-prefix=ERR

// Attention whose tile scratch would not fit a thread's stack stays for
// linea-to-linalg's reference lowering, with a remark saying why.
// ERR: linea-cpu-attention-kernels: vector-width (16) must be a power of two, tile-rows (24) a positive multiple of it, key-block (64), num-threads (1) and min-split-keys (512) positive, min-parallel-work (1048576) not negative

// CHECK-LABEL: func.func @huge_head_dim
// CHECK: linea.attention
// CHECK-NOT: __linea_attention
func.func @huge_head_dim(%q: tensor<1x2x4x4096xf32>, %k: tensor<1x2x4x4096xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-remark @+1 {{linea-cpu-attention-kernels: left to the reference lowering: head dims D = 4096, Dv = 8 need 1067520 bytes of scratch per tile, above 1048576}}
  %o = linea.attention %q, %k, %v : (tensor<1x2x4x4096xf32>, tensor<1x2x4x4096xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
