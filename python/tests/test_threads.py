"""Threaded CPU code (linea-lower-to-llvm num-threads / LINEA_NUM_THREADS):
the contraction kernels' blocks of w as an scf.parallel lowered to OpenMP.
On awkward shapes (N below the thread count and not a multiple of the
register tile, M below the tile, K below / not a multiple of the vector
width) 1 and 2 threads must give the same bits, and both must match the
reference lowering (cpu-kernels=false) within f32 summation error."""

import pathlib
import subprocess
import tempfile

import numpy as np
import pytest

from linea.tools import run_mlir, run_opt, tool

# (M, N, K) from the issue, plus shapes whose blocks really split over two
# threads (N = 13 and 37 with K a multiple of every vector width).
SHAPES = [(m, n, k) for m in (1, 3) for n in (1, 5, 13) for k in (8, 24, 4096)]
SHAPES += [(5, 37, 512), (1, 301, 64)]


def layers_module(shapes=SHAPES):
    """One function with a linea.linear (dynamic M) per shape."""
    args, results, body, types = [], [], [], []
    for i, (_, n, k) in enumerate(shapes):
        xt, wt, yt = f"tensor<?x{k}xf32>", f"tensor<{n}x{k}xf32>", f"tensor<?x{n}xf32>"
        args += [f"%x{i}: {xt}", f"%w{i}: {wt}"]
        body.append(f"  %y{i} = linea.linear %x{i}, %w{i} : ({xt}, {wt}) -> {yt}")
        results.append(f"%y{i}")
        types.append(yt)
    return (f"func.func @main({', '.join(args)}) -> ({', '.join(types)}) {{\n"
            + "\n".join(body) + f"\n  return {', '.join(results)} : {', '.join(types)}\n}}\n")


def inputs():
    rng = np.random.default_rng(11)
    out = []
    for m, n, k in SHAPES:
        out.append(rng.standard_normal((m, k), dtype=np.float32))
        out.append(rng.standard_normal((n, k), dtype=np.float32))
    return out


@pytest.fixture(scope="module")
def lowered():
    """The module lowered three ways: reference loops, kernels on 1 thread,
    kernels on 2 threads with threads for every size."""
    module = layers_module()
    return {
        "ref": run_opt(module, "--linea-lower-to-llvm=cpu-kernels=false num-threads=1"),
        "one": run_opt(module, "--linea-lower-to-llvm=num-threads=1"),
        "two": run_opt(module, "--linea-lower-to-llvm=num-threads=2 min-parallel-work=1"),
    }


def test_threads_only_when_asked(lowered):
    assert "omp.parallel" not in lowered["one"]
    assert "omp.parallel" not in lowered["ref"]
    assert "omp.parallel num_threads" in lowered["two"]


def test_one_and_two_threads_match_reference(lowered):
    x_w = inputs()
    ref = run_mlir(lowered["ref"], x_w)
    one = run_mlir(lowered["one"], x_w)
    two = run_mlir(lowered["two"], x_w)
    assert len(ref) == len(one) == len(two) == len(SHAPES)
    for i, (m, n, k) in enumerate(SHAPES):
        x, w = x_w[2 * i], x_w[2 * i + 1]
        assert one[i].shape == two[i].shape == ref[i].shape == (m, n)
        # A thread computes whole outputs in the same order as one thread.
        assert np.array_equal(one[i], two[i]), (m, n, k)
        # Kernel and reference loops sum K in different orders.
        bound = k * np.finfo(np.float32).eps * (np.abs(x) @ np.abs(w).T) + 1e-30
        assert np.all(np.abs(two[i] - ref[i]) <= bound), (m, n, k)


def static_linear(m, n, k):
    xt, wt, yt = f"tensor<{m}x{k}xf32>", f"tensor<{n}x{k}xf32>", f"tensor<{m}x{n}xf32>"
    return f"""
func.func @main(%x: {xt}, %w: {wt}) -> {yt} {{
  %y = linea.linear %x, %w : ({xt}, {wt}) -> {yt}
  return %y : {yt}
}}"""


def test_small_layers_start_no_threads():
    """On 2 threads with the default min-parallel-work (2^20 multiply-adds),
    a 64×64 layer at M = 16 gets no parallel region; 4096×64 does."""
    options = "--linea-lower-to-llvm=num-threads=2"
    assert "omp.parallel" not in run_opt(static_linear(16, 64, 64), options)
    assert "omp.parallel" in run_opt(static_linear(16, 4096, 64), options)


def run_env(args, env):
    return subprocess.run(args, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **env})


def test_linea_num_threads_is_read_and_checked():
    """linea-opt and linea-run lower with LINEA_NUM_THREADS; a bad value is
    an error naming it, not a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "m.mlir"
        path.write_text(static_linear(16, 4096, 64))
        opt, run = tool("linea-opt"), tool("linea-run")
        two = run_env([opt, str(path), "--linea-lower-to-llvm"], {"LINEA_NUM_THREADS": "2"})
        assert two.returncode == 0, two.stderr
        assert "omp.parallel num_threads" in two.stdout
        one = run_env([opt, str(path), "--linea-lower-to-llvm"], {"LINEA_NUM_THREADS": "1"})
        assert one.returncode == 0 and "omp.parallel" not in one.stdout
        ran = run_env([run, str(path), "--random-inputs", "-o", str(pathlib.Path(tmp) / "out")],
                      {"LINEA_NUM_THREADS": "2"})
        assert ran.returncode == 0, ran.stderr
        for value in ("two", "0", "-3"):
            bad = run_env([run, str(path), "--random-inputs"], {"LINEA_NUM_THREADS": value})
            assert bad.returncode == 2, (value, bad.stderr)
            assert f"LINEA_NUM_THREADS='{value}'" in bad.stderr, bad.stderr


# The packed GEMM path (M ≥ 48): blocks of columns of y on threads, each
# with its own packed w and partial sums. Every output is summed along K in
# the same order whatever the blocks, so 1 and 2 threads give equal bits.
GEMM_SHAPES = [(48, 64, 64), (53, 200, 592), (70, 387, 272)]


def test_gemm_path_threads_match():
    module = layers_module(GEMM_SHAPES)
    ref = run_opt(module, "--linea-lower-to-llvm=cpu-kernels=false num-threads=1")
    one = run_opt(module, "--linea-lower-to-llvm=num-threads=1")
    two = run_opt(module, "--linea-lower-to-llvm=num-threads=2 min-parallel-work=1")
    assert "omp.parallel num_threads" in two
    rng = np.random.default_rng(12)
    x_w = []
    for m, n, k in GEMM_SHAPES:
        x_w.append(rng.standard_normal((m, k), dtype=np.float32))
        x_w.append(rng.standard_normal((n, k), dtype=np.float32))
    outs = [run_mlir(text, x_w) for text in (ref, one, two)]
    for i, (m, n, k) in enumerate(GEMM_SHAPES):
        x, w = x_w[2 * i], x_w[2 * i + 1]
        assert outs[1][i].shape == outs[2][i].shape == (m, n)
        assert np.array_equal(outs[1][i], outs[2][i]), (m, n, k)
        bound = k * np.finfo(np.float32).eps * (np.abs(x) @ np.abs(w).T) + 1e-30
        assert np.all(np.abs(outs[2][i] - outs[0][i]) <= bound), (m, n, k)
