"""linea-raise on attention exported by torch.onnx.export (opset 17): each
variant is imported, raised, and the raised module must contain the expected
linea.attention and compute what the un-raised module and torch compute."""

import math
import re
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
from torch import nn  # noqa: E402

from linea import tools  # noqa: E402

# torch's MultiheadAttention asserts on traced shapes while exporting.
pytestmark = pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")

ATTENTION_RE = re.compile(r"linea\.attention [^\n]*")


def run_tool(name, *args):
    proc = subprocess.run([tools.tool(name), *map(str, args)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def export_import(module, inputs, path):
    """Exports `module` on `inputs`, returns (imported IR, torch outputs)."""
    names = [f"x{i}" for i in range(len(inputs))]
    with torch.no_grad():
        ref = module(*inputs).numpy()
        torch.onnx.export(module, tuple(inputs), str(path), opset_version=17,
                          input_names=names, output_names=["y"])
    return run_tool("linea-import-onnx", path), ref


def raise_module(text):
    return tools.run_opt(text, "--linea-raise")


def attention_ops(raised):
    """The printed linea.attention ops (one line each, with their types)."""
    return ATTENTION_RE.findall(raised)


def kv_heads(op_line):
    """Hkv of a printed linea.attention: dim 1 of its second operand type."""
    types = re.search(r": \((.*)\) ->", op_line).group(1)
    k_type = re.findall(r"tensor<([^>]*)>", types)[1]
    return int(k_type.split("x")[1])


def check_numerics(imported, raised, inputs, ref, atol=1e-4):
    arrays = [x.numpy() for x in inputs]
    (raised_out,) = tools.run_mlir(raised, arrays)
    (plain_out,) = tools.run_mlir(imported, arrays)
    np.testing.assert_allclose(raised_out, plain_out, rtol=1e-4, atol=atol)
    np.testing.assert_allclose(raised_out, ref, rtol=1e-4, atol=atol)


class SelfAttention(nn.Module):
    """Projections, optional GQA by repeat_interleave or expand+reshape, an
    optional additive mask (constant buffer or extra input), scale as a
    divide of the scores or a multiply of q."""

    def __init__(self, hidden, heads, kv_heads, mask=None, repeat="interleave",
                 scale_on_q=False, mask_input=False, cross=False):
        super().__init__()
        self.heads, self.kv_heads, self.d = heads, kv_heads, hidden // heads
        self.q = nn.Linear(hidden, heads * self.d, bias=False)
        self.k = nn.Linear(hidden, kv_heads * self.d, bias=False)
        self.v = nn.Linear(hidden, kv_heads * self.d, bias=False)
        self.repeat, self.scale_on_q = repeat, scale_on_q
        self.mask_input, self.cross = mask_input, cross
        if mask is not None:
            self.register_buffer("mask", mask, persistent=False)
        else:
            self.mask = None

    def forward(self, x, *rest):
        kv_src = rest[0] if self.cross else x
        mask = rest[-1] if self.mask_input else self.mask
        b, s, _ = x.shape
        t = kv_src.shape[1]
        q = self.q(x).view(b, s, self.heads, self.d).transpose(1, 2)
        k = self.k(kv_src).view(b, t, self.kv_heads, self.d).transpose(1, 2)
        v = self.v(kv_src).view(b, t, self.kv_heads, self.d).transpose(1, 2)
        g = self.heads // self.kv_heads
        if g > 1 and self.repeat == "interleave":
            k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        elif g > 1:  # Hugging Face's repeat_kv
            k = k[:, :, None].expand(b, self.kv_heads, g, t, self.d).reshape(b, self.heads, t, self.d)
            v = v[:, :, None].expand(b, self.kv_heads, g, t, self.d).reshape(b, self.heads, t, self.d)
        if self.scale_on_q:
            scores = torch.matmul(q * self.d ** -0.5, k.transpose(2, 3))
        else:
            scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.d)
        if mask is not None:
            scores = scores + mask
        o = torch.matmul(torch.softmax(scores, dim=-1), v)
        return o.transpose(1, 2).reshape(b, s, self.heads * self.d)


def causal_mask(s, t):
    """Bottom-right aligned causal mask with -inf, as torch models build it."""
    return torch.full((s, t), float("-inf")).triu(t - s + 1)


def run_variant(tmp_path, module, inputs):
    torch.manual_seed(1)
    module.eval()
    imported, ref = export_import(module, inputs, tmp_path / "m.onnx")
    raised = raise_module(imported)
    ops = attention_ops(raised)
    assert len(ops) == 1, raised
    assert "linalg.batch_matmul" not in raised
    check_numerics(imported, raised, inputs, ref)
    return ops[0]


def test_mha(tmp_path):
    torch.manual_seed(0)
    op = run_variant(tmp_path, SelfAttention(32, 4, 4), [torch.randn(2, 6, 32)])
    assert "mask" not in op and "causal" not in op
    assert kv_heads(op) == 4
    assert "scale = 0.353553" in op


def test_gqa_causal_interleave(tmp_path):
    torch.manual_seed(0)
    module = SelfAttention(64, 8, 2, mask=causal_mask(6, 6))
    op = run_variant(tmp_path, module, [torch.randn(1, 6, 64)])
    assert "causal" in op and " mask " not in op
    assert kv_heads(op) == 2


def test_gqa_expand_reshape(tmp_path):
    torch.manual_seed(0)
    module = SelfAttention(64, 8, 2, repeat="expand")
    op = run_variant(tmp_path, module, [torch.randn(2, 5, 64)])
    assert kv_heads(op) == 2


def test_scale_on_q(tmp_path):
    torch.manual_seed(0)
    module = SelfAttention(32, 4, 4, scale_on_q=True)
    op = run_variant(tmp_path, module, [torch.randn(1, 5, 32)])
    assert "scale = 0.353553" in op


def test_mask_input(tmp_path):
    torch.manual_seed(0)
    module = SelfAttention(32, 4, 2, mask_input=True)
    mask = torch.randn(5, 5)
    op = run_variant(tmp_path, module, [torch.randn(2, 5, 32), mask])
    assert " mask " in op and "causal" not in op
    assert "tensor<1x1x5x5xf32>" in op
    assert kv_heads(op) == 2


def test_finite_causal_mask_stays_a_mask(tmp_path):
    # -1e9 instead of -inf: numerically causal for these inputs, but not
    # provably so for all scores; linea-raise keeps it as a mask operand.
    torch.manual_seed(0)
    mask = torch.full((5, 5), -1e9).triu(1)
    op = run_variant(tmp_path, SelfAttention(32, 4, 4, mask=mask), [torch.randn(1, 5, 32)])
    assert " mask " in op and "causal" not in op


def test_cross_attention_causal_kv_cache(tmp_path):
    # S = 3 queries over T = 7 keys with a bottom-right causal mask.
    torch.manual_seed(0)
    module = SelfAttention(32, 4, 2, mask=causal_mask(3, 7), cross=True)
    op = run_variant(tmp_path, module, [torch.randn(2, 3, 32), torch.randn(2, 7, 32)])
    assert "causal" in op and kv_heads(op) == 2
    assert "tensor<2x4x3x8xf32>" in op


def test_cross_attention_more_queries_than_keys_keeps_mask(tmp_path):
    # S > T: some rows of the -inf mask are all -inf (NaN in torch), which
    # `causal` would turn into zeros, so the mask stays an operand. Check
    # the structure only: the outputs hold NaNs by construction.
    torch.manual_seed(0)
    module = SelfAttention(32, 4, 4, mask=causal_mask(6, 4), cross=True).eval()
    imported, _ = export_import(module, [torch.randn(1, 6, 32), torch.randn(1, 4, 32)],
                                tmp_path / "m.onnx")
    (op,) = attention_ops(raise_module(imported))
    assert " mask " in op and "causal" not in op


def test_transformer_encoder_layer(tmp_path):
    # torch's own MultiheadAttention export: rank-3 [B·H, S, D] chain with q
    # scaled before the matmul and a causal src_mask.
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64,
                                       dropout=0.0, batch_first=True).eval()
    mask = nn.Transformer.generate_square_subsequent_mask(5)

    class WithMask(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer

        def forward(self, x):
            return self.layer(x, src_mask=mask)

    op = run_variant(tmp_path, WithMask(), [torch.randn(2, 5, 32)])
    assert "causal" in op
    assert "tensor<1x8x5x8xf32>" in op


class MaskedFillAttention(nn.Module):
    """GQA attention as nanoGPT / Llama-style code writes it: scores scaled by
    a multiply, `masked_fill` with a tril buffer (or a run-time key padding
    mask) and a softmax in `.float()` cast back with `.type_as(q)`."""

    def __init__(self, hidden, heads, kv_heads, seq, fill="tril"):
        super().__init__()
        self.heads, self.kv_heads, self.d = heads, kv_heads, hidden // heads
        self.q = nn.Linear(hidden, heads * self.d, bias=False)
        self.k = nn.Linear(hidden, kv_heads * self.d, bias=False)
        self.v = nn.Linear(hidden, kv_heads * self.d, bias=False)
        self.fill = fill
        self.register_buffer("tril", torch.tril(torch.ones(seq, seq)).view(1, 1, seq, seq))

    def forward(self, x, *keep):
        b, s, _ = x.shape
        q = self.q(x).view(b, s, self.heads, self.d).transpose(1, 2)
        k = self.k(x).view(b, s, self.kv_heads, self.d).transpose(1, 2)
        v = self.v(x).view(b, s, self.kv_heads, self.d).transpose(1, 2)
        g = self.heads // self.kv_heads
        k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.d))
        if self.fill == "tril":
            scores = scores.masked_fill(self.tril[:, :, :s, :s] == 0, float("-inf"))
        elif self.fill == "padding":
            scores = scores.masked_fill(~keep[0], float("-inf"))
        elif self.fill == "finite":
            scores = scores.masked_fill(self.tril[:, :, :s, :s] == 0, torch.finfo(scores.dtype).min)
        p = torch.softmax(scores.float(), dim=-1).type_as(q)
        return (p @ v).transpose(1, 2).reshape(b, s, self.heads * self.d)


