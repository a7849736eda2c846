"""linea.attention and linea.linear_attention lowered by linea-to-linalg and run
on the JIT, against direct numpy references computed in float64."""

import numpy as np
import pytest

from linea.tools import bf16_to_f32, f32_to_bf16_bits, round_bf16, run_mlir, tensor_type_of

# Dims that may be dynamic: batch (0) and sequence (2) of q, k, v and o.
DYNAMIC = (0, 2)


def module(op, operands, result_type):
    """A @main taking `operands` ([(name, type)]) and returning `op`'s result."""
    args = ", ".join(f"%{n}: {t}" for n, t in operands)
    names = ", ".join(t for _, t in operands)
    return f"""
func.func @main({args}) -> {result_type} {{
  %o = {op} : ({names}) -> {result_type}
  return %o : {result_type}
}}"""


def ref_attention(q, k, v, mask=None, scale=None, causal=False):
    q, k, v = (a.astype(np.float64) for a in (q, k, v))
    batch, heads, s_len, d = q.shape
    kv_heads, t_len, dv = k.shape[1], k.shape[2], v.shape[3]
    group = heads // kv_heads
    scale = 1 / np.sqrt(d) if scale is None else scale
    full_mask = (np.zeros((batch, heads, s_len, t_len)) if mask is None else
                 np.broadcast_to(mask.astype(np.float64), (batch, heads, s_len, t_len)))
    i, j = np.meshgrid(np.arange(s_len), np.arange(t_len), indexing="ij")
    visible = j <= i + (t_len - s_len) if causal else np.ones((s_len, t_len), bool)
    o = np.zeros((batch, heads, s_len, dv))
    for b in range(batch):
        for h in range(heads):
            hk = h // group
            scores = scale * q[b, h] @ k[b, hk].T + full_mask[b, h]
            for row in range(s_len):
                seen = visible[row]
                if not seen.any():
                    continue  # no visible key: zeros
                m = scores[row, seen].max()
                e = np.where(seen, np.exp(np.where(seen, scores[row] - m, 0)), 0)
                o[b, h, row] = (e / e.sum()) @ v[b, hk]
    return o


PHI = {
    "elu_plus_one": lambda x: np.where(x > 0, x + 1, np.exp(np.minimum(x, 0))),
    "relu": lambda x: np.maximum(x, 0),
    "identity": lambda x: x,
    "binary": lambda x: (x > 0).astype(x.dtype),
}


def ref_linear_attention(q, k, v, feature_map, causal=False, eps=1e-6):
    """Non-causal: the shared state φ(K)ᵀV, φ(K)ᵀ1; causal: the recurrence
    S_t = S_{t−1} + φ(k_t)ᵀ v_t, z_t = z_{t−1} + φ(k_t)."""
    phi = PHI[feature_map]
    fq, fk = phi(q.astype(np.float64)), phi(k.astype(np.float64))
    v = v.astype(np.float64)
    batch, heads, s_len, _ = q.shape
    o = np.zeros((batch, heads, s_len, v.shape[3]))
    for b in range(batch):
        for h in range(heads):
            if not causal:
                state, z = fk[b, h].T @ v[b, h], fk[b, h].sum(axis=0)
                o[b, h] = (fq[b, h] @ state) / (fq[b, h] @ z + eps)[:, None]
                continue
            state = np.zeros((fk.shape[3], v.shape[3]))
            z = np.zeros(fk.shape[3])
            for t in range(s_len):
                state += np.outer(fk[b, h, t], v[b, h, t])
                z += fk[b, h, t]
                o[b, h, t] = (fq[b, h, t] @ state) / (fq[b, h, t] @ z + eps)
    return o


# ---------------------------------------------------------------------------
# linea.attention
# ---------------------------------------------------------------------------


def attention_case(rng, batch=2, heads=4, kv_heads=4, s_len=5, t_len=7, d=8, dv=6):
    q = rng.standard_normal((batch, heads, s_len, d), dtype=np.float32)
    k = rng.standard_normal((batch, kv_heads, t_len, d), dtype=np.float32)
    v = rng.standard_normal((batch, kv_heads, t_len, dv), dtype=np.float32)
    return q, k, v


