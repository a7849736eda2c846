"""linea-cpu-lowrank-kernels (run by linea-lower-to-llvm with
lowrank-kernels=true; off by default) against the default lowering (two
contraction kernels) and a
float64 numpy reference: M = 1, odd M, a dynamic M, rank-1 and rank-3 x,
N, K and r that are not multiples of the vector width or the tiles, f32
and bf16 / f16 factors (the bias is the result's f32), and the pass run with small panels (many
panels, the last one partial) and threads on.

The kernel and the reference compute the same products in f32 and differ
only in the order of the sums: each output is within a few 2^-24 of
Σ|products| (both stages) of the exact value.
"""

import numpy as np
import pytest

from linea.tools import as_element, dynamic_leading, run_mlir, run_opt, tensor_type

KERNEL = "__linea_lowrank_kernel"
SMALL_PANELS = "vector-width=8 tile-m=3 tile-n=2 min-parallel-weights=0 panel-bytes=64"


def module(x, n, k, r, dtype, with_bias, dynamic):
    xt = tensor_type(x)
    yt = tensor_type(np.empty(x.shape[:-1] + (n,), np.float32))
    if dynamic:
        xt, yt = dynamic_leading(xt), dynamic_leading(yt)
    ut, vt, bt = f"tensor<{n}x{r}x{dtype}>", f"tensor<{r}x{k}x{dtype}>", f"tensor<{n}xf32>"
    if with_bias:
        return f"""
func.func @main(%x: {xt}, %u: {ut}, %v: {vt}, %b: {bt}) -> {yt} {{
  %y = linea.lowrank_linear %x, %u, %v bias %b : ({xt}, {ut}, {vt}, {bt}) -> {yt}
  return %y : {yt}
}}"""
    return f"""
func.func @main(%x: {xt}, %u: {ut}, %v: {vt}) -> {yt} {{
  %y = linea.lowrank_linear %x, %u, %v : ({xt}, {ut}, {vt}) -> {yt}
  return %y : {yt}
}}"""


CASES = [
    # (x shape, n, k, r, factor dtype, bias, dynamic M)
    ((1, 45), 30, 45, 20, "f32", True, False),
    ((3, 37), 13, 37, 6, "f32", False, False),
    ((17, 64), 40, 64, 9, "f32", True, True),
    ((29,), 21, 29, 3, "f32", True, False),
    ((2, 5, 33), 19, 33, 17, "bf16", True, True),
    ((7, 50), 11, 50, 5, "f16", True, False),
]
IDS = ["m1", "m3-nobias", "m17dyn", "rank1", "rank3dyn-bf16", "m7-f16"]


@pytest.mark.parametrize("x_shape,n,k,r,dtype,with_bias,dynamic", CASES, ids=IDS)
def test_lowrank_kernel(x_shape, n, k, r, dtype, with_bias, dynamic):
    rng = np.random.default_rng(sum(x_shape) + n + k + r)
    x = rng.standard_normal(x_shape).astype(np.float32)
    u, u_in = as_element(rng.standard_normal((n, r)) / np.sqrt(r), dtype)
    v, v_in = as_element(rng.standard_normal((r, k)) / np.sqrt(k), dtype)
    bias, b_in = as_element(rng.standard_normal(n), "f32") if with_bias else (None, None)
    text = module(x, n, k, r, dtype, with_bias, dynamic)
    inputs = [x, u_in, v_in] + ([b_in] if with_bias else [])

    # lowrank-kernels=true calls the fused kernel; the default pipeline
    # (linea-run's) keeps the two contractions.
    fused = run_opt(text, "--linea-lower-to-llvm=lowrank-kernels=true")
    assert f"llvm.call @{KERNEL}" in fused
    reference = text
    assert KERNEL not in run_opt(text, "--linea-lower-to-llvm")
    small = run_opt(text, f"--linea-cpu-lowrank-kernels={SMALL_PANELS}")
    assert "scf.parallel" in small and "memref.alloca" in small

    kernel = run_opt(text, "--linea-cpu-lowrank-kernels")
    outputs = [run_mlir(kernel, inputs)[0], run_mlir(reference, inputs)[0], run_mlir(small, inputs)[0]]

    x64 = x.reshape(-1, k).astype(np.float64)
    t = x64 @ v.T.astype(np.float64)
    exact = t @ u.T.astype(np.float64) + (0 if bias is None else bias)
    size = (np.abs(x64) @ np.abs(v.T)) @ np.abs(u.T) + (0 if bias is None else np.abs(bias))
    tol = 4 * (k + r) * 2.0**-24 * size + 1e-30
    for y in outputs:
        assert y.shape == x.shape[:-1] + (n,)
        y = y.reshape(exact.shape).astype(np.float64)
        bad = ~(np.abs(y - exact) <= tol)
        assert not bad.any(), f"{bad.sum()} outputs off: {y[bad][:4]} vs {exact[bad][:4]}"
