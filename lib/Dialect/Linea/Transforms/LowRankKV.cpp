//===- LowRankKV.cpp - the linea-lowrank-kv pass (Palu) -------------------===//
//
// Grouped low-rank K/V projections (REWRITES.md §1.2): the layers whose
// result reaches a linea.attention's k or v operand are split into groups
// of heads, and each group's rows become one linea.lowrank_linear whose
// latent x·vᵀ is what a decoder caches. The per-group SVD and rank choice
// are numerics::lowRankProjection, shared with linea-lowrank; this file
// finds the projections, checks them against the attention's head layout
// and builds the groups.
//
//===----------------------------------------------------------------------===//

#include "LatentAttentionFusion.h"
#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Numerics/Structured.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace linea {
#define GEN_PASS_DEF_LOWRANKKV
#include "linea/Dialect/Linea/Transforms/Passes.h.inc"
} // namespace linea

using namespace mlir;
using namespace linea;

namespace {

/// Operand positions of linea.attention (mask is optional, hence last).
enum AttentionOperand : unsigned { kQuery = 0, kKey = 1, kValue = 2 };

/// Ops through which a projection's values still are "the keys" (or
/// values): they only move, slice, concatenate or elementwise-combine
/// elements — the head split, the [B, T, H, d] → [B, H, T, d] transpose and
/// RoPE's slices, negation, products and sums. Reductions and contractions
/// end the trace.
bool preservesElements(Operation *op) {
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp,
          tensor::ReshapeOp, tensor::ExtractSliceOp, tensor::InsertSliceOp,
          tensor::ConcatOp>(op))
    return true;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.getNumLoops() == linalgOp.getNumParallelLoops();
  return false;
}

/// The linea.attention operands that `value` reaches through
/// preservesElements ops, each (attention, operand number) once.
SmallVector<std::pair<AttentionOp, unsigned>> attentionUses(Value value) {
  SmallVector<std::pair<AttentionOp, unsigned>> uses;
  SmallVector<Value> worklist = {value};
  llvm::DenseSet<Value> seen = {value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (auto attention = dyn_cast<AttentionOp>(user)) {
        std::pair<AttentionOp, unsigned> entry = {attention,
                                                  use.getOperandNumber()};
        if (!llvm::is_contained(uses, entry))
          uses.push_back(entry);
        continue;
      }
      if (!preservesElements(user))
        continue;
      for (Value result : user->getResults())
        if (seen.insert(result).second)
          worklist.push_back(result);
    }
  }
  return uses;
}

/// A K or V projection, with the head layout its attention gives it.
struct KVProjection {
  LinearOp op;
  std::string name;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
};

/// Rows [begin, begin + count) of `w`.
numerics::Matrix rowBlock(const numerics::Matrix &w, int64_t begin,
                          int64_t count) {
  numerics::Matrix block(count, w.cols);
  std::copy(w.data.begin() + begin * w.cols,
            w.data.begin() + (begin + count) * w.cols, block.data.begin());
  return block;
}

