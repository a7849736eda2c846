// ptxas accepts every kernel of epilogue.mlir (fused activations and
// residuals on each kernel kind) for sm_90a, without spills; the cubin
// links, i.e. no libdevice call is left unresolved.
// REQUIRES: ptxas
// RUN: rm -rf %t && linea-opt %S/epilogue.mlir --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=%ptxas})' -o /dev/null
// RUN: test -s %t/linea_kernels.cubin
// RUN: %ptxas -arch=sm_90a -v %t/linea_kernels.ptx -o /dev/null 2>&1 | FileCheck %s

// CHECK-NOT: serialized
// CHECK-NOT: {{[1-9][0-9]* bytes spill}}
// CHECK: 0 bytes spill stores, 0 bytes spill loads
