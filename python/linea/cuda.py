"""What linea.compile(..., target="cuda") returns: the CUDA artifacts
linea-compile wrote (PTX, cubin when ptxas was found, manifest.json, the
layers' weights in weights.npz) and, where a GPU and runtime/'s
liblinea_cuda.so are present, ways to run them.

    m = linea.compile("model.mlir", rewrites=[...], target="cuda")
    m.ptx, m.cubin, m.manifest_path      # paths (cubin None without ptxas)
    m.kernels                            # manifest entries: symbol, layer, op, m, n, k, args, ...
    m.host_ops                           # layers left for the host (host_fallback=True)
    m.report                             # linea-compile's per-layer report
    y = m.run_kernel("linea_0_fc_r2u2", x, qweight, scales)   # one kernel, needs a GPU

    gpu = m.layers()                     # weights uploaded once, kept on the GPU
    y = gpu.linear("fc", x)              # that layer's kernel (numpy for host_ops)
    y = linea.digits.forward(pixels, gpu.linear, params)   # a whole model

The manifest describes kernels, not the model's graph, so a whole model
runs from a host program in Python: a function that calls `linear(layer,
x)` for each layer in model order and does everything else (norms,
residuals, activations, attention without a kernel) in numpy.
CudaLayers.linear launches the layer's kernel on its resident weights, or
computes a host_ops layer (dense, in f32) in numpy; HostLayers.linear is
the same in numpy only (the reference). linea.digits.forward is the host
program of the shipped digits model (docs/cuda.md, "From Python").

Arguments are numpy arrays in manifest order without the output (bf16 as
uint16 bit patterns), and the output comes back as a new array. The runtime
library is found at $LINEA_CUDA_RUNTIME, else <build>/runtime/liblinea_cuda.so
or build-rt/liblinea_cuda.so (cmake -S runtime -B build-rt). Without it, or
without a CUDA device, running raises CudaError saying which.
"""

import ctypes
import json
import os
import pathlib

import numpy as np

from . import formats, tools

_DTYPES = {"f32": np.dtype(np.float32), "f16": np.dtype(np.float16),
           "bf16": np.dtype(np.uint16), "i8": np.dtype(np.int8),
           "i32": np.dtype(np.int32), "i64": np.dtype(np.int64),
           # mxfp4 / nvfp4 scales: the raw e8m0 / e4m3 bytes.
           "f8E8M0FNU": np.dtype(np.uint8), "f8E4M3FN": np.dtype(np.uint8)}


#: Kernel arguments that are scratch space, not weights (low-rank's t = x·vᵀ;
#: the fused low-rank kernel's counter `sync`, which must start at 0).
WORKSPACES = ("t", "sync")
#: Kernel arguments given per call besides x: a fused epilogue's other
#: operand (docs/cuda.md, "Fused epilogues").
CALL_INPUTS = ("residual",)


def _erf(v):
    """erf in numpy (Abramowitz & Stegun 7.1.26, |error| <= 1.5e-7)."""
    a = np.abs(v)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (
        -1.453152027 + t * 1.061405429))))
    return np.sign(v) * (1.0 - poly * np.exp(-a * a))


#: The epilogue activations a kernel can fuse, in numpy (f32).
ACTIVATIONS = {
    "relu": lambda v: np.maximum(v, 0),
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "silu": lambda v: v / (1 + np.exp(-v)),
    "tanh": np.tanh,
    "gelu": lambda v: 0.5 * v * (1 + _erf(v * np.float32(0.7071067811865476))),
    "gelu_tanh": lambda v: 0.5 * v * (1 + np.tanh(0.7978845608028654 * (v + 0.044715 * v**3))),
}


def epilogue(y, act=None, add=None, mul=None):
    """act(y), then + add or · mul (numpy, f32): what a kernel's fused
    epilogue computes."""
    if act is not None:
        if act not in ACTIVATIONS:
            raise ValueError(f"unknown activation '{act}' (known: {', '.join(ACTIVATIONS)})")
        y = ACTIVATIONS[act](y).astype(np.float32)
    if add is not None and mul is not None:
        raise ValueError("an epilogue adds or multiplies, not both")
    if add is not None:
        y = y + _operand(add, y.shape)
    if mul is not None:
        y = y * _operand(mul, y.shape)
    return y


