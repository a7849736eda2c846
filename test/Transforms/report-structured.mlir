// RUN: linea-opt %s --linea-report -o /dev/null | FileCheck %s
// RUN: linea-opt %s --linea-report="table=false json=-" -o /dev/null | FileCheck %s --check-prefix=JSON

// linea-report figures of the structured forms. Parameters and bytes count
// every weight element (bias excluded); FLOPs per token are those of the
// factored evaluation, + N for a bias; compression = dense bytes (N·K in the
// activation type) ÷ stored bytes.

// lowrank u[32,4], v[4,64], bias: params 32·4 + 4·64 = 384, bytes 4·384 = 1536,
// flops 2·r·(N + K) + N = 2·4·96 + 32 = 800, compression 32·64·4 / 1536 = 5.33.
// CHECK: layer{{ +}}form{{ +}}N{{ +}}K{{ +}}params{{ +}}bytes{{ +}}flops/tok{{ +}}compr
// CHECK-NEXT: fc1{{ +}}lowrank_linear{{ +}}32{{ +}}64{{ +}}384{{ +}}1536{{ +}}800{{ +}}5.33x
func.func @lowrank(%x: tensor<8x64xf32>, %u: tensor<32x4xf32>, %v: tensor<4x64xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %y = linea.lowrank_linear %x, %u, %v bias %b {name = "fc1"} : (tensor<8x64xf32>, tensor<32x4xf32>, tensor<4x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// blockdiag blocks[4,8,16] f16 (N = 32, K = 64): params 512, bytes 1024,
// flops 2·N·K/g = 2·32·64/4 = 1024, compression 32·64·2 / 1024 = 4.
// CHECK-NEXT: fc2{{ +}}blockdiag_linear{{ +}}32{{ +}}64{{ +}}512{{ +}}1024{{ +}}1024{{ +}}4.00x
func.func @blockdiag(%x: tensor<8x64xf16>, %w: tensor<4x8x16xf16>) -> tensor<8x32xf16> {
  %y = linea.blockdiag_linear %x, %w {name = "fc2"} : (tensor<8x64xf16>, tensor<4x8x16xf16>) -> tensor<8x32xf16>
  return %y : tensor<8x32xf16>
}

// monarch w1[k=2,q=3,p=8], w2[l=3,s=4,r=2], bias (N = 12, K = 16): params 48 + 24 = 72,
// bytes 288, flops 2·(k·q·p + l·s·r) + N = 2·(48 + 24) + 12 = 156,
// compression 12·16·4 / 288 = 2.67.
// CHECK-NEXT: fc3{{ +}}monarch_linear{{ +}}12{{ +}}16{{ +}}72{{ +}}288{{ +}}156{{ +}}2.67x
func.func @monarch(%x: tensor<8x16xf32>, %w1: tensor<2x3x8xf32>, %w2: tensor<3x4x2xf32>, %b: tensor<12xf32>) -> tensor<8x12xf32> {
  %y = linea.monarch_linear %x, %w1, %w2 bias %b {name = "fc3"} : (tensor<8x16xf32>, tensor<2x3x8xf32>, tensor<3x4x2xf32>, tensor<12xf32>) -> tensor<8x12xf32>
  return %y : tensor<8x12xf32>
}

// btt w1[M1=4,M0=4,N0·r=4], w2[N0=2,M1·r=8,N1=3] (r = 2, N = 6, K = 16):
// params 64 + 48 = 112, bytes 448, flops 2·(M1·M0·N0·r + N0·M1·r·N1) = 2·(64 + 48) = 224,
// compression 6·16·4 / 448 = 0.86 (a BTT this small is larger than dense).
// CHECK-NEXT: fc4{{ +}}btt_linear{{ +}}6{{ +}}16{{ +}}112{{ +}}448{{ +}}224{{ +}}0.86x
func.func @btt(%x: tensor<8x16xf32>, %w1: tensor<4x4x4xf32>, %w2: tensor<2x8x3xf32>) -> tensor<8x6xf32> {
  %y = linea.btt_linear %x, %w1, %w2 {name = "fc4"} : (tensor<8x16xf32>, tensor<4x4x4xf32>, tensor<2x8x3xf32>) -> tensor<8x6xf32>
  return %y : tensor<8x6xf32>
}

// kron a[s=2,n1=4,k1=8], b[2,n2=8,k2=8] (N = 32, K = 64): params 64 + 128 = 192, bytes 768,
// flops s·min(2·(n1k1k2 + n1k2n2), 2·(k1k2n2 + n1k1n2)) = 2·min(2·512, 2·768) = 2048
// (a·X first), compression 8192 / 768 = 10.67.
// CHECK-NEXT: fc5{{ +}}kron_linear{{ +}}32{{ +}}64{{ +}}192{{ +}}768{{ +}}2048{{ +}}10.67x
func.func @kron(%x: tensor<8x64xf32>, %a: tensor<2x4x8xf32>, %b: tensor<2x8x8xf32>) -> tensor<8x32xf32> {
  %y = linea.kron_linear %x, %a, %b {name = "fc5"} : (tensor<8x64xf32>, tensor<2x4x8xf32>, tensor<2x8x8xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// kron a[1,n1=8,k1=4], b[1,n2=2,k2=16] (N = 16, K = 64), bias: the other order wins:
// min(2·(8·4·16 + 8·16·2), 2·(4·16·2 + 8·4·2)) = min(1536, 384) = 384, + N = 400.
// params 32 + 32 = 64, bytes 256, compression 16·64·4 / 256 = 16.
// CHECK-NEXT: fc5b{{ +}}kron_linear{{ +}}16{{ +}}64{{ +}}64{{ +}}256{{ +}}400{{ +}}16.00x
func.func @kron_other_order(%x: tensor<8x64xf32>, %a: tensor<1x8x4xf32>, %b: tensor<1x2x16xf32>, %bias: tensor<16xf32>) -> tensor<8x16xf32> {
  %y = linea.kron_linear %x, %a, %b bias %bias {name = "fc5b"} : (tensor<8x64xf32>, tensor<1x8x4xf32>, tensor<1x2x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// blast u[b=4,p=8,r=2], s[4,4,2], v[4,q=16,2] (N = 32, K = 64): params 64 + 32 + 128 = 224,
// bytes 896, flops 2·r·(K + N + b²) = 4·(64 + 32 + 16) = 448, compression 8192 / 896 = 9.14.
// CHECK-NEXT: fc6{{ +}}blast_linear{{ +}}32{{ +}}64{{ +}}224{{ +}}896{{ +}}448{{ +}}9.14x
func.func @blast(%x: tensor<8x64xf32>, %u: tensor<4x8x2xf32>, %s: tensor<4x4x2xf32>, %v: tensor<4x16x2xf32>) -> tensor<8x32xf32> {
  %y = linea.blast_linear %x, %u, %s, %v {name = "fc6"} : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>, tensor<4x16x2xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// Totals: params 384+512+72+112+192+64+224 = 1560, bytes 1536+1024+288+448+768+256+896 = 5216,
// flops 800+1024+156+224+2048+400+448 = 5100; dense bytes
// 8192+4096+768+384+8192+4096+8192 = 33920, compression 33920 / 5216 = 6.50.
// CHECK-NEXT: total{{ +}}1560{{ +}}5216{{ +}}5100{{ +}}6.50x

// The JSON rows carry the same figures.
// JSON: "bytes": 1536,
// JSON: "flops_per_token": 800,
// JSON: "form": "lowrank_linear",
// JSON: "params": 384
// JSON: "bytes": 896,
// JSON: "flops_per_token": 448,
// JSON: "form": "blast_linear",
// JSON: "params": 224
