// linea-compile's layer report and progress: the table on stdout pairs
// each layer before and after --passes, --report writes the same as JSON,
// --quiet silences stdout, --progress shows every stage and pass on stderr
// (and nothing is shown without it when stderr is not a terminal).
// RUN: rm -rf %t && mkdir -p %t
// RUN: linea-compile %s --passes "linea-quantize{format=int8 only=fc1}" --report=%t/r.json -o %t/out 2>%t/quiet-stderr | FileCheck %s --check-prefix=TABLE
// RUN: count 0 < %t/quiet-stderr
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t/r.json
// RUN: linea-compile %s --passes "linea-quantize{format=int8 only=fc1}" --quiet --progress -o %t/out 2>&1 | FileCheck %s --check-prefix=PROGRESS
// RUN: linea-compile %s --quiet -o %t/out | count 0

// TABLE:      layer  form                        N   K  bytes before  bytes after   shrink  w_err
// TABLE-NEXT: fc1    linear -> quant_linear      8  16           512          160    3.20x  {{[0-9.]+e[-+][0-9]+}}
// TABLE-NEXT: fc2    linear -> linear            4   8           128          128    1.00x      -
// TABLE-NEXT: total                                              640          288    2.22x
// TABLE-NEXT: wrote {{.*}}libreport.so (1 function)

// JSON:      "layers": [
// JSON:        "after": {
// JSON:          "bytes": 160,
// JSON:          "form": "quant_linear",
// JSON:          "weight_error": 0.00{{[0-9]+}}
// JSON:        "before": {
// JSON:          "bytes": 512,
// JSON:          "form": "linear",
// JSON:          "weight_error": null
// JSON:        "name": "fc1"
// JSON:      "library": "{{.*}}libreport.so",
// JSON:      "model": "{{.*}}report.mlir",
// JSON:      "passes": "linea-quantize{format=int8 only=fc1}",
// JSON:      "stages": [
// JSON:          "name": "parse",
// JSON:          "name": "passes",
// JSON:          "name": "lower",
// JSON:          "name": "codegen",
// JSON:          "name": "link",
// JSON:      "target": "cpu",
// JSON:      "total": {
// JSON:        "after": {
// JSON:          "bytes": 288,
// JSON:        "before": {
// JSON:          "bytes": 640,

// PROGRESS:      linea-compile: [{{ *[0-9.]+}}s] parse: {{[0-9.]+}} s ({{.*}}report.mlir)
// PROGRESS-NEXT: linea-compile: [{{ *[0-9.]+}}s] {{.*}}report.mlir:{{[0-9]+}}:8: remark: linea-quantize: skipped layer 'fc2': name matches no only= pattern
// PROGRESS-NEXT: linea-compile: [{{ *[0-9.]+}}s] pass linea-quantize: {{[0-9.]+}} s, 1 of 2 layers changed form
// PROGRESS-NEXT: linea-compile: [{{ *[0-9.]+}}s] passes: {{[0-9.]+}} s
// PROGRESS-NEXT: linea-compile: [{{ *[0-9.]+}}s] lower: {{[0-9.]+}} s
// PROGRESS-NEXT: linea-compile: [{{ *[0-9.]+}}s] codegen: {{[0-9.]+}} s (LLVM, host CPU)
// PROGRESS-NEXT: linea-compile: [{{ *[0-9.]+}}s] link: {{[0-9.]+}} s ({{.*}})
// PROGRESS-NOT: wrote

func.func @report(%x: tensor<2x16xf32>) -> tensor<2x4xf32> {
  %w1 = arith.constant dense<[[-1.1, 0.3, -0.6, 0.8, -0.1, -1.0, 0.4, -0.5, 0.9, 0.0, -0.9, 0.5, -0.4, 1.0, 0.1, -0.8],
      [0.6, -0.3, 1.1, 0.2, -0.7, 0.7, -0.2, -1.1, 0.3, -0.6, 0.8, -0.1, -1.0, 0.4, -0.5, 0.9],
      [0.0, -0.9, 0.5, -0.4, 1.0, 0.1, -0.8, 0.6, -0.3, 1.1, 0.2, -0.7, 0.7, -0.2, -1.1, 0.3],
      [-0.6, 0.8, -0.1, -1.0, 0.4, -0.5, 0.9, 0.0, -0.9, 0.5, -0.4, 1.0, 0.1, -0.8, 0.6, -0.3],
      [1.1, 0.2, -0.7, 0.7, -0.2, -1.1, 0.3, -0.6, 0.8, -0.1, -1.0, 0.4, -0.5, 0.9, 0.0, -0.9],
      [0.5, -0.4, 1.0, 0.1, -0.8, 0.6, -0.3, 1.1, 0.2, -0.7, 0.7, -0.2, -1.1, 0.3, -0.6, 0.8],
      [-0.1, -1.0, 0.4, -0.5, 0.9, 0.0, -0.9, 0.5, -0.4, 1.0, 0.1, -0.8, 0.6, -0.3, 1.1, 0.2],
      [-0.7, 0.7, -0.2, -1.1, 0.3, -0.6, 0.8, -0.1, -1.0, 0.4, -0.5, 0.9, 0.0, -0.9, 0.5, -0.4]]> : tensor<8x16xf32>
  %w2 = arith.constant dense<-0.5> : tensor<4x8xf32>
  %h = linea.linear %x, %w1 {name = "fc1"} : (tensor<2x16xf32>, tensor<8x16xf32>) -> tensor<2x8xf32>
  %y = linea.linear %h, %w2 {name = "fc2"} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
