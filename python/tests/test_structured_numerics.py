"""The structured linear layers (low-rank, block-diagonal, Monarch, BTT,
Kronecker, BLAST) lowered by linea-to-linalg and run on the JIT, against numpy.

Each reference builds the dense W from the index formula in the op's
description (StructuredOps.td) with plain loops, independently of the
lowering's factorised evaluation, and computes y = x·Wᵀ + bias in float64.
The densify tests check materializeDenseWeight() against the lowering: a
module with constant weights must give the same output before and after
`linea-opt --linea-densify`.
"""


import numpy as np
import pytest

from linea.tools import bf16_to_f32, f32_to_bf16_bits, run_mlir, run_opt

# ---------------------------------------------------------------------------
# Dense weights from the description formulas.
# ---------------------------------------------------------------------------


def dense_lowrank(u, v):
    """W[n, k] = Σ_ρ u[n, ρ]·v[ρ, k]."""
    return u @ v


def dense_blockdiag(blocks):
    """W[i·bn + a, i·bk + c] = blocks[i, a, c]; zero elsewhere."""
    g, bn, bk = blocks.shape
    w = np.zeros((g * bn, g * bk))
    for i in range(g):
        for a in range(bn):
            for c in range(bk):
                w[i * bn + a, i * bk + c] = blocks[i, a, c]
    return w


