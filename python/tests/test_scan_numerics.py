"""The recurrence ops (linear_scan, selective_scan, gated_linear_attention,
delta_rule) lowered by linea-to-linalg and run on the JIT, against numpy.

The references are plain loops over time in float64, written from the ops'
descriptions. Inputs in f16/bf16 are rounded first, so the reference sees the
same values as the op; outputs in f16/bf16 are compared within a few ulps.
"""

import zlib

import numpy as np
import pytest

from linea.tools import bf16_to_f32, f32_to_bf16_bits, run_mlir

# ----------------------------------------------------------------------------
# Building modules and moving values in and out
# ----------------------------------------------------------------------------


def ttype(shape, element, dynamic=()):
    """tensor<...> of `shape` with the dims in `dynamic` written `?`."""
    dims = "".join(("?" if i in dynamic else str(d)) + "x" for i, d in enumerate(shape))
    return f"tensor<{dims}{element}>"


class Arg:
    """One operand: its SSA name, the keyword introducing it (None for
    positional operands), its values (f32, already representable in
    `element`), its element type and which dims the function leaves dynamic."""

    def __init__(self, name, values, element="f32", dynamic=(), keyword=None):
        self.name, self.values, self.element = name, values, element
        self.dynamic, self.keyword = dynamic, keyword

    @property
    def type(self):
        return ttype(self.values.shape, self.element, self.dynamic)


def module(op, args, results, attrs=""):
    """A one-function module applying `op` to `args`; `results` are types."""
    params = ", ".join(f"%{a.name}: {a.type}" for a in args)
    uses = ", ".join(f"%{a.name}" for a in args if a.keyword is None)
    uses += "".join(f" {a.keyword} %{a.name}" for a in args if a.keyword)
    names = ", ".join(f"%r{i}" for i in range(len(results)))
    in_types = ", ".join(a.type for a in args)
    out_types = ", ".join(results)
    attrs = f" {{{attrs}}}" if attrs else ""
    return f"""
func.func @main({params}) -> ({out_types}) {{
  {names} = linea.{op} {uses}{attrs} : ({in_types}) -> ({out_types})
  return {names} : {out_types}
}}"""


def representable(x, element):
    """`x` rounded to `element` and widened back to f32."""
    x = np.asarray(x, dtype=np.float32)
    if element == "bf16":
        return bf16_to_f32(f32_to_bf16_bits(x))
    if element == "f16":
        return x.astype(np.float16).astype(np.float32)
    return x


def encode(x, element):
    """The numpy array linea-run reads as a tensor of `element`."""
    if element == "bf16":
        return f32_to_bf16_bits(x).view("V2")
    if element == "f16":
        return x.astype(np.float16)
    return x.astype(np.float32)


def decode(y):
    """A linea-run output widened to f32 (bf16 arrives as 2-byte voids)."""
    if y.dtype.itemsize == 2 and y.dtype.kind in "Vu":
        return bf16_to_f32(y)
    return y.astype(np.float32)


def run(op, args, results, attrs=""):
    outputs = run_mlir(module(op, args, results, attrs),
                       [encode(a.values, a.element) for a in args])
    return [decode(y) for y in outputs]


# Relative / absolute tolerances of an output of each element type against a
# float64 reference: f32 accumulates in a different order; f16 and bf16 are
# rounded once (half an ulp), plus rare rounding-boundary flips.
TOL = {"f32": (1e-5, 1e-5), "f16": (2e-3, 2e-3), "bf16": (1.6e-2, 1.6e-2)}


def check(actual, expected, element="f32"):
    rtol, atol = TOL[element]
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def rng_for(*key):
    """A generator seeded by the test's parameters (stable across runs)."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# ----------------------------------------------------------------------------
# linea.linear_scan
# ----------------------------------------------------------------------------


def linear_scan_ref(a, b, h0=None):
    """h[i, t] = a[i, t]·h[i, t−1] + b[i, t], h[i, −1] = h0[i] or 0."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    batch, steps, channels = a.shape
    h = np.zeros((batch, channels)) if h0 is None else h0.astype(np.float64)
    out = np.zeros(a.shape)
    for t in range(steps):
        h = a[:, t] * h + b[:, t]
        out[:, t] = h
    return out


