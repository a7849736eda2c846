"""linea-gptq, linea-sinq and static fp8 activation scales on the same layer
and inputs as plain round to nearest (linea-quantize):

- GPTQ, given the layer's XᵀX from linea-run --collect-stats, lowers the
  output error on held-out inputs of the calibration distribution;
- SINQ lowers the 4-bit weight error on weights whose rows and columns have
  uneven spreads, without calibration;
- act=fp8_per_tensor takes max|x|/448 of the calibration inputs as its
  static scale and matches the numpy reading of that activation mode.
"""

import pathlib
import re
import tempfile

import numpy as np
import pytest

from linea import formats as F
from linea.tools import collect_stats, run_mlir, run_opt
from test_quant_numerics import assert_layer_output
from test_quantize_pass import dense_layer

N, K, TOKENS = 48, 128, 256


_DIST = np.random.default_rng(100)
_MIX = _DIST.standard_normal((K, K)) / np.sqrt(K)
_CHANNEL_SCALE = np.exp(_DIST.normal(0, 1, K))


def correlated_inputs(rng, tokens: int) -> np.ndarray:
    """Samples of one distribution of activations with correlated channels
    and uneven channel scales, as real hidden states have (GPTQ exploits
    the correlation)."""
    z = rng.standard_normal((tokens, K))
    return ((z @ _MIX) * _CHANNEL_SCALE).astype(np.float32)


def output_error(module: str, x: np.ndarray, reference: np.ndarray) -> float:
    (y,) = run_mlir(module, [x])
    return float(np.linalg.norm(y - reference) / np.linalg.norm(reference))


def weight_error(module: str) -> float:
    return float(re.search(r"linea.weight_error = ([-0-9.eE+]+)", module).group(1))


@pytest.mark.parametrize("options", [
    "format=int4 group-size=32",
    "format=int4 symmetric=false group-size=64 scale-type=f16",
    "format=int4",
    "format=nvfp4",
    "format=int8",
])
def test_gptq_lowers_output_error(options):
    rng = np.random.default_rng(11)
    w = (rng.standard_normal((N, K)) * 0.05).astype(np.float32)
    calib, held_out = correlated_inputs(rng, TOKENS), correlated_inputs(rng, TOKENS)
    dense = dense_layer(w, TOKENS)
    reference = held_out.astype(np.float64) @ w.T.astype(np.float64)
    with tempfile.TemporaryDirectory() as tmp:
        stats = collect_stats(dense, calib, pathlib.Path(tmp) / "stats.npz")
        gptq = run_opt(dense, f"--linea-gptq={options} stats={stats}")
    rtn = run_opt(dense, f"--linea-quantize={options}")
    e_gptq, e_rtn = output_error(gptq, held_out, reference), output_error(rtn, held_out, reference)
    print(f"{options}: output error RTN {e_rtn:.4g}, GPTQ {e_gptq:.4g} "
          f"(weight error {weight_error(rtn):.4g} → {weight_error(gptq):.4g})")
    assert e_gptq < 0.9 * e_rtn


def test_gptq_dead_channel_and_identity_hessian():
    """A channel that never fires gets zero weights; with white inputs GPTQ
    is close to round to nearest (its error feedback has nothing to use)."""
    rng = np.random.default_rng(3)
    w = (rng.standard_normal((N, K)) * 0.05).astype(np.float32)
    x = rng.standard_normal((TOKENS, K)).astype(np.float32)
    x[:, 5] = 0
    dense = dense_layer(w, TOKENS)
    with tempfile.TemporaryDirectory() as tmp:
        stats = collect_stats(dense, x, pathlib.Path(tmp) / "stats.npz")
        gptq = run_opt(dense, f"--linea-gptq=format=int8 stats={stats}")
    (w_hat_t,) = run_mlir(gptq.replace(f"tensor<{TOKENS}x", f"tensor<{K}x"), [np.eye(K, dtype=np.float32)])
    assert np.all(w_hat_t[5] == 0)
    rtn = run_opt(dense, "--linea-quantize=format=int8")
    reference = x.astype(np.float64) @ w.T.astype(np.float64)
    assert output_error(gptq, x, reference) < 1.2 * output_error(rtn, x, reference)


