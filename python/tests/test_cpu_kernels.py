"""linea-cpu-contraction-kernels (run by linea-lower-to-llvm, hence by
linea-run) against numpy: register tiles, the rows of x and w left over,
several cache blocks of w, a dynamic M, and the quantized path whose
dequantized weight feeds the same kernel. K is a multiple of 16 so that the
kernel applies for every host vector width."""

import math
import subprocess

import numpy as np
import pytest

from linea.tools import run_mlir, run_opt, tool


def linear_module(m, n, k, bias, dynamic_m):
    md = "?" if dynamic_m else str(m)
    xt, wt, yt = f"tensor<{md}x{k}xf32>", f"tensor<{n}x{k}xf32>", f"tensor<{md}x{n}xf32>"
    if not bias:
        return f"""
func.func @main(%x: {xt}, %w: {wt}) -> {yt} {{
  %y = linea.linear %x, %w : ({xt}, {wt}) -> {yt}
  return %y : {yt}
}}"""
    bt = f"tensor<{n}xf32>"
    return f"""
func.func @main(%x: {xt}, %w: {wt}, %b: {bt}) -> {yt} {{
  %y = linea.linear %x, %w bias %b : ({xt}, {wt}, {bt}) -> {yt}
  return %y : {yt}
}}"""


def test_kernel_replaces_the_scalar_loops():
    """The pipeline really takes the kernel path for these shapes (else the
    numerics below would test the reference loops)."""
    out = run_opt(linear_module(5, 37, 64, False, True), "--linea-lower-to-llvm")
    assert "llvm.intr.fmuladd" in out
    ref = run_opt(linear_module(5, 37, 64, False, True),
                  "--linea-lower-to-llvm=cpu-kernels=false")
    assert "llvm.intr.fmuladd" not in ref


# (M, N, K): M below, at and above the register tile (1..9, remainders of
# 3 and 4 rows), N with rows of w left over (37, 301), N·K·4 over 512 KiB
# so that w spans several cache blocks (301 × 512).
SHAPES = [(1, 37, 64), (3, 37, 64), (4, 8, 16), (5, 37, 64), (9, 40, 128),
          (16, 301, 512), (2, 301, 512)]
# The packed GEMM path (M ≥ gemm-min-rows, 32): rows of x left over after
# the 6-row tiles (33, 53, 130), columns left to the dot tiles (N not a
# multiple of 64: 70, 213), K in one block (64, 96, 128) or in several
# uneven ones (592 → 4 × 128 + 80, 272 → 96 + 96 + 80, 400 → 3 × 112 + 64),
# M at the threshold
# and one on either side of it (31 takes the dot tiles).
SHAPES += [(48, 64, 64), (53, 70, 592), (130, 213, 272), (64, 40, 96),
           (31, 70, 144), (32, 64, 128), (33, 131, 400)]


