"""What a library from linea-compile does at run time (issue 8):

* --weights=file: the constants live in <name>.weights, which linea.load
  maps; the outputs are bit-identical to the embedded library's, for dense,
  int8 and low-rank layers; a missing, truncated, foreign, corrupted or
  mismatched file raises WeightsError with the reason (the C side of the same
  errors: test/Compile/weights-file.mlir).
* threads: the library honours set_threads / LINEA_NUM_THREADS at run time
  up to --max-threads; 1 and 2 threads give the same bits, and a call on one
  thread starts no thread while a call on two does (counted in
  /proc/self/task of a fresh process).
* --autotune: every dense layer shape gets measured candidates, the table
  records the fastest, and the tuned library computes the same function;
  --tile-table reuses the table.
* --cpu=x86-64-v3: a library for AVX2 + FMA (no AVX-512, no VNNI, whatever
  the compiling host has) computes the same function as the native one
  (the instructions it holds: test/Compile/cpu-target.mlir)."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import linea
from linea.tools import hex_const

K, N = 64, 48


def layers_module(seed):
    """@main(x: [?, K]) -> three layers (dense, to-be-int8, to-be-lowrank)."""
    rng = np.random.default_rng(seed)
    xt, yt = f"tensor<?x{K}xf32>", f"tensor<?x{N}xf32>"
    body, results = [], []
    for name in ("dense", "q8", "lowrank"):
        wl, wt = hex_const(f"w_{name}", (rng.standard_normal((N, K)) / 8).astype(np.float32), "f32")
        bl, bt = hex_const(f"b_{name}", rng.standard_normal(N).astype(np.float32), "f32")
        body += [wl, bl, f'  %y_{name} = linea.linear %x, %w_{name} bias %b_{name} {{name = "{name}"}}'
                         f" : ({xt}, {wt}, {bt}) -> {yt}"]
        results.append(f"%y_{name}")
    types = ", ".join([yt] * len(results))
    return (f"func.func @main(%x: {xt}) -> ({types}) {{\n" + "\n".join(body)
            + f"\n  return {', '.join(results)} : {types}\n}}\n")


REWRITES = ["linea-quantize{format=int8 only=q8}", "linea-lowrank{rank=8 only=lowrank}"]


def compile_layers(tmp, seed, weights, name="layers"):
    model = tmp / f"{name}_{seed}.mlir"
    model.write_text(layers_module(seed))
    return linea.compile(model, rewrites=REWRITES, name=name, out_dir=tmp / f"{weights}{seed}",
                         weights=weights)


@pytest.fixture(scope="module")
def libraries(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("weights")
    return tmp, compile_layers(tmp, 0, "embed"), compile_layers(tmp, 0, "file")


def test_file_weights_bit_identical(libraries):
    _, embedded, side = libraries
    x = np.random.default_rng(1).standard_normal((5, K)).astype(np.float32)
    for a, b in zip(embedded(x), side(x)):
        assert np.array_equal(a, b)
    weights = side.out_dir / "layers.weights"
    assert side.library.weights_path == weights
    # The dense and low-rank weights and the int8 codes left the library.
    so_embed = (embedded.out_dir / "liblayers.so").stat().st_size
    so_file = (side.out_dir / "liblayers.so").stat().st_size
    assert so_embed - so_file >= weights.stat().st_size // 2, (so_embed, so_file)
    assert weights.read_bytes()[:8] == b"LINEAWTS"


def damaged(path, out, edit):
    data = bytearray(path.read_bytes())
    edit(data)
    out.write_bytes(bytes(data))
    return out


def test_bad_weight_files(libraries):
    tmp, _, side = libraries
    good = side.out_dir / "layers.weights"
    other = compile_layers(tmp, 7, "file", name="layers").out_dir / "layers.weights"

    def flip(i):
        return lambda d: d.__setitem__(i, d[i] ^ 0xFF)

    cases = {
        "missing": tmp / "no-such.weights",
        "truncated": damaged(good, tmp / "short.weights", lambda d: d.__delitem__(slice(1000, None))),
        "format": damaged(good, tmp / "magic.weights", flip(0)),
        "corrupt": damaged(good, tmp / "corrupt.weights", flip(len(good.read_bytes()) - 3)),
        "mismatch": other,
    }
    for reason, path in cases.items():
        with pytest.raises(linea.WeightsError) as info:
            linea.load(side.out_dir, "layers", weights=path)
        assert info.value.reason == reason, (reason, str(info.value))
        assert str(path) in str(info.value)
    # The message says what to do about a missing file.
    with pytest.raises(linea.WeightsError, match="cannot open weights file .*layers_load_weights"):
        linea.load(side.out_dir, "layers", weights=tmp / "no-such.weights")
    with pytest.raises(ValueError, match="embeds its weights"):
        linea.load(libraries[1].out_dir, "layers", weights=good)


# One layer big enough for threads (M·N·K above min-parallel-work).
BIG_M, BIG_N, BIG_K = 64, 512, 256


@pytest.fixture(scope="module")
def threaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("threads")
    rng = np.random.default_rng(3)
    wl, wt = hex_const("w", rng.standard_normal((BIG_N, BIG_K)).astype(np.float32), "f32")
    xt, yt = f"tensor<?x{BIG_K}xf32>", f"tensor<?x{BIG_N}xf32>"
    model = tmp / "big.mlir"
    model.write_text(f"func.func @main(%x: {xt}) -> {yt} {{\n{wl}\n"
                     f"  %y = linea.linear %x, %w : ({xt}, {wt}) -> {yt}\n  return %y : {yt}\n}}\n")
    m = linea.compile(model, name="big", out_dir=tmp / "out", threads=2)
    if m.library.max_threads < 2:
        pytest.skip("linea was built without an OpenMP runtime")
    return m


def test_threads_same_bits(threaded):
    x = np.random.default_rng(4).standard_normal((BIG_M, BIG_K)).astype(np.float32)
    threaded.set_threads(1)
    assert threaded.threads == 1
    one = threaded(x)
    threaded.set_threads(2)
    assert threaded.threads == 2
    two = threaded(x)
    assert np.array_equal(one, two)
    threaded.set_threads(64)  # capped at the compile-time count
    assert threaded.threads == 2
    with pytest.raises(ValueError, match="-1 threads; give 1 to 2"):
        threaded.set_threads(-1)


# In a fresh process: OS threads before and after one call on `n` threads
# (libomp keeps its workers, so a call that started any shows).
COUNT_THREADS = """
import os, sys, numpy as np, linea
lib = linea.load(sys.argv[1])
if sys.argv[2] != "env":
    lib.set_threads(int(sys.argv[2]))