def _operand(r, shape):
    """An epilogue operand as f32 of y's shape: y's elements in any shape,
    or one row of y's last dim broadcast over the others (a per-channel
    scale or shift)."""
    r = np.asarray(r, np.float32)
    if r.size == int(np.prod(shape)):
        return r.reshape(shape)
    if r.size == shape[-1]:
        return np.broadcast_to(r.reshape(-1), shape)
    raise ValueError(f"an epilogue operand of {list(r.shape)} fits neither "
                     f"y's shape {list(shape)} nor one row of it")


def _describe(fused):
    act, combine = fused.get("activation"), fused.get("combine")
    shape = "[N]" if fused.get("broadcast") == "row" else "[M, N]"
    parts = ([f"act='{act}'"] if act else []) + ([f"{combine}=<{shape} array>"] if combine else [])
    return ", ".join(parts)


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

    def index(self, entry):
        index = self.lib.lcu_find_kernel(self.module, entry["symbol"].encode())
        if index < 0:
            raise CudaError(f"kernel {entry['symbol']} is not in the loaded module")
        return index

    def alloc(self, nbytes):
        ptr = ctypes.c_uint64()
        self._ok(self.lib.lcu_alloc(ctypes.c_size_t(nbytes), ctypes.byref(ptr)), "lcu_alloc")
        return ptr.value

    def upload(self, array):
        """A new device buffer holding `array`."""
        array = np.ascontiguousarray(array)
        ptr = self.alloc(array.nbytes)
        self._ok(self.lib.lcu_upload(ctypes.c_uint64(ptr), array.ctypes.data_as(ctypes.c_void_p),
                                     ctypes.c_size_t(array.nbytes)), "lcu_upload")
        return ptr

    def download(self, ptr, shape, dtype):
        out = np.empty(shape, dtype)
        self._ok(self.lib.lcu_download(out.ctypes.data_as(ctypes.c_void_p), ctypes.c_uint64(ptr),
                                       ctypes.c_size_t(out.nbytes)), "lcu_download")
        return out

    def free(self, ptr):
        self.lib.lcu_free(ctypes.c_uint64(ptr))

    def launch(self, entry, pointers):
        args = (ctypes.c_uint64 * len(pointers))(*pointers)
        self._ok(self.lib.lcu_launch(self.module, self.index(entry), args, len(pointers), None),
                 f"lcu_launch {entry['symbol']}")

    def time(self, entry, arg_sets, warmup, iters):
        """Per-launch milliseconds of `iters` event-timed launches cycling
        through `arg_sets` (lists of device pointers), after `warmup`."""
        flat = [p for pointers in arg_sets for p in pointers]
        args = (ctypes.c_uint64 * len(flat))(*flat)
        ms = (ctypes.c_float * iters)()
        self._ok(self.lib.lcu_time(self.module, self.index(entry), args, len(arg_sets),
                                   len(arg_sets[0]), warmup, iters, None, ms),
                 f"lcu_time {entry['symbol']}")
        return np.array(ms, dtype=np.float64)

    def run(self, entry, arrays):
        pointers = []
        try:
            for array in arrays:
                pointers.append(self.upload(array))
            last = entry["args"][-1]
            pointers.append(self.alloc(arg_bytes(last)))
            self.launch(entry, pointers)
            return self.download(pointers[-1], last["shape"], _DTYPES[last["dtype"]])
        finally:
            for ptr in pointers:
                self.free(ptr)


def numpy_dtype(dtype):
    """The numpy dtype of a manifest dtype (bf16: uint16 bit patterns)."""
    return _DTYPES[dtype]


def arg_bytes(spec):
    """Bytes of a manifest argument."""
    return int(np.prod(spec["shape"])) * _DTYPES[spec["dtype"]].itemsize


