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


def compare(args, w):
    """(‖y − ref‖/‖ref‖, unwritten elements) of the output args["y"] against
    x·wᵀ (+ bias) in float64; w is the dense weight [N, K]."""
    ref = args["x"].double() @ w.t()
    if "bias" in args:
        ref = ref + args["bias"].double()
    y = args["y"].double()
    unwritten = int((~torch.isfinite(y)).sum())
    return float((y - ref).norm() / ref.norm()), unwritten
