"""linea.latent_attention (the Palu decode path): the CPU decode kernel
(K rebuilt from the latent cache, RoPE, scores; P·V in latent space and one
up-projection per row) against the reference lowering (reconstruction, then
linea.attention) and against dense attention in float64 numpy over the
reconstructed K/V: grouped latents (Gk, Gv ≠ 1, Gk ≠ Gv), GQA, with and
without RoPE, bf16, ragged T, one and two threads (key splits merged).
"""

import numpy as np
import pytest

from linea.tools import as_element, run_mlir, run_opt, tensor_type_of
from test_attention_kernels import main_text, to_f32
from test_attention_numerics import ref_attention


def rope_tables(t, d, base=10000.0):
    inv = 1.0 / base ** (np.arange(0, d, 2) / d)
    ang = np.outer(np.arange(t), inv)
    ang = np.concatenate([ang, ang], axis=1)
    return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)


def reconstruct(latent, up, kv_heads):
    """[B, T, G·r] · up [G, (Hkv/G)·X, r] → [B, Hkv, T, X] (float64)."""
    groups, rows, r = up.shape
    per = kv_heads // groups
    x = rows // per
    b, t, _ = latent.shape
    out = np.zeros((b, kv_heads, t, x))
    for h in range(kv_heads):
        g = h // per
        u = up[g, (h % per) * x:(h % per + 1) * x].astype(np.float64)
        out[:, h] = latent[:, :, g * r:(g + 1) * r].astype(np.float64) @ u.T
    return out


def apply_rope(k, cos, sin):
    half = k.shape[-1] // 2
    rot = np.concatenate([-k[..., half:], k[..., :half]], axis=-1)
    return k * cos + rot * sin


def case(rng, b, h, hkv, t, d, dv, gk, rk, gv, rv, rope=True):
    c = dict(q=rng.standard_normal((b, h, 1, d), dtype=np.float32),
             hk=rng.standard_normal((b, t, gk * rk), dtype=np.float32),
             uk=(rng.standard_normal((gk, hkv // gk * d, rk)) / np.sqrt(rk)).astype(np.float32),
             hv=rng.standard_normal((b, t, gv * rv), dtype=np.float32),
             uv=(rng.standard_normal((gv, hkv // gv * dv, rv)) / np.sqrt(rv)).astype(np.float32),
             kv_heads=hkv)
    if rope:
        c["cos"], c["sin"] = rope_tables(t, d)
    return c


def module(cases, element, dynamic_t=True):
    args, body, results, types, inputs = [], [], [], [], []
    for n, c in enumerate(cases):
        names = []
        for name in ["q", "hk", "uk", "hv", "uv"] + (["cos", "sin"] if "cos" in c else []):
            dyn = (1,) if dynamic_t and name in ("hk", "hv") else \
                  (0,) if dynamic_t and name in ("cos", "sin") else ()
            el = "f32" if name in ("cos", "sin") else element
            t = tensor_type_of(c[name].shape, el, dyn)
            args.append(f"%{name}{n}: {t}")
            names.append(t)
            inputs.append(as_element(c[name], el)[1])
        op = f"linea.latent_attention %q{n}, %hk{n}, %uk{n}, %hv{n}, %uv{n}"
        if "cos" in c:
            op += f" rope(%cos{n}, %sin{n})"
        op += f" {{kv_heads = {c['kv_heads']} : i64}}"
        dv = c["uv"].shape[1] // (c["kv_heads"] // c["uv"].shape[0])
        ot = tensor_type_of(c["q"].shape[:3] + (dv,), element, ())
        body.append(f"  %o{n} = {op} : ({', '.join(names)}) -> {ot}")
        results.append(f"%o{n}")
        types.append(ot)
    return main_text(args, body, results, types), inputs


def dense(c, element):
    f = lambda x: as_element(x, element)[0].astype(np.float64)
    k = reconstruct(f(c["hk"]), f(c["uk"]), c["kv_heads"])
    v = reconstruct(f(c["hv"]), f(c["uv"]), c["kv_heads"])
    if "cos" in c:
        k = apply_rope(k, c["cos"].astype(np.float64), c["sin"].astype(np.float64))
    return ref_attention(f(c["q"]), k, v)


CASES = lambda rng: [
    case(rng, 1, 8, 4, 300, 32, 32, 2, 16, 4, 8),           # grouped K and V latents
    case(rng, 2, 4, 2, 129, 16, 24, 1, 12, 1, 20),          # joint latent, Dv ≠ D
    case(rng, 1, 4, 4, 65, 16, 16, 4, 4, 2, 8, rope=False), # no RoPE
]


@pytest.mark.parametrize("element", ["f32", "bf16"])
def test_kernel_equals_dense_attention(element):
    rng = np.random.default_rng(7)
    cases = CASES(rng)
    text, inputs = module(cases, element)
    assert "__linea_latent_attention" in run_opt(text, "--linea-cpu-attention-kernels")
    kernel = run_mlir(text, inputs)
    ref_text = run_opt(text, "--linea-lower-to-llvm=attention-kernels=false")
    assert "__linea_latent" not in ref_text
    ref = run_mlir(ref_text, inputs)
    ulp = {"f32": 2.0**-23, "bf16": 2.0**-7}[element]
    for c, o, r in zip(cases, kernel, ref):
        exact = dense(c, element)
        o, r = to_f32(o, element), to_f32(r, element)
        tol = 2e-5 + 1.01 * ulp * np.abs(exact)
        assert np.all(np.abs(o - exact) <= tol), np.abs(o - exact).max()
        assert np.all(np.abs(r - exact) <= tol), np.abs(r - exact).max()


def test_split_keys_threads():
    rng = np.random.default_rng(8)
    cases = [case(rng, 1, 8, 2, 1000, 32, 32, 1, 16, 2, 8)]
    text, inputs = module(cases, "f32")
    lowered = run_opt(text, "--linea-cpu-attention-kernels=num-threads=2 min-split-keys=128",
                      "--linea-lower-to-llvm=num-threads=2 min-parallel-work=1")
    assert "omp.parallel" in lowered and "__linea_latent_attention_merge" in lowered
    (o,) = run_mlir(lowered, inputs)
    exact = dense(cases[0], "f32")
    assert np.abs(o - exact).max() < 2e-5
