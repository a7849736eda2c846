//===- StructuredRewrite.h - shared driver of the structured rewrites -*- C++ -*-===//
//
// Every structured rewrite (low-rank, block-diagonal, Monarch, BTT, Kronecker,
// BLAST) does the same around its own weight arithmetic: pick the selected
// `linea.linear` layers with a constant weight, factor W, build the form,
// keep it only if it stores fewer parameters, record the weight error it
// introduced, and say with a remark why any layer was left alone. This
// driver does all of that; a pass supplies only the factorization.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_STRUCTUREDREWRITE_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_STRUCTUREDREWRITE_H

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/LayerSelection.h"
#include "linea/Numerics/Matrix.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace linea {

/// One weight operand of a structured form, computed in f32.
struct FactorTensor {
  llvm::SmallVector<int64_t> shape;
  std::vector<float> values; // row-major, product of shape elements
  /// 0: stored in the layer's weight float type; else a signless integer
  /// of this width (exponents, signs, indices), values exact integers.
  unsigned intBits = 0;
  /// When set, the element type of the constant, overriding both of the
  /// above: floats are rounded to it, integers keep their low bits (so
  /// unsigned bytes 0..255 are stored as i8 bit patterns).
  mlir::Type type = {};
};

/// What a pass's factorization proposes for one layer.
struct StructuredProposal {
  llvm::SmallVector<FactorTensor> factors;
  /// Builds the form given the factors as constants (in the layer's weight
  /// element type), the layer's x, bias and name.
  std::function<mlir::Operation *(mlir::OpBuilder &, mlir::Location,
                                  mlir::Type resultType, mlir::Value x,
                                  llvm::ArrayRef<mlir::Value> factors,
                                  mlir::Value bias, mlir::StringAttr name)>
      build;
  /// Whether the form must store fewer bytes than the dense layer to be
  /// kept. Forms that trade storage for cheaper arithmetic (shift-add)
  /// clear it.
  bool mustShrink = true;
  /// When non-empty (K entries), the form reads x·diag(inputScale): the
  /// driver inserts a `linea.scale_channels` (f32 scales) in front of it and
  /// counts the scales in Ŵ and in the stored bytes.
  std::vector<float> inputScale;
};

/// Factorizes the dense W[N, K] of the layer `name`; returns std::nullopt
/// with `why` set when the form does not apply (shape not divisible, rank
/// too large, ...).
using StructuredFactorizer = llvm::function_ref<std::optional<
    StructuredProposal>(llvm::StringRef name, const numerics::Matrix &w,
                        std::string &why)>;

/// A `linea.linear` layer a rewrite applies to, with the name users select
/// it by (layerName).
struct SelectedLayer {
  LinearOp op;
  std::string name;
};

/// The `linea.linear` layers of `module` that `filter` selects, in program
/// order; a remark prefixed by `passName` on each one it rejects.
llvm::SmallVector<SelectedLayer> selectLinearLayers(mlir::ModuleOp module,
                                                    llvm::StringRef passName,
                                                    const LayerFilter &filter);

/// Rewrites the selected `linea.linear` layers of `module` into the form the
/// factorizer proposes. Skips (with a remark prefixed by `passName`) layers
/// the filter rejects, layers whose weight is not a constant, proposals
/// that fail, and (when `mustShrink`) forms that would not store fewer
/// bytes than the dense weight.
/// Each new op carries `linea.weight_error` = ‖W − Ŵ‖_F / ‖W‖_F computed
/// from the new op's own materializeDenseWeight(), i.e. after rounding the
/// factors to the weight element type.
void runStructuredRewrite(mlir::ModuleOp module, llvm::StringRef passName,
                          const LayerFilter &filter,
                          StructuredFactorizer factorize);

/// runStructuredRewrite's rewrite of layers already selected (e.g. ones a
/// pass made itself), without the filter and its remarks.
void rewriteSelectedLayers(llvm::ArrayRef<SelectedLayer> layers,
                           llvm::StringRef passName,
                           StructuredFactorizer factorize);

/// The `only=` / `except=` / `min-size=` options of every rewrite pass.
struct SelectionOptions {
  llvm::ArrayRef<std::string> only, except;
  int64_t minSize = 0;
};

/// runStructuredRewrite with the filter built from `selection`; fails, with
/// an error naming the pass, when a glob is malformed.
mlir::LogicalResult runStructuredRewrite(mlir::ModuleOp module,
                                         llvm::StringRef passName,
                                         const SelectionOptions &selection,
                                         StructuredFactorizer factorize);

/// Name of the attribute recording the relative weight error of a rewrite.
inline constexpr llvm::StringLiteral kWeightErrorAttr = "linea.weight_error";

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_STRUCTUREDREWRITE_H
