"""The whole-model CUDA path from Python, everything that runs without a
GPU: linea-compile --target=cuda --host-fallback on the shipped digits model
(manifest, host_ops, weights.npz), the launch plan in model order, the
digits host program with its layers in numpy against the CPU library, clear
errors where the GPU is missing, and the CUDA cost-model inputs
(bench/cuda/cost_model.py). The GPU half is scripts/cuda_python_check.py."""

import importlib.util
import json
import pathlib

import numpy as np
import pytest

import linea
from linea import digits, tools

ROOT = pathlib.Path(__file__).resolve().parents[2]
INT4 = ["linea-quantize{format=int4 group-size=128 only=/blocks*,/head/Gemm}"]
BATCH = 6


def cost_model_script():
    spec = importlib.util.spec_from_file_location("cuda_cost_model",
                                                  ROOT / "bench" / "cuda" / "cost_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pixels():
    return np.load(digits.DATA / "test_pixels.npy")[:BATCH]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    return linea.compile(digits.MODEL, rewrites=INT4, target="cuda", name="digits",
                         out_dir=tmp_path_factory.mktemp("cuda") / "digits",
                         dims={"batch": BATCH}, host_fallback=True)


def test_without_host_fallback_the_compile_says_what_to_do(tmp_path):
    with pytest.raises(linea.CompileError, match="--host-fallback leaves layers"):
        linea.compile(digits.MODEL, rewrites=INT4, target="cuda", out_dir=tmp_path,
                      dims={"batch": BATCH})


def test_host_ops_are_listed_with_their_reason(artifacts):
    ops = [(o["op"], o["layer"], o["reason"]) for o in artifacts.host_ops]
    # The embedding (K = 8, left f32 by the rewrite's only=) has no kernel;
    # the two f32 attention ops have (staged to f16), though the digits
    # host program computes attention in numpy.
    assert ops == [("linear", "/embed/MatMul",
                    "linea-to-gpu: dense weights must be bf16 or f16, got 'f32'")]
    attention = [e for e in artifacts.kernels if e["op"] == "attention"]
    assert len(attention) == 2 and all(e["element"] == "f32" and e["compute"] == "f16"
                                       for e in attention)
    assert ": 17 kernels, 1 host ops" in repr(artifacts)


def test_launch_plan_follows_the_model(artifacts):
    plan = artifacts.launch_plan()
    names = [row["name"] for row in artifacts.report["layers"]]
    assert [s["layer"] for s in plan] == names  # every layer, in model order
    assert plan[0] == {"layer": "/embed/MatMul", "where": "host", "symbol": None,
                       "reason": plan[0]["reason"]}
    gpu = [s for s in plan if s["where"] == "gpu"]
    assert len(gpu) == 15 and all(artifacts.kernel(s["symbol"])["op"] == "quant_linear"
                                  for s in gpu)
    # The host program calls every layer once, in the same order except
    # that up_proj comes before gate_proj, whose kernel multiplies by it.
    recorder = artifacts.host_layers()
    digits.forward(np.zeros((BATCH, 64), np.float32), recorder.linear, digits.host_params())
    swapped = list(names)
    for i, name in enumerate(names):
        if name.endswith("/gate_proj/MatMul"):
            swapped[i], swapped[i + 1] = names[i + 1], name
    assert recorder.calls == swapped


def test_weights_match_the_manifest(artifacts):
    for step in artifacts.launch_plan():
        if step["where"] == "gpu":
            entry = artifacts.kernel(step["symbol"])
            weights = artifacts.layer_weights(entry)  # checks dtype and shape
            assert [a["name"] for a in entry["args"][1:3]] == ["qweight", "scales"]
            # all but x, y and a fused epilogue's per-call operand
            assert len(weights) == len(entry["args"]) - 2 - ("combine" in entry.get(
                "epilogue", {}))
            assert weights[0].dtype == np.int8 and weights[0].shape == (entry["n"], entry["k"] // 2)
    weights = artifacts.weights()
    assert weights["/embed/MatMul/1"].shape == (128, 8)  # host layer: W, bias
    assert weights["/embed/MatMul/2"].shape == (128,)


def test_weights_file_mismatch_is_a_clear_error(artifacts, monkeypatch):
    entry = artifacts.kernel("/head/Gemm")
    broken = dict(artifacts.weights())
    broken["/head/Gemm/1"] = broken["/head/Gemm/1"][:, :4]
    monkeypatch.setattr(artifacts, "_weights", broken)
    with pytest.raises(linea.CudaError, match="'/head/Gemm/1' is int8 .* but argument 'qweight'"):
        artifacts.layer_weights(entry)


def test_host_program_matches_the_cpu_library(artifacts, pixels, tmp_path):
    cpu = linea.compile(digits.MODEL, rewrites=INT4, target="cpu", name="digits_cpu",
                        out_dir=tmp_path, dims={"batch": BATCH})
    expected = cpu(pixels)
    got = digits.forward(pixels, artifacts.host_layers().linear, digits.host_params())
    np.testing.assert_allclose(got, expected, rtol=2e-3, atol=2e-3)
    assert (got.argmax(1) == expected.argmax(1)).all()


def test_running_on_the_gpu_without_one_is_a_clear_error(artifacts, monkeypatch, tmp_path):
    monkeypatch.setenv("LINEA_CUDA_RUNTIME", str(tmp_path / "liblinea_cuda.so"))
    with pytest.raises(linea.CudaError, match="needs runtime/'s liblinea_cuda.so and a GPU"):
        artifacts.layers()
    with pytest.raises(linea.CudaError, match="host program with layers"):
        artifacts(pixels)


def test_cost_model_layers_compile_with_a_report(tmp_path):
    script = cost_model_script()
    (tmp_path / "layers.mlir").write_text(script.emit_mlir([256], [1, 16]))
    tools.run_checked([tools.tool("linea-compile"), tmp_path / "layers.mlir", "--target=cuda",
                       "--name", "cost", "--host-fallback", "-o", tmp_path,
                       f"--report={tmp_path / 'r.json'}", "--quiet"])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    report = {r["name"]: r["after"] for r in json.loads((tmp_path / "r.json").read_text())["layers"]}
    layers = {e["layer"] for e in manifest["kernels"]}
    host = {o["layer"] for o in manifest.get("host_ops", [])}
    # Every layer has a kernel or a reason; dense and int4/uint4 have kernels.
    assert layers | host == {script.layer_name(f, 256, m) for f in script.FORMS for m in (1, 16)}
    assert not layers & host
    assert {script.form_of(n) for n in layers} >= {"dense", "int4", "uint4"}
    for name in layers:
        assert report[name]["bytes"] > 0 and report[name]["flops_per_token"] > 0
        assert script.form_of(name) in script.FORMS
    # bsr_linear kernels get valid indices.
    for entry in manifest["kernels"]:
        if entry["op"] == "bsr_linear":
            idx = script.bsr_indices(entry)
            assert idx["row_offsets"][-1] == len(idx["col_indices"])
            assert idx["col_indices"].max() < entry["k"] // entry["args"][1]["shape"][2]


def test_shipped_cuda_cost_model_is_valid_and_planner_reads_it(tmp_path):
    script = cost_model_script()
    model = json.loads((ROOT / "bench" / "cost-models" / "cuda.json").read_text())
    assert model["target"] == "cuda" and script.validate(model) == []
    assert not set(model.get("no_kernel", {})) & set(model["forms"])
    bad = dict(model, no_kernel={"dense": "x"})
    assert script.validate(bad) == ["no_kernel.dense = 'x'"]


class FakeRuntime:
    """runtime/'s calls as CudaLayers makes them, on host memory: a launch
    reads x and the weights at the pointers it is given and computes the
    layer in numpy, so the test sees which kernel got which buffers."""

    def __init__(self, artifacts):
        self.artifacts, self.memory, self.launches, self.next = artifacts, {}, [], 1

    def alloc(self, nbytes):
        ptr, self.next = self.next, self.next + 1
        self.memory[ptr] = np.zeros(nbytes, np.uint8)
        return ptr

    def upload(self, array):
        ptr = self.alloc(np.asarray(array).nbytes)
        self.memory[ptr] = np.ascontiguousarray(array).view(np.uint8).reshape(-1).copy()
        return ptr

    def download(self, ptr, shape, dtype):
        return self.memory[ptr].view(dtype).reshape(shape).copy()

    def free(self, ptr):
        del self.memory[ptr]

    def launch(self, entry, pointers):
        self.launches.append((entry["symbol"], list(pointers)))
        specs = entry["args"]
        assert len(pointers) == len(specs)
        x = self.download(pointers[0], specs[0]["shape"], linea.cuda.numpy_dtype(specs[0]["dtype"]))
        named = {s["name"]: self.download(p, s["shape"], linea.cuda.numpy_dtype(s["dtype"]))
                 for p, s in zip(pointers[1:-1], specs[1:-1])}
        weights = [named[s["name"]] for s in specs[1:-1]
                   if s["name"] not in linea.cuda.WORKSPACES + linea.cuda.CALL_INPUTS]
        want = self.artifacts.layer_weights(entry)
        assert len(weights) == len(want)
        for got, expected in zip(weights, want):
            np.testing.assert_array_equal(got, expected)  # the resident copy of its own weights
        # A fused epilogue: the activation, then the per-call operand.
        fused = entry.get("epilogue") or {}
        combine = {fused["combine"]: named["residual"]} if fused.get("combine") else {}
        y = self.artifacts.host_layers().linear(entry["layer"], x, act=fused.get("activation"),
                                                **combine)
        self.memory[pointers[-1]] = y.astype(np.float32).view(np.uint8).reshape(-1)


def test_cuda_layers_launch_every_kernel_layer_in_model_order(artifacts, pixels, monkeypatch):
    fake = FakeRuntime(artifacts)
    monkeypatch.setattr(artifacts, "runtime", lambda: fake)
    params = digits.host_params()
    with artifacts.layers() as gpu:
        resident = len(fake.memory)
        got = digits.forward(pixels, gpu.linear, params)
        assert len(fake.memory) == resident  # x and y freed after each launch
    assert not fake.memory  # close() freed the weights
    plan = [p for p in artifacts.launch_plan() if p["where"] == "gpu"]
    # Each kernel layer once, in the host program's order: the plan's, but
    # for a kernel that fuses another layer's output (SwiGLU's gate takes
    # up), which comes after that layer.
    launched = [s for s, _ in fake.launches]
    assert sorted(launched) == sorted(p["symbol"] for p in plan)
    symbol = {p["layer"]: p["symbol"] for p in plan}
    assert launched == [symbol[c] for c in gpu.calls if c in symbol]
    fused = [e for e in artifacts.kernels if e.get("epilogue")]
    assert {e["epilogue"].get("activation") for e in fused} == {None, "silu"}
    assert {e["epilogue"].get("combine") for e in fused} == {"add", "mul"}
    expected = digits.forward(pixels, artifacts.host_layers().linear, params)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # A kernel that fuses an epilogue cannot give the bare projection.
    with artifacts.layers() as gpu, pytest.raises(linea.CudaError,
                                                  match="act='silu', mul="):
        gpu.linear("/blocks.0/gate_proj/MatMul", np.zeros((BATCH * 8, 128), np.float32))
    with artifacts.layers() as gpu, pytest.raises(ValueError, match="takes x of"):
        gpu.linear("/head/Gemm", np.zeros((BATCH + 1, 128), np.float32))
