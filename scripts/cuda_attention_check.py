"""Check and time linea's CUDA attention kernels (linea.attention).

Used by scripts/cuda_device_check.py for manifest entries with op
"attention" (docs/cuda.md). For each entry:

  check  fresh random q, k, v (N(0, 1)), o poisoned with NaN, one call
         through the runtime (decode: the split and combine launches),
         ‖o − ref‖/‖ref‖ against a float64 reference (float32 for the
         largest shapes) with the op's semantics (bottom-right causal
         diagonal, GQA, Dv != D, the additive mask broadcast over its size-1
         dims, rows with no visible key or only −inf scores give 0), every
         element written; tolerance 1e-2 for bf16 and 3e-3 for f16 (o and P
         are rounded to 16 bits once each) and for f32 (q, k, v staged to
         f16, o and the softmax in f32). torch SDPA's flash backend (the
         memory-efficient one when there is a mask) gets the same error
         measure where it applies, for scale. Masks: N(0, 1) with ~20 % −inf,
         and one row (or, for [.., 1] masks, some rows) wholly −inf.
  time   entries named pre_* / dec_*: median of CUDA-event times of our
         call and of torch.nn.functional.scaled_dot_product_attention under
         sdpa_kernel(SDPBackend.FLASH_ATTENTION) on the same tensors (with a
         mask: EFFICIENT_ATTENTION with the mask, causal folded into it, and
         flash without the mask for scale);
         prefill in TFLOP/s (4·B·H·S·T·D, half of it when causal), decode in
         GB/s of K, V, q and o against the copy probe.
"""

import statistics

import torch

from cuda_timing import median_event_ms

OPS = {"attention"}
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}
# By the tensor-core operand type ("compute"): f32 entries are staged to f16.
REL_TOL = {"bf16": 1e-2, "f16": 3e-3}


