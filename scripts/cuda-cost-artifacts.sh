#!/usr/bin/env bash
# Generates, on a machine with MLIR, what scripts/cuda-user-check.sh runs on
# the GPU machine (which has none):
#
#   LINEA_BUILD_DIR=build scripts/cuda-cost-artifacts.sh [DEST=build-lead]
#
#   DEST/cuda-cost    the CUDA cost-model layers (bench/cuda/cost_model.py
#                     --emit-mlir: dense bf16, int4 and uint4 g128 at N = K in
#                     {4096, 8192}, M in {1, 16, 64}) compiled by
#                     linea-compile --target=cuda, with its report (bytes and
#                     FLOPs per layer)
#   DEST/cuda-digits  the digits model for CUDA (int4 g128, --host-fallback)
#                     plus the CPU and numpy logits it is compared with
#                     (scripts/cuda_python_check.py prepare)
#
# The tools are those of $LINEA_BUILD_DIR (default build/). Carry both
# folders to the device tool (docs/cuda.md, "Cost model" and "From Python").
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$(realpath -m "${1:-$here/build-lead}")"
build="${LINEA_BUILD_DIR:-$here/build}"
export LINEA_BUILD_DIR="$build"
rm -rf "$dest/cuda-cost" "$dest/cuda-digits"
mkdir -p "$dest/cuda-cost" "$dest/cuda-digits"
/usr/bin/python3 "$here/bench/cuda/cost_model.py" --emit-mlir "$dest/cuda-cost/layers.mlir"
"$build/bin/linea-compile" "$dest/cuda-cost/layers.mlir" --target=cuda --name cost \
  --host-fallback -o "$dest/cuda-cost" --report="$dest/cuda-cost/cost.report.json" --quiet
/usr/bin/python3 "$here/scripts/cuda_python_check.py" prepare "$dest/cuda-digits"
du -sh "$dest/cuda-cost" "$dest/cuda-digits"
