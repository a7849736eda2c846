"""CUDA-event timing shared by the device-check scripts (GPU machine only)."""

import statistics

import torch


def median_event_ms(fn, warmup, iters):
    """Median of `iters` CUDA-event-timed calls fn(i), after `warmup`
    untimed calls; i counts the calls, so fn can rotate argument sets."""
    for i in range(warmup):
        fn(i)
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    for i in range(iters):
        starts[i].record()
        fn(warmup + i)
        ends[i].record()
    torch.cuda.synchronize()
    return statistics.median(s.elapsed_time(e) for s, e in zip(starts, ends))


ACTIVATIONS = {
    "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
    "silu": torch.nn.functional.silu, "gelu": torch.nn.functional.gelu,
    "gelu_tanh": lambda t: torch.nn.functional.gelu(t, approximate="tanh")}


def apply_epilogue(entry, y, args):
    """The entry's fused epilogue (docs/cuda.md, "Fused epilogues") applied
    to y = x·Ŵᵀ (+ bias) in y's dtype: the activation, then + or · the
    `residual` argument. y unchanged for an entry without one."""
    epilogue = entry.get("epilogue") or {}
    if epilogue.get("activation"):
        y = ACTIVATIONS[epilogue["activation"]](y)
    combine = epilogue.get("combine")
    if combine:
        r = args["residual"].to(y.dtype)
        # [M, N], or a [1, N] row broadcast over y's rows
        r = r.reshape(y.shape) if r.numel() == y.numel() else r.reshape(-1)
        y = y + r if combine == "add" else y * r
    return y


def compare(args, w, entry=None):
    """(‖y − ref‖/‖ref‖, unwritten elements) of the output args["y"] against
    x·wᵀ (+ bias), then the entry's epilogue, in float64; w is the dense
    weight [N, K]."""
    ref = args["x"].double() @ w.t()
    if "bias" in args:
        ref = ref + args["bias"].double()
    if entry is not None:
        ref = apply_epilogue(entry, ref.reshape(args["y"].shape), args)
    y = args["y"].double()
    unwritten = int((~torch.isfinite(y)).sum())
    return float((y - ref).norm() / ref.norm()), unwritten
