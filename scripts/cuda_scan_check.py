"""Check and time linea's scan and recurrence kernels on the GPU (PyTorch).

Used by scripts/cuda_device_check.py for manifest entries whose op is a
scan (selective_scan, linear_scan) or a matrix-state recurrence
(gated_linear_attention, linear_attention, delta_rule; recurrent or
chunkwise, "/cw" in the table). For each:

  check  fresh random inputs of the op's usual ranges, outputs and
         workspaces poisoned with NaN, one call (all of the entry's
         launches), ‖out − ref‖/‖ref‖ of every result against a float64
         PyTorch loop over t (the op's definition), every element written;
  time   median of CUDA-event times of the call; the same torch loop in
         f32 (the recurrent reference), the vectorised torch form where one
         exists (cumprod/cumsum for linear_scan), and torch SDPA (flash,
         bf16, causal) of softmax attention with the same heads over the
         same T (scans: D / 64 heads of 64 channels); chunkwise entries
         also against the recurrent entry of the same layer (x rec).
"""

import contextlib
import statistics

import torch
import torch.nn.functional as F

from cuda_timing import median_event_ms

try:
    from torch.nn.attention import SDPBackend, sdpa_kernel
except ImportError:  # torch < 2.3: whatever backend SDPA picks
    SDPBackend = sdpa_kernel = None

OPS = ("selective_scan", "linear_scan", "gated_linear_attention",
       "linear_attention", "delta_rule")
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}
REL_TOL = {"bf16": 1e-2, "f16": 2e-3, "f32": 1e-4}
DEVICE = "cuda"


def _rand(shape, gen, dtype, scale=1.0, shift=0.0):
    return (torch.randn(shape, device=DEVICE, generator=gen) * scale
            + shift).to(dtype)


POISONED = ("y", "h", "o", "final_state", "ws_state", "ws_decay", "ws_wu")

# The inputs, float64 reference and f32 loop time of the last layer: the
# variants of one layer (consecutive manifest entries with the same
# inputs) share them; outputs are poisoned afresh for each.
_last = {}


def _input_key(entry):
    return (entry["layer"], entry["op"],
            tuple((a["name"], tuple(a["shape"]), a["dtype"])
                  for a in entry["args"] if a["name"] not in POISONED))


def make_inputs(entry, gen, inputs=None):
    """Arguments by name: random inputs in each op's usual range (or those
    of `inputs`), NaN-poisoned outputs and workspaces."""
    op, t = entry["op"], {}
    for a in entry["args"]:
        name, shape, dt = a["name"], a["shape"], DTYPES[a["dtype"]]
        if name in POISONED:
            t[name] = torch.full(shape, float("nan"), dtype=dt, device=DEVICE)
        elif inputs is not None:
            t[name] = inputs[name]
        elif name == "A":  # Mamba's A = −exp(A_log)
            t[name] = (-torch.exp(torch.randn(shape, device=DEVICE,
                                              generator=gen) * 0.5)).to(dt)
        elif name == "delta":
            t[name] = (_rand(shape, gen, dt, 0.5, -1.0) if entry["delta_softplus"]
                       else torch.rand(shape, device=DEVICE, generator=gen).to(dt) * 0.1)
        elif name == "delta_bias":
            t[name] = _rand(shape, gen, dt, 0.1)
        elif name == "a":  # decays in (0, 1)
            t[name] = torch.sigmoid(torch.randn(shape, device=DEVICE,
                                                generator=gen) + 2.0).to(dt)
        elif name == "g":  # GLA's log forget gate: logsigmoid(x) / 16
            t[name] = (F.logsigmoid(torch.randn(shape, device=DEVICE,
                                                generator=gen)) / 16).to(dt)
        elif name == "beta":
            t[name] = torch.sigmoid(torch.randn(shape, device=DEVICE,
                                                generator=gen)).to(dt)
        elif name in ("q", "k") and op == "delta_rule":  # L2-normalised keys
            x = torch.randn(shape, device=DEVICE, generator=gen)
            t[name] = (x / x.norm(dim=-1, keepdim=True)).to(dt)
        elif name == "initial_state":
            t[name] = _rand(shape, gen, dt, 0.1)
        else:
            t[name] = _rand(shape, gen, dt)
    return t


