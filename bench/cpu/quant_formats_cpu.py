#!/usr/bin/python3
"""Every linea.quant_linear format at M = 1 (default 4096×4096): the
register-decoding kernels of linea-cpu-quant-kernels (linea-compile's
default lowering) against the reference lowering (the same module with
`--passes linea-to-linalg` first, so the layer is decoded densely by
linea-to-linalg before the kernels pass could see it) and against fp32
OpenBLAS (numpy's f32 matmul on the dequantized Ŵ).

    LINEA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=python \\
        /usr/bin/python3 bench/cpu/quant_formats_cpu.py [--n 4096] [--k 4096] \\
        [--runs 20] [--formats fp8_e4m3 mxfp4 ...] [--build build]

Each side is checked against numpy on Ŵ first. The three sides are timed
in rounds, interleaved (kernel, reference, sgemm, kernel, ...; the
reference, ~100× slower, with fewer runs), and the medians compared. One
JSON line per format: median ms of each side, the ratios, and the stored
weight bytes read per second by the kernel. The weights are one copy
embedded in each library: at 4096² the 4-bit copies (8 MB) may stay in a
large L3, the f32 peer's 64 MB do not.
"""

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
import linea  # noqa: E402
from linea import formats as F  # noqa: E402
from linea import tools  # noqa: E402
from linea.formats import QFormat  # noqa: E402

FORMATS = {
    "int8": QFormat("int8"),
    "int4": QFormat("int4", "group", 128, "f16"),
    "int6": QFormat("int6", "group", 128, "f16"),
    "fp8_e4m3": QFormat("fp8_e4m3"),
    "fp8_e5m2": QFormat("fp8_e5m2"),
    "fp8_e4m3-fp8_per_token": QFormat("fp8_e4m3", act="fp8_per_token"),
    "mxfp4": QFormat("mxfp4"),
    "nvfp4": QFormat("nvfp4"),
    "nf4": QFormat("nf4"),
}


def random_weight(fmt: QFormat, n: int, k: int, rng) -> F.QuantizedWeight:
    """Finite random codes and scales of ~1/sqrt(K) weights."""
    codes = rng.integers(0, 1 << fmt.bits, (n, k))
    if fmt.element.startswith("fp8"):
        decode = F.decode_e4m3 if fmt.element == "fp8_e4m3" else F.decode_e5m2
        values = decode(np.arange(256))
        finite = np.flatnonzero(np.isfinite(values) & (np.abs(values) <= 16))
        codes = rng.choice(finite, (n, k))
    shape = fmt.scale_shape(n, k)
    target = 1 / np.sqrt(k) / 8
    if fmt.scale == "f8E8M0FNU":
        scales = np.full(shape, F.encode_e8m0(target), np.uint8)
    elif fmt.scale == "f8E4M3FN":
        scales = F.encode_e4m3(rng.uniform(0.5, 1, shape) * 64).astype(np.uint8)
    else:
        scales = (rng.uniform(0.5, 1, shape) * target).astype(
            np.float16 if fmt.scale == "f16" else np.float32)
    tensor_scale = np.float32(target / 64) if fmt.element == "nvfp4" else None
    return F.QuantizedWeight(fmt, k, F.pack(codes, fmt.bits), scales, None, tensor_scale)


def module_text(qw: F.QuantizedWeight, m: int) -> str:
    fmt = qw.fmt
    n, k = qw.packed.shape[0], qw.k
    q, qt = tools.hex_const("q", qw.packed.view(np.int8), "i8")
    lines = [q]
    if fmt.scale in ("f8E8M0FNU", "f8E4M3FN"):
        raw, rt = tools.hex_const("s_raw", np.asarray(qw.scales, np.uint8).view(np.int8), "i8")
        st = rt.replace("xi8>", f"x{fmt.scale}>")
        lines += [raw, f"  %s = arith.bitcast %s_raw : {rt} to {st}"]
    else:
        s, st = tools.hex_const("s", np.asarray(qw.scales), fmt.scale)
        lines.append(s)
    operands, types = "%x, %q, %s", [f"tensor<{m}x{k}xf32>", qt, st]
    if qw.tensor_scale is not None:
        lines.append(f"  %t = arith.constant dense<{float(qw.tensor_scale)!r}> : tensor<f32>")
        operands += " tensor_scale %t"
        types.append("tensor<f32>")
    yt = f"tensor<{m}x{n}xf32>"
    body = "\n".join(lines)
    return (f"func.func @main(%x: tensor<{m}x{k}xf32>) -> {yt} {{\n{body}\n"
            f"  %y = linea.quant_linear {operands} format {fmt.mlir()} {{name = \"layer\"}}"
            f" : ({', '.join(types)}) -> {yt}\n  return %y : {yt}\n}}\n")


def stored_bytes(qw: F.QuantizedWeight) -> int:
    return qw.packed.nbytes + np.asarray(qw.scales).nbytes


def interleaved_medians(fns, runs, warmup=2):
    """Median ms of each callable, timed in rounds of one call each."""
    for f, _ in fns:
        for _ in range(warmup):
            f()
    times = [[] for _ in fns]
    for r in range(runs):
        for i, (f, every) in enumerate(fns):
            if r % every:
                continue
            start = time.perf_counter()
            f()
            times[i].append(time.perf_counter() - start)
    return [float(np.median(t)) * 1e3 for t in times]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--k", type=int, default=4096)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, a.k)).astype(np.float32)
    for name in a.formats:
        fmt = FORMATS[name]
        qw = random_weight(fmt, a.n, a.k, rng)
        w = qw.dequantize()
        xh = F.quantize_activations(fmt.act, x).astype(np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            src = pathlib.Path(tmp) / "layer.mlir"
            src.write_text(module_text(qw, 1))
            ours = linea.compile(src, name="layer", out_dir=pathlib.Path(tmp) / "kernel")
            ref = linea.compile(src, rewrites=["linea-to-linalg"], name="layer",
                                out_dir=pathlib.Path(tmp) / "reference")
            exact = xh.astype(np.float64) @ w.astype(np.float64).T
            for side, model in (("kernel", ours), ("reference", ref)):
                y = model(x)[0]
                err = float(np.abs(y - exact).max() / np.abs(exact).max())
                if not err < 1e-4:
                    sys.exit(f"{name}: {side} output off by {err:.3g}")
            wt = np.ascontiguousarray(w.T)
            ours_ms, ref_ms, blas_ms = interleaved_medians(
                [(lambda: ours(x), 1), (lambda: ref(x), 5), (lambda: xh @ wt, 1)], a.runs)
        nbytes = stored_bytes(qw)
        print(json.dumps({
            "bench": "quant_formats_cpu", "shape": [1, a.n, a.k], "format": fmt.mlir(),
            "ours_ms": round(ours_ms, 3), "reference_ms": round(ref_ms, 3),
            "sgemm_ms": round(blas_ms, 3), "x_reference": round(ref_ms / ours_ms, 1),
            "x_sgemm": round(blas_ms / ours_ms, 2), "stored_mb": round(nbytes / 1e6, 2),
            "ours_gb_s": round(nbytes / ours_ms / 1e6, 2),
            "threads": os.environ.get("LINEA_NUM_THREADS", "default")}), flush=True)


if __name__ == "__main__":
    main()
