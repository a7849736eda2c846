// linea-plan's option and calibration errors: each names the option or the
// layer and the numbers.
// RUN: linea-run %s -e main --random-inputs --collect-stats %t.npz
// RUN: linea-run %s -e main --random-inputs --collect-stats %t-noxtx.npz --stats-xtx=false
// RUN: linea-run %S/Inputs/other-layer.mlir -e main --random-inputs --collect-stats %t-other.npz
// RUN: not linea-opt %s --linea-plan="budget=0.1" 2>&1 | FileCheck %s --check-prefix=NOSTATS
// RUN: not linea-opt %s --linea-plan="stats=%t.npz" 2>&1 | FileCheck %s --check-prefix=NOBUDGET
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=-0.5" 2>&1 | FileCheck %s --check-prefix=NEGBUDGET
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=0.1 objective=energy" 2>&1 | FileCheck %s --check-prefix=OBJECTIVE
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=0.1 objective=latency target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=0.1 objective=latency tokens=0" 2>&1 | FileCheck %s --check-prefix=TOKENS
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=0.1 candidates=int8,int3" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=0.1 candidates=int8,int8" 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not linea-opt %s --linea-plan="stats=%t-missing.npz budget=0.1" 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not linea-opt %s --linea-plan="stats=%t-noxtx.npz budget=0.1" 2>&1 | FileCheck %s --check-prefix=NOXTX
// RUN: not linea-opt %s --linea-plan="stats=%t-other.npz budget=0.1" 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=0.1 only=[" 2>&1 | FileCheck %s --check-prefix=GLOB
// RUN: not linea-opt %s --linea-plan="stats=%t.npz budget=0.1 report=%t-nodir/r.json" 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: not linea-opt %S/Inputs/plan-names.mlir --split-input-file --linea-plan="stats=%t.npz budget=0.1" 2>&1 | FileCheck %s --check-prefix=NAMES

// NOSTATS: error: linea-plan: needs stats=FILE with XᵀX of every planned layer's input
// NOBUDGET: error: linea-plan: needs budget=ε ≥ 0, the bound on the mean relative output error ‖X(W−Ŵ)ᵀ‖/‖XWᵀ‖ of the planned layers{{$}}
// NEGBUDGET: error: linea-plan: needs budget=ε ≥ 0{{.*}}(got -0.5{{0*}})
// OBJECTIVE: error: linea-plan: objective='energy' is not supported (expected bytes or latency)
// TARGET: error: linea-plan: target='tpu' is not cpu or cuda
// TOKENS: error: linea-plan: tokens=0 must be positive
// UNKNOWN: error: linea-plan: unknown candidate 'int3' (expected dense or one of int8, int4-g128,
// TWICE: error: linea-plan: candidate 'int8' is listed twice
// NOFILE: error: linea-plan: cannot use stats='{{.*}}-missing.npz'
// NOXTX: error: linea-plan: stats file '{{.*}}-noxtx.npz' has no XᵀX for layer 'fc'
// OTHER: error: linea-plan: stats file '{{.*}}-other.npz' has no layer 'fc' (1 layers)
// GLOB: error: linea-plan: bad glob in only='['
// NAMES: error: linea-plan: two layers are named 'fc'; the plan chooses per layer name
// NAMES: error: linea-plan: layer name 'f,c' has a character
// REPORT: error: linea-plan: cannot write report '{{.*}}-nodir/r.json'
func.func @main(%x: tensor<8x4xf32>) -> tensor<8x3xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25, 0.1], [2.0, 0.0, -0.5, 0.3], [0.7, 0.2, -0.9, 1.1]]> : tensor<3x4xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  return %y : tensor<8x3xf32>
}
