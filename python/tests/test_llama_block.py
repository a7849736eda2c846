"""The Llama-style decoder block of examples/llama_block.py end to end:
torch.onnx.export → linea-import-onnx → linea-opt --linea-raise → linea-run,
against torch. The raised module must hold one grouped-query causal
linea.attention, seven named linea.linear projections and two linea.rms_norm."""

import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from linea import tools  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))
import llama_block  # noqa: E402

PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def run_tool(name, *args):
    proc = subprocess.run([tools.tool(name), *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


@pytest.fixture(scope="module")
def block(tmp_path_factory):
    """(imported path, raised path, x, torch's y) for the default block."""
    out = tmp_path_factory.mktemp("llama")
    path, x, y = llama_block.export(out)
    imported = out / "block.mlir"
    raised = out / "raised.mlir"
    run_tool("linea-import-onnx", path, "-o", imported)
    run_tool("linea-opt", "--linea-raise", imported, "-o", raised)
    return imported, raised, x, y


def test_raised_structure(block):
    _, raised, _, _ = block
    text = raised.read_text()
    ops = re.findall(r"linea\.attention [^\n]*", text)
    assert len(ops) == 1, text
    (op,) = ops
    assert "causal" in op and " mask " not in op
    # q [1, 8, 16, 32], k and v un-repeated: [1, 2, 16, 32].
    assert op.count("tensor<1x2x16x32xf32>") == 2, op
    assert "tensor<1x8x16x32xf32>" in op
    assert "linalg.batch_matmul" not in text


def test_raised_linear_and_norms(block):
    _, raised, _, _ = block
    text = raised.read_text()
    linears = re.findall(r"linea\.linear [^\n]*", text)
    if not linears and "linea.rms_norm" not in text:
        pytest.skip("linear/norm raising not present in this build")
    assert len(linears) == 7, text
    assert len(re.findall(r"linea\.rms_norm ", text)) == 2, text
    assert "linalg.matmul" not in text


def test_report_lists_projections(block):
    imported, raised, _, _ = block
    if "linea.linear " not in raised.read_text():
        pytest.skip("linear raising not present in this build")
    report = run_tool("linea-opt", "--linea-raise", "--linea-report", imported, "-o", "/dev/null")
    rows = [line for line in report.splitlines() if "/MatMul" in line]
    assert len(rows) == 7, report
    for name in PROJECTIONS:
        assert sum(f"/{name}/" in row for row in rows) == 1, report


def test_matches_torch(block, tmp_path):
    imported, raised, x, y = block
    (raised_y,) = tools.run_mlir(raised.read_text(), [x])
    np.testing.assert_allclose(raised_y, y, rtol=1e-4, atol=1e-4)
    (plain_y,) = tools.run_mlir(imported.read_text(), [x])
    np.testing.assert_allclose(raised_y, plain_y, rtol=1e-4, atol=1e-4)


def test_other_shapes_match_torch(tmp_path):
    # MHA (kv_heads = heads), batch 2 and a sequence that is not a power of 2.
    path, x, y = llama_block.export(tmp_path, hidden=64, heads=4, kv_heads=4,
                                    ffn=96, seq=7, batch=2, seed=3)
    raised = tmp_path / "raised.mlir"
    run_tool("linea-import-onnx", path, "-o", tmp_path / "block.mlir")
    run_tool("linea-opt", "--linea-raise", tmp_path / "block.mlir", "-o", raised)
    text = raised.read_text()
    (op,) = re.findall(r"linea\.attention [^\n]*", text)
    assert "causal" in op and op.count("tensor<2x4x7x16xf32>") == 4, op
    (raised_y,) = tools.run_mlir(text, [x])
    np.testing.assert_allclose(raised_y, y, rtol=1e-4, atol=1e-4)
