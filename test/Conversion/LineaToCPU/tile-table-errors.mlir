// A tile table that cannot be used fails the pass, naming the file and entry.
// RUN: not linea-opt %s --pass-pipeline='builtin.module(func.func(linea-cpu-tile-table{table=%S/Inputs/no-such-table.json}))' 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not linea-opt %s --pass-pipeline='builtin.module(func.func(linea-cpu-tile-table{table=%S/Inputs/tiles-bad-tile.json}))' 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not linea-opt %s --pass-pipeline='builtin.module(func.func(linea-cpu-tile-table{table=%S/Inputs/tiles-missing-key.json}))' 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not linea-opt %s --pass-pipeline='builtin.module(func.func(linea-cpu-tile-table{table=%s}))' 2>&1 | FileCheck %s --check-prefix=JSON
// MISSING: linea-cpu-tile-table: tile table '{{.*}}no-such-table.json': No such file or directory
// RANGE: tile table '{{.*}}tiles-bad-tile.json': entry 0 (n = 18, k = 64): tile_m (0) and tile_n (6) must be in [1, 16], block_bytes (4096) positive
// KEY: tile table '{{.*}}tiles-missing-key.json': entry 0 needs integer n, k, tile_m, tile_n and block_bytes
// JSON: tile table '{{.*}}tile-table-errors.mlir': {{.*}}
func.func @f() {
  return
}
