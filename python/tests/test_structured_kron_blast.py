"""linea-kron and linea-blast on an imported ONNX model: weights that have
the structure exactly are reproduced (outputs to 1e-4), and on unstructured
weights the output error that linea-run --compare and linea-report measure is
consistent with the `linea.weight_error` the passes record."""

import json
import pathlib
import re
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from linea import tools  # noqa: E402


def run(args, check=True):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def import_raised(model, example, tmp_path):
    """Exports `model` (opset 17), imports it and raises the contractions to
    linea.linear; returns the path of the raised module."""
    onnx_path = tmp_path / "model.onnx"
    torch.onnx.export(model, example, str(onnx_path), opset_version=17,
                      input_names=["x"], output_names=["y"])
    imported = tmp_path / "imported.mlir"
    imported.write_text(run([tools.tool("linea-import-onnx"), onnx_path]).stdout)
    raised = tmp_path / "raised.mlir"
    run([tools.tool("linea-opt"), imported, "--linea-raise", "-o", raised])
    assert raised.read_text().count("linea.linear") == sum(
        isinstance(m, torch.nn.Linear) for m in model.modules())
    return raised


def rewrite(source, pipeline, out):
    """Runs linea-opt `pipeline` on `source` into `out`; returns the
    recorded weight errors by layer name."""
    run([tools.tool("linea-opt"), source, pipeline, "-o", out])
    text = pathlib.Path(out).read_text()
    errors = {}
    for attrs in re.findall(r"\{([^{}]*linea\.weight_error[^{}]*)\}", text):
        error = float(re.search(r"linea\.weight_error = ([-+0-9.eE]+)", attrs).group(1))
        name = re.search(r'name = "([^"]*)"', attrs).group(1)
        errors[name] = error
    return errors


def compare(module, reference, seed=0):
    """linea-run --compare on random inputs: (max_abs, rel) of out0."""
    proc = run([tools.tool("linea-run"), module, "--compare", reference,
                "--random-inputs", "--seed", str(seed)], check=False)
    assert proc.returncode in (0, 1), proc.stderr
    m = re.search(r"out0: \S+  max_abs=(\S+)  rel=(\S+)", proc.stdout)
    return float(m.group(1)), float(m.group(2))


def report_output_error(module, reference, seed=0):
    """linea-report's comparison against `reference`: (max_abs, rel, rel_fro)."""
    proc = run([tools.tool("linea-opt"), module,
                f"--linea-report=reference={reference} seed={seed}",
                "-o", "/dev/null"])
    m = re.search(r"out0  \S+  max_abs=(\S+)  rel=(\S+)  rel_fro=(\S+)", proc.stdout)
    return tuple(float(g) for g in m.groups())


def mlp(weights):
    """Linear-ReLU-Linear with the given (W, b) pairs."""
    layers = []
    for i, (w, b) in enumerate(weights):
        if i:
            layers.append(torch.nn.ReLU())
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
    return torch.nn.Sequential(*layers).eval()


def kron_sum(rng, terms, n1, k1, n2, k2):
    return sum(np.kron(rng.standard_normal((n1, k1)), rng.standard_normal((n2, k2)))
               for _ in range(terms)).astype(np.float32)


def blast_matrix(rng, b, p, q, r):
    u = rng.standard_normal((b, p, r))
    s = rng.standard_normal((b, b, r))
    v = rng.standard_normal((b, q, r))
    w = np.einsum("iar,ijr,jgr->iajg", u, s, v).reshape(b * p, b * q)
    return (w / np.sqrt(r * q * b)).astype(np.float32)


def check_reproduces(model, example, rewritten, raised):
    """The rewritten module matches torch and the raised original to 1e-4."""
    x = example.numpy()
    want = model(example).detach().numpy()
    (got,) = tools.run_mlir(pathlib.Path(rewritten).read_text(), [x])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    max_abs, rel = compare(rewritten, raised)
    assert rel < 1e-4, (max_abs, rel)


def test_kron_exact_sum_reproduces_outputs(tmp_path):
    rng = np.random.default_rng(0)
    # Default shapes: 32×64 → a 4×8, b 8×8; 16×32 → a 4×4, b 4×8.
    w1 = kron_sum(rng, 2, 4, 8, 8, 8)
    w2 = kron_sum(rng, 2, 4, 4, 4, 8)
    model = mlp([(w1, rng.standard_normal(32).astype(np.float32)),
                 (w2, rng.standard_normal(16).astype(np.float32))])
    example = torch.randn(8, 64)
    raised = import_raised(model, example, tmp_path)
    out = tmp_path / "kron.mlir"
    errors = rewrite(raised, "--linea-kron=terms=2", out)
    assert set(errors) == {"/0/Gemm", "/2/Gemm"}
    assert all(e < 1e-5 for e in errors.values()), errors
    text = out.read_text()
    assert "tensor<2x4x8xf32>" in text and "tensor<2x4x4xf32>" in text
    check_reproduces(model, example, out, raised)


