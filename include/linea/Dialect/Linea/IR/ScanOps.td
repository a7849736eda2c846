//===- ScanOps.td - linear-recurrence and state-space ops ---*- tablegen -*-===//
//
// Linear recurrences over a time axis: the diagonal scan of S4/S5/LRU,
// Mamba's selective scan, gated linear attention and the delta rule. None is
// a linear layer; they share the conventions below (see REWRITES.md §7).
//
// - B (batch), H (heads) and T (time) may be dynamic; wherever two operands
//   or results both give one of them statically, the sizes must agree.
// - Feature dimensions (D, N, Dk, Dv) must be static: they size the state.
// - All arithmetic, and the carried state, is f32. Initial and final states
//   are f32 tensors, so that a sequence processed in pieces chains exactly
//   (linear_scan has no final-state result: see its description); other
//   results have the element type of the first operand.
// - t runs from 0 to T − 1; the state before step 0 is the initial state, or
//   zeros when it is absent. T = 0 is allowed: the final state is then the
//   initial state.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_SCAN_OPS_TD
#define LINEA_SCAN_OPS_TD

include "linea/Dialect/Linea/IR/LineaBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Linea_ScanOp<string mnemonic, list<Trait> traits = []>
    : Linea_Op<mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// linea.linear_scan
//===----------------------------------------------------------------------===//

