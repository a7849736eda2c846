"""Check and time the W8A8 quant_linear kernels (manifest `kind` w8a8_wgmma
or w8a8_gemv: act dynamic_int8_per_token, fp8_per_tensor, fp8_per_token).

Called by scripts/cuda_device_check.py for every such entry (GPU machine
only). Inputs: x ~ N(0, 1) (a few outlier tokens ×8, one all-zero row),
int8 codes uniform in [−127, 127] or e4m3 codes of N(0, 1) weights, scales
U(0.5, 1.5)·0.02, bias N(0, 1), act_scale = max|x| / 448 · 0.75 (so some
values saturate), workspaces poisoned, y NaN. Reference: docs/formats.md
§6 computed in f32 on the GPU (s_t = amax / qmax, r = x / s_t,
q = clamp(roundEven(r), −127, 127) or e4m3 saturating, x̂ = q · s_t),
ŵ = q_w · s_w in f32, y = x̂ · ŵᵀ + bias in float64. Pass: ‖y − ref‖/‖ref‖
within the output dtype's tolerance (at least 1e-3 for the fp8 wgmma,
whose accumulation keeps fewer bits than f32), every element written, and (wgmma
path) the codes xq and scales xs equal to the reference's exactly.
Time: median CUDA-event time of the whole entry (prep + GEMM) next to
torch._scaled_mm (fp8 codes, row-wise x scales and per-channel W scales,
bf16 out; per-tensor scales for fp8_per_tensor), torch._int_mm (int8, M >
16; no scaling epilogue) and torch.matmul bf16 of the dense ŵ (cuBLAS); the
peers get the already-quantized operands (their quantization is not timed).
"""

import statistics

import torch

from cuda_timing import apply_epilogue, median_event_ms

DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32,
          "i8": torch.int8}
REL_TOL = {"bf16": 1e-2, "f16": 2e-3, "f32": 1e-4}
# None on torch builds without fp8 (Debian's): the module must still import
# (cuda_device_check.py imports it), only fp8 entries need it.
E4M3 = getattr(torch, "float8_e4m3fn", None)


def handles(entry):
    return entry.get("kind") in ("w8a8_wgmma", "w8a8_gemv")


