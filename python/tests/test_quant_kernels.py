"""linea-cpu-quant-kernels (run by linea-lower-to-llvm, hence by linea-run)
against the reference lowering (`linea-lower-to-llvm=quant-kernels=false`,
linea-to-linalg's dense decode) on the same modules and inputs, for every
format and option the kernels cover: int8/uint8/int4/uint4/int6, tensor/channel/
group scales in f32/f16/bf16, groups and K that are not multiples of the
vector width (partial last groups, odd K for 4-bit), bias, M = 1, 3, 17
(static and dynamic), weight-only and dynamic_int8_per_token. Codes are
random over every value (−128, −8 and the largest unsigned codes included).

Both paths compute Ŵ and x̂ with the same f32 operations, so with x = the
identity the kernel's output must be Ŵᵀ bit for bit; otherwise they differ
only in the order of the f32 sum.
"""

import numpy as np
import pytest

from linea import formats as F
from linea.formats import QFormat
from linea.tools import run_mlir, run_opt
from test_quant_numerics import layer, same_bits

# (format, K): groups of 16 leave a partial last group at K = 37; K = 200
# with groups of 32 / 128 leaves 8 / 72; 4-bit with odd K ends in half a
# byte; groups of 12 4-bit codes (6 bytes) force 2-byte vector steps.
CASES = [
    (QFormat("int8"), 37),
    (QFormat("int8", "tensor", scale="bf16"), 37),
    (QFormat("int8", "group", 16, "f16"), 37),
    (QFormat("uint8"), 200),
    (QFormat("uint8", "group", 16, "bf16"), 37),
    (QFormat("int4"), 37),
    (QFormat("int4", "group", 16, "f16"), 37),
    (QFormat("int4", "group", 32), 200),
    (QFormat("int4", "group", 12, "bf16"), 37),
    (QFormat("uint4", "group", 16, "f16"), 37),
    (QFormat("uint4", "group", 128, "f16"), 200),
    (QFormat("uint4", "tensor", scale="bf16"), 37),
    (QFormat("int8", act="dynamic_int8_per_token"), 200),
    (QFormat("uint8", "group", 16, act="dynamic_int8_per_token"), 37),
    (QFormat("uint8", "group", 64, "bf16", act="dynamic_int8_per_token"), 200),
    (QFormat("int4", "group", 32, "f16", act="dynamic_int8_per_token"), 200),
    # int6: K = 37 ends in a partial 3-byte unit (one byte of it), K = 200
    # in whole units; K = 38 / 39 end in two / three bytes of a unit.
    (QFormat("int6"), 37),
    (QFormat("int6"), 38),
    (QFormat("int6", "tensor", scale="bf16"), 39),
    (QFormat("int6", "group", 16, "f16"), 37),
    (QFormat("int6", "group", 32), 200),
    (QFormat("int6", "group", 64, "bf16"), 200),
    (QFormat("int6", "group", 16, act="dynamic_int8_per_token"), 200),
]
N = 13
# AVX512-VNNI on this host (the vnni option's vpdpwssd needs it to run).
_HOST_VNNI = "avx512_vnni" in open("/proc/cpuinfo").read()


def case_id(case):
    fmt, k = case
    return f"{fmt.mlir()[1:-1].replace(', ', '-').replace(' ', '')}-K{k}"


def _store_scales(values, scale_type):
    if scale_type == "f16":
        return values.astype(np.float16)
    if scale_type == "bf16":
        return F.f32_to_bf16_bits(values)
    return values.astype(np.float32)


