"""Check and time linea's CUDA SageAttention kernels (linea.attention with
`quant`, manifest op "sage_attention").

Used by scripts/cuda_device_check.py. For each entry:

  check  fresh random q, k, v (N(0, 1); k offset by 2 and v by 0.5 so that
         the smoothing matters), workspaces uninitialised, o poisoned with
         NaN, one call (all `launches`). ‖o − ref‖/‖ref‖ against a float64
         PyTorch transcription of linea.attention's quantized definition
         (int8 q per q_block rows with scale·log2 e folded in, k minus its
         token mean, int8 per k_block keys, roundEven, integer row max,
         p̃ = e4m3(256·2^(s−m))/256, v̂ = e4m3((v − v̄)/s_V)·s_V), tolerance
         1e-2 (bf16) / 5e-3 (f16): the kernel and the reference round the
         same quantities and may differ where a value sits on a rounding
         boundary. Also reported: the error against exact attention
         (`err_exact`, the cost of the lossy rewrite). Large shapes check a
         few heads only.
  time   entries named pre_*: median of CUDA-event times of our call
         (prologue + main kernel) and of torch SDPA's flash backend on the
         same bf16/f16 tensors; TFLOP/s as 4·B·H·S·T·D (half when causal).
"""

import math
import statistics

import torch

from cuda_attention_check import reference as exact_reference
from cuda_attention_check import rel_err, torch_flash
from cuda_timing import median_event_ms

OPS = {"sage_attention"}
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32,
          "i8": torch.int8, "i32": torch.int32}
REL_TOL = {"bf16": 1e-2, "f16": 5e-3}
LOG2E = 1.4426950408889634


def e4m3(x):
    """Round to the nearest fp8 E4M3 value (ties to even), saturating at 448."""
    x = x.float().clamp(-448.0, 448.0)
    return x.to(torch.float8_e4m3fn).to(torch.float64)


def int8_blocks(x, block):
    """x [N, F] f32 → (int8 values as f64, per-row scales [N] f64)."""
    n = x.shape[0]
    vals = torch.empty_like(x, dtype=torch.float64)
    scales = torch.empty(n, dtype=torch.float64, device=x.device)
    for s0 in range(0, n, block):
        part = x[s0:s0 + block]
        s = (part.abs().amax() / 127.0).float()  # f32 as the kernels
        safe = torch.where(s == 0, torch.ones_like(s), s)
        vals[s0:s0 + block] = torch.round(part / safe).clamp(-127, 127).double()
        scales[s0:s0 + block] = s.double()
    return vals, scales


def sage_reference(q, k, v, causal, scale, q_block, k_block, values, heads):
    """o for the (b, h) pairs in `heads` (float64), the quantized semantics."""
    _, H, S, _ = q.shape
    HK, T = k.shape[1], k.shape[2]
    g = H // HK
    factor = torch.tensor(scale, dtype=torch.float32) * torch.tensor(
        LOG2E, dtype=torch.float32)
    i = torch.arange(S, device=q.device)[:, None]
    j = torch.arange(T, device=q.device)[None, :]
    visible = (j <= i + (T - S)) if causal else torch.ones(
        S, T, dtype=torch.bool, device=q.device)
    cache, out = {}, {}
    for b, h in heads:
        hk = h // g
        if (b, hk) not in cache:
            kf = k[b, hk].float()
            k8, ks = int8_blocks(kf - kf.mean(dim=0, keepdim=True), k_block)
            vf = v[b, hk].float()
            vbar = torch.zeros(1, vf.shape[1], dtype=torch.float32,
                               device=v.device)
            vhat = vf.double()
            if values != "exact":
                if values == "fp8_e4m3_smoothed":
                    vbar = vf.mean(dim=0, keepdim=True)
                c = vf - vbar
                sv = c.abs().amax(dim=0, keepdim=True) / 448.0
                safe = torch.where(sv == 0, torch.ones_like(sv), sv)
                vhat = torch.where(sv == 0, torch.zeros_like(c).double(),
                                   e4m3(c / safe) * safe.double())
            cache[(b, hk)] = (k8, ks, vhat, vbar.double())
        k8, ks, vhat, vbar = cache[(b, hk)]
        q8, qs = int8_blocks(q[b, h].float() * factor.to(q.device), q_block)
        s2 = (q8 @ k8.t()) * qs[:, None] * ks[None, :]
        s2 = s2.masked_fill(~visible, float("-inf"))
        m = torch.ceil(s2.amax(dim=1, keepdim=True))
        m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
        p = torch.exp2(s2 - m)
        if values != "exact":
            p = e4m3(256 * p) / 256
        den = p.sum(dim=1, keepdim=True)
        # A row with no visible key is 0 (the op's definition).
        out[(b, h)] = ((p @ vhat) / torch.where(den > 0, den, torch.ones_like(den))
                       + vbar * (den > 0))
    return out


