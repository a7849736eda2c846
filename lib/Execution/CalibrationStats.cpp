//===- CalibrationStats.cpp - collect and merge activation statistics -----===//
//
// Collection instruments a clone of the module: the entry function also
// returns the x operand of every named linear layer in its body, runs on the
// JIT like any other function, and the statistics are accumulated here on the
// host. That keeps the lowering untouched (no callbacks, no runtime library)
// at the price of copying each x out once per sample.
//
//===----------------------------------------------------------------------===//

#include "linea/Execution/CalibrationStats.h"
#include "linea/Dialect/Linea/IR/LineaInterfaces.h"
#include "linea/Execution/Runner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using llvm::Error;
using llvm::Expected;

namespace linea {

const LayerStats *CalibrationStats::lookup(llvm::StringRef name) const {
  for (const LayerStats &layer : layers)
    if (layer.name == name)
      return &layer;
  return nullptr;
}

static std::string locationString(Location loc) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << loc;
  return s;
}

/// Keeps the larger magnitude, NaN winning once seen (as numpy's max does).
static void updateAbsMax(float &current, float candidate) {
  if (!std::isnan(current) && !(candidate <= current))
    current = candidate;
}

/// Adds the rows of `x` (flattened to tokens × K) to `stats`. XᵀX gets only
/// its upper triangle here; finishXtx mirrors it.
static void accumulate(LayerStats &stats, const HostTensor &x, bool withXtx) {
  int64_t k = stats.channels;
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < x.shape.size(); ++d)
    rows *= x.shape[d];
  stats.tokens += rows;
  std::vector<double> row(k);
  for (int64_t t = 0; t < rows; ++t) {
    if (x.dtype == DType::f32) {
      const auto *p = reinterpret_cast<const float *>(x.bytes.data()) + t * k;
      for (int64_t c = 0; c < k; ++c)
        row[c] = p[c];
    } else {
      for (int64_t c = 0; c < k; ++c)
        row[c] = x.getAsDouble(t * k + c);
    }
    for (int64_t c = 0; c < k; ++c)
      updateAbsMax(stats.absMax[c], static_cast<float>(std::fabs(row[c])));
    if (!withXtx)
      continue;
    // Products of two f32 values are exact in f64; only the sums round.
    for (int64_t i = 0; i < k; ++i) {
      double xi = row[i];
      double *acc = stats.xtx.data() + i * k;
      for (int64_t j = i; j < k; ++j)
        acc[j] += xi * row[j];
    }
  }
}

/// Copies the accumulated upper triangle of XᵀX to the lower one.
static void finishXtx(LayerStats &stats) {
  int64_t k = stats.channels;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < i; ++j)
      stats.xtx[i * k + j] = stats.xtx[j * k + i];
}

namespace {
/// A layer whose x the instrumented function returns.
struct Probe {
  std::string name;
  int64_t channels;
};
} // namespace

/// Makes `func` also return the x of every named linear layer in its body;
/// fills `probes` in result order and `skipped` with the layers left out.
static Error instrument(ModuleOp module, func::FuncOp func,
                        std::vector<Probe> &probes,
                        std::vector<std::string> &skipped) {
  StringRef funcName = func.getName();
  if (!func.getBody().hasOneBlock())
    return llvm::createStringError(
        "@" + funcName + " has " +
        llvm::Twine(func.getBody().getBlocks().size()) +
        " blocks; statistics are collected from single-block "
        "functions");
  if (std::optional<SymbolTable::UseRange> uses =
          SymbolTable::getSymbolUses(func, module);
      uses && !uses->empty())
    return llvm::createStringError(
        "@" + funcName +
        " is called from elsewhere in the "
        "module; collect statistics from the outermost function");

  Block &body = func.getBody().front();
  llvm::StringMap<Location> seen;
  SmallVector<Value> values;
  std::string error;
  module.walk([&](LinearLayerOpInterface layer) {
    Operation *op = layer.getOperation();
    std::string where = locationString(op->getLoc());
    auto name = op->getAttrOfType<StringAttr>("name");
    if (!name) {
      skipped.push_back(op->getName().getStringRef().str() + " at " + where +
                        ": no name attribute");
      return;
    }
    std::string label =
        "'" + name.str() + "' (" + op->getName().getStringRef().str() + ")";
    auto parent = op->getParentOfType<FunctionOpInterface>();
    if (parent != func.getOperation()) {
      skipped.push_back(label + ": in @" +
                        (parent ? parent.getName().str() : "?") + ", not in @" +
                        funcName.str() +
                        "; called functions are not instrumented");
      return;
    }
    if (op->getBlock() != &body) {
      skipped.push_back(label + ": inside " +
                        op->getParentOp()->getName().getStringRef().str() +
                        "; only layers directly in @" + funcName.str() +
                        "'s body are instrumented");
      return;
    }
    Value x = layer.getInput();
    auto type = dyn_cast<RankedTensorType>(x.getType());
    if (!type || type.getRank() == 0 || type.isDynamicDim(type.getRank() - 1) ||
        !dtypeOf(type.getElementType())) {
      skipped.push_back(label + ": x is not a ranked f32/f16/bf16 tensor "
                                "with a static last dim");
      return;
    }
    auto [it, inserted] = seen.try_emplace(name.getValue(), op->getLoc());
    if (!inserted) {
      if (error.empty())
        error = "two linear layers are named '" + name.str() + "' (at " +
                locationString(it->second) + " and " + where +
                "); statistics are keyed by layer name";
      return;
    }
    probes.push_back({name.str(), type.getShape().back()});
    values.push_back(x);
  });
  if (!error.empty())
    return llvm::createStringError(error);

  auto ret = cast<func::ReturnOp>(body.getTerminator());
  // A function argument cannot be returned as it is (bufferization would
  // alias the caller's buffer): return a copy.
  OpBuilder builder(ret);
  for (Value &v : values) {
    if (!isa<BlockArgument>(v))
      continue;
    MLIRContext *ctx = func.getContext();
    ctx->getOrLoadDialect<tensor::TensorDialect>();
    ctx->getOrLoadDialect<linalg::LinalgDialect>();
    Location loc = v.getLoc();
    auto type = cast<RankedTensorType>(v.getType());
    Value empty = tensor::EmptyOp::create(
        builder, loc, tensor::getMixedSizes(builder, loc, v),
        type.getElementType());
    v = linalg::CopyOp::create(builder, loc, v, empty).getResult(0);
  }
  unsigned first = func.getNumResults();
  SmallVector<unsigned> indices(values.size(), first);
  SmallVector<Type> types;
  for (Value v : values)
    types.push_back(v.getType());
  SmallVector<DictionaryAttr> attrs(values.size(), DictionaryAttr());
  if (failed(func.insertResults(indices, types, attrs)))
    return llvm::createStringError("cannot add results to @" + funcName);
  ret->insertOperands(ret->getNumOperands(), values);
  return Error::success();
}

