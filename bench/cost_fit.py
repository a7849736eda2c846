"""The least-squares fit behind linea-plan's cost models, shared by
bench/cpu/cost_model.py and bench/cuda/cost_model.py (numpy only):

    t = overhead + bytes / bytes_per_s + flops / flops_per_s

fitted per form to measured (bytes, flops, seconds) points, and written as
the "forms" object lib/Dialect/Linea/Transforms/CostModel.h parses."""

import numpy as np

#: A throughput whose term came out negative: effectively unbounded.
UNBOUNDED = 1e15


def fit(points):
    """(overhead s, s per byte, s per flop) ≥ 0 fitted to (bytes, flops, s),
    refitted without any term that came out negative."""
    a = np.array([[1.0, b, f] for b, f, _ in points])
    t = np.array([s for _, _, s in points])
    active = [0, 1, 2]
    while True:
        coef = np.zeros(3)
        coef[active] = np.linalg.lstsq(a[:, active], t, rcond=None)[0]
        negative = [i for i in active if coef[i] < 0]
        if not negative:
            return coef
        active.remove(min(negative, key=lambda i: coef[i]))


def fitted_forms(points):
    """{form: {bytes_per_s, flops_per_s, overhead_s}} from {form: points};
    overhead_s is the intercept above dense's (a call's fixed cost)."""
    coefs = {key: fit(p) for key, p in points.items()}
    base = coefs["dense"][0]
    return {key: {
        "bytes_per_s": float(f"{1 / per_byte:.4g}") if per_byte > 0 else UNBOUNDED,
        "flops_per_s": float(f"{1 / per_flop:.4g}") if per_flop > 0 else UNBOUNDED,
        "overhead_s": float(f"{max(0.0, overhead - base):.3g}"),
    } for key, (overhead, per_byte, per_flop) in coefs.items()}


def measurements(points):
    """The raw points as the "measurements" object of a cost-model file."""
    return {key: [{"bytes": b, "flops": f, "s": s} for b, f, s in p]
            for key, p in points.items()}
