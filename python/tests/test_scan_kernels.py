"""linea-cpu-scan-kernels (run by linea-lower-to-llvm, hence by linea-run)
against the reference lowering (`linea-lower-to-llvm=cpu-kernels=false`,
linea-to-linalg's per-step loop) and numpy, for linea.linear_scan and
linea.selective_scan: every optional operand combination with and without
softplus, f32/bf16/f16 activations and parameters, T = 0, 1, odd and 8192,
D not a multiple of the vector width, chaining through final_state, and
each schedule of the kernel — serial (small work, decode), parallel over
(batch × channel blocks) (B·D large) and time-chunked (B = 1, long T).

Many ops share one module (one JIT compilation per path) to keep the file
fast. The schedules with threads are compiled with num-threads = 4 whatever
the host has, so the time-chunked path is taken on any machine.
"""

import itertools

import numpy as np
import pytest

from linea.tools import run_mlir, run_opt
from test_scan_numerics import (KEYWORDS, OPTIONALS, TOL, Arg, decode, encode,
                                linear_scan_inputs, linear_scan_ref, rng_for,
                                selective_scan_inputs, selective_scan_ref, ttype)

THREADED = "--linea-lower-to-llvm=num-threads=4"
REFERENCE = "--linea-lower-to-llvm=cpu-kernels=false"

# ----------------------------------------------------------------------------
# Modules of several scans
# ----------------------------------------------------------------------------


class Scan:
    """One op of a module: its name, operands (Arg, names unique in the
    module), result types and attribute text."""

    def __init__(self, op, args, results, attrs=""):
        self.op, self.args, self.results, self.attrs = op, args, results, attrs


def module_of(scans):
    params, body, returns, types = [], [], [], []
    for k, s in enumerate(scans):
        params += [f"%{a.name}: {a.type}" for a in s.args]
        uses = ", ".join(f"%{a.name}" for a in s.args if a.keyword is None)
        uses += "".join(f" {a.keyword} %{a.name}" for a in s.args if a.keyword)
        names = [f"%r{k}_{i}" for i in range(len(s.results))]
        attrs = f" {{{s.attrs}}}" if s.attrs else ""
        in_types = ", ".join(a.type for a in s.args)
        body.append(f"  {', '.join(names)} = linea.{s.op} {uses}{attrs} : "
                    f"({in_types}) -> ({', '.join(s.results)})")
        returns += names
        types += s.results
    return (f"func.func @main({', '.join(params)}) -> ({', '.join(types)}) {{\n"
            + "\n".join(body) + f"\n  return {', '.join(returns)} : {', '.join(types)}\n}}\n")


def inputs_of(scans):
    return [encode(a.values, a.element) for s in scans for a in s.args]


def run_paths(scans, kernel_options=None):
    """(kernel outputs, reference outputs) of the module of `scans`; asserts
    that the kernel path really calls a generated kernel."""
    text, inputs = module_of(scans), inputs_of(scans)
    lowered = run_opt(text, kernel_options or "--linea-lower-to-llvm")
    assert "llvm.call @__linea_scan_kernel" in lowered
    assert "linea.linear_scan" not in lowered and "linea.selective_scan" not in lowered
    kernel = [decode(y) for y in run_mlir(lowered, inputs)]
    reference = run_opt(text, REFERENCE)
    assert "__linea_scan_kernel" not in reference
    ref = [decode(y) for y in run_mlir(reference, inputs)]
    return kernel, ref


def check(actual, expected, element="f32", scale=1.0):
    rtol, atol = TOL[element]
    np.testing.assert_allclose(actual, expected, rtol=rtol * scale, atol=atol * scale)


# ----------------------------------------------------------------------------
# Modules
# ----------------------------------------------------------------------------


ELEMENTS = {"u": "E", "delta": "E", "A": "F", "B": "E", "C": "E", "D": "F", "z": "E",
            "delta_bias": "F", "h0": "f32"}
BT = ("u", "delta", "B", "C", "z")


def selective_scan(tag, inputs, element="f32", param="f32", softplus=False, dynamic=()):
    """A Scan of selective_scan over `inputs` (names prefixed by `tag`)."""
    kinds = {"E": element, "F": param, "f32": "f32"}
    args = []
    for name in ("u", "delta", "A", "B", "C", *OPTIONALS):
        if name not in inputs:
            continue
        dims = dynamic if name in BT else tuple(d for d in dynamic if d == 0) if name == "h0" else ()
        args.append(Arg(f"{tag}_{name}", inputs[name], kinds[ELEMENTS[name]], dims,
                        KEYWORDS.get(name)))
    u = inputs["u"]
    results = [ttype(u.shape, element, dynamic),
               ttype((u.shape[0], u.shape[2], inputs["A"].shape[1]), "f32",
                     tuple(d for d in dynamic if d == 0))]
    return Scan("selective_scan", args, results, "delta_softplus" if softplus else "")


