"""linea-cpu-linear-attention-kernels (run by linea-lower-to-llvm, hence by
linea-run) against the reference lowering (`linea-lower-to-llvm=
cpu-kernels=false`: linea-to-linalg's loop over time, or linear_attention's
S×T scores) and against numpy's float64 recurrences, for linear_attention
(every feature map, causal and not), gated_linear_attention and delta_rule:
f32 and bf16/f16, with and without an initial state, T not a multiple of
the chunk (the padded last chunk), T = 1 (the recurrent form), T = 8192,
and a sequence processed in pieces through final_state.

Several ops share one function so that each JIT compile covers many cases.
"""

import numpy as np
import pytest

from linea.tools import run_mlir, run_opt
from test_attention_numerics import ref_linear_attention
from test_scan_numerics import decode, delta_rule_ref, encode, gla_ref, representable, ttype

MAPS = ["elu_plus_one", "relu", "identity", "binary"]
KERNEL_PASS = "--linea-cpu-linear-attention-kernels"


class Function:
    """One function `@main` built op by op: arguments are numpy arrays
    (already representable in their element type), results are returned."""

    def __init__(self):
        self.params, self.inputs, self.lines, self.results = [], [], [], []
        self.types = {}

    def arg(self, name, values, element="f32", dynamic=()):
        self.types[name] = ttype(values.shape, element, dynamic)
        self.params.append(f"%{name}: {self.types[name]}")
        self.inputs.append(encode(values, element))
        return name

    def op(self, text, operands, result_types, attrs=""):
        """`linea.<text>` on `operands` (names, or (keyword, name) pairs)."""
        names = [f"r{len(self.results) + i}" for i in range(len(result_types))]
        positional = ", ".join(f"%{o}" for o in operands if isinstance(o, str))
        keywords = "".join(f" {kw} %{o}" for kw, o in
                           (o for o in operands if not isinstance(o, str)))
        used = [o if isinstance(o, str) else o[1] for o in operands]
        attrs = f" {{{attrs}}}" if attrs else ""
        mnemonic, _, rest = text.partition(" ")
        rest = f" {rest}" if rest else ""
        self.lines.append(
            f"  {', '.join('%' + n for n in names)} = linea.{mnemonic} {positional}{rest}"
            f"{keywords}{attrs} : ({', '.join(self.types[u] for u in used)}) -> "
            f"({', '.join(result_types)})")
        for n, t in zip(names, result_types):
            self.types[n] = t
        self.results += names
        return names

    def text(self):
        types = ", ".join(self.types[r] for r in self.results)
        return (f"func.func @main({', '.join(self.params)}) -> ({types}) {{\n"
                + "\n".join(self.lines)
                + f"\n  return {', '.join('%' + r for r in self.results)} : {types}\n}}\n")


def run_kernels(fn, options=None):
    """Outputs of the default pipeline (kernels on), after checking that
    every op became a kernel call. With `options` the pass runs first with
    them (linea-run's pipeline then finds nothing left to replace)."""
    module = fn.text()
    kernels = run_opt(module, f"{KERNEL_PASS}{'=' + options if options else ''}")
    assert "linea.linear_attention" not in kernels
    assert "linea.gated_linear_attention" not in kernels and "linea.delta_rule" not in kernels
    assert "vector.fma" in kernels
    return [decode(y) for y in run_mlir(kernels if options else module, fn.inputs)]


def run_reference(fn):
    reference = run_opt(fn.text(), "--linea-lower-to-llvm=cpu-kernels=false")
    assert "__linea_" not in reference
    return [decode(y) for y in run_mlir(reference, fn.inputs)]


def close(actual, expected, element="f32", scale=1.0):
    """f32: the order of the f32 sums differs; half types: one rounding."""
    tol = {"f32": 2e-5, "f16": 2e-3, "bf16": 1.6e-2}[element] * scale
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def inputs(rng, batch, heads, steps, dk, dv, element="f32", kind="gla", steps_k=None):
    """q, k, v and the gate of `kind` (log forget gate ≤ 0, β in (0, 1), or
    none), representable in `element`."""
    steps_k = steps if steps_k is None else steps_k
    q = representable(rng.standard_normal((batch, heads, steps, dk)), element)
    k = rng.standard_normal((batch, heads, steps_k, dk))
    if kind == "delta":  # DeltaNet normalises keys upstream
        k /= np.linalg.norm(k, axis=-1, keepdims=True)
    k = representable(k, element)
    v = representable(rng.standard_normal((batch, heads, steps_k, dv)), element)
    if kind == "delta":
        gate = rng.uniform(0.05, 0.95, (batch, heads, steps)).astype(np.float32)
    elif kind == "gla":
        gate = -rng.uniform(0.0, 1.0, (batch, heads, steps, dk)).astype(np.float32)
    else:
        gate = None
    return q, k, v, gate


