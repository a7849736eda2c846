//===- linea-import-onnx.cpp - ONNX model → MLIR on tensors ---------------===//
//
//   linea-import-onnx MODEL.onnx [-o OUT.mlir] [--emit-bytecode]
//                     [--dim NAME=VALUE ...] [--function NAME]
//
// Writes one module with `func.func @main` (see docs/onnx-import.md) to
// stdout or OUT. Exit status: 0 on success, 1 when the file cannot be read
// or is not a valid model (corrupt protobuf, inconsistent shapes, missing
// external data), 2 when the model uses something the importer does not
// support (all unsupported nodes are listed at once).
//
//===----------------------------------------------------------------------===//

#include "linea/Import/ONNX/Importer.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

/// The tool's own options: --help lists these, not the ~380 LLVM and MLIR
/// options linked in (still accepted, just not listed).
static cl::OptionCategory importOptions("linea-import-onnx options");

static cl::opt<std::string> modelPath(cl::cat(importOptions), cl::Positional,
                                      cl::Required, cl::desc("<model.onnx>"));
static cl::opt<std::string> outputPath(cl::cat(importOptions), "o",
                                       cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<bool> emitBytecode(cl::cat(importOptions), "emit-bytecode",
                                  cl::desc("Write MLIR bytecode, not text"));
static cl::list<std::string>
    dims(cl::cat(importOptions), "dim",
         cl::desc("Size of a symbolic input dimension, e.g. --dim batch=1"),
         cl::value_desc("NAME=VALUE"));
static cl::opt<std::string>
    functionName(cl::cat(importOptions), "function",
                 cl::desc("Name of the emitted function"),
                 cl::value_desc("name"), cl::init("main"));

static int fail(const llvm::Twine &message, int code) {
  llvm::WithColor::error(llvm::errs(), "linea-import-onnx") << message << "\n";
  return code;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions({&importOptions});
  cl::ParseCommandLineOptions(argc, argv, "ONNX importer of linea\n");

  linea::onnx_import::ImportOptions options;
  options.functionName = functionName;
  for (const std::string &d : dims) {
    auto [name, value] = llvm::StringRef(d).split('=');
    int64_t v;
    if (name.empty() || value.getAsInteger(10, v) || v < 0)
      return fail("--dim expects NAME=VALUE with VALUE >= 0, not '" + d + "'",
                  1);
    options.dimValues[name] = v;
  }

  MLIRContext context;
  auto module =
      linea::onnx_import::importOnnxFile(modelPath, context, options);
  if (!module) {
    int code = 1;
    std::string message;
    llvm::handleAllErrors(
        module.takeError(),
        [&](const linea::onnx_import::ImportError &e) {
          message = e.getMessage();
          if (e.getKind() == linea::onnx_import::ImportErrorKind::Unsupported)
            code = 2;
        },
        [&](const llvm::ErrorInfoBase &e) { message = e.message(); });
    return fail(modelPath + ": " + message, code);
  }

  std::string error;
  auto output = openOutputFile(outputPath, &error);
  if (!output)
    return fail(error, 1);
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(**module, output->os())))
      return fail("cannot write bytecode", 1);
  } else {
    (*module)->print(output->os(), OpPrintingFlags());
    output->os() << "\n";
  }
  output->keep();
  return 0;
}
