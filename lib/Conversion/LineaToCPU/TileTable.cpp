//===- TileTable.cpp - per-shape register tiles from a JSON table ---------===//
//
// One tile size for every layer leaves speed on the table: a decode-shaped
// layer (M = 1) wants wide tiles along N, a square one the default. The
// table linea-compile --autotune writes holds the measured best tiles per
// shape of w; this pass hands them to linea-cpu-contraction-kernels as an
// attribute on each matching contraction.
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/Passes.h"
#include "linea/Conversion/TileTable.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

namespace linea {
#define GEN_PASS_DEF_CPUTILETABLE
#include "linea/Conversion/Passes.h.inc"

llvm::Expected<llvm::DenseMap<std::pair<int64_t, int64_t>, TileChoice>>
readTileTable(llvm::StringRef path) {
  auto fail = [&](const llvm::Twine &why) {
    return llvm::createStringError("tile table '" + path + "': " + why);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return fail(buffer.getError().message());
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return fail(llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *entries = root ? root->getArray("entries") : nullptr;
  if (!entries)
    return fail("expected an object with an \"entries\" array");
  llvm::DenseMap<std::pair<int64_t, int64_t>, TileChoice> table;
  for (auto [i, value] : llvm::enumerate(*entries)) {
    const llvm::json::Object *entry = value.getAsObject();
    std::optional<int64_t> n, k, tm, tn, bb;
    if (entry) {
      n = entry->getInteger("n"), k = entry->getInteger("k");
      tm = entry->getInteger("tile_m"), tn = entry->getInteger("tile_n");
      bb = entry->getInteger("block_bytes");
    }
    if (!n || !k || !tm || !tn || !bb)
      return fail("entry " + llvm::Twine(i) +
                  " needs integer n, k, tile_m, tile_n and block_bytes");
    if (*tm < 1 || *tm > kMaxTileSide || *tn < 1 || *tn > kMaxTileSide ||
        *bb < 1)
      return fail("entry " + llvm::Twine(i) + " (n = " + llvm::Twine(*n) +
                  ", k = " + llvm::Twine(*k) + "): tile_m (" +
                  llvm::Twine(*tm) + ") and tile_n (" + llvm::Twine(*tn) +
                  ") must be in [1, " + llvm::Twine(kMaxTileSide) +
                  "], block_bytes (" + llvm::Twine(*bb) + ") positive");
    table[{*n, *k}] = TileChoice{*tm, *tn, *bb};
  }
  return table;
}

namespace {
/// The shape (n, k) of w in a bufferized y[m, n] += x[m, k]·w[n, k], the
/// contractions linea-cpu-contraction-kernels tiles.
std::optional<std::pair<int64_t, int64_t>>
rowDotWeightShape(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3 ||
      op.getNumReductionLoops() != 1)
    return std::nullopt;
  // Loops (m, n, k): x[m, k], w[n, k], y[m, n].
  auto map = [&](ArrayRef<unsigned> dims) {
    return AffineMap::getMultiDimMapWithTargets(3, dims, op.getContext());
  };
  auto w = dyn_cast<MemRefType>(op.getDpsInputs()[1].getType());
  if (op.getIndexingMapsArray() !=
          SmallVector<AffineMap>{map({0, 2}), map({1, 2}), map({0, 1})} ||
      !w || !w.hasStaticShape())
    return std::nullopt;
  return std::pair{w.getDimSize(0), w.getDimSize(1)};
}

struct CpuTileTablePass : impl::CpuTileTableBase<CpuTileTablePass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *) override {
    if (table.empty())
      return success();
    auto read = readTileTable(table);
    if (!read) {
      // initialize() has no operation to report on.
      llvm::errs() << "error: linea-cpu-tile-table: "
                   << llvm::toString(read.takeError()) << "\n";
      return failure();
    }
    tiles = std::move(*read);
    return success();
  }

  void runOnOperation() override {
    Builder b(&getContext());
    getOperation().walk([&](linalg::GenericOp op) {
      auto shape = rowDotWeightShape(op);
      if (!shape)
        return;
      auto it = tiles.find(*shape);
      if (it == tiles.end())
        return;
      const TileChoice &t = it->second;
      op->setAttr(kCpuTileAttr, b.getDenseI64ArrayAttr(
                                    {t.tileM, t.tileN, t.blockBytes}));
    });
  }

  llvm::DenseMap<std::pair<int64_t, int64_t>, TileChoice> tiles;
};
} // namespace
} // namespace linea