def random_weight(fmt: QFormat, n: int, k: int, seed: int) -> F.QuantizedWeight:
    """Uniform random codes, scales and zero points (not a quantizer's
    output: every code value occurs)."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 1 << fmt.bits, (n, k))
    rows, cols = fmt.scale_shape(n, k)
    scales = _store_scales(rng.uniform(0.01, 0.1, (rows, cols)), fmt.scale)
    zeros = None
    if not fmt.symmetric:
        zeros = rng.integers(0, 1 << fmt.bits, (rows, cols)).astype(np.uint8)
    return F.QuantizedWeight(fmt, k, F.pack(codes, fmt.bits), scales, zeros)


def assert_kernel_path(module):
    """linea-run's pipeline (the default linea-lower-to-llvm) really calls
    a generated kernel for the layer, else the tests would check the
    reference against itself."""
    kernels = run_opt(module, "--linea-cpu-quant-kernels")
    assert "linea.quant_linear" not in kernels and "vector.fma" in kernels
    assert "llvm.call @__linea_quant_kernel" in run_opt(module, "--linea-lower-to-llvm")


def run_both(module, inputs):
    """(kernel path, reference path) outputs of `module` on `inputs`."""
    assert_kernel_path(module)
    (y,) = run_mlir(module, inputs)
    reference = run_opt(module, "--linea-lower-to-llvm=quant-kernels=false")
    assert "__linea_quant_kernel" not in reference
    (y_ref,) = run_mlir(reference, inputs)
    return y, y_ref


def assert_same_sum(y, y_ref, xh, qw, bias):
    """Both are f32 sums of the same K products (plus the bias) in different
    orders: each within (K + 2)·2^−24·Σ|terms| of the exact sum, y_ref and
    numpy's reading of docs/formats.md. Returns (exact, tolerance)."""
    xh = np.asarray(xh, np.float64)
    w = qw.dequantize().astype(np.float64)
    k = w.shape[1]
    terms = np.abs(xh) @ np.abs(w).T + (0 if bias is None else np.abs(bias))
    tol = 2 * (k + 2) * 2.0**-24 * terms
    bad = ~(np.abs(y - y_ref) <= tol)
    assert not bad.any(), f"{bad.sum()} outputs off: {y[bad][:4]} vs {y_ref[bad][:4]}"
    exact = xh @ w.T + (0 if bias is None else bias)
    assert np.all(np.abs(y - exact) <= tol)
    return exact, tol


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("m", [1, 3, 17])
def test_kernel_matches_reference(case, m):
    fmt, k = case
    qw = random_weight(fmt, N, k, seed=k + m)
    rng = np.random.default_rng(m)
    x = rng.standard_normal((m, k)).astype(np.float32)
    bias = rng.standard_normal(N).astype(np.float32) if m != 3 else None
    module, inputs = layer(qw, x, bias=bias, dynamic_batch=(m != 1))
    y, y_ref = run_both(module, inputs)
    assert y.shape == y_ref.shape == (m, N)
    xh = F.quantize_activations(fmt.act, x)
    exact, tol = assert_same_sum(y, y_ref, xh, qw, bias)
    if fmt.act == "dynamic_int8_per_token":
        # Both W8A8 kernels, whatever the host picks: x̂'s integer codes
        # times the weight codes in i32 (int-dot) and the f32 FMAs.
        for int_dot in ("true", "false"):
            kernel = run_opt(module, f"--linea-cpu-quant-kernels=int-dot={int_dot}")
            # (8-bit codes in whole steps of 32 per group only)
            applies = fmt.bits == 8 and (fmt.granularity != "group" or fmt.group % 32 == 0)
            assert ("vector<16xi16>" in kernel) == (int_dot == "true" and applies)
            (y_dot,) = run_mlir(kernel, inputs)
            assert np.all(np.abs(y_dot - exact) <= tol)
        if fmt.bits == 8 and _HOST_VNNI:
            # The same integer sums through AVX512-VNNI vpdpwssd.
            kernel = run_opt(module, "--linea-cpu-quant-kernels=int-dot=true vnni=true")
            assert ("vpdpwssd" in kernel) == applies
            (y_dot,) = run_mlir(kernel, inputs)
            assert np.all(np.abs(y_dot - exact) <= tol)
    if m >= 8:
        # Decode-once f32 panels (off in linea-lower-to-llvm), M ≥ 8 rows.
        kernel = run_opt(module, "--linea-cpu-quant-kernels=panel-min-rows=8")
        assert "scf.if" in kernel
        (y_panel,) = run_mlir(kernel, inputs)
        assert np.all(np.abs(y_panel - exact) <= tol)


