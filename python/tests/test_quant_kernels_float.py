"""linea-cpu-quant-kernels for the floating-point elements (fp8 e4m3 / e5m2,
mxfp4, nvfp4, nf4) and the fp8 activation modes, against the reference
lowering (`linea-lower-to-llvm=quant-kernels=false`) and python/linea/
formats.py.

fp8 codes are decoded by bit arithmetic, the 4-bit codebooks (e2m1, NF4)
by an x86 lane permute (16 lanes: AVX-512; 8-lane steps for groups of 16
codes: two AVX2 permutes); the tests need an AVX-512 host, as the JIT's
pipeline then picks permute-width 16. Every code (and every fp8 scale
code) is decoded once with x a unit vector, so y is Ŵ's column bit for
bit, NaN and infinities included.
"""

import numpy as np
import pytest

from linea import formats as F
from linea.formats import QFormat
from linea.tools import run_mlir, run_opt
from test_quant_kernels import assert_same_sum
from test_quant_numerics import layer, random_packed_weight, same_bits

pytestmark = pytest.mark.skipif("avx512f" not in open("/proc/cpuinfo").read(),
                                reason="the codebook kernels' JIT path needs AVX-512")

# (format, K, act_scale): K = 37 leaves partial groups and, for 4-bit, half
# a byte; K = 200 with groups of 32 / 64 leaves 8 / 8 codes; groups of 16
# 4-bit codes (nvfp4, nf4 group 16) are 8-byte, 8-lane steps.
CASES = [
    (QFormat("fp8_e4m3"), 37, None),
    (QFormat("fp8_e4m3", "tensor"), 200, None),
    (QFormat("fp8_e4m3", "group", 16, "f16"), 37, None),
    (QFormat("fp8_e5m2", scale="bf16"), 37, None),
    (QFormat("fp8_e5m2", "group", 32), 200, None),
    (QFormat("mxfp4"), 200, None),
    (QFormat("mxfp4"), 37, None),
    (QFormat("nvfp4"), 37, None),
    (QFormat("nvfp4"), 200, None),
    (QFormat("nf4"), 200, None),
    (QFormat("nf4", "group", 16, "f16"), 37, None),
    (QFormat("nf4", "channel", scale="bf16"), 37, None),
    (QFormat("fp8_e4m3", "tensor", act="fp8_per_tensor"), 200, 0.01),
    (QFormat("fp8_e5m2", act="fp8_per_token"), 37, None),
    (QFormat("int4", "group", 16, act="fp8_per_token"), 37, None),
    (QFormat("uint4", "group", 16, "f16", act="fp8_per_tensor"), 37, 0.02),
    (QFormat("mxfp4", act="fp8_per_token"), 200, None),
    (QFormat("nvfp4", act="fp8_per_tensor"), 37, 0.005),
    (QFormat("nf4", "group", 16, "bf16", act="fp8_per_token"), 37, None),
]
N = 13


def case_id(case):
    fmt, k, _ = case
    return f"{fmt.mlir()[1:-1].replace(', ', '-').replace(' ', '')}-K{k}"


def kernel_module(module, options="permute-width=16"):
    """The module after the kernels pass, checked to have no quant_linear
    left (else the tests would compare the reference with itself)."""
    out = run_opt(module, f"--linea-cpu-quant-kernels={options}")
    assert "linea.quant_linear" not in out and "__linea_quant_kernel" in out
    return out


def run_both(module, inputs):
    """(kernel path, reference path) outputs; the kernel path is linea-run's
    default pipeline, which must call the kernel."""
    kernel_module(module)
    assert "llvm.call @__linea_quant_kernel" in run_opt(module, "--linea-lower-to-llvm")
    (y,) = run_mlir(module, inputs)
    reference = run_opt(module, "--linea-lower-to-llvm=quant-kernels=false")
    assert "__linea_quant_kernel" not in reference
    (y_ref,) = run_mlir(reference, inputs)
    return y, y_ref


def same_values(a, b):
    """Bitwise equality (−0 as +0), NaN matching any NaN."""
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    keep = ~np.isnan(a)
    same_bits(a[keep], b[keep])


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("m", [1, 3, 17])
def test_kernel_matches_reference(case, m):
    fmt, k, act_scale = case
    rng = np.random.default_rng(k + m)
    qw = random_packed_weight(rng, fmt, N, k)
    x = rng.standard_normal((m, k)).astype(np.float32)
    bias = rng.standard_normal(N).astype(np.float32) if m != 3 else None
    module, inputs = layer(qw, x, bias=bias, act_scale=act_scale,
                           dynamic_batch=(m != 1))
    y, y_ref = run_both(module, inputs)
    assert y.shape == y_ref.shape == (m, N)
    exact, tol = assert_same_sum(y, y_ref, F.quantize_activations(fmt.act, x, act_scale),
                                 qw, bias)
    if m >= 8:
        # Decode-once f32 panels (off in linea-lower-to-llvm).
        kernel = kernel_module(module, "permute-width=16 panel-min-rows=8")
        (y_panel,) = run_mlir(kernel, inputs)
        assert np.all(np.abs(y_panel - exact) <= tol)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].act == "weight_only"],
                         ids=case_id)