def run(rt, entry, gen, warmup, iters):
    kernel = rt.index(entry["symbol"])
    dtype = DTYPES[entry["element"]]
    B, H, HK = entry["batch"], entry["heads"], entry["kv_heads"]
    S, T, D, DV = entry["s"], entry["t"], entry["d"], entry["dv"]
    causal, scale = entry["causal"], entry["scale"]
    args = {}
    for a in entry["args"]:
        shape, name = a["shape"], a["name"]
        if name in ("q", "k", "v"):
            x = torch.randn(shape, device="cuda", generator=gen)
            x += {"q": 0.0, "k": 2.0, "v": 0.5}[name]
            args[name] = x.to(dtype)
        elif name == "o":
            args[name] = torch.full(shape, float("nan"), dtype=dtype,
                                    device="cuda")
        else:  # workspaces: garbage, the prologue must not depend on it
            args[name] = torch.empty(shape, dtype=DTYPES[a["dtype"]],
                                     device="cuda")
            if args[name].is_floating_point():
                args[name].fill_(float("nan"))
            else:
                args[name].fill_(-1)
    order = [args[a["name"]] for a in entry["args"]]
    rt.launch(kernel, order)
    torch.cuda.synchronize()
    q, k, v, o = args["q"], args["k"], args["v"], args["o"]
    unwritten = int((~torch.isfinite(o)).sum())
    # Every head for small shapes, else the first and the last.
    if B * H * S * T <= (1 << 26):
        heads = [(b, h) for b in range(B) for h in range(H)]
    else:
        heads = [(0, 0), (B - 1, H - 1)]
    ref = sage_reference(q, k, v, causal, scale, entry["q_block"],
                         entry["k_block"], entry["values"], heads)
    ours = torch.stack([o[b, h] for b, h in heads]).double()
    want = torch.stack([ref[bh] for bh in heads])
    err = rel_err(ours, want)
    qs = torch.stack([q[b, h] for b, h in heads])[:, None]
    g = H // HK
    ks = torch.stack([k[b, h // g] for b, h in heads])[:, None]
    vs = torch.stack([v[b, h // g] for b, h in heads])[:, None]
    exact = exact_reference(qs, ks, vs, causal, scale, torch.float64)
    err_exact = rel_err(ours, exact[:, 0])
    tol = REL_TOL[entry["element"]]
    ok = err <= tol and unwritten == 0 and math.isfinite(err)
    rec = {"bench": "cuda_sage_attention", "layer": entry["layer"],
           "symbol": entry["symbol"], "values": entry["values"],
           "q_block": entry["q_block"], "k_block": entry["k_block"],
           "shape": {"B": B, "H": H, "Hkv": HK, "S": S, "T": T, "D": D,
                     "Dv": DV},
           "causal": causal, "dtype": entry["element"],
           "rows_per_warp": entry["rows_per_warp"],
           "block_keys": entry["block_keys"], "heads_checked": len(heads),
           "rel_err": err, "tol": tol, "err_exact": err_exact,
           "unwritten": unwritten, "check": "pass" if ok else "FAIL"}
    del ref, exact
    if ok and entry["layer"].startswith("pre_"):
        w, n = 3, max(min(10, iters), 5)
        rec["ours_ms"] = statistics.median(rt.time(kernel, [order], w, n))
        try:
            peer, rec["peer"] = torch_flash(q, k, v, causal, scale)
            rec["peer_ms"] = median_event_ms(lambda _: peer(), w, n)
            rec["speedup"] = rec["peer_ms"] / rec["ours_ms"]
        except RuntimeError as e:
            rec["peer"] = f"none ({str(e)[:120]})"
        flops = 2.0 * B * H * S * T * (D + DV) * (0.5 if causal else 1.0)
        rec["ours_tflops"] = flops / (rec["ours_ms"] * 1e-3) / 1e12
        if "peer_ms" in rec:
            rec["peer_tflops"] = flops / (rec["peer_ms"] * 1e-3) / 1e12
    args.clear()
    return rec


def table(recs):
    rows = [f"{'symbol':36} {'values':18} {'B,H,Hkv,S,T,D':>24} {'c':>1} "
            f"{'err':>8} {'vs exact':>8} {'ours ms':>8} {'SDPA ms':>8} "
            f"{'x SDPA':>6} {'TFLOP/s':>7}"]
    for r in recs:
        s = r["shape"]
        shape = f"{s['B']},{s['H']},{s['Hkv']},{s['S']},{s['T']},{s['D']}"
        line = (f"{r['symbol'][:36]:36} {r['values']:18} {shape:>24} "
                f"{'c' if r['causal'] else ' '} {r['rel_err']:8.1e} "
                f"{r['err_exact']:8.1e}")
        if r["check"] != "pass":
            line += f" CHECK FAILED ({r['unwritten']} unwritten)"
        elif "ours_ms" in r:
            line += (f" {r['ours_ms']:8.3f} {r.get('peer_ms', float('nan')):8.3f}"
                     f" {r.get('speedup', float('nan')):6.2f}"
                     f" {r['ours_tflops']:7.1f}")
        rows.append(line)
    return "\n".join(rows)
