"""linea-compile and linea.runtime: a library compiled ahead of time gives the
same outputs as linea-run (the JIT) on the same module and inputs, for every
layer form, with M = 1 and an odd M through a dynamic batch dimension, with
static (caller-allocated) and dynamic (library-allocated) outputs, f16 and
bf16, and for an ONNX model exported by torch. The rewritten forms come from
linea-compile --passes; linea-run runs the module linea-opt makes with the
same pipeline."""

import pathlib
import re
import subprocess
import sys
import time

import numpy as np
import pytest

import linea
from linea import tools
from linea.tools import hex_const

K, N = 64, 48
HEADS, KV_HEADS, S, T, D = 4, 2, 5, 7, 8

# Layer name → (pipeline element that rewrites it, op that must result).
FORMS = {
    "dense": (None, "linea.linear"),
    "q8": ("linea-quantize{format=int8 only=q8}", "linea.quant_linear"),
    "q4": ("linea-quantize{format=int4 group-size=32 only=q4}", "linea.quant_linear"),
    "lowrank": ("linea-lowrank{rank=8 only=lowrank}", "linea.lowrank_linear"),
    "blockdiag": ("linea-blockdiag{blocks=4 only=blockdiag}", "linea.blockdiag_linear"),
    "monarch": ("linea-monarch{blocks=4 rank=1 only=monarch}", "linea.monarch_linear"),
    "btt": ("linea-btt{rank=2 cores=4 only=btt}", "linea.btt_linear"),
    "kron": ("linea-kron{terms=2 only=kron}", "linea.kron_linear"),
    "blast": ("linea-blast{blocks=2 rank=4 iterations=3 only=blast}", "linea.blast_linear"),
    "shift": ("linea-shift-add{terms=2 only=shift}", "linea.shift_linear"),
    "bsr": ("linea-sparsify{pattern=block:4x4 sparsity=0.5 only=bsr}", "linea.bsr_linear"),
    "nm": ("linea-sparsify{pattern=2:4 only=nm}", "linea.nm_linear"),
}
PIPELINE = ",".join(p for p, _ in FORMS.values() if p)
OUTPUTS = list(FORMS) + ["norms", "attention"]


def layers_module():
    """@layers: every linear form on x [?, K] (one dense layer per form, to
    be rewritten by PIPELINE), RMSNorm → LayerNorm, and grouped-query causal
    attention on q/k/v with a dynamic batch; @half (static f16) and
    @brain (dynamic bf16) dense layers."""
    rng = np.random.default_rng(0)
    xt, yt = f"tensor<?x{K}xf32>", f"tensor<?x{N}xf32>"
    qt, kt = f"tensor<?x{HEADS}x{S}x{D}xf32>", f"tensor<?x{KV_HEADS}x{T}x{D}xf32>"
    body, results = [], []
    for name in FORMS:
        w = (rng.standard_normal((N, K)) / np.sqrt(K)).astype(np.float32)
        b = rng.standard_normal(N).astype(np.float32)
        wl, wt = hex_const(f"w_{name}", w, "f32")
        bl, bt = hex_const(f"b_{name}", b, "f32")
        body += [wl, bl, f'  %y_{name} = linea.linear %x, %w_{name} bias %b_{name} {{name = "{name}"}}'
                         f" : ({xt}, {wt}, {bt}) -> {yt}"]
        results.append((f"%y_{name}", yt))
    gl, gt = hex_const("g", (1 + 0.1 * rng.standard_normal(K)).astype(np.float32), "f32")
    bl, _ = hex_const("beta", rng.standard_normal(K).astype(np.float32), "f32")
    body += [gl, bl,
             f"  %n1 = linea.rms_norm %x weight %g {{epsilon = 1.000000e-05 : f32}} : ({xt}, {gt}) -> {xt}",
             f"  %n2 = linea.layer_norm %n1 weight %g bias %beta : ({xt}, {gt}, {gt}) -> {xt}",
             f"  %att = linea.attention %q, %k, %v {{causal}} : ({qt}, {kt}, {kt}) -> {qt}"]
    results += [("%n2", xt), ("%att", qt)]
    names = ", ".join(r for r, _ in results)
    types = ", ".join(t for _, t in results)
    layers = (f"func.func @layers(%x: {xt}, %q: {qt}, %k: {kt}, %v: {kt}) -> ({types}) {{\n"
              + "\n".join(body) + f"\n  return {names} : {types}\n}}\n")

    def dense(fn, element, xt, yt):
        w = (rng.standard_normal((N, K)) / np.sqrt(K)).astype(np.float32)
        stored = w.astype(np.float16) if element == "f16" else tools.f32_to_bf16_bits(w)
        wl, wt = hex_const("w", stored, element)
        return (f"func.func @{fn}(%x: {xt}) -> {yt} {{\n{wl}\n"
                f"  %y = linea.linear %x, %w : ({xt}, {wt}) -> {yt}\n  return %y : {yt}\n}}\n")

    return layers, (dense("half", "f16", f"tensor<3x{K}xf16>", f"tensor<3x{N}xf16>")
                    + dense("brain", "bf16", f"tensor<?x{K}xbf16>", f"tensor<?x{N}xbf16>"))


