//===- LayerSelection.cpp - naming and choosing linear layers -------------===//

#include "linea/Dialect/Linea/Transforms/LayerSelection.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace linea;

std::string linea::layerName(Operation *op, unsigned indexInFunc) {
  if (auto name = op->getAttrOfType<StringAttr>("name"))
    return name.str();
  std::string result;
  if (auto func = op->getParentOfType<FunctionOpInterface>())
    result = func.getName().str();
  return result + "#" + std::to_string(indexInFunc);
}

FailureOr<LayerFilter> LayerFilter::create(Operation *module,
                                           StringRef passName,
                                           ArrayRef<std::string> only,
                                           ArrayRef<std::string> except,
                                           int64_t minSize) {
  LayerFilter filter;
  filter.minSize = minSize;
  auto parse = [&](ArrayRef<std::string> texts, StringRef option,
                   SmallVectorImpl<llvm::GlobPattern> &out,
                   SmallVectorImpl<std::string> &outText) -> LogicalResult {
    for (const std::string &text : texts) {
      llvm::Expected<llvm::GlobPattern> pattern =
          llvm::GlobPattern::create(text);
      if (!pattern) {
        mlir::emitError(module->getLoc()) << passName << ": bad glob in " << option << "='"
                            << text
                            << "': " << llvm::toString(pattern.takeError());
        return failure();
      }
      out.push_back(std::move(*pattern));
      outText.push_back(text);
    }
    return success();
  };
  if (failed(parse(only, "only", filter.only, filter.onlyText)) ||
      failed(parse(except, "except", filter.except, filter.exceptText)))
    return failure();
  return filter;
}

bool LayerFilter::selects(StringRef name, int64_t outFeatures,
                          int64_t inFeatures, std::string &why) const {
  llvm::raw_string_ostream os(why);
  if (!only.empty() &&
      llvm::none_of(only, [&](const auto &p) { return p.match(name); })) {
    os << "name matches no only= pattern";
    return false;
  }
  for (auto [pattern, text] : llvm::zip(except, exceptText)) {
    if (pattern.match(name)) {
      os << "name matches except='" << text << "'";
      return false;
    }
  }
  if (outFeatures * inFeatures < minSize) {
    os << "N·K = " << outFeatures << "·" << inFeatures << " = "
       << outFeatures * inFeatures << " is below min-size=" << minSize;
    return false;
  }
  return true;
}
