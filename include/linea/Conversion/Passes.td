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

    From `gemm-min-rows` rows of x on (decided at compile time for a static
    M, else by an `scf.if`) the columns of y that fill whole register tiles
    of `gemm-vectors` vectors take a packed GEMM instead: per block of
    columns (about `gemm-block-bytes` of packed w; the unit of threading)
    and per K block (about `gemm-k-block`, equal blocks in whole vectors),
    w's block is packed into k-major panels (vector-width squares
    transposed with shuffles) and `gemm-rows`×`gemm-vectors` tiles broadcast
    x[m, k] and FMA along K in order, keeping partial sums in a per-block
    buffer; the fill and epilogue are applied after the last K block. Each
    output is then summed along K in order, independent of tiles and
    thread count. Other columns keep the dot-product tiles.

    Epilogues (`fuse-epilogues`): a `linalg.fill` of y just before the
    contraction becomes the accumulators' starting value, and the chain of
    elementwise `linalg.generic` ops after it that read y (bias add,
    activations such as relu / gelu / silu, casts, a residual add; all
    parallel over y's two dims, bodies of pure arith/math ops, other
    operands read through projected permutations) is applied to each
    element in registers before the kernel's single store into the last
    op's output. Only allocations and memory-free ops may stand between the
    links; a buffer the kernel no longer writes must have no other reader
    (it is erased with its deallocation when unused).
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
           "smaller contractions run the serial loop">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "start from the fill of y and apply the elementwise ops that "
           "follow (bias, activation, residual) in the kernel's store">,
    Option<"gemmMinRows", "gemm-min-rows", "int64_t", /*default=*/"32",
           "fewest rows of x (M) that take the packed GEMM path; 0 never">,
    Option<"gemmRows", "gemm-rows", "int64_t", /*default=*/"6",
           "rows of x per GEMM register tile">,
    Option<"gemmVectors", "gemm-vectors", "int64_t", /*default=*/"4",
           "vectors of w rows (columns of y) per GEMM register tile">,
    Option<"gemmKBlock", "gemm-k-block", "int64_t", /*default=*/"128",
           "K per GEMM block (rounded to divide K in whole vectors)">,
    Option<"gemmBlockBytes", "gemm-block-bytes", "int64_t",
           /*default=*/"1048576",
           "bytes of packed w per GEMM block (columns of y × K block)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

