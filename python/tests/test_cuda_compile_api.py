"""linea.compile(..., target="cuda"): the CUDA artifacts (PTX, manifest,
report) from Python, described by linea.CudaArtifacts, and clear
linea.CudaError messages where they cannot run (no runtime library, no GPU:
this machine). Runs no kernel."""

import pathlib

import numpy as np
import pytest

import linea
from linea import tools

N, K = 64, 256


def model_file(tmp_path) -> pathlib.Path:
    w = (np.random.default_rng(0).standard_normal((N, K)) * 0.05).astype(np.float32)
    weight, wtype = tools.hex_const("w", w, "f32")
    path = tmp_path / "layer.mlir"
    path.write_text(f"""
func.func @main(%x: tensor<1x{K}xf32>) -> tensor<1x{N}xf32> {{
{weight}
  %y = linea.linear %x, %w {{name = "fc"}} : (tensor<1x{K}xf32>, {wtype}) -> tensor<1x{N}xf32>
  return %y : tensor<1x{N}xf32>
}}
""")
    return path


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cuda")
    return linea.compile(model_file(tmp), rewrites=["linea-quantize{format=int4 group-size=128}"],
                         target="cuda", out_dir=tmp / "out")


def test_artifacts_are_described(artifacts):
    assert isinstance(artifacts, linea.CudaArtifacts)
    assert artifacts.ptx.exists() and ".entry" in artifacts.ptx.read_text()
    assert artifacts.manifest_path.exists()
    if artifacts.cubin is not None:
        assert artifacts.cubin.stat().st_size > 0
    assert len(artifacts.kernels) == 1
    kernel = artifacts.kernel("fc")
    assert kernel is artifacts.kernel(kernel["symbol"])
    assert (kernel["op"], kernel["m"], kernel["n"], kernel["k"]) == ("quant_linear", 1, N, K)
    assert [a["name"] for a in kernel["args"]] == ["x", "qweight", "scales", "y"]
    # The report is linea-compile's, as for the CPU.
    [layer] = artifacts.report["layers"]
    assert layer["name"] == "fc" and layer["after"]["form"] != layer["before"]["form"]
    assert ": 1 kernels, 0 host ops, cubin" in repr(artifacts)
    with pytest.raises(KeyError, match="no kernel or layer 'nope'"):
        artifacts.kernel("nope")


def test_running_without_runtime_or_gpu_is_a_clear_error(artifacts, monkeypatch, tmp_path):
    kernel = artifacts.kernel("fc")
    args = [np.zeros(a["shape"], {"f32": np.float32, "i8": np.int8}[a["dtype"]])
            for a in kernel["args"][:-1]]
    with pytest.raises(ValueError, match="takes 3 inputs"):
        artifacts.run_kernel("fc", *args[:2])
    with pytest.raises(ValueError, match="argument 'x' must be f32"):
        artifacts.run_kernel("fc", args[0].astype(np.float16), *args[1:])
    monkeypatch.setenv("LINEA_CUDA_RUNTIME", str(tmp_path / "liblinea_cuda.so"))
    with pytest.raises(linea.CudaError, match="needs runtime/'s liblinea_cuda.so and a GPU"):
        artifacts.run_kernel("fc", *args)
    with pytest.raises(linea.CudaError, match="no graph to run"):
        artifacts(args[0])


def test_a_runtime_without_a_gpu_is_a_clear_error(artifacts):
    library = linea.cuda.runtime_library()
    if library is None:
        pytest.skip("runtime/ not built here (cmake -S runtime -B build-rt)")
    kernel = artifacts.kernel("fc")
    args = [np.zeros(a["shape"], {"f32": np.float32, "i8": np.int8}[a["dtype"]])
            for a in kernel["args"][:-1]]
    try:
        artifacts.run_kernel("fc", *args)
    except linea.CudaError as e:
        assert "CUDA runtime" in str(e) or "lcu_init" in str(e), e