@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("dynamic_m", [True, False])
def test_linear_kernel(m, n, k, dynamic_m):
    rng = np.random.default_rng(m * 1000 + n + k)
    x = rng.standard_normal((m, k), dtype=np.float32)
    w = rng.standard_normal((n, k), dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    (y,) = run_mlir(linear_module(m, n, k, True, dynamic_m), [x, w, b])
    ref = x.astype(np.float64) @ w.T.astype(np.float64) + b
    # Any f32 summation order is within K·eps·Σ|x·w| (≈ 0.02 at K = 512,
    # far below one missing or repeated product of unit normals).
    bound = k * np.finfo(np.float32).eps * (np.abs(x) @ np.abs(w).T + np.abs(b))
    assert np.all(np.abs(y - ref) <= bound), np.max(np.abs(y - ref) / bound)


def test_int8_quant_linear_through_kernel():
    """int8 per-channel: the decoded Ŵ (exact in f32) feeds the kernel."""
    rng = np.random.default_rng(3)
    m, n, k = 6, 21, 96
    codes = rng.integers(-127, 128, size=(n, k)).astype(np.int8)
    scales = (rng.random((n, 1)) * 0.02 + 0.001).astype(np.float32)
    x = rng.standard_normal((m, k), dtype=np.float32)
    module = f"""
func.func @main(%x: tensor<?x{k}xf32>, %q: tensor<{n}x{k}xi8>, %s: tensor<{n}x1xf32>) -> tensor<?x{n}xf32> {{
  %y = linea.quant_linear %x, %q, %s format <int8> : (tensor<?x{k}xf32>, tensor<{n}x{k}xi8>, tensor<{n}x1xf32>) -> tensor<?x{n}xf32>
  return %y : tensor<?x{n}xf32>
}}"""
    (y,) = run_mlir(module, [x, codes, scales])
    w = codes.astype(np.float32) * scales  # exact: formats.md's f32 product
    ref = x.astype(np.float64) @ w.T.astype(np.float64)
    bound = k * np.finfo(np.float32).eps * (np.abs(x) @ np.abs(w).T)
    assert np.all(np.abs(y - ref) <= bound)


def blockdiag_module(m, g, bn, bk, dynamic_m):
    md = "?" if dynamic_m else str(m)
    xt, wt, yt = (f"tensor<{md}x{g * bk}xf32>", f"tensor<{g}x{bn}x{bk}xf32>",
                  f"tensor<{md}x{g * bn}xf32>")
    return f"""
func.func @main(%x: {xt}, %w: {wt}) -> {yt} {{
  %y = linea.blockdiag_linear %x, %w : ({xt}, {wt}) -> {yt}
  return %y : {yt}
}}"""


def test_grouped_kernel_replaces_the_scalar_loops():
    out = run_opt(blockdiag_module(3, 4, 8, 32, True), "--linea-lower-to-llvm")
    assert "llvm.intr.fmuladd" in out


# (M, groups, rows per block, K per block): remainders of x and w rows,
# several groups, a single group, blocks wider than a cache block.
# (50, 3, 70, 48): M above gemm-min-rows, the packed path on the per-group
# views (64 of the 70 rows of each block, the rest dot tiles).
GROUPED = [(1, 4, 8, 32), (3, 4, 13, 16), (5, 1, 37, 64), (2, 8, 301, 512),
           (50, 3, 70, 48)]


@pytest.mark.parametrize("m,g,bn,bk", GROUPED)
@pytest.mark.parametrize("dynamic_m", [True, False])
def test_grouped_kernel(m, g, bn, bk, dynamic_m):
    """Block-diagonal layers through the grouped kernel against numpy."""
    rng = np.random.default_rng(m * 1000 + g * 100 + bn + bk)
    x = rng.standard_normal((m, g * bk), dtype=np.float32)
    w = rng.standard_normal((g, bn, bk), dtype=np.float32)
    (y,) = run_mlir(blockdiag_module(m, g, bn, bk, dynamic_m), [x, w])
    xg = x.astype(np.float64).reshape(m, g, bk)
    ref = np.einsum("mgk,gnk->mgn", xg, w.astype(np.float64)).reshape(m, g * bn)
    absprod = np.einsum("mgk,gnk->mgn", np.abs(xg), np.abs(w)).reshape(m, g * bn)
    bound = bk * np.finfo(np.float32).eps * absprod
    assert np.all(np.abs(y - ref) <= bound), np.max(np.abs(y - ref) / bound)


# Epilogues: bias, activation and residual applied in the contraction
# kernel's store (ContractionEpilogue.h) instead of separate passes.

_ACTIVATIONS = {
    # name: (linalg body on %v → %a, numpy reference)
    "relu": ("%a = arith.maximumf %v, %zero : f32",
             lambda v: np.maximum(v, 0)),
    "gelu": ("%h = arith.mulf %v, %half : f32\n"
             "    %s = arith.mulf %v, %rsqrt2 : f32\n"
             "    %e = math.erf %s : f32\n"
             "    %p = arith.addf %e, %one : f32\n"
             "    %a = arith.mulf %h, %p : f32",
             lambda v: 0.5 * v * (1 + np.vectorize(math.erf)(v / np.sqrt(2)))),
    "silu": ("%n = arith.negf %v : f32\n"
             "    %ex = math.exp %n : f32\n"
             "    %d = arith.addf %ex, %one : f32\n"
             "    %a = arith.divf %v, %d : f32",
             lambda v: v / (1 + np.exp(-v))),
}


def epilogue_module(m, n, k, act, residual, dynamic_m):
    """linea.linear with bias, then `act` and an optional residual add as
    the importers write them: elementwise linalg.generic ops on tensors."""
    md = "?" if dynamic_m else str(m)
    xt, wt, yt = f"tensor<{md}x{k}xf32>", f"tensor<{n}x{k}xf32>", f"tensor<{md}x{n}xf32>"
    ident = "affine_map<(i, j) -> (i, j)>"
    res_arg = f", %r: {yt}" if residual else ""
    body = f"""
func.func @main(%x: {xt}, %w: {wt}, %b: tensor<{n}xf32>{res_arg}) -> {yt} {{
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %rsqrt2 = arith.constant 0.70710678118654752 : f32
  %y = linea.linear %x, %w bias %b : ({xt}, {wt}, tensor<{n}xf32>) -> {yt}
  %act = linalg.generic {{indexing_maps = [{ident}, {ident}], iterator_types = ["parallel", "parallel"]}}
      ins(%y : {yt}) outs(%y : {yt}) {{
  ^bb0(%v: f32, %o: f32):
    {_ACTIVATIONS[act][0]}
    linalg.yield %a : f32
  }} -> {yt}
"""
    if residual:
        body += f"""  %out = arith.addf %act, %r : {yt}
  return %out : {yt}
}}"""
    else:
        body += f"""  return %act : {yt}
}}"""
    return body


def test_epilogue_fused_into_kernel():
    """After linea-cpu-contraction-kernels nothing of the bias, activation
    and residual passes is left: no linalg op, no fill."""
    proc = subprocess.run(
        [tool("linea-opt"), "-", "--linea-lower-to-llvm",
         "--mlir-print-ir-after=linea-cpu-contraction-kernels", "-o", "/dev/null"],
        input=epilogue_module(5, 37, 64, "gelu", True, True),
        capture_output=True, text=True, check=True)
    after = proc.stderr
    assert "vector.fma" in after and "math.erf" in after
    assert "linalg." not in after, after


# Odd M and N, remainders of both tiles, several blocks of w, M = 1.
EPILOGUE_SHAPES = [(1, 37, 64), (5, 37, 64), (9, 301, 512)]


@pytest.mark.parametrize("m,n,k", EPILOGUE_SHAPES)
@pytest.mark.parametrize("act", sorted(_ACTIVATIONS))
@pytest.mark.parametrize("residual,dynamic_m", [(True, True), (False, False)])
def test_linear_epilogue(m, n, k, act, residual, dynamic_m):
    rng = np.random.default_rng(m * 1000 + n + k)
    x = rng.standard_normal((m, k), dtype=np.float32)
    w = rng.standard_normal((n, k), dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    r = rng.standard_normal((m, n), dtype=np.float32)
    inputs = [x, w, b] + ([r] if residual else [])
    (y,) = run_mlir(epilogue_module(m, n, k, act, residual, dynamic_m), inputs)
    z = x.astype(np.float64) @ w.T.astype(np.float64) + b
    ref = _ACTIVATIONS[act][1](z) + (r if residual else 0)
    # The sum's f32 bound (test_linear_kernel), carried through activations
    # whose slope is at most ~1.13, plus f32 rounding of the epilogue.
    bound = k * np.finfo(np.float32).eps * (np.abs(x) @ np.abs(w).T + np.abs(b))
    bound = 1.2 * bound + 8 * np.finfo(np.float32).eps * (np.abs(ref) + 1)
    assert np.all(np.abs(y - ref) <= bound), np.max(np.abs(y - ref) / bound)


def test_gemm_path_is_taken():
    """From gemm-min-rows on, the pipeline packs w (transposing shuffles)
    and broadcasts x; below it (static M) it keeps the dot-product tiles."""
    big = run_opt(linear_module(64, 64, 64, False, False), "--linea-lower-to-llvm")
    assert "llvm.shufflevector" in big
    small = run_opt(linear_module(16, 64, 64, False, False), "--linea-lower-to-llvm")
    assert "llvm.shufflevector" not in small


@pytest.mark.parametrize("m,n,k", [(48, 64, 64), (53, 70, 592), (97, 213, 272),
                                   (32, 64, 128), (33, 131, 400)])
@pytest.mark.parametrize("act", sorted(_ACTIVATIONS))
def test_linear_epilogue_gemm_path(m, n, k, act):
    """Bias, activation and residual applied after the last K block."""
    rng = np.random.default_rng(m * 1000 + n + k)
    x = rng.standard_normal((m, k), dtype=np.float32)
    w = rng.standard_normal((n, k), dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    r = rng.standard_normal((m, n), dtype=np.float32)
    (y,) = run_mlir(epilogue_module(m, n, k, act, True, True), [x, w, b, r])
    z = x.astype(np.float64) @ w.T.astype(np.float64) + b
    ref = _ACTIVATIONS[act][1](z) + r
    bound = k * np.finfo(np.float32).eps * (np.abs(x) @ np.abs(w).T + np.abs(b))
    bound = 1.2 * bound + 8 * np.finfo(np.float32).eps * (np.abs(ref) + 1)
    assert np.all(np.abs(y - ref) <= bound), np.max(np.abs(y - ref) / bound)

