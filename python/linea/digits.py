"""The shipped trained digits transformer (examples/digits/): where its files
are and how the scripts import it for a given batch."""

import pathlib

from .tools import run_checked

DATA = pathlib.Path(__file__).resolve().parents[2] / "examples" / "digits"
MODEL = DATA / "digits_transformer.onnx"


def import_model(bin_, batch, out):
    """Imports the model with `batch` images per call and raises it; writes
    the raised module to `out` (and the imported one beside it)."""
    out = pathlib.Path(out)
    imported = out.with_suffix(".imported.mlir")
    run_checked([pathlib.Path(bin_) / "linea-import-onnx", MODEL, "--dim", f"batch={batch}",
                 "-o", imported])
    run_checked([pathlib.Path(bin_) / "linea-opt", imported, "--linea-raise", "-o", out])
    return out