def CpuPrepackWeights : Pass<"linea-cpu-prepack-weights", "mlir::ModuleOp"> {
  let summary = "Stores the constant f32 weights of linear layers as the packed GEMM's k-major panels";
  let description = [{
    For each bufferized contraction `y[m, n] += x[m, k] * w[n, k]` that
    linea-cpu-contraction-kernels matches, whose w [N, K] is a
    `memref.get_global` of a constant global (dense or dense_resource f32)
    and whose N is a multiple of the panel width C = `vector-width` ×
    `panel-vectors`, the weight is rewritten at compile time into panels
    [N/C, K, C] (`packed[p, k, c] = w[p·C + c, k]`) and the contraction reads
    it through the map `(m, n, k) -> (n floordiv C, k, n mod C)`: the same
    computation, so convert-linalg-to-loops still runs it as written.
    linea-cpu-contraction-kernels then runs the packed GEMM for every M
    with no packing at run time (each panel streamed along K once). The
    original global is erased when nothing else reads it; other weights
    (quantized, non-constant, N not a multiple of C) are left alone.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes per vector (the contraction kernels' vector-width)">,
    Option<"panelVectors", "panel-vectors", "int64_t", "4",
           "vectors per panel (the contraction kernels' gemm-vectors)">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CpuStructuredKernels
    : Pass<"linea-cpu-structured-kernels", "mlir::func::FuncOp"> {
  let summary = "Vector kernels for the batched small contractions of structured layers, on buffers";
  let description = [{
    Replaces each bufferized f32 `linalg.generic` multiply-accumulate
    contraction (two inputs, projected-permutation maps, body
    `out + in0 * in1`) that linea-cpu-contraction-kernels left alone by an
    scf/vector loop nest, in one of two shapes:

    - *broadcast FMA*: the output's innermost loop is also the innermost
      dim of the input(s) that use it (BTT's cores, Kronecker's A·X,
      BLAST's U/S/V steps): `vector-width` lanes of that loop, `tile-n`
      vectors wide, times `tile-m` values of a loop the vector input does
      not use, whose elements of the other input are broadcast; every
      other loop is a scalar loop, reductions inside the tile with the
      accumulators in registers, the output loaded and stored once per
      tile.
    - *row dot*: both inputs' innermost dim is the same reduction loop
      (Kronecker's (A·X)·Bᵀ, Monarch's second stage): `tile-m` × `tile-n`
      accumulators along it, as in linea-cpu-contraction-kernels but with
      any number of batch and reduction loops and any strides outside the
      vector dim, summed into the output once.

    A vector loop must be static with at least 4 elements; narrower ones
    take the largest power of two that fits, and the remainder is one
    masked vector. Summation order differs from the reference loops. Ops it
    cannot vectorise are left to convert-linalg-to-loops (with a remark
    under `report-skipped`). Run by linea-lower-to-llvm right after
    linea-cpu-contraction-kernels, with the host's vector width and tiles.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes per vector (16 for AVX-512, 8 for AVX2)">,
    Option<"tileM", "tile-m", "int64_t", /*default=*/"4",
           "values of the tiled non-vector loop per register tile">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"4",
           "vectors (broadcast FMA) or values of the second tiled loop "
           "(row dot) per register tile">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "emit a remark on every multiply-accumulate linalg.generic left "
           "to the scalar loops">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

def CpuQuantKernels : Pass<"linea-cpu-quant-kernels", "mlir::ModuleOp"> {
  let summary = "Vector kernels for linea.quant_linear that decode the packed weight in registers";
  let description = [{
    Replaces each supported `linea.quant_linear` (int8, uint8, int4, uint4,
    symmetric or asymmetric; int6 in 3-byte units of four codes, each unit
    moved into an i32 lane by word permutes and shifts; fp8_e4m3, fp8_e5m2, mxfp4, nvfp4, nf4; tensor,
    channel or group scales of f32, f16, bf16, f8E8M0FNU or f8E4M3FN; every
    activation mode: `weight_only`, `dynamic_int8_per_token`,
    `fp8_per_tensor`, `fp8_per_token`; f32
    x of any rank, its leading dims static or dynamic, taken as the rows of
    a rank-2 x; f32 bias) by a call to a generated private
    function on buffers (`bufferization.to_buffer` of the operands, a fresh
    output buffer, `bufferization.to_tensor restrict`). The kernel never
    builds the dense f32 weight: it loads `vector-width` packed bytes of a
    row at a time, widens them (8-bit) or splits their low and high nibbles
    (4-bit, against x stored once de-interleaved into even and odd
    elements), computes ŵ = (float(q) − float(z)) · float(s) (fp8: the
    code's bits moved into an f32 and re-biased by one multiply; e2m1 and
    NF4: a 16-entry f32 table looked up by an x86 `vpermps` intrinsic;
    nvfp4: times the tensor scale) with the reference's f32 operations, and
    accumulates `tile-m`×`tile-n` register
    tiles of vector FMAs, scale and zero point loaded once per group. The
    loop over blocks of about `block-bytes` packed bytes of W is an
    `scf.parallel`. From `panel-min-rows` to `panel-max-rows` rows of x (an `scf.if`
    on the dynamic M) it is a GEMM on decoded panels instead: x̂ is transposed once
    into blocks of 64 rows, blocks of rows of W are decoded K block by K
    block into f32 panels (Ŵ's values, decoded once), and register tiles of
    6 rows of W × 4 vectors of rows of x accumulate broadcast FMAs. With `int-dot` and `vnni` W8A8 multiplies x̂'s
    integer codes with the weight codes by AVX512-VNNI `vpdpwssd`, summed
    exactly in i32 per group. Ŵ and x̂ are bit-identical to
    linea-to-linalg's; only the f32 summation order differs. Shapes the
    kernels do not cover (f16/bf16 x, 4-bit groups of odd size, int6 groups
    that are not a multiple of 16 codes,
    codebook formats without a `permute-width` permute for their step) are
    left to the
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
    Option<"permuteWidth", "permute-width", "int64_t", /*default=*/"0",
           "widest f32 lane permute of the target, for the 4-bit codebook "
           "lookups of mxfp4, nvfp4 and nf4: 16 (AVX-512 vpermps zmm; 8-lane "
           "steps use AVX2's), 8 (AVX2 vpermps ymm) or 0 (none: those "
           "formats stay with the reference lowering)">,
    Option<"intDot", "int-dot", "bool", /*default=*/"false",
           "W8A8 with 8-bit weights (vector-width 16): x̂'s integer codes "
           "times the weight codes as i16 pair products summed in i32 "
           "instead of f32 FMAs (without vnni: shuffles, sext, mul and add, "
           "which x86 does not select as vpmaddwd/vpdpwssd with the operands "
           "shared across the tile; slower than the f32 kernel)">,
    Option<"panelMinRows", "panel-min-rows", "int64_t", /*default=*/"64",
           "rows of x (checked at run time) from which the kernel is a "
           "GEMM on W decoded once into f32 panels instead of decoding "
           "W once per tile-m rows; 0 never (not for int-dot)">,
    Option<"panelMaxRows", "panel-max-rows", "int64_t", /*default=*/"256",
           "rows of x above which the panel GEMM is not used (it measured "
           "slower than the tiles at M = 512, and its x̂ᵀ and f32 y buffers "
           "grow with M); 0 no limit">,
    Option<"vnni", "vnni", "bool", /*default=*/"false",
           "with int-dot, each step is one AVX512-VNNI vpdpwssd per "
           "accumulator (the llvm.x86.avx512.vpdpwssd.512 intrinsic; the CPU "
           "must have avx512vnni; linea-lower-to-llvm turns int-dot and this "
           "on where the host has it)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def CpuAttentionKernels : Pass<"linea-cpu-attention-kernels", "mlir::ModuleOp"> {
  let summary = "Fused online-softmax (flash) CPU kernels for linea.attention";
  let description = [{
    Replaces each supported `linea.attention` (q/k/v in f32, f16 or bf16;
    head counts H, Hkv and head dims D, Dv static; B, S and T static or
    dynamic; any broadcast mask; causal or not; MHA, GQA, MQA) by a call to
    a generated private function on buffers (`bufferization.to_buffer` of
    the operands, a fresh output buffer, `bufferization.to_tensor
    restrict`). The kernel never materialises the S×T scores: an
    `scf.parallel` over (batch, kv head, block of queries, key split) runs
    a tile function whose rows are the queries of all g = H/Hkv heads that
    share the kv head (so each loaded K/V block serves all of them); it
    walks the visible keys in blocks of `key-block` (blocks wholly above
    the causal diagonal are never visited, the diagonal ones masked) with
    the online-softmax update of the running max and sum, accumulating O in
    f32, and divides and rounds once at the end. For S = 1 (decode) the
    tile is the g rows alone and the products run along D and Dv (K and V
    rows as vectors, one lane reduction per score). When B·Hkv·query blocks
    give fewer than 2·`num-threads` tasks (decode over a long KV cache),
    the keys are split among threads and the partial (max, sum, O) merged
    (flash-decoding). Only the order of the f32 sums and the exponential (a
    polynomial, within a few ulp of libm's) differ from linea-to-linalg.
    Dynamic head counts or head dims are left to the reference lowering
    (with a remark under `report-skipped`). Run by linea-lower-to-llvm
    before linea-to-linalg when `cpu-kernels` and `attention-kernels` are on.

    SageAttention (`quant` set by linea-quantize-attention): a prologue
    quantizes q (int8 per q_block queries, scale·log2(e) folded in), the
    smoothed k (int8 per k_block keys) and v (fp8 E4M3 per channel, stored
    decoded) once per call; the tiles then compute each score as an integer
    sum of int8 products (i32 multiply-adds) times s_Q·s_K, keep an integer
    running max, use exp2, and round P to fp8 before P·V, as the reference
    does. Decode uses the few-queries tiling.

    `linea.latent_attention` with a static S = 1 (Palu decode) becomes a
    kernel over (batch, K latent group, key split): per block of keys it
    rebuilds the group's keys from the latent cache (ukᵀ transposed once per
    call; broadcast-FMA register tiles), applies RoPE, scores the group's
    query heads and accumulates P·V in latent space, projecting with v_up
    once per row at the end. Other S are left to the reference lowering.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes per vector (query rows per vector); a power of two">,
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"64",
           "query rows (g heads × queries) per tile in prefill; a multiple of "
           "vector-width">,
    Option<"keyBlock", "key-block", "int64_t", /*default=*/"64",
           "keys per online-softmax step">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"1",
           "threads: above 1 the tiles are an scf.parallel (OpenMP in "
           "linea-lower-to-llvm) and the keys may be split among them">,
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"1048576",
           "fewest multiply-adds (B·H·S·T·(D+Dv)) worth starting threads for">,
    Option<"minSplitKeys", "min-split-keys", "int64_t", /*default=*/"512",
           "fewest keys per split when the keys are split among threads">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "emit a remark on every attention left to the reference lowering">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def CpuScanKernels : Pass<"linea-cpu-scan-kernels", "mlir::ModuleOp"> {
  let summary = "Chunked parallel vector scans for linea.linear_scan and linea.selective_scan";
  let description = [{
    Replaces each `linea.linear_scan` and `linea.selective_scan` (f32, f16
    or bf16; every optional operand; B and T static or dynamic, D and N
    static) by a call to a generated private function on buffers
    (`bufferization.to_buffer` of the operands, fresh result buffers,
    `bufferization.to_tensor restrict`), shared by ops of the same types.
    The kernel keeps the f32 state of a block of channels (a few vectors of
    `vector-width` lanes along D; selective_scan: one vector per state n)
    in registers while t advances, widens half-precision inputs on load and
    rounds each output once; exp and log1p are polynomial approximations.
    linear_scan keeps the reference's `a·h + b` rounding (no FMA);
    selective_scan uses FMAs, so results differ from linea-to-linalg's by
    rounding only.

    Schedule: the (batch row × channel block) items are an `scf.parallel`
    when `num-threads` is above 1 and B·T·D·N reaches `min-parallel-work`,
    else a serial loop (decode: no thread start-up, no allocation). With
    three threads or more, fewer items than threads and
    T ≥ `num-threads`·`min-chunk-steps`, time is cut into one chunk per
    thread instead (the step is associative):
    each chunk is scanned from zero in parallel (its partial state and
    decay: Π a, or ΣΔ since Π exp(Δ·A) = exp(A·ΣΔ)), the chunk carries are
    combined serially, and each chunk is rescanned from its carry writing
    the outputs. Ops with N above `max-states` (the state would spill) are
    left to the reference lowering, with a remark under `report-skipped`.
    Run by linea-lower-to-llvm before linea-to-linalg when `cpu-kernels` is
    on.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes per vector; a power of two">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"1",
           "threads of the generated code (also the number of time chunks); "
           "1 emits no scf.parallel">,
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"65536",
           "fewest state updates (B·T·D·N) worth starting threads for">,
    Option<"minChunkSteps", "min-chunk-steps", "int64_t", /*default=*/"256",
           "fewest time steps per chunk of the time-parallel schedule">,
    Option<"maxStates", "max-states", "int64_t", /*default=*/"64",
           "largest selective_scan N the kernel takes">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "emit a remark on every scan left to the reference lowering">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def CpuLinearAttentionKernels
    : Pass<"linea-cpu-linear-attention-kernels", "mlir::ModuleOp"> {
  let summary = "Chunkwise-parallel vector kernels for linear_attention, gated_linear_attention and delta_rule";
  let description = [{
    Replaces each supported `linea.linear_attention`,
    `linea.gated_linear_attention` and `linea.delta_rule` by a call to a
    generated private function on buffers (`bufferization.to_buffer` of the
    operands, fresh output buffers, `bufferization.to_tensor restrict`),
    instead of linea-to-linalg's sequential loop over time (scans) or its
    S×T score matrix (linear_attention). Per (batch, head), shared among
    threads by an `scf.parallel` over `num-threads` workers, the sequence is
    cut into chunks of `chunk-size` tokens: the intra-chunk part
    `(Q Kᵀ ⊙ M) V` is register-tiled dense products over the chunk, the
    inter-chunk part is `Q S` and the state is updated once per chunk
    (`S += Kᵀ V`), all with `vector-width`-lane f32 FMAs along Dv (and along
    the chunk for `Q Kᵀ`). Gated linear attention takes cumulative log-gates
    relative to the chunk start and, within the chunk, to the start of each
    16-token sub-chunk, so that no exponent is positive for gates ≤ 0; a
    sub-chunk's own diagonal block is factorised the same way only while
    its log-gates stay within 20 of its start (factors below e^20), else
    computed pairwise. The delta rule uses the chunkwise
    UT form (DeltaNet): the unit-lower-triangular system
    `(I + StrictTril(diag(β) K Kᵀ)) U = diag(β)(V − K S)` is solved by
    forward substitution. Non-causal linear attention makes two passes
    (S and z over all keys, then the outputs). Sequences of at most
    `recurrent-max-t` tokens (decode) run the recurrent form, one rank-1
    update per token. f16/bf16 inputs are widened to f32 on load, the state
    is f32 (the final_state result), outputs are rounded once. B, H and T
    may be dynamic; Dk and Dv are static and at most `max-head-dim`; other
    ops are left to the reference lowering (with a remark under
    `report-skipped`). Run by linea-lower-to-llvm before linea-to-linalg
    when `cpu-kernels` is on.
  }];
  let options = [
    Option<"chunkSize", "chunk-size", "int64_t", /*default=*/"64",
           "tokens per chunk; a positive multiple of 16">,
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes per vector (halved until it divides Dk and Dv)">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"0",
           "workers of the scf.parallel over batch × heads (each has its "
           "own scratch buffers); 0: one per (batch, head)">,
    Option<"recurrentMaxT", "recurrent-max-t", "int64_t", /*default=*/"16",
           "sequences of at most this many tokens use the recurrent form "
           "(causal ops only)">,
    Option<"maxHeadDim", "max-head-dim", "int64_t", /*default=*/"256",
           "largest Dk and Dv the kernels take">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "emit a remark on every op left to the reference lowering">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

// The options shared by the shift, BSR and N:M kernel passes
// (lib/Conversion/LineaToCPU/LinearKernelCall.h).
defvar weightKernelOptions = [
  Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
         "f32 lanes per vector step; a power of two">,
  Option<"tileM", "tile-m", "int64_t", /*default=*/"4",
         "rows of x per register tile">,
  Option<"tileN", "tile-n", "int64_t", /*default=*/"4",
         "rows of W per register tile">,
  Option<"blockBytes", "block-bytes", "int64_t", /*default=*/"262144",
         "stored weight bytes per scf.parallel iteration (stays in L2)">,
  Option<"minParallelWeights", "min-parallel-weights", "int64_t",
         /*default=*/"1048576",
         "stored weights from which the loop over blocks is an scf.parallel "
         "(threads); smaller layers loop serially">,
  Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
         "emit a remark on every layer left to the reference lowering">
];

defvar weightKernelDialects = [
  "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
  "mlir::func::FuncDialect", "mlir::memref::MemRefDialect",
  "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
  "mlir::vector::VectorDialect"
];

def CpuShiftKernels : Pass<"linea-cpu-shift-kernels", "mlir::ModuleOp"> {
  let summary = "Vector kernels for linea.shift_linear from exponent and sign bytes, without W";
  let description = [{
    Replaces each supported `linea.shift_linear` (f32 x of any rank, its
    leading dims static or dynamic; any number of terms; scale in f32, f16
    or bf16; f32 bias) by a call to a generated private function on
    buffers (`bufferization.to_buffer` of the operands, a fresh output
    buffer, `bufferization.to_tensor restrict`). The kernel never forms the
    dense W: it loads `vector-width` exponent and sign bytes of a row at a
    time, assembles ±2^e from its bits (`(e + 127) << 23`, the sign bit of
    the sign byte, +0 where the sign is 0) and accumulates x · (±2^e) with
    vector FMAs, which add the exact power-of-two products; `tile-m` ×
    `tile-n` register tiles share each assembled vector among the rows of
    x. The sum of a row is multiplied by the scale and the bias added, in
    the reference's order, so only the order of the f32 sum differs from
    linea-to-linalg. The loop over blocks of about `block-bytes` stored
    bytes is an `scf.parallel`. f16/bf16 x and dynamic K are
    left to the reference lowering (with a remark under `report-skipped`).
    Run by linea-lower-to-llvm before linea-to-linalg when `cpu-kernels`
    and `sparse-kernels` are on.
  }];
  let options = weightKernelOptions;
  let dependentDialects = weightKernelDialects;
}

def CpuBsrKernels : Pass<"linea-cpu-bsr-kernels", "mlir::ModuleOp"> {
  let summary = "Vector kernels for linea.bsr_linear that visit only the stored blocks";
  let description = [{
    Replaces each supported `linea.bsr_linear` (f32 x of any rank, leading
    dims static or dynamic; f32 values; i32 or i64 index arrays; f32 bias)
    by a call to a generated private function on buffers, as
    linea-cpu-shift-kernels does. An `scf.parallel` over block rows (a
    serial loop below `min-parallel-weights` stored weights) walks, for
    each tile of `tile-m` rows of x × `tile-n` rows of the block row, only
    that block row's stored blocks `[row_offsets[rb], row_offsets[rb+1])`:
    each block's rows are loaded `vector-width` columns at a time (the last
    chunk masked when bk is not a multiple) against x at the block's
    column `col_indices[e]·bk`, with vector FMAs into the tile's
    accumulators, summed once per output, then the bias added. Empty block
    rows cost one lane sum per output. Only the order of the f32 sum
    differs from linea-to-linalg. f16/bf16 operands are left to the
    reference lowering (with a remark under `report-skipped`). Run by
    linea-lower-to-llvm before linea-to-linalg when `cpu-kernels` and
    `sparse-kernels` are on.
  }];
  let options = weightKernelOptions;
  let dependentDialects = weightKernelDialects;
}

def CpuNMKernels : Pass<"linea-cpu-nm-kernels", "mlir::ModuleOp"> {
  let summary = "Vector kernels for linea.nm_linear (2:4 and general n:m) that expand each group in registers";
  let description = [{
    Replaces each supported `linea.nm_linear` (any n:m; f32 x of any rank,
    leading dims static or dynamic; f32 values; f32 bias) by a call to a
    generated private function on buffers, as linea-cpu-shift-kernels
    does. The kernel reads a chunk of C = lcm(m, `vector-width`) input
    columns at a time: the C·n/m kept values and position bytes of a row
    (one load each), expanded in registers to the C-lane row of W by n
    constant shuffles, compares of the positions with each lane's place in
    its group, and selects (nothing is written to memory), then vector
    FMAs against the contiguous x chunk, shared by `tile-m` rows of x. The
    last chunk is masked when K is not a multiple of C. Differences from
    linea-to-linalg: the f32 summation order, and a dropped column's x
    meets an explicit 0 (so an infinite or NaN x in a dropped column makes
    the output NaN where the reference skips it). Layers whose C exceeds 64
    lanes, and f16/bf16 operands, are left to the reference lowering (with
    a remark under `report-skipped`). Run by linea-lower-to-llvm before
    linea-to-linalg when `cpu-kernels` and `sparse-kernels` are on.
  }];
  let options = weightKernelOptions;
  let dependentDialects = weightKernelDialects;
}

def CpuLowRankKernels : Pass<"linea-cpu-lowrank-kernels", "mlir::ModuleOp"> {
  let summary = "One kernel for both stages of linea.lowrank_linear, the rank-r intermediate kept in cache";
  let description = [{
    Replaces each supported `linea.lowrank_linear` (f32 x of any rank,
    leading dims static or dynamic; u and v in f32, f16 or bf16; bias in
    any float type; f32 result) by a call to a generated private function
    on buffers, as linea-cpu-shift-kernels does. The reference lowering
    runs two contractions with the M × r intermediate t = x · vᵀ in a
    tensor between them; the kernel instead takes the rows of x in panels
    of P rows (P · r f32 values, about `panel-bytes`, a multiple of
    `tile-m`) and for each panel computes t for its rows into one
    stack buffer of P × r floats, then y = t · uᵀ + bias for the same rows
    from that buffer while it is still in cache. Both stages are row dots
    along the unit-stride dim (K for x and v, r for t and u) with
    `tile-m` × `tile-n` register tiles of vector FMAs (width
    `vector-width`, or the power of two at or above r when r is smaller),
    the last chunk masked, one lane sum per output. Each stage loops over
    blocks of about `block-bytes` weight bytes, an `scf.parallel` when the
    layer has at least `min-parallel-weights` weights, so each block of u
    and v is read once per panel. Only the order of the f32 sums differs
    from linea-to-linalg. Layers with f16/bf16 x or result are left to
    the reference lowering (with a remark under `report-skipped`). Run by
    linea-lower-to-llvm before linea-to-linalg when `cpu-kernels` and
    `lowrank-kernels` are on; the latter is off by default, as the kernel
    measured 0.97-0.99x the two contraction kernels at M = 1 and 16
    (docs/benchmarks.md).
  }];
  let options = !listconcat(weightKernelOptions, [
    Option<"panelBytes", "panel-bytes", "int64_t", /*default=*/"65536",
           "bytes of the per-panel intermediate (P rows × r f32); P is at "
           "least tile-m">
  ]);
  let dependentDialects = weightKernelDialects;
}

def CpuNormKernels : Pass<"linea-cpu-norm-kernels", "mlir::ModuleOp"> {
  let summary = "Vector kernels for linea.rms_norm / linea.layer_norm, and the FlashNorm row-scale epilogue";
  let description = [{
    Replaces each supported `linea.rms_norm` and `linea.layer_norm` (f32 x
    and result of any rank, leading dims static or dynamic, the normalised
    dim static; weight and bias in any float type) by a call to a
    generated private function on buffers, as linea-cpu-shift-kernels
    does. Per row: one vector pass for the sum of squares (layer_norm: one
    for the mean, one for Σ(x − μ)²), then one pass that writes
    x · (1 / sqrt(ms + ε)) · weight (+ bias) with vector stores, the last
    chunk masked. The loop over rows is an `scf.parallel` when the norm
    has at least `min-parallel-work` elements (checked at run time).

    With `flash-norm` (REWRITES.md §6), a `linea.linear` (f32 result)
    whose x is a weightless `linea.rms_norm` (what linea-fold-norms leaves
    after folding the weight into W) becomes: a kernel computing only
    inv[m] = 1 / sqrt(ms[m] + ε) (one pass over x), the same linear layer
    on x itself without its bias, and one elementwise
    `y[m, n] · inv[m] + bias[n]` on the rows, which
    linea-cpu-contraction-kernels fuses into the contraction's store. No
    normalised copy of x is written; the norm stays only for its other
    users. Differences from linea-to-linalg: the order of the f32 sums,
    x · (1/root) instead of x / root, and with flash-norm the division
    applied after the dot product. f16/bf16 norms are left to the
    reference lowering (with a remark under `report-skipped`). Run by linea-lower-to-llvm before linea-to-linalg
    when `cpu-kernels` and `norm-kernels` are on.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes per vector step; a power of two">,
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"262144",
           "elements (M·D) from which the loop over rows is parallel">,
    Option<"flashNorm", "flash-norm", "bool", /*default=*/"true",
           "fuse a weightless rms_norm's 1/rms into the consuming "
           "linea.linear's epilogue">,
    Option<"reportSkipped", "report-skipped", "bool", /*default=*/"false",
           "emit a remark on every norm left to the reference lowering">
  ];
  let dependentDialects = !listconcat(weightKernelDialects, [
    "mlir::linalg::LinalgDialect", "mlir::math::MathDialect"
  ]);
}

def CpuTileTable : Pass<"linea-cpu-tile-table", "mlir::func::FuncOp"> {
  let summary = "Per-shape register tiles for the contraction kernels from a JSON table";
  let description = [{
    Reads `table` (the JSON file `linea-compile --autotune` writes: an
    object whose "entries" array holds objects with the integer keys "n",
    "k", "tile_m", "tile_n" and "block_bytes") and marks each bufferized `y[m, n] += x[m, k]·w[n, k]` contraction
    whose w is `n`×`k` with `linea.cpu_tile = array<i64: tile_m, tile_n,
    block_bytes>`, which linea-cpu-contraction-kernels takes instead of its
    options for that contraction. Contractions of other shapes keep the
    pass options. Fails, naming the file and entry, on a missing file,
    malformed JSON, or a tile that is not positive (tiles above 16 are
    refused too: they cannot stay in registers). Run by linea-lower-to-llvm
    just before linea-cpu-contraction-kernels when `tile-table` is set.
  }];
  let options = [
    Option<"table", "table", "std::string", /*default=*/"\"\"",
           "the JSON tile table (linea-compile --autotune's <NAME>.tiles.json)">
  ];
}

def RuntimeThreadCount : Pass<"linea-runtime-thread-count", "mlir::ModuleOp"> {
  let summary = "Take the team size of every omp.parallel from a function called at run time";
  let description = [{
    Threaded code from convert-scf-to-openmp fixes each region's team with
    a constant `num_threads`. This pass replaces that constant by a call to
    `symbol` (`() -> i32`, declared here, defined by whoever links the
    code: linea-compile's C wrapper returns what `<NAME>_set_num_threads`
    or LINEA_NUM_THREADS chose, at most the compile-time count). Work is
    still split for the compile-time count, so any team from 1 to that
    count computes the same bits; a team of 1 starts no threads. Run by
    linea-lower-to-llvm after convert-scf-to-openmp when `runtime-threads`
    is set.
  }];
  let options = [
    Option<"symbol", "symbol", "std::string", /*default=*/"\"linea_num_threads\"",
           "the function that returns the team size">
  ];
  let dependentDialects = ["mlir::func::FuncDialect"];
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

    `tensor-cores=1` builds those layers on mma.sync m16n8k16 instead
    (x bf16/f16; int4/uint4 with K and group multiples of 128, or dense W of
    x's type): packed int4 decode (lop3 into bf16/f16 pair mantissas, one
    packed subtract per two codes), x pairs by prmt, split-K over the 4
    warps of a block through shared memory. See docs/cuda.md.

    Dense layers with M >= 128 and x of W's 16-bit type get a Hopper GEMM
    instead (`wgmma`, `wgmma-tiles`): cp.async into 128-byte-swizzled
    multi-stage shared memory, wgmma.mma_async m64nNk16 with shared-memory
    descriptors and f32 accumulators, 1 or 2 warpgroups per block.

    `linea.attention` (bf16/f16, D = Dv ∈ {64, 128}, causal or not, GQA,
    no mask operand, static shapes) becomes a FlashAttention-2 forward
    kernel (cp.async double-buffered K/V tiles, ldmatrix, mma.sync m16n8k16
    with f32 accumulators, online softmax in registers), one per
    `attention-tiles` variant; at S = 1 a split-T flash-decoding kernel and
    its combine kernel (one manifest entry with two `launches`). See
    docs/cuda.md.
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
    ListOption<"scanChunk", "scan-chunk", "int64_t",
               "time steps per chunk of linear_scan / selective_scan (0: "
               "enough chunks to fill the GPU; >= T: one pass) and of "
               "gated_linear_attention / linear_attention (0 or >= T: one "
               "pass); one kernel set per value">,
    ListOption<"rowsPerLane", "rows-per-lane", "int64_t",
               "rows of the Dk×Dv state per thread in the linear-attention "
               "recurrences (4 or 8, default 8; Dk / rows lanes per column); "
               "one kernel per value">,
    ListOption<"chunkwise", "chunkwise", "int64_t",
               "gated_linear_attention / causal linear_attention: 0 the "
               "recurrent kernels, 1 the chunkwise tensor-core kernel (chunk "
               "64, mma.sync; bf16/f16, Dk and Dv in {64, 128}, else a "
               "remark and the recurrent kernels); one kernel set per value. "
               "Default: the chunkwise kernel with 32-column value tiles "
               "where it applies (not f16 GLA), silently recurrent "
               "elsewhere">,
    ListOption<"attentionTiles", "attention-tiles", "std::string",
               "prefill attention variants as ROWSxKEYS: query rows per "
               "warp (16 or 32) by keys per shared-memory tile (32, 64 or "
               "128); one kernel per value (default 32x32)">,
    ListOption<"tensorCores", "tensor-cores", "int64_t",
               "quant_linear / linear kernels: 0 the CUDA-core GEMV, 1 the "
               "mma.sync kernel (x bf16/f16, int4/uint4 with K and group a "
               "multiple of 128, or dense W of x's type; rows-per-warp "
               "counts 16-row tiles, 1 to 4; layers it cannot take keep the "
               "GEMV); one kernel per value. Default, when neither this "
               "nor rows-per-warp nor unroll is given: per layer, the mma.sync kernel "
               "for layers of at least 2^24 weights that are quantized or "
               "have M > 1 (1 row tile up to M = 8, else 2), the GEMV "
               "otherwise">,
    ListOption<"prefetch", "prefetch", "int64_t",
               "mma.sync decode kernel: 1 each warp issues the loads of its "
               "next `unroll` steps before the arithmetic of the current "
               "ones (register double buffering), 0 loads then computes each "
               "group; one kernel per value. Default: 1 for the kernel picked "
               "automatically (none of tensor-cores, rows-per-warp, unroll "
               "given), else 0">,
    ListOption<"splitK", "split-k", "int64_t",
               "mma.sync decode kernel: warps per block splitting K over the "
               "same rows, 4 or 8; one kernel per value (default 4)">,
    ListOption<"wgmma", "wgmma", "int64_t",
               "dense linear layers: 1 the Hopper wgmma GEMM "
               "(WgmmaGemmKernel.cpp; x and W both bf16 or both f16, K a "
               "multiple of 8; an error for other layers), 0 the decode "
               "kernels above; one kernel set per value. Default: the wgmma "
               "GEMM for such layers with M >= 128, the decode kernels "
               "otherwise. For int4/uint4 quant_linear layers with M >= "
               "quant-gemm-min-rows: 1 the wgmma GEMM of quant-wgmma-tiles, "
               "0 the mma.sync GEMM">,
    ListOption<"wgmmaTiles", "wgmma-tiles", "std::string",
               "wgmma GEMM variants as BMxBNxSTAGES: output tile BM x BN "
               "(64, 128 or 256 each; BM >= 128 uses 2 warpgroups) and "
               "cp.async pipeline stages (>= 3); one kernel per value. "
               "Default per layer: 128x256x4 if that makes >= 132 blocks, "
               "else 128x128x4 or 64x128x4 (the first that does, or the "
               "one with the most blocks)">,
    Option<"quantGemmMinRows", "quant-gemm-min-rows", "int64_t",
           /*default=*/"128",
           "fewest rows of x (M) from which a quant_linear gets the prefill "
           "GEMM (MmaGemmKernel.cpp: cp.async pipeline, in-register int4 / int8 / fp8 "
           "decode, mma.sync) instead of the decode kernels; 0 never, 1 "
           "always. Layers it cannot take (remark) keep the decode kernels">,
    ListOption<"quantGemmTiles", "quant-gemm-tiles", "std::string",
               "prefill GEMM variants as BMxBNxWMxWN[xSTAGES]: rows of x × "
               "rows of W per block and per warp, cp.async stages (default "
               "3); one kernel per value (default 128x128x64x32x3)">,
    ListOption<"quantWgmmaTiles", "quant-wgmma-tiles", "std::string",
               "int4 group-scale prefill GEMM on wgmma (QuantWgmmaKernel.cpp, "
               "sm_90a; the default from quant-gemm-min-rows there unless "
               "quant-gemm-tiles is given; wgmma=0 turns it off, wgmma=1 "
               "forces it) variants as 128x128xSTAGES: 128 rows of x × 128 "
               "rows of W per block (the one shape verified on a GPU), "
               "cp.async stages in [3, 16]; one kernel per value. Default "
               "128x128x6">,
    Option<"quantWgmmaUnverified", "quant-wgmma-unverified", "bool",
           /*default=*/"false",
           "also build the int4 wgmma GEMM forms that gave wrong results on "
           "the first H100 run and are refused otherwise (tiles other than "
           "128x128, uint4 zero points, per-channel scales), to re-check them "
           "on a GPU; never for production">,
    Option<"bsrMmaMinRows", "bsr-mma-min-rows", "int64_t",
           /*default=*/"16",
           "fewest rows of x (M) from which a bsr_linear gets the "
           "tensor-core BSR kernel (BsrMmaKernel.cpp: cp.async pipeline over "
           "the block row's stored blocks, mma.sync) instead of the GEMV; 0 "
           "never, 1 always. Layers it cannot take (remark) keep the GEMV">,
    ListOption<"bsrMmaTiles", "bsr-mma-tiles", "std::string",
               "tensor-core BSR variants as BMxBNxWMxWN[xSTAGES]: rows of x "
               "× rows of W per block (BN divides bn) and per warp "
               "(multiples of 16), stored blocks in flight (default 3); one "
               "kernel per value. Default by M: 16x32x16x16x6 up to 32, "
               "64x64x32x32x4 up to 128, else 128x64x64x32x4 (BN at most "
               "bn). With rows-per-warp or unroll also given, the GEMV "
               "variants are built as well">,
    ListOption<"nmMmaTiles", "nm-mma-tiles", "std::string",
               "2:4 nm_linear on the sparse tensor cores (NmMmaKernel.cpp: "
               "mma.sp m16n8k32, metadata packed in registers from the "
               "stored indices; x of the values' type, K a multiple of 64) "
               "for layers with M >= 16, as BMxBNxWMxWN[xSTAGES]: rows of x "
               "× rows of W per block and per warp (WM a multiple of 8, WN "
               "of 16); one kernel per value. Off by default (not yet "
               "measured); with rows-per-warp or unroll also given, the GEMV "
               "variants are built as well">,
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "NVVM target chip of the gpu.module">,
    Option<"hostFallback", "host-fallback", "bool", /*default=*/"false",
           "linear, quant_linear and attention ops that no kernel supports "
           "are left for the host with a remark and listed in the module "
           "attribute linea.cuda_host_ops (manifest.json's host_ops) "
           "instead of failing the pass">,
    ListOption<"lowRankFused", "lowrank-fused", "int64_t",
               "lowrank_linear with M <= 16: 1 both phases in one kernel "
               "(GemvKernel.cpp: t = x·vᵀ blocks first, then y = t·uᵀ "
               "blocks that wait on a counter in an i32 `sync` workspace), "
               "0 the two launches; one kernel set per value (default 0)">,
    Option<"epilogues", "epilogues", "bool", /*default=*/"true",
           "fuse the elementwise ops after each linear layer into its "
           "kernel's store: an activation (relu, gelu, gelu_tanh, silu, "
           "sigmoid, tanh; found by evaluating the linalg.generic body) "
           "then an add or multiply with another [M, N] tensor (a "
           "`residual` argument); the manifest entry's `epilogue` says "
           "which">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::gpu::GPUDialect",
    "mlir::math::MathDialect",
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