def dense_monarch(w1, w2):
    """W[σ·l + λ, κ·p + i] =
    Σ_{j : (κ·q + j) mod l = λ} w2[λ, σ, (κ·q + j) div l]·w1[κ, j, i]."""
    k, q, p = w1.shape
    l, s, _ = w2.shape
    w = np.zeros((l * s, k * p))
    for sigma in range(s):
        for lam in range(l):
            for kappa in range(k):
                for i in range(p):
                    w[sigma * l + lam, kappa * p + i] = sum(
                        w2[lam, sigma, (kappa * q + j) // l] * w1[kappa, j, i]
                        for j in range(q)
                        if (kappa * q + j) % l == lam
                    )
    return w


def dense_btt(w1, w2):
    """W[n0·N1 + n1, m1·M0 + m0] = Σ_ρ w2[n0, m1·r + ρ, n1]·w1[m1, m0, n0·r + ρ]."""
    m1s, m0s, n0r = w1.shape
    n0s, _, n1s = w2.shape
    r = n0r // n0s
    w = np.zeros((n0s * n1s, m1s * m0s))
    for n0 in range(n0s):
        for n1 in range(n1s):
            for m1 in range(m1s):
                for m0 in range(m0s):
                    w[n0 * n1s + n1, m1 * m0s + m0] = sum(
                        w2[n0, m1 * r + rho, n1] * w1[m1, m0, n0 * r + rho] for rho in range(r)
                    )
    return w


def dense_kron(a, b):
    """W[i1·n2 + i2, j1·k2 + j2] = Σ_t a[t, i1, j1]·b[t, i2, j2]."""
    s, n1, k1 = a.shape
    _, n2, k2 = b.shape
    w = np.zeros((n1 * n2, k1 * k2))
    for i1 in range(n1):
        for i2 in range(n2):
            for j1 in range(k1):
                for j2 in range(k2):
                    w[i1 * n2 + i2, j1 * k2 + j2] = sum(a[t, i1, j1] * b[t, i2, j2] for t in range(s))
    return w


def dense_blast(u, s, v):
    """W[i·p + α, j·q + γ] = Σ_ρ u[i, α, ρ]·s[i, j, ρ]·v[j, γ, ρ]."""
    b, p, r = u.shape
    q = v.shape[1]
    w = np.zeros((b * p, b * q))
    for i in range(b):
        for j in range(b):
            for alpha in range(p):
                for gamma in range(q):
                    w[i * p + alpha, j * q + gamma] = sum(
                        u[i, alpha, rho] * s[i, j, rho] * v[j, gamma, rho] for rho in range(r)
                    )
    return w


# Each form: weight shapes (rectangular, N ≠ K), the dense builder, N and K.
# Monarch: k = 2, p = 5, q = 6 | l = 3, s = 4, r = 4 (k·q = l·r = 12, k ≠ l).
# BTT: M1 = 2, M0 = 5, N0 = 3, r = 2, N1 = 4.
FORMS = {
    "lowrank": dict(shapes=[(12, 3), (3, 20)], dense=dense_lowrank, n=12, k=20),
    "blockdiag": dict(shapes=[(4, 3, 5)], dense=dense_blockdiag, n=12, k=20),
    "monarch": dict(shapes=[(2, 6, 5), (3, 4, 4)], dense=dense_monarch, n=12, k=10),
    "btt": dict(shapes=[(2, 5, 6), (3, 4, 4)], dense=dense_btt, n=12, k=10),
    "kron": dict(shapes=[(2, 3, 4), (2, 4, 5)], dense=dense_kron, n=12, k=20),
    "blast": dict(shapes=[(3, 4, 2), (3, 3, 2), (3, 5, 2)], dense=dense_blast, n=12, k=15),
}

# ---------------------------------------------------------------------------
# Element types: how a value is passed to linea-run and what it holds.
# ---------------------------------------------------------------------------


def encode(array, element):
    """Rounds f32 `array` to `element`; returns (array for linea-run, its
    exact value as float64)."""
    if element == "f32":
        a = array.astype(np.float32)
        return a, a.astype(np.float64)
    if element == "f16":
        a = array.astype(np.float16)
        return a, a.astype(np.float64)
    bits = f32_to_bf16_bits(array)
    return bits.view("V2"), bf16_to_f32(bits).astype(np.float64)


def decode(array, element):
    return bf16_to_f32(array) if element == "bf16" else array.astype(np.float32)


def round_to(y, element):
    """Rounds float64 y to f32, then once to `element` (as the lowering does)."""
    y32 = y.astype(np.float32)
    if element == "f16":
        return y32.astype(np.float16).astype(np.float32)
    if element == "bf16":
        return bf16_to_f32(f32_to_bf16_bits(y32))
    return y32


def ttype(shape, element):
    dims = "".join(("?" if d is None else str(d)) + "x" for d in shape)
    return f"tensor<{dims}{element}>"


# ---------------------------------------------------------------------------
# Modules.
# ---------------------------------------------------------------------------


def layer_module(form, n, x_shape, weight_types, with_bias, element, y_shape=None, weight_constants=None):
    """A @main running linea.<form>_linear with N = n outputs. `x_shape` and
    `y_shape` (the result's leading dims, default x's) may hold None
    (dynamic). Weights are function arguments, or, with `weight_constants`,
    arith.constant texts (then they are not arguments)."""
    lead = list(x_shape[:-1])
    xt = ttype(x_shape, element)
    yt = ttype(list(y_shape or lead) + [n], element)
    bt = ttype([n], element)
    args = [f"%x: {xt}"]
    body = []
    names = []
    for i, wt in enumerate(weight_types):
        if weight_constants is None:
            args.append(f"%w{i}: {wt}")
        else:
            body.append(f"  %w{i} = arith.constant {weight_constants[i]} : {wt}")
        names.append(f"%w{i}")
    operands = ", ".join(["%x"] + names)
    types = [xt] + list(weight_types)
    bias = ""
    if with_bias:
        args.append(f"%b: {bt}")
        bias = " bias %b"
        types.append(bt)
    body.append(f"  %y = linea.{form}_linear {operands}{bias} : ({', '.join(types)}) -> {yt}")
    return (
        f"func.func @main({', '.join(args)}) -> {yt} {{\n" + "\n".join(body) + f"\n  return %y : {yt}\n}}\n"
    )


def random_weights(spec, rng, dtype=np.float32):
    return [rng.standard_normal(shape).astype(dtype) for shape in spec["shapes"]]


def reference(form, x, weights, bias):
    """y = x·Wᵀ + bias in float64, W from the description's formula."""
    w = FORMS[form]["dense"](*weights)
    y = x @ w.T
    return y + bias if bias is not None else y


def run_form(form, batch, with_bias, element="f32", weight_element=None, dynamic=(), y_batch=None, seed=0,
             shapes=None):
    """Runs the lowered op on random inputs (x's dims listed in `dynamic` are
    `?` in its type; `shapes` overrides the form's weight shapes, n and k);
    returns (output as f32, reference rounded like the op's result)."""
    weight_element = weight_element or element
    rng = np.random.default_rng(seed)
    spec = dict(FORMS[form], **(shapes or {}))
    x, xv = encode(rng.standard_normal(tuple(batch) + (spec["k"],)).astype(np.float32), element)
    ws = [encode(w, weight_element) for w in random_weights(spec, rng)]
    b, bv = encode(rng.standard_normal(spec["n"]).astype(np.float32), element) if with_bias else (None, None)
    x_shape = [None if i in dynamic else d for i, d in enumerate(batch)] + [spec["k"]]
    weight_types = [ttype(w.shape, weight_element) for w, _ in ws]
    module = layer_module(form, spec["n"], x_shape, weight_types, with_bias, element, y_shape=y_batch)
    inputs = [x] + [w for w, _ in ws] + ([b] if with_bias else [])
    (y,) = run_mlir(module, inputs)
    ref = round_to(reference(form, xv, [wv for _, wv in ws], bv), element)
    return decode(y, element), ref


# ---------------------------------------------------------------------------
# Tests.
# ---------------------------------------------------------------------------

ALL = list(FORMS)


@pytest.mark.parametrize("form", ALL)
@pytest.mark.parametrize("batch", [(5,), (2, 3), ()], ids=["tokens", "batch2d", "rank1"])
@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "nobias"])
def test_f32(form, batch, with_bias):
    y, ref = run_form(form, batch, with_bias)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("form", ALL)