def run(*args):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return proc


def linea_run(module, fn, inputs, tmp):
    """Outputs of `fn` in `module` run by linea-run on `inputs`."""
    tmp.mkdir(parents=True, exist_ok=True)
    args = [tools.tool("linea-run"), module, "-e", fn, "-o", tmp / "out"]
    for i, a in enumerate(inputs):
        np.save(tmp / f"in{i}.npy", a)
        args += ["-i", tmp / f"in{i}.npy"]
    run(*args)
    count = len(list((tmp / "out").glob("out*.npy")))
    return [np.load(tmp / "out" / f"out{i}.npy") for i in range(count)]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """(library, reference module of @layers for linea-run, directory); the
    reference of @half and @brain (no rewrites) is <directory>/halves.mlir,
    apart so that linea-run compiles less."""
    tmp = tmp_path_factory.mktemp("compile")
    layers, halves = layers_module()
    source = tmp / "layers.mlir"
    source.write_text(layers + halves)
    (tmp / "halves.mlir").write_text(halves)
    start = time.perf_counter()
    run(tools.tool("linea-compile"), source, "--target=cpu", "--passes", PIPELINE,
        "--name", "layers", "-o", tmp / "lib")
    print(f"linea-compile: {time.perf_counter() - start:.2f} s")
    reference = tmp / "reference.mlir"
    run(tools.tool("linea-opt"), source, f"--pass-pipeline=builtin.module({PIPELINE})",
        "-o", reference)
    return linea.load(tmp / "lib"), reference, tmp


def test_rewrites_applied(compiled):
    """Each layer is in the form the test claims to compile."""
    _, reference, _ = compiled
    text = reference.read_text()
    for name, (_, op) in FORMS.items():
        lines = [l for l in text.splitlines() if f'name = "{name}"' in l]
        assert len(lines) == 1 and op + " " in lines[0], (name, lines)
    q4 = next(l for l in text.splitlines() if 'name = "q4"' in l)
    assert "int4" in q4, q4


_RUNS = {}


def outputs_for(compiled, m):
    """(compiled outputs, linea-run outputs) of @layers at batch m."""
    if m not in _RUNS:
        lib, reference, tmp = compiled
        rng = np.random.default_rng(m)
        inputs = [rng.standard_normal((m, K), dtype=np.float32),
                  rng.standard_normal((m, HEADS, S, D), dtype=np.float32),
                  rng.standard_normal((m, KV_HEADS, T, D), dtype=np.float32),
                  rng.standard_normal((m, KV_HEADS, T, D), dtype=np.float32)]
        before = [a.copy() for a in inputs]
        _RUNS[m] = (lib.layers(*inputs), linea_run(reference, "layers", inputs, tmp / f"run{m}"))
        for a, b in zip(inputs, before):  # the library only reads its inputs
            np.testing.assert_array_equal(a, b)
    return _RUNS[m]


@pytest.mark.parametrize("m", [1, 5])
@pytest.mark.parametrize("form", OUTPUTS)
def test_layer_matches_linea_run(compiled, form, m):
    got, want = outputs_for(compiled, m)
    assert len(got) == len(want) == len(OUTPUTS)
    i = OUTPUTS.index(form)
    assert got[i].dtype == want[i].dtype and got[i].shape == want[i].shape, \
        (form, got[i].dtype, got[i].shape, want[i].dtype, want[i].shape)
    assert got[i].shape[0] == m
    np.testing.assert_allclose(got[i], want[i], rtol=1e-5, atol=1e-5, err_msg=form)


