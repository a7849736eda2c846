//===- WeightsFile.cpp - constants in a side file mapped at load ----------===//
//
// A model's weights dominate its library: embedded, they make every rebuild
// of a large model relink hundreds of megabytes and load them all up front.
// Moved to <NAME>.weights, they are mapped (and paged in as the kernels
// touch them); the code reads each constant at a fixed offset from one
// pointer the C wrapper sets.
//
//===----------------------------------------------------------------------===//

#include "linea/Compile/WeightsFile.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace linea {

static constexpr uint64_t kHeaderBytes = 40, kEntryBytes = 16,
                          kDataAlign = 64;

uint64_t WeightsFile::dataOffset() const {
  return llvm::alignTo(kHeaderBytes + kEntryBytes * blobs.size(), kDataAlign);
}

uint64_t weightsChecksum(llvm::StringRef data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < data.size(); i += 8) {
    char word[8] = {0};
    memcpy(word, data.data() + i, std::min<size_t>(8, data.size() - i));
    uint64_t w = llvm::support::endian::read64le(word);
    h = llvm::rotl(h ^ w, 29) * 0x100000001b3ull;
  }
  return h;
}

/// The bytes of `value` as the global stores them, or nullopt when they
/// cannot be taken as they are.
static std::optional<std::string> rawBytes(Attribute value) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return std::string(data.begin(), data.end());
  }
  auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value);
  if (!dense)
    return std::nullopt;
  Type element = dense.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8)
    return std::nullopt;
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat())
    return std::string(raw.begin(), raw.end());
  std::string out;
  out.reserve(raw.size() * dense.getNumElements());
  for (int64_t i = 0; i < dense.getNumElements(); ++i)
    out.append(raw.begin(), raw.end());
  return out;
}

llvm::Expected<WeightsFile> moveWeightsToFile(ModuleOp module,
                                              uint64_t minBytes) {
  WeightsFile file;
  DataLayout layout(module);
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i8 = IntegerType::get(ctx, 8), i64 = IntegerType::get(ctx, 64);
  SymbolTable symbols(module);
  bool declared = false;
  for (auto global :
       llvm::make_early_inc_range(module.getOps<LLVM::GlobalOp>())) {
    if (!global.getConstant() || !global.getValueOrNull())
      continue;
    std::optional<std::string> bytes = rawBytes(global.getValueOrNull());
    if (!bytes || bytes->size() < minBytes ||
        bytes->size() !=
            layout.getTypeSize(global.getGlobalType()).getFixedValue())
      continue;
    auto uses = SymbolTable::getSymbolUses(global, module);
    if (!uses || llvm::any_of(*uses, [](const SymbolTable::SymbolUse &use) {
          return !isa<LLVM::AddressOfOp>(use.getUser());
        }))
      continue;
    if (!declared) {
      if (symbols.lookup(kWeightsBaseSymbol))
        return llvm::createStringError(
            llvm::Twine("the module already defines '") + kWeightsBaseSymbol +
            "', which --weights=file needs");
      // A declaration: the C wrapper defines the pointer.
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      symbols.insert(LLVM::GlobalOp::create(b, module.getLoc(), ptr,
                                            /*isConstant=*/false,
                                            LLVM::Linkage::External,
                                            kWeightsBaseSymbol, Attribute()));
      declared = true;
    }
    uint64_t align = std::max<uint64_t>(kDataAlign,
                                        global.getAlignment().value_or(1));
    uint64_t offset = llvm::alignTo(file.data.size(), align);
    file.data.resize(offset, '\0');
    file.data += *bytes;
    file.blobs.push_back({global.getSymName().str(), offset, bytes->size()});
    for (const SymbolTable::SymbolUse &use : *uses) {
      auto address = cast<LLVM::AddressOfOp>(use.getUser());
      OpBuilder b(address);
      Location loc = address.getLoc();
      Value slot = LLVM::AddressOfOp::create(b, loc, ptr, kWeightsBaseSymbol);
      Value base = LLVM::LoadOp::create(b, loc, ptr, slot);
      Value at = LLVM::ConstantOp::create(b, loc, i64, offset);
      Value pointer =
          LLVM::GEPOp::create(b, loc, ptr, i8, base, ValueRange{at},
                              LLVM::GEPNoWrapFlags::inbounds);
      address.replaceAllUsesWith(pointer);
      address.erase();
    }
    symbols.erase(global);
  }
  file.checksum = weightsChecksum(file.data);
  return file;
}

std::string weightsFileBytes(const WeightsFile &weights) {
  std::string out(weights.dataOffset(), '\0');
  char *h = out.data();
  using namespace llvm::support::endian;
  memcpy(h, "LINEAWTS", 8);
  write32le(h + 8, kWeightsVersion);
  write32le(h + 12, uint32_t(weights.blobs.size()));
  write64le(h + 16, weights.dataOffset());
  write64le(h + 24, weights.data.size());
  write64le(h + 32, weights.checksum);
  for (auto [i, blob] : llvm::enumerate(weights.blobs)) {
    write64le(h + kHeaderBytes + kEntryBytes * i, blob.offset);
    write64le(h + kHeaderBytes + kEntryBytes * i + 8, blob.size);
  }
  return out + weights.data;
}

} // namespace linea
