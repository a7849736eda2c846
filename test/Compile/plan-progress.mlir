// linea-compile --progress turns on linea-plan's progress: a line per
// chunk of evaluated layers (here one layer each) on stderr, before the
// pass's own line; without --progress (and off a terminal) there is none.
// RUN: rm -rf %t && mkdir -p %t
// RUN: linea-run %s -e main --random-inputs --collect-stats %t/stats.npz
// RUN: linea-compile %s --passes "linea-plan{stats=%t/stats.npz budget=0.1 candidates=int8}" --quiet --progress -o %t/out 2>&1 | FileCheck %s
// RUN: linea-compile %s --passes "linea-plan{stats=%t/stats.npz budget=0.1 candidates=int8}" --quiet -o %t/out 2>&1 | FileCheck %s --check-prefix=QUIET --allow-empty

// CHECK: linea-plan: 1 of 2 layers evaluated ('fc1'; 1 candidates, {{[0-9.]+}} s)
// CHECK-NEXT: linea-plan: 2 of 2 layers evaluated ('fc2'; 1 candidates, {{[0-9.]+}} s)
// CHECK: pass linea-plan: {{.*}} of 2 layers changed form
// QUIET-NOT: layers evaluated
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w1 = arith.constant dense<0.5> : tensor<8x8xf32>
  %w2 = arith.constant dense<-0.25> : tensor<8x8xf32>
  %h = linea.linear %x, %w1 {name = "fc1"} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %y = linea.linear %h, %w2 {name = "fc2"} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
