#!/usr/bin/python3
"""Chunked linear attention (linea-cpu-linear-attention-kernels) against
softmax attention of the same heads and against a PyTorch recurrent
reference, on the CPU, for PERF.md's row "chunked linear attention,
T ≥ 8192: ≥ 2.5× faster than softmax attention".

    PYTHONPATH=python /usr/bin/python3 bench/cpu/linear_attention_cpu.py \\
        [--steps 2048 8192 16384] [--heads 8] [--dims 64 128] [--runs 3] [--build build]

For each T, D (Dk = Dv = D), B = 1, H heads, f32, timed in this process:
- ours: linea.linear_attention (elu_plus_one, causal),
  linea.gated_linear_attention and linea.delta_rule compiled by
  linea-compile (default pipeline: the chunkwise kernels, OpenMP threads);
- softmax peers: linea.attention {causal} compiled the same way, and
  torch.nn.functional.scaled_dot_product_attention(is_causal=True);
- recurrent peer: the op's recurrence as a loop over t in torch (one
  batched rank-1 update of the [B, H, Dk, Dv] state per token);
- the reference lowering (linea-to-linalg run first, so the kernels never
  see the op), up to T = --reference-max-steps.
The recurrence is timed once on the first --recurrent-steps tokens and
scaled to T (its steps all cost the same). Each compiled output is first checked against the torch recurrence (on the
first 512 tokens at large T, to keep the check fast). Prints one JSON line
per (op, T, D): median ms of ours and the peers and the ratios.
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
import linea  # noqa: E402
from linea.tools import median_ms  # noqa: E402

OPS = ["linear_attention", "gated_linear_attention", "delta_rule"]


def ty(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def module_text(op, b, h, t, d):
    x, s = ty((b, h, t, d)), ty((b, h, d, d))
    if op == "linear_attention":
        return f"""
func.func @main(%q: {x}, %k: {x}, %v: {x}) -> {x} {{
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {{causal}} : ({x}, {x}, {x}) -> {x}
  return %o : {x}
}}"""
    if op == "attention":
        return f"""
func.func @main(%q: {x}, %k: {x}, %v: {x}) -> {x} {{
  %o = linea.attention %q, %k, %v {{causal}} : ({x}, {x}, {x}) -> {x}
  return %o : {x}
}}"""
    gate = x if op == "gated_linear_attention" else ty((b, h, t))
    return f"""
func.func @main(%q: {x}, %k: {x}, %v: {x}, %g: {gate}) -> ({x}, {s}) {{
  %o, %s = linea.{op} %q, %k, %v, %g : ({x}, {x}, {x}, {gate}) -> ({x}, {s})
  return %o, %s : {x}, {s}
}}"""


def torch_recurrent(op, q, k, v, g):
    """The op's recurrence in torch, one token at a time (float32)."""
    b, h, t, d = q.shape
    S = torch.zeros(b, h, d, v.shape[-1])
    z = torch.zeros(b, h, d)
    out = torch.empty(b, h, t, v.shape[-1])
    scale = d ** -0.5
    if op == "linear_attention":
        q = torch.nn.functional.elu(q) + 1
        k = torch.nn.functional.elu(k) + 1
    for i in range(t):
        qi, ki, vi = q[:, :, i], k[:, :, i], v[:, :, i]
        if op == "linear_attention":
            S += ki.unsqueeze(-1) * vi.unsqueeze(-2)
            z += ki
            out[:, :, i] = (qi.unsqueeze(-2) @ S).squeeze(-2) / (
                (qi * z).sum(-1, keepdim=True) + 1e-6)
        elif op == "gated_linear_attention":
            S = torch.exp(g[:, :, i]).unsqueeze(-1) * S + ki.unsqueeze(-1) * vi.unsqueeze(-2)
            out[:, :, i] = scale * (qi.unsqueeze(-2) @ S).squeeze(-2)
        else:
            kS = (ki.unsqueeze(-2) @ S).squeeze(-2)
            S = S + g[:, :, i, None, None] * ki.unsqueeze(-1) * (vi - kS).unsqueeze(-2)
            out[:, :, i] = scale * (qi.unsqueeze(-2) @ S).squeeze(-2)
    return out


def torch_sdpa(q, k, v):
    """torch's fused causal attention (scaled_dot_product_attention; torch
    1.13 has it as the private _scaled_dot_product_attention)."""
    F = torch.nn.functional
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return F._scaled_dot_product_attention(q, k, v, None, 0.0, False, True)[0]



