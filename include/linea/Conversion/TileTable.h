//===- TileTable.h - per-shape register tiles for CPU kernels ---*- C++ -*-===//
//
// The tile sizes of linea-cpu-contraction-kernels come from its options (one
// set per target, chosen in linea-lower-to-llvm). `linea-compile --autotune`
// measures a few candidates per layer shape and records the fastest in a
// JSON table; linea-cpu-tile-table reads that table and marks each
// contraction with its tiles (kCpuTileAttr), which the kernel pass prefers
// over its options.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_CONVERSION_TILETABLE_H
#define LINEA_CONVERSION_TILETABLE_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <utility>

namespace linea {

/// `array<i64: tile_m, tile_n, block_bytes>` on a bufferized contraction.
inline constexpr const char *kCpuTileAttr = "linea.cpu_tile";

/// Register tile and cache block of one contraction shape.
struct TileChoice {
  int64_t tileM = 0, tileN = 0, blockBytes = 0;
};

/// Largest tile side the table accepts (a tile lives in vector registers).
inline constexpr int64_t kMaxTileSide = 16;

/// The tile table at `path`: {"entries": [{"n", "k", "tile_m", "tile_n",
/// "block_bytes", ...}, ...]} (other keys ignored), keyed by (n, k), the
/// shape of w. Fails naming the file and entry on a missing file, bad JSON,
/// a missing key or a tile outside [1, kMaxTileSide] (block_bytes >= 1).
llvm::Expected<llvm::DenseMap<std::pair<int64_t, int64_t>, TileChoice>>
readTileTable(llvm::StringRef path);

} // namespace linea

#endif // LINEA_CONVERSION_TILETABLE_H
