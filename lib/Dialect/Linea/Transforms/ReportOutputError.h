//===- ReportOutputError.h - linea-report's output comparison ---*- C++ -*-===//
//
// linea-report can run the module it reports on and a reference module (the
// original, before the rewrites) through the CPU JIT on the same inputs and
// tabulate how far each output moved: the end-to-end effect of the weight
// errors it lists per layer.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_REPORTOUTPUTERROR_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_REPORTOUTPUTERROR_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace linea {

/// How far one output of the module is from the reference's.
struct OutputErrorRow {
  std::string type; ///< "f32[8x32]"
  std::vector<int64_t> shape;
  double maxAbsError = 0.0;
  /// max |y − y_ref| / max |y_ref| (linea-run --compare's `rel`).
  double relError = 0.0;
  /// ‖y − y_ref‖_F / ‖y_ref‖_F, comparable with the weight errors.
  double relFrobeniusError = 0.0;
};

/// The comparison of every output of one function.
struct OutputErrorReport {
  std::string referencePath;
  std::string function;
  /// The .npy files given, or empty when the inputs were random.
  std::vector<std::string> inputPaths;
  uint64_t seed = 0;
  std::vector<OutputErrorRow> outputs;
};

/// Runs function `entry` (empty: the module's only public function) of a
/// copy of `module` and of the module in `referencePath` on the same inputs
/// (`inputPaths`, else random ones from `seed`) and compares the outputs.
/// Both run in a private context, so `module` is neither lowered nor
/// changed. Emits an error on `module` naming the cause and fails when a
/// file cannot be read, the signatures disagree or the JIT fails.
mlir::FailureOr<OutputErrorReport>
measureOutputError(mlir::ModuleOp module, llvm::StringRef referencePath,
                   llvm::ArrayRef<std::string> inputPaths, uint64_t seed,
                   llvm::StringRef entry);

/// The comparison as text lines, printed after the layer table.
void printOutputError(const OutputErrorReport &report, llvm::raw_ostream &os);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_REPORTOUTPUTERROR_H
