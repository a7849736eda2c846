"""Check and time linea's CUDA latent-attention decode kernels
(linea.latent_attention, the Palu decode path; docs/cuda.md).

Used by scripts/cuda_device_check.py for manifest entries with op
"latent_attention". For each entry:

  check  fresh random q, latents ~ N(0, 1), k_up / v_up ~ N(0, 1/r), RoPE
         tables of the usual form (cos/sin of position · 10000^(−2i/D)), o
         poisoned with NaN, one call through the runtime (split + combine
         launches); ‖o − ref‖/‖ref‖ against a float64 reference of the op
         (reconstruct K and V from the latents, RoPE on K, softmax attention),
         every element written. Tolerance 1e-2 bf16, 3e-3 f16 (the kernel
         rounds the rebuilt K, P and o to 16 bits once each).
  time   entries named dec_*: median CUDA-event time of our call against
         torch SDPA (flash backend, GQA) over the dense reconstructed,
         rotated K/V cache in the op's element type — what a user without
         the latent kernel runs — and the ratio; plus the cache bytes each
         reads (latent rows + rope rows for us, K and V for SDPA).
"""

import statistics

import torch

from cuda_attention_check import torch_flash

OPS = {"latent_attention"}
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}
REL_TOL = {"bf16": 1e-2, "f16": 3e-3}


def rope_tables(t, d, device):
    inv = 1.0 / 10000.0 ** (torch.arange(0, d, 2, dtype=torch.float64,
                                         device=device) / d)
    ang = torch.outer(torch.arange(t, dtype=torch.float64, device=device), inv)
    ang = torch.cat([ang, ang], dim=1)
    return torch.cos(ang), torch.sin(ang)


def reconstruct(latent, up, kv_heads, dtype):
    """latent [B, T, G·r], up [G, (Hkv/G)·X, r] → [B, Hkv, T, X] in dtype."""
    groups, rows, r = up.shape
    per = kv_heads // groups
    x = rows // per
    b, t, _ = latent.shape
    out = torch.empty((b, kv_heads, t, x), dtype=dtype, device=latent.device)
    for h in range(kv_heads):
        g = h // per
        u = up[g, (h % per) * x:(h % per + 1) * x].to(dtype)
        out[:, h] = latent[:, :, g * r:(g + 1) * r].to(dtype) @ u.t()
    return out


def apply_rope(k, cos, sin):
    half = k.shape[-1] // 2
    rot = torch.cat([-k[..., half:], k[..., :half]], dim=-1)
    return k * cos + rot * sin


def dense_kv(a, entry, dtype):
    k = reconstruct(a["k_latent"], a["k_up"], entry["kv_heads"], dtype)
    if "cos" in a:
        k = apply_rope(k, a["cos"].to(dtype), a["sin"].to(dtype))
    v = reconstruct(a["v_latent"], a["v_up"], entry["kv_heads"], dtype)
    return k, v