@pytest.mark.parametrize(
    "batch,dynamic,y_batch",
    [((4,), (0,), None), ((2, 3), (1,), None), ((3,), (), [None])],
    ids=["dyn-tokens", "dyn-inner", "static-x-dyn-y"],
)
def test_dynamic_leading_dims(form, batch, dynamic, y_batch):
    y, ref = run_form(form, batch, True, dynamic=dynamic, y_batch=y_batch, seed=1)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("form", ALL)
@pytest.mark.parametrize(
    "element,weight_element",
    [("bf16", "bf16"), ("f16", "f16"), ("f32", "bf16"), ("bf16", "f32")],
)
def test_low_precision(form, element, weight_element):
    """Low-precision x, weights or both. f32 accumulation and one rounding at
    the end: a bf16/f16 output is within one unit in the last place of the
    correctly rounded reference (the order of the f32 sums differs from the
    float64 reference)."""
    y, ref = run_form(form, (3,), True, element, weight_element, seed=2)
    if element == "f32":
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
        return
    ulp = {"f16": 2.0**-10, "bf16": 2.0**-7}[element]
    np.testing.assert_allclose(y, ref, rtol=ulp, atol=1e-3 * ulp)


def test_monarch_square():
    """The square "nblocks = 4" Monarch of size 16 (k = l = 4, p = q = r = s = 4)."""
    square = dict(shapes=[(4, 4, 4), (4, 4, 4)], n=16, k=16)
    y, ref = run_form("monarch", (3,), True, seed=3, shapes=square)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


def test_btt_rank1_output_order():
    """With r = 1 BTT is a Monarch with its output order n0·N1 + n1 instead of
    n1·N0 + n0; a permutation-only core pair exposes a wrong order."""
    rank1 = dict(shapes=[(2, 3, 4), (4, 2, 3)], n=12, k=6)
    y, ref = run_form("btt", (2,), False, seed=4, shapes=rank1)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


