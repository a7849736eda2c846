//===- CompileReport.h - what linea-compile's rewrites did per layer -*- C++
//-*-===//
//
// linea-compile --report: every linear layer before and after the --passes
// rewrites (the rows linea-report prints), plus the time of each stage, as
// a table on stdout and a JSON document that linea.compile reads.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_COMPILEREPORT_H
#define LINEA_COMPILE_COMPILEREPORT_H

#include "linea/Dialect/Linea/Transforms/LayerReport.h"

#include "llvm/Support/JSON.h"

#include <string>
#include <utility>
#include <vector>

namespace linea {

struct CompileReport {
  std::string model, passes, target;
  /// lib<NAME>.so (cpu), or the directory of the CUDA artifacts (cuda).
  std::string library;
  /// The layers after import (and linea-raise) and after --passes.
  llvm::SmallVector<LayerRow> before, after;
  /// (stage, seconds) in the order they ran.
  std::vector<std::pair<std::string, double>> stages;
};

/// One line per layer: name, form before → after, N, K, bytes before and
/// after, their ratio and the weight error; then the totals. Layers are
/// matched by name; one that a rewrite removed or added shows `-` on the
/// other side.
void printCompileTable(const CompileReport &report, llvm::raw_ostream &os);

/// {"model", "passes", "target", "library", "stages": [{name, seconds}],
///  "layers": [{"name", "before": ROW|null, "after": ROW|null}],
///  "total": {"before": ROW, "after": ROW}} with ROW as linea-report's JSON.
llvm::json::Value compileReportJson(const CompileReport &report);

} // namespace linea

#endif // LINEA_COMPILE_COMPILEREPORT_H
