#!/usr/bin/env python3
"""A linear layer with its epilogue — y = gelu(x·Wᵀ + b) + r — compiled by
linea-compile, where linea-cpu-contraction-kernels applies the bias, gelu and
residual add in the kernel's store, against PyTorch eager (F.linear, gelu,
add: three passes over y) and, with --baseline-compile, against the same
module from another linea-compile (e.g. a build from before the fusion),
in one process, same inputs and thread count. Checks every side against
numpy first; warm-up, then the medians of --runs calls of ours and the
peer, alternating. One JSON line per
(case, peer) as docs/PERF.md asks.

    bench/cpu/epilogue_cpu.py [--m 16,128] [--shapes 4096x4096] [--runs 20]
        [--threads 1] [--baseline-compile OLD/bin/linea-compile]
"""

import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))
import linea  # noqa: E402
from linea.tools import tool  # noqa: E402

IDENT = "affine_map<(i, j) -> (i, j)>"


def module_text(n, k):
    yt = f"tensor<?x{n}xf32>"
    return f"""
func.func @main(%x: tensor<?x{k}xf32>, %w: tensor<{n}x{k}xf32>, %b: tensor<{n}xf32>, %r: {yt}) -> {yt} {{
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %rsqrt2 = arith.constant 0.70710678118654752 : f32
  %y = linea.linear %x, %w bias %b : (tensor<?x{k}xf32>, tensor<{n}x{k}xf32>, tensor<{n}xf32>) -> {yt}
  %g = linalg.generic {{indexing_maps = [{IDENT}, {IDENT}], iterator_types = ["parallel", "parallel"]}}
      ins(%y : {yt}) outs(%y : {yt}) {{
  ^bb0(%v: f32, %o: f32):
    %h = arith.mulf %v, %half : f32
    %s = arith.mulf %v, %rsqrt2 : f32
    %e = math.erf %s : f32
    %p = arith.addf %e, %one : f32
    %a = arith.mulf %h, %p : f32
    linalg.yield %a : f32
  }} -> {yt}
  %out = arith.addf %g, %r : {yt}
  return %out : {yt}
}}"""


def compile_with(compiler, text, out):
    src = out / "epilogue.mlir"
    out.mkdir(parents=True, exist_ok=True)
    src.write_text(text)
    subprocess.run([compiler, str(src), "--target=cpu", "-o", str(out)],
                   check=True, capture_output=True)
    return linea.load(out)


def paired_ms(ours, peer, runs):
    """Medians of `runs` calls of each, alternating, so that the load of a
    shared machine drifts over both alike."""
    for _ in range(3):
        ours()
        peer()
    times = ([], [])
    for _ in range(runs):
        for fn, out in ((ours, times[0]), (peer, times[1])):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times[0]), statistics.median(times[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--m", default="16,128")
    ap.add_argument("--shapes", default="4096x4096")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--baseline-compile", help="another linea-compile to compare with")
    args = ap.parse_args()
    # Before any library loads: linea's read it then.
    os.environ["LINEA_NUM_THREADS"] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for shape in args.shapes.split(","):
            n, k = map(int, shape.split("x"))
            text = module_text(n, k)
            libs = {"ours": compile_with(tool("linea-compile"), text, tmp / f"ours{n}x{k}")}
            if args.baseline_compile:
                libs["baseline"] = compile_with(args.baseline_compile, text,
                                                tmp / f"base{n}x{k}")
            for m in map(int, args.m.split(",")):
                rng = np.random.default_rng(m + n)
                x = rng.standard_normal((m, k), dtype=np.float32)
                w = rng.standard_normal((n, k), dtype=np.float32) / math.sqrt(k)
                b = rng.standard_normal(n, dtype=np.float32)
                r = rng.standard_normal((m, n), dtype=np.float32)
                z = x.astype(np.float64) @ w.T.astype(np.float64) + b
                erf = np.vectorize(math.erf)
                ref = 0.5 * z * (1 + erf(z / math.sqrt(2))) + r
                tx, tw, tb, tr = map(torch.from_numpy, (x, w, b, r))
                peers = {"torch-eager": lambda: torch.nn.functional.gelu(
                    torch.nn.functional.linear(tx, tw, tb)) + tr}
                for name, lib in libs.items():
                    (y,) = lib(x, w, b, r)
                    err = float(np.max(np.abs(y - ref)))
                    assert err < 1e-3, f"{name}: max abs error {err}"
                    if name != "ours":
                        peers[name] = lambda lib=lib: lib(x, w, b, r)
                err = float(np.max(np.abs(peers["torch-eager"]().numpy() - ref)))
                assert err < 1e-3, f"torch: max abs error {err}"
                for peer, fn in peers.items():
                    ours_ms, peer_ms = paired_ms(lambda: libs["ours"](x, w, b, r),
                                                 fn, args.runs)
                    print(json.dumps({
                        "bench": "linear+bias+gelu+residual", "shape": f"{m}x{n}x{k}",
                        "dtype": "f32", "peer": peer, "threads": args.threads,
                        "ours_ms": round(ours_ms, 3), "peer_ms": round(peer_ms, 3),
                        "speedup": round(peer_ms / ours_ms, 3)}), flush=True)


if __name__ == "__main__":
    main()
