#!/usr/bin/python3
"""linea against all its CPU peers, in one script: OpenBLAS and oneDNN (inside
linea-bench-cpu) and ONNX Runtime (ort_peer.mjs on make_ort_models.py's
models), same shapes, M, dtypes and thread counts. Prints one JSON line per
(case, peer) with speedup = peer_ms / ours_ms (> 1: linea is faster), a
markdown table on stderr, and writes a plot (SVG, by hand: no matplotlib).

ONNX Runtime is optional: without node or bench/cpu/node_modules the ORT
lines say "peer_unavailable" and the rest still runs. Install it with
  npm install --ignore-scripts --no-save --prefix bench/cpu onnxruntime-node@1.30

Usage: compare_ort.py [--build DIR] [--shapes 4096x4096,11008x4096]
    [--m 1,16,128] [--dtypes f32,int8,w8a8,int4] [--threads 1,2] [--runs 20]
    [--l3-mib 32] [--models DIR] [--plot FILE.svg] [--no-ort]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from svg_bars import write_speedup_svg  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# linea dtype -> make_ort_models.py paths that are its ONNX Runtime peers
# (in make_ort_models.py's order). ORT's int8 path is W8A8 (dynamic): it is
# the peer of linea's w8a8, and of linea's weight-only int8 when w8a8 is not
# run (PERF.md compares int8 against "ONNX Runtime's int8 path").
ORT_PATHS = {"f32": ["f32"], "int8": ["dq8", "nbits8"], "w8a8": ["dq8"],
             "int4": ["nbits4", "nbits4a4"]}
PATH_ORDER = ["f32", "dq8", "nbits8", "nbits4", "nbits4a4"]


def ort_paths(dtype, dtypes):
    paths = ORT_PATHS.get(dtype, [])
    if dtype == "int8" and "w8a8" in dtypes:
        paths = [p for p in paths if p != "dq8"]
    return paths


def ours_dtype(ort_dtype, have):
    """The linea dtype an ort_peer.mjs line is compared with."""
    if ort_dtype == "w8a8" and "w8a8" not in have:
        return "int8"
    return ort_dtype


def log(msg):
    print(f"compare_ort: {msg}", file=sys.stderr, flush=True)


def run_json(cmd):
    """Runs cmd, passing its stderr through; returns (rc, JSON lines)."""
    log(" ".join(cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    lines = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            lines.append(json.loads(line))
    return p.returncode, lines


def linea_side(a, shape, dtype, threads):
    exe = os.path.join(a.build, "bin", "linea-bench-cpu")
    rc, lines = run_json([exe, "--shapes", shape, "--m", a.m,
                          "--dtypes", dtype, "--runs", str(a.runs),
                          "--l3-mib", str(a.l3_mib),
                          "--threads", str(threads)])
    if rc != 0:
        log(f"linea-bench-cpu {shape} {dtype} --threads {threads} "
            f"exited {rc}")
    return rc, lines


def ort_unavailable(a):
    """Why ONNX Runtime cannot run here, or None."""
    if a.no_ort:
        return "--no-ort"
    if not shutil.which("node"):
        return "node is not installed"
    if not os.path.isdir(os.path.join(HERE, "node_modules",
                                      "onnxruntime-node")):
        return ("onnxruntime-node is not installed (npm install "
                "--ignore-scripts --no-save --prefix bench/cpu "
                "onnxruntime-node@1.30)")
    return None


def make_models(a):
    dtypes = a.dtypes.split(",")
    wanted = {p for d in dtypes for p in ort_paths(d, dtypes)}
    paths = [p for p in PATH_ORDER if p in wanted]
    if not paths:
        return 0
    # Models are regenerated when the request differs from what is there.
    want = {"shapes": a.shapes, "paths": ",".join(paths), "l3_mib": a.l3_mib}
    stamp = os.path.join(a.models, "request.json")
    have = None
    if os.path.exists(stamp):
        with open(stamp) as f:
            have = json.load(f)
    if have != want:
        if os.path.isdir(a.models) and os.listdir(a.models) and have is None:
            log(f"{a.models} is not empty and holds no models of ours; "
                "not overwriting it")
            return 1
        shutil.rmtree(a.models, ignore_errors=True)
        rc = subprocess.run([sys.executable,
                             os.path.join(HERE, "make_ort_models.py"),
                             "--out", a.models, "--shapes", a.shapes,
                             "--paths", want["paths"],
                             "--l3-mib", str(a.l3_mib)]).returncode
        if rc != 0:
            return rc
        with open(stamp, "w") as f:
            json.dump(want, f)
    return 0


def ort_side(a, shape, dtype, threads):
    paths = ort_paths(dtype, a.dtypes.split(","))
    if not paths:
        return 0, []
    return run_json([shutil.which("node"), os.path.join(HERE, "ort_peer.mjs"),
                     a.models, "--shapes", shape, "--paths", ",".join(paths),
                     "--m", a.m, "--threads", str(threads),
                     "--runs", str(a.runs)])


def merge_ort(ours_lines, ort_lines):
    """One line per ORT case with linea's time for the same case."""
    ours, have = {}, {o["dtype"] for o in ours_lines}
    for o in ours_lines:
        key = (o["shape"], o["dtype"], o["threads"])
        ours.setdefault(key, o)
    out = []
    for r in ort_lines:
        if "peer_unavailable" in r and "shape" not in r:
            out.append({"bench": "linear", "peer": r.get("peer", "ort"),
                        "dtype": r.get("dtype"),
                        "peer_unavailable": r["peer_unavailable"]})
            continue
        dtype = ours_dtype(r["dtype"], have)
        o = ours.get((r["shape"], dtype, r["threads"]))
        line = {"bench": "linear", "shape": r["shape"],
                "dtype": dtype,
                "peer": f"{r['peer']} ({r['dtype']})",
                "ours_ms": o["ours_ms"] if o else None,
                "peer_ms": r["peer_ms"], "speedup": None,
                "ours_gbps": o["ours_gbps"] if o else None,
                "peer_gbps": r["peer_gbps"],
                "probe_gbps": o["probe_gbps"] if o else None,
                "threads": r["threads"],
                "weight_copies": o["weight_copies"] if o else None,
                "peer_weight_copies": r["weight_copies"],
                "max_rel_err": r["max_rel_err"]}
        if o:
            line["speedup"] = round(r["peer_ms"] / o["ours_ms"], 4)
        else:
            line["note"] = "linea did not run this case"
        out.append(line)
    return out


