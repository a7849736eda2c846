"""linea-cpu-attention-kernels (run by linea-lower-to-llvm, hence by linea-run)
against the reference lowering (`linea-lower-to-llvm=attention-kernels=false`,
linea-to-linalg's S×T scores) on the same modules and inputs, and against a
float64 numpy reference: f32/f16/bf16, MHA/GQA/MQA, causal and broadcast
masks (−inf entries included), decode (S = 1) over long and ragged key
counts, S > T causal (rows that see no key are exactly 0), all three row
tilings (prefill, few queries, decode), static and dynamic B, S, T, one and two threads with
the keys split among tasks (flash-decoding's merge).

Both paths compute the scores with the same f32 operations; they differ in
the order of the f32 sums and in exp (a polynomial in the kernel), so f32
outputs agree to a few 1e-6 and f16/bf16 outputs to one rounding of the
element type.
"""

import numpy as np
import pytest

from linea.tools import as_element, bf16_to_f32, run_mlir, run_opt, tensor_type_of
from test_attention_numerics import ref_attention

DYNAMIC = (0, 2)


def attention_module(cases, element, dynamic=()):
    """One @main with a linea.attention per case; case = dict(q, k, v,
    mask, mask_element, attrs). Returns (module text, inputs)."""
    args, body, results, types, inputs = [], [], [], [], []
    for n, c in enumerate(cases):
        names = []
        for name in ("q", "k", "v"):
            t = tensor_type_of(c[name].shape, element, dynamic)
            args.append(f"%{name}{n}: {t}")
            names.append(t)
            inputs.append(as_element(c[name], element)[1])
        op = f"linea.attention %q{n}, %k{n}, %v{n}"
        if c.get("mask") is not None:
            me = c.get("mask_element", "f32")
            t = tensor_type_of(c["mask"].shape, me, ())
            args.append(f"%m{n}: {t}")
            names.append(t)
            inputs.append(as_element(c["mask"], me)[1])
            op += f" mask %m{n}"
        if c.get("attrs"):
            op += " " + c["attrs"]
        out = c["q"].shape[:3] + (c["v"].shape[3],)
        ot = tensor_type_of(out, element, dynamic)
        body.append(f"  %o{n} = {op} : ({', '.join(names)}) -> {ot}")
        results.append(f"%o{n}")
        types.append(ot)
    return main_text(args, body, results, types), inputs


def main_text(args, body, results, types):
    """func @main(args) returning `results` of `types` after the `body` lines."""
    return (f"func.func @main({', '.join(args)}) -> ({', '.join(types)}) {{\n"
            + "\n".join(body) + f"\n  return {', '.join(results)} : {', '.join(types)}\n}}\n")


def to_f32(array, element):
    if element == "bf16":
        return bf16_to_f32(array)
    return np.asarray(array, np.float32)


def run_both(text, inputs, kernel_options=None):
    """(kernel path, reference path) outputs. With `kernel_options` the
    kernel pass runs first with them, then linea-lower-to-llvm on two
    threads."""
    assert "__linea_attention_kernel" in run_opt(text, "--linea-cpu-attention-kernels")
    if kernel_options is None:
        kernel = run_mlir(text, inputs)
    else:
        lowered = run_opt(text, f"--linea-cpu-attention-kernels={kernel_options}",
                          "--linea-lower-to-llvm=num-threads=2 min-parallel-work=1")
        assert "omp.parallel" in lowered
        kernel = run_mlir(lowered, inputs)
    reference = run_opt(text, "--linea-lower-to-llvm=attention-kernels=false")
    assert "__linea_attention" not in reference
    return kernel, run_mlir(reference, inputs)


def case(rng, b, h, hkv, s, t, d, dv, mask_shape=None, attrs="", mask_element="f32"):
    c = dict(q=rng.standard_normal((b, h, s, d), dtype=np.float32),
             k=rng.standard_normal((b, hkv, t, d), dtype=np.float32),
             v=rng.standard_normal((b, hkv, t, dv), dtype=np.float32),
             attrs=attrs, mask_element=mask_element)
    if mask_shape is not None:
        m = rng.standard_normal(mask_shape).astype(np.float32)
        # Hide some keys, never all of a row's.
        m[..., 1::3] = -np.inf if mask_shape[3] > 1 else m[..., 1::3]
        c["mask"] = m
    return c