def load_runtime(out_dir, what):
    """_Runtime for the artifacts in `out_dir`, or CudaError saying what is
    missing (the library or a device)."""
    library = runtime_library()
    if library is None or not library.exists():
        raise CudaError(
            f"{what}: running CUDA kernels needs runtime/'s liblinea_cuda.so and a "
            f"GPU; {'$LINEA_CUDA_RUNTIME=' + str(library) + ' does not exist' if library else 'none was found'}"
            " (build it with `cmake -S runtime -B build-rt && cmake --build build-rt` on "
            "a machine with the CUDA toolkit, or set LINEA_CUDA_RUNTIME)")
    return _Runtime(library, out_dir)


def _as_float(array, dtype):
    """f32 values of a manifest-typed array (bf16 arrives as uint16 bits)."""
    if dtype == "bf16":
        return formats.bf16_bits_to_f32(array)
    return np.asarray(array, np.float32)


def _from_float(values, dtype):
    """`values` in a manifest dtype (bf16 as uint16 bits)."""
    if dtype == "bf16":
        return formats.f32_to_bf16_bits(values).astype(np.uint16)
    return np.asarray(values, _DTYPES[dtype])


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
        #: Layers and attention ops left for the host: {op, layer, reason}.
        self.host_ops = self.manifest.get("host_ops", [])
        weights = self.out_dir / "weights.npz"
        self.weights_path = weights if weights.exists() else None
        self._weights = None
        self._runtime = None

    def kernel(self, key):
        """The manifest entry of a kernel, by symbol or by layer name (the
        first variant of the layer)."""
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

    def runtime(self):
        """The loaded runtime (CudaError without a library or device)."""
        if self._runtime is None:
            self._runtime = load_runtime(self.out_dir, self.name)
        return self._runtime

    def run_kernel(self, key, *arrays):
        """Runs one kernel (symbol or layer name) on numpy arguments in
        manifest order without the output; returns the output. Raises
        CudaError when no runtime library or GPU is there."""
        entry = self.kernel(key)
        arrays = self._check_args(entry, list(arrays))
        return self.runtime().run(entry, arrays)

    # -- weights and whole models ------------------------------------------

    def weights(self):
        """weights.npz as {"<layer>/<operand index>": array} (bf16 as uint16)."""
        if self._weights is None:
            if self.weights_path is None:
                raise CudaError(f"{self.name}: {self.out_dir} has no weights.npz (written by "
                                "linea-compile --target=cuda since issue 11's host program; "
                                "recompile)")
            with np.load(self.weights_path) as npz:
                self._weights = {k: (v.view(np.uint16) if v.dtype.kind == "V" else v)
                                 for k, v in npz.items()}
        return self._weights

    def layer_weights(self, entry):
        """The weight arguments of a kernel entry, in manifest order between
        x and the output, without workspaces: weights.npz's "<layer>/<i>"
        is the layer op's operand i, which is the kernel's argument i."""
        weights, out = self.weights(), []
        for i, spec in enumerate(entry["args"][1:-1], start=1):
            if spec["name"] in WORKSPACES + CALL_INPUTS:
                continue
            key = f"{entry['layer']}/{i}"
            if key not in weights:
                raise CudaError(f"{self.name}: weights.npz has no '{key}' for argument "
                                f"'{spec['name']}' of {entry['symbol']}")
            array = weights[key]
            if (array.dtype != _DTYPES[spec["dtype"]]
                    or list(array.shape) != list(spec["shape"])):
                raise CudaError(f"{self.name}: weights.npz '{key}' is {array.dtype} "
                                f"{list(array.shape)}, but argument '{spec['name']}' of "
                                f"{entry['symbol']} is {spec['dtype']} {spec['shape']}")
            out.append(array)
        return out

    def launch_plan(self):
        """Where each layer runs, in model order: dicts {layer, where
        ("gpu" or "host"), symbol (None on the host), reason}."""
        plan, seen = [], set()
        layers = [row["name"] for row in (self.report or {}).get("layers", [])]
        for entry in self.kernels:
            if entry.get("layer") and entry["layer"] not in seen and entry["op"].endswith(
                    "linear"):
                seen.add(entry["layer"])
                plan.append({"layer": entry["layer"], "where": "gpu",
                             "symbol": entry["symbol"], "reason": None})
        for op in self.host_ops:
            if op.get("layer") and op["layer"] not in seen:
                seen.add(op["layer"])
                plan.append({"layer": op["layer"], "where": "host", "symbol": None,
                             "reason": op["reason"]})
        order = {name: i for i, name in enumerate(layers)}
        plan.sort(key=lambda step: order.get(step["layer"], len(order)))
        return plan

    def layers(self):
        """CudaLayers: every kernel layer's weights uploaded once; call
        .linear(layer, x) from a host program."""
        return CudaLayers(self)

    def host_layers(self):
        """HostLayers: the same layers in numpy from weights.npz (the
        reference a CudaLayers run is compared with)."""
        return HostLayers(self)

    def __call__(self, *inputs):
        raise CudaError(f"{self.name}: the CUDA artifacts have no graph to run (the manifest "
                        "lists kernels); run a host program with layers().linear, e.g. "
                        "linea.digits.forward(pixels, m.layers().linear, params), or "
                        "run_kernel(symbol_or_layer, ...), or compile with target='cpu'")

    def __repr__(self):
        return (f"<linea CUDA artifacts {self.name} in {self.out_dir}: "
                f"{len(self.kernels)} kernels, {len(self.host_ops)} host ops, "
                f"cubin {'yes' if self.cubin else 'no'}>")


