#!/usr/bin/python3
"""linea's Python CUDA path on a GPU: CudaArtifacts.run_kernel and the whole
digits model through its host program, against the CPU library and numpy.

Two steps, because the GPU machine has no MLIR:

    # here: compile the digits model for CUDA (int4 g128, --host-fallback)
    # and for the CPU, and store what the GPU side compares with
    /usr/bin/python3 scripts/cuda_python_check.py prepare build-lead/cuda-digits
    # on the GPU machine (runtime/ built with CMake):
    LINEA_CUDA_RUNTIME=build-rt/liblinea_cuda.so \\
        /usr/bin/python3 scripts/cuda_python_check.py check build-lead/cuda-digits

`prepare` writes into DIR the CUDA artifacts (manifest.json, PTX, cubin,
weights.npz), host_params.npz (positions and RMSNorm scales from the ONNX
file, so the GPU side needs no onnx package), cpu_logits.npy (the CPU
library compiled with the same rewrites) and host_logits.npy (the host
program with every layer in numpy from weights.npz).

`check` prints JSON lines: for every kernel layer, run_kernel on random
inputs against numpy on the same weights; then the whole model with
CudaLayers (kernels for the layers, numpy for host_ops and the rest)
against the CPU library and the numpy host program: max |Δlogits|,
argmax agreement and top-1 accuracy on the 360 held-out images. Exit
status 1 when a kernel's relative error exceeds 1e-2 or the GPU accuracy is
more than 0.01 below the CPU's.
"""

import argparse
import json
import pathlib
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
import linea  # noqa: E402
from linea import cuda, digits  # noqa: E402

# The embedding (K = 8) stays f32: no CUDA kernel takes it, the host does.
REWRITES = ["linea-quantize{format=int4 group-size=128 only=/blocks*,/head/Gemm}"]
KERNEL_TOL, ACCURACY_TOL = 1e-2, 0.01


def load_test():
    return np.load(digits.DATA / "test_pixels.npy"), np.load(digits.DATA / "test_labels.npy")


def accuracy(logits, labels):
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def prepare(out_dir):
    pixels, labels = load_test()
    dims = {"batch": len(pixels)}
    art = linea.compile(digits.MODEL, rewrites=REWRITES, target="cuda", name="digits",
                        out_dir=out_dir, dims=dims, host_fallback=True)
    params = digits.host_params()
    np.savez(out_dir / "host_params.npz", **params)
    with tempfile.TemporaryDirectory() as tmp:  # not carried to the GPU machine
        cpu_logits = linea.compile(digits.MODEL, rewrites=REWRITES, target="cpu",
                                   name="digits_cpu", out_dir=tmp, dims=dims)(pixels)
    np.save(out_dir / "cpu_logits.npy", cpu_logits)
    host_logits = digits.forward(pixels, art.host_layers().linear, params)
    np.save(out_dir / "host_logits.npy", host_logits)
    print(json.dumps({"prepared": str(out_dir), "kernels": len(art.kernels),
                      "host_ops": [(o["op"], o["layer"]) for o in art.host_ops],
                      "cpu_accuracy": accuracy(cpu_logits, labels),
                      "host_accuracy": accuracy(host_logits, labels),
                      "host_vs_cpu_max_abs": float(np.abs(host_logits - cpu_logits).max())}))


def check_kernels(art, rng):
    """run_kernel on every kernel layer against numpy (HostLayers)."""
    host, ok = art.host_layers(), True
    for step in art.launch_plan():
        if step["where"] != "gpu":
            continue
        entry = art.kernel(step["symbol"])
        xs = entry["args"][0]
        x = rng.standard_normal(xs["shape"]).astype(np.float32)
        # A fused epilogue's per-call operand (a residual or SwiGLU's up)
        # goes after the weights, as the manifest lists it.
        fused = entry.get("epilogue") or {}
        extra, combine = [], {}
        if fused.get("combine"):
            rs = next(a for a in entry["args"] if a["name"] == "residual")
            r = rng.standard_normal(rs["shape"]).astype(np.float32)
            extra, combine = [cuda._from_float(r, rs["dtype"])], {fused["combine"]: r}
        y = art.run_kernel(step["symbol"], cuda._from_float(x, xs["dtype"]),
                           *art.layer_weights(entry), *extra)
        y = cuda._as_float(y, entry["args"][-1]["dtype"])
        ref = host.linear(step["layer"], x, act=fused.get("activation"), **combine)
        rel = float(np.linalg.norm(y - ref) / max(np.linalg.norm(ref), 1e-30))
        ok &= rel <= KERNEL_TOL and bool(np.isfinite(y).all())
        print(json.dumps({"check": "run_kernel", "layer": step["layer"],
                          "symbol": step["symbol"], "m": entry["m"], "n": entry["n"],
                          "k": entry["k"], "rel_err": rel,
                          "ok": rel <= KERNEL_TOL}), flush=True)
    return ok


def check(out_dir):
    art = linea.CudaArtifacts(out_dir, "digits", json.loads(
        (out_dir / "digits.report.json").read_text()))
    pixels, labels = load_test()
    params = dict(np.load(out_dir / "host_params.npz"))
    cpu_logits = np.load(out_dir / "cpu_logits.npy")
    host_logits = np.load(out_dir / "host_logits.npy")
    print(json.dumps({"plan": [(s["layer"], s["where"], s["symbol"] or s["reason"])
                               for s in art.launch_plan()]}), flush=True)
    ok = check_kernels(art, np.random.default_rng(0))
    with art.layers() as gpu:
        logits = digits.forward(pixels, gpu.linear, params)
        calls = list(gpu.calls)
    gpu_acc, cpu_acc = accuracy(logits, labels), accuracy(cpu_logits, labels)
    ok &= gpu_acc >= cpu_acc - ACCURACY_TOL
    print(json.dumps({
        "check": "digits whole model", "images": len(labels),
        "layers_on_gpu": sum(c in {s["layer"] for s in art.launch_plan()
                                   if s["where"] == "gpu"} for c in calls),
        "layer_calls": len(calls),
        "gpu_accuracy": gpu_acc, "cpu_accuracy": cpu_acc,
        "host_accuracy": accuracy(host_logits, labels),
        "gpu_vs_cpu_max_abs": float(np.abs(logits - cpu_logits).max()),
        "gpu_vs_host_max_abs": float(np.abs(logits - host_logits).max()),
        "argmax_agree_cpu": float(np.mean(logits.argmax(1) == cpu_logits.argmax(1))),
        "ok": bool(ok)}), flush=True)
    print(f"digits on the GPU: top-1 accuracy {gpu_acc:.4f} (CPU library {cpu_acc:.4f}) on "
          f"{len(labels)} held-out images: {'PASS' if ok else 'FAIL'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", choices=["prepare", "check"])
    ap.add_argument("dir", type=pathlib.Path)
    a = ap.parse_args()
    if a.step == "prepare":
        prepare(a.dir.resolve())
    else:
        try:
            sys.exit(0 if check(a.dir.resolve()) else 1)
        except cuda.CudaError as e:
            print(json.dumps({"check": "cuda", "error": str(e), "ok": False}))
            sys.exit(1)


if __name__ == "__main__":
    main()
