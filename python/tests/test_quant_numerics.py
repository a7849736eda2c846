"""linea.quant_linear lowered by linea-to-linalg and run on the JIT, against
python/linea/formats.py (a numpy reading of docs/formats.md).

The dequantized weight and the quantized activations are compared bit for bit
(the lowering must perform the page's f32 operations exactly); the layer
output, whose f32 summation order is the lowering's own, within a bound on
the rounding of that sum.
"""

import subprocess

import numpy as np
import pytest

from linea import formats as F
from linea.formats import QFormat
from linea.tools import bf16_to_f32, run_mlir, run_opt, tool

# Every element kind; tensor/channel/group granularity; groups that do not
# divide K = 37 (partial last group); K·b not a multiple of 8 (int6, 4-bit);
# f16 and bf16 scales.
FORMATS = [
    QFormat("int8"),
    QFormat("int8", "tensor"),
    QFormat("uint8"),
    QFormat("uint8", "group", 16, "bf16"),
    QFormat("int4", "group", 16, "f16"),
    QFormat("uint4", "group", 16, "f16"),
    QFormat("uint4", "tensor", scale="bf16"),
    QFormat("int6"),
    QFormat("int6", "group", 8, "bf16"),
    QFormat("fp8_e4m3", "tensor"),
    QFormat("fp8_e4m3", "group", 16, "f16"),
    QFormat("fp8_e5m2"),
    QFormat("mxfp4"),
    QFormat("nvfp4"),
    QFormat("nf4"),
    QFormat("nf4", "group", 16, "f16"),
]

K, N = 37, 19


def fmt_id(fmt: QFormat) -> str:
    return fmt.mlir()[1:-1].replace(", ", "-").replace(" ", "")


# --------------------------------------------------------------------------
# Module construction
# --------------------------------------------------------------------------

_NP_ELEMENT = {"f32": np.float32, "f16": np.float16}


def ttype(shape, element: str) -> str:
    dims = "".join(("?" if d is None else str(d)) + "x" for d in shape)
    return f"tensor<{dims}{element}>"


def as_input(values: np.ndarray, element: str) -> np.ndarray:
    """f32 values as linea-run wants a tensor of `element` (bf16 as bits)."""
    if element == "bf16":
        return F.f32_to_bf16_bits(values)
    return np.asarray(values, dtype=_NP_ELEMENT[element])


def scale_input(qw: F.QuantizedWeight):
    """(array, argument element type): linea-run has no 8-bit float tensors,
    so those scales enter as i8 and are bitcast in the module."""
    if qw.fmt.scale in ("f8E8M0FNU", "f8E4M3FN"):
        return np.asarray(qw.scales, dtype=np.uint8).view(np.int8), "i8"
    if qw.fmt.scale == "bf16":
        return np.asarray(qw.scales, dtype=np.uint16), "bf16"
    return np.asarray(qw.scales), qw.fmt.scale


