"""What linea.compile(..., target="cuda") returns: the CUDA artifacts
linea-compile wrote (PTX, cubin when ptxas was found, manifest.json) and,
where a GPU and runtime/'s liblinea_cuda.so are present, a way to run them.

    m = linea.compile("model.mlir", rewrites=[...], target="cuda")
    m.ptx, m.cubin, m.manifest_path      # paths (cubin None without ptxas)
    m.kernels                            # manifest entries: symbol, layer, op, m, n, k, args, ...
    m.report                             # linea-compile's per-layer report
    y = m.run_kernel("linea_0_fc_r2u2", x, qweight, scales)   # needs a GPU

There is no host program for a whole model on CUDA (runtime/ launches
kernels; docs/cuda.md), so kernels run one at a time: the arguments are
numpy arrays in manifest order without the output (bf16 as uint16 bit
patterns), and the output comes back as a new array. The runtime library is
found at $LINEA_CUDA_RUNTIME, else <build>/runtime/liblinea_cuda.so or
build-rt/liblinea_cuda.so (cmake -S runtime -B build-rt). Without it, or
without a CUDA device, running raises CudaError saying which.
"""

import ctypes
import json
import os
import pathlib

import numpy as np

from . import tools

_DTYPES = {"f32": np.dtype(np.float32), "f16": np.dtype(np.float16),
           "bf16": np.dtype(np.uint16), "i8": np.dtype(np.int8)}


class CudaError(RuntimeError):
    """CUDA artifacts cannot run here (no runtime library, no device) or a
    launch failed; the message says which and what to do."""


def runtime_library() -> pathlib.Path | None:
    """liblinea_cuda.so: $LINEA_CUDA_RUNTIME, else the usual build folders."""
    env = os.environ.get("LINEA_CUDA_RUNTIME")
    if env:
        return pathlib.Path(env)
    root = pathlib.Path(__file__).resolve().parents[2]
    for path in (tools.build_dir() / "runtime" / "liblinea_cuda.so",
                 root / "build-rt" / "liblinea_cuda.so"):
        if path.exists():
            return path
    return None


class _Runtime:
    """runtime/'s C API over ctypes, loaded once per artifacts folder."""

    def __init__(self, library, out_dir):
        try:
            self.lib = ctypes.CDLL(str(library))
        except OSError as e:
            raise CudaError(f"cannot load the CUDA runtime {library}: {e}") from None
        self.lib.lcu_last_error.restype = ctypes.c_char_p
        self._ok(self.lib.lcu_init(0), "lcu_init (is there a CUDA device and driver?)")
        self.module = ctypes.c_void_p()
        self._ok(self.lib.lcu_module_load(str(out_dir).encode(), 0, ctypes.byref(self.module)),
                 f"lcu_module_load {out_dir}")

    def _ok(self, rc, what):
        if rc != 0:
            raise CudaError(f"{what}: {self.lib.lcu_last_error().decode() or f'error {rc}'}")

    def run(self, entry, arrays):
        index = self.lib.lcu_find_kernel(self.module, entry["symbol"].encode())
        if index < 0:
            raise CudaError(f"kernel {entry['symbol']} is not in the loaded module")
        pointers, output = [], None
        try:
            for spec, array in zip(entry["args"], arrays + [None]):
                nbytes = int(np.prod(spec["shape"])) * _DTYPES[spec["dtype"]].itemsize
                ptr = ctypes.c_uint64()
                self._ok(self.lib.lcu_alloc(ctypes.c_size_t(nbytes), ctypes.byref(ptr)), "lcu_alloc")
                pointers.append(ptr.value)
                if array is not None:
                    self._ok(self.lib.lcu_upload(ctypes.c_uint64(ptr.value),
                                                 array.ctypes.data_as(ctypes.c_void_p),
                                                 ctypes.c_size_t(nbytes)), "lcu_upload")
            args = (ctypes.c_uint64 * len(pointers))(*pointers)
            self._ok(self.lib.lcu_launch(self.module, index, args, len(pointers), None),
                     f"lcu_launch {entry['symbol']}")
            last = entry["args"][-1]
            output = np.empty(last["shape"], _DTYPES[last["dtype"]])
            self._ok(self.lib.lcu_download(output.ctypes.data_as(ctypes.c_void_p),
                                           ctypes.c_uint64(pointers[-1]),
                                           ctypes.c_size_t(output.nbytes)), "lcu_download")
        finally:
            for ptr in pointers:
                self.lib.lcu_free(ctypes.c_uint64(ptr))
        return output


class CudaArtifacts:
    """The folder linea-compile --target=cuda wrote, described."""

    def __init__(self, out_dir, name, report):
        self.out_dir = pathlib.Path(out_dir)
        self.name = name
        self.report = report
        self.manifest_path = self.out_dir / "manifest.json"
        self.manifest = json.loads(self.manifest_path.read_text())
        self.ptx = self.out_dir / "linea_kernels.ptx"
        cubin = self.out_dir / "linea_kernels.cubin"
        self.cubin = cubin if cubin.exists() else None
        self.kernels = self.manifest.get("kernels", [])
        self._runtime = None

    def kernel(self, key):
        """The manifest entry of a kernel, by symbol or by layer name."""
        for entry in self.kernels:
            if key in (entry["symbol"], entry.get("layer")):
                return entry
        known = ", ".join(f"{e['symbol']} ({e.get('layer')})" for e in self.kernels)
        raise KeyError(f"{self.name}: no kernel or layer '{key}' (kernels: {known or 'none'})")

    def _check_args(self, entry, arrays):
        specs = entry["args"][:-1]  # the output is the last argument
        if len(arrays) != len(specs):
            raise ValueError(f"{entry['symbol']} takes {len(specs)} inputs ("
                             + ", ".join(s["name"] for s in specs) + f"), got {len(arrays)}")
        checked = []
        for spec, array in zip(specs, arrays):
            array = np.ascontiguousarray(array)
            want = _DTYPES[spec["dtype"]]
            if array.dtype != want or list(array.shape) != list(spec["shape"]):
                raise ValueError(f"{entry['symbol']}: argument '{spec['name']}' must be "
                                 f"{spec['dtype']} {spec['shape']}, got {array.dtype} "
                                 f"{list(array.shape)}")
            checked.append(array)
        return checked

    def run_kernel(self, key, *arrays):
        """Runs one kernel (symbol or layer name) on numpy arguments in
        manifest order without the output; returns the output. Raises
        CudaError when no runtime library or GPU is there."""
        entry = self.kernel(key)
        arrays = self._check_args(entry, list(arrays))
        if self._runtime is None:
            library = runtime_library()
            if library is None or not library.exists():
                raise CudaError(
                    f"{self.name}: running CUDA kernels needs runtime/'s liblinea_cuda.so and a "
                    f"GPU; {'$LINEA_CUDA_RUNTIME=' + str(library) + ' does not exist' if library else 'none was found'}"
                    " (build it with `cmake -S runtime -B build-rt && cmake --build build-rt` on "
                    "a machine with the CUDA toolkit, or set LINEA_CUDA_RUNTIME)")
            self._runtime = _Runtime(library, self.out_dir)
        return self._runtime.run(entry, arrays)

    def __call__(self, *inputs):
        raise CudaError(f"{self.name}: a CUDA compile has no whole-model entry point (runtime/ "
                        "launches single kernels); use run_kernel(symbol_or_layer, ...) or "
                        "compile with target='cpu'")

    def __repr__(self):
        return (f"<linea CUDA artifacts {self.name} in {self.out_dir}: "
                f"{len(self.kernels)} kernels, cubin {'yes' if self.cubin else 'no'}>")
