#!/usr/bin/python3
"""The fused low-rank kernel and the FlashNorm epilogue against the paths
they replace, all compiled by the same linea-compile and timed in this
process, alternating, at M = 1 and M = 16:

* lowrank: linea-lowrank{param-ratio} of an N×K layer through
  linea-cpu-lowrank-kernels (both stages in one kernel, t = x·vᵀ in a
  stack buffer; run here before linea-compile, as the pipeline has it off
  by default) against the same module lowered by linea-to-linalg first
  (two contraction kernels with the M×r intermediate between them: the
  default path).
* flashnorm: rms_norm(x)·g → linear, compiled with linea-fold-norms (g in
  W; 1/rms applied to y's rows in the contraction's store) against the
  same module without the fold (the norm kernel writes the normalised x,
  then the contraction) and against it lowered by linea-to-linalg first
  (the reference norm loops, then the contraction).

    LINEA_NUM_THREADS=1 /usr/bin/python3 bench/cpu/fused_lowrank_norm.py \
        [--n 2048] [--k 2048] [--m 1 16] [--runs 50] [--build build]

Every variant is checked against numpy first. One JSON line per (case,
peer): median ms of ours and of the peer and the speedup peer/ours.
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
sys.path.insert(0, str(ROOT / "bench" / "cpu"))
import linea  # noqa: E402
from linea import tools  # noqa: E402
from epilogue_cpu import paired_ms  # noqa: E402
from structured_forms import module_text as dense_module  # noqa: E402


def norm_module(g, w, m, eps):
    n, k = w.shape
    gl, gt = tools.hex_const("g", g, "f32")
    wl, wt = tools.hex_const("w", w, "f32")
    return f"""
func.func @main(%x: tensor<{m}x{k}xf32>) -> tensor<{m}x{n}xf32> {{
{gl}
{wl}
  %h = linea.rms_norm %x weight %g {{epsilon = {eps:e} : f32}} : (tensor<{m}x{k}xf32>, {gt}) -> tensor<{m}x{k}xf32>
  %y = linea.linear %h, %w {{name = "layer"}} : (tensor<{m}x{k}xf32>, {wt}) -> tensor<{m}x{n}xf32>
  return %y : tensor<{m}x{n}xf32>
}}
"""


def build(tmp, label, text, passes=(), prelower=False):
    """Compiles `text` after linea-opt `passes` (and linea-to-linalg when
    `prelower`, which leaves the linea-level kernels nothing to match)."""
    if passes:
        text = tools.run_opt(text, *[f"--{p}" for p in passes])
    if prelower:
        text = tools.run_opt(text, "--linea-to-linalg")
    src = pathlib.Path(tmp) / f"{label}.mlir"
    src.write_text(text)
    return linea.compile(src, name="layer", out_dir=pathlib.Path(tmp) / label)


def report(case, m, n, k, ours, peers, x, exact, runs):
    # One output: the compiled model returns the array itself.
    y = ours(x)
    scale = np.abs(exact).max()
    for name, fn in [("ours", ours)] + peers:
        err = float(np.abs(fn(x) - exact).max() / scale)
        if not err < 1e-4:
            sys.exit(f"{case} {name}: output differs from numpy by {err:.3g}")
    for peer_name, peer in peers:
        ours_ms, peer_ms = paired_ms(lambda: ours(x), lambda: peer(x), runs)
        print(json.dumps({
            "bench": "fused_lowrank_norm", "case": case, "shape": [m, n, k], "peer": peer_name,
            "ours_ms": round(ours_ms, 4), "peer_ms": round(peer_ms, 4),
            "speedup": round(peer_ms / ours_ms, 3),
            "threads": os.environ.get("LINEA_NUM_THREADS", "default")}), flush=True)
    return y


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--k", type=int, default=2048)
    ap.add_argument("--m", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--param-ratio", type=float, default=0.25)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--only", choices=["lowrank", "flashnorm"])
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((a.n, a.k)) / np.sqrt(a.k)).astype(np.float32)
    g = (1 + 0.1 * rng.standard_normal(a.k)).astype(np.float32)
    eps = 1e-6
    for m in a.m:
        x = rng.standard_normal((m, a.k)).astype(np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            if a.only in (None, "lowrank"):
                lowrank = tools.run_opt(dense_module(w, m), f"--linea-lowrank=param-ratio={a.param_ratio}")
                dense = build(tmp, "dense", lowrank, ["linea-densify"])
                exact = dense(x).astype(np.float64)
                report("lowrank", m, a.n, a.k, build(tmp, "fused", lowrank, ["linea-cpu-lowrank-kernels"]),
                       [("two contraction kernels", build(tmp, "two", lowrank, prelower=True))],
                       x, exact, a.runs)
            if a.only in (None, "flashnorm"):
                text = norm_module(g, w, m, eps)
                x64 = x.astype(np.float64)
                h = x64 / np.sqrt((x64 * x64).mean(-1, keepdims=True) + eps) * g
                report("flashnorm", m, a.n, a.k, build(tmp, "flash", text, ["linea-fold-norms"]),
                       [("norm kernel + contraction", build(tmp, "norm", text)),
                        ("reference norm + contraction", build(tmp, "refnorm", text, prelower=True))],
                       x, h @ w.T.astype(np.float64), a.runs)


if __name__ == "__main__":
    main()
