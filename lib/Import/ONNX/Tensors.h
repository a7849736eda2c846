//===- Tensors.h - ONNX TensorProto decoding and IR constants ---*- C++ -*-===//

#ifndef LINEA_LIB_IMPORT_ONNX_TENSORS_H
#define LINEA_LIB_IMPORT_ONNX_TENSORS_H

#include "ConstData.h"
#include "linea/Import/ONNX/Importer.h"

#include "mlir/IR/Builders.h"

namespace onnx {
class TensorProto;
} // namespace onnx

namespace linea::onnx_import {

/// Decodes `tensor` (named `what` in messages). Raw data are taken out of
/// `tensor` without a copy when `steal` (initializers); external data are
/// mapped from the file `location` relative to `baseDir`. Errors are
/// ImportErrors (Unsupported for element types the importer lacks).
llvm::Expected<ConstData> decodeTensor(onnx::TensorProto &tensor,
                                       llvm::StringRef what,
                                       llvm::StringRef baseDir, bool steal);

/// An IR constant holding `c`: a splat, a single element or a small (<= 64
/// elements, not `forceResource`) constant is an inline `dense<...>`, anything
/// else a
/// `dense_resource` blob named after `name` that shares `c`'s storage.
mlir::Value materializeConstant(mlir::OpBuilder &b, mlir::Location loc,
                                const ConstData &c, llvm::StringRef name,
                                bool forceResource);

} // namespace linea::onnx_import

#endif // LINEA_LIB_IMPORT_ONNX_TENSORS_H
