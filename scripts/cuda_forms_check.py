"""Check and time the GEMV kernels of the second set of forms (docs/cuda.md,
"Linear-layer forms"): linea.nm_linear, linea.shift_linear, and
quant_linear with fp8_e5m2, uint8 (zero points), nf4, mxfp4 and nvfp4.

Called by scripts/cuda_device_check.py for every such entry (GPU machine
only). Check: fresh random inputs drawn to the op's rules (n distinct
sorted positions per group of m; signs in {−1, 0, 1} and exponents in
[−8, 0]; finite fp8/e4m3 codes; e8m0 scale exponents 120..134), y poisoned
with NaN, one launch, ‖y − ref‖/‖ref‖ against x·Ŵᵀ (+ bias) in float64
where Ŵ is decoded here from the stored codes exactly as docs/formats.md
(§3–§5) and the op definitions say, tolerance by output dtype, every
element written. Time: median of CUDA events over `iters` launches after
`warmup`, weights rotated over ≥ 256 MB, next to torch.matmul of the dense
bf16 Ŵ (cuBLAS) timed the same way; for 2:4 also torch's
to_sparse_semi_structured (cuSPARSELt/CUTLASS) product, skipped with the
reason where torch refuses the shape.
"""

import math
import statistics

import torch

from cuda_timing import compare, median_event_ms

DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32,
          "i8": torch.int8}
REL_TOL = {"bf16": 1e-2, "f16": 2e-3, "f32": 1e-4}
ELEMENTS = ("fp8_e5m2", "uint8", "nf4", "mxfp4", "nvfp4")
NOT_WEIGHTS = ("x", "y", "bias", "residual")
ROTATE_BYTES = 256 << 20
NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
       -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
       0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
       0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
       0.7229568362236023, 1.0]
E2M1 = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]


def handles(entry):
    return entry["op"] in ("nm_linear", "shift_linear") or (
        entry["op"] == "quant_linear" and entry.get("element") in ELEMENTS)


def _bytes(shape, gen, low=0, high=256):
    return torch.randint(low, high, shape, device="cuda", generator=gen,
                         dtype=torch.int32).to(torch.uint8).view(torch.int8)


