#!/usr/bin/env bash
# On the GPU machine: build runtime/, measure the CUDA cost model and check
# linea's Python CUDA path on the digits model.
#
#   bash scripts/cuda-user-check.sh OUT [ARTIFACTS=build-lead]
#
# ARTIFACTS holds cuda-cost/ and cuda-digits/ from
# scripts/cuda-cost-artifacts.sh (run where MLIR is; carry both folders).
# Writes four files under OUT:
#   log.txt            GPU, runtime build, the summary of both steps
#   cuda.json          the fitted cost model (bench/cost-models/cuda.json's
#                      replacement; its schema is checked here)
#   cost.jsonl         one line per timed kernel
#   python-check.jsonl run_kernel per layer and the whole digits model
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "$1")"; art="$(realpath -m "${2:-$here/build-lead}")"
mkdir -p "$out"
log="$out/log.txt"
exec > >(tee -a "$log") 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
rt=/tmp/linea-cuda-runtime
if ! { cmake -S "$here/runtime" -B "$rt" -G Ninja -DCMAKE_BUILD_TYPE=Release >/tmp/rt.log 2>&1 &&
       cmake --build "$rt" >>/tmp/rt.log 2>&1; }; then
  tail -30 /tmp/rt.log; echo "runtime build FAILED"; exit 1
fi
export LINEA_CUDA_RUNTIME="$rt/liblinea_cuda.so" PYTHONUNBUFFERED=1
status=0
echo "== cost model (bench/cuda/cost_model.py)"
if python3 "$here/bench/cuda/cost_model.py" --artifacts "$art/cuda-cost" \
     --lib "$LINEA_CUDA_RUNTIME" -o "$out/cuda.json" 2>"$out/cost.jsonl"; then
  python3 "$here/bench/cuda/cost_model.py" --validate "$out/cuda.json" || status=1
else
  tail -5 "$out/cost.jsonl"; echo "cost model FAILED"; status=1
fi
echo "== Python CUDA path (scripts/cuda_python_check.py)"
python3 "$here/scripts/cuda_python_check.py" check "$art/cuda-digits" \
  >"$out/python-check.jsonl" 2>&1 || status=1
grep -v '"check": "run_kernel"' "$out/python-check.jsonl" | tail -4
grep -c '"ok": true' "$out/python-check.jsonl" | sed 's/$/ checks ok/'
grep '"ok": false' "$out/python-check.jsonl" | head -5
echo "exit status $status"
exit $status
