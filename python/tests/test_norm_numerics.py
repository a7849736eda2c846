"""rms_norm, layer_norm, scale_channels and hadamard lowered by linea-to-linalg
and run on the JIT, against direct numpy references computed in float64."""

import numpy as np
import pytest

from linea.tools import bf16_to_f32, f32_to_bf16_bits, round_bf16, run_mlir, tensor_type_of

ELEMENT = {np.dtype(np.float32): "f32", np.dtype(np.float16): "f16"}


def module(op, operands, result_type):
    """A @main taking `operands` ([(name, type)]) and returning `op`'s result."""
    args = ", ".join(f"%{n}: {t}" for n, t in operands)
    names = ", ".join(t for _, t in operands)
    return f"""
func.func @main({args}) -> {result_type} {{
  %y = {op} : ({names}) -> {result_type}
  return %y : {result_type}
}}"""


def ref_rms_norm(x, w, eps):
    x = x.astype(np.float64)
    ms = np.mean(x * x, axis=-1, keepdims=True)
    y = x / np.sqrt(ms + eps)
    return y * w if w is not None else y


def ref_layer_norm(x, w, b, eps):
    x = x.astype(np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y


def sylvester(n):
    """H_n by the recursion H_1 = [1], H_2n = [[H, H], [H, −H]]."""
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def ref_hadamard(x, block, normalized):
    x = x.astype(np.float64)
    k = x.shape[-1]
    blocks = x.reshape(x.shape[:-1] + (k // block, block))
    c = 1 / np.sqrt(block) if normalized else 1.0
    y = c * blocks @ sylvester(block).T
    return y.reshape(x.shape)


# ---------------------------------------------------------------------------
# rms_norm
# ---------------------------------------------------------------------------

BATCHES = [(), (5,), (2, 3)]


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("with_weight", [True, False])
@pytest.mark.parametrize("dynamic", [False, True])
def test_rms_norm_f32(batch, with_weight, dynamic):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(batch + (24,), dtype=np.float32)
    w = rng.standard_normal(24, dtype=np.float32) if with_weight else None
    dyn = tuple(range(len(batch))) if dynamic else ()
    xt = tensor_type_of(x.shape, "f32", dyn)
    operands = [("x", xt)] + ([("w", tensor_type_of(w.shape, "f32"))] if with_weight else [])
    op = "linea.rms_norm %x" + (" weight %w" if with_weight else "")
    (y,) = run_mlir(module(op, operands, xt), [x] + ([w] if with_weight else []))
    np.testing.assert_allclose(y, ref_rms_norm(x, w, 1e-6), rtol=1e-5, atol=1e-6)


def test_rms_norm_epsilon_inside_root():
    # ε large against the mean square: only sqrt(ms + ε) matches.
    rng = np.random.default_rng(1)
    x = 0.1 * rng.standard_normal((4, 16), dtype=np.float32)
    xt = tensor_type_of(x.shape, "f32")
    op = "linea.rms_norm %x {epsilon = 2.500000e-01 : f32}"
    (y,) = run_mlir(module(op, [("x", xt)], xt), [x])
    np.testing.assert_allclose(y, ref_rms_norm(x, None, 0.25), rtol=1e-5, atol=1e-6)


def test_rms_norm_bf16_with_f16_weight():
    rng = np.random.default_rng(2)
    x = round_bf16(rng.standard_normal((3, 32), dtype=np.float32))
    w = rng.standard_normal(32).astype(np.float16)
    xt, wt = tensor_type_of(x.shape, "bf16", (0,)), tensor_type_of(w.shape, "f16")
    op = "linea.rms_norm %x weight %w {epsilon = 1.000000e-05 : f32}"
    (y,) = run_mlir(module(op, [("x", xt), ("w", wt)], xt),
                    [f32_to_bf16_bits(x).view("V2"), w])
    ref = round_bf16(ref_rms_norm(x, w.astype(np.float64), 1e-5).astype(np.float32))
    # f32 arithmetic then one rounding: at most one bf16 ulp from the f64 result.
    np.testing.assert_allclose(bf16_to_f32(y), ref, rtol=2**-7, atol=0)


# ---------------------------------------------------------------------------
# layer_norm
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("with_weight", [True, False])
@pytest.mark.parametrize("with_bias", [True, False])
def test_layer_norm_f32(batch, with_weight, with_bias):
    rng = np.random.default_rng(3)
    # An offset mean checks that the variance is taken about it.
    x = 3.0 + rng.standard_normal(batch + (20,), dtype=np.float32)
    w = rng.standard_normal(20, dtype=np.float32) if with_weight else None
    b = rng.standard_normal(20, dtype=np.float32) if with_bias else None
    xt = tensor_type_of(x.shape, "f32", tuple(range(len(batch))))
    operands, inputs, op = [("x", xt)], [x], "linea.layer_norm %x"
    if with_weight:
        operands.append(("w", tensor_type_of(w.shape, "f32")))
        inputs.append(w)
        op += " weight %w"
    if with_bias:
        operands.append(("b", tensor_type_of(b.shape, "f32")))
        inputs.append(b)
        op += " bias %b"
    (y,) = run_mlir(module(op, operands, xt), inputs)
    np.testing.assert_allclose(y, ref_layer_norm(x, w, b, 1e-5), rtol=1e-5, atol=1e-5)


def test_layer_norm_epsilon_and_constant_rows():
    # A constant row has variance 0: y = bias exactly, whatever ε.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 8), dtype=np.float32)
    x[1] = 7.0
    w = rng.standard_normal(8, dtype=np.float32)
    b = rng.standard_normal(8, dtype=np.float32)
    xt, vt = tensor_type_of(x.shape, "f32"), tensor_type_of(w.shape, "f32")
    op = "linea.layer_norm %x weight %w bias %b {epsilon = 5.000000e-01 : f32}"
    (y,) = run_mlir(module(op, [("x", xt), ("w", vt), ("b", vt)], xt), [x, w, b])
    np.testing.assert_allclose(y, ref_layer_norm(x, w, b, 0.5), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(y[1], b)


def test_layer_norm_f16():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 16)).astype(np.float16)
    w = rng.standard_normal(16).astype(np.float16)
    b = round_bf16(rng.standard_normal(16, dtype=np.float32))
    xt = tensor_type_of(x.shape, "f16", (0, 1))
    op = "linea.layer_norm %x weight %w bias %b"
    operands = [("x", xt), ("w", tensor_type_of(w.shape, "f16")), ("b", tensor_type_of(b.shape, "bf16"))]
    (y,) = run_mlir(module(op, operands, xt), [x, w, f32_to_bf16_bits(b).view("V2")])
    assert y.dtype == np.float16
    ref = ref_layer_norm(x, w.astype(np.float64), b, 1e-5).astype(np.float16)
    np.testing.assert_allclose(y.astype(np.float32), ref.astype(np.float32),
                               rtol=2**-10, atol=2**-14)


# ---------------------------------------------------------------------------
# scale_channels
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("batch", BATCHES)
def test_scale_channels_f32(batch):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(batch + (12,), dtype=np.float32)
    s = rng.standard_normal(12, dtype=np.float32)
    xt = tensor_type_of(x.shape, "f32", tuple(range(len(batch))))
    op = "linea.scale_channels %x, %s"
    (y,) = run_mlir(module(op, [("x", xt), ("s", tensor_type_of(s.shape, "f32"))], xt), [x, s])
    # One f32 product per element: exact agreement.
    np.testing.assert_array_equal(y, x * s)


def test_scale_channels_bf16_with_f32_scale():
    rng = np.random.default_rng(7)
    x = round_bf16(rng.standard_normal((4, 8), dtype=np.float32))
    s = rng.standard_normal(8, dtype=np.float32)
    xt = tensor_type_of(x.shape, "bf16")
    op = "linea.scale_channels %x, %s"
    (y,) = run_mlir(module(op, [("x", xt), ("s", tensor_type_of(s.shape, "f32"))], xt),
                    [f32_to_bf16_bits(x).view("V2"), s])
    np.testing.assert_array_equal(bf16_to_f32(y), round_bf16(x * s))


# ---------------------------------------------------------------------------
# hadamard
# ---------------------------------------------------------------------------


def hadamard_op(block, normalized, value="%x"):
    flag = "" if normalized else ", normalized = false"
    return f"linea.hadamard {value} {{block_size = {block} : i64{flag}}}"


@pytest.mark.parametrize("block", [1, 2, 8, 32])
@pytest.mark.parametrize("normalized", [True, False])
def test_hadamard_f32(block, normalized):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 64), dtype=np.float32)
    xt = tensor_type_of(x.shape, "f32", (0,))
    (y,) = run_mlir(module(hadamard_op(block, normalized), [("x", xt)], xt), [x])
    np.testing.assert_allclose(y, ref_hadamard(x, block, normalized), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("normalized", [True, False])
def test_hadamard_of_identity_is_the_block_matrix(normalized):
    # Rows of the identity give the rotation's matrix: blockdiag(c·H_8, c·H_8).
    x = np.eye(16, dtype=np.float32)
    xt = tensor_type_of(x.shape, "f32")
    (y,) = run_mlir(module(hadamard_op(8, normalized), [("x", xt)], xt), [x])
    h = sylvester(8) / (np.sqrt(8) if normalized else 1)
    expected = np.kron(np.eye(2), h)
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-7)
    if normalized:
        np.testing.assert_allclose(y @ y.T, np.eye(16), atol=1e-6)


