#!/usr/bin/python3
"""Runs ONNX's backend node tests (Debian's libonnx-testdata) through
linea-import-onnx and linea-run.

For every test directory under /usr/share/libonnx-testdata/data/node:
  * import model.onnx; exit status 2 (unsupported op, opset or type) → skip;
  * run the module with linea-run on each test_data_set_*/input_*.pb;
  * compare with output_*.pb (floats: rtol/atol 1e-4, f16 1e-3; integers
    and bools exactly).
Prints pass/fail/skip counts and exits non-zero if any imported test fails.
With --compiled, each imported module is compiled by linea-compile into a
shared library instead, and run through linea.load (python/linea, ctypes).

Usage: scripts/onnx-node-tests.py [--build DIR] [-j N] [-k REGEX] [-v] [--compiled]
"""

import argparse
import collections
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
DATA = pathlib.Path("/usr/share/libonnx-testdata/data/node")

# numpy dtypes linea-run exchanges, and how they cross its interface: bool is
# passed as int8 0/1 and uint8 as int8 bit patterns (the importer keeps
# integers signless, see docs/onnx-import.md).
PASSABLE = {
    np.dtype(np.float32): None,
    np.dtype(np.float16): None,
    np.dtype(np.int8): None,
    np.dtype(np.int32): None,
    np.dtype(np.int64): None,
    np.dtype(np.uint8): np.int8,
    np.dtype(np.bool_): np.int8,
}

# Tests that import but whose reference cannot be reproduced, with the reason.
KNOWN_SKIPS = {}


def to_linea(array):
    array = np.asarray(array)
    view = PASSABLE[array.dtype]
    if array.dtype == np.bool_:
        return array.astype(np.int8)
    return array.view(view) if view is not None else array


def from_linea(array, like):
    if like.dtype == np.bool_:
        return array != 0
    if like.dtype == np.uint8:
        return array.view(np.uint8)
    return array


def load_tensor(path):
    tensor = onnx.TensorProto()
    tensor.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(tensor)


def close(actual, expected):
    """(ok, message) comparing one output."""
    if actual.shape != expected.shape:
        return False, f"shape {actual.shape} != expected {expected.shape}"
    if expected.dtype.kind == "f":
        tol = 1e-3 if expected.dtype == np.float16 else 1e-4
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        ok = np.allclose(a, e, rtol=tol, atol=tol, equal_nan=True)
        if not ok:
            err = np.nanmax(np.abs(a - e)) if a.size else 0
            return False, f"max abs error {err:.3g} (tolerance {tol})"
        return True, ""
    if not np.array_equal(actual, expected.astype(actual.dtype)):
        bad = int(np.sum(actual != expected))
        return False, f"{bad} of {expected.size} elements differ"
    return True, ""


def bake_integer_inputs(test_dir, data_set, tmp, bin_dir):
    """Imports a copy of the model whose int32/int64 graph inputs are
    initializers holding `data_set`'s values. Returns (indices of the baked
    inputs, the import's CompletedProcess)."""
    model = onnx.load(str(test_dir / "model.onnx"))
    initialized = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initialized]
    baked = set()
    for index, info in enumerate(inputs):
        if info.type.tensor_type.elem_type not in (onnx.TensorProto.INT64,
                                                   onnx.TensorProto.INT32):
            continue
        path = data_set / f"input_{index}.pb"
        if not path.exists():
            continue
        model.graph.initializer.append(
            numpy_helper.from_array(load_tensor(path), info.name))
        baked.add(index)
    keep = [i for n, i in enumerate(inputs) if n not in baked]
    del model.graph.input[:]
    model.graph.input.extend(keep)
    path = tmp / "baked.onnx"
    onnx.save(model, str(path))
    proc = subprocess.run(
        [str(bin_dir / "linea-import-onnx"), str(path), "-o",
         str(tmp / "model.mlir")],
        capture_output=True, text=True, timeout=300)
    return baked, proc