def linear_scan(tag, a, b, h0, element="f32", dynamic=()):
    args = [Arg(f"{tag}_a", a, element, dynamic), Arg(f"{tag}_b", b, element, dynamic)]
    if h0 is not None:
        args.append(Arg(f"{tag}_h0", h0, "f32", tuple(d for d in dynamic if d == 0),
                        keyword="initial_state"))
    return Scan("linear_scan", args, [ttype(a.shape, element, dynamic)])


def ref_of(inputs, softplus):
    return selective_scan_ref(**inputs, delta_softplus=softplus)


# ----------------------------------------------------------------------------
# selective_scan
# ----------------------------------------------------------------------------

COMBINATIONS = [c for r in range(len(OPTIONALS) + 1)
                for c in itertools.combinations(OPTIONALS, r)]


@pytest.mark.parametrize("softplus", [False, True], ids=["raw", "softplus"])
@pytest.mark.parametrize("half", [0, 1])
def test_selective_every_optional_combination(softplus, half):
    """All 16 subsets of (skip, gate, delta_bias, initial_state), in two
    modules of 8 ops (one kernel each: skip alone and delta_bias alone have
    the same signature and must not share one). D = 20 is one vector of 16
    plus a tail of 4; N = 3. Serial kernels (num-threads = 1, the smallest
    code), against numpy (the reference lowering of 8 ops takes too long to
    JIT here; the tests below compare with it)."""
    scans, cases = [], []
    for k, present in enumerate(COMBINATIONS[half::2]):
        inputs = selective_scan_inputs(rng_for("ssk", present, softplus), 2, 5, 20, 3,
                                       present=present, softplus=softplus)
        scans.append(selective_scan(f"s{k}", inputs, softplus=softplus))
        cases.append(inputs)
    text = module_of(scans)
    lowered = run_opt(text, "--linea-lower-to-llvm=num-threads=1")
    assert "llvm.call @__linea_scan_kernel" in lowered
    assert "linea.selective_scan" not in lowered
    kernel = [decode(y) for y in run_mlir(lowered, inputs_of(scans))]
    for k, inputs in enumerate(cases):
        y_ref, h_ref = ref_of(inputs, softplus)
        # Without softplus a negative bias can make Δ < 0 and the state
        # grow: tolerances relative to the largest value.
        scale = max(1.0, np.abs(y_ref).max(), np.abs(h_ref).max())
        check(kernel[2 * k], y_ref, scale=scale)
        check(kernel[2 * k + 1], h_ref, scale=scale)


@pytest.mark.parametrize("element,param", [("bf16", "f32"), ("f16", "f16"), ("bf16", "bf16")])
def test_selective_half_precision(element, param):
    """f16/bf16 activations widened on load, y rounded once, f32 state;
    parameters of any float type. B and T dynamic, D = 40 (two vectors and
    a tail of 8), N = 16."""
    scans, cases = [], []
    for k, present in enumerate([OPTIONALS]):
        inputs = selective_scan_inputs(rng_for("ssk-half", element, param, k), 2, 9, 40, 16,
                                       element, param, present=present, softplus=True)
        scans.append(selective_scan(f"s{k}", inputs, element, param, True, dynamic=(0, 1)))
        cases.append(inputs)
    kernel, reference = run_paths(scans)
    for k, inputs in enumerate(cases):
        y_ref, h_ref = ref_of(inputs, True)
        check(kernel[2 * k], reference[2 * k], element)
        check(kernel[2 * k], y_ref, element)
        check(kernel[2 * k + 1], h_ref)


@pytest.mark.parametrize("steps", [0, 1, 37])
def test_selective_lengths(steps):
    """T = 0 (the final state is the initial state), 1 (decode) and odd,
    through one module with dynamic T."""
    scans, cases = [], []
    for k, present in enumerate([OPTIONALS]):
        inputs = selective_scan_inputs(rng_for("ssk-len", steps, k), 3, steps, 24, 5,
                                       present=present, softplus=steps != 1)
        scans.append(selective_scan(f"s{k}", inputs, softplus=steps != 1, dynamic=(1,)))
        cases.append((inputs, steps != 1))
    kernel, reference = run_paths(scans)
    for k, (inputs, softplus) in enumerate(cases):
        y_ref, h_ref = ref_of(inputs, softplus)
        assert kernel[2 * k].shape == (3, steps, 24)
        check(kernel[2 * k], reference[2 * k])
        check(kernel[2 * k], y_ref)
        check(kernel[2 * k + 1], h_ref)
    if steps == 0:
        np.testing.assert_array_equal(kernel[1], cases[0][0]["h0"])


