//===- QuantizeAttention.cpp - the linea-quantize-attention pass ----------===//
//
// SageAttention (REWRITES.md §7) as an attribute rather than a new op: the
// quantized variant has the same operands and shapes as linea.attention,
// and both lowerings read `quant` to pick their arithmetic, so every pass
// that moves or matches attention keeps working on it.
//
//===----------------------------------------------------------------------===//

#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"

namespace linea {
#define GEN_PASS_DEF_QUANTIZEATTENTION
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

struct QuantizeAttentionPass
    : linea::impl::QuantizeAttentionBase<QuantizeAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<AttnValues> valueMode = symbolizeAttnValues(values);
    std::string invalid;
    if (mode != "sage" && mode != "none")
      invalid = "mode='" + mode + "' is not one of sage, none";
    else if (!valueMode)
      invalid = "values='" + values +
                "' is not one of exact, fp8_e4m3, fp8_e4m3_smoothed";
    else if (qBlock < 1 || kBlock < 1)
      invalid = "q-block (" + std::to_string(int64_t(qBlock)) +
                ") and k-block (" + std::to_string(int64_t(kBlock)) +
                ") must be positive";
    if (!invalid.empty()) {
      module.emitError() << getArgument() << ": " << invalid;
      return signalPassFailure();
    }
    AttnQuantAttr quant;
    if (mode == "sage")
      quant = AttnQuantAttr::get(&getContext(), qBlock, kBlock, *valueMode);
    module.walk([&](AttentionOp op) { op.setQuantAttr(quant); });
  }
};

} // namespace
