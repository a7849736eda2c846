"""linea-lowrank-kv (Palu, REWRITES.md §1.2) on the Llama-style block of
examples/llama_block.py: torch export → import → raise → rewrite → linea-run.

- K/V weights that are exactly low-rank per head are recovered: the rewritten
  block equals the original (a full-rank rewrite of what the weights hold).
- On random weights the recorded per-group weight errors match numpy's SVD
  tail, and the block output error decreases monotonically with the rank.
- Grouped (one head per group) against joint SVD at the same cached latent
  per token: both errors are reported; the joint one is never worse in
  weight error (Eckart–Young: the grouped form is itself of that rank).
"""

import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from linea import tools  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))
import llama_block  # noqa: E402

HIDDEN, HEADS, KV_HEADS, SEQ = 256, 8, 2, 16
HEAD_DIM = HIDDEN // HEADS  # 32
F32_BYTES = 4


def run_tool(name, *args):
    proc = subprocess.run([tools.tool(name), *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def export_block(out, kv_rank_per_head=None, seed=0, seq=SEQ):
    """Exports, imports and raises the default block (of `seq` tokens),
    optionally with K/V weights of exactly `kv_rank_per_head` per head.
    Returns (raised path, x, torch y, {"k": W_k, "v": W_v} as float64)."""
    torch.manual_seed(seed)
    block = llama_block.Block(HIDDEN, HEADS, KV_HEADS, 688, seq).eval()
    if kv_rank_per_head:
        gen = torch.Generator().manual_seed(seed + 1)
        for proj in (block.attn.k_proj, block.attn.v_proj):
            heads = [torch.randn(HEAD_DIM, kv_rank_per_head, generator=gen)
                     @ torch.randn(kv_rank_per_head, HIDDEN, generator=gen) / HIDDEN
                     for _ in range(KV_HEADS)]
            proj.weight.data = torch.cat(heads, 0)
    x = torch.randn(1, seq, HIDDEN)
    onnx_path = out / "block.onnx"
    with torch.no_grad():
        y = block(x)
        torch.onnx.export(block, (x,), str(onnx_path), opset_version=17,
                          input_names=["x"], output_names=["y"])
    run_tool("linea-import-onnx", onnx_path, "-o", out / "imported.mlir")
    raised = out / "raised.mlir"
    run_tool("linea-opt", "--linea-raise", out / "imported.mlir", "-o", raised)
    weights = {"k": block.attn.k_proj.weight.detach().double().numpy(),
               "v": block.attn.v_proj.weight.detach().double().numpy()}
    return raised, x.numpy(), y.numpy(), weights


def rewrite(raised, tmp_path, options):
    """linea-opt --linea-lowrank-kv=`options`: (output path, stderr)."""
    out = tmp_path / ("kv-" + re.sub(r"\W", "_", options) + ".mlir")
    proc = run_tool("linea-opt", raised, f"--linea-lowrank-kv={options}", "-o", out)
    return out, proc.stderr


def run_block(path, x):
    """The block's output for x, run by linea-run, as float64."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        np.save(tmp / "x.npy", x)
        run_tool("linea-run", path, "-i", tmp / "x.npy", "-o", tmp / "out")
        return np.load(tmp / "out" / "out0.npy").astype(np.float64)


def rel(y, ref):
    return float(np.linalg.norm(y - ref) / np.linalg.norm(ref))


def kv_ops(text, proj):
    """(name, weight_error, rank) of the lowrank_linear ops of `proj`."""
    ops = []
    for line in text.splitlines():
        m = re.search(r"linea\.lowrank_linear .*linea\.weight_error = ([-+0-9.eE]+) : f32, "
                      r"name = \"([^\"]*" + proj + r"_proj[^\"]*)\"} : \(tensor<[0-9x]+f32>, "
                      r"tensor<(\d+)x(\d+)xf32>", line)
        if m:
            ops.append((m.group(2), float(m.group(1)), int(m.group(4))))
    return ops


def kv_latents(text):
    return [int(v) for v in re.findall(r"linea\.kv_latent = (\d+) : i64", text)]


def np_group_error(w, group_rows, rank):
    """‖W_g − best rank-r W_g‖/‖W_g‖ for each row group of w."""
    errors = []
    for g in range(0, w.shape[0], group_rows):
        s = np.linalg.svd(w[g:g + group_rows], compute_uv=False)
        errors.append(np.sqrt(np.sum(s[rank:] ** 2) / np.sum(s ** 2)))
    return errors


def projection_error(w, ops, group_rows):
    """Whole-projection ‖W − Ŵ‖/‖W‖ from the per-group recorded errors."""
    norms = [np.linalg.norm(w[g:g + group_rows]) for g in range(0, w.shape[0], group_rows)]
    return float(np.sqrt(sum((e * n) ** 2 for (_, e, _), n in zip(ops, norms)))
                 / np.linalg.norm(w))


@pytest.fixture(scope="module")
def random_block(tmp_path_factory):
    return export_block(tmp_path_factory.mktemp("kv-random"))


@pytest.fixture(scope="module")
def lowrank_block(tmp_path_factory):
    return export_block(tmp_path_factory.mktemp("kv-lowrank"), kv_rank_per_head=4)


@pytest.mark.parametrize("options,groups,latent", [
    ("rank=4 group-size=1", 2, 8),
    ("rank=8", 1, 8),
    ("energy=1.0 group-size=1", 2, 8),
])
def test_exact_when_weights_have_that_rank(lowrank_block, tmp_path, options, groups, latent):
    raised, x, y_torch, _ = lowrank_block
    out, _ = rewrite(raised, tmp_path, options)
    text = out.read_text()
    assert len(re.findall(r"tensor\.concat ", text)) == (2 if groups > 1 else 0)
    for proj in "kv":
        ops = kv_ops(text, proj)
        assert len(ops) == groups, text
        assert all(e < 1e-5 for _, e, _ in ops), ops
    assert kv_latents(text) == [latent, latent]
    # q, o and the MLP layers stay dense.
    assert len(re.findall(r"linea\.linear ", text)) == 5
    y0 = run_block(raised, x)
    y = run_block(out, x)
    np.testing.assert_allclose(y0, y_torch, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(y, y0, rtol=1e-4, atol=1e-5)


def test_error_decreases_with_rank(random_block, tmp_path):
    raised, x, _, weights = random_block
    y0 = run_block(raised, x)
    dense_bytes = 2 * KV_HEADS * HEAD_DIM * F32_BYTES
    print(f"\ndense K+V cache: {dense_bytes} B/token")
    for group_size, ranks in [(1, [2, 4, 8, 16, 24, 28]), (0, [4, 8, 16, 32, 48])]:
        group_rows = (group_size or KV_HEADS) * HEAD_DIM
        errors = []
        for r in ranks:
            out, _ = rewrite(raised, tmp_path, f"rank={r} group-size={group_size}")
            text = out.read_text()
            groups = KV_HEADS // (group_size or KV_HEADS)
            assert kv_latents(text) == [groups * r] * 2
            for proj in "kv":
                ops = kv_ops(text, proj)
                assert [rank for _, _, rank in ops] == [r] * groups
                # The recorded error is the SVD tail of each group.
                np.testing.assert_allclose([e for _, e, _ in ops],
                                           np_group_error(weights[proj], group_rows, r),
                                           rtol=1e-4, atol=1e-6)
            errors.append(rel(run_block(out, x), y0))
            cache = 2 * groups * r * F32_BYTES
            print(f"group-size={group_size or KV_HEADS} rank={r:2d}: cache {cache:3d} B/token "
                  f"({cache / dense_bytes:.3f} of dense), block output rel err {errors[-1]:.3e}")
        assert all(a > b for a, b in zip(errors, errors[1:])), errors
        assert errors[0] > 1e-3  # the rewrite does change the block


@pytest.mark.parametrize("rank", [4, 8, 16])
def test_grouped_vs_joint_at_equal_cache(random_block, tmp_path, rank):
    raised, x, _, weights = random_block
    y0 = run_block(raised, x)
    grouped, _ = rewrite(raised, tmp_path, f"rank={rank} group-size=1")
    joint, _ = rewrite(raised, tmp_path, f"rank={KV_HEADS * rank}")
    g_text, j_text = grouped.read_text(), joint.read_text()
    assert kv_latents(g_text) == kv_latents(j_text) == [KV_HEADS * rank] * 2
    g_out, j_out = rel(run_block(grouped, x), y0), rel(run_block(joint, x), y0)
    print(f"\ncache {2 * KV_HEADS * rank * F32_BYTES} B/token:")
    for proj in "kv":
        g_err = projection_error(weights[proj], kv_ops(g_text, proj), HEAD_DIM)
        (j_op,) = kv_ops(j_text, proj)
        j_err = j_op[1]
        print(f"  {proj}_proj weight err: grouped (1 head/group, r={rank}) {g_err:.4f}, "
              f"joint (r={KV_HEADS * rank}) {j_err:.4f}")
        assert j_err <= g_err * (1 + 1e-5)
    print(f"  block output rel err: grouped {g_out:.3e}, joint {j_out:.3e}")
    assert g_out > 0 and j_out > 0


def test_remarks_on_the_block(random_block, tmp_path):
    raised, _, _, _ = random_block
    _, stderr = rewrite(raised, tmp_path, "rank=30 group-size=1")
    # q_proj feeds the query; o_proj and the MLP do not reach attention.
    assert "skipped layer '/attn/q_proj/MatMul': feeds linea.attention, but not its k or v" in stderr
    for name in ["/attn/o_proj", "/mlp/gate_proj", "/mlp/up_proj", "/mlp/down_proj"]:
        assert (f"skipped layer '{name}/MatMul': does not feed the k or v operand"
                in stderr), stderr
    # rank 30 of a [32, 256] head: below full rank 32, but 30·288 > 32·256.
    assert "skipped layer '/attn/k_proj/MatMul': group 0 [32, 256]: rank 30 stores" in stderr


@pytest.fixture(scope="module")
def decode_block(tmp_path_factory):
    return export_block(tmp_path_factory.mktemp("kv-decode"), seq=1)


def latent_ops(text):
    return re.findall(r"linea\.latent_attention [^\n]*", text)


@pytest.mark.parametrize("options,latent", [
    ("rank=8 group-size=1", 16),
    ("rank=16", 16),
    ("param-ratio=0.25 group-size=1", None),
])
def test_latent_attention_equals_lowrank(random_block, tmp_path, options, latent):
    """latent-attention=true turns the factored block's attention into one
    linea.latent_attention over x·vᵀ (RoPE rebuilt inside); prefill S = 16
    runs the reference lowering. Same output as the factored block up to
    f32 summation order."""
    raised, x, _, _ = random_block
    factored, _ = rewrite(raised, tmp_path, options)
    fused, stderr = rewrite(raised, tmp_path, options + " latent-attention=true")
    text = fused.read_text()
    assert "attention left as is" not in stderr, stderr
    (op,) = latent_ops(text)
    assert " rope(" in op and "causal" in op and "kv_heads = 2" in op, op
    assert "linea.attention " not in text and "linea.lowrank_linear" not in text
    # The latents are two linea.linear layers next to the five dense ones.
    names = re.findall(r"linea\.linear [^\n]*name = \"([^\"]*)\"", text)
    assert sorted(n for n in names if n.endswith("/latent")) == [
        "/attn/k_proj/MatMul/latent", "/attn/v_proj/MatMul/latent"], names
    latents = kv_latents(text)
    assert latents == kv_latents(factored.read_text())
    if latent:
        assert latents == [latent, latent]
    y0 = run_block(factored, x)
    y = run_block(fused, x)
    print(f"\n{options}: latent-attention vs factored block rel err {rel(y, y0):.2e}")
    np.testing.assert_allclose(y, y0, rtol=1e-5, atol=1e-5)
    assert rel(y, y0) < 1e-6


def test_latent_attention_decode_kernel(decode_block, tmp_path):
    """S = 1 (one token, its own key): the CPU decode kernel of
    linea.latent_attention against the factored block."""
    raised, x, _, _ = decode_block
    factored, _ = rewrite(raised, tmp_path, "rank=8 group-size=1")
    fused, stderr = rewrite(raised, tmp_path, "rank=8 group-size=1 latent-attention=true")
    (op,) = latent_ops(fused.read_text())
    assert "tensor<1x8x1x32xf32>" in op, op
    np.testing.assert_allclose(run_block(fused, x), run_block(factored, x),
                               rtol=1e-5, atol=1e-5)

