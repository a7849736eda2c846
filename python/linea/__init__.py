"""linea: Python helpers around the linea compiler's command-line tools."""

from .runtime import WeightsError, load  # noqa: F401  (linea.load: a linea-compile library)
from .compiler import CompileError, CompiledModel, compile  # noqa: F401,A004  (linea.compile)
from .cuda import CudaArtifacts, CudaError  # noqa: F401  (target="cuda")