def linear_scan_inputs(rng, shape, element, with_h0):
    a = representable(rng.uniform(0.5, 1.0, shape), element)
    b = representable(rng.standard_normal(shape), element)
    h0 = rng.standard_normal((shape[0], shape[2])).astype(np.float32) if with_h0 else None
    return a, b, h0


def run_linear_scan(a, b, h0, element="f32", dynamic=()):
    args = [Arg("a", a, element, dynamic), Arg("b", b, element, dynamic)]
    if h0 is not None:
        args.append(Arg("h0", h0, "f32", tuple(d for d in dynamic if d == 0),
                        keyword="initial_state"))
    (h,) = run("linear_scan", args, [ttype(a.shape, element, dynamic)])
    return h


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("shape", [(2, 7, 5), (3, 1, 4), (1, 12, 1)])
def test_linear_scan_f32(shape, with_h0):
    a, b, h0 = linear_scan_inputs(rng_for("ls", shape, with_h0), shape, "f32", with_h0)
    check(run_linear_scan(a, b, h0), linear_scan_ref(a, b, h0))


def test_linear_scan_dynamic_batch_and_time():
    a, b, h0 = linear_scan_inputs(rng_for("ls-dyn"), (3, 6, 4), "f32", True)
    check(run_linear_scan(a, b, h0, dynamic=(0, 1)), linear_scan_ref(a, b, h0))


@pytest.mark.parametrize("element", ["bf16", "f16"])
def test_linear_scan_half_rounds_once(element):
    # The state stays f32 and each h is rounded once: the same recurrence in
    # numpy float32 (no fused multiply-add), rounded at the end, is bit-exact.
    a, b, h0 = linear_scan_inputs(rng_for("ls-half", element), (2, 9, 8), element, True)
    h = np.zeros((2, 8), np.float32) + h0
    ref = np.zeros(a.shape, np.float32)
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        ref[:, t] = h
    np.testing.assert_array_equal(run_linear_scan(a, b, h0, element, dynamic=(1,)),
                                  representable(ref, element))


def test_linear_scan_chains_through_its_last_step():
    # In f32 the last output is the state: two halves chain exactly.
    a, b, _ = linear_scan_inputs(rng_for("ls-chain"), (2, 8, 3), "f32", False)
    whole = run_linear_scan(a, b, None)
    first = run_linear_scan(a[:, :5], b[:, :5], None)
    second = run_linear_scan(a[:, 5:], b[:, 5:], first[:, -1])
    np.testing.assert_array_equal(np.concatenate([first, second], axis=1), whole)


# ----------------------------------------------------------------------------
# linea.selective_scan
# ----------------------------------------------------------------------------


def selective_scan_ref(u, delta, A, B, C, D=None, z=None, delta_bias=None, h0=None,
                       delta_softplus=False):
    """Mamba's selective scan in float64, vectorised over (batch, channel, state)."""
    f = lambda x: None if x is None else np.asarray(x, np.float64)
    u, delta, A, B, C, D, z, delta_bias, h0 = map(f, (u, delta, A, B, C, D, z, delta_bias, h0))
    batch, steps, channels = u.shape
    h = np.zeros((batch, channels, A.shape[1])) if h0 is None else h0.copy()
    y = np.zeros(u.shape)
    dt_all = delta + (0 if delta_bias is None else delta_bias)
    if delta_softplus:
        dt_all = np.logaddexp(0.0, dt_all)
    for t in range(steps):
        dt = dt_all[:, t, :, None]
        h = np.exp(dt * A) * h + dt * B[:, t, None, :] * u[:, t, :, None]
        y_t = (C[:, t, None, :] * h).sum(axis=2)
        if D is not None:
            y_t = y_t + D * u[:, t]
        if z is not None:
            y_t = y_t * z[:, t] / (1.0 + np.exp(-z[:, t]))
        y[:, t] = y_t
    return y, h


OPTIONALS = ("D", "z", "delta_bias", "h0")


