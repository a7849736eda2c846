// linea-compile → lib<NAME>.so + <NAME>.h: the header's prototypes, and a C
// program built against the header that checks the library's outputs
// against its own evaluation of the same layers (Inputs/driver.c).
// RUN: rm -rf %t && mkdir -p %t
// RUN: linea-compile %s --target=cpu --name tiny -o %t/out | FileCheck %s --check-prefix=DONE
// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t/out/tiny.h
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t/out/tiny.json
// RUN: cc -std=c11 -I %t/out %S/Inputs/driver.c -o %t/driver -L %t/out -ltiny -lm -Wl,-rpath,%t/out
// RUN: %t/driver | FileCheck %s --check-prefix=DRIVER
// The same module lowered by linea-opt first is compiled as it is (names
// of inputs and outputs are lost with the func.func).
// RUN: linea-opt --linea-lower-to-llvm %s -o %t/lowered.mlir
// RUN: linea-compile %t/lowered.mlir --name tiny -o %t/low 2>&1 | FileCheck %s --check-prefix=LOWERED
// RUN: cc -std=c11 -I %t/low %S/Inputs/driver.c -o %t/driver-low -L %t/low -ltiny -lm -Wl,-rpath,%t/low
// RUN: %t/driver-low | FileCheck %s --check-prefix=DRIVER-LOW
// LOWERED: warning: the module is already lowered
// DRIVER-LOW: main M=1: max error {{.*}} OK
// DRIVER-LOW: main M=5: max error {{.*}} OK
// DRIVER-LOW: pair: max error {{.*}} OK
// DRIVER-LOW: negative size: tiny_main: in0_dim0 is -1, must be >= 0
// Symbols of the compiled code stay inside the library: only the API is
// exported (a model function called `main` must not clash with a program's).
// RUN: llvm-nm -D --defined-only %t/out/libtiny.so | FileCheck %s --check-prefix=SYMS

// DONE: wrote {{.*}}libtiny.so (2 functions), tiny.h, tiny.json

// HEADER:      typedef struct linea_tensor {
// HEADER:      void tiny_free(linea_tensor *tensor);
// HEADER:      const char *tiny_last_error(void);
// HEADER-LABEL: /* @main */
// HEADER-NEXT: int tiny_main(
// HEADER-NEXT:     const float *tokens, {{ *}}/* input "tokens": f32[tokens_dim0, 4] */
// HEADER-NEXT:     int64_t tokens_dim0, {{ *}}/* size of dimension 0 of tokens */
// HEADER-NEXT:     linea_tensor *logits); {{ *}}/* output "logits": f32[?, 2], allocated by the library */
// HEADER-LABEL: /* @pair */
// HEADER-NEXT: int tiny_pair(
// HEADER-NEXT:     const float *in0, {{ *}}/* input "in0": f32[2, 3] */
// HEADER-NEXT:     float *out0, {{ *}}/* output "out0": f32[2, 2] */
// HEADER-NEXT:     float *out1); {{ *}}/* output "out1": f32[2, 3] */

// MANIFEST:      "c_name": "tokens",
// MANIFEST-NEXT: "dim_args": [
// MANIFEST-NEXT:   "tokens_dim0"
// MANIFEST-NEXT: ],
// MANIFEST-NEXT: "dtype": "f32",
// MANIFEST-NEXT: "name": "tokens",
// MANIFEST-NEXT: "shape": [
// MANIFEST-NEXT:   -1,
// MANIFEST-NEXT:   4
// MANIFEST:      "name": "main",
// MANIFEST:      "allocated_by": "library",
// MANIFEST: "symbol": "tiny_main"

// DRIVER: main M=1: max error {{.*}} OK
// DRIVER: main M=5: max error {{.*}} OK
// DRIVER: pair: max error {{.*}} OK
// DRIVER: negative size: tiny_main: tokens_dim0 is -1, must be >= 0
// DRIVER: NULL output: tiny_pair: output out1 is NULL

// SYMS-NOT: {{ (main|_mlir_ciface_main)$}}
// SYMS-DAG: T tiny_free
// SYMS-DAG: T tiny_last_error
// SYMS-DAG: T tiny_main
// SYMS-DAG: T tiny_pair
// SYMS-NOT: {{ (main|_mlir_ciface_main|memrefCopy)$}}

// Two layers and a norm with a dynamic batch; weights as in driver.c.
func.func @main(%x: tensor<?x4xf32> {onnx.name = "tokens"})
    -> (tensor<?x2xf32> {onnx.name = "logits"}) {
  %w1 = arith.constant dense<[[1.0, 0.0, -1.0, 2.0], [0.5, 1.0, 0.0, -1.0],
                              [2.0, -1.0, 1.0, 0.0]]> : tensor<3x4xf32>
  %b1 = arith.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
  %g = arith.constant dense<[1.0, 2.0, 0.5]> : tensor<3xf32>
  %w2 = arith.constant dense<[[1.0, -1.0, 0.5], [0.0, 2.0, -1.0]]> : tensor<2x3xf32>
  %h = linea.linear %x, %w1 bias %b1 {name = "fc1"}
      : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %n = linea.rms_norm %h weight %g {epsilon = 1.000000e-05 : f32}
      : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %y = linea.linear %n, %w2 {name = "fc2"}
      : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// Static shapes, two results (both caller-allocated).
func.func @pair(%a: tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<2x3xf32>) {
  %w2 = arith.constant dense<[[1.0, -1.0, 0.5], [0.0, 2.0, -1.0]]> : tensor<2x3xf32>
  %g = arith.constant dense<[1.0, 2.0, 0.5]> : tensor<3xf32>
  %y = linea.linear %a, %w2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %n = linea.rms_norm %a weight %g {epsilon = 1.000000e-05 : f32}
      : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y, %n : tensor<2x2xf32>, tensor<2x3xf32>
}
