"""Grouped bar charts of speedups as a standalone SVG (no matplotlib: the
Debian machines and the GPU machine have none).

    write_speedup_svg(bars, path, title)

`bars` is a list of (case, series, speedup): one group of bars per case in
first-seen order, one colour per series, heights log2(speedup) so that 2x
faster and 2x slower are the same length.
"""

import html
import math

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def write_speedup_svg(bars, path, title, lo=-4, hi=6):
    """Writes the chart; lo/hi bound the log2 axis (1/16x … 64x)."""
    bars = [b for b in bars if b[2] and b[2] > 0]
    cases, series = [], []
    for case, ser, _ in bars:
        if case not in cases:
            cases.append(case)
        if ser not in series:
            series.append(ser)
    series.sort()
    bar, gap, left, top, height = 7, 10, 60, 30, 300
    width = left + len(cases) * (len(series) * bar + gap) + 260
    y = lambda v: top + height * (hi - max(lo, min(hi, v))) / (hi - lo)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{top + height + 170}" font-family="sans-serif" '
           'font-size="10">',
           f'<text x="{left}" y="16" font-size="13">{html.escape(title)}'
           '</text>']
    for e in range(lo, hi + 1):
        out.append(f'<line x1="{left}" x2="{width - 260}" y1="{y(e)}" '
                   f'y2="{y(e)}" stroke="{"#000" if e == 0 else "#ddd"}"/>')
        out.append(f'<text x="{left - 5}" y="{y(e) + 3}" text-anchor="end">'
                   f'{2.0 ** e:g}×</text>')
    for ci, case in enumerate(cases):
        x0 = left + ci * (len(series) * bar + gap)
        for c, ser, speedup in bars:
            if c != case:
                continue
            si = series.index(ser)
            y0, y1 = sorted((y(0), y(math.log2(speedup))))
            out.append(f'<rect x="{x0 + si * bar}" y="{y0:.1f}" '
                       f'width="{bar - 1}" height="{max(y1 - y0, 0.5):.1f}" '
                       f'fill="{COLOURS[si % len(COLOURS)]}"><title>'
                       f'{html.escape(case)} vs {html.escape(ser)}: '
                       f'{speedup:.3g}×</title></rect>')
        cx = x0 + len(series) * bar / 2
        out.append(f'<text transform="translate({cx},{top + height + 8}) '
                   f'rotate(60)">{html.escape(case)}</text>')
    for si, ser in enumerate(series):
        ly = top + 10 + 14 * si
        out.append(f'<rect x="{width - 250}" y="{ly - 8}" width="10" '
                   f'height="10" fill="{COLOURS[si % len(COLOURS)]}"/>')
        out.append(f'<text x="{width - 235}" y="{ly}">{html.escape(ser)}'
                   '</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def json_records(paths):
    """(path, record) for every line of the files in `paths` that is a JSON
    object; other lines (logs, tables) are skipped."""
    import json
    for path in paths:
        with open(path) as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict):
                    yield path, rec


def plot_cli(doc, bars_of, title, tool="plot_results"):
    """main() of a plot script: RESULTS.jsonl [...] -o plot.svg --title;
    `bars_of(paths)` reads the bars. Returns the exit status (1: no bars)."""
    import argparse
    import sys
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("results", nargs="+")
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--title", default=title)
    a = p.parse_args()
    bars = bars_of(a.results)
    if not bars:
        print(f"{tool}: no speedups in the input", file=sys.stderr)
        return 1
    write_speedup_svg(bars, a.out, a.title)
    print(f"{tool}: {len(bars)} bars -> {a.out}", file=sys.stderr)
    return 0
