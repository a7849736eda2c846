"""linea-run --collect-stats: per-layer input statistics (max |x| per channel,
XᵀX, token count) against numpy, the .npz file against np.load / np.savez,
accumulation over samples and files, and the reader's rejections."""

import pathlib
import subprocess

import numpy as np
import pytest

from linea import tools

K, HIDDEN, N = 8, 6, 4
SHAPE = (2, 3, K)  # batch × seq × K: 6 tokens per sample
FC1, FC2 = "blk.0/fc1", "blk.0/fc2·ü"  # '.' and '/' as in ONNX names; UTF-8


def dense(a):
    return np.array2string(np.asarray(a, np.float32), separator=",",
                           threshold=10**9, floatmode="unique").replace("\n", "")


def weights():
    """Small integers: with x on a grid of 1/4, every product and sum below is
    exact in f32 (and in f16/bf16 for the values used), so numpy's h equals
    the JIT's bit for bit."""
    rng = np.random.default_rng(3)
    return (rng.integers(-2, 3, (HIDDEN, K)).astype(np.float32),
            rng.integers(-2, 3, (N, HIDDEN)).astype(np.float32))


def module(element="f32", name2=FC2):
    """x[2,3,K] → fc1 → h[2,3,6] → fc2 → y[2,3,4]; returns (h, y). An unnamed
    layer on the side is reported as skipped."""
    w1, w2 = weights()
    t = lambda *dims: tools.tensor_type_of(dims, element)
    return f"""
func.func @main(%x: {t(*SHAPE)}) -> ({t(2, 3, HIDDEN)}, {t(2, 3, N)}, {t(2, 3, N)}) {{
  %w1 = arith.constant dense<{dense(w1)}> : {t(HIDDEN, K)}
  %w2 = arith.constant dense<{dense(w2)}> : {t(N, HIDDEN)}
  %h = linea.linear %x, %w1 {{name = "{FC1}"}} : ({t(*SHAPE)}, {t(HIDDEN, K)}) -> {t(2, 3, HIDDEN)}
  %y = linea.linear %h, %w2 {{name = "{name2}"}} : ({t(2, 3, HIDDEN)}, {t(N, HIDDEN)}) -> {t(2, 3, N)}
  %z = linea.linear %h, %w2 : ({t(2, 3, HIDDEN)}, {t(N, HIDDEN)}) -> {t(2, 3, N)}
  return %h, %y, %z : {t(2, 3, HIDDEN)}, {t(2, 3, N)}, {t(2, 3, N)}
}}
"""


