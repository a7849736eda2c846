#!/usr/bin/env bash
# Regenerates docs/ops.md (the op reference) and docs/passes.md (the pass
# reference) from the ODS and pass descriptions (dialect and conversion passes).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LINEA_BUILD_DIR:-$root/build}
cmake --build "$build" --target linea-doc linea-pass-doc linea-conversion-pass-doc
banner="<!-- Generated from include/linea/Dialect/Linea/*/*.td and include/linea/Conversion/Passes.td by scripts/update-docs.sh; do not edit. -->"
{ echo "$banner"; cat "$build/include/linea/Dialect/Linea/IR/LineaDialect.md"; } > "$root/docs/ops.md"
{ echo "$banner"; cat "$build/include/linea/Dialect/Linea/Transforms/LineaPasses.md"
  printf '\n## Lowering and code generation passes\n\n'
  cat "$build/include/linea/Conversion/LineaConversionPasses.md"; } > "$root/docs/passes.md"
echo "wrote docs/ops.md docs/passes.md"
