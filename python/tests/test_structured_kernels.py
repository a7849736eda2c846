"""linea-cpu-structured-kernels (run by linea-lower-to-llvm, hence by
linea-run) on every structured form against float64 numpy: weight shapes
whose vector loops are not multiples of the vector width (masked remainders)
and whose tiled loops leave rows over, at M = 1, odd M, batch dims and a
dynamic M. Low-rank and block-diagonal shapes with K not a multiple of 16
reach this pass instead of linea-cpu-contraction-kernels. The lowered IR is
checked to hold no scalar multiply (every contraction took a kernel)."""

import numpy as np
import pytest

from linea.tools import run_mlir, run_opt


def forward(form, x, w):
    """y = x·Wᵀ of each form by its factorised formula (docs REWRITES.md),
    float64, over x's leading dims."""
    lead = x.shape[:-1]
    if form == "lowrank":
        u, v = w
        return x @ v.T @ u.T
    if form == "blockdiag":
        (blocks,) = w
        g, bn, bk = blocks.shape
        return np.einsum("...ic,iac->...ia", x.reshape(lead + (g, bk)), blocks).reshape(lead + (g * bn,))
    if form == "monarch":
        w1, w2 = w
        k, q, p = w1.shape
        l, s, r = w2.shape
        z = np.einsum("...ki,kji->...kj", x.reshape(lead + (k, p)), w1).reshape(lead + (r, l))
        return np.einsum("...rl,lsr->...sl", z, w2).reshape(lead + (s * l,))
    if form == "btt":
        w1, w2 = w
        m1, m0, n0r = w1.shape
        n0, _, n1 = w2.shape
        r = n0r // n0
        z = np.einsum("...ab,abc->...ac", x.reshape(lead + (m1, m0)), w1).reshape(lead + (m1, n0, r))
        return np.einsum("...anr,naro->...no", z, w2.reshape(n0, m1, r, n1)).reshape(lead + (n0 * n1,))
    if form == "kron":
        a, b = w
        _, n1, k1 = a.shape
        _, n2, k2 = b.shape
        return np.einsum("tij,...jk,tnk->...in", a, x.reshape(lead + (k1, k2)), b).reshape(lead + (n1 * n2,))
    if form == "blast":
        u, s, v = w
        nb, p, _ = u.shape
        q = v.shape[1]
        z = np.einsum("...jg,jgr->...jr", x.reshape(lead + (nb, q)), v)
        return np.einsum("iar,ijr,...jr->...ia", u, s, z).reshape(lead + (nb * p,))
    raise ValueError(form)


# Weight shapes, N and K per form. Vector loops (width 16 on AVX-512, 8 on
# AVX2) of 20, 23, 37, 45 ... leave masked remainders; Monarch's second
# stage (r = 6) runs at width 4; the square Monarch's K = 32 per block goes
# to the contraction kernels' grouped form, its second stage here.
SHAPES = {
    "lowrank": ([(30, 20), (20, 45)], 30, 45),
    "blockdiag": ([(3, 7, 20)], 21, 60),
    "monarch": ([(3, 8, 20), (4, 9, 6)], 36, 60),
    "monarch_square": ([(4, 16, 32), (4, 32, 16)], 128, 128),
    "btt": ([(3, 20, 20), (5, 12, 37)], 185, 60),
    "kron": ([(2, 5, 7), (2, 19, 23)], 95, 161),
    "blast": ([(3, 10, 20), (3, 3, 20), (3, 13, 20)], 30, 39),
}


def ttype(shape):
    return "tensor<" + "".join(("?" if d is None else str(d)) + "x" for d in shape) + "f32>"


def module(form, x_shape, weight_shapes, n):
    lead = list(x_shape[:-1])
    xt, yt = ttype(x_shape), ttype(lead + [n])
    wts = [ttype(s) for s in weight_shapes]
    args = ", ".join([f"%x: {xt}"] + [f"%w{i}: {t}" for i, t in enumerate(wts)] + [f"%b: tensor<{n}xf32>"])
    operands = ", ".join(["%x"] + [f"%w{i}" for i in range(len(wts))])
    types = ", ".join([xt] + wts + [f"tensor<{n}xf32>"])
    return f"""
func.func @main({args}) -> {yt} {{
  %y = linea.{form}_linear {operands} bias %b : ({types}) -> {yt}
  return %y : {yt}
}}"""


def op_name(case):
    return case.split("_")[0]


@pytest.mark.parametrize("case", list(SHAPES))
@pytest.mark.parametrize("batch,dynamic", [((1,), False), ((5,), False), ((2, 3), False), ((3,), True)],
                         ids=["m1", "m5", "batch2x3", "dynamic-m3"])
def test_structured_kernel(case, batch, dynamic):
    form = op_name(case)
    weight_shapes, n, k = SHAPES[case]
    rng = np.random.default_rng(len(case) * 100 + sum(batch))
    x = rng.standard_normal(batch + (k,)).astype(np.float32)
    ws = [(rng.standard_normal(s) / np.sqrt(s[-1])).astype(np.float32) for s in weight_shapes]
    bias = rng.standard_normal(n).astype(np.float32)
    x_shape = ([None] if dynamic else list(batch[:1])) + list(batch[1:]) + [k]
    (y,) = run_mlir(module(form, x_shape, weight_shapes, n), [x] + ws + [bias])
    ref = forward(form, x.astype(np.float64), [w.astype(np.float64) for w in ws]) + bias
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("case", list(SHAPES))
def test_no_scalar_products_left(case):
    """Every contraction of the layer took a vector kernel: the LLVM IR holds
    vector FMAs and no scalar f32 multiply (the reference loops' mark)."""
    weight_shapes, n, k = SHAPES[case]
    out = run_opt(module(op_name(case), [None, k], weight_shapes, n), "--linea-lower-to-llvm=num-threads=1")
    assert "llvm.intr.fmuladd" in out
    scalar_muls = [line for line in out.splitlines() if "llvm.fmul" in line and line.rstrip().endswith(": f32")]
    assert not scalar_muls, scalar_muls[:3]
