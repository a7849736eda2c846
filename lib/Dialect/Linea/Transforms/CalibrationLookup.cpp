//===- CalibrationLookup.cpp - calibration statistics for passes ----------===//

#include "CalibrationLookup.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace linea;

FailureOr<CalibrationStats>
linea::loadCalibrationStats(ModuleOp module, StringRef passName,
                            StringRef path) {
  llvm::Expected<CalibrationStats> stats = readCalibrationStats(path);
  if (!stats) {
    emitError(module.getLoc())
        << passName << ": cannot use stats='" << path
        << "': " << llvm::toString(stats.takeError());
    return failure();
  }
  return std::move(*stats);
}

const LayerStats *linea::findLayerStats(const CalibrationStats &stats,
                                        StringRef path, StringRef name,
                                        int64_t channels, bool needXtx,
                                        std::string &why) {
  llvm::raw_string_ostream os(why);
  const LayerStats *layer = stats.lookup(name);
  if (!layer) {
    os << "stats file '" << path << "' has no layer '" << name << "' ("
       << stats.layers.size() << " layers)";
    return nullptr;
  }
  if (layer->channels != channels) {
    os << "stats file '" << path << "' has " << layer->channels
       << " input channels for layer '" << name << "', the layer has "
       << channels;
    return nullptr;
  }
  if (needXtx && !layer->hasXtx()) {
    os << "stats file '" << path << "' has no XᵀX for layer '" << name
       << "' (collect without --stats-xtx=false)";
    return nullptr;
  }
  return layer;
}


LogicalResult OptionalCalibration::load(ModuleOp module, StringRef passName,
                                        StringRef path) {
  this->module = module;
  this->passName = passName.str();
  this->path = path.str();
  if (path.empty())
    return success();
  FailureOr<CalibrationStats> loaded =
      loadCalibrationStats(module, passName, path);
  if (failed(loaded))
    return failure();
  stats = std::move(*loaded);
  return success();
}

const LayerStats *OptionalCalibration::layer(StringRef name, int64_t channels,
                                             bool needXtx) {
  assert(stats && "no statistics were loaded");
  std::string why;
  const LayerStats *found =
      findLayerStats(*stats, path, name, channels, needXtx, why);
  if (!found) {
    emitError(module.getLoc()) << passName << ": " << why;
    missing = true;
  }
  return found;
}
