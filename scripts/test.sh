#!/usr/bin/env bash
# Sets up and builds linea, then runs the whole test suite: GoogleTest unit
# tests and the lit suite, through CTest.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LINEA_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
