"""Locating and running linea's command-line tools (linea-opt, linea-run)."""

import os
import pathlib
import subprocess
import tempfile
import time

import numpy as np

_ROOT = pathlib.Path(__file__).resolve().parents[2]


def build_dir() -> pathlib.Path:
    """The build directory: $LINEA_BUILD_DIR, else <repo>/build."""
    return pathlib.Path(os.environ.get("LINEA_BUILD_DIR", _ROOT / "build"))


def tool(name: str) -> str:
    path = build_dir() / "bin" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: build linea first (scripts/setup.sh)")
    return str(path)


_MLIR_DTYPES = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float16): "f16",
    np.dtype(np.int8): "i8",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
}


def tensor_type(array: np.ndarray, element: str | None = None) -> str:
    """The MLIR tensor type of `array`, e.g. tensor<2x3xf32>."""
    element = element or _MLIR_DTYPES[array.dtype]
    dims = "".join(f"{d}x" for d in array.shape)
    return f"tensor<{dims}{element}>"


def run_mlir(module: str, inputs, func: str | None = None, extra_args=()):
    """Runs `func` of the MLIR text `module` on numpy `inputs` with linea-run and
    returns its outputs as numpy arrays. Raises RuntimeError with linea-run's
    stderr on failure."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "module.mlir").write_text(module)
        args = [tool("linea-run"), str(tmp / "module.mlir"), "-o", str(tmp / "out")]
        if func:
            args += ["-e", func]
        for i, array in enumerate(inputs):
            path = tmp / f"in{i}.npy"
            np.save(path, np.require(array, requirements="C"))  # keeps 0-d arrays 0-d
            args += ["-i", str(path)]
        args += list(extra_args)
        proc = subprocess.run(args, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"linea-run failed ({proc.returncode}):\n{proc.stderr}")
        outputs = []
        i = 0
        while (tmp / "out" / f"out{i}.npy").exists():
            outputs.append(np.load(tmp / "out" / f"out{i}.npy"))
            i += 1
        return outputs


def collect_stats(module: str, x: np.ndarray, path, *args: str) -> pathlib.Path:
    """Calibration statistics of `module` on the input `x`, written by
    linea-run --collect-stats (plus `args`) to `path`; the module and x are
    saved next to it. Raises RuntimeError with linea-run's stderr on failure."""
    path = pathlib.Path(path)
    mlir, xin = path.with_suffix(".mlir"), path.with_suffix(".x.npy")
    mlir.write_text(module)
    np.save(xin, x)
    proc = subprocess.run([tool("linea-run"), str(mlir), "-i", str(xin),
                           "--collect-stats", str(path), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"linea-run --collect-stats failed ({proc.returncode}):\n{proc.stderr}")
    return path


def run_opt(module: str, *args: str) -> str:
    """Runs linea-opt with `args` (e.g. "--linea-raise") over the MLIR text
    `module` and returns the resulting MLIR text. Raises RuntimeError with
    linea-opt's stderr on failure."""
    proc = subprocess.run([tool("linea-opt"), "-", *args], input=module,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"linea-opt {' '.join(args)} failed "
                           f"({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def bf16_to_f32(array: np.ndarray) -> np.ndarray:
    """Widens bf16 bit patterns (as written by linea-run, dtype V2 or u2) to f32."""
    bits = np.ascontiguousarray(array).view(np.uint16).astype(np.uint32) << 16
    return bits.view(np.float32)


def f32_to_bf16_bits(array: np.ndarray) -> np.ndarray:
    """Rounds f32 to bf16 (nearest even) and returns the bit patterns as uint16."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16)


# Shared by the numerical tests.

def dynamic_leading(type_text: str) -> str:
    """tensor<4x3x12xf32> -> tensor<?x3x12xf32>."""
    head, rest = type_text.split("<", 1)
    return head + "<?" + rest[rest.index("x"):]


def as_element(array, element):
    """(values as the JIT sees them in f32, the array to pass to linea-run)
    for float `array` stored as `element` (f32, f16 or bf16)."""
    if element == "f32":
        a = np.asarray(array, np.float32)
        return a, a
    if element == "f16":
        a = np.asarray(array, np.float16)
        return a.astype(np.float32), a
    bits = f32_to_bf16_bits(array)
    return bf16_to_f32(bits), bits.view("V2")


def round_bf16(array):
    """`array` rounded to bf16, as f32 values (exactly representable)."""
    return bf16_to_f32(f32_to_bf16_bits(array))


def round_result(y64, element):
    """A float64 reference rounded once to the result element type."""
    y32 = y64.astype(np.float32)
    if element == "f16":
        return y32.astype(np.float16).astype(np.float32)
    if element == "bf16":
        return round_bf16(y32)
    return y32


# f32 accumulation against a float64 reference, plus the one rounding of
# the result for the half-precision types.
RESULT_TOLERANCE = {
    "f32": dict(rtol=1e-5, atol=1e-5),
    "f16": dict(rtol=2e-3, atol=2e-3),
    "bf16": dict(rtol=1.6e-2, atol=1e-2),
}



def tensor_type_of(shape, element, dynamic=()):
    """tensor<...> of `shape` with the dims listed in `dynamic` written `?`."""
    dims = "".join(("?" if i in dynamic else str(d)) + "x" for i, d in enumerate(shape))
    return f"tensor<{dims}{element}>"


def run_checked(args, **kw):
    """Runs a command (any path-like arguments); raises RuntimeError with its
    stderr when it exits non-zero. Returns the CompletedProcess."""
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{proc.stderr}")
    return proc


def hex_const(name, array, element):
    """`%name = arith.constant dense<"0x..."> : tensor<...>` for a
    little-endian array, and the tensor type."""
    dims = "x".join(str(d) for d in array.shape)
    ty = f"tensor<{dims}x{element}>"
    data = np.ascontiguousarray(array).tobytes().hex().upper()
    return f'  %{name} = arith.constant dense<"0x{data}"> : {ty}', ty


def median_ms(f, runs, warmup=2):
    """Median wall time of `runs` calls of f() in milliseconds, after
    `warmup` untimed calls (the benchmarks' one way to time a call)."""
    for _ in range(warmup):
        f()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3
