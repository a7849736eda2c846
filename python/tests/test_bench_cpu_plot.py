"""bench/cpu/plot_results.py: the SVG plot of bench/cpu's JSON lines (the
records of linea-bench-cpu and the Python suites, whose ratio keys differ)."""

import json
import pathlib
import subprocess
import sys

PLOT = pathlib.Path(__file__).resolve().parents[2] / "bench" / "cpu" / "plot_results.py"


def run_plot(tmp_path, records):
    src = tmp_path / "r.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n[1]\n")
    out = tmp_path / "p.svg"
    proc = subprocess.run([sys.executable, str(PLOT), str(src), "-o", str(out)],
                          capture_output=True, text=True)
    return proc, out


def test_every_suite_ratio_is_a_bar(tmp_path):
    recs = [
        # linea-bench-cpu: two runs of one case show their median
        {"bench": "linear", "shape": "1x4096x4096", "dtype": "f32", "threads": 1,
         "peer": "openblas-sgemv-f32:Haswell", "speedup": 1.0},
        {"bench": "linear", "shape": "1x4096x4096", "dtype": "f32", "threads": 1,
         "peer": "openblas-sgemv-f32:Haswell", "speedup": 3.0},
        # structured_forms
        {"bench": "structured_forms", "form": "btt rank=4", "shape": "1x2048x2048",
         "peer": "dense", "speedup": 4.0, "threads": 1},
        # quant_formats_cpu: x_* ratios
        {"bench": "quant_formats", "format": "nf4", "shape": "1x4096x4096",
         "x_sgemm": 6.0, "x_reference": 20.0, "threads": 1},
        # sage_palu_cpu: ratio; a failed or missing peer has none
        {"bench": "palu_cpu", "case": "decode", "peer": "torch", "ratio": 0.5, "threads": 2},
        {"bench": "attention", "peer": "torch", "peer_unavailable": "no torch"},
    ]
    proc, out = run_plot(tmp_path, recs)
    assert proc.returncode == 0, proc.stderr
    svg = out.read_text()
    titles = sorted(t.split("</title>")[0] for t in svg.split("<title>")[1:])
    assert titles == sorted([
        "linear 1x4096x4096 f32 t1 vs openblas-sgemv-f32: 2×",
        "structured_forms 1x2048x2048 btt rank=4 t1 vs dense: 4×",
        "quant_formats 1x4096x4096 nf4 t1 vs sgemm: 6×",
        "quant_formats 1x4096x4096 nf4 t1 vs reference: 20×",
        "palu_cpu decode t2 vs torch: 0.5×"]), titles
    assert svg.rstrip().endswith("</svg>")


def test_no_speedups_is_an_error(tmp_path):
    proc, out = run_plot(tmp_path, [{"bench": "linear", "shape": "1x1x1"}])
    assert proc.returncode == 1 and "no speedups" in proc.stderr
    assert not out.exists()
