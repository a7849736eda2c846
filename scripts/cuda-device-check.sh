#!/usr/bin/env bash
# Build runtime/ and check + time generated CUDA kernels on the GPU machine.
#
#   scripts/cuda-device-check.sh ARTIFACTS [OUTDIR] [extra args of cuda_device_check.py]
#
# ARTIFACTS holds manifest.json and linea_kernels.{cubin,ptx}, generated on a
# machine with MLIR (see docs/cuda.md: linea-opt … --linea-write-cuda-artifacts);
# the GPU machine needs only CMake, the CUDA toolkit and PyTorch. Through the
# device tool, carry the artifacts folder and pass OUTDIR=$OUT.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
art="$1"; shift
out="${1:-/tmp/linea-cuda-out}"; [ $# -gt 0 ] && shift
mkdir -p "$out"
build=/tmp/linea-cuda-runtime
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$out/gpu.txt"
cmake -S "$here/runtime" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$out/cmake.log" 2>&1 \
  || { tail -30 "$out/cmake.log"; exit 1; }
cmake --build "$build" >>"$out/cmake.log" 2>&1 || { tail -30 "$out/cmake.log"; exit 1; }
echo "== runtime smoke test (every kernel once, outputs written)"
"$build/linea-cuda-smoke" "$art" >"$out/smoke.txt" 2>&1 && smoke=ok || smoke=FAILED
grep -c ' ok:' "$out/smoke.txt" | sed 's/$/ kernels ok/'; grep -E 'FAIL|error' "$out/smoke.txt" | head -5 || true
echo "smoke test: $smoke"
echo "== check against PyTorch and time against cuBLAS"
PYTHONUNBUFFERED=1 python3 "$here/scripts/cuda_device_check.py" --artifacts "$art" \
  --lib "$build/liblinea_cuda.so" --out "$out/results.jsonl" "$@" 2>&1 | tee "$out/check.log" || rc=$?
# The plot (SVG, no matplotlib needed) is written even when a check failed.
python3 "$here/bench/cuda/plot_results.py" "$out/results.jsonl" -o "$out/plot.svg" || true
exit "${rc:-0}"
