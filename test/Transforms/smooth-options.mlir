// RUN: %PYTHON %S/Inputs/write-absmax.py %t.npz fc=1,2,3 short=1,2
// RUN: linea-opt %s --linea-smooth="stats=%t.npz alpha=0.85 except=short" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not linea-opt %s --linea-smooth 2>&1 | FileCheck %s --check-prefix=NOSTATS
// RUN: not linea-opt %s --linea-smooth="stats=%t.missing.npz" 2>&1 | FileCheck %s --check-prefix=UNREADABLE
// RUN: not linea-opt %s --linea-smooth="stats=%t.npz alpha=1.5" 2>&1 | FileCheck %s --check-prefix=ALPHA
// RUN: not linea-opt %s --linea-smooth="stats=%t.npz only=[" 2>&1 | FileCheck %s --check-prefix=GLOB

// NOSTATS: error: linea-smooth: needs calibration statistics: give stats=FILE (written by linea-run --collect-stats)
// UNREADABLE: error: linea-smooth: cannot use stats='{{.*}}missing.npz':
// ALPHA: error: linea-smooth: alpha=1.5 is not in [0, 1]
// GLOB: error: linea-smooth: bad glob in only='['

// α = 0.85 is recorded; the excluded layer is left alone with a remark.
// CHECK-LABEL: func.func @selection
// CHECK: linea.scale_channels %arg0
// CHECK: linea.linear {{.*}} {linea.smoothed = 8.500000e-01 : f32, name = "fc"}
// CHECK: linea.linear %arg1, %{{.*}} {name = "short"}
func.func @selection(%x: tensor<2x3xf32>, %z: tensor<2x2xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>) {
  %w = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %v = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  // expected-remark @+1 {{linea-smooth: skipped layer 'short': name matches except='short'}}
  %u = linea.linear %z, %v {name = "short"} : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x1xf32>
  return %y, %u : tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

func.func @not_in_stats(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  // expected-error @+1 {{has no layer 'absent' (2 layers); linea-run --collect-stats records the layers with a name attribute}}
  %y = linea.linear %x, %w {name = "absent"} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

func.func @unnamed(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  // expected-error @+1 {{has no layer 'unnamed#0' (2 layers)}}
  %y = linea.linear %x, %w : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

func.func @channel_mismatch(%x: tensor<2x2xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  // expected-error @+1 {{has 3 input channels for layer 'fc', the layer has 2}}
  %y = linea.linear %x, %w {name = "fc"} : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