x = np.ones(({m}, {k}), np.float32)
before = len(os.listdir("/proc/self/task"))
try:
    lib(x)
except RuntimeError as e:
    print("error", e)
    sys.exit(0)
print(lib.threads, len(os.listdir("/proc/self/task")) - before)
"""


def count_threads(library, n, env=None):
    script = COUNT_THREADS.format(m=BIG_M, k=BIG_K)
    environ = dict(os.environ, PYTHONPATH=str(pathlib.Path(linea.__file__).parents[1]),
                   OPENBLAS_NUM_THREADS="1")
    environ.pop("LINEA_NUM_THREADS", None)
    if env is not None:
        environ["LINEA_NUM_THREADS"] = env
    out = subprocess.run([sys.executable, "-c", script, str(library.out_dir), n],
                         env=environ, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_thread_setting_takes_effect(threaded):
    assert count_threads(threaded, "1") == "1 0"
    threads, started = count_threads(threaded, "2").split()
    assert threads == "2" and int(started) >= 1
    assert count_threads(threaded, "env", env="1") == "1 0"
    assert count_threads(threaded, "env", env="two").startswith(
        "error big_main: LINEA_NUM_THREADS='two' is not a thread count")


def test_autotune(tmp_path):
    rng = np.random.default_rng(5)
    xt = "tensor<?x64xf32>"
    body, results, types = [], [], []
    for i, n in enumerate((32, 96)):
        wl, wt = hex_const(f"w{i}", rng.standard_normal((n, 64)).astype(np.float32), "f32")
        body += [wl, f'  %y{i} = linea.linear %x, %w{i} {{name = "fc{i}"}} : ({xt}, {wt}) -> tensor<?x{n}xf32>']
        results.append(f"%y{i}")
        types.append(f"tensor<?x{n}xf32>")
    model = tmp_path / "two.mlir"
    model.write_text(f"func.func @main(%x: {xt}) -> ({', '.join(types)}) {{\n" + "\n".join(body)
                     + f"\n  return {', '.join(results)} : {', '.join(types)}\n}}\n")
    tuned = linea.compile(model, name="two", out_dir=tmp_path / "tuned", autotune=True)
    table = tuned.tile_table
    assert [(e["n"], e["k"], e["layers"]) for e in table["entries"]] == [(32, 64, ["fc0"]), (96, 64, ["fc1"])]
    for e in table["entries"]:
        times = [c["seconds"] for c in e["candidates"]]
        assert len(times) >= 5 and all(t > 0 for t in times)
        assert e["seconds"] == min(times) and e["default_seconds"] == times[0]
        best = e["candidates"][times.index(min(times))]
        assert (e["tile_m"], e["tile_n"], e["block_bytes"]) == (
            best["tile_m"], best["tile_n"], best["block_bytes"])
    plain = linea.compile(model, name="two", out_dir=tmp_path / "plain")
    reused = linea.compile(model, name="two", out_dir=tmp_path / "reused",
                           tile_table=tmp_path / "tuned" / "two.tiles.json")
    x = rng.standard_normal((7, 64)).astype(np.float32)
    for a, b, c in zip(plain(x), tuned(x), reused(x)):
        # Tiles change which outputs share a register tile, not the order
        # each output sums K in.
        assert np.array_equal(a, b) and np.array_equal(b, c)
    with pytest.raises(linea.CompileError, match="tile table .* needs integer"):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"entries": [{"n": 32}]}))
        linea.compile(model, name="two", out_dir=tmp_path / "bad", tile_table=bad)


def test_cpu_x86_64_v3(tmp_path):
    """Dense, W8A8 (VNNI on a native AVX-512 VNNI host, f32 FMAs on v3),
    and low-rank layers, compiled for x86-64-v3 and for the
    host: the v3 library runs here and matches the native one and numpy."""
    rng = np.random.default_rng(11)
    xt, yt = f"tensor<?x{K}xf32>", f"tensor<?x{N}xf32>"
    body, results = [], []
    for name in ("dense", "w8a8", "lowrank"):
        wl, wt = hex_const(f"w_{name}", (rng.standard_normal((N, K)) / 8).astype(np.float32), "f32")
        body += [wl, f'  %y_{name} = linea.linear %x, %w_{name} {{name = "{name}"}} : ({xt}, {wt}) -> {yt}']
        results.append(f"%y_{name}")
    types = ", ".join([yt] * len(results))
    model = tmp_path / "v3.mlir"
    model.write_text(f"func.func @main(%x: {xt}) -> ({types}) {{\n" + "\n".join(body)
                     + f"\n  return {', '.join(results)} : {types}\n}}\n")
    rewrites = ["linea-quantize{format=int8 act=dynamic_int8_per_token only=w8a8}",
                "linea-lowrank{rank=8 only=lowrank}"]
    native = linea.compile(model, rewrites=rewrites, name="v3", out_dir=tmp_path / "native")
    v3 = linea.compile(model, rewrites=rewrites, name="v3", out_dir=tmp_path / "v3", cpu="x86-64-v3")
    x = rng.standard_normal((5, K)).astype(np.float32)
    for a, b in zip(native(x), v3(x)):
        assert a.shape == b.shape == (5, N)
        np.testing.assert_allclose(b, a, rtol=2e-2, atol=2e-2 * np.abs(a).max())
    with pytest.raises(linea.CompileError, match="unknown CPU 'nosuchcpu'"):
        linea.compile(model, name="v3", out_dir=tmp_path / "bad", cpu="nosuchcpu")
