"""The CPU side of the scan / recurrence device check (docs/cuda.md,
scripts/cuda_scan_check.py), which CI can run: its float64 loop references
agree with closed forms of the same ops, so a device run compares the
generated kernels with the right functions."""

import importlib.util
import pathlib
import sys

import pytest

torch = pytest.importorskip("torch")

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def check():
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(
        "cuda_scan_check", ROOT / "scripts" / "cuda_scan_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.DEVICE = "cpu"
    return module


def test_linear_scan_reference_matches_cumprod(check):
    gen = torch.Generator().manual_seed(0)
    a = torch.rand(2, 40, 8, generator=gen, dtype=torch.float64) * 0.5 + 0.5
    b = torch.randn(2, 40, 8, generator=gen, dtype=torch.float64)
    ref = check.reference({"op": "linear_scan"}, {"a": a, "b": b})["h"]
    assert torch.allclose(ref, check.vectorised_linear_scan(a, b), rtol=1e-10)


def test_selective_scan_reference_is_a_linear_scan(check):
    # With N = 1, A = −1, B = C = 1: h_t = e^{−Δ_t} h_{t−1} + Δ_t u_t, y = h.
    gen = torch.Generator().manual_seed(1)
    u = torch.randn(1, 30, 4, generator=gen, dtype=torch.float64)
    dt = torch.rand(1, 30, 4, generator=gen, dtype=torch.float64)
    ones = torch.ones(1, 30, 1, dtype=torch.float64)
    out = check.reference(
        {"op": "selective_scan", "delta_softplus": False},
        {"u": u, "delta": dt, "A": -torch.ones(4, 1, dtype=torch.float64),
         "B": ones, "C": ones})
    h = check.reference({"op": "linear_scan"},
                        {"a": torch.exp(-dt), "b": dt * u})["h"]
    assert torch.allclose(out["y"], h, rtol=1e-10)
    assert torch.allclose(out["final_state"][:, :, 0], h[:, -1], rtol=1e-10)


def test_gla_reference_without_decay_is_causal_linear_attention(check):
    # g = 0: o_t = scale · q_t Σ_{s ≤ t} k_sᵀ v_s, the masked parallel form.
    gen = torch.Generator().manual_seed(2)
    q, k = (torch.randn(1, 2, 12, 8, generator=gen, dtype=torch.float64)
            for _ in range(2))
    v = torch.randn(1, 2, 12, 5, generator=gen, dtype=torch.float64)
    g = torch.zeros(1, 2, 12, 8, dtype=torch.float64)
    out = check.reference({"op": "gated_linear_attention", "scale": 0.5},
                          {"q": q, "k": k, "v": v, "g": g})
    scores = (q @ k.transpose(-1, -2)).tril()
    assert torch.allclose(out["o"], 0.5 * scores @ v, rtol=1e-10)
    assert torch.allclose(out["final_state"], k.transpose(-1, -2) @ v,
                          rtol=1e-10)


def test_delta_rule_reference_writes_value_at_unit_key(check):
    # β = 1 and a unit key: S k = v right after the write.
    gen = torch.Generator().manual_seed(3)
    k = torch.randn(1, 1, 6, 4, generator=gen, dtype=torch.float64)
    k = k / k.norm(dim=-1, keepdim=True)
    v = torch.randn(1, 1, 6, 3, generator=gen, dtype=torch.float64)
    beta = torch.ones(1, 1, 6, dtype=torch.float64)
    out = check.reference({"op": "delta_rule", "scale": 1.0},
                          {"q": k, "k": k, "v": v, "beta": beta})
    assert torch.allclose(out["o"], v, rtol=1e-9, atol=1e-12)


def wy_chunked_delta_rule(q, k, v, beta, scale, chunk=64):
    """The chunkwise form of ChunkwiseKernels.cpp (docs/cuda.md): per chunk,
    rows past T zero (β = 0), A = tril(diag(β) K Kᵀ, −1), T = (I + A)⁻¹
    diag(β) by the right-looking substitution, W = T K,
    U = T V, U' = U − W S, O = scale (Q S + tril(Q Kᵀ) U'), S += Kᵀ U'."""
    B, H, T, Dk = q.shape
    S = torch.zeros(B, H, Dk, v.shape[-1], dtype=q.dtype)
    o = torch.empty(B, H, T, v.shape[-1], dtype=q.dtype)
    for t0 in range(0, T, chunk):
        n = min(chunk, T - t0)
        pad = lambda x: torch.nn.functional.pad(  # noqa: E731
            x[:, :, t0:t0 + n], (0, 0) * (x.dim() - 3) + (0, chunk - n))
        Q, K, V, be = pad(q), pad(k), pad(v), pad(beta)
        A = (be[..., None] * (K @ K.transpose(-1, -2))).tril(-1)
        # Right-looking: row j of T, once known, updates every row's
        # accumulator (A[i][j] = 0 for i ≤ j).
        Tm = torch.zeros(B, H, chunk, chunk, dtype=q.dtype)
        acc = torch.diag_embed(be)
        for j in range(chunk):
            Tm[..., j, :] = acc[..., j, :]
            acc = acc - A[..., :, j, None] * Tm[..., j, None, :]
        W, U = Tm @ K, Tm @ V
        Up = U - W @ S
        O = Q @ S + (Q @ K.transpose(-1, -2)).tril() @ Up
        o[:, :, t0:t0 + n] = scale * O[:, :, :n]
        S = S + K.transpose(-1, -2) @ Up
    return o, S


def test_chunkwise_delta_rule_form_matches_reference(check):
    # Ragged T (two full chunks and one of 22 rows) with an uneven β.
    gen = torch.Generator().manual_seed(4)
    B, H, T, Dk, Dv = 1, 2, 150, 8, 5
    q = torch.randn(B, H, T, Dk, generator=gen, dtype=torch.float64)
    k = torch.randn(B, H, T, Dk, generator=gen, dtype=torch.float64)
    k = k / k.norm(dim=-1, keepdim=True)
    v = torch.randn(B, H, T, Dv, generator=gen, dtype=torch.float64)
    beta = torch.rand(B, H, T, generator=gen, dtype=torch.float64)
    ref = check.reference({"op": "delta_rule", "scale": 0.3},
                          {"q": q, "k": k, "v": v, "beta": beta})
    o, S = wy_chunked_delta_rule(q, k, v, beta, 0.3)
    assert torch.allclose(o, ref["o"], rtol=1e-9, atol=1e-11)
    assert torch.allclose(S, ref["final_state"], rtol=1e-9, atol=1e-11)


def test_table_relates_chunkwise_to_recurrent(check):
    base = {"op": "delta_rule", "layer": "d", "dims": [1, 1, 64, 64, 64],
            "dtype": "bf16", "launches": 1, "rel_err": {"o": 1e-3},
            "sdpa_ms": 1.0, "x_sdpa": 1.0}
    rec = dict(base, symbol="r", form="recurrent", ours_ms=2.0)
    cw = dict(base, symbol="c", form="chunkwise", ours_ms=0.5)
    text = check.table([cw, rec])
    assert cw["x_recurrent"] == 4.0 and "x_recurrent" not in rec
    assert "4.00" in text
