#!/usr/bin/python3
"""Applies each rewrite to the raised Llama-style block and tabulates what it
saves and what it costs in accuracy:

    /usr/bin/python3 scripts/llama-rewrites.py [--build build] [--only NAME ...]

Needs build/llama/raised.mlir and x.npy (run scripts/onnx-example.sh llama first).
For every configuration: linear-layer parameters and bytes (linea-report),
the mean of the recorded per-layer weight errors ‖W−Ŵ‖/‖W‖, and the
relative output error ‖y−y₀‖/‖y₀‖ of the whole block against the raised
original on the same input (both run with linea-run). Exits non-zero if a
rewrite fails to apply or run.
"""

import argparse
import json
import pathlib
import re
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
from linea import rewrite_configs  # noqa: E402
from linea.tools import run_checked as run  # noqa: E402

# (name, linea-opt arguments): python/linea/rewrite_configs.py. Layer globs
# use the importer's node names.
CONFIGS = rewrite_configs.ALL

# The stated tolerance of each rewrite: the largest output error ‖y−y₀‖/‖y₀‖
# of the block that the table accepts (the script fails above it). Exact
# rewrites are held to float rounding; lossy ones to what the format or
# factorization can be expected to cost on this random-weight block.
EXACT, INT8, INT6, FP8, FOUR_BIT, STRUCTURED = 1e-5, 5e-3, 1e-2, 3e-2, 8e-2, 0.25
MAX_OUTPUT_ERROR = {
    "dense (raised)": 0.0,
    "fold-norms + fuse-projections": EXACT,
    "int8 per channel": INT8, "int8 W8A8 (dynamic per token)": INT8, "smooth + W8A8": INT8,
    "int6 per channel": INT6,
    "fp8 e4m3 per channel": FP8, "fp8 e4m3 + static fp8 acts": FP8, "fp8 e5m2 per tensor": FP8,
}

CALIBRATION_SAMPLES = 16


def collect_stats(bin_, raised, x, tmp):
    """Statistics of every layer's input over Gaussian samples shaped like x."""
    stats = tmp / "stats.npz"
    shape = np.load(x).shape
    for seed in range(CALIBRATION_SAMPLES):
        sample = tmp / f"calib{seed}.npy"
        np.save(sample, np.random.default_rng(1000 + seed).standard_normal(shape).astype(np.float32))
        run([bin_ / "linea-run", raised, "-i", sample, "--collect-stats", stats,
             *(["--append-stats"] if seed else [])])
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--only", nargs="*", help="substrings of configuration names")
    a = ap.parse_args()
    build = pathlib.Path(a.build)
    bin_ = build / "bin"
    raised = build / "llama" / "raised.mlir"
    x = build / "llama" / "x.npy"
    if not raised.exists():
        sys.exit(f"{raised} missing: run scripts/onnx-example.sh llama first")
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        run([bin_ / "linea-run", raised, "-i", x, "-o", tmp / "ref"])
        y0 = np.load(tmp / "ref" / "out0.npy").astype(np.float64)
        stats = None
        for name, args in CONFIGS:
            if a.only and not any(s in name for s in a.only):
                continue
            try:
                if rewrite_configs.needs_stats(args):
                    stats = stats or collect_stats(bin_, raised, x, tmp)
                    args = rewrite_configs.with_stats(args, stats)
                out = tmp / "m.mlir"
                run([bin_ / "linea-opt", raised, *args, "-o", out])
                report = tmp / "r.json"
                run([bin_ / "linea-opt", out, f"--linea-report=json={report} table=false",
                     "-o", "/dev/null"])
                total = json.loads(report.read_text())["total"]
                errs = [float(e) for e in re.findall(
                    r"linea\.weight_error = ([-+0-9.eE]+) : f32", out.read_text())]
                run([bin_ / "linea-run", out, "-i", x, "-o", tmp / "run"])
                y = np.load(tmp / "run" / "out0.npy").astype(np.float64)
                rel = np.linalg.norm(y - y0) / np.linalg.norm(y0)
                rows.append((name, total["params"], total["bytes"],
                             np.mean(errs) if errs else None, rel))
                limit = MAX_OUTPUT_ERROR.get(
                    name, FOUR_BIT if rewrite_configs.is_quantizing(args) else STRUCTURED)
                if not rel <= limit:
                    print(f"{name}: output error {rel:.3g} above its tolerance {limit:g}",
                          file=sys.stderr)
                    failed = True
            except RuntimeError as e:
                print(f"{name}: {e}", file=sys.stderr)
                failed = True
    dense = rows[0] if rows and rows[0][0].startswith("dense") else None
    print(f"{'rewrite':40} {'params':>9} {'bytes':>9} {'bytes vs dense':>15} "
          f"{'bits/w':>7} {'mean w_err':>10} {'out rel err':>11}")
    for name, params, nbytes, werr, rel in rows:
        ratio = f"{nbytes / dense[2]:.3f}" if dense else "-"
        # Stored bits per weight of the dense layers these replace.
        bits = f"{8 * nbytes / dense[1]:.2f}" if dense else "-"
        werr_s = f"{werr:.4f}" if werr is not None else "-"
        print(f"{name:40} {params:9d} {nbytes:9d} {ratio:>15} {bits:>7} {werr_s:>10} {rel:11.2e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
