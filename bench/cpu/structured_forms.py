#!/usr/bin/python3
"""Structured and quantized forms of one N×K layer against the dense layer,
both compiled by linea-compile and timed in this process at M = 1 (and
M = 16), for PERF.md's row "low-rank / Monarch / BTT / Kronecker, M = 1:
≥ 0.8 × (dense bytes ÷ structured bytes) over dense".

    LINEA_NUM_THREADS=1 PYTHONPATH=python /usr/bin/python3 bench/cpu/structured_forms.py \
        [--n 2048] [--k 2048] [--m 1 16] [--runs 30] [--build build]

Each form is the rewrite pass applied to the same random dense weight; the
output is checked against numpy on the pass's own dense equivalent (from
linea-densify) before timing. Prints one JSON line per form: median ms of
ours and of the dense layer, speedup, bytes ratio and the target
0.8 × dense/structured bytes. Weights are embedded in the libraries, so the
dense layer must fit in memory several times; at the default 2048² (16 MB)
it is partly cache-resident, which favours dense.
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
import linea  # noqa: E402
from linea import tools  # noqa: E402
from linea.tools import median_ms  # noqa: E402

FORMS = [
    ("dense", []),
    ("lowrank param-ratio=0.25", ["linea-lowrank{param-ratio=0.25}"]),
    ("monarch blocks=4 rank=4", ["linea-monarch{blocks=4 rank=4}"]),
    ("blockdiag blocks=4", ["linea-blockdiag{blocks=4}"]),
    ("btt rank=4", ["linea-btt{rank=4}"]),
    ("kron terms=4", ["linea-kron{terms=4}"]),
    ("blast blocks=16 rank=64", ["linea-blast{blocks=16 rank=64 iterations=2}"]),
    ("int4 g128", ["linea-quantize{format=int4 group-size=128}"]),
    ("int8 per channel", ["linea-quantize{format=int8}"]),
]


def module_text(w, m):
    n, k = w.shape
    weight, _ = tools.hex_const("w", w.astype("<f4"), "f32")
    return f"""
func.func @main(%x: tensor<{m}x{k}xf32>) -> tensor<{m}x{n}xf32> {{
{weight}
  %y = linea.linear %x, %w {{name = "layer"}} : (tensor<{m}x{k}xf32>, tensor<{n}x{k}xf32>) -> tensor<{m}x{n}xf32>
  return %y : tensor<{m}x{n}xf32>
}}
"""



def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--k", type=int, default=2048)
    ap.add_argument("--m", type=int, nargs="+", default=[1, 16], help="rows of x (tokens)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((a.n, a.k)) / np.sqrt(a.k)).astype(np.float32)
    for m in a.m:
        run_shape(a, w, rng.standard_normal((m, a.k)).astype(np.float32))


def run_shape(a, w, x):
    m = x.shape[0]
    dense_ms = dense_bytes = None
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "layer.mlir"
        src.write_text(module_text(w, m))
        for name, rewrites in FORMS:
            model = linea.compile(src, rewrites=rewrites, target="cpu", name="layer",
                                  out_dir=pathlib.Path(tmp) / name.replace(" ", "_"))
            # The compiled form against its own dense equivalent.
            ref = linea.compile(src, rewrites=rewrites + ["linea-densify"], target="cpu",
                                name="layer", out_dir=pathlib.Path(tmp) / (name.replace(" ", "_") + "_d"))
            y, y_ref = model(x)[0], ref(x)[0]
            err = float(np.linalg.norm(y - y_ref) / np.linalg.norm(y_ref))
            if not err < 1e-4:
                sys.exit(f"{name}: compiled output differs from its densified form by {err:.3g}")
            ms = median_ms(lambda: model(x), a.runs)
            nbytes = model.report["total"]["after"]["bytes"]
            if dense_ms is None:
                dense_ms, dense_bytes = ms, nbytes
            print(json.dumps({
                "bench": "structured_forms", "shape": [m, a.n, a.k], "form": name,
                "peer": "linea dense f32", "ours_ms": round(ms, 4), "peer_ms": round(dense_ms, 4),
                "speedup": round(dense_ms / ms, 3), "bytes_vs_dense": round(nbytes / dense_bytes, 4),
                "target": round(0.8 * dense_bytes / nbytes, 2),
                "threads": os.environ.get("LINEA_NUM_THREADS", "default")}), flush=True)


if __name__ == "__main__":
    main()
