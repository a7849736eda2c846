//===- CalibrationStatsFile.cpp - calibration statistics as .npz ----------===//
//
// The mapping between LayerStats and the `<layer>.absmax|xtx|tokens` arrays
// of an .npz. The reader is strict: statistics that do not fit together (K
// differing between absmax and xtx, a negative token count) would silently
// skew every pass that scales weights by them.
//
//===----------------------------------------------------------------------===//

#include "linea/Execution/CalibrationStats.h"
#include "linea/Execution/Npz.h"

#include "llvm/ADT/StringMap.h"

#include <cstring>

using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using llvm::Twine;

namespace linea {

Error writeCalibrationStats(const CalibrationStats &stats, StringRef path) {
  std::vector<NpzEntry> entries;
  for (const LayerStats &layer : stats.layers) {
    int64_t k = layer.channels;
    if (int64_t(layer.absMax.size()) != k ||
        (layer.hasXtx() && int64_t(layer.xtx.size()) != k * k))
      return llvm::createStringError(
          "layer '" + layer.name + "' has K = " + Twine(k) + " but " +
          Twine(layer.absMax.size()) + " absmax and " +
          Twine(layer.xtx.size()) + " XᵀX values");
    HostTensor absMax = makeTensor(DType::f32, {k});
    std::memcpy(absMax.bytes.data(), layer.absMax.data(), k * sizeof(float));
    entries.emplace_back(layer.name + ".absmax", std::move(absMax));
    if (layer.hasXtx()) {
      HostTensor xtx = makeTensor(DType::f64, {k, k});
      std::memcpy(xtx.bytes.data(), layer.xtx.data(), k * k * sizeof(double));
      entries.emplace_back(layer.name + ".xtx", std::move(xtx));
    }
    HostTensor tokens = makeTensor(DType::i64, {});
    std::memcpy(tokens.bytes.data(), &layer.tokens, sizeof(int64_t));
    entries.emplace_back(layer.name + ".tokens", std::move(tokens));
  }
  return writeNpz(path, entries);
}

namespace {
/// The arrays of one layer as found in the archive.
struct LayerEntries {
  const HostTensor *absMax = nullptr, *xtx = nullptr, *tokens = nullptr;
};
} // namespace

Expected<CalibrationStats> readCalibrationStats(StringRef path) {
  Expected<std::vector<NpzEntry>> entries = readNpz(path);
  if (!entries)
    return entries.takeError();
  auto fail = [&](const Twine &why) {
    return llvm::createStringError("'" + path + "': " + why);
  };

  // Layers in the order their first entry appears.
  std::vector<std::string> order;
  llvm::StringMap<LayerEntries> layers;
  for (const NpzEntry &entry : *entries) {
    StringRef key = entry.first;
    auto [layer, field] = key.rsplit('.');
    if (!key.contains('.') || layer.empty())
      return fail("entry '" + key +
                  "' is not <layer>.absmax, <layer>.xtx or <layer>.tokens");
    auto [it, inserted] = layers.try_emplace(layer);
    if (inserted)
      order.push_back(layer.str());
    if (field == "absmax")
      it->second.absMax = &entry.second;
    else if (field == "xtx")
      it->second.xtx = &entry.second;
    else if (field == "tokens")
      it->second.tokens = &entry.second;
    else
      return fail("entry '" + key + "' has an unknown field '" + field +
                  "' (expected absmax, xtx or tokens)");
  }

  CalibrationStats stats;
  for (const std::string &name : order) {
    const LayerEntries &found = layers[name];
    auto entryName = [&](StringRef field) {
      return "'" + name + "." + field.str() + "'";
    };
    if (!found.absMax)
      return fail("layer '" + name + "' has no entry " + entryName("absmax"));
    if (!found.tokens)
      return fail("layer '" + name + "' has no entry " + entryName("tokens"));
    const HostTensor &absMax = *found.absMax;
    if (absMax.dtype != DType::f32 || absMax.shape.size() != 1)
      return fail("entry " + entryName("absmax") + " is " + absMax.describe() +
                  "; expected f32[K]");
    int64_t k = absMax.shape[0];
    const HostTensor &tokens = *found.tokens;
    if (tokens.dtype != DType::i64 || tokens.numElements() != 1 ||
        tokens.shape.size() > 1)
      return fail("entry " + entryName("tokens") + " is " + tokens.describe() +
                  "; expected an i64 scalar or i64[1]");

    LayerStats layer;
    layer.name = name;
    layer.channels = k;
    std::memcpy(&layer.tokens, tokens.bytes.data(), sizeof(int64_t));
    if (layer.tokens < 0)
      return fail("entry " + entryName("tokens") + " is " +
                  Twine(layer.tokens) + "; token counts are not negative");
    layer.absMax.resize(k);
    std::memcpy(layer.absMax.data(), absMax.bytes.data(), k * sizeof(float));
    if (const HostTensor *xtx = found.xtx) {
      if (xtx->dtype != DType::f64 || xtx->shape.size() != 2 ||
          xtx->shape[0] != k || xtx->shape[1] != k)
        return fail("entry " + entryName("xtx") + " is " + xtx->describe() +
                    ", but " + entryName("absmax") + " has K = " + Twine(k) +
                    ": expected f64[" + Twine(k) + "x" + Twine(k) + "]");
      layer.xtx.resize(k * k);
      std::memcpy(layer.xtx.data(), xtx->bytes.data(), k * k * sizeof(double));
    }
    stats.layers.push_back(std::move(layer));
  }
  return stats;
}

} // namespace linea