def reference(q, k, v, causal, scale, dtype, mask=None):
    """o in `dtype`, head by head (never the whole B×H×S×T at once)."""
    b_, h_, s_, d_ = q.shape
    hk, t_ = k.shape[1], k.shape[2]
    g = h_ // hk
    out = torch.empty(q.shape[:3] + v.shape[3:], dtype=dtype, device=q.device)
    i = torch.arange(s_, device=q.device)[:, None]
    j = torch.arange(t_, device=q.device)[None, :]
    visible = (j <= i + (t_ - s_)) if causal else torch.ones(
        s_, t_, dtype=torch.bool, device=q.device)
    for b in range(b_):
        for h in range(h_):
            qh = q[b, h].to(dtype)
            kh = k[b, h // g].to(dtype)
            vh = v[b, h // g].to(dtype)
            sc = (qh @ kh.t()) * scale
            if mask is not None:
                sc = sc + mask[b % mask.shape[0], h % mask.shape[1]].to(dtype)
            sc = sc.masked_fill(~visible, float("-inf"))
            m = sc.amax(dim=1, keepdim=True)
            m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
            p = torch.exp(sc - m)
            den = p.sum(dim=1, keepdim=True)
            o = (p @ vh) / torch.where(den > 0, den, torch.ones_like(den))
            out[b, h] = o
    return out


def rel_err(x, ref):
    return float((x.double() - ref.double()).norm() / ref.double().norm())


def make_mask(shape, dtype, gen):
    """N(0, 1) with ~20 % −inf; row min(3, Ms − 1) wholly −inf (when the
    mask has rows and keys), so fully masked rows are checked too."""
    m = torch.randn(shape, device="cuda", generator=gen)
    hide = torch.rand(shape, device="cuda", generator=gen) < 0.2
    m = m.masked_fill(hide, float("-inf"))
    if shape[2] > 1 and shape[3] > 1:
        m[:, :, min(3, shape[2] - 1), :] = float("-inf")
    return m.to(dtype)


def sdpa_mask(mask, causal, s_, t_, dtype):
    """The op's mask (and bottom-right causal diagonal) as one SDPA attn_mask."""
    am = mask.to(dtype)
    if causal and s_ > 1:
        i = torch.arange(s_, device=mask.device)[:, None]
        j = torch.arange(t_, device=mask.device)[None, :]
        bias = torch.zeros(s_, t_, dtype=dtype, device=mask.device)
        am = am + bias.masked_fill(j > i + (t_ - s_), float("-inf"))
    return am.contiguous()


def torch_flash(q, k, v, causal, scale, mask=None):
    """(callable, description) of the peer: SDPA, flash backend if it runs
    (memory-efficient backend with the mask when there is one)."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    F = torch.nn.functional
    gqa = q.shape[1] != k.shape[1]
    is_causal = causal and q.shape[2] > 1  # S = 1: the last query sees all
    if mask is not None:
        am = sdpa_mask(mask, causal, q.shape[2], k.shape[2], q.dtype)
        g = q.shape[1] // k.shape[1]
        ke, ve = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        tries = [("torch SDPA efficient (mask)", SDPBackend.EFFICIENT_ATTENTION,
                  ke, ve), ("torch SDPA (default backends, mask)", None, ke, ve)]
        last = None
        for name, backend, kk, vv in tries:
            def fn(kk=kk, vv=vv, backend=backend):
                if backend is None:
                    return F.scaled_dot_product_attention(
                        q, kk, vv, attn_mask=am, scale=scale)
                with sdpa_kernel(backend):
                    return F.scaled_dot_product_attention(
                        q, kk, vv, attn_mask=am, scale=scale)
            try:
                fn()
                torch.cuda.synchronize()
                return fn, name
            except RuntimeError as e:
                last = e
        raise RuntimeError(f"no torch SDPA peer: {last}")
    tries = [("torch SDPA flash", SDPBackend.FLASH_ATTENTION, k, v, gqa)]
    if gqa:
        tries.append(("torch SDPA (default backends, enable_gqa)", None, k, v,
                      True))
        g = q.shape[1] // k.shape[1]
        tries.append(("torch SDPA flash (kv heads expanded)",
                      SDPBackend.FLASH_ATTENTION,
                      k.repeat_interleave(g, dim=1),
                      v.repeat_interleave(g, dim=1), False))
    # f32 (no flash kernel in torch): the backend torch picks, usually the
    # memory-efficient one.
    tries.append(("torch SDPA (default backends)", None, k, v, gqa))
    last = None
    for name, backend, kk, vv, eg in tries:
        def fn(kk=kk, vv=vv, eg=eg, backend=backend):
            kw = {"enable_gqa": True} if eg else {}
            if backend is None:
                return F.scaled_dot_product_attention(
                    q, kk, vv, is_causal=is_causal, scale=scale, **kw)
            with sdpa_kernel(backend):
                return F.scaled_dot_product_attention(
                    q, kk, vv, is_causal=is_causal, scale=scale, **kw)
        try:
            fn()
            torch.cuda.synchronize()
            return fn, name
        except RuntimeError as e:  # backend refused the shape
            last = e
    raise RuntimeError(f"no torch SDPA peer: {last}")



def run(rt, entry, gen, warmup, iters, probe_gbps=None):
    kernel = rt.index(entry["symbol"])
    dtype = DTYPES[entry["element"]]
    B, H, HK = entry["batch"], entry["heads"], entry["kv_heads"]
    S, T, D = entry["s"], entry["t"], entry["d"]
    causal, scale = entry["causal"], entry["scale"]
    args = {}
    for a in entry["args"]:
        shape, name = a["shape"], a["name"]
        if name in ("q", "k", "v"):
            args[name] = torch.randn(shape, device="cuda", generator=gen).to(dtype)
        elif name == "mask":
            args[name] = make_mask(shape, DTYPES[a["dtype"]], gen)
        elif name == "o":
            args[name] = torch.full(shape, float("nan"), dtype=DTYPES[a["dtype"]],
                                    device="cuda")
        else:  # decode partials
            args[name] = torch.empty(shape, dtype=DTYPES[a["dtype"]], device="cuda")
    order = [args[a["name"]] for a in entry["args"]]
    rt.launch(kernel, order)
    torch.cuda.synchronize()
    q, k, v, o = args["q"], args["k"], args["v"], args["o"]
    mask = args.get("mask")
    DV = entry.get("dv", D)
    big = B * H * S * T > (1 << 28)
    ref = reference(q, k, v, causal, scale,
                    torch.float32 if big else torch.float64, mask)
    unwritten = int((~torch.isfinite(o)).sum())
    err = rel_err(o, ref)
    tol = REL_TOL[entry.get("compute", entry["element"])]
    ok = err <= tol and unwritten == 0
    rec = {"bench": "cuda_attention", "layer": entry["layer"],
           "symbol": entry["symbol"], "kind": entry["kind"],
           "shape": {"B": B, "H": H, "Hkv": HK, "S": S, "T": T, "D": D,
                     "Dv": DV},
           "causal": causal, "dtype": entry["element"],
           "mask": None if mask is None else list(mask.shape),
           "rows_per_warp": entry.get("rows_per_warp"),
           "splits": entry.get("splits"), "rel_err": err, "tol": tol,
           "unwritten": unwritten, "check": "pass" if ok else "FAIL"}
    peer = None
    if S == T or S == 1:
        try:
            peer, rec["peer"] = torch_flash(q, k, v, causal, scale, mask)
            rec["peer_rel_err"] = rel_err(peer(), ref)
        except RuntimeError as e:
            rec["peer"] = f"none ({str(e)[:120]})"
    del ref
    timed = entry["layer"].startswith(("pre_", "dec_")) and \
        not entry["layer"].startswith("dec_chk")
    if ok and timed:
        decode = entry["kind"] == "decode"
        w, n = (20, 200) if decode else (3, 10)
        w, n = max(w, 1), max(min(n, iters), 5)
        ours = statistics.median(rt.time(kernel, [order], w, n))
        rec["ours_ms"] = ours
        if peer is not None:
            rec["peer_ms"] = median_event_ms(lambda _: peer(), w, n)
            rec["speedup"] = rec["peer_ms"] / ours
        if mask is not None:  # for scale: torch flash with no mask at all
            try:
                flash, _ = torch_flash(q, k, v, causal, scale)
                rec["flash_nomask_ms"] = median_event_ms(lambda _: flash(), w, n)
            except RuntimeError:
                pass
        if decode:
            nbytes = sum(t.numel() * t.element_size() for t in (q, k, v, o))
            rec["ours_gbps"] = nbytes / (ours * 1e-3) / 1e9
            if "peer_ms" in rec:
                rec["peer_gbps"] = nbytes / (rec["peer_ms"] * 1e-3) / 1e9
            if probe_gbps:
                rec["frac_probe"] = rec["ours_gbps"] / probe_gbps
        else:
            flops = 2.0 * B * H * S * T * (D + DV) * (0.5 if causal else 1.0)
            rec["ours_tflops"] = flops / (ours * 1e-3) / 1e12
            if "peer_ms" in rec:
                rec["peer_tflops"] = flops / (rec["peer_ms"] * 1e-3) / 1e12
    for t in list(args.values()):
        del t
    return rec


def table(recs):
    rows = [f"{'symbol':44} {'B,H,Hkv,S,T,D':>26} {'c':>1} {'err':>8} "
            f"{'torch err':>9} {'ours ms':>8} {'torch ms':>8} {'x torch':>7} "
            f"{'ours':>7} {'torch':>7} unit"]
    for r in recs:
        s = r["shape"]
        shape = f"{s['B']},{s['H']},{s['Hkv']},{s['S']},{s['T']},{s['D']}"
        if s.get("Dv", s["D"]) != s["D"]:
            shape += f"/{s['Dv']}"
        perr = f"{r['peer_rel_err']:9.1e}" if "peer_rel_err" in r else f"{'-':>9}"
        line = (f"{r['symbol'][:44]:44} {shape:>26} {'c' if r['causal'] else ' '} "
                f"{r['rel_err']:8.1e} {perr}")
        if r["check"] != "pass":
            line += f" CHECK FAILED ({r['unwritten']} unwritten)"
        elif "ours_ms" in r:
            unit = "GB/s" if r["kind"] == "decode" else "TFLOP/s"
            ours = r.get("ours_gbps", r.get("ours_tflops"))
            peer = r.get("peer_gbps", r.get("peer_tflops"))
            line += (f" {r['ours_ms']:8.3f} {r.get('peer_ms', float('nan')):8.3f} "
                     f"{r.get('speedup', float('nan')):7.2f} {ours:7.1f} "
                     f"{peer if peer is not None else float('nan'):7.1f} {unit}")
            if "frac_probe" in r:
                line += f" ({100 * r['frac_probe']:.0f}% of copy probe)"
            if r.get("mask"):
                line += f" mask {r['mask']} vs {r.get('peer', '?')}"
                if "flash_nomask_ms" in r:
                    line += (f"; flash w/o mask {r['flash_nomask_ms']:.3f} ms"
                             f" (x{r['flash_nomask_ms'] / r['ours_ms']:.2f})")
        rows.append(line)
    return "\n".join(rows)
