"""linea.linear lowered by linea-to-linalg and run on the JIT, against numpy."""

import numpy as np
import pytest

from linea.tools import bf16_to_f32, f32_to_bf16_bits, run_mlir, tensor_type


def linear_module(x, w, b, element="f32"):
    xt, wt = tensor_type(x, element), tensor_type(w, element)
    yt = tensor_type(np.empty(x.shape[:-1] + (w.shape[0],), np.float32), element)
    if b is None:
        return f"""
func.func @main(%x: {xt}, %w: {wt}) -> {yt} {{
  %y = linea.linear %x, %w : ({xt}, {wt}) -> {yt}
  return %y : {yt}
}}"""
    bt = tensor_type(b, element)
    return f"""
func.func @main(%x: {xt}, %w: {wt}, %b: {bt}) -> {yt} {{
  %y = linea.linear %x, %w bias %b : ({xt}, {wt}, {bt}) -> {yt}
  return %y : {yt}
}}"""


@pytest.mark.parametrize("batch", [(5,), (2, 3), ()])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_f32(batch, with_bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(batch + (37,), dtype=np.float32)
    w = rng.standard_normal((19, 37), dtype=np.float32)
    b = rng.standard_normal(19, dtype=np.float32) if with_bias else None
    inputs = [x, w] + ([b] if with_bias else [])
    (y,) = run_mlir(linear_module(x, w, b), inputs)
    ref = x.astype(np.float64) @ w.T.astype(np.float64) + (b if with_bias else 0)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


def test_linear_bf16_rounds_once():
    rng = np.random.default_rng(1)
    x = bf16_to_f32(f32_to_bf16_bits(rng.standard_normal((4, 64), dtype=np.float32)))
    w = bf16_to_f32(f32_to_bf16_bits(rng.standard_normal((8, 64), dtype=np.float32)))
    module = linear_module(x, w, None, element="bf16")
    (y,) = run_mlir(module, [f32_to_bf16_bits(x).view("V2"), f32_to_bf16_bits(w).view("V2")])
    # f32 accumulation, one rounding to bf16 at the end.
    ref = bf16_to_f32(f32_to_bf16_bits((x.astype(np.float64) @ w.T).astype(np.float32)))
    np.testing.assert_array_equal(bf16_to_f32(y), ref)


def test_linear_static_x_dynamic_result():
    """The verifier lets the result spell a leading dim dynamic where x's is static."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 20), dtype=np.float32)
    w = rng.standard_normal((12, 20), dtype=np.float32)
    module = """
func.func @main(%x: tensor<5x20xf32>, %w: tensor<12x20xf32>) -> tensor<?x12xf32> {
  %y = linea.linear %x, %w : (tensor<5x20xf32>, tensor<12x20xf32>) -> tensor<?x12xf32>
  return %y : tensor<?x12xf32>
}"""
    (y,) = run_mlir(module, [x, w])
    np.testing.assert_allclose(y, x.astype(np.float64) @ w.T, rtol=1e-5, atol=1e-5)
