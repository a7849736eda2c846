"""linea.shift_linear lowered by linea-to-linalg and run on the JIT, against a
numpy reference written straight from the op's definition
(W[n, k] = scale[n] · Σ_t signs[t, n, k] · 2^exponents[t, n, k], then
y = x · Wᵀ + bias in float64), and against its `linea-opt --linea-densify`
twin."""


import numpy as np
import pytest

from linea.tools import as_element, dynamic_leading, bf16_to_f32, round_result, run_mlir, run_opt, tensor_type, RESULT_TOLERANCE


TOLERANCE = RESULT_TOLERANCE


def random_terms(rng, terms, n, k, low=-6, high=3):
    """Random exponents in [low, high] and signs in {−1, 0, +1}, int8."""
    exponents = rng.integers(low, high + 1, size=(terms, n, k)).astype(np.int8)
    signs = rng.integers(-1, 2, size=(terms, n, k)).astype(np.int8)
    return exponents, signs


def shift_dense(exponents, signs, scale):
    """W[n, k] = scale[n] · Σ_t signs[t, n, k] · 2^exponents[t, n, k]."""
    w = (signs.astype(np.float64) * np.exp2(exponents.astype(np.float64))).sum(axis=0)
    return w if scale is None else w * np.asarray(scale, np.float64)[:, None]


def reference(x, w, bias):
    y = x.astype(np.float64) @ w.T
    return y + bias if bias is not None else y


def shift_module(xt, et, st, yt, scale_type=None, bias_type=None):
    args = [("x", xt), ("e", et), ("s", st)]
    text = "linea.shift_linear %x, %e, %s"
    if scale_type:
        args.append(("scale", scale_type))
        text += " scale %scale"
    if bias_type:
        args.append(("b", bias_type))
        text += " bias %b"
    params = ", ".join(f"%{name}: {t}" for name, t in args)
    types = ", ".join(t for _, t in args)
    return f"""
func.func @main({params}) -> {yt} {{
  %y = {text} : ({types}) -> {yt}
  return %y : {yt}
}}"""


def run_shift(x, exponents, signs, scale, bias, element="f32",
              scale_element="f32", dynamic=False):
    """Runs shift_linear on the JIT; returns (y in f32, float64 reference)."""
    xv, xa = as_element(x, element)
    xt = tensor_type(xa, element)
    yt = tensor_type(np.empty(x.shape[:-1] + (exponents.shape[1],)), element)
    if dynamic:
        xt, yt = dynamic_leading(xt), dynamic_leading(yt)
    inputs = [xa, exponents, signs]
    scale_type = bias_type = None
    sv = bv = None
    if scale is not None:
        sv, sa = as_element(scale, scale_element)
        scale_type = tensor_type(sa, scale_element)
        inputs.append(sa)
    if bias is not None:
        bv, ba = as_element(bias, element)
        bias_type = tensor_type(ba, element)
        inputs.append(ba)
    module = shift_module(xt, tensor_type(exponents), tensor_type(signs), yt,
                          scale_type, bias_type)
    (y,) = run_mlir(module, inputs)
    y = bf16_to_f32(y) if element == "bf16" else y.astype(np.float32)
    return y, reference(xv, shift_dense(exponents, signs, sv), bv)


@pytest.mark.parametrize("terms", [1, 2])
@pytest.mark.parametrize("with_scale", [True, False])
@pytest.mark.parametrize("with_bias", [True, False])
def test_shift_f32(terms, with_scale, with_bias):
    rng = np.random.default_rng(terms * 4 + with_scale * 2 + with_bias)
    exponents, signs = random_terms(rng, terms, n=6, k=10)
    x = rng.standard_normal((5, 10), dtype=np.float32)
    scale = rng.uniform(0.5, 2.0, 6).astype(np.float32) if with_scale else None
    bias = rng.standard_normal(6, dtype=np.float32) if with_bias else None
    y, ref = run_shift(x, exponents, signs, scale, bias)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


