#!/usr/bin/python3
"""linea.attention compiled by linea-compile (linea-cpu-attention-kernels:
fused online softmax, flash-decoding splits) against ONNX Runtime and
PyTorch on the CPU, same thread count, in f32:

    PYTHONPATH=python /usr/bin/python3 bench/cpu/attention_cpu.py \
        [--threads 2] [--runs 10] [--build build] [--cases prefill1k,...]

Cases: causal prefill (B = 1, S = T) and decode (S = 1 over a KV cache of T
keys, grouped-query). Peers:
  ort-attention  ONNX Runtime (onnxruntime-node 1.30, bench/cpu/
                 ort_model.mjs) on one opset-23 `Attention` node;
  ort-explicit   ORT on MatMul → Mul → Add(causal mask) → Softmax → MatMul
                 (GQA as a reshape of q to [B, Hkv, g·S, D], no K/V copy);
  torch          torch.nn.functional.scaled_dot_product_attention where this
                 torch has it, else the same explicit composition in torch
                 (SDPA's math path), torch.set_num_threads(threads).
Every peer's output is checked against ours (max |Δ| / max |o| < 1e-4)
before timing. Prints one JSON line per (case, peer): median ms of ours and
of the peer and peer_ms / ours_ms (> 1: ours is faster).
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "python"))
from linea.tools import median_ms  # noqa: E402

# name: (B, H, Hkv, S, T, D, causal)
CASES = {
    "prefill1k-h8-d64": (1, 8, 8, 1024, 1024, 64, True),
    "prefill2k-h16-d128": (1, 16, 16, 2048, 2048, 128, True),
    "prefill1k-h32-gqa8-d128": (1, 32, 8, 1024, 1024, 128, True),
    "decode4k-h32-gqa8-d128": (1, 32, 8, 1, 4096, 128, False),
    "decode8k-h32-gqa8-d128": (1, 32, 8, 1, 8192, 128, False),
    "decode8k-b4-h8-mqa-d64": (4, 8, 1, 1, 8192, 64, False),
}



def mlir_module(b, h, hkv, s, t, d, causal):
    qt = f"tensor<{b}x{h}x{s}x{d}xf32>"
    kt = f"tensor<{b}x{hkv}x{t}x{d}xf32>"
    attrs = " {causal}" if causal else ""
    return f"""
