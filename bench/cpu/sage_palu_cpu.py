#!/usr/bin/python3
"""The two lossy/compressed attention paths of linea on the CPU, each against
linea's own exact flash kernel (the peer), same thread count, compiled by
linea-compile:

    PYTHONPATH=python /usr/bin/python3 bench/cpu/sage_palu_cpu.py \
        [--threads 2] [--runs 10] [--build build] [--cases sage-prefill1k,...]

sage-*: linea.attention after linea-quantize-attention (int8 Q·Kᵀ, fp8
  P·V, SageAttention) vs the same attention in f32 and in bf16 (peers);
  prints the max relative error of each against float64 exact attention.
palu-*: linea.latent_attention decode (S = 1) over a latent cache of r
  numbers per token and projection (K rebuilt and RoPE'd in the kernel) vs
  linea.attention decode over the full f32 KV cache (Hkv·D per token) at
  the same T; the output is checked against dense attention over the
  reconstructed K/V.
One JSON line per (case, peer): median ms of ours and of the peer and
peer_ms / ours_ms (> 1: ours is faster).
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "python" / "tests"))
from linea.tools import median_ms, run_opt  # noqa: E402

# name: (B, H, Hkv, S, T, D, causal)
SAGE = {
    "sage-prefill1k-h8-d64": (1, 8, 8, 1024, 1024, 64, True),
    "sage-prefill2k-h32-gqa8-d128": (1, 32, 8, 2048, 2048, 128, True),
    "sage-decode8k-h32-gqa8-d128": (1, 32, 8, 1, 8192, 128, False),
}
# name: (B, H, Hkv, T, D, groups, rank per group)
PALU = {
    "palu-decode4k-g8r32": (1, 32, 8, 4096, 128, 8, 32),
    "palu-decode16k-g8r32": (1, 32, 8, 16384, 128, 8, 32),
    "palu-decode4k-g2r128": (1, 32, 8, 4096, 128, 2, 128),
    "palu-decode16k-g2r128": (1, 32, 8, 16384, 128, 2, 128),
}


def attention_text(b, h, hkv, s, t, d, causal, element="f32"):
    qt = f"tensor<{b}x{h}x{s}x{d}x{element}>"
    kt = f"tensor<{b}x{hkv}x{t}x{d}x{element}>"
    attrs = " {causal}" if causal else ""
    return (f"func.func @main(%q: {qt}, %k: {kt}, %v: {kt}) -> {qt} {{\n"
            f"  %o = linea.attention %q, %k, %v{attrs} : ({qt}, {kt}, {kt}) -> {qt}\n"
            f"  return %o : {qt}\n}}\n")


def latent_text(b, h, hkv, t, d, groups, rank):
    qt = f"tensor<{b}x{h}x1x{d}xf32>"
    lt = f"tensor<{b}x{t}x{groups * rank}xf32>"
    ut = f"tensor<{groups}x{hkv // groups * d}x{rank}xf32>"
    rt = f"tensor<{t}x{d}xf32>"
    return (f"func.func @main(%q: {qt}, %hk: {lt}, %uk: {ut}, %hv: {lt}, %uv: {ut}, "
            f"%cos: {rt}, %sin: {rt}) -> {qt} {{\n"
            f"  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) "
            f"{{kv_heads = {hkv} : i64}} : ({qt}, {lt}, {ut}, {lt}, {ut}, {rt}, {rt}) -> {qt}\n"
            f"  return %o : {qt}\n}}\n")


def compiled(linea, tmp, name, text):
    src = tmp / f"{name}.mlir"
    src.write_text(text)
    return linea.compile(src, target="cpu", name=name, out_dir=tmp / name)


def rel_err(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / np.abs(b).max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    ap.add_argument("--cases", help="comma-separated names (default: all): "
                    + ", ".join([*SAGE, *PALU]))
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    os.environ["LINEA_NUM_THREADS"] = str(a.threads)
    import linea
    from test_attention_numerics import ref_attention
    from test_latent_attention import apply_rope, reconstruct, rope_tables
    names = a.cases.split(",") if a.cases else [*SAGE, *PALU]
    rng = np.random.default_rng(0)
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            if name in SAGE:
                b, h, hkv, s, t, d, causal = SAGE[name]
                q = rng.standard_normal((b, h, s, d), dtype=np.float32)
                k = (rng.standard_normal((b, hkv, t, d)) + 1.0).astype(np.float32)
                v = rng.standard_normal((b, hkv, t, d), dtype=np.float32)
                exact = attention_text(b, h, hkv, s, t, d, causal)
                sage = run_opt(exact, "--linea-quantize-attention")
                ours = compiled(linea, tmp, "sage", sage)
                ref = ref_attention(q, k, v, causal=causal) if s * t * h <= 2**26 else None
                out = ours(q, k, v)
                ours_ms = median_ms(lambda: ours(q, k, v), a.runs)
                base = {"bench": "sage_cpu", "case": name, "threads": a.threads,
                        "ours_ms": round(ours_ms, 3)}
                if ref is not None:
                    base["ours_max_rel_err"] = rel_err(out, ref)
                peers = [("linea-flash-f32", exact, (q, k, v))]
                bf = attention_text(b, h, hkv, s, t, d, causal, "bf16")
                import torch
                to_bf = lambda x: torch.from_numpy(x).bfloat16().view(torch.int16).numpy().view(np.uint16)
                peers.append(("linea-flash-bf16", bf, tuple(to_bf(x) for x in (q, k, v))))
                for peer, text, args in peers:
                    model = compiled(linea, tmp, peer.replace("-", "_"), text)
                    ms = median_ms(lambda: model(*args), a.runs)
                    print(json.dumps({**base, "peer": peer, "peer_ms": round(ms, 3),
                                      "ratio": round(ms / ours_ms, 2)}), flush=True)
            else:
                b, h, hkv, t, d, groups, rank = PALU[name]
                q = rng.standard_normal((b, h, 1, d), dtype=np.float32)
                hk = rng.standard_normal((b, t, groups * rank), dtype=np.float32)
                hv = rng.standard_normal((b, t, groups * rank), dtype=np.float32)
                uk = (rng.standard_normal((groups, hkv // groups * d, rank))
                      / np.sqrt(rank)).astype(np.float32)
                uv = (rng.standard_normal((groups, hkv // groups * d, rank))
                      / np.sqrt(rank)).astype(np.float32)
                cos, sin = rope_tables(t, d)
                ours = compiled(linea, tmp, "palu", latent_text(b, h, hkv, t, d, groups, rank))
                out = ours(q, hk, uk, hv, uv, cos, sin)
                kd = apply_rope(reconstruct(hk, uk, hkv), cos, sin).astype(np.float32)
                vd = reconstruct(hv, uv, hkv).astype(np.float32)
                err = rel_err(out, ref_attention(q, kd, vd))
                if not err < 1e-4:
                    sys.exit(f"{name}: latent attention differs from dense by {err:.3g}")
                ours_ms = median_ms(lambda: ours(q, hk, uk, hv, uv, cos, sin), a.runs)
                dense = compiled(linea, tmp, "dense", attention_text(b, h, hkv, 1, t, d, False))
                ms = median_ms(lambda: dense(q, kd, vd), a.runs)
                cache = {"latent_floats_per_token": 2 * groups * rank,
                         "dense_floats_per_token": 2 * hkv * d}
                print(json.dumps({"bench": "palu_cpu", "case": name, "threads": a.threads,
                                  **cache, "ours_ms": round(ours_ms, 3),
                                  "peer": "linea-flash-decode-f32", "peer_ms": round(ms, 3),
                                  "ratio": round(ms / ours_ms, 2), "max_rel_err": err}),
                      flush=True)


if __name__ == "__main__":
    main()
