//===- Passes.td - linea passes --------------------------------*- tablegen -*-===//

#ifndef LINEA_TRANSFORMS_PASSES_TD
#define LINEA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LinearLayerReport : Pass<"linea-report", "mlir::ModuleOp"> {
  let summary = "Tabulate every linear layer: form, shape, size, cost and error";
  let description = [{
    Prints one row per op implementing `LinearLayerOpInterface`, in program
    order: layer name (the `name` attribute, else `<func>#<index>`), form
    (the op mnemonic), N (out features), K (in features), stored weight
    parameters, stored weight bytes, FLOPs per token, the compression
    against the dense layer in the activation type (dense bytes ÷ stored
    bytes) and the relative weight error ‖W − Ŵ‖_F/‖W‖_F that the rewrite
    which produced the layer recorded in `linea.weight_error` (`-` when it
    recorded none). A final row sums the module. The IR is left unchanged.

    With `reference=ORIG.mlir` the module and ORIG (typically the input
    before the rewrites) are also run through the CPU JIT on the same
    inputs (the .npy files of `inputs=a.npy,b.npy`, else uniform random ones
    from `seed`), and the max-abs, max-relative (`max|Δ|/max|y_ref|`, as
    linea-run --compare) and Frobenius-relative error of each output is
    printed after the table. Both run on private copies: the module being
    transformed is not lowered.

    With `json=PATH` the same rows are also written as a JSON document
    `{"layers": [...], "total": {...}}` (`-` writes it to stdout), plus
    `"output_error": {...}` with `reference`; an absent weight error is
    `null` there.
  }];
  let options = [
    Option<"jsonPath", "json", "std::string", /*default=*/"\"\"",
           "Also write the rows as JSON to this file ('-' for stdout)">,
    Option<"printTable", "table", "bool", /*default=*/"true",
           "Print the table to stdout">,
    Option<"referencePath", "reference", "std::string", /*default=*/"\"\"",
           "Compare the outputs against this module's (see description)">,
    ListOption<"inputPaths", "inputs", "std::string",
               "Input .npy files of the compared function, in argument order "
               "(default: random inputs)">,
    Option<"seed", "seed", "uint64_t", /*default=*/"0",
           "Seed of the random inputs">,
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Function to compare (default: the only public one)">,
  ];
}

