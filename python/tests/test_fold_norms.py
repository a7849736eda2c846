"""linea-fold-norms (FlashNorm) is exact: the folded module computes what
the original does, to float rounding, for RMSNorm and LayerNorm feeding
several linear layers (with and without bias)."""

import numpy as np
import pytest

from linea import tools


def dense(a):
    return np.array2string(np.asarray(a, np.float32), separator=",",
                           threshold=10**9, floatmode="unique").replace("\n", "")


def norm_module(kind, g, beta, weights, biases, rows):
    d = len(g)
    params = f"weight %g" + (" bias %beta" if beta is not None else "")
    ptypes = f"tensor<{d}xf32>" + (f", tensor<{d}xf32>" if beta is not None else "")
    lines = [f"  %g = arith.constant dense<{dense(g)}> : tensor<{d}xf32>"]
    if beta is not None:
        lines.append(f"  %beta = arith.constant dense<{dense(beta)}> : tensor<{d}xf32>")
    lines.append(f"  %n = linea.{kind} %x {params} : (tensor<{rows}x{d}xf32>, {ptypes})"
                 f" -> tensor<{rows}x{d}xf32>")
    results, types = [], []
    for i, (w, b) in enumerate(zip(weights, biases)):
        n = w.shape[0]
        lines.append(f"  %w{i} = arith.constant dense<{dense(w)}> : tensor<{n}x{d}xf32>")
        bias, btype = "", ""
        if b is not None:
            lines.append(f"  %b{i} = arith.constant dense<{dense(b)}> : tensor<{n}xf32>")
            bias, btype = f" bias %b{i}", f", tensor<{n}xf32>"
        lines.append(f"  %y{i} = linea.linear %n, %w{i}{bias} : (tensor<{rows}x{d}xf32>, "
                     f"tensor<{n}x{d}xf32>{btype}) -> tensor<{rows}x{n}xf32>")
        results.append(f"%y{i}")
        types.append(f"tensor<{rows}x{n}xf32>")
    body = "\n".join(lines)
    return (f"func.func @main(%x: tensor<{rows}x{d}xf32>) -> ({', '.join(types)}) {{\n"
            f"{body}\n  return {', '.join(results)} : {', '.join(types)}\n}}\n")


@pytest.mark.parametrize("kind,with_beta", [("rms_norm", False), ("layer_norm", False),
                                            ("layer_norm", True)])
def test_fold_is_exact(kind, with_beta):
    rng = np.random.default_rng(5)
    d, rows = 32, 6
    g = rng.uniform(0.5, 1.5, d)
    beta = rng.standard_normal(d) if with_beta else None
    weights = [rng.standard_normal((n, d)) for n in (16, 8, 8)]
    biases = [rng.standard_normal(16), None, rng.standard_normal(8)]
    module = norm_module(kind, g, beta, weights, biases, rows)
    folded = tools.run_opt(module, "--linea-fold-norms")
    assert "weight %" not in folded.split(f"linea.{kind}")[1].split("\n")[0]
    x = rng.standard_normal((rows, d)).astype(np.float32)
    before = tools.run_mlir(module, [x])
    after = tools.run_mlir(folded, [x])
    for a, b in zip(after, before):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
