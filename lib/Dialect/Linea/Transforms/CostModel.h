//===- CostModel.h - linea-plan's measured latency model --------*- C++ -*-===//
//
// objective=latency needs the time of each form on the target. Peak numbers
// from data sheets mislead (a decoded int4 layer does not stream at the
// bandwidth of a dense one), so the model is a JSON file of per-form
// throughputs fitted to microbenchmarks (bench/cpu/cost_model.py writes
// it; bench/cost-models/ ships the measured ones). No MLIR types here.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_COSTMODEL_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_COSTMODEL_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace linea {

/// One form's fitted throughputs: a call reading `bytes` of weights and
/// doing `flops` takes overhead + bytes / bytesPerSecond + flops /
/// flopsPerSecond seconds.
struct FormCost {
  double bytesPerSecond = 0, flopsPerSecond = 0, overheadSeconds = 0;
};

/// A target's cost model: a FormCost per form key ("dense", "int8",
/// "int4", "lowrank", "blockdiag", ...: costModelKey of an op). Forms the
/// file does not list cost what "dense" costs.
struct CostModel {
  std::string target;
  /// Where the numbers came from: the file, and its "source" text.
  std::string file, source;
  llvm::StringMap<FormCost> forms;
  /// Forms the target has no kernel for ("no_kernel": {"int8": "why"}):
  /// measuring them is impossible, so they have no price and linea-plan
  /// does not choose them for objective=latency.
  llvm::StringMap<std::string> noKernel;

  /// The cost entry of `form`, and whether the file lists it.
  const FormCost &lookup(llvm::StringRef form, bool *listed = nullptr) const;
  /// Estimated seconds of one call of a `form` layer.
  double seconds(llvm::StringRef form, double bytes, double flops) const;
};

/// Parses the JSON text of a cost model read from `file`:
///   {"target": "cpu", "source": "...",
///    "forms": {"dense": {"bytes_per_s": 2e10, "flops_per_s": 7e10,
///                        "overhead_s": 1e-6}, "int4": {...}, ...}}
///    "no_kernel": {"int8": "linea-to-gpu has no int8 kernel", ...}}
/// "dense" is required, every number positive (overhead_s ≥ 0, optional);
/// "no_kernel" is optional, its forms priced nowhere else.
/// std::nullopt with `why` naming the file and the field otherwise.
std::optional<CostModel> parseCostModel(llvm::StringRef text,
                                        llvm::StringRef file,
                                        std::string &why);

/// Reads and parses `path`; `why` says when it cannot be read.
std::optional<CostModel> loadCostModel(llvm::StringRef path, std::string &why);

/// The cost model built into linea for `target` (cpu: the measured
/// bench/cost-models/cpu.json of the build; cuda: PERF.md's numbers), or
/// std::nullopt for an unknown target.
std::optional<CostModel> builtinCostModel(llvm::StringRef target,
                                          std::string &why);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_COSTMODEL_H
