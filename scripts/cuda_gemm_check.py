"""Check and time the wgmma GEMM kernels (manifest `kind` = "wgmma").

Called by scripts/cuda_device_check.py for every such entry (GPU machine
only). Check: fresh random x ~ N(0, 1), W ~ N(0, 0.05²), bias ~ N(0, 1),
y poisoned with NaN, one launch, ‖y − ref‖_F / ‖ref‖_F against a reference
from the same 16-bit inputs (float64 below 2^31 multiply-adds, else float32
with TF32 off), tolerance by output dtype (1e-2 bf16, 2e-3 f16, 1e-4 f32
over the f32 accumulation), every element written. Time: median of CUDA
events over `iters` launches after `warmup`, next to torch.matmul(x, W.t())
in the inputs' type (cuBLAS; + bias as torch.addmm when there is one) timed
the same way; TFLOP/s count 2·M·N·K.
"""

import statistics

import torch

from cuda_timing import apply_epilogue, median_event_ms

DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}
REL_TOL = {"bf16": 1e-2, "f16": 2e-3, "f32": 1e-4}


def handles(entry):
    return entry["op"] == "linear" and entry.get("kind") == "wgmma"


def _inputs(entry, gen):
    args = {}
    for a in entry["args"]:
        shape, dtype, name = a["shape"], DTYPES[a["dtype"]], a["name"]
        if name == "y":
            t = torch.full(shape, float("nan"), dtype=dtype, device="cuda")
        elif name == "w":
            t = (torch.randn(shape, device="cuda", generator=gen) * 0.05).to(dtype)
        else:  # x, bias, residual
            t = torch.randn(shape, device="cuda", generator=gen).to(dtype)
        args[name] = t
    return args


def _reference(args, m, n, k):
    big = m * n * k >= (1 << 31)
    ref_type = torch.float32 if big else torch.float64
    prev = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        ref = args["x"].to(ref_type) @ args["w"].to(ref_type).t()
    finally:
        torch.backends.cuda.matmul.allow_tf32 = prev
    if "bias" in args:
        ref = ref + args["bias"].to(ref_type)
    return ref


def run(rt, entry, gen, warmup, iters):
    kernel = rt.index(entry["symbol"])
    m, n, k = entry["m"], entry["n"], entry["k"]
    args = _inputs(entry, gen)
    order = [args[a["name"]] for a in entry["args"]]
    rt.launch(kernel, order)
    torch.cuda.synchronize()
    y = args["y"].reshape(m, n)
    ref = apply_epilogue(entry, _reference(args, m, n, k), args)
    unwritten = int((~torch.isfinite(y)).sum())
    diff = torch.nan_to_num(y.to(ref.dtype), nan=0.0) - ref
    err = float(diff.norm() / ref.norm())
    ydt = entry["args"][-1]["dtype"]
    tol = REL_TOL[ydt]
    ok = err <= tol and unwritten == 0
    del ref, diff
    rec = {"bench": "cuda_gemm", "layer": entry["layer"],
           "symbol": entry["symbol"], "shape": [m, n, k],
           "dtype": f"{entry['args'][0]['dtype']}->{ydt}",
           "tile": entry.get("tile"), "grid": entry["grid"],
           "block": entry["block"], "shared_bytes": entry["shared_bytes"],
           "rel_err": err, "tol": tol, "unwritten": unwritten,
           "check": "pass" if ok else "FAIL",
           "peer": "torch.matmul (cuBLAS)"}
    # cuBLAS on the same data: its error against the same reference.
    x, w = args["x"], args["w"]
    bias = args.get("bias")
    if bias is not None and bias.dtype != x.dtype:
        bias = bias.to(x.dtype)

    def peer(_=None):  # with an epilogue: cuBLAS, then torch's ops unfused
        if bias is not None:
            return apply_epilogue(entry, torch.addmm(bias, x, w.t()), args)
        return apply_epilogue(entry, torch.matmul(x, w.t()), args)

    if ok and m * n * k >= (1 << 30):
        flops = 2.0 * m * n * k
        ours = statistics.median(rt.time(kernel, [order], warmup, iters))
        theirs = median_event_ms(peer, warmup, iters)
        rec.update(ours_ms=ours, peer_ms=theirs, speedup=theirs / ours,
                   ours_tflops=flops / (ours * 1e-3) / 1e12,
                   peer_tflops=flops / (theirs * 1e-3) / 1e12)
    del args, order
    return rec


def table(recs):
    rows = [f"{'symbol':44} {'M,N,K':>18} {'dtype':>9} {'err':>8} "
            f"{'ours ms':>8} {'cuBLAS ms':>9} {'x cuBLAS':>8} "
            f"{'ours TF/s':>9} {'cuBLAS TF/s':>11}"]
    for r in recs:
        shape = ",".join(map(str, r["shape"]))
        line = f"{r['symbol'][:44]:44} {shape:>18} {r['dtype']:>9} {r['rel_err']:8.1e}"
        if r["check"] != "pass":
            line += f" CHECK FAILED (tol {r['tol']:.0e}, {r['unwritten']} unwritten)"
        elif "ours_ms" in r:
            line += (f" {r['ours_ms']:8.3f} {r['peer_ms']:9.3f} "
                     f"{r['speedup']:8.2f} {r['ours_tflops']:9.1f} "
                     f"{r['peer_tflops']:11.1f}")
        rows.append(line)
    return "\n".join(rows)