def selective_scan_inputs(rng, batch, steps, channels, states, element="f32",
                          param="f32", present=OPTIONALS, softplus=False):
    act = lambda shape, x=None: representable(
        rng.standard_normal(shape) if x is None else x, element)
    prm = lambda x: representable(x, param)
    inputs = {
        "u": act((batch, steps, channels)),
        # Without softplus Δ is used as given, so keep it positive.
        "delta": act(None, rng.standard_normal((batch, steps, channels)) * 2
                     if softplus else rng.uniform(0.05, 0.6, (batch, steps, channels))),
        "A": prm(-np.exp(rng.standard_normal((channels, states)) * 0.5)),
        "B": act((batch, steps, states)),
        "C": act((batch, steps, states)),
        "D": prm(rng.standard_normal(channels)),
        "z": act((batch, steps, channels)),
        "delta_bias": prm(rng.standard_normal(channels) * 0.3),
        "h0": rng.standard_normal((batch, channels, states)).astype(np.float32),
    }
    if softplus and steps > 1:
        # Large |Δ| where softplus must neither overflow nor lose the tail.
        inputs["delta"][0, 0, 0] = 40.0
        inputs["delta"][-1, 1, -1] = -40.0
    return {k: v for k, v in inputs.items() if k not in OPTIONALS or k in present}


KEYWORDS = {"D": "skip", "z": "gate", "delta_bias": "delta_bias", "h0": "initial_state"}


def run_selective_scan(inputs, element="f32", param="f32", softplus=False, dynamic=()):
    u = inputs["u"]
    batch_dyn = tuple(d for d in dynamic if d == 0)
    elements = {"u": element, "delta": element, "A": param, "B": element, "C": element,
                "D": param, "z": element, "delta_bias": param, "h0": "f32"}
    dims = {"u": dynamic, "delta": dynamic, "B": dynamic, "C": dynamic, "z": dynamic,
            "h0": batch_dyn}
    args = [Arg(name, inputs[name], elements[name], dims.get(name, ()), KEYWORDS.get(name))
            for name in ("u", "delta", "A", "B", "C", *OPTIONALS) if name in inputs]
    results = [ttype(u.shape, element, dynamic),
               ttype((u.shape[0], u.shape[2], inputs["A"].shape[1]), "f32", batch_dyn)]
    return run("selective_scan", args, results, "delta_softplus" if softplus else "")


def reference_of(inputs, softplus):
    return selective_scan_ref(**inputs, delta_softplus=softplus)


@pytest.mark.parametrize("present", [(), ("D",), ("z",), ("delta_bias",), ("h0",), OPTIONALS],
                         ids=["none", "skip", "gate", "delta_bias", "initial_state", "all"])
@pytest.mark.parametrize("softplus", [False, True], ids=["raw", "softplus"])
def test_selective_scan_f32(present, softplus):
    inputs = selective_scan_inputs(rng_for("ss", present, softplus), 2, 6, 5, 3,
                                   present=present, softplus=softplus)
    y, hT = run_selective_scan(inputs, softplus=softplus)
    y_ref, h_ref = reference_of(inputs, softplus)
    check(y, y_ref)
    check(hT, h_ref)


@pytest.mark.parametrize("steps", [1, 4])
def test_selective_scan_dynamic_batch_and_time(steps):
    inputs = selective_scan_inputs(rng_for("ss-dyn", steps), 3, steps, 4, 2, softplus=True)
    y, hT = run_selective_scan(inputs, softplus=True, dynamic=(0, 1))
    y_ref, h_ref = reference_of(inputs, True)
    check(y, y_ref)
    check(hT, h_ref)


@pytest.mark.parametrize("element,param", [("bf16", "f32"), ("f16", "f16"), ("bf16", "f16")])
def test_selective_scan_half(element, param):
    inputs = selective_scan_inputs(rng_for("ss-half", element, param), 2, 5, 8, 4,
                                   element, param, softplus=True)
    y, hT = run_selective_scan(inputs, element, param, softplus=True, dynamic=(0,))
    y_ref, h_ref = reference_of(inputs, True)
    check(y, y_ref, element)
    check(hT, h_ref)  # the state is f32 whatever the inputs


