#!/usr/bin/python3
"""Compiles the shipped trained digits transformer (examples/digits/) with
linea.compile, runs it from Python on the 360 held-out images and prints its
top-1 accuracy and the per-layer report; the report's plot (weight error
against bytes per layer) goes to OUT/digits.svg.

    PYTHONPATH=python /usr/bin/python3 examples/digits_compile.py \\
        [--rewrite "linea-quantize{format=int4 group-size=128}" ...] [--out DIR]

Each --rewrite is a linea-opt pipeline element, applied in order (default:
int8 per channel); --rewrite none compiles the model as trained (0.992).
With --plan BUDGET, linea-plan chooses each layer's form instead: it records
calibration statistics on 128 training images (calib_pixels.npy) and keeps the
mean per-layer output error within BUDGET (e.g. 0.01) at the least bytes.
"""

import argparse
import pathlib
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
import linea  # noqa: E402
from linea import tools  # noqa: E402
from linea.digits import DATA, MODEL, import_model  # noqa: E402


def calibration_stats(out_dir):
    """linea-run --collect-stats over the 128 calibration images."""
    stats = pathlib.Path(out_dir).resolve() / "calib-stats.npz"
    stats.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        calib = np.load(DATA / "calib_pixels.npy")
        module = import_model(tools.build_dir() / "bin", len(calib),
                              pathlib.Path(tmp) / "calib.mlir")
        tools.run_checked([tools.tool("linea-run"), module, "-i", DATA / "calib_pixels.npy",
                           "--collect-stats", stats])
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rewrite", action="append",
                        help="linea-opt pipeline element (repeatable; 'none' for no rewrite)")
    parser.add_argument("--plan", type=float, metavar="BUDGET",
                        help="choose each layer's form with linea-plan under this error budget")
    parser.add_argument("--out", default="digits-compiled", help="output directory")
    args = parser.parse_args()
    if args.plan is not None:
        stats = calibration_stats(args.out)
        rewrites = [f"linea-plan{{stats={stats} budget={args.plan}}}"] + (args.rewrite or [])
    else:
        rewrites = args.rewrite or ["linea-quantize{format=int8}"]
    rewrites = [r for r in rewrites if r != "none"]

    pixels = np.load(DATA / "test_pixels.npy")
    labels = np.load(DATA / "test_labels.npy")
    try:
        model = linea.compile(MODEL, rewrites=rewrites,
                              target="cpu", name="digits", out_dir=args.out,
                              dims={"batch": len(pixels)}, progress=True)
    except linea.CompileError as e:
        sys.exit(f"compile failed:\n{e}")
    logits = model(pixels)
    accuracy = float(np.mean(logits.argmax(axis=1) == labels))
    print(model.table())
    plot = model.plot(pathlib.Path(args.out) / "digits.svg")
    total = model.report["total"]
    print(f"\nrewrites: {', '.join(rewrites) or 'none'}")
    print(f"linear-layer bytes: {total['before']['bytes']} -> {total['after']['bytes']}")
    print(f"top-1 accuracy on {len(labels)} held-out images: {accuracy:.3f}")
    print(f"library: {model.out_dir}/libdigits.so, header {model.header}, plot {plot}")


if __name__ == "__main__":
    main()
