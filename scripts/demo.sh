#!/usr/bin/env bash
# Sets up and builds linea, then runs the demo on the bundled example block
# (examples/demo_block.py writes it: a transformer-MLP-shaped block whose layers
# use the main linear-layer forms, with deterministic constant weights):
#   1. linea-report: per-layer form, size, FLOPs and compression;
#   2. linea-run --compare: the block against its densified twin
#      (linea-densify), on random inputs — every form computes the W it claims.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LINEA_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
mkdir -p "$build/demo"
/usr/bin/python3 "$root/examples/demo_block.py" "$build/demo/block.mlir"

echo
echo "== linea-report (examples/demo_block.py → $build/demo/block.mlir) =="
"$build/bin/linea-opt" "$build/demo/block.mlir" --linea-report -o /dev/null

echo
echo "== linea-run --compare: the block against its densified twin (random inputs) =="
"$build/bin/linea-opt" "$build/demo/block.mlir" --linea-densify -o "$build/demo/block.dense.mlir"
"$build/bin/linea-run" "$build/demo/block.mlir" --random-inputs --seed 1 \
  --compare "$build/demo/block.dense.mlir" --rtol 1e-4 --atol 1e-5