class HostLayers:
    """The layers of CUDA artifacts computed in numpy (f32) from weights.npz:
    dense layers as x·Wᵀ + b, int4/uint4 layers dequantized as
    docs/formats.md says. `calls` records the layers in call order."""

    def __init__(self, artifacts):
        self.artifacts = artifacts
        self.host = {op["layer"]: op for op in artifacts.host_ops if op.get("layer")}
        self.calls = []

    def _host_weight(self, layer):
        """(W f32 [N, K], bias or None) of a host_ops layer: a dense layer's
        operands 1 and 2 in weights.npz."""
        weights = self.artifacts.weights()
        w = weights.get(f"{layer}/1")
        if w is None or w.ndim != 2 or self.host[layer]["op"] != "linear":
            raise CudaError(f"{self.artifacts.name}: layer '{layer}' has no kernel "
                            f"({self.host[layer]['reason']}) and is not a dense layer the "
                            "host can compute")
        bias = weights.get(f"{layer}/2")
        dtype = "bf16" if w.dtype == np.uint16 else "f32"
        return _as_float(w, dtype), (None if bias is None else _as_float(bias, dtype))

    def _kernel_weight(self, entry):
        args = dict(zip([a["name"] for a in entry["args"][1:-1]
                         if a["name"] not in WORKSPACES + CALL_INPUTS],
                        self.artifacts.layer_weights(entry)))
        dtypes = {a["name"]: a["dtype"] for a in entry["args"]}
        if entry["op"] == "linear":
            w = _as_float(args["w"], dtypes["w"])
        elif entry["op"] == "lowrank_linear":
            w = _as_float(args["u"], dtypes["u"]) @ _as_float(args["v"], dtypes["v"])
        elif entry["op"] != "quant_linear":
            raise CudaError(f"{self.artifacts.name}: no numpy reference for {entry['op']} "
                            f"(layer '{entry['layer']}')")
        else:
            k = entry["k"]
            group = entry["group"]
            fmt = formats.QFormat(entry["element"], "channel" if group >= k else "group",
                                  0 if group >= k else group, dtypes["scales"])
            scales = args["scales"]
            if dtypes["scales"] == "bf16":
                scales = scales.view(np.uint16)
            w = formats.dequantize(fmt, args["qweight"].view(np.uint8), scales, k,
                                   args.get("zero_points"))
        bias = args.get("bias")
        return w, (None if bias is None else _as_float(bias, dtypes["bias"]))

    def linear(self, layer, x, act=None, add=None, mul=None):
        """y = x·Ŵᵀ (+ b) over x's last axis, in f32; then the activation
        `act` (a name of ACTIVATIONS) and + add or · mul (arrays of y's
        size), as a fused epilogue would."""
        self.calls.append(layer)
        if layer in self.host:
            w, bias = self._host_weight(layer)
        else:
            w, bias = self._kernel_weight(self.artifacts.kernel(layer))
        y = np.asarray(x, np.float32) @ w.T
        return epilogue(y + bias if bias is not None else y, act, add, mul)