def test_selective_scan_chains_through_final_state():
    inputs = selective_scan_inputs(rng_for("ss-chain"), 2, 7, 4, 3,
                                   present=("D", "z", "delta_bias"), softplus=True)
    y, hT = run_selective_scan(inputs, softplus=True)
    head = {k: (v[:, :3] if k in ("u", "delta", "B", "C", "z") else v) for k, v in inputs.items()}
    tail = {k: (v[:, 3:] if k in ("u", "delta", "B", "C", "z") else v) for k, v in inputs.items()}
    y1, h1 = run_selective_scan(head, softplus=True)
    y2, h2 = run_selective_scan({**tail, "h0": h1}, softplus=True)
    np.testing.assert_array_equal(np.concatenate([y1, y2], axis=1), y)
    np.testing.assert_array_equal(h2, hT)


# ----------------------------------------------------------------------------
# linea.gated_linear_attention and linea.delta_rule
# ----------------------------------------------------------------------------


def gla_ref(q, k, v, g, s0=None, scale=None):
    """S_t = diag(exp g_t)·S_{t−1} + k_tᵀ v_t, o_t = scale·q_t S_t per (b, h)."""
    q, k, v, g = (x.astype(np.float64) for x in (q, k, v, g))
    batch, heads, steps, dk = q.shape
    scale = dk ** -0.5 if scale is None else scale
    o = np.zeros((batch, heads, steps, v.shape[3]))
    S_all = np.zeros((batch, heads, dk, v.shape[3])) if s0 is None else s0.astype(np.float64)
    S_all = S_all.copy()
    for b in range(batch):
        for h in range(heads):
            S = S_all[b, h]
            for t in range(steps):
                S = np.diag(np.exp(g[b, h, t])) @ S + np.outer(k[b, h, t], v[b, h, t])
                o[b, h, t] = scale * q[b, h, t] @ S
            S_all[b, h] = S
    return o, S_all


def delta_rule_ref(q, k, v, beta, s0=None, scale=None):
    """S_t = S_{t−1} + β_t k_tᵀ(v_t − k_t S_{t−1}), o_t = scale·q_t S_t."""
    q, k, v, beta = (x.astype(np.float64) for x in (q, k, v, beta))
    batch, heads, steps, dk = q.shape
    scale = dk ** -0.5 if scale is None else scale
    o = np.zeros((batch, heads, steps, v.shape[3]))
    S_all = np.zeros((batch, heads, dk, v.shape[3])) if s0 is None else s0.astype(np.float64)
    S_all = S_all.copy()
    for b in range(batch):
        for h in range(heads):
            S = S_all[b, h]
            for t in range(steps):
                kt = k[b, h, t]
                S = S + beta[b, h, t] * np.outer(kt, v[b, h, t] - kt @ S)
                o[b, h, t] = scale * q[b, h, t] @ S
            S_all[b, h] = S
    return o, S_all


def attention_inputs(rng, kind, batch, heads, steps, dk, dv, element="f32", gate_element="f32",
                     with_s0=False):
    act = lambda shape: representable(rng.standard_normal(shape), element)
    k = rng.standard_normal((batch, heads, steps, dk))
    if kind == "delta_rule":  # DeltaNet normalises keys upstream
        k /= np.linalg.norm(k, axis=-1, keepdims=True)
        gate = rng.uniform(0.05, 0.95, (batch, heads, steps))
    else:  # log forget gate, ≤ 0
        gate = -rng.uniform(0.0, 1.0, (batch, heads, steps, dk))
    inputs = {"q": act((batch, heads, steps, dk)), "k": representable(k, element),
              "v": act((batch, heads, steps, dv)), "gate": representable(gate, gate_element)}
    if with_s0:
        inputs["s0"] = rng.standard_normal((batch, heads, dk, dv)).astype(np.float32)
    return inputs


