"""The quantized weight formats of docs/formats.md in numpy.

An independent reading of that page, written from its text (not from the C++
in lib/Numerics), so that tests can check the compiler against it: packing of
the LSB-first bit stream (§2), the element decodings (§3), scales and zero
points (§4), the f32 dequantization (§5), the activation modes (§6) and the
encoders (§7). Everything that the page says happens in f32 happens here in
numpy float32, one correctly rounded operation at a time, so results are bit
for bit those of the page.

Codes are unsigned integers (the b-bit value read from the stream); packed
rows, 8-bit float scales and zero points are uint8 arrays (the raw bytes).
"""

from dataclasses import dataclass

import numpy as np

#: Element width b in bits (§2).
ELEMENT_BITS = {
    "int8": 8, "uint8": 8, "fp8_e4m3": 8, "fp8_e5m2": 8,
    "int6": 6,
    "int4": 4, "uint4": 4, "mxfp4": 4, "nvfp4": 4, "nf4": 4,
}

INTEGER_ELEMENTS = ("int8", "uint8", "int4", "uint4", "int6")
UNSIGNED_ELEMENTS = ("uint8", "uint4")

#: The QLoRA NormalFloat4 levels of §3, code i → NF4_CODEBOOK[i].
NF4_CODEBOOK = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
    0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0], dtype=np.float32)

#: e2m1 magnitudes of codes 0..7 (§3 table); codes 8..15 are their negatives.
E2M1_MAGNITUDES = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6], dtype=np.float32)


