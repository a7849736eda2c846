#!/usr/bin/python3
"""linea.linear_scan and linea.selective_scan compiled by linea-compile
(linea-cpu-scan-kernels) against PyTorch on the CPU, for PERF.md's row
"scans ≥ 2.5× faster than softmax attention at T ≥ 8192":

    PYTHONPATH=python /usr/bin/python3 bench/cpu/scan_cpu.py \\
        [--d 256] [--n 16] [--batch 1] [--steps 1,2048,8192,16384] [--runs 5] \\
        [--threads N] [--build build]

Peers, all in this process on the same threads (torch.get_num_threads()):
- torch loop: the recurrence stepped over t in PyTorch (what a model
  without a fused kernel runs);
- torch cumulative (linear_scan only): the closed form
  h_t = P_t · Σ_{s≤t} b_s / P_s with log P = cumsum(log a), vectorised over
  t (a is drawn from (0.999, 1) so that it neither under- nor overflows at
  T = 16384; there is no such safe form for selective_scan's T·D·N state);
- softmax attention: torch.nn.functional.scaled_dot_product_attention,
  causal, B × H × T × 64 with H·64 = D (the same channels as the scan);
  with torch < 2.0 (no SDPA) the same causal attention a block of 1024
  queries at a time in torch matmuls and softmax.

Each output of ours is checked against the torch loop before timing.
Prints one JSON line per (op, T): median ms of ours and each peer, and the
ratios peer/ours (above 1: ours is faster).
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
import linea  # noqa: E402
from linea.tools import median_ms  # noqa: E402



LINEAR = """
func.func @main(%a: tensor<{b}x?x{d}xf32>, %x: tensor<{b}x?x{d}xf32>) -> tensor<{b}x?x{d}xf32> {{
  %h = linea.linear_scan %a, %x : (tensor<{b}x?x{d}xf32>, tensor<{b}x?x{d}xf32>) -> tensor<{b}x?x{d}xf32>
  return %h : tensor<{b}x?x{d}xf32>
}}
"""

SELECTIVE = """
func.func @main(%u: tensor<{b}x?x{d}xf32>, %dt: tensor<{b}x?x{d}xf32>, %A: tensor<{d}x{n}xf32>,
                %B: tensor<{b}x?x{n}xf32>, %C: tensor<{b}x?x{n}xf32>, %D: tensor<{d}xf32>,
                %z: tensor<{b}x?x{d}xf32>, %db: tensor<{d}xf32>)
    -> (tensor<{b}x?x{d}xf32>, tensor<{b}x{d}x{n}xf32>) {{
  %y, %h = linea.selective_scan %u, %dt, %A, %B, %C skip %D gate %z delta_bias %db {{delta_softplus}}
      : (tensor<{b}x?x{d}xf32>, tensor<{b}x?x{d}xf32>, tensor<{d}x{n}xf32>, tensor<{b}x?x{n}xf32>,
         tensor<{b}x?x{n}xf32>, tensor<{d}xf32>, tensor<{b}x?x{d}xf32>, tensor<{d}xf32>)
      -> (tensor<{b}x?x{d}xf32>, tensor<{b}x{d}x{n}xf32>)
  return %y, %h : tensor<{b}x?x{d}xf32>, tensor<{b}x{d}x{n}xf32>
}}
"""


def torch_linear_loop(a, x):
    h = torch.zeros_like(a[:, 0])
    out = torch.empty_like(a)
    for t in range(a.shape[1]):
        h = a[:, t] * h + x[:, t]
        out[:, t] = h
    return out


def torch_linear_cumulative(a, x):
    log_p = torch.cumsum(torch.log(a), dim=1)
    return torch.exp(log_p) * torch.cumsum(x * torch.exp(-log_p), dim=1)


def torch_selective_loop(u, dt, A, B, C, D, z, db):
    dt = torch.nn.functional.softplus(dt + db)
    h = torch.zeros(u.shape[0], u.shape[2], A.shape[1])
    y = torch.empty_like(u)
    du = dt * u
    for t in range(u.shape[1]):
        h = torch.exp(dt[:, t, :, None] * A) * h + du[:, t, :, None] * B[:, t, None, :]
        y[:, t] = torch.einsum("bdn,bn->bd", h, C[:, t])
    y = (y + D * u) * torch.nn.functional.silu(z)
    return y, h


def blocked_attention(q, k, v, block=1024):
    """Causal softmax attention a query block at a time (keys up to the
    block's end, the diagonal block masked): what SDPA's math path computes,
    without a T×T score matrix in memory."""
    steps, scale = q.shape[2], q.shape[3] ** -0.5
    out = torch.empty_like(q)
    mask = torch.ones(block, block, dtype=torch.bool).tril()
    for start in range(0, steps, block):
        end = min(start + block, steps)
        scores = (q[:, :, start:end] @ k[:, :, :end].transpose(-1, -2)) * scale
        diag = scores[..., start:end]
        diag.masked_fill_(~mask[:end - start, :end - start], float("-inf"))
        out[:, :, start:end] = torch.softmax(scores, dim=-1) @ v[:, :, :end]
    return out


if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
    ATTENTION = "torch sdpa (causal)"

    def attention(q, k, v):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
else:  # torch < 2.0
    ATTENTION = "torch blocked softmax attention (causal; this torch has no sdpa)"
    attention = blocked_attention


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--d", type=int, default=256, help="channels D (= heads × 64 for attention)")
    ap.add_argument("--n", type=int, default=16, help="selective_scan state size N")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--steps", default="1,2048,8192,16384",
                    help="sequence lengths T (1: one decode step)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="threads for both linea (LINEA_NUM_THREADS) and torch")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    os.environ["LINEA_NUM_THREADS"] = str(a.threads)
    torch.set_num_threads(a.threads)
    assert a.d % 64 == 0, "--d must be a multiple of 64 (attention heads of 64)"
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    bsz, d, n = a.batch, a.d, a.n
    heads = d // 64
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        models = {}
        for name, text in (("linear", LINEAR), ("selective", SELECTIVE)):
            src = tmp / f"{name}.mlir"
            src.write_text(text.format(b=bsz, d=d, n=n))
            models[name] = linea.compile(src, target="cpu", name=f"{name}_scan",
                                         out_dir=tmp / name)
        for steps in (int(s) for s in a.steps.split(",")):
            f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
            # Attention over the same T and channels.
            q, k, v = (torch.randn(bsz, heads, steps, 64) for _ in range(3))
            # Seconds per call at T ≥ 8192: one warm-up, one run.
            long = steps >= 8192
            attn_ms = median_ms(lambda: attention(q, k, v), 1 if long else a.runs,
                                warmup=1 if long else 3)

            # linear_scan
            av = rng.uniform(0.999, 1.0, (bsz, steps, d)).astype(np.float32)
            xv = f32(bsz, steps, d)
            at, xt = torch.from_numpy(av), torch.from_numpy(xv)
            ours = models["linear"](av, xv)
            ref = torch_linear_loop(at, xt).numpy()
            err = float(np.abs(ours - ref).max() / np.abs(ref).max())
            if not err < 1e-4:
                sys.exit(f"linear_scan T={steps}: differs from the torch loop by {err:.3g}")
            ours_ms = median_ms(lambda: models["linear"](av, xv), a.runs)
            loop_ms = median_ms(lambda: torch_linear_loop(at, xt), 1 if steps > 1 else a.runs,
                                 warmup=1 if steps > 1 else 3)
            cum_ms = median_ms(lambda: torch_linear_cumulative(at, xt), a.runs)
            print(json.dumps({
                "bench": "scan_cpu", "op": "linear_scan", "B": bsz, "T": steps, "D": d,
                "ours_ms": round(ours_ms, 3), "torch_loop_ms": round(loop_ms, 2),
                "torch_cumulative_ms": round(cum_ms, 3), "sdpa_ms": round(attn_ms, 2),
                "vs_torch_loop": round(loop_ms / ours_ms, 1),
                "vs_torch_cumulative": round(cum_ms / ours_ms, 2),
                "vs_sdpa": round(attn_ms / ours_ms, 1), "max_rel_err": float(f"{err:.2g}"),
                "attention": ATTENTION, "threads": torch.get_num_threads()}), flush=True)

            # selective_scan (softplus, skip, gate, delta_bias)
            u, dt, z = f32(bsz, steps, d), f32(bsz, steps, d) * 0.5 - 1.0, f32(bsz, steps, d)
            A = -np.exp(rng.standard_normal((d, n)) * 0.5).astype(np.float32)
            B, C = f32(bsz, steps, n), f32(bsz, steps, n)
            D, db = f32(d), (f32(d) * 0.1).astype(np.float32)
            args = (u, dt, A, B, C, D, z, db)
            targs = [torch.from_numpy(x) for x in args]
            y, hT = models["selective"](*args)
            y_ref, h_ref = (x.numpy() for x in torch_selective_loop(*targs))
            err = float(max(np.abs(y - y_ref).max() / np.abs(y_ref).max(),
                            np.abs(hT - h_ref).max() / np.abs(h_ref).max()))
            if not err < 1e-4:
                sys.exit(f"selective_scan T={steps}: differs from the torch loop by {err:.3g}")
            ours_ms = median_ms(lambda: models["selective"](*args), a.runs)
            loop_ms = median_ms(lambda: torch_selective_loop(*targs), 1 if steps > 1 else a.runs,
                                 warmup=1 if steps > 1 else 3)
            print(json.dumps({
                "bench": "scan_cpu", "op": "selective_scan", "B": bsz, "T": steps, "D": d,
                "N": n, "ours_ms": round(ours_ms, 3), "torch_loop_ms": round(loop_ms, 2),
                "sdpa_ms": round(attn_ms, 2), "vs_torch_loop": round(loop_ms / ours_ms, 1),
                "vs_sdpa": round(attn_ms / ours_ms, 1), "max_rel_err": float(f"{err:.2g}"),
                "attention": ATTENTION, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
