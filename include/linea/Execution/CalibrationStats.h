//===- CalibrationStats.h - per-layer activation statistics -----*- C++ -*-===//
//
// Calibration-driven rewrites (SmoothQuant, GPTQ, activation-weighted
// pruning, static activation scales) need, for every linear layer, statistics
// of its input x over sample inputs: the per-channel max |x| and XᵀX. They
// are collected by running the model on the JIT (`linea-run --collect-stats`)
// and kept in an uncompressed .npz that numpy reads directly:
//
//   <layer>.absmax  f32 [K]     max over tokens of |x[t, k]|
//   <layer>.xtx     f64 [K, K]  Σ_t x[t, :]ᵀ x[t, :]   (optional)
//   <layer>.tokens  i64 []      number of token rows t summed over
//
// where x is the layer's input flattened to tokens × K. Passes read a file
// with readCalibrationStats and find a layer with lookup(name).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_EXECUTION_CALIBRATIONSTATS_H
#define LINEA_EXECUTION_CALIBRATIONSTATS_H

#include "linea/Execution/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace linea {

/// Statistics of one linear layer's input x[..., K], seen as tokens × K.
struct LayerStats {
  /// The layer's `name` attribute.
  std::string name;
  /// K, the last dim of x.
  int64_t channels = 0;
  /// Rows of x seen: the product of x's leading dims, summed over samples.
  int64_t tokens = 0;
  /// [K] max |x[:, k]| (NaN when x held a NaN in that channel).
  std::vector<float> absMax;
  /// [K*K] row-major XᵀX summed over tokens, in f64; empty if not collected.
  std::vector<double> xtx;

  bool hasXtx() const { return !xtx.empty(); }
};

/// The statistics of every instrumented layer of a model.
struct CalibrationStats {
  std::vector<LayerStats> layers;
  /// One line per layer left out by collectCalibrationStats, saying why
  /// (unnamed, inside a region, in another function...). Not stored in files.
  std::vector<std::string> skipped;

  /// The layer called `name`, or null.
  const LayerStats *lookup(llvm::StringRef name) const;
};

/// Runs `funcName` of a clone of `module` (not yet lowered to LLVM) on every
/// input set and accumulates, for every linear-layer op
/// (LinearLayerOpInterface) with a `name` attribute in the function's body, the
/// statistics of its x (f16/bf16 values widened exactly). Layers in nested
/// regions or in other functions are not instrumented and are listed in
/// `skipped`. Two instrumented layers with the same name are an error.
llvm::Expected<CalibrationStats>
collectCalibrationStats(mlir::ModuleOp module, llvm::StringRef funcName,
                        llvm::ArrayRef<std::vector<HostTensor>> inputSets,
                        bool withXtx);

/// Writes `stats` as an uncompressed .npz (see the file comment).
llvm::Error writeCalibrationStats(const CalibrationStats &stats,
                                  llvm::StringRef path);

/// Reads a file written by writeCalibrationStats or by np.savez with the same
/// keys; rejects compressed or truncated archives, unknown or missing
/// entries, wrong dtypes and K mismatches, naming the entry and numbers.
llvm::Expected<CalibrationStats> readCalibrationStats(llvm::StringRef path);

/// Merges `b` into `a`: token counts and XᵀX add, absMax takes the maximum.
/// Both must hold the same layers with the same K and both with or both
/// without XᵀX; otherwise `a` is left unchanged and the error names the layer
/// and the numbers.
llvm::Error mergeCalibrationStats(CalibrationStats &a,
                                  const CalibrationStats &b);

} // namespace linea

#endif // LINEA_EXECUTION_CALIBRATIONSTATS_H
