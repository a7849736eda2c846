"""Custom-domain ai.linea nodes (docs/onnx-import.md, "Custom domain ai.linea")
built with onnx.helper, imported by linea-import-onnx, run with linea-run and
compared with the float64 numpy references of the ops' own numerical tests
(test_scan_numerics.py, test_attention_numerics.py), which are imported, not
copied. Also the importer's exit statuses on bad nodes."""

import subprocess

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from linea import tools  # noqa: E402
from test_attention_numerics import (PHI, attention_case, linear_case,  # noqa: E402
                                     ref_attention, ref_linear_attention)
from test_scan_numerics import (attention_inputs, check, decode, encode,  # noqa: E402
                                delta_rule_ref, gla_ref, linear_scan_inputs,
                                linear_scan_ref, representable, rng_for,
                                selective_scan_inputs, selective_scan_ref)

ONNX_TYPE = {"f32": TensorProto.FLOAT, "f16": TensorProto.FLOAT16,
             "bf16": TensorProto.BFLOAT16}


class Graph:
    """Collects the graph inputs (with the arrays fed to them) of one model."""

    def __init__(self):
        self.inputs, self.arrays, self.initializers = [], [], []

    def input(self, name, array, element="f32"):
        """A graph input `name` fed with `array` (f32 values representable in
        `element`); returns `name` for use in a node."""
        self.inputs.append(helper.make_tensor_value_info(name, ONNX_TYPE[element],
                                                         list(array.shape)))
        self.arrays.append(encode(array, element))
        return name

    def weight(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.asarray(array, np.float32), name))
        return name

    def model(self, nodes, outputs, linea_version=1):
        """`outputs`: names; their types are left to the importer."""
        graph = helper.make_graph(
            nodes, "g", self.inputs,
            [helper.make_empty_tensor_value_info(o) for o in outputs],
            initializer=self.initializers)
        return helper.make_model(graph, opset_imports=[
            helper.make_opsetid("", 17), helper.make_opsetid("ai.linea", linea_version)])


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, name=op.lower(), domain="ai.linea", **attrs)


def import_model(model, tmp_path):
    path = tmp_path / "model.onnx"
    onnx.save(model, str(path))
    return subprocess.run([tools.tool("linea-import-onnx"), str(path)],
                          capture_output=True, text=True)


def run(graph, nodes, outputs, tmp_path):
    proc = import_model(graph.model(nodes, outputs), tmp_path)
    assert proc.returncode == 0, proc.stderr
    return [decode(y) for y in tools.run_mlir(proc.stdout, graph.arrays)]


# ---------------------------------------------------------------------------
# LinearScan, SelectiveScan
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("element", ["f32", "f16"])
@pytest.mark.parametrize("with_h0", [False, True])
def test_linear_scan(tmp_path, element, with_h0):
    a, b, h0 = linear_scan_inputs(rng_for("onnx-ls", element, with_h0), (2, 7, 5), element,
                                  with_h0)
    g = Graph()
    ins = [g.input("a", a, element), g.input("b", b, element)]
    if with_h0:
        ins.append(g.input("h0", h0))
    (h,) = run(g, [node("LinearScan", ins, ["h"])], ["h"], tmp_path)
    check(h, linear_scan_ref(a, b, h0), element)


# Optional inputs present (in op order: D_skip, z, delta_bias, initial_state);
# absent ones in the middle are written "".
@pytest.mark.parametrize("present", [(), ("z",), ("D", "delta_bias"), ("D", "z", "delta_bias", "h0")],
                         ids=["none", "gate_only", "skip_and_bias", "all"])