@pytest.mark.parametrize("batch", [(2, 3), ()])
def test_shift_batch_dims(batch):
    rng = np.random.default_rng(10)
    exponents, signs = random_terms(rng, 2, n=4, k=8)
    x = rng.standard_normal(batch + (8,), dtype=np.float32)
    y, ref = run_shift(x, exponents, signs, None, None)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


def test_shift_dynamic_leading_dim():
    rng = np.random.default_rng(11)
    exponents, signs = random_terms(rng, 1, n=5, k=8)
    x = rng.standard_normal((7, 2, 8), dtype=np.float32)
    scale = rng.uniform(-2.0, 2.0, 5).astype(np.float32)
    bias = rng.standard_normal(5, dtype=np.float32)
    y, ref = run_shift(x, exponents, signs, scale, bias, dynamic=True)
    assert y.shape == (7, 2, 5)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


def test_shift_three_terms():
    rng = np.random.default_rng(12)
    exponents, signs = random_terms(rng, 3, n=4, k=12, low=-12, high=0)
    x = rng.standard_normal((3, 12), dtype=np.float32)
    y, ref = run_shift(x, exponents, signs, None, None)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


def test_shift_exponent_range_ends():
    # Row 0: every term is ±2^-126 (the smallest normal f32); row 1: one
    # term 2^127 (the largest power of two) at k = 0, the rest absent, so no
    # sum overflows. Exact decoding keeps both within f32 rounding.
    x = np.array([[0.75, -0.5, 0.625, 0.875], [-0.25, 0.5, 0.5, -1.0]], np.float32)
    exponents = np.array([[[-126] * 4, [127, 0, 0, 0]]], np.int8)
    signs = np.array([[[1, -1, 1, 1], [1, 0, 0, 0]]], np.int8)
    y, ref = run_shift(x, exponents, signs, None, None)
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=0)
    assert y[0, 1] == np.float32(0.75 * 2.0**127)


@pytest.mark.parametrize("element,scale_element", [("f16", "f16"), ("bf16", "bf16"),
                                                   ("bf16", "f32")])
def test_shift_half(element, scale_element):
    rng = np.random.default_rng(13)
    exponents, signs = random_terms(rng, 2, n=6, k=16)
    x = rng.standard_normal((4, 16), dtype=np.float32)
    scale = rng.uniform(0.25, 1.0, 6).astype(np.float32)
    bias = rng.standard_normal(6, dtype=np.float32)
    y, ref = run_shift(x, exponents, signs, scale, bias, element=element,
                       scale_element=scale_element)
    np.testing.assert_allclose(y, round_result(ref, element), **TOLERANCE[element])


@pytest.mark.parametrize("terms", [1, 2])
def test_shift_densify_agrees(terms):
    rng = np.random.default_rng(14 + terms)
    exponents, signs = random_terms(rng, terms, n=4, k=8)
    scale = rng.uniform(0.5, 2.0, 4).astype(np.float32)
    x = rng.standard_normal((3, 8), dtype=np.float32)
    bias = rng.standard_normal(4, dtype=np.float32)
    et = tensor_type(exponents)
    module = f"""
func.func @main(%x: tensor<3x8xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {{
  %e = arith.constant dense<{exponents.astype(np.int64).tolist()}> : {et}
  %s = arith.constant dense<{signs.astype(np.int64).tolist()}> : {et}
  %scale = arith.constant dense<{scale.astype(np.float64).tolist()}> : tensor<4xf32>
  %y = linea.shift_linear %x, %e, %s scale %scale bias %b
      : (tensor<3x8xf32>, {et}, {et}, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}}"""
    dense = run_opt(module, "--linea-densify")
    assert "linea.shift_linear" not in dense and "linea.linear" in dense
    (y,) = run_mlir(module, [x, bias])
    (y_dense,) = run_mlir(dense, [x, bias])
    np.testing.assert_allclose(y, y_dense, rtol=1e-5, atol=1e-5)
    ref = reference(x, shift_dense(exponents, signs, scale), bias)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])
