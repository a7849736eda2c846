#!/usr/bin/python3
"""Writes the ONNX models that bench/cpu/ort_peer.mjs times ONNX Runtime on.

One model per (path, N×K): `layers` parallel linear layers y_i = x · W_iᵀ on
one input x[M, K] (M dynamic), each with its own weights, so that one run
streams `layers` weight copies (docs/PERF.md's rotation over ≥ 4× the L3 for
M ≤ 16, without per-run binding overhead). Paths (ONNX Runtime's own):

  f32      MatMul on W_iᵀ [K, N] f32
  dq8      com.microsoft.DynamicQuantizeMatMul: x quantized per run (u8),
           B int8 [K, N] symmetric per-column f32 scales (W8A8, dynamic)
  nbits8   com.microsoft.MatMulNBits bits=8, block_size 256 (ORT's largest):
           weight-only int8, each row's one scale repeated per block
           (code + 128 stored, default zero point 128)
  nbits4   com.microsoft.MatMulNBits bits=4, block_size=128, accuracy_level 0
           (f32 compute): int4 g128 symmetric (code + 8 stored, default zp 8)
  nbits4a4 the same weights with accuracy_level 4 (x quantized to int8)

Layout of MatMulNBits (ORT contrib-op spec): B uint8 [N, K/block, block·bits/8],
codes packed low nibble first along K; scales [N · K/block], same type as x.

Next to each model goes a check: x[3, K] and numpy's y for the first and last
layer, computed from the same codes in float64 (dq8 emulates
DynamicQuantizeLinear, so its check is exact up to rounding). A manifest.json
lists everything. Usage:
  make_ort_models.py --out DIR [--shapes 4096x4096,11008x4096]
      [--paths f32,dq8,nbits8,nbits4,nbits4a4] [--l3-mib 32]
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CHECK_M = 3


def layers_for(stored_bytes, l3_bytes):
    """Copies so that one run streams ≥ 4× the L3 (at least one)."""
    return max(1, -(-4 * l3_bytes // stored_bytes))


def make_f32(rng, n, k):
    w = (rng.uniform(-1, 1, size=(n, k)) / np.sqrt(k)).astype(np.float32)
    return {"inits": [w.T.copy()], "dense": w.astype(np.float64)}


def int8_codes(rng, n, k):
    codes = rng.integers(-127, 128, size=(n, k), dtype=np.int64)
    scales = ((0.5 + rng.uniform(size=n)) / (8 * np.sqrt(k))).astype(np.float32)
    dense = codes.astype(np.float64) * scales.astype(np.float64)[:, None]
    return codes, scales, dense


def make_dq8(rng, n, k):
    codes, scales, dense = int8_codes(rng, n, k)
    b = codes.T.astype(np.int8).copy()  # [K, N]
    return {"inits": [b, scales], "dense": dense, "codes": codes,
            "scales": scales}


def nbits8_block(k):
    """ORT 1.30's MatMulNBits takes blocks of 16 … 256 only: the largest
    that divides K, each block repeating its row's scale (per channel)."""
    return next(b for b in (256, 128, 64, 32, 16) if k % b == 0)


