#!/usr/bin/python3
"""Builds the ai.linea custom-domain models of the linea-import-onnx lit tests
(docs/onnx-import.md, "Custom domain ai.linea").

Usage: linea_domain.py NAME OUT.onnx   (see MODELS below for the names)
Run with Debian's /usr/bin/python3 (python3-onnx).
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
F16 = TensorProto.FLOAT16
I64 = TensorProto.INT64


def node(op, inputs, outputs, name, **attrs):
    return helper.make_node(op, inputs, outputs, name=name, domain="ai.linea",
                            **attrs)


def model(nodes, inputs, outputs, initializers=(), linea=1, onnx_opset=17):
    """`linea`: the ai.linea version imported, or None for no import."""
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=list(initializers))
    opsets = [helper.make_opsetid("", onnx_opset)]
    if linea is not None:
        opsets.append(helper.make_opsetid("ai.linea", linea))
    return helper.make_model(graph, opset_imports=opsets)


def vi(name, shape, elem=F):
    return helper.make_tensor_value_info(name, elem, shape)


def attr(name, value, type_):
    """An attribute of an explicit type (to test type errors)."""
    a = helper.make_attribute(name, value)
    assert a.type == type_, (a.type, type_)
    return a


# ---- Models that import --------------------------------------------------


def all_ops():
    """One node of each ai.linea op, with optional inputs given, skipped in
    the middle ("") and left off, and optional outputs omitted."""
    a_param = -np.linspace(0.5, 2.0, 12, dtype=np.float32).reshape(4, 3)
    nodes = [
        node("LinearScan", ["a", "b", "h0"], ["h"], "scan"),
        node("SelectiveScan", ["u", "dt", "A", "Bm", "Cm", "", "z"],
             ["y", "yT"], "mamba", delta_softplus=1),
        node("LinearAttention", ["lq", "lk", "lv"], ["lo"], "linattn",
             feature_map="elu_plus_one", causal=1),
        node("GatedLinearAttention", ["q", "k", "v", "g"], ["go", "gT"], "gla",
             scale=0.5),
        node("DeltaRule", ["q", "k", "v", "beta", "s0"], ["do"], "delta"),
        node("Attention", ["aq", "ak", "av", "mask"], ["ao"], "attn",
             causal=1, scale=0.25),
    ]
    inputs = [vi("a", [2, 5, 4]), vi("b", [2, 5, 4]), vi("h0", [2, 4]),
              vi("u", [2, 5, 4]), vi("dt", [2, 5, 4]), vi("Bm", [2, 5, 3]),
              vi("Cm", [2, 5, 3]), vi("z", [2, 5, 4]),
              vi("lq", [1, 2, 6, 4]), vi("lk", [1, 2, 6, 4]),
              vi("lv", [1, 2, 6, 3]),
              vi("q", [1, 2, 6, 4]), vi("k", [1, 2, 6, 4]), vi("v", [1, 2, 6, 3]),
              vi("g", [1, 2, 6, 4]), vi("beta", [1, 2, 6]),
              vi("s0", [1, 2, 4, 3]),
              vi("aq", [1, 4, 5, 8]), vi("ak", [1, 2, 7, 8]),
              vi("av", [1, 2, 7, 8]), vi("mask", [1, 1, 5, 7])]
    outputs = [vi("h", [2, 5, 4]), vi("y", [2, 5, 4]), vi("yT", [2, 4, 3]),
               vi("lo", [1, 2, 6, 3]), vi("go", [1, 2, 6, 3]),
               vi("gT", [1, 2, 4, 3]), vi("do", [1, 2, 6, 3]),
               vi("ao", [1, 4, 5, 8])]
    return model(nodes, inputs, outputs,
                 [numpy_helper.from_array(a_param, "A")])


def half():
    """f16 activations with an f32 gate and an f32 initial state."""
    return model(
        [node("GatedLinearAttention", ["q", "k", "v", "g", "s0"], ["o", "sT"],
              "gla16")],
        [vi("q", [1, 2, 3, 4], F16), vi("k", [1, 2, 3, 4], F16),
         vi("v", [1, 2, 3, 4], F16), vi("g", [1, 2, 3, 4]),
         vi("s0", [1, 2, 4, 4])],
        [vi("o", [1, 2, 3, 4], F16), vi("sT", [1, 2, 4, 4])])


# ---- Models that must be refused -----------------------------------------


def scan(inputs, shapes, elem=None, outputs=("h",), **attrs):
    """A LinearScan node 'bad' over graph inputs of `shapes`."""
    elem = elem or [F] * len(shapes)
    return model([node("LinearScan", inputs, list(outputs), "bad", **attrs)],
                 [vi(n, s, e) for n, s, e in zip(inputs, shapes, elem) if n],
                 [vi(o, None) for o in outputs])


def attention(shapes, elem=F, **attrs):
    names = ["q", "k", "v", "mask"][:len(shapes)]
    return model([node("Attention", names, ["o"], "bad", **attrs)],
                 [vi(n, s, elem) for n, s in zip(names, shapes)], [vi("o", None)])


QKV = ([1, 4, 5, 8], [1, 2, 7, 8], [1, 2, 7, 8])


def bad_rank():
    return scan(["a", "b"], [[2, 5, 4], [2, 5]])


def dim_mismatch():
    return model(
        [node("GatedLinearAttention", ["q", "k", "v", "g"], ["o"], "bad")],
        [vi("q", [1, 2, 6, 4]), vi("k", [1, 2, 6, 4]), vi("v", [1, 2, 5, 3]),
         vi("g", [1, 2, 6, 4])], [vi("o", None)])


def missing_input():
    return model(
        [node("SelectiveScan", ["u", "dt", "A", "Bm", ""], ["y"], "bad")],
        [vi(n, [2, 5, 4]) for n in ("u", "dt", "Bm")] + [vi("A", [4, 3])],
        [vi("y", None)])


def too_many_inputs():
    return scan(["a", "b", "h0", "x"], [[2, 5, 4], [2, 5, 4], [2, 4], [2]])


def too_many_outputs():
    return scan(["a", "b"], [[2, 5, 4], [2, 5, 4]], outputs=("h", "hT"))


def int_input():
    return scan(["a", "b"], [[2, 5, 4], [2, 5, 4]], elem=[I64, I64])


def elem_mismatch():
    return scan(["a", "b"], [[2, 5, 4], [2, 5, 4]], elem=[F, F16])


def state_f16():
    return scan(["a", "b", "h0"], [[2, 5, 4], [2, 5, 4], [2, 4]],
                elem=[F, F, F16])


def unknown_attr():
    return scan(["a", "b"], [[2, 5, 4], [2, 5, 4]], reverse=1)


def causal_two():
    return attention(QKV, causal=2)


def causal_typo():
    return attention(QKV, casual=1)


def scale_int():
    m = attention(QKV)
    m.graph.node[0].attribute.append(attr("scale", 2, onnx.AttributeProto.INT))
    return m


def scale_negative():
    return model(
        [node("DeltaRule", ["q", "k", "v", "beta"], ["o"], "bad", scale=-1.0)],
        [vi("q", [1, 2, 6, 4]), vi("k", [1, 2, 6, 4]), vi("v", [1, 2, 6, 3]),
         vi("beta", [1, 2, 6])], [vi("o", None)])


def heads():
    return attention(([1, 6, 5, 8], [1, 4, 7, 8], [1, 4, 7, 8]))


def mask_shape():
    return attention(QKV + ([1, 1, 3, 7],))


def mask_rank():
    return attention(QKV + ([5, 7],))


def zero_head_dim():
    return attention(([1, 4, 5, 0], [1, 2, 7, 0], [1, 2, 7, 8]))


def linear(**attrs):
    return model([node("LinearAttention", ["q", "k", "v"], ["o"], "bad", **attrs)],
                 [vi("q", [1, 2, 4, 4]), vi("k", [1, 2, 6, 4]),
                  vi("v", [1, 2, 6, 3])], [vi("o", None)])


def feature_map_missing():
    return linear()


def feature_map_bad():
    return linear(feature_map="tanh")


def linear_causal_lengths():
    return linear(feature_map="relu", causal=1)


def unknown_op():
    return model([node("Mamba2", ["x"], ["y"], "bad"),
                  node("LinearScan", ["x", "x"], ["z"], "fine")],
                 [vi("x", [1, 2, 3])], [vi("y", None), vi("z", [1, 2, 3])])


def version_two():
    m = scan(["a", "b"], [[2, 5, 4], [2, 5, 4]])
    m.opset_import[1].version = 2
    return m


def not_imported():
    m = scan(["a", "b"], [[2, 5, 4], [2, 5, 4]])
    del m.opset_import[1]
    return m


def onnx_attention():
    """The default domain's Attention (opset 23) is not in ONNX 1.12; at
    opset 17 it is no op at all."""
    return model([helper.make_node("Attention", ["q", "k", "v"], ["o"],
                                   name="std")],
                 [vi(n, s) for n, s in zip("qkv", QKV)], [vi("o", None)],
                 linea=None)


MODELS = {f.__name__: f for f in (
    all_ops, half, bad_rank, dim_mismatch, missing_input, too_many_inputs,
    too_many_outputs, int_input, elem_mismatch, state_f16, unknown_attr,
    causal_two, causal_typo, scale_int, scale_negative, heads, mask_shape,
    mask_rank, zero_head_dim, feature_map_missing, feature_map_bad,
    linear_causal_lengths, unknown_op, version_two, not_imported,
    onnx_attention)}


def main():
    name, out = sys.argv[1], sys.argv[2]
    onnx.save(MODELS[name](), out)


if __name__ == "__main__":
    main()