def layer(qw: F.QuantizedWeight, x: np.ndarray, x_element="f32", bias=None,
          act_scale=None, act_scale_shape=(), dynamic_batch=False):
    """(module text, inputs) of @main(x, qweight, scales, [zero_points],
    [tensor_scale], [act_scale], [bias]) = linea.quant_linear of them."""
    fmt = qw.fmt
    n = qw.packed.shape[0]
    x_shape = list(x.shape)
    if dynamic_batch:
        x_shape[0] = None
    xt = ttype(x_shape, x_element)
    yt = ttype(x_shape[:-1] + [n], x_element)
    scales, scale_arg_element = scale_input(qw)
    args = [("x", xt, as_input(x, x_element)),
            ("qw", ttype(qw.packed.shape, "i8"), qw.packed.view(np.int8)),
            ("s_in", ttype(scales.shape, scale_arg_element), scales)]
    st = ttype(scales.shape, fmt.scale)
    body = ""
    if scale_arg_element != fmt.scale:
        body = f"  %s = arith.bitcast %s_in : {args[-1][1]} to {st}\n"
    operands = "%x, %qw, " + ("%s" if scale_arg_element != fmt.scale else "%s_in")
    types = [xt, args[1][1], st]
    if qw.zero_points is not None:
        args.append(("z", ttype(qw.zero_points.shape, "i8"), qw.zero_points.view(np.int8)))
        operands += " zero_points %z"
        types.append(args[-1][1])
    # Scalars enter as tensor<1xf32> (run_mlir passes 0-d arrays as 1-d)
    # and are collapsed to tensor<f32> in the module where that is wanted.
    def scalar(name, value, shape):
        nonlocal body
        args.append((f"{name}_in", "tensor<1xf32>", np.array([value], dtype=np.float32)))
        if shape == (1,):
            return f"%{name}_in", "tensor<1xf32>"
        body += f"  %{name} = tensor.collapse_shape %{name}_in [] : tensor<1xf32> into tensor<f32>\n"
        return f"%{name}", "tensor<f32>"

    if qw.tensor_scale is not None:
        value, t = scalar("t", qw.tensor_scale, ())
        operands += f" tensor_scale {value}"
        types.append(t)
    if act_scale is not None:
        value, t = scalar("a", act_scale, act_scale_shape)
        operands += f" act_scale {value}"
        types.append(t)
    if bias is not None:
        bt = ttype([n], x_element)
        args.append(("b", bt, as_input(bias, x_element)))
        operands += " bias %b"
        types.append(bt)
    signature = ", ".join(f"%{name}: {t}" for name, t, _ in args)
    module = (f"func.func @main({signature}) -> {yt} {{\n{body}"
              f"  %y = linea.quant_linear {operands} format {fmt.mlir()}"
              f" : ({', '.join(types)}) -> {yt}\n"
              f"  return %y : {yt}\n}}\n")
    return module, [a for _, _, a in args]


def run_layer(qw, x, x_element="f32", **kwargs):
    module, inputs = layer(qw, x, x_element, **kwargs)
    (y,) = run_mlir(module, inputs)
    return bf16_to_f32(y) if x_element == "bf16" else y.astype(np.float32)


def assert_layer_output(y, xh, w, bias=None, out_element="f32"):
    """y ≈ x̂·Ŵᵀ + bias: within the f32 summation error bound, plus one
    unit of the output type's precision when it is narrower than f32."""
    xh64, w64 = xh.astype(np.float64), w.astype(np.float64)
    b64 = np.zeros(w.shape[0]) if bias is None else bias.astype(np.float64)
    ref = xh64 @ w64.T + b64
    bound = np.abs(xh64) @ np.abs(w64).T + np.abs(b64)
    ulp = {"f32": 0.0, "f16": 2.0**-10, "bf16": 2.0**-7}[out_element]
    tol = 2.0**-24 * (xh.shape[-1] + 2) * bound + ulp * np.abs(ref) + 1e-30
    assert y.shape == ref.shape
    bad = ~(np.abs(y - ref) <= tol)
    assert not bad.any(), f"{bad.sum()} outputs off: y={y[bad][:4]} ref={ref[bad][:4]}"


def same_bits(a, b):
    """Bitwise equality of f32 arrays, −0 taken as +0."""
    a = (np.asarray(a, dtype=np.float32) + np.float32(0)).view(np.uint32)
    b = (np.asarray(b, dtype=np.float32) + np.float32(0)).view(np.uint32)
    np.testing.assert_array_equal(a, b)


def random_weight(rng, n=N, k=K):
    return (rng.standard_normal((n, k)) * rng.uniform(0.2, 3, (n, 1))).astype(np.float32)


# --------------------------------------------------------------------------
# The numpy reference itself, on the examples of docs/formats.md
# --------------------------------------------------------------------------

