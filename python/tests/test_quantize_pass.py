"""linea-quantize against the independent numpy producer
python/linea/formats.py `quantize`: for every format the pass's packed weight
dequantizes bit for bit to the numpy one (read back by running the rewritten
layer on the identity), its recorded weight error is the numpy one, and the
activation modes run on the quantized layer.
"""

import re

import numpy as np
import pytest

from linea import formats as F
from linea.formats import QFormat
from linea.tools import run_mlir, run_opt
from test_quant_numerics import assert_layer_output, same_bits

# (linea-quantize options, the format they must produce). K = 37 leaves a
# partial last group for every group size.
CASES = [
    ("format=int8", QFormat("int8")),
    ("format=int8 granularity=tensor scale-type=bf16", QFormat("int8", "tensor", scale="bf16")),
    ("format=int8 symmetric=false group-size=16", QFormat("uint8", "group", 16)),
    ("format=int4 group-size=16 scale-type=f16", QFormat("int4", "group", 16, "f16")),
    ("format=uint4 group-size=16 scale-type=f16", QFormat("uint4", "group", 16, "f16")),
    ("format=int4 symmetric=false granularity=tensor scale-type=bf16",
     QFormat("uint4", "tensor", scale="bf16")),
    ("format=int6", QFormat("int6")),
    ("format=int6 group-size=8 scale-type=bf16", QFormat("int6", "group", 8, "bf16")),
    ("format=fp8_e4m3 granularity=tensor", QFormat("fp8_e4m3", "tensor")),
    ("format=fp8_e4m3 group-size=16 scale-type=f16", QFormat("fp8_e4m3", "group", 16, "f16")),
    ("format=fp8_e5m2", QFormat("fp8_e5m2")),
    ("format=mxfp4", QFormat("mxfp4")),
    ("format=nvfp4", QFormat("nvfp4")),
    ("format=nf4", QFormat("nf4")),
    ("format=nf4 group-size=16 scale-type=f16", QFormat("nf4", "group", 16, "f16")),
]
N, K = 19, 37


def case_id(case):
    return case[0].replace("format=", "").replace(" ", "-")


def weights(kind: str, n=N, k=K) -> np.ndarray:
    rng = np.random.default_rng(5)
    if kind == "gaussian":
        return (rng.standard_normal((n, k)) * 0.05).astype(np.float32)
    # Student-t with 2 degrees of freedom: outliers far beyond the bulk.
    return (rng.standard_t(2, (n, k)) * 0.02).astype(np.float32)


def literal(array: np.ndarray) -> str:
    return np.array2string(array, separator=", ", threshold=1 << 30,
                           floatmode="unique").replace("\n", "")


def dense_layer(w: np.ndarray, tokens: int, element="f32") -> str:
    n, k = w.shape
    return f"""
func.func @main(%x: tensor<{tokens}x{k}x{element}>) -> tensor<{tokens}x{n}x{element}> {{
  %w = arith.constant dense<{literal(w)}> : tensor<{n}x{k}x{element}>
  %y = linea.linear %x, %w {{name = "fc"}} : (tensor<{tokens}x{k}x{element}>, tensor<{n}x{k}x{element}>) -> tensor<{tokens}x{n}x{element}>
  return %y : tensor<{tokens}x{n}x{element}>
}}"""


def quantize(w: np.ndarray, options: str, tokens: int) -> str:
    return run_opt(dense_layer(w, tokens), f"--linea-quantize={options}")


@pytest.mark.parametrize("kind", ["gaussian", "heavy"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_pass_matches_numpy_producer(case, kind):
    options, fmt = case
    w = weights(kind)
    quantized = quantize(w, options, K)
    assert "linea.linear" not in quantized and "linea.quant_linear" in quantized
    (y,) = run_mlir(quantized, [np.eye(K, dtype=np.float32)])
    expected = F.quantize(fmt, w).dequantize()
    same_bits(y.T, expected)
    # The recorded weight error is ‖W − Ŵ‖_F / ‖W‖_F of that same Ŵ.
    recorded = float(re.search(r"linea.weight_error = ([-0-9.eE+]+)", quantized).group(1))
    err = np.linalg.norm(expected.astype(np.float64) - w) / np.linalg.norm(w.astype(np.float64))
    assert recorded == pytest.approx(err, rel=1e-5, abs=1e-9)


@pytest.mark.parametrize("options,act", [
    ("format=int8 act=dynamic_int8_per_token", "dynamic_int8_per_token"),
    ("format=int4 group-size=16 act=fp8_per_token", "fp8_per_token"),
    ("format=fp8_e4m3 act=fp8_per_token", "fp8_per_token"),
    ("format=nvfp4 act=fp8_per_token", "fp8_per_token"),
])
def test_activation_modes_on_quantized_layer(options, act):
    rng = np.random.default_rng(9)
    w = weights("gaussian")
    x = rng.standard_normal((6, K)).astype(np.float32)
    x[:, 3] *= 30  # an outlier channel
    quantized = quantize(w, options, 6)
    fmt_text = re.search(r"format (<[^>]*>)", quantized).group(1)
    assert f"act {act}" in fmt_text
    (y,) = run_mlir(quantized, [x])
    plain = re.sub(r", act \w+", "", options.replace(f"act={act}", ""))
    element = re.search(r"format=(\w+)", plain).group(1)
    group = re.search(r"group-size=(\d+)", plain)
    fmt = QFormat(element, "group", int(group.group(1))) if group else QFormat(element)
    w_hat = F.quantize(fmt, w).dequantize()
    assert_layer_output(y, F.quantize_activations(act, x), w_hat)


def test_f16_model():
    """An f16 model keeps f16 activations; the weight's values are those of
    the f16 constant."""
    rng = np.random.default_rng(2)
    w = weights("gaussian").astype(np.float16)
    quantized = run_opt(dense_layer(w, 4, "f16"), "--linea-quantize=format=int4 group-size=16")
    x = rng.standard_normal((4, K)).astype(np.float16)
    (y,) = run_mlir(quantized, [x])
    assert y.dtype == np.float16
    w_hat = F.quantize(QFormat("int4", "group", 16), w.astype(np.float32)).dequantize()
    ref = x.astype(np.float64) @ w_hat.T.astype(np.float64)
    np.testing.assert_allclose(y.astype(np.float64), ref, rtol=2e-3, atol=2e-3)


def test_error_ordering_by_bits():
    """More bits, less error: int8 < int6 < int4 on the same weight."""
    w = weights("gaussian", 64, 256)
    errors = {}
    for options in ["format=int8", "format=int6", "format=int4 group-size=32"]:
        out = quantize(w, options, 1)
        errors[options] = float(re.search(r"linea.weight_error = ([-0-9.eE+]+)", out).group(1))
    values = list(errors.values())
    assert values[0] < values[1] < values[2], errors