def reference(a, entry, dtype):
    k, v = dense_kv(a, entry, dtype)
    q = a["q"].to(dtype)
    b_, h_ = q.shape[:2]
    g = h_ // entry["kv_heads"]
    out = torch.empty((b_, h_, 1, v.shape[-1]), dtype=dtype, device=q.device)
    for h in range(h_):
        s = (q[:, h] @ k[:, h // g].transpose(1, 2)) * entry["scale"]
        p = torch.softmax(s, dim=-1)
        out[:, h] = p @ v[:, h // g]
    return out


def rel_err(x, ref):
    return float((x.double() - ref.double()).norm() / ref.double().norm())


def run(rt, entry, gen, warmup, iters, probe_gbps=None):
    kernel = rt.index(entry["symbol"])
    dtype = DTYPES[entry["element"]]
    T, D = entry["t"], entry["d"]
    a = {}
    for arg in entry["args"]:
        shape, name, dt = arg["shape"], arg["name"], DTYPES[arg["dtype"]]
        if name in ("q", "k_latent", "v_latent"):
            a[name] = torch.randn(shape, device="cuda", generator=gen).to(dt)
        elif name in ("k_up", "v_up"):
            a[name] = (torch.randn(shape, device="cuda", generator=gen)
                       / shape[-1] ** 0.5).to(dt)
        elif name in ("cos", "sin"):
            cos, sin = rope_tables(T, D, "cuda")
            a[name] = (cos if name == "cos" else sin).to(dt)
        elif name == "o":
            a[name] = torch.full(shape, float("nan"), dtype=dt, device="cuda")
        else:  # split partials
            a[name] = torch.empty(shape, dtype=dt, device="cuda")
    order = [a[arg["name"]] for arg in entry["args"]]
    rt.launch(kernel, order)
    torch.cuda.synchronize()
    o = a["o"]
    B, H, HK = entry["batch"], entry["heads"], entry["kv_heads"]
    big = B * HK * T * D > (1 << 26)
    ref = reference(a, entry, torch.float32 if big else torch.float64)
    unwritten = int((~torch.isfinite(o)).sum())
    err = rel_err(o, ref)
    tol = REL_TOL[entry["element"]]
    ok = err <= tol and unwritten == 0
    rec = {"bench": "cuda_latent_attention", "layer": entry["layer"],
           "symbol": entry["symbol"],
           "shape": {"B": B, "H": H, "Hkv": HK, "T": T, "D": D,
                     "Dv": entry["dv"], "Gk": entry["k_groups"],
                     "rk": entry["rk"], "Gv": entry["v_groups"],
                     "rv": entry["rv"]},
           "rope": entry["rope"], "dtype": entry["element"],
           "splits": entry["splits"], "rel_err": err, "tol": tol,
           "ref": "float32" if big else "float64",
           "unwritten": unwritten, "check": "pass" if ok else "FAIL"}
    # The peer: SDPA over the dense reconstructed (rotated) cache in the
    # op's element type.
    k, v = dense_kv(a, entry, dtype)
    q = a["q"]
    peer = None
    try:
        peer, rec["peer"] = torch_flash(q, k, v, False, entry["scale"])
        rec["peer_rel_err"] = rel_err(peer(), ref)
    except RuntimeError as e:
        rec["peer"] = f"none ({str(e)[:120]})"
    del ref
    latent_bytes = sum(a[n].numel() * a[n].element_size()
                       for n in ("k_latent", "v_latent", "cos", "sin") if n in a)
    dense_bytes = (k.numel() + v.numel()) * k.element_size()
    rec["cache_bytes"] = latent_bytes
    rec["dense_cache_bytes"] = dense_bytes
    rec["cache_ratio"] = dense_bytes / latent_bytes
    if ok and entry["layer"].startswith("dec_"):
        w, n = 20, max(min(200, iters), 5)
        ours = statistics.median(rt.time(kernel, [order], w, n))
        rec["ours_ms"] = ours
        rec["ours_gbps"] = latent_bytes / (ours * 1e-3) / 1e9
        if probe_gbps:
            rec["frac_probe"] = rec["ours_gbps"] / probe_gbps
        if peer is not None:
            from cuda_timing import median_event_ms
            rec["peer_ms"] = median_event_ms(lambda _: peer(), w, n)
            rec["speedup"] = rec["peer_ms"] / ours
    del k, v
    a.clear()
    return rec


def table(recs):
    rows = [f"{'symbol':40} {'B,H,Hkv,T,D':>18} {'Gk*rk/Gv*rv':>12} {'rope':>4} "
            f"{'err':>8} {'sdpa err':>8} {'ours ms':>8} {'sdpa ms':>8} "
            f"{'x sdpa':>6} {'cache x':>7}"]
    for r in recs:
        s = r["shape"]
        shape = f"{s['B']},{s['H']},{s['Hkv']},{s['T']},{s['D']}"
        ranks = f"{s['Gk']}*{s['rk']}/{s['Gv']}*{s['rv']}"
        perr = f"{r['peer_rel_err']:8.1e}" if "peer_rel_err" in r else f"{'-':>8}"
        line = (f"{r['symbol'][:40]:40} {shape:>18} {ranks:>12} "
                f"{'y' if r['rope'] else 'n':>4} {r['rel_err']:8.1e} {perr}")
        if r["check"] != "pass":
            line += f" CHECK FAILED ({r['unwritten']} unwritten)"
        elif "ours_ms" in r:
            line += (f" {r['ours_ms']:8.3f} {r.get('peer_ms', float('nan')):8.3f}"
                     f" {r.get('speedup', float('nan')):6.2f}"
                     f" {r['cache_ratio']:7.2f}")
        rows.append(line)
    return "\n".join(rows)
