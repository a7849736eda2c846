// linea-run --collect-stats: errors name the layers, functions and options.
// RUN: not linea-run %s -e dup --random-inputs --collect-stats %t.npz 2>&1 | FileCheck %s --check-prefix=DUP
// RUN: not linea-run %s -e ok -i %s --calib-samples 2 --collect-stats %t.npz 2>&1 | FileCheck %s --check-prefix=SAMPLES
// RUN: not linea-run %s -e ok --random-inputs --append-stats 2>&1 | FileCheck %s --check-prefix=ALONE
// RUN: linea-opt --linea-lower-to-llvm %s | not linea-run - -e ok --random-inputs --collect-stats %t.npz 2>&1 | FileCheck %s --check-prefix=LOWERED
// RUN: not linea-run %s -e ok --random-inputs --collect-stats %t.npz -o %t.dir 2>&1 | FileCheck %s --check-prefix=OUTDIR

// DUP: error: two linear layers are named 'fc' (at {{.*}}calibration-stats-errors.mlir":{{[0-9]+}}:{{[0-9]+}}) and {{.*}}); statistics are keyed by layer name
// SAMPLES: error: --calib-samples needs --random-inputs
// ALONE: error: --append-stats, --stats-xtx and --calib-samples go with --collect-stats
// LOWERED: error: @ok is already lowered to the LLVM dialect; collect statistics on the module before linea-lower-to-llvm
// OUTDIR: error: --collect-stats does not combine with -o or --compare

func.func @dup(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<3x3xf32>
  %h = linea.linear %x, %w {name = "fc"} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %y = linea.linear %h, %w2 {name = "fc"} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

func.func @ok(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x4xf32>
  %h = linea.linear %x, %w {name = "fc"} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %h : tensor<2x3xf32>
}