class CudaLayers(HostLayers):
    """The layers of CUDA artifacts on the GPU: at creation every kernel
    layer's weights are uploaded once; linear(layer, x) uploads x, launches
    the layer's kernel and downloads y. Layers in host_ops run in numpy
    (HostLayers). Each kernel is specialised for its M rows, so x must have
    the shape the model was compiled with."""

    def __init__(self, artifacts):
        super().__init__(artifacts)
        self.runtime = artifacts.runtime()
        self.resident = {}  # layer → (entry, weight pointers)
        try:
            for step in artifacts.launch_plan():
                if step["where"] != "gpu":
                    continue
                entry = artifacts.kernel(step["symbol"])
                weights = iter(artifacts.layer_weights(entry))
                pointers = []
                # Registered before filling, so a failure part-way frees them.
                self.resident[step["layer"]] = (entry, pointers)
                for spec in entry["args"][1:-1]:
                    if spec["name"] in CALL_INPUTS:
                        pointers.append(None)  # uploaded per call
                        continue
                    if spec["name"] == "sync":
                        pointers.append(self.runtime.upload(
                            np.zeros(spec["shape"], _DTYPES[spec["dtype"]])))
                        continue
                    pointers.append(self.runtime.alloc(arg_bytes(spec))
                                    if spec["name"] in WORKSPACES
                                    else self.runtime.upload(next(weights)))
        except BaseException:
            self.close()
            raise

    def linear(self, layer, x, act=None, add=None, mul=None):
        """The layer's kernel on x. A kernel with a fused epilogue computes
        act and add / mul itself, so the call must ask for that epilogue
        (or more: what the kernel does not fuse runs here in numpy)."""
        if layer not in self.resident:
            return super().linear(layer, x, act, add, mul)
        self.calls.append(layer)
        entry, weights = self.resident[layer]
        fused = entry.get("epilogue") or {}
        combine = "add" if add is not None else "mul" if mul is not None else None
        if fused and (fused.get("activation") != act or
                      fused.get("combine") not in (None, combine)):
            raise CudaError(f"layer '{layer}': its kernel fuses the epilogue in the model "
                            f"after it; call linear('{layer}', x, {_describe(fused)})")
        xs, ys = entry["args"][0], entry["args"][-1]
        x = np.asarray(x)
        if (x.ndim == 0 or x.shape[-1] != xs["shape"][-1] or
                x.size != int(np.prod(xs["shape"]))):
            raise ValueError(f"layer '{layer}': its kernel takes x of {xs['shape']} "
                             f"({entry['m']} rows), got {list(x.shape)}")
        uploaded = []
        try:
            def upload(values, spec):
                uploaded.append(self.runtime.upload(
                    _from_float(values, spec["dtype"]).reshape(spec["shape"])))
                return uploaded[-1]
            xd = upload(x, xs)
            pointers = list(weights)
            for i, spec in enumerate(entry["args"][1:-1]):
                if spec["name"] in CALL_INPUTS:
                    pointers[i] = upload(add if add is not None else mul, spec)
            uploaded.append(self.runtime.alloc(arg_bytes(ys)))
            self.runtime.launch(entry, [xd, *pointers, uploaded[-1]])
            y = self.runtime.download(uploaded[-1], ys["shape"], _DTYPES[ys["dtype"]])
        finally:
            for ptr in uploaded:
                self.runtime.free(ptr)
        y = _as_float(y, ys["dtype"]).reshape(*x.shape[:-1], entry["n"])
        if fused.get("combine"):
            return y
        # What the kernel did not fuse: the activation unless it did, the
        # combine (a kernel that fused it got its operand above).
        return epilogue(y, None if fused else act, add, mul)

    def close(self):
        """Frees the resident weights (also when the object is collected)."""
        resident, self.resident = self.resident, {}
        for _, weights in resident.values():
            for ptr in weights:
                if ptr is not None:  # None: a per-call input's place
                    self.runtime.free(ptr)

    def __del__(self):
        if getattr(self, "resident", None) and getattr(self, "runtime", None):
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