def out_type(q, v, element, dynamic=(0, 2)):
    return ttype(q.shape[:3] + v.shape[3:], element, dynamic)


def state_type(q, v, dynamic=(0,)):
    return ttype((q.shape[0], q.shape[1], q.shape[3], v.shape[3]), "f32", dynamic)


def add_scan(fn, kind, q, k, v, gate, s0=None, element="f32", gate_element="f32",
             prefix="", attrs=""):
    """One gated_linear_attention / delta_rule op on new arguments; returns
    the result names (o, final_state)."""
    names = [fn.arg(prefix + n, x, element, (0, 2)) for n, x in (("q", q), ("k", k), ("v", v))]
    names.append(fn.arg(prefix + "g", gate, gate_element, (0, 2)))
    if s0 is not None:
        names.append(("initial_state", s0 if isinstance(s0, str)
                      else fn.arg(prefix + "s0", s0, "f32", (0,))))
    op = "gated_linear_attention" if kind == "gla" else "delta_rule"
    return fn.op(op, names, [out_type(q, v, element), state_type(q, v)], attrs)


def scan_ref(kind, q, k, v, gate, s0=None, scale=None):
    return (gla_ref if kind == "gla" else delta_rule_ref)(q, k, v, gate, s0, scale)


# ---------------------------------------------------------------------------
# linear_attention
# ---------------------------------------------------------------------------


def test_linear_attention_every_feature_map():
    """All feature maps, causal and not, T = 150 (two whole chunks and a
    padded one), against numpy and the reference lowering."""
    rng = np.random.default_rng(1)
    q, k, v, _ = inputs(rng, 2, 2, 150, 16, 32, kind=None)
    # identity: positive features keep φ(q)·z away from 0 (no cancellation).
    qp, kp = np.abs(q) + 0.1, np.abs(k) + 0.1
    fn = Function()
    names = [fn.arg(n, x, "f32", (0, 2)) for n, x in (("q", q), ("k", k), ("v", v))]
    positive = [fn.arg("qp", qp, "f32", (0, 2)), fn.arg("kp", kp, "f32", (0, 2)), "v"]
    cases = [(m, c) for m in MAPS for c in (True, False)]
    for feature_map, causal in cases:
        fn.op(f"linear_attention feature_map {feature_map}",
              positive if feature_map == "identity" else names,
              [out_type(q, v, "f32")], "causal" if causal else "")
    outs, refs = run_kernels(fn), run_reference(fn)
    for (feature_map, causal), o, r in zip(cases, outs, refs):
        qq, kk = (qp, kp) if feature_map == "identity" else (q, k)
        close(o, ref_linear_attention(qq, kk, v, feature_map, causal))
        close(o, r)


@pytest.mark.parametrize("element", ["bf16", "f16"])
def test_linear_attention_half(element):
    rng = np.random.default_rng(2)
    q, k, v, _ = inputs(rng, 1, 2, 100, 16, 32, element, kind=None)
    fn = Function()
    names = [fn.arg(n, x, element, (0, 2)) for n, x in (("q", q), ("k", k), ("v", v))]
    for causal in (True, False):
        fn.op("linear_attention feature_map elu_plus_one", names,
              [out_type(q, v, element)], "causal" if causal else "")
    outs = run_kernels(fn)
    for causal, o in zip((True, False), outs):
        close(o, ref_linear_attention(q, k, v, "elu_plus_one", causal), element)


