//===- NormOps.td - norms, channel scaling, Hadamard -------*- tablegen -*-===//
//
// Ops that act along the last (feature) dimension of an activation and keep
// its shape: RMSNorm, LayerNorm, per-channel scaling and the blocked
// Walsh–Hadamard rotation. None is a linear layer in the sense of
// LinearLayerOpInterface; they sit beside the linear layers because the
// rewrites fold (FlashNorm, REWRITES.md §6), insert (SmoothQuant, rotations,
// §3) or fuse them.
//
// Shared conventions:
// - x : tensor<...xDxT> with T in f32/f16/bf16 and any leading dims, which
//   may be dynamic; the feature dim D (K) must be static.
// - The result has x's shape and element type.
// - Parameter vectors (weight, bias, scale) have shape [D] and any of the
//   float types f32/f16/bf16, independently of T.
// - Arithmetic is f32; each result element is rounded once to T.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NORM_OPS_TD
#define LINEA_NORM_OPS_TD

include "linea/Dialect/Linea/IR/LineaBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Linea_FeatureOp<string mnemonic, list<Trait> traits = []>
    : Linea_Op<mnemonic, !listconcat(traits, [Pure])> {
  let results = (outs Linea_FloatTensor:$y);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// linea.rms_norm
//===----------------------------------------------------------------------===//

def Linea_RmsNormOp : Linea_FeatureOp<"rms_norm"> {
  let summary = "Root-mean-square normalisation over the last dimension";
  let description = [{
    RMSNorm (Zhang & Sennrich, 2019; LLaMA and most recent LLMs).

    Operands: `x : tensor<...xDxT>` (D static), optional
    `weight : tensor<DxTw>`; attribute `epsilon` (f32, > 0, default 1e-6).
    Result `y : tensor<...xDxT>` (x's shape). For every row `r` of x (all
    leading indices) and feature `d`, in f32:

    ```
    ms[r]   = (1/D) · Σ_e x[r, e]²
    y[r, d] = x[r, d] / sqrt(ms[r] + epsilon) · weight[d]   (· 1 when absent)
    ```

    ε sits inside the square root (the PyTorch / LLaMA convention). Gemma's
    `(1 + w)` weight is expressed by passing `1 + w` as the weight.

    ```mlir
    %y = linea.rms_norm %x weight %w {epsilon = 1.000000e-05 : f32}
        : (tensor<?x4096xbf16>, tensor<4096xf32>) -> tensor<?x4096xbf16>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x,
                       Optional<Linea_FloatTensor>:$weight,
                       DefaultValuedAttr<F32Attr, "1e-6">:$epsilon);
  let assemblyFormat = [{
    $x (`weight` $weight^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// linea.layer_norm
//===----------------------------------------------------------------------===//

def Linea_LayerNormOp
    : Linea_FeatureOp<"layer_norm", [AttrSizedOperandSegments]> {
  let summary = "Layer normalisation over the last dimension";
  let description = [{
    LayerNorm (Ba et al., 2016) with optional elementwise affine parameters.

    Operands: `x : tensor<...xDxT>` (D static), optional
    `weight : tensor<DxTw>`, optional `bias : tensor<DxTb>`; attribute
    `epsilon` (f32, > 0, default 1e-5). Result `y : tensor<...xDxT>`. For
    every row `r` of x and feature `d`, in f32:

    ```
    mean[r] = (1/D) · Σ_e x[r, e]
    var[r]  = (1/D) · Σ_e (x[r, e] − mean[r])²        (biased / population)
    y[r, d] = (x[r, d] − mean[r]) / sqrt(var[r] + epsilon)
              · weight[d] + bias[d]
    ```

    An absent weight counts as 1 and an absent bias as 0 (PyTorch's
    `elementwise_affine=False`, or `bias=False`).

    ```mlir
    %y = linea.layer_norm %x weight %w bias %b
        : (tensor<8x128x768xf32>, tensor<768xf32>, tensor<768xf32>)
        -> tensor<8x128x768xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x,
                       Optional<Linea_FloatTensor>:$weight,
                       Optional<Linea_FloatTensor>:$bias,
                       DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let assemblyFormat = [{
    $x (`weight` $weight^)? (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// linea.scale_channels
//===----------------------------------------------------------------------===//

def Linea_ScaleChannelsOp : Linea_FeatureOp<"scale_channels"> {
  let summary = "Per-channel scaling of an activation, y = x ⊙ scale";
  let description = [{
    Multiplies every row of the activation by a vector of channel scales.
    `linea-smooth` (SmoothQuant, REWRITES.md §3) inserts it as `x ⊙ s⁻¹` in
    front of a linear layer whose weight it scales by `s`, when the division
    cannot be folded into a preceding norm or linear layer.

    Operands: `x : tensor<...xKxT>` (K static), `scale : tensor<KxTs>`.
    Result `y : tensor<...xKxT>`, in f32 and rounded once to T:

    ```
    y[..., k] = x[..., k] · scale[k]
    ```

    ```mlir
    %y = linea.scale_channels %x, %s
        : (tensor<?x4096xf16>, tensor<4096xf32>) -> tensor<?x4096xf16>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$scale);
  let assemblyFormat = [{
    $x `,` $scale attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// linea.hadamard
//===----------------------------------------------------------------------===//

def Linea_HadamardOp : Linea_FeatureOp<"hadamard"> {
  let summary = "Blocked Walsh–Hadamard rotation of the last dimension";
  let description = [{
    Multiplies each block of `block_size` consecutive features by the
    Sylvester-ordered Hadamard matrix. Rotation-based quantization (QuaRot,
    SpinQuant; REWRITES.md §3) inserts it on activations and folds its
    transpose into the weights, which spreads outliers across channels.

    Operands: `x : tensor<...xKxT>` (K static). Attributes: `block_size` B
    (a power of two that divides K), `normalized` (bool, default true).
    Result `y : tensor<...xKxT>`. With `H_B[i, j] = (−1)^popcount(i & j)`
    (Sylvester order: `H_1 = [1]`, `H_2n = [[H_n, H_n], [H_n, −H_n]]`) and
    `c = 1/sqrt(B)` when normalized, else 1, for every block
    `b = 0 … K/B − 1` and `i = 0 … B − 1`, in f32:

    ```
    y[..., b·B + i] = c · Σ_j H_B[i, j] · x[..., b·B + j]
    ```

    `H_B` is symmetric, so `y = x · blockdiag(c·H_B, …)`. When normalized the
    rotation is orthonormal and its own inverse, hence `(xH)(WH)ᵀ = xWᵀ` for
    any weight `W[N, K]`. Otherwise applying it twice multiplies by B.

    ```mlir
    %y = linea.hadamard %x {block_size = 128 : i64}
        : (tensor<?x4096xbf16>) -> tensor<?x4096xbf16>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, I64Attr:$block_size,
                       DefaultValuedAttr<BoolAttr, "true">:$normalized);
  let assemblyFormat = [{
    $x attr-dict `:` functional-type(operands, results)
  }];
}

#endif // LINEA_NORM_OPS_TD
