"""linea-cpu-prepack-weights (run by linea-lower-to-llvm): a linear layer
whose weight is a constant stores it as the packed GEMM's k-major panels at
compile time, and linea-cpu-contraction-kernels runs the GEMM from them for
every M (no packing per call). Numerics against numpy and against the same
module with prepack-weights=false (the packed-at-run-time / dot-tile path),
for M below, at and above the 6-row tile (remainders of 1–5 rows: the 4-,
2- and 1-row tiles), K in one and in several blocks, dynamic and static M,
with and without a fused bias / GELU / residual epilogue."""

import subprocess

import numpy as np
import pytest

from linea.tools import run_mlir, run_opt, tool


def constant(w):
    """An MLIR dense constant of f32 array `w` (hex: exact bits)."""
    shape = "x".join(map(str, w.shape))
    hexdata = np.ascontiguousarray(w, dtype="<f4").tobytes().hex().upper()
    return f'arith.constant dense<"0x{hexdata}"> : tensor<{shape}xf32>'


def module(m, n, k, w, epilogue, dynamic_m):
    md = "?" if dynamic_m else str(m)
    xt, wt, yt = f"tensor<{md}x{k}xf32>", f"tensor<{n}x{k}xf32>", f"tensor<{md}x{n}xf32>"
    if not epilogue:
        return f"""
func.func @main(%x: {xt}) -> {yt} {{
  %w = {constant(w)}
  %y = linea.linear %x, %w : ({xt}, {wt}) -> {yt}
  return %y : {yt}
}}"""
    ident = "affine_map<(i, j) -> (i, j)>"
    return f"""
func.func @main(%x: {xt}, %b: tensor<{n}xf32>, %r: {yt}) -> {yt} {{
  %w = {constant(w)}
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %rsqrt2 = arith.constant 0.70710678118654752 : f32
  %y = linea.linear %x, %w bias %b : ({xt}, {wt}, tensor<{n}xf32>) -> {yt}
  %act = linalg.generic {{indexing_maps = [{ident}, {ident}], iterator_types = ["parallel", "parallel"]}}
      ins(%y : {yt}) outs(%y : {yt}) {{
  ^bb0(%v: f32, %o: f32):
    %h = arith.mulf %v, %half : f32
    %s = arith.mulf %v, %rsqrt2 : f32
    %e = math.erf %s : f32
    %p = arith.addf %e, %one : f32
    %a = arith.mulf %h, %p : f32
    linalg.yield %a : f32
  }} -> {yt}
  %out = arith.addf %act, %r : {yt}
  return %out : {yt}
}}"""


def erf(v):
    from math import erf as e
    return np.vectorize(e)(v)


# (M, N, K): M = 1..17 (every remainder of the 6-row tile), 33 and 64; N
# a multiple of the AVX-512 (64) and AVX2 (16) panel; K in one block (64)
# and in several uneven ones (592 → 4 × 128 + 80; 272).
SHAPES = [(1, 64, 64), (2, 64, 64), (3, 128, 64), (5, 64, 272), (7, 64, 64),
          (11, 192, 64), (16, 128, 592), (17, 64, 272), (33, 128, 64),
          (64, 64, 592)]


@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("epilogue,dynamic_m", [(False, True), (True, False),
                                                (True, True)])
def test_prepacked_linear(m, n, k, epilogue, dynamic_m):
    rng = np.random.default_rng(m * 1000 + n + k)
    x = rng.standard_normal((m, k), dtype=np.float32)
    w = rng.standard_normal((n, k), dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    r = rng.standard_normal((m, n), dtype=np.float32)
    text = module(m, n, k, w, epilogue, dynamic_m)
    inputs = [x, b, r] if epilogue else [x]
    (y,) = run_mlir(text, inputs)
    z = x.astype(np.float64) @ w.T.astype(np.float64)
    bound = k * np.finfo(np.float32).eps * (np.abs(x) @ np.abs(w).T)
    if epilogue:
        z += b
        ref = 0.5 * z * (1 + erf(z / np.sqrt(2))) + r
        bound = 1.2 * (bound + k * np.finfo(np.float32).eps * np.abs(b)) \
            + 8 * np.finfo(np.float32).eps * (np.abs(ref) + 1)
    else:
        ref = z
    assert np.all(np.abs(y - ref) <= bound), np.max(np.abs(y - ref) / bound)
    # The same layer with w an argument (not a constant: not pre-packed;
    # the kernel packs at run time or runs the dot tiles) agrees to rounding.
    arg_text = text.replace(f"%w = {constant(w)}\n", "").replace(
        "(%x: ", f"(%w: tensor<{n}x{k}xf32>, %x: ")
    (y_arg,) = run_mlir(arg_text, [w] + inputs)
    assert np.all(np.abs(y - y_arg) <= 2 * bound)


def after_kernels(text, options=""):
    """The IR after linea-cpu-contraction-kernels in linea-lower-to-llvm."""
    proc = subprocess.run(
        [tool("linea-opt"), "-", f"--linea-lower-to-llvm={options}",
         "--mlir-print-ir-after=linea-cpu-contraction-kernels", "-o", "/dev/null"],
        input=text, capture_output=True, text=True, check=True)
    return proc.stderr


def test_panels_replace_the_weight():
    """The constant becomes a `_panels` global read through the packed map;
    the kernel packs nothing at run time (no shuffles) and runs no dot
    tiles (no reductions), at any M; prepack-weights=false keeps both."""
    w = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    for m, dynamic_m in ((1, False), (16, False), (64, False), (16, True)):
        out = after_kernels(module(m, 64, 64, w, False, dynamic_m))
        assert "_panels" in out and "vector.fma" in out
        assert "vector.shuffle" not in out and "vector.reduction" not in out
    off = after_kernels(module(64, 64, 64, w, False, False), "prepack-weights=false")
    assert "_panels" not in off and "vector.shuffle" in off