def Linea_LinearScanOp : Linea_ScanOp<"linear_scan"> {
  let summary = "Diagonal linear recurrence h_t = a_t ⊙ h_{t−1} + b_t";
  let description = [{
    The elementwise first-order recurrence at the core of S4, S5 and LRU
    (after discretisation, `a = Λ̄` broadcast over time and `b = B̄ u`).

    Operands: `a, b : tensor<BxTxDxE>` (E in f32/f16/bf16, the same for both),
    optional `initial_state : tensor<BxDxf32>`. Result `h : tensor<BxTxDxE>`:

    ```
    h[i, t, d] = a[i, t, d] · h[i, t − 1, d] + b[i, t, d]   for t = 0 … T − 1
    h[i, −1, d] = initial_state[i, d]  (0 when absent)
    ```

    The state is carried in f32 and each `h[i, t, d]` is rounded once to E.
    There is no separate final-state result: the state after the last step
    is `h[:, T − 1, :]`, so a sequence processed in pieces chains exactly
    (passing that slice, widened, as the next `initial_state`) only when E is
    f32; with f16/bf16 the carried state is rounded at each piece boundary.
    The operator on pairs `(a_i, b_i) • (a_j, b_j) = (a_j a_i, a_j b_i + b_j)`
    is associative, so a lowering may evaluate the recurrence as a parallel
    scan; results then differ from the sequential order only by rounding.
    Values are real: complex LRU states are split by the caller.

    ```mlir
    %h = linea.linear_scan %a, %b initial_state %h0
        : (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<?x64xf32>)
        -> tensor<?x?x64xbf16>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$a, Linea_FloatTensor:$b,
                       Optional<Linea_FloatTensor>:$initial_state);
  let results = (outs Linea_FloatTensor:$h);
  let assemblyFormat = [{
    $a `,` $b (`initial_state` $initial_state^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// linea.selective_scan
//===----------------------------------------------------------------------===//

def Linea_SelectiveScanOp
    : Linea_ScanOp<"selective_scan", [AttrSizedOperandSegments]> {
  let summary = "Mamba selective scan with input-dependent step, B and C";
  let description = [{
    The selective state-space scan of Mamba (one group: B and C are shared by
    all D channels), with its optional skip, output gate, step bias, softplus
    and initial state.

    Operands (E in f32/f16/bf16):
    - `u : tensor<BtxTxDxE>` the input, `delta : tensor<BtxTxDxE>` the step;
    - `A : tensor<DxNxF>` the state matrix, used as given (Mamba passes
      `A = −exp(A_log)`, computed upstream);
    - `B, C : tensor<BtxTxNxE>` the input and output projections per step;
    - optional `skip D_skip : tensor<DxF>`, `gate z : tensor<BtxTxDxE>`,
      `delta_bias : tensor<DxF>`, `initial_state h0 : tensor<BtxDxNxf32>`;
    - unit attribute `delta_softplus`.
    F (for the parameters A, D_skip, delta_bias) is any of f32/f16/bf16;
    u, delta, B, C and z share E.

    Results: `y : tensor<BtxTxDxE>` and `final_state : tensor<BtxDxNxf32>`.
    In f32, for every batch i, time t = 0 … T − 1, channel d and state n:

    ```
    Δ[i, t, d]    = delta[i, t, d] + delta_bias[d]          (+ 0 when absent)
    Δ[i, t, d]    = log(1 + exp(Δ[i, t, d]))                 if delta_softplus
    h[i, t, d, n] = exp(Δ[i, t, d] · A[d, n]) · h[i, t − 1, d, n]
                    + Δ[i, t, d] · B[i, t, n] · u[i, t, d]
    h[i, −1, d, n] = initial_state[i, d, n]                  (0 when absent)
    y[i, t, d]    = Σ_n C[i, t, n] · h[i, t, d, n]
                    + D_skip[d] · u[i, t, d]                  (no term when absent)
    y[i, t, d]    = y[i, t, d] · silu(z[i, t, d])            if gate,
                    silu(x) = x / (1 + exp(−x))
    final_state[i, d, n] = h[i, T − 1, d, n]
    ```

    `y` is rounded once to E. The recurrence is the scan of `linear_scan`
    with `a = exp(ΔA)` and `b = ΔBu`, so it may be evaluated in parallel.

    ```mlir
    %y, %hT = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z
        delta_bias %db {delta_softplus}
        : (tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x16xf32>,
           tensor<?x?x16xbf16>, tensor<?x?x16xbf16>, tensor<64xf32>,
           tensor<?x?x64xbf16>, tensor<64xf32>)
        -> (tensor<?x?x64xbf16>, tensor<?x64x16xf32>)
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$u, Linea_FloatTensor:$delta,
                       Linea_FloatTensor:$A, Linea_FloatTensor:$B,
                       Linea_FloatTensor:$C,
                       Optional<Linea_FloatTensor>:$D_skip,
                       Optional<Linea_FloatTensor>:$z,
                       Optional<Linea_FloatTensor>:$delta_bias,
                       Optional<Linea_FloatTensor>:$initial_state,
                       UnitAttr:$delta_softplus);
  let results = (outs Linea_FloatTensor:$y, Linea_FloatTensor:$final_state);
  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C
    (`skip` $D_skip^)? (`gate` $z^)? (`delta_bias` $delta_bias^)?
    (`initial_state` $initial_state^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// linea.gated_linear_attention
//===----------------------------------------------------------------------===//

def Linea_GatedLinearAttentionOp : Linea_ScanOp<"gated_linear_attention"> {
  let summary = "Gated linear attention (GLA) recurrence";
  let description = [{
    Linear attention with a data-dependent, per-key-channel forget gate given
    in log space (GLA; REWRITES.md §7).

    Operands (E in f32/f16/bf16): `q, k : tensor<BxHxTxDkxE>`,
    `v : tensor<BxHxTxDvxE>`, `g : tensor<BxHxTxDkxF>` the log forget gate
    (F any of f32/f16/bf16; ≤ 0 in practice, not checked), optional
    `initial_state : tensor<BxHxDkxDvxf32>`, optional `scale : f32`
    (default `1/sqrt(Dk)`). Results `o : tensor<BxHxTxDvxE>` and
    `final_state : tensor<BxHxDkxDvxf32>`.

    For every batch i and head h the state `S_t` is a Dk×Dv f32 matrix; with
    row vectors `q_t = q[i, h, t, :]` (likewise k_t, v_t, g_t):

    ```
    S_{−1} = initial_state[i, h]                          (0 when absent)
    S_t    = diag(exp(g_t)) · S_{t−1} + k_tᵀ · v_t
           i.e. S_t[a, c] = exp(g_t[a]) · S_{t−1}[a, c] + k_t[a] · v_t[c]
    o[i, h, t, c] = scale · Σ_a q_t[a] · S_t[a, c]
    final_state[i, h] = S_{T−1}
    ```

    Each output step sees the current token (S_t, not S_{t−1}); `o` is
    rounded once to E. Output normalisation and gating stay outside the op.

    ```mlir
    %o, %sT = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0
        {scale = 1.250000e-01 : f32}
        : (tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16>, tensor<?x4x?x128xbf16>,
           tensor<?x4x?x64xf32>, tensor<?x4x64x128xf32>)
        -> (tensor<?x4x?x128xbf16>, tensor<?x4x64x128xf32>)
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$q, Linea_FloatTensor:$k,
                       Linea_FloatTensor:$v, Linea_FloatTensor:$g,
                       Optional<Linea_FloatTensor>:$initial_state,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Linea_FloatTensor:$o, Linea_FloatTensor:$final_state);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` $g (`initial_state` $initial_state^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The output scale: the `scale` attribute, or 1/sqrt(Dk) when absent.
    float getEffectiveScale();
  }];
}

//===----------------------------------------------------------------------===//
// linea.delta_rule
//===----------------------------------------------------------------------===//

def Linea_DeltaRuleOp : Linea_ScanOp<"delta_rule"> {
  let summary = "DeltaNet recurrence S_t = S_{t−1} + β_t k_tᵀ(v_t − k_t S_{t−1})";
  let description = [{
    Linear attention whose state is updated by the delta rule (DeltaNet;
    REWRITES.md §7): each step writes `v_t` at key `k_t`, replacing what the
    state held there in proportion β_t.

    Operands (E in f32/f16/bf16): `q, k : tensor<BxHxTxDkxE>`,
    `v : tensor<BxHxTxDvxE>`, `beta : tensor<BxHxTxF>` the write strength
    (F any of f32/f16/bf16; in (0, 1) in practice, not checked), optional
    `initial_state : tensor<BxHxDkxDvxf32>`, optional `scale : f32`
    (default `1/sqrt(Dk)`). Results `o : tensor<BxHxTxDvxE>` and
    `final_state : tensor<BxHxDkxDvxf32>`.

    For every batch i and head h the state `S_t` is a Dk×Dv f32 matrix; with
    row vectors `q_t = q[i, h, t, :]` (likewise k_t, v_t) and
    `β_t = beta[i, h, t]`:

    ```
    S_{−1} = initial_state[i, h]                          (0 when absent)
    S_t    = S_{t−1} + β_t · k_tᵀ · (v_t − k_t · S_{t−1})
           i.e. S_t[a, c] = S_{t−1}[a, c]
                + β_t · k_t[a] · (v_t[c] − Σ_a' k_t[a'] · S_{t−1}[a', c])
    o[i, h, t, c] = scale · Σ_a q_t[a] · S_t[a, c]
    final_state[i, h] = S_{T−1}
    ```

    Keys are used as given: the op does not normalise them. DeltaNet
    L2-normalises q and k upstream (the update is a stable projection only
    for ‖k_t‖ = 1), and so must any other caller that wants that behaviour.
    `o` is rounded once to E.

    ```mlir
    %o, %sT = linea.delta_rule %q, %k, %v, %beta
        : (tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>, tensor<2x4x?x64xf16>,
           tensor<2x4x?xf16>) -> (tensor<2x4x?x64xf16>, tensor<2x4x64x64xf32>)
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$q, Linea_FloatTensor:$k,
                       Linea_FloatTensor:$v, Linea_FloatTensor:$beta,
                       Optional<Linea_FloatTensor>:$initial_state,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Linea_FloatTensor:$o, Linea_FloatTensor:$final_state);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` $beta (`initial_state` $initial_state^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The output scale: the `scale` attribute, or 1/sqrt(Dk) when absent.
    float getEffectiveScale();
  }];
}

#endif // LINEA_SCAN_OPS_TD
