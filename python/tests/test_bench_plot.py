"""bench/cuda/plot_results.py and bench/svg_bars.py: the SVG plots of the
benchmark JSON lines."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PLOT = os.path.join(ROOT, "bench", "cuda", "plot_results.py")


def run_plot(tmp_path, records):
    src = tmp_path / "r.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")
    out = tmp_path / "p.svg"
    proc = subprocess.run([sys.executable, PLOT, str(src), "-o", str(out)],
                          capture_output=True, text=True)
    return proc, out


def test_best_variant_per_layer_and_peer(tmp_path):
    recs = [
        {"bench": "device", "gpu": "X"},
        {"layer": "a", "peer": "torch.matmul bf16 (cuBLAS)", "speedup": 1.5,
         "check": "pass", "peer2": "torch BSR", "speedup2": 9.0},
        {"layer": "a", "peer": "torch.matmul bf16 (cuBLAS)", "speedup": 2.5,
         "check": "pass"},
        {"layer": "b", "peer": "torch.matmul bf16 (cuBLAS)", "speedup": 7.0,
         "check": "FAIL"},
        {"layer": "s", "op": "delta_rule", "x_sdpa": 3.0, "x_recurrent": 0.5,
         "check": "pass"},
    ]
    proc, out = run_plot(tmp_path, recs)
    assert proc.returncode == 0, proc.stderr
    svg = out.read_text()
    titles = [t.split("</title>")[0] for t in svg.split("<title>")[1:]]
    assert sorted(titles) == sorted([
        "a vs torch.matmul bf16: 2.5×", "a vs torch BSR: 9×",
        "s vs SDPA flash, same heads: 3×", "s vs recurrent form: 0.5×"])
    assert "<text" in svg and svg.rstrip().endswith("</svg>")


def test_no_speedups_is_an_error(tmp_path):
    proc, out = run_plot(tmp_path, [{"bench": "device"}])
    assert proc.returncode == 1
    assert "no speedups" in proc.stderr
    assert not out.exists()
