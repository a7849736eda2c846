"""Issue 8: no CPU kernel of a compressed form materialises the dense
weight. Each form (every quant_linear format with every activation mode it
takes, shift, BSR, N:M, low-rank, blockdiag, Monarch, BTT, Kronecker, BLAST)
is made from one N × K layer by its rewrite pass and lowered by the whole
CPU pipeline (`linea-lower-to-llvm`, what linea-run and linea-compile run);
the IR just before memref → LLVM must hold no static float buffer (alloc,
alloca or global) of N·K or more elements, which a decoded or densified Ŵ
would be. The reference lowering of a quantized layer does build one, so
the check can fail."""

import re
import subprocess

import numpy as np
import pytest

from linea.tools import collect_stats, hex_const, run_opt, tool

N, K = 384, 512

FORMS = {
    "lowrank": "linea-lowrank{rank=16}",
    "blockdiag": "linea-blockdiag{blocks=4}",
    "monarch": "linea-monarch{blocks=4 rank=1}",
    "btt": "linea-btt{rank=2 cores=4}",
    "kron": "linea-kron{terms=2}",
    "blast": "linea-blast{blocks=2 rank=4 iterations=2}",
    "shift": "linea-shift-add{terms=2}",
    "bsr": "linea-sparsify{pattern=block:4x4 sparsity=0.5}",
    "nm": "linea-sparsify{pattern=2:4}",
}
# format → (extra options, activation modes the format takes)
INT_ACTS = ["weight_only", "dynamic_int8_per_token"]
FLOAT_ACTS = ["weight_only", "fp8_per_tensor", "fp8_per_token"]
FORMATS = {
    "int8": ("", INT_ACTS), "uint8": (" symmetric=false", INT_ACTS),
    "int4": (" group-size=32", INT_ACTS + ["fp8_per_tensor", "fp8_per_token"]),
    "uint4": (" group-size=128 symmetric=false", INT_ACTS),
    "int6": (" group-size=64", INT_ACTS),
    "fp8_e4m3": ("", FLOAT_ACTS), "fp8_e5m2": ("", FLOAT_ACTS),
    "mxfp4": ("", FLOAT_ACTS), "nvfp4": ("", FLOAT_ACTS), "nf4": (" group-size=64", FLOAT_ACTS),
}
for fmt, (extra, acts) in FORMATS.items():
    for act in acts:
        FORMS[f"{fmt}-{act}"] = f"linea-quantize{{format={fmt}{extra} act={act}%STATS%}}"

BUFFER = re.compile(r"memref\.(?:alloca?|global)\b[^\n]*?memref<([0-9x]+)x(?:f32|f16|bf16)>")
KERNEL = re.compile(r"func\.func private @(__linea_\w+_kernel)")


@pytest.fixture(scope="module")
def dense(tmp_path_factory):
    """(dense module with a ?×K input, stats file for fp8_per_tensor)."""
    rng = np.random.default_rng(0)
    wl, wt = hex_const("w", (rng.standard_normal((N, K)) / np.sqrt(K)).astype(np.float32), "f32")
    bl, bt = hex_const("b", rng.standard_normal(N).astype(np.float32), "f32")
    module = (f"func.func @main(%x: tensor<?x{K}xf32>) -> tensor<?x{N}xf32> {{\n{wl}\n{bl}\n"
              f'  %y = linea.linear %x, %w bias %b {{name = "fc"}} : '
              f"(tensor<?x{K}xf32>, {wt}, {bt}) -> tensor<?x{N}xf32>\n"
              f"  return %y : tensor<?x{N}xf32>\n}}\n")
    stats = collect_stats(module, rng.standard_normal((8, K)).astype(np.float32),
                          tmp_path_factory.mktemp("stats") / "stats.npz")
    return module, stats


def lowered_buffers(module, pipeline="--linea-lower-to-llvm"):
    """(static float buffer shapes, kernel function names) of `module` just
    before finalize-memref-to-llvm in `pipeline`."""
    proc = subprocess.run([tool("linea-opt"), "-", pipeline,
                           "--mlir-print-ir-before=finalize-memref-to-llvm", "-o", "/dev/null"],
                          input=module, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return BUFFER.findall(proc.stderr), set(KERNEL.findall(proc.stderr))


def dense_sized(shapes):
    return [s for s in shapes if np.prod([int(d) for d in s.split("x")]) >= N * K]


@pytest.mark.parametrize("form", list(FORMS))
def test_no_dense_weight_buffer(dense, form):
    module, stats = dense
    pipeline = FORMS[form].replace("%STATS%", f" stats={stats}" if "fp8_per_tensor" in form else "")
    rewritten = run_opt(module, f"--pass-pipeline=builtin.module({pipeline})")
    assert 'linea.linear %x' not in rewritten, f"{form}: the rewrite left the dense layer"
    shapes, kernels = lowered_buffers(rewritten)
    assert not dense_sized(shapes), f"{form}: dense-sized float buffers {dense_sized(shapes)}"
    if form in ("shift", "bsr", "nm") or "-" in form:
        # These forms have their own kernel, not the reference lowering.
        op = {"shift": "shift", "bsr": "bsr", "nm": "nm"}.get(form, "quant")
        assert f"__linea_{op}_kernel" in kernels, (form, kernels)


def test_reference_lowering_builds_dense_weight(dense):
    """The check above sees a decoded Ŵ when one is built: the reference
    lowering of an int4 layer (quant-kernels=false) decodes it whole."""
    module, _ = dense
    q4 = run_opt(module, "--pass-pipeline=builtin.module(linea-quantize{format=int4 group-size=32})")
    shapes, kernels = lowered_buffers(q4, "--linea-lower-to-llvm=quant-kernels=false")
    assert dense_sized(shapes) == [f"{N}x{K}"] and not kernels
