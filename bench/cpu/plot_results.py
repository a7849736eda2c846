#!/usr/bin/env python3
"""Plot the speedups in bench/cpu's JSON lines as an SVG.

Usage: plot_results.py RESULTS.jsonl [MORE.jsonl ...] -o plot.svg

Reads the lines of any bench/cpu script (linea-bench-cpu, structured_forms,
sparse_forms, quant_formats_cpu, models_cpu, epilogue_cpu, scan_cpu, ...;
other lines are skipped). One group of bars per case (bench, shape or case
or model, form / format / dtype, threads), one colour per peer: `speedup`
or `ratio` against `peer`, and each `x_<peer>` / `vs_<peer>` ratio the
script reports (ours is faster where > 1). A case measured several times
shows its median.

    build/bin/linea-bench-cpu --dtypes f32,int4 > cpu.jsonl
    /usr/bin/python3 bench/cpu/plot_results.py cpu.jsonl -o build/bench-cpu.svg
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from svg_bars import json_records, plot_cli  # noqa: E402

CASE_KEYS = ["shape", "case", "model", "op"]
KIND_KEYS = ["form", "format", "dtype"]


def case_of(rec):
    parts = [str(rec["bench"])] if "bench" in rec else []
    parts += [str(rec[k]) for k in CASE_KEYS if k in rec][:1]
    parts += [str(rec[k]) for k in KIND_KEYS if k in rec][:1]
    if "threads" in rec:
        parts.append(f"t{rec['threads']}")
    return " ".join(parts)


def ratios(rec):
    """(peer, ours-faster ratio) pairs of one record."""
    for key in ("speedup", "ratio"):
        if key in rec:
            yield str(rec.get("peer", key)).split(":")[0], rec[key]
    for key, value in rec.items():
        if key.startswith(("x_", "vs_")):
            yield key.split("_", 1)[1], value


def bars_of(paths):
    values = {}
    for _, rec in json_records(paths):
        for peer, value in ratios(rec):
            if isinstance(value, (int, float)) and value > 0:
                values.setdefault((case_of(rec), peer), []).append(float(value))
    return [(case, peer, statistics.median(v)) for (case, peer), v in values.items()]


def main():
    return plot_cli(__doc__, bars_of, "linea CPU kernels: speedup = peer_ms / ours_ms "
                    "(log scale, > 1: linea faster)")


if __name__ == "__main__":
    sys.exit(main())
