"""linea-cpu-shift-kernels, linea-cpu-bsr-kernels and linea-cpu-nm-kernels
(run by linea-lower-to-llvm, hence by linea-run) against the reference
lowering (`linea-lower-to-llvm=sparse-kernels=false`, linea-to-linalg) and
a float64 numpy reference, on the same modules and inputs: M = 1, odd M,
M = 17 with a dynamic leading dim, rank-1 and rank-3 x, N and K that are
not multiples of the vector width, the register tile or the block, and the
kernels' options (vector widths, tiles, threads on).

The kernels and the reference compute the same f32 products (shift: exact
power-of-two products; BSR, N:M: x·w), so they differ only in the order of
the f32 sum: each is within (terms + 2)·2^−24·Σ|products| of the exact sum.
"""

import numpy as np
import pytest

from linea.tools import run_mlir, run_opt, tensor_type, dynamic_leading
from test_shift_numerics import random_terms, shift_dense, shift_module
from test_sparse_numerics import bsr_dense, func_module, nm_dense, random_bsr, random_nm

KERNEL_OPTIONS = "vector-width=8 tile-m=3 tile-n=2 min-parallel-weights=0"


def run_both(module, inputs, kernel, pass_name, check_pipeline=False):
    """(kernel path, reference path, other options) outputs of `module`;
    checks that the kernel pass applies (and with `check_pipeline` that the
    default pipeline, which linea-run runs, calls it: else the test would
    compare the reference with itself) and runs the kernel pass once more
    with other options (narrow vectors, odd tiles, scf.parallel on)."""
    lowered = run_opt(module, f"--{pass_name}")
    assert f"func.func private @{kernel}" in lowered and "vector.fma" in lowered
    if check_pipeline:
        assert f"llvm.call @{kernel}" in run_opt(module, "--linea-lower-to-llvm")
    (y,) = run_mlir(module, inputs)
    reference = run_opt(module, "--linea-lower-to-llvm=sparse-kernels=false")
    assert kernel not in reference
    (y_ref,) = run_mlir(reference, inputs)
    other = run_opt(module, f"--{pass_name}={KERNEL_OPTIONS}")
    assert "scf.parallel" in other
    (y_other,) = run_mlir(other, inputs)
    return y, y_ref, y_other


def check(outputs, x, w, bias, terms):
    """Every output within the f32 summation bound of the float64 x·Wᵀ."""
    x64 = x.reshape(-1, x.shape[-1]).astype(np.float64)
    exact = x64 @ w.T + (0 if bias is None else bias)
    size = np.abs(x64) @ np.abs(w).T + (0 if bias is None else np.abs(bias))
    tol = 2 * (terms + 2) * 2.0**-24 * size + 1e-30
    for y in outputs:
        assert y.shape == x.shape[:-1] + (w.shape[0],)
        y = y.reshape(exact.shape)
        bad = ~(np.abs(y - exact) <= tol)
        assert not bad.any(), f"{bad.sum()} outputs off: {y[bad][:4]} vs {exact[bad][:4]}"


def types(x, n, dynamic):
    xt = tensor_type(x)
    yt = tensor_type(np.empty(x.shape[:-1] + (n,), np.float32))
    return (dynamic_leading(xt), dynamic_leading(yt)) if dynamic else (xt, yt)