def linea_run(tmp, text, *args, check=True):
    path = pathlib.Path(tmp) / "model.mlir"
    path.write_text(text)
    proc = subprocess.run([tools.tool("linea-run"), str(path), *map(str, args)],
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"linea-run failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def grid_input(seed):
    """x on a grid of 1/4 in [-2, 2)."""
    return np.random.default_rng(seed).integers(-8, 8, SHAPE).astype(np.float32) / 4


def reference(xs, with_xtx=True):
    """{layer: (absmax f32, xtx f64, tokens)} computed by numpy from inputs."""
    w1, _ = weights()
    out = {}
    hs = [x.astype(np.float64) @ w1.T.astype(np.float64) for x in xs]
    for name, acts in ((FC1, xs), (FC2, hs)):
        rows = np.concatenate([np.asarray(a, np.float64).reshape(-1, a.shape[-1])
                               for a in acts])
        out[name] = (np.abs(rows).max(axis=0).astype(np.float32),
                     rows.T @ rows if with_xtx else None, rows.shape[0])
    return out


def assert_matches(path, ref):
    stats = np.load(path)
    keys = {f"{n}.{f}" for n, (_, xtx, _) in ref.items()
            for f in ("absmax", "tokens") + (("xtx",) if xtx is not None else ())}
    assert set(stats.files) == keys
    for name, (absmax, xtx, tokens) in ref.items():
        got = stats[f"{name}.absmax"]
        assert got.dtype == np.float32 and got.shape == absmax.shape
        np.testing.assert_array_equal(got, absmax)
        assert stats[f"{name}.tokens"].dtype == np.int64
        assert int(stats[f"{name}.tokens"]) == tokens
        if xtx is not None:
            got = stats[f"{name}.xtx"]
            assert got.dtype == np.float64 and got.shape == xtx.shape
            np.testing.assert_allclose(got, xtx, rtol=1e-6, atol=0)


@pytest.mark.parametrize("element", ["f32", "f16", "bf16"])
def test_stats_match_numpy(tmp_path, element):
    x = grid_input(1)
    _, passed = tools.as_element(x, element)
    np.save(tmp_path / "x.npy", passed)
    out = tmp_path / "stats.npz"
    proc = linea_run(tmp_path, module(element), "-i", tmp_path / "x.npy",
                     "--collect-stats", out)
    ref = reference([x])
    assert_matches(out, ref)
    # The summary names each layer with K, tokens and the largest |x|.
    for name, (absmax, _, tokens) in ref.items():
        k = absmax.shape[0]
        assert f"{name}: K={k} tokens={tokens} max|x|={absmax.max():.6g}" in proc.stdout
    # The unnamed third layer is left out, and said so.
    assert "note: no statistics for layer linea.linear at" in proc.stderr
    assert ": no name attribute" in proc.stderr


def test_h_is_what_the_jit_computes(tmp_path):
    """The reference's h (fc2's input) is the model's own h, bit for bit."""
    x = grid_input(1)
    h, _, _ = tools.run_mlir(module(), [x])
    w1, _ = weights()
    np.testing.assert_array_equal(h, (x.astype(np.float64) @ w1.T).astype(np.float32))


def test_dynamic_leading_dims(tmp_path):
    """x with a dynamic token dim: tokens come from the run-time shape."""
    w1, w2 = weights()
    text = f"""
func.func @main(%x: tensor<?x{K}xf32>) -> tensor<?x{N}xf32> {{
  %w1 = arith.constant dense<{dense(w1)}> : tensor<{HIDDEN}x{K}xf32>
  %w2 = arith.constant dense<{dense(w2)}> : tensor<{N}x{HIDDEN}xf32>
  %h = linea.linear %x, %w1 {{name = "{FC1}"}} : (tensor<?x{K}xf32>, tensor<{HIDDEN}x{K}xf32>) -> tensor<?x{HIDDEN}xf32>
  %y = linea.linear %h, %w2 {{name = "{FC2}"}} : (tensor<?x{HIDDEN}xf32>, tensor<{N}x{HIDDEN}xf32>) -> tensor<?x{N}xf32>
  return %y : tensor<?x{N}xf32>
}}
"""
    xs = [grid_input(s).reshape(-1, K)[:rows] for s, rows in ((1, 5), (2, 3))]
    out = tmp_path / "stats.npz"
    for i, x in enumerate(xs):
        np.save(tmp_path / f"x{i}.npy", x)
        linea_run(tmp_path, text, "-i", tmp_path / f"x{i}.npy", "--collect-stats", out,
                  "--append-stats")
    assert_matches(out, reference(xs))


def random_inputs(tmp_path, seed):
    """The input set linea-run --random-inputs --seed `seed` generates."""
    d = tmp_path / f"seed{seed}"
    linea_run(tmp_path, module(), "--random-inputs", "--seed", seed, "-o", d)
    return np.load(d / "in0.npy"), np.load(d / "out0.npy")


def test_samples_accumulate(tmp_path):
    out = tmp_path / "stats.npz"
    proc = linea_run(tmp_path, module(), "--random-inputs", "--seed", 5,
                     "--calib-samples", 3, "--collect-stats", out)
    assert "(3 new samples)" in proc.stdout
    runs = [random_inputs(tmp_path, s) for s in (5, 6, 7)]
    xs, hs = [r[0] for r in runs], [r[1] for r in runs]
    ref = reference(xs)
    # h from random (off-grid) x: take the JIT's own h for fc2's reference.
    rows = np.concatenate([h.reshape(-1, HIDDEN).astype(np.float64) for h in hs])
    ref[FC2] = (np.abs(rows).max(axis=0).astype(np.float32), rows.T @ rows, 18)
    assert_matches(out, ref)


def test_append_and_no_xtx(tmp_path):
    out = tmp_path / "stats.npz"
    xs = [grid_input(s) for s in (1, 2, 3)]
    for i, x in enumerate(xs):
        np.save(tmp_path / f"x{i}.npy", x)
        # The first call creates the file, the others merge into it.
        linea_run(tmp_path, module(), "-i", tmp_path / f"x{i}.npy",
                  "--collect-stats", out, "--append-stats", "--stats-xtx=false")
        assert_matches(out, reference(xs[:i + 1], with_xtx=False))
    # Without --append-stats the file is replaced.
    linea_run(tmp_path, module(), "-i", tmp_path / "x0.npy", "--collect-stats", out)
    assert_matches(out, reference(xs[:1]))


def test_reads_numpy_savez(tmp_path):
    """A file np.savez writes (zip64 local headers, current timestamps) is
    read and merged: the result is the statistics of both samples."""
    x0, x1 = grid_input(1), grid_input(2)
    ref0 = reference([x0])
    arrays = {}
    for name, (absmax, xtx, tokens) in ref0.items():
        arrays[f"{name}.absmax"] = absmax
        arrays[f"{name}.xtx"] = xtx
        arrays[f"{name}.tokens"] = np.array([tokens], np.int64)  # [1] also accepted
    out = tmp_path / "stats.npz"
    np.savez(out, **arrays)
    np.save(tmp_path / "x1.npy", x1)
    linea_run(tmp_path, module(), "-i", tmp_path / "x1.npy", "--collect-stats", out,
              "--append-stats")
    assert_matches(out, reference([x0, x1]))


def write_valid(path, **changes):
    """A valid single-layer-pair stats file as np.savez writes it, with
    `changes` (key → array, or None to drop the key) applied."""
    arrays = {}
    for name, (absmax, xtx, tokens) in reference([grid_input(1)]).items():
        arrays.update({f"{name}.absmax": absmax, f"{name}.xtx": xtx,
                       f"{name}.tokens": np.int64(tokens)})
    for key, value in changes.items():
        key = key.replace("FC1", FC1)
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    np.savez(path, **arrays)


def append_fails(tmp_path, out):
    np.save(tmp_path / "x.npy", grid_input(2))
    proc = linea_run(tmp_path, module(), "-i", tmp_path / "x.npy", "--collect-stats",
                     out, "--append-stats", check=False)
    assert proc.returncode != 0
    return proc.stderr


@pytest.mark.parametrize("changes,message", [
    ({"FC1.absmax": np.ones(5, np.float32), "FC1.xtx": np.ones((5, 5))},
     f"layer '{FC1}' has K = 5 in the existing statistics but K = {K} in the new ones"),
    ({"FC1.xtx": np.ones((K, K + 1))},
     f"entry '{FC1}.xtx' is f64[{K}x{K + 1}], but '{FC1}.absmax' has K = {K}"),
    ({"FC1.absmax": np.ones(K)},
     f"entry '{FC1}.absmax' is f64[{K}]; expected f32[K]"),
    ({"FC1.absmax": None}, f"layer '{FC1}' has no entry '{FC1}.absmax'"),
    ({"FC1.tokens": np.ones(2, np.int64)}, f"entry '{FC1}.tokens' is i64[2]"),
    ({"FC1.mean": np.ones(K, np.float32)}, f"entry '{FC1}.mean' has an unknown field 'mean'"),
    ({"FC1.xtx": None}, f"layer '{FC1}' has XᵀX in the new statistics only"),
])
def test_rejects_bad_files(tmp_path, changes, message):
    out = tmp_path / "stats.npz"
    write_valid(out, **changes)
    before = out.read_bytes()
    assert message in append_fails(tmp_path, out)
    assert out.read_bytes() == before  # a failed append leaves the file alone


def test_rejects_compressed(tmp_path):
    out = tmp_path / "stats.npz"
    write_valid(tmp_path / "plain.npz")
    np.savez_compressed(out, **dict(np.load(tmp_path / "plain.npz")))
    err = append_fails(tmp_path, out)
    assert "is compressed (zip method 8, deflate)" in err and ".npy'" in err
    assert "np.savez_compressed" in err


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_rejects_truncated(tmp_path, keep):
    out = tmp_path / "stats.npz"
    linea_run(tmp_path, module(), "--random-inputs", "--collect-stats", out)
    data = out.read_bytes()
    out.write_bytes(data[:int(len(data) * keep)])
    err = append_fails(tmp_path, out)
    assert "truncated" in err and str(out) in err


def test_rejects_corrupt_entry(tmp_path):
    out = tmp_path / "stats.npz"
    linea_run(tmp_path, module(), "--random-inputs", "--collect-stats", out)
    data = bytearray(out.read_bytes())
    data[200] ^= 0xFF  # inside the first entry's payload
    out.write_bytes(bytes(data))
    err = append_fails(tmp_path, out)
    assert f"entry '{FC1}.absmax.npy' is corrupt (CRC32" in err


def test_rejects_duplicate_layer_names(tmp_path):
    proc = linea_run(tmp_path, module(name2=FC1), "--random-inputs", "--collect-stats",
                     tmp_path / "stats.npz", check=False)
    assert proc.returncode != 0
    assert f"two linear layers are named '{FC1}'" in proc.stderr
    assert not (tmp_path / "stats.npz").exists()


def test_llama_block_matches_torch_hooks(tmp_path):
    """On the raised Llama block (examples/llama_block.py), every projection's
    statistics equal those of the inputs torch's nn.Linear modules see."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    import sys
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))
    import llama_block

    onnx_path, x, _ = llama_block.export(tmp_path)
    imported, raised = tmp_path / "imported.mlir", tmp_path / "raised.mlir"
    for args in (["linea-import-onnx", onnx_path, "-o", imported],
                 ["linea-opt", "--linea-raise", imported, "-o", raised]):
        subprocess.run([tools.tool(args[0]), *map(str, args[1:])], check=True)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "stats.npz"
    linea_run(tmp_path, raised.read_text(), "-i", tmp_path / "x.npy", "--collect-stats", out)

    # The same block (export seeds torch before building it), with hooks.
    torch.manual_seed(0)
    block = llama_block.Block(256, 8, 2, 688, 16).eval()
    seen = {}
    for name, mod in block.named_modules():
        if isinstance(mod, torch.nn.Linear):
            mod.register_forward_hook(
                lambda m, args, _, name=name: seen.__setitem__(name, args[0].double()))
    with torch.no_grad():
        block(torch.from_numpy(x))
    stats = np.load(out)
    assert len(stats.files) == 3 * len(seen) == 21
    for name, act in seen.items():
        key = "/" + name.replace(".", "/") + "/MatMul"
        rows = act.reshape(-1, act.shape[-1]).numpy()
        assert int(stats[f"{key}.tokens"]) == rows.shape[0] == 16
        np.testing.assert_allclose(stats[f"{key}.absmax"], np.abs(rows).max(0),
                                   rtol=1e-4, atol=1e-5)
        xtx = rows.T @ rows
        err = np.abs(stats[f"{key}.xtx"] - xtx).max() / np.abs(xtx).max()
        assert err < 1e-5, (key, err)


def to_zip64(data: bytes) -> bytes:
    """Rewrites a plain zip's central directory in zip64 form: every local
    header offset moved into a zip64 extra field, and the end record's
    counts and offsets moved into a zip64 end record (what zip writers emit
    past 65535 entries or 4 GiB)."""
    import struct
    eocd = data.rindex(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack_from("<HII", data, eocd + 10)
    central, pos = b"", cd_offset
    for _ in range(count):
        fixed = bytearray(data[pos:pos + 46])
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", fixed, 28)
        (offset,) = struct.unpack_from("<I", fixed, 42)
        name = data[pos + 46:pos + 46 + name_len]
        extra = data[pos + 46 + name_len:pos + 46 + name_len + extra_len]
        extra += struct.pack("<HHQ", 1, 8, offset)
        struct.pack_into("<H", fixed, 30, len(extra))
        struct.pack_into("<I", fixed, 42, 0xFFFFFFFF)
        central += bytes(fixed) + name + extra
        pos += 46 + name_len + extra_len + comment_len
    zip64_end = len(data[:cd_offset]) + len(central)
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                         len(central), cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                      0xFFFFFFFF, 0)
    return data[:cd_offset] + central + record + locator + end


def test_reads_zip64_records(tmp_path):
    import zipfile
    out = tmp_path / "stats.npz"
    x0, x1 = grid_input(1), grid_input(2)
    np.save(tmp_path / "x0.npy", x0)
    np.save(tmp_path / "x1.npy", x1)
    linea_run(tmp_path, module(), "-i", tmp_path / "x0.npy", "--collect-stats", out)
    out.write_bytes(to_zip64(out.read_bytes()))
    with zipfile.ZipFile(out) as z:  # the rewrite is a valid zip64 archive
        assert z.testzip() is None and len(z.namelist()) == 6
    assert_matches(out, reference([x0]))
    linea_run(tmp_path, module(), "-i", tmp_path / "x1.npy", "--collect-stats", out,
              "--append-stats")
    assert_matches(out, reference([x0, x1]))