def test_formats_doc_examples():
    np.testing.assert_array_equal(F.pack(np.array([[1, 2, 3, 4]]), 4), [[0x21, 0x43]])
    np.testing.assert_array_equal(F.pack(np.array([[0x3F, 0x01, 0x15, 0x2A]]), 6),
                                  [[0x7F, 0x50, 0xA9]])
    assert F.decode_e4m3(0x7E) == 448 and F.decode_e4m3(0x01) == 2.0**-9
    assert np.isnan(F.decode_e4m3(0xFF)) and np.signbit(F.decode_e4m3(0x80))
    assert F.decode_e5m2(0x7B) == 57344 and F.decode_e5m2(0xFC) == -np.inf
    np.testing.assert_array_equal(F.decode_e2m1(np.arange(8)), [0, .5, 1, 1.5, 2, 3, 4, 6])
    assert F.decode_e8m0(0) == np.float32(2.0**-127) and np.isnan(F.decode_e8m0(0xFF))
    codes = np.arange(256)
    for decode, encode in ((F.decode_e4m3, F.encode_e4m3), (F.decode_e5m2, F.encode_e5m2)):
        finite = np.isfinite(decode(codes))
        np.testing.assert_array_equal(encode(decode(codes[finite])), codes[finite])
    np.testing.assert_array_equal(F.encode_e2m1([2.5, 5, 0.25, -0.1, 7, np.nan]),
                                  [4, 6, 0, 8, 7, 0])
    np.testing.assert_array_equal(F.encode_e4m3([464, 1e9, -np.inf, 2.0**-10, np.nan]),
                                  [0x7E, 0x7E, 0xFE, 0, 0x7F])
    np.testing.assert_array_equal(F.encode_e8m0([0, 1.5, 0.75, np.inf]), [0, 127, 126, 0xFF])
    np.testing.assert_array_equal(F.encode_nf4(F.NF4_CODEBOOK), np.arange(16))
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 64, (3, K))
    np.testing.assert_array_equal(F.unpack(F.pack(codes, 6), K, 6), codes)


# --------------------------------------------------------------------------
# Ŵ bit for bit: x = identity rows, so y[i, n] = Ŵ[n, i] exactly
# --------------------------------------------------------------------------

def random_codes(rng, fmt: QFormat, n: int, k: int) -> np.ndarray:
    """Random codes of every finite value (fp8 NaN and infinity codes are
    left to test_special_codes, since 0·NaN would spread them)."""
    top = 1 << fmt.bits
    codes = rng.integers(0, top, (n, k))
    if fmt.element in ("fp8_e4m3", "fp8_e5m2"):
        decode = F.decode_e4m3 if fmt.element == "fp8_e4m3" else F.decode_e5m2
        finite = np.flatnonzero(np.isfinite(decode(np.arange(256))))
        codes = rng.choice(finite, (n, k))
    return codes


def random_scales(rng, fmt: QFormat, shape) -> np.ndarray:
    """Random stored scales of the format's scale type, signs and f32/f16
    subnormal ranges included."""
    values = (rng.standard_normal(shape) * 2.0 ** rng.integers(-8, 8, shape)).astype(np.float32)
    if fmt.scale == "f8E8M0FNU":
        codes = rng.integers(100, 150, shape)
        codes.flat[:3] = [0, 1, 180][: codes.size]  # 2^−127 (an f32 subnormal), 2^53
        return codes.astype(np.uint8)
    if fmt.scale == "f8E4M3FN":
        finite = np.flatnonzero(~np.isnan(F.decode_e4m3(np.arange(256))))
        return rng.choice(finite, shape).astype(np.uint8)
    return F._store_scale(values, fmt.scale)


def random_packed_weight(rng, fmt: QFormat, n: int, k: int) -> F.QuantizedWeight:
    codes = random_codes(rng, fmt, n, k)
    shape = fmt.scale_shape(n, k)
    scales = random_scales(rng, fmt, shape)
    # Zero points cover the whole unsigned byte range (stored i8 < 0 too).
    zero_points = None if fmt.symmetric else rng.integers(0, 256, shape).astype(np.uint8)
    tensor_scale = np.float32(rng.uniform(0.1, 4)) if fmt.element == "nvfp4" else None
    return F.QuantizedWeight(fmt, k, F.pack(codes, fmt.bits), scales, zero_points, tensor_scale)


@pytest.mark.parametrize("fmt", FORMATS, ids=fmt_id)
def test_dequantized_weight_bit_exact(fmt):
    rng = np.random.default_rng(1)
    qw = random_packed_weight(rng, fmt, 7, K)
    y = run_layer(qw, np.eye(K, dtype=np.float32))
    same_bits(y.T, qw.dequantize())


@pytest.mark.parametrize("k", [1, 2, 3, 5, 33])
@pytest.mark.parametrize("fmt", [QFormat("int6", "group", 4), QFormat("uint4", "group", 2),
                                 QFormat("mxfp4"), QFormat("nvfp4")], ids=fmt_id)
def test_dequantized_weight_odd_k(fmt, k):
    """K·b not a multiple of 8 and partial groups at small K: the last byte's
    unused bits and the row stride."""
    rng = np.random.default_rng(k)
    qw = random_packed_weight(rng, fmt, 3, k)
    y = run_layer(qw, np.eye(k, dtype=np.float32))
    same_bits(y.T, qw.dequantize())


