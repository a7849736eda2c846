"""linea-raise on imported ONNX models: linear layers, quantized linear layers
and norms. Each model is imported, raised, checked for the expected linea ops,
and run raised and un-raised with linea-run on the same inputs; both must
agree with each other and with numpy / torch."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from linea import tools  # noqa: E402

F = TensorProto.FLOAT
ROOT = pathlib.Path(__file__).resolve().parents[2]


def import_model(path):
    proc = subprocess.run([tools.tool("linea-import-onnx"), str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def raise_module(module, *extra):
    proc = subprocess.run([tools.tool("linea-opt"), "--linea-raise", *extra],
                          input=module, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def raised_and_original(model_or_path, tmp_path, inputs):
    """(raised text, raised outputs, original outputs)."""
    if isinstance(model_or_path, onnx.ModelProto):
        path = tmp_path / "model.onnx"
        onnx.save(model_or_path, str(path))
    else:
        path = model_or_path
    original = import_model(path)
    raised = raise_module(original)
    return raised, tools.run_mlir(raised, inputs), tools.run_mlir(original, inputs)


def make_model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def count_ops(module, name):
    return sum(1 for line in module.splitlines() if f"= {name} " in line)


rng = np.random.default_rng(0)


# ---- Linear layers ----------------------------------------------------------

def test_matmul_bias_3d(tmp_path):
    w = rng.standard_normal((16, 8)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    model = make_model(
        [helper.make_node("MatMul", ["x", "W"], ["t"], name="fc/MatMul"),
         helper.make_node("Add", ["t", "B"], ["y"])],
        [vi("x", F, [2, 3, 16])], [vi("y", F, [2, 3, 8])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])
    x = rng.standard_normal((2, 3, 16)).astype(np.float32)
    raised, (y,), (ref,) = raised_and_original(model, tmp_path, [x])
    assert count_ops(raised, "linea.linear") == 1
    assert 'bias' in raised and '{name = "fc/MatMul"}' in raised
    assert "linalg.matmul" not in raised
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(y, x @ w + b, rtol=1e-5, atol=1e-5)


def test_gemm_alpha_beta(tmp_path):
    bmat = rng.standard_normal((8, 16)).astype(np.float32)
    c = rng.standard_normal(8).astype(np.float32)
    model = make_model(
        [helper.make_node("Gemm", ["x", "B", "C"], ["y"], name="gemm",
                          alpha=0.5, beta=2.0, transB=1)],
        [vi("x", F, [4, 16])], [vi("y", F, [4, 8])],
        [numpy_helper.from_array(bmat, "B"), numpy_helper.from_array(c, "C")])
    x = rng.standard_normal((4, 16)).astype(np.float32)
    raised, (y,), (ref,) = raised_and_original(model, tmp_path, [x])
    assert count_ops(raised, "linea.linear") == 1
    assert "linalg." not in raised
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y, 0.5 * x @ bmat.T + 2 * c, rtol=1e-5, atol=1e-5)


def test_f16_matmul_bias(tmp_path):
    w = rng.standard_normal((16, 8)).astype(np.float16)
    b = rng.standard_normal(8).astype(np.float16)
    model = make_model(
        [helper.make_node("MatMul", ["x", "W"], ["t"], name="h"),
         helper.make_node("Add", ["t", "B"], ["y"])],
        [vi("x", TensorProto.FLOAT16, [4, 16])],
        [vi("y", TensorProto.FLOAT16, [4, 8])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])
    x = rng.standard_normal((4, 16)).astype(np.float16)
    raised, (y,), (ref,) = raised_and_original(model, tmp_path, [x])
    assert "tensor<8x16xf16>" in raised and count_ops(raised, "linea.linear") == 1
    # One rounding instead of two: at most one f16 ulp apart.
    np.testing.assert_allclose(y.astype(np.float32), ref.astype(np.float32),
                               rtol=2e-3, atol=2e-3)


def test_non_constant_weight_and_unbroadcast_add_stay(tmp_path):
    w = rng.standard_normal((16, 8)).astype(np.float32)
    full = rng.standard_normal((4, 8)).astype(np.float32)
    model = make_model(
        [helper.make_node("MatMul", ["x", "W"], ["t"], name="m"),
         helper.make_node("Add", ["t", "F"], ["u"]),
         helper.make_node("MatMul", ["u", "w2"], ["y"], name="dyn")],
        [vi("x", F, [4, 16]), vi("w2", F, [8, 8])], [vi("y", F, [4, 8])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(full, "F")])
    x = rng.standard_normal((4, 16)).astype(np.float32)
    w2 = rng.standard_normal((8, 8)).astype(np.float32)
    raised, (y,), (ref,) = raised_and_original(model, tmp_path, [x, w2])
    assert count_ops(raised, "linea.linear") == 1
    assert "bias" not in raised and "linalg.matmul" in raised
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(y, (x @ w + full) @ w2, rtol=1e-5, atol=1e-5)


# ---- Quantized linear layers --------------------------------------------------

K, N = 40, 12


def dequant_model(q, scale, zero=None, axis=None, block=None, opset=17):
    inits = [numpy_helper.from_array(q, "q"), numpy_helper.from_array(scale, "s")]
    ins = ["q", "s"]
    if zero is not None:
        inits.append(numpy_helper.from_array(zero, "z"))
        ins.append("z")
    attrs = {}
    if axis is not None:
        attrs["axis"] = axis
    if block is not None:
        attrs["block_size"] = block
    return make_model(
        [helper.make_node("DequantizeLinear", ins, ["w"], **attrs),
         helper.make_node("MatMul", ["x", "w"], ["y"], name="qfc")],
        [vi("x", F, [5, K])], [vi("y", F, [5, N])], inits, opset)


def _codes(dtype):
    info = np.iinfo(dtype)
    return rng.integers(info.min, int(info.max) + 1, (K, N)).astype(dtype)


QUANT_CASES = {
    # name: (model builder, expected format, numpy weight)
    "int8_tensor": lambda q=_codes(np.int8): (
        dequant_model(q, np.array(0.03, np.float32)), "<int8, tensor",
        q.astype(np.float32) * np.float32(0.03)),
    "int8_channel": lambda q=_codes(np.int8), s=rng.random(N).astype(np.float32): (
        dequant_model(q, s, axis=1), "<int8, channel", q.astype(np.float32) * s),
    "uint8_zero_point": lambda q=_codes(np.uint8), z=np.array(131, np.uint8): (
        dequant_model(q, np.array(0.02, np.float32), z), "<uint8, tensor",
        (q.astype(np.float32) - 131) * np.float32(0.02)),
    "uint8_channel_zero_points": lambda q=_codes(np.uint8),
    z=rng.integers(0, 256, N).astype(np.uint8), s=rng.random(N).astype(np.float32): (
        dequant_model(q, s, z, axis=1), "<uint8, channel",
        (q.astype(np.float32) - z.astype(np.float32)) * s),
    "int8_zero_points": lambda q=_codes(np.int8),
    z=rng.integers(-128, 128, N).astype(np.int8), s=rng.random(N).astype(np.float32): (
        dequant_model(q, s, z, axis=1), "<uint8, channel",
        (q.astype(np.float32) - z.astype(np.float32)) * s),
    # Blocks of 16 along K = 40: the last block is partial.
    "int8_blocked": lambda q=_codes(np.int8), s=rng.random((3, N)).astype(np.float32): (
        dequant_model(q, s, axis=0, block=16, opset=21), "<int8, group 16",
        q.astype(np.float32) * np.repeat(s, 16, axis=0)[:K]),
}


@pytest.mark.parametrize("case", sorted(QUANT_CASES))
def test_dequantize_matmul(tmp_path, case):
    model, fmt, w = QUANT_CASES[case]()
    x = rng.standard_normal((5, K)).astype(np.float32)
    raised, (y,), (ref,) = raised_and_original(model, tmp_path, [x])
    assert count_ops(raised, "linea.quant_linear") == 1, raised
    assert f"format {fmt}" in raised
    assert "linalg." not in raised
    # The same decoded weights summed in a different order (the CPU kernel's
    # vector lanes against the imported dequantize + matmul): f32 rounding.
    atol = 1e-6 * np.abs(ref).max()
    np.testing.assert_allclose(y, ref, rtol=2e-5, atol=atol)
    np.testing.assert_allclose(y, x @ w, rtol=2e-5, atol=atol)


def test_dequantize_per_input_feature_stays(tmp_path):
    q = _codes(np.int8)
    s = rng.random(K).astype(np.float32)
    model = dequant_model(q, s, axis=0)
    x = rng.standard_normal((5, K)).astype(np.float32)
    raised, (y,), (ref,) = raised_and_original(model, tmp_path, [x])
    assert "linea." not in raised
    np.testing.assert_array_equal(y, ref)


# ---- Norms --------------------------------------------------------------------

def _torch():
    return pytest.importorskip("torch")


def export(module, args, path, opset=17):
    _torch().onnx.export(module, args, str(path), opset_version=opset,
                         input_names=["x"], output_names=["y"])


def test_torch_rmsnorm(tmp_path):
    torch = _torch()
    sys.path.insert(0, str(ROOT / "examples"))
    from llama_block import RMSNorm  # noqa: E402
    torch.manual_seed(0)
    norm = RMSNorm(32).eval()
    x = torch.randn(2, 5, 32)
    export(norm, (x,), tmp_path / "rms.onnx")
    raised, (y,), (ref,) = raised_and_original(tmp_path / "rms.onnx", tmp_path,
                                               [x.numpy()])
    assert count_ops(raised, "linea.rms_norm") == 1
    assert "linalg." not in raised
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        np.testing.assert_allclose(y, norm(x).numpy(), rtol=1e-5, atol=1e-5)



def test_torch_rmsnorm_without_weight_div_form(tmp_path):
    torch = _torch()

    class Norm(torch.nn.Module):
        def forward(self, x):
            return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)

    x = torch.randn(3, 16)
    export(Norm(), (x,), tmp_path / "rms.onnx")
    raised, (y,), (ref,) = raised_and_original(tmp_path / "rms.onnx", tmp_path,
                                               [x.numpy()])
    assert count_ops(raised, "linea.rms_norm") == 1 and " weight " not in raised
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y, Norm()(x).numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("opset", [13, 17])
def test_torch_mlp_with_layernorm(tmp_path, opset):
    torch = _torch()
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 32),
        torch.nn.LayerNorm(32), torch.nn.Linear(32, 8), torch.nn.Tanh()).eval()
    x = torch.randn(4, 16)
    export(mlp, (x,), tmp_path / "mlp.onnx", opset)
    raised, (y,), (ref,) = raised_and_original(tmp_path / "mlp.onnx", tmp_path,
                                               [x.numpy()])
    assert count_ops(raised, "linea.linear") == 3
    assert count_ops(raised, "linea.layer_norm") == 1
    assert "linalg.matmul" not in raised
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        np.testing.assert_allclose(y, mlp(x).numpy(), rtol=1e-4, atol=1e-5)


def test_torch_transformer_encoder_layer(tmp_path):
    torch = _torch()
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(
        d_model=32, nhead=4, dim_feedforward=64, dropout=0.0,
        batch_first=True).eval()
    x = torch.randn(2, 5, 32)
    export(layer, (x,), tmp_path / "enc.onnx")
    raised, (y,), (ref,) = raised_and_original(tmp_path / "enc.onnx", tmp_path,
                                               [x.numpy()])
    # In-projection, out-projection and the two FFN layers; two LayerNorms.
    assert count_ops(raised, "linea.linear") == 4
    assert count_ops(raised, "linea.layer_norm") == 2
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        np.testing.assert_allclose(y, layer(x).numpy(), rtol=1e-4, atol=1e-5)


def test_llama_block_report(tmp_path):
    _torch()
    script = ROOT / "examples" / "llama_block.py"
    subprocess.run([sys.executable, str(script), str(tmp_path), "--hidden", "64",
                    "--heads", "4", "--kv-heads", "2", "--ffn", "96", "--seq", "8"],
                   check=True, capture_output=True)
    original = import_model(tmp_path / "llama_block.onnx")
    raised = raise_module(original)
    assert count_ops(raised, "linea.linear") == 7
    assert count_ops(raised, "linea.rms_norm") == 2
    proc = subprocess.run([tools.tool("linea-opt"), "--linea-raise", "--linea-report",
                           "-o", "/dev/null"], input=original, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    report = proc.stdout + proc.stderr
    for proj in ["attn/q_proj", "attn/k_proj", "attn/v_proj", "attn/o_proj",
                 "mlp/gate_proj", "mlp/up_proj", "mlp/down_proj"]:
        assert any(f"/{proj}/MatMul" in line and "linear" in line.split()
                   for line in report.splitlines()), report
    x = np.load(tmp_path / "x.npy")
    (y,) = tools.run_mlir(raised, [x])
    (ref,) = tools.run_mlir(original, [x])
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y, np.load(tmp_path / "y.npy"), rtol=1e-4, atol=1e-4)
