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


def graph_ms_or_none(launches, warmup, iters):
    """graph_ms, or None (with the reason printed) where capture fails: the
    event-timed numbers stand on their own."""
    try:
        return graph_ms(launches, warmup, iters)
    except Exception as e:  # noqa: BLE001 - keep the run's other results
        print(f"graph timing failed: {e}", flush=True)
        torch.cuda.synchronize()
        return None


def graph_ms(launches, warmup, iters):
    """Per-launch median time of `launches` (callables, each one kernel call
    on the current stream) captured back to back in one CUDA graph and
    replayed: what a decode step pays per layer when its kernels run in a
    graph, without the event and launch gaps that dominate a lone
    microsecond-scale launch."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # warm up outside the capture
        for f in launches:
            f()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for f in launches:
            f()
    ms = median_event_ms(lambda i: graph.replay(), warmup, iters)
    return ms / len(launches)


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
