// linea-compile --weights=file: the 16×8 weight (512 bytes) moves to
// tiny.weights (constants under 64 bytes would stay in the library); the header
// documents the loader, the error codes and the thread API; the manifest
// tells linea.runtime where the file is. Numerics, the default path and the
// error paths: python/tests/test_aot_runtime.py.
// RUN: rm -rf %t && mkdir -p %t
// RUN: linea-compile %s --name tiny --weights=file -o %t/out | FileCheck %s --check-prefix=DONE
// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t/out/tiny.h
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file=%t/out/tiny.json
// RUN: od -A d -t x1 -N 16 %t/out/tiny.weights | FileCheck %s --check-prefix=FILE
// RUN: llvm-nm -D --defined-only %t/out/libtiny.so | FileCheck %s --check-prefix=SYMS
// A C program: the first call maps tiny.weights from next to the library;
// missing, truncated, foreign-format, corrupted and mismatched files fail.
// RUN: cc -std=c11 -I %t/out %S/Inputs/weights-driver.c -o %t/driver -L %t/out -ltiny -lm -Wl,-rpath,%t/out
// RUN: head -c 100 %t/out/tiny.weights > %t/truncated.weights
// RUN: %PYTHON -c "import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[0] ^= 1; open(sys.argv[2], 'wb').write(d); d[0] ^= 1; d[200] ^= 1; open(sys.argv[3], 'wb').write(d); d[200] ^= 1; d[32] ^= 1; open(sys.argv[4], 'wb').write(d)" %t/out/tiny.weights %t/format.weights %t/corrupt.weights %t/mismatch.weights
// RUN: %t/driver %t/none.weights %t/truncated.weights %t/format.weights %t/corrupt.weights %t/mismatch.weights | FileCheck %s --check-prefix=DRIVER
// DRIVER:      default path: max error 0 OK
// DRIVER-NEXT: 2: tiny: cannot open weights file '{{.*}}none.weights': No such file or directory (pass its path to tiny_load_weights)
// DRIVER-NEXT: 3: tiny: weights file '{{.*}}truncated.weights' is truncated: 100 bytes, expected 576
// DRIVER-NEXT: 4: tiny: '{{.*}}format.weights' is not a linea weights file
// DRIVER-NEXT: 6: tiny: weights file '{{.*}}corrupt.weights' is corrupted: its data does not match its checksum
// DRIVER-NEXT: 5: tiny: weights file '{{.*}}mismatch.weights' was written for another compile (1 constants, 512 bytes; this library needs 1, 512 bytes and its checksum)
// DRIVER-NEXT: after failed loads: 0
// DRIVER-NEXT: set -1: 1: tiny_set_num_threads: -1 threads; give 1 to {{[0-9]+}}, or 0 for automatic
// DRIVER-NEXT: set 1000: capped
// DRIVER-NEXT: set 1: 1
// Embedded (the default): no file, no loader.
// RUN: linea-compile %s --name tiny -o %t/embed | FileCheck %s --check-prefix=EMBED
// RUN: not ls %t/embed/tiny.weights
// RUN: FileCheck %s --check-prefix=EMBED-HEADER --input-file=%t/embed/tiny.h
// RUN: not linea-compile %s --weights=bogus -o %t/bad 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not linea-compile %s --max-threads=-1 -o %t/bad 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not linea-compile %s --autotune --tile-table=%t/t.json -o %t/bad 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not linea-compile %s --tile-table=%t/none.json -o %t/bad 2>&1 | FileCheck %s --check-prefix=TABLE
// RUN: not linea-compile %s --target=cuda --weights=file -o %t/bad 2>&1 | FileCheck %s --check-prefix=CUDA

// DONE: wrote {{.*}}libtiny.so (1 function), tiny.h, tiny.json, tiny.weights
// HEADER:      const char *tiny_last_error(void);
// HEADER:      /* Threads: compiled for up to TINY_MAX_THREADS.
// HEADER:      #define TINY_MAX_THREADS {{[0-9]+}}
// HEADER-NEXT: int tiny_set_num_threads(int n);
// HEADER-NEXT: int tiny_get_num_threads(void);
// HEADER:      /* Weights: 1 constants (512 bytes) live in tiny.weights, which
// HEADER:      #define TINY_WEIGHTS_FILE "tiny.weights"
// HEADER-NEXT: #ifndef LINEA_ERR_WEIGHTS_MISSING
// HEADER-NEXT: #define LINEA_ERR_WEIGHTS_MISSING 2
// HEADER-NEXT: #define LINEA_ERR_WEIGHTS_TRUNCATED 3
// HEADER-NEXT: #define LINEA_ERR_WEIGHTS_FORMAT 4
// HEADER-NEXT: #define LINEA_ERR_WEIGHTS_MISMATCH 5
// HEADER-NEXT: #define LINEA_ERR_WEIGHTS_CORRUPT 6
// HEADER-NEXT: #endif
// HEADER-NEXT: int tiny_load_weights(const char *path);
// HEADER-LABEL: /* @main */
// MANIFEST:      "max_threads": {{[0-9]+}},
// MANIFEST:      "threads_symbols": [
// MANIFEST-NEXT:   "tiny_set_num_threads",
// MANIFEST-NEXT:   "tiny_get_num_threads"
// MANIFEST:      "weights": {
// MANIFEST-NEXT:   "blobs": 1,
// MANIFEST-NEXT:   "bytes": 512,
// MANIFEST-NEXT:   "file": "tiny.weights",
// MANIFEST-NEXT:   "load_symbol": "tiny_load_weights"
// "LINEAWTS", version 1, one blob, data at offset 64.
// FILE: 0000000 4c 49 4e 45 41 57 54 53 01 00 00 00 01 00 00 00
// SYMS-DAG: T tiny_load_weights
// SYMS-DAG: T tiny_set_num_threads
// SYMS-DAG: T tiny_get_num_threads
// SYMS-NOT: linea_weights
// SYMS-NOT: linea_num_threads
// EMBED: wrote {{.*}}libtiny.so (1 function), tiny.h, tiny.json{{$}}
// EMBED-HEADER: int tiny_set_num_threads(int n);
// EMBED-HEADER-NOT: tiny_load_weights
// MODE: error: unknown --weights 'bogus' (supported: embed, file)
// THREADS: error: --max-threads must be 0 (automatic) or more, not -1
// BOTH: error: --autotune writes a tile table; --tile-table reads one: give only one of them
// TABLE: error: tile table '{{.*}}none.json': No such file or directory
// CUDA: error: --autotune, --tile-table, --weights and --max-threads apply to --target=cpu

func.func @main(%x: tensor<?x8xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.25> : tensor<16x8xf32>
  %y = linea.linear %x, %w : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