@pytest.mark.parametrize("softplus", [False, True], ids=["raw", "softplus"])
def test_selective_scan(tmp_path, present, softplus):
    inputs = selective_scan_inputs(rng_for("onnx-ss", present, softplus), 2, 6, 5, 3,
                                   present=present, softplus=softplus)
    g = Graph()
    names = [g.input(n, inputs[n]) if n in inputs else ""
             for n in ("u", "delta", "A", "B", "C", "D", "z", "delta_bias", "h0")]
    while not names[-1]:
        names.pop()
    attrs = {"delta_softplus": 1} if softplus else {}
    y, hT = run(g, [node("SelectiveScan", names, ["y", "hT"], **attrs)], ["y", "hT"], tmp_path)
    y_ref, h_ref = selective_scan_ref(**inputs, delta_softplus=softplus)
    check(y, y_ref)
    check(hT, h_ref)


def test_mamba_parameters_from_onnx_ops(tmp_path):
    # A = -exp(A_log) and the skip come from initializers through standard
    # ONNX ops, as an exported Mamba layer computes them; only y is returned.
    rng = rng_for("onnx-mamba")
    inputs = selective_scan_inputs(rng, 1, 5, 4, 3, present=("D",), softplus=True)
    a_log = np.log(-inputs["A"]).astype(np.float32)
    g = Graph()
    names = [g.input("u", inputs["u"]), g.input("delta", inputs["delta"]), "A",
             g.input("B", inputs["B"]), g.input("C", inputs["C"]), g.weight("D", inputs["D"])]
    g.weight("A_log", a_log)
    nodes = [helper.make_node("Exp", ["A_log"], ["A_exp"]),
             helper.make_node("Neg", ["A_exp"], ["A"]),
             node("SelectiveScan", names, ["y"], delta_softplus=1)]
    (y,) = run(g, nodes, ["y"], tmp_path)
    y_ref, _ = selective_scan_ref(**{**inputs, "A": -np.exp(a_log.astype(np.float64))},
                                  delta_softplus=True)
    check(y, y_ref)


# ---------------------------------------------------------------------------
# GatedLinearAttention, DeltaRule
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("op,kind", [("GatedLinearAttention", "gated_linear_attention"),
                                     ("DeltaRule", "delta_rule")])
@pytest.mark.parametrize("with_s0", [False, True], ids=["zero_state", "initial_state"])
@pytest.mark.parametrize("scale", [None, 0.75], ids=["default_scale", "scale"])
def test_gated_scans(tmp_path, op, kind, with_s0, scale):
    inputs = attention_inputs(rng_for("onnx", kind, with_s0, scale), kind, 2, 3, 5, 4, 6,
                              with_s0=with_s0)
    g = Graph()
    names = [g.input(n, inputs[n]) for n in ("q", "k", "v", "gate")]
    if with_s0:
        names.append(g.input("s0", inputs["s0"]))
    attrs = {} if scale is None else {"scale": scale}
    o, sT = run(g, [node(op, names, ["o", "sT"], **attrs)], ["o", "sT"], tmp_path)
    ref = gla_ref if kind == "gated_linear_attention" else delta_rule_ref
    o_ref, s_ref = ref(inputs["q"], inputs["k"], inputs["v"], inputs["gate"], inputs.get("s0"),
                       scale)
    check(o, o_ref)
    check(sT, s_ref)


@pytest.mark.parametrize("element", ["f16", "bf16"])
def test_gated_linear_attention_half(tmp_path, element):
    # f16/bf16 activations, f32 gate and states: o has the activations' type.
    kind = "gated_linear_attention"
    inputs = attention_inputs(rng_for("onnx-half", element), kind, 1, 2, 6, 4, 4,
                              element=element, with_s0=True)
    g = Graph()
    names = [g.input(n, inputs[n], element) for n in ("q", "k", "v")]
    names += [g.input("gate", inputs["gate"]), g.input("s0", inputs["s0"])]
    o, sT = run(g, [node("GatedLinearAttention", names, ["o", "sT"])], ["o", "sT"], tmp_path)
    o_ref, s_ref = gla_ref(inputs["q"], inputs["k"], inputs["v"], inputs["gate"], inputs["s0"])
    check(o, o_ref, element)
    check(sT, s_ref)


