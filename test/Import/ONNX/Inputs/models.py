#!/usr/bin/python3
"""Builds the small ONNX models of the linea-import-onnx lit tests.

Usage: models.py NAME OUT.onnx   (see MODELS below for the names)
Run with Debian's /usr/bin/python3 (python3-onnx).
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, initializers=(), opset=17, name="g",
          value_info=()):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers),
                              value_info=list(value_info))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


F = TensorProto.FLOAT
I64 = TensorProto.INT64


def elementwise():
    return model(
        [helper.make_node("Add", ["x", "b"], ["s"], name="add0"),
         helper.make_node("Relu", ["s"], ["r"], name="relu0"),
         helper.make_node("Equal", ["x", "b"], ["eq"], name="eq0")],
        [vi("x", F, [2, 3]), vi("b", F, [3])],
        [vi("r", F, [2, 3]), vi("eq", TensorProto.BOOL, [2, 3])])


def matmul():
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    return model(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="proj"),
         helper.make_node("Reshape", ["y", "shape"], ["y2"], name="flat"),
         helper.make_node("Gemm", ["y2", "wt", "c"], ["z"], name="gemm",
                          transB=1, alpha=2.0)],
        [vi("x", F, [2, 5, 4])],
        [vi("z", F, [10, 2])],
        [const("w", w), const("wt", np.ones((2, 3), np.float32)),
         const("c", np.zeros(2, np.float32)),
         const("shape", np.array([-1, 3], np.int64))])


def shape_chain():
    """torch's Shape→Gather→Unsqueeze→Concat→Reshape, and a
    ConstantOfShape→Equal→Where mask: all folded at import time."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
        helper.make_node("Gather", ["s", "one"], ["t"], axis=0),
        helper.make_node("Unsqueeze", ["b", "axes0"], ["bu"]),
        helper.make_node("Unsqueeze", ["t", "axes0"], ["tu"]),
        helper.make_node("Concat", ["bu", "tu", "heads", "minus1"], ["shape"],
                         axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y"], name="split_heads"),
        helper.make_node("ConstantOfShape", ["s"], ["ones"],
                         value=numpy_helper.from_array(np.array([1], np.int64))),
        helper.make_node("Mul", ["ones", "minus1"], ["neg"]),
        helper.make_node("Equal", ["neg", "minus1"], ["cond"]),
        helper.make_node("Where", ["cond", "ones", "neg"], ["sel"]),
        helper.make_node("Cast", ["sel"], ["self"], to=F),
        helper.make_node("Add", ["x", "self"], ["z"], name="add_mask"),
    ]
    return model(nodes, [vi("x", F, [2, 6, 8])],
                 [vi("y", F, [2, 6, 2, 4]), vi("z", F, [2, 6, 8])],
                 [const("zero", np.array(0, np.int64)),
                  const("one", np.array(1, np.int64)),
                  const("axes0", np.array([0], np.int64)),
                  const("heads", np.array([2], np.int64)),
                  const("minus1", np.array([-1], np.int64))], opset=13)


def slicing():
    nodes = [
        helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["a"], name="rev"),
        helper.make_node("Split", ["x"], ["p", "q"], axis=1, num_outputs=2,
                         name="halves"),
        helper.make_node("Concat", ["q", "p"], ["c"], axis=1, name="swap"),
        helper.make_node("Transpose", ["c"], ["t"], perm=[1, 0]),
        helper.make_node("Trilu", ["x"], ["lo"], upper=0),
    ]
    return model(nodes, [vi("x", F, [4, 6])],
                 [vi("a", F, [4, 3]), vi("t", F, [6, 4]), vi("lo", F, [4, 6])],
                 [const("st", np.array([-1], np.int64)),
                  const("en", np.array([-100], np.int64)),
                  const("ax", np.array([1], np.int64)),
                  const("sp", np.array([-2], np.int64))], opset=18)


