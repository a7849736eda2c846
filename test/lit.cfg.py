# -*- Python -*-
# lit configuration of the linea test suite.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "linea"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.linea_obj_root, "test")

config.substitutions.append(("%PYTHON", config.python_executable))
config.substitutions.append(("%linea_src", config.linea_src_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.linea_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["linea-opt", "linea-run", "linea-import-onnx",
                                    "linea-compile"],
                                   tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# ptxas (CUDA toolkit) for the tests that assemble generated PTX (REQUIRES: ptxas).
def _find_ptxas():
    import shutil
    for d in [os.environ.get("CUDA_HOME", ""), "/usr/local/cuda"]:
        p = os.path.join(d, "bin", "ptxas") if d else ""
        if p and os.access(p, os.X_OK):
            return p
    return shutil.which("ptxas")
_ptxas = _find_ptxas()
if _ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
