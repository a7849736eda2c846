//===- linea-onnx-fuzzer.cpp - libFuzzer target of the ONNX importer ------===//
//
// Feeds arbitrary bytes to importOnnxBuffer as a serialized ModelProto. Any
// outcome is fine except a crash, a sanitizer report, a hang or an import
// that "succeeds" with a module that does not verify. Built only with
// -DLINEA_ENABLE_FUZZER=ON (scripts/fuzz-import.sh does that).
//
//===----------------------------------------------------------------------===//

#include "linea/Import/ONNX/Importer.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One context per input: state from an earlier input must not mask a bug.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  // External data must not reach outside a scratch directory that does
  // not exist: a fuzzed `location` then reads nothing.
  auto module = linea::onnx_import::importOnnxBuffer(
      bytes, "/nonexistent-linea-fuzz-dir", context);
  if (!module) {
    llvm::consumeError(module.takeError());
    return 0;
  }
  if (mlir::failed(mlir::verify(module->get()))) {
    llvm::errs() << "importer produced a module that does not verify\n";
    std::abort();
  }
  return 0;
}