def check(cases, outs, refs, element):
    for c, o, r in zip(cases, outs, refs):
        o, r = to_f32(o, element), to_f32(r, element)
        exact = ref_attention(*(as_element(c[n], element)[0] for n in "qkv"),
                              None if c.get("mask") is None else
                              as_element(c["mask"], c["mask_element"])[0],
                              causal="causal" in c.get("attrs", ""),
                              scale=0.5 if "scale" in c.get("attrs", "") else None)
        # f32: summation order and exp; f16/bf16: plus one rounding of each.
        ulp = {"f32": 2.0**-23, "f16": 2.0**-10, "bf16": 2.0**-7}[element]
        tol = 4e-6 + 1.01 * ulp * np.abs(exact)
        assert o.shape == r.shape == exact.shape
        assert np.all(np.abs(o - r) <= tol + 1.01 * ulp * np.abs(r)), np.abs(o - r).max()
        assert np.all(np.abs(o - exact) <= tol), np.abs(o - exact).max()


@pytest.mark.parametrize("element", ["f32", "bf16"])
def test_heads_and_causal(element):
    """MHA, GQA, MQA; causal and not; ragged S, T (not multiples of the
    key block or the query tile); D, Dv not multiples of the vector width;
    the prefill tiling (S ≥ its queries) and the decode one."""
    rng = np.random.default_rng(1)
    cases = [
        case(rng, 2, 4, 4, 37, 53, 32, 16),
        case(rng, 1, 8, 2, 37, 130, 24, 8, attrs="{causal}"),
        case(rng, 2, 4, 1, 5, 67, 16, 20, attrs="{causal, scale = 5.000000e-01 : f32}"),
        case(rng, 1, 2, 2, 70, 70, 16, 16, attrs="{causal}"),
        case(rng, 1, 8, 2, 1, 300, 32, 32),
        case(rng, 1, 8, 2, 1, 300, 32, 32, attrs="{causal}"),
    ]
    text, inputs = attention_module(cases, element)
    outs, refs = run_both(text, inputs)
    check(cases, outs, refs, element)


MASKS = [(1, 1, 13, 29), (2, 1, 1, 29), (1, 8, 13, 1), (2, 8, 13, 29), (1, 8, 1, 29),
         (1, 1, 1, 1)]


def test_broadcast_masks():
    """Every broadcast pattern of the mask over [B, H, S, T] (GQA, so rows
    of one tile differ in head and query), f32 and f16 masks, causal."""
    rng = np.random.default_rng(2)
    cases = [case(rng, 2, 8, 2, 13, 29, 16, 16, mask_shape=m,
                  attrs="{causal}" if i % 2 else "",
                  mask_element="f16" if i % 3 == 2 else "f32")
             for i, m in enumerate(MASKS)]
    # Decode (S = 1): a per-head f16 mask, read per (head, key).
    cases.append(case(rng, 2, 8, 2, 1, 50, 16, 16, mask_shape=(2, 8, 1, 50),
                      mask_element="f16"))
    text, inputs = attention_module(cases, "f32")
    outs, refs = run_both(text, inputs)
    check(cases, outs, refs, "f32")


def test_causal_rows_without_keys_are_zero():
    """S > T causal: queries i < S − T see no key and give exact zeros (in
    both tilings and with the keys split among threads)."""
    rng = np.random.default_rng(3)
    cases = [case(rng, 1, 4, 2, 20, 7, 16, 16, attrs="{causal}"),
             case(rng, 1, 1, 1, 90, 33, 16, 16, attrs="{causal}")]
    text, inputs = attention_module(cases, "f32")
    for options in (None, "num-threads=4 min-split-keys=4 min-parallel-work=0"):
        outs, refs = run_both(text, inputs, options)
        check(cases, outs, refs, "f32")
        assert np.all(outs[0][:, :, :13] == 0) and np.all(outs[1][:, :, :57] == 0)
        assert all(np.isfinite(o).all() for o in outs)


