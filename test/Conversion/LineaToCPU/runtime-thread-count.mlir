// RUN: linea-opt %s --split-input-file --linea-runtime-thread-count --verify-diagnostics | FileCheck %s

// The constant team size of an OpenMP region becomes a call, declared once
// (linea-compile's C wrapper defines it); regions without num_threads keep
// the runtime's default.
// CHECK: func.func private @linea_num_threads() -> i32
// CHECK-LABEL: func.func @two_regions
// CHECK: %[[N0:.*]] = call @linea_num_threads() : () -> i32
// CHECK: omp.parallel num_threads(%[[N0]] : i32)
// CHECK: %[[N1:.*]] = call @linea_num_threads() : () -> i32
// CHECK: omp.parallel num_threads(%[[N1]] : i32)
// CHECK-NOT: call @linea_num_threads
// CHECK: omp.parallel {
func.func @two_regions() {
  %c2 = llvm.mlir.constant(2 : i32) : i32
  omp.parallel num_threads(%c2 : i32) {
    omp.terminator
  }
  omp.parallel num_threads(%c2 : i32) {
    omp.terminator
  }
  omp.parallel {
    omp.terminator
  }
  return
}

// -----

// A function of that name with another type is an error, not a bad call.
// expected-error @+1 {{linea-runtime-thread-count: @linea_num_threads must have type '() -> i32', not '() -> i64'}}
func.func private @linea_num_threads() -> i64
func.func @clash() {
  %c2 = llvm.mlir.constant(2 : i32) : i32
  omp.parallel num_threads(%c2 : i32) {
    omp.terminator
  }
  return
}