def test_same_type_casts_are_looked_through(tmp_path):
    # `.float()` on f32 scores is an f32 → f32 Cast in the export: a copy
    # generic that the raise must read through.
    torch.manual_seed(0)
    op = run_variant(tmp_path, MaskedFillAttention(32, 4, 2, 6, fill=None),
                     [torch.randn(2, 6, 32)])
    assert "causal" not in op and " mask " not in op
    assert kv_heads(op) == 2 and "scale = 0.353553" in op


def test_masked_fill_tril_is_causal(tmp_path):
    torch.manual_seed(0)
    op = run_variant(tmp_path, MaskedFillAttention(64, 8, 2, 6), [torch.randn(2, 6, 64)])
    assert "causal" in op and " mask " not in op
    assert kv_heads(op) == 2


def test_masked_fill_runtime_padding_mask(tmp_path):
    # A bool key-padding mask given at run time: the select on it becomes an
    # additive f32 mask operand [B, 1, 1, T].
    torch.manual_seed(0)
    module = MaskedFillAttention(32, 4, 4, 5, fill="padding").eval()
    x = torch.randn(2, 5, 32)
    keep = torch.tensor([[True] * 5, [True, True, True, False, False]]).view(2, 1, 1, 5)
    imported, ref = export_import(module, [x, keep], tmp_path / "m.onnx")
    raised = raise_module(imported)
    (op,) = attention_ops(raised)
    assert " mask " in op and "tensor<2x1x1x5xf32>" in op
    arrays = [x.numpy(), keep.numpy().astype(np.int8)]  # bool crosses as i8
    (out,) = tools.run_mlir(raised, arrays)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)


