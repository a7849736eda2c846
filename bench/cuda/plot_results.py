#!/usr/bin/env python3
"""Plot the speedups in cuda_device_check.py's JSON lines as an SVG.

Usage: plot_results.py RESULTS.jsonl [MORE.jsonl ...] -o plot.svg

One group of bars per layer (prefixed by the file's name when several files
are given), one colour per peer; a layer's several kernel variants show as
their best. Kernel records give `speedup` against `peer` (and `speedup2`
against `peer2`); scan records give `x_sdpa` (softmax attention of the same
heads) and `x_recurrent` (the recurrent form). Failed checks are left out.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from svg_bars import json_records, plot_cli  # noqa: E402

# (speedup key, peer-name key or fixed peer name)
SERIES = [("speedup", "peer"), ("speedup2", "peer2"),
          ("x_sdpa", "=SDPA flash, same heads"),
          ("x_recurrent", "=recurrent form")]


def short(peer):
    """'torch.matmul bf16 (cuBLAS)' -> 'torch.matmul bf16' for legends."""
    return peer.split(" (")[0]


def best_bars(paths):
    best = {}
    for path, rec in json_records(paths):
        stem = os.path.basename(path).rsplit(".", 1)[0]
        if "layer" not in rec or rec.get("check", "pass") != "pass":
            continue
        case = rec["layer"] if len(paths) == 1 else f'{stem}:{rec["layer"]}'
        for key, peer in SERIES:
            v = rec.get(key)
            if not isinstance(v, (int, float)) or v <= 0:
                continue
            name = peer[1:] if peer.startswith("=") else \
                short(str(rec.get(peer, peer)))
            k = (case, name)
            best[k] = max(best.get(k, 0.0), float(v))
    return [(c, p, v) for (c, p), v in best.items()]


def main():
    return plot_cli(__doc__, best_bars, "linea CUDA kernels: speedup = "
                    "peer_ms / ours_ms (log scale, > 1: linea faster)")


if __name__ == "__main__":
    sys.exit(main())
