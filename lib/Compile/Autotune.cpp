//===- Autotune.cpp - measured register tiles per layer shape -------------===//
//
// The tile table per target is a guess that fits square layers; a decode
// layer (one row) or a tall thin one may run faster with other tiles. This
// measures: each candidate is compiled (the same pipeline as the library,
// with a one-entry tile table) and timed on the real shape, best of rounds
// that interleave the candidates, and the winner is only what the clock says.
//
//===----------------------------------------------------------------------===//

#include "linea/Compile/Autotune.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Execution/Runner.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>

using namespace mlir;

namespace linea {

/// The host's tiles first, then register tiles that fit its vector
/// registers (32 with 16-lane vectors, else 16) in other aspect ratios, and
/// the host's tile with a quarter of the cache block.
static std::vector<TileChoice> candidates(const TileChoice &host,
                                          int64_t vectorWidth) {
  std::vector<std::pair<int64_t, int64_t>> shapes =
      vectorWidth >= 16
          ? std::vector<std::pair<int64_t, int64_t>>{{2, 8}, {4, 6}, {6, 4},
                                                     {8, 3}, {1, 8}, {2, 4}}
          : std::vector<std::pair<int64_t, int64_t>>{{2, 4}, {4, 2}, {2, 6},
                                                     {1, 8}, {4, 3}, {1, 4}};
  std::vector<TileChoice> out = {host};
  for (auto [m, n] : shapes)
    if (m != host.tileM || n != host.tileN)
      out.push_back({m, n, host.blockBytes});
  out.push_back({host.tileM, host.tileN, std::max<int64_t>(1, host.blockBytes / 4)});
  return out;
}

/// A one-layer module: y = x·wᵀ with x m×k and w n×k as arguments.
static std::string benchModule(int64_t m, int64_t n, int64_t k) {
  std::string x = llvm::formatv("tensor<{0}x{1}xf32>", m, k),
              w = llvm::formatv("tensor<{0}x{1}xf32>", n, k),
              y = llvm::formatv("tensor<{0}x{1}xf32>", m, n);
  return llvm::formatv("func.func @bench(%x: {0}, %w: {1}) -> {2} {{\n"
                       "  %y = linea.linear %x, %w : ({0}, {1}) -> {2}\n"
                       "  return %y : {2}\n}\n",
                       x, w, y);
}

/// The shape compiled with `tiles` (the library's pipeline with a one-entry
/// tile table), ready to call.
static llvm::Expected<CompiledFunction>
compileCandidate(MLIRContext &ctx, int64_t m, int64_t n, int64_t k,
                 const TileChoice &tiles, unsigned threads) {
  llvm::SmallString<128> table;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "linea-autotune", "json", fd, table))
    return llvm::createStringError("cannot create a temporary file: " +
                                   ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << llvm::formatv("{{\"entries\": [{{\"n\": {0}, \"k\": {1}, "
                        "\"tile_m\": {2}, \"tile_n\": {3}, "
                        "\"block_bytes\": {4}}]}\n",
                        n, k, tiles.tileM, tiles.tileN, tiles.blockBytes);
  }
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(benchModule(m, n, k), &ctx);
  if (!module)
    return llvm::createStringError("autotune: cannot build the benchmark");
  PassManager pm(&ctx);
  LowerToLLVMOptions lower;
  lower.numThreads = threads;
  lower.tileTable = table.str().str();
  buildLowerToLLVMPipeline(pm, lower);
  LogicalResult lowered = pm.run(*module);
  llvm::sys::fs::remove(table);
  if (failed(lowered))
    return llvm::createStringError("autotune: lowering the benchmark failed");
  return compileFunction(*module, "bench");
}