@pytest.mark.parametrize("element", ["f32", "bf16"])
def test_threads_and_key_splits(element):
    """Two threads, the keys of each tile split into ranges of 8+ keys and
    merged: decode (GQA, MQA) and a small prefill, masked and causal."""
    rng = np.random.default_rng(4)
    cases = [case(rng, 1, 8, 2, 1, 203, 32, 16, attrs="{causal}"),
             case(rng, 2, 4, 1, 3, 101, 16, 16, mask_shape=(2, 1, 1, 101)),
             case(rng, 1, 2, 2, 19, 45, 16, 16, attrs="{causal}")]
    text, inputs = attention_module(cases, element)
    outs, refs = run_both(text, inputs, "num-threads=2 min-split-keys=8 min-parallel-work=0")
    check(cases, outs, refs, element)


def test_dynamic_shapes():
    """B, S and T dynamic: the row tiling (prefill, few queries, decode)
    is picked at run time; decode with D, Dv not multiples of 16."""
    rng = np.random.default_rng(5)
    cases = [case(rng, 2, 8, 2, 21, 40, 16, 16, attrs="{causal}"),
             case(rng, 1, 4, 4, 1, 77, 24, 8),
             case(rng, 1, 2, 1, 66, 66, 16, 16, mask_shape=(1, 1, 66, 66))]
    text, inputs = attention_module(cases, "f16", dynamic=DYNAMIC)
    outs, refs = run_both(text, inputs)
    check(cases, outs, refs, "f16")


def test_long_decode_against_numpy():
    """T = 8192 keys (decode over a KV cache, GQA) and a 64-query causal
    prefill over them, against float64 numpy (the reference lowering is
    not needed: its S×T scores are what this kernel avoids)."""
    rng = np.random.default_rng(6)
    cases = [case(rng, 1, 8, 2, 1, 8192, 64, 64),
             case(rng, 1, 4, 4, 64, 8192, 32, 32, attrs="{causal}")]
    text, inputs = attention_module(cases, "bf16", dynamic=DYNAMIC)
    outs = run_mlir(text, inputs)
    for c, o in zip(cases, outs):
        exact = ref_attention(*(as_element(c[n], "bf16")[0] for n in "qkv"),
                              causal="causal" in c["attrs"])
        assert np.all(np.abs(bf16_to_f32(o) - exact) <= 1e-5 + 2.0**-7 * np.abs(exact))


def test_hidden_keys_weigh_exactly_zero():
    """−inf (and −1e30) mask entries give keys a weight of exactly 0, as
    libm's exp does in the reference: with one visible key per row the
    output is that key's value row bit for bit, even next to values of
    1e30; a row whose every score is −inf is NaN in both paths (undefined
    in the op's semantics, as in PyTorch)."""
    rng = np.random.default_rng(7)
    c = case(rng, 1, 2, 2, 3, 40, 16, 16)
    c["v"][:, :, :] = 1e30
    c["v"][:, :, 5] = rng.standard_normal(16)
    mask = np.full((1, 1, 3, 40), -np.inf, np.float32)
    mask[0, 0, :, 5] = 0.0
    mask[0, 0, 1, 7:] = -1e30
    mask[0, 0, 2, :] = -np.inf  # no finite score left: NaN
    c["mask"] = mask
    text, inputs = attention_module([c], "f32")
    (o,), (r,) = run_both(text, inputs)
    np.testing.assert_array_equal(o[0, :, :2], np.broadcast_to(c["v"][0, :, 5][:, None], (2, 2, 16)))
    assert np.isnan(o[0, :, 2]).all() and np.isnan(r[0, :, 2]).all()
    np.testing.assert_array_equal(o[0, :, :2], r[0, :, :2])


def test_no_keys_gives_zeros():
    """T = 0 at run time: every row sees no key and is 0, as the
    reference's empty sums (all three row tilings)."""
    rng = np.random.default_rng(8)
    cases = [case(rng, 1, 4, 2, 3, 0, 16, 16), case(rng, 1, 4, 2, 1, 0, 16, 16, attrs="{causal}"),
             case(rng, 1, 2, 2, 20, 0, 16, 16)]
    text, inputs = attention_module(cases, "f32", dynamic=DYNAMIC)
    outs, refs = run_both(text, inputs)
    for o, r in zip(outs, refs):
        assert np.all(o == 0) and np.all(r == 0)