def test_static_f16(compiled):
    """Caller-allocated output of a static shape, f16 in and out."""
    lib, _, tmp = compiled
    x = np.random.default_rng(7).standard_normal((3, K)).astype(np.float16)
    (y,) = lib.half(x)
    (want,) = linea_run(tmp / "halves.mlir", "half", [x], tmp / "half")
    assert y.dtype == np.float16 and y.shape == (3, N)
    np.testing.assert_array_equal(y, want)


def test_dynamic_bf16(compiled):
    """bf16 as uint16 bit patterns in and out, batch 7."""
    lib, _, tmp = compiled
    x = tools.f32_to_bf16_bits(np.random.default_rng(8).standard_normal((7, K)))
    (y,) = lib.brain(x)
    (want,) = linea_run(tmp / "halves.mlir", "brain", [x], tmp / "brain")
    assert y.dtype == np.uint16 and y.shape == (7, N)
    np.testing.assert_array_equal(y, want.view(np.uint16))


def test_runtime_checks_inputs(compiled):
    lib, _, _ = compiled
    x = np.zeros((2, K), np.float32)
    q = np.zeros((2, HEADS, S, D), np.float32)
    kv = np.zeros((2, KV_HEADS, T, D), np.float32)
    with pytest.raises(ValueError, match=r"layers: input 'in0' must be f32\[\?, 64\], got float64\[2, 64\]"):
        lib.layers(x.astype(np.float64), q, kv, kv)
    with pytest.raises(ValueError, match=r"input 'in1' must be f32\[\?, 4, 5, 8\], got float32\[2, 4, 6, 8\]"):
        lib.layers(x, np.zeros((2, HEADS, S + 1, D), np.float32), kv, kv)
    with pytest.raises(ValueError, match=r"half: input 'in0' must be f16\[3, 64\], got float16\[4, 64\]"):
        lib.half(np.zeros((4, K), np.float16))
    with pytest.raises(TypeError, match="layers takes 4 inputs"):
        lib.layers(x)
    with pytest.raises(TypeError, match="has 3 functions"):
        lib(x)
    with pytest.raises(AttributeError, match="no function 'nope'"):
        lib.nope


def test_header_documents_arguments(compiled):
    _, _, tmp = compiled
    header = (tmp / "lib" / "layers.h").read_text()
    assert re.search(r"int layers_brain\(\n\s+const uint16_t \*in0,\s+/\* input \"in0\": bf16\[in0_dim0, 64\] \*/\n"
                     r"\s+int64_t in0_dim0,\s+/\* size of dimension 0 of in0 \*/\n"
                     r"\s+linea_tensor \*out0\);\s+/\* output \"out0\": bf16\[\?, 48\], allocated by the library \*/",
                     header), header
    assert re.search(r"int layers_half\(\n\s+const uint16_t \*in0,\s+/\* input \"in0\": f16\[3, 64\] \*/\n"
                     r"\s+uint16_t \*out0\);\s+/\* output \"out0\": f16\[3, 48\] \*/", header), header


NAMES = """
func.func @"odd.name"(%a: tensor<2x3xf32> {onnx.name = "input.1"},
                      %b: tensor<2x3xf32> {onnx.name = "free"},
                      %c: tensor<?x3xf32> {onnx.name = "input_1"})
    -> (tensor<2x3xf32> {onnx.name = "shape"}, tensor<?x3xf32>, tensor<2x2xf32>) {
  %s = arith.addf %a, %b : tensor<2x3xf32>
  %t = arith.mulf %c, %c : tensor<?x3xf32>
  %e = tensor.extract_slice %b[0, 0] [2, 2] [1, 2] : tensor<2x3xf32> to tensor<2x2xf32>
  return %s, %t, %e : tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x2xf32>
}
"""


def test_names_and_strided_result(tmp_path):
    """ONNX names that are not C identifiers (or clash) become unique C
    names, a symbol with a '.' is still called, and a strided view of an
    input comes back as a copy (through the wrapper's memrefCopy)."""
    (tmp_path / "names.mlir").write_text(NAMES)
    run(tools.tool("linea-compile"), tmp_path / "names.mlir", "-o", tmp_path / "lib")
    header = (tmp_path / "lib" / "names.h").read_text()
    for decl in ['const float *input_1,', 'const float *t_free,', 'const float *input_1_2,',
                 'int64_t input_1_2_dim0,', 'float *shape,', 'linea_tensor *out1,', 'float *out2);',
                 'int names_odd_name(']:
        assert decl in header, (decl, header)
    assert "memrefCopy" in (tmp_path / "lib" / "names_wrapper.c").read_text()
    fn = linea.load(tmp_path / "lib").functions["odd.name"]
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 2, 3), dtype=np.float32)
    c = rng.standard_normal((5, 3), dtype=np.float32)
    before = [a.copy(), b.copy(), c.copy()]
    s, t, e = fn(a, b, c)
    np.testing.assert_array_equal(s, a + b)
    np.testing.assert_array_equal(t, c * c)
    np.testing.assert_array_equal(e, b[:, ::2])
    for x, y in zip([a, b, c], before):  # inputs are read only
        np.testing.assert_array_equal(x, y)


