#!/usr/bin/python3
"""A Llama-style decoder block (RMSNorm, grouped-query causal attention with
RoPE, SwiGLU MLP) written in plain torch and exported with
torch.onnx.export at opset 17.

    /usr/bin/python3 examples/llama_block.py OUT_DIR [--hidden 256 --heads 8
        --kv-heads 2 --ffn 688 --seq 16 --seed 0]

writes OUT_DIR/llama_block.onnx, OUT_DIR/x.npy (an input) and
OUT_DIR/y.npy (torch's output for it). The seven projections are named
q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (the ONNX node
names carry them, e.g. /attn/q_proj/MatMul).
"""

import argparse
import math
import pathlib

import numpy as np
import torch
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(1.0 + 0.1 * torch.randn(dim))

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, hidden, heads, kv_heads, seq, theta=10000.0):
        super().__init__()
        self.heads, self.kv_heads = heads, kv_heads
        self.head_dim = hidden // heads
        self.q_proj = nn.Linear(hidden, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, hidden, bias=False)
        inv = 1.0 / theta ** (torch.arange(0, self.head_dim, 2).float()
                              / self.head_dim)
        freqs = torch.outer(torch.arange(seq).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)
        mask = torch.full((seq, seq), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x):
        b, s, _ = x.shape
        d = self.head_dim
        q = self.q_proj(x).view(b, s, self.heads, d).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, d).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, d).transpose(1, 2)
        q = q * self.cos + rotate_half(q) * self.sin
        k = k * self.cos + rotate_half(k) * self.sin
        rep = self.heads // self.kv_heads
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d)
        scores = scores + self.mask
        p = torch.softmax(scores, dim=-1)
        o = torch.matmul(p, v).transpose(1, 2).reshape(b, s, self.heads * d)
        return self.o_proj(o)


class MLP(nn.Module):
    def __init__(self, hidden, ffn):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, ffn, bias=False)
        self.up_proj = nn.Linear(hidden, ffn, bias=False)
        self.down_proj = nn.Linear(ffn, hidden, bias=False)

    def forward(self, x):
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, hidden, heads, kv_heads, ffn, seq):
        super().__init__()
        self.input_norm = RMSNorm(hidden)
        self.attn = Attention(hidden, heads, kv_heads, seq)
        self.post_norm = RMSNorm(hidden)
        self.mlp = MLP(hidden, ffn)

    def forward(self, x):
        h = x + self.attn(self.input_norm(x))
        return h + self.mlp(self.post_norm(h))


def export(out_dir, hidden=256, heads=8, kv_heads=2, ffn=688, seq=16,
           batch=1, seed=0):
    """Exports the block; returns (onnx path, x, torch output)."""
    torch.manual_seed(seed)
    block = Block(hidden, heads, kv_heads, ffn, seq).eval()
    x = torch.randn(batch, seq, hidden)
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "llama_block.onnx"
    with torch.no_grad():
        y = block(x)
        torch.onnx.export(block, (x,), str(path), opset_version=17,
                          input_names=["x"], output_names=["y"])
    return path, x.numpy(), y.numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=688)
    ap.add_argument("--seq", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    path, x, y = export(a.out_dir, a.hidden, a.heads, a.kv_heads, a.ffn,
                        a.seq, seed=a.seed)
    np.save(path.parent / "x.npy", x)
    np.save(path.parent / "y.npy", y)
    print(path)


if __name__ == "__main__":
    main()
