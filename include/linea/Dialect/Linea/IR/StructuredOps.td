//===- StructuredOps.td - structured linear-layer forms --------*- tablegen -*-===//
//
// Linear layers whose weight W[N, K] is stored as a product or sum of smaller
// factors: low-rank, block-diagonal, Monarch, Block Tensor-Train, Kronecker
// and BLAST. Each op states the exact index formula of the W it stands for;
// REWRITES.md §1–2 holds the math and the projections that produce them.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_STRUCTUREDOPS_TD
#define LINEA_STRUCTUREDOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

def Linea_LowRankLinearOp
    : Linea_LinearLayerOp<"lowrank_linear", "$x `,` $u `,` $v"> {
  let summary = "Low-rank linear layer y = (x · vᵀ) · uᵀ + bias";
  let description = [{
    A linear layer whose weight is the product of two thin factors, as
    produced by a truncated SVD (LoRD).

    Operands: `x : tensor<...xKxT>`, `u : tensor<Nxr>`, `v : tensor<rxK>`
    (static shapes, f32/f16/bf16, element types may differ from T),
    optional `bias : tensor<NxT>`. Result `y : tensor<...xNxT>`. The dense
    weight is

    `W[n, k] = Σ_{ρ<r} u[n, ρ] · v[ρ, k]`, i.e. `W = u · v`,

    evaluated as `y = (x · vᵀ) · uᵀ + bias` with f32 accumulation. The rank
    r is u's dimension 1 and must equal v's dimension 0.

    FLOPs per token: `2·r·(N + K)` (+ N with a bias).

    ```mlir
    %y = linea.lowrank_linear %x, %u, %v bias %b {name = "fc1"}
        : (tensor<8x64xf32>, tensor<32x4xf32>, tensor<4x64xf32>, tensor<32xf32>)
        -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$u,
                       Linea_FloatTensor:$v,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
}

def Linea_BlockDiagLinearOp
    : Linea_LinearLayerOp<"blockdiag_linear", "$x `,` $blocks"> {
  let summary = "Block-diagonal linear layer";
  let description = [{
    A linear layer whose weight is block-diagonal with g equal blocks: input
    group i only feeds output group i.

    Operands: `x : tensor<...xKxT>`, `blocks : tensor<g x (N/g) x (K/g)>`
    (static shape, f32/f16/bf16), optional `bias : tensor<NxT>`. With
    `bn = N/g` and `bk = K/g` (blocks' dimensions 1 and 2), `N = g·bn`,
    `K = g·bk`, and the dense weight is

    `W[i·bn + a, i·bk + c] = blocks[i, a, c]` for `i < g, a < bn, c < bk`;
    every other element of W is 0. Block i occupies rows `[i·N/g, (i+1)·N/g)`
    and columns `[i·K/g, (i+1)·K/g)`.

    FLOPs per token: `2·N·K/g` (+ N with a bias).

    ```mlir
    %y = linea.blockdiag_linear %x, %blocks
        : (tensor<8x64xf32>, tensor<4x8x16xf32>) -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$blocks,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
}

def Linea_MonarchLinearOp
    : Linea_LinearLayerOp<"monarch_linear", "$x `,` $w1 `,` $w2"> {
  let summary = "Monarch linear layer: block-diagonal, stride permutation, "
                "block-diagonal";
  let description = [{
    A Monarch matrix (HazyResearch `blockdiag_butterfly_multiply`): two
    block-diagonal factors with a fixed stride permutation between them.

    Operands: `x : tensor<...xKxT>`, `w1 : tensor<k x q x p>`,
    `w2 : tensor<l x s x r>` (static shapes, f32/f16/bf16), optional
    `bias : tensor<NxT>`, with `K = k·p`, `N = l·s` and `k·q = l·r` (the
    number of intermediates both stages agree on).

    - Stage 1 (k blocks of q×p): `z[κ·q + j] = Σ_{i<p} w1[κ, j, i] · x[κ·p + i]`.
    - Stride permutation: intermediate `t < k·q` goes to block `λ = t mod l`
      at position `ρ = t div l`.
    - Stage 2 (l blocks of s×r):
      `y[σ·l + λ] = Σ_{ρ<r} w2[λ, σ, ρ] · z[ρ·l + λ]` for `σ < s, λ < l`.

    Hence the dense weight is

    `W[σ·l + λ, κ·p + i] = Σ_{j<q : (κ·q + j) mod l = λ}
                              w2[λ, σ, (κ·q + j) div l] · w1[κ, j, i]`.

    The square "nblocks = b" Monarch of size n has `k = l = b` and
    `p = q = r = s = n/b`. FLOPs per token: `2·(k·q·p + l·s·r)`
    (+ N with a bias).

    ```mlir
    %y = linea.monarch_linear %x, %w1, %w2
        : (tensor<8x16xf32>, tensor<4x4x4xf32>, tensor<4x4x4xf32>)
        -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$w1,
                       Linea_FloatTensor:$w2,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
}

def Linea_BTTLinearOp
    : Linea_LinearLayerOp<"btt_linear", "$x `,` $w1 `,` $w2"> {
  let summary = "Block Tensor-Train linear layer";
  let description = [{
    A Block Tensor-Train (BTT) matrix of rank r (compute-better-spent
    `btt_mvm`): two batched tensor-train cores.

    Operands: `x : tensor<...xKxT>`, `w1 : tensor<M1 x M0 x (N0·r)>`,
    `w2 : tensor<N0 x (M1·r) x N1>` (static shapes, f32/f16/bf16), optional
    `bias : tensor<NxT>`. `K = M1·M0` (input index `m1·M0 + m0`) and
    `N = N0·N1` (output index `n0·N1 + n1`). The rank `r = w1.dim2 / N0`
    must be an integer and equal `w2.dim1 / M1`.

    Evaluation: `z[m1, n0·r + ρ] = Σ_{m0} x[m1·M0 + m0] · w1[m1, m0, n0·r + ρ]`,
    then `y[n0·N1 + n1] = Σ_{m1, ρ} z[m1, n0·r + ρ] · w2[n0, m1·r + ρ, n1]`.
    The dense weight is

    `W[n0·N1 + n1, m1·M0 + m0] = Σ_{ρ<r} w2[n0, m1·r + ρ, n1] · w1[m1, m0, n0·r + ρ]`.

    With r = 1 it has the Monarch structure (k = M1, p = M0, q = l = N0,
    r = M1, s = N1 and both cores' last two dims swapped) except that the
    output index is `n0·N1 + n1` rather than Monarch's `n1·N0 + n0`.
    FLOPs per token: `2·(M1·M0·N0·r + N0·M1·r·N1)` (+ N with a bias).

    ```mlir
    %y = linea.btt_linear %x, %w1, %w2
        : (tensor<8x16xf32>, tensor<4x4x8xf32>, tensor<4x8x4xf32>)
        -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$w1,
                       Linea_FloatTensor:$w2,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
}

def Linea_KronLinearOp
    : Linea_LinearLayerOp<"kron_linear", "$x `,` $a `,` $b"> {
  let summary = "Sum-of-Kronecker-products (PHM) linear layer";
  let description = [{
    A linear layer whose weight is a sum of s Kronecker products,
    `W = Σ_t a[t] ⊗ b[t]`.

    Operands: `x : tensor<...xKxT>`, `a : tensor<s x n1 x k1>`,
    `b : tensor<s x n2 x k2>` (static shapes, f32/f16/bf16; a and b have the
    same number of terms s), optional `bias : tensor<NxT>`. `N = n1·n2`,
    `K = k1·k2`, and the dense weight is

    `W[i1·n2 + i2, j1·k2 + j2] = Σ_{t<s} a[t, i1, j1] · b[t, i2, j2]`.

    Evaluated without W: view x as `X[k1, k2]` (row-major),
    `Y = Σ_t a[t] · X · b[t]ᵀ`, flattened row-major to `y[n1·n2]`.
    FLOPs per token: `s · min(2·(n1·k1·k2 + n1·k2·n2), 2·(k1·k2·n2 + n1·k1·n2))`
    (the cheaper association order; + N with a bias).

    ```mlir
    %y = linea.kron_linear %x, %a, %b
        : (tensor<8x64xf32>, tensor<2x4x8xf32>, tensor<2x8x8xf32>)
        -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$a,
                       Linea_FloatTensor:$b,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
}

def Linea_BlastLinearOp
    : Linea_LinearLayerOp<"blast_linear", "$x `,` $u `,` $s `,` $v"> {
  let summary = "BLAST (Block-Level Adaptive STructured) linear layer";
  let description = [{
    A b×b grid of blocks that share left and right factors per block row and
    column, coupled by per-block diagonal weights:
    `W_ij = u_i · diag(s[i, j, :]) · v_jᵀ`.

    Operands: `x : tensor<...xKxT>`, `u : tensor<b x p x r>`,
    `s : tensor<b x b x r>`, `v : tensor<b x q x r>` (static shapes,
    f32/f16/bf16), optional `bias : tensor<NxT>`. `N = b·p`, `K = b·q`, and
    the dense weight is

    `W[i·p + α, j·q + γ] = Σ_{ρ<r} u[i, α, ρ] · s[i, j, ρ] · v[j, γ, ρ]`.

    Evaluated as `z_j = v_jᵀ x_j`, `w_i = Σ_j s[i, j, :] ⊙ z_j`,
    `y_i = u_i w_i`. FLOPs per token: `2·r·(K + N + b²)` (+ N with a bias).

    ```mlir
    %y = linea.blast_linear %x, %u, %s, %v
        : (tensor<8x64xf32>, tensor<4x8x2xf32>, tensor<4x4x2xf32>,
           tensor<4x16x2xf32>) -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$u,
                       Linea_FloatTensor:$s, Linea_FloatTensor:$v,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
}

#endif // LINEA_STRUCTUREDOPS_TD