def test_linear_attention_more_keys_than_queries():
    """Non-causal with S = 70 queries over T = 150 keys (both dynamic)."""
    rng = np.random.default_rng(3)
    q, k, v, _ = inputs(rng, 2, 3, 70, 32, 32, kind=None, steps_k=150)
    fn = Function()
    names = [fn.arg(n, x, "f32", (0, 2)) for n, x in (("q", q), ("k", k), ("v", v))]
    fn.op("linear_attention feature_map relu", names, [out_type(q, v, "f32")])
    (o,) = run_kernels(fn)
    close(o, ref_linear_attention(q, k, v, "relu"))


# ---------------------------------------------------------------------------
# gated_linear_attention and delta_rule
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["gla", "delta"])
def test_scan_f32(kind):
    """With and without an initial state, default and explicit scale,
    T = 150, against numpy and the reference lowering."""
    rng = np.random.default_rng(4)
    fn, expected = Function(), []
    for i, (with_s0, scale) in enumerate([(False, None), (True, 0.3)]):
        q, k, v, gate = inputs(rng, 2, 2, 150, 32, 48, kind=kind)
        s0 = rng.standard_normal((2, 2, 32, 48)).astype(np.float32) if with_s0 else None
        add_scan(fn, kind, q, k, v, gate, s0, prefix=f"c{i}",
                 attrs="" if scale is None else f"scale = {scale!r} : f32")
        expected += scan_ref(kind, q, k, v, gate, s0, scale)
    outs, refs = run_kernels(fn), run_reference(fn)
    for o, r, e in zip(outs, refs, expected):
        close(o, e)
        close(o, r)


@pytest.mark.parametrize("element,gate_element", [("bf16", "f32"), ("bf16", "bf16"),
                                                  ("f16", "f16")])
def test_scan_half(element, gate_element):
    rng = np.random.default_rng(5)
    fn, expected = Function(), []
    for kind in ("gla", "delta"):
        q, k, v, gate = inputs(rng, 1, 2, 90, 16, 32, element, kind)
        gate = representable(gate, gate_element)
        s0 = rng.standard_normal((1, 2, 16, 32)).astype(np.float32)
        add_scan(fn, kind, q, k, v, gate, s0, element, gate_element, prefix=kind)
        expected += scan_ref(kind, q, k, v, gate, s0)
    outs = run_kernels(fn)
    for i, (o, e) in enumerate(zip(outs, expected)):
        close(o, e, element if i % 2 == 0 else "f32")


def test_gla_strong_decay_is_safe():
    """Log-gates down to −30 over the first 70 tokens: a chunk's cumulative
    gate reaches −1000s, so e^{−b} of a one-reference factorisation would
    overflow (inf·0 = NaN); those sub-chunks take the pairwise exponents
    (all ≤ 0), the mildly gated ones after them the factorised diagonal."""
    rng = np.random.default_rng(6)
    q, k, v, gate = inputs(rng, 1, 2, 130, 16, 16, kind="gla")
    gate[:, :, :70] *= 30
    fn = Function()
    add_scan(fn, "gla", q, k, v, gate)
    o, sT = run_kernels(fn)
    o_ref, s_ref = gla_ref(q, k, v, gate)
    assert np.isfinite(o).all() and np.isfinite(sT).all()
    close(o, o_ref)
    close(sT, s_ref)


def all_ops(rng, b, h, t, dk, dv, feature_map):
    """GLA and the delta rule (with initial states) and causal linear attention
    over one shape in one function, with their float64 references."""
    fn, expected = Function(), []
    for kind in ("gla", "delta"):
        q, k, v, gate = inputs(rng, b, h, t, dk, dv, kind=kind)
        s0 = rng.standard_normal((b, h, dk, dv)).astype(np.float32)
        add_scan(fn, kind, q, k, v, gate, s0, prefix=kind)
        expected += scan_ref(kind, q, k, v, gate, s0)
    q, k, v, _ = inputs(rng, b, h, t, dk, dv, kind=None)
    names = [fn.arg(n, x, "f32", (0, 2)) for n, x in (("q", q), ("k", k), ("v", v))]
    fn.op(f"linear_attention feature_map {feature_map}", names, [out_type(q, v, "f32")],
          "causal")
    expected.append(ref_linear_attention(q, k, v, feature_map, True))
    return fn, expected


