#!/usr/bin/python3
"""Small torch models exported with torch.onnx.export at opset 17, for the
README's one-command examples (scripts/onnx-example.sh):

    /usr/bin/python3 examples/torch_examples.py {mlp,encoder} OUT_DIR

writes OUT_DIR/<model>.onnx, OUT_DIR/x.npy (an input) and OUT_DIR/y.npy
(torch's output for it). The Llama-style block lives in llama_block.py.
"""

import argparse
import pathlib

import numpy as np
import torch


def mlp():
    """Linear → GELU → Linear → LayerNorm → Linear → Tanh, batch 4."""
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 256), torch.nn.GELU(), torch.nn.Linear(256, 256),
        torch.nn.LayerNorm(256), torch.nn.Linear(256, 32), torch.nn.Tanh())
    return model, torch.randn(4, 64)


def encoder():
    """torch.nn.TransformerEncoderLayer (post-norm, ReLU FFN), batch 2, seq 16."""
    model = torch.nn.TransformerEncoderLayer(
        d_model=128, nhead=4, dim_feedforward=256, dropout=0.0, batch_first=True)
    return model, torch.randn(2, 16, 128)


MODELS = {"mlp": mlp, "encoder": encoder}


def export(name, out_dir, seed=0):
    """Exports model `name`; returns (onnx path, x, torch output)."""
    torch.manual_seed(seed)
    model, x = MODELS[name]()
    model.eval()
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.onnx"
    with torch.no_grad():
        y = model(x)
    # Outside no_grad: there, TransformerEncoderLayer takes a fused fast path
    # that torch.onnx cannot export.
    torch.onnx.export(model, (x,), str(path), opset_version=17,
                      input_names=["x"], output_names=["y"])
    return path, x.numpy(), y.numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", choices=sorted(MODELS))
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    path, x, y = export(a.model, a.out_dir, a.seed)
    np.save(path.parent / "x.npy", x)
    np.save(path.parent / "y.npy", y)
    print(path)


if __name__ == "__main__":
    main()