Expected<CalibrationStats>
collectCalibrationStats(ModuleOp module, llvm::StringRef funcName,
                        llvm::ArrayRef<std::vector<HostTensor>> inputSets,
                        bool withXtx) {
  if (inputSets.empty())
    return llvm::createStringError("no input sets to collect statistics from");
  OwningOpRef<ModuleOp> clone = module.clone();
  auto func = clone->lookupSymbol<func::FuncOp>(funcName);
  if (!func) {
    if (clone->lookupSymbol<LLVM::LLVMFuncOp>(funcName))
      return llvm::createStringError(
          "@" + funcName +
          " is already lowered to the LLVM dialect; collect "
          "statistics on the module before linea-lower-to-llvm");
    Expected<TensorSignature> sig = getSignature(*clone, funcName);
    return sig ? llvm::createStringError("no func.func @" + funcName)
               : sig.takeError();
  }
  if (func.isExternal())
    return llvm::createStringError("@" + funcName + " is only a declaration");

  CalibrationStats stats;
  std::vector<Probe> probes;
  unsigned numOriginal = func.getNumResults();
  if (Error e = instrument(*clone, func, probes, stats.skipped))
    return std::move(e);
  for (const Probe &probe : probes) {
    LayerStats layer;
    layer.name = probe.name;
    layer.channels = probe.channels;
    layer.absMax.assign(probe.channels, 0.0f);
    if (withXtx)
      layer.xtx.assign(probe.channels * probe.channels, 0.0);
    stats.layers.push_back(std::move(layer));
  }

  // The first run lowers the clone in place; later runs reuse the lowering.
  for (auto [sample, inputs] : llvm::enumerate(inputSets)) {
    Expected<std::vector<HostTensor>> outputs =
        runFunction(*clone, funcName, inputs);
    if (!outputs)
      return llvm::createStringError("calibration sample " +
                                     llvm::Twine(sample) + ": " +
                                     llvm::toString(outputs.takeError()));
    if (outputs->size() != numOriginal + probes.size())
      return llvm::createStringError(
          "@" + funcName + " returned " + llvm::Twine(outputs->size()) +
          " results, expected " + llvm::Twine(numOriginal + probes.size()));
    for (auto [i, layer] : llvm::enumerate(stats.layers))
      accumulate(layer, (*outputs)[numOriginal + i], withXtx);
  }
  if (withXtx)
    for (LayerStats &layer : stats.layers)
      finishXtx(layer);
  return stats;
}

Error mergeCalibrationStats(CalibrationStats &a, const CalibrationStats &b) {
  // Check everything first so that a failed merge leaves `a` as it was.
  for (const LayerStats &other : b.layers) {
    const LayerStats *mine = a.lookup(other.name);
    if (!mine)
      return llvm::createStringError(
          "layer '" + other.name +
          "' is in the new statistics but not in the existing "
          "ones (" +
          llvm::Twine(a.layers.size()) + " layers)");
    if (mine->channels != other.channels)
      return llvm::createStringError(
          "layer '" + other.name + "' has K = " + llvm::Twine(mine->channels) +
          " in the existing statistics but K = " + llvm::Twine(other.channels) +
          " in the new ones");
    if (mine->hasXtx() != other.hasXtx())
      return llvm::createStringError(
          "layer '" + other.name + "' has XᵀX in " +
          (mine->hasXtx() ? "the existing" : "the new") +
          " statistics only; collect both with or both without "
          "it");
  }
  for (const LayerStats &mine : a.layers)
    if (!b.lookup(mine.name))
      return llvm::createStringError(
          "layer '" + mine.name +
          "' is in the existing statistics but not in the new "
          "ones (" +
          llvm::Twine(b.layers.size()) + " layers)");

  for (LayerStats &mine : a.layers) {
    const LayerStats &other = *b.lookup(mine.name);
    mine.tokens += other.tokens;
    for (size_t c = 0; c < mine.absMax.size(); ++c)
      updateAbsMax(mine.absMax[c], other.absMax[c]);
    for (size_t i = 0; i < mine.xtx.size(); ++i)
      mine.xtx[i] += other.xtx[i];
  }
  return Error::success();
}

} // namespace linea
