"""linea.bsr_linear and linea.nm_linear lowered by linea-to-linalg and run on
the JIT, against numpy references written straight from the ops' definitions
(W built entry by entry, then y = x · Wᵀ + bias in float64), and against
their own `linea-opt --linea-densify` twins."""


import numpy as np
import pytest

from linea.tools import as_element, dynamic_leading, bf16_to_f32, round_result, run_mlir, run_opt, tensor_type, RESULT_TOLERANCE

# ----------------------------------------------------------------------------
# Module text and element types
# ----------------------------------------------------------------------------


def func_module(args, result_type, op_text):
    """A module of one function @main(args...) -> result_type whose body is
    `%y = op_text : (arg types) -> result_type`. `args` are (name, type)."""
    params = ", ".join(f"%{name}: {t}" for name, t in args)
    types = ", ".join(t for _, t in args)
    return f"""
func.func @main({params}) -> {result_type} {{
  %y = {op_text} : ({types}) -> {result_type}
  return %y : {result_type}
}}"""


def to_f32(output, element):
    return bf16_to_f32(output) if element == "bf16" else output.astype(np.float32)


TOLERANCE = RESULT_TOLERANCE


def mlir_literal(array) -> str:
    """A dense<...> literal body: nested lists of exact decimal values."""
    if np.issubdtype(array.dtype, np.floating):
        return str(np.asarray(array, np.float64).tolist())
    return str(np.asarray(array, np.int64).tolist())


def densify(module: str) -> str:
    return run_opt(module, "--linea-densify")


def reference(x, w, bias):
    y = x.astype(np.float64) @ w.T.astype(np.float64)
    return y + bias if bias is not None else y


# ----------------------------------------------------------------------------
# BSR
# ----------------------------------------------------------------------------


def random_bsr(rng, block_rows, block_cols, bn, bk, empty_rows=()):
    """Random BSR storage: each block row stores a random sorted subset of
    the block columns (none for `empty_rows`)."""
    cols, rows = [], [0]
    for rb in range(block_rows):
        count = 0 if rb in empty_rows else int(rng.integers(1, block_cols + 1))
        cols += sorted(rng.choice(block_cols, size=count, replace=False).tolist())
        rows.append(len(cols))
    values = rng.standard_normal((len(cols), bn, bk)).astype(np.float32)
    return values, np.array(cols), np.array(rows)


def bsr_dense(values, cols, rows, k):
    """W[rb·bn + a, cb·bk + c] = values[e, a, c] for e in block row rb."""
    _, bn, bk = values.shape
    w = np.zeros(((len(rows) - 1) * bn, k))
    for rb in range(len(rows) - 1):
        for e in range(rows[rb], rows[rb + 1]):
            cb = cols[e]
            w[rb * bn:(rb + 1) * bn, cb * bk:(cb + 1) * bk] = values[e]
    return w


def run_bsr(x, values, cols, rows, bias, element="f32", index="i32",
            dynamic=False):
    """Runs bsr_linear on the JIT; returns (y in f32, float64 reference)."""
    xv, xa = as_element(x, element)
    vv, va = as_element(values, element)
    index_dtype = np.int32 if index == "i32" else np.int64
    cols, rows = cols.astype(index_dtype), rows.astype(index_dtype)
    n = (len(rows) - 1) * values.shape[1]
    xt = tensor_type(xa, element)
    yt = tensor_type(np.empty(x.shape[:-1] + (n,)), element)
    if dynamic:
        xt, yt = dynamic_leading(xt), dynamic_leading(yt)
    args = [("x", xt), ("v", tensor_type(va, element)), ("c", tensor_type(cols)),
            ("r", tensor_type(rows))]
    inputs = [xa, va, cols, rows]
    text = "linea.bsr_linear %x, %v, %c, %r"
    bv = None
    if bias is not None:
        bv, ba = as_element(bias, element)
        args.append(("b", tensor_type(ba, element)))
        inputs.append(ba)
        text += " bias %b"
    (y,) = run_mlir(func_module(args, yt, text), inputs)
    return to_f32(y, element), reference(xv, bsr_dense(vv, cols, rows, x.shape[-1]), bv)


@pytest.mark.parametrize("batch", [(5,), (2, 3), ()])
@pytest.mark.parametrize("with_bias", [True, False])
def test_bsr_f32(batch, with_bias):
    rng = np.random.default_rng(0)
    values, cols, rows = random_bsr(rng, block_rows=4, block_cols=3, bn=2, bk=4)
    x = rng.standard_normal(batch + (12,), dtype=np.float32)
    bias = rng.standard_normal(8, dtype=np.float32) if with_bias else None
    y, ref = run_bsr(x, values, cols, rows, bias)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