struct LowRankKVPass : linea::impl::LowRankKVBase<LowRankKVPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    numerics::LowRankOptions options;
    options.rank = rank;
    options.energy = energy;
    options.paramRatio = paramRatio;
    // Option errors apply to every layer, so they fail the pass up front.
    std::string invalid = numerics::validateLowRankOptions(options);
    if (invalid.empty() && groupSize < 0)
      invalid = "group-size must not be negative, got " +
                std::to_string(int64_t(groupSize));
    if (!invalid.empty()) {
      module.emitError() << getArgument() << ": " << invalid;
      return signalPassFailure();
    }
    FailureOr<LayerFilter> filter =
        LayerFilter::create(module, getArgument(), only, except, minSize);
    if (failed(filter))
      return signalPassFailure();

    FailureOr<SmallVector<KVProjection>> projections =
        findProjections(module, *filter);
    if (failed(projections))
      return signalPassFailure();
    for (KVProjection &projection : *projections)
      rewrite(projection, options);
    if (!latentAttention)
      return;
    for (AttentionOp attention : rewrittenAttentions) {
      std::string why = fuseLatentAttention(attention);
      if (!why.empty())
        attention.emitRemark()
            << getArgument()
            << ": attention left as is (latent-attention=true): " << why;
    }
  }

  /// The attentions reading a projection this pass factored, in the order
  /// they were reached.
  llvm::SetVector<AttentionOp> rewrittenAttentions;

  /// Remark that leaves `op` (the layer `name`) alone.
  void skip(Operation *op, StringRef name, const Twine &why) {
    op->emitRemark() << getArgument() << ": skipped layer '" << name
                     << "': " << why;
  }

  /// The selected dense layers that are K/V projections, in program order
  /// (names taken before any rewrite, as linea-report prints them);
  /// remarks for the others. Fails on a projection whose N contradicts the
  /// attention's head layout.
  FailureOr<SmallVector<KVProjection>>
  findProjections(ModuleOp module, const LayerFilter &filter) {
    SmallVector<KVProjection> result;
    bool inconsistent = false;
    for (SelectedLayer &layer :
         selectLinearLayers(module, getArgument(), filter)) {
      std::optional<KVProjection> projection =
          classify(layer.op, layer.name, inconsistent);
      if (projection)
        result.push_back(std::move(*projection));
    }
    if (inconsistent)
      return failure();
    return result;
  }

  /// `linear` as a K/V projection, or nullopt after a remark (not one) or
  /// an error (N ≠ Hkv·d, setting `inconsistent`).
  std::optional<KVProjection> classify(LinearOp linear, StringRef name,
                                       bool &inconsistent) {
    auto uses = attentionUses(linear.getResult());
    bool toKey = false, toValue = false, toOther = false;
    for (auto &[attention, operand] : uses) {
      toKey |= operand == kKey;
      toValue |= operand == kValue;
      toOther |= operand != kKey && operand != kValue;
    }
    if (!toKey && !toValue) {
      skip(linear, name,
           toOther ? "feeds linea.attention, but not its k or v operand"
                   : "does not feed the k or v operand of a linea.attention");
      return std::nullopt;
    }
    if (toOther || (toKey && toValue)) {
      skip(linear, name,
           "feeds more than one of linea.attention's q, k, v and mask "
           "operands (a fused projection); split it first");
      return std::nullopt;
    }
    KVProjection projection{linear, name.str()};
    int64_t n = linear.getOutFeatures();
    for (auto &[attention, operand] : uses) {
      auto type =
          dyn_cast<RankedTensorType>(attention->getOperand(operand).getType());
      const char *which = operand == kKey ? "k" : "v";
      if (!type || type.getRank() != 4 || type.isDynamicDim(1) ||
          type.isDynamicDim(3)) {
        skip(linear, name,
             Twine("the ") + which +
                 " operand of linea.attention has a dynamic head count or "
                 "head dim");
        return std::nullopt;
      }
      int64_t heads = type.getDimSize(1), dim = type.getDimSize(3);
      if (n != heads * dim) {
        InFlightDiagnostic diag = linear.emitError()
                                  << getArgument() << ": layer '" << name
                                  << "' (N = " << n << ") feeds the " << which
                                  << " operand of linea.attention, which has "
                                  << heads << " kv heads of dim " << dim
                                  << ": N must be " << heads << "·" << dim
                                  << " = " << heads * dim;
        diag.attachNote(attention.getLoc()) << "the attention";
        inconsistent = true;
        return std::nullopt;
      }
      // Several attentions may read one projection (shared K/V); the
      // first one's head split defines the groups.
      if (!projection.kvHeads) {
        projection.kvHeads = heads;
        projection.headDim = dim;
      }
    }
    return projection;
  }

  /// Replaces the projection by its grouped low-rank form, or leaves it
  /// with a remark.
  void rewrite(KVProjection &projection,
               const numerics::LowRankOptions &options) {
    LinearOp op = projection.op;
    StringRef name = projection.name;
    int64_t heads = groupSize ? int64_t(groupSize) : projection.kvHeads;
    if (projection.kvHeads % heads != 0)
      return skip(op, name,
                  "group-size=" + Twine(heads) + " does not divide the " +
                      Twine(projection.kvHeads) + " kv heads");
    std::string why;
    FailureOr<numerics::Matrix> w = op.materializeDenseWeight(&why);
    if (failed(w))
      return skip(op, name, why);

    int64_t groups = projection.kvHeads / heads;
    int64_t groupRows = heads * projection.headDim, k = w->cols;
    int64_t fullRank = std::min(groupRows, k);
    if (options.rank >= fullRank)
      return skip(op, name,
                  "rank " + Twine(options.rank) +
                      " is not below the full rank min(" + Twine(groupRows) +
                      ", " + Twine(k) + ") = " + Twine(fullRank) +
                      " of a group's weight: the cached latent would be no "
                      "smaller than the group's dense keys or values");
    SmallVector<numerics::Matrix> blocks;
    SmallVector<numerics::LowRankFactors> factors;
    for (int64_t g = 0; g < groups; ++g) {
      blocks.push_back(rowBlock(*w, g * groupRows, groupRows));
      std::optional<numerics::LowRankFactors> f =
          numerics::lowRankProjection(blocks.back(), options, why);
      if (!f)
        return skip(op, name,
                    "group " + Twine(g) + " [" + Twine(groupRows) + ", " +
                        Twine(k) + "]: " + why);
      factors.push_back(std::move(*f));
    }

    OpBuilder builder(op);
    Location loc = op.getLoc();
    Type weightType =
        cast<RankedTensorType>(op.getW().getType()).getElementType();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    SmallVector<Value> parts;
    int64_t latent = 0;
    for (int64_t g = 0; g < groups; ++g) {
      const numerics::LowRankFactors &f = factors[g];
      int64_t r = f.u.cols;
      latent += r;
      Value u = arith::ConstantOp::create(
          builder, loc,
          floatConstantAttr({groupRows, r}, f.u.data, weightType));
      Value v = arith::ConstantOp::create(
          builder, loc, floatConstantAttr({r, k}, f.v.data, weightType));
      Value bias = op.getBias();
      StringAttr partName = op.getNameAttr();
      Type partType = resultType;
      if (groups > 1) {
        if (bias)
          bias = tensor::ExtractSliceOp::create(
              builder, loc, bias,
              ArrayRef<OpFoldResult>{builder.getIndexAttr(g * groupRows)},
              ArrayRef<OpFoldResult>{builder.getIndexAttr(groupRows)},
              ArrayRef<OpFoldResult>{builder.getIndexAttr(1)});
        partName = builder.getStringAttr(name + "/g" + Twine(g));
        SmallVector<int64_t> shape(resultType.getShape());
        shape.back() = groupRows;
        partType = resultType.clone(shape);
      }
      auto part = LowRankLinearOp::create(builder, loc, partType, op.getX(), u,
                                          v, bias, partName);
      FailureOr<numerics::Matrix> approx =
          cast<LinearLayerOpInterface>(part.getOperation())
              .materializeDenseWeight(&why);
      if (failed(approx)) {
        // A bug, not a user error: the op just built is unreadable.
        part.emitError() << getArgument()
                         << ": cannot reconstruct the new form: " << why;
        return signalPassFailure();
      }
      double error = numerics::relativeFrobeniusError(*approx, blocks[g]);
      part->setAttr(kWeightErrorAttr,
                    builder.getF32FloatAttr(static_cast<float>(error)));
      parts.push_back(part.getResult());
    }
    Value result = parts.front();
    if (groups > 1)
      result = tensor::ConcatOp::create(builder, loc, resultType.getRank() - 1,
                                        parts);
    result.getDefiningOp()->setAttr(kKVLatentAttr,
                                    builder.getI64IntegerAttr(latent));
    op.getResult().replaceAllUsesWith(result);
    for (auto &[attention, operand] : attentionUses(result))
      rewrittenAttentions.insert(attention);
    Operation *weight = op.getW().getDefiningOp();
    op.erase();
    // As in the structured driver: a dead dense weight would keep its bytes
    // in the output.
    if (weight && weight->use_empty() && isa<arith::ConstantOp>(weight))
      weight->erase();
  }

  /// Numbers per token a decoder caches for the projection: Σ_g r_g.
  static constexpr StringLiteral kKVLatentAttr = "linea.kv_latent";
};

} // namespace
