#!/usr/bin/python3
"""linea-plan on the trained digits transformer (examples/digits/): bytes
against held-out accuracy at a few error budgets.

    /usr/bin/python3 scripts/digits-plan.py [--build build] [--budgets 0 0.01 ...]

Imports the model twice (batch 128 for the calibration images, batch 360
for the test split), raises both, collects XᵀX on the calibration copy and
plans both copies with the same options and statistics (the plan depends
only on the weights and the statistics, so both get the same choices; the
script checks that). Prints, per budget, the linear-layer bytes
(linea-report), the mean planned output error, the relative logit error
against the raised original and the top-1 accuracy.
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
from linea.digits import DATA, import_model  # noqa: E402
from linea.tools import run_checked as run  # noqa: E402


def report_bytes(bin_, module, tmp):
    report = tmp / "r.json"
    run([bin_ / "linea-opt", module, f"--linea-report=json={report} table=false", "-o", "/dev/null"])
    return json.loads(report.read_text())["total"]["bytes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--budgets", nargs="*", type=float, default=[0.0, 0.005, 0.02, 0.05, 0.2])
    ap.add_argument("--candidates", default="", help="linea-plan candidates= (default: its own)")
    a = ap.parse_args()
    bin_ = pathlib.Path(a.build) / "bin"
    labels = np.load(DATA / "test_labels.npy")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        calib = import_model(bin_, 128, tmp / "calib.mlir")
        test = import_model(bin_, len(labels), tmp / "test.mlir")
        stats = tmp / "stats.npz"
        run([bin_ / "linea-run", calib, "-i", DATA / "calib_pixels.npy", "--collect-stats", stats])
        run([bin_ / "linea-run", test, "-i", DATA / "test_pixels.npy", "-o", tmp / "ref"])
        y0 = np.load(tmp / "ref" / "out0.npy").astype(np.float64)
        dense = report_bytes(bin_, test, tmp)
        print(f"{'budget':>7} {'bytes':>8} {'vs dense':>8} {'plan err':>9} {'logit err':>9} "
              f"{'accuracy':>8}  choices")
        for budget in a.budgets:
            opts = f"stats={stats} budget={budget}"
            if a.candidates:
                opts += f" candidates={a.candidates}"
            out, out_calib = tmp / "plan.mlir", tmp / "plan-calib.mlir"
            run([bin_ / "linea-opt", test, f"--linea-plan={opts} report={tmp / 'plan.json'}",
                 "-o", out])
            run([bin_ / "linea-opt", calib, f"--linea-plan={opts}", "-o", out_calib])
            choices = re.findall(r'choice = "([^"]+)"', out.read_text())
            if choices != re.findall(r'choice = "([^"]+)"', out_calib.read_text()):
                raise RuntimeError("the two copies got different plans")
            plan = json.loads((tmp / "plan.json").read_text())
            run([bin_ / "linea-run", out, "-i", DATA / "test_pixels.npy", "-o", tmp / "run"])
            y = np.load(tmp / "run" / "out0.npy").astype(np.float64)
            rel = float(np.linalg.norm(y - y0) / np.linalg.norm(y0))
            acc = float((y.argmax(-1) == labels).mean())
            nbytes = report_bytes(bin_, out, tmp)
            counts = {c: choices.count(c) for c in dict.fromkeys(choices)}
            print(f"{budget:7g} {nbytes:8d} {nbytes / dense:8.3f} {plan['mean_error']:9.2e} "
                  f"{rel:9.2e} {acc:8.4f}  " + ", ".join(f"{c}×{n}" for c, n in counts.items()))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
