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

def CpuContractionKernels
    : Pass<"linea-cpu-contraction-kernels", "mlir::func::FuncOp"> {
  let summary = "Register-tiled vector kernels for y[m, n] += x[m, k]·w[n, k] on buffers";
  let description = [{
    Replaces each bufferized `linalg.generic` that computes
    `y[m, n] += x[m, k] * w[n, k]` in f32 (what linea-to-linalg emits for
    linear layers: both operands read along K with unit stride) by an
    scf/vector loop nest: `tile-m`×`tile-n` accumulators of
    `vector<vector-width × f32>` run along K with vector FMAs (loads of x and
    w shared across the tile), then each accumulator is summed into y once.
    Rows of w are visited in blocks of about `block-bytes` so that a block
    stays in L2 while every row of x passes over it. Summation order
    differs from the reference loops (K is summed in vector-width lanes).
    Applies when K is static and a multiple of the vector width and the
    rows of x, w and y have unit stride; anything else is left to
    convert-linalg-to-loops. Run by linea-lower-to-llvm after bufferization,
    with parameters chosen for the host CPU.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes per vector (16 for AVX-512, 8 for AVX2)">,
    Option<"tileM", "tile-m", "int64_t", "4", "rows of x per register tile">,
    Option<"tileN", "tile-n", "int64_t", "4", "rows of w per register tile">,
    Option<"blockBytes", "block-bytes", "int64_t", "524288",
           "bytes of w per cache block (about half the L2)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

#endif // LINEA_CONVERSION_PASSES_TD
