"""linea-smooth (SmoothQuant) and linea-rotate (Hadamard rotation) are exact
changes of basis: the rewritten module computes what the original does.
Their point shows after quantization: on the same layer and inputs,
smoothing lowers the W8A8 output error when activations have outlier
channels, and rotating lowers the int4 error of heavy-tailed weights.
The smoothing scales are checked against an independent numpy version of
the SmoothQuant formula, and on the raised Llama block the division by s
lands in the two RMSNorms and in scale_channels in front of o/down_proj."""

import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from linea import tools


def literal(a):
    return np.array2string(np.asarray(a, np.float32), separator=",", threshold=1 << 30,
                           floatmode="unique").replace("\n", "")


def layers_module(tokens, k, weights, norm=None, gamma=None, beta=None):
    """@main(x[tokens, k]) -> one output per weight; every layer reads x,
    or `norm`(x) when given ("rms_norm" or "layer_norm" with gamma/beta)."""
    xt = f"tensor<{tokens}x{k}xf32>"
    lines, src = [], "%x"
    if norm:
        params, ptypes = [], []
        for name, p in (("weight", gamma), ("bias", beta)):
            if p is not None:
                lines.append(f"  %{name} = arith.constant dense<{literal(p)}> : tensor<{k}xf32>")
                params.append(f"{name} %{name}")
                ptypes.append(f"tensor<{k}xf32>")
        lines.append(f"  %n = linea.{norm} %x {' '.join(params)} : "
                     f"({', '.join([xt] + ptypes)}) -> {xt}")
        src = "%n"
    outs, types = [], []
    for i, w in enumerate(weights):
        n = w.shape[0]
        lines.append(f"  %w{i} = arith.constant dense<{literal(w)}> : tensor<{n}x{k}xf32>")
        lines.append(f"  %y{i} = linea.linear {src}, %w{i} {{name = \"fc{i}\"}} : "
                     f"({xt}, tensor<{n}x{k}xf32>) -> tensor<{tokens}x{n}xf32>")
        outs.append(f"%y{i}")
        types.append(f"tensor<{tokens}x{n}xf32>")
    body = "\n".join(lines)
    return (f"func.func @main(%x: {xt}) -> ({', '.join(types)}) {{\n{body}\n"
            f"  return {', '.join(outs)} : {', '.join(types)}\n}}\n")


def rel_err(y, ref):
    y, ref = np.asarray(y, np.float64), np.asarray(ref, np.float64)
    return float(np.linalg.norm(y - ref) / np.linalg.norm(ref))


def assert_same(after, before):
    for a, b in zip(after, before):
        assert a.shape == b.shape
        # f32 rounding of the rescaled weights: relative to the output scale.
        assert np.abs(a - b).max() <= 1e-5 * np.abs(b).max() + 1e-6, \
            (np.abs(a - b).max(), np.abs(b).max())


def outlier_activations(rng, tokens, k, channels):
    x = rng.standard_normal((tokens, k)).astype(np.float32)
    x[:, channels] *= 50.0
    return x


# ---------------------------------------------------------------------------
# Exactness


@pytest.mark.parametrize("norm", [None, "rms_norm", "layer_norm"])
@pytest.mark.parametrize("alpha", [0.5, 0.85])
def test_smooth_preserves_output_and_matches_numpy(norm, alpha, tmp_path):
    rng = np.random.default_rng(1)
    tokens, k = 24, 64
    weights = [rng.standard_normal((n, k)).astype(np.float32) * 0.1 for n in (32, 16, 16)]
    gamma = rng.uniform(0.5, 1.5, k).astype(np.float32) if norm else None
    beta = rng.standard_normal(k).astype(np.float32) if norm == "layer_norm" else None
    module = layers_module(tokens, k, weights, norm, gamma, beta)
    x_cal = outlier_activations(rng, tokens, k, [3, 40])
    stats = tools.collect_stats(module, x_cal, tmp_path / "s.npz")
    smoothed = tools.run_opt(module, f"--linea-smooth=stats={stats} alpha={alpha}",
                             "--mlir-print-elementsattrs-with-hex-if-larger=-1")
    assert smoothed.count("linea.smoothed") == 3
    # The norm absorbs 1/s; without one, one scale_channels serves all three.
    assert smoothed.count("linea.scale_channels") == (0 if norm else 1)

    # The scales, independently: max|x| of the layers' input over the
    # calibration tokens against the column maxima over the three weights.
    if norm == "rms_norm":
        xin = x_cal / np.sqrt((x_cal.astype(np.float64) ** 2).mean(1, keepdims=True) + 1e-6) * gamma
    elif norm == "layer_norm":
        c = x_cal - x_cal.mean(1, keepdims=True)
        xin = c / np.sqrt((c.astype(np.float64) ** 2).mean(1, keepdims=True) + 1e-5) * gamma + beta
    else:
        xin = x_cal
    act = np.abs(xin).max(0)
    wmax = np.max([np.abs(w).max(0) for w in weights], axis=0)
    s = np.maximum(act ** alpha / wmax ** (1 - alpha), 1e-5)
    m = re.search(r"linea\.linear \S+, (%\S+) \{linea\.smoothed[^\n]*name = \"fc0\"", smoothed)
    w0 = re.search(re.escape(m.group(1)) + r" = arith\.constant dense<(.*?)> :", smoothed).group(1)
    w0 = np.array(eval(w0), np.float32)
    np.testing.assert_allclose(w0, weights[0] * s, rtol=2e-4, atol=1e-6)

    x = rng.standard_normal((tokens, k)).astype(np.float32)
    assert_same(tools.run_mlir(smoothed, [x]), tools.run_mlir(module, [x]))