def reference(entry, t, dtype=torch.float64):
    """Results by name, by the op's definition (a loop over t) in `dtype`."""
    op = entry["op"]
    c = {k: v.to(dtype) for k, v in t.items()
         if k not in ("y", "h", "o", "final_state", "ws_state", "ws_decay",
                      "ws_wu")}
    if op == "linear_scan":
        a, b = c["a"], c["b"]
        h = c.get("initial_state", torch.zeros_like(a[:, 0]))
        out = torch.empty_like(a)
        for i in range(a.shape[1]):
            h = a[:, i] * h + b[:, i]
            out[:, i] = h
        return {"h": out}
    if op == "selective_scan":
        u, A, Bm, Cm = c["u"], c["A"], c["B"], c["C"]
        dt = c["delta"] + c.get("delta_bias", 0.0)
        if entry["delta_softplus"]:
            dt = F.softplus(dt)
        h = c.get("initial_state",
                  torch.zeros(u.shape[0], u.shape[2], A.shape[1], dtype=dtype,
                              device=DEVICE))
        y = torch.empty_like(u)
        for i in range(u.shape[1]):
            dA = torch.exp(dt[:, i, :, None] * A[None])
            h = dA * h + (dt[:, i] * u[:, i])[:, :, None] * Bm[:, i, None, :]
            y[:, i] = (h * Cm[:, i, None, :]).sum(-1)
        if "D_skip" in c:
            y = y + c["D_skip"] * u
        if "z" in c:
            y = y * F.silu(c["z"])
        return {"y": y, "final_state": h}
    q, k, v = c["q"], c["k"], c["v"]
    B, H, T, Dk = q.shape
    Dv = v.shape[-1]
    S = c.get("initial_state",
              torch.zeros(B, H, Dk, Dv, dtype=dtype, device=DEVICE))
    o = torch.empty(B, H, T, Dv, dtype=dtype, device=DEVICE)
    if op == "linear_attention":
        fm = entry["feature_map"]
        phi = {"elu_plus_one": lambda x: F.elu(x) + 1, "relu": F.relu,
               "identity": lambda x: x,
               "binary": lambda x: (x > 0).to(x.dtype)}[fm]
        q, k = phi(q), phi(k)
        z = torch.zeros(B, H, Dk, dtype=dtype, device=DEVICE)
        for i in range(T):
            S = S + k[:, :, i, :, None] * v[:, :, i, None, :]
            z = z + k[:, :, i]
            num = torch.einsum("bha,bhac->bhc", q[:, :, i], S)
            den = (q[:, :, i] * z).sum(-1, keepdim=True)
            o[:, :, i] = num / (den + entry["epsilon"])
        return {"o": o}
    scale = entry["scale"]
    for i in range(T):
        kt, vt = k[:, :, i], v[:, :, i]
        if op == "gated_linear_attention":
            S = torch.exp(c["g"][:, :, i])[..., None] * S + kt[..., None] * vt[..., None, :]
        else:
            kS = torch.einsum("bha,bhac->bhc", kt, S)
            beta = c["beta"][:, :, i, None, None]
            S = S + beta * kt[..., None] * (vt - kS)[..., None, :]
        o[:, :, i] = scale * torch.einsum("bha,bhac->bhc", q[:, :, i], S)
    return {"o": o, "final_state": S}



