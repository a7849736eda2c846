//===- CalibrationLookup.h - calibration statistics for passes -*- C++ -*-===//
//
// Passes that use calibration (GPTQ, static fp8 activation scales, Wanda
// pruning, SmoothQuant) read the file linea-run --collect-stats writes and
// find each layer by name; a missing layer or a K mismatch is a user error.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_CALIBRATIONLOOKUP_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_CALIBRATIONLOOKUP_H

#include "linea/Execution/CalibrationStats.h"

#include "mlir/IR/BuiltinOps.h"

namespace linea {

/// The calibration statistics at `path` (linea-run --collect-stats), or
/// failure after an error at `module` naming the pass, the file and why.
mlir::FailureOr<CalibrationStats> loadCalibrationStats(mlir::ModuleOp module,
                                                       llvm::StringRef passName,
                                                       llvm::StringRef path);

/// The statistics of layer `name` with K input channels, or null with `why`
/// saying what is missing or mismatched (`needXtx`: XᵀX must be present).
const LayerStats *findLayerStats(const CalibrationStats &stats,
                                 llvm::StringRef path, llvm::StringRef name,
                                 int64_t channels, bool needXtx,
                                 std::string &why);

/// The statistics an optional `stats=` option names, for a pass that looks
/// layers up one by one from inside a factorizer: a failed lookup emits the
/// error and is remembered, so the pass can fail after the rewrite loop.
class OptionalCalibration {
public:
  /// Reads `path` when it is non-empty; failure after an error.
  mlir::LogicalResult load(mlir::ModuleOp module, llvm::StringRef passName,
                           llvm::StringRef path);
  /// Whether a file was given.
  bool present() const { return stats.has_value(); }
  /// The statistics of layer `name` (K = `channels`), or null after an
  /// error (see anyMissing). Only when present().
  const LayerStats *layer(llvm::StringRef name, int64_t channels,
                          bool needXtx = false);
  /// Whether some lookup failed.
  bool anyMissing() const { return missing; }

private:
  std::optional<CalibrationStats> stats;
  mlir::ModuleOp module;
  std::string passName, path;
  bool missing = false;
};

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_CALIBRATIONLOOKUP_H
