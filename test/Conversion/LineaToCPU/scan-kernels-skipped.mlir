// RUN: linea-opt %s --linea-cpu-scan-kernels=report-skipped=true -verify-diagnostics | FileCheck %s
// RUN: echo 'module {}' | not linea-opt --linea-cpu-scan-kernels=vector-width=12 2>&1 | FileCheck %s --check-prefix=ERR

// A state too large for registers stays for linea-to-linalg's reference
// lowering, with a remark saying why.
// ERR: linea-cpu-scan-kernels: vector-width (12) must be a power of two, num-threads (1), min-chunk-steps (256) and max-states (64) positive and min-parallel-work (65536) not negative

// CHECK-LABEL: func.func @large_state
// CHECK: linea.selective_scan
// CHECK-NOT: __linea_scan_kernel
func.func @large_state(%u: tensor<1x?x8xf32>, %dt: tensor<1x?x8xf32>, %A: tensor<8x128xf32>,
                       %B: tensor<1x?x128xf32>, %C: tensor<1x?x128xf32>)
    -> (tensor<1x?x8xf32>, tensor<1x8x128xf32>) {
  // expected-remark @+1 {{linea-cpu-scan-kernels: left to the reference lowering: N (128) is above max-states (64): the state of a channel block would not stay in registers}}
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C
      : (tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8x128xf32>, tensor<1x?x128xf32>, tensor<1x?x128xf32>)
      -> (tensor<1x?x8xf32>, tensor<1x8x128xf32>)
  return %y, %hT : tensor<1x?x8xf32>, tensor<1x8x128xf32>
}
