"""linea-import-onnx end to end: models built with onnx.helper and exported by
torch.onnx.export (opset 17) are imported, run with linea-run, and compared
with numpy / torch."""

import pathlib
import subprocess

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from linea import tools  # noqa: E402


def import_model(path, *args):
    """The MLIR text of the model at `path`."""
    proc = subprocess.run([tools.tool("linea-import-onnx"), str(path), *args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"import failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def run_onnx(model, inputs, tmp_path, name="model.onnx"):
    path = tmp_path / name
    onnx.save(model, str(path))
    return tools.run_mlir(import_model(path), inputs)


def make_model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


F = TensorProto.FLOAT


def test_helper_mlp_matches_numpy(tmp_path):
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((8, 16)).astype(np.float32)
    b1 = rng.standard_normal(16).astype(np.float32)
    w2 = rng.standard_normal((4, 16)).astype(np.float32)
    b2 = rng.standard_normal(4).astype(np.float32)
    model = make_model(
        [helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
         helper.make_node("Add", ["h", "b1"], ["hb"]),
         helper.make_node("Relu", ["hb"], ["r"]),
         helper.make_node("Gemm", ["r", "w2", "b2"], ["y"], name="fc2",
                          transB=1),
         helper.make_node("Softmax", ["y"], ["p"], axis=-1)],
        [vi("x", F, [3, 8])], [vi("p", F, [3, 4])],
        [numpy_helper.from_array(a, n) for a, n in
         ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))])
    x = rng.standard_normal((3, 8)).astype(np.float32)
    (p,) = run_onnx(model, [x], tmp_path)
    y = np.maximum(x @ w1 + b1, 0) @ w2.T + b2
    ref = np.exp(y - y.max(-1, keepdims=True))
    ref /= ref.sum(-1, keepdims=True)
    np.testing.assert_allclose(p, ref, rtol=1e-5, atol=1e-6)


def test_external_data(tmp_path):
    """Weights saved as ONNX external data (what models over 2 GB use)."""
    rng = np.random.default_rng(1)
    w = rng.standard_normal((16, 8)).astype(np.float32)
    model = make_model([helper.make_node("MatMul", ["x", "w"], ["y"])],
                       [vi("x", F, [2, 16])], [vi("y", F, [2, 8])],
                       [numpy_helper.from_array(w, "w")])
    path = tmp_path / "ext.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="ext.weights",
                    size_threshold=0)
    assert (tmp_path / "ext.weights").stat().st_size >= w.nbytes
    module = import_model(path)
    assert "dense_resource<w>" in module
    x = rng.standard_normal((2, 16)).astype(np.float32)
    (y,) = tools.run_mlir(module, [x])
    np.testing.assert_allclose(y, x @ w, rtol=1e-5, atol=1e-5)


def test_dequantize_matmul_per_axis(tmp_path):
    rng = np.random.default_rng(2)
    q = rng.integers(-128, 128, (8, 4)).astype(np.int8)
    scale = rng.uniform(0.01, 0.1, 4).astype(np.float32)
    zp = rng.integers(-4, 4, 4).astype(np.int8)
    model = make_model(
        [helper.make_node("DequantizeLinear", ["q", "s", "z"], ["w"], axis=1),
         helper.make_node("MatMul", ["x", "w"], ["y"])],
        [vi("x", F, [3, 8])], [vi("y", F, [3, 4])],
        [numpy_helper.from_array(q, "q"), numpy_helper.from_array(scale, "s"),
         numpy_helper.from_array(zp, "z")], opset=13)
    x = rng.standard_normal((3, 8)).astype(np.float32)
    (y,) = run_onnx(model, [x], tmp_path)
    w = (q.astype(np.float32) - zp.astype(np.float32)) * scale
    np.testing.assert_allclose(y, x @ w, rtol=1e-5, atol=1e-5)


def test_float16_and_bool_io(tmp_path):
    model = make_model(
        [helper.make_node("Mul", ["a", "a"], ["sq"]),
         helper.make_node("Greater", ["sq", "a"], ["gt"])],
        [vi("a", TensorProto.FLOAT16, [5])],
        [vi("sq", TensorProto.FLOAT16, [5]), vi("gt", TensorProto.BOOL, [5])])
    a = np.array([-2, -0.5, 0, 0.5, 3], np.float16)
    sq, gt = run_onnx(model, [a], tmp_path)
    np.testing.assert_array_equal(sq, a * a)
    np.testing.assert_array_equal(gt != 0, a * a > a)


def test_exit_status_distinguishes_unsupported(tmp_path):
    model = make_model([helper.make_node("Conv", ["x", "w"], ["y"], name="c")],
                       [vi("x", F, [1, 1, 3, 3]), vi("w", F, [1, 1, 1, 1])],
                       [vi("y", F, [1, 1, 3, 3])])
    path = tmp_path / "conv.onnx"
    onnx.save(model, str(path))
    proc = subprocess.run([tools.tool("linea-import-onnx"), str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "node 'c': Conv (opset 17)" in proc.stderr
    (tmp_path / "bad.onnx").write_bytes(b"\x0a\xff\xff\xff")
    proc = subprocess.run([tools.tool("linea-import-onnx"),
                           str(tmp_path / "bad.onnx")], capture_output=True)
    assert proc.returncode == 1


torch = None


def _torch():
    global torch
    torch = pytest.importorskip("torch")
    return torch


def export(module, args, path, **kwargs):
    torch.onnx.export(module, args, str(path), opset_version=17,
                      input_names=["x"], output_names=["y"], **kwargs)


def test_torch_mlp(tmp_path):
    _torch()
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 32),
        torch.nn.LayerNorm(32), torch.nn.Linear(32, 8), torch.nn.Tanh())
    mlp.eval()
    x = torch.randn(4, 16)
    export(mlp, (x,), tmp_path / "mlp.onnx")
    module = import_model(tmp_path / "mlp.onnx")
    assert module.count("linalg.matmul") == 3
    (y,) = tools.run_mlir(module, [x.numpy()])
    with torch.no_grad():
        ref = mlp(x).numpy()
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_torch_transformer_encoder_layer(tmp_path):
    _torch()
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(
        d_model=32, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
    layer.eval()
    x = torch.randn(2, 5, 32)
    export(layer, (x,), tmp_path / "encoder.onnx")
    module = import_model(tmp_path / "encoder.onnx")
    # Q/K/V in-projection, scores, context, out-projection, two FFN layers.
    assert module.count("linalg.matmul") == 4
    assert module.count("linalg.batch_matmul") == 2
    assert "dense_resource<" in module
    (y,) = tools.run_mlir(module, [x.numpy()])
    with torch.no_grad():
        ref = layer(x).numpy()
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_torch_dynamic_batch_needs_dim(tmp_path):
    _torch()
    lin = torch.nn.Linear(4, 3)
    x = torch.randn(2, 4)
    path = tmp_path / "dyn.onnx"
    export(lin, (x,), path, dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    with pytest.raises(RuntimeError, match="--dim batch=VALUE"):
        import_model(path)
    module = import_model(path, "--dim", "batch=6")
    x6 = torch.randn(6, 4)
    (y,) = tools.run_mlir(module, [x6.numpy()])
    with torch.no_grad():
        np.testing.assert_allclose(y, lin(x6).numpy(), rtol=1e-5, atol=1e-6)
