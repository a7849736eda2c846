"""linea-shift-add and linea-sparsify, checked numerically: the rewritten
module must compute x · Ŵᵀ for the Ŵ that an independent numpy encoder of
REWRITES.md §4–5 produces, and the output error against the dense original
must agree with the `linea.weight_error` the pass records."""

import re

import numpy as np
import pytest

from linea import tools


def linear_module(w, rows=5, bias=None):
    n, k = w.shape
    consts = np.array2string(w, separator=",", threshold=10**9,
                             floatmode="unique").replace("\n", "")
    btype = f", tensor<{n}xf32>" if bias is not None else ""
    bdecl = f", %b: tensor<{n}xf32>" if bias is not None else ""
    buse = " bias %b" if bias is not None else ""
    return f"""
func.func @main(%x: tensor<{rows}x{k}xf32>{bdecl}) -> tensor<{rows}x{n}xf32> {{
  %w = arith.constant dense<{consts}> : tensor<{n}x{k}xf32>
  %y = linea.linear %x, %w{buse} {{name = "fc"}}
      : (tensor<{rows}x{k}xf32>, tensor<{n}x{k}xf32>{btype}) -> tensor<{rows}x{n}xf32>
  return %y : tensor<{rows}x{n}xf32>
}}
"""


def weight_error(module):
    m = re.search(r"linea\.weight_error = ([-+0-9.eE]+) : f32", module)
    assert m, module
    return float(m.group(1))


def np_shift_add(w, terms, bits):
    """Independent encoder: per-row power-of-two prescale, then greedy
    nearest signed powers of two on the residual (ties to the larger)."""
    min_exp = -(2 ** (bits - 1) - 2)
    out = np.zeros_like(w, dtype=np.float64)
    for n in range(w.shape[0]):
        m = np.abs(w[n]).max()
        scale = 2.0 ** np.ceil(np.log2(m)) if m > 0 else 1.0
        residual = w[n].astype(np.float64) / scale
        approx = np.zeros_like(residual)
        for _ in range(terms):
            cands = 2.0 ** np.arange(min_exp, 1)            # ascending
            err = np.abs(np.abs(residual)[:, None] - cands[None, :])
            idx = err.shape[1] - 1 - np.argmin(err[:, ::-1], axis=1)
            best = cands[idx]
            use = err[np.arange(len(idx)), idx] < np.abs(residual)
            term = np.where(use, np.sign(residual) * best, 0.0)
            approx += term
            residual -= term
        out[n] = approx * scale
    return out


def np_prune_nm(w, n, m):
    out = np.zeros_like(w)
    groups = w.reshape(w.shape[0], -1, m)
    order = np.argsort(-np.abs(groups), axis=2, kind="stable")[:, :, :n]
    np.put_along_axis(out.reshape(groups.shape), order,
                      np.take_along_axis(groups, order, axis=2), axis=2)
    return out


def np_prune_blocks(w, r, c, sparsity):
    nb, kb = w.shape[0] // r, w.shape[1] // c
    blocks = w.reshape(nb, r, kb, c)
    norms = (blocks.astype(np.float64) ** 2).sum(axis=(1, 3)).ravel()
    keep = max(1, int(round((1 - sparsity) * norms.size)))
    kept = np.zeros(norms.size, bool)
    kept[np.argsort(-norms, kind="stable")[:keep]] = True
    mask = np.repeat(np.repeat(kept.reshape(nb, kb), r, 0), c, 1)
    return np.where(mask, w, 0)


def check_rewrite(w, args, reference_w, atol=1e-4):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, w.shape[1])).astype(np.float32)
    dense = linear_module(w)
    rewritten = tools.run_opt(dense, *args)
    (y_dense,) = tools.run_mlir(dense, [x])
    (y_new,) = tools.run_mlir(rewritten, [x])
    np.testing.assert_allclose(y_new, x.astype(np.float64) @ reference_w.T,
                               rtol=1e-5, atol=atol)
    err = weight_error(rewritten)
    expected = np.linalg.norm(reference_w - w) / np.linalg.norm(w)
    assert err == pytest.approx(expected, rel=1e-4, abs=1e-7)
    # A single layer: ‖x(W − Ŵ)ᵀ‖ ≤ ‖x‖₂ ‖W − Ŵ‖_F, so the relative output
    # error is bounded by the weight error times x's condition-like ratio.
    out_err = np.linalg.norm(y_new - y_dense) / np.linalg.norm(y_dense)
    bound = err * np.linalg.norm(x, 2) * np.linalg.norm(w) / np.linalg.norm(y_dense)
    assert out_err <= bound * (1 + 1e-4) + 1e-6
    return rewritten, err


@pytest.mark.parametrize("terms,bits", [(1, 5), (2, 5), (1, 3), (2, 8)])
def test_shift_add_matches_numpy_encoder(terms, bits):
    rng = np.random.default_rng(terms * 10 + bits)
    w = (rng.standard_normal((16, 24)) * 0.2).astype(np.float32)
    module, err = check_rewrite(w, [f"--linea-shift-add=terms={terms} bits={bits}"],
                                np_shift_add(w, terms, bits))
    assert "linea.shift_linear" in module and "linea.linear" not in module
    assert err < (0.34 if terms == 1 else 0.12)


def test_shift_add_two_terms_beat_one():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((32, 32)).astype(np.float32)
    e1 = weight_error(tools.run_opt(linear_module(w), "--linea-shift-add=terms=1"))
    e2 = weight_error(tools.run_opt(linear_module(w), "--linea-shift-add=terms=2"))
    assert e2 < e1 / 3


@pytest.mark.parametrize("n,m", [(2, 4), (1, 4), (4, 8)])
def test_nm_matches_numpy_pruning(n, m):
    rng = np.random.default_rng(n * m)
    w = rng.standard_normal((8, 32)).astype(np.float32)
    module, _ = check_rewrite(w, [f"--linea-sparsify=pattern={n}:{m}"],
                              np_prune_nm(w, n, m))
    assert f"linea.nm_linear {n}:{m}" in module


@pytest.mark.parametrize("r,c,sparsity", [(4, 8, 0.5), (2, 2, 0.75), (8, 4, 0.3)])
def test_block_sparsity_matches_numpy_pruning(r, c, sparsity):
    rng = np.random.default_rng(r * c)
    w = rng.standard_normal((16, 32)).astype(np.float32)
    module, _ = check_rewrite(
        w, [f"--linea-sparsify=pattern=block:{r}x{c} sparsity={sparsity}"],
        np_prune_blocks(w, r, c, sparsity))
    assert "linea.bsr_linear" in module


def test_block_sparse_weight_is_exact():
    """A weight that already has the pattern is reproduced exactly."""
    rng = np.random.default_rng(3)
    w = rng.standard_normal((16, 16)).astype(np.float32)
    w[np.add.outer(np.arange(16) // 4, np.arange(16) // 4) % 2 == 1] = 0
    _, err = check_rewrite(w, ["--linea-sparsify=pattern=block:4x4 sparsity=0.5"], w)
    assert err == 0.0