# The "Evaluated as" formulas of the descriptions, in numpy, agree with the
# dense formulas the references use (checks the references themselves).


def test_reference_forward_formulas_agree():
    rng = np.random.default_rng(5)

    def weights64(form):
        return random_weights(FORMS[form], rng, np.float64)

    x = rng.standard_normal(10)
    w1, w2 = weights64("monarch")
    z = np.array([w1[kk, j] @ x[kk * 5 : (kk + 1) * 5] for kk in range(2) for j in range(6)])
    y = np.zeros(12)
    for sigma in range(4):
        for lam in range(3):
            y[sigma * 3 + lam] = sum(w2[lam, sigma, rho] * z[rho * 3 + lam] for rho in range(4))
    np.testing.assert_allclose(y, dense_monarch(w1, w2) @ x, atol=1e-9)

    w1, w2 = weights64("btt")
    zb = np.einsum("ab,abc->ac", x.reshape(2, 5), w1)  # z[m1, n0·r + ρ]
    yb = np.array([sum(zb[m1, n0 * 2 + rho] * w2[n0, m1 * 2 + rho, n1] for m1 in range(2) for rho in range(2))
                   for n0 in range(3) for n1 in range(4)])
    np.testing.assert_allclose(yb, dense_btt(w1, w2) @ x, atol=1e-9)

    x = rng.standard_normal(20)
    a, b = weights64("kron")
    yk = sum(a[t] @ x.reshape(4, 5) @ b[t].T for t in range(2)).reshape(-1)
    np.testing.assert_allclose(yk, dense_kron(a, b) @ x, atol=1e-9)

    x = rng.standard_normal(15)
    u, s, v = weights64("blast")
    zs = [v[j].T @ x[j * 5 : (j + 1) * 5] for j in range(3)]
    ys = np.concatenate([u[i] @ sum(s[i, j] * zs[j] for j in range(3)) for i in range(3)])
    np.testing.assert_allclose(ys, dense_blast(u, s, v) @ x, atol=1e-9)


def dense_literal(array):
    """An MLIR dense<...> literal holding `array` exactly (9 significant
    digits round-trip f32; f16/bf16 values are f32-exact)."""
    def fmt(a):
        if a.ndim == 0:
            return f"{float(a):.9e}"
        return "[" + ", ".join(fmt(e) for e in a) + "]"
    return f"dense<{fmt(array)}>"


@pytest.mark.parametrize("form", ALL)
@pytest.mark.parametrize("weight_element", ["f32", "f16", "bf16"])
def test_densify_agrees(form, weight_element):
    """The form's own lowering and linea.linear of materializeDenseWeight()
    give the same output."""
    rng = np.random.default_rng(6)
    spec = FORMS[form]
    ws = [encode(w, weight_element) for w in random_weights(spec, rng)]
    consts = [dense_literal(wv) for _, wv in ws]
    weight_types = [ttype(w.shape, weight_element) for w, _ in ws]
    module = layer_module(
        form, spec["n"], [None, spec["k"]], weight_types, True, "f32", weight_constants=consts
    )
    densified = run_opt(module, "--linea-densify")
    assert f"linea.{form}_linear" not in densified and "linea.linear" in densified

    x = rng.standard_normal((6, spec["k"])).astype(np.float32)
    b = rng.standard_normal(spec["n"]).astype(np.float32)
    (y_form,) = run_mlir(module, [x, b])
    (y_dense,) = run_mlir(densified, [x, b])
    np.testing.assert_allclose(y_form, y_dense, rtol=1e-5, atol=1e-5)
    ref = reference(form, x.astype(np.float64), [wv for _, wv in ws], b)
    np.testing.assert_allclose(y_form, ref, rtol=1e-5, atol=1e-5)