def test_selective_chains_through_final_state():
    """Two pieces chained through final_state give the whole sequence bit
    for bit (the per-row schedule does the same steps in the same order)."""
    inputs = selective_scan_inputs(rng_for("ssk-chain"), 2, 11, 20, 4,
                                   present=("D", "z", "delta_bias"), softplus=True)
    head = {k: (v[:, :4] if k in BT else v) for k, v in inputs.items()}
    tail = {k: (v[:, 4:] if k in BT else v) for k, v in inputs.items()}
    def run(tag, data):
        scan = selective_scan(tag, data, softplus=True)
        return [decode(r) for r in run_mlir(module_of([scan]), inputs_of([scan]))]

    y, hT = run("w", inputs)
    y1, h1 = run("h", head)
    y2, h2 = run("t", {**tail, "h0": h1})
    np.testing.assert_array_equal(np.concatenate([y1, y2], axis=1), y)
    np.testing.assert_array_equal(h2, hT)


# ----------------------------------------------------------------------------
# linear_scan
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("element", ["f32", "bf16", "f16"])
def test_linear_scan_matches_reference_bit_for_bit(element):
    """The kernel keeps the reference's a·h + b (no FMA) in f32 and rounds
    once, so on the per-row schedule it is bit-exact: D = 5 (a tail only),
    70 (a block of 64 and a tail of 6), 130; T = 0, 1, 13; with and without
    initial state."""
    scans, cases = [], []
    for k, (shape, with_h0) in enumerate([((2, 13, 5), True), ((3, 1, 70), False),
                                          ((1, 0, 16), True), ((2, 13, 130), False),
                                          ((2, 7, 70), True)]):
        a, b, h0 = linear_scan_inputs(rng_for("lsk", element, k), shape, element, with_h0)
        scans.append(linear_scan(f"l{k}", a, b, h0, element, dynamic=(0, 1) if k % 2 else ()))
        cases.append((a, b, h0))
    kernel, reference = run_paths(scans)
    for k, (a, b, h0) in enumerate(cases):
        np.testing.assert_array_equal(kernel[k], reference[k])
        check(kernel[k], linear_scan_ref(a, b, h0), element)


# ----------------------------------------------------------------------------
# The threaded schedules
# ----------------------------------------------------------------------------


def test_time_chunked_long_sequence():
    """B = 1, T = 8192 (≥ 4 threads × 256 steps, fewer (row, block) items than
    threads): the time-chunked schedule, for both ops, with and without
    initial state; also B = 2 with D = 20 (a tail block) and every optional
    operand at T = 1500. Against numpy in float64 and the reference."""
    rng = rng_for("chunked")
    a, b, h0 = linear_scan_inputs(rng, (1, 8192, 64), "f32", True)
    a2, b2, _ = linear_scan_inputs(rng, (1, 1031, 24), "bf16", False)
    s1 = selective_scan_inputs(rng, 1, 8192, 16, 16, present=(), softplus=True)
    s2 = selective_scan_inputs(rng, 2, 1500, 20, 3, present=OPTIONALS, softplus=True)
    scans = [linear_scan("l0", a, b, h0, dynamic=(1,)), linear_scan("l1", a2, b2, None, "bf16"),
             selective_scan("s0", s1, softplus=True, dynamic=(0, 1)),
             selective_scan("s1", s2, softplus=True)]
    lowered = run_opt(module_of(scans), "--linea-cpu-scan-kernels=num-threads=4")
    assert "memref<?x4x16x16xf32>" in lowered  # the chunk carries of s0
    kernel, reference = run_paths(scans, THREADED)
    check(kernel[0], linear_scan_ref(a, b, h0), scale=10)
    check(kernel[0], reference[0], scale=10)
    check(kernel[1], reference[1], "bf16")
    for k, inputs in ((2, s1), (4, s2)):
        y_ref, h_ref = ref_of(inputs, True)
        check(kernel[k], y_ref, scale=10)
        check(kernel[k], reference[k], scale=10)
        check(kernel[k + 1], h_ref, scale=10)


def test_parallel_rows_and_decode():
    """B·D large (B = 4, D = 256: 16 items ≥ 4 threads, 4·64·256·16 state
    updates): the (row × block) items in an scf.parallel; and T = 1 (decode)
    in the same kernel, below min-parallel-work: serially."""
    inputs = selective_scan_inputs(rng_for("rows"), 4, 64, 256, 16, "bf16",
                                   present=OPTIONALS, softplus=True)
    decode_inputs = {k: (v[:, :1] if k in BT else v) for k, v in inputs.items()}
    a, b, h0 = linear_scan_inputs(rng_for("rows-ls"), (8, 300, 256), "f32", True)
    scans = [selective_scan("s0", inputs, "bf16", softplus=True, dynamic=(0, 1)),
             selective_scan("s1", decode_inputs, "bf16", softplus=True, dynamic=(0, 1)),
             linear_scan("l0", a, b, h0, dynamic=(0, 1))]
    kernel, reference = run_paths(scans, THREADED)
    for k, data in ((0, inputs), (2, decode_inputs)):
        y_ref, h_ref = ref_of(data, True)
        check(kernel[k], reference[k], "bf16")
        check(kernel[k], y_ref, "bf16")
        check(kernel[k + 1], h_ref)
    np.testing.assert_array_equal(kernel[4], reference[4])
