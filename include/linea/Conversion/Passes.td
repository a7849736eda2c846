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
    The grouped form `y[m, g, n] += x[m, g, k] * w[g, n, k]` (block-diagonal
    layers, Monarch's first stage) gets the same nest per group, on views.
    Applies when K is static and a multiple of the vector width and the
    rows of x, w and y have unit stride; anything else is left to
    convert-linalg-to-loops. Run by linea-lower-to-llvm after bufferization,
    with parameters chosen for the host CPU.

    With `num-threads` above 1 the blocks of w are an `scf.parallel` (each
    writes its own columns of y; blocks shrink so that every thread gets
    one), guarded by `M·N·K >= min-parallel-work` so that small layers never
    start threads (decided at compile time when M is static, else by an
    `scf.if` choosing between the parallel and the serial nest). A
    contraction already inside an `scf.parallel` stays serial: nested
    regions would multiply threads.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes per vector (16 for AVX-512, 8 for AVX2)">,
    Option<"tileM", "tile-m", "int64_t", "4", "rows of x per register tile">,
    Option<"tileN", "tile-n", "int64_t", "4", "rows of w per register tile">,
    Option<"blockBytes", "block-bytes", "int64_t", "524288",
           "bytes of w per cache block (about half the L2)">,
    Option<"numThreads", "num-threads", "int64_t", "1",
           "threads the blocks of w are shared among: above 1 the loop over "
           "blocks is an scf.parallel (lowered to OpenMP by "
           "linea-lower-to-llvm), 1 keeps it an scf.for">,
    Option<"minParallelWork", "min-parallel-work", "int64_t", "1048576",
           "fewest multiply-adds (M·N·K) worth starting threads for; "
           "smaller contractions run the serial loop">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

def CpuQuantKernels : Pass<"linea-cpu-quant-kernels", "mlir::ModuleOp"> {
  let summary = "Vector kernels for linea.quant_linear that decode the packed weight in registers";
  let description = [{
    Replaces each supported `linea.quant_linear` (int8, uint8, int4, uint4;
    symmetric or asymmetric; tensor, channel or group scales of f32, f16 or
    bf16; activation modes `weight_only` and `dynamic_int8_per_token`; f32
    x of any rank, its leading dims static or dynamic, taken as the rows of
    a rank-2 x; f32 bias) by a call to a generated private
    function on buffers (`bufferization.to_buffer` of the operands, a fresh
    output buffer, `bufferization.to_tensor restrict`). The kernel never
    builds the dense f32 weight: it loads `vector-width` packed bytes of a
    row at a time, widens them (8-bit) or splits their low and high nibbles
    (4-bit, against x stored once de-interleaved into even and odd
    elements), computes ŵ = (float(q) − float(z)) · float(s) with the
    reference's f32 operations, and accumulates `tile-m`×`tile-n` register
    tiles of vector FMAs, scale and zero point loaded once per group. The
    loop over blocks of about `block-bytes` packed bytes of W is an
    `scf.parallel`. Ŵ and x̂ are bit-identical to linea-to-linalg's; only
    the f32 summation order differs. Other formats, activation modes and
    shapes (f16/bf16 x, 4-bit groups of odd size) are left to the
    reference lowering (with a remark under `report-skipped`). Run by
    linea-lower-to-llvm before linea-to-linalg when `cpu-kernels` and
    `quant-kernels` are on.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes (and packed bytes) per vector step; a power of two">,
    Option<"tileM", "tile-m", "int64_t", /*default=*/"4",
           "rows of x per register tile">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"4",
           "rows of W per register tile">,
    Option<"blockBytes", "block-bytes", "int64_t", /*default=*/"262144",
           "packed bytes of W per scf.parallel iteration (stays in L2)">,
    Option<"minParallelWeights", "min-parallel-weights", "int64_t",
           /*default=*/"1048576",
           "weights (N·K) from which the blocks loop is an scf.parallel "
           "(threads); smaller layers loop serially">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "emit a remark on every quant_linear left to the reference lowering">,
    Option<"intDot", "int-dot", "bool", /*default=*/"false",
           "W8A8 with 8-bit weights (vector-width 16): x̂'s integer codes "
           "times the weight codes as i16 pair products summed in i32 "
           "instead of f32 FMAs (off in linea-lower-to-llvm: with the "
           "shuffled operands shared across the tile, x86 does not select "
           "vpmaddwd/vpdpwssd and it is slower than the f32 kernel)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def LineaToGPU : Pass<"linea-to-gpu", "mlir::ModuleOp"> {
  let summary = "CUDA kernels (gpu.module) for weight-only int4/uint4 and dense bf16/f16 linear layers";
  let description = [{
    For every `linea.quant_linear` (int4 symmetric or uint4 asymmetric,
    weight-only, group size a multiple of 32 or per channel) and every dense
    `linea.linear` with f16/bf16 weights, adds one `gpu.func` kernel per
    requested variant to a `gpu.module @linea_kernels` (target
    `#nvvm.target<chip = "sm_90a">`) and records each kernel's launch in the
    module attribute `linea.cuda_kernels` (symbol, layer, shapes and dtypes
    of the arguments in order, grid, block, shared bytes): the host side is
    the runtime in runtime/, so the linea ops themselves are left in place.

    The kernel is a decode GEMV: each warp owns `rows-per-warp` rows of W;
    each lane streams 16-byte chunks of a row (32 int4 codes or 8 dense
    values) strided by the warp, `unroll` chunks loaded before use,
    dequantizes in registers (exponent-bias trick, no int-to-float
    conversions), accumulates in f32 and ends with a shuffle reduction.
    M (the rows of x) is tiled by up to 16 over grid.y. Arguments are bare
    pointers (use convert-gpu-to-nvvm with use-bare-ptr-memref-call-conv).
    Dense layers use the same scheme without tensor cores, so they are only
    fast at small M. Fails, naming the layer and the number at fault, on a
    layer it cannot generate (other formats, dynamic shapes, K not a
    multiple of 32 / 8).
  }];
  let options = [
    ListOption<"rowsPerWarp", "rows-per-warp", "int64_t",
               "rows of W per warp; one kernel per value (×unroll)">,
    ListOption<"unroll", "unroll", "int64_t",
               "16-byte chunks each lane loads before using them; one kernel per value">,
    ListOption<"gridStride", "grid-stride", "int64_t",
               "1: blocks loop over row groups, so the runtime may launch "
               "only as many blocks as fit on the GPU; 0: one block per row "
               "group; one kernel per value (default 1)">,
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "NVVM target chip of the gpu.module">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::gpu::GPUDialect",
    "mlir::memref::MemRefDialect", "mlir::NVVM::NVVMDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

def WriteCudaArtifacts : Pass<"linea-write-cuda-artifacts", "mlir::ModuleOp"> {
  let summary = "Write the PTX of gpu.binary @linea_kernels, its cubin (ptxas) and manifest.json";
  let description = [{
    Run after linea-to-gpu and gpu-module-to-binary{format=isa}: writes
    `<out-dir>/linea_kernels.ptx`, assembles it with ptxas for the target
    chip into `linea_kernels.cubin` when ptxas is found (the `ptxas`
    option, $CUDA_HOME/bin, /usr/local/cuda/bin or PATH), and writes
    `manifest.json` from the `linea.cuda_kernels` attribute. Fails when the
    binary is missing, the directory cannot be written or ptxas rejects
    the PTX.
  }];
  let options = [
    Option<"outDir", "out-dir", "std::string", /*default=*/"\"\"",
           "directory for the artifacts (created if missing)">,
    Option<"ptxas", "ptxas", "std::string", /*default=*/"\"\"",
           "ptxas to run (empty: search; 'none': write PTX only)">
  ];
}

#endif // LINEA_CONVERSION_PASSES_TD