def test_blast_exact_matrix_reproduces_outputs(tmp_path):
    rng = np.random.default_rng(1)
    w1 = blast_matrix(rng, b=4, p=8, q=16, r=2)
    w2 = rng.standard_normal((16, 32)).astype(np.float32)
    model = mlp([(w1, rng.standard_normal(32).astype(np.float32)),
                 (w2, rng.standard_normal(16).astype(np.float32))])
    example = torch.randn(8, 64)
    raised = import_raised(model, example, tmp_path)
    out = tmp_path / "blast.mlir"
    errors = rewrite(raised, "--linea-blast=blocks=4 rank=2 iterations=500 "
                     "tolerance=0 only=/0/Gemm", out)
    assert list(errors) == ["/0/Gemm"]
    assert errors["/0/Gemm"] < 1e-4, errors
    assert "linea.blast_linear" in out.read_text()
    check_reproduces(model, example, out, raised)


@pytest.mark.parametrize("pipeline", ["--linea-kron=terms=4",
                                      "--linea-blast=blocks=4 rank=12"])
def test_output_error_tracks_weight_error(pipeline, tmp_path):
    # One bias-free layer on iid inputs: E‖x·(W − Ŵ)ᵀ‖² = E[x²]·‖W − Ŵ‖_F², so
    # the relative output error concentrates around the weight error.
    rng = np.random.default_rng(2)
    w = rng.standard_normal((64, 64)).astype(np.float32)
    lin = torch.nn.Linear(64, 64, bias=False)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(w))
    example = torch.randn(64, 64)
    raised = import_raised(lin.eval(), example, tmp_path)
    out = tmp_path / "rewritten.mlir"
    (weight_error,) = rewrite(raised, pipeline, out).values()
    assert 0.05 < weight_error < 1.0
    max_abs, rel, rel_fro = report_output_error(out, raised, seed=3)
    assert 0.8 * weight_error < rel_fro < 1.2 * weight_error, (rel_fro, weight_error)
    # linea-report and linea-run --compare draw the same inputs from a seed.
    run_max_abs, run_rel = compare(out, raised, seed=3)
    assert run_max_abs == pytest.approx(max_abs, rel=1e-3)
    assert run_rel == pytest.approx(rel, rel=1e-3)


def test_mlp_report_lists_weight_and_output_errors(tmp_path):
    rng = np.random.default_rng(3)
    model = mlp([(rng.standard_normal((32, 64)).astype(np.float32) / 8,
                  np.zeros(32, np.float32)),
                 (rng.standard_normal((16, 32)).astype(np.float32) / 6,
                  np.zeros(16, np.float32))])
    example = torch.randn(16, 64)
    raised = import_raised(model, example, tmp_path)
    out = tmp_path / "kron.mlir"
    errors = rewrite(raised, "--linea-kron=terms=2", out)
    proc = run([tools.tool("linea-opt"), out,
                f"--linea-report=reference={raised} table=false json=-",
                "-o", "/dev/null"])
    doc = json.loads(proc.stdout)
    assert [l["weight_error"] for l in doc["layers"]] == pytest.approx(
        [errors["/0/Gemm"], errors["/2/Gemm"]], rel=1e-6)
    (output,) = doc["output_error"]["outputs"]
    # Two lossy layers: the output moves, by no more than the errors compound.
    bound = (1 + errors["/0/Gemm"]) * (1 + errors["/2/Gemm"]) - 1
    assert 0.1 * bound < output["rel_frobenius_error"] < 2 * bound
    assert output["max_abs_error"] == pytest.approx(compare(out, raised)[0], rel=1e-3)


def test_report_output_error_on_npy_inputs(tmp_path):
    rng = np.random.default_rng(4)
    lin = torch.nn.Linear(32, 16)
    example = torch.randn(5, 32)
    raised = import_raised(lin.eval(), example, tmp_path)
    out = tmp_path / "blast.mlir"
    rewrite(raised, "--linea-blast=blocks=2 rank=3", out)
    x = tmp_path / "x.npy"
    np.save(x, rng.standard_normal((5, 32)).astype(np.float32))
    proc = run([tools.tool("linea-opt"), out,
                f"--linea-report=reference={raised} inputs={x}", "-o", "/dev/null"])
    assert f"({x})" in proc.stdout
    max_abs = float(re.search(r"out0  \S+  max_abs=(\S+)", proc.stdout).group(1))
    # The same comparison by linea-run on the same file.
    cmp = run([tools.tool("linea-run"), out, "-i", x, "--compare", raised], check=False)
    assert float(re.search(r"max_abs=(\S+)", cmp.stdout).group(1)) == pytest.approx(max_abs, rel=1e-3)
    assert max_abs > 0
    # Inputs of the wrong shape are a clear error, not a crash.
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((2, 32), np.float32))
    proc = run([tools.tool("linea-opt"), out,
                f"--linea-report=reference={raised} inputs={bad}", "-o", "/dev/null"],
               check=False)
    assert proc.returncode != 0
    assert "must be tensor<5x32xf32>, but is f32[2x32]" in proc.stderr