func.func @main(%q: {qt}, %k: {kt}, %v: {kt}) -> {qt} {{
  %o = linea.attention %q, %k, %v{attrs} : ({qt}, {kt}, {kt}) -> {qt}
  return %o : {qt}
}}
"""


def onnx_models(path, b, h, hkv, s, t, d, causal):
    """(opset-23 Attention model, explicit MatMul/Softmax model) files."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def io(name, shape):
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)

    ins = [io("q", [b, h, s, d]), io("k", [b, hkv, t, d]), io("v", [b, hkv, t, d])]
    out = [io("o", [b, h, s, d])]
    scale = 1 / np.sqrt(d)
    # Attention-23 (ORT's own kernel); causal is top-left aligned there,
    # which equals ours for S = T.
    node = helper.make_node("Attention", ["q", "k", "v"], ["o"], scale=float(scale),
                            is_causal=int(causal), q_num_heads=h, kv_num_heads=hkv)
    m = helper.make_model(helper.make_graph([node], "attention", ins, out),
                          opset_imports=[helper.make_opsetid("", 23)])
    m.ir_version = 10
    attention = path / "attention23.onnx"
    onnx.save(m, attention)

    g = h // hkv
    inits = [numpy_helper.from_array(np.array([b, hkv, g * s, d], np.int64), "qshape"),
             numpy_helper.from_array(np.array([b, h, s, d], np.int64), "oshape"),
             numpy_helper.from_array(np.array(scale, np.float32), "scale")]
    nodes = [helper.make_node("Reshape", ["q", "qshape"], ["qg"]),
             helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
             helper.make_node("MatMul", ["qg", "kt"], ["dots"]),
             helper.make_node("Mul", ["dots", "scale"], ["scores"])]
    last = "scores"
    if causal:
        # Rows of qg are (head in group, query): the mask repeats per head.
        i, j = np.meshgrid(np.arange(s), np.arange(t), indexing="ij")
        bias = np.tile(np.where(j <= i + (t - s), 0, -np.inf).astype(np.float32), (g, 1))
        inits.append(numpy_helper.from_array(bias, "causal"))
        nodes.append(helper.make_node("Add", ["scores", "causal"], ["masked"]))
        last = "masked"
    nodes += [helper.make_node("Softmax", [last], ["p"], axis=-1),
              helper.make_node("MatMul", ["p", "v"], ["og"]),
              helper.make_node("Reshape", ["og", "oshape"], ["o"])]
    m = helper.make_model(helper.make_graph(nodes, "explicit", ins, out, inits),
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    explicit = path / "explicit.onnx"
    onnx.save(m, explicit)
    return attention, explicit


def ort_time(path, model, arrays, threads, runs):
    """(ms, output) of ONNX Runtime on `model`, or (None, why)."""
    node = shutil.which("node")
    if not node:
        return None, "node is not installed"
    inputs = []
    for name, a in arrays.items():
        f = path / f"{name}.bin"
        a.astype("<f4").tofile(f)
        inputs.append({"name": name, "shape": list(a.shape), "file": str(f)})
    spec = {"model": str(model), "inputs": inputs, "output": "o",
            "out_file": str(path / "ort_out.bin"), "threads": threads, "runs": runs}
    (path / "spec.json").write_text(json.dumps(spec))
    proc = subprocess.run([node, str(HERE / "ort_model.mjs"), str(path / "spec.json")],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1] if proc.stderr else "node failed"
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    if "peer_unavailable" in line:
        return None, line["peer_unavailable"]
    return line["peer_ms"], np.fromfile(path / "ort_out.bin", "<f4")


def torch_attention(torch, q, k, v, causal):
    import torch.nn.functional as F
    b, h, s, d = q.shape
    hkv, t = k.shape[1], k.shape[2]
    if hasattr(F, "scaled_dot_product_attention"):
        if h != hkv:
            k = k.repeat_interleave(h // hkv, dim=1)
            v = v.repeat_interleave(h // hkv, dim=1)
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    qg = q.reshape(b, hkv, (h // hkv) * s, d)
    scores = torch.matmul(qg, k.transpose(-1, -2)) * (1 / d**0.5)
    if causal:
        mask = torch.ones(s, t, dtype=torch.bool).triu(t - s + 1).repeat(h // hkv, 1)
        scores = scores.masked_fill(mask, float("-inf"))
    return torch.matmul(torch.softmax(scores, dim=-1), v).reshape(b, h, s, d)


def rel_err(a, b):
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return float(np.abs(a - b).max() / np.abs(b).max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--build", help="build directory (default: $LINEA_BUILD_DIR or build)")
    ap.add_argument("--cases", help="comma-separated names (default: all): " + ", ".join(CASES))
    a = ap.parse_args()
    if a.build:
        os.environ["LINEA_BUILD_DIR"] = a.build
    # The thread count is fixed when the library is compiled.
    os.environ["LINEA_NUM_THREADS"] = str(a.threads)
    import linea
    import torch
    torch.set_num_threads(a.threads)
    names = a.cases.split(",") if a.cases else list(CASES)
    rng = np.random.default_rng(0)
    for name in names:
        b, h, hkv, s, t, d, causal = CASES[name]
        q = rng.standard_normal((b, h, s, d), dtype=np.float32)
        k = rng.standard_normal((b, hkv, t, d), dtype=np.float32)
        v = rng.standard_normal((b, hkv, t, d), dtype=np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            src = tmp / "attention.mlir"
            src.write_text(mlir_module(b, h, hkv, s, t, d, causal))
            model = linea.compile(src, target="cpu", name="attention", out_dir=tmp / "lib")
            ours = model(q, k, v)  # one output: the array itself
            ours_ms = median_ms(lambda: model(q, k, v), a.runs)
            flops = 4 * b * h * s * t * d * (0.5 if causal and s == t else 1)
            base = {"bench": "attention_cpu", "case": name,
                    "shape": {"B": b, "H": h, "Hkv": hkv, "S": s, "T": t, "D": d,
                              "causal": causal},
                    "threads": a.threads, "ours_ms": round(ours_ms, 3),
                    "ours_gflops": round(flops / ours_ms / 1e6, 1)}

            tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))
            with torch.no_grad():
                ref = torch_attention(torch, tq, tk, tv, causal).numpy()
                err = rel_err(ours, ref)
                if not err < 1e-4:
                    sys.exit(f"{name}: ours differs from torch by {err:.3g}")
                peer_ms = median_ms(lambda: torch_attention(torch, tq, tk, tv, causal), a.runs)
            peer = "torch-sdpa" if hasattr(torch.nn.functional, "scaled_dot_product_attention") \
                else "torch-explicit"
            print(json.dumps({**base, "peer": f"{peer}-{torch.__version__}",
                              "peer_ms": round(peer_ms, 3),
                              "ratio": round(peer_ms / ours_ms, 2), "max_rel_err": err}),
                  flush=True)

            attention, explicit = onnx_models(tmp, b, h, hkv, s, t, d, causal)
            arrays = {"q": q, "k": k, "v": v}
            for peer, path in (("ort-attention", attention), ("ort-explicit", explicit)):
                ms, out = ort_time(tmp, path, arrays, a.threads, a.runs)
                if ms is None:
                    print(json.dumps({**base, "peer": peer, "peer_unavailable": out}), flush=True)
                    continue
                err = rel_err(out, ours)
                if not err < 1e-4:
                    sys.exit(f"{name}: {peer} differs from ours by {err:.3g}")
                print(json.dumps({**base, "peer": peer, "peer_ms": round(ms, 3),
                                  "ratio": round(ms / ours_ms, 2), "max_rel_err": err}),
                      flush=True)


if __name__ == "__main__":
    main()
