//===- LineaInterfaces.td - LinearLayerOpInterface -------------*- tablegen -*-===//

#ifndef LINEA_INTERFACES_TD
#define LINEA_INTERFACES_TD

include "mlir/IR/OpBase.td"

def LinearLayerOpInterface : OpInterface<"LinearLayerOpInterface"> {
  let cppNamespace = "::linea";
  let description = [{
    Implemented by every linear-layer form. The op computes
    `y = x · Wᵀ + bias` where `W[N, K]` is the dense matrix its weight
    operands describe. The interface exposes that matrix
    (`materializeDenseWeight`, when the weights are constants) and the
    figures that passes and `linea-report` compare forms by. Adding a form
    means adding one op that implements these methods.
  }];
  let methods = [
    InterfaceMethod<"The activations x[..., K].", "::mlir::Value", "getInput",
      (ins), [{ return $_op.getX(); }]>,
    InterfaceMethod<"The optional bias[N] (null when absent).", "::mlir::Value",
      "getBiasOperand", (ins), [{ return $_op.getBias(); }]>,
    InterfaceMethod<"Operands that together encode W (bias excluded).",
      "::llvm::SmallVector<::mlir::Value>", "getWeightOperands">,
    InterfaceMethod<"K, the number of input features.", "int64_t",
      "getInFeatures">,
    InterfaceMethod<"N, the number of output features.", "int64_t",
      "getOutFeatures">,
    InterfaceMethod<[{
        Number of scalars stored for the weight (bias excluded): every
        element of every weight operand, including scales, zero points and
        index metadata.
      }], "int64_t", "getParameterCount", (ins), [{}], [{
        return ::linea::detail::countWeightParameters($_op);
      }]>,
    InterfaceMethod<[{
        Bytes the weight operands occupy as stored (bias excluded), from
        their element bit widths.
      }], "int64_t", "getWeightBytes", (ins), [{}], [{
        return ::linea::detail::countWeightBytes($_op);
      }]>,
    InterfaceMethod<[{
        Floating-point operations per token (one row of x) when the form is
        evaluated as it is stored, without forming W: 2 per multiply-add, plus
        N for the bias add when present.
      }], "int64_t", "getFlopsPerToken">,
    InterfaceMethod<[{
        The dense W[N, K] (row-major, f32) the op stands for, computed from
        constant weight operands. Fails when a weight operand is not a
        constant or its values are inconsistent; `reason`, when given,
        receives a message naming the operand.
      }], "::mlir::FailureOr<::linea::numerics::Matrix>",
      "materializeDenseWeight", (ins "std::string *":$reason)>,
  ];
}

#endif // LINEA_INTERFACES_TD
