#!/usr/bin/python3
"""Measures linea-plan's CUDA cost model: times each form's kernel, as
linea-compile --target=cuda generates it, at a few sizes and batches, fits
per form

    t = overhead + bytes / bytes_per_s + M · flops_per_token / flops_per_s

(bench/cost_fit.py, the same fit as bench/cpu/cost_model.py) and writes the
JSON that linea-plan{target=cuda objective=latency cost-model=FILE} reads
(bench/cost-models/cuda.json is this script's output on the GPU machine and
the cost model built into linea for target=cuda; rebuild after replacing it).

The GPU machine has no MLIR, so it runs in two places:

    # here: the layers as MLIR, compiled by linea-compile --target=cuda
    scripts/cuda-cost-artifacts.sh build-lead          # → build-lead/cuda-cost
    # on the GPU machine: runtime/ built with CMake, then
    /usr/bin/python3 bench/cuda/cost_model.py --artifacts build-lead/cuda-cost \\
        --lib build-rt/liblinea_cuda.so -o bench/cost-models/cuda.json

`--emit-mlir FILE` writes the layers (one function, weights as arguments):
each form at N = K in --sizes and M in --m. On the GPU each kernel is timed
with lcu_time (CUDA events, --warmup launches, median of --iters), its
weights rotated over ≥ 256 MB of copies so that they come from HBM, not the
50 MB L2. Bytes and FLOPs per token are linea-compile's report. The layers
are compiled with --host-fallback: a form linea-to-gpu has no kernel for
lands in the manifest's host_ops, and goes to the model's "no_kernel" with
the compiler's reason, as do the forms this script has no layer for. Those
are never priced; linea-plan does not choose them for target=cuda.
"""

import argparse
import datetime
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "bench"))
from cost_fit import fitted_forms, measurements  # noqa: E402

# cost-model key (linea-plan's costKey) → the layer's weight operands as
# (name, type) and the op text, for N = K = n; generated with
# --host-fallback, so a form linea-to-gpu has no kernel for lands in the
# manifest's host_ops, and its reason in the model's "no_kernel".
def _quant(element, fmt, zeros=False, packed=2, groups=lambda n: n // 128,
           scale="bf16", tensor_scale=False):
    def make(n):
        ops = [("q", f"tensor<{n}x{n // packed}xi8>"), ("s", f"tensor<{n}x{groups(n)}x{scale}>")]
        if zeros:
            ops.append(("z", f"tensor<{n}x{groups(n)}xi8>"))
        if tensor_scale:
            ops.append(("t", "tensor<f32>"))
        return ops, "linea.quant_linear {x}, %q, %s" + (" zero_points %z" if zeros else "") + \
            (" tensor_scale %t" if tensor_scale else "") + f" format {fmt}"
    return make


def _nm(n):  # 2:4: half the values, one index byte each
    return ([("nv", f"tensor<{n}x{n // 2}xbf16>"), ("ni", f"tensor<{n}x{n // 2}xi8>")],
            "linea.nm_linear 2:4 {x}, %nv, %ni")


def _shift(n):  # T = 1 with a per-row scale
    return ([("se", f"tensor<1x{n}x{n}xi8>"), ("sg", f"tensor<1x{n}x{n}xi8>"),
             ("ss", f"tensor<{n}xbf16>")], "linea.shift_linear {x}, %se, %sg scale %ss")


def _dense(n):
    return [("w", f"tensor<{n}x{n}xbf16>")], "linea.linear {x}, %w"


def _lowrank(n):  # r = n/4: half of dense's weights
    return ([("u", f"tensor<{n}x{n // 4}xbf16>"), ("v", f"tensor<{n // 4}x{n}xbf16>")],
            "linea.lowrank_linear {x}, %u, %v")


BSR_BLOCK = (16, 32)  # half of each block row stored