def imbalanced_weights(rng) -> np.ndarray:
    rows = np.exp(rng.normal(0, 1.0, (N, 1)))
    cols = np.exp(rng.normal(0, 1.0, (1, K)))
    return (rng.standard_normal((N, K)) * rows * cols * 0.02).astype(np.float32)


@pytest.mark.parametrize("options", [
    "format=int4 symmetric=false group-size=64",
    "format=int4 group-size=64",
    "format=int4 symmetric=false",
])
def test_sinq_lowers_weight_error(options):
    rng = np.random.default_rng(4)
    w = imbalanced_weights(rng)
    dense = dense_layer(w, TOKENS)
    sinq = run_opt(dense, f"--linea-sinq={options}")
    rtn = run_opt(dense, f"--linea-quantize={options}")
    assert "linea.scale_channels" in sinq
    print(f"{options}: weight error RTN {weight_error(rtn):.4g}, SINQ {weight_error(sinq):.4g}")
    assert weight_error(sinq) < 0.95 * weight_error(rtn)
    # The recorded error is that of the whole rewritten layer, μ included:
    # running it on the identity reads back Ŵ·diag(μ).
    eye = dense_layer(w, K)
    (w_hat_t,) = run_mlir(run_opt(eye, f"--linea-sinq={options}"), [np.eye(K, dtype=np.float32)])
    measured = np.linalg.norm(w_hat_t.T - w) / np.linalg.norm(w)
    assert measured == pytest.approx(weight_error(sinq), rel=1e-4)
    x = correlated_inputs(rng, TOKENS)
    reference = x.astype(np.float64) @ w.T.astype(np.float64)
    print(f"  output error RTN {output_error(rtn, x, reference):.4g}, "
          f"SINQ {output_error(sinq, x, reference):.4g}")


def test_fp8_per_tensor_static_scale_from_stats():
    rng = np.random.default_rng(8)
    w = (rng.standard_normal((N, K)) * 0.05).astype(np.float32)
    calib = correlated_inputs(rng, TOKENS)
    dense = dense_layer(w, TOKENS)
    with tempfile.TemporaryDirectory() as tmp:
        stats = collect_stats(dense, calib, pathlib.Path(tmp) / "stats.npz")
        quantized = run_opt(dense, f"--linea-quantize=format=fp8_e4m3 act=fp8_per_tensor stats={stats}")
    act_scale = np.float32(np.abs(calib).max()) / np.float32(448)
    stored = re.search(r"act_scale (%\S+)", quantized).group(1)
    value = re.search(re.escape(stored) + r" = arith.constant dense<([-0-9.eE+]+)>", quantized).group(1)
    assert np.float32(value) == act_scale
    x = correlated_inputs(rng, TOKENS)
    (y,) = run_mlir(quantized, [x])
    w_hat = F.quantize(F.QFormat("fp8_e4m3"), w).dequantize()
    assert_layer_output(y, F.quantize_activations("fp8_per_tensor", x, act_scale), w_hat)


@pytest.mark.parametrize("pattern", ["pattern=2:4", "pattern=block:8x8 sparsity=0.5"])
@pytest.mark.parametrize("xtx", [True, False])
def test_calibration_weighted_pruning(pattern, xtx):
    """Wanda: scoring |W|·‖X_k‖ keeps the weights on high-energy input
    channels and lowers the output error of the pruned layer."""
    rng = np.random.default_rng(6)
    w = (rng.standard_normal((N, K)) * 0.05).astype(np.float32)
    calib, held_out = correlated_inputs(rng, TOKENS), correlated_inputs(rng, TOKENS)
    dense = dense_layer(w, TOKENS)
    with tempfile.TemporaryDirectory() as tmp:
        stats = collect_stats(dense, calib, pathlib.Path(tmp) / "stats.npz",
                              f"--stats-xtx={str(xtx).lower()}")
        wanda = run_opt(dense, f"--linea-sparsify={pattern} stats={stats}")
    magnitude = run_opt(dense, f"--linea-sparsify={pattern}")
    reference = held_out.astype(np.float64) @ w.T.astype(np.float64)
    e_w, e_m = output_error(wanda, held_out, reference), output_error(magnitude, held_out, reference)
    print(f"{pattern} (xtx={xtx}): output error magnitude {e_m:.4g}, Wanda {e_w:.4g}")
    assert e_w < 0.9 * e_m
