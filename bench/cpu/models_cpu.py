#!/usr/bin/python3
"""Whole ONNX models on CPU: linea-compile's library against ONNX Runtime.

PERF.md's "whole ONNX models" row: an MLP, a transformer encoder layer and a
Llama-style block, exported by torch at opset 17 in sizes where the linear
layers dominate, each compiled by `linea.compile` dense and int4 (g128,
weight-only), and ONNX Runtime 1.30 (npm onnxruntime-node, the same .onnx,
all graph optimizations) as the peer. Each output is checked against torch
first (dense: relative error ≤ 1e-4; int4: printed, since it is lossy);
then linea and ORT are timed in turn, per thread count, median of --runs.

    /usr/bin/python3 bench/cpu/models_cpu.py [--models mlp-m1,llama-t32,..]
        [--threads 1,2] [--runs 20] [--rounds 1] [--work DIR]
        [--baseline-build DIR]

--rounds R repeats the timings (ORT, then each linea form) R times in turn
and reports the medians (on a loaded machine, interleaved pairs).
--baseline-build DIR also compiles the dense model with DIR's linea-compile
(form "dense-base", e.g. the build before a change) and times it in the same
rounds.

prints one JSON line per (model, form, threads): {bench, shape, dtype, peer,
ours_ms, peer_ms, speedup} with speedup = ORT dense ms / linea ms (int4 is
compared with ORT running the dense model, the PERF.md target "int4 ≥ 3×").
Without onnxruntime-node (see docs/benchmarks.md) the lines carry
`"peer": "ort:unavailable"` and `peer_ms: null`.
"""

import argparse
import json
import pathlib
import subprocess
import sys

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "examples"))

import linea  # noqa: E402
from linea import tools  # noqa: E402
import llama_block  # noqa: E402

ORT_RUNNER = ROOT / "bench" / "cpu" / "ort_model.mjs"


def mlp(rows):
    """Linear/GELU MLP with a LayerNorm, hidden 1024, FFN 4096."""
    model = torch.nn.Sequential(
        torch.nn.Linear(1024, 4096), torch.nn.GELU(), torch.nn.Linear(4096, 1024),
        torch.nn.LayerNorm(1024), torch.nn.Linear(1024, 4096), torch.nn.GELU(),
        torch.nn.Linear(4096, 1024))
    return model, torch.randn(rows, 1024)


def encoder(tokens):
    """torch.nn.TransformerEncoderLayer, d 1024, 16 heads, FFN 4096."""
    model = torch.nn.TransformerEncoderLayer(
        d_model=1024, nhead=16, dim_feedforward=4096, dropout=0.0, batch_first=True)
    return model, torch.randn(1, tokens, 1024)


# name → (builder, rows or tokens): decode-like (1 row) and prefill-like.
MODELS = {"mlp-m1": (mlp, 1), "mlp-m16": (mlp, 16), "encoder-t64": (encoder, 64),
          "llama-t1": (None, 1), "llama-t32": (None, 32)}


def export_torch(builder, rows, path):
    torch.manual_seed(0)
    model, x = builder(rows)
    model.eval()
    with torch.no_grad():
        y = model(x)
    # Outside no_grad: TransformerEncoderLayer's fused fast path does not export.
    torch.onnx.export(model, (x,), str(path), opset_version=17,
                      input_names=["x"], output_names=["y"])
    return x.numpy(), y.numpy()


def export(name, work):
    """(onnx path, x, torch's y) for model `name`, exported once into work/."""
    out = work / name
    path = out / f"{name}.onnx"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        builder, rows = MODELS[name]
        if builder is None:
            # The Llama-style block at TinyLlama's widths.
            onnx_path, x, y = llama_block.export(out, hidden=2048, heads=32, kv_heads=4,
                                                 ffn=5632, seq=rows)
            onnx_path.rename(path)
        else:
            x, y = export_torch(builder, rows, path)
        np.save(out / "x.npy", x)
        np.save(out / "y.npy", y)
    return path, np.load(out / "x.npy"), np.load(out / "y.npy")


