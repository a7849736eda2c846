"""bench/cpu/make_ort_models.py writes what ONNX Runtime's ops expect.

No ONNX Runtime here (CI has none): each model's weights are decoded from
the ONNX file as the op specs say (MatMulNBits: B uint8 [N, K/block,
block·bits/8], low nibble first, default zero point 2^(bits−1);
DynamicQuantizeMatMul: int8 B [K, N] with per-column scales) and the decoded
layer must reproduce the reference outputs stored next to the model, which
is what ort_peer.mjs checks ORT's own outputs against.
"""

import json
import pathlib
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

GEN = (pathlib.Path(__file__).resolve().parents[2] / "bench" / "cpu" /
       "make_ort_models.py")


def decode(node, inits):
    """The f32 weight [N, K] one node computes with, per the op's spec."""
    if node.op_type == "MatMul":
        return inits[node.input[1]].T.astype(np.float64)
    if node.op_type == "DynamicQuantizeMatMul":
        b, s = inits[node.input[1]], inits[node.input[2]]
        return (b.astype(np.float64) * s.astype(np.float64)[None, :]).T
    assert node.op_type == "MatMulNBits"
    attrs = {a.name: onnx.helper.get_attribute_value(a)
             for a in node.attribute}
    n, k, bits, block = attrs["N"], attrs["K"], attrs["bits"], attrs["block_size"]
    b, s = inits[node.input[1]], inits[node.input[2]]
    assert b.shape == (n, k // block, block * bits // 8)
    flat = b.reshape(n, -1)
    if bits == 4:
        codes = np.empty((n, k), np.int64)
        codes[:, 0::2] = flat & 0xF
        codes[:, 1::2] = flat >> 4
    else:
        codes = flat.astype(np.int64)
    zero = 1 << (bits - 1)
    scales = np.repeat(s.reshape(n, k // block).astype(np.float64), block, 1)
    return (codes - zero) * scales


def dynamic_quantize(x):
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((hi - lo) / 255.0)
    zp = np.clip(np.rint(np.float32(-lo) / scale), 0, 255)
    return np.clip(np.rint(x / scale) + zp, 0, 255) - zp, float(scale)


PATHS = ["f32", "dq8", "nbits8", "nbits4"]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    out = tmp_path_factory.mktemp("ort-models")
    subprocess.run([sys.executable, str(GEN), "--out", str(out),
                    "--shapes", "32x256", "--paths", ",".join(PATHS),
                    "--l3-mib", "1"], check=True, capture_output=True)
    manifest = json.loads((out / "manifest.json").read_text())
    return out, {e["path"]: e for e in manifest["models"]}


@pytest.mark.parametrize("path", PATHS)
def test_models_match_their_references(models, path):
    tmp_path, entries = models
    entry = entries[path]
    assert entry["layers"] >= 2
    model = onnx.load(str(tmp_path / entry["model"]))
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    x = np.fromfile(tmp_path / entry["x"], np.float32).reshape(3, 256)
    nodes = model.graph.node
    for node, ref in ((nodes[0], entry["y0"]), (nodes[-1], entry["ylast"])):
        w = decode(node, inits)
        assert w.shape == (32, 256)
        if node.op_type == "DynamicQuantizeMatMul":
            q, sx = dynamic_quantize(x)
            y = (q @ w.T) * sx
        else:
            y = x.astype(np.float64) @ w.T
        want = np.fromfile(tmp_path / ref, np.float32).reshape(3, 32)
        np.testing.assert_allclose(y, want, rtol=1e-5,
                                   atol=1e-6 * np.abs(want).max())


def test_unknown_path_is_refused(tmp_path):
    r = subprocess.run([sys.executable, str(GEN), "--out", str(tmp_path),
                        "--shapes", "32x256", "--paths", "int3"],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "unknown path 'int3'" in r.stderr
