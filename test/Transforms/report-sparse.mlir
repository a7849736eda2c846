// RUN: linea-opt %s --linea-report -o /dev/null | FileCheck %s
// RUN: linea-opt %s --linea-report="table=false json=-" -o /dev/null | FileCheck %s --check-prefix=JSON

// bsr_linear, N = K = 4, 2x2 blocks, nnzb = 3, i32 indices, bias:
//   params = 3·2·2 values + 3 col_indices + 3 row_offsets = 18
//   bytes  = 12·4 + 3·4 + 3·4 = 72;  flops = 2·3·2·2 + 4 (bias) = 28
//   compression = dense 4·4·4 = 64 bytes / 72 = 0.89x
// nm_linear 2:4, N = 4, K = 8, f16 values:
//   params = 4·4 values + 4·4 indices = 32; bytes = 16·2 + 16·1 = 48
//   flops = 2·4·8·2/4 = 32; compression = 4·8·2 / 48 = 1.33x
// shift_linear, T = 2, N = 4, K = 8, f32 scale, bias:
//   params = 64 exponents + 64 signs + 4 scale = 132; bytes = 64 + 64 + 16 = 144
//   flops = 2·4·8 additions + 4 (scale) + 4 (bias) = 72
//   compression = 4·8·4 / 144 = 0.89x
// total: dense 64 + 64 + 128 = 256 bytes / 264 = 0.97x

// FileCheck folds runs of spaces, so the columns are written with one.
// CHECK: layer form N K params bytes flops/tok compr
// CHECK-NEXT: bsr bsr_linear 4 4 18 72 28 0.89x
// CHECK-NEXT: nm nm_linear 4 8 32 48 32 1.33x
// CHECK-NEXT: shift shift_linear 4 8 132 144 72 0.89x
// CHECK-NEXT: total 182 264 132 0.97x

// JSON keys come out sorted.
// JSON:      "bytes": 72,
// JSON-NEXT: "compression"
// JSON-NEXT: "dense_bytes": 64,
// JSON-NEXT: "flops_per_token": 28,
// JSON-NEXT: "form": "bsr_linear",
// JSON-NEXT: "in_features": 4,
// JSON-NEXT: "name": "bsr",
// JSON-NEXT: "out_features": 4,
// JSON-NEXT: "params": 18
// JSON:      "bytes": 48,
// JSON:      "flops_per_token": 32,
// JSON-NEXT: "form": "nm_linear",
// JSON:      "params": 32
// JSON:      "bytes": 144,
// JSON:      "flops_per_token": 72,
// JSON-NEXT: "form": "shift_linear",
// JSON:      "params": 132

func.func @layers(%x4: tensor<2x4xf32>, %b4: tensor<4xf32>, %x8: tensor<2x8xf16>,
                  %v: tensor<3x2x2xf32>, %nmv: tensor<4x4xf16>, %nmi: tensor<4x4xi8>,
                  %x8f: tensor<2x8xf32>, %e: tensor<2x4x8xi8>, %s: tensor<2x4x8xi8>,
                  %scale: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf16>, tensor<2x4xf32>) {
  %cols = arith.constant dense<[1, 0, 1]> : tensor<3xi32>
  %rows = arith.constant dense<[0, 1, 3]> : tensor<3xi32>
  %0 = linea.bsr_linear %x4, %v, %cols, %rows bias %b4 {name = "bsr"}
      : (tensor<2x4xf32>, tensor<3x2x2xf32>, tensor<3xi32>, tensor<3xi32>, tensor<4xf32>) -> tensor<2x4xf32>
  %1 = linea.nm_linear 2:4 %x8, %nmv, %nmi {name = "nm"}
      : (tensor<2x8xf16>, tensor<4x4xf16>, tensor<4x4xi8>) -> tensor<2x4xf16>
  %2 = linea.shift_linear %x8f, %e, %s scale %scale bias %b4 {name = "shift"}
      : (tensor<2x8xf32>, tensor<2x4x8xi8>, tensor<2x4x8xi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0, %1, %2 : tensor<2x4xf32>, tensor<2x4xf16>, tensor<2x4xf32>
}