# A C program for a compiled torch model (@main(x) -> y, static shapes):
# reads x as raw f32 from argv[1], writes y to argv[2], as the README's
# C example calls a library.
C_DRIVER = """
#include "{name}.h"
#include <stdio.h>
static float x[{nx}], y[{ny}];
int main(int argc, char **argv) {{
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(x, sizeof(float), {nx}, f) != {nx}) return 2;
  fclose(f);
  if ({name}_main(x, y) != 0) {{
    fprintf(stderr, "%s\\n", {name}_last_error());
    return 1;
  }}
  f = fopen(argv[2], "wb");
  if (!f || fwrite(y, sizeof(float), {ny}, f) != {ny}) return 3;
  return fclose(f) != 0;
}}
"""


def export_torch_model(model, out_dir):
    """(onnx path, x, torch output) of a README torch example."""
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))
    if model == "llama":
        import llama_block
        return llama_block.export(out_dir)
    import torch_examples
    return torch_examples.export(model, out_dir)


@pytest.mark.parametrize("model", ["mlp", "encoder", "llama"])
def test_onnx_model(tmp_path, model):
    """The torch models of the README (scripts/onnx-example.sh) exported to
    ONNX: compiled straight from the .onnx, each matches linea-run on the
    imported and raised module and torch, called from Python and from a C
    program built against the header."""
    path, x, y_torch = export_torch_model(model, tmp_path)
    start = time.perf_counter()
    run(tools.tool("linea-compile"), path, "--target=cpu", "-o", tmp_path / "lib")
    print(f"linea-compile {path.name}: {time.perf_counter() - start:.2f} s")
    lib = linea.load(tmp_path / "lib")
    fn = lib.functions["main"]
    assert [t["name"] for t in fn.inputs] == ["x"] and [t["name"] for t in fn.outputs] == ["y"]
    (y,) = lib(x)

    name = path.stem
    (tmp_path / "app.c").write_text(C_DRIVER.format(name=name, nx=x.size, ny=y_torch.size))
    run("cc", "-std=c11", tmp_path / "app.c", f"-I{tmp_path / 'lib'}", f"-L{tmp_path / 'lib'}",
        f"-l{name}", f"-Wl,-rpath,{tmp_path / 'lib'}", "-o", tmp_path / "app")
    x.astype(np.float32).tofile(tmp_path / "x.f32")
    run(tmp_path / "app", tmp_path / "x.f32", tmp_path / "y.f32")
    y_c = np.fromfile(tmp_path / "y.f32", np.float32).reshape(y_torch.shape)
    np.testing.assert_array_equal(y_c, y)

    imported, raised = tmp_path / "imported.mlir", tmp_path / "raised.mlir"
    run(tools.tool("linea-import-onnx"), path, "-o", imported)
    run(tools.tool("linea-opt"), "--linea-raise", imported, "-o", raised)
    assert "linea.linear" in raised.read_text()
    (want,) = linea_run(raised, "main", [x], tmp_path / "run")
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y, y_torch, rtol=1e-4, atol=1e-4)


def test_reload_after_recompile(tmp_path):
    """A library rebuilt in place is loaded afresh in the same process
    (dlopen alone would hand back the first build's code)."""
    results = []
    for factor in (2.0, 3.0):
        (tmp_path / "scale.mlir").write_text(f"""
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {{
  %c = arith.constant dense<{factor}> : tensor<4xf32>
  %y = arith.mulf %x, %c : tensor<4xf32>
  return %y : tensor<4xf32>
}}
""")
        run(tools.tool("linea-compile"), tmp_path / "scale.mlir", "-o", tmp_path / "lib")
        (y,) = linea.load(tmp_path / "lib")(np.ones(4, np.float32))
        results.append(y)
    np.testing.assert_array_equal(results[0], np.full(4, 2.0, np.float32))
    np.testing.assert_array_equal(results[1], np.full(4, 3.0, np.float32))
