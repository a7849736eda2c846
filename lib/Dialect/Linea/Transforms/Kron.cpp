//===- Kron.cpp - the linea-kron pass -------------------------------------===//
//
// Rewrites dense layers into the nearest sum of Kronecker products
// (REWRITES.md §2.5); the factorization is numerics::nearestKroneckerSum,
// this file only chooses the factor shape and builds linea.kron_linear.
//
//===----------------------------------------------------------------------===//

#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Kronecker.h"

#include "llvm/Support/FormatVariadic.h"

namespace linea {
#define GEN_PASS_DEF_KRON
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct KronPass : linea::impl::KronBase<KronPass> {
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
    if (terms < 1)
      return error() << "option 'terms' must be at least 1, got "
                     << int64_t(terms);
    if (!factors.empty() && factors.size() != 2)
      return error() << "option 'factors' takes two values n1,k1, got "
                     << factors.size();
    if (!factors.empty() && (factors[0] < 1 || factors[1] < 1))
      return error() << "option 'factors' must be positive, got " << factors[0]
                     << "," << factors[1];
    return success();
  }

  /// The factor shape: `factors` when given (it must divide N and K), else
  /// the default nearest √N, √K.
  std::optional<numerics::KroneckerShape> chooseShape(int64_t n, int64_t k,
                                                      std::string &why) {
    if (factors.empty())
      return numerics::defaultKroneckerShape(n, k);
    int64_t n1 = factors[0], k1 = factors[1];
    if (n % n1 != 0 || k % k1 != 0) {
      why = llvm::formatv("factors={0},{1} do not divide the {2}x{3} weight "
                          "(n1 | N and k1 | K are required)",
                          n1, k1, n, k)
                .str();
      return std::nullopt;
    }
    return numerics::KroneckerShape{n1, k1, n / n1, k / k1};
  }

  std::optional<StructuredProposal> propose(const numerics::Matrix &w,
                                            std::string &why) {
    std::optional<numerics::KroneckerShape> shape =
        chooseShape(w.rows, w.cols, why);
    if (!shape)
      return std::nullopt;
    int64_t maxTerms = std::min(shape->n1 * shape->k1, shape->n2 * shape->k2);
    if (terms > maxTerms) {
      why = llvm::formatv("terms={0} exceeds {1}, the rank bound of a "
                          "{2}x{3} (x) {4}x{5} Kronecker sum",
                          int64_t(terms), maxTerms, shape->n1, shape->k1,
                          shape->n2, shape->k2)
                .str();
      return std::nullopt;
    }
    numerics::KroneckerSum sum =
        numerics::nearestKroneckerSum(w, *shape, terms);
    StructuredProposal proposal;
    proposal.factors.push_back(
        {{sum.terms, shape->n1, shape->k1}, std::move(sum.a)});
    proposal.factors.push_back(
        {{sum.terms, shape->n2, shape->k2}, std::move(sum.b)});
    proposal.build = [](OpBuilder &builder, Location loc, Type resultType,
                        Value x, ArrayRef<Value> f, Value bias,
                        StringAttr name) -> Operation * {
      return KronLinearOp::create(builder, loc, resultType, x, f[0], f[1], bias,
                                  name);
    };
    return proposal;
  }
};

} // namespace