def test_decode_single_token():
    """T = 1 (the recurrent form) for every op, with initial states."""
    fn, expected = all_ops(np.random.default_rng(7), 3, 2, 1, 32, 32, "elu_plus_one")
    assert "scf.if" in run_opt(fn.text(), KERNEL_PASS)
    outs, refs = run_kernels(fn), run_reference(fn)
    for o, r, e in zip(outs, refs, expected):
        close(o, e)
        close(o, r)


def test_final_state_chains():
    """A sequence of 200 tokens at once, and as 128 + 72 chained through
    final_state → initial_state in the same function: split at a chunk
    boundary both pieces take the same chunks, so the outputs are equal bit
    for bit; split at 100 (not a chunk boundary) they agree to rounding."""
    rng = np.random.default_rng(8)
    for kind in ("gla", "delta"):
        q, k, v, gate = inputs(rng, 2, 2, 200, 32, 32, kind=kind)
        s0 = rng.standard_normal((2, 2, 32, 32)).astype(np.float32)
        fn = Function()
        whole = add_scan(fn, kind, q, k, v, gate, s0, prefix="w")
        parts = []
        for split in (128, 100):
            first = add_scan(fn, kind, q[:, :, :split], k[:, :, :split], v[:, :, :split],
                             gate[:, :, :split], s0, prefix=f"a{split}")
            second = add_scan(fn, kind, q[:, :, split:], k[:, :, split:], v[:, :, split:],
                              gate[:, :, split:], first[1], prefix=f"b{split}")
            parts.append((first, second))
        outs = dict(zip(fn.results, run_kernels(fn)))
        o, sT = outs[whole[0]], outs[whole[1]]
        for (first, second), exact in zip(parts, (True, False)):
            o_parts = np.concatenate([outs[first[0]], outs[second[0]]], axis=2)
            if exact:
                np.testing.assert_array_equal(o_parts, o)
                np.testing.assert_array_equal(outs[second[1]], sT)
            else:
                close(o_parts, o)
                close(outs[second[1]], sT)


def test_long_sequence():
    """T = 8192 (128 chunks) for the three ops against numpy."""
    rng = np.random.default_rng(9)
    steps, dk, dv = 8192, 16, 16
    fn, expected = Function(), []
    for kind in ("gla", "delta"):
        q, k, v, gate = inputs(rng, 1, 2, steps, dk, dv, kind=kind)
        if kind == "gla":  # slow forgetting: the state remembers far back
            gate = (gate * 0.05).astype(np.float32)
        add_scan(fn, kind, q, k, v, gate, prefix=kind)
        expected += scan_ref(kind, q, k, v, gate)
    q, k, v, _ = inputs(rng, 1, 2, steps, dk, dv, kind=None)
    names = [fn.arg(n, x, "f32", (0, 2)) for n, x in (("q", q), ("k", k), ("v", v))]
    fn.op("linear_attention feature_map elu_plus_one", names, [out_type(q, v, "f32")], "causal")
    expected.append(ref_linear_attention(q, k, v, "elu_plus_one", True))
    outs = run_kernels(fn)
    for o, e in zip(outs, expected):
        close(o, e, scale=10)


@pytest.mark.parametrize("options", [
    "chunk-size=32 recurrent-max-t=0 vector-width=4 num-threads=3",
    "recurrent-max-t=1000 vector-width=8",
], ids=["small-chunks", "recurrent"])
def test_kernel_options(options):
    """Other chunk sizes, vector widths and worker counts; the chunked form
    on a short sequence and the recurrent form on a long one."""
    fn, expected = all_ops(np.random.default_rng(10), 2, 3, 37, 8, 24, "relu")
    for o, e in zip(run_kernels(fn, options), expected):
        close(o, e)


def test_unsupported_head_keeps_the_reference_lowering():
    """Dv above max-head-dim: left in place with a remark, and still runs."""
    rng = np.random.default_rng(11)
    q, k, v, gate = inputs(rng, 1, 1, 3, 4, 320, kind="gla")
    fn = Function()
    add_scan(fn, "gla", q, k, v, gate)
    out = run_opt(fn.text(), f"{KERNEL_PASS}=report-skipped=true")
    assert "linea.gated_linear_attention" in out and "__linea_" not in out
    o, sT = [decode(y) for y in run_mlir(fn.text(), fn.inputs)]
    o_ref, s_ref = gla_ref(q, k, v, gate)
    close(o, o_ref)
    close(sT, s_ref)