def x_of(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


# (x shape, dynamic leading dim): M = 1, odd M, M = 17 dynamic, rank 1 and
# rank 3.
XS = [((1,), False), ((3,), False), ((17,), True), ((), False), ((2, 5), True)]
XS_IDS = ["m1", "m3", "m17dyn", "rank1", "rank3dyn"]


# ----------------------------------------------------------------------------
# shift_linear
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("terms,scale_type,with_bias,xs",
                         [(1, None, False, XS[0]), (2, "f32", True, XS[1]),
                          (1, "bf16", True, XS[2]), (3, "f16", False, XS[3]),
                          (2, None, True, XS[4])],
                         ids=["T1-" + XS_IDS[0], "T2-scale-bias-" + XS_IDS[1],
                              "T1-bf16scale-" + XS_IDS[2], "T3-f16scale-" + XS_IDS[3],
                              "T2-bias-" + XS_IDS[4]])
def test_shift(terms, scale_type, with_bias, xs):
    lead, dynamic = xs
    n, k = 13, 37
    rng = np.random.default_rng(terms * 10 + len(lead))
    # Exponents over a wide range (the ends of the f32 exponent range
    # would overflow the products); signs −1, 0, +1.
    exponents, signs = random_terms(rng, terms, n, k, low=-30, high=20)
    x = x_of(rng, lead + (k,))
    inputs = [x, exponents, signs]
    scale = scale_t = bias = bias_t = None
    if scale_type:
        scale = rng.uniform(-2, 2, n).astype(np.float32)
        if scale_type == "f16":
            scale = scale.astype(np.float16)
            inputs.append(scale)
        elif scale_type == "bf16":
            from linea.tools import bf16_to_f32, f32_to_bf16_bits
            bits = f32_to_bf16_bits(scale)
            scale = bf16_to_f32(bits)
            inputs.append(bits.view("V2"))
        else:
            inputs.append(scale)
        scale_t = f"tensor<{n}x{scale_type}>"
    if with_bias:
        bias = rng.standard_normal(n).astype(np.float32)
        bias_t = tensor_type(bias)
        inputs.append(bias)
    xt, yt = types(x, n, dynamic)
    module = shift_module(xt, tensor_type(exponents), tensor_type(signs), yt,
                          scale_t, bias_t)
    outputs = run_both(module, inputs, "__linea_shift_kernel", "linea-cpu-shift-kernels")
    w = shift_dense(exponents, signs, None if scale is None else scale.astype(np.float64))
    check(outputs, x, w, bias, terms * k)


def test_shift_products_are_exact():
    """x = I picks single weights: y[i, n] = W[n, i] exactly (one term, the
    power of two assembled from its bits, ±0 and the exponent range ends
    included)."""
    rng = np.random.default_rng(5)
    n, k = 9, 21
    exponents, signs = random_terms(rng, 1, n, k, low=-126, high=127)
    x = np.eye(k, dtype=np.float32)
    xt, yt = types(x, n, True)
    module = shift_module(xt, tensor_type(exponents), tensor_type(signs), yt)
    y, y_ref, _ = run_both(module, [x, exponents, signs], "__linea_shift_kernel",
                           "linea-cpu-shift-kernels", check_pipeline=True)
    w = shift_dense(exponents, signs, None).astype(np.float32)
    np.testing.assert_array_equal(y, w.T)
    np.testing.assert_array_equal(y_ref, w.T)


def test_shift_scale_only_and_bias_only_layers_keep_their_own_kernels():
    """A scale-only and a bias-only layer of the same shape have the same
    kernel signature (x, e, s, [N]xf32, y); each must still get its own
    body (scale multiplies, bias adds)."""
    rng = np.random.default_rng(11)
    n, k = 13, 37
    e1, s1 = random_terms(rng, 1, n, k, low=-8, high=4)
    e2, s2 = random_terms(rng, 1, n, k, low=-8, high=4)
    x = x_of(rng, (3, k))
    scale = rng.uniform(0.5, 2, n).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32)
    xt, et, vt, yt = tensor_type(x), tensor_type(e1), f"tensor<{n}xf32>", f"tensor<3x{n}xf32>"
    module = f"""
func.func @main(%x: {xt}, %e1: {et}, %s1: {et}, %sc: {vt}, %e2: {et}, %s2: {et}, %b: {vt}) -> ({yt}, {yt}) {{
  %y1 = linea.shift_linear %x, %e1, %s1 scale %sc : ({xt}, {et}, {et}, {vt}) -> {yt}
  %y2 = linea.shift_linear %x, %e2, %s2 bias %b : ({xt}, {et}, {et}, {vt}) -> {yt}
  return %y1, %y2 : {yt}, {yt}
}}"""
    lowered = run_opt(module, "--linea-cpu-shift-kernels")
    assert lowered.count("func.func private @__linea_shift_kernel") == 2
    y1, y2 = run_mlir(module, [x, e1, s1, scale, e2, s2, bias])
    check([y1], x, shift_dense(e1, s1, scale.astype(np.float64)), None, k)
    check([y2], x, shift_dense(e2, s2, None), bias, k)


# ----------------------------------------------------------------------------
# bsr_linear
# ----------------------------------------------------------------------------