@pytest.mark.parametrize("m", [1, 5])
def test_decoded_weight_is_bit_exact(case, m):
    """x = I (M = K; one product per output) and, for the 4-lane tiles
    that scale every decoded vector, 5 rows of e_0: Ŵ bit for bit."""
    fmt, k, _ = case
    qw = random_packed_weight(np.random.default_rng(7 * k + m), fmt, N, k)
    x = np.eye(k, dtype=np.float32) if m == 1 else np.tile(np.eye(k, dtype=np.float32)[:1], (m, 1))
    module, inputs = layer(qw, x, dynamic_batch=True)
    kernel_module(module)
    (y,) = run_mlir(module, inputs)
    w = qw.dequantize()
    same_bits(y, w.T if m == 1 else np.tile(w[:, 0], (m, 1)))


def one_code_per_row(fmt: QFormat, codes, k: int, scale_codes=None):
    """A weight whose row r holds codes[r] at k = 0 and the zero code
    elsewhere; scale codes per row (every column), else scale 1."""
    n = len(codes)
    packed = np.zeros((n, k), np.int64)
    packed[:, 0] = codes
    rows, cols = fmt.scale_shape(n, k)
    if scale_codes is None:
        scales = np.ones((rows, cols), np.float32)
    else:
        scales = np.repeat(np.asarray(scale_codes, np.uint8)[:, None], cols, axis=1)
    tensor_scale = np.float32(1.7) if fmt.element == "nvfp4" else None
    return F.QuantizedWeight(fmt, k, F.pack(packed, fmt.bits), scales, None, tensor_scale)


EXHAUSTIVE = [
    # every fp8 code, NaN and ±inf included
    (QFormat("fp8_e4m3", "channel"), np.arange(256), None, 16),
    (QFormat("fp8_e5m2", "channel"), np.arange(256), None, 16),
    # every e2m1 code with every e8m0 scale code (NaN, 2^−127 included)
    (QFormat("mxfp4"), np.tile(np.arange(16), 256), np.repeat(np.arange(256), 16), 64),
    # every e2m1 code with every e4m3 scale code, times the tensor scale
    (QFormat("nvfp4"), np.tile(np.arange(16), 256), np.repeat(np.arange(256), 16), 32),
    (QFormat("nf4"), np.arange(16), None, 128),
    (QFormat("nf4", "group", 16), np.arange(16), None, 32),
]


@pytest.mark.parametrize("fmt,codes,scale_codes,k", EXHAUSTIVE,
                         ids=lambda c: case_id((c, 0, None)) if isinstance(c, QFormat) else None)
@pytest.mark.parametrize("m", [1, 5])
def test_every_code_decodes_exactly(fmt, codes, scale_codes, k, m):
    """x = rows of e_0: y[:, r] = ŵ[r, 0] = decode(code r) · scale r (· t),
    for one row of x (the scale applied to the group's sum) and for tiles
    of 4 rows (the scale applied to every decoded vector)."""
    qw = one_code_per_row(fmt, codes, k, scale_codes)
    x = np.zeros((m, k), np.float32)
    x[:, 0] = 1
    module, inputs = layer(qw, x, dynamic_batch=True)
    kernel_module(module)
    (y,) = run_mlir(module, inputs)
    expected = np.tile(qw.dequantize()[:, 0], (m, 1))
    same_values(y, expected)
    reference = run_opt(module, "--linea-lower-to-llvm=quant-kernels=false")
    (y_ref,) = run_mlir(reference, inputs)
    same_values(y, y_ref)


@pytest.mark.parametrize("act", ["fp8_per_tensor", "fp8_per_token"])
def test_fp8_activations_bit_exact(act):
    """Ŵ = I (int4 code 1 on the diagonal, scale 1) and x with ties,
    subnormal and saturating values: y = x̂ bit for bit."""
    k = 16
    rng = np.random.default_rng(5)
    x = (rng.uniform(-2, 2, (6, k)) * 2.0 ** rng.integers(-14, 10, (6, k))).astype(np.float32)
    x[4, :10] = [448, 1.0625, 1.1875, -2.0**-10, 3 * 2.0**-10, 15 * 2.0**-10,
                 -11.5 * 2.0**-9, 232, 2.0**-12, -448]
    x[5] = 0
    a = np.float32(0.5) if act == "fp8_per_tensor" else None
    fmt = QFormat("int4", act=act)
    qw = F.QuantizedWeight(fmt, k, F.pack(np.eye(k, dtype=np.int64), 4), np.ones((k, 1), np.float32))
    module, inputs = layer(qw, x, act_scale=a, dynamic_batch=True)
    kernel_module(module)
    (y,) = run_mlir(module, inputs)
    same_bits(y, F.quantize_activations(act, x, a))


def test_codebooks_need_a_permute():
    """Without a lane permute (permute-width = 0, the pass default) the
    codebook formats stay with the reference lowering, with a remark."""
    qw = random_packed_weight(np.random.default_rng(3), QFormat("nf4"), N, 64)
    module, _ = layer(qw, np.ones((1, 64), np.float32))
    out = run_opt(module, "--linea-cpu-quant-kernels=report-skipped=true")
    assert "linea.quant_linear" in out
