//===- Autotune.h - measured register tiles per layer shape -----*- C++ -*-===//
//
// linea-compile --autotune: for every distinct shape of the model's dense
// f32 linear layers, a handful of tile candidates (register tile tile-m ×
// tile-n, cache block) is compiled into a one-layer module, run through the
// JIT on the compiling machine, and timed; the fastest per shape goes into a
// tile table (TileTable.h) that the final lowering (and later compiles,
// through --tile-table) applies.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_AUTOTUNE_H
#define LINEA_COMPILE_AUTOTUNE_H

#include "linea/Conversion/TileTable.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <functional>
#include <string>
#include <vector>

namespace linea {

/// One candidate and its best time per call.
struct TileMeasurement {
  TileChoice tiles;
  double seconds = 0;
};

/// One shape of w (n × k) with the rows m it was measured for.
struct TunedShape {
  int64_t n = 0, k = 0, m = 0;
  /// The layers (their `name`, else "@<function>") that have this shape.
  std::vector<std::string> layers;
  /// candidates[0] is the host's default tiles; `best` indexes the fastest.
  std::vector<TileMeasurement> candidates;
  size_t best = 0;
};

struct AutotuneOptions {
  /// Threads the code is compiled for (the timings use as many).
  unsigned threads = 1;
  /// Rows m to measure with when a layer's row count is dynamic.
  int64_t dynamicRows = 16;
  /// Called with a line of progress per shape.
  std::function<void(llvm::StringRef)> progress;
};

/// Measures the candidates for each shape of the dense f32 linea.linear
/// layers of `module` (before lowering; the module is not changed). Shapes
/// whose K is not a multiple of the host's vector width are skipped (the
/// kernels do not tile them).
llvm::Expected<std::vector<TunedShape>>
autotuneContractions(mlir::ModuleOp module, const AutotuneOptions &options);

/// The tile table: {"version": 1, "cpu", "vector_width", "threads",
/// "entries": [{"n", "k", "m", "layers", "tile_m", "tile_n", "block_bytes",
/// "seconds", "default_seconds", "candidates": [...]}]}, which
/// readTileTable reads back.
llvm::json::Value tileTableJson(llvm::ArrayRef<TunedShape> shapes,
                                unsigned threads);

} // namespace linea

#endif // LINEA_COMPILE_AUTOTUNE_H
