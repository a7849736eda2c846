//===- ShiftAdd.cpp - the linea-shift-add pass ----------------------------===//
//
// Dense layers → linea.shift_linear (REWRITES.md §4). The code itself is
// computed by numerics::encodeShiftAdd; this file checks the options and
// builds the op.
//
//===----------------------------------------------------------------------===//

#include "LinearizeAttention.h"
#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/ShiftAdd.h"

namespace linea {
#define GEN_PASS_DEF_SHIFTADD
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct ShiftAddPass : linea::impl::ShiftAddBase<ShiftAddPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (terms < 1 || terms > 2 || bits < 3 || bits > 8) {
      emitError(module.getLoc())
          << "linea-shift-add: terms=" << int64_t(terms)
          << " bits=" << int64_t(bits)
          << " is not supported (terms 1 or 2, bits in [3, 8])";
      return signalPassFailure();
    }
    int64_t minExponent = -((int64_t(1) << (bits - 1)) - 2);
    if (failed(runStructuredRewrite(
            module, getArgument(), {only, except, minSize},
            [&](StringRef, const numerics::Matrix &w,
                std::string &) -> std::optional<StructuredProposal> {
              numerics::ShiftAddCode code =
                  numerics::encodeShiftAdd(w, terms, minExponent);
              StructuredProposal proposal;
              SmallVector<int64_t> shape = {terms, w.rows, w.cols};
              proposal.factors.push_back(
                  {shape,
                   std::vector<float>(code.exponents.begin(),
                                      code.exponents.end()),
                   8});
              proposal.factors.push_back(
                  {shape,
                   std::vector<float>(code.signs.begin(), code.signs.end()),
                   8});
              proposal.factors.push_back({{w.rows}, code.rowScale});
              proposal.mustShrink = false;
              proposal.build = [](OpBuilder &b, Location loc, Type type,
                                  Value x, ArrayRef<Value> f, Value bias,
                                  StringAttr name) {
                return ShiftLinearOp::create(b, loc, type, x, f[0], f[1], f[2],
                                             bias, name)
                    .getOperation();
              };
              return proposal;
            })))
      return signalPassFailure();
    if (attention)
      linearizeAttention(module, FeatureMap::binary, getArgument());
  }
};

} // namespace
