"""linea-cpu-norm-kernels (run by linea-lower-to-llvm, hence by linea-run)
against the reference lowering (`linea-lower-to-llvm=norm-kernels=false`)
and float64 numpy: rms_norm and layer_norm with and without weight / bias
(f32, f16, bf16 parameters), D not a multiple of the vector width, M = 1,
odd M, a dynamic M, rank-1 and rank-3 x, and threads on. Then FlashNorm:
linea-fold-norms followed by the row-scale epilogue (the norm's 1/rms
applied to the linear layer's output rows) against the unfolded layer."""

import numpy as np
import pytest

from linea.tools import as_element, dynamic_leading, hex_const, run_mlir, run_opt, tensor_type
from test_norm_numerics import ref_layer_norm, ref_rms_norm

RMS, LAYER, SCALE = "__linea_rms_norm_kernel", "__linea_layer_norm_kernel", "__linea_rms_scale_kernel"


def norm_module(kind, x, d, weight, bias, eps, dynamic):
    xt = tensor_type(x)
    if dynamic:
        xt = dynamic_leading(xt)
    args, operands, types = [f"%x: {xt}"], "%x", [xt]
    if weight:
        args.append(f"%w: tensor<{d}x{weight}>")
        operands += f" weight %w"
        types.append(f"tensor<{d}x{weight}>")
    if bias:
        args.append(f"%b: tensor<{d}x{bias}>")
        operands += f" bias %b"
        types.append(f"tensor<{d}x{bias}>")
    return f"""
func.func @main({", ".join(args)}) -> {xt} {{
  %y = linea.{kind} {operands} {{epsilon = {eps:e} : f32}} : ({", ".join(types)}) -> {xt}
  return %y : {xt}
}}"""


CASES = [
    # kind, x shape, weight dtype, bias dtype, dynamic
    ("rms_norm", (1, 64), "f32", None, False),
    ("rms_norm", (3, 37), None, None, False),
    ("rms_norm", (17, 100), "bf16", None, True),
    ("rms_norm", (29,), "f16", None, False),
    ("layer_norm", (1, 64), "f32", "f32", False),
    ("layer_norm", (5, 23), None, None, False),
    ("layer_norm", (2, 3, 45), "f16", "bf16", True),
    ("layer_norm", (9, 130), "f32", None, False),
]
IDS = ["rms-m1", "rms-m3-noweight", "rms-m17dyn-bf16", "rms-rank1-f16",
       "ln-m1", "ln-m5-noparams", "ln-rank3dyn-f16-bf16", "ln-m9-weightonly"]


@pytest.mark.parametrize("kind,x_shape,weight,bias,dynamic", CASES, ids=IDS)
def test_norm_kernel(kind, x_shape, weight, bias, dynamic):
    rng = np.random.default_rng(sum(x_shape) + len(kind))
    d = x_shape[-1]
    # An offset mean makes layer_norm's centring matter.
    x = (rng.standard_normal(x_shape) * 2 + 0.5).astype(np.float32)
    eps = 1e-5
    w, w_in = as_element(1 + 0.1 * rng.standard_normal(d), weight) if weight else (None, None)
    b, b_in = as_element(0.1 * rng.standard_normal(d), bias) if bias else (None, None)
    text = norm_module(kind, x, d, weight, bias, eps, dynamic)
    inputs = [x] + [a for a in (w_in, b_in) if a is not None]
    kernel = RMS if kind == "rms_norm" else LAYER
    assert f"llvm.call @{kernel}" in run_opt(text, "--linea-lower-to-llvm")
    reference = run_opt(text, "--linea-lower-to-llvm=norm-kernels=false")
    assert kernel not in reference
    threaded = run_opt(text, "--linea-cpu-norm-kernels=vector-width=8 min-parallel-work=0")
    assert "scf.parallel" in threaded
    outputs = [run_mlir(text, inputs)[0], run_mlir(reference, inputs)[0],
               run_mlir(threaded, inputs)[0]]
    if kind == "rms_norm":
        exact = ref_rms_norm(x, w, eps)
    else:
        exact = ref_layer_norm(x, w, b, eps)
    for y in outputs:
        assert y.shape == x.shape
        np.testing.assert_allclose(y, exact, rtol=2e-6 * np.sqrt(d), atol=2e-6 * np.sqrt(d))


def flash_module(x, g, w, bias, eps, dynamic):
    """rms_norm(x)·g → linear(W, bias) → residual-free output, constants
    inline so that linea-fold-norms can fold g into W."""
    m, k = x.shape
    n = w.shape[0]
    xt = f"tensor<{'?' if dynamic else m}x{k}xf32>"
    yt = f"tensor<{'?' if dynamic else m}x{n}xf32>"
    consts = [hex_const("g", g, "f32")[0], hex_const("w", w, "f32")[0]]
    bias_text = ""
    types = f"{xt}, tensor<{n}x{k}xf32>"
    if bias is not None:
        consts.append(hex_const("b", bias, "f32")[0])
        bias_text, types = " bias %b", types + f", tensor<{n}xf32>"
    body = "\n".join(consts)
    return f"""
func.func @main(%x: {xt}) -> {yt} {{
{body}
  %h = linea.rms_norm %x weight %g {{epsilon = {eps:e} : f32}} : ({xt}, tensor<{k}xf32>) -> {xt}
  %y = linea.linear %h, %w{bias_text} {{name = "proj"}} : ({types}) -> {yt}
  return %y : {yt}
}}"""


@pytest.mark.parametrize("m,n,k,with_bias,dynamic", [(1, 40, 64, True, False), (5, 33, 37, False, False),
                                                     (17, 24, 100, True, True)],
                         ids=["m1", "m5-nobias", "m17dyn"])
def test_flash_norm_epilogue(m, n, k, with_bias, dynamic):
    rng = np.random.default_rng(m + n + k)
    x = (rng.standard_normal((m, k)) * 3).astype(np.float32)
    g = (1 + 0.2 * rng.standard_normal(k)).astype(np.float32)
    w = (rng.standard_normal((n, k)) / np.sqrt(k)).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32) if with_bias else None
    eps = 1e-6
    text = flash_module(x, g, w, bias, eps, dynamic)
    folded = run_opt(text, "--linea-fold-norms")
    # FlashNorm: the scale kernel and no normalised copy of x.
    kernels = run_opt(folded, "--linea-cpu-norm-kernels")
    assert f"call @{SCALE}" in kernels and RMS not in kernels and "linea.rms_norm" not in kernels
    lowered = run_opt(folded, "--linea-lower-to-llvm")
    assert f"llvm.call @{SCALE}" in lowered and RMS not in lowered
    exact = ref_rms_norm(x, g, eps) @ w.T.astype(np.float64) + (0 if bias is None else bias)
    outputs = [run_mlir(folded, [x])[0], run_mlir(text, [x])[0],
               run_mlir(run_opt(folded, "--linea-lower-to-llvm=norm-kernels=false"), [x])[0]]
    for y in outputs:
        assert y.shape == (m, n)
        np.testing.assert_allclose(y, exact, rtol=1e-5, atol=1e-5 * np.sqrt(k))