@pytest.mark.parametrize("block", [2, 8, 32])
@pytest.mark.parametrize("normalized", [True, False])
def test_hadamard_twice(block, normalized):
    """Normalized, the rotation is its own inverse; otherwise twice is ·B."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 2, 64), dtype=np.float32)
    xt = tensor_type_of(x.shape, "f32", (1,))
    text = f"""
func.func @main(%x: {xt}) -> {xt} {{
  %a = {hadamard_op(block, normalized)} : ({xt}) -> {xt}
  %b = {hadamard_op(block, normalized, "%a")} : ({xt}) -> {xt}
  return %b : {xt}
}}"""
    (y,) = run_mlir(text, [x])
    np.testing.assert_allclose(y, x * (1 if normalized else block), rtol=1e-5, atol=1e-5)


def test_hadamard_rank1_bf16():
    rng = np.random.default_rng(10)
    x = round_bf16(rng.standard_normal(32, dtype=np.float32))
    xt = tensor_type_of(x.shape, "bf16")
    (y,) = run_mlir(module(hadamard_op(16, True), [("x", xt)], xt),
                    [f32_to_bf16_bits(x).view("V2")])
    ref = round_bf16(ref_hadamard(x, 16, True).astype(np.float32))
    np.testing.assert_allclose(bf16_to_f32(y), ref, rtol=2**-7, atol=0)


def test_hadamard_preserves_row_norms():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, 128), dtype=np.float32)
    xt = tensor_type_of(x.shape, "f32")
    (y,) = run_mlir(module(hadamard_op(128, True), [("x", xt)], xt), [x])
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1),
                               rtol=1e-5)