def _bsr(n):
    bn, bk = BSR_BLOCK
    nnzb = (n // bn) * (n // bk) // 2
    return ([("bv", f"tensor<{nnzb}x{bn}x{bk}xbf16>"), ("bc", f"tensor<{nnzb}xi32>"),
             ("br", f"tensor<{n // bn + 1}xi32>")], "linea.bsr_linear {x}, %bv, %bc, %br")


FORMS = {
    "dense": _dense,
    "int4": _quant("int4", "<int4, group 128, scale bf16>"),
    "uint4": _quant("uint4", "<uint4, group 128, scale bf16>", zeros=True),
    "int8": _quant("int8", "<int8, scale bf16>", packed=1, groups=lambda n: 1),
    "fp8_e4m3": _quant("fp8_e4m3", "<fp8_e4m3, scale bf16>", packed=1, groups=lambda n: 1),
    "lowrank": _lowrank,
    "bsr": _bsr,
    "uint8": _quant("uint8", "<uint8, scale bf16>", zeros=True, packed=1, groups=lambda n: 1),
    "fp8_e5m2": _quant("fp8_e5m2", "<fp8_e5m2, scale bf16>", packed=1, groups=lambda n: 1),
    "nf4": _quant("nf4", "<nf4, scale bf16>", groups=lambda n: n // 64),
    "mxfp4": _quant("mxfp4", "<mxfp4>", groups=lambda n: n // 32, scale="f8E8M0FNU"),
    "nvfp4": _quant("nvfp4", "<nvfp4>", groups=lambda n: n // 16, scale="f8E4M3FN",
                    tensor_scale=True),
    "nm": _nm,
    "shift": _shift,
}
# Forms this script has no layer for: never priced (linea-to-gpu had no
# kernel for them when it was written: docs/cuda.md, "What is generated").
NOT_GENERATED = {
    "int6": "no CUDA kernel for int6 weights in linea-to-gpu; not measured",
    **{f: f"no CUDA kernel for linea.{f}_linear in linea-to-gpu; not measured"
       for f in ("blockdiag", "monarch", "btt", "kron", "blast")},
}
ROTATE_BYTES = 256 << 20


def layer_name(form, n, m):
    return f"{form}_n{n}_m{m}"


def form_of(layer):
    return layer.rsplit("_n", 1)[0]


def emit_mlir(sizes, batches):
    """One function applying every (form, N = K, M) layer; weights, scales,
    indices and zero points are arguments, so kernels take device pointers."""
    args, results, body = [], [], []
    for n in sizes:
        for m in batches:
            x = f"%x_{n}_{m}"
            xtype, out = f"tensor<{m}x{n}xbf16>", f"tensor<{m}x{n}xbf16>"
            args.append(f"{x}: {xtype}")
            for form, make in FORMS.items():
                name = layer_name(form, n, m)
                operands, text = make(n)
                for arg, type_ in operands:
                    args.append(f"%{arg}_{name}: {type_}")
                    text = text.replace(f"%{arg},", f"%{arg}_{name},")
                    text = text.replace(f"%{arg} ", f"%{arg}_{name} ")
                    if text.endswith(f"%{arg}"):
                        text = text[:-len(arg) - 1] + f"%{arg}_{name}"
                types = ", ".join([xtype] + [t for _, t in operands])
                y = f"%y_{name}"
                body.append(f"  {y} = {text.format(x=x)} {{name = \"{name}\"}} : "
                            f"({types}) -> {out}")
                results.append((y, out))
    return ("// CUDA cost-model layers (bench/cuda/cost_model.py --emit-mlir)\n"
            f"func.func @layers({', '.join(args)})\n"
            f"    -> ({', '.join(t for _, t in results)}) {{\n" + "\n".join(body) + "\n"
            f"  return {', '.join(v for v, _ in results)} : "
            f"{', '.join(t for _, t in results)}\n}}\n")


def random_arg(rng, spec):
    """Random contents for a kernel argument: bf16 values in [-1, 1) (as
    bits), small positive bf16 scales, any int8 codes."""
    from linea import cuda, formats

    shape = spec["shape"]
    if spec["dtype"] in ("i8", "f8E8M0FNU", "f8E4M3FN"):  # codes, any byte
        return rng.integers(-128, 128, size=shape, dtype=np.int8)
    if spec["dtype"] in ("i32", "i64"):
        return np.zeros(shape, cuda.numpy_dtype(spec["dtype"]))
    values = rng.uniform(-1, 1, size=shape).astype(np.float32)
    if spec["name"] == "scales":
        values = np.abs(values) * 0.01 + 1e-3
    if spec["dtype"] == "bf16":
        return formats.f32_to_bf16_bits(values)
    return values.astype(cuda.numpy_dtype(spec["dtype"]))


def bsr_indices(entry):
    """Valid col_indices and row_offsets for a bsr_linear kernel: the same
    number of blocks in every block row, spread over the block columns."""
    specs = {a["name"]: a for a in entry["args"]}
    nnzb, rows = specs["col_indices"]["shape"][0], specs["row_offsets"]["shape"][0] - 1
    per_row, block_cols = nnzb // rows, entry["k"] // specs["values"]["shape"][2]
    index = np.dtype(specs["col_indices"]["dtype"].replace("i", "int"))
    cols = np.tile(np.arange(per_row) * (block_cols // per_row), rows).astype(index)
    return {"col_indices": cols, "row_offsets": (np.arange(rows + 1) * per_row).astype(index)}


def time_kernel(runtime, entry, rng, warmup, iters):
    """Median seconds of one launch of `entry`, weights rotated."""
    from linea.cuda import arg_bytes

    specs = entry["args"]
    weight_bytes = sum(arg_bytes(s) for s in specs[1:-1])
    sets = max(1, min(64, -(-ROTATE_BYTES // max(weight_bytes, 1))))
    x = runtime.upload(random_arg(rng, specs[0]))
    y = runtime.alloc(arg_bytes(specs[-1]))
    # One random set of weights, copied `sets` times (distinct addresses).
    fixed = bsr_indices(entry) if entry["op"] == "bsr_linear" else {}
    weights = [fixed.get(s["name"], None) for s in specs[1:-1]]
    weights = [w if w is not None else random_arg(rng, s) for w, s in zip(weights, specs[1:-1])]
    pointers = [[runtime.upload(w) for w in weights] for _ in range(sets)]
    try:
        ms = runtime.time(entry, [[x, *p, y] for p in pointers], warmup, iters)
    finally:
        for ptr in [x, y] + [q for p in pointers for q in p]:
            runtime.free(ptr)
    return float(np.median(ms)) * 1e-3


def measure(artifacts, library, warmup, iters):
    """({form: [(bytes, flops, seconds)]}, {form: why it has no kernel})
    over the artifacts' kernels and host_ops."""
    import os

    from linea import cuda

    os.environ["LINEA_CUDA_RUNTIME"] = str(library)
    manifest = json.loads((artifacts / "manifest.json").read_text())
    report = json.loads(next(artifacts.glob("*.report.json")).read_text())
    layers = {row["name"]: row["after"] for row in report["layers"]}
    runtime = cuda.load_runtime(artifacts, "cost model")
    rng = np.random.default_rng(0)
    points, seen = {}, set()
    for entry in manifest["kernels"]:
        name = entry["layer"]
        if name in seen:  # one kernel per layer: the compile's own choice
            continue
        seen.add(name)
        form = form_of(name)
        after = layers[name]
        seconds = time_kernel(runtime, entry, rng, warmup, iters)
        flops = entry["m"] * after["flops_per_token"]
        points.setdefault(form, []).append((after["bytes"], flops, seconds))
        print(json.dumps({"form": form, "N": entry["n"], "K": entry["k"], "M": entry["m"],
                          "symbol": entry["symbol"], "bytes": after["bytes"], "flops": flops,
                          "us": round(seconds * 1e6, 2),
                          "weight_gbps": round(after["bytes"] / seconds / 1e9, 1)}),
              file=sys.stderr, flush=True)
    no_kernel = {form_of(op["layer"]): op["reason"] for op in manifest.get("host_ops", [])
                 if form_of(op["layer"]) not in points}  # a form some shapes run is priced
    return points, no_kernel


def validate(model):
    """The rules of CostModel.cpp's parseCostModel, for checking a file where
    linea-opt is not (the GPU machine): [] or the problems found."""
    problems = []
    forms = model.get("forms")
    if not isinstance(forms, dict) or "dense" not in forms:
        return ['needs "forms" with a "dense" entry']
    for key, entry in forms.items():
        for field, required in (("bytes_per_s", True), ("flops_per_s", True),
                                ("overhead_s", False)):
            v = entry.get(field) if isinstance(entry, dict) else None
            if v is None and not required:
                continue
            if not isinstance(v, (int, float)) or not np.isfinite(v) or (
                    v <= 0 if required else v < 0):
                problems.append(f"forms.{key}.{field} = {v!r}")
    for key, why in model.get("no_kernel", {}).items():
        if not isinstance(why, str) or key in forms:
            problems.append(f"no_kernel.{key} = {why!r}")
    return problems


def device_name():
    import subprocess

    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version",
                               "--format=csv,noheader"], capture_output=True, text=True,
                              check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown GPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emit-mlir", metavar="FILE", help="write the layers' MLIR and stop")
    ap.add_argument("--validate", metavar="FILE", help="check a cost-model file and stop")
    ap.add_argument("--sizes", default="4096,8192")
    ap.add_argument("--m", default="1,16,64")
    ap.add_argument("--artifacts", type=pathlib.Path, help="linea-compile --target=cuda output")
    ap.add_argument("--lib", type=pathlib.Path, help="runtime/'s liblinea_cuda.so")
    ap.add_argument("-o", "--output", help="cost-model JSON to write")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--iters", type=int, default=100)
    a = ap.parse_args()
    if a.validate:
        problems = validate(json.loads(pathlib.Path(a.validate).read_text()))
        print(f"{a.validate}: " + ("; ".join(problems) if problems else "valid cost model"))
        sys.exit(1 if problems else 0)
    if a.emit_mlir:
        sizes = [int(s) for s in a.sizes.split(",")]
        batches = [int(s) for s in a.m.split(",")]
        pathlib.Path(a.emit_mlir).write_text(emit_mlir(sizes, batches))
        return
    if not (a.artifacts and a.lib and a.output):
        sys.exit("cost_model.py: give --emit-mlir FILE, or --artifacts, --lib and -o")
    points, no_kernel = measure(a.artifacts, a.lib, a.warmup, a.iters)
    if "dense" not in points:
        sys.exit(f"{a.artifacts}: no dense layer among the kernels")
    forms = fitted_forms(points)
    shapes = sorted({(e["n"], e["m"]) for e in json.loads(
        (a.artifacts / "manifest.json").read_text())["kernels"]})
    model = {
        "target": "cuda",
        "source": (f"bench/cuda/cost_model.py on {device_name()}, "
                   f"{datetime.date.today().isoformat()}: bf16 activations, N=K and M in "
                   f"{shapes}, the kernel linea-compile --target=cuda picks per layer, "
                   f"median of {a.iters} event-timed launches, weights rotated over "
                   f"{ROTATE_BYTES >> 20} MB"),
        "forms": forms,
        "no_kernel": {**NOT_GENERATED, **no_kernel},
        "measurements": measurements(points),
    }
    pathlib.Path(a.output).write_text(json.dumps(model, indent=2) + "\n")
    print(json.dumps(forms, indent=2))


if __name__ == "__main__":
    main()
