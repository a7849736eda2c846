"""The CPU side of the CUDA device check (docs/cuda.md), which CI can run:

- scripts/cuda_device_check.py's reference decode of int4/uint4 weights
  agrees with python/linea/formats.py (the numpy reading of docs/formats.md),
  so a device run compares the kernels with the right function;
- the in-register dequantization the kernels use (nibble or-ed into the
  mantissa of 2^23, minus 2^23 + z) gives q − z exactly for every code and
  zero point.
"""

import importlib.util
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from linea import formats as F  # noqa: E402
from linea.formats import QFormat  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_check():
    spec = importlib.util.spec_from_file_location(
        "cuda_device_check", ROOT / "scripts" / "cuda_device_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("element,group", [("int4", 128), ("uint4", 64),
                                           ("int4", 0), ("uint4", 0)])
def test_reference_decode_matches_formats(element, group):
    check = load_check()
    rng = np.random.default_rng(7)
    n, k = 24, 256
    granularity = "group" if group else "channel"
    span = group or k
    fmt = QFormat(element, granularity, group, "f16")
    packed = rng.integers(0, 256, size=(n, k // 2), dtype=np.uint8)
    scales = (rng.random((n, k // span)) * 0.02 + 0.005).astype(np.float16)
    zeros = rng.integers(0, 16, size=(n, k // span), dtype=np.uint8)
    want = F.dequantize(fmt, packed, scales, k,
                        zero_points=zeros if element == "uint4" else None)

    entry = {"op": "quant_linear", "n": n, "k": k, "group": span,
             "element": element}
    args = {"qweight": torch.from_numpy(packed.view(np.int8)),
            "scales": torch.from_numpy(scales),
            "zero_points": torch.from_numpy(zeros.view(np.int8))}
    got = check.dense_weight(entry, args).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)


def test_magic_number_dequantization_is_exact():
    nibbles = np.arange(16, dtype=np.uint32)
    # int4: the kernel flips bit 3 (n ^ 8 = q + 8) and subtracts 2^23 + 8.
    biased = ((nibbles ^ 8) | 0x4B000000).view(np.float32)
    q = np.where(nibbles >= 8, nibbles.astype(np.int64) - 16, nibbles)
    np.testing.assert_array_equal(biased - np.float32(8388616.0), q)
    # uint4 with zero point z: subtracts 2^23 + z.
    for z in range(256):
        biased = (nibbles | 0x4B000000).view(np.float32)
        np.testing.assert_array_equal(
            biased - np.float32(8388608.0 + z), nibbles.astype(np.int64) - z)


@pytest.mark.parametrize("act", ["relu", "gelu", "gelu_tanh", "silu", "sigmoid", "tanh"])
@pytest.mark.parametrize("combine", [None, "add", "mul", "add_row", "mul_row"])
def test_epilogue_references_agree(act, combine):
    """The two readings of a fused epilogue (docs/cuda.md, "Fused
    epilogues"): the device check's torch one (scripts/cuda_timing.py) and
    linea.cuda's numpy one (HostLayers, the host program's reference)."""
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    import cuda_timing
    from linea import cuda
    gen = np.random.default_rng(7)
    y = (gen.standard_normal((5, 33)) * 3).astype(np.float32)
    # a row operand ([1, N], the kernel's argument for a broadcast) is one
    # value per column shared by every row
    row = combine is not None and combine.endswith("_row")
    combine = combine and combine.removesuffix("_row")
    r = gen.standard_normal((1, 33) if row else (5, 33)).astype(np.float32)
    entry = {"epilogue": {"activation": act, **({"combine": combine} if combine else {})}}
    want = cuda_timing.apply_epilogue(entry, torch.from_numpy(y).double(),
                                      {"residual": torch.from_numpy(r)}).numpy()
    got = cuda.epilogue(y, act, **({combine: r} if combine else {}))
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)
    if row:  # every row combined with the same values
        plain = cuda.epilogue(y, act)
        expect = plain + r if combine == "add" else plain * r
        np.testing.assert_allclose(got, expect, rtol=2e-6, atol=2e-6)


def test_epilogue_operand_shape_is_checked():
    from linea import cuda
    with pytest.raises(ValueError, match="fits neither"):
        cuda.epilogue(np.zeros((4, 8), np.float32), add=np.zeros(5, np.float32))
