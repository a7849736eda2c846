//===- Passes.td - linea passes --------------------------------*- tablegen -*-===//

#ifndef LINEA_TRANSFORMS_PASSES_TD
#define LINEA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LinearLayerReport : Pass<"linea-report", "mlir::ModuleOp"> {
  let summary = "Tabulate every linear layer: form, shape, size and cost";
  let description = [{
    Prints one row per op implementing `LinearLayerOpInterface`, in program
    order: layer name (the `name` attribute, else `<func>#<index>`), form
    (the op mnemonic), N (out features), K (in features), stored weight
    parameters, stored weight bytes, FLOPs per token, and the compression
    against the dense layer in the activation type (dense bytes ÷ stored
    bytes). A final row sums the module. The IR is left unchanged.

    With `json=PATH` the same rows are also written as a JSON document
    `{"layers": [...], "total": {...}}` (`-` writes it to stdout).
  }];
  let options = [
    Option<"jsonPath", "json", "std::string", /*default=*/"\"\"",
           "Also write the rows as JSON to this file ('-' for stdout)">,
    Option<"printTable", "table", "bool", /*default=*/"true",
           "Print the table to stdout">,
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
      masks given as constants → `linea.attention`.
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
    v = Σ_r^½ V_rᵀ [r, K]. Exactly one of `rank`, `energy` (keep the smallest
    r whose σ₁²+…+σ_r² reaches this fraction of ‖W‖_F²) and `param-ratio`
    (largest r with r·(N+K) ≤ ratio·N·K) chooses r. Small matrices use an
    exact SVD; larger ones a randomized SVD with `power-iterations` power
    iterations and `oversample` extra columns (seeded by `seed`).
    Layers the rank would not shrink (r·(N+K) ≥ N·K) are skipped with a
    remark; the new op records `linea.weight_error` = ‖W−Ŵ‖_F/‖W‖_F.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"rank", "rank", "int64_t", "0", "Target rank r">,
    Option<"energy", "energy", "double", "0.0",
           "Keep this fraction (0, 1] of the squared Frobenius norm">,
    Option<"paramRatio", "param-ratio", "double", "0.0",
           "Keep at most this fraction (0, 1) of the dense parameters">,
    Option<"powerIterations", "power-iterations", "int64_t", "2",
           "Power iterations of the randomized SVD">,
    Option<"oversample", "oversample", "int64_t", "8",
           "Extra sketch columns of the randomized SVD">,
    Option<"seed", "seed", "int64_t", "0", "Seed of the randomized SVD">,
  ]);
}

def BlockDiag : StructuredRewritePass<"linea-blockdiag",
                                      "linea.blockdiag_linear"> {
  let description = [{
    Keeps the `blocks` diagonal blocks of W (the Frobenius-nearest
    block-diagonal matrix). N and K must be divisible by `blocks`.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"blocks", "blocks", "int64_t", "4", "Number of diagonal blocks">,
  ]);
}

def Monarch : StructuredRewritePass<"linea-monarch",
                                    "linea.monarch_linear"> {
  let description = [{
    The Frobenius-nearest Monarch matrix with `blocks` blocks per factor and
    block rank `rank` (Dao et al., 2022): each of the blocks·blocks
    sub-blocks of the permuted W is replaced by its best rank-`rank`
    approximation (per-block SVD).
  }];
  let options = !listconcat(selectionOptions, [
    Option<"blocks", "blocks", "int64_t", "4", "Blocks per factor">,
    Option<"rank", "rank", "int64_t", "1", "Rank of each block">,
  ]);
}

def BTT : StructuredRewritePass<"linea-btt", "linea.btt_linear"> {
  let description = [{
    Block tensor-train factorization of rank `rank` (Qiu et al., 2024):
    W reshaped to [N0, N1, M1, M0] is approximated by per-(n0, m1) rank-r
    SVDs. `cores` is the number of blocks per factor (M1 = N0 = cores).
  }];
  let options = !listconcat(selectionOptions, [
    Option<"rank", "rank", "int64_t", "1", "TT rank r">,
    Option<"cores", "cores", "int64_t", "0",
           "Blocks per factor (0: the divisor of N and K nearest √)">,
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
    sharing rank-`rank` bases: W[i,j] ≈ U_i diag(s_ij) V_jᵀ, fitted by
    `iterations` preconditioned alternating updates from an SVD start.
  }];
  let options = !listconcat(selectionOptions, [
    Option<"blocks", "blocks", "int64_t", "4", "Blocks per dimension">,
    Option<"rank", "rank", "int64_t", "0",
           "Shared rank (0: half the rank that would match the dense size)">,
    Option<"iterations", "iterations", "int64_t", "50",
           "Alternating update steps">,
  ]);
}

#endif // LINEA_TRANSFORMS_PASSES_TD
