//===- SparseOps.td - block-sparse and N:M sparse layers ---*- tablegen -*-===//
//
// Two sparse encodings of W[N, K]: block compressed sparse rows (BSR) and
// N:M semi-structured sparsity (2:4 on NVIDIA sparse tensor cores).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_SPARSEOPS_TD
#define LINEA_SPARSEOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"
include "mlir/IR/Properties.td"

def Linea_BsrLinearOp : Linea_LinearLayerOp<"bsr_linear",
    "$x `,` $values `,` $col_indices `,` $row_offsets"> {
  let summary = "Block-sparse (BSR) linear layer";
  let description = [{
    `y = x · Wᵀ + bias` where `W[N, K]` is stored in block compressed sparse
    row (BSR) form with blocks of `bn × bk` (rows × columns).

    Operands:
    - `x : tensor<...xKxT>`; K, the last dim of x, must be a multiple of bk.
    - `values : tensor<nnzb x bn x bk x Tw>`: the stored (nonzero) blocks,
      in block-row order.
    - `col_indices : tensor<nnzb x i32|i64>`: the block column of each
      stored block.
    - `row_offsets : tensor<(N/bn + 1) x i32|i64>`: block row `rb` owns the
      stored blocks `e` in `[row_offsets[rb], row_offsets[rb + 1])`.
    - optional `bias : tensor<NxT>`.

    N = (len(row_offsets) − 1) · bn. For every block row `rb` and every
    stored block `e` of it, with `cb = col_indices[e]`:

    `W[rb·bn + a, cb·bk + c] = values[e, a, c]`  (0 ≤ a < bn, 0 ≤ c < bk);

    every other entry of W is 0. Then
    `y[..., n] = Σ_k x[..., k] · W[n, k] + bias[n]`, accumulated in f32.

    The verifier checks ranks, static shapes, `len(col_indices) = nnzb`,
    positive block sizes and `K mod bk = 0`; when `row_offsets` is a
    constant also `row_offsets[0] = 0`, non-decreasing and
    `row_offsets[last] = nnzb`; when `col_indices` is a constant every
    block column lies in `[0, K/bk)`; when both are constants the block
    columns of each block row are strictly increasing (sorted, no
    duplicates), as cuSPARSE and the sparsifier expect.

    FLOPs per token: `2 · nnzb · bn · bk` (+ N with bias); stored
    parameters count the index arrays too.

    ```mlir
    // N = 2 · 2 = 4, K = 4, two stored 2×2 blocks: (0, 1) and (1, 0).
    %y = linea.bsr_linear %x, %values, %cols, %rows bias %b {name = "fc1"}
        : (tensor<8x4xf32>, tensor<2x2x2xf32>, tensor<2xi32>, tensor<3xi32>,
           tensor<4xf32>) -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$values,
                       Linea_IndexTensor:$col_indices,
                       Linea_IndexTensor:$row_offsets,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
  let extraClassDeclaration = [{
    /// Rows (bn) and columns (bk) of one stored block.
    int64_t getBlockRows();
    int64_t getBlockCols();
    /// Number of stored blocks (nnzb).
    int64_t getNumBlocks();
  }];
}

def Linea_NMLinearOp : Linea_LinearLayerOp<"nm_linear",
    "$n `` `:` `` $m $x `,` $values `,` $indices"> {
  let summary = "N:M semi-structured sparse linear layer (e.g. 2:4)";
  let description = [{
    `y = x · Wᵀ + bias` where every row of `W[N, K]` keeps at most `n` of
    each group of `m` consecutive input columns (n:m sparsity; 2:4 is what
    NVIDIA sparse tensor cores execute). `n` and `m` (printed as `n:m`,
    defaults 2 and 4) satisfy `0 < n < m`, and K must be a multiple of m.

    Operands:
    - `x : tensor<...xKxT>`.
    - `values : tensor<N x (K·n/m) x Tw>`: the kept weights of each row.
    - `indices : tensor<N x (K·n/m) x i8>`: for each kept weight, its
      position within its group of m columns.
    - optional `bias : tensor<NxT>`.

    Kept element `j` of row `r` belongs to group `g = j div n`, which covers
    input columns `[g·m, g·m + m)`:

    `W[r, g·m + indices[r, j]] = values[r, j]`;

    every other entry of W is 0. When `indices` is a constant the verifier
    checks that every position lies in `[0, m)` and that positions are
    strictly increasing within each group of n (so no column is named
    twice); a group with fewer than n nonzeros stores explicit zeros.

    This is the logical layout; kernels repack `indices` into the metadata
    their hardware reads — for 2:4 on NVIDIA tensor cores, two 2-bit
    positions per group (`idx0 | idx1 << 2`), 16 bits per 4 groups.

    FLOPs per token: `2 · N · K · n/m` (+ N with bias).

    ```mlir
    // N = 4, K = 8: each row keeps 2 of every 4 columns.
    %y = linea.nm_linear 2:4 %x, %values, %indices {name = "fc1"}
        : (tensor<8x8xf16>, tensor<4x4xf16>, tensor<4x4xi8>) -> tensor<8x4xf16>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$values,
                       Linea_ByteTensor:$indices,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name,
                       DefaultValuedProp<I64Prop, "2">:$n,
                       DefaultValuedProp<I64Prop, "4">:$m);
}

#endif // LINEA_SPARSEOPS_TD