@pytest.mark.parametrize("k,block", [(256, 128), (96, 32), (48, 16)])
def test_rotate_preserves_output(k, block):
    rng = np.random.default_rng(2)
    tokens = 20
    weights = [rng.standard_t(3, (n, k)).astype(np.float32) * 0.05 for n in (24, 8)]
    module = layers_module(tokens, k, weights, "rms_norm", rng.uniform(0.5, 1.5, k))
    rotated = tools.run_opt(module, "--linea-rotate")
    assert rotated.count("linea.hadamard") == 1
    assert f"block_size = {block} : i64" in rotated
    x = outlier_activations(rng, tokens, k, [5])
    assert_same(tools.run_mlir(rotated, [x]), tools.run_mlir(module, [x]))


# ---------------------------------------------------------------------------
# What they are for: lower quantization error on the same layer and inputs

W8A8 = "--linea-quantize=format=int8 act=dynamic_int8_per_token"


@pytest.mark.parametrize("alpha", [0.5, 0.85])
def test_smooth_lowers_w8a8_error(alpha, tmp_path):
    rng = np.random.default_rng(3)
    tokens, k, n = 64, 256, 128
    outliers = rng.choice(k, 6, replace=False)
    w = (rng.standard_normal((n, k)) * 0.05).astype(np.float32)
    module = layers_module(tokens, k, [w])
    stats = tools.collect_stats(module, outlier_activations(rng, tokens, k, outliers),
                          tmp_path / "s.npz")
    x = outlier_activations(rng, tokens, k, outliers)  # held-out tokens
    (y,) = tools.run_mlir(module, [x])
    (plain,) = tools.run_mlir(tools.run_opt(module, W8A8), [x])
    smoothed = tools.run_opt(module, f"--linea-smooth=stats={stats} alpha={alpha}", W8A8)
    assert "linea.quant_linear" in smoothed and "linea.scale_channels" in smoothed
    (smooth,) = tools.run_mlir(smoothed, [x])
    e_plain, e_smooth = rel_err(plain, y), rel_err(smooth, y)
    print(f"\nW8A8 output error, outlier channels ×50, α={alpha}: "
          f"plain {e_plain:.3e}, smoothed {e_smooth:.3e} ({e_plain / e_smooth:.1f}× lower)")
    # α = 0.5 balances the two ranges; 0.85 pushes so much into W (Gaussian
    # here, unlike trained Llama-2 weights) that its int8 error grows back.
    assert e_smooth < (0.5 if alpha == 0.5 else 0.8) * e_plain


def weight_error(module_text):
    return float(re.search(r"linea\.weight_error = ([-+0-9.eE]+) : f32", module_text).group(1))