def _inputs(entry, gen):
    m, n, k = entry["m"], entry["n"], entry["k"]
    args = {}
    for a in entry["args"]:
        shape, dtype, name = a["shape"], DTYPES[a["dtype"]], a["name"]
        if name == "x":
            x = torch.randn(shape, device="cuda", generator=gen)
            x[:: max(1, m // 4)] *= 8.0  # outlier tokens
            if m > 2:
                x[1] = 0.0  # an all-zero token: s_t = 1
            t = x.to(dtype)
        elif name == "qweight":
            if entry["element"] == "int8":
                t = torch.randint(-127, 128, shape, device="cuda",
                                  generator=gen, dtype=torch.int8)
            else:
                w = torch.randn(shape, device="cuda", generator=gen)
                t = w.to(E4M3).view(torch.int8)
        elif name == "scales":
            t = ((torch.rand(shape, device="cuda", generator=gen) + 0.5)
                 * 0.02).to(dtype)
        elif name in ("bias", "residual"):
            t = torch.randn(shape, device="cuda", generator=gen).to(dtype)
        elif name == "act_scale":
            t = None  # below, from x
        elif name == "y":
            t = torch.full(shape, float("nan"), dtype=dtype, device="cuda")
        else:  # workspaces xq, xs: poisoned
            t = torch.full(shape, -1, dtype=torch.int8, device="cuda").view(
                dtype) if dtype == torch.int8 else torch.full(
                    shape, float("nan"), dtype=dtype, device="cuda")
        args[name] = t
    if "act_scale" in args:
        amax = args["x"].float().abs().max()
        args["act_scale"] = (amax / 448.0 * 0.75).reshape(1)
    return args


def quantize(x, act, act_scale=None):
    """(codes as float32, s [M, 1]) of docs/formats.md §6, in f32."""
    x = x.float()
    if act == "fp8_per_tensor":
        s = act_scale.float().reshape(1, 1).expand(x.shape[0], 1)
    else:
        qmax = 127.0 if act == "dynamic_int8_per_token" else 448.0
        amax = x.abs().amax(dim=1, keepdim=True)
        # A tensor divisor: torch divides by a Python scalar as a multiply
        # by its reciprocal, which differs from the kernel's (and the
        # reference lowering's) IEEE division in the last bit for about
        # half the tokens.
        s = torch.where(amax == 0, torch.ones_like(amax),
                        amax / torch.full_like(amax, qmax))
    r = x / s
    if act == "dynamic_int8_per_token":
        q = torch.round(r).clamp(-127, 127)  # torch.round: ties to even
    else:
        q = r.clamp(-448, 448).to(E4M3).float()
    return q, s.contiguous()


def dense_weight(entry, args):
    qw = args["qweight"]
    codes = qw.float() if entry["element"] == "int8" else qw.view(E4M3).float()
    s = args["scales"].float()
    if s.shape[1] > 1:  # groups of entry["group"] input features
        s = s.repeat_interleave(entry["group"], dim=1)[:, :codes.shape[1]]
    return codes * s  # f32 products; [N, 1] / [1, 1] broadcast


def run(rt, entry, gen, warmup, iters):
    kernel = rt.index(entry["symbol"])
    m, n, k = entry["m"], entry["n"], entry["k"]
    act = entry["act"]
    args = _inputs(entry, gen)
    order = [args[a["name"]] for a in entry["args"]]
    rt.launch(kernel, order)
    torch.cuda.synchronize()

    q, s = quantize(args["x"], act, args.get("act_scale"))
    w = dense_weight(entry, args)
    ref = (q * s).double() @ w.double().t()
    if "bias" in args:
        ref = ref + args["bias"].double()
    ref = apply_epilogue(entry, ref, args)
    y = args["y"]
    unwritten = int((~torch.isfinite(y)).sum())
    diff = torch.nan_to_num(y.double(), nan=0.0) - ref
    err = float(diff.norm() / ref.norm())
    ydt = entry["args"][-1]["dtype"]
    tol = REL_TOL[ydt]
    if entry["kind"] == "w8a8_wgmma" and act != "dynamic_int8_per_token":
        # Hopper's fp8 wgmma adds its products with fewer than f32's bits.
        tol = max(tol, 1e-3)
    ok = err <= tol and unwritten == 0
    code_mismatch = scale_mismatch = None
    if entry["kind"] == "w8a8_wgmma":
        xq = args["xq"]
        ours = xq.float() if act == "dynamic_int8_per_token" else \
            xq.view(E4M3).float()
        code_mismatch = int((ours != q).sum())
        scale_mismatch = int((args["xs"].reshape(m, 1) != s).sum())
    else:  # x̂ in f32
        code_mismatch = int((args["xq"] != q * s).sum())
    ok = ok and not code_mismatch and not scale_mismatch
    rec = {"bench": "cuda_w8a8", "layer": entry["layer"],
           "symbol": entry["symbol"], "kind": entry["kind"], "act": act,
           "shape": [m, n, k],
           "dtype": f"{entry['args'][0]['dtype']}->{ydt}",
           "scales": "x".join(map(str, args["scales"].shape)),
           "tile": entry.get("tile"), "rel_err": err, "tol": tol,
           "unwritten": unwritten, "code_mismatch": code_mismatch,
           "scale_mismatch": scale_mismatch,
           "check": "pass" if ok else "FAIL"}
    if ok and m * n * k >= (1 << 26):
        ours_ms = statistics.median(rt.time(kernel, [order], warmup, iters))
        rec["ours_ms"] = ours_ms
        flops = 2.0 * m * n * k
        rec["ours_tflops"] = flops / (ours_ms * 1e-3) / 1e12
        peers = {}
        xb = args["x"].to(torch.bfloat16)
        wb = w.to(torch.bfloat16)
        peers["cublas_bf16"] = lambda _=None: torch.matmul(xb, wb.t())
        if act == "dynamic_int8_per_token":
            if m > 16:
                xi = q.to(torch.int8)
                wi = args["qweight"]
                peers["int_mm"] = lambda _=None: torch._int_mm(xi, wi.t())
        else:
            xf = q.to(E4M3)
            wf = args["qweight"].view(E4M3)
            if act == "fp8_per_tensor" or args["scales"].numel() == 1:
                sa = s[:1, :1].reshape(()).contiguous()
                sb = args["scales"].float().reshape(()).contiguous() \
                    if args["scales"].numel() == 1 else None
                if sb is not None:
                    peers["scaled_mm"] = lambda _=None: torch._scaled_mm(
                        xf, wf.t(), scale_a=sa, scale_b=sb,
                        out_dtype=torch.bfloat16)
            if "scaled_mm" not in peers:
                sa = s.float().contiguous()
                sb = args["scales"].float().reshape(1, -1).expand(
                    1, n).contiguous()
                peers["scaled_mm"] = lambda _=None: torch._scaled_mm(
                    xf, wf.t(), scale_a=sa, scale_b=sb,
                    out_dtype=torch.bfloat16)
        for name, fn in peers.items():
            try:
                t = median_event_ms(fn, warmup, iters)
            except Exception as e:  # noqa: BLE001 (peer not available here)
                rec[f"{name}_missing"] = str(e).splitlines()[0][:120]
                continue
            rec[f"{name}_ms"] = t
            rec[f"x_{name}"] = t / ours_ms
    del args, order, ref, diff
    return rec


def table(recs):
    rows = [f"{'symbol':48} {'act':>22} {'M,N,K':>16} {'err':>8} "
            f"{'ours ms':>8} {'TF/s':>6} {'x scaled/int_mm':>15} "
            f"{'x cuBLAS bf16':>13}"]
    for r in recs:
        shape = ",".join(map(str, r["shape"]))
        line = (f"{r['symbol'][:48]:48} {r['act']:>22} {shape:>16} "
                f"{r['rel_err']:8.1e}")
        if r["check"] != "pass":
            line += (f" CHECK FAILED (tol {r['tol']:.0e}, {r['unwritten']} "
                     f"unwritten, codes {r['code_mismatch']}, scales "
                     f"{r['scale_mismatch']})")
        elif "ours_ms" in r:
            peer = r.get("x_scaled_mm", r.get("x_int_mm"))
            peer = f"{peer:15.2f}" if peer is not None else f"{'-':>15}"
            line += (f" {r['ours_ms']:8.3f} {r['ours_tflops']:6.0f} {peer} "
                     f"{r.get('x_cublas_bf16', float('nan')):13.2f}")
        rows.append(line)
    return "\n".join(rows)
