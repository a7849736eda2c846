"""linea-lowrank, linea-blockdiag, linea-monarch and linea-btt, checked
numerically (part 1 of the structured rewrites, REWRITES.md §1.1, §2.1,
§2.2, §2.4). For each pass the rewritten module is run with linea-run and
compared with an independent numpy projection of the same weight (numpy's
LAPACK SVD per block, index formulas of StructuredOps.td), the recorded
`linea.weight_error` with ‖W − Ŵ‖_F/‖W‖_F, and the output error against
the dense original with the bound ‖x(W − Ŵ)ᵀ‖_F ≤ ‖x‖_F·‖W − Ŵ‖_F."""

import pathlib
import re
import subprocess
import tempfile

import numpy as np
import pytest

from linea import tools

ROWS = 6


def linear_module(w, bias=None, name="fc"):
    n, k = w.shape
    consts = np.array2string(w.astype(np.float32), separator=",",
                             threshold=10**9, floatmode="unique").replace("\n", "")
    bdecl = f", %b: tensor<{n}xf32>" if bias is not None else ""
    buse = " bias %b" if bias is not None else ""
    btype = f", tensor<{n}xf32>" if bias is not None else ""
    return f"""
func.func @main(%x: tensor<{ROWS}x{k}xf32>{bdecl}) -> tensor<{ROWS}x{n}xf32> {{
  %w = arith.constant dense<{consts}> : tensor<{n}x{k}xf32>
  %y = linea.linear %x, %w{buse} {{name = "{name}"}}
      : (tensor<{ROWS}x{k}xf32>, tensor<{n}x{k}xf32>{btype}) -> tensor<{ROWS}x{n}xf32>
  return %y : tensor<{ROWS}x{n}xf32>
}}
"""


def weight_error(module):
    m = re.search(r"linea\.weight_error = ([-+0-9.eE]+) : f32", module)
    assert m, module
    return float(m.group(1))


# --- independent numpy projections -----------------------------------------

def np_truncate(block, rank):
    u, s, vt = np.linalg.svd(block.astype(np.float64), full_matrices=False)
    return (u[:, :rank] * s[:rank]) @ vt[:rank]


def np_lowrank(w, rank):
    return np_truncate(w, rank)


def np_blockdiag(w, g):
    n, k = w.shape
    out = np.zeros_like(w, dtype=np.float64)
    bn, bk = n // g, k // g
    for i in range(g):
        out[i * bn:(i + 1) * bn, i * bk:(i + 1) * bk] = w[i * bn:(i + 1) * bn, i * bk:(i + 1) * bk]
    return out


def np_monarch(w, b, rank):
    """Rows σ·b + λ and columns [κp, (κ+1)p) form the sub-block (λ, κ) whose
    rank the Monarch class limits to `rank`."""
    n, k = w.shape
    p = k // b
    out = np.zeros_like(w, dtype=np.float64)
    for lam in range(b):
        rows = np.arange(lam, n, b)
        for kap in range(b):
            cols = slice(kap * p, (kap + 1) * p)
            out[np.ix_(rows, np.arange(kap * p, (kap + 1) * p))] = np_truncate(w[rows][:, cols], rank)
    return out


def np_btt(w, c, rank):
    """Block (n0, m1): rows n0·N1 + n1, columns m1·M0 + m0."""
    n, k = w.shape
    n1, m0 = n // c, k // c
    out = np.zeros_like(w, dtype=np.float64)
    for a in range(c):
        for b in range(c):
            rs, cs = slice(a * n1, (a + 1) * n1), slice(b * m0, (b + 1) * m0)
            out[rs, cs] = np_truncate(w[rs, cs], rank)
    return out