@pytest.mark.parametrize("index", ["i32", "i64"])
def test_bsr_index_types(index):
    rng = np.random.default_rng(1)
    values, cols, rows = random_bsr(rng, block_rows=3, block_cols=4, bn=3, bk=2)
    x = rng.standard_normal((4, 8), dtype=np.float32)
    y, ref = run_bsr(x, values, cols, rows, None, index=index)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


def test_bsr_empty_block_rows():
    # Block rows 0, 2 and 4 (the first and the last among them) store nothing:
    # their outputs are exactly the bias.
    rng = np.random.default_rng(2)
    values, cols, rows = random_bsr(rng, block_rows=5, block_cols=3, bn=2, bk=2,
                                    empty_rows=(0, 2, 4))
    x = rng.standard_normal((3, 6), dtype=np.float32)
    bias = rng.standard_normal(10, dtype=np.float32)
    y, ref = run_bsr(x, values, cols, rows, bias)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])
    for rb in (0, 2, 4):
        np.testing.assert_array_equal(y[:, 2 * rb:2 * rb + 2],
                                      np.broadcast_to(bias[2 * rb:2 * rb + 2], (3, 2)))


def test_bsr_no_stored_blocks():
    # nnzb = 0: every block row is empty and y is exactly the bias.
    rng = np.random.default_rng(3)
    values = np.zeros((0, 2, 4), np.float32)
    cols, rows = np.zeros(0, np.int64), np.zeros(3, np.int64)
    x = rng.standard_normal((2, 8), dtype=np.float32)
    bias = rng.standard_normal(4, dtype=np.float32)
    y, _ = run_bsr(x, values, cols, rows, bias, index="i64")
    np.testing.assert_array_equal(y, np.broadcast_to(bias, (2, 4)))


def test_bsr_dynamic_leading_dim():
    rng = np.random.default_rng(4)
    values, cols, rows = random_bsr(rng, block_rows=2, block_cols=3, bn=4, bk=4,
                                    empty_rows=(1,))
    x = rng.standard_normal((6, 2, 12), dtype=np.float32)
    bias = rng.standard_normal(8, dtype=np.float32)
    y, ref = run_bsr(x, values, cols, rows, bias, dynamic=True)
    assert y.shape == (6, 2, 8)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


@pytest.mark.parametrize("element", ["f16", "bf16"])
def test_bsr_half(element):
    rng = np.random.default_rng(5)
    values, cols, rows = random_bsr(rng, block_rows=3, block_cols=4, bn=2, bk=4,
                                    empty_rows=(1,))
    x = rng.standard_normal((5, 16), dtype=np.float32)
    bias = rng.standard_normal(6, dtype=np.float32)
    y, ref = run_bsr(x, values, cols, rows, bias, element=element, index="i64")
    np.testing.assert_allclose(y, round_result(ref, element), **TOLERANCE[element])


def test_bsr_densify_agrees():
    rng = np.random.default_rng(6)
    values, cols, rows = random_bsr(rng, block_rows=3, block_cols=4, bn=2, bk=3,
                                    empty_rows=(2,))
    x = rng.standard_normal((4, 12), dtype=np.float32)
    bias = rng.standard_normal(6, dtype=np.float32)
    vt = tensor_type(values)
    ct, rt = tensor_type(cols.astype(np.int32)), tensor_type(rows.astype(np.int64))
    module = f"""
func.func @main(%x: tensor<4x12xf32>, %b: tensor<6xf32>) -> tensor<4x6xf32> {{
  %v = arith.constant dense<{mlir_literal(values)}> : {vt}
  %c = arith.constant dense<{mlir_literal(cols)}> : {ct}
  %r = arith.constant dense<{mlir_literal(rows)}> : {rt}
  %y = linea.bsr_linear %x, %v, %c, %r bias %b
      : (tensor<4x12xf32>, {vt}, {ct}, {rt}, tensor<6xf32>) -> tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}}"""
    dense = densify(module)
    assert "linea.bsr_linear" not in dense and "linea.linear" in dense
    (y,) = run_mlir(module, [x, bias])
    (y_dense,) = run_mlir(dense, [x, bias])
    np.testing.assert_allclose(y, y_dense, rtol=1e-5, atol=1e-5)
    ref = reference(x, bsr_dense(values, cols, rows, 12), bias)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


# ----------------------------------------------------------------------------
# N:M
# ----------------------------------------------------------------------------


def random_nm(rng, rows, k, n, m):
    """Random n:m storage: each group of m columns keeps n sorted positions."""
    groups = k // m
    indices = np.stack([
        np.concatenate([np.sort(rng.choice(m, size=n, replace=False))
                        for _ in range(groups)]) for _ in range(rows)])
    values = rng.standard_normal((rows, groups * n)).astype(np.float32)
    return values, indices.astype(np.int8)


