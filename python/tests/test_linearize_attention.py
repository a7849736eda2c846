"""linea-linearize-attention: the rewritten module is exactly linear attention
(elu+1 feature map) over the repeated K/V heads — checked against numpy —
and its distance from softmax attention is measured, not assumed."""

import numpy as np
import pytest

from linea import tools

MODULE = """
func.func @main(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = linea.attention %q, %k, %v CAUSAL : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}
"""


def elu1(x):
    return np.where(x > 0, x + 1, np.exp(np.minimum(x, 0)))


def linear_attention(q, k, v, causal, eps=1e-6):
    q, k = elu1(q.astype(np.float64)), elu1(k.astype(np.float64))
    scores = q @ np.swapaxes(k, -1, -2)
    if causal:
        scores = np.tril(scores)
    return (scores @ v) / (scores.sum(-1, keepdims=True) + eps)


@pytest.mark.parametrize("causal", [False, True])
def test_linearized_gqa_matches_numpy(causal):
    module = MODULE.replace("CAUSAL", "{causal}" if causal else "")
    linear = tools.run_opt(module, "--linea-linearize-attention")
    assert "linea.linear_attention" in linear and "linea.attention " not in linear
    rng = np.random.default_rng(2)
    q = rng.standard_normal((1, 4, 8, 16)).astype(np.float32)
    k = rng.standard_normal((1, 2, 8, 16)).astype(np.float32)
    v = rng.standard_normal((1, 2, 8, 16)).astype(np.float32)
    (o,) = tools.run_mlir(linear, [q, k, v])
    ref = linear_attention(q, np.repeat(k, 2, axis=1), np.repeat(v, 2, axis=1), causal)
    np.testing.assert_allclose(o, ref, rtol=1e-4, atol=1e-5)
    # Lossy: it is a different function from softmax attention.
    (o_softmax,) = tools.run_mlir(module, [q, k, v])
    assert np.abs(o - o_softmax).max() > 1e-3