CASES = [
    # (pass option string, numpy projection)
    ("--linea-lowrank=rank=6", lambda w: np_lowrank(w, 6)),
    ("--linea-lowrank=param-ratio=0.25", lambda w: np_lowrank(w, int(0.25 * w.size / sum(w.shape)))),
    ("--linea-blockdiag=blocks=4", lambda w: np_blockdiag(w, 4)),
    ("--linea-monarch=blocks=8", lambda w: np_monarch(w, 8, max(1, w.shape[1] // 64))),
    ("--linea-monarch=blocks=4 rank=2", lambda w: np_monarch(w, 4, 2)),
    ("--linea-btt=cores=4 rank=2", lambda w: np_btt(w, 4, 2)),
    ("--linea-btt=cores=8 rank=1", lambda w: np_btt(w, 8, 1)),
]


@pytest.mark.parametrize("option,project", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("shape", [(64, 64), (32, 96)], ids=["64x64", "32x96"])
def test_random_weight_matches_numpy_projection(option, project, shape):
    rng = np.random.default_rng(hash((option, shape)) % 2**32)
    # A decaying spectrum plus noise, like trained weights.
    n, k = shape
    w = (rng.standard_normal((n, 4)) @ rng.standard_normal((4, k)) +
         0.3 * rng.standard_normal((n, k))).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32)
    x = rng.standard_normal((ROWS, k)).astype(np.float32)
    module = linear_module(w, bias)
    rewritten = tools.run_opt(module, option)
    assert "linea.linear " not in rewritten, rewritten

    w_hat = project(w)
    expected_error = np.linalg.norm(w - w_hat) / np.linalg.norm(w)
    recorded = weight_error(rewritten)
    assert recorded == pytest.approx(expected_error, rel=1e-3, abs=1e-6)

    (y_hat,) = tools.run_mlir(rewritten, [x, bias])
    np.testing.assert_allclose(y_hat, x @ w_hat.T + bias, rtol=1e-4, atol=1e-4)

    (y,) = tools.run_mlir(module, [x, bias])
    output_error = np.linalg.norm(y_hat - y)
    assert output_error <= np.linalg.norm(x) * recorded * np.linalg.norm(w) * (1 + 1e-3) + 1e-4


def np_monarch_dense(w1, w2):
    k, q, p = w1.shape
    l, s, r = w2.shape
    w = np.zeros((l * s, k * p))
    for kap in range(k):
        for j in range(q):
            t = kap * q + j
            lam, rho = t % l, t // l
            for sig in range(s):
                w[sig * l + lam, kap * p:(kap + 1) * p] += w2[lam, sig, rho] * w1[kap, j]
    return w


def np_btt_dense(w1, w2):
    m1s, m0s, _ = w1.shape
    n0s, _, n1s = w2.shape
    r = w1.shape[2] // n0s
    w = np.zeros((n0s * n1s, m1s * m0s))
    for n0 in range(n0s):
        for m1 in range(m1s):
            for rho in range(r):
                w[n0 * n1s:(n0 + 1) * n1s, m1 * m0s:(m1 + 1) * m0s] += np.outer(
                    w2[n0, m1 * r + rho], w1[m1, :, n0 * r + rho])
    return w


def exact_weights(rng):
    """Weights that lie in each class, built from random factors."""
    yield "--linea-lowrank=rank=3", rng.standard_normal((48, 3)) @ rng.standard_normal((3, 40))
    yield "--linea-blockdiag=blocks=4", np_blockdiag(rng.standard_normal((48, 40)), 4)
    yield "--linea-monarch=blocks=4 rank=1", np_monarch_dense(
        rng.standard_normal((4, 4, 10)), rng.standard_normal((4, 12, 4)))
    yield "--linea-monarch=blocks=4 rank=2", np_monarch_dense(
        rng.standard_normal((4, 8, 10)), rng.standard_normal((4, 12, 8)))
    yield "--linea-btt=cores=4 rank=2", np_btt_dense(
        rng.standard_normal((4, 10, 8)), rng.standard_normal((4, 8, 12)))


@pytest.mark.parametrize("index", range(5))
def test_exact_structure_is_recovered(index):
    rng = np.random.default_rng(100 + index)
    option, w = list(exact_weights(rng))[index]
    w = w.astype(np.float32)
    module = linear_module(w)
    rewritten = tools.run_opt(module, option)
    assert "linea.linear " not in rewritten, rewritten
    assert weight_error(rewritten) < 1e-5
    x = rng.standard_normal((ROWS, w.shape[1])).astype(np.float32)
    (y_hat,) = tools.run_mlir(rewritten, [x])
    (y,) = tools.run_mlir(module, [x])
    np.testing.assert_allclose(y_hat, y, rtol=1e-4, atol=1e-4 * np.abs(y).max())


def test_randomized_svd_path_is_near_optimal():
    """A 384x320 weight at rank 16 takes the randomized SVD (short side
    > 256, sketch ≤ half of it): its error must be within 1% of the
    Eckart–Young optimum."""
    rng = np.random.default_rng(7)
    n, k = 384, 320
    u, _ = np.linalg.qr(rng.standard_normal((n, k)))
    v, _ = np.linalg.qr(rng.standard_normal((k, k)))
    s = 0.9 ** np.arange(k)
    w = ((u * s) @ v.T).astype(np.float32)
    rewritten = tools.run_opt(linear_module(w), "--linea-lowrank=rank=16")
    optimal = np.sqrt(np.sum(s[16:] ** 2)) / np.linalg.norm(s)
    assert optimal <= weight_error(rewritten) <= optimal * 1.01


def onnx_mlp(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 96), torch.nn.ReLU(),
                                torch.nn.Linear(96, 32))
    path = tmp_path / "mlp.onnx"
    torch.onnx.export(model, torch.randn(ROWS, 64), str(path), opset_version=17)
    return path


@pytest.mark.parametrize("option", ["--linea-lowrank=rank=16", "--linea-monarch=blocks=8",
                                    "--linea-btt=rank=2", "--linea-blockdiag=blocks=2"])
def test_imported_onnx_model(tmp_path, option):
    """torch MLP → ONNX → linea-import-onnx → linea-raise → rewrite: the
    rewritten model's output stays within the weight-error bound of the
    original's (per layer errors compound through the ReLU at most
    additively to first order)."""
    path = onnx_mlp(tmp_path)
    imported = subprocess.run([tools.tool("linea-import-onnx"), str(path)],
                              capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    try:
        raised = tools.run_opt(imported.stdout, "--linea-raise")
    except RuntimeError as e:
        pytest.skip(f"linea-raise unavailable: {e}")
    if raised.count("linea.linear ") < 2:
        pytest.skip("linea-raise does not yet produce linea.linear for this model")
    rewritten = tools.run_opt(raised, option)
    errors = [float(e) for e in re.findall(r"linea\.weight_error = ([-+0-9.eE]+) : f32", rewritten)]
    assert len(errors) == 2, f"{option} rewrote {len(errors)} of the 2 layers"
    x = np.random.default_rng(1).standard_normal((ROWS, 64)).astype(np.float32)
    (y,) = tools.run_mlir(raised, [x])
    (y_hat,) = tools.run_mlir(rewritten, [x])
    rel = np.linalg.norm(y_hat - y) / np.linalg.norm(y)
    # Loose first-order bound: each layer's relative error, amplified by at
    # most the layers' condition; random 64→96→32 layers are well conditioned.
    assert rel <= 10 * sum(errors) + 1e-5