def test_masked_fill_finite_is_not_raised(tmp_path):
    # masked_fill with finfo.min is not an additive mask: a row hiding every
    # key is uniform with the fill, softmax(scores) with the sum.
    torch.manual_seed(0)
    module = MaskedFillAttention(32, 4, 4, 5, fill="finite").eval()
    imported, _ = export_import(module, [torch.randn(1, 5, 32)], tmp_path / "m.onnx")
    assert attention_ops(raise_module(imported)) == []


@pytest.mark.parametrize("element", ["f16", "bf16"])
def test_low_precision_graph(tmp_path, element):
    # An onnx.helper graph in f16/bf16: the importer accumulates the matmuls
    # in f32 and rounds scores and probabilities to the element type between
    # steps; linea.attention rounds once, so the raised module is compared
    # with a float64 reference at the element type's precision.
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    elem = {"f16": TensorProto.FLOAT16, "bf16": TensorProto.BFLOAT16}[element]
    b, h, s, d = 1, 2, 5, 8
    nodes = [helper.make_node("CastLike", ["c", "q"], ["c_t"]),
             helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
             helper.make_node("MatMul", ["q", "kt"], ["scores"]),
             helper.make_node("Mul", ["scores", "c_t"], ["scaled"]),
             helper.make_node("Softmax", ["scaled"], ["p"], axis=-1),
             helper.make_node("MatMul", ["p", "v"], ["y"])]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, elem, [b, h, s, d]) for n in "qkv"],
        [helper.make_tensor_value_info("y", elem, [b, h, s, d])],
        initializer=[helper.make_tensor("c", TensorProto.FLOAT, [], [0.25])])
    path = tmp_path / "att.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    imported = run_tool("linea-import-onnx", path)
    raised = raise_module(imported)
    (op,) = attention_ops(raised)
    assert f"tensor<1x2x5x8x{element}>" in op and "scale = 2.500000e-01" in op

    rng = np.random.default_rng(0)
    values, arrays = zip(*(tools.as_element(rng.standard_normal((b, h, s, d)), element)
                           for _ in range(3)))
    q, k, v = (x.astype(np.float64) for x in values)
    logits = 0.25 * q @ k.transpose(0, 1, 3, 2)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    ref = (p / p.sum(-1, keepdims=True)) @ v
    (y,) = tools.run_mlir(raised, list(arrays))
    y = tools.bf16_to_f32(y) if element == "bf16" else y.astype(np.float32)
    tol = 1e-2 if element == "bf16" else 2e-3
    np.testing.assert_allclose(y, ref, rtol=tol, atol=tol)
