#!/usr/bin/env bash
# A torch model end to end, in one command:
#   scripts/onnx-example.sh {mlp|encoder|llama} [exporter arguments]
# torch.onnx.export (examples/torch_examples.py, or examples/llama_block.py for
# the Llama-style decoder block) → linea-import-onnx → linea-opt --linea-raise
# → linea-run, compared with torch's output, and the linea-report of the
# raised module. Writes everything under $LINEA_BUILD_DIR/<model> (default
# build/<model>). Exits non-zero when a step fails or the raised model does
# not match torch (|y − y_torch| ≤ atol + rtol·|y_torch|, atol = rtol = 1e-4).
# Extra arguments go to the exporter, e.g. `llama --seq 32 --kv-heads 4`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LINEA_BUILD_DIR:-$root/build}
if [[ $# -lt 1 ]]; then
  echo "usage: scripts/onnx-example.sh mlp|encoder|llama [exporter arguments]" >&2
  exit 2
fi
model=$1
shift
out=$build/$model
mkdir -p "$out"

echo "== export $model =="
case "$model" in
  llama) /usr/bin/python3 "$root/examples/llama_block.py" "$out" "$@"
         onnx=$out/llama_block.onnx ;;
  mlp|encoder) /usr/bin/python3 "$root/examples/torch_examples.py" "$model" "$out" "$@"
         onnx=$out/$model.onnx ;;
  *) echo "unknown model '$model' (mlp, encoder or llama)" >&2; exit 2 ;;
esac

echo "== import, raise =="
"$build/bin/linea-import-onnx" "$onnx" -o "$out/imported.mlir"
"$build/bin/linea-opt" --linea-raise "$out/imported.mlir" -o "$out/raised.mlir"
for op in linea.attention linea.linear linea.rms_norm linea.layer_norm linalg.batch_matmul linalg.matmul; do
  printf '  %-20s %s\n' "$op" "$(grep -c "$op " "$out/raised.mlir" || true)"
done

echo "== run the raised model, compare with torch =="
rm -rf "$out/run"
"$build/bin/linea-run" "$out/raised.mlir" -i "$out/x.npy" -o "$out/run"
/usr/bin/python3 - "$out/run/out0.npy" "$out/y.npy" <<'PY'
import sys
import numpy as np
y, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
err = np.abs(y.astype(np.float64) - ref)
ok = y.shape == ref.shape and bool(np.all(err <= 1e-4 + 1e-4 * np.abs(ref)))
print(f"  shape {y.shape}, max |y - torch| = {err.max():.3g}: {'match' if ok else 'MISMATCH'}")
sys.exit(0 if ok else 1)
PY

echo "== linea-report of the raised model =="
"$build/bin/linea-opt" "$out/raised.mlir" --linea-report -o /dev/null