def make_nbits8(rng, n, k):
    codes, scales, dense = int8_codes(rng, n, k)
    block = nbits8_block(k)
    b = (codes + 128).astype(np.uint8).reshape(n, k // block, block)
    return {"inits": [b, np.repeat(scales, k // block)], "dense": dense,
            "block": block, "bits": 8}


def make_nbits4(rng, n, k, block=128):
    groups = k // block
    codes = rng.integers(-8, 8, size=(n, k), dtype=np.int64)
    scales = ((0.5 + rng.uniform(size=(n, groups))) /
              (8 * np.sqrt(k))).astype(np.float32)
    dense = codes.astype(np.float64) * np.repeat(
        scales.astype(np.float64), block, axis=1)
    u = (codes + 8).astype(np.uint8)
    packed = (u[:, 0::2] | (u[:, 1::2] << 4)).astype(np.uint8)
    return {"inits": [packed.reshape(n, groups, block // 2),
                      scales.reshape(-1)],
            "dense": dense, "block": block, "bits": 4}


MAKERS = {"f32": make_f32, "dq8": make_dq8, "nbits8": make_nbits8,
          "nbits4": make_nbits4, "nbits4a4": make_nbits4}


def stored_bytes(path, n, k):
    return {"f32": 4 * n * k, "dq8": n * k + 4 * n,
            "nbits8": n * k + 4 * n * k // nbits8_block(k),
            "nbits4": n * k // 2 + 4 * n * k // 128,
            "nbits4a4": n * k // 2 + 4 * n * k // 128}[path]


def node_for(path, i, n, k, layer):
    names = [f"{p}{i}" for p in ("w", "s")][:len(layer["inits"])]
    if path == "f32":
        return helper.make_node("MatMul", ["x", names[0]], [f"y{i}"]), names
    if path == "dq8":
        return helper.make_node("DynamicQuantizeMatMul", ["x"] + names,
                                [f"y{i}"], domain="com.microsoft"), names
    return helper.make_node(
        "MatMulNBits", ["x"] + names, [f"y{i}"], domain="com.microsoft",
        K=k, N=n, bits=layer["bits"], block_size=layer["block"],
        accuracy_level=4 if path == "nbits4a4" else 0), names


def dynamic_quantize(x):
    """numpy's DynamicQuantizeLinear (ONNX spec): u8, scale, zero point."""
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((hi - lo) / 255.0)
    zp = np.clip(np.rint(np.float32(-lo) / scale), 0, 255)
    q = np.clip(np.rint(x / scale) + zp, 0, 255)
    return q.astype(np.float64), float(scale), float(zp)


def reference(path, x, layer):
    if path == "dq8":
        q, sx, zx = dynamic_quantize(x)
        acc = (q - zx) @ layer["codes"].T.astype(np.float64)
        return acc * sx * layer["scales"].astype(np.float64)[None, :]
    return x.astype(np.float64) @ layer["dense"].T


def write_model(out, path, n, k, l3_bytes, seed):
    layers = layers_for(stored_bytes(path, n, k), l3_bytes)
    rng = np.random.default_rng(seed)
    x_check = rng.uniform(-1, 1, size=(CHECK_M, k)).astype(np.float32)
    nodes, inits, outputs, refs = [], [], [], []
    for i in range(layers):
        layer = MAKERS[path](rng, n, k)
        node, names = node_for(path, i, n, k, layer)
        nodes.append(node)
        inits += [numpy_helper.from_array(a, name)
                  for a, name in zip(layer["inits"], names)]
        outputs.append(helper.make_tensor_value_info(
            f"y{i}", TensorProto.FLOAT, ["M", n]))
        if i in (0, layers - 1):
            refs.append(reference(path, x_check, layer).astype(np.float32))
        del layer
    graph = helper.make_graph(
        nodes, f"{path}_{n}x{k}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["M", k])],
        outputs, inits)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    stem = f"{path}_{n}x{k}_L{layers}"
    onnx.save_model(model, os.path.join(out, stem + ".onnx"),
                    save_as_external_data=True, all_tensors_to_one_file=True,
                    location=stem + ".data", size_threshold=1024)
    x_check.tofile(os.path.join(out, stem + ".x.bin"))
    refs[0].tofile(os.path.join(out, stem + ".y0.bin"))
    refs[-1].tofile(os.path.join(out, stem + ".ylast.bin"))
    # Exact paths agree to f32 rounding; dq8 to u8 rounding ties; level 4
    # quantizes x to int8 per block, an approximation of the f32 result.
    tol = {"nbits4a4": 3e-2}.get(path, 1e-3)
    return {"path": path, "n": n, "k": k, "layers": layers,
            "stored_bytes": stored_bytes(path, n, k),
            "model": stem + ".onnx", "check_m": CHECK_M,
            "x": stem + ".x.bin", "y0": stem + ".y0.bin",
            "ylast": stem + ".ylast.bin", "tol": tol}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--shapes", default="4096x4096,11008x4096")
    p.add_argument("--paths", default="f32,dq8,nbits8,nbits4,nbits4a4")
    p.add_argument("--l3-mib", type=int, default=32)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    entries = []
    for si, shape in enumerate(a.shapes.split(",")):
        n, k = (int(v) for v in shape.split("x"))
        for path in a.paths.split(","):
            if path not in MAKERS:
                sys.exit(f"make_ort_models: unknown path '{path}' "
                         f"(known: {', '.join(MAKERS)})")
            if path.startswith("nbits4") and k % 128:
                print(f"make_ort_models: skipping {path} for K = {k} "
                      "(not a multiple of 128)", file=sys.stderr)
                continue
            e = write_model(a.out, path, n, k, a.l3_mib << 20, 1000 + si)
            print(f"make_ort_models: {e['model']}", file=sys.stderr)
            entries.append(e)
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump({"l3_mib": a.l3_mib, "models": entries}, f, indent=1)


if __name__ == "__main__":
    main()
