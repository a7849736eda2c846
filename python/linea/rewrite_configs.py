"""The rewrite configurations the tables in docs/ are made of: one
(name, linea-opt arguments) per rewrite family and setting, shared by
scripts/llama-rewrites.py (output error of a random-weight block) and
scripts/digits-accuracy.py (task accuracy of the trained digits model).

An argument containing {stats} needs calibration statistics: the scripts
replace it with the path of a `linea-run --collect-stats` file.
"""

STRUCTURED = [
    ("lowrank param-ratio=0.5", ["--linea-lowrank=param-ratio=0.5"]),
    ("lowrank energy=0.9", ["--linea-lowrank=energy=0.9"]),
    ("lowrank param-ratio=0.5 + fuse", ["--linea-lowrank=param-ratio=0.5", "--linea-fuse-projections"]),
    ("lowrank-kv rank=16 (cache 1/4)", ["--linea-lowrank-kv=rank=16"]),
    ("blockdiag blocks=4", ["--linea-blockdiag=blocks=4"]),
    ("monarch blocks=4 rank=4", ["--linea-monarch=blocks=4 rank=4"]),
    ("btt rank=4", ["--linea-btt=rank=4"]),
    ("kron terms=4", ["--linea-kron=terms=4"]),
    ("blast blocks=4 (default rank)", ["--linea-blast=blocks=4"]),
]

SHIFT_SPARSE_ATTENTION = [
    ("shift-add terms=1", ["--linea-shift-add=terms=1"]),
    ("shift-add terms=2", ["--linea-shift-add=terms=2"]),
    ("sparsify 2:4", ["--linea-sparsify=pattern=2:4"]),
    ("sparsify 2:4 Wanda", ["--linea-sparsify=pattern=2:4 stats={stats}"]),
    ("sparsify block:16x16 50%", ["--linea-sparsify=pattern=block:16x16 sparsity=0.5"]),
    ("linearize-attention", ["--linea-linearize-attention"]),
    ("shift-add terms=2 + add-only attention", ["--linea-shift-add=terms=2 attention=true"]),
]

QUANTIZED = [
    ("int8 per channel", ["--linea-quantize=format=int8"]),
    ("int8 W8A8 (dynamic per token)", ["--linea-quantize=format=int8 act=dynamic_int8_per_token"]),
    ("smooth + W8A8", ["--linea-smooth=stats={stats}",
                       "--linea-quantize=format=int8 act=dynamic_int8_per_token"]),
    ("int6 per channel", ["--linea-quantize=format=int6"]),
    ("int4 g128", ["--linea-quantize=format=int4 group-size=128"]),
    ("rotate + int4 g128", ["--linea-rotate", "--linea-quantize=format=int4 group-size=128"]),
    ("uint4 g128 asym f16 scales", ["--linea-quantize=format=uint4 group-size=128 scale-type=f16"]),
    ("uint4 g64 SINQ", ["--linea-sinq=format=uint4 group-size=64"]),
    ("uint4 g64 RTN", ["--linea-quantize=format=uint4 group-size=64"]),
    ("int4 g128 GPTQ", ["--linea-gptq=format=int4 group-size=128 stats={stats}"]),
    ("fp8 e4m3 per channel", ["--linea-quantize=format=fp8_e4m3"]),
    ("fp8 e4m3 + static fp8 acts", ["--linea-quantize=format=fp8_e4m3 act=fp8_per_tensor stats={stats}"]),
    ("fp8 e5m2 per tensor", ["--linea-quantize=format=fp8_e5m2 granularity=tensor"]),
    ("mxfp4", ["--linea-quantize=format=mxfp4"]),
    ("nvfp4", ["--linea-quantize=format=nvfp4"]),
    ("nvfp4 + fp8 per-token acts", ["--linea-quantize=format=nvfp4 act=fp8_per_token"]),
    ("nf4 g64", ["--linea-quantize=format=nf4"]),
]

EXACT = [
    ("dense (raised)", []),
    ("fold-norms + fuse-projections", ["--linea-fold-norms", "--linea-fuse-projections"]),
]

ALL = EXACT + STRUCTURED + SHIFT_SPARSE_ATTENTION + QUANTIZED


def needs_stats(args):
    return any("{stats}" in arg for arg in args)


def with_stats(args, stats_path):
    return [arg.replace("{stats}", str(stats_path)) for arg in args]


def is_quantizing(args):
    joined = " ".join(args)
    return any(p in joined for p in ("quantize", "gptq", "sinq"))


def family(name):
    """The family a configuration of ALL belongs to, for plot legends."""
    for label, group in (("exact", EXACT), ("structured", STRUCTURED),
                         ("shift-add / sparse / attention", SHIFT_SPARSE_ATTENTION),
                         ("quantized", QUANTIZED)):
        if any(name == n for n, _ in group):
            return label
    raise KeyError(name)