def run_attention(kind, inputs, element="f32", gate_element="f32", scale=None, dynamic=()):
    q, v = inputs["q"], inputs["v"]
    batch_dyn = tuple(d for d in dynamic if d in (0, 1))
    gate_dyn = tuple(d for d in dynamic if d < inputs["gate"].ndim)
    args = [Arg("q", q, element, dynamic), Arg("k", inputs["k"], element, dynamic),
            Arg("v", v, element, dynamic), Arg("gate", inputs["gate"], gate_element, gate_dyn)]
    if "s0" in inputs:
        args.append(Arg("s0", inputs["s0"], "f32", batch_dyn, keyword="initial_state"))
    state = (q.shape[0], q.shape[1], q.shape[3], v.shape[3])
    results = [ttype(q.shape[:3] + v.shape[3:], element, dynamic),
               ttype(state, "f32", batch_dyn)]
    attrs = "" if scale is None else f"scale = {scale!r} : f32"
    return run(kind, args, results, attrs)


def attention_ref(kind, inputs, scale=None):
    ref = gla_ref if kind == "gated_linear_attention" else delta_rule_ref
    return ref(inputs["q"], inputs["k"], inputs["v"], inputs["gate"], inputs.get("s0"), scale)


KINDS = ["gated_linear_attention", "delta_rule"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("with_s0", [False, True], ids=["zero_state", "initial_state"])
# scale = 1 makes the f32 epilogue an identity that the canonicalizer erases.
@pytest.mark.parametrize("scale", [None, 0.75, 1.0], ids=["default_scale", "scale", "unit_scale"])
def test_attention_scan_f32(kind, with_s0, scale):
    inputs = attention_inputs(rng_for(kind, with_s0, scale), kind, 2, 3, 5, 4, 6,
                              with_s0=with_s0)
    o, sT = run_attention(kind, inputs, scale=scale)
    o_ref, s_ref = attention_ref(kind, inputs, scale)
    check(o, o_ref)
    check(sT, s_ref)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("steps", [1, 6])
def test_attention_scan_dynamic(kind, steps):
    # Batch, heads and time all dynamic in the function type.
    inputs = attention_inputs(rng_for(kind, "dyn", steps), kind, 3, 2, steps, 4, 3, with_s0=True)
    o, sT = run_attention(kind, inputs, dynamic=(0, 1, 2))
    o_ref, s_ref = attention_ref(kind, inputs)
    check(o, o_ref)
    check(sT, s_ref)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("element,gate_element", [("bf16", "f32"), ("f16", "f16"), ("f16", "bf16")])
def test_attention_scan_half(kind, element, gate_element):
    inputs = attention_inputs(rng_for(kind, element, gate_element), kind, 1, 2, 7, 8, 8,
                              element, gate_element, with_s0=True)
    o, sT = run_attention(kind, inputs, element, gate_element, dynamic=(2,))
    o_ref, s_ref = attention_ref(kind, inputs)
    check(o, o_ref, element)
    check(sT, s_ref)


@pytest.mark.parametrize("kind", KINDS)
def test_attention_scan_chains_through_final_state(kind):
    inputs = attention_inputs(rng_for(kind, "chain"), kind, 2, 2, 8, 4, 5)
    o, sT = run_attention(kind, inputs)
    split = lambda part: {k: (v[:, :, part] if k != "s0" else v) for k, v in inputs.items()}
    o1, s1 = run_attention(kind, split(slice(0, 3)))
    o2, s2 = run_attention(kind, {**split(slice(3, None)), "s0": s1})
    np.testing.assert_array_equal(np.concatenate([o1, o2], axis=2), o)
    np.testing.assert_array_equal(s2, sT)


# ----------------------------------------------------------------------------
# T = 0: no output rows, and the final state is the initial state
# ----------------------------------------------------------------------------


def test_selective_scan_zero_steps():
    inputs = selective_scan_inputs(rng_for("ss-empty"), 2, 0, 4, 3)
    y, hT = run_selective_scan(inputs, dynamic=(1,))
    assert y.shape == (2, 0, 4)
    np.testing.assert_array_equal(hT, inputs["h0"])


@pytest.mark.parametrize("kind", KINDS)
def test_attention_scan_zero_steps(kind):
    inputs = attention_inputs(rng_for(kind, "empty"), kind, 1, 2, 0, 3, 4, with_s0=True)
    o, sT = run_attention(kind, inputs, dynamic=(2,))
    assert o.shape == (1, 2, 0, 4)
    np.testing.assert_array_equal(sT, inputs["s0"])
