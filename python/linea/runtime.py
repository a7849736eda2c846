"""Calling a library built by linea-compile from Python (ctypes + numpy).

    import linea
    lib = linea.load("out/")   # out/ holds lib<NAME>.so and <NAME>.json
    (y,) = lib(x)              # the module's only function
    (y,) = lib.main(x)         # a function by name

Inputs are numpy arrays of exactly the dtype and shape in the manifest
(<NAME>.json; -1 is a dynamic dimension); a wrong one raises ValueError naming
the input, the expected and the given dtype and shape. f16 is numpy float16;
bf16 goes in as uint16 (or 2-byte void) bit patterns and comes out as uint16.
Every call returns a tuple of new numpy arrays, one per output.

    lib.set_threads(2)     # run on 2 threads (1..lib.max_threads; 0: automatic)
    lib.threads            # the count the next call uses

A library compiled with --weights=file maps <NAME>.weights from the manifest's
directory when loaded (or `load(..., weights=PATH)`); a missing, truncated,
foreign or corrupted file raises WeightsError with the library's message.
"""

import ctypes
import json
import pathlib
import shutil
import tempfile

import numpy as np

_DTYPES = {
    "f32": np.dtype(np.float32),
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.uint16),
    "i8": np.dtype(np.int8),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
}


def _shape_text(shape):
    return "[" + ", ".join("?" if d < 0 else str(d) for d in shape) + "]"


# The library's LINEA_ERR_WEIGHTS_* return codes (<NAME>.h).
WEIGHTS_ERRORS = {2: "missing", 3: "truncated", 4: "format", 5: "mismatch", 6: "corrupt"}


