// linea-plan's cost-model= for objective=latency: the file's name reaches
// the module summary and the report; a missing or malformed file, a file
// for another target and the option without objective=latency are errors
// that name the file and the field.
// RUN: linea-run %s -e main --random-inputs --collect-stats %t.npz
// RUN: echo '{"target": "cpu", "source": "test", "forms": {"dense": {"bytes_per_s": 1e10, "flops_per_s": 1e11}, "int8": {"bytes_per_s": 1e3, "flops_per_s": 1e11}}}' > %t-slow-int8.json
// RUN: linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency candidates=int8 cost-model=%t-slow-int8.json report=%t.report.json" | FileCheck %s --check-prefix=SLOW
// RUN: FileCheck %s --input-file=%t.report.json --check-prefix=JSON
// RUN: linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency candidates=int8" | FileCheck %s --check-prefix=BUILTIN
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-missing.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: echo '{"forms": {"dense": ' > %t-bad.json
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-bad.json" 2>&1 | FileCheck %s --check-prefix=BADJSON
// RUN: echo '{"forms": {"int8": {"bytes_per_s": 1e10, "flops_per_s": 1e11}}}' > %t-nodense.json
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-nodense.json" 2>&1 | FileCheck %s --check-prefix=NODENSE
// RUN: echo '{"forms": {"dense": {"bytes_per_s": -1, "flops_per_s": 1e11}}}' > %t-negative.json
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-negative.json" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: echo '{"forms": {"dense": {"bytes_per_s": 1e10}}}' > %t-noflops.json
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-noflops.json" 2>&1 | FileCheck %s --check-prefix=NOFLOPS
// RUN: echo '{"forms": []}' > %t-formslist.json
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-formslist.json" 2>&1 | FileCheck %s --check-prefix=FORMS
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency target=cuda cost-model=%t-slow-int8.json" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 cost-model=%t-slow-int8.json" 2>&1 | FileCheck %s --check-prefix=BYTES
// A form listed under no_kernel has no price: the plan never picks it and
// the report says why; malformed no_kernel entries are errors.
// RUN: echo '{"target": "cuda", "forms": {"dense": {"bytes_per_s": 1e10, "flops_per_s": 1e11}}, "no_kernel": {"int8": "linea-to-gpu has no int8 kernel"}}' > %t-nokernel.json
// RUN: linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency target=cuda candidates=int8 cost-model=%t-nokernel.json report=%t.nokernel.json" | FileCheck %s --check-prefix=NOKERNEL
// RUN: FileCheck %s --input-file=%t.nokernel.json --check-prefix=NOKERNEL-JSON
// RUN: echo '{"forms": {"dense": {"bytes_per_s": 1e10, "flops_per_s": 1e11}, "int8": {"bytes_per_s": 1e10, "flops_per_s": 1e11}}, "no_kernel": {"int8": "none"}}' > %t-both.json
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-both.json" 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: echo '{"forms": {"dense": {"bytes_per_s": 1e10, "flops_per_s": 1e11}}, "no_kernel": {"int8": 1}}' > %t-nkstring.json
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=1 objective=latency cost-model=%t-nkstring.json" 2>&1 | FileCheck %s --check-prefix=NKSTRING

// int8 reads its bytes at 1 kB/s in this file: the plan keeps the layer dense.
// SLOW: module attributes {linea.plan = {{{.*}}cost_model = "{{.*}}-slow-int8.json"{{.*}}objective = "latency"
// SLOW: linea.linear {{.*}}choice = "dense"
// JSON: "cost_model": "est. µs = {{.*}}-slow-int8.json: test",
// JSON: "cost_model_file": "{{.*}}-slow-int8.json",
// JSON: "int8": {
// JSON-NEXT: "bytes_per_s": 1000,
// Without cost-model=, the model built in for target=cpu.
// BUILTIN: module attributes {linea.plan = {{{.*}}cost_model = "bench/cost-models/cpu.json (built in)"{{.*}}est_us =
// BUILTIN: choice = {{.*}}est_us = {{.*}}name = "fc"
// MISSING: error: linea-plan: cannot read cost model '{{.*}}-missing.json': {{[Nn]}}o such file or directory
// BADJSON: error: linea-plan: cost model '{{.*}}-bad.json': not valid JSON: {{.*}}
// NODENSE: error: linea-plan: cost model '{{.*}}-nodense.json': forms has no "dense" entry
// NEGATIVE: error: linea-plan: cost model '{{.*}}-negative.json': forms.dense.bytes_per_s must be a positive number (got -1)
// NOFLOPS: error: linea-plan: cost model '{{.*}}-noflops.json': forms.dense.flops_per_s must be a positive number (missing)
// FORMS: error: linea-plan: cost model '{{.*}}-formslist.json': needs "forms": {"dense": {"bytes_per_s": ..., "flops_per_s": ...}, ...}
// TARGET: error: linea-plan: cost model '{{.*}}-slow-int8.json' is for target 'cpu', not target='cuda'
// BYTES: error: linea-plan: cost-model='{{.*}}-slow-int8.json' prices forms for objective=latency; objective='bytes' does not use it
// NOKERNEL: linea.linear {{.*}}choice = "dense"
// NOKERNEL-JSON: "cost_model_no_kernel": {
// NOKERNEL-JSON-NEXT: "int8": "linea-to-gpu has no int8 kernel"
// NOKERNEL-JSON: "not_applied": "no cuda kernel for form 'int8' ({{.*}}-nokernel.json: linea-to-gpu has no int8 kernel)"
// BOTH: error: linea-plan: cost model '{{.*}}-both.json': form 'int8' is both priced in forms and listed in no_kernel
// NKSTRING: error: linea-plan: cost model '{{.*}}-nkstring.json': no_kernel.int8 must be a string (why the target has no kernel for it)
func.func @main(%x: tensor<8x64xf32>) -> tensor<8x16xf32> {
  %w = arith.constant dense<0.25> : tensor<16x64xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<8x64xf32>, tensor<16x64xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