def inputs(op, b, h, t, d, rng):
    q = rng.standard_normal((b, h, t, d), dtype=np.float32)
    k = rng.standard_normal((b, h, t, d), dtype=np.float32)
    v = rng.standard_normal((b, h, t, d), dtype=np.float32)
    if op == "delta_rule":
        k /= np.linalg.norm(k, axis=-1, keepdims=True)
        return [q, k, v, rng.uniform(0.05, 0.95, (b, h, t)).astype(np.float32)]
    if op == "gated_linear_attention":
        return [q, k, v, -rng.uniform(0.0, 0.1, (b, h, t, d)).astype(np.float32)]
    return [q, k, v]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, nargs="+", default=[2048, 8192, 16384])
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--dims", type=int, nargs="+", default=[64, 128])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ops", nargs="+", default=OPS)
    ap.add_argument("--sdpa-max-steps", type=int, default=8192,
                    help="longest T torch SDPA is timed at (it materialises the scores)")
    ap.add_argument("--reference-max-steps", type=int, default=2048,
                    help="longest T the reference lowering (linea-to-linalg: a loop over "
                         "time, or linear_attention's T×T scores) is timed at")
    ap.add_argument("--recurrent-steps", type=int, default=4096,
                    help="tokens the torch recurrence is timed on (then scaled to T)")
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    rng = np.random.default_rng(0)
    torch.set_num_threads(os.cpu_count())
    b, h = 1, a.heads
    threads = os.environ.get("LINEA_NUM_THREADS", "default")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)

        def compiled(op, t, d, rewrites=()):
            tag = f"{op}_{t}_{d}{'_ref' if rewrites else ''}"
            src = tmp / f"{tag}.mlir"
            src.write_text(module_text(op, b, h, t, d))
            return linea.compile(src, rewrites=list(rewrites), target="cpu", name=tag,
                                 out_dir=tmp / tag)

        for d in a.dims:
            for t in a.steps:
                # Softmax attention of the same heads: linea and torch SDPA.
                qkv = inputs("linear_attention", b, h, t, d, rng)
                softmax = compiled("attention", t, d)
                softmax_ms = median_ms(lambda: softmax(*qkv), a.runs)
                tq = [torch.from_numpy(x) for x in qkv]
                # torch 1.13's SDPA materialises the T×T scores (8 GB at 16384).
                sdpa_ms = (median_ms(lambda: torch_sdpa(*tq), a.runs if t < 8192 else 1)
                           if t <= a.sdpa_max_steps else None)
                for op in a.ops:
                    xs = inputs(op, b, h, t, d, rng)
                    model = compiled(op, t, d)
                    ours = model(*xs)
                    ours = ours[0] if isinstance(ours, tuple) else ours
                    txs = [torch.from_numpy(x) for x in xs]
                    check = min(t, 512)
                    ref = torch_recurrent(op, *[x[:, :, :check] for x in txs[:3]],
                                          txs[3][:, :, :check] if len(txs) > 3 else None)
                    err = float(np.abs(ours[:, :, :check] - ref.numpy()).max()
                                / max(1.0, float(ref.abs().max())))
                    if not err < 1e-3:
                        sys.exit(f"{op} T={t} D={d}: output differs from the torch recurrence "
                                 f"by {err:.3g}")
                    ms = median_ms(lambda: model(*xs), a.runs)
                    # The reference lowering: linea-to-linalg first, so no kernel.
                    ref_ms = None
                    if t <= a.reference_max_steps:
                        reference = compiled(op, t, d, ["linea-to-linalg"])
                        ref_ms = median_ms(lambda: reference(*xs), 1)
                    g = txs[3] if len(txs) > 3 else None
                    # One call (no warm-up), on at most --recurrent-steps tokens
                    # and scaled to T: every step costs the same.
                    n = min(t, a.recurrent_steps)
                    start = time.perf_counter()
                    torch_recurrent(op, *[x[:, :, :n] for x in txs[:3]],
                                    g[:, :, :n] if g is not None else None)
                    torch_ms = (time.perf_counter() - start) * 1e3 * t / n
                    print(json.dumps({
                        "bench": "linear_attention_cpu", "op": op, "B": b, "H": h, "T": t,
                        "D": d, "ours_ms": round(ms, 2),
                        "linea_softmax_ms": round(softmax_ms, 2),
                        "torch_sdpa_ms": sdpa_ms and round(sdpa_ms, 2),
                        "torch_recurrent_ms": round(torch_ms, 2),
                        "linea_reference_ms": ref_ms and round(ref_ms, 2),
                        "vs_linea_reference": ref_ms and round(ref_ms / ms, 2),
                        "vs_linea_softmax": round(softmax_ms / ms, 2),
                        "vs_torch_sdpa": sdpa_ms and round(sdpa_ms / ms, 2),
                        "vs_torch_recurrent": round(torch_ms / ms, 2),
                        "threads": threads, "torch_threads": torch.get_num_threads()}),
                        flush=True)


if __name__ == "__main__":
    main()
