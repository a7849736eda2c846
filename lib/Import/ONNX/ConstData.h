//===- ConstData.h - ONNX element types and host constants ------*- C++ -*-===//
//
// The importer keeps every value known at import time (initializers, Constant
// nodes, folded shape computations) as a ConstData: element kind, shape and
// little-endian bytes in the layout of the MLIR element type. Big payloads
// (weights, external data) are never copied: the bytes stay in the protobuf
// string or the mapped file, and the dense_resource blob made from them
// keeps that storage alive.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_IMPORT_ONNX_CONSTDATA_H
#define LINEA_LIB_IMPORT_ONNX_CONSTDATA_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace linea::onnx_import {

/// ONNX element types the importer handles. Unsigned and signed integers of
/// one width share the signless MLIR type; the kind keeps the signedness.
enum class ElemKind : uint8_t {
  F32, F16, BF16, F64, I8, U8, I16, U16, I32, U32, I64, U64, Bool
};

/// The kind of ONNX `TensorProto::DataType` value `dataType`, if handled.
std::optional<ElemKind> elemKindFromOnnx(int dataType);
/// The ONNX `TensorProto::DataType` of `kind`.
int onnxDataType(ElemKind kind);
/// The name ONNX's documentation uses for a data type, e.g. "float16";
/// also for types the importer does not handle ("string", "float8e4m3fn").
std::string onnxTypeName(int dataType);
/// The name of `kind` ("float", "uint8", ...).
std::string elemName(ElemKind kind);
/// Bytes per element (Bool: 1).
unsigned elemBytes(ElemKind kind);
bool isFloat(ElemKind kind);
bool isUnsigned(ElemKind kind); ///< U8..U64 and Bool.
bool isInteger(ElemKind kind);  ///< signed or unsigned integer (not Bool).
/// The MLIR element type: f32/f16/bf16/f64, signless iN, i1 for Bool.
mlir::Type mlirElemType(ElemKind kind, mlir::MLIRContext *context);

/// Number of elements of `shape`, or nullopt on overflow / negative dims.
std::optional<int64_t> numElementsOf(llvm::ArrayRef<int64_t> shape);

/// Owner of constant bytes: a vector, a protobuf string or a mapped file.
struct ConstStorage {
  std::vector<char> vector;
  std::string string;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  llvm::ArrayRef<char> bytes;
};

/// A constant tensor known at import time. A splat stores one element.
class ConstData {
public:
  ConstData() = default;
  ConstData(ElemKind kind, llvm::SmallVector<int64_t> shape,
            std::shared_ptr<const ConstStorage> storage, bool splat);

  /// A zero-filled constant of `shape` that owns its bytes; with `splat`,
  /// only one element is stored.
  static ConstData zeros(ElemKind kind, llvm::ArrayRef<int64_t> shape,
                         bool splat = false);
  /// A 1-D i64 constant.
  static ConstData ofInts(ElemKind kind, llvm::ArrayRef<int64_t> values);

  ElemKind kind() const { return elemKind; }
  llvm::ArrayRef<int64_t> shape() const { return dims; }
  int64_t rank() const { return dims.size(); }
  int64_t numElements() const;
  bool isSplat() const { return splat; }
  /// The stored bytes (one element when splat).
  llvm::ArrayRef<char> bytes() const { return storage->bytes; }
  std::shared_ptr<const ConstStorage> getStorage() const { return storage; }

  /// Element `i` (row-major) as a double / as an int64 (floats truncate,
  /// unsigned 64-bit values above INT64_MAX wrap).
  double getDouble(int64_t i) const;
  int64_t getInt(int64_t i) const;
  /// All elements as int64 (for shapes, axes, indices).
  llvm::SmallVector<int64_t> getInts() const;

  /// Stores `v` into element `i`, rounding to the element type (to nearest
  /// even for floats, wrapping for integers, != 0 for Bool). Only valid on
  /// constants made by zeros().
  void setDouble(int64_t i, double v);
  void setInt(int64_t i, int64_t v);

  /// Copies element `srcIndex` of `src` (of the same kind) into element
  /// `i`. Only valid on constants made by zeros().
  void copyElement(int64_t i, const ConstData &src, int64_t srcIndex);

  /// The same data with another shape of as many elements.
  ConstData reshaped(llvm::ArrayRef<int64_t> newShape) const;

private:
  char *mutableElement(int64_t i);
  const char *element(int64_t i) const {
    return storage->bytes.data() + (splat ? 0 : i) * elemBytes(elemKind);
  }

  ElemKind elemKind = ElemKind::F32;
  llvm::SmallVector<int64_t> dims;
  std::shared_ptr<const ConstStorage> storage;
  bool splat = false;
};

/// Rounds `v` to the nearest value of float kind `kind` (f32, f16, bf16;
/// f64 unchanged).
double roundToFloat(ElemKind kind, double v);

} // namespace linea::onnx_import

#endif // LINEA_LIB_IMPORT_ONNX_CONSTDATA_H