def nm_dense(values, indices, n, m, k):
    """W[r, (j div n)·m + indices[r, j]] = values[r, j]."""
    w = np.zeros((values.shape[0], k))
    for r in range(values.shape[0]):
        for j in range(values.shape[1]):
            w[r, (j // n) * m + indices[r, j]] = values[r, j]
    return w


def run_nm(x, values, indices, n, m, bias, element="f32", dynamic=False):
    """Runs nm_linear on the JIT; returns (y in f32, float64 reference)."""
    xv, xa = as_element(x, element)
    vv, va = as_element(values, element)
    xt = tensor_type(xa, element)
    yt = tensor_type(np.empty(x.shape[:-1] + (values.shape[0],)), element)
    if dynamic:
        xt, yt = dynamic_leading(xt), dynamic_leading(yt)
    args = [("x", xt), ("v", tensor_type(va, element)), ("i", tensor_type(indices))]
    inputs = [xa, va, indices]
    text = f"linea.nm_linear {n}:{m} %x, %v, %i"
    bv = None
    if bias is not None:
        bv, ba = as_element(bias, element)
        args.append(("b", tensor_type(ba, element)))
        inputs.append(ba)
        text += " bias %b"
    (y,) = run_mlir(func_module(args, yt, text), inputs)
    return to_f32(y, element), reference(xv, nm_dense(vv, indices, n, m, x.shape[-1]), bv)


@pytest.mark.parametrize("n,m", [(2, 4), (1, 4), (2, 8), (3, 8)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_nm_patterns(n, m, with_bias):
    rng = np.random.default_rng(10 + n * m)
    values, indices = random_nm(rng, rows=6, k=16, n=n, m=m)
    x = rng.standard_normal((5, 16), dtype=np.float32)
    bias = rng.standard_normal(6, dtype=np.float32) if with_bias else None
    y, ref = run_nm(x, values, indices, n, m, bias)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


@pytest.mark.parametrize("batch", [(2, 3), ()])
def test_nm_batch_dims(batch):
    rng = np.random.default_rng(20)
    values, indices = random_nm(rng, rows=4, k=8, n=2, m=4)
    x = rng.standard_normal(batch + (8,), dtype=np.float32)
    y, ref = run_nm(x, values, indices, 2, 4, None)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


def test_nm_dynamic_leading_dim():
    rng = np.random.default_rng(21)
    values, indices = random_nm(rng, rows=5, k=16, n=1, m=4)
    x = rng.standard_normal((7, 2, 16), dtype=np.float32)
    bias = rng.standard_normal(5, dtype=np.float32)
    y, ref = run_nm(x, values, indices, 1, 4, bias, dynamic=True)
    assert y.shape == (7, 2, 5)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])


@pytest.mark.parametrize("element", ["f16", "bf16"])
def test_nm_half(element):
    rng = np.random.default_rng(22)
    values, indices = random_nm(rng, rows=8, k=32, n=2, m=4)
    x = rng.standard_normal((4, 32), dtype=np.float32)
    bias = rng.standard_normal(8, dtype=np.float32)
    y, ref = run_nm(x, values, indices, 2, 4, bias, element=element)
    np.testing.assert_allclose(y, round_result(ref, element), **TOLERANCE[element])


@pytest.mark.parametrize("n,m", [(2, 4), (2, 8)])
def test_nm_densify_agrees(n, m):
    rng = np.random.default_rng(23)
    values, indices = random_nm(rng, rows=4, k=16, n=n, m=m)
    x = rng.standard_normal((3, 16), dtype=np.float32)
    vt, it = tensor_type(values), tensor_type(indices)
    module = f"""
func.func @main(%x: tensor<3x16xf32>) -> tensor<3x4xf32> {{
  %v = arith.constant dense<{mlir_literal(values)}> : {vt}
  %i = arith.constant dense<{mlir_literal(indices)}> : {it}
  %y = linea.nm_linear {n}:{m} %x, %v, %i
      : (tensor<3x16xf32>, {vt}, {it}) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}}"""
    dense = densify(module)
    assert "linea.nm_linear" not in dense and "linea.linear" in dense
    (y,) = run_mlir(module, [x])
    (y_dense,) = run_mlir(dense, [x])
    np.testing.assert_allclose(y, y_dense, rtol=1e-5, atol=1e-5)
    ref = reference(x, nm_dense(values, indices, n, m, 16), None)
    np.testing.assert_allclose(y, ref, **TOLERANCE["f32"])
