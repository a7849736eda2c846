// RUN: linea-opt %s --linea-to-linalg | FileCheck %s
// RUN: linea-opt %s --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// The recurrence ops become a sequential scf.for over time carrying the f32
// state and the output; each step slices time t out of the inputs, updates
// the state with linalg.generic and writes the step's output in place into
// the output's slice at t. Numerics: python/tests/test_scan_numerics.py.

// After the whole CPU pipeline no strided memref.copy is left: it would need
// `memrefCopy` from the runner library, which the JIT does not load.
// LLVM-NOT: memrefCopy

// CHECK-NOT: linea.

//===----------------------------------------------------------------------===//
// linea.linear_scan
//===----------------------------------------------------------------------===//

// Dynamic batch and time: the static batch of the initial state refines the
// operands first, so every slice of one dimension is static or dynamic alike.
// CHECK-LABEL: func.func @linear_scan_initial_state
// CHECK-SAME: (%[[A:.+]]: tensor<?x?x8xbf16>, %[[B:.+]]: tensor<?x?x8xbf16>, %[[H0:.+]]: tensor<2x8xf32>)
// CHECK: %[[AC:.+]] = tensor.cast %[[A]] : tensor<?x?x8xbf16> to tensor<2x?x8xbf16>
// CHECK: %[[BC:.+]] = tensor.cast %[[B]] : tensor<?x?x8xbf16> to tensor<2x?x8xbf16>
// CHECK: %[[OUT:.+]] = tensor.empty(%{{.+}}) : tensor<2x?x8xbf16>
// CHECK: %[[T:.+]] = tensor.dim %[[AC]], %{{.+}} : tensor<2x?x8xbf16>
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %[[T]] step %{{.+}} iter_args(%[[S:.+]] = %[[H0]], %[[O:.+]] = %[[OUT]]) -> (tensor<2x8xf32>, tensor<2x?x8xbf16>)
// CHECK: %[[AT:.+]] = tensor.extract_slice %[[AC]][0, %[[I]], 0] [2, 1, 8] [1, 1, 1] : tensor<2x?x8xbf16> to tensor<2x8xbf16>
// CHECK: %[[BT:.+]] = tensor.extract_slice %[[BC]][0, %[[I]], 0] [2, 1, 8] [1, 1, 1]
// CHECK: %[[OT:.+]] = tensor.extract_slice %[[O]][0, %[[I]], 0] [2, 1, 8] [1, 1, 1]
// CHECK: %[[STEP:.+]]:2 = linalg.generic
// CHECK-SAME: ins(%[[AT]], %[[BT]] : tensor<2x8xbf16>, tensor<2x8xbf16>) outs(%[[S]], %[[OT]] : tensor<2x8xf32>, tensor<2x8xbf16>)
// CHECK: %[[AF:.+]] = arith.extf %{{.+}} : bf16 to f32
// CHECK: %[[PROD:.+]] = arith.mulf %[[AF]], %{{.+}} : f32
// CHECK: %[[SUM:.+]] = arith.addf %[[PROD]], %{{.+}} : f32
// CHECK: %[[ROUND:.+]] = arith.truncf %[[SUM]] : f32 to bf16
// CHECK: linalg.yield %[[SUM]], %[[ROUND]] : f32, bf16
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[STEP]]#1 into %[[O]][0, %[[I]], 0] [2, 1, 8] [1, 1, 1]
// CHECK: scf.yield %[[STEP]]#0, %[[INS]] : tensor<2x8xf32>, tensor<2x?x8xbf16>
// CHECK: %[[RES:.+]] = tensor.cast %[[LOOP]]#1 : tensor<2x?x8xbf16> to tensor<?x?x8xbf16>
// CHECK: return %[[RES]]
func.func @linear_scan_initial_state(%a: tensor<?x?x8xbf16>, %b: tensor<?x?x8xbf16>, %h0: tensor<2x8xf32>) -> tensor<?x?x8xbf16> {
  %h = linea.linear_scan %a, %b initial_state %h0 : (tensor<?x?x8xbf16>, tensor<?x?x8xbf16>, tensor<2x8xf32>) -> tensor<?x?x8xbf16>
  return %h : tensor<?x?x8xbf16>
}

// Without an initial state the loop starts from zeros.
// CHECK-LABEL: func.func @linear_scan_zero_state
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<3x4xf32>)
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[FILL]], %{{.+}} = %{{.+}}) -> (tensor<3x4xf32>, tensor<3x5x4xf32>)
func.func @linear_scan_zero_state(%a: tensor<3x5x4xf32>, %b: tensor<3x5x4xf32>) -> tensor<3x5x4xf32> {
  %h = linea.linear_scan %a, %b : (tensor<3x5x4xf32>, tensor<3x5x4xf32>) -> tensor<3x5x4xf32>
  return %h : tensor<3x5x4xf32>
}

