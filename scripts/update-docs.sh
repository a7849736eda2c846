#!/usr/bin/env bash
# Regenerates docs/ops.md (the op reference) from the ODS descriptions.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LINEA_BUILD_DIR:-$root/build}
cmake --build "$build" --target linea-doc
{
  echo "<!-- Generated from include/linea/Dialect/Linea/IR/*.td by scripts/update-docs.sh; do not edit. -->"
  cat "$build/include/linea/Dialect/Linea/IR/LineaDialect.md"
} > "$root/docs/ops.md"
echo "wrote docs/ops.md"
