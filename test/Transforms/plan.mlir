// linea-plan chooses per layer the form with least stored bytes within the
// budget on the mean output error, measured exactly from the calibration
// XᵀX. 'lr' is exactly rank 1 (lowrank-0.25 keeps rank 1, error only from
// rounding); 'pow2' holds signed powers of two (shift-add-1 is exact).
// RUN: linea-run %s -e main --random-inputs --collect-stats %t.npz
// RUN: linea-opt %s --linea-plan="stats=%t.npz budget=0 candidates=int8,shift-add-1,lowrank-0.25" | FileCheck %s --check-prefix=EXACT
// RUN: linea-opt %s --linea-plan="stats=%t.npz budget=0.01 candidates=int8,shift-add-1,lowrank-0.25 report=%t.json" | FileCheck %s --check-prefix=LOOSE
// RUN: FileCheck %s --input-file=%t.json --check-prefix=JSON
// RUN: linea-opt %s --linea-plan="stats=%t.npz budget=0.01 candidates=int8,shift-add-1,lowrank-0.25 objective=latency tokens=4096" | FileCheck %s --check-prefix=LATENCY
// RUN: linea-opt %s --linea-plan="stats=%t.npz budget=0.5 only=pow2 candidates=int8,lowrank-0.25" 2>&1 | FileCheck %s --check-prefix=ONLY

// Budget 0: only exact forms; 'lr' stays dense.
// EXACT: module attributes {linea.plan = {budget = 0.000000e+00 : f64, bytes = 416 : i64, dense_bytes = 512 : i64, layers = 2 : i64, mean_error = 0.000000e+00 : f64, objective = "bytes"}}
// EXACT: linea.linear %arg0, %{{.*}} {linea.plan = {alternatives = 4 : i64, bytes = 256 : i64, choice = "dense", error = 0.000000e+00 : f64}, name = "lr"}
// EXACT: linea.shift_linear {{.*}}linea.plan = {alternatives = 4 : i64, bytes = 160 : i64, choice = "shift-add-1", error = 0.000000e+00 : f64}{{.*}}name = "pow2"

// A budget of 0.01: 'lr' takes the rank-1 factors (64 bytes, error ~1e-7)
// and 'pow2' int8 (96 bytes, error ~4e-3), cheaper than the exact shift-add.
// LOOSE: module attributes {linea.plan = {budget = 1.000000e-02 : f64, bytes = 160 : i64, dense_bytes = 512 : i64, layers = 2 : i64, mean_error = {{[0-9.eE+-]+}} : f64
// LOOSE: linea.lowrank_linear {{.*}}linea.plan = {alternatives = 4 : i64, bytes = 64 : i64, choice = "lowrank-0.25", error = {{[0-9.]+}}E-7 : f64}
// LOOSE-SAME: name = "lr"
// LOOSE: linea.quant_linear {{.*}}linea.plan = {alternatives = 4 : i64, bytes = 96 : i64, choice = "int8", error = {{[0-9.eE+-]+}} : f64}
// LOOSE-SAME: name = "pow2"

// With 4096 tokens per call the layers are compute-bound on the cpu cost
// model: for 'pow2' the exact shift-add (N·K adds per token) beats int8's
// 2·N·K FLOPs though it stores more bytes.
// LATENCY: module attributes {linea.plan = {budget = 1.000000e-02 : f64, bytes = 224 : i64, cost_model = "bench/cost-models/cpu.json (built in)", dense_bytes = 512 : i64, est_us = {{[0-9.]+}} : f64, {{.*}}objective = "latency", target = "cpu", tokens = 4096 : i64}}
// LATENCY: choice = "lowrank-0.25"{{.*}}est_us = {{.*}}name = "lr"
// LATENCY: choice = "shift-add-1"{{.*}}est_us = {{.*}}name = "pow2"

// JSON: "budget": 0.01
// JSON: "bytes": 160,
// JSON: "candidate": "dense",
// JSON: "candidate": "lowrank-0.25",
// JSON: "choice": "lowrank-0.25",
// JSON: "layer": "lr",
// JSON-NEXT: "reason": "most bytes saved per unit of error among the steps that fit the budget (convex-hull greedy)"
// JSON: "choice": "int8",
// JSON: "layer": "pow2",
// JSON-NEXT: "reason": "{{.*}}; the next cheaper option, lowrank-0.25 (64 bytes, error {{.*}}), would put the mean error at {{.*}} > budget 1.000000e-02"

// ONLY: remark: linea-plan: skipped layer 'lr': name matches no only= pattern
// ONLY: linea.linear %arg0, %{{[a-z_0-9]+}} {name = "lr"}
// ONLY: choice = "int8"{{.*}}name = "pow2"
func.func @main(%x: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<16x8xf32>) {
  %lr = arith.constant dense<[[-0.07, -0.13, -0.06, 0.0, -0.23, -0.02, -0.12, -0.07], [0.07, 0.13, 0.06, -0.0, 0.23, 0.02, 0.12, 0.07], [-0.42, -0.78, -0.36, 0.0, -1.38, -0.12, -0.72, -0.42], [-0.07, -0.13, -0.06, 0.0, -0.23, -0.02, -0.12, -0.07], [0.35, 0.65, 0.3, -0.0, 1.15, 0.1, 0.6, 0.35], [-0.28, -0.52, -0.24, 0.0, -0.92, -0.08, -0.48, -0.28], [-0.91, -1.69, -0.78, 0.0, -2.99, -0.26, -1.56, -0.91], [-0.63, -1.17, -0.54, 0.0, -2.07, -0.18, -1.08, -0.63]]> : tensor<8x8xf32>
  %p2 = arith.constant dense<[[-0.0625, 0.0625, -0.125, 1.0, -0.25, -0.5, -0.125, -0.125], [-0.5, -1.0, -0.0625, -0.0625, -0.5, 0.125, 0.25, 0.0625], [-1.0, 0.25, 1.0, -0.5, -0.5, 0.125, 0.5, 0.0625], [-0.25, 0.25, 1.0, 0.0625, 1.0, 0.0625, 0.5, -0.25], [1.0, -0.125, 1.0, 0.5, 1.0, 0.0625, -0.5, -1.0], [-0.0625, -0.125, 0.5, 0.0625, -0.25, 0.5, 0.5, -1.0], [0.25, 0.25, -0.25, -1.0, 0.0625, 0.25, 0.0625, -0.25], [1.0, -0.5, -0.125, 1.0, -0.5, -1.0, 0.0625, 0.25]]> : tensor<8x8xf32>
  %a = linea.linear %x, %lr {name = "lr"} : (tensor<16x8xf32>, tensor<8x8xf32>) -> tensor<16x8xf32>
  %b = linea.linear %x, %p2 {name = "pow2"} : (tensor<16x8xf32>, tensor<8x8xf32>) -> tensor<16x8xf32>
  return %a, %b : tensor<16x8xf32>, tensor<16x8xf32>
}
