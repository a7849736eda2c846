"""SageAttention (linea-quantize-attention, `quant` on linea.attention):
the CPU flash kernel against the reference lowering and against a numpy
transcription of the op's definition, and the error of the lossy rewrite
against exact attention.

The kernel and the reference round the same quantities (int8 q and k,
fp8 p̃ and v̂) and sum in different orders, with exp2 as a polynomial in the
kernel; a probability near an fp8 rounding boundary may then round to a
neighbour (one fp8 step, 2^-4 relative) in one and not the other, so they
agree to ~1e-3 of the output scale, not to f32 rounding. The error of the
variant itself against exact attention (max |Δ| / max |o|) is ~1e-2 with
exact P·V and a few 1e-2 with fp8 P and V (e4m3 keeps 3 mantissa bits),
asserted below so that a wrong scale or a lost smoothing shows up.
"""

import numpy as np
import pytest

from linea.formats import round_e4m3
from linea.tools import run_mlir, run_opt
from test_attention_kernels import attention_module
from test_attention_numerics import ref_attention

LOG2E = np.float32(np.log2(np.e))


def int8_blocks(x, block):
    """x [B, C, N, F] f32 → (int8 values as f32, per-row scales [B, C, N])."""
    n = x.shape[2]
    values = np.zeros_like(x)
    scales = np.zeros(x.shape[:3], np.float32)
    for start in range(0, n, block):
        part = x[:, :, start:start + block]
        s = (np.abs(part).max(axis=(2, 3)) / np.float32(127)).astype(np.float32)
        safe = np.where(s == 0, np.float32(1), s)[:, :, None, None]
        values[:, :, start:start + block] = np.clip(np.round(part / safe), -127, 127)
        scales[:, :, start:start + block] = s[:, :, None]
    return values, scales


def sage_numpy(q, k, v, scale, q_block=128, k_block=64, values="fp8_e4m3",
               causal=False):
    """linea.attention's quantized definition, in f32/f64 numpy."""
    q, k, v = (a.astype(np.float32) for a in (q, k, v))
    b, h, s_len, d = q.shape
    hkv, t_len = k.shape[1], k.shape[2]
    g = h // hkv
    q8, qs = int8_blocks(q * np.float32(np.float32(scale) * LOG2E), q_block)
    k8, ks = int8_blocks(k - k.mean(axis=2, keepdims=True, dtype=np.float32), k_block)
    vmean = np.zeros((b, hkv, 1, v.shape[3]), np.float32)
    if values != "exact":
        if values == "fp8_e4m3_smoothed":
            vmean = v.mean(axis=2, keepdims=True, dtype=np.float32)
        centred = v - vmean
        sv = np.abs(centred).max(axis=2, keepdims=True) / np.float32(448)
        safe = np.where(sv == 0, 1, sv)
        v = np.where(sv == 0, 0, round_e4m3(centred / safe) * safe).astype(np.float32)
    i, j = np.meshgrid(np.arange(s_len), np.arange(t_len), indexing="ij")
    visible = j <= i + (t_len - s_len) if causal else np.ones((s_len, t_len), bool)
    o = np.zeros((b, h, s_len, v.shape[3]))
    for bi in range(b):
        for hi in range(h):
            hk = hi // g
            s2 = (q8[bi, hi] @ k8[bi, hk].T) * qs[bi, hi][:, None] * ks[bi, hk][None, :]
            s2 = np.where(visible, s2, -np.inf)
            m = np.ceil(s2.max(axis=1, keepdims=True))
            p = np.exp2(s2 - m)
            if values != "exact":
                p = round_e4m3(256 * p) / 256
            o[bi, hi] = (p @ v[bi, hk]) / p.sum(axis=1, keepdims=True) + vmean[bi, hk]
    return o


def quantized(text, options=""):
    return run_opt(text, f"--linea-quantize-attention={options}" if options
                   else "--linea-quantize-attention")


