// RUN: env LINEA_NUM_THREADS=many not linea-opt %s --linea-lower-to-llvm 2>&1 | FileCheck %s --check-prefix=ENV
// RUN: env LINEA_NUM_THREADS=0 not linea-opt %s --linea-lower-to-llvm 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not linea-opt %s --linea-lower-to-llvm=num-threads=-2 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not linea-opt %s --linea-lower-to-llvm=num-threads=2000 2>&1 | FileCheck %s --check-prefix=BIG
// RUN: not linea-opt %s --linea-lower-to-llvm="num-threads=2 min-parallel-work=0" 2>&1 | FileCheck %s --check-prefix=WORK
// RUN: not linea-opt %s --pass-pipeline='builtin.module(func.func(linea-cpu-contraction-kernels{num-threads=0}))' 2>&1 | FileCheck %s --check-prefix=KERNEL
// An empty LINEA_NUM_THREADS counts as unset:
// RUN: env LINEA_NUM_THREADS= linea-opt %s --linea-lower-to-llvm -o /dev/null

// ENV: error: linea-lower-to-llvm: LINEA_NUM_THREADS='many' is not a thread count: give an integer from 1 to 1024
// ZERO: error: linea-lower-to-llvm: LINEA_NUM_THREADS='0' is not a thread count
// NEG: error: linea-lower-to-llvm: num-threads (-2) must be 0 (automatic) or more
// BIG: error: linea-lower-to-llvm: num-threads (2000) is above 1024
// WORK: error: linea-cpu-contraction-kernels: {{.*}} num-threads (2) and min-parallel-work (0) must be positive
// KERNEL: error: linea-cpu-contraction-kernels: {{.*}} num-threads (0) and min-parallel-work (1048576) must be positive
func.func @f(%x: tensor<2x16xf32>, %w: tensor<4x16xf32>) -> tensor<2x4xf32> {
  %y = linea.linear %x, %w : (tensor<2x16xf32>, tensor<4x16xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
