#!/usr/bin/python3
"""Trains a small transformer classifier on real data — the 8×8 handwritten
digits bundled with Debian's python3-sklearn (1797 images, UCI) — and
exports it to ONNX. Deterministic on CPU (one thread, fixed seeds), about a
minute and a half of CPU time.

    /usr/bin/python3 examples/digits_transformer.py OUT_DIR [--epochs 40]

writes OUT_DIR/digits_transformer.onnx (input `pixels` [batch, 64] in [0, 1],
output `logits` [batch, 10]; the batch dimension is named `batch`, so
`linea-import-onnx --dim batch=N` picks it), the held-out split as
OUT_DIR/test_pixels.npy and OUT_DIR/test_labels.npy, and 128 training images
as OUT_DIR/calib_pixels.npy for the calibration-driven rewrites. examples/digits/ holds
the files this script wrote, so nothing needs retraining.

The model reads each image as 8 tokens (its rows of 8 pixels): a linear
embedding to 128 plus learned positions, two pre-norm blocks (RMSNorm,
4-head non-causal attention with q/k/v/o projections, RMSNorm, SwiGLU MLP
with FFN 384), a final RMSNorm, mean over tokens, and a linear head.
"""

import argparse
import math
import pathlib

import numpy as np
import torch
from torch import nn

HIDDEN, HEADS, FFN, LAYERS, TOKENS = 128, 4, 384, 2, 8


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q_proj = nn.Linear(HIDDEN, HIDDEN, bias=False)
        self.k_proj = nn.Linear(HIDDEN, HIDDEN, bias=False)
        self.v_proj = nn.Linear(HIDDEN, HIDDEN, bias=False)
        self.o_proj = nn.Linear(HIDDEN, HIDDEN, bias=False)

    def forward(self, x):
        b, s, _ = x.shape
        d = HIDDEN // HEADS

        def heads(t):
            return t.view(b, s, HEADS, d).transpose(1, 2)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        p = torch.softmax(torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d), dim=-1)
        o = torch.matmul(p, v).transpose(1, 2).reshape(b, s, HIDDEN)
        return self.o_proj(o)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_norm = RMSNorm(HIDDEN)
        self.attn = Attention()
        self.post_norm = RMSNorm(HIDDEN)
        self.gate_proj = nn.Linear(HIDDEN, FFN, bias=False)
        self.up_proj = nn.Linear(HIDDEN, FFN, bias=False)
        self.down_proj = nn.Linear(FFN, HIDDEN, bias=False)

    def forward(self, x):
        h = x + self.attn(self.input_norm(x))
        n = self.post_norm(h)
        g = self.gate_proj(n)
        return h + self.down_proj(g * torch.sigmoid(g) * self.up_proj(n))


class DigitsTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(8, HIDDEN)
        self.pos = nn.Parameter(0.02 * torch.randn(TOKENS, HIDDEN))
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = RMSNorm(HIDDEN)
        self.head = nn.Linear(HIDDEN, 10)

    def forward(self, pixels):
        x = self.embed(pixels.view(-1, TOKENS, 8)) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x).mean(dim=1))


def load_digits_split(seed=0):
    """sklearn's digits scaled to [0, 1], split 80/20 by a seeded permutation."""
    from sklearn.datasets import load_digits
    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def train(epochs, seed=0):
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    xtr, ytr, xte, yte = load_digits_split(seed)
    model = DigitsTransformer()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    steps = epochs * math.ceil(len(xtr) / 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    xt, yt = torch.from_numpy(xtr), torch.from_numpy(ytr)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        if epoch % 10 == 9 or epoch == epochs - 1:
            print(f"epoch {epoch + 1}: loss {total / len(xt):.4f}, "
                  f"test accuracy {accuracy(model, xte, yte):.4f}", flush=True)
    return model.eval(), xte, yte


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x)).argmax(-1).numpy()
    return float((pred == y).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    model, xte, yte = train(a.epochs, a.seed)
    out = pathlib.Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "digits_transformer.onnx"
    with torch.no_grad():
        torch.onnx.export(model, (torch.from_numpy(xte[:2]),), str(path),
                          opset_version=17, input_names=["pixels"],
                          output_names=["logits"],
                          dynamic_axes={"pixels": {0: "batch"},
                                        "logits": {0: "batch"}})
    np.save(out / "test_pixels.npy", xte)
    np.save(out / "test_labels.npy", yte)
    np.save(out / "calib_pixels.npy", load_digits_split(a.seed)[0][:128])
    print(f"wrote {path}: test accuracy {accuracy(model, xte, yte):.4f} "
          f"on {len(yte)} held-out images")


if __name__ == "__main__":
    main()
