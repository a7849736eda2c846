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

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_CALIBRATIONLOOKUP_H