def run_attention(q, k, v, mask=None, attrs="", element="f32", dynamic=(),
                  mask_dynamic=(), mask_element="f32", inputs=None):
    operands = [(n, tensor_type_of(a.shape, element, dynamic)) for n, a in (("q", q), ("k", k), ("v", v))]
    op = "linea.attention %q, %k, %v"
    if mask is not None:
        operands.append(("m", tensor_type_of(mask.shape, mask_element, mask_dynamic)))
        op += " mask %m"
    op += f" {attrs}" if attrs else ""
    out_shape = q.shape[:3] + (v.shape[3],)
    text = module(op, operands, tensor_type_of(out_shape, element, dynamic))
    if inputs is None:
        inputs = [q, k, v] + ([mask] if mask is not None else [])
    (o,) = run_mlir(text, inputs)
    return o


@pytest.mark.parametrize("s_len,t_len", [(5, 5), (5, 7), (7, 3), (1, 6)])
@pytest.mark.parametrize("dynamic", [(), DYNAMIC])
def test_attention_mha(s_len, t_len, dynamic):
    rng = np.random.default_rng(0)
    q, k, v = attention_case(rng, s_len=s_len, t_len=t_len)
    o = run_attention(q, k, v, dynamic=dynamic)
    np.testing.assert_allclose(o, ref_attention(q, k, v), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("heads,kv_heads", [(8, 2), (8, 1), (6, 3)])
def test_attention_grouped_query(heads, kv_heads):
    rng = np.random.default_rng(1)
    q, k, v = attention_case(rng, heads=heads, kv_heads=kv_heads, s_len=4, t_len=6)
    o = run_attention(q, k, v, dynamic=DYNAMIC)
    np.testing.assert_allclose(o, ref_attention(q, k, v), rtol=1e-5, atol=1e-6)


def test_attention_grouped_query_head_mapping():
    """Query heads 4·hk … 4·hk + 3 read kv head hk: with one-hot values per kv
    head (and identical scores), o[h] is exactly v-head h div 4's row."""
    q = np.zeros((1, 8, 2, 4), np.float32)
    k = np.zeros((1, 2, 3, 4), np.float32)
    v = np.zeros((1, 2, 3, 2), np.float32)
    v[0, 0, :, 0] = 1.0
    v[0, 1, :, 1] = 1.0
    o = run_attention(q, k, v)
    expected = np.zeros((1, 8, 2, 2), np.float32)
    expected[0, :4, :, 0] = 1.0
    expected[0, 4:, :, 1] = 1.0
    np.testing.assert_allclose(o, expected, rtol=1e-6)


def test_attention_explicit_scale():
    rng = np.random.default_rng(2)
    q, k, v = attention_case(rng)
    o = run_attention(q, k, v, attrs="{scale = 1.250000e+00 : f32}")
    np.testing.assert_allclose(o, ref_attention(q, k, v, scale=1.25), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("s_len,t_len", [(6, 6), (3, 7), (7, 3), (1, 5)])
@pytest.mark.parametrize("dynamic", [(), DYNAMIC])
def test_attention_causal(s_len, t_len, dynamic):
    rng = np.random.default_rng(3)
    q, k, v = attention_case(rng, s_len=s_len, t_len=t_len)
    o = run_attention(q, k, v, attrs="{causal}", dynamic=dynamic)
    np.testing.assert_allclose(o, ref_attention(q, k, v, causal=True), rtol=1e-5, atol=1e-6)
    if s_len > t_len:
        # Queries i < S − T see no key: their rows are exactly zero.
        assert np.all(o[:, :, : s_len - t_len] == 0)
        assert np.all(np.isfinite(o))


def test_attention_causal_diagonal_is_bottom_right():
    # S = 2, T = 4: query 0 sees keys 0..2, query 1 all four. Equal scores and
    # v = key index make each output the mean of the visible indices.
    q = np.zeros((1, 1, 2, 2), np.float32)
    k = np.zeros((1, 1, 4, 2), np.float32)
    v = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)
    o = run_attention(q, k, v, attrs="{causal}")
    np.testing.assert_allclose(o[0, 0, :, 0], [1.0, 1.5], rtol=1e-6)


MASK_SHAPES = [(1, 1, 5, 7), (2, 1, 1, 7), (1, 4, 5, 1), (2, 4, 5, 7), (1, 1, 1, 1)]


@pytest.mark.parametrize("mask_shape", MASK_SHAPES)
def test_attention_broadcast_mask(mask_shape):
    rng = np.random.default_rng(4)
    q, k, v = attention_case(rng)
    mask = rng.standard_normal(mask_shape, dtype=np.float32)
    o = run_attention(q, k, v, mask)
    np.testing.assert_allclose(o, ref_attention(q, k, v, mask), rtol=1e-5, atol=1e-6)


def test_attention_mask_with_neg_inf_and_dynamic_dims():
    # −inf hides keys (never all of a row's); the mask's S and T dims are
    # dynamic (full size), as are q/k/v's batch and sequence dims.
    rng = np.random.default_rng(5)
    q, k, v = attention_case(rng)
    mask = np.zeros((1, 1, 5, 7), np.float32)
    mask[0, 0, :, 1::2] = -np.inf
    mask[0, 0, 2, 0] = -np.inf
    o = run_attention(q, k, v, mask, dynamic=DYNAMIC, mask_dynamic=(2, 3))
    np.testing.assert_allclose(o, ref_attention(q, k, v, mask), rtol=1e-5, atol=1e-6)


def test_attention_causal_grouped_query_with_f16_mask():
    rng = np.random.default_rng(6)
    q, k, v = attention_case(rng, heads=8, kv_heads=2, s_len=4, t_len=6)
    mask = rng.standard_normal((2, 1, 4, 6)).astype(np.float16)
    o = run_attention(q, k, v, mask, attrs="{causal, scale = 5.000000e-01 : f32}",
                      dynamic=DYNAMIC, mask_element="f16")
    ref = ref_attention(q, k, v, mask, scale=0.5, causal=True)
    np.testing.assert_allclose(o, ref, rtol=1e-5, atol=1e-6)


def test_attention_bf16():
    rng = np.random.default_rng(7)
    q, k, v = (round_bf16(a) for a in attention_case(rng, heads=8, kv_heads=2))
    bits = [f32_to_bf16_bits(a).view("V2") for a in (q, k, v)]
    o = run_attention(q, k, v, attrs="{causal}", element="bf16", dynamic=DYNAMIC,
                      inputs=bits)
    ref = round_bf16(ref_attention(q, k, v, causal=True).astype(np.float32))
    # f32 arithmetic, one rounding: within one bf16 ulp of the f64 result.
    np.testing.assert_allclose(bf16_to_f32(o), ref, rtol=2**-7, atol=2**-12)


def test_attention_f16():
    rng = np.random.default_rng(8)
    q, k, v = (a.astype(np.float16) for a in attention_case(rng, s_len=3, t_len=9))
    o = run_attention(q, k, v, element="f16")
    assert o.dtype == np.float16
    ref = ref_attention(q, k, v).astype(np.float16)
    np.testing.assert_allclose(o.astype(np.float32), ref.astype(np.float32),
                               rtol=2**-10, atol=2**-14)


def test_attention_large_scores_are_stable():
    # Scores of ±1e4 overflow exp without the row-max shift.
    rng = np.random.default_rng(9)
    q, k, v = attention_case(rng, batch=1, heads=2, kv_heads=2)
    q *= 300.0
    o = run_attention(q, k, v)
    assert np.all(np.isfinite(o))
    np.testing.assert_allclose(o, ref_attention(q, k, v), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------
# linea.linear_attention
# ---------------------------------------------------------------------------


def run_linear_attention(q, k, v, feature_map, attrs="", element="f32", dynamic=(),
                         inputs=None):
    operands = [(n, tensor_type_of(a.shape, element, dynamic)) for n, a in (("q", q), ("k", k), ("v", v))]
    op = f"linea.linear_attention %q, %k, %v feature_map {feature_map}"
    op += f" {attrs}" if attrs else ""
    out_shape = q.shape[:3] + (v.shape[3],)
    (o,) = run_mlir(module(op, operands, tensor_type_of(out_shape, element, dynamic)),
                    inputs if inputs is not None else [q, k, v])
    return o


def linear_case(rng, feature_map, s_len=6, t_len=6, batch=2, heads=3, d=8, dv=5):
    if feature_map == "identity":
        # Positive features keep φ(q)·z away from 0 (no cancellation).
        draw = lambda shape: rng.uniform(0.1, 1.0, shape).astype(np.float32)  # noqa: E731
    else:
        draw = lambda shape: rng.standard_normal(shape, dtype=np.float32)  # noqa: E731
    q = draw((batch, heads, s_len, d))
    k = draw((batch, heads, t_len, d))
    v = rng.standard_normal((batch, heads, t_len, dv), dtype=np.float32)
    return q, k, v


@pytest.mark.parametrize("feature_map", ["elu_plus_one", "relu", "identity", "binary"])
@pytest.mark.parametrize("causal", [False, True])
def test_linear_attention(feature_map, causal):
    rng = np.random.default_rng(10)
    q, k, v = linear_case(rng, feature_map)
    o = run_linear_attention(q, k, v, feature_map, "{causal}" if causal else "",
                             dynamic=DYNAMIC)
    ref = ref_linear_attention(q, k, v, feature_map, causal)
    np.testing.assert_allclose(o, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("feature_map", ["elu_plus_one", "relu"])
def test_linear_attention_more_keys_than_queries(feature_map):
    rng = np.random.default_rng(11)
    q, k, v = linear_case(rng, feature_map, s_len=3, t_len=8)
    o = run_linear_attention(q, k, v, feature_map)
    np.testing.assert_allclose(o, ref_linear_attention(q, k, v, feature_map),
                               rtol=1e-5, atol=1e-5)


def test_linear_attention_epsilon():
    # ε = 10 dominates the denominators of these small features.
    rng = np.random.default_rng(12)
    q, k, v = linear_case(rng, "relu")
    o = run_linear_attention(q, k, v, "relu", "{causal, epsilon = 1.000000e+01 : f32}")
    ref = ref_linear_attention(q, k, v, "relu", causal=True, eps=10.0)
    np.testing.assert_allclose(o, ref, rtol=1e-5, atol=1e-6)


def test_linear_attention_relu_dead_query_is_zero():
    # φ(q_i) = 0 makes numerator 0 and denominator ε: o_i = 0.
    rng = np.random.default_rng(13)
    q, k, v = linear_case(rng, "relu")
    q[:, :, 2] = -1.0
    o = run_linear_attention(q, k, v, "relu", "{causal}")
    assert np.all(o[:, :, 2] == 0)
    np.testing.assert_allclose(o, ref_linear_attention(q, k, v, "relu", True),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_linear_attention_bf16(causal):
    rng = np.random.default_rng(14)
    q, k, v = (round_bf16(a) for a in linear_case(rng, "elu_plus_one"))
    bits = [f32_to_bf16_bits(a).view("V2") for a in (q, k, v)]
    o = run_linear_attention(q, k, v, "elu_plus_one", "{causal}" if causal else "",
                             element="bf16", inputs=bits)
    ref = round_bf16(ref_linear_attention(q, k, v, "elu_plus_one", causal).astype(np.float32))
    np.testing.assert_allclose(bf16_to_f32(o), ref, rtol=2**-7, atol=2**-12)


def test_linear_attention_f16():
    rng = np.random.default_rng(15)
    q, k, v = (a.astype(np.float16) for a in linear_case(rng, "elu_plus_one"))
    o = run_linear_attention(q, k, v, "elu_plus_one", "{causal}", element="f16",
                             dynamic=DYNAMIC)
    assert o.dtype == np.float16
    ref = ref_linear_attention(q, k, v, "elu_plus_one", True).astype(np.float16)
    np.testing.assert_allclose(o.astype(np.float32), ref.astype(np.float32),
                               rtol=2**-10, atol=2**-14)


def test_linear_attention_dynamic_heads():
    # Only D and Dv must be static for linear attention.
    rng = np.random.default_rng(16)
    q, k, v = linear_case(rng, "identity", s_len=4, t_len=4, heads=2)
    o = run_linear_attention(q, k, v, "identity", "{causal}", dynamic=(0, 1, 2))
    np.testing.assert_allclose(o, ref_linear_attention(q, k, v, "identity", True),
                               rtol=1e-5, atol=1e-5)