def rel_err(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def ort_time(path, x, y, threads, runs, work):
    """(peer name, median ms) of ORT on `path`, after checking its output."""
    raw = work / "x.bin"
    x.astype(np.float32).tofile(raw)
    spec = {"model": str(path), "threads": threads, "runs": runs, "output": "y",
            "out_file": str(work / "ort_y.bin"),
            "inputs": [{"name": "x", "shape": list(x.shape), "file": str(raw)}]}
    spec_path = work / "ort_spec.json"
    spec_path.write_text(json.dumps(spec))
    proc = subprocess.run(["node", str(ORT_RUNNER), str(spec_path)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        return "ort:unavailable", None, proc.stderr.strip()[:200]
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    if "peer_unavailable" in line:
        return "ort:unavailable", None, line["peer_unavailable"]
    y_ort = np.fromfile(work / "ort_y.bin", dtype=np.float32).reshape(y.shape)
    err = rel_err(y_ort, y)
    if err > 1e-4:
        raise SystemExit(f"ORT output differs from torch on {path.name}: {err:.2e}")
    return line["peer"], line["peer_ms"], None


FORMS = {"dense": [], "int4": ["linea-quantize{format=int4 group-size=128}"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--forms", default="dense,int4")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--baseline-build", default=None)
    ap.add_argument("--work", default=str(tools.build_dir() / "bench-models"))
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    threads = [int(t) for t in a.threads.split(",")]
    table = []
    for name in a.models.split(","):
        path, x, y = export(name, work)
        compiled = {}
        for form in a.forms.split(","):
            m = linea.compile(path, rewrites=FORMS[form], out_dir=work / name / form,
                              threads=max(threads))
            err = rel_err(m(x), y)
            if form == "dense" and err > 1e-4:
                raise SystemExit(f"linea's dense {name} differs from torch: {err:.2e}")
            compiled[form] = (m, err)
        if a.baseline_build:
            import os
            saved = os.environ.get("LINEA_BUILD_DIR")
            os.environ["LINEA_BUILD_DIR"] = a.baseline_build
            try:
                m = linea.compile(path, out_dir=work / name / "dense-base",
                                  threads=max(threads))
            finally:
                if saved is None:
                    del os.environ["LINEA_BUILD_DIR"]
                else:
                    os.environ["LINEA_BUILD_DIR"] = saved
            compiled["dense-base"] = (m, rel_err(m(x), y))
        for t in threads:
            times = {form: [] for form in compiled}
            peer_times = []
            for _ in range(a.rounds):
                peer, peer_ms, why = ort_time(path, x, y, t, a.runs, work)
                peer_times.append(peer_ms)
                for form, (m, err) in compiled.items():
                    m.set_threads(t)
                    times[form].append(tools.median_ms(lambda: m(x), a.runs))
            if peer_ms is not None:
                peer_ms = float(np.median(peer_times))
            for form, (m, err) in compiled.items():
                ours = float(np.median(times[form]))
                line = {"bench": "model", "shape": f"{name} x{list(x.shape)}",
                        "dtype": {"dense": "f32", "dense-base": "f32 (baseline build)"}.get(
                            form, "int4-g128"),
                        "threads": t, "peer": peer + ("" if form.startswith("dense") else " (dense f32)"),
                        "ours_ms": round(ours, 4), "peer_ms": peer_ms,
                        "speedup": round(peer_ms / ours, 3) if peer_ms else None,
                        "rel_err_vs_torch": float(f"{err:.3g}")}
                if why:
                    line["peer_unavailable"] = why
                print(json.dumps(line), flush=True)
                table.append(line)
    print("| model | form | threads | linea ms | ORT f32 ms | × ORT | rel. err vs torch |",
          file=sys.stderr)
    print("|---|---|---|---|---|---|---|", file=sys.stderr)
    for r in table:
        print(f"| {r['shape']} | {r['dtype']} | {r['threads']} | {r['ours_ms']:.2f} | "
              f"{r['peer_ms'] or '–'} | {r['speedup'] or '–'} | {r['rel_err_vs_torch']:.1e} |",
              file=sys.stderr)


if __name__ == "__main__":
    main()