//===----------------------------------------------------------------------===//
// linea.selective_scan
//===----------------------------------------------------------------------===//

// Every optional operand: Δ gets the bias and a softplus that cannot
// overflow, the state update exp(ΔA)·h + ΔBu, the reduction over N, then
// skip, silu gate and one rounding into the output's slice.
// CHECK-LABEL: func.func @selective_scan_full
// CHECK-SAME: %[[H0:[^:]+]]: tensor<?x64x16xf32>)
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[I:.+]] = {{.+}} iter_args(%[[H:.+]] = %[[H0]], %[[O:.+]] = %{{.+}}) -> (tensor<?x64x16xf32>, tensor<?x?x64xbf16>)
// CHECK: %[[DT:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<?x64xf32>)
// CHECK: arith.maximumf
// CHECK: math.absf
// CHECK: math.exp
// CHECK: math.log1p
// CHECK: } -> tensor<?x64xf32>
// CHECK: %[[HN:.+]] = linalg.generic {{.+}} ins(%[[DT]], {{.+}}) outs(%[[H]] : tensor<?x64x16xf32>)
// CHECK: math.exp
// CHECK: %[[OT:.+]] = tensor.extract_slice %[[O]][0, %[[I]], 0]
// CHECK: %[[ACC0:.+]] = linalg.fill {{.+}} -> tensor<?x64xf32>
// CHECK: %[[ACC:.+]] = linalg.generic {{.+}}iterator_types = ["parallel", "parallel", "reduction"]{{.+}} ins(%{{.+}}, %[[HN]] : tensor<?x16xbf16>, tensor<?x64x16xf32>) outs(%[[ACC0]] : tensor<?x64xf32>)
// CHECK: %[[YT:.+]] = linalg.generic {{.+}} ins(%[[ACC]], {{.+}}) outs(%[[OT]] : tensor<?x64xbf16>)
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[YT]] into %[[O]][0, %[[I]], 0]
// CHECK: scf.yield %[[HN]], %[[INS]]
// CHECK: return %[[LOOP]]#1, %[[LOOP]]#0
func.func @selective_scan_full(%u: tensor<?x?x64xbf16>, %dt: tensor<?x?x64xbf16>, %A: tensor<64x16xf32>, %B: tensor<?x?x16xbf16>, %C: tensor<?x?x16xbf16>, %D: tensor<64xf32>, %z: tensor<?x?x64xbf16>, %db: tensor<64xf32>, %h0: tensor<?x64x16xf32>) -> (tensor<?x?x64xbf16>, tensor<?x64x16xf32>) {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db initial_state %h0 {delta_softplus} : (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x16xf32>, tensor<?x?x16xbf16>, tensor<?x?x16xbf16>, tensor<64xf32>, tensor<?x?x64xbf16>, tensor<64xf32>, tensor<?x64x16xf32>) -> (tensor<?x?x64xbf16>, tensor<?x64x16xf32>)
  return %y, %hT : tensor<?x?x64xbf16>, tensor<?x64x16xf32>
}

// An f32 output accumulates directly in its slice at t; without softplus
// there is no log1p.
// CHECK-LABEL: func.func @selective_scan_minimal
// CHECK: scf.for %[[I:.+]] = {{.+}} iter_args(%{{.+}} = %{{.+}}, %[[O:.+]] = %{{.+}}) -> (tensor<2x8x4xf32>, tensor<2x16x8xf32>)
// CHECK-NOT: math.log1p
// CHECK: %[[OT:.+]] = tensor.extract_slice %[[O]][0, %[[I]], 0] [2, 1, 8] [1, 1, 1]
// CHECK: %[[ACC0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[OT]] : tensor<2x8xf32>)
// CHECK: linalg.generic {{.+}} outs(%[[ACC0]] : tensor<2x8xf32>)
// CHECK: tensor.insert_slice %{{.+}} into %[[O]][0, %[[I]], 0] [2, 1, 8] [1, 1, 1]
func.func @selective_scan_minimal(%u: tensor<2x16x8xf32>, %dt: tensor<2x16x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x16x4xf32>, %C: tensor<2x16x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>) {
  %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C : (tensor<2x16x8xf32>, tensor<2x16x8xf32>, tensor<8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4xf32>) -> (tensor<2x16x8xf32>, tensor<2x8x4xf32>)
  return %y, %hT : tensor<2x16x8xf32>, tensor<2x8x4xf32>
}

//===----------------------------------------------------------------------===//
// linea.gated_linear_attention
//===----------------------------------------------------------------------===//