def run_compiled(module, inputs, tmp, bin_dir):
    """(outputs, None) of `module` compiled by linea-compile and run through
    linea.load, or (None, reason) when a step fails."""
    import linea
    lib_dir = tmp / "lib"
    if not lib_dir.exists():
        proc = subprocess.run([str(bin_dir / "linea-compile"), str(module), "--target=cpu",
                               "--quiet", "--name", "model", "-o", str(lib_dir)],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            return None, f"linea-compile failed ({proc.returncode}): " + proc.stderr.strip()[-400:]
    try:
        return linea.load(lib_dir)(*[np.array(to_linea(a), order="C") for a in inputs]), None
    except Exception as e:  # a wrong input or a failed call: the test fails
        return None, f"compiled call failed: {type(e).__name__}: {e}"


def run_test(test_dir, bin_dir, compiled=False):
    """Returns (status, reason) with status 'pass', 'fail' or 'skip'."""
    name = test_dir.name
    if name in KNOWN_SKIPS:
        return "skip", KNOWN_SKIPS[name]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        module = tmp / "model.mlir"
        proc = subprocess.run(
            [str(bin_dir / "linea-import-onnx"), str(test_dir / "model.onnx"),
             "-o", str(module)],
            capture_output=True, text=True, timeout=300)
        sets = sorted(test_dir.glob("test_data_set_*"))
        baked = None
        if proc.returncode == 2 and "must be known at import time" in proc.stderr \
                and len(sets) == 1:
            # The importer needs shapes and axes at import time; these tests
            # pass them as graph inputs. Bake the integer inputs of the (one)
            # data set into initializers and import again.
            baked, proc = bake_integer_inputs(test_dir, sets[0], tmp, bin_dir)
        if proc.returncode == 2:
            first = proc.stderr.strip().splitlines()
            return "skip", "unsupported: " + (" ".join(first[:2])[-160:] if first else "")
        if proc.returncode != 0:
            return "fail", "import failed: " + proc.stderr.strip()[-400:]
        if not sets:
            return "skip", "no test data"
        for data_set in sets:
            inputs = [load_tensor(p) for p in
                      sorted(data_set.glob("input_*.pb"),
                             key=lambda p: int(p.stem.split("_")[1]))]
            if baked is not None:
                inputs = [a for i, a in enumerate(inputs) if i not in baked]
            outputs = [load_tensor(p) for p in
                       sorted(data_set.glob("output_*.pb"),
                              key=lambda p: int(p.stem.split("_")[1]))]
            for array in inputs + outputs:
                if np.asarray(array).dtype not in PASSABLE:
                    return "skip", f"linea-run cannot pass {np.asarray(array).dtype}"
            if compiled:
                results, reason = run_compiled(module, inputs, tmp, bin_dir)
                if reason:
                    return "fail", reason
                for i, expected in enumerate(outputs):
                    if i >= len(results):
                        return "fail", f"output {i} missing"
                    actual = from_linea(np.asarray(results[i]), np.asarray(expected))
                    ok, message = close(actual, np.asarray(expected))
                    if not ok:
                        return "fail", f"{data_set.name} output {i} (compiled): {message}"
                continue
            args = [str(bin_dir / "linea-run"), str(module), "-o", str(tmp / "out")]
            for i, array in enumerate(inputs):
                path = tmp / f"in{i}.npy"
                # np.ascontiguousarray would turn a 0-d array into 1-d.
                np.save(path, np.array(to_linea(array), order="C"))
                args += ["-i", str(path)]
            proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                return "fail", f"linea-run failed ({proc.returncode}): " + \
                    proc.stderr.strip()[-400:]
            for i, expected in enumerate(outputs):
                path = tmp / "out" / f"out{i}.npy"
                if not path.exists():
                    return "fail", f"output {i} missing"
                actual = from_linea(np.load(path), np.asarray(expected))
                ok, message = close(actual, np.asarray(expected))
                if not ok:
                    return "fail", f"{data_set.name} output {i}: {message}"
    return "pass", ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.environ.get(
        "LINEA_BUILD_DIR", str(ROOT / "build")))
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-k", "--filter", default="", help="regex on test names")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also list skipped tests with their reasons")
    parser.add_argument("--compiled", action="store_true",
                        help="run each model as a linea-compile library (linea.load) "
                             "instead of through linea-run")
    args = parser.parse_args()

    bin_dir = pathlib.Path(args.build) / "bin"
    for tool in ("linea-import-onnx", "linea-compile" if args.compiled else "linea-run"):
        if not (bin_dir / tool).exists():
            sys.exit(f"{bin_dir / tool} not found: build linea first")
    if not DATA.is_dir():
        sys.exit(f"{DATA} not found: install Debian's libonnx-testdata")

    tests = [d for d in sorted(DATA.iterdir())
             if d.is_dir() and re.search(args.filter, d.name)]
    results = {}
    with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_test, d, bin_dir, args.compiled): d.name for d in tests}
        for future in concurrent.futures.as_completed(futures):
            name = futures[future]
            try:
                results[name] = future.result()
            except Exception as e:  # a timeout or a bad test file
                results[name] = ("fail", f"{type(e).__name__}: {e}")

    counts = collections.Counter(status for status, _ in results.values())
    for name in sorted(results):
        status, reason = results[name]
        if status == "fail" or (args.verbose and status == "skip"):
            print(f"{status.upper()}: {name}: {reason}")
        elif args.verbose:
            print(f"PASS: {name}")
    print(f"onnx node tests{' (compiled)' if args.compiled else ''}: {counts['pass']} passed, {counts['fail']} failed, "
          f"{counts['skip']} skipped")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