def table(lines):
    rows = ["| M×N×K | dtype | threads | peer | ours ms | peer ms | speedup "
            "| ours GB/s |", "|---|---|---|---|---|---|---|---|"]
    fmt = lambda v: "—" if v is None else (f"{v:.3g}" if isinstance(v, float)
                                           else str(v))
    for l in lines:
        if "shape" not in l:
            continue
        rows.append(f"| {l['shape']} | {l['dtype']} | {l['threads']} | "
                    f"{l['peer']} | {fmt(l['ours_ms'])} | "
                    f"{fmt(l.get('peer_ms'))} | {fmt(l.get('speedup'))} | "
                    f"{fmt(l.get('ours_gbps'))} |")
    return "\n".join(rows)


def short_peer(peer):
    """"onednn-2.6.3-matmul-f32" -> "onednn-matmul-f32" etc. for legends."""
    name = peer.split(":")[0].split(" (")[0]
    return name.replace("-2.6.3", "").replace("-f32", "") or peer


def plot_svg(lines, path):
    """Grouped bars of the speedup per case, one colour per peer."""
    write_speedup_svg(
        [(f'{l["dtype"]} {l["shape"]} t{l["threads"]}', short_peer(l["peer"]),
          l["speedup"]) for l in lines if l.get("speedup")],
        path, "linea vs CPU peers: speedup = peer_ms / ours_ms "
        "(log scale, > 1: linea faster)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.environ.get(
        "LINEA_BUILD_DIR", os.path.join(ROOT, "build")))
    p.add_argument("--shapes", default="4096x4096,11008x4096")
    p.add_argument("--m", default="1,16,128")
    p.add_argument("--dtypes", default="f32,int8,w8a8,int4")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--l3-mib", type=int, default=32)
    p.add_argument("--models", default=None,
                   help="where the ONNX models go (default BUILD/ort-models)")
    p.add_argument("--plot", default=None,
                   help="SVG to write (default BUILD/bench-cpu-peers.svg)")
    p.add_argument("--no-ort", action="store_true")
    a = p.parse_args()
    a.models = a.models or os.path.join(a.build, "ort-models")
    a.plot = a.plot or os.path.join(a.build, "bench-cpu-peers.svg")

    exe = os.path.join(a.build, "bin", "linea-bench-cpu")
    if not os.path.exists(exe):
        sys.exit(f"compare_ort: {exe} not found (build the linea-bench-cpu "
                 "target; it needs libopenblas-dev)")
    why = ort_unavailable(a)
    status = 0 if why else make_models(a)
    if status:
        why = "make_ort_models.py failed"
    # linea and ONNX Runtime run in turn case by case, so that each pair is
    # measured minutes apart at most on this shared machine.
    ours, ort = [], []
    for shape in a.shapes.split(","):
        for dtype in a.dtypes.split(","):
            for t in a.threads.split(","):
                rc, lines = linea_side(a, shape, dtype, int(t))
                status |= rc
                ours += lines
                if not why:
                    rc, lines = ort_side(a, shape, dtype, int(t))
                    status |= rc
                    ort += lines
    if why:
        ort = [{"peer_unavailable": why}]
    merged = ours + merge_ort(ours, ort)
    for l in merged:
        print(json.dumps(l), flush=True)
    print(table(merged), file=sys.stderr)
    plot_svg(merged, a.plot)
    log(f"plot: {a.plot}")
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
