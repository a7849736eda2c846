//===- ShiftOps.td - shift-add (power-of-two) linear layer -*- tablegen -*-===//
//
// W as a sum of signed powers of two per entry (DeepShift, ShiftAddViT), so
// that y = x · Wᵀ needs shifts and additions instead of multiplications.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_SHIFTOPS_TD
#define LINEA_SHIFTOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

def Linea_ShiftLinearOp : Linea_LinearLayerOp<"shift_linear",
    "$x `,` $exponents `,` $signs (`scale` $scale^)?",
    [AttrSizedOperandSegments]> {
  let summary = "Shift-add linear layer: W = scale · Σ_t ±2^e";
  let description = [{
    `y = x · Wᵀ + bias` where every weight is a sum of T signed powers of
    two, optionally times a per-row scale:

    `W[n, k] = scale[n] · Σ_{t<T} signs[t, n, k] · 2^exponents[t, n, k]`

    (scale[n] = 1 when `scale` is absent).

    Operands:
    - `x : tensor<...xKxT>`.
    - `exponents : tensor<T x N x K x i8>`: the power of each term, read as
      a signed integer in `[−126, 127]` (the normal f32 exponent range).
    - `signs : tensor<T x N x K x i8>`: the sign of each term, `−1`, `0`
      (the term is absent; all-zero terms encode a zero weight) or `+1`.
    - optional `scale : tensor<N x f32|f16|bf16>`: a per-output-row factor,
      e.g. the power-of-two prescale that keeps |w| ≤ 1, or a free float.
    - optional `bias : tensor<NxT>`.

    T ≥ 1 is the number of power-of-two terms; T = 1 is DeepShift, T = 2 the
    greedy residual variant (see REWRITES.md §4).

    When `signs` / `exponents` are constants the verifier checks their
    values are in `{−1, 0, +1}` / `[−126, 127]`.

    FLOPs per token are counted as the kernel executes them: one addition
    per term, `T · N · K` (shifts and sign flips are free; there are no
    multiplies), plus N multiplies for the scale when present and N adds for
    the bias when present.

    ```mlir
    // T = 2 terms, N = 4, K = 8, per-row scale.
    %y = linea.shift_linear %x, %exp, %sgn scale %s bias %b {name = "fc1"}
        : (tensor<8x8xf32>, tensor<2x4x8xi8>, tensor<2x4x8xi8>, tensor<4xf32>,
           tensor<4xf32>) -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_ByteTensor:$exponents,
                       Linea_ByteTensor:$signs,
                       Optional<Linea_FloatTensor>:$scale,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
  let extraClassDeclaration = [{
    /// The number of power-of-two terms per weight (T).
    int64_t getNumTerms();
  }];
}

#endif // LINEA_SHIFTOPS_TD