PANEL_CASES = [(QFormat("int4", "group", 32), 200), (QFormat("int6"), 37),
               (QFormat("uint8", "group", 16, "bf16"), 37),
               (QFormat("int6", "group", 16, act="dynamic_int8_per_token"), 200)]


@pytest.mark.parametrize("case", PANEL_CASES, ids=case_id)
def test_panel_gemm_matches_reference(case):
    """M = 70 ≥ linea-lower-to-llvm's panel-min-rows (64): the decoded-panel
    GEMM, one whole block of 64 rows of x and a last one of 6 rows; N = 13
    is two 6-row tiles of W and one single row, with bias."""
    fmt, k = case
    m = 70
    qw = random_weight(fmt, N, k, seed=k)
    rng = np.random.default_rng(k)
    x = rng.standard_normal((m, k)).astype(np.float32)
    bias = rng.standard_normal(N).astype(np.float32)
    module, inputs = layer(qw, x, bias=bias, dynamic_batch=True)
    # XT, x̂ in blocks of 64 rows, exists only in the panel GEMM.
    assert "x64xf32>" in run_opt(module, "--linea-cpu-quant-kernels=panel-min-rows=64")
    y, y_ref = run_both(module, inputs)
    assert_same_sum(y, y_ref, F.quantize_activations(fmt.act, x), qw, bias)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].act == "weight_only"],
                         ids=case_id)
def test_decoded_weight_is_bit_exact(case):
    """x = I: y[i, n] = Ŵ[n, i], one product per output, so any wrong code,
    nibble, scale column or zero point shows."""
    fmt, k = case
    qw = random_weight(fmt, N, k, seed=7 * k)
    x = np.eye(k, dtype=np.float32)
    module, inputs = layer(qw, x, dynamic_batch=True)
    assert_kernel_path(module)
    (y,) = run_mlir(module, inputs)
    same_bits(y, qw.dequantize().T)


@pytest.mark.parametrize("x_shape", [(37,), (2, 5, 37)], ids=["rank1", "rank3"])
def test_token_ranks(x_shape):
    """x of rank 1 (one token) and 3 (dynamic leading dim) is reshaped to
    the kernel's rows and back."""
    fmt = QFormat("uint4", "group", 16, "f16")
    qw = random_weight(fmt, N, 37, seed=3)
    rng = np.random.default_rng(4)
    x = rng.standard_normal(x_shape).astype(np.float32)
    bias = rng.standard_normal(N).astype(np.float32)
    module, inputs = layer(qw, x, bias=bias, dynamic_batch=len(x_shape) > 1)
    y, y_ref = run_both(module, inputs)
    assert y.shape == y_ref.shape == x_shape[:-1] + (N,)
    w = qw.dequantize().astype(np.float64)
    tol = 2 * 39 * 2.0**-24 * (np.abs(x) @ np.abs(w).T + np.abs(bias))
    assert np.all(np.abs(y - y_ref) <= tol)


def test_unsupported_layers_keep_the_reference_lowering():
    """Formats outside the kernels' set (int6 groups of 8: not whole
    four-unit steps) are left in place with a remark and still run through
    linea-to-linalg."""
    fmt = QFormat("int6", "group", 8)
    qw = F.quantize(fmt, np.random.default_rng(1).standard_normal((N, 37)).astype(np.float32))
    x = np.random.default_rng(2).standard_normal((2, 37)).astype(np.float32)
    module, inputs = layer(qw, x)
    out = run_opt(module, "--linea-cpu-quant-kernels=report-skipped=true")
    assert "linea.quant_linear" in out and "__linea_quant_kernel" not in out
    (y,) = run_mlir(module, inputs)
    exact = x.astype(np.float64) @ qw.dequantize().astype(np.float64).T
    np.testing.assert_allclose(y, exact, rtol=1e-5, atol=1e-5)