/// Seconds per call of each compiled candidate: batches of calls that take
/// at least 20 ms, in five rounds that visit every candidate in turn (so a
/// burst of load elsewhere hits them alike), best round per candidate.
static std::vector<double> timeCandidates(ArrayRef<CompiledFunction> fns,
                                          int64_t m, int64_t n, int64_t k) {
  std::vector<HostTensor> inputs = {makeTensor(DType::f32, {m, k}),
                                    makeTensor(DType::f32, {n, k})};
  for (HostTensor &t : inputs)
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.setFromDouble(i, double((i * 7919) % 17) / 16 - 0.5);
  std::vector<int64_t> words;
  using Clock = std::chrono::steady_clock;
  auto batch = [&](const CompiledFunction &fn, int64_t reps) {
    auto start = Clock::now();
    for (int64_t i = 0; i < reps; ++i) {
      fn.invokeInPlace(inputs, words);
      free(reinterpret_cast<void *>(words[0]));
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  std::vector<int64_t> reps(fns.size(), 1);
  for (auto [fn, r] : llvm::zip(fns, reps))
    while (batch(fn, r) < 0.02 && r < (1 << 20))
      r *= 4;
  std::vector<double> best(fns.size(), std::numeric_limits<double>::infinity());
  for (int round = 0; round < 5; ++round)
    for (size_t i = 0; i < fns.size(); ++i)
      best[i] = std::min(best[i], batch(fns[i], reps[i]) / double(reps[i]));
  return best;
}

llvm::Expected<std::vector<TunedShape>>
autotuneContractions(ModuleOp module, const AutotuneOptions &options) {
  CpuContractionKernelsOptions host = hostKernelOptions();
  // Distinct shapes of w, in the order the layers come.
  llvm::MapVector<std::pair<int64_t, int64_t>, TunedShape> shapes;
  module.walk([&](LinearOp op) {
    auto x = dyn_cast<RankedTensorType>(op.getX().getType());
    auto w = dyn_cast<RankedTensorType>(op.getW().getType());
    if (!x || !w || !x.getElementType().isF32() ||
        !w.getElementType().isF32() || w.getRank() != 2 ||
        !w.hasStaticShape() || w.getDimSize(1) % host.vectorWidth)
      return;
    int64_t m = 1;
    for (int64_t d : x.getShape().drop_back())
      m = ShapedType::isDynamic(d) || m < 0 ? -1 : m * d;
    TunedShape &shape = shapes[{w.getDimSize(0), w.getDimSize(1)}];
    shape.n = w.getDimSize(0);
    shape.k = w.getDimSize(1);
    shape.m = std::max(shape.m, m < 0 ? options.dynamicRows : m);
    auto name = op->getAttrOfType<StringAttr>("name");
    shape.layers.push_back(
        name ? name.str()
             : "@" + op->getParentOfType<func::FuncOp>().getName().str());
  });

  std::vector<TunedShape> out;
  for (auto &[key, shape] : shapes) {
    TileChoice hostTiles{host.tileM, host.tileN, host.blockBytes};
    std::vector<CompiledFunction> compiled;
    for (const TileChoice &tiles : candidates(hostTiles, host.vectorWidth)) {
      auto fn = compileCandidate(*module.getContext(), shape.m, shape.n,
                                 shape.k, tiles, options.threads);
      if (!fn)
        return fn.takeError();
      compiled.push_back(std::move(*fn));
      shape.candidates.push_back({tiles, 0});
    }
    std::vector<double> seconds =
        timeCandidates(compiled, shape.m, shape.n, shape.k);
    for (auto [candidate, time] : llvm::zip(shape.candidates, seconds))
      candidate.seconds = time;
    shape.best = std::min_element(seconds.begin(), seconds.end()) -
                 seconds.begin();
    if (options.progress) {
      const TileMeasurement &best = shape.candidates[shape.best];
      options.progress(llvm::formatv(
          "{0}x{1}x{2}: tile {3}x{4}, block {5} B: {6:f1} us ({7:f2}x the "
          "default)",
          shape.m, shape.n, shape.k, best.tiles.tileM, best.tiles.tileN,
          best.tiles.blockBytes, best.seconds * 1e6,
          shape.candidates[0].seconds / best.seconds).str());
    }
    out.push_back(std::move(shape));
  }
  return out;
}

llvm::json::Value tileTableJson(llvm::ArrayRef<TunedShape> shapes,
                                unsigned threads) {
  auto tilesJson = [](const TileMeasurement &t) {
    return llvm::json::Object{{"tile_m", t.tiles.tileM},
                              {"tile_n", t.tiles.tileN},
                              {"block_bytes", t.tiles.blockBytes},
                              {"seconds", t.seconds}};
  };
  llvm::json::Array entries;
  for (const TunedShape &shape : shapes) {
    llvm::json::Object entry = tilesJson(shape.candidates[shape.best]);
    entry["n"] = shape.n;
    entry["k"] = shape.k;
    entry["m"] = shape.m;
    entry["layers"] = llvm::json::Array(shape.layers);
    entry["default_seconds"] = shape.candidates[0].seconds;
    llvm::json::Array all;
    for (const TileMeasurement &t : shape.candidates)
      all.push_back(tilesJson(t));
    entry["candidates"] = std::move(all);
    entries.push_back(std::move(entry));
  }
  return llvm::json::Object{
      {"version", 1},
      {"cpu", llvm::sys::getHostCPUName()},
      {"vector_width", hostKernelOptions().vectorWidth},
      {"threads", threads},
      {"entries", std::move(entries)}};
}

} // namespace linea
