//===- Sparsify.cpp - the linea-sparsify pass -----------------------------===//
//
// Dense layers → linea.bsr_linear (block pattern) or linea.nm_linear (N:M
// pattern) by magnitude pruning (REWRITES.md §5, numerics::pruneBlocks and
// pruneNM).
//
//===----------------------------------------------------------------------===//

#include "CalibrationLookup.h"
#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Sparsity.h"

#include "llvm/Support/FormatVariadic.h"

namespace linea {
#define GEN_PASS_DEF_SPARSIFY
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// A parsed `pattern=` option.
struct SparsityPattern {
  bool block = false;
  int64_t a = 0, b = 0; // R×C for blocks, N:M otherwise
};

/// Parses 'block:RxC' or 'N:M'; std::nullopt on anything else.
std::optional<SparsityPattern> parsePattern(StringRef text) {
  SparsityPattern p;
  StringRef first, second;
  if (text.consume_front("block:")) {
    p.block = true;
    std::tie(first, second) = text.split('x');
  } else {
    std::tie(first, second) = text.split(':');
  }
  if (first.getAsInteger(10, p.a) || second.getAsInteger(10, p.b) || p.a <= 0 ||
      p.b <= 0 || (!p.block && (p.a >= p.b || p.b > 127)))
    return std::nullopt;
  return p;
}

struct SparsifyPass : linea::impl::SparsifyBase<SparsifyPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<SparsityPattern> p = parsePattern(pattern);
    if (!p) {
      emitError(module.getLoc())
          << "linea-sparsify: pattern='" << pattern
          << "' is neither 'block:RxC' (R, C > 0) nor 'N:M' (0 < N < M ≤ 127)";
      return signalPassFailure();
    }
    if (p->block && !(sparsity >= 0.0 && sparsity < 1.0)) {
      emitError(module.getLoc())
          << "linea-sparsify: sparsity=" << double(sparsity)
          << " is outside [0, 1)";
      return signalPassFailure();
    }
    OptionalCalibration calibration;
    if (failed(calibration.load(module, getArgument(), stats)))
      return signalPassFailure();
    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef name, const numerics::Matrix &w,
                std::string &why) -> std::optional<StructuredProposal> {
              std::vector<float> columnWeight;
              if (calibration.present()) {
                const LayerStats *layer = calibration.layer(name, w.cols);
                if (!layer)
                  return std::nullopt;
                columnWeight = inputColumnNorms(*layer);
              }
              return p->block ? proposeBlocks(*p, w, columnWeight, why)
                              : proposeNM(*p, w, columnWeight, why);
            })) ||
        calibration.anyMissing())
      return signalPassFailure();
  }

  /// Wanda's ‖X[:, k]‖₂ = sqrt((XᵀX)[k, k]); max |X[:, k]| without XᵀX.
  static std::vector<float> inputColumnNorms(const LayerStats &layer) {
    if (!layer.hasXtx())
      return layer.absMax;
    std::vector<float> norms(size_t(layer.channels));
    for (int64_t k = 0; k < layer.channels; ++k)
      norms[size_t(k)] = static_cast<float>(
          std::sqrt(layer.xtx[size_t(k * layer.channels + k)]));
    return norms;
  }

  std::optional<StructuredProposal>
  proposeBlocks(const SparsityPattern &p, const numerics::Matrix &w,
                const std::vector<float> &columnWeight, std::string &why) {
    if (w.rows % p.a != 0 || w.cols % p.b != 0) {
      why = llvm::formatv("block {0}x{1} does not tile the {2}x{3} weight "
                          "(N mod {0} = {4}, K mod {1} = {5})",
                          p.a, p.b, w.rows, w.cols, w.rows % p.a, w.cols % p.b)
                .str();
      return std::nullopt;
    }
    numerics::BsrCode code = numerics::pruneBlocks(w, p.a, p.b, sparsity, columnWeight);
    StructuredProposal proposal;
    proposal.factors.push_back({{code.numBlocks(), p.a, p.b}, code.values});
    proposal.factors.push_back(
        {{code.numBlocks()},
         std::vector<float>(code.colIndices.begin(), code.colIndices.end()),
         32});
    proposal.factors.push_back(
        {{static_cast<int64_t>(code.rowOffsets.size())},
         std::vector<float>(code.rowOffsets.begin(), code.rowOffsets.end()),
         32});
    proposal.build = [](OpBuilder &b, Location loc, Type type, Value x,
                        ArrayRef<Value> f, Value bias, StringAttr name) {
      return BsrLinearOp::create(b, loc, type, x, f[0], f[1], f[2], bias, name)
          .getOperation();
    };
    return proposal;
  }

  std::optional<StructuredProposal>
  proposeNM(const SparsityPattern &p, const numerics::Matrix &w,
            const std::vector<float> &columnWeight, std::string &why) {
    if (w.cols % p.b != 0) {
      why = llvm::formatv("K = {0} is not a multiple of M = {1}", w.cols, p.b)
                .str();
      return std::nullopt;
    }
    numerics::NmCode code = numerics::pruneNM(w, p.a, p.b, columnWeight);
    SmallVector<int64_t> shape = {w.rows, w.cols / p.b * p.a};
    StructuredProposal proposal;
    proposal.factors.push_back({shape, code.values});
    proposal.factors.push_back(
        {shape, std::vector<float>(code.indices.begin(), code.indices.end()),
         8});
    int64_t n = p.a, m = p.b;
    proposal.build = [n, m](OpBuilder &b, Location loc, Type type, Value x,
                            ArrayRef<Value> f, Value bias, StringAttr name) {
      return NMLinearOp::create(b, loc, type, x, f[0], f[1], bias, name, n, m)
          .getOperation();
    };
    return proposal;
  }
};

} // namespace
