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

#endif // LINEA_TRANSFORMS_PASSES_TD