# ---------------------------------------------------------------------------
# LinearAttention, Attention
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("feature_map", sorted(PHI))
@pytest.mark.parametrize("causal", [False, True])
def test_linear_attention(tmp_path, feature_map, causal):
    q, k, v = linear_case(rng_for("onnx-la", feature_map, causal), feature_map)
    g = Graph()
    names = [g.input(n, x) for n, x in (("q", q), ("k", k), ("v", v))]
    (o,) = run(g, [node("LinearAttention", names, ["o"], feature_map=feature_map,
                        causal=int(causal), epsilon=1e-3)], ["o"], tmp_path)
    np.testing.assert_allclose(o, ref_linear_attention(q, k, v, feature_map, causal, eps=1e-3),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("heads,kv_heads,s_len,t_len,causal,mask_shape,scale", [
    (4, 4, 5, 7, False, None, None),               # MHA
    (8, 2, 6, 6, True, None, None),                # GQA, causal
    (4, 1, 3, 7, True, None, 0.3),                 # MQA over a KV cache
    (4, 2, 5, 7, False, (1, 1, 5, 7), None),       # additive mask
    (6, 3, 4, 4, True, (2, 6, 1, 4), 0.5),         # per-head key mask, causal
], ids=["mha", "gqa_causal", "mqa_cache", "mask", "head_mask_causal"])
def test_attention(tmp_path, heads, kv_heads, s_len, t_len, causal, mask_shape, scale):
    rng = rng_for("onnx-attn", heads, kv_heads, s_len, t_len, causal, mask_shape)
    q, k, v = attention_case(rng, 2, heads, kv_heads, s_len, t_len, 8, 6)
    mask = None if mask_shape is None else rng.standard_normal(mask_shape).astype(np.float32)
    g = Graph()
    names = [g.input(n, x) for n, x in (("q", q), ("k", k), ("v", v))]
    if mask is not None:
        names.append(g.input("mask", mask))
    attrs = {"causal": int(causal)}
    if scale is not None:
        attrs["scale"] = scale
    (o,) = run(g, [node("Attention", names, ["o"], **attrs)], ["o"], tmp_path)
    np.testing.assert_allclose(o, ref_attention(q, k, v, mask, scale, causal),
                               rtol=1e-4, atol=1e-5)


def test_attention_bf16(tmp_path):
    rng = rng_for("onnx-attn-bf16")
    q, k, v = (representable(x, "bf16") for x in attention_case(rng, 1, 4, 2, 5, 5, 8, 8))
    g = Graph()
    names = [g.input(n, x, "bf16") for n, x in (("q", q), ("k", k), ("v", v))]
    (o,) = run(g, [node("Attention", names, ["o"], causal=1)], ["o"], tmp_path)
    check(o, ref_attention(q, k, v, causal=True), "bf16")


# ---------------------------------------------------------------------------
# Exit statuses
# ---------------------------------------------------------------------------


def scan_graph():
    g = Graph()
    x = np.zeros((1, 1, 3, 2), np.float32)
    return g, [g.input("a", x), g.input("b", x)]


@pytest.mark.parametrize("case,status,message", [
    ("bad_attribute", 1, "attribute 'causal' must be 0 or 1, but is 3"),
    ("unknown_op", 2, "ai.linea.Mamba2 (not an op of ai.linea version 1"),
    ("version", 2, "the model imports domain ai.linea version 3"),
])
def test_exit_status(tmp_path, case, status, message):
    g, names = scan_graph()
    if case == "bad_attribute":
        model = g.model([node("LinearAttention", names + ["b"], ["o"], feature_map="relu",
                              causal=3)], ["o"])
    elif case == "unknown_op":
        model = g.model([node("Mamba2", names, ["o"])], ["o"])
    else:
        model = g.model([node("LinearScan", names, ["o"])], ["o"], linea_version=3)
    proc = import_model(model, tmp_path)
    assert proc.returncode == status, proc.stderr
    assert message in proc.stderr