def reductions():
    nodes = [
        helper.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=1),
        helper.make_node("ReduceSum", ["x", "axes"], ["s"], keepdims=0),
        helper.make_node("Softmax", ["x"], ["sm"], axis=1),
        helper.make_node("LayerNormalization", ["x", "g", "b"], ["ln"],
                         epsilon=1e-5),
        helper.make_node("Gelu", ["x"], ["ge"], approximate="tanh"),
    ]
    return model(nodes, [vi("x", F, [2, 3, 4])],
                 [vi("m", F, [2, 3, 1]), vi("s", F, [2, 3]),
                  vi("sm", F, [2, 3, 4]), vi("ln", F, [2, 3, 4]),
                  vi("ge", F, [2, 3, 4])],
                 [const("axes", np.array([-1], np.int64)),
                  const("g", np.ones(4, np.float32)),
                  const("b", np.zeros(4, np.float32))], opset=20)


def quant():
    """Per-tensor, per-axis and (opset 21) blocked DequantizeLinear, and a
    QuantizeLinear → MatMulInteger chain."""
    w = np.arange(-8, 8, dtype=np.int8).reshape(4, 4)
    nodes = [
        helper.make_node("DequantizeLinear", ["w", "s0", "z0"], ["w0"], name="dq_tensor"),
        helper.make_node("DequantizeLinear", ["w", "s1"], ["w1"], axis=1, name="dq_axis"),
        helper.make_node("DequantizeLinear", ["w", "s2"], ["w2"], axis=0,
                         block_size=2, name="dq_block"),
        helper.make_node("MatMul", ["x", "w2"], ["y"], name="qmm"),
        helper.make_node("QuantizeLinear", ["x", "s0", "zq"], ["xq"], name="q"),
        helper.make_node("MatMulInteger", ["xq", "wu"], ["yi"], name="mmi"),
    ]
    return model(nodes, [vi("x", F, [3, 4])],
                 [vi("w0", F, [4, 4]), vi("w1", F, [4, 4]), vi("y", F, [3, 4]),
                  vi("yi", TensorProto.INT32, [3, 4])],
                 [const("w", w), const("s0", np.float32(0.5)),
                  const("z0", np.int8(1)),
                  const("s1", np.array([1, 2, 3, 4], np.float32)),
                  const("s2", np.ones((2, 4), np.float32)),
                  const("zq", np.uint8(128)),
                  const("wu", np.ones((4, 4), np.uint8))], opset=21)


def unsupported():
    return model(
        [helper.make_node("Conv", ["x", "w"], ["a"], name="conv1"),
         helper.make_node("Relu", ["a"], ["b"], name="relu1"),
         helper.make_node("NonZero", ["b"], ["c"], name="nz1"),
         helper.make_node("FusedMatMul", ["b", "b"], ["d"], name="fused",
                          domain="com.microsoft")],
        [vi("x", F, [1, 1, 4, 4]), vi("w", F, [1, 1, 3, 3])],
        [vi("c", I64, [4, 2]), vi("d", F, [1, 1, 2, 2])])


def matmul_mismatch():
    return model([helper.make_node("MatMul", ["a", "b"], ["y"], name="bad_mm")],
                 [vi("a", F, [2, 64]), vi("b", F, [32, 8])], [vi("y", F, [2, 8])])


def declared_mismatch():
    return model([helper.make_node("Add", ["a", "a"], ["y"], name="add")],
                 [vi("a", F, [2, 3])], [vi("y", F, [2, 4])])


def symbolic():
    return model([helper.make_node("Relu", ["a"], ["y"])],
                 [vi("a", F, ["batch", 3])], [vi("y", F, ["batch", 3])])


def external(out):
    """A model whose weight lives in OUT.data (offset 64, like ONNX's own
    writer does for alignment), next to the model."""
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = numpy_helper.from_array(w, "w")
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    data = os.path.basename(out) + ".data"
    for k, v in (("location", data), ("offset", "64"), ("length", str(w.nbytes))):
        e = t.external_data.add()
        e.key, e.value = k, v
    with open(out + ".data", "wb") as f:
        f.write(b"\0" * 64 + w.tobytes())
    return model([helper.make_node("MatMul", ["x", "w"], ["y"], name="ext_mm")],
                 [vi("x", F, [2, 3])], [vi("y", F, [2, 4])], [t])


MODELS = {f.__name__: f for f in (elementwise, matmul, shape_chain, slicing,
                                   reductions, quant, unsupported,
                                   matmul_mismatch, declared_mismatch, symbolic)}


def main():
    name, out = sys.argv[1], sys.argv[2]
    m = external(out) if name == "external" else MODELS[name]()
    onnx.save(m, out)


if __name__ == "__main__":
    main()
