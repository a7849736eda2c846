#!/usr/bin/python3
"""Shift-add, block-sparse and 2:4 forms of one N×K layer against the dense
f32 layer (linea's own kernel) and OpenBLAS sgemm, at M = 1 and M = 16, for
PERF.md's row "BSR 32×32 at 90% sparsity, M = 1: ≥ 6× dense fp32".

    LINEA_NUM_THREADS=1 PYTHONPATH=python /usr/bin/python3 bench/cpu/sparse_forms.py \
        [--n 2048] [--k 2048] [--m 1 16] [--runs 30] [--build build]

Each form is a rewrite pass (linea-shift-add, linea-sparsify) applied to the
same random dense weight and compiled by linea-compile with its kernel
(linea-cpu-shift-kernels, -bsr-kernels, -nm-kernels); the output is checked
against the same form compiled through its linea-densify twin before timing.
Prints one JSON line per (form, M): median ms of ours, of the dense layer
and of OpenBLAS (cblas_sgemm on one thread, from libopenblas), the
speedups, and the stored-bytes ratio. Weights are embedded in the
libraries; at 2048² the dense weight (16 MB) is partly cache resident,
which favours dense; at 4096² (64 MB) every form but BSR at 90% streams.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import pathlib
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
import linea  # noqa: E402
from linea.tools import median_ms  # noqa: E402
from structured_forms import module_text  # noqa: E402  (one linea.linear layer)

FORMS = [
    ("dense", []),
    ("shift terms=1", ["linea-shift-add{terms=1}"]),
    ("shift terms=2", ["linea-shift-add{terms=2}"]),
    ("bsr 32x32 90%", ["linea-sparsify{pattern=block:32x32 sparsity=0.9}"]),
    ("bsr 32x32 50%", ["linea-sparsify{pattern=block:32x32 sparsity=0.5}"]),
    ("2:4", ["linea-sparsify{pattern=2:4}"]),
]


def openblas_sgemm():
    """y = x · wᵀ through cblas_sgemm of libopenblas on one thread, or None
    when the library is missing."""
    path = ctypes.util.find_library("openblas")
    if not path:
        return None
    lib = ctypes.CDLL(path)
    lib.openblas_set_num_threads(1)
    f32p = ctypes.POINTER(ctypes.c_float)

    def sgemm(x, w, y):
        m, k = x.shape
        n = w.shape[0]
        # Row major (101), no transpose of x (111), w transposed (112).
        lib.cblas_sgemm(101, 111, 112, m, n, k, ctypes.c_float(1.0),
                        x.ctypes.data_as(f32p), k, w.ctypes.data_as(f32p), k,
                        ctypes.c_float(0.0), y.ctypes.data_as(f32p), n)
    return sgemm


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--k", type=int, default=2048)
    ap.add_argument("--m", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((a.n, a.k)) / np.sqrt(a.k)).astype(np.float32)
    sgemm = openblas_sgemm()
    with tempfile.TemporaryDirectory() as tmp:
        for m in a.m:
            x = rng.standard_normal((m, a.k)).astype(np.float32)
            src = pathlib.Path(tmp) / f"layer{m}.mlir"
            src.write_text(module_text(w, m))
            blas_ms = None
            if sgemm:
                y = np.empty((m, a.n), np.float32)
                sgemm(x, w, y)
                assert np.allclose(y, x @ w.T, rtol=1e-4, atol=1e-4)
                blas_ms = median_ms(lambda: sgemm(x, w, y), a.runs)
            dense_ms = dense_bytes = None
            for name, rewrites in FORMS:
                out = pathlib.Path(tmp) / f"{name.replace(' ', '_')}_{m}"
                model = linea.compile(src, rewrites=rewrites, target="cpu", name="layer",
                                      out_dir=out)
                ref = linea.compile(src, rewrites=rewrites + ["linea-densify"], target="cpu",
                                    name="layer", out_dir=out.with_name(out.name + "_d"))
                y, y_ref = model(x), ref(x)
                err = float(np.linalg.norm(y - y_ref) / np.linalg.norm(y_ref))
                if not err < 1e-4:
                    sys.exit(f"{name}: compiled output differs from its densified form by {err:.3g}")
                ms = median_ms(lambda: model(x), a.runs)
                nbytes = model.report["total"]["after"]["bytes"]
                if dense_ms is None:
                    dense_ms, dense_bytes = ms, nbytes
                print(json.dumps({
                    "bench": "sparse_forms", "shape": [m, a.n, a.k], "form": name,
                    "peer": "linea dense f32", "ours_ms": round(ms, 4),
                    "peer_ms": round(dense_ms, 4), "speedup": round(dense_ms / ms, 3),
                    "openblas_ms": None if blas_ms is None else round(blas_ms, 4),
                    "speedup_vs_openblas": None if blas_ms is None else round(blas_ms / ms, 3),
                    "bytes_vs_dense": round(nbytes / dense_bytes, 4),
                    "threads": os.environ.get("LINEA_NUM_THREADS", "default")}), flush=True)


if __name__ == "__main__":
    main()
