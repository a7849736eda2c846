"""linea-fuse-projections is exact: the fused module computes what the
original computes (dense layers with and without biases, dynamic leading
dims, and quantized layers with channel scales)."""

import numpy as np

from linea import tools


def dense(a):
    return np.array2string(np.asarray(a), separator=",", threshold=10**9,
                           floatmode="unique").replace("\n", "")


def function(x_type: str, lines, outs, types) -> str:
    """@main(%x) running `lines` and returning `outs` of `types`."""
    return (f"func.func @main(%x: {x_type}) -> ({', '.join(types)}) {{\n  "
            + "\n  ".join(lines)
            + f"\n  return {', '.join(outs)} : {', '.join(types)}\n}}\n")


def dense_projections(rng, k, ns, bias_on):
    """Layers p0, p1, … of N = ns reading one x[?, 3, k]; layer `bias_on`
    has a bias."""
    ws = [rng.standard_normal((n, k)).astype(np.float32) for n in ns]
    bias = rng.standard_normal(ns[bias_on]).astype(np.float32)
    lines, outs, types = [], [], []
    for i, (w, n) in enumerate(zip(ws, ns)):
        lines.append(f"%w{i} = arith.constant dense<{dense(w)}> : tensor<{n}x{k}xf32>")
    lines.append(f"%b = arith.constant dense<{dense(bias)}> : tensor<{ns[bias_on]}xf32>")
    for i, n in enumerate(ns):
        b, btype = (" bias %b", f", tensor<{n}xf32>") if i == bias_on else ("", "")
        lines.append(f"%y{i} = linea.linear %x, %w{i}{b} {{name = \"p{i}\"}} : "
                     f"(tensor<?x3x{k}xf32>, tensor<{n}x{k}xf32>{btype}) -> tensor<?x3x{n}xf32>")
        outs.append(f"%y{i}")
        types.append(f"tensor<?x3x{n}xf32>")
    return function(f"tensor<?x3x{k}xf32>", lines, outs, types)


def test_dense_qkv_fusion_is_exact():
    rng = np.random.default_rng(0)
    k, ns = 16, (16, 8, 8)
    module = dense_projections(rng, k, ns, bias_on=0)
    fused = tools.run_opt(module, "--linea-fuse-projections")
    assert fused.count("linea.linear") == 1 and 'name = "p0+p1+p2"' in fused
    x = rng.standard_normal((2, 3, k)).astype(np.float32)
    for a, b in zip(tools.run_mlir(fused, [x]), tools.run_mlir(module, [x])):
        np.testing.assert_array_equal(a, b)


def test_quant_group_fusion_is_exact():
    rng = np.random.default_rng(1)
    k, g = 64, 32
    parts = []
    for n in (8, 4):
        q = rng.integers(-128, 128, (n, k // 2), dtype=np.int8)   # int4 packed
        s = rng.uniform(0.01, 0.1, (n, k // g)).astype(np.float32)
        parts.append((n, q, s))
    lines, outs, types = [], [], []
    for i, (n, q, s) in enumerate(parts):
        lines.append(f"%q{i} = arith.constant dense<{dense(q)}> : tensor<{n}x{k // 2}xi8>")
        lines.append(f"%s{i} = arith.constant dense<{dense(s)}> : tensor<{n}x{k // g}xf32>")
        lines.append(f"%y{i} = linea.quant_linear %x, %q{i}, %s{i} format <int4, group {g}> : "
                     f"(tensor<5x{k}xf32>, tensor<{n}x{k // 2}xi8>, tensor<{n}x{k // g}xf32>)"
                     f" -> tensor<5x{n}xf32>")
        outs.append(f"%y{i}")
        types.append(f"tensor<5x{n}xf32>")
    module = function(f"tensor<5x{k}xf32>", lines, outs, types)
    fused = tools.run_opt(module, "--linea-fuse-projections")
    assert fused.count("linea.quant_linear") == 1
    x = rng.standard_normal((5, k)).astype(np.float32)
    for a, b in zip(tools.run_mlir(fused, [x]), tools.run_mlir(module, [x])):
        np.testing.assert_array_equal(a, b)


def test_lowrank_latent_fusion_matches_lowrank_module():
    # Three projections of one x, factored at rank 4, then fused: one latent
    # layer [4·3 rows] and three second stages must compute what the three
    # low-rank layers compute (same sums, regrouped).
    rng = np.random.default_rng(2)
    k, ns = 32, (32, 16, 16)
    module = dense_projections(rng, k, ns, bias_on=1)
    lowrank = tools.run_opt(module, '--linea-lowrank=rank=4')
    assert lowrank.count("linea.lowrank_linear %") == 3
    fused = tools.run_opt(lowrank, "--linea-fuse-projections")
    assert "linea.lowrank_linear" not in fused
    assert fused.count("linea.linear %") == 4
    assert 'name = "p0+p1+p2/latent"' in fused and "tensor<12x32xf32>" in fused
    assert fused.count("tensor.extract_slice") == 3
    x = rng.standard_normal((2, 3, k)).astype(np.float32)
    got, want = tools.run_mlir(fused, [x]), tools.run_mlir(lowrank, [x])
    assert len(got) == len(want) == 3
    for a, b in zip(got, want):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(b).max())