// Loops over time (dim 2); the read-out reduces over Dk and multiplies by the
// scale attribute (0.125).
// CHECK-LABEL: func.func @gla
// CHECK: tensor.empty(%{{.+}}, %{{.+}}) : tensor<?x4x?x6xbf16>
// CHECK: %[[T:.+]] = tensor.dim %{{.+}}, %c2{{.*}} : tensor<?x4x?x8xbf16>
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %[[T]] {{.+}} iter_args(%[[S:.+]] = %{{.+}}, %[[O:.+]] = %{{.+}}) -> (tensor<?x4x8x6xf32>, tensor<?x4x?x6xbf16>)
// CHECK: tensor.extract_slice %{{.+}}[0, 0, %[[I]], 0] [%{{.+}}, 4, 1, 8] [1, 1, 1, 1] : tensor<?x4x?x8xbf16> to tensor<?x4x8xbf16>
// CHECK: %[[SN:.+]] = linalg.generic {{.+}} outs(%[[S]] : tensor<?x4x8x6xf32>)
// CHECK: math.exp
// CHECK: %[[ACC:.+]] = linalg.generic {{.+}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.+}} ins(%{{.+}}, %[[SN]] : tensor<?x4x8xbf16>, tensor<?x4x8x6xf32>)
// CHECK: %[[OT:.+]] = linalg.generic {{.+}} ins(%[[ACC]] : tensor<?x4x6xf32>) outs(%{{.+}} : tensor<?x4x6xbf16>)
// CHECK: arith.constant 1.250000e-01 : f32
// CHECK: arith.truncf
// CHECK: tensor.insert_slice %[[OT]] into %[[O]][0, 0, %[[I]], 0] [%{{.+}}, 4, 1, 6] [1, 1, 1, 1]
// CHECK: return %[[LOOP]]#1, %[[LOOP]]#0
func.func @gla(%q: tensor<?x4x?x8xbf16>, %k: tensor<?x4x?x8xbf16>, %v: tensor<?x4x?x6xbf16>, %g: tensor<?x4x?x8xf32>) -> (tensor<?x4x?x6xbf16>, tensor<?x4x8x6xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g {scale = 1.250000e-01 : f32} : (tensor<?x4x?x8xbf16>, tensor<?x4x?x8xbf16>, tensor<?x4x?x6xbf16>, tensor<?x4x?x8xf32>) -> (tensor<?x4x?x6xbf16>, tensor<?x4x8x6xf32>)
  return %o, %s : tensor<?x4x?x6xbf16>, tensor<?x4x8x6xf32>
}

//===----------------------------------------------------------------------===//
// linea.delta_rule
//===----------------------------------------------------------------------===//

// What the state holds at k_t (a reduction over Dk) is read before the
// update; the default scale is 1/sqrt(Dk) = 0.25.
// CHECK-LABEL: func.func @delta_rule
// CHECK: scf.for %[[I:.+]] = {{.+}} iter_args(%[[S:.+]] = %{{.+}}, %[[O:.+]] = %{{.+}}) -> (tensor<2x4x16x8xf32>, tensor<2x4x?x8xf16>)
// CHECK: %[[BETA:.+]] = tensor.extract_slice %{{.+}}[0, 0, %[[I]]] [2, 4, 1] [1, 1, 1] : tensor<2x4x?xf16> to tensor<2x4xf16>
// CHECK: %[[READ:.+]] = linalg.generic {{.+}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.+}} ins(%{{.+}}, %[[S]] : tensor<2x4x16xf16>, tensor<2x4x16x8xf32>)
// CHECK: %[[SN:.+]] = linalg.generic {{.+}} ins(%[[BETA]], %{{.+}}, %{{.+}}, %[[READ]] : tensor<2x4xf16>, tensor<2x4x16xf16>, tensor<2x4x8xf16>, tensor<2x4x8xf32>) outs(%[[S]] : tensor<2x4x16x8xf32>)
// CHECK: arith.subf
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[SN]] : tensor<2x4x16xf16>, tensor<2x4x16x8xf32>)
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: scf.yield %[[SN]]
func.func @delta_rule(%q: tensor<2x4x?x16xf16>, %k: tensor<2x4x?x16xf16>, %v: tensor<2x4x?x8xf16>, %beta: tensor<2x4x?xf16>) -> (tensor<2x4x?x8xf16>, tensor<2x4x16x8xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta : (tensor<2x4x?x16xf16>, tensor<2x4x?x16xf16>, tensor<2x4x?x8xf16>, tensor<2x4x?xf16>) -> (tensor<2x4x?x8xf16>, tensor<2x4x16x8xf32>)
  return %o, %s : tensor<2x4x?x8xf16>, tensor<2x4x16x8xf32>
}