# (bn, bk, block rows, block cols, empty block rows, index type, x)
BSR_CASES = [
    (4, 16, 3, 4, (1,), np.int32, XS[0]),   # bk = one vector
    (5, 3, 4, 7, (0, 3), np.int64, XS[1]),  # odd blocks: masked chunks, tile remainders
    (2, 40, 3, 2, (), np.int32, XS[2]),     # bk = 2.5 vectors of 16
    (1, 1, 6, 9, (2,), np.int64, XS[3]),    # 1×1 blocks (CSR)
    (3, 8, 5, 3, (4,), np.int64, XS[4]),    # the last block row empty
]


@pytest.mark.parametrize("case", BSR_CASES, ids=lambda c: f"{c[0]}x{c[1]}")
def test_bsr(case):
    bn, bk, block_rows, block_cols, empty, index, (lead, dynamic) = case
    rng = np.random.default_rng(bn * 100 + bk + len(lead))
    values, cols, rows = random_bsr(rng, block_rows, block_cols, bn, bk, empty)
    cols, rows = cols.astype(index), rows.astype(index)
    n, k = block_rows * bn, block_cols * bk
    x = x_of(rng, lead + (k,))
    bias = rng.standard_normal(n).astype(np.float32) if bk != 16 else None
    xt, yt = types(x, n, dynamic)
    args = [("x", xt), ("v", tensor_type(values)), ("c", tensor_type(cols)),
            ("r", tensor_type(rows))]
    inputs = [x, values, cols, rows]
    text = "linea.bsr_linear %x, %v, %c, %r"
    if bias is not None:
        args.append(("b", tensor_type(bias)))
        inputs.append(bias)
        text += " bias %b"
    outputs = run_both(func_module(args, yt, text), inputs, "__linea_bsr_kernel",
                       "linea-cpu-bsr-kernels", check_pipeline=bk == 3)
    check(outputs, x, bsr_dense(values, cols, rows, k), bias, k)
    for rb in empty:  # nothing stored: exactly the bias (or 0)
        part = outputs[0][..., rb * bn:(rb + 1) * bn]
        np.testing.assert_array_equal(part, np.broadcast_to(
            0 if bias is None else bias[rb * bn:(rb + 1) * bn], part.shape))


# ----------------------------------------------------------------------------
# nm_linear
# ----------------------------------------------------------------------------


# (n, m, N, K, x): K not a multiple of the chunk (16 lanes; 48 for m = 6).
NM_CASES = [(2, 4, 13, 52, XS[0]), (1, 4, 7, 20, XS[1]), (4, 8, 5, 72, XS[2]),
            (2, 8, 6, 40, XS[3]), (3, 6, 5, 66, XS[4]), (7, 16, 3, 48, XS[1]),
            (2, 4, 9, 36, XS[2])]


@pytest.mark.parametrize("case", NM_CASES, ids=lambda c: f"{c[0]}of{c[1]}-N{c[2]}-K{c[3]}")
def test_nm(case):
    n, m, rows, k, (lead, dynamic) = case
    rng = np.random.default_rng(n * 10 + m + len(lead))
    values, indices = random_nm(rng, rows, k, n, m)
    x = x_of(rng, lead + (k,))
    bias = rng.standard_normal(rows).astype(np.float32) if n != 1 else None
    xt, yt = types(x, rows, dynamic)
    args = [("x", xt), ("v", tensor_type(values)), ("i", tensor_type(indices))]
    inputs = [x, values, indices]
    text = f"linea.nm_linear {n}:{m} %x, %v, %i"
    if bias is not None:
        args.append(("b", tensor_type(bias)))
        inputs.append(bias)
        text += " bias %b"
    outputs = run_both(func_module(args, yt, text), inputs, "__linea_nm_kernel",
                       "linea-cpu-nm-kernels")
    check(outputs, x, nm_dense(values, indices, n, m, k), bias, k)


def test_nm_weights_are_exact():
    """x = I: y[i, r] = W[r, i], so a kept value on the wrong column (or a
    dropped column that is not 0) shows."""
    rng = np.random.default_rng(9)
    values, indices = random_nm(rng, 11, 36, 2, 4)
    x = np.eye(36, dtype=np.float32)
    xt, yt = types(x, 11, False)
    module = func_module([("x", xt), ("v", tensor_type(values)), ("i", tensor_type(indices))],
                         yt, "linea.nm_linear 2:4 %x, %v, %i")
    outputs = run_both(module, [x, values, indices], "__linea_nm_kernel", "linea-cpu-nm-kernels",
                       check_pipeline=True)
    for y in outputs:
        np.testing.assert_array_equal(y, nm_dense(values, indices, 2, 4, 36).T.astype(np.float32))