def test_special_codes():
    """NaN and infinite codes and scales propagate as IEEE f32 does: one
    special element per row, x = ones, so y[n] is that special value."""
    cases = [
        (QFormat("fp8_e4m3", "tensor"), [0x7F, 0xFF, 0x38], [1.0]),
        (QFormat("fp8_e5m2", "tensor"), [0x7C, 0xFC, 0x7D], [1.0]),
    ]
    for fmt, specials, scale in cases:
        codes = np.full((3, 4), 0x38)  # 1.0 in e4m3; 0.5 in e5m2
        codes[:, 2] = specials
        qw = F.QuantizedWeight(fmt, 4, F.pack(codes, 8), np.array([scale], np.float32))
        y = run_layer(qw, np.ones((1, 4), np.float32))
        ref = qw.dequantize().astype(np.float64).sum(axis=1)
        np.testing.assert_array_equal(y[0], ref.astype(np.float32))
    # mxfp4: an e8m0 scale 0xFF (NaN) spoils its row; nvfp4: an e4m3 NaN scale.
    for fmt, bad_scale in ((QFormat("mxfp4"), 0xFF), (QFormat("nvfp4"), 0x7F)):
        rng = np.random.default_rng(3)
        qw = random_packed_weight(rng, fmt, 2, fmt.group)
        qw.scales[1, 0] = bad_scale
        y = run_layer(qw, np.ones((1, fmt.group), np.float32))
        assert np.isfinite(y[0, 0]) and np.isnan(y[0, 1])


# --------------------------------------------------------------------------
# The layer on quantized random weights
# --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS, ids=fmt_id)
def test_quant_linear_matches_numpy(fmt):
    rng = np.random.default_rng(2)
    qw = F.quantize(fmt, random_weight(rng))
    w = qw.dequantize()
    # The producer is sane: Ŵ approximates W (checks formats.quantize).
    assert np.isfinite(w).all()
    x = rng.standard_normal((5, K), dtype=np.float32)
    bias = rng.standard_normal(N, dtype=np.float32)
    y = run_layer(qw, x, bias=bias)
    assert_layer_output(y, x, w, bias)


def test_quantize_roundtrip_error():
    """formats.quantize is a reasonable producer: relative error of Ŵ."""
    rng = np.random.default_rng(4)
    w = random_weight(rng)
    # Half a step of the coarsest level, relative to max |W|: 1/(2·127),
    # 1/(2·31), ...; for fp8 half an ulp (2^−4, 2^−3) of the largest values.
    limits = {"int8": 0.006, "uint8": 0.006, "int6": 0.02, "fp8_e4m3": 0.07,
              "fp8_e5m2": 0.13, "int4": 0.08, "uint4": 0.08, "mxfp4": 0.25,
              "nvfp4": 0.25, "nf4": 0.2}
    for fmt in FORMATS:
        err = np.abs(F.quantize(fmt, w).dequantize() - w).max() / np.abs(w).max()
        assert err < limits[fmt.element], (fmt, err)


# --------------------------------------------------------------------------
# Activation modes
# --------------------------------------------------------------------------

def identity_int4(k: int, act: str) -> F.QuantizedWeight:
    """Ŵ = I exactly (int4 code 1 on the diagonal, channel scale 1), so the
    layer returns x̂ itself."""
    return F.QuantizedWeight(QFormat("int4", act=act), k, F.pack(np.eye(k, dtype=np.int64), 4),
                             np.ones((k, 1), np.float32))


def wide_range_tokens(rng, tokens: int, k: int) -> np.ndarray:
    exponents = rng.integers(-14, 10, (tokens, k))
    return (rng.uniform(-2, 2, (tokens, k)) * 2.0**exponents).astype(np.float32)


