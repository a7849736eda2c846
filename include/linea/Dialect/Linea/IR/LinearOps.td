//===- LinearOps.td - dense and structured linear-layer ops ---*- tablegen -*-===//

#ifndef LINEA_LINEAR_OPS_TD
#define LINEA_LINEAR_OPS_TD

include "linea/Dialect/Linea/IR/LineaBase.td"
include "linea/Dialect/Linea/IR/LineaInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// Base of every linear-layer op: x first, optional bias, optional layer
/// name, one result y[..., N] with x's leading dims and element type.
/// `operandFormat` prints the non-bias operands, e.g. "$x `,` $w"; the bias
/// follows as `bias %b`.
class Linea_LinearLayerOp<string mnemonic, string operandFormat,
                          list<Trait> traits = []>
    : Linea_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<LinearLayerOpInterface,
          ["getWeightOperands", "getInFeatures", "getOutFeatures",
           "getFlopsPerToken", "materializeDenseWeight"]>])> {
  let results = (outs Linea_FloatTensor:$y);
  let hasVerifier = 1;
  let assemblyFormat = operandFormat # [{
    (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Linea_LinearOp : Linea_LinearLayerOp<"linear", "$x `,` $w"> {
  let summary = "Dense linear layer y = x · wᵀ + bias";
  let description = [{
    The dense form every other linear-layer op reconstructs.

    Operands: `x : tensor<...xKxT>` (any leading dims, T in f32/f16/bf16),
    `w : tensor<NxKxTw>` (out × in, PyTorch / ONNX Gemm transB layout),
    optional `bias : tensor<NxT>`. Result `y : tensor<...xNxT>`:

    `y[..., n] = Σ_k x[..., k] · w[n, k] + bias[n]`, accumulated in f32 and
    rounded once to T.

    ```mlir
    %y = linea.linear %x, %w bias %b {name = "fc1"}
        : (tensor<8x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_FloatTensor:$w,
                       Optional<Linea_FloatTensor>:$bias,
                       OptionalAttr<StrAttr>:$name);
}

#endif // LINEA_LINEAR_OPS_TD
