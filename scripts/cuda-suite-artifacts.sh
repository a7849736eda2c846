#!/usr/bin/env bash
# Generates every set of bench/cuda/suite.txt (or the named ones) into
# DEST/<set>/ (manifest.json, PTX, cubin, ARGS), on a machine with MLIR:
#
#   LINEA_BUILD_DIR=build scripts/cuda-suite-artifacts.sh DEST [SET ...]
#
# then, through the device tool, carrying DEST:
#   bash scripts/cuda-suite-check.sh DEST $OUT [SET ...]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$(realpath -m "$1")"; shift
build="${LINEA_BUILD_DIR:-$here/build}"
mkdir -p "$dest"
status=0
while IFS='|' read -r name file opts args; do
  name="$(echo "$name" | xargs)"; file="$(echo "$file" | xargs)"
  opts="$(echo "$opts" | xargs)"; args="$(echo "$args" | xargs)"
  case "$name" in ''|'#'*) continue ;; esac
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  out="$dest/$name"; rm -rf "$out"; mkdir -p "$out"
  pass="linea-to-gpu"; [ -n "$opts" ] && pass="linea-to-gpu{$opts}"
  if "$build/bin/linea-opt" "$here/bench/cuda/$file" --pass-pipeline="builtin.module($pass,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=$out})" -o /dev/null; then
    echo "$args" > "$out/ARGS"
    echo "$name: $(du -sh "$out" | cut -f1)"
  else
    echo "$name: generation FAILED" >&2; status=1
  fi
done < "$here/bench/cuda/suite.txt"
exit $status
