#!/usr/bin/python3
"""Measures linea-plan's CPU cost model: times each form's compiled layer at
a few sizes and batches, fits per form

    t = overhead + bytes / bytes_per_s + M · flops_per_token / flops_per_s

and writes the JSON that linea-plan{objective=latency cost-model=FILE}
reads (bench/cost-models/cpu.json is this script's output on the CI VM and
the cost model built into linea for target=cpu; rebuild after replacing it).

    LINEA_NUM_THREADS=1 /usr/bin/python3 bench/cpu/cost_model.py \\
        -o bench/cost-models/cpu.json [--sizes 1024,2048] [--m 1,32] [--runs 20]

Each form is the rewrite pass applied to one random dense N×N weight,
compiled by linea-compile and timed in this process (median of --runs
calls); bytes and FLOPs per token are linea-compile's report. The fit
(bench/cost_fit.py, shared with bench/cuda/cost_model.py) is least squares
on 1/throughput, refitted without any term that came out negative (that
throughput is then effectively unbounded, written as 1e15); overhead_s is
the intercept above dense's (a call's fixed cost, e.g. a second kernel for
low-rank). Weights are embedded in the libraries, so the
largest size should exceed the last-level cache several times for the
bandwidth to be that of memory.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
import linea  # noqa: E402
from linea import tools  # noqa: E402
from structured_forms import module_text  # noqa: E402  (one linea.linear layer)

sys.path.insert(0, str(ROOT / "bench"))
from cost_fit import fitted_forms, measurements  # noqa: E402

# (cost-model key as linea-plan's costKey names the op, rewrites making it)
FORMS = [
    ("dense", []),
    ("int8", ["linea-quantize{format=int8}"]),
    ("int4", ["linea-quantize{format=int4 group-size=128}"]),
    ("uint4", ["linea-quantize{format=uint4 group-size=128}"]),
    ("lowrank", ["linea-lowrank{param-ratio=0.25}"]),
    ("blockdiag", ["linea-blockdiag{blocks=4}"]),
    ("monarch", ["linea-monarch{blocks=4}"]),
]

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--sizes", default="1024,2048")
    ap.add_argument("--m", default="1,32")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--forms", default=",".join(k for k, _ in FORMS))
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    batches = [int(s) for s in a.m.split(",")]
    wanted = a.forms.split(",")
    unknown = set(wanted) - {k for k, _ in FORMS}
    if unknown or "dense" not in wanted:
        sys.exit(f"--forms: unknown {sorted(unknown)} or no dense; known: "
                 + ", ".join(k for k, _ in FORMS))
    rng = np.random.default_rng(0)
    points = {key: [] for key in wanted}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            w = (rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32)
            for m in batches:
                src = pathlib.Path(tmp) / f"layer{n}_{m}.mlir"
                src.write_text(module_text(w, m))
                x = rng.standard_normal((m, n)).astype(np.float32)
                for key, rewrites in FORMS:
                    if key not in wanted:
                        continue
                    model = linea.compile(src, rewrites=rewrites, name="layer",
                                          out_dir=pathlib.Path(tmp) / f"{key}{n}_{m}")
                    layer = model.report["layers"][0]["after"]
                    seconds = tools.median_ms(lambda: model(x), a.runs) * 1e-3
                    flops = m * layer["flops_per_token"]
                    points[key].append((layer["bytes"], flops, seconds))
                    print(json.dumps({"form": key, "N": n, "K": n, "M": m,
                                      "bytes": layer["bytes"], "flops": flops,
                                      "us": round(seconds * 1e6, 2)}),
                          file=sys.stderr, flush=True)
    forms = fitted_forms(points)
    model = {
        "target": "cpu",
        "source": (f"bench/cpu/cost_model.py on {platform.node() or 'this machine'} "
                   f"({os.cpu_count()} cores, LINEA_NUM_THREADS="
                   f"{os.environ.get('LINEA_NUM_THREADS', 'default')}), "
                   f"{datetime.date.today().isoformat()}: N=K in {sizes}, M in {batches}"),
        "forms": forms,
        "measurements": measurements(points),
    }
    pathlib.Path(a.output).write_text(json.dumps(model, indent=2) + "\n")
    print(json.dumps(forms, indent=2))


if __name__ == "__main__":
    main()
