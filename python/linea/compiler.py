"""linea.compile: linea-compile from Python.

    import linea
    m = linea.compile("model.onnx", rewrites=["linea-quantize{format=int8}"],
                      target="cpu", dims={"batch": 360})
    y = m(x)             # numpy in, numpy out (a tuple when several outputs)
    m.report             # linea-compile --report's JSON, as Python data
    print(m.table())     # the per-layer table linea-compile prints
    m.plot("err.svg")    # weight error against bytes, one point per layer

With target="cuda" the result is a linea.cuda.CudaArtifacts instead (PTX,
cubin, manifest, weights, report; kernels run one by one, or a whole model
through a host program, where a GPU is: docs/cuda.md "From Python").
    m.set_threads(1)     # run on one thread (up to m.library.max_threads)

`weights="file"` keeps the constants in <name>.weights next to the library;
`autotune=True` times tile candidates per layer shape (m.tile_table is the
JSON it wrote; pass it as `tile_table=` to a later compile).

`rewrites` are linea-opt pipeline elements run in order before lowering
(linea-opt's `--linea-quantize=format=int8` spelling is accepted too).
A failing compile raises CompileError with linea-compile's message.
"""

import json
import pathlib
import subprocess
import tempfile

from . import svg, tools
from .cuda import CudaArtifacts
from .runtime import load


class CompileError(RuntimeError):
    """linea-compile failed; the message is the tool's diagnostics."""


def _pipeline_element(rewrite):
    """"--linea-x=a=1 b=2" (linea-opt's flag) → "linea-x{a=1 b=2}"."""
    rewrite = rewrite.strip()
    if not rewrite.startswith("--"):
        return rewrite
    name, _, options = rewrite[2:].partition("=")
    return f"{name}{{{options}}}" if options else name


class CompiledModel:
    """A library linea-compile wrote: call it on numpy arrays."""

    def __init__(self, out_dir, name, report):
        self.out_dir = pathlib.Path(out_dir)
        self.name = name
        self.header = self.out_dir / f"{name}.h"
        self.report = report
        self.library = load(self.out_dir, name)
        tiles = self.out_dir / f"{name}.tiles.json"
        self.tile_table = json.loads(tiles.read_text()) if tiles.exists() else None

    def __call__(self, *inputs):
        outputs = self.library(*inputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def set_threads(self, n):
        """Runs the next calls on `n` threads (0: automatic)."""
        self.library.set_threads(n)

    @property
    def threads(self):
        return self.library.threads

    def layers(self):
        """One dict per layer: name, form_before, form, out_features,
        in_features, bytes_before, bytes, weight_error (None when the
        rewrite recorded none)."""
        rows = []
        for layer in self.report["layers"]:
            before, after = layer["before"] or {}, layer["after"] or {}
            shape = after or before
            rows.append({"name": layer["name"], "form_before": before.get("form"),
                         "form": after.get("form"), "out_features": shape["out_features"],
                         "in_features": shape["in_features"],
                         "bytes_before": before.get("bytes"), "bytes": after.get("bytes"),
                         "weight_error": after.get("weight_error")})
        return rows

    def table(self):
        """The report as text: a line per layer, then the totals."""
        def shrink(before, after):
            return f"{before / after:.2f}x" if before and after else "-"

        head = ("layer", "form", "N", "K", "bytes before", "bytes after", "shrink", "w_err")
        lines = [head]
        for r in self.layers():
            error = r["weight_error"]
            lines.append((r["name"], f"{r['form_before'] or '-'} -> {r['form'] or '-'}",
                          str(r["out_features"]), str(r["in_features"]),
                          str(r["bytes_before"] if r["bytes_before"] is not None else "-"),
                          str(r["bytes"] if r["bytes"] is not None else "-"),
                          shrink(r["bytes_before"], r["bytes"]),
                          "-" if error is None else f"{error:.3e}"))
        before, after = (self.report["total"][k]["bytes"] for k in ("before", "after"))
        lines.append(("total", "", "", "", str(before), str(after), shrink(before, after), ""))
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        return "\n".join("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(line, widths)))
                         for line in lines)

    def plot(self, path):
        """Writes the weight error (0 for a layer the rewrites left exact)
        against the stored bytes of every layer after the rewrites, one
        colour per form, as SVG to `path`."""
        rows = [r for r in self.layers() if r["form"]]
        if not rows:
            raise ValueError(f"{self.name}: the model has no linear layers to plot")
        points = [(r["bytes"], r["weight_error"] or 0.0, r["name"]) for r in rows]
        svg.scatter(path, points, "stored weight bytes", "relative weight error",
                    f"{self.name}: error against bytes per layer",
                    series=[r["form"] for r in rows])
        return pathlib.Path(path)

    def __repr__(self):
        return f"<linea compiled model {self.name} in {self.out_dir}>"


def compile(model, rewrites=(), target="cpu", name=None, out_dir=None, dims=None,
            progress=False, weights="embed", threads=None, autotune=False,
            tile_table=None, host_fallback=False, cpu=None):
    """Compiles `model` (.onnx or .mlir) with linea-compile after the
    `rewrites`, into `out_dir` (default: a new temporary directory) as
    lib<name>.so, and loads it. `dims` sizes symbolic ONNX dimensions
    ({"batch": 1}). With `progress`, linea-compile's stage progress goes to
    stderr. `weights` ("embed" or "file"), `threads` (the most the library
    may run on), `autotune` and `tile_table` are linea-compile's --weights,
    --max-threads, --autotune and --tile-table. With target="cuda",
    `host_fallback` is --host-fallback: layers without a CUDA kernel are left
    to the host program (CudaArtifacts.host_ops) instead of failing. `cpu` is
    --cpu: the CPU the library is compiled for ("native", the default, or an
    LLVM x86 CPU name such as "x86-64-v3")."""
    model = pathlib.Path(model)
    if isinstance(rewrites, str):
        rewrites = [rewrites]
    name = name or "".join(c if c.isalnum() else "_" for c in model.stem)
    if name[:1].isdigit():
        name = "m_" + name
    out_dir = pathlib.Path(out_dir or tempfile.mkdtemp(prefix=f"linea-{name}-"))
    report_path = out_dir / f"{name}.report.json"
    args = [tools.tool("linea-compile"), str(model), f"--target={target}", "--name", name,
            "-o", str(out_dir), f"--report={report_path}", "--quiet"]
    pipeline = ",".join(_pipeline_element(r) for r in rewrites)
    if pipeline:
        args += ["--passes", pipeline]
    for dim, value in (dims or {}).items():
        args += ["--dim", f"{dim}={value}"]
    if progress:
        args.append("--progress")
    args.append(f"--weights={weights}")
    if threads is not None:
        args.append(f"--max-threads={threads}")
    if autotune:
        args.append("--autotune")
    if tile_table is not None:
        args.append(f"--tile-table={tile_table}")
    if host_fallback:
        args.append("--host-fallback")
    if cpu is not None:
        args.append(f"--cpu={cpu}")
    proc = subprocess.run(args, stdout=subprocess.PIPE,
                          stderr=None if progress else subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise CompileError((proc.stderr or "").strip() or
                           f"linea-compile failed (exit status {proc.returncode}); "
                           "its messages are above")
    report = json.loads(report_path.read_text())
    if target == "cuda":
        return CudaArtifacts(out_dir, name, report)
    return CompiledModel(out_dir, name, report)
