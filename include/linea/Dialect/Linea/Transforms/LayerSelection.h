//===- LayerSelection.h - naming and choosing linear layers -----*- C++ -*-===//
//
// Every rewrite pass lets the user pick layers by name (`only=`/`except=`
// globs) and size; linea-report prints the same names, so users can copy
// them from its table into pass options.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_LAYERSELECTION_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_LAYERSELECTION_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/GlobPattern.h"
#include <string>

namespace linea {

/// The name users select layers by: the `name` attribute when present, else
/// `<func>#<i>` where i is the op's position among the linear layers of its
/// function (rewrites replace one layer by one, so i is stable).
std::string layerName(mlir::Operation *op, unsigned indexInFunc);

/// Which layers a pass applies to.
class LayerFilter {
public:
  /// Parses the globs; on a malformed pattern emits an error on `module`
  /// naming the pass, option and pattern, and fails.
  static mlir::FailureOr<LayerFilter>
  create(mlir::Operation *module, llvm::StringRef passName,
         llvm::ArrayRef<std::string> only, llvm::ArrayRef<std::string> except,
         int64_t minSize);

  /// Whether the layer `name` with a dense N×K weight is selected; when not,
  /// `why` says which option excluded it.
  bool selects(llvm::StringRef name, int64_t outFeatures, int64_t inFeatures,
               std::string &why) const;

private:
  llvm::SmallVector<llvm::GlobPattern> only, except;
  llvm::SmallVector<std::string> onlyText, exceptText;
  int64_t minSize = 0;
};

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_LAYERSELECTION_H