def _inputs(entry, gen):
    n, k = entry["n"], entry["k"]
    elem = entry.get("element")
    args = {}
    for a in entry["args"]:
        shape, name, dt = a["shape"], a["name"], a["dtype"]
        if name == "y":
            t = torch.full(shape, float("nan"), dtype=DTYPES[dt], device="cuda")
        elif name in ("x", "bias", "residual"):
            t = torch.randn(shape, device="cuda", generator=gen).to(DTYPES[dt])
        elif name == "values":
            t = (torch.randn(shape, device="cuda", generator=gen) * 0.05).to(DTYPES[dt])
        elif name == "indices":
            nn, mm = entry["n_m"]
            keys = torch.rand((n, k // mm, mm), device="cuda", generator=gen)
            pos = keys.argsort(dim=-1)[..., :nn].sort(dim=-1).values
            t = pos.reshape(n, -1).to(torch.int8)
        elif name == "exponents":
            t = torch.randint(-8, 1, shape, device="cuda", generator=gen).to(torch.int8)
        elif name == "signs":
            t = torch.randint(-1, 2, shape, device="cuda", generator=gen).to(torch.int8)
        elif name in ("scale", "scales") and dt in DTYPES:
            t = (torch.rand(shape, device="cuda", generator=gen) * 0.02 + 0.005).to(DTYPES[dt])
        elif name == "scales" and dt == "f8E8M0FNU":
            t = _bytes(shape, gen, 120, 135)
        elif name == "scales":  # f8E4M3FN: positive normal codes 2^-4 … 2^3·1.875
            t = _bytes(shape, gen, 0x18, 0x58)
        elif name == "tensor_scale":
            t = torch.full(shape, 0.0625, dtype=torch.float32, device="cuda")
        elif name == "qweight" and elem == "fp8_e5m2":
            t = _bytes(shape, gen)
            u = t.view(torch.uint8)
            t = torch.where((u & 0x7C) == 0x7C, u & 0x83, u).view(torch.int8)
        else:  # qweight, zero_points: any byte
            t = _bytes(shape, gen)
        args[name] = t
    return args


def _nibbles(q, k):
    u = q.view(torch.uint8).long()
    out = torch.stack([u & 0xF, u >> 4], dim=-1).reshape(u.shape[0], -1)
    return out[:, :k]


def _minifloat(q, mant_bits, bias):
    """8-bit float codes (sign, exponent, mant_bits mantissa bits) in
    float64, exactly (docs/formats.md §3; callers draw no inf/NaN codes)."""
    u = q.view(torch.uint8).long()
    e = (u >> mant_bits) & ((1 << (7 - mant_bits)) - 1)
    m = (u & ((1 << mant_bits) - 1)).double() / (1 << mant_bits)
    mag = torch.where(e == 0, m * 2.0 ** (1 - bias),
                      (1 + m) * torch.exp2((e - bias).double()))
    return torch.where(u >= 128, -mag, mag)


def _per_column(s, k, span):
    return s.repeat_interleave(span, dim=1)[:, :k]


def dense_weight(entry, args):
    """Ŵ[N, K] in float64, decoded from the stored arguments."""
    n, k, op = entry["n"], entry["k"], entry["op"]
    dev = "cuda"
    if op == "nm_linear":
        nn, mm = entry["n_m"]
        v = args["values"].double()
        pos = args["indices"].long()
        j = torch.arange(v.shape[1], device=dev)
        cols = (j // nn) * mm + pos
        w = torch.zeros(n, k, dtype=torch.float64, device=dev)
        return w.scatter(1, cols, v)
    if op == "shift_linear":
        e = args["exponents"].double()
        s = args["signs"].double()
        w = (s * torch.exp2(e)).sum(dim=0)
        if "scale" in args:
            w = w * args["scale"].double()[:, None]
        return w
    elem, span = entry["element"], entry["group"]
    q = args["qweight"]
    sc = args["scales"]
    if elem == "fp8_e5m2":
        vals = _minifloat(q, 2, 15)
    elif elem == "uint8":
        z = args["zero_points"].view(torch.uint8).double()
        z = _per_column(z.expand(n, -1) if z.shape[0] == 1 else z, k, span)
        vals = q.view(torch.uint8).double() - z
    else:
        codes = _nibbles(q, k)
        if elem == "nf4":
            vals = torch.tensor(NF4, dtype=torch.float64, device=dev)[codes]
        else:
            mag = torch.tensor(E2M1, dtype=torch.float64, device=dev)[codes & 7]
            vals = torch.where(codes >= 8, -mag, mag)
    if elem == "mxfp4":
        s = torch.exp2(sc.view(torch.uint8).double() - 127)
    elif elem == "nvfp4":
        s = _minifloat(sc, 3, 7)
    else:
        s = sc.double()
    if s.shape[0] == 1:
        s = s.expand(n, -1)
    # Ŵ in f32 as docs/formats.md §5 computes it.
    w = (vals * _per_column(s, k, span)).float()
    if elem == "nvfp4":
        w = w * args["tensor_scale"].float()
    return w.double()


def _fmt(entry):
    if entry["op"] == "nm_linear":
        return "nm {}:{} {}".format(*entry["n_m"], entry["args"][1]["dtype"])
    if entry["op"] == "shift_linear":
        scale = [a["dtype"] for a in entry["args"] if a["name"] == "scale"]
        return f"shift T{entry['terms']}" + (f" scale {scale[0]}" if scale else "")
    return f"{entry['element']} g{entry['group']} {entry['args'][2]['dtype']}"


def _rotated(args, names, wbytes):
    nsets = max(1, min(512, math.ceil(ROTATE_BYTES / wbytes)))
    sets = [args] + [{**args, **{nm: args[nm].clone() for nm in names}}
                     for _ in range(nsets - 1)]
    return sets


def _semi_structured_peer(entry, w, xb, warmup, iters):
    name = "torch to_sparse_semi_structured (cuSPARSELt)"
    try:
        from torch.sparse import to_sparse_semi_structured
        wd = w.to(torch.bfloat16)
        nsets = max(1, min(8, math.ceil(ROTATE_BYTES / (wd.numel() * 2 * 9 // 16))))
        ws = [to_sparse_semi_structured(wd.clone()) for _ in range(nsets)]
        xt = xb.t().contiguous()
        ref = torch.mm(ws[0], xt).t().double()
        want = xb.double() @ w.t()
        if float((ref - want).norm() / want.norm()) > 2e-2:
            return name, "wrong result"
        return name, median_event_ms(lambda i: torch.mm(ws[i % nsets], xt),
                                     warmup, iters)
    except Exception as e:  # noqa: BLE001 - report why the peer did not run
        return name, f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"


def run(rt, entry, gen, warmup, iters, probe):
    kernel = rt.index(entry["symbol"])
    m, n, k = entry["m"], entry["n"], entry["k"]
    args = _inputs(entry, gen)
    rt.launch(kernel, [args[a["name"]] for a in entry["args"]])
    torch.cuda.synchronize()
    w = dense_weight(entry, args)
    err, unwritten = compare(args, w, entry)
    ok = err <= REL_TOL[entry["args"][-1]["dtype"]] and unwritten == 0
    rec = {"bench": "cuda_forms", "layer": entry["layer"],
           "symbol": entry["symbol"], "shape": [m, n, k], "dtype": _fmt(entry),
           "rows_per_warp": entry["rows_per_warp"], "unroll": entry["unroll"],
           "rel_err": err, "unwritten": unwritten,
           "check": "pass" if ok else "FAIL",
           "peer": "torch.matmul bf16 (cuBLAS)"}
    print(f"{'PASS' if ok else 'FAIL'} {entry['symbol']} {_fmt(entry)} "
          f"M,N,K={m},{n},{k} rel_err={err:.2e} unwritten={unwritten}",
          flush=True)
    if not ok:
        return rec
    weights = [a["name"] for a in entry["args"] if a["name"] not in NOT_WEIGHTS]
    wbytes = sum(args[nm].numel() * args[nm].element_size() for nm in weights)
    sets = _rotated(args, weights, wbytes)
    ours = statistics.median(rt.time(
        kernel, [[s[a["name"]] for a in entry["args"]] for s in sets],
        warmup, iters))
    io = wbytes + sum(args[nm].numel() * args[nm].element_size()
                      for nm in NOT_WEIGHTS if nm in args)
    xb = args["x"].to(torch.bfloat16)
    wd = w.to(torch.bfloat16)
    psets = max(1, min(512, math.ceil(ROTATE_BYTES / (wd.numel() * 2))))
    ws = [wd] + [wd.clone() for _ in range(psets - 1)]
    peer = median_event_ms(lambda i: torch.matmul(xb, ws[i % psets].t()),
                           warmup, iters)
    del ws
    gbps = io / (ours * 1e-3) / 1e9
    rec.update(ours_ms=ours, peer_ms=peer, speedup=peer / ours,
               ours_gbps=gbps, probe_gbps=probe, frac_probe=gbps / probe,
               weight_sets=len(sets))
    if entry["op"] == "nm_linear" and entry["n_m"] == [2, 4]:
        name2, peer2 = _semi_structured_peer(entry, w, xb, warmup, iters)
        rec["peer2"] = name2
        if isinstance(peer2, float):
            rec.update(peer2_ms=peer2, speedup2=peer2 / ours)
        else:
            rec["peer2_missing"] = peer2
    return rec


def table(recs):
    rows = [f"{'kernel':40} {'form':22} {'M,N,K':>16} {'err':>8} {'ours us':>8} "
            f"{'x cuBLAS':>8} {'GB/s':>6} {'%probe':>6}  peer2"]
    for r in recs:
        shape = ",".join(map(str, r["shape"]))
        if "ours_ms" not in r:
            rows.append(f"{r['symbol'][:40]:40} {r['dtype'][:22]:22} {shape:>16} "
                        f"{r['rel_err']:8.1e} {r['check']} ({r['unwritten']} unwritten)")
            continue
        extra = ""
        if "peer2_ms" in r:
            extra = f"{r['speedup2']:.2f}x {r['peer2']}"
        elif "peer2" in r:
            extra = f"({r['peer2_missing']})"
        rows.append(f"{r['symbol'][:40]:40} {r['dtype'][:22]:22} {shape:>16} "
                    f"{r['rel_err']:8.1e} {r['ours_ms'] * 1e3:8.1f} "
                    f"{r['speedup']:8.2f} {r['ours_gbps']:6.0f} "
                    f"{100 * r['frac_probe']:6.1f}  {extra}")
    return "\n".join(rows)
