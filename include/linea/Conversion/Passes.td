//===- Passes.td - linea conversion passes ---------------------*- tablegen -*-===//

#ifndef LINEA_CONVERSION_PASSES_TD
#define LINEA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LineaToLinalg : Pass<"linea-to-linalg", "mlir::ModuleOp"> {
  let summary = "Reference lowering of every linea op to linalg/tensor/arith/math/scf";
  let description = [{
    The executable semantics of the dialect: every linea op becomes
    upstream tensor-level IR that computes exactly what its description
    says, in f32, with the op's own structure (a low-rank layer is two
    products, a quantized layer decodes its packed bytes, a scan loops over
    time). Clarity over speed: the fast paths are the CPU and CUDA code
    generators. Fails, naming the op, on any linea op it cannot lower.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def JitEntryPoints : Pass<"linea-jit-entry-points", "mlir::ModuleOp"> {
  let summary = "Mark public functions as JIT entry points and record their tensor signature";
  let description = [{
    Adds `llvm.emit_c_interface` to every public `func.func` whose
    arguments and results are ranked tensors, and records the tensor types in
    `linea.inputs` / `linea.outputs` so that `linea-run` can call the function
    after it has been lowered to the LLVM dialect. Run first in
    `linea-lower-to-llvm`.
  }];
}

#endif // LINEA_CONVERSION_PASSES_TD