@dataclass(frozen=True)
class QFormat:
    """A #linea.qformat: omitted entries take the element's defaults (§1)."""

    element: str
    granularity: str | None = None  # "tensor", "channel" or "group"
    group: int = 0
    scale: str | None = None  # "f32", "f16", "bf16", "f8E8M0FNU", "f8E4M3FN"
    act: str = "weight_only"

    def __post_init__(self):
        defaults = {"mxfp4": ("group", 32, "f8E8M0FNU"),
                    "nvfp4": ("group", 16, "f8E4M3FN"),
                    "nf4": ("group", 64, "f32")}
        granularity, group, scale = defaults.get(self.element, ("channel", 0, "f32"))
        if self.granularity is None:
            object.__setattr__(self, "granularity", granularity)
            object.__setattr__(self, "group", group)
        if self.scale is None:
            object.__setattr__(self, "scale", scale)

    @property
    def bits(self) -> int:
        return ELEMENT_BITS[self.element]

    @property
    def symmetric(self) -> bool:
        return self.element not in UNSIGNED_ELEMENTS

    def span(self, k: int) -> int:
        """Input features one scale covers (§4)."""
        return self.group if self.granularity == "group" else k

    def scale_shape(self, n: int, k: int) -> tuple[int, int]:
        return (1 if self.granularity == "tensor" else n, -(-k // self.span(k)))

    def mlir(self) -> str:
        """The format as written after `format` in linea.quant_linear."""
        entries = [self.element]
        entries.append(f"group {self.group}" if self.granularity == "group" else self.granularity)
        entries.append(f"scale {self.scale}")
        if self.act != "weight_only":
            entries.append(f"act {self.act}")
        return "<" + ", ".join(entries) + ">"


# --------------------------------------------------------------------------
# §2 The packed bit stream
# --------------------------------------------------------------------------

def row_bytes(k: int, bits: int) -> int:
    return -(-k * bits // 8)


def pack(codes: np.ndarray, bits: int) -> np.ndarray:
    """Packs codes[N, K] (b-bit unsigned) into uint8[N, ceil(K·b/8)]: code
    bit j of element k is stream bit b·k + j, stream bit i is bit i mod 8 of
    byte i div 8; the tail bits stay zero."""
    codes = np.asarray(codes, dtype=np.int64)
    n, k = codes.shape
    r = row_bytes(k, bits)
    stream = np.zeros((n, 8 * r), dtype=np.int64)
    for j in range(bits):
        stream[:, np.arange(k) * bits + j] = (codes >> j) & 1
    weights = 1 << np.arange(8)
    return (stream.reshape(n, r, 8) * weights).sum(axis=2).astype(np.uint8)


def unpack(packed: np.ndarray, k: int, bits: int) -> np.ndarray:
    """The codes[N, K] of packed rows (inverse of pack)."""
    packed = np.asarray(packed).view(np.uint8).astype(np.int64)
    n, r = packed.shape
    stream = ((packed[:, :, None] >> np.arange(8)) & 1).reshape(n, 8 * r)
    codes = np.zeros((n, k), dtype=np.int64)
    for j in range(bits):
        codes |= stream[:, np.arange(k) * bits + j] << j
    return codes


# --------------------------------------------------------------------------
# §3 Element decodings
# --------------------------------------------------------------------------

def decode_int(codes, bits: int, signed: bool) -> np.ndarray:
    """Two's complement (q = code − 2^b when the top bit is set) or unsigned."""
    codes = np.asarray(codes, dtype=np.int64)
    if not signed:
        return codes
    return np.where(codes >= 1 << (bits - 1), codes - (1 << bits), codes)


def _minifloat(codes, exp_bits: int, man_bits: int, bias: int) -> np.ndarray:
    """(−1)^s · m/2^M · 2^(1−bias) for e = 0, else (−1)^s · (1 + m/2^M) ·
    2^(e−bias), computed in float64 (exact) and returned as float32."""
    codes = np.asarray(codes, dtype=np.int64)
    s = (codes >> (exp_bits + man_bits)) & 1
    e = (codes >> man_bits) & ((1 << exp_bits) - 1)
    m = codes & ((1 << man_bits) - 1)
    frac = m / float(1 << man_bits)
    magnitude = np.where(e == 0, np.ldexp(frac, 1 - bias),
                         np.ldexp(1.0 + frac, e - bias))
    return np.where(s == 1, -magnitude, magnitude).astype(np.float32)


def decode_e4m3(codes) -> np.ndarray:
    """OCP E4M3FN: bias 7, no infinities, S.1111.111 is NaN."""
    codes = np.asarray(codes, dtype=np.int64)
    values = _minifloat(codes, 4, 3, 7)
    return np.where((codes & 0x7F) == 0x7F, np.float32(np.nan), values)


def decode_e5m2(codes) -> np.ndarray:
    """OCP E5M2: bias 15, exponent 31 is ±inf (m = 0) or NaN."""
    codes = np.asarray(codes, dtype=np.int64)
    values = _minifloat(codes, 5, 2, 15)
    e, m, s = (codes >> 2) & 0x1F, codes & 3, (codes >> 7) & 1
    inf = np.where(s == 1, -np.inf, np.inf).astype(np.float32)
    special = np.where(m == 0, inf, np.float32(np.nan))
    return np.where(e == 31, special, values)


def decode_e2m1(codes) -> np.ndarray:
    """The §3 table: codes 0..7 are E2M1_MAGNITUDES, 8..15 their negatives."""
    codes = np.asarray(codes, dtype=np.int64)
    magnitude = E2M1_MAGNITUDES[codes & 7]
    return np.where(codes & 8, -magnitude, magnitude).astype(np.float32)


def decode_e8m0(codes) -> np.ndarray:
    """2^(e − 127); 0xFF is NaN."""
    codes = np.asarray(codes, dtype=np.int64)
    with np.errstate(over="ignore"):  # 2^128 of code 0xFF, replaced below
        values = np.ldexp(1.0, codes - 127).astype(np.float32)
    return np.where(codes == 0xFF, np.float32(np.nan), values)


def decode_nf4(codes) -> np.ndarray:
    return NF4_CODEBOOK[np.asarray(codes, dtype=np.int64)]


def bf16_bits_to_f32(bits) -> np.ndarray:
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16_bits(values) -> np.ndarray:
    """Nearest-even rounding of f32 to bf16 (finite values)."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def scale_values(stored, scale_type: str) -> np.ndarray:
    """float(s) of stored scales: float arrays for f32/f16, uint16 bit
    patterns for bf16, uint8 codes for the 8-bit float types."""
    if scale_type == "f32":
        return np.asarray(stored, dtype=np.float32)
    if scale_type == "f16":
        return np.asarray(stored, dtype=np.float16).astype(np.float32)
    if scale_type == "bf16":
        return bf16_bits_to_f32(stored)
    if scale_type == "f8E8M0FNU":
        return decode_e8m0(stored)
    if scale_type == "f8E4M3FN":
        return decode_e4m3(stored)
    raise ValueError(scale_type)


# --------------------------------------------------------------------------
# §4–§5 Scales, zero points, dequantization
# --------------------------------------------------------------------------

def expand(fmt: QFormat, per_block: np.ndarray, n: int, k: int) -> np.ndarray:
    """The [N, K] array whose (n, k) entry is per_block[r, c] with r = 0 for
    tensor granularity, else n, and c = k div span."""
    rows = np.zeros(n, dtype=np.int64) if fmt.granularity == "tensor" else np.arange(n)
    cols = np.arange(k) // fmt.span(k)
    return np.asarray(per_block)[rows][:, cols]


def dequantize(fmt: QFormat, packed, scales, k: int, zero_points=None,
               tensor_scale=None) -> np.ndarray:
    """Ŵ[N, K] in f32 (§5). `scales` are stored scales (see scale_values);
    `zero_points` uint8 codes (asymmetric formats); `tensor_scale` an f32."""
    codes = unpack(packed, k, fmt.bits)
    n = codes.shape[0]
    s = expand(fmt, scale_values(scales, fmt.scale), n, k)
    with np.errstate(invalid="ignore", over="ignore"):
        if fmt.element in INTEGER_ELEMENTS:
            q = decode_int(codes, fmt.bits, signed=fmt.symmetric)
            if not fmt.symmetric:
                q = q - expand(fmt, np.asarray(zero_points).view(np.uint8), n, k).astype(np.int64)
            return q.astype(np.float32) * s
        if fmt.element == "fp8_e4m3":
            return decode_e4m3(codes) * s
        if fmt.element == "fp8_e5m2":
            return decode_e5m2(codes) * s
        if fmt.element == "nf4":
            return decode_nf4(codes) * s
        if fmt.element == "mxfp4":
            return decode_e2m1(codes) * s
        if fmt.element == "nvfp4":
            return (decode_e2m1(codes) * s) * np.float32(tensor_scale)
    raise ValueError(fmt.element)


# --------------------------------------------------------------------------
# §7 Encoders
# --------------------------------------------------------------------------

def _encode_nearest(values, magnitudes: np.ndarray, sign_bit: int, nan_code: int) -> np.ndarray:
    """Code of the nearest of `magnitudes` (indexed by the positive codes,
    ascending) to |v|, ties to the even code, saturating to the largest, with
    the sign of v in `sign_bit`; NaN gives `nan_code`."""
    v = np.asarray(values, dtype=np.float32)
    a = np.minimum(np.abs(v).astype(np.float64), magnitudes[-1])
    distance = np.abs(a[..., None] - magnitudes.astype(np.float64))
    nearest = distance == distance.min(axis=-1, keepdims=True)
    even = nearest & (np.arange(len(magnitudes)) % 2 == 0)
    codes = np.where(even.any(axis=-1), even.argmax(axis=-1), nearest.argmax(axis=-1))
    codes = codes | np.where(np.signbit(v), sign_bit, 0)
    return np.where(np.isnan(v), nan_code, codes).astype(np.int64)


def encode_e2m1(values) -> np.ndarray:
    return _encode_nearest(values, E2M1_MAGNITUDES, 8, 0)


def encode_e4m3(values) -> np.ndarray:
    return _encode_nearest(values, decode_e4m3(np.arange(0x7F)), 0x80, 0x7F)


def encode_e5m2(values) -> np.ndarray:
    return _encode_nearest(values, decode_e5m2(np.arange(0x7C)), 0x80, 0x7E)


def encode_e8m0(values) -> np.ndarray:
    """Code of 2^floor(log2 |v|), the exponent clamped to [−127, 127]; 0 gives
    code 0; NaN and infinities give 0xFF."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    _, e = np.frexp(v)  # v = m · 2^e with m in [0.5, 1): floor(log2 v) = e − 1
    codes = np.clip(e - 1, -127, 127) + 127
    codes = np.where(v == 0, 0, codes)
    return np.where(np.isfinite(v), codes, 0xFF).astype(np.int64)


def encode_nf4(values) -> np.ndarray:
    """Nearest codebook level, ties to the level of smaller magnitude."""
    v = np.asarray(values, dtype=np.float32).astype(np.float64)
    distance = np.abs(v[..., None] - NF4_CODEBOOK.astype(np.float64))
    nearest = distance == distance.min(axis=-1, keepdims=True)
    smaller = np.where(nearest, np.abs(NF4_CODEBOOK), np.inf)
    return np.where(np.isnan(v), 7, smaller.argmin(axis=-1)).astype(np.int64)


def round_e4m3(values) -> np.ndarray:
    """e4m3(v) of §6: the nearest fp8 E4M3 value, ties to even, saturating."""
    return decode_e4m3(encode_e4m3(values))


# --------------------------------------------------------------------------
# §6 Activation modes
# --------------------------------------------------------------------------

def quantize_activations(act: str, x, act_scale=None) -> np.ndarray:
    """x̂ for f32 x[..., K] (tokens along the last axis)."""
    x = np.asarray(x, dtype=np.float32)
    if act == "weight_only":
        return x
    if act == "fp8_per_tensor":
        a = np.float32(act_scale)
        with np.errstate(invalid="ignore", over="ignore"):
            return round_e4m3(x / a) * a
    qmax = np.float32(127 if act == "dynamic_int8_per_token" else 448)
    amax = np.abs(x).max(axis=-1, keepdims=True)
    s = np.where(amax == 0, np.float32(1), amax / qmax).astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        if act == "dynamic_int8_per_token":
            return np.clip(np.rint(x / s), np.float32(-127), np.float32(127)) * s
        if act == "fp8_per_token":
            return round_e4m3(x / s) * s
    raise ValueError(act)


# --------------------------------------------------------------------------
# A producer: quantize a float weight (not normative, for tests)
# --------------------------------------------------------------------------

@dataclass
class QuantizedWeight:
    """A packed weight: `packed` uint8[N, R]; `scales` stored (see
    scale_values); `zero_points` uint8 or None; `tensor_scale` f32 or None."""

    fmt: QFormat
    k: int
    packed: np.ndarray
    scales: np.ndarray
    zero_points: np.ndarray | None = None
    tensor_scale: np.float32 | None = None

    def dequantize(self) -> np.ndarray:
        return dequantize(self.fmt, self.packed, self.scales, self.k,
                          self.zero_points, self.tensor_scale)


def _store_scale(values, scale_type: str) -> np.ndarray:
    """Rounds f32 scales to the stored scale type (nonnegative finite)."""
    values = np.asarray(values, dtype=np.float32)
    if scale_type == "f32":
        return values
    if scale_type == "f16":
        return values.astype(np.float16)
    if scale_type == "bf16":
        return f32_to_bf16_bits(values)
    if scale_type == "f8E4M3FN":
        return encode_e4m3(values).astype(np.uint8)
    raise ValueError(scale_type)


def quantize(fmt: QFormat, w: np.ndarray) -> QuantizedWeight:
    """Quantizes f32 w[N, K] with absmax (or min/max) scaling per block."""
    w = np.asarray(w, dtype=np.float32)
    n, k = w.shape
    rows, cols = fmt.scale_shape(n, k)
    span = fmt.span(k)

    def block(r, c):
        row_slice = slice(None) if fmt.granularity == "tensor" else slice(r, r + 1)
        return w[row_slice, c * span:(c + 1) * span]

    blocks = [[block(r, c) for c in range(cols)] for r in range(rows)]
    amax = np.array([[np.abs(b).max() for b in row] for row in blocks], dtype=np.float32)
    zero_points = tensor_scale = None

    if fmt.element in INTEGER_ELEMENTS and fmt.symmetric:
        qmax = (1 << (fmt.bits - 1)) - 1
        scales = _store_scale(np.where(amax == 0, 1, amax / np.float32(qmax)), fmt.scale)
        s = expand(fmt, scale_values(scales, fmt.scale), n, k)
        q = np.clip(np.rint(w / s), -qmax - 1, qmax).astype(np.int64)
        codes = q & ((1 << fmt.bits) - 1)
    elif fmt.element in INTEGER_ELEMENTS:
        levels = (1 << fmt.bits) - 1
        lo = np.array([[min(b.min(), 0) for b in row] for row in blocks], dtype=np.float32)
        hi = np.array([[max(b.max(), 0) for b in row] for row in blocks], dtype=np.float32)
        width = np.where(hi > lo, hi - lo, 1).astype(np.float32)
        scales = _store_scale(width / np.float32(levels), fmt.scale)
        sv = scale_values(scales, fmt.scale)
        zero_points = np.clip(np.rint(-lo / sv), 0, levels).astype(np.uint8)
        s = expand(fmt, sv, n, k)
        z = expand(fmt, zero_points, n, k).astype(np.int64)
        codes = np.clip(np.rint(w / s).astype(np.int64) + z, 0, levels)
    elif fmt.element in ("fp8_e4m3", "fp8_e5m2"):
        top = np.float32(448 if fmt.element == "fp8_e4m3" else 57344)
        scales = _store_scale(np.where(amax == 0, 1, amax / top), fmt.scale)
        s = expand(fmt, scale_values(scales, fmt.scale), n, k)
        encode = encode_e4m3 if fmt.element == "fp8_e4m3" else encode_e5m2
        codes = encode(w / s)
    elif fmt.element == "nf4":
        scales = _store_scale(np.where(amax == 0, 1, amax), fmt.scale)
        codes = encode_nf4(w / expand(fmt, scale_values(scales, fmt.scale), n, k))
    elif fmt.element == "mxfp4":
        # The MX rule: shared exponent floor(log2 amax) − 2 (e2m1's emax).
        scales = np.maximum(encode_e8m0(amax) - 2, 0).astype(np.uint8)
        codes = encode_e2m1(w / expand(fmt, decode_e8m0(scales), n, k))
    elif fmt.element == "nvfp4":
        tensor_scale = np.maximum(np.abs(w).max(), np.float32(1e-30)) / np.float32(448 * 6)
        scales = _store_scale(amax / np.float32(6) / tensor_scale, fmt.scale)
        block_scale = expand(fmt, decode_e4m3(scales), n, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            codes = encode_e2m1(w / (block_scale * tensor_scale))
    else:
        raise ValueError(fmt.element)
    return QuantizedWeight(fmt, k, pack(codes, fmt.bits), scales, zero_points, tensor_scale)
