"""The shipped trained digits transformer (examples/digits/): where its files
are, how the scripts import it for a given batch, and its host program in
numpy (forward) for running its layers elsewhere, e.g. as CUDA kernels."""

import pathlib

import numpy as np

from .tools import run_checked

DATA = pathlib.Path(__file__).resolve().parents[2] / "examples" / "digits"
MODEL = DATA / "digits_transformer.onnx"


def import_model(bin_, batch, out):
    """Imports the model with `batch` images per call and raises it; writes
    the raised module to `out` (and the imported one beside it)."""
    out = pathlib.Path(out)
    imported = out.with_suffix(".imported.mlir")
    run_checked([pathlib.Path(bin_) / "linea-import-onnx", MODEL, "--dim", f"batch={batch}",
                 "-o", imported])
    run_checked([pathlib.Path(bin_) / "linea-opt", imported, "--linea-raise", "-o", out])
    return out


#: The architecture examples/digits_transformer.py trains.
HIDDEN, HEADS, TOKENS, LAYERS, EPS = 128, 4, 8, 2, 1e-5


def host_params(model=MODEL):
    """The weights the host program applies itself (positions, RMSNorm
    scales), by ONNX initializer name, as float32 (needs the onnx package;
    the layers' weights come from the compiled artifacts)."""
    import onnx
    from onnx import numpy_helper

    names = ["pos", "norm.weight"] + [f"blocks.{i}.{n}.weight" for i in range(LAYERS)
                                      for n in ("input_norm", "post_norm")]
    found = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(model)).graph.initializer
             if i.name in names}
    missing = sorted(set(names) - set(found))
    if missing:
        raise KeyError(f"{model}: no initializers {missing}")
    return {k: np.asarray(v, np.float32) for k, v in found.items()}


def _rms_norm(x, weight):
    return weight * (x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + np.float32(EPS)))


def _attention(q, k, v):
    """Non-causal softmax attention over [B, T, HIDDEN] in HEADS heads."""
    b, t, _ = q.shape
    d = HIDDEN // HEADS

    def heads(a):
        return a.reshape(b, t, HEADS, d).transpose(0, 2, 1, 3)

    s = heads(q) @ heads(k).transpose(0, 1, 3, 2) / np.float32(np.sqrt(d))
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return (p @ heads(v)).transpose(0, 2, 1, 3).reshape(b, t, HIDDEN)


def forward(pixels, linear, params):
    """The digits model's host program: logits [B, 10] of pixels [B, 64].
    Every linear layer is `linear(layer name, x, act=, add=, mul=)` (the
    ONNX node names the importer gives the layers) with the elementwise ops
    that follow it in the model: the residual adds after o_proj and
    down_proj, SwiGLU's silu(gate) · up after gate_proj (so up comes
    first). A CUDA kernel fuses them where linea-to-gpu found them
    (docs/cuda.md, "Fused epilogues"), numpy does them elsewhere. Positions,
    RMSNorm, attention (4 heads of 32, which no CUDA kernel takes) and the
    mean over tokens are numpy, in float32."""
    b = len(pixels)
    x = linear("/embed/MatMul", np.asarray(pixels, np.float32).reshape(b, TOKENS, 8))
    x = x + params["pos"]
    for i in range(LAYERS):
        p = f"/blocks.{i}"
        h = _rms_norm(x, params[f"blocks.{i}.input_norm.weight"])
        q, k, v = (linear(f"{p}/attn/{n}_proj/MatMul", h) for n in "qkv")
        x = linear(f"{p}/attn/o_proj/MatMul", _attention(q, k, v), add=x)
        h = _rms_norm(x, params[f"blocks.{i}.post_norm.weight"])
        up = linear(f"{p}/up_proj/MatMul", h)
        mlp = linear(f"{p}/gate_proj/MatMul", h, act="silu", mul=up)
        x = linear(f"{p}/down_proj/MatMul", mlp, add=x)
    pooled = _rms_norm(x, params["norm.weight"]).mean(axis=1)
    return linear("/head/Gemm", pooled)