class WeightsError(RuntimeError):
    """The weights file of a library could not be used; `reason` is one of
    WEIGHTS_ERRORS' values, the message the library's."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.reason = WEIGHTS_ERRORS.get(code, "error")


class Function:
    """One function of the library: call it with one array per input."""

    def __init__(self, cdll, spec, tensor_type, free, last_error):
        self.name = spec["name"]
        self.symbol = spec["symbol"]
        self.inputs = spec["inputs"]
        self.outputs = spec["outputs"]
        self._tensor_type = tensor_type
        self._free = free
        self._last_error = last_error
        self._fn = getattr(cdll, self.symbol)
        self._fn.restype = ctypes.c_int
        argtypes = []
        for t in self.inputs:
            argtypes.append(ctypes.c_void_p)
            argtypes += [ctypes.c_int64] * len(t["dim_args"])
        for t in self.outputs:
            argtypes.append(ctypes.c_void_p if t["allocated_by"] == "caller"
                            else ctypes.POINTER(tensor_type))
        self._fn.argtypes = argtypes

    def __repr__(self):
        ins = ", ".join(f"{t['name']}: {t['dtype']}{_shape_text(t['shape'])}" for t in self.inputs)
        outs = ", ".join(f"{t['dtype']}{_shape_text(t['shape'])}" for t in self.outputs)
        return f"<linea function {self.name}({ins}) -> ({outs})>"

    def _check(self, value, spec):
        array = np.asarray(value)
        want = _DTYPES[spec["dtype"]]
        dtype_ok = array.dtype == want or (
            spec["dtype"] == "bf16" and array.dtype.kind == "V" and array.dtype.itemsize == 2)
        shape = spec["shape"]
        shape_ok = array.ndim == len(shape) and all(
            s < 0 or s == d for s, d in zip(shape, array.shape))
        if not (dtype_ok and shape_ok):
            raise ValueError(
                f"{self.name}: input '{spec['name']}' must be {spec['dtype']}"
                f"{_shape_text(shape)}, got {array.dtype}{list(array.shape)}")
        return np.ascontiguousarray(array)

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            names = ", ".join(t["name"] for t in self.inputs)
            raise TypeError(f"{self.name} takes {len(self.inputs)} inputs ({names}), "
                            f"got {len(args)}")
        arrays = [self._check(a, t) for a, t in zip(args, self.inputs)]
        cargs = []
        for array, t in zip(arrays, self.inputs):
            cargs.append(array.ctypes.data)
            cargs += [array.shape[d] for d, s in enumerate(t["shape"]) if s < 0]
        results = []
        for t in self.outputs:
            if t["allocated_by"] == "caller":
                out = np.empty(t["shape"], _DTYPES[t["dtype"]])
                cargs.append(out.ctypes.data)
            else:
                out = self._tensor_type()
                cargs.append(ctypes.byref(out))
            results.append(out)
        if self._fn(*cargs) != 0:
            raise RuntimeError(f"{self.symbol}: {self._last_error().decode()}")
        return tuple(self._take(r, t) for r, t in zip(results, self.outputs))

    def _take(self, result, spec):
        """A library-allocated output copied into numpy, then released."""
        if isinstance(result, np.ndarray):
            return result
        dtype = _DTYPES[spec["dtype"]]
        shape = tuple(result.shape[:result.rank])
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        buffer = (ctypes.c_char * size).from_address(result.data) if size else b""
        array = np.frombuffer(buffer, dtype).reshape(shape).copy()
        self._free(ctypes.byref(result))
        return array


# Libraries loaded in this process: resolved path -> (inode, mtime) when
# loaded. dlopen returns the first library loaded under a path for as long as
# the process lives, so a library rebuilt in place is loaded from a copy.
_LOADED = {}


def _loadable_path(path):
    path = pathlib.Path(path).resolve()
    st = path.stat()
    identity = (st.st_ino, st.st_mtime_ns)
    first = _LOADED.setdefault(path, identity)
    if first == identity:
        return path
    copy_dir = pathlib.Path(tempfile.mkdtemp(prefix="linea-lib-"))
    copy = copy_dir / path.name
    shutil.copyfile(path, copy)
    return copy


class Library:
    """A loaded lib<NAME>.so: its functions are attributes (lib.main), and the
    library is callable when it has exactly one."""

    def __init__(self, manifest_path, weights=None):
        manifest_path = pathlib.Path(manifest_path)
        self.manifest = json.loads(manifest_path.read_text())
        self.path = manifest_path.parent / self.manifest["library"]
        self._cdll = ctypes.CDLL(str(_loadable_path(self.path)))

        class Tensor(ctypes.Structure):
            _fields_ = [("data", ctypes.c_void_p), ("rank", ctypes.c_int64),
                        ("shape", ctypes.c_int64 * self.manifest["max_rank"])]

        free = getattr(self._cdll, self.manifest["free_symbol"])
        free.argtypes = [ctypes.POINTER(Tensor)]
        free.restype = None
        last_error = getattr(self._cdll, self.manifest["error_symbol"])
        last_error.argtypes = []
        last_error.restype = ctypes.c_char_p
        self._last_error = last_error
        self.functions = {spec["name"]: Function(self._cdll, spec, Tensor, free, last_error)
                          for spec in self.manifest["functions"]}
        self.max_threads = self.manifest.get("max_threads", 1)
        self._threads = [getattr(self._cdll, s) for s in self.manifest.get("threads_symbols", [])]
        for fn, argtypes in zip(self._threads, ([ctypes.c_int], [])):
            fn.restype = ctypes.c_int
            fn.argtypes = argtypes
        spec = self.manifest.get("weights")
        self.weights_path = None
        if spec:
            self.load_weights(weights or manifest_path.parent / spec["file"])
        elif weights is not None:
            raise ValueError(f"{self.path} embeds its weights (compiled without "
                             "--weights=file); weights= does not apply")

    def load_weights(self, path):
        """Maps the weights file at `path` (a library compiled with
        --weights=file); raises WeightsError when it cannot be used."""
        spec = self.manifest.get("weights")
        if not spec:
            raise ValueError(f"{self.path} embeds its weights: nothing to load")
        load = getattr(self._cdll, spec["load_symbol"])
        load.argtypes = [ctypes.c_char_p]
        load.restype = ctypes.c_int
        code = load(str(path).encode())
        if code != 0:
            raise WeightsError(code, self._last_error().decode())
        self.weights_path = pathlib.Path(path)

    def set_threads(self, n):
        """Runs the next calls on `n` threads: 1..max_threads (more counts as
        max_threads), 0 for automatic ($LINEA_NUM_THREADS, else the CPUs)."""
        if not self._threads:
            raise RuntimeError(f"{self.path} has no thread API (recompile it)")
        if self._threads[0](int(n)) != 0:
            raise ValueError(self._last_error().decode())

    @property
    def threads(self):
        """The thread count of the next call."""
        if not self._threads:
            return 1
        n = self._threads[1]()
        if n < 0:
            raise ValueError(self._last_error().decode())
        return n

    def __getattr__(self, name):
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"{self.__dict__.get('path')} has no function '{name}' "
                             f"(functions: {', '.join(functions) or 'none'})")

    def __call__(self, *args):
        if len(self.functions) != 1:
            raise TypeError(f"{self.path} has {len(self.functions)} functions "
                            f"({', '.join(self.functions)}): call one by name")
        return next(iter(self.functions.values()))(*args)

    def __repr__(self):
        return f"<linea library {self.path}: {', '.join(self.functions)}>"


def load(path, name=None, weights=None):
    """Loads the library linea-compile wrote to the directory `path` (or the
    manifest <NAME>.json at `path`). `name` picks one when the directory holds
    several; `weights` overrides the path of a --weights=file library's
    <NAME>.weights."""
    path = pathlib.Path(path)
    if path.is_dir():
        manifests = [m for m in sorted(path.glob(f"{name}.json" if name else "*.json"))
                     if (path / f"lib{m.stem}.so").exists()]
        if len(manifests) != 1:
            found = ", ".join(m.name for m in manifests) or "none"
            raise FileNotFoundError(f"{path}: expected one linea-compile manifest "
                                    f"(<NAME>.json), found {found}; pass name=")
        path = manifests[0]
    if not path.exists():
        raise FileNotFoundError(f"{path} not found")
    return Library(path, weights)