def sdpa_shape(entry):
    """(B, H, T, D) of the softmax attention the op is compared with."""
    d = entry["dims"]
    if entry["op"] in ("selective_scan", "linear_scan"):
        B, T, D = d[0], d[1], d[2]
        return B, max(1, D // 64), T, 64
    return d[0], d[1], d[2], d[3]


def vectorised_linear_scan(a, b):
    """h via cumulative products (the usual torch form; unstable for long T,
    timed only)."""
    p = torch.cumprod(a, dim=1)
    return p * torch.cumsum(b / p, dim=1)


def run(rt, entry, gen, warmup, iters, time_refs=True):
    """One JSON record: check, then times against the torch peers."""
    kernel = rt.index(entry["symbol"])
    key = _input_key(entry)
    same = _last.get("key") == key
    t = make_inputs(entry, gen, _last["inputs"] if same else None)
    order = [t[a["name"]] for a in entry["args"]]
    rt.launch(kernel, order)
    torch.cuda.synchronize()
    if not same:
        _last.clear()
        _last.update(key=key, ref=reference(entry, t),
                     inputs={n: x for n, x in t.items() if n not in POISONED})
    ref = _last["ref"]
    errs, unwritten, ok = {}, 0, True
    for name, r in ref.items():
        out = t[name].double()
        unwritten += int((~torch.isfinite(out)).sum())
        errs[name] = float((out - r).norm() / r.norm())
        dt = next(a["dtype"] for a in entry["args"] if a["name"] == name)
        if name == "final_state" and entry.get("form") == "chunkwise":
            # The tensor-core form adds K̃ᵀV with K̃ (gate-scaled keys)
            # rounded to the input type, as the outputs are: its f32 state
            # is held to the inputs' tolerance, not to f32's.
            dt = entry["args"][0]["dtype"]
        ok &= errs[name] <= REL_TOL[dt]
    ok &= unwritten == 0
    first = entry["args"][0]["dtype"]
    rec = {"bench": "cuda_scan", "op": entry["op"], "layer": entry["layer"],
           "symbol": entry["symbol"], "dims": entry["dims"], "dtype": first,
           "launches": len(entry["launches"]), "chunks": entry.get("chunks"),
           "form": entry.get("form", ""),
           "rel_err": errs, "unwritten": unwritten,
           "check": "pass" if ok else "FAIL"}
    if not ok:
        return rec
    ours = statistics.median(rt.time(kernel, [order], warmup, iters))
    rec["ours_ms"] = ours
    B, H, T, D = sdpa_shape(entry)
    qkv = [torch.randn(B, H, T, D, device=DEVICE, generator=gen,
                       dtype=torch.bfloat16) for _ in range(3)]
    flash = (sdpa_kernel(SDPBackend.FLASH_ATTENTION) if sdpa_kernel
             else contextlib.nullcontext())
    with flash:
        sdpa = median_event_ms(
            lambda _: F.scaled_dot_product_attention(*qkv, is_causal=True),
            warmup, iters)
    rec.update(sdpa_ms=sdpa, sdpa_shape=[B, H, T, D], x_sdpa=sdpa / ours)
    del qkv
    if entry["op"] == "linear_scan":
        a32, b32 = t["a"].float(), t["b"].float()
        vec = median_event_ms(lambda _: vectorised_linear_scan(a32, b32), warmup, iters)
        rec.update(vec_ms=vec, x_vec=vec / ours)
    if time_refs:
        if "loop_ms" not in _last:
            _last["loop_ms"] = median_event_ms(
                lambda _: reference(entry, t, torch.float32), 0, 1)
        loop = _last["loop_ms"]
        rec.update(loop_ms=loop, x_loop=loop / ours)
    return rec


def relate_forms(recs):
    """Adds x_recurrent (recurrent kernel time / ours) to every timed
    chunkwise record whose layer also has a timed recurrent entry."""
    rec_ms = {r["layer"]: r["ours_ms"] for r in recs
              if r.get("form") == "recurrent" and "ours_ms" in r}
    for r in recs:
        if r.get("form") == "chunkwise" and "ours_ms" in r \
                and r["layer"] in rec_ms:
            r["recurrent_ms"] = rec_ms[r["layer"]]
            r["x_recurrent"] = rec_ms[r["layer"]] / r["ours_ms"]


def table(recs):
    """Text table of the records of run() (adds x_recurrent to them)."""
    relate_forms(recs)
    lines = [f"{'op':27} {'dims':>22} {'dt':>4} {'L':>2} {'err':>8} "
             f"{'ours us':>9} {'sdpa us':>9} {'x sdpa':>7} {'loop ms':>8} "
             f"{'x loop':>7} {'x vec':>6} {'x rec':>6}"]
    for r in recs:
        dims = "x".join(map(str, r["dims"]))
        op = r["op"] + ("/cw" if r.get("form") == "chunkwise" else "")
        err = max(r["rel_err"].values()) if r["rel_err"] else float("nan")
        if "ours_ms" not in r:
            lines.append(f"{op[:27]:27} {dims:>22} {r['dtype']:>4} "
                         f"{r['launches']:>2} {err:8.1e} CHECK FAILED "
                         f"({r['unwritten']} unwritten) {r['symbol']}")
            continue
        loop = (f"{r['loop_ms']:8.1f} {r['x_loop']:7.0f}" if "loop_ms" in r
                else f"{'-':>8} {'-':>7}")
        vec = f"{r['x_vec']:6.1f}" if "x_vec" in r else f"{'-':>6}"
        xrec = (f"{r['x_recurrent']:6.2f}" if "x_recurrent" in r
                else f"{'-':>6}")
        lines.append(f"{op[:27]:27} {dims:>22} {r['dtype']:>4} "
                     f"{r['launches']:>2} {err:8.1e} {r['ours_ms'] * 1e3:9.1f} "
                     f"{r['sdpa_ms'] * 1e3:9.1f} {r['x_sdpa']:7.2f} {loop} {vec}"
                     f" {xrec}  {r['symbol']}")
    return "\n".join(lines)
