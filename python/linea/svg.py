"""Plots written as plain SVG text, so that reports and benchmarks can draw
without matplotlib (not installed by scripts/setup.sh)."""

import html
import math
import pathlib

WIDTH, HEIGHT = 760, 480
LEFT, RIGHT, TOP, BOTTOM = 70, 230, 40, 60


def _ticks(lo, hi, count=5):
    """About `count` round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if raw <= mult * step:
            step *= mult
            break
    first = math.floor(lo / step) * step
    # From the last tick at or below lo to the first at or above hi, so that
    # every point lies inside the axes.
    ticks = [round(first, 12)]
    while ticks[-1] < hi - 1e-9 * step:
        ticks.append(round(first + len(ticks) * step, 12))
    return ticks


def _fmt(v):
    return f"{v:g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.1e}"


def scatter(path, points, xlabel, ylabel, title, series=None):
    """Writes a labelled scatter plot of `points` [(x, y, label), ...] to
    `path`. With `series` (a list of names, one per point), points of one
    series share a colour and the legend lists the series; otherwise every
    point is numbered and the legend maps numbers to labels."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    xt, yt = _ticks(min(xs + [0.0]), max(xs)), _ticks(min(ys), max(ys))
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x):
        return LEFT + (x - x0) / ((x1 - x0) or 1) * pw

    def py(y):
        return TOP + ph - (y - y0) / ((y1 - y0) or 1) * ph

    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
               "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
    names = list(dict.fromkeys(series)) if series else []
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">'
           f'{html.escape(title)}</text>']
    for t in xt:
        out.append(f'<line x1="{px(t):.1f}" y1="{TOP}" x2="{px(t):.1f}" y2="{TOP + ph}" '
                   f'stroke="#ddd"/><text x="{px(t):.1f}" y="{TOP + ph + 15}" '
                   f'text-anchor="middle">{_fmt(t)}</text>')
    for t in yt:
        out.append(f'<line x1="{LEFT}" y1="{py(t):.1f}" x2="{LEFT + pw}" y2="{py(t):.1f}" '
                   f'stroke="#ddd"/><text x="{LEFT - 6}" y="{py(t) + 4:.1f}" '
                   f'text-anchor="end">{_fmt(t)}</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="black"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{HEIGHT - 15}" text-anchor="middle">'
               f'{html.escape(xlabel)}</text>')
    out.append(f'<text transform="translate(16,{TOP + ph / 2}) rotate(-90)" '
               f'text-anchor="middle">{html.escape(ylabel)}</text>')
    for i, (x, y, label) in enumerate(points):
        colour = colours[names.index(series[i]) % len(colours)] if series else colours[0]
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="{colour}">'
                   f'<title>{html.escape(label)}: {_fmt(x)}, {_fmt(y)}</title></circle>')
        if not series:
            out.append(f'<text x="{px(x) + 5:.1f}" y="{py(y) - 5:.1f}" font-size="9">'
                       f'{i + 1}</text>')
    legend = ([(colours[i % len(colours)], n) for i, n in enumerate(names)] if series else
              [(None, f"{i + 1}. {p[2]}") for i, p in enumerate(points)])
    for row, (colour, text) in enumerate(legend):
        y = TOP + 4 + row * 13
        if colour:
            out.append(f'<circle cx="{WIDTH - RIGHT + 16}" cy="{y - 4}" r="4" fill="{colour}"/>')
        out.append(f'<text x="{WIDTH - RIGHT + 24}" y="{y}" font-size="9">'
                   f'{html.escape(text[:40])}</text>')
    out.append("</svg>\n")
    pathlib.Path(path).write_text("\n".join(out))
