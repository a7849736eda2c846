// linea-run --collect-stats instruments every named linear layer directly in
// the entry function's body; the others are named in notes.
// RUN: linea-run %s -e main --random-inputs --calib-samples 3 --collect-stats %t.npz 2>&1 | FileCheck %s
// RUN: linea-run %s -e main --random-inputs --collect-stats %t.npz --append-stats --stats-xtx=true | FileCheck %s --check-prefix=APPEND
// RUN: not linea-run %s -e main --random-inputs --collect-stats %t.npz --append-stats --stats-xtx=false 2>&1 | FileCheck %s --check-prefix=NOXTX

// CHECK-DAG: note: no statistics for layer linea.linear at {{.*}}: no name attribute
// CHECK-DAG: note: no statistics for layer 'nested' (linea.linear): inside scf.if; only layers directly in @main's body are instrumented
// CHECK-DAG: note: no statistics for layer 'callee' (linea.lowrank_linear): in @helper, not in @main; called functions are not instrumented
// CHECK: fc1: K=4 tokens=18 max|x|=
// CHECK-NEXT: blk/fc2.lr: K=3 tokens=18 max|x|=
// CHECK-NEXT: wrote 2 layers (3 new samples) to

// APPEND: fc1: K=4 tokens=24
// APPEND: blk/fc2.lr: K=3 tokens=24
// APPEND: wrote 2 layers (1 new sample)

// NOXTX: error: cannot append to '{{.*}}': layer 'fc1' has XᵀX in the existing statistics only

func.func @main(%x: tensor<3x2x4xf32>) -> tensor<3x2x2xf32> {
  %c = arith.constant true
  %w1 = arith.constant dense<0.5> : tensor<3x4xf32>
  %u = arith.constant dense<1.0> : tensor<2x1xf32>
  %v = arith.constant dense<-1.0> : tensor<1x3xf32>
  %h = linea.linear %x, %w1 {name = "fc1"} : (tensor<3x2x4xf32>, tensor<3x4xf32>) -> tensor<3x2x3xf32>
  %y = linea.lowrank_linear %h, %u, %v {name = "blk/fc2.lr"} : (tensor<3x2x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<3x2x2xf32>
  %w2 = arith.constant dense<0.25> : tensor<2x3xf32>
  %z = linea.linear %h, %w2 : (tensor<3x2x3xf32>, tensor<2x3xf32>) -> tensor<3x2x2xf32>
  %r = scf.if %c -> tensor<3x2x2xf32> {
    %n = linea.linear %h, %w2 {name = "nested"} : (tensor<3x2x3xf32>, tensor<2x3xf32>) -> tensor<3x2x2xf32>
    scf.yield %n : tensor<3x2x2xf32>
  } else {
    scf.yield %y : tensor<3x2x2xf32>
  }
  %s = func.call @helper(%h) : (tensor<3x2x3xf32>) -> tensor<3x2x2xf32>
  return %r : tensor<3x2x2xf32>
}

func.func private @helper(%h: tensor<3x2x3xf32>) -> tensor<3x2x2xf32> {
  %u = arith.constant dense<1.0> : tensor<2x1xf32>
  %v = arith.constant dense<-1.0> : tensor<1x3xf32>
  %y = linea.lowrank_linear %h, %u, %v {name = "callee"} : (tensor<3x2x3xf32>, tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<3x2x2xf32>
  return %y : tensor<3x2x2xf32>
}