@pytest.mark.parametrize("fmt", ["format=int4 group-size=128", "format=int4"])
def test_rotate_lowers_int4_error(fmt):
    rng = np.random.default_rng(4)
    tokens, k, n = 64, 256, 96
    # Student-t with 2 degrees of freedom: a few weights far beyond the bulk.
    w = (rng.standard_t(2, (n, k)) * 0.02).astype(np.float32)
    module = layers_module(tokens, k, [w])
    x = outlier_activations(rng, tokens, k, rng.choice(k, 4, replace=False))
    (y,) = tools.run_mlir(module, [x])
    plain = tools.run_opt(module, f"--linea-quantize={fmt}")
    rotated = tools.run_opt(module, "--linea-rotate", f"--linea-quantize={fmt}")
    assert "linea.hadamard" in rotated
    # H is orthonormal: ‖WH − Q(WH)‖ = ‖W − Q(WH)Hᵀ‖, so the recorded
    # weight errors compare directly.
    w_plain, w_rot = weight_error(plain), weight_error(rotated)
    (yp,) = tools.run_mlir(plain, [x])
    (yr,) = tools.run_mlir(rotated, [x])
    o_plain, o_rot = rel_err(yp, y), rel_err(yr, y)
    print(f"\n{fmt}, Student-t(2) weights: weight error plain {w_plain:.4f}, rotated "
          f"{w_rot:.4f}; output error plain {o_plain:.3e}, rotated {o_rot:.3e}")
    assert w_rot < 0.8 * w_plain
    assert o_rot < o_plain


# ---------------------------------------------------------------------------
# The raised Llama block

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))
import llama_block  # noqa: E402


def run_tool(name, *args):
    proc = subprocess.run([tools.tool(name), *map(str, args)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    """(raised path, x path, stats path, y of the raised block)."""
    out = tmp_path_factory.mktemp("llama")
    onnx_path, x, _ = llama_block.export(out)
    run_tool("linea-import-onnx", onnx_path, "-o", out / "imported.mlir")
    run_tool("linea-opt", "--linea-raise", out / "imported.mlir", "-o", out / "raised.mlir")
    np.save(out / "x.npy", x)
    run_tool("linea-run", out / "raised.mlir", "-i", out / "x.npy",
             "--collect-stats", out / "s.npz")
    raised = (out / "raised.mlir").read_text()
    (y,) = tools.run_mlir(raised, [x])
    return out, x, y


def test_llama_smooth_folds_into_norms(llama):
    out, x, y = llama
    text = run_tool("linea-opt", out / "raised.mlir", f"--linea-smooth=stats={out / 's.npz'}")
    assert text.count("linea.smoothed") == 7
    assert len(re.findall(r"linea\.rms_norm %\S+ weight", text)) == 2
    # q/k/v read the first norm, gate/up the second, directly.
    norms = re.findall(r"(%\S+) = linea\.rms_norm", text)
    for proj, norm in (("q_proj", 0), ("k_proj", 0), ("v_proj", 0),
                       ("gate_proj", 1), ("up_proj", 1)):
        assert re.search(rf"linea\.linear {re.escape(norms[norm])}, [^\n]*{proj}", text), proj
    # o_proj and down_proj read one scale_channels each.
    scaled = re.findall(r"(%\S+) = linea\.scale_channels", text)
    assert len(scaled) == 2
    for proj, value in (("o_proj", scaled[0]), ("down_proj", scaled[1])):
        assert re.search(rf"linea\.linear {re.escape(value)}, [^\n]*{proj}", text), proj
    (ys,) = tools.run_mlir(text, [x])
    assert np.abs(ys - y).max() <= 1e-5 * np.abs(y).max()


def test_llama_rotate_and_quantize(llama):
    out, x, y = llama
    rotated = run_tool("linea-opt", out / "raised.mlir", "--linea-rotate")
    assert rotated.count("linea.hadamard") == 4  # qkv, o, gate/up, down
    (yr,) = tools.run_mlir(rotated, [x])
    assert np.abs(yr - y).max() <= 1e-5 * np.abs(y).max()
    # Both in front of quantization: W8A8 after smoothing, int4 after rotating.
    errors = {}
    for name, args in [("w8a8", [W8A8]),
                       ("smooth+w8a8", [f"--linea-smooth=stats={out / 's.npz'}", W8A8]),
                       ("int4 g128", ["--linea-quantize=format=int4 group-size=128"]),
                       ("rotate+int4 g128", ["--linea-rotate",
                                             "--linea-quantize=format=int4 group-size=128"])]:
        (yq,) = tools.run_mlir(run_tool("linea-opt", out / "raised.mlir", *args), [x])
        errors[name] = rel_err(yq, y)
    print("\nLlama block output error: " +
          ", ".join(f"{k} {v:.3e}" for k, v in errors.items()))
    assert errors["smooth+w8a8"] < 0.05 and errors["rotate+int4 g128"] < 0.2