def run_paths(cases, options="", kernel_options=None):
    text, inputs = attention_module(cases, "f32")
    sage = quantized(text, options)
    assert "quant = #linea.attn_quant" in sage
    if kernel_options:
        lowered = run_opt(sage, f"--linea-cpu-attention-kernels={kernel_options}",
                          "--linea-lower-to-llvm=num-threads=2 min-parallel-work=1")
        assert "omp.parallel" in lowered
        kernel = run_mlir(lowered, inputs)
    else:
        kernel = run_mlir(sage, inputs)
    ref = run_opt(sage, "--linea-lower-to-llvm=attention-kernels=false")
    assert "__linea_attention" not in ref
    return kernel, run_mlir(ref, inputs)


def make(rng, b, h, hkv, s, t, d, attrs="", k_offset=0.0):
    return dict(q=rng.standard_normal((b, h, s, d), dtype=np.float32),
                k=(rng.standard_normal((b, hkv, t, d)) + k_offset).astype(np.float32),
                v=rng.standard_normal((b, hkv, t, d), dtype=np.float32),
                attrs=attrs)


def rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("values", ["exact", "fp8_e4m3", "fp8_e4m3_smoothed"])
def test_kernel_reference_numpy(values):
    """Prefill (ragged S, T over the q/k blocks), GQA, causal, decode; the
    k offset makes the smoothing matter (SageAttention's motivation)."""
    rng = np.random.default_rng(3)
    cases = [make(rng, 1, 4, 2, 150, 200, 32, k_offset=3.0),
             make(rng, 2, 4, 4, 37, 70, 16, attrs="{causal}"),
             make(rng, 1, 8, 2, 1, 300, 32)]
    opts = f"q-block=64 k-block=32 values={values}"
    kernel, ref = run_paths(cases, opts)
    for c, o, r in zip(cases, kernel, ref):
        mine = sage_numpy(c["q"], c["k"], c["v"], 1 / np.sqrt(c["q"].shape[3]),
                          64, 32, values, causal="causal" in c["attrs"])
        exact = ref_attention(c["q"], c["k"], c["v"], causal="causal" in c["attrs"])
        assert rel(r, mine) < 2e-3, rel(r, mine)
        assert rel(o, mine) < 2e-3, rel(o, mine)
        # The lossy rewrite: ~1e-2 of exact attention at most.
        err = rel(o, exact)
        assert err < {"exact": 1.5e-2, "fp8_e4m3": 6e-2,
                      "fp8_e4m3_smoothed": 6e-2}[values], err


def test_split_keys_threads():
    """Two threads, keys split among tasks (the merge in exp2 units, v̄
    added after it)."""
    rng = np.random.default_rng(4)
    cases = [make(rng, 1, 4, 1, 1, 1500, 64), make(rng, 1, 2, 2, 3, 900, 32)]
    kernel, ref = run_paths(cases, "values=fp8_e4m3_smoothed",
                            "num-threads=2 min-split-keys=128")
    for c, o, r in zip(cases, kernel, ref):
        mine = sage_numpy(c["q"], c["k"], c["v"], 1 / np.sqrt(c["q"].shape[3]),
                          values="fp8_e4m3_smoothed")
        assert rel(o, mine) < 2e-3 and rel(r, mine) < 2e-3


def test_error_report():
    """The accuracy table of docs/accuracy.md: relative max error against
    exact attention (B=1, H=8, Hkv=2, S=T=256, D=64, N(0,1) data, k
    offset 2)."""
    rng = np.random.default_rng(5)
    c = make(rng, 1, 8, 2, 256, 256, 64, k_offset=2.0)
    exact = ref_attention(c["q"], c["k"], c["v"])
    for values in ["exact", "fp8_e4m3", "fp8_e4m3_smoothed"]:
        (o,), _ = run_paths([c], f"values={values}")
        err = rel(o, exact)
        print(f"sage values={values}: max rel error {err:.2e}, "
              f"mean abs {np.abs(o - exact).mean():.2e}")
        assert err < 1e-1
