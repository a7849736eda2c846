#!/usr/bin/env bash
# Fuzzes the ONNX importer with libFuzzer + AddressSanitizer for a bounded time.
#
#   scripts/fuzz-import.sh [SECONDS]      (default 120)
#
# Builds build-fuzz/ (instrumented, -DLINEA_ENABLE_FUZZER=ON), seeds a corpus
# with the models of ONNX's node tests, and runs linea-onnx-fuzzer on both
# cores (FUZZ_JOBS=1 for one). Crashing inputs land in build-fuzz/crashes/; reproduce one with
#   build-fuzz/bin/linea-onnx-fuzzer build-fuzz/crashes/crash-...
# and add it as a regression test under test/Import/ONNX once fixed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-120}"
build="$root/build-fuzz"

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DLINEA_BUILD_TESTS=OFF \
    -DLINEA_ENABLE_FUZZER=ON
fi
ninja -C "$build" linea-onnx-fuzzer

corpus="$build/corpus"
mkdir -p "$corpus" "$build/crashes"
if [[ -z "$(ls -A "$corpus")" ]]; then
  i=0
  for m in /usr/share/libonnx-testdata/data/node/*/model.onnx; do
    cp "$m" "$corpus/seed-$i.onnx"
    i=$((i + 1))
  done
fi

# Uninstrumented libMLIR/libLLVM touch std containers too: container-overflow
# reports would be false positives.
export ASAN_OPTIONS="detect_container_overflow=0:detect_leaks=0:${ASAN_OPTIONS:-}"
cd "$build"  # libFuzzer writes its fuzz-N.log job logs to the working directory
"$build/bin/linea-onnx-fuzzer" "$corpus" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
  -max_len=65536 -jobs="${FUZZ_JOBS:-2}" -workers="${FUZZ_JOBS:-2}" \
  -artifact_prefix="$build/crashes/" 2>&1 | tee "$build/fuzz.log" | \
  grep -E "^#|ERROR|SUMMARY|crash-|timeout-|oom-" | tail -n 40 || true

crashes=$(ls "$build/crashes" | wc -l)
echo "fuzz-import: ${seconds}s, $(ls "$corpus" | wc -l) corpus entries, $crashes crashing inputs"
[[ "$crashes" -eq 0 ]]