def Densify : Pass<"linea-densify", "mlir::ModuleOp"> {
  let summary = "Replace every linear-layer form by the dense linea.linear it stands for";
  let description = [{
    For each op implementing `LinearLayerOpInterface` whose weight operands
    are constants, computes `materializeDenseWeight()` and replaces the op by
    `linea.linear` with that W as a constant (in the activation element
    type), keeping bias and name. Layers whose weights are not constants are
    left alone with a remark saying which operand. Used to validate every
    form against the dense matrix it claims to be.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def Raise : Pass<"linea-raise", "mlir::ModuleOp"> {
  let summary = "Recognise linear layers, norms and attention in upstream IR";
  let description = [{
    Rewrites patterns of upstream ops (as `linea-import-onnx` emits them, or
    as written by hand) into linea ops:
    - a contraction `x[M, K] · W[K, N]` with a constant W (optionally
      followed by a bias add) → `linea.linear` with W transposed to [N, K]
      at compile time;
    - a dequantize → contraction chain with constant quantized weights →
      `linea.quant_linear`;
    - RMSNorm and LayerNorm computations → `linea.rms_norm` /
      `linea.layer_norm`;
    - softmax(Q·Kᵀ·scale + mask)·V, including repeated K/V heads and causal
      masks given as constants, and masked fills with −inf (ONNX Where) →
      `linea.attention`.
    Anything not recognised is left as it is, so the module computes the
    same function before and after.
  }];
  let dependentDialects = [
    "linea::LineaDialect", "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Structured rewrites (REWRITES.md §1–2). All share the layer selection
// options and the driver in StructuredRewrite.h.
//===----------------------------------------------------------------------===//

defvar selectionOptions = [
  ListOption<"only", "only", "std::string",
             "Rewrite only layers whose name matches one of these globs">,
  ListOption<"except", "except", "std::string",
             "Leave layers whose name matches one of these globs">,
  Option<"minSize", "min-size", "int64_t", /*default=*/"0",
         "Leave layers whose dense weight has fewer than this many "
         "elements (N·K)">,
];

class StructuredRewritePass<string arg, string form>
    : Pass<arg, "mlir::ModuleOp"> {
  let summary = "Rewrite dense linea.linear layers with constant weights into "
                # form;
  let options = selectionOptions;
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def LowRank : StructuredRewritePass<"linea-lowrank",
                                    "linea.lowrank_linear (W ≈ U·V)"> {
  let description = [{
    Truncated SVD W ≈ U_r Σ_r V_rᵀ, stored as u = U_r Σ_r^½ [N, r] and
    v = Σ_r^½ V_rᵀ [r, K] (REWRITES.md §1.1). Exactly one of `rank`,
    `energy` (keep the smallest r whose σ₁²+…+σ_r² reaches this fraction of
    ‖W‖_F²) and `param-ratio` (largest r with r·(N+K) ≤ ratio·N·K) chooses
    r; anything else is an error. With `multiple-of`, a rank chosen by
    `param-ratio` is rounded down and one chosen by `energy` up to a
    multiple of it (SIMD and tensor-core friendly).
    Small matrices use an exact SVD; when the rank is at most about half of
    min(N, K) (and that exceeds 256), a randomized SVD (Halko et al.) with
    `power-iterations` power iterations and `oversample` extra columns,
    seeded by `seed`, on all hardware threads.
    Layers the rank would not shrink (r·(N+K) ≥ N·K) are skipped with a
    remark before any SVD; the new op records `linea.weight_error` =
    ‖W−Ŵ‖_F/‖W‖_F, which for the exact SVD is the tail √(Σ_{i>r} σ_i²)/‖W‖_F.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"rank", "rank", "int64_t", /*default=*/"0", "Target rank r">,
    Option<"energy", "energy", "double", /*default=*/"0.0",
           "Keep this fraction (0, 1] of the squared Frobenius norm">,
    Option<"paramRatio", "param-ratio", "double", /*default=*/"0.0",
           "Keep at most this fraction (0, 1) of the dense parameters">,
    Option<"multipleOf", "multiple-of", "int64_t", /*default=*/"1",
           "Round ranks chosen by energy (up) or param-ratio (down) to a "
           "multiple of this">,
    Option<"powerIterations", "power-iterations", "int64_t", /*default=*/"2",
           "Power iterations of the randomized SVD">,
    Option<"oversample", "oversample", "int64_t", /*default=*/"8",
           "Extra sketch columns of the randomized SVD">,
    Option<"seed", "seed", "int64_t", /*default=*/"0",
           "Seed of the randomized SVD">,
  ]);
}

def LowRankKV : Pass<"linea-lowrank-kv", "mlir::ModuleOp"> {
  let summary = "Palu: grouped low-rank K/V projections whose latent is what "
                "the KV cache stores";
  let description = [{
    REWRITES.md §1.2 (Palu, Chang et al., 2024). Rewrites the key and value
    projections of attention — the `linea.linear` layers whose result
    reaches the `k` or `v` operand of a `linea.attention` through
    shape-only and elementwise ops only (reshapes, transposes, slices,
    inserts, concatenations, all-parallel `linalg` ops such as RoPE) — into
    a grouped low-rank form. With W [Hkv·d, K] (Hkv kv heads of dim d, taken
    from the attention operand; the pass fails with an error when
    N ≠ Hkv·d) split into G = Hkv / `group-size` row groups of
    `group-size` heads each (head-major rows, as `view(B, T, Hkv, d)`
    implies), each group W_g [group-size·d, K] is replaced by its truncated
    SVD W_g ≈ u_g·v_g:

    ```
    latent_g = x · v_gᵀ          [..., r_g]   (v_g [r_g, K]: shared by the group's heads)
    kv_g     = latent_g · u_gᵀ   [..., group-size·d]   (+ the group's bias slice)
    kv       = concat_g kv_g     along the last dim
    ```

    one `linea.lowrank_linear` per group (named `<layer>/g<i>`) and a
    `tensor.concat` of their outputs; with a single group (the default,
    `group-size=0` = all kv heads: a joint SVD of the whole projection) one
    `linea.lowrank_linear` keeping the layer's name — `linea-lowrank`
    restricted to the K/V projections. The latents are what a
    decoder caches: Σ_g r_g numbers per token and projection instead of
    Hkv·d, recorded as `linea.kv_latent` on the op that produces the
    projection (the concat, or the single layer). K and V are rebuilt from
    the latent before anything downstream of the projection, in particular
    before RoPE, so rotary embeddings stay exact.

    The rank is chosen per group, like `linea-lowrank` chooses it per
    layer: exactly one of `rank` (r_g = rank for every group), `energy`
    (smallest r_g keeping that fraction of ‖W_g‖_F²) and `param-ratio`.
    Each group op records `linea.weight_error` = ‖W_g − Ŵ_g‖_F/‖W_g‖_F. At
    equal cache size the joint SVD of rank G·r is never worse in weight
    error than G groups of rank r (their concatenation is itself a rank-G·r
    matrix), but rebuilding each head then reads the whole latent: G times
    the multiply-adds of the grouped form.

    Layers are skipped with a remark when they do not feed attention's k
    or v (or also feed q, the mask, or both k and v: a fused projection),
    when the weight is not a constant, when the kv head count is dynamic,
    when `group-size` does not divide it, when a group's rank is not below
    its full rank min(group-size·d, K) (the latent would be no smaller than
    the dense keys), or when r_g·(group-size·d + K) would not store fewer
    parameters than the group's weight.

    With `latent-attention=true`, every `linea.attention` whose k and v
    projections the pass factored then becomes one
    `linea.latent_attention` (Palu's decode form: the attention reads the
    latents and rebuilds K, then RoPE, and V itself):

    ```
    k_latent = x · concat_g(v_g)ᵀ   [B, T, G·r]   (a linea.linear, named
                                                   `<layer>/latent`)
    k_up     = stack_g(u_g)         [G, group-size·d, r]
    ```

    and likewise for v; the result equals the factored module up to f32
    summation order. It applies when k and v are each the head split
    (`expand_shape` to [B, T, Hkv, d], `transpose` [0, 2, 1, 3]) of the
    factored projection, the keys optionally through RoPE written as
    `k·cos + rotate_half(k)·sin` (elementwise `linalg.generic`s; the
    rotation a `tensor.concat` or two `tensor.insert_slice` of
    `−k[…, d/2:]` and `k[…, :d/2]`; cos and sin [T, d] tables, or with
    leading unit dims); the groups have no bias and one rank (`rank=`, not
    `energy=`/`param-ratio=` with unequal results); and the attention has
    no mask and no `quant`. Otherwise the attention stays with a remark
    naming why. This is an option rather than its own pass because the
    rewrite needs the projections this pass just built and reports on the
    attentions it touched; prefill (S > 1) is rewritten too (the reference
    lowering handles any S; the CPU kernel takes S = 1).
  }];
  let options = !listconcat(selectionOptions, [
    Option<"rank", "rank", "int64_t", /*default=*/"0",
           "Rank r of every group (cached numbers per token: r·G)">,
    Option<"energy", "energy", "double", /*default=*/"0.0",
           "Per group, keep this fraction (0, 1] of ‖W_g‖_F²">,
    Option<"paramRatio", "param-ratio", "double", /*default=*/"0.0",
           "Per group, keep at most this fraction (0, 1) of its parameters">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"0",
           "KV heads per group (must divide Hkv; 0: all of them, one joint "
           "SVD)">,
    Option<"latentAttention", "latent-attention", "bool",
           /*default=*/"false",
           "Then rewrite each attention whose k and v were both factored "
           "into a linea.latent_attention over the latents">,
  ]);
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::tensor::TensorDialect"];
}

def BlockDiag : StructuredRewritePass<"linea-blockdiag",
                                      "linea.blockdiag_linear"> {
  let description = [{
    Keeps the `blocks` diagonal blocks of W, the Frobenius-nearest
    block-diagonal matrix (REWRITES.md §2.4); everything off the diagonal
    blocks is dropped, so `linea.weight_error` is its share of ‖W‖_F.
    Layers whose N or K `blocks` does not divide are skipped with a remark.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"blocks", "blocks", "int64_t", /*default=*/"4",
           "Number of diagonal blocks g (g | N, g | K)">,
  ]);
}

def Monarch : StructuredRewritePass<"linea-monarch",
                                    "linea.monarch_linear"> {
  let description = [{
    The Frobenius-nearest Monarch matrix (Dao et al., 2022; REWRITES.md
    §2.1) with b = `blocks` blocks in both factors and block rank ρ =
    `rank`: w1 [b, ρ·b, K/b], w2 [b, N/b, ρ·b]. Each of the b² strided
    sub-blocks (rows ≡ λ mod b, input block κ) is replaced by its best
    rank-ρ approximation (per-block SVD, on all hardware threads).
    Parameters ρ·b·(N+K). `rank=0` takes the classic square Monarch,
    ρ = max(1, K/b²) (ρ = 1 at b = √K). Layers whose N or K b does not
    divide, or with ρ > min(N, K)/b, are skipped with a remark.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"blocks", "blocks", "int64_t", /*default=*/"4",
           "Blocks per factor b (b | N, b | K)">,
    Option<"rank", "rank", "int64_t", /*default=*/"0",
           "Rank of each sub-block (0: max(1, K/b²))">,
  ]);
}

def BTT : StructuredRewritePass<"linea-btt", "linea.btt_linear"> {
  let description = [{
    Block tensor-train factorization of rank `rank` (Qiu et al., 2024;
    REWRITES.md §2.2) with c = `cores` blocks per core: M1 = N0 = c,
    M0 = K/c, N1 = N/c, w1 [c, K/c, c·r], w2 [c, c·r, N/c]. Each N1×M0
    block (n0, m1) of W gets its best rank-r approximation (per-block SVD,
    on all hardware threads). Parameters r·c·(N+K). `cores=0` picks the
    common divisor of N and K nearest (N·K)^¼ (√N for a square layer).
    Layers whose N or K c does not divide, or with r > min(N, K)/c, are
    skipped with a remark.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"rank", "rank", "int64_t", /*default=*/"1", "TT rank r">,
    Option<"cores", "cores", "int64_t", /*default=*/"0",
           "Blocks per core c (0: the common divisor of N and K nearest "
           "(N·K)^¼)">,
  ]);
}

def Kron : StructuredRewritePass<"linea-kron", "linea.kron_linear"> {
  let description = [{
    Nearest sum of `terms` Kronecker products W ≈ Σ_t a_t ⊗ b_t (Van Loan &
    Pitsianis): the rearranged W has rank-`terms` SVD. `factors=n1,k1`
    fixes the shape of a (default: the divisors nearest √N and √K).
  }];
  let options = !listconcat(selectionOptions, [
    Option<"terms", "terms", "int64_t", "1", "Number of Kronecker terms">,
    ListOption<"factors", "factors", "int64_t",
               "n1,k1: shape of the first factor a[t] (n1 | N, k1 | K)">,
  ]);
}

def Blast : StructuredRewritePass<"linea-blast", "linea.blast_linear"> {
  let description = [{
    BLAST factorization (Lee et al., 2024) with `blocks`×`blocks` blocks
    sharing rank-`rank` bases: W[i,j] ≈ U_i diag(s_ij) V_jᵀ. Fitted by
    alternating least squares (the closed-form U, s and V steps are the
    paper's preconditioned gradient steps with step size 1) for at most
    `iterations` sweeps, starting from the rank-r truncated SVD with s = 1
    (randomized, one power iteration, for large W), so the result is no
    worse than that rank-r approximation. Stops early once a
    sweep lowers the relative error by less than `tolerance`. N and K must
    be divisible by `blocks`; ranks whose r·(N + K + b²) parameters would
    not be fewer than N·K are skipped before fitting. Cost per sweep is
    about 4·N·K·r + 4·(N + K)·r² flops: on 4096×4096 with the default rank
    1022, ~1.7 s per sweep and ~10 s for the start on 2 cores (~45 s for
    the default 20 sweeps).
  }];
  let options = !listconcat(selectionOptions, [
    Option<"blocks", "blocks", "int64_t", "4", "Blocks per dimension">,
    Option<"rank", "rank", "int64_t", "0",
           "Shared rank (0: half the rank that would match the dense size, "
           "⌊N·K / (N + K + b²)⌋ / 2)">,
    Option<"iterations", "iterations", "int64_t", "20",
           "Maximum alternating sweeps">,
    Option<"tolerance", "tolerance", "double", "1e-4",
           "Stop once a sweep improves the relative error by less than this">,
  ]);
}

def FoldNorms : Pass<"linea-fold-norms", "mlir::ModuleOp"> {
  let summary = "FlashNorm: fold norm weights into the consuming linear layers";
  let description = [{
    REWRITES.md §6. For a `linea.rms_norm` / `linea.layer_norm` with a
    constant weight g (and, for LayerNorm, bias β) whose every user is a
    `linea.linear` with a constant weight W reading it as x:
    `W' = W · diag(g)` and, with β, `bias' = bias + W · β`; the norm loses
    its weight and bias. Exact in real arithmetic (W' is rounded once to the
    weight type). The norm keeps normalising: deferring 1/RMS to after the
    product is left to code generation, which sees a weightless norm feeding
    the layers. Norms with another kind of user, or non-constant
    parameters, are left alone with a remark.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def FuseProjections : Pass<"linea-fuse-projections", "mlir::ModuleOp"> {
  let summary = "Fuse linear layers that read the same input into one wider layer";
  let description = [{
    Linear layers of one block that read the same x (Q/K/V, gate/up) become
    one layer whose weight stacks theirs along N, followed by a
    `tensor.extract_slice` per original output: one pass over x instead of
    several. Fused forms: `linea.linear` (any constant weights, stacked rows)
    and weight-only `linea.quant_linear` of one format with channel or group
    scales (or equal per-tensor scales): packed rows, scales and zero points
    stack. Biases stack too (zeros for layers without one). The fused layer
    is named `a+b+…` after its parts. `linea.lowrank_linear` layers
    (y = (x·vᵀ)·uᵀ + bias) fuse with each other only: their v factors stack
    along r into one latent `linea.linear` `a+b+…/latent` computing
    h = x·[v_a; v_b; …]ᵀ, and each layer becomes a `linea.linear` with its u
    and bias on its r columns of h (a `tensor.extract_slice`), keeping its
    name. Exact (the same f32 sums, regrouped) and no weight grows. Only
    f32 low-rank layers fuse: with f16/bf16 activations the stored latent
    would be rounded where `linea.lowrank_linear` keeps h in f32, so they
    are left alone with a remark. Layers whose
    weights, factors or biases are not constants are left alone with a
    remark.
  }];
  let options = [
    ListOption<"only", "only", "std::string",
               "Fuse only layers whose name matches one of these globs">,
    ListOption<"except", "except", "std::string",
               "Leave layers whose name matches one of these globs">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::tensor::TensorDialect"];
}

def LinearizeAttention : Pass<"linea-linearize-attention", "mlir::ModuleOp"> {
  let summary = "Replace softmax attention by linear attention (lossy)";
  let description = [{
    REWRITES.md §7: `linea.attention` → `linea.linear_attention` with the
    feature map `feature-map` (elu_plus_one, relu, identity or binary), keeping
    `causal`. Grouped-query K/V heads are repeated to H heads (a broadcast
    and a reshape). The softmax scale has no counterpart and is dropped.
    Layers the linear form cannot express — an additive mask, causal
    attention with S ≠ T or with dynamic S or T — are left alone with a
    remark. This changes the function (it is how linear-attention models
    are distilled from softmax ones); measure the output error with
    `linea-run --compare`.
  }];
  let options = [
    Option<"featureMap", "feature-map", "std::string", "\"elu_plus_one\"",
           "φ: elu_plus_one, relu, identity or binary">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def QuantizeAttention : Pass<"linea-quantize-attention", "mlir::ModuleOp"> {
  let summary = "SageAttention: int8 Q·Kᵀ and fp8 P·V in softmax attention "
                "(lossy)";
  let description = [{
    REWRITES.md §7 (SageAttention, Zhang et al., 2024/25). Marks every
    `linea.attention` with `quant = #linea.attn_quant<…>`, which makes it
    compute the scores from int8 queries (one scale per `q-block` queries,
    with scale·log2(e) folded in) and int8 smoothed keys (the token mean
    subtracted — exact, since it shifts each score row by a constant — one
    scale per `k-block` keys), with an exp2 softmax, and, with `values`
    `fp8_e4m3` (SageAttention v2) or `fp8_e4m3_smoothed` (V's channel means
    taken out first and added back), the P·V product from fp8 E4M3
    probabilities and per-channel fp8 values. The exact math is in
    `linea.attention`'s description; the reference lowering and the CPU
    flash kernel implement it (the kernel with int8 products and integer
    sums). This changes the function: docs/accuracy.md gives its error
    against exact attention; measure a model's with `linea-run --compare`.
    `mode=none` removes the marks again (exact attention).
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"sage\"",
           "sage (quantize) or none (exact attention)">,
    Option<"qBlock", "q-block", "int64_t", /*default=*/"128",
           "Queries per int8 scale of q">,
    Option<"kBlock", "k-block", "int64_t", /*default=*/"64",
           "Keys per int8 scale of the smoothed k">,
    Option<"values", "values", "std::string", /*default=*/"\"fp8_e4m3\"",
           "P·V precision: exact, fp8_e4m3 or fp8_e4m3_smoothed">,
  ];
}

//===----------------------------------------------------------------------===//
// Shift-add and sparsity (REWRITES.md §4–5), same selection and driver.
//===----------------------------------------------------------------------===//

def ShiftAdd : StructuredRewritePass<"linea-shift-add",
                                     "linea.shift_linear (powers of two)"> {
  let description = [{
    Encodes every weight as a sum of `terms` signed powers of two times a
    per-row power-of-two prescale (DeepShift; greedy on the residual for
    `terms=2`, ShiftAddViT): the product needs no multiplies. Exponents are
    limited to [−(2^(bits−1) − 2), 0] after the prescale (bits=5: [−14, 0]);
    smaller residuals become 0. The form is kept even when it does not
    store fewer bytes: its point is multiplication-free arithmetic.
    With `attention=true`, softmax attention becomes add-only attention
    (ShiftAddViT): `linea.linear_attention` with the `binary` feature map,
    so q and k are binarised and the products become additions (lossy;
    masked attention is left alone with a remark).
  }];
  let options = !listconcat(selectionOptions, [
    Option<"terms", "terms", "int64_t", "1", "Power-of-two terms per weight (1 or 2)">,
    Option<"bits", "bits", "int64_t", "5",
           "Code width b: exponents span [−(2^(b−1) − 2), 0] (3 ≤ b ≤ 8)">,
    Option<"attention", "attention", "bool", "false",
           "Also turn softmax attention into add-only (binarised q/k) "
           "linear attention">,
  ]);
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def Sparsify : StructuredRewritePass<"linea-sparsify",
                                     "linea.bsr_linear or linea.nm_linear"> {
  let description = [{
    Magnitude pruning. `pattern=block:RxC` keeps the (1 − `sparsity`)
    fraction of R×C blocks of largest Frobenius norm → `linea.bsr_linear`
    (R | N, C | K). `pattern=N:M` (e.g. 2:4) keeps the N largest-magnitude
    weights of every M consecutive inputs of each row → `linea.nm_linear`
    (M | K); `sparsity` is then implied (1 − N/M) and ignored. With
    `stats=`, weights are scored by |W[n, k]|·‖X[:, k]‖₂ (Wanda; max |X[:, k]|
    when the file has no XᵀX), so input channels with large activations
    keep their weights; every selected layer must be in the file.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"pattern", "pattern", "std::string", "\"2:4\"",
           "'block:RxC' (block sparsity) or 'N:M' (semi-structured)">,
    Option<"sparsity", "sparsity", "double", "0.5",
           "Fraction of blocks to drop, in [0, 1) (block patterns)">,
    Option<"stats", "stats", "std::string", "\"\"",
           "Calibration statistics (linea-run --collect-stats): score "
           "|W[n, k]|·‖X[:, k]‖ (Wanda) instead of |W[n, k]|">,
  ]);
}

//===----------------------------------------------------------------------===//
// Quantization (REWRITES.md §3, docs/formats.md)
//===----------------------------------------------------------------------===//

defvar quantFormatOptions = [
  Option<"format", "format", "std::string", "\"\"",
         "Element: int8, uint8, int4, uint4, int6, fp8_e4m3, fp8_e5m2, "
         "mxfp4, nvfp4 or nf4">,
  Option<"groupSize", "group-size", "int64_t", "0",
         "Scale per this many consecutive inputs of a row (0: the element's "
         "default — mxfp4 32, nvfp4 16, nf4 64, others per channel)">,
  Option<"granularity", "granularity", "std::string", "\"\"",
         "tensor, channel or group (implied by group-size)">,
  Option<"symmetric", "symmetric", "std::string", "\"\"",
         "'false' turns int8/int4 into uint8/uint4 with zero points">,
  Option<"scaleType", "scale-type", "std::string", "\"\"",
         "Scale storage of integer, fp8 and nf4 formats: f32, f16 or bf16">,
  Option<"act", "act", "std::string", "\"weight_only\"",
         "Activation mode: weight_only, dynamic_int8_per_token, "
         "fp8_per_tensor (static scale from stats=) or fp8_per_token">,
  Option<"stats", "stats", "std::string", "\"\"",
         "Calibration statistics (linea-run --collect-stats) for static "
         "activation scales">,
];

def Quantize : StructuredRewritePass<"linea-quantize",
                                     "linea.quant_linear (round to nearest)"> {
  let description = [{
    Quantizes every selected layer's weight to `format` by round to nearest
    even with one absmax (symmetric) or min/max (asymmetric, zero points)
    scale per block — the rules of docs/formats.md §7, bit-exact with
    python/linea/formats.py `quantize`. A group that does not divide K
    leaves a partial last group with its own scale (the format's padding:
    no stored padding elements). `act=fp8_per_tensor` takes its static
    activation scale from `stats=` (max |x| of the layer's input / 448).
    Each new op records `linea.weight_error`. A selected
    `linea.lowrank_linear` (f32 activations, constant factors; not with
    act=fp8_per_tensor) is quantized factor by factor: it becomes
    `<name>/latent` = x·V̂ᵀ and `<name>` = (x·V̂ᵀ)·Ûᵀ + bias, two
    `linea.quant_linear` layers (each with its factor's weight error);
    unnamed layers after it get new `<func>#<i>` names.
  }];
  let options = !listconcat(selectionOptions, quantFormatOptions);
}

def Gptq : StructuredRewritePass<"linea-gptq",
                                 "linea.quant_linear (GPTQ rounding)"> {
  let description = [{
    GPTQ (REWRITES.md §3.4): quantizes the columns of W in order, feeding
    each column's rounding error back into the columns not yet quantized
    through the inverse Hessian of the layer's calibration inputs
    (H = XᵀX + damp·mean(diag)·I, from `stats=`, which linea-run
    --collect-stats writes with XᵀX). Minimises the layer's output error
    on the calibration distribution instead of the weight error, so the
    recorded `linea.weight_error` is usually a little above
    linea-quantize's. Same formats and storage as linea-quantize; group
    scales are chosen from the error-updated weights when a group starts,
    channel and tensor scales from W. Every selected layer must be in the
    stats file with matching K and XᵀX.
  }];
  let options = !listconcat(selectionOptions, quantFormatOptions, [
    Option<"blockSize", "block-size", "int64_t", "128",
           "Columns per lazy-update block">,
    Option<"damp", "damp", "double", "0.01",
           "Diagonal damping as a fraction of the mean diagonal of XᵀX">,
  ]);
}

def Sinq : StructuredRewritePass<"linea-sinq",
                                 "linea.scale_channels + linea.quant_linear (SINQ)"> {
  let description = [{
    SINQ (REWRITES.md §3.3), calibration-free: per tile of W (all rows × one
    scale group's columns, or all of W per channel), `iterations` Sinkhorn
    steps balance the row and column standard deviations; the column
    factors μ become `linea.scale_channels(x, μ)` in front of the layer and
    W·diag(1/μ) is quantized by round to nearest (the row factors fold into
    the block scales exactly, so they are not stored). Same formats as
    linea-quantize; `linea.weight_error` includes μ.
  }];
  let options = !listconcat(selectionOptions, quantFormatOptions, [
    Option<"iterations", "iterations", "int64_t", "16",
           "Sinkhorn steps per tile (stops early when the imbalance rises)">,
  ]);
}

//===----------------------------------------------------------------------===//
// Exact changes of basis before quantization (REWRITES.md §3.2, §3.5).
//===----------------------------------------------------------------------===//

def Smooth : Pass<"linea-smooth", "mlir::ModuleOp"> {
  let summary = "SmoothQuant: move activation outliers into the weights (exact)";
  let description = [{
    REWRITES.md §3.2; run it before `linea-quantize` with an activation mode
    (e.g. `act=dynamic_int8_per_token`). The selected `linea.linear` layers
    with constant weights are grouped by the value x they read (q/k/v after
    one norm, gate/up). For each group and input channel j, from the
    calibration statistics `stats=` (`linea-run --collect-stats`: max |x_j|
    of each layer's input, looked up by the layer's `name`):

    ```
    s_j = max|x_j|^α / (max over the group's layers, n of |W[n, j]|)^(1−α)
    ```

    clamped to ≥ 1e-5, and s_j = 1 where either maximum is 0. Every W of the
    group becomes W·diag(s); x is divided by s: folded into the producing
    `linea.rms_norm` / `linea.layer_norm` (weight /= s, bias /= s; an absent
    weight becomes 1/s) when its parameters are constants and its only users
    are the group's layers, else one `linea.scale_channels(x, 1/s)` (f32
    scales) shared by the group. The function is unchanged up to rounding
    (the new weights are rounded once to their element type). Each smoothed
    layer records `linea.smoothed = α`.

    Errors (the pass fails): no `stats=`, an unreadable file, α outside
    [0, 1], a selected layer missing from the file (only layers with a
    `name` are collected) or with a channel count other than K, a non-finite
    maximum. Layers whose weight is not a constant are skipped with a remark.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"alpha", "alpha", "double", /*default=*/"0.5",
           "Migration strength α in [0, 1] (Llama-2 0.85, Mistral 0.8)">,
    Option<"stats", "stats", "std::string", /*default=*/"\"\"",
           "Calibration statistics (linea-run --collect-stats); required">,
  ]);
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def Rotate : Pass<"linea-rotate", "mlir::ModuleOp"> {
  let summary = "Hadamard-rotate the inputs of linear layers (exact)";
  let description = [{
    REWRITES.md §3.5 (QuaRot / Quartet style); run it before a 4-bit
    `linea-quantize`. With H the normalized blocked Walsh–Hadamard matrix of
    block B (orthonormal and symmetric, `linea.hadamard` semantics),
    x Wᵀ = (x H)(W H)ᵀ: every selected `linea.linear` layer with a constant
    weight W[N, K] gets W·H (computed in f64 with the fast transform and
    rounded once to W's type), and one `linea.hadamard {block_size = B}` is
    inserted on x, shared by the layers reading that x. Outliers of W and of
    x are spread over their block, which lowers the error of the
    quantization that follows; the function itself is unchanged up to
    rounding. Each rotated layer records `linea.rotated = B`.

    `block-size=0` (default) takes the largest power of two ≤ 128 dividing
    K: 128 matches the usual int4 group. Layers whose K has no such block
    ≥ 2 (odd K), or that an explicit `block-size` does not divide, are
    skipped with a remark, as are layers with a non-constant weight. The
    rotation is not folded into a preceding layer's output rows (QuaRot's
    offline fusion): the online `linea.hadamard` costs O(K log B) per token.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"0",
           "Hadamard block B: a power of two dividing K (0: largest ≤ 128)">,
  ]);
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// Accuracy-budgeted planning (Plan.cpp)
//===----------------------------------------------------------------------===//

def Plan : Pass<"linea-plan", "mlir::ModuleOp"> {
  let summary = "Choose a rewrite per layer: least stored bytes within an "
                "output-error budget";
  let description = [{
    For every selected dense `linea.linear` layer with a constant weight W
    (N×K) and every candidate form (`candidates=`, names from the table in
    Plan.cpp: int8, int4-g128, gptq-int4-g128, nvfp4, lowrank-0.5, ...),
    runs that candidate's own pass on a copy of the module and reads back
    the layer's Ŵ (materializeDenseWeight, i.e. after rounding) and its
    stored bytes (getWeightBytes, as linea-report counts them). The
    relative output error on the calibration inputs is exact from XᵀX of
    `stats=` (linea-run --collect-stats):
      e = ‖X(W−Ŵ)ᵀ‖_F / ‖XWᵀ‖_F = sqrt(tr(ΔW·XᵀX·ΔWᵀ) / tr(W·XᵀX·Wᵀ)).
    Opt-in names: int4, int4-g32, gptq-int8, gptq-int4, gptq-nvfp4, nf4,
    mxfp4, fp8, lowrank-0.0625, blockdiag-8, monarch-2, monarch-8,
    sparse-block-4x4-0.5. A candidate that does not apply to a layer (shape,
    not smaller) is listed in the report with its pass's reason.
    Dense (e = 0) is always a candidate, so every budget ≥ 0 is feasible.
    Layer names must be unique and free of space , { } " ' \ (they are
    passed to only=). The plan minimises the total
    stored bytes subject to mean_l e_l ≤ `budget` over the planned layers:
    a greedy over each layer's lower convex hull of (bytes, error) takes the
    step with most bytes saved per unit of error that still fits, then each
    layer jumps to its cheapest Pareto point that fits what is left.
    The chosen rewrite is applied by running its pass with `only=<layer>`,
    so the result is that pass's own. Each rewritten (or kept) layer gets
    `linea.plan = {choice, error, bytes, alternatives}` and the module a
    `linea.plan` summary; `report=FILE.json` lists every candidate's
    (error, bytes) or why it did not apply, and why each choice was made.
    `objective=latency` minimises instead the estimated time
    overhead + bytes / bytes_per_s + tokens · FLOPs-per-token / flops_per_s
    of each form (getWeightBytes, getFlopsPerToken), with the throughputs
    of the form's entry (dense, int8, int4, lowrank, blockdiag, ...; forms
    not listed cost as dense; forms under "no_kernel" have no kernel on the
    target and are not chosen) in the JSON cost model `cost-model=FILE`,
    default the one built in for `target=` (bench/cost-models/cpu.json,
    fitted to microbenchmarks by bench/cpu/cost_model.py; cuda.json by
    bench/cuda/cost_model.py on the GPU machine); the plan attributes then also carry `est_us` and the module
    summary the cost model's file. Combined candidates
    (lowrank-0.5+int4-g128, lowrank-0.25+int4-g128; opt-in
    lowrank-0.125+int4-g128, lowrank-0.5+int8) run linea-lowrank then
    linea-quantize, which splits the layer into `<layer>/latent` (x·V̂ᵀ)
    and `<layer>` (·Ûᵀ); their Ŵ = Û·V̂, bytes and cost are those of both.
    Candidates are evaluated on at most 16 chunks of layers in turn;
    `progress=true` prints a line per chunk on stderr (linea-compile
    --progress sets it).
  }];
  let options = !listconcat(selectionOptions, [
    Option<"stats", "stats", "std::string", "\"\"",
           "Calibration statistics with XᵀX (linea-run --collect-stats)">,
    Option<"budget", "budget", "double", "-1.0",
           "Bound on the mean relative output error of the planned layers">,
    Option<"objective", "objective", "std::string", "\"bytes\"",
           "What to minimise: bytes (stored weight bytes) or latency "
           "(estimated time of the layers, see target=)">,
    Option<"target", "target", "std::string", "\"cpu\"",
           "objective=latency's cost table: cpu or cuda">,
    Option<"tokens", "tokens", "int64_t", "1",
           "objective=latency: rows of x per call (1: decoding)">,
    ListOption<"candidates", "candidates", "std::string",
               "Candidate forms (default: int8, int4-g128, gptq-int4-g128, "
               "nvfp4, lowrank-0.5/0.25/0.125, shift-add-1/2, sparse-2:4, "
               "blockdiag-2/4, monarch-4, lowrank-0.5/0.25+int4-g128)">,
    Option<"reportPath", "report", "std::string", "\"\"",
           "Write the per-layer candidates and choices as JSON here">,
    Option<"costModelPath", "cost-model", "std::string", "\"\"",
           "objective=latency: JSON cost model of the target's forms "
           "(default: the one built in for target=)">,
    Option<"progress", "progress", "bool", "false",
           "Print 'k of n layers evaluated' lines on stderr">,
  ]);
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // LINEA_TRANSFORMS_PASSES_TD
