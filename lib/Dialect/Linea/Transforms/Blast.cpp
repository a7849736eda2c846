//===- Blast.cpp - the linea-blast pass -----------------------------------===//
//
// Rewrites dense layers into BLAST matrices (REWRITES.md §2.3); the fit is
// numerics::fitBlast, this file chooses the rank, rejects shapes the form
// cannot take before paying for the fit, and builds linea.blast_linear.
//
//===----------------------------------------------------------------------===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Blast.h"

#include "llvm/Support/FormatVariadic.h"

namespace linea {
#define GEN_PASS_DEF_BLAST
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct BlastPass : linea::impl::BlastBase<BlastPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions()))
      return signalPassFailure();
    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef, const numerics::Matrix &w, std::string &why) {
              return propose(w, why);
            })))
      return signalPassFailure();
  }

  /// Option errors apply to every layer, so they fail the pass up front.
  LogicalResult checkOptions() {
    auto error = [&] {
      return getOperation().emitError() << getArgument() << ": ";
    };
    if (blocks < 1)
      return error() << "option 'blocks' must be at least 1, got "
                     << int64_t(blocks);
    if (rank < 0)
      return error() << "option 'rank' must be positive (or 0 for the "
                        "default), got "
                     << int64_t(rank);
    if (iterations < 0)
      return error() << "option 'iterations' must not be negative, got "
                     << int64_t(iterations);
    if (tolerance < 0.0)
      return error() << "option 'tolerance' must not be negative, got "
                     << double(tolerance);
    return success();
  }

  std::optional<StructuredProposal> propose(const numerics::Matrix &w,
                                            std::string &why) {
    int64_t n = w.rows, k = w.cols, b = blocks;
    if (n % b != 0 || k % b != 0) {
      why = llvm::formatv("blocks={0} does not divide the {1}x{2} weight "
                          "(b | N and b | K are required)",
                          b, n, k)
                .str();
      return std::nullopt;
    }
    int64_t r = rank > 0 ? int64_t(rank) : numerics::defaultBlastRank(n, k, b);
    // Checked before the fit, which is the expensive part.
    int64_t params = numerics::blastParams(n, k, b, r);
    if (params >= n * k) {
      why = llvm::formatv("rank {0} with blocks={1} stores {2} parameters "
                          "(r·(N + K + b²)), not fewer than the dense {3}·{4} "
                          "= {5}",
                          r, b, params, n, k, n * k)
                .str();
      return std::nullopt;
    }
    numerics::BlastOptions options;
    options.blocks = b;
    options.rank = r;
    options.iterations = iterations;
    options.tolerance = tolerance;
    numerics::BlastFactors fit = numerics::fitBlast(w, options);
    int64_t p = fit.blockRows, q = fit.blockCols;
    StructuredProposal proposal;
    proposal.factors.push_back({{b, p, r}, std::move(fit.u)});
    proposal.factors.push_back({{b, b, r}, std::move(fit.s)});
    proposal.factors.push_back({{b, q, r}, std::move(fit.v)});
    proposal.build = [](OpBuilder &builder, Location loc, Type resultType,
                        Value x, ArrayRef<Value> f, Value bias,
                        StringAttr name) -> Operation * {
      return BlastLinearOp::create(builder, loc, resultType, x, f[0], f[1],
                                   f[2], bias, name);
    };
    return proposal;
  }
};

} // namespace