def activation_cases(act: str, k: int = 16):
    """(x, act_scale): random tokens over a wide range, an all-zero token,
    and tokens of exact ties and saturating values for the mode."""
    rng = np.random.default_rng(5)
    x = np.zeros((6, k), np.float32)
    x[:3] = wide_range_tokens(rng, 3, k)
    if act == "dynamic_int8_per_token":
        # max |x| = 127 gives s = 1: x / s is x, so .5 values are ties.
        x[4, :8] = [127, 2.5, 3.5, -0.5, -126.5, 0.5, 1e-30, -127]
        x[5] = x[0] * 1e6
        return x, None
    if act == "fp8_per_token":
        # max |x| = 448 gives s = 1; ties between E4M3 neighbours, the
        # normal/subnormal boundary, values rounding to zero.
        x[4, :10] = [448, 1.0625, 1.1875, -2.0**-10, 3 * 2.0**-10, 15 * 2.0**-10,
                     -11.5 * 2.0**-9, 232, 2.0**-12, -448]
        x[5] = x[0] * 1e30
        return x, None
    # fp8_per_tensor with a = 0.5: x / a = 2x, and saturation above 448·a.
    x[4, :12] = [0.53125, 0.59375, 2.0**-11, 1.5 * 2.0**-10, 240, -1e30, 232,
                 np.inf, -np.inf, 224, 7.5 * 2.0**-10, -0.0]
    x[5] = x[0] * 1e3
    return x, np.float32(0.5)


@pytest.mark.parametrize("act", ["dynamic_int8_per_token", "fp8_per_tensor", "fp8_per_token"])
def test_activation_mode_bit_exact(act):
    x, a = activation_cases(act)
    qw = identity_int4(x.shape[1], act)
    y = run_layer(qw, x, act_scale=a)
    same_bits(y, F.quantize_activations(act, x, a))


def test_fp8_per_tensor_scalar_shapes():
    """act_scale as tensor<1xf32> as well as tensor<f32>."""
    x, a = activation_cases("fp8_per_tensor")
    qw = identity_int4(x.shape[1], "fp8_per_tensor")
    y = run_layer(qw, x, act_scale=a, act_scale_shape=(1,))
    same_bits(y, F.quantize_activations("fp8_per_tensor", x, a))


ACT_CASES = [
    (QFormat("int8", act="dynamic_int8_per_token"), None),
    (QFormat("uint4", "group", 16, "f16", act="dynamic_int8_per_token"), None),
    (QFormat("int6", "group", 8, act="dynamic_int8_per_token"), None),
    (QFormat("int4", "group", 16, act="fp8_per_token"), None),
    (QFormat("fp8_e4m3", "tensor", act="fp8_per_tensor"), 0.01),
    (QFormat("fp8_e5m2", act="fp8_per_token"), None),
    (QFormat("mxfp4", act="fp8_per_tensor"), 0.005),
    (QFormat("nvfp4", act="fp8_per_token"), None),
    (QFormat("nf4", "group", 16, "bf16", act="fp8_per_tensor"), 0.02),
]


@pytest.mark.parametrize("fmt,act_scale", ACT_CASES, ids=lambda c: fmt_id(c) if isinstance(c, QFormat) else str(c))
def test_activation_modes_layer(fmt, act_scale):
    """Batch dims (2, 3), bias, an all-zero token."""
    rng = np.random.default_rng(6)
    qw = F.quantize(fmt, random_weight(rng))
    x = rng.standard_normal((2, 3, K), dtype=np.float32)
    x[1, 2] = 0
    bias = rng.standard_normal(N, dtype=np.float32)
    y = run_layer(qw, x, bias=bias, act_scale=act_scale)
    xh = F.quantize_activations(fmt.act, x, act_scale)
    assert_layer_output(y, xh, qw.dequantize(), bias)


@pytest.mark.parametrize("act", ["dynamic_int8_per_token", "fp8_per_token", "weight_only"])
def test_dynamic_batch_and_rank1(act):
    """tensor<?xKxf32> (tokens counted at run time) and a rank-1 x (one
    token)."""
    rng = np.random.default_rng(7)
    fmt = QFormat("int4", "group", 16, act=act)
    qw = F.quantize(fmt, random_weight(rng))
    w = qw.dequantize()
    x = rng.standard_normal((4, K), dtype=np.float32)
    y = run_layer(qw, x, dynamic_batch=True)
    assert_layer_output(y, F.quantize_activations(act, x), w)
    y1 = run_layer(qw, x[1])
    assert_layer_output(y1, F.quantize_activations(act, x[1]), w)


@pytest.mark.parametrize("x_element", ["f16", "bf16"])
@pytest.mark.parametrize("fmt", [QFormat("int4", "group", 16, "f16"),
                                 QFormat("nvfp4", act="fp8_per_token"),
                                 QFormat("int8", scale="bf16", act="dynamic_int8_per_token")],
                         ids=fmt_id)
