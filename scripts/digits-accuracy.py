#!/usr/bin/python3
"""Task accuracy of the trained digits transformer (examples/digits/) under
every rewrite family: what each saves and what it costs on real data.

    /usr/bin/python3 scripts/digits-accuracy.py [--build build] [--only NAME ...]
        [--json FILE] [--svg FILE]

Imports examples/digits/digits_transformer.onnx for the 360 held-out images,
raises it, and for each configuration in python/linea/rewrite_configs.py
rewrites it with linea-opt, runs it with linea-run, and reports the bytes of
the linear layers (linea-report), the relative output error of the logits
against the raised original, and the top-1 accuracy. Calibration statistics
come from 128 training images (calib_pixels.npy), never the test split.

Each configuration has a stated tolerance (STATED below; the dense model
scores 0.992): the script exits non-zero when one falls outside it, fails to
apply or fails to run.
"""

import argparse
import json
import pathlib
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
from linea import rewrite_configs, svg  # noqa: E402
from linea.digits import DATA, import_model  # noqa: E402
from linea.tools import run_checked as run  # noqa: E402

# Each configuration's stated tolerance: (least top-1 accuracy, largest
# relative logit error). Exact rewrites keep the dense model's 0.992 and float
# rounding; the others are held to what they reached when the table in
# docs/accuracy.md was made, less a margin (1.5 points of accuracy, 30% of
# the logit error), so that a regression in a pass shows up here. Structured
# rewrites at these settings, applied after training without fine-tuning,
# cost this small model most of its accuracy: the table says so rather than
# hiding it.
STATED = {
    "dense (raised)": (0.99, 1e-05),
    "fold-norms + fuse-projections": (0.99, 1e-05),
    "lowrank param-ratio=0.5": (0.32, 1.4),
    "lowrank energy=0.9": (0.84, 0.67),
    "lowrank param-ratio=0.5 + fuse": (0.32, 1.4),
    "lowrank-kv rank=16 (cache 1/4)": (0.96, 0.29),
    "blockdiag blocks=4": (0.09, 1.4),
    "monarch blocks=4 rank=4": (0.61, 1),
    "btt rank=4": (0.85, 0.65),
    "kron terms=4": (0.12, 1.3),
    "blast blocks=4 (default rank)": (0.86, 0.6),
    "shift-add terms=1": (0.97, 0.16),
    "shift-add terms=2": (0.97, 0.027),
    "sparsify 2:4": (0.96, 0.45),
    "sparsify 2:4 Wanda": (0.94, 0.48),
    "sparsify block:16x16 50%": (0.44, 1.1),
    "linearize-attention": (0.21, 1.4),
    "shift-add terms=2 + add-only attention": (0.27, 1.4),
    "int8 per channel": (0.97, 0.0028),
    "int8 W8A8 (dynamic per token)": (0.97, 0.0059),
    "smooth + W8A8": (0.97, 0.0054),
    "int6 per channel": (0.97, 0.012),
    "int4 g128": (0.97, 0.048),
    "rotate + int4 g128": (0.97, 0.074),
    "uint4 g128 asym f16 scales": (0.97, 0.045),
    "uint4 g64 SINQ": (0.97, 0.042),
    "uint4 g64 RTN": (0.97, 0.046),
    "int4 g128 GPTQ": (0.97, 0.023),
    "fp8 e4m3 per channel": (0.97, 0.017),
    "fp8 e4m3 + static fp8 acts": (0.97, 0.033),
    "fp8 e5m2 per tensor": (0.97, 0.037),
    "mxfp4": (0.97, 0.1),
    "nvfp4": (0.97, 0.069),
    "nvfp4 + fp8 per-token acts": (0.97, 0.072),
    "nf4 g64": (0.97, 0.059),
}


def logits(bin_, module, pixels, out_dir):
    run([bin_ / "linea-run", module, "-i", pixels, "-o", out_dir])
    return np.load(out_dir / "out0.npy").astype(np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--only", nargs="*", help="substrings of configuration names")
    ap.add_argument("--json", help="write the rows as JSON lines to FILE")
    ap.add_argument("--svg", help="plot accuracy against bytes into FILE")
    a = ap.parse_args()
    bin_ = pathlib.Path(a.build) / "bin"
    labels = np.load(DATA / "test_labels.npy")
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        test = import_model(bin_, len(labels), tmp / "test.mlir")
        calib = DATA / "calib_pixels.npy"
        stats = None
        y0 = logits(bin_, test, DATA / "test_pixels.npy", tmp / "ref")
        for name, args in rewrite_configs.ALL:
            if a.only and not any(s in name for s in a.only):
                continue
            try:
                if rewrite_configs.needs_stats(args):
                    if stats is None:
                        stats = tmp / "stats.npz"
                        calib_module = import_model(bin_, len(np.load(calib)), tmp / "calib.mlir")
                        run([bin_ / "linea-run", calib_module, "-i", calib, "--collect-stats", stats])
                    args = rewrite_configs.with_stats(args, stats)
                out = tmp / "m.mlir"
                run([bin_ / "linea-opt", test, *args, "-o", out])
                report = tmp / "r.json"
                run([bin_ / "linea-opt", out, f"--linea-report=json={report} table=false",
                     "-o", "/dev/null"])
                nbytes = json.loads(report.read_text())["total"]["bytes"]
                y = logits(bin_, out, DATA / "test_pixels.npy", tmp / "run")
                rel = float(np.linalg.norm(y - y0) / np.linalg.norm(y0))
                acc = float((y.argmax(-1) == labels).mean())
                rows.append({"rewrite": name, "bytes": int(nbytes), "logit_rel_err": rel,
                             "accuracy": acc})
                if name not in STATED:
                    raise RuntimeError("no stated tolerance in STATED")
                need, most = STATED[name]
                if not (acc >= need and rel <= most):
                    print(f"{name}: accuracy {acc:.4f} (least {need}), logit error {rel:.3g} "
                          f"(most {most:g}): outside its stated tolerance", file=sys.stderr)
                    failed = True
            except RuntimeError as e:
                print(f"{name}: {e}", file=sys.stderr)
                failed = True
    dense = next((r["bytes"] for r in rows if r["rewrite"].startswith("dense")), None)
    print(f"{'rewrite':40} {'bytes':>9} {'vs dense':>9} {'logit err':>10} {'accuracy':>9}")
    for r in rows:
        ratio = f"{r['bytes'] / dense:.3f}" if dense else "-"
        print(f"{r['rewrite']:40} {r['bytes']:9d} {ratio:>9} {r['logit_rel_err']:10.2e} "
              f"{r['accuracy']:9.4f}")
    if a.json:
        pathlib.Path(a.json).write_text("".join(json.dumps(r) + "\n" for r in rows))
    if a.svg and rows:
        svg.scatter(a.svg, [(r["bytes"] / 1024, r["accuracy"], r["rewrite"]) for r in rows],
                    xlabel="linear-layer KiB", ylabel="test accuracy",
                    title="digits transformer: accuracy against stored bytes",
                    series=[rewrite_configs.family(r["rewrite"]) for r in rows])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
