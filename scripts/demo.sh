#!/usr/bin/env bash
# Sets up and builds linea, then runs the demo: the per-layer report of the
# bundled example model (examples/demo.mlir), whose layers use the main forms.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LINEA_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
echo
echo "== linea-report over examples/demo.mlir =="
"$build/bin/linea-opt" "$root/examples/demo.mlir" --linea-report -o /dev/null
