//===- Importer.h - ONNX models to MLIR on tensors --------------*- C++ -*-===//
//
// linea-import-onnx turns an ONNX model into one `func.func` of upstream MLIR
// on tensors (func, linalg, tensor, arith, math) with static shapes. Weights
// become `dense_resource` blobs. See docs/onnx-import.md for the design.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_IMPORT_ONNX_IMPORTER_H
#define LINEA_IMPORT_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include <string>

namespace linea::onnx_import {

/// Options of one import.
struct ImportOptions {
  /// Name of the emitted function (the graph's name is kept in the
  /// `onnx.graph_name` attribute).
  std::string functionName = "main";
  /// Values of symbolic dimensions (`dim_param`) of graph inputs, e.g.
  /// {"batch": 1}: every value must have a static shape.
  llvm::StringMap<int64_t> dimValues;
};

/// What went wrong in an import. `Unsupported` means the model is valid ONNX
/// but uses an op, opset, element type or attribute value the importer does
/// not handle; `Invalid` covers unreadable files, corrupt protobufs,
/// inconsistent shapes and missing external data.
enum class ImportErrorKind { Invalid, Unsupported };

/// The error returned by the import functions; its message is complete and
/// ready to print (several lines when several nodes are unsupported).
class ImportError : public llvm::ErrorInfo<ImportError> {
public:
  static char ID;
  ImportError(ImportErrorKind kind, std::string message)
      : kind(kind), message(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override { os << message; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  ImportErrorKind getKind() const { return kind; }
  const std::string &getMessage() const { return message; }

private:
  ImportErrorKind kind;
  std::string message;
};

/// Imports the model at `path`. External data files are looked up relative
/// to the model's directory.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(llvm::StringRef path, mlir::MLIRContext &context,
               const ImportOptions &options = {});

/// Imports a model held in memory (`bytes` is the serialized ModelProto);
/// external data are looked up relative to `baseDir`.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxBuffer(llvm::StringRef bytes, llvm::StringRef baseDir,
                 mlir::MLIRContext &context, const ImportOptions &options = {});

/// Loads the dialects the importer emits into `context`.
void loadImportDialects(mlir::MLIRContext &context);

} // namespace linea::onnx_import

#endif // LINEA_IMPORT_ONNX_IMPORTER_H
