#!/usr/bin/env python3
"""Check and time linea's generated CUDA kernels against PyTorch on the GPU.

Run on the device machine by scripts/cuda-device-check.sh, after the runtime
(runtime/) was built there. For every kernel in ARTIFACTS/manifest.json:

  check  fresh random inputs, output poisoned with NaN, one launch through
         liblinea_cuda.so, ‖y − ref‖/‖ref‖ against a float64 PyTorch
         reference of the same dequantized weights (threshold by output
         dtype), every element written;
  time   median of CUDA-event times over --iters launches after --warmup,
         weights rotated over ≥ 256 MB (more than the L2) for memory-bound
         shapes, next to torch.matmul of the dense bf16 weight (cuBLAS) on
         the same shape with the same protocol, and a device-to-device copy
         probe (bytes read + written).

Prints one JSON line per kernel (docs/cuda.md lists the fields) and a table
at the end; --out also writes the JSON lines to a file.
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cuda_timing import apply_epilogue, compare, graph_ms_or_none, median_event_ms  # noqa: E402
import cuda_scan_check  # noqa: E402  (scans and linear-attention recurrences)
import cuda_attention_check  # linea.attention: prefill and decode
import cuda_sage_check  # noqa: E402  (linea.attention with quant)
import cuda_latent_check  # noqa: E402  (linea.latent_attention decode)
import cuda_gemm_check  # noqa: E402  (wgmma GEMM for prefill linear layers)
import cuda_forms_check  # noqa: E402  (nm, shift, fp8_e5m2/uint8/nf4/mxfp4/nvfp4)
import cuda_w8a8_check  # noqa: E402  (quant_linear with int8/fp8 activations)

DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32,
          "i8": torch.int8, "i32": torch.int32, "i64": torch.int64}
# Arguments that are neither weights nor rotated: activations, bias, output
# and the low-rank workspace t.
NOT_WEIGHTS = ("x", "y", "bias", "residual", "t", "sync")
# ‖y − ref‖ / ‖ref‖ allowed per output dtype: one rounding of y dominates.
REL_TOL = {"bf16": 1e-2, "f16": 2e-3, "f32": 1e-4}
ROTATE_BYTES = 256 << 20
GRAPH_LAUNCHES = 32  # launches per captured graph (decode timing)


class KernelInfo(ctypes.Structure):
    _fields_ = [("symbol", ctypes.c_char_p), ("layer", ctypes.c_char_p),
                ("op", ctypes.c_char_p), ("m", ctypes.c_int64),
                ("n", ctypes.c_int64), ("k", ctypes.c_int64),
                ("grid", ctypes.c_uint * 3), ("block", ctypes.c_uint * 3),
                ("shared_bytes", ctypes.c_uint), ("num_args", ctypes.c_int)]


class Runtime:
    def __init__(self, lib_path, artifacts, prefer_ptx=False):
        self.lib = ctypes.CDLL(lib_path)
        self.lib.lcu_last_error.restype = ctypes.c_char_p
        torch.zeros(1, device="cuda")  # creates the primary context first
        self._ok(self.lib.lcu_init(0), "lcu_init")
        self.module = ctypes.c_void_p()
        self._ok(self.lib.lcu_module_load(artifacts.encode(), int(prefer_ptx),
                                          ctypes.byref(self.module)),
                 "lcu_module_load")

    def _ok(self, rc, what):
        if rc != 0:
            raise RuntimeError(f"{what}: {self.lib.lcu_last_error().decode()}")

    def index(self, symbol):
        i = self.lib.lcu_find_kernel(self.module, symbol.encode())
        if i < 0:
            raise RuntimeError(f"kernel {symbol} not in the module")
        return i

    def launch(self, kernel, tensors):
        ptrs = (ctypes.c_uint64 * len(tensors))(*[t.data_ptr() for t in tensors])
        stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
        self._ok(self.lib.lcu_launch(self.module, kernel, ptrs, len(tensors),
                                     stream), "lcu_launch")

    def time(self, kernel, sets, warmup, iters):
        nargs = len(sets[0])
        flat = [t.data_ptr() for s in sets for t in s]
        ptrs = (ctypes.c_uint64 * len(flat))(*flat)
        ms = (ctypes.c_float * iters)()
        stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
        self._ok(self.lib.lcu_time(self.module, kernel, ptrs, len(sets), nargs,
                                   warmup, iters, stream, ms), "lcu_time")
        return list(ms)


def bsr_structure(entry, gen):
    """A random valid block structure: nnzb blocks spread over the block rows
    (sorted, distinct block columns per row) as (col_indices, row_offsets)."""
    nnzb = entry["args"][1]["shape"][0]
    bn, bk = entry["block_size"]
    rows, cols = entry["n"] // bn, entry["k"] // bk
    pick = torch.randperm(rows * cols, generator=gen, device="cuda")[:nnzb]
    pick, _ = torch.sort(pick)
    counts = torch.bincount(pick // cols, minlength=rows)
    offsets = torch.zeros(rows + 1, dtype=torch.int64, device="cuda")
    offsets[1:] = torch.cumsum(counts, 0)
    return pick % cols, offsets


def make_inputs(entry, gen):
    """Fresh random arguments (in manifest order) and the dense f64 weight."""
    m, n, k = entry["m"], entry["n"], entry["k"]
    args = {}
    if entry["op"] == "bsr_linear":
        cols, offsets = bsr_structure(entry, gen)
    for a in entry["args"]:
        shape, dtype = a["shape"], DTYPES[a["dtype"]]
        name = a["name"]
        if name in ("y", "t"):
            t = torch.full(shape, float("nan"), dtype=dtype, device="cuda")
        elif name == "sync":  # fused low-rank's counter: 0 before a launch
            t = torch.zeros(shape, dtype=dtype, device="cuda")
        elif name == "qweight" and entry.get("element") == "fp8_e4m3":
            # finite e4m3 codes of every magnitude (no NaN codes)
            t = (torch.randn(shape, device="cuda", generator=gen) * 64).clamp(
                -448, 448).to(torch.float8_e4m3fn).view(torch.int8)
        elif name == "qweight":
            t = torch.randint(-128, 128, shape, dtype=torch.int8, device="cuda",
                              generator=gen)
        elif name == "col_indices":
            t = cols.to(dtype)
        elif name == "row_offsets":
            t = offsets.to(dtype)
        elif name == "zero_points":
            t = torch.randint(0, 16, shape, dtype=torch.int8, device="cuda",
                              generator=gen)
        elif name == "scales":
            t = (torch.rand(shape, device="cuda", generator=gen) * 0.02
                 + 0.005).to(dtype)
        elif name in ("w", "values", "u", "v"):
            t = (torch.randn(shape, device="cuda", generator=gen) * 0.05).to(dtype)
        else:  # x, bias
            t = torch.randn(shape, device="cuda", generator=gen).to(dtype)
        args[name] = t
    return args


def dense_weight(entry, args):
    """Ŵ[N, K] in float64 as docs/formats.md decodes it."""
    if entry["op"] == "linear":
        return args["w"].double()
    n, k = entry["n"], entry["k"]
    if entry["op"] == "lowrank_linear":
        return args["u"].double() @ args["v"].double()
    if entry["op"] == "bsr_linear":
        bn, bk = entry["block_size"]
        w = torch.zeros(n // bn, bn, k // bk, bk, dtype=torch.float64,
                        device="cuda")
        offsets = args["row_offsets"].tolist()
        rows = torch.repeat_interleave(
            torch.arange(n // bn, device="cuda"),
            torch.tensor(offsets[1:], device="cuda") - torch.tensor(offsets[:-1], device="cuda"))
        w[rows, :, args["col_indices"].long(), :] = args["values"].double()
        return w.reshape(n, k)
    span = entry["group"]
    cols = torch.arange(k, device=args["qweight"].device) // span
    s = args["scales"].double()
    s = s[0:1, cols].expand(n, k) if s.shape[0] == 1 else s[:, cols]
    if entry["element"] == "int8":
        return args["qweight"].double() * s
    if entry["element"] == "fp8_e4m3":
        return args["qweight"].view(torch.float8_e4m3fn).double() * s
    b = args["qweight"].view(torch.uint8).to(torch.int32)
    codes = torch.stack([b & 0xF, b >> 4], dim=-1).reshape(n, k)
    if entry["element"] == "int4":
        q = torch.where(codes >= 8, codes - 16, codes).double()
    else:
        z = args["zero_points"].view(torch.uint8).double()
        z = z[0:1, cols].expand(n, k) if z.shape[0] == 1 else z[:, cols]
        q = codes.double() - z
    return q * s


def check(rt, entry, gen):
    kernel = rt.index(entry["symbol"])
    args = make_inputs(entry, gen)
    order = [args[a["name"]] for a in entry["args"]]
    rt.launch(kernel, order)
    torch.cuda.synchronize()
    w = dense_weight(entry, args)
    err, unwritten = compare(args, w, entry)
    tol = REL_TOL[entry["args"][-1]["dtype"]]
    return err, unwritten, err <= tol and unwritten == 0, args, w



def copy_probe(warmup, iters):
    n = 1 << 30
    src = torch.empty(n, dtype=torch.uint8, device="cuda").random_()
    dst = torch.empty_like(src)
    ms = median_event_ms(lambda i: dst.copy_(src), warmup, iters)
    return 2 * n / (ms * 1e-3) / 1e9


def weight_bytes(entry):
    return sum(math.prod(a["shape"]) * torch.tensor([], dtype=DTYPES[a["dtype"]]).element_size()
               for a in entry["args"] if a["name"] not in NOT_WEIGHTS)


def bench(rt, entry, args, w, warmup, iters, peer_cache):
    kernel = rt.index(entry["symbol"])
    wb = weight_bytes(entry)
    nsets = max(1, math.ceil(ROTATE_BYTES / wb)) if entry["m"] <= 16 else 1
    sets = []
    for s in range(nsets):
        fresh = dict(args)
        for a in entry["args"]:
            if a["name"] not in NOT_WEIGHTS:
                fresh[a["name"]] = args[a["name"]].clone() if s else args[a["name"]]
        sets.append([fresh[a["name"]] for a in entry["args"]])
    times = rt.time(kernel, sets, warmup, iters)
    ours_ms = statistics.median(times)
    io_bytes = wb + sum(args[n].numel() * args[n].element_size()
                        for n in ("x", "y", "bias", "residual") if n in args)

    # With a fused epilogue the peer is cuBLAS then torch's ops, unfused.
    key = (entry["m"], entry["n"], entry["k"],
           tuple(sorted((entry.get("epilogue") or {}).items())))
    decode = entry["m"] <= 16
    if key not in peer_cache:
        xb = args["x"].to(torch.bfloat16)
        wd = w.to(torch.bfloat16)
        psets = max(1, math.ceil(ROTATE_BYTES / (wd.numel() * 2)))
        ws = [wd] + [wd.clone() for _ in range(psets - 1)]

        def peer(i):
            return apply_epilogue(entry, torch.matmul(xb, ws[i % psets].t()),
                                  args)
        peer_cache[key] = (median_event_ms(peer, warmup, iters),
                           graph_ms_or_none([lambda i=i: peer(i) for i in
                                             range(max(GRAPH_LAUNCHES, psets))],
                                            warmup, iters) if decode else None)
        del ws
    # Decode layers also in a CUDA graph of back-to-back launches over the
    # rotated weight sets (graph_ms): the kernel's own time.
    ours_graph = None
    if decode:
        ours_graph = graph_ms_or_none(
            [lambda s=s: rt.launch(kernel, s)
             for s in sets * math.ceil(GRAPH_LAUNCHES / nsets)],
            warmup, iters)
    return (ours_ms, peer_cache[key][0], io_bytes, nsets, ours_graph,
            peer_cache[key][1])


def form_peer(entry, args, w, warmup, iters):
    """The form's own PyTorch peer (name, ms), or (name, reason) when torch
    cannot run it here: torch BSR for bsr_linear, the two matmuls for
    low-rank, torch._scaled_mm (fp8 x and W, row/column scales) for fp8."""
    op, m = entry["op"], entry["m"]
    xb = args["x"].to(torch.bfloat16)
    try:
        if op == "bsr_linear":
            name = "torch BSR (bsr @ x.T)"
            bn, bk = entry["block_size"]
            wd = w.to(torch.bfloat16)
            n_sets = max(1, math.ceil(ROTATE_BYTES / (wd.numel() * 2 // 10)))
            ws = [wd.to_sparse_bsr((bn, bk)) for _ in range(min(n_sets, 16))]
            xt = xb.t().contiguous()
            ref = (ws[0] @ xt).t()
            if not torch.allclose(ref.double(), xb.double() @ w.t(), rtol=0.05,
                                  atol=0.05 * float(ref.abs().max())):
                return name, "wrong result"
            return name, median_event_ms(lambda i: ws[i % len(ws)] @ xt,
                                         warmup, iters)
        if op == "lowrank_linear":
            name = "torch x@v.T@u.T bf16"
            u, v = args["u"].to(torch.bfloat16), args["v"].to(torch.bfloat16)
            n_sets = max(1, math.ceil(ROTATE_BYTES / ((u.numel() + v.numel()) * 2)))
            us = [u] + [u.clone() for _ in range(n_sets - 1)]
            vs = [v] + [v.clone() for _ in range(n_sets - 1)]
            return name, median_event_ms(
                lambda i: (xb @ vs[i % n_sets].t()) @ us[i % n_sets].t(),
                warmup, iters)
        if entry.get("element") == "fp8_e4m3":
            name = "torch._scaled_mm fp8 (x per row, W per channel)"
            if m % 16 or entry["k"] % 16 or entry["n"] % 16 or entry["group"] != entry["k"]:
                return name, f"shape M={m} (needs multiples of 16, per-channel)"
            wq = args["qweight"].view(torch.float8_e4m3fn)
            sw = args["scales"].float().reshape(1, -1).expand(1, entry["n"]).contiguous()
            sx = (xb.float().abs().amax(dim=1, keepdim=True) / 448).clamp(min=1e-12)
            xq = (xb.float() / sx).to(torch.float8_e4m3fn)
            n_sets = max(1, math.ceil(ROTATE_BYTES / wq.numel()))
            wqs = [wq] + [wq.clone() for _ in range(n_sets - 1)]
            return name, median_event_ms(
                lambda i: torch._scaled_mm(xq, wqs[i % n_sets].t(), scale_a=sx,
                                           scale_b=sw, out_dtype=torch.bfloat16),
                warmup, iters)
    except Exception as e:  # noqa: BLE001 - report why the peer did not run
        return name, f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"
    return None, None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--artifacts", required=True)
    p.add_argument("--lib", required=True)
    p.add_argument("--out")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--iters", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ptx", action="store_true", help="load the PTX, not the cubin")
    opts = p.parse_args()

    manifest = json.load(open(os.path.join(opts.artifacts, "manifest.json")))
    rt = Runtime(opts.lib, opts.artifacts, opts.ptx)
    gen = torch.Generator(device="cuda")
    gen.manual_seed(opts.seed)
    props = torch.cuda.get_device_properties(0)
    probe = copy_probe(opts.warmup, 50)
    header = {"bench": "device", "gpu": props.name,
              "sms": props.multi_processor_count,
              "l2_mb": getattr(props, "L2_cache_size", 0) / 2**20,
              "torch": torch.__version__, "probe_gbps": round(probe, 1),
              "module": manifest["cubin"] or manifest["ptx"]}
    lines = [header]
    print(json.dumps(header), flush=True)

    peer_cache = {}
    failures = 0
    scan_recs = []
    attn_recs = []
    latent_recs = []
    gemm_recs = []
    forms_recs = []
    w8a8_recs = []
    # Ops with their own check module: (takes the entry?, run it, records).
    sage_recs = []
    own_checks = [
        (lambda e: e["op"] in cuda_sage_check.OPS,
         lambda e: cuda_sage_check.run(rt, e, gen, opts.warmup, opts.iters),
         sage_recs),
        (cuda_w8a8_check.handles,
         lambda e: cuda_w8a8_check.run(rt, e, gen, opts.warmup, opts.iters),
         w8a8_recs),
        (lambda e: e["op"] in cuda_attention_check.OPS,
         lambda e: cuda_attention_check.run(rt, e, gen, opts.warmup,
                                            opts.iters, probe), attn_recs),
        (lambda e: e["op"] in cuda_latent_check.OPS,
         lambda e: cuda_latent_check.run(rt, e, gen, opts.warmup,
                                         opts.iters, probe), latent_recs),
        (cuda_gemm_check.handles,
         lambda e: cuda_gemm_check.run(rt, e, gen, opts.warmup, opts.iters),
         gemm_recs),
        (cuda_forms_check.handles,
         lambda e: cuda_forms_check.run(rt, e, gen, opts.warmup, opts.iters,
                                        probe), forms_recs),
        (lambda e: e["op"] in cuda_scan_check.OPS,
         lambda e: cuda_scan_check.run(rt, e, gen, opts.warmup, opts.iters),
         scan_recs),
    ]
    for entry in manifest["kernels"]:
        own = next((c for c in own_checks if c[0](entry)), None)
        if own is not None:
            rec = own[1](entry)
            failures += rec["check"] != "pass"
            own[2].append(rec)
            print(json.dumps(rec), flush=True)
            torch.cuda.empty_cache()
            continue
        err, unwritten, ok, args, w = check(rt, entry, gen)
        failures += not ok
        if entry["op"] == "quant_linear":
            fmt = (f"{entry['element']} g{entry['group']} "
                   f"{entry['args'][2]['dtype']}")
        elif entry["op"] == "bsr_linear":
            fmt = ("bsr {}x{} {} nnzb {}".format(*entry["block_size"],
                   entry["args"][1]["dtype"], entry["args"][1]["shape"][0]))
        elif entry["op"] == "lowrank_linear":
            fmt = f"lowrank r{entry['rank']} {entry['args'][1]['dtype']}"
        else:
            fmt = f"dense {entry['args'][1]['dtype']}"
        rec = {"bench": "cuda_gemv", "layer": entry["layer"],
               "symbol": entry["symbol"],
               "shape": [entry["m"], entry["n"], entry["k"]], "dtype": fmt,
               "rows_per_warp": entry["rows_per_warp"],
               "unroll": entry["unroll"], "rel_err": err,
               "unwritten": unwritten, "check": "pass" if ok else "FAIL",
               "peer": "torch.matmul bf16 (cuBLAS)"}
        if ok:
            ours, peer, io, nsets, ours_g, peer_g = bench(
                rt, entry, args, w, opts.warmup, opts.iters, peer_cache)
            gbps = io / (ours * 1e-3) / 1e9
            rec.update(ours_ms=ours, peer_ms=peer, speedup=peer / ours,
                       ours_gbps=gbps, probe_gbps=probe,
                       frac_probe=gbps / probe, weight_sets=nsets)
            if ours_g is not None and peer_g is not None:
                gbps_g = io / (ours_g * 1e-3) / 1e9
                rec.update(graph_ours_ms=ours_g, graph_peer_ms=peer_g,
                           graph_speedup=peer_g / ours_g, graph_gbps=gbps_g,
                           graph_frac_probe=gbps_g / probe)
            if entry["m"] > 16:  # prefill GEMMs: compute-bound, TFLOP/s
                flop = 2 * entry["m"] * entry["n"] * entry["k"]
                rec.update(ours_tflops=flop / (ours * 1e9),
                           peer_tflops=flop / (peer * 1e9))
            name2, peer2 = form_peer(entry, args, w, opts.warmup, opts.iters)
            if name2 is not None:
                rec["peer2"] = name2
                if isinstance(peer2, float):
                    rec.update(peer2_ms=peer2, speedup2=peer2 / ours)
                else:
                    rec["peer2_missing"] = peer2
        lines.append(rec)
        print(json.dumps(rec), flush=True)
        del args, w
        torch.cuda.empty_cache()

    if scan_recs:
        print("\nscans and recurrences (x: peer time / ours; L: launches)")
        print(cuda_scan_check.table(scan_recs))
    if opts.out:
        with open(opts.out, "w") as f:
            for rec in (lines + scan_recs + attn_recs + gemm_recs + forms_recs
                        + latent_recs + w8a8_recs + sage_recs):
                f.write(json.dumps(rec) + "\n")

    print(f"\n{props.name}, copy probe {probe:.0f} GB/s")
    print(f"{'kernel':44} {'M,N,K':>16} {'err':>8} {'ours us':>8} "
          f"{'cuBLAS us':>9} {'x cuBLAS':>8} {'GB/s':>6} {'%probe':>6}")
    for rec in lines[1:]:
        shape = ",".join(map(str, rec["shape"]))
        if "ours_ms" in rec:
            extra = ""
            if "peer2_ms" in rec:
                extra = f"  {rec['speedup2']:.2f}x {rec['peer2']}"
            elif "peer2" in rec:
                extra = f"  ({rec['peer2']}: {rec['peer2_missing']})"
            if "graph_ours_ms" in rec:
                extra += (f"  graph {rec['graph_ours_ms'] * 1e3:.1f} vs "
                          f"{rec['graph_peer_ms'] * 1e3:.1f} us "
                          f"{rec['graph_speedup']:.2f}x "
                          f"{100 * rec['graph_frac_probe']:.0f}%")
            print(f"{rec['symbol'][:44]:44} {shape:>16} {rec['rel_err']:8.1e} "
                  f"{rec['ours_ms'] * 1e3:8.1f} {rec['peer_ms'] * 1e3:9.1f} "
                  f"{rec['speedup']:8.2f} {rec['ours_gbps']:6.0f} "
                  f"{100 * rec['frac_probe']:6.1f}{extra}")
        else:
            print(f"{rec['symbol'][:44]:44} {shape:>16} {rec['rel_err']:8.1e} "
                  f"CHECK FAILED ({rec['unwritten']} unwritten)")
    if attn_recs:
        print("\nattention (ours vs torch SDPA flash; c: causal)")
        print(cuda_attention_check.table(attn_recs))
    if latent_recs:
        print("\nlatent attention decode (ours vs torch SDPA flash over the "
              "dense reconstructed cache)")
        print(cuda_latent_check.table(latent_recs))
    if gemm_recs:
        print("\nwgmma GEMM (ours vs torch.matmul / cuBLAS)")
        print(cuda_gemm_check.table(gemm_recs))
    if forms_recs:
        print("\nnm / shift / fp8_e5m2, uint8, nf4, mxfp4, nvfp4 (ours vs cuBLAS bf16)")
        print(cuda_forms_check.table(forms_recs))
    if w8a8_recs:
        print("\nW8A8 (x: peer time / ours; peers on pre-quantized operands)")
        print(cuda_w8a8_check.table(w8a8_recs))
    if sage_recs:
        print("\nSageAttention (ours vs torch SDPA flash; err: vs the quantized "
              "semantics)")
        print(cuda_sage_check.table(sage_recs))
    total = len(sage_recs) + (len(lines) - 1 + len(scan_recs) + len(attn_recs) + len(gemm_recs)
             + len(forms_recs) + len(latent_recs) + len(w8a8_recs))
    print(f"{total - failures} of {total} kernels pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
