"""linea.compile (python/linea/compiler.py) on the shipped trained digits
transformer: int8 and int4 weight quantization keep its held-out accuracy
(0.992 dense) at or above 0.98 while the report shows each layer's bytes
shrinking to what the format stores; the report's fields match what
the rewrites did; linea-compile's errors come back as linea.CompileError."""

import pathlib
import re

import numpy as np
import pytest

import linea
from linea.digits import DATA, MODEL
PIXELS = np.load(DATA / "test_pixels.npy")
LABELS = np.load(DATA / "test_labels.npy")

# rewrite → (bytes a quantized N×K layer stores, largest weight error).
# int8 per channel: a byte per weight and an f32 scale per row; int4 in
# groups of 128 (or of K when K is smaller): half a byte per weight and an f32
# scale per group.
REWRITES = {
    "int8": ("linea-quantize{format=int8}", lambda n, k: n * k + 4 * n, 0.02),
    "int4": ("linea-quantize{format=int4 group-size=128}",
             lambda n, k: n * k // 2 + 4 * n * -(-k // 128), 0.2),
}


@pytest.fixture(scope="module", params=sorted(REWRITES))
def compiled(request, tmp_path_factory):
    rewrite, stored, max_error = REWRITES[request.param]
    out = tmp_path_factory.mktemp(request.param)
    model = linea.compile(MODEL, rewrites=[rewrite], target="cpu", name="digits",
                          out_dir=out, dims={"batch": len(PIXELS)})
    return model, rewrite, stored, max_error


def test_accuracy_holds(compiled):
    model, rewrite, _, _ = compiled
    logits = model(PIXELS)
    assert logits.shape == (len(PIXELS), 10) and logits.dtype == np.float32
    accuracy = np.mean(logits.argmax(axis=1) == LABELS)
    print(f"{rewrite}: accuracy {accuracy:.4f}")
    assert accuracy >= 0.98, f"{rewrite}: accuracy {accuracy:.4f}"


def test_report_bytes_shrink(compiled):
    model, rewrite, stored, max_error = compiled
    report = model.report
    before, after = report["total"]["before"], report["total"]["after"]
    print(f"{rewrite}: bytes {before['bytes']} -> {after['bytes']}")
    quantized = 0
    for layer in report["layers"]:
        b, a = layer["before"], layer["after"]
        assert b["form"] == "linear" and b["weight_error"] is None
        # Dense f32 weights: 4 bytes a parameter before the rewrite.
        assert b["bytes"] == 4 * b["out_features"] * b["in_features"]
        assert (a["out_features"], a["in_features"]) == (b["out_features"], b["in_features"])
        if a["form"] == "quant_linear":
            quantized += 1
            assert a["bytes"] == stored(a["out_features"], a["in_features"]), layer
            assert 0 < a["weight_error"] <= max_error, layer
        else:
            assert a == b, layer
    # Every layer of this model is quantized: 3.5x (int8) and 7.5x (int4)
    # fewer bytes in all.
    assert quantized == len(report["layers"]) == 16
    assert sum(layer["after"]["bytes"] for layer in report["layers"]) == after["bytes"]
    assert before["bytes"] > 3.5 * after["bytes"]


def test_report_fields(compiled, tmp_path):
    model, rewrite, _, _ = compiled
    report = model.report
    assert report["passes"] == rewrite and report["target"] == "cpu"
    assert pathlib.Path(report["model"]) == MODEL
    assert pathlib.Path(report["library"]) == model.out_dir / "libdigits.so"
    assert model.header.exists() and "digits_main" in model.header.read_text()
    stages = [s["name"] for s in report["stages"]]
    assert stages == ["import", "raise", "passes", "lower", "codegen", "link"]
    assert all(s["seconds"] >= 0 for s in report["stages"])
    names = [layer["name"] for layer in report["layers"]]
    assert len(names) == len(set(names)) and len(names) > 10
    table = model.table()
    assert all(name in table for name in names)
    assert re.search(r"\blinear -> quant_linear\b", table)
    svg = model.plot(tmp_path / "plot.svg").read_text()
    points = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*><title>', svg)
    assert len(points) == len(names)
    # Every point inside the axes.
    for cx, cy in points:
        assert linea.svg.LEFT <= float(cx) <= linea.svg.WIDTH - linea.svg.RIGHT
        assert linea.svg.TOP <= float(cy) <= linea.svg.HEIGHT - linea.svg.BOTTOM


def test_opt_flag_spelling():
    """rewrite_configs' linea-opt flags work as rewrites too."""
    assert linea.compiler._pipeline_element("--linea-quantize=format=int4 group-size=128") \
        == "linea-quantize{format=int4 group-size=128}"
    assert linea.compiler._pipeline_element("--linea-rotate") == "linea-rotate"


def test_bad_rewrite_is_compile_error(tmp_path):
    with pytest.raises(linea.CompileError, match="'linea-bogus' does not refer to a registered pass"):
        linea.compile(MODEL, rewrites=["linea-bogus"], out_dir=tmp_path, dims={"batch": 1})
    with pytest.raises(linea.CompileError, match="unknown format 'int3'"):
        linea.compile(MODEL, rewrites=["linea-quantize{format=int3}"], out_dir=tmp_path,
                      dims={"batch": 1})


def test_symbolic_dim_says_what_to_pass(tmp_path):
    with pytest.raises(linea.CompileError, match="give its size with --dim batch=VALUE"):
        linea.compile(MODEL, out_dir=tmp_path)


def test_unknown_target(tmp_path):
    with pytest.raises(linea.CompileError, match="unknown --target 'tpu'"):
        linea.compile(MODEL, target="tpu", out_dir=tmp_path, dims={"batch": 1})
