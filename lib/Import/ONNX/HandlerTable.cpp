//===- HandlerTable.cpp - (op type, since-version) → handler --------------===//
//
// ONNX versions each op separately: an op's schema has a since-version, and
// a model with opset N uses, for each op, the newest schema whose
// since-version is <= N. The table mirrors that. A handler registered for
// since-versions {13, 18} serves opsets 13 to 17 and 18 onwards; if the
// semantics changed at 18, a second handler is registered for 18 instead.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "llvm/ADT/StringExtras.h"

namespace linea::onnx_import {

void HandlerTable::add(llvm::StringRef opType, llvm::ArrayRef<int> sinceVersions,
                       OpHandler handler, unsigned minInputs) {
  auto &list = entries[opType];
  for (int since : sinceVersions)
    list.push_back({since, handler, minInputs});
  llvm::sort(list, [](auto &a, auto &b) { return a.since < b.since; });
}

OpHandler HandlerTable::lookup(llvm::StringRef opType, int64_t opset,
                               int *since, unsigned *minInputs) const {
  auto it = entries.find(opType);
  if (it == entries.end())
    return nullptr;
  OpHandler found = nullptr;
  for (const Entry &e : it->second) {
    if (e.since > opset)
      break;
    found = e.handler;
    if (since)
      *since = e.since;
    if (minInputs)
      *minInputs = e.minInputs;
  }
  return found;
}

std::string HandlerTable::versionsOf(llvm::StringRef opType) const {
  auto it = entries.find(opType);
  if (it == entries.end())
    return "";
  return llvm::join(llvm::map_range(it->second,
                                    [](auto &e) {
                                      return std::to_string(e.since);
                                    }),
                    ", ");
}

std::string HandlerTable::qualified(llvm::StringRef domain,
                                    llvm::StringRef opType) {
  if (domain.empty() || domain == "ai.onnx")
    return opType.str();
  return (domain + "." + opType).str();
}

std::string HandlerTable::opsOfDomain(llvm::StringRef domain) const {
  std::string prefix = (domain + ".").str();
  llvm::SmallVector<llvm::StringRef> ops;
  for (const auto &entry : entries)
    if (entry.getKey().starts_with(prefix))
      ops.push_back(entry.getKey().drop_front(prefix.size()));
  llvm::sort(ops);
  return llvm::join(ops, ", ");
}

const HandlerTable &HandlerTable::get() {
  static const HandlerTable table = [] {
    HandlerTable t;
    registerElementwiseHandlers(t);
    registerMatMulHandlers(t);
    registerShapeHandlers(t);
    registerReductionHandlers(t);
    registerQuantHandlers(t);
    registerLineaDomainHandlers(t);
    return t;
  }();
  return table;
}

} // namespace linea::onnx_import