def test_narrow_activations(fmt, x_element):
    """f16 / bf16 x (and bias): x widened exactly, f32 arithmetic, the
    result rounded once."""
    rng = np.random.default_rng(8)
    qw = F.quantize(fmt, random_weight(rng))
    x = rng.standard_normal((3, K), dtype=np.float32)
    bias = rng.standard_normal(N, dtype=np.float32)
    if x_element == "bf16":
        x, bias = F.bf16_bits_to_f32(F.f32_to_bf16_bits(x)), F.bf16_bits_to_f32(F.f32_to_bf16_bits(bias))
    else:
        x, bias = x.astype(np.float16).astype(np.float32), bias.astype(np.float16).astype(np.float32)
    y = run_layer(qw, x, x_element, bias=bias)
    assert_layer_output(y, F.quantize_activations(fmt.act, x), qw.dequantize(), bias, x_element)


# --------------------------------------------------------------------------
# linea-densify agrees with the lowering (materializeDenseWeight vs. lowering)
# --------------------------------------------------------------------------

def dense_hex(array: np.ndarray) -> str:
    return '"0x' + np.ascontiguousarray(array).tobytes().hex().upper() + '"'


def constant_module(qw: F.QuantizedWeight, x_shape) -> str:
    """@main(x) with every weight operand an arith.constant."""
    fmt = qw.fmt
    n = qw.packed.shape[0]
    xt = ttype(x_shape, "f32")
    yt = ttype(list(x_shape[:-1]) + [n], "f32")
    qt = ttype(qw.packed.shape, "i8")
    st = ttype(qw.scales.shape, fmt.scale)
    lines = [f"  %qw = arith.constant dense<{dense_hex(qw.packed)}> : {qt}",
             f"  %s = arith.constant dense<{dense_hex(qw.scales)}> : {st}"]
    operands, types = "%x, %qw, %s", [xt, qt, st]
    if qw.zero_points is not None:
        zt = ttype(qw.zero_points.shape, "i8")
        lines.append(f"  %z = arith.constant dense<{dense_hex(qw.zero_points)}> : {zt}")
        operands += " zero_points %z"
        types.append(zt)
    if qw.tensor_scale is not None:
        lines.append(f"  %t = arith.constant dense<{float(qw.tensor_scale)!r}> : tensor<f32>")
        operands += " tensor_scale %t"
        types.append("tensor<f32>")
    lines.append(f"  %y = linea.quant_linear {operands} format {fmt.mlir()}"
                 f" : ({', '.join(types)}) -> {yt}")
    return (f"func.func @main(%x: {xt}) -> {yt} {{\n" + "\n".join(lines)
            + f"\n  return %y : {yt}\n}}\n")


def densify(module: str) -> str:
    return run_opt(module, "--linea-densify")


@pytest.mark.parametrize("fmt", FORMATS, ids=fmt_id)
def test_densify_agrees_with_lowering(fmt):
    rng = np.random.default_rng(9)
    qw = random_packed_weight(rng, fmt, 11, K)
    module = constant_module(qw, (4, K))
    dense = densify(module)
    assert "linea.quant_linear" not in dense and "linea.linear" in dense
    x = rng.standard_normal((4, K), dtype=np.float32)
    # The reference lowering (not the CPU quant kernels, which sum in
    # another order): same Ŵ and the same contraction, so exactly equal.
    reference = run_opt(module, "--linea-lower-to-llvm=quant-kernels=false")
    (y,) = run_mlir(reference, [x])
    (y_dense,) = run_mlir(dense, [x])
    np.testing.assert_array_equal(y, y_dense)
    assert_layer_output(y, x, qw.dequantize())


def test_densify_leaves_activation_modes_alone():
    rng = np.random.default_rng(10)
    qw = F.quantize(QFormat("int8", act="dynamic_int8_per_token"), random_weight(rng))
    proc = subprocess.run([tool("linea-opt"), "--linea-densify", "-"],
                          input=constant_module(qw, (2, K)), capture_output=True, text=True)
    assert proc.returncode == 0
    assert "linea.quant_linear" in proc.stdout
    assert "activation quantization (dynamic_int8_per_token) has no dense equivalent" in proc.stderr
